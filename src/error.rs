//! One error vocabulary with stable codes (never renamed; new codes are added at the end) and
//! one way to turn service errors into GraphQL errors.

use crate::auth::Permission;

/// Stable error codes (never renamed; new codes are added at the end). Each says what it means
/// and where it appears: **top-level** in `errors[].extensions.code` (the request, or a query
/// argument, was refused and `data` holds no answer for that field), or in a mutation payload's
/// **`userErrors[].code`** (the change was refused, nothing was written, `field` names the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "ErrorCode")]
pub enum ErrorCode {
    /// Top-level. No valid access token: missing where required, expired, forged, revoked, or
    /// issued before the password was changed or reset. Log in again (or refresh the token).
    Unauthenticated,
    /// Top-level. Authenticated, but the role may not do this in this store (the message names the
    /// permission), or a password change is pending and only `passwordChange` is allowed.
    Forbidden,
    /// Top-level for lookups by ID and in `userErrors` for an input that refers to an object. The
    /// object does not exist or lies outside the viewer's stores (the two are not told apart).
    NotFound,
    /// The request is malformed, something a correct client never sends: an unparsable document
    /// or variables, a value of the wrong type, a malformed global ID or one of another type, a
    /// cursor of another list or ordering, `first` with `last`, control or bidi characters, an
    /// Int out of range. Top-level for the document, its variables and query arguments (with
    /// `extensions.fields` naming them); in `userErrors` when it sits in a mutation's input.
    BadUserInput,
    /// Top-level. The change conflicts with a concurrent one; read again and retry.
    Conflict,
    /// Top-level. Too many attempts (e.g. failed logins); `extensions.retryAfterSeconds` says when
    /// to try again.
    RateLimited,
    /// Top-level. An unexpected server error; never caused by input. Details are only in the
    /// server log, under the response's `x-request-id`.
    Internal,
    /// In `userErrors`. A required value is empty or only whitespace.
    Blank,
    /// In `userErrors`. A value is longer than allowed (the message gives the limit).
    TooLong,
    /// In `userErrors`. A value is shorter than allowed (the message gives the limit).
    TooShort,
    /// In `userErrors`. A well-formed value breaks a business rule: out of its range, not one of
    /// the accepted values, inconsistent with another input (the message says which rule).
    Invalid,
    /// In `userErrors`. The value is already used by another object (e.g. a username).
    Taken,
    /// In `userErrors`. The current password given is wrong.
    WrongPassword,
    /// In `userErrors`. The new password equals the current one.
    PasswordReused,
    /// In `userErrors`. The change would leave the company without an active director.
    LastDirector,
    /// In `userErrors`. The action exceeds the actor's limit; send it again with
    /// `requestApproval: true` to file an approval request, or ask a higher role.
    ApprovalRequired,
    /// In `userErrors`. The text holds Advertising-Law absolute terms (极限词) of BLOCK severity.
    ComplianceBlocked,
    /// In `userErrors`. The object's state does not allow this action (the message names both).
    InvalidStateTransition,
    /// In `userErrors`. Four-eyes rule: nobody approves or resolves their own submission;
    /// directors may, and it is audited as self-approved.
    FourEyes,
    /// In `userErrors`. Not enough available stock (on hand minus reserved).
    StockInsufficient,
    /// In `userErrors`. The member has fewer points than the change takes; a balance never goes
    /// below zero.
    PointsInsufficient,
    /// In `userErrors`. Another item-level price (单品宝) already covers one of these SKUs in an
    /// overlapping window, or another activity of the same exclusive family; the message names it.
    PromotionOverlap,
    /// In `userErrors`. The promotion would let a SKU sell below its floor (破价线), cost or
    /// minimum-margin price; only a director may approve exactly that.
    PriceBelowFloor,
    /// In `userErrors`. The coupon template has no coupons left to issue (its total reached).
    CouponQuantityExceeded,
    /// In `userErrors`. The member already holds the template's per-buyer limit of coupons.
    CouponPerBuyerLimit,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 25] = [
        Self::Unauthenticated,
        Self::Forbidden,
        Self::NotFound,
        Self::BadUserInput,
        Self::Conflict,
        Self::RateLimited,
        Self::Internal,
        Self::Blank,
        Self::TooLong,
        Self::TooShort,
        Self::Invalid,
        Self::Taken,
        Self::WrongPassword,
        Self::PasswordReused,
        Self::LastDirector,
        Self::ApprovalRequired,
        Self::ComplianceBlocked,
        Self::InvalidStateTransition,
        Self::FourEyes,
        Self::StockInsufficient,
        Self::PointsInsufficient,
        Self::PromotionOverlap,
        Self::PriceBelowFloor,
        Self::CouponQuantityExceeded,
        Self::CouponPerBuyerLimit,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::Internal => "INTERNAL",
            Self::Blank => "BLANK",
            Self::TooLong => "TOO_LONG",
            Self::TooShort => "TOO_SHORT",
            Self::Invalid => "INVALID",
            Self::Taken => "TAKEN",
            Self::WrongPassword => "WRONG_PASSWORD",
            Self::PasswordReused => "PASSWORD_REUSED",
            Self::LastDirector => "LAST_DIRECTOR",
            Self::ApprovalRequired => "APPROVAL_REQUIRED",
            Self::ComplianceBlocked => "COMPLIANCE_BLOCKED",
            Self::InvalidStateTransition => "INVALID_STATE_TRANSITION",
            Self::FourEyes => "FOUR_EYES",
            Self::StockInsufficient => "STOCK_INSUFFICIENT",
            Self::PointsInsufficient => "POINTS_INSUFFICIENT",
            Self::PromotionOverlap => "PROMOTION_OVERLAP",
            Self::PriceBelowFloor => "PRICE_BELOW_FLOOR",
            Self::CouponQuantityExceeded => "COUPON_QUANTITY_EXCEEDED",
            Self::CouponPerBuyerLimit => "COUPON_PER_BUYER_LIMIT",
        }
    }
}

