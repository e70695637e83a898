//! Order statuses and the transitions an imported snapshot may make.
//! Groundwork for the members-and-orders capability; pure and unit-tested.

/// Zhanggui's order statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Created,
    Paid,
    Shipped,
    Completed,
    Cancelled,
    ClosedUnpaid,
    Refunded,
    PartiallyRefunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        Self::Created,
        Self::Paid,
        Self::Shipped,
        Self::Completed,
        Self::Cancelled,
        Self::ClosedUnpaid,
        Self::Refunded,
        Self::PartiallyRefunded,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Paid => "PAID",
            Self::Shipped => "SHIPPED",
            Self::Completed => "COMPLETED",
            Self::Cancelled => "CANCELLED",
            Self::ClosedUnpaid => "CLOSED_UNPAID",
            Self::Refunded => "REFUNDED",
            Self::PartiallyRefunded => "PARTIALLY_REFUNDED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim().to_ascii_uppercase())
    }

    /// Final states: nothing moves out of them.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Cancelled | Self::ClosedUnpaid | Self::Refunded)
    }

    /// Whether the order was paid (PAID or later, refunds included).
    pub const fn is_paid(self) -> bool {
        !matches!(self, Self::Created | Self::Cancelled | Self::ClosedUnpaid)
    }

    /// Direct transitions of the order state machine.
    fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Created => &[Paid, Cancelled, ClosedUnpaid],
            Paid => &[Shipped, Refunded, PartiallyRefunded],
            Shipped => &[Completed, Refunded, PartiallyRefunded],
            Completed => &[PartiallyRefunded, Refunded],
            PartiallyRefunded => &[Refunded],
            Cancelled | ClosedUnpaid | Refunded => &[],
        }
    }
}

/// The fulfilment stage an order has reached; a partially refunded order keeps its stage and
/// never moves back from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Unpaid,
    Paid,
    Shipped,
    Completed,
}

/// Whether an imported snapshot may move an order from `(from, stage)` to `to`: the same status
/// is a no-op (allowed), any status reachable through the transitions is allowed, and a
/// PARTIALLY_REFUNDED order may advance its stage (SHIPPED, COMPLETED) but never go back.
pub fn can_reach(from: OrderStatus, stage: Stage, to: OrderStatus) -> bool {
    if from == to {
        return true;
    }
    if from == OrderStatus::PartiallyRefunded {
        return match to {
            OrderStatus::Refunded => true,
            OrderStatus::Shipped => stage <= Stage::Shipped,
            OrderStatus::Completed => true,
            _ => false,
        };
    }
    let mut seen = vec![from];
    let mut frontier = vec![from];
    while let Some(s) = frontier.pop() {
        for &n in s.next() {
            if n == to {
                return true;
            }
            if !seen.contains(&n) {
                seen.push(n);
                frontier.push(n);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::*;
    use super::*;

    #[test]
    fn snapshots_may_jump_ahead_but_never_back_or_out_of_a_final_state() {
        assert!(can_reach(Created, Stage::Unpaid, Completed));
        assert!(can_reach(Paid, Stage::Paid, Refunded));
        assert!(can_reach(Completed, Stage::Completed, PartiallyRefunded));
        assert!(
            can_reach(Shipped, Stage::Shipped, Shipped),
            "same status is a no-op"
        );
        assert!(!can_reach(Completed, Stage::Completed, Paid));
        assert!(!can_reach(Completed, Stage::Completed, Shipped));
        for f in [Cancelled, ClosedUnpaid, Refunded] {
            assert!(f.is_final());
            for to in OrderStatus::ALL.into_iter().filter(|t| *t != f) {
                assert!(!can_reach(f, Stage::Unpaid, to), "{f:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn a_partially_refunded_order_keeps_its_stage() {
        assert!(can_reach(PartiallyRefunded, Stage::Paid, Shipped));
        assert!(can_reach(PartiallyRefunded, Stage::Shipped, Completed));
        assert!(!can_reach(PartiallyRefunded, Stage::Completed, Shipped));
        assert!(!can_reach(PartiallyRefunded, Stage::Shipped, Paid));
        assert!(!can_reach(PartiallyRefunded, Stage::Paid, Paid));
        assert!(can_reach(PartiallyRefunded, Stage::Completed, Refunded));
    }

    #[test]
    fn statuses_parse_case_insensitively() {
        assert_eq!(OrderStatus::parse(" paid "), Some(Paid));
        assert_eq!(OrderStatus::parse("SHIPPING"), None);
        assert!(Paid.is_paid() && !Created.is_paid() && !Cancelled.is_paid());
    }
}
