//! Level recognitions (级别认定) and the level they add up to on a date.

use chrono::NaiveDate;

use super::ValidationError;
use super::carrier::Level;

/// One dated recognition, as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recognition {
    pub level: Level,
    pub recognised_on: NaiveDate,
    /// Order of recording, breaking ties between recognitions of one day.
    pub sequence: i64,
}

/// The level a carrier holds on `as_of`: that of its latest recognition on or
/// before that date (so a later downgrade or revocation, recorded as a lower
/// level or `NONE`, wins), or `NONE` if it had none yet.
pub fn level_on(recognitions: &[Recognition], as_of: NaiveDate) -> Level {
    recognitions
        .iter()
        .filter(|r| r.recognised_on <= as_of)
        .max_by_key(|r| (r.recognised_on, r.sequence))
        .map_or(Level::None, |r| r.level)
}

/// A recognition is a fact already happened: not dated after `today`, nor before 1980.
pub fn check_recognised_on(
    recognised_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    if recognised_on > today {
        return Err(ValidationError::new(
            "recognisedOn",
            format!("{recognised_on} is in the future; record a recognition once it is issued"),
        ));
    }
    super::dates::check_plausible("recognisedOn", recognised_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn recognition(level: Level, on: &str, sequence: i64) -> Recognition {
        Recognition {
            level,
            recognised_on: day(on),
            sequence,
        }
    }

    #[test]
    fn a_carrier_without_recognitions_has_no_level() {
        assert_eq!(level_on(&[], day("2025-01-01")), Level::None);
    }

    #[test]
    fn the_latest_recognition_on_or_before_the_date_counts() {
        let history = [
            recognition(Level::District, "2020-03-01", 1),
            recognition(Level::City, "2022-06-01", 2),
            recognition(Level::Provincial, "2024-09-01", 3),
        ];
        assert_eq!(level_on(&history, day("2019-12-31")), Level::None);
        assert_eq!(level_on(&history, day("2022-06-01")), Level::City);
        assert_eq!(level_on(&history, day("2024-08-31")), Level::City);
        assert_eq!(level_on(&history, day("2026-01-01")), Level::Provincial);
    }

    #[test]
    fn a_later_revocation_wins_over_an_earlier_higher_level() {
        let history = [
            recognition(Level::Provincial, "2021-01-01", 1),
            recognition(Level::None, "2023-01-01", 2),
        ];
        assert_eq!(level_on(&history, day("2024-01-01")), Level::None);
    }

    #[test]
    fn on_one_day_the_later_recorded_recognition_wins() {
        let history = [
            recognition(Level::City, "2021-01-01", 7),
            recognition(Level::District, "2021-01-01", 9),
        ];
        assert_eq!(level_on(&history, day("2021-01-01")), Level::District);
    }

    #[test]
    fn a_recognition_in_the_future_is_rejected() {
        assert!(check_recognised_on(day("2030-01-01"), day("2026-11-27")).is_err());
        assert!(check_recognised_on(day("2026-11-27"), day("2026-11-27")).is_ok());
    }
}
