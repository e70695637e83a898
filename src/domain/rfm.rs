//! RFM scores and segments, and points arithmetic.
//! Groundwork for the members-and-orders capability; pure and unit-tested. The SQL that computes
//! inputs for 100,000 members will feed these same rules.

/// Recency score from days since the last purchase day.
pub const fn r_score(days_since_last: i64) -> u8 {
    match days_since_last {
        d if d <= 30 => 5,
        d if d <= 60 => 4,
        d if d <= 90 => 3,
        d if d <= 180 => 2,
        _ => 1,
    }
}

/// Frequency score from purchases in the window.
pub const fn f_score(purchases: i64) -> u8 {
    match purchases {
        p if p >= 10 => 5,
        p if p >= 6 => 4,
        p if p >= 3 => 3,
        2 => 2,
        _ => 1,
    }
}

/// Monetary score `ceil(5k / n)`: `n` members bought in the window, `k` of them spent no more
/// than this member (CUME_DIST); no purchase in the window → 1.
pub const fn m_score(k: i64, n: i64) -> u8 {
    if n <= 0 || k <= 0 {
        return 1;
    }
    let s = (5 * k + n - 1) / n;
    if s > 5 { 5 } else { s as u8 }
}

/// Member segments, first match wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Segment {
    HighValue,
    Loyal,
    AtRisk,
    New,
    Potential,
    Lost,
    Hibernating,
}

impl Segment {
    /// In rule order.
    pub const ALL: [Segment; 7] = [
        Self::HighValue,
        Self::Loyal,
        Self::AtRisk,
        Self::New,
        Self::Potential,
        Self::Lost,
        Self::Hibernating,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HighValue => "HIGH_VALUE",
            Self::Loyal => "LOYAL",
            Self::AtRisk => "AT_RISK",
            Self::New => "NEW",
            Self::Potential => "POTENTIAL",
            Self::Lost => "LOST",
            Self::Hibernating => "HIBERNATING",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The segment of a member: `first_purchase_recent` = first-ever purchase ≤ 30 days before asOf.
pub fn segment(
    r: u8,
    f: u8,
    m: u8,
    purchases_in_window: i64,
    first_purchase_recent: bool,
) -> Segment {
    if r >= 4 && f >= 4 && m >= 4 {
        Segment::HighValue
    } else if f >= 4 && r >= 3 {
        Segment::Loyal
    } else if r <= 2 && (f >= 3 || m >= 4) {
        Segment::AtRisk
    } else if first_purchase_recent && purchases_in_window == 1 {
        Segment::New
    } else if r >= 4 && f <= 3 {
        Segment::Potential
    } else if r == 1 {
        Segment::Lost
    } else {
        Segment::Hibernating
    }
}

/// Points earned on a payment: `floor(paid fen × pointsPerYuan × multiplierBp / 1,000,000)`.
pub fn points_earned(paid_fen: i64, points_per_yuan: i64, multiplier_bp: i64) -> i64 {
    (i128::from(paid_fen) * i128::from(points_per_yuan) * i128::from(multiplier_bp) / 1_000_000)
        as i64
}

/// Points to reverse on a refund: what was earned, less what the remaining paid amount earns,
/// less what was already reversed.
pub fn points_to_reverse(
    earned: i64,
    remaining_paid_fen: i64,
    points_per_yuan: i64,
    multiplier_bp: i64,
    already_reversed: i64,
) -> i64 {
    (earned - points_earned(remaining_paid_fen, points_per_yuan, multiplier_bp) - already_reversed)
        .max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(days: i64, purchases: i64, m: u8, first_recent: bool) -> Segment {
        segment(
            r_score(days),
            f_score(purchases),
            m,
            purchases,
            first_recent,
        )
    }

    #[test]
    fn boundary_examples_of_the_reference() {
        assert_eq!(seg(10, 12, 5, false), Segment::HighValue);
        assert_eq!(seg(45, 7, 3, false), Segment::Loyal);
        assert_eq!(seg(120, 4, 2, false), Segment::AtRisk);
        assert_eq!(seg(20, 1, 5, true), Segment::New);
        assert_eq!(seg(15, 2, 2, false), Segment::Potential);
        assert_eq!(seg(200, 1, 2, false), Segment::Lost);
        assert_eq!(seg(200, 1, 4, false), Segment::AtRisk);
        assert_eq!(seg(100, 1, 2, false), Segment::Hibernating);
        assert_eq!(seg(400, 0, 1, false), Segment::Lost);
    }

    #[test]
    fn monetary_score_is_the_cumulative_share_in_fifths() {
        assert_eq!(m_score(10, 10), 5);
        assert_eq!(m_score(8, 10), 4);
        assert_eq!(m_score(2, 10), 1);
        assert_eq!(m_score(3, 10), 2);
        assert_eq!(m_score(0, 10), 1);
        assert_eq!(m_score(1, 1), 5);
    }

    #[test]
    fn points_follow_the_worked_example() {
        let earned = points_earned(44_126, 1, 15_000);
        assert_eq!(earned, 661);
        assert_eq!(points_to_reverse(earned, 44_126 - 4_095, 1, 15_000, 0), 61);
        assert_eq!(
            points_to_reverse(earned, 0, 1, 15_000, 61),
            600,
            "a full refund reverses the rest"
        );
    }
}
