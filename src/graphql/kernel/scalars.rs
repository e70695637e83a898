//! Custom scalars: `Money` (decimal string with two places, CNY, stored as fen).
//! `DateTime` is async-graphql's RFC 3339 scalar over `chrono::DateTime<Utc>`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

use crate::domain::Fen;

/// An amount of money in CNY as a decimal string with two places, e.g. `"199.00"`. Stored as
/// integer fen (分); never a float. Input accepts up to two decimals (`"199"`, `"199.5"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Fen);

/// An amount of money in CNY as a decimal string with two places, e.g. `"199.00"`. Stored as
/// integer fen (分); never a float. Input accepts up to two decimals (`"199"`, `"199.5"`).
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

/// An instant, RFC 3339 in UTC with millisecond precision, e.g. `"2026-11-11T00:00:00.000Z"`.
/// Input accepts any RFC 3339 offset and is converted to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<chrono::Utc>);

/// An instant, RFC 3339 in UTC with millisecond precision, e.g. `"2026-11-11T00:00:00.000Z"`.
/// Input accepts any RFC 3339 offset and is converted to UTC.
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| DateTime(t.with_timezone(&chrono::Utc)))
                .map_err(|_| {
                    InputValueError::custom(
                        "DateTime must be RFC 3339, e.g. \"2026-11-11T00:00:00Z\"",
                    )
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }
}

impl From<chrono::DateTime<chrono::Utc>> for DateTime {
    fn from(t: chrono::DateTime<chrono::Utc>) -> Self {
        DateTime(t)
    }
}

/// A calendar day, `YYYY-MM-DD`, in the time zone of the store it belongs to (daily KPIs are cut
/// by it; default Asia/Shanghai).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub chrono::NaiveDate);

/// A calendar day, `YYYY-MM-DD`, in the time zone of the store it belongs to (daily KPIs are cut
/// by it; default Asia/Shanghai).
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("Date must be YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
