//! Scalars of the API.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{FixedOffset, NaiveDate, SecondsFormat, Utc};

/// A calendar date in ISO 8601 form, `YYYY-MM-DD` (e.g. `2024-03-22`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, `YYYY-MM-DD` (e.g. `2024-03-22`), in China Standard Time.
#[Scalar(
    name = "Date",
    specified_by_url = "https://scalars.graphql.org/andimarek/local-date.html"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => text.parse::<NaiveDate>().map(Date).map_err(|_| {
                InputValueError::custom(format!(
                    "'{text}' is not a real date of the form YYYY-MM-DD / “{text}”不是 YYYY-MM-DD 格式的有效日期"
                ))
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if text.parse::<NaiveDate>().is_ok())
    }

    fn to_value(&self) -> Value {
        // NaiveDate's Display writes YYYY-MM-DD for the years zaiti accepts, without a format string to interpret.
        Value::String(self.0.to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Self(date)
    }
}

/// A moment in RFC 3339 form with its UTC offset, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<FixedOffset>);

/// A moment in RFC 3339 form with its offset, to the second, e.g.
/// `2026-06-30T17:45:00+08:00`. zaiti answers in China Standard Time
/// (+08:00); a moment sent with another offset (or `Z`) is understood as that
/// moment and echoed with the offset it was sent in. Fractions of a second
/// are accepted in input and not shown in answers.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://scalars.graphql.org/andimarek/date-time.html"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
                .map(DateTime)
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "'{text}' is not an RFC 3339 moment with an offset, e.g. 2026-06-30T17:45:00+08:00 / “{text}”不是带时区偏移的 RFC 3339 时刻，应形如 2026-06-30T17:45:00+08:00"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if chrono::DateTime::parse_from_rfc3339(text).is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

impl DateTime {
    /// The same moment in UTC, as stored.
    pub fn utc(self) -> chrono::DateTime<Utc> {
        self.0.with_timezone(&Utc)
    }
}

/// A stored moment, given in China Standard Time.
impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(moment: chrono::DateTime<Utc>) -> Self {
        Self(moment.with_timezone(&crate::domain::dates::china_standard_time()))
    }
}

/// Any JSON value (RFC 8259), as stored: an audit event's record snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub serde_json::Value);

/// Any JSON value (RFC 8259): an object, array, string, number, boolean or
/// null, given as it is (not as a string holding JSON). Audit snapshots use
/// it: the record's stored fields under their column names (snake_case),
/// money in fen, moments in UTC.
#[Scalar(
    name = "JSON",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259"
)]
impl ScalarType for Json {
    fn parse(value: Value) -> InputValueResult<Self> {
        Ok(Self(value.into_json()?))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}
