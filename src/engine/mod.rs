//! The pricing engine: a pure, deterministic function of (promotions, prices,
//! cart, buyer, coupons, region, time), in fen. No database access, no clock, no I/O: the service
//! loads everything first and the engine only computes, so a quote costs a fixed number of SQL
//! statements and the rules are tested here without a server.

pub mod alloc;
pub mod guard;
pub mod rules;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use alloc::{Slot, allocate};
pub use rules::*;

/// A SKU as the engine needs it.
#[derive(Debug, Clone)]
pub struct Item {
    pub sku_id: i64,
    pub product_id: i64,
    /// 一口价, the list price per unit.
    pub list_price: i64,
    /// 最低售价 (破价线) per unit, if set.
    pub floor: Option<i64>,
    pub cost: Option<i64>,
    /// The minimum-margin price per unit (`cost / (1 − minMarginBp/10000)`, rounded up), if any.
    pub min_margin_price: Option<i64>,
}

/// One line of the cart.
#[derive(Debug, Clone, Copy)]
pub struct CartLine {
    pub sku_id: i64,
    pub quantity: i64,
}

/// What the store knows about the buyer.
#[derive(Debug, Clone, Default)]
pub struct Buyer {
    /// A member of the store (a quote may be for an anonymous buyer).
    pub member: bool,
    /// No paid order in the store yet (新客).
    pub is_new: bool,
    /// The member's tier (1 = lowest), if any.
    pub tier_rank: Option<i64>,
    /// The tier's price rate (bp), if the tier has a member discount.
    pub tier_price_bp: Option<i64>,
    pub tags: Vec<String>,
    /// The member's RFM segment code.
    pub segment: Option<String>,
    /// The buyer holds 88VIP (the platform knows; the quote input says so).
    pub vip88: bool,
    /// Units the buyer already bought under each limited item-level promotion (by id): they count
    /// against its 限购.
    pub prior_units: BTreeMap<i64, i64>,
}

/// A coupon offered to the quote: an issued coupon, or (for a template the buyer could use) the
/// template itself.
#[derive(Debug, Clone)]
pub struct CouponOffer {
    pub code: String,
    pub template: Promo,
    /// The buyer holds this coupon (CLAIMED).
    pub owned: bool,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}

/// The 运费模板: first unit plus each extra unit.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShippingTemplate {
    pub first: i64,
    pub extra: i64,
}

/// Everything a quote needs.
#[derive(Debug, Clone)]
pub struct QuoteInput<'a> {
    pub items: &'a [Item],
    pub lines: &'a [CartLine],
    /// Approved promotions of the store (stored SCHEDULED or ACTIVE); the engine keeps those whose
    /// window holds `at` and whose audience includes the buyer.
    pub promotions: &'a [Promo],
    pub buyer: &'a Buyer,
    pub coupons: &'a [CouponOffer],
    /// Whether the buyer named the coupons (then every unused one gets a reason) or the engine
    /// picked from the buyer's wallet.
    pub coupons_named: bool,
    pub region: Option<&'a str>,
    pub shipping: ShippingTemplate,
    pub at: DateTime<Utc>,
}

/// One discount taken by one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub promotion_id: i64,
    pub kind: Kind,
    pub level: Level,
    pub funder: Funder,
    pub amount: i64,
    /// The coupon that gave it, for coupon shares.
    pub coupon_code: Option<String>,
}

impl Share {
    /// What the merchant pays of this share (platform and brand money excluded).
    pub fn merchant_amount(&self) -> i64 {
        self.funder.merchant_part(self.amount)
    }
}

/// One priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteLine {
    pub sku_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub list_price: i64,
    /// The item-level unit price (单品优惠价), the list price without one.
    pub unit_price: i64,
    pub item_promotion: Option<i64>,
    /// `unit × units within 限购 + list × the rest`: the threshold basis of every later level.
    pub item_amount: i64,
    /// The threshold basis after bundles.
    pub basis: i64,
    pub shares: Vec<Share>,
    pub net: i64,
    pub below_floor: bool,
    pub below_cost: bool,
    pub below_min_margin: bool,
}

