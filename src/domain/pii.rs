//! Masking of buyers' personal data for viewers without MEMBER_PII_VIEW (DOMAIN.md §8.2).
//! Groundwork for the members-and-orders capability; pure and unit-tested.

/// Digits of a phone number, with a leading +86/86 country code dropped from 13-digit forms.
fn digits(phone: &str) -> String {
    let d: String = phone.chars().filter(char::is_ascii_digit).collect();
    match d.strip_prefix("86") {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest.to_owned(),
        _ => d,
    }
}

/// `138****5678` for an 11-digit mobile; other numbers keep their last 4 digits behind at least
/// 4 stars.
pub fn mask_phone(phone: &str) -> String {
    let d = digits(phone);
    if d.len() == 11 && d.starts_with('1') {
        return format!("{}****{}", &d[..3], &d[7..]);
    }
    let keep = d.len().min(4);
    let stars = (d.len() - keep).max(4);
    format!("{}{}", "*".repeat(stars), &d[d.len() - keep..])
}

/// Courier / export form: at least 6 digits hidden, `138******78`.
pub fn mask_phone_for_waybill(phone: &str) -> String {
    let d = digits(phone);
    if d.len() == 11 {
        return format!("{}******{}", &d[..3], &d[9..]);
    }
    let keep = d.len().saturating_sub(6).min(4);
    format!("{}{}", "*".repeat(d.len() - keep), &d[d.len() - keep..])
}

/// The canonical form used for matching (keyed hash input): digits, country code dropped.
pub fn normalise_phone(phone: &str) -> Option<String> {
    let d = digits(phone);
    (6..=15).contains(&d.len()).then_some(d)
}

const COMPOUND_SURNAMES: [&str; 18] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "端木", "南宫", "独孤", "轩辕",
];

/// Surname kept (two characters for compound surnames in names of three or more), every other
/// character `*`: `张*`, `张**`, `欧阳**`; a one-character name is `*`.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    if chars.len() <= 1 {
        return "*".repeat(chars.len().max(1));
    }
    let two: String = chars[..2].iter().collect();
    let keep = if chars.len() >= 3 && COMPOUND_SURNAMES.contains(&two.as_str()) {
        2
    } else {
        1
    };
    let kept: String = chars[..keep].iter().collect();
    format!("{kept}{}", "*".repeat(chars.len() - keep))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_as_the_reference_says() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+86 138-1234-5678"), "138****5678");
        assert_eq!(mask_phone("021-6288888"), "******8888");
        assert_eq!(mask_phone("12345"), "****2345");
        assert_eq!(mask_phone_for_waybill("13812345678"), "138******78");
        assert_eq!(
            normalise_phone("+86 13812345678").as_deref(),
            Some("13812345678")
        );
        assert_eq!(normalise_phone("123"), None);
    }

    #[test]
    fn names_keep_the_surname() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("欧阳"), "欧*");
        assert_eq!(mask_name("李"), "*");
    }
}
