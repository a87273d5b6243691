//! Level recognitions (级别认定) and the level they add up to on a date.

use chrono::NaiveDate;

use super::ValidationError;
use super::carrier::{CarrierKind, DistrictKind, Level};
use super::message::zh_date;

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

/// 级别 as the issuing authority names it, for a carrier of `kind` in a
/// place of `place` kind:
/// - a recognition below the city by the bureau of a county-level city
///   (江阴市, 宜兴市) is 县级, not 区级; by a district or the development zone 区级;
/// - national makerspaces are filed (国家备案, 国科火字〔2017〕120号), not
///   recognised at a level; national incubators are 国家级.
pub fn level_name_zh(level: Level, kind: CarrierKind, place: DistrictKind) -> &'static str {
    match level {
        Level::None => "未认定",
        Level::District if place == DistrictKind::CountyLevelCity => "县级",
        Level::District => "区级",
        Level::City => "市级",
        Level::Provincial => "省级",
        Level::National if kind == CarrierKind::Makerspace => "国家备案",
        Level::National => "国家级",
    }
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
            format!(
                "认定日期{}晚于今天；请在认定文件印发后再登记",
                zh_date(recognised_on)
            ),
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
    fn levels_are_named_as_their_authorities_name_them() {
        use CarrierKind::{Incubator, Makerspace};
        use DistrictKind::{CountyLevelCity, DevelopmentZone, District};
        assert_eq!(
            level_name_zh(Level::District, Incubator, CountyLevelCity),
            "县级"
        );
        assert_eq!(level_name_zh(Level::District, Incubator, District), "区级");
        assert_eq!(
            level_name_zh(Level::District, Makerspace, DevelopmentZone),
            "区级"
        );
        assert_eq!(
            level_name_zh(Level::National, Makerspace, District),
            "国家备案"
        );
        assert_eq!(
            level_name_zh(Level::National, Incubator, CountyLevelCity),
            "国家级"
        );
        assert_eq!(
            level_name_zh(Level::City, Makerspace, CountyLevelCity),
            "市级"
        );
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