impl QuoteLine {
    fn take(&mut self, share: Share) {
        self.net -= share.amount;
        if share.amount > 0 {
            self.shares.push(share);
        }
    }
    fn room(&self) -> i64 {
        self.net
    }
}

/// A ¥0 gift line added by a 满赠 activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftLine {
    pub promotion_id: i64,
    pub sku_id: i64,
    pub quantity: i64,
}

/// Why a coupon was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponReject {
    OneStoreCouponPerOrder,
    OneItemCouponPerProduct,
    OnePlatformCouponPerOrder,
    ThresholdNotMet,
    NotApplicable,
    NotValidAtTime,
    NotOwned,
    NotBest,
}

impl CouponReject {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OneStoreCouponPerOrder => "ONE_STORE_COUPON_PER_ORDER",
            Self::OneItemCouponPerProduct => "ONE_ITEM_COUPON_PER_PRODUCT",
            Self::OnePlatformCouponPerOrder => "ONE_PLATFORM_COUPON_PER_ORDER",
            Self::ThresholdNotMet => "THRESHOLD_NOT_MET",
            Self::NotApplicable => "NOT_APPLICABLE",
            Self::NotValidAtTime => "NOT_VALID_AT_TIME",
            Self::NotOwned => "NOT_OWNED",
            Self::NotBest => "NOT_BEST",
        }
    }
}

/// What happened to one offered coupon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponOutcome {
    pub code: String,
    pub template_id: i64,
    /// The discount it gave, when applied.
    pub amount: i64,
    pub rejected: Option<CouponReject>,
}

/// Discount totals per stacking level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub list: i64,
    pub item: i64,
    pub store: i64,
    pub cross_store: i64,
    pub member: i64,
    /// What the merchant funds of all discounts.
    pub merchant_funded: i64,
}

/// The priced order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub totals: Totals,
    pub shipping: i64,
    pub free_shipping_promotion: Option<i64>,
    pub gifts: Vec<GiftLine>,
    pub coupons: Vec<CouponOutcome>,
    /// Σ line net + shipping.
    pub payable: i64,
}

/// Why a quote cannot be computed (the service turns these into userErrors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteError {
    UnknownSku(i64),
    BadQuantity(i64),
}

/// `round(a × r / d)`, half-up, for non-negative values.
pub fn round_half_up(a: i64, r: i64, d: i64) -> i64 {
    let (a, r, d) = (i128::from(a), i128::from(r), i128::from(d));
    if d == 0 {
        return 0;
    }
    i64::try_from((2 * a * r + d) / (2 * d)).unwrap_or(i64::MAX)
}

