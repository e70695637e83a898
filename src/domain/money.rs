//! Money as integer fen (分). Parsed from and printed as a decimal string with two places.

/// An amount in fen (1 yuan = 100 fen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

impl Fen {
    /// Parses `"199"`, `"199.5"`, `"199.00"`, `"-3.10"`; at most two decimals, no exponent,
    /// no spaces, within ±10^15 yuan.
    pub fn parse(s: &str) -> Option<Self> {
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if int.is_empty()
            || int.len() > 15
            || frac.len() > 2
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && frac.is_empty())
        {
            return None;
        }
        let yuan: i64 = int.parse().ok()?;
        let cents: i64 = format!("{frac:0<2}").parse().ok()?;
        let fen = yuan.checked_mul(100)?.checked_add(cents)?;
        Some(Self(if neg { -fen } else { fen }))
    }
}

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!(Fen::parse("199"), Some(Fen(19900)));
        assert_eq!(Fen::parse("199.5"), Some(Fen(19950)));
        assert_eq!(Fen::parse("0.01"), Some(Fen(1)));
        assert_eq!(Fen::parse("-3.10"), Some(Fen(-310)));
        assert_eq!(Fen(19900).to_string(), "199.00");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        for bad in ["", "1.", ".5", "1.234", "1e3", " 1", "abc", "1,00", "--1"] {
            assert_eq!(Fen::parse(bad), None, "{bad}");
        }
    }
}
