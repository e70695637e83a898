use super::*;

/// A validation or business-rule refusal of a mutation. Nothing was changed.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "UserError")]
pub struct UserErrorObject {
    /// Path to the input field at fault, e.g. `["input", "name"]`.
    pub field: Option<Vec<String>>,
    /// Stable code.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
}

impl From<UserError> for UserErrorObject {
    fn from(e: UserError) -> Self {
        Self {
            field: (!e.field.is_empty()).then_some(e.field),
            code: e.code,
            message: e.message,
        }
    }
}

/// Splits the result of an action with an approval limit into what was applied, the approval
/// request filed instead, and the userErrors (at most one of the three is non-empty).
pub fn split_outcome<T>(
    res: Result<crate::service::kernel::approval_queue::Outcome<T>, AppError>,
) -> async_graphql::Result<(
    Option<T>,
    Option<crate::graphql::approval::ApprovalRequest>,
    Vec<UserErrorObject>,
)> {
    use crate::service::kernel::approval_queue::Outcome;
    Ok(match split(res)? {
        (Some(Outcome::Applied(v)), errors) => (Some(v), None, errors),
        (Some(Outcome::Requested(r)), errors) => (
            None,
            Some(crate::graphql::approval::ApprovalRequest(r)),
            errors,
        ),
        (None, errors) => (None, None, errors),
    })
}

/// Splits a service result into the payload's object or its userErrors; other errors become
/// top-level errors with their code.
pub fn split<T>(
    res: Result<T, AppError>,
) -> async_graphql::Result<(Option<T>, Vec<UserErrorObject>)> {
    match res {
        Ok(v) => Ok((Some(v), Vec::new())),
        Err(AppError::Invalid(errors)) => Ok((None, errors.into_iter().map(Into::into).collect())),
        Err(other) => Err(other).gql(),
    }
}
