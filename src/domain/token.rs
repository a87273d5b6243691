//! API tokens' lifetimes: a token is valid through the date it names
//! ("有效期至2027年12月7日"), in China Standard Time, so it stops being
//! accepted at the next midnight in Wuxi.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};

use super::ValidationError;
use super::message::zh_date;

/// Days a token lasts when its issuer names no last day.
pub const DEFAULT_LIFETIME_DAYS: u32 = 365;
/// Longest lifetime that may be asked for: a token outliving five years of
/// staff changes is a token nobody remembers issuing.
pub const MAX_LIFETIME_DAYS: u32 = 5 * 366;

/// The last day a token issued on `today` is valid: `valid_through` if
/// given, else `today` plus `default_days`. Refused unless from today to
/// [`MAX_LIFETIME_DAYS`] ahead.
pub fn last_valid_day(
    today: NaiveDate,
    valid_through: Option<NaiveDate>,
    default_days: u32,
) -> Result<NaiveDate, ValidationError> {
    let latest = today + Days::new(MAX_LIFETIME_DAYS.into());
    let day = match valid_through {
        Some(day) => day,
        None => today + Days::new(default_days.min(MAX_LIFETIME_DAYS).into()),
    };
    if day < today || day > latest {
        return Err(ValidationError::new(
            "validThrough",
            format!("a token is valid from today ({today}) to at most {latest}; got {day}"),
            format!(
                "令牌有效期须从今天（{}）起，最迟至{}，填写的是{}",
                zh_date(today),
                zh_date(latest),
                zh_date(day)
            ),
        ));
    }
    Ok(day)
}

/// The instant a token valid through `day` expires: the next midnight in China Standard Time.
pub fn expires_at(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day);
    super::dates::china_standard_time()
        .from_local_datetime(&next.and_time(NaiveTime::MIN))
        .single()
        .map_or_else(
            || next.and_time(NaiveTime::MIN).and_utc(),
            |at| at.with_timezone(&Utc),
        )
}

/// The last day a token expiring at `at` is valid, as its issuer wrote it.
pub fn valid_through(at: DateTime<Utc>) -> NaiveDate {
    let local = at.with_timezone(&super::dates::china_standard_time());
    let day = local.date_naive();
    // Expiry falls at midnight: the day before is the last one valid.
    if local.time() == NaiveTime::MIN {
        day.pred_opt().unwrap_or(day)
    } else {
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_token_expires_at_the_next_midnight_in_wuxi() {
        let at = expires_at(day("2027-12-07"));
        assert_eq!(at.to_rfc3339(), "2027-12-07T16:00:00+00:00");
        assert_eq!(valid_through(at), day("2027-12-07"));
    }

    #[test]
    fn the_default_lifetime_applies_and_the_bounds_hold() {
        let today = day("2026-12-07");
        assert_eq!(last_valid_day(today, None, 365).unwrap(), day("2027-12-07"));
        assert_eq!(last_valid_day(today, Some(today), 365).unwrap(), today);
        let past = last_valid_day(today, Some(day("2026-12-06")), 365).unwrap_err();
        assert_eq!(past.field, "validThrough");
        assert!(last_valid_day(today, Some(day("2040-01-01")), 365).is_err());
    }
}
