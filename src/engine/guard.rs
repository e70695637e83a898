//! Price guard (破价预警): the lowest unit price a buyer can reach for a SKU with
//! the promotions given, as a conservative bound, and the combination that reaches it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Item, Kind, Level, Promo, Ratio, ReductionForm, Rule, Threshold, item_unit_price};

/// What the guard looks at.
#[derive(Debug, Clone)]
pub struct GuardInput<'a> {
    /// Every SKU of the store that promotions may touch (for "lowest price in scope").
    pub items: &'a [Item],
    /// The promotions a buyer could combine (approved ones; at activation, the one being
    /// approved too). Coupon templates included.
    pub promotions: &'a [Promo],
    /// The deepest store tier price rate (bp), when the store has tier discounts.
    pub deepest_tier_bp: Option<i64>,
    /// Keep only promotions active at this instant (None: take all given).
    pub at: Option<DateTime<Utc>>,
}

/// One tool in the worst-case combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    pub promotion_id: i64,
    pub kind: Kind,
    pub level: Level,
    /// The discount as a rate of the item-level price.
    pub rate_bp: i64,
}

/// The guard's answer for one SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub sku_id: i64,
    pub list_price: i64,
    /// The lowest item-level price over all audiences.
    pub item_price: i64,
    pub item_promotion: Option<i64>,
    pub components: Vec<Component>,
    /// `max(0, p − ceil(p × Σ r))`.
    pub reachable: i64,
    pub below_floor: bool,
    pub below_cost: bool,
    pub below_min_margin: bool,
}

impl Finding {
    pub fn breaks(&self) -> bool {
        self.below_floor || self.below_cost || self.below_min_margin
    }
}

/// Lowest item-level price of one item over all audiences, and the promotion giving it.
fn item_price(item: &Item, promos: &[&Promo]) -> (i64, Option<i64>) {
    let mut best = (item.list_price, None);
    for p in promos {
        if let Rule::ItemDiscount { mode, rounding, .. } = p.rule
            && p.covers(item.product_id, item.sku_id)
        {
            let u = item_unit_price(mode, rounding, item.list_price);
            if u < best.0 || (u == best.0 && best.1.is_some_and(|b| p.id < b)) {
                best = (u, Some(p.id));
            }
        }
    }
    best
}

/// Runs the guard for `targets` (SKU ids; unknown ones are skipped), in `targets` order.
pub fn guard(input: &GuardInput<'_>, targets: &[i64]) -> Vec<Finding> {
    let promos: Vec<&Promo> = input
        .promotions
        .iter()
        .filter(|p| input.at.is_none_or(|at| p.active_at(at)))
        .collect();
    let by_sku: BTreeMap<i64, &Item> = input.items.iter().map(|i| (i.sku_id, i)).collect();
    // "lowest item-level price in scope" for 满N件减Y, once per such promotion.
    let mut scope_min: BTreeMap<i64, i64> = BTreeMap::new();
    for p in &promos {
        if let Rule::FullReduction {
            on: Threshold::Pieces,
            ..
        } = p.rule
        {
            let lowest = input
                .items
                .iter()
                .filter(|i| p.covers(i.product_id, i.sku_id))
                .map(|i| item_price(i, &promos).0)
                .min();
            if let Some(l) = lowest {
                scope_min.insert(p.id, l);
            }
        }
    }
    targets
        .iter()
        .filter_map(|sku| by_sku.get(sku))
        .map(|item| one(item, &promos, &scope_min, input.deepest_tier_bp))
        .collect()
}