/// Prices a cart.
pub fn quote(input: &QuoteInput<'_>) -> Result<Quote, QuoteError> {
    let items: BTreeMap<i64, &Item> = input.items.iter().map(|i| (i.sku_id, i)).collect();
    // Merge lines of one SKU; order by SKU id so the input order never matters.
    let mut merged: BTreeMap<i64, i64> = BTreeMap::new();
    for l in input.lines {
        if l.quantity < 1 || l.quantity > MAX_QUANTITY {
            return Err(QuoteError::BadQuantity(l.quantity));
        }
        if !items.contains_key(&l.sku_id) {
            return Err(QuoteError::UnknownSku(l.sku_id));
        }
        let q = merged.entry(l.sku_id).or_default();
        *q = (*q + l.quantity).min(MAX_QUANTITY);
    }
    let active: Vec<&Promo> = input
        .promotions
        .iter()
        .filter(|p| p.active_at(input.at) && p.audience.includes(input.buyer))
        .collect();

    // LEVEL 1 ITEM
    let mut lines: Vec<QuoteLine> = merged
        .iter()
        .map(|(&sku, &q)| {
            let item = items[&sku];
            item_level(item, q, &active, input.buyer)
        })
        .collect();

    // LEVEL 2a: one activity per line (BUNDLE > NTH_ITEM > 满减 family).
    let mut took_2a = vec![false; lines.len()];
    for p in active
        .iter()
        .filter(|p| matches!(p.rule, Rule::Bundle { .. }))
    {
        apply_bundle(p, &mut lines, &mut took_2a);
    }
    for p in active
        .iter()
        .filter(|p| matches!(p.rule, Rule::NthItem { .. }))
    {
        apply_nth(p, &mut lines, &mut took_2a);
    }
    for p in active.iter().filter(|p| p.is_store_full_family()) {
        let eligible: Vec<usize> = (0..lines.len())
            .filter(|&i| !took_2a[i] && p.covers(lines[i].product_id, lines[i].sku_id))
            .collect();
        let amount = full_family_discount(&p.rule, &lines, &eligible);
        if amount > 0 {
            spread(p, Level::Store, amount, &mut lines, &eligible, None);
            for i in eligible {
                took_2a[i] = true;
            }
        }
    }
    // LEVEL 2b / 2c: store and item coupons.
    let mut coupons: Vec<CouponOutcome> = input
        .coupons
        .iter()
        .map(|c| CouponOutcome {
            code: c.code.clone(),
            template_id: c.template.id,
            amount: 0,
            rejected: None,
        })
        .collect();
    apply_coupons(
        input,
        &mut lines,
        &took_2a,
        &mut coupons,
        CouponPhase::Store,
    );
    // LEVEL 2d: store tier discount, per line.
    if input.buyer.member
        && let Some(bp) = input.buyer.tier_price_bp.filter(|&bp| bp < 10_000)
    {
        for line in &mut lines {
            let promo = active.iter().find(|p| {
                matches!(p.rule, Rule::MemberPrice { vip88_bp: None })
                    && p.covers(line.product_id, line.sku_id)
            });
            if let Some(p) = promo {
                let amount = round_half_up(line.item_amount, 10_000 - bp, 10_000).min(line.room());
                line.take(p.share(Level::Store, amount, None));
            }
        }
    }
    let net_after_store: BTreeMap<i64, i64> = lines.iter().map(|l| (l.sku_id, l.net)).collect();

    // LEVEL 3 CROSS_STORE: 跨店满减, one per line.
    let mut took_3 = vec![false; lines.len()];
    for p in active.iter().filter(|p| p.is_cross_store()) {
        let eligible: Vec<usize> = (0..lines.len())
            .filter(|&i| !took_3[i] && p.covers(lines[i].product_id, lines[i].sku_id))
            .collect();
        let amount = full_family_discount(&p.rule, &lines, &eligible);
        if amount > 0 {
            spread(p, Level::CrossStore, amount, &mut lines, &eligible, None);
            for i in eligible {
                took_3[i] = true;
            }
        }
    }
    // LEVEL 3: one platform coupon per order.
    apply_coupons(
        input,
        &mut lines,
        &took_2a,
        &mut coupons,
        CouponPhase::Platform,
    );
    // LEVEL 4 MEMBER: 88VIP, per line on the item-level amount.
    if input.buyer.vip88 {
        for line in &mut lines {
            let promo = active.iter().find_map(|p| match p.rule {
                Rule::MemberPrice { vip88_bp: Some(bp) }
                    if p.covers(line.product_id, line.sku_id) =>
                {
                    Some((p, bp))
                }
                _ => None,
            });
            if let Some((p, bp)) = promo {
                let amount = round_half_up(line.item_amount, 10_000 - bp, 10_000).min(line.room());
                line.take(p.share(Level::Member, amount, None));
            }
        }
    }

    let (shipping, free_shipping_promotion) = shipping(input, &active, &lines, &net_after_store);
    let gifts = gifts(&active, &lines);
    for line in &mut lines {
        flag(line, items[&line.sku_id]);
    }
    let mut totals = Totals::default();
    for line in &lines {
        totals.list += line.list_price * line.quantity;
        for s in &line.shares {
            match s.level {
                Level::Item => totals.item += s.amount,
                Level::Store => totals.store += s.amount,
                Level::CrossStore => totals.cross_store += s.amount,
                Level::Member => totals.member += s.amount,
            }
            totals.merchant_funded += s.merchant_amount();
        }
    }
    let payable = lines.iter().map(|l| l.net).sum::<i64>() + shipping;
    Ok(Quote {
        lines,
        totals,
        shipping,
        free_shipping_promotion,
        gifts,
        coupons,
        payable,
    })
}

/// The most units of one SKU a quote takes.
pub const MAX_QUANTITY: i64 = 100_000;

