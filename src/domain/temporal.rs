//! The OGC API's `datetime` parameter (Features Part 1, 7.15.4): an instant
//! or an interval, closed or open at either end, read as the calendar days
//! (China Standard Time) it covers, since everything dated here is dated
//! to the day.

use chrono::{DateTime, NaiveDate};

use super::ValidationError;
use super::carrier::{CarrierStatus, StatusChange, status_on};
use super::dates::china_standard_time;

/// The days a `datetime` value covers, both ends included; `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateSpan {
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

impl DateSpan {
    /// One day.
    pub fn day(date: NaiveDate) -> Self {
        Self {
            first: Some(date),
            last: Some(date),
        }
    }

    /// Whether a carrier with these status changes was operating on a day
    /// of the span: operating on its first day, or becoming so within it.
    pub fn operating(&self, changes: &[StatusChange]) -> bool {
        let at_start = self
            .first
            .is_some_and(|first| status_on(changes, first) == Some(CarrierStatus::Operating));
        at_start
            || changes.iter().any(|change| {
                change.status == CarrierStatus::Operating
                    && self.first.is_none_or(|first| change.effective_on > first)
                    && self.last.is_none_or(|last| change.effective_on <= last)
            })
    }
}

/// Reads a `datetime` value: `2025-01-01`, `2025-01-01T08:00:00Z` (RFC
/// 3339), or an interval `start/end` whose ends are either of those, or
/// `..` or empty for an open end. A start after the end is refused.
pub fn parse_datetime(field: &str, text: &str) -> Result<DateSpan, ValidationError> {
    let refuse = |why_en: String, why_zh: String| {
        ValidationError::new(
            field,
            format!(
                "'{text}' {why_en}; give an instant (2025-01-01 or 2025-01-01T08:00:00Z) or an interval (2024-01-01/2024-12-31, ../2025-01-01, 2024-01-01/..)"
            ),
            format!(
                "“{text}”{why_zh}；请填写时刻（2025-01-01 或 2025-01-01T08:00:00Z）或时间区间（2024-01-01/2024-12-31、../2025-01-01、2024-01-01/..）"
            ),
        )
    };
    let moment = |part: &str| -> Result<Option<NaiveDate>, ValidationError> {
        let part = part.trim();
        if part.is_empty() || part == ".." {
            return Ok(None);
        }
        if let Ok(date) = NaiveDate::parse_from_str(part, "%Y-%m-%d") {
            return Ok(Some(date));
        }
        DateTime::parse_from_rfc3339(part)
            .map(|moment| Some(moment.with_timezone(&china_standard_time()).date_naive()))
            .map_err(|_| {
                if part == text.trim() {
                    refuse(
                        "is not an RFC 3339 date or date-time".into(),
                        "不是 RFC 3339 日期或日期时间".into(),
                    )
                } else {
                    refuse(
                        format!("has '{part}', which is not an RFC 3339 date or date-time"),
                        format!("中的“{part}”不是 RFC 3339 日期或日期时间"),
                    )
                }
            })
    };
    let span = match text.split_once('/') {
        None => {
            let day = moment(text)?
                .ok_or_else(|| refuse("is not an instant".into(), "不是有效的时刻".into()))?;
            DateSpan::day(day)
        }
        Some((start, end)) => DateSpan {
            first: moment(start)?,
            last: moment(end)?,
        },
    };
    if let (Some(first), Some(last)) = (span.first, span.last)
        && first > last
    {
        return Err(refuse(
            "starts after it ends".into(),
            "的起点晚于终点".into(),
        ));
    }
    Ok(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn instants_and_intervals_closed_and_open_are_read_as_days() {
        assert_eq!(
            parse_datetime("datetime", "2025-01-01"),
            Ok(DateSpan::day(day("2025-01-01")))
        );
        // 20:00 UTC is the next day in China.
        assert_eq!(
            parse_datetime("datetime", "2024-12-31T20:00:00Z"),
            Ok(DateSpan::day(day("2025-01-01")))
        );
        assert_eq!(
            parse_datetime("datetime", "2024-01-01/2024-12-31"),
            Ok(DateSpan {
                first: Some(day("2024-01-01")),
                last: Some(day("2024-12-31"))
            })
        );
        for open_start in ["../2025-01-01", "/2025-01-01"] {
            assert_eq!(
                parse_datetime("datetime", open_start),
                Ok(DateSpan {
                    first: None,
                    last: Some(day("2025-01-01"))
                })
            );
        }
        assert_eq!(
            parse_datetime("datetime", "2024-01-01T00:00:00+08:00/.."),
            Ok(DateSpan {
                first: Some(day("2024-01-01")),
                last: None
            })
        );
    }

    #[test]
    fn malformed_values_are_refused_in_both_languages() {
        for bad in [
            "yesterday",
            "2025-13-01",
            "2025-02-01/2025-01-01",
            "",
            "2025-01-01/x",
        ] {
            let err = parse_datetime("datetime", bad).expect_err(bad);
            assert_eq!(err.field, "datetime");
            assert!(err.message.contains("interval") && err.message_zh.contains("区间"));
        }
    }

    #[test]
    fn a_carrier_operates_in_a_span_if_operating_at_its_start_or_becoming_so_within() {
        let changes = [
            StatusChange {
                effective_on: day("2020-01-01"),
                status: CarrierStatus::UnderConstruction,
            },
            StatusChange {
                effective_on: day("2021-06-01"),
                status: CarrierStatus::Operating,
            },
            StatusChange {
                effective_on: day("2023-03-01"),
                status: CarrierStatus::Closed,
            },
        ];
        let span = |first: Option<&str>, last: Option<&str>| DateSpan {
            first: first.map(day),
            last: last.map(day),
        };
        assert!(span(Some("2021-01-01"), Some("2021-06-01")).operating(&changes));
        assert!(!span(Some("2020-01-01"), Some("2021-05-31")).operating(&changes));
        assert!(span(Some("2022-01-01"), None).operating(&changes));
        assert!(!span(Some("2023-03-01"), None).operating(&changes));
        assert!(span(None, Some("2021-06-01")).operating(&changes));
        assert!(!span(None, Some("2021-05-31")).operating(&changes));
        assert!(!span(None, None).operating(&[]));
    }
}