/// The rate a promotion can take off a unit at item-level price `p`, if it can touch the item.
fn rate_of(
    promo: &Promo,
    item: &Item,
    p: i64,
    scope_min: &BTreeMap<i64, i64>,
    deepest_tier_bp: Option<i64>,
) -> Option<Ratio> {
    if !promo.covers(item.product_id, item.sku_id) {
        return None;
    }
    let r = match &promo.rule {
        Rule::FullReduction { on, form, .. } => {
            let other = scope_min.get(&promo.id).copied().unwrap_or(p);
            match (on, form) {
                (Threshold::Amount, ReductionForm::Tiers(tiers)) => tiers
                    .iter()
                    .map(|t| Ratio::new(t.value, t.threshold.max(p)))
                    .fold(Ratio::ZERO, Ratio::max),
                (Threshold::Pieces, ReductionForm::Tiers(tiers)) => tiers
                    .iter()
                    .map(|t| Ratio::new(t.value, p + (t.threshold - 1).max(0) * other))
                    .fold(Ratio::ZERO, Ratio::max),
                (Threshold::Amount, ReductionForm::PerEach { every, off, cap }) => {
                    let each = Ratio::new(*off, *every);
                    match cap {
                        Some(c) => {
                            let capped = Ratio::new(*c, (*every).max(p));
                            if capped.num * each.den < each.num * capped.den {
                                capped
                            } else {
                                each
                            }
                        }
                        None => each,
                    }
                }
                (Threshold::Pieces, ReductionForm::PerEach { every, off, .. }) => {
                    Ratio::new(*off, p + (every - 1).max(0) * other)
                }
            }
        }
        Rule::FullDiscount { tiers, .. } => tiers
            .iter()
            .map(|t| Ratio::new(10_000 - t.value, 10_000))
            .fold(Ratio::ZERO, Ratio::max),
        Rule::NthItem { rate_bp, .. } => Ratio::new(10_000 - rate_bp, 10_000),
        Rule::Bundle { members, .. } => members
            .iter()
            .find(|m| m.sku_id == item.sku_id)
            .map_or(Ratio::ZERO, |m| Ratio::new(p - m.price, p)),
        Rule::Coupon {
            face, threshold, ..
        } => Ratio::new(*face, (*threshold).max(p)),
        Rule::MemberPrice { vip88_bp: Some(bp) } => Ratio::new(10_000 - bp, 10_000),
        Rule::MemberPrice { vip88_bp: None } => {
            Ratio::new(10_000 - deepest_tier_bp.unwrap_or(10_000), 10_000)
        }
        Rule::ItemDiscount { .. } | Rule::Gift { .. } | Rule::FreeShipping { .. } => return None,
    };
    (r.num > 0).then_some(r)
}

/// Which exclusive slot a tool fills (only the largest of a slot counts).
fn slot(p: &Promo) -> u8 {
    match &p.rule {
        Rule::FullReduction {
            cross_store: true, ..
        } => 3,
        Rule::FullReduction { .. } | Rule::FullDiscount { .. } | Rule::NthItem { .. } => 0,
        Rule::Bundle { .. } => 0,
        Rule::Coupon { platform: true, .. } => 7,
        Rule::Coupon { item: false, .. } => 1,
        Rule::Coupon { item: true, .. } => 2,
        Rule::MemberPrice { vip88_bp: None } => 4,
        Rule::MemberPrice { vip88_bp: Some(_) } => 5,
        _ => 6,
    }
}

fn one(
    item: &Item,
    promos: &[&Promo],
    scope_min: &BTreeMap<i64, i64>,
    deepest_tier_bp: Option<i64>,
) -> Finding {
    let (p, item_promotion) = item_price(item, promos);
    let mut best: BTreeMap<u8, (Ratio, &Promo)> = BTreeMap::new();
    for promo in promos {
        if let Some(r) = rate_of(promo, item, p, scope_min, deepest_tier_bp) {
            let s = slot(promo);
            let replace = best.get(&s).is_none_or(|(b, bp)| {
                r.num * b.den > b.num * r.den
                    || (r.num * b.den == b.num * r.den && promo.id < bp.id)
            });
            if replace {
                best.insert(s, (r, promo));
            }
        }
    }
    let rates: Vec<Ratio> = best.values().map(|(r, _)| *r).collect();
    let off = ceil_of_sum(p, &rates);
    let reachable = (p - off).max(0);
    let under = |u: Option<i64>| u.is_some_and(|u| reachable < u);
    Finding {
        sku_id: item.sku_id,
        list_price: item.list_price,
        item_price: p,
        item_promotion,
        components: best
            .values()
            .map(|(r, promo)| Component {
                promotion_id: promo.id,
                kind: promo.rule.kind(),
                level: promo.level(),
                rate_bp: r.bp(),
            })
            .collect(),
        reachable,
        below_floor: under(item.floor),
        below_cost: under(item.cost),
        below_min_margin: under(item.min_margin_price),
    }
}

/// `ceil(p × Σ rates)`, exactly; should the common denominator overflow, the sum of each rate's
/// own ceiling (never smaller, so still a safe bound).
pub fn ceil_of_sum(p: i64, rates: &[Ratio]) -> i64 {
    let exact = rates.iter().try_fold((0i128, 1i128), |(n, d), r| {
        let g = gcd(d, r.den);
        let den = d.checked_mul(r.den / g)?;
        let num = n
            .checked_mul(den / d)?
            .checked_add(r.num.checked_mul(den / r.den)?)?;
        let g2 = gcd(num, den).max(1);
        Some((num / g2, den / g2))
    });
    let ceil_div = |a: i128, b: i128| (a + b - 1) / b;
    let total = match exact.and_then(|(n, d)| i128::from(p).checked_mul(n).map(|pn| (pn, d))) {
        Some((pn, d)) => ceil_div(pn, d),
        None => rates
            .iter()
            .map(|r| ceil_div(i128::from(p) * r.num, r.den))
            .sum(),
    };
    i64::try_from(total).unwrap_or(i64::MAX)
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}
