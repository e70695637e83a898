//! Order import state: per-order and per-line effects, the stock book.

use super::*;

/// One order of the file: its rows, in file order.
pub(crate) struct FileOrder<'a> {
    pub(crate) rows: Vec<&'a Row>,
}

impl FileOrder<'_> {
    pub(crate) fn head(&self) -> &Row {
        self.rows[0]
    }
    pub(crate) fn paid(&self) -> i64 {
        self.rows.iter().map(|r| r.paid).sum()
    }
    /// Refunded per line as the file states it (`None`: not stated).
    pub(crate) fn refunds(&self) -> Vec<Option<i64>> {
        let status = self.head().status;
        self.rows
            .iter()
            .map(|r| {
                if status == OrderStatus::Refunded {
                    Some(r.paid)
                } else {
                    r.refunded
                }
            })
            .collect()
    }
}

/// A line's state while effects are applied.
#[derive(Debug, Clone)]
pub(crate) struct LineState {
    pub(crate) id: Option<i64>,
    pub(crate) line_no: i32,
    pub(crate) sku_id: i64,
    pub(crate) quantity: i64,
    pub(crate) paid: i64,
    pub(crate) refunded: i64,
    pub(crate) sold: i64,
    pub(crate) oversold: i64,
    pub(crate) returned: i64,
    pub(crate) changed: bool,
}

/// What the stock ledger does during one import.
pub(crate) struct StockBook {
    pub(crate) skus: HashMap<i64, sku::Model>,
    pub(crate) movements: Vec<inventory_movement::ActiveModel>,
    pub(crate) touched: HashSet<i64>,
    pub(crate) actor: Option<i64>,
    /// The import's time, on every movement.
    pub(crate) at: DateTime<Utc>,
    pub(crate) sales: usize,
    pub(crate) returns: usize,
}

impl StockBook {
    pub(crate) fn movement(
        &mut self,
        sku_id: i64,
        kind: &str,
        quantity: i64,
        reason: &str,
        reference: String,
    ) {
        let Some(s) = self.skus.get_mut(&sku_id) else {
            return;
        };
        s.on_hand += quantity;
        self.touched.insert(sku_id);
        self.movements.push(inventory_movement::ActiveModel {
            store_id: Set(s.store_id),
            sku_id: Set(sku_id),
            kind: Set(kind.to_owned()),
            quantity: Set(quantity),
            on_hand_after: Set(s.on_hand),
            reserved_after: Set(s.reserved),
            reason: Set(Some(reason.to_owned())),
            reference: Set(Some(reference)),
            actor_id: Set(self.actor),
            created_at: Set(self.at),
            ..Default::default()
        });
    }

    /// SALE: takes what is available (an import is never refused for stock); the rest is
    /// oversold (超卖).
    pub(crate) fn sell(&mut self, order_no: &str, l: &mut LineState) {
        if l.sold + l.oversold > 0 {
            return;
        }
        let available = self
            .skus
            .get(&l.sku_id)
            .map_or(0, |s| (s.on_hand - s.reserved).max(0));
        let take = l.quantity.min(available);
        l.sold = take;
        l.oversold = l.quantity - take;
        l.changed = true;
        if take > 0 {
            self.sales += 1;
            self.movement(
                l.sku_id,
                "SALE",
                -take,
                "order paid",
                format!("order {order_no} line {}", l.line_no),
            );
        }
    }

    /// RETURN of the units the SALE took, once.
    pub(crate) fn give_back(&mut self, order_no: &str, l: &mut LineState) {
        let q = l.sold - l.returned;
        if q <= 0 {
            return;
        }
        l.returned = l.sold;
        l.changed = true;
        self.returns += 1;
        self.movement(
            l.sku_id,
            "RETURN",
            q,
            "refunded before shipping",
            format!("order {order_no} line {}", l.line_no),
        );
    }
}

/// An order's state while effects are applied.
pub(crate) struct OrderState {
    pub(crate) id: i64,
    pub(crate) order_no: String,
    pub(crate) member_id: i64,
    pub(crate) status: OrderStatus,
    pub(crate) stage: Stage,
    pub(crate) paid: i64,
    pub(crate) points_earned: i64,
    pub(crate) points_rate: Option<i64>,
    pub(crate) lines: Vec<LineState>,
}

pub(crate) struct Effects<'a> {
    pub(crate) stock: StockBook,
    pub(crate) points: PointsBook,
    /// Per member: points per yuan × tier multiplier, and the multiplier (bp).
    pub(crate) rates: &'a HashMap<i64, (i64, i32)>,
}

/// Moves an order to `status` with the file's refunds and applies what that does, once:
/// payment → SALE per line and EARN; more refunded → REVERSE, and RETURN of fully refunded
/// lines when nothing was shipped.
pub(crate) fn advance(
    o: &mut OrderState,
    status: OrderStatus,
    refunds: &[Option<i64>],
    fx: &mut Effects<'_>,
) {
    let was_paid = o.status.is_paid();
    if status.is_paid() && !was_paid {
        for l in &mut o.lines {
            fx.stock.sell(&o.order_no, l);
        }
        let (rate, multiplier) = fx
            .rates
            .get(&o.member_id)
            .copied()
            .unwrap_or((10_000, 10_000));
        let earned = points_earned(o.paid, 1, rate);
        o.points_earned = earned;
        o.points_rate = Some(rate);
        fx.points.earn(o.member_id, earned, multiplier, o.id);
    }
    let old_refunded: i64 = o.lines.iter().map(|l| l.refunded).sum();
    for (l, r) in o.lines.iter_mut().zip(refunds) {
        if let Some(r) = r
            && *r > l.refunded
        {
            l.refunded = *r;
            l.changed = true;
        }
    }
    o.stage = next_stage(o.stage, status);
    o.status = status;
    let new_refunded: i64 = o.lines.iter().map(|l| l.refunded).sum();
    if new_refunded > old_refunded && status.is_paid() {
        if let Some(rate) = o.points_rate {
            let before = points_earned(o.paid - old_refunded, 1, rate);
            let after = points_earned(o.paid - new_refunded, 1, rate);
            fx.points
                .reverse(o.member_id, (before - after).min(o.points_earned), o.id);
        }
        if o.stage < Stage::Shipped {
            let all = status == OrderStatus::Refunded;
            for l in &mut o.lines {
                if all || (l.paid > 0 && l.refunded >= l.paid) {
                    fx.stock.give_back(&o.order_no, l);
                }
            }
        }
    }
}
