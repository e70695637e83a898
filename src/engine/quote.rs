//! The quote: item-level promotions, bundles, N-th item, full-reduction families and their spread.

use super::*;

/// Prices a cart.
pub fn quote(input: &QuoteInput<'_>) -> Result<Quote, QuoteError> {
    let items: BTreeMap<i64, &Item> = input.items.iter().map(|i| (i.sku_id, i)).collect();
    let merged = merge_lines(input, &items)?;
    let active: Vec<&Promo> = input
        .promotions
        .iter()
        .filter(|p| p.active_at(input.at) && p.audience.includes(input.buyer))
        .collect();

    // LEVEL 1 ITEM
    let mut lines: Vec<QuoteLine> = merged
        .iter()
        .map(|(&sku, &q)| item_level(items[&sku], q, &active, input.buyer))
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
    let store_family = active.iter().filter(|p| p.is_store_full_family());
    apply_full_family(store_family, Level::Store, &mut lines, &mut took_2a);
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
    let store_phase = CouponPhase::Store;
    apply_coupons(input, &mut lines, &took_2a, &mut coupons, store_phase);
    // LEVEL 2d: store tier discount, per line.
    if input.buyer.member
        && let Some(bp) = input.buyer.tier_price_bp.filter(|&bp| bp < 10_000)
    {
        apply_member_rate(&mut lines, Level::Store, |line| {
            let p = active.iter().find(|p| {
                matches!(p.rule, Rule::MemberPrice { vip88_bp: None })
                    && p.covers(line.product_id, line.sku_id)
            });
            p.map(|p| (*p, bp))
        });
    }
    let net_after_store: BTreeMap<i64, i64> = lines.iter().map(|l| (l.sku_id, l.net)).collect();

    // LEVEL 3 CROSS_STORE: 跨店满减, one per line.
    let mut took_3 = vec![false; lines.len()];
    let cross_store = active.iter().filter(|p| p.is_cross_store());
    apply_full_family(cross_store, Level::CrossStore, &mut lines, &mut took_3);
    // LEVEL 3: one platform coupon per order.
    let platform_phase = CouponPhase::Platform;
    apply_coupons(input, &mut lines, &took_2a, &mut coupons, platform_phase);
    // LEVEL 4 MEMBER: 88VIP, per line on the item-level amount.
    if input.buyer.vip88 {
        apply_member_rate(&mut lines, Level::Member, |line| {
            active.iter().find_map(|p| match p.rule {
                Rule::MemberPrice { vip88_bp: Some(bp) }
                    if p.covers(line.product_id, line.sku_id) =>
                {
                    Some((*p, bp))
                }
                _ => None,
            })
        });
    }

    let (shipping, free_shipping_promotion) = shipping(input, &active, &lines, &net_after_store);
    let gifts = gifts(&active, &lines);
    for line in &mut lines {
        flag(line, items[&line.sku_id]);
    }
    let totals = totals(&lines);
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

/// Merges lines of one SKU, ordered by SKU id so the input order never matters.
fn merge_lines(
    input: &QuoteInput<'_>,
    items: &BTreeMap<i64, &Item>,
) -> Result<BTreeMap<i64, i64>, QuoteError> {
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
    Ok(merged)
}

/// Full-reduction family promotions in turn, each on the lines no earlier one of this level took.
fn apply_full_family<'p>(
    promos: impl Iterator<Item = &'p &'p Promo>,
    level: Level,
    lines: &mut [QuoteLine],
    took: &mut [bool],
) {
    for p in promos {
        let eligible: Vec<usize> = (0..lines.len())
            .filter(|&i| !took[i] && p.covers(lines[i].product_id, lines[i].sku_id))
            .collect();
        let amount = full_family_discount(&p.rule, lines, &eligible);
        if amount > 0 {
            spread(p, level, amount, lines, &eligible, None);
            for i in eligible {
                took[i] = true;
            }
        }
    }
}

/// A member rate per line (`promo_of` names the promotion and its rate in bp), on the line's
/// item-level amount, never below zero.
fn apply_member_rate<'p>(
    lines: &mut [QuoteLine],
    level: Level,
    promo_of: impl Fn(&QuoteLine) -> Option<(&'p Promo, i64)>,
) {
    for line in lines {
        if let Some((p, bp)) = promo_of(line) {
            let amount = round_half_up(line.item_amount, 10_000 - bp, 10_000).min(line.room());
            line.take(p.share(level, amount, None));
        }
    }
}

/// What the quote takes off at each level, and what the merchant funds.
fn totals(lines: &[QuoteLine]) -> Totals {
    let mut totals = Totals::default();
    for line in lines {
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
    totals
}

/// The most units of one SKU a quote takes.
pub const MAX_QUANTITY: i64 = 100_000;

pub(crate) fn item_level(item: &Item, q: i64, active: &[&Promo], buyer: &Buyer) -> QuoteLine {
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
pub(crate) fn apply_bundle(p: &Promo, lines: &mut [QuoteLine], took_2a: &mut [bool]) {
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
pub(crate) fn apply_nth(p: &Promo, lines: &mut [QuoteLine], took_2a: &mut [bool]) {
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
pub(crate) fn full_family_discount(rule: &Rule, lines: &[QuoteLine], eligible: &[usize]) -> i64 {
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
pub(crate) fn spread(
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
