//! Validated text inputs: trimmed, non-blank, bounded in characters, no control characters.

use crate::error::{ErrorCode, UserError};

/// Trims `value` and checks it is 1..=`max` characters without control characters.
pub fn required(value: &str, field: &[&str], label: &str, max: usize) -> Result<String, UserError> {
    let trimmed = value.trim();
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
    fn usernames_are_normalised() {
        assert_eq!(username(" Li.Na ", &["u"]).as_deref(), Ok("li.na"));
        assert!(username("1abc", &["u"]).is_err());
        assert!(username("ab", &["u"]).is_err());
        assert!(username("a b c", &["u"]).is_err());
    }
}
