//! Text input: one normalisation and validation path for every text field of every input and
//! import.
//!
//! - [`check`] is applied to *every* string a client sends (GraphQL arguments and variables, CSV
//!   cells): NUL and other control characters (tab, line feed and carriage return aside) and
//!   bidirectional override/isolate characters (which make text display differently from what it
//!   is, e.g. U+202E) are refused with BAD_USER_INPUT naming the field.
//! - [`required`] is the rule for names, titles, reasons and the like: trimmed, not blank after
//!   removing whitespace *and* zero-width/format characters (`"\u{200b}\u{200b}"` is blank),
//!   bounded in characters, single-line.

use crate::error::{ErrorCode, UserError};

/// Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that print nothing: whitespace, zero-width and other format characters (Unicode
/// category Cf as far as they occur in text), fillers that render as blank.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{061c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// Why `value` is refused as client text, if it is: control characters other than tab, line
/// feed and carriage return (NUL among them: PostgreSQL cannot store it), or bidirectional
/// controls.
pub fn check(value: &str) -> Result<(), &'static str> {
    for c in value.chars() {
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            return Err("must not contain control characters (such as NUL)");
        }
        if is_bidi_control(c) {
            return Err("must not contain bidirectional override characters");
        }
    }
    Ok(())
}

/// Whether `value` is blank: nothing but whitespace and invisible characters.
pub fn is_blank(value: &str) -> bool {
    value.chars().all(is_invisible)
}

/// `value` without leading and trailing whitespace and invisible characters.
pub fn trim(value: &str) -> &str {
    value.trim_matches(is_invisible)
}

/// Trims `value` and checks it is 1..=`max` characters of visible, single-line text.
pub fn required(value: &str, field: &[&str], label: &str, max: usize) -> Result<String, UserError> {
    let trimmed = trim(value);
    if trimmed.is_empty() {
        return Err(UserError::new(
            field,
            ErrorCode::Blank,
            format!("{label} must not be blank"),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(UserError::new(
            field,
            ErrorCode::TooLong,
            format!("{label} must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(UserError::new(
            field,
            ErrorCode::Invalid,
            format!("{label} must not contain control characters"),
        ));
    }
    if let Err(why) = check(trimmed) {
        return Err(UserError::new(
            field,
            ErrorCode::Invalid,
            format!("{label} {why}"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A username: 3–32 characters of `a-z 0-9 . _ -`, starting with a letter; stored lower-case.
pub fn username(value: &str, field: &[&str]) -> Result<String, UserError> {
    let v = value.trim().to_ascii_lowercase();
    let len = v.chars().count();
    if len == 0 {
        return Err(UserError::new(
            field,
            ErrorCode::Blank,
            "username must not be blank",
        ));
    }
    if len < 3 {
        return Err(UserError::new(
            field,
            ErrorCode::TooShort,
            "username must be at least 3 characters",
        ));
    }
    if len > 32 {
        return Err(UserError::new(
            field,
            ErrorCode::TooLong,
            "username must be at most 32 characters",
        ));
    }
    let ok = v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !ok {
        return Err(UserError::new(
            field,
            ErrorCode::Invalid,
            "username must start with a letter and use only a-z, 0-9, '.', '_' and '-'",
        ));
    }
    Ok(v)
}

/// A new password: 10–128 characters.
pub fn new_password(value: &str, field: &[&str]) -> Result<String, UserError> {
    use crate::auth::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
    let n = value.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(UserError::new(
            field,
            ErrorCode::TooShort,
            format!("password must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(UserError::new(
            field,
            ErrorCode::TooLong,
            format!("password must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        assert_eq!(
            required("  旗舰店 ", &["n"], "name", 4).as_deref(),
            Ok("旗舰店")
        );
        assert_eq!(
            required("   ", &["n"], "name", 4).map_err(|e| e.code),
            Err(ErrorCode::Blank)
        );
        assert_eq!(
            required("12345", &["n"], "name", 4).map_err(|e| e.code),
            Err(ErrorCode::TooLong)
        );
        assert_eq!(
            required("a\u{0}b", &["n"], "name", 4).map_err(|e| e.code),
            Err(ErrorCode::Invalid)
        );
    }

    #[test]
    fn invisible_only_text_is_blank_and_overrides_are_refused() {
        for blank in [
            "\u{200b}\u{200b}",
            " \u{feff}\u{2060} ",
            "\u{3164}",
            "\u{00a0}\u{200d}",
        ] {
            assert_eq!(
                required(blank, &["n"], "name", 10).map_err(|e| e.code),
                Err(ErrorCode::Blank),
                "{blank:?}"
            );
        }
        assert_eq!(
            required("\u{200b}店\u{200b}", &["n"], "name", 10).as_deref(),
            Ok("店")
        );
        assert_eq!(
            required("ab\u{202e}cd", &["n"], "name", 10).map_err(|e| e.code),
            Err(ErrorCode::Invalid)
        );
        // A zero-width joiner inside an emoji sequence is kept.
        assert_eq!(
            required("👨\u{200d}👩", &["n"], "name", 10).as_deref(),
            Ok("👨\u{200d}👩")
        );
    }

    #[test]
    fn check_allows_line_breaks_and_refuses_nul_and_overrides() {
        assert!(check("第一行\n第二行\t。").is_ok());
        assert!(check("a\u{0}b").is_err());
        assert!(check("a\u{7f}b").is_err());
        assert!(check("a\u{85}b").is_err());
        assert!(check("a\u{2066}b").is_err());
    }

    proptest::proptest! {
        #[test]
        fn whatever_required_accepts_passes_check_and_is_not_blank(s in ".{0,40}") {
            if let Ok(v) = required(&s, &["n"], "name", 40) {
                proptest::prop_assert!(check(&v).is_ok());
                proptest::prop_assert!(!is_blank(&v));
                proptest::prop_assert!(!v.contains(char::from(0)));
            }
        }
    }

    #[test]
    fn usernames_are_normalised() {
        assert_eq!(username(" Li.Na ", &["u"]).as_deref(), Ok("li.na"));
        assert!(username("1abc", &["u"]).is_err());
        assert!(username("ab", &["u"]).is_err());
        assert!(username("a b c", &["u"]).is_err());
    }
}