fn item_level(item: &Item, q: i64, active: &[&Promo], buyer: &Buyer) -> QuoteLine {
    let mut best: Option<(i64, &Promo, Option<i64>)> = None;
    for p in active {
        if let Rule::ItemDiscount {
            mode,
            rounding,
            per_buyer_limit,
        } = &p.rule
            && p.covers(item.product_id, item.sku_id)
        {
            let unit = item_unit_price(*mode, *rounding, item.list_price);
            if best.is_none_or(|(u, b, _)| unit < u || (unit == u && p.id < b.id)) {
                best = Some((unit, p, *per_buyer_limit));
            }
        }
    }
    let list_amount = item.list_price * q;
    let (unit, promo, item_amount) = match best {
        Some((unit, p, limit)) => {
            let bought = buyer.prior_units.get(&p.id).copied().unwrap_or(0);
            let within = limit.map_or(q, |l| (l - bought).clamp(0, q));
            (
                unit,
                Some(p),
                unit * within + item.list_price * (q - within),
            )
        }
        None => (item.list_price, None, list_amount),
    };
    let mut line = QuoteLine {
        sku_id: item.sku_id,
        product_id: item.product_id,
        quantity: q,
        list_price: item.list_price,
        unit_price: unit,
        item_promotion: promo.map(|p| p.id),
        item_amount,
        basis: item_amount,
        shares: Vec::new(),
        net: list_amount,
        below_floor: false,
        below_cost: false,
        below_min_margin: false,
    };
    if let Some(p) = promo {
        line.take(p.share(Level::Item, list_amount - item_amount, None));
    }
    line
}

/// The 单品宝 unit price of a list price: percent half-up then the rounding mode; never
/// below 0 nor above the list price.
pub fn item_unit_price(mode: ItemMode, rounding: Rounding, list: i64) -> i64 {
    let raw = match mode {
        ItemMode::Percent(bp) => {
            let p = round_half_up(list, bp, 10_000);
            match rounding {
                Rounding::None => p,
                Rounding::DropFen => p / 10 * 10,
                Rounding::DropJiao => p / 100 * 100,
            }
        }
        ItemMode::Minus(y) => list - y,
        ItemMode::Fixed(y) => y,
    };
    raw.clamp(0, list)
}

/// Units of each line that took part in a bundle set, and the saving.
fn apply_bundle(p: &Promo, lines: &mut [QuoteLine], took_2a: &mut [bool]) {
    let Rule::Bundle {
        fixed,
        main_sku,
        ref members,
    } = p.rule
    else {
        return;
    };
    let qty_of = |sku: i64, lines: &[QuoteLine], took: &[bool]| {
        lines
            .iter()
            .zip(took)
            .find(|(l, t)| l.sku_id == sku && !**t)
            .map_or(0, |(l, _)| l.quantity)
    };
    let main_q = qty_of(main_sku, lines, took_2a);
    let companions: Vec<&BundleMember> = members.iter().filter(|m| m.sku_id != main_sku).collect();
    let sets = if fixed {
        companions
            .iter()
            .map(|m| qty_of(m.sku_id, lines, took_2a))
            .min()
            .unwrap_or(0)
            .min(main_q)
    } else {
        main_q.min(
            companions
                .iter()
                .map(|m| qty_of(m.sku_id, lines, took_2a))
                .sum(),
        )
    };
    if sets == 0 {
        return;
    }
    // Units per SKU in the sets: the main item and each fixed companion once per set; for
    // pick-your-own, companions fill the sets in SKU order.
    let mut in_sets: Vec<(i64, i64, i64)> = Vec::new(); // (sku, units, bundle price)
    let mut left = sets;
    let mut sorted: Vec<&BundleMember> = members.iter().collect();
    sorted.sort_by_key(|m| m.sku_id);
    for m in sorted {
        let units = if m.sku_id == main_sku || fixed {
            sets
        } else {
            let u = qty_of(m.sku_id, lines, took_2a).min(left);
            left -= u;
            u
        };
        if units > 0 {
            in_sets.push((m.sku_id, units, m.price));
        }
    }
    for (sku, units, price) in in_sets {
        if let Some(i) = lines.iter().position(|l| l.sku_id == sku) {
            let saving = ((lines[i].unit_price - price).max(0) * units).min(lines[i].room());
            lines[i].basis -= saving;
            lines[i].take(p.share(Level::Store, saving, None));
            took_2a[i] = true;
        }
    }
}

