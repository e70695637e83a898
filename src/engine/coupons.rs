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
    let pass = Pass {
        input,
        took_2a,
        phase,
    };
    pass.one_per_order(lines, outcomes);
    if phase == CouponPhase::Store {
        pass.item_coupons(lines, outcomes);
    }
}

/// A coupon's face value.
fn face(c: &CouponOffer) -> i64 {
    match c.template.rule {
        Rule::Coupon { face, .. } => face,
        _ => 0,
    }
}

/// Whether `a` beats `b` (each with the amount it would take off): the larger discount, then the
/// validity ending first, then the lowest template id and code.
fn better(a: (i64, &CouponOffer), b: (i64, &CouponOffer)) -> bool {
    (b.0, a.1.valid_until, a.1.template.id, &a.1.code)
        < (a.0, b.1.valid_until, b.1.template.id, &b.1.code)
}

fn is_platform(c: &CouponOffer) -> bool {
    matches!(c.template.rule, Rule::Coupon { platform: true, .. })
}

fn is_item(c: &CouponOffer) -> bool {
    !is_platform(c) && matches!(c.template.rule, Rule::Coupon { item: true, .. })
}

/// The best coupon so far: its index, the amount it takes off and the lines it touches.
type Best = Option<(usize, i64, Vec<usize>)>;

struct Pass<'a, 'i> {
    input: &'a QuoteInput<'i>,
    took_2a: &'a [bool],
    phase: CouponPhase,
}

impl Pass<'_, '_> {
    /// The lines a coupon may touch (of `product` only, when given), or why it can't be used at
    /// all.
    fn eligible_of(
        &self,
        c: &CouponOffer,
        lines: &[QuoteLine],
        product: Option<i64>,
    ) -> Result<Vec<usize>, CouponReject> {
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
        if self.input.at < c.valid_from || self.input.at >= c.valid_until {
            return Err(CouponReject::NotValidAtTime);
        }
        let eligible: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                product.is_none_or(|p| lines[i].product_id == p)
                    && c.template.covers(lines[i].product_id, lines[i].sku_id)
                    && (stackable_with_store_activity || !self.took_2a[i])
                    && c.template.audience.includes(self.input.buyer)
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
    }

    /// Keeps `k` as the best when it beats the best so far.
    fn consider(&self, best: &mut Best, k: usize, lines: &[QuoteLine], el: Vec<usize>) {
        let c = &self.input.coupons[k];
        let room: i64 = el.iter().map(|&i| lines[i].room()).sum();
        let amount = face(c).min(room);
        if (best.as_ref())
            .is_none_or(|(b, ba, _)| better((amount, c), (*ba, &self.input.coupons[*b])))
        {
            *best = Some((k, amount, el));
        }
    }

    /// The one-per-order kind of this pass.
    fn per_order(&self, c: &CouponOffer) -> bool {
        match self.phase {
            CouponPhase::Store => !is_item(c) && !is_platform(c),
            CouponPhase::Platform => is_platform(c),
        }
    }

    /// 2b / 3: the best coupon of the one-per-order kind; the others lose.
    fn one_per_order(&self, lines: &mut [QuoteLine], outcomes: &mut [CouponOutcome]) {
        let (level, one_per_order) = match self.phase {
            CouponPhase::Store => (Level::Store, CouponReject::OneStoreCouponPerOrder),
            CouponPhase::Platform => (Level::CrossStore, CouponReject::OnePlatformCouponPerOrder),
        };
        let coupons = self.input.coupons;
        let mut best: Best = None;
        for (k, c) in coupons.iter().enumerate() {
            if !self.per_order(c) {
                continue;
            }
            match self.eligible_of(c, lines, None) {
                Err(r) => outcomes[k].rejected = Some(r),
                Ok(el) => self.consider(&mut best, k, lines, el),
            }
        }
        let pick = best.as_ref().map(|b| b.0);
        if let Some((k, _, el)) = best {
            let c = &coupons[k];
            outcomes[k].amount = spread(&c.template, level, face(c), lines, &el, Some(&c.code));
        }
        for (k, c) in coupons.iter().enumerate() {
            if self.per_order(c) && outcomes[k].rejected.is_none() && Some(k) != pick {
                outcomes[k].rejected = Some(match self.input.coupons_named {
                    true => one_per_order,
                    false => CouponReject::NotBest,
                });
            }
        }
    }

    /// 2c: item coupons, one per product, products in id order.
    fn item_coupons(&self, lines: &mut [QuoteLine], outcomes: &mut [CouponOutcome]) {
        let coupons = self.input.coupons;
        let mut used = vec![false; coupons.len()];
        let mut lost = vec![false; coupons.len()];
        let mut products: Vec<i64> = lines.iter().map(|l| l.product_id).collect();
        products.sort_unstable();
        products.dedup();
        for product in products {
            let mut best: Best = None;
            let mut contenders = Vec::new();
            for (k, c) in coupons.iter().enumerate() {
                if !is_item(c) || used[k] {
                    continue;
                }
                if let Ok(el) = self.eligible_of(c, lines, Some(product)) {
                    contenders.push(k);
                    self.consider(&mut best, k, lines, el);
                }
            }
            if let Some((k, _, el)) = best {
                let c = &coupons[k];
                let level = Level::Store;
                outcomes[k].amount = spread(&c.template, level, face(c), lines, &el, Some(&c.code));
                used[k] = true;
                for other in contenders {
                    lost[other] = other != k;
                }
            }
        }
        for (k, c) in coupons.iter().enumerate() {
            if !is_item(c) || used[k] {
                continue;
            }
            outcomes[k].rejected = Some(match (lost[k], self.input.coupons_named) {
                (true, true) => CouponReject::OneItemCouponPerProduct,
                (true, false) => CouponReject::NotBest,
                (false, _) => {
                    (self.eligible_of(c, lines, None).err()).unwrap_or(CouponReject::NotApplicable)
                }
            });
        }
    }
}
