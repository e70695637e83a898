//! Largest-remainder allocation of one discount over several lines.

/// One line taking part in an allocation.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    /// The allocation weight (the line's basis, or its discounted units' amount for NTH_ITEM).
    pub weight: i64,
    /// What the line can still lose: its remaining net.
    pub room: i64,
    /// Tie-break after the weight: lower SKU id first (never input order).
    pub sku_id: i64,
}

/// Splits `discount` over `slots` in fen: the shares add up exactly to
/// `min(discount, Σ room)`, no share exceeds its slot's room, and the result depends on the slots'
/// values only, never on their order. Returns one share per slot, in the slots' order.
pub fn allocate(discount: i64, slots: &[Slot]) -> Vec<i64> {
    let mut shares = vec![0i64; slots.len()];
    let total_room: i64 = slots.iter().map(|s| s.room.max(0)).sum();
    let mut left = discount.clamp(0, total_room);
    let mut active: Vec<usize> = (0..slots.len())
        .filter(|&i| slots[i].room > 0 && slots[i].weight > 0)
        .collect();
    // Lines with room but no weight only take part once every weighted line is full.
    while left > 0 {
        if active.is_empty() {
            active = (0..slots.len())
                .filter(|&i| slots[i].room - shares[i] > 0)
                .collect();
            if active.is_empty() {
                break;
            }
            // Weightless remainder: spread by room, the same way.
            let weights: Vec<i64> = active.iter().map(|&i| slots[i].room - shares[i]).collect();
            let split = split_by_weight(left, &active, &weights, slots);
            for (&i, s) in active.iter().zip(split) {
                shares[i] += s;
            }
            break;
        }
        let weights: Vec<i64> = active.iter().map(|&i| slots[i].weight).collect();
        let split = split_by_weight(left, &active, &weights, slots);
        let over: Vec<usize> = active
            .iter()
            .zip(&split)
            .filter(|&(&i, &s)| s > slots[i].room - shares[i])
            .map(|(&i, _)| i)
            .collect();
        if over.is_empty() {
            for (&i, s) in active.iter().zip(split) {
                shares[i] += s;
            }
            break;
        }
        for &i in &over {
            let take = slots[i].room - shares[i];
            shares[i] += take;
            left -= take;
        }
        active.retain(|i| !over.contains(i));
    }
    shares
}

/// `floor(D × w_i / W)` plus one fen for the `D − Σ floor` largest remainders (ties: larger
/// weight, then lower SKU id).
fn split_by_weight(d: i64, idx: &[usize], weights: &[i64], slots: &[Slot]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if total <= 0 {
        return vec![0; idx.len()];
    }
    let mut shares = Vec::with_capacity(idx.len());
    let mut rems = Vec::with_capacity(idx.len());
    for (k, &w) in weights.iter().enumerate() {
        let exact = i128::from(d) * i128::from(w);
        shares.push(i64::try_from(exact / total).unwrap_or(i64::MAX));
        rems.push((exact % total, w, slots[idx[k]].sku_id, k));
    }
    let short = d - shares.iter().sum::<i64>();
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    for r in rems.iter().take(usize::try_from(short).unwrap_or(0)) {
        shares[r.3] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(ws: &[i64]) -> Vec<Slot> {
        ws.iter()
            .enumerate()
            .map(|(i, &w)| Slot {
                weight: w,
                room: w,
                sku_id: i as i64 + 1,
            })
            .collect()
    }

    #[test]
    fn e7_ten_yuan_over_three_near_equal_bases() {
        assert_eq!(allocate(1000, &slots(&[3333, 3333, 3334])), [333, 333, 334]);
    }

    #[test]
    fn e5_tier_reduction_needs_the_largest_remainder() {
        assert_eq!(
            allocate(6000, &slots(&[35112, 25800, 5970])),
            [3150, 2314, 536]
        );
        assert_eq!(
            allocate(10000, &slots(&[35112, 25800, 5970])),
            [5250, 3857, 893]
        );
    }

    #[test]
    fn e6_a_capped_line_passes_its_excess_on() {
        let s = [
            Slot {
                weight: 10000,
                room: 5000,
                sku_id: 1,
            },
            Slot {
                weight: 10000,
                room: 10000,
                sku_id: 2,
            },
        ];
        assert_eq!(allocate(12000, &s), [5000, 7000]);
    }

    #[test]
    fn never_more_than_the_room() {
        assert_eq!(allocate(500, &slots(&[100, 100])), [100, 100]);
    }
}