/// 第二件X折 / 买2送1 on one product's units.
fn apply_nth(p: &Promo, lines: &mut [QuoteLine], took_2a: &mut [bool]) {
    let Rule::NthItem { nth, rate_bp } = p.rule else {
        return;
    };
    let mut products: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        if !took_2a[i] && p.covers(l.product_id, l.sku_id) {
            products.entry(l.product_id).or_default().push(i);
        }
    }
    for idx in products.values() {
        let total: i64 = idx.iter().map(|&i| lines[i].quantity).sum();
        let k = total / nth.max(2);
        if k == 0 {
            continue;
        }
        // Units as (price, sku, line, count), cheapest first, then SKU id.
        let mut runs: Vec<(i64, i64, usize, i64)> = Vec::new();
        for &i in idx {
            let l = &lines[i];
            let at_unit = if l.item_amount == l.unit_price * l.quantity {
                l.quantity
            } else {
                (l.item_amount - l.list_price * l.quantity) / (l.unit_price - l.list_price)
            };
            runs.push((l.unit_price, l.sku_id, i, at_unit));
            if at_unit < l.quantity {
                runs.push((l.list_price, l.sku_id, i, l.quantity - at_unit));
            }
        }
        runs.sort_by_key(|r| (r.0, r.1));
        let mut weights: BTreeMap<usize, i64> = BTreeMap::new();
        let mut left = k;
        for (price, _, i, count) in runs {
            let take = count.min(left);
            *weights.entry(i).or_default() += price * take;
            left -= take;
            if left == 0 {
                break;
            }
        }
        let sum: i64 = weights.values().sum();
        let amount = round_half_up(sum, 10_000 - rate_bp, 10_000);
        let slots: Vec<Slot> = idx
            .iter()
            .map(|&i| Slot {
                weight: weights.get(&i).copied().unwrap_or(0),
                room: lines[i].room(),
                sku_id: lines[i].sku_id,
            })
            .collect();
        let shares = allocate(amount, &slots);
        for (&i, s) in idx.iter().zip(shares) {
            lines[i].take(p.share(Level::Store, s, None));
            took_2a[i] = true;
        }
    }
}

/// The discount of a 满减 / 满折 rule on its eligible lines, before the cap.
fn full_family_discount(rule: &Rule, lines: &[QuoteLine], eligible: &[usize]) -> i64 {
    let basis: i64 = eligible.iter().map(|&i| lines[i].basis).sum();
    let pieces: i64 = eligible.iter().map(|&i| lines[i].quantity).sum();
    let measure = |on: Threshold| match on {
        Threshold::Amount => basis,
        Threshold::Pieces => pieces,
    };
    match rule {
        Rule::FullReduction { on, form, .. } => {
            let m = measure(*on);
            match form {
                ReductionForm::Tiers(tiers) => tiers
                    .iter()
                    .filter(|t| m >= t.threshold)
                    .map(|t| t.value)
                    .max()
                    .unwrap_or(0),
                ReductionForm::PerEach { every, off, cap } => {
                    let raw = if *every > 0 { m / every * off } else { 0 };
                    cap.map_or(raw, |c| raw.min(c))
                }
            }
        }
        Rule::FullDiscount { on, tiers } => {
            let m = measure(*on);
            tiers
                .iter()
                .filter(|t| m >= t.threshold)
                .max_by_key(|t| t.threshold)
                .map_or(0, |t| round_half_up(basis, 10_000 - t.value, 10_000))
        }
        _ => 0,
    }
}

/// Allocates one order-level discount over `eligible` lines by basis.
fn spread(
    p: &Promo,
    level: Level,
    amount: i64,
    lines: &mut [QuoteLine],
    eligible: &[usize],
    code: Option<&str>,
) -> i64 {
    let slots: Vec<Slot> = eligible
        .iter()
        .map(|&i| Slot {
            weight: lines[i].basis,
            room: lines[i].room(),
            sku_id: lines[i].sku_id,
        })
        .collect();
    let shares = allocate(amount, &slots);
    let total = shares.iter().sum();
    for (&i, s) in eligible.iter().zip(shares) {
        lines[i].take(p.share(level, s, code.map(str::to_owned)));
    }
    total
}