/// A validation or business-rule refusal, returned in a payload's `userErrors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    /// Path to the input field, e.g. `["input", "name"]`.
    pub field: Vec<String>,
    pub code: ErrorCode,
    pub message: String,
}

impl UserError {
    pub fn new(field: &[&str], code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.iter().map(|f| (*f).to_owned()).collect(),
            code,
            message: message.into(),
        }
    }
}

/// Why a request was refused as forbidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForbiddenReason {
    Permission(Permission),
    PasswordChangeRequired,
    Other(&'static str),
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("forbidden")]
    Forbidden(ForbiddenReason),
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("invalid input")]
    Invalid(Vec<UserError>),
    #[error("{0}")]
    Conflict(String),
    #[error("rate limited")]
    RateLimited { retry_after_secs: i64 },
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: &[&str], code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Invalid(vec![UserError::new(field, code, message)])
    }

    pub fn not_found(entity: &'static str) -> Self {
        Self::NotFound { entity }
    }

    pub fn forbidden(permission: Permission) -> Self {
        Self::Forbidden(ForbiddenReason::Permission(permission))
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Invalid(_) => ErrorCode::BadUserInput,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a client may see. Internal causes never appear here.
    pub fn public_message(&self) -> String {
        match self {
            Self::Unauthenticated(msg) => (*msg).to_owned(),
            Self::Forbidden(ForbiddenReason::Permission(p)) => {
                format!("your role lacks the permission {}", p.as_str())
            }
            Self::Forbidden(ForbiddenReason::PasswordChangeRequired) => {
                "you must change your password (passwordChange) before doing anything else".into()
            }
            Self::Forbidden(ForbiddenReason::Other(msg)) => (*msg).to_owned(),
            Self::NotFound { entity } => format!("{entity} not found"),
            Self::Invalid(errors) => errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            Self::Conflict(msg) => msg.clone(),
            Self::RateLimited { retry_after_secs } => {
                format!("too many attempts; try again in {retry_after_secs} seconds")
            }
            Self::Internal(_) => "internal error".into(),
        }
    }
}

