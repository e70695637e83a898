//! Custom scalars: `Money` (decimal string with two places, CNY, stored as fen).
//! `DateTime` is async-graphql's RFC 3339 scalar over `chrono::DateTime<Utc>`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

use crate::domain::Fen;

/// An amount of money in CNY as a decimal string with two places, e.g. `"199.00"`. Stored as
/// integer fen (分); never a float. Input accepts up to two decimals (`"199"`, `"199.5"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Fen);

#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Fen::parse(s).map(Money).ok_or_else(|| {
                InputValueError::custom(
                    "Money must be a decimal string with at most two places, e.g. \"199.00\"",
                )
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<i64> for Money {
    fn from(fen: i64) -> Self {
        Money(Fen(fen))
    }
}