/// Which coupons a pass handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CouponPhase {
    /// Level 2b store coupons (one per order) and 2c item coupons (one per product).
    Store,
    /// Level 3 platform coupons (one per order).
    Platform,
}

/// One pass of coupons; best for the buyer.
fn apply_coupons(
    input: &QuoteInput<'_>,
    lines: &mut [QuoteLine],
    took_2a: &[bool],
    outcomes: &mut [CouponOutcome],
    phase: CouponPhase,
) {
    // The lines a coupon may touch, or why it can't be used at all.
    let eligible_of = |c: &CouponOffer, lines: &[QuoteLine], product: Option<i64>| {
        let Rule::Coupon {
            stackable_with_store_activity,
            threshold,
            ..
        } = c.template.rule
        else {
            return Err(CouponReject::NotApplicable);
        };
        if !c.owned {
            return Err(CouponReject::NotOwned);
        }
        if input.at < c.valid_from || input.at >= c.valid_until {
            return Err(CouponReject::NotValidAtTime);
        }
        let eligible: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                product.is_none_or(|p| lines[i].product_id == p)
                    && c.template.covers(lines[i].product_id, lines[i].sku_id)
                    && (stackable_with_store_activity || !took_2a[i])
                    && c.template.audience.includes(input.buyer)
            })
            .collect();
        if eligible.is_empty() {
            return Err(CouponReject::NotApplicable);
        }
        let basis: i64 = eligible.iter().map(|&i| lines[i].basis).sum();
        if basis < threshold {
            return Err(CouponReject::ThresholdNotMet);
        }
        Ok(eligible)
    };
    let face = |c: &CouponOffer| match c.template.rule {
        Rule::Coupon { face, .. } => face,
        _ => 0,
    };
    let better = |a: (i64, &CouponOffer), b: (i64, &CouponOffer)| {
        // true when a beats b: larger discount, then validity ending first, then lowest id.
        (b.0, a.1.valid_until, a.1.template.id, &a.1.code)
            < (a.0, b.1.valid_until, b.1.template.id, &b.1.code)
    };
    let is_platform =
        |c: &CouponOffer| matches!(c.template.rule, Rule::Coupon { platform: true, .. });
    let is_item = |c: &CouponOffer| {
        !is_platform(c) && matches!(c.template.rule, Rule::Coupon { item: true, .. })
    };
    // The one-per-order kind of this pass.
    let per_order = |c: &CouponOffer| match phase {
        CouponPhase::Store => !is_item(c) && !is_platform(c),
        CouponPhase::Platform => is_platform(c),
    };
    let (level, one_per_order) = match phase {
        CouponPhase::Store => (Level::Store, CouponReject::OneStoreCouponPerOrder),
        CouponPhase::Platform => (Level::CrossStore, CouponReject::OnePlatformCouponPerOrder),
    };

    // 2b / 3: one per order.
    let mut best: Option<(usize, i64, Vec<usize>)> = None;
    for (k, c) in input.coupons.iter().enumerate() {
        if !per_order(c) {
            continue;
        }
        match eligible_of(c, lines, None) {
            Err(r) => outcomes[k].rejected = Some(r),
            Ok(el) => {
                let room: i64 = el.iter().map(|&i| lines[i].room()).sum();
                let amount = face(c).min(room);
                if best
                    .as_ref()
                    .is_none_or(|(b, ba, _)| better((amount, c), (*ba, &input.coupons[*b])))
                {
                    best = Some((k, amount, el));
                }
            }
        }
    }
    let pick = best.as_ref().map(|b| b.0);
    if let Some((k, _, el)) = best {
        let c = &input.coupons[k];
        outcomes[k].amount = spread(&c.template, level, face(c), lines, &el, Some(&c.code));
    }
    for (k, c) in input.coupons.iter().enumerate() {
        if per_order(c) && outcomes[k].rejected.is_none() && Some(k) != pick {
            outcomes[k].rejected = Some(if input.coupons_named {
                one_per_order
            } else {
                CouponReject::NotBest
            });
        }
    }
    if phase == CouponPhase::Platform {
        return;
    }

    // 2c: item coupons, one per product, products in id order.
    let mut used = vec![false; input.coupons.len()];
    let mut lost = vec![false; input.coupons.len()];
    let products: Vec<i64> = {
        let mut p: Vec<i64> = lines.iter().map(|l| l.product_id).collect();
        p.dedup();
        p.sort_unstable();
        p.dedup();
        p
    };
    for product in products {
        let mut best: Option<(usize, i64, Vec<usize>)> = None;
        let mut contenders = Vec::new();
        for (k, c) in input.coupons.iter().enumerate() {
            if !is_item(c) || used[k] {
                continue;
            }
            if let Ok(el) = eligible_of(c, lines, Some(product)) {
                contenders.push(k);
                let room: i64 = el.iter().map(|&i| lines[i].room()).sum();
                let amount = face(c).min(room);
                if best
                    .as_ref()
                    .is_none_or(|(b, ba, _)| better((amount, c), (*ba, &input.coupons[*b])))
                {
                    best = Some((k, amount, el));
                }
            }
        }
        if let Some((k, _, el)) = best {
            let c = &input.coupons[k];
            outcomes[k].amount = spread(
                &c.template,
                Level::Store,
                face(c),
                lines,
                &el,
                Some(&c.code),
            );
            used[k] = true;
            for other in contenders {
                lost[other] = other != k;
            }
        }
    }
    for (k, c) in input.coupons.iter().enumerate() {
        if !is_item(c) || used[k] {
            continue;
        }
        outcomes[k].rejected = Some(if lost[k] {
            if input.coupons_named {
                CouponReject::OneItemCouponPerProduct
            } else {
                CouponReject::NotBest
            }
        } else {
            eligible_of(c, lines, None)
                .err()
                .unwrap_or(CouponReject::NotApplicable)
        });
    }
}

