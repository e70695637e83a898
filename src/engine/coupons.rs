//! Coupons in a quote: eligibility, best choice and allocation.

use super::*;

/// Which coupons a pass handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CouponPhase {
    /// Level 2b store coupons (one per order) and 2c item coupons (one per product).
    Store,
    /// Level 3 platform coupons (one per order).
    Platform,
}

/// One pass of coupons; best for the buyer.
pub(crate) fn apply_coupons(
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
