//! Shipping fees, gifts and line flags.

use super::*;

pub(crate) fn shipping(
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

pub(crate) fn gifts(active: &[&Promo], lines: &[QuoteLine]) -> Vec<GiftLine> {
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

pub(crate) fn flag(line: &mut QuoteLine, item: &Item) {
    let under = |per_unit: Option<i64>| {
        per_unit.is_some_and(|u| i128::from(line.net) < i128::from(u) * i128::from(line.quantity))
    };
    line.below_floor = under(item.floor);
    line.below_cost = under(item.cost);
    line.below_min_margin = under(item.min_margin_price);
}
