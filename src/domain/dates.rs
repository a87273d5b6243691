//! Dates given by users.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Utc};

use super::ValidationError;
use super::message::zh_date;

/// Earliest date zaiti accepts: before China's first incubator (1987) there is nothing to record.
pub const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1980, 1, 1).expect("valid date");
/// Latest date accepted, for planned deliveries.
pub const LATEST: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("valid date");

/// Refuses dates outside [`EARLIEST`]..=[`LATEST`], which are typos.
pub fn check_plausible(field: &str, date: NaiveDate) -> Result<(), ValidationError> {
    if date < EARLIEST || date > LATEST {
        return Err(ValidationError::new(
            field,
            format!("{date} is outside the plausible range {EARLIEST} to {LATEST}"),
            format!(
                "{}不在合理范围（{}至{}）内，请核对",
                zh_date(date),
                zh_date(EARLIEST),
                zh_date(LATEST)
            ),
        ));
    }
    Ok(())
}

/// China Standard Time, UTC+8: the offset of every date and moment zaiti gives.
pub fn china_standard_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// `moment` in China Standard Time, RFC 3339, to the second
/// (`2026-06-30T17:45:00+08:00`).
pub fn in_china_time(moment: DateTime<Utc>) -> String {
    moment
        .with_timezone(&china_standard_time())
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Refuses a year of figures (revenue, a survey) outside the years of
/// [`EARLIEST`] and of `today`: a year that has not begun has no figures.
pub fn check_figure_year(field: &str, year: i32, today: NaiveDate) -> Result<(), ValidationError> {
    let (first, last) = (EARLIEST.year(), today.year());
    if !(first..=last).contains(&year) {
        return Err(ValidationError::new(
            field,
            format!("the year must be from {first} to {last}, not {year}"),
            format!("年份应在{first}年至{last}年之间，填写的是{year}年"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_read_in_china_time_to_the_second() {
        let moment = DateTime::parse_from_rfc3339("2026-06-30T09:45:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(in_china_time(moment), "2026-06-30T17:45:00+08:00");
    }

    #[test]
    fn a_year_of_figures_is_between_1980_and_this_year() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert!(check_figure_year("revenue.year", 2025, today).is_ok());
        assert!(check_figure_year("revenue.year", 2026, today).is_ok());
        assert!(check_figure_year("revenue.year", 99_999, today).is_err());
        assert!(check_figure_year("revenue.year", 2027, today).is_err());
        assert!(check_figure_year("revenue.year", 1979, today).is_err());
    }

    #[test]
    fn a_date_in_the_nineteenth_century_is_rejected() {
        let date = NaiveDate::from_ymd_opt(1899, 1, 1).unwrap();
        assert_eq!(
            check_plausible("deliveredOn", date).unwrap_err().field,
            "deliveredOn"
        );
    }

    #[test]
    fn a_planned_delivery_in_2027_is_accepted() {
        assert!(
            check_plausible("deliveredOn", NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()).is_ok()
        );
    }
}
