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