/// One row of [`CONSTRAINTS`].
const fn c(
    name: &'static str,
    sqlite: &'static str,
    field: &'static [&'static str],
    code: ErrorCode,
    message: &'static str,
) -> Constraint {
    Constraint {
        name,
        sqlite,
        field,
        code,
        message,
    }
}

/// A database constraint that a client's input can trip, and the userError it becomes.
#[derive(Debug, Clone, Copy)]
pub struct Constraint {
    /// The constraint's name, as PostgreSQL reports it.
    pub name: &'static str,
    /// What SQLite reports instead: the columns of a unique index (`table.a, table.b`) or the
    /// expression of a check.
    pub sqlite: &'static str,
    pub field: &'static [&'static str],
    pub code: ErrorCode,
    pub message: &'static str,
}

/// Every unique index and check a client can trip. A violation of one of them becomes a
/// userError naming the field (services map the common ones earlier, with a more precise
/// field); a violation of any other constraint is a bug and stays INTERNAL. Foreign-key
/// violations (an object removed while it was being referred to) become [`FOREIGN_KEY`].
/// Each row is tripped on both databases in `tests/api/integrity.rs`; a new one gets a row there.
#[rustfmt::skip]
pub const CONSTRAINTS: &[Constraint] = &[
    c("ux_store_name", "store.name", &["input", "name"], ErrorCode::Taken,
        "a store with this name already exists"),
    c("ux_staff_username", "staff.username", &["input", "username"], ErrorCode::Taken,
        "this username is already taken"),
    c("ux_category_path", "category.store_id, category.path", &["input", "name"], ErrorCode::Taken,
        "a category with this path already exists in the store"),
    c("ux_sku_code", "sku.store_id, sku.code", &["input", "code"], ErrorCode::Taken,
        "this SKU code is already used in the store"),
    c("ux_sku_attributes", "sku.product_id, sku.attributes_key", &["input", "attributes"], ErrorCode::Taken,
        "the product already has a SKU with these sales attributes"),
    c("ux_allowlist_phrase", "compliance_allowlist.store_id, compliance_allowlist.phrase", &["input", "phrase"], ErrorCode::Taken,
        "this phrase is already allowed"),
    c("ux_coupon_client_key", "coupon.template_id, coupon.member_id, coupon.client_key", &["input", "clientKey"], ErrorCode::Taken,
        "coupons were already issued under this client key"),
    c("member_tag_pkey", "member_tag.member_id, member_tag.tag", &["input", "tags"], ErrorCode::Taken,
        "the member already has this tag"),
    c("staff_store_pkey", "staff_store.staff_id, staff_store.store_id", &["input", "storeIds"], ErrorCode::Taken,
        "the staff member is already assigned to this store"),
    c("sku_check", "reserved <= on_hand", &["input", "quantity"], ErrorCode::StockInsufficient,
        "stock may not go below zero or below what is reserved"),
];

/// What a foreign-key violation becomes: the input refers to an object that does not exist
/// (any more), e.g. removed by a concurrent request.
pub const FOREIGN_KEY: Constraint = Constraint {
    name: "",
    sqlite: "",
    field: &["input"],
    code: ErrorCode::NotFound,
    message: "the input refers to an object that no longer exists",
};