fn shipping(
    input: &QuoteInput<'_>,
    active: &[&Promo],
    lines: &[QuoteLine],
    net_after_store: &BTreeMap<i64, i64>,
) -> (i64, Option<i64>) {
    let units: i64 = lines.iter().map(|l| l.quantity).sum();
    if units == 0 {
        return (0, None);
    }
    for p in active {
        if let Rule::FreeShipping {
            on,
            threshold,
            ref excluded_regions,
        } = p.rule
        {
            if input
                .region
                .is_some_and(|r| excluded_regions.iter().any(|x| x == r))
            {
                continue;
            }
            let eligible = lines.iter().filter(|l| p.covers(l.product_id, l.sku_id));
            let met = match on {
                None => eligible.count() > 0,
                Some(Threshold::Amount) => {
                    eligible.map(|l| net_after_store[&l.sku_id]).sum::<i64>() >= threshold
                }
                Some(Threshold::Pieces) => eligible.map(|l| l.quantity).sum::<i64>() >= threshold,
            };
            if met {
                return (0, Some(p.id));
            }
        }
    }
    (
        input.shipping.first + input.shipping.extra * (units - 1),
        None,
    )
}

fn gifts(active: &[&Promo], lines: &[QuoteLine]) -> Vec<GiftLine> {
    let mut out = Vec::new();
    for p in active {
        if let Rule::Gift {
            on,
            threshold,
            gift_sku,
            stock_left,
        } = p.rule
        {
            let eligible: Vec<&QuoteLine> = lines
                .iter()
                .filter(|l| p.covers(l.product_id, l.sku_id))
                .collect();
            let m = match on {
                Threshold::Amount => eligible.iter().map(|l| l.basis).sum::<i64>(),
                Threshold::Pieces => eligible.iter().map(|l| l.quantity).sum::<i64>(),
            };
            if !eligible.is_empty() && m >= threshold && stock_left > 0 {
                out.push(GiftLine {
                    promotion_id: p.id,
                    sku_id: gift_sku,
                    quantity: 1,
                });
            }
        }
    }
    out
}

fn flag(line: &mut QuoteLine, item: &Item) {
    let under = |per_unit: Option<i64>| {
        per_unit.is_some_and(|u| i128::from(line.net) < i128::from(u) * i128::from(line.quantity))
    };
    line.below_floor = under(item.floor);
    line.below_cost = under(item.cost);
    line.below_min_margin = under(item.min_margin_price);
}