/// The client-trippable constraint `err` violates, if any.
pub fn violated(err: &sea_orm::DbErr) -> Option<&'static Constraint> {
    let text = err.to_string();
    match err.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => return Some(&FOREIGN_KEY),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {}
        _ if text.contains("CHECK constraint failed") || text.contains("violates check") => {}
        _ => return None,
    }
    // PostgreSQL quotes the constraint's name; SQLite spells out its columns or expression
    // (no row's SQLite text is part of another's).
    CONSTRAINTS
        .iter()
        .find(|c| text.contains(&format!("\"{}\"", c.name)) || text.contains(c.sqlite))
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if let Some(c) = violated(&err) {
            tracing::debug!(error = %err, constraint = c.name, "constraint violation");
            return Self::invalid(c.field, c.code, c.message);
        }
        let text = err.to_string();
        if text.contains("deadlock detected")
            || text.contains("could not serialize access")
            || text.contains("database is locked")
        {
            tracing::warn!(error = %err, "write collided with a concurrent one");
            return Self::Conflict("the change collided with a concurrent one; try again".into());
        }
        match err {
            sea_orm::DbErr::RecordNotFound(_) => Self::NotFound { entity: "record" },
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

/// Maps a violation of the unique index `index` to `dup()`; any other error passes through.
/// PostgreSQL names the index, SQLite the columns (`table.column`), so both are given.
pub fn on_unique(
    err: sea_orm::DbErr,
    index: &str,
    columns: &str,
    dup: impl FnOnce() -> AppError,
) -> AppError {
    let unique = matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) && {
        let text = err.to_string();
        text.contains(index) || text.contains(columns)
    };
    if unique { dup() } else { err.into() }
}

impl AppError {
    /// A value read from the database that the code does not know (a status, a JSON shape): an
    /// internal error naming the row, never a default.
    pub fn unreadable(row: &str, id: i64, what: impl std::fmt::Display) -> Self {
        Self::Internal(anyhow::anyhow!("{row} {id}: {what}"))
    }

    /// The GraphQL error for this error, without logging it (for an error already logged once,
    /// such as a loader batch's that many fields await).
    pub fn extend_quietly(&self) -> async_graphql::Error {
        use async_graphql::ErrorExtensions;
        let code = self.code();
        let mut err = async_graphql::Error::new(self.public_message()).extend_with(|_, e| {
            e.set("code", code.as_str());
        });
        if let Self::RateLimited { retry_after_secs } = self {
            let secs = *retry_after_secs;
            err = err.extend_with(|_, e| e.set("retryAfterSeconds", secs));
        }
        if let Self::Invalid(errors) = self {
            let fields: Vec<async_graphql::Value> = errors
                .iter()
                .map(|e| async_graphql::Value::from(e.field.join(".")))
                .collect();
            err = err.extend_with(|_, e| e.set("fields", fields.clone()));
        }
        err
    }
}

impl async_graphql::ErrorExtensions for AppError {
    /// The GraphQL error, logging an internal error once with its cause chain.
    fn extend(&self) -> async_graphql::Error {
        if let Self::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        self.extend_quietly()
    }
}

/// The only way resolvers turn service results into GraphQL results.
pub trait GqlResultExt<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResultExt<T> for Result<T, AppError> {
    fn gql(self) -> async_graphql::Result<T> {
        use async_graphql::ErrorExtensions;
        self.map_err(|e| e.extend())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_screaming_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(s.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{s}");
            assert!(seen.insert(s), "duplicate code {s}");
        }
    }

    /// CONFLICT cannot be provoked on purpose over HTTP (it is a lost race of the database), so
    /// its whole GraphQL error is pinned here: message and extensions, nothing else.
    #[test]
    fn a_serialization_failure_is_a_conflict_to_retry() {
        let err = AppError::from(sea_orm::DbErr::Custom(
            "could not serialize access due to concurrent update".into(),
        ));
        assert_eq!(err.code().as_str(), "CONFLICT");
        let gql = err.extend_quietly();
        assert_eq!(
            gql.message,
            "the change collided with a concurrent one; try again"
        );
        let extensions = serde_json::to_value(gql.extensions.expect("extensions")).expect("json");
        assert_eq!(extensions, serde_json::json!({ "code": "CONFLICT" }));
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = AppError::Internal(anyhow::anyhow!("relation \"staff\" does not exist"));
        assert_eq!(err.public_message(), "internal error");
        assert_eq!(err.code().as_str(), "INTERNAL");
    }
}
