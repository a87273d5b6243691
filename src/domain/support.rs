//! The vocabulary of what supports a carrier's tenants (the records 五有 reads):
//! public technology service platforms, investment funds, operating teams and
//! supporting facilities, and the dated span each is in force over.

use chrono::NaiveDate;

use super::ValidationError;
use super::carrier::stored_enum;

stored_enum! {
    /// 公共技术服务平台 kinds.
    pub enum PlatformKind {
        ProofOfConcept, RdDesign, EngineeringTest, TestingInspection, TechTransfer, PilotPlant, Other,
    }
}

stored_enum! {
    /// 配套设施 kinds.
    pub enum FacilityKind {
        SharedMeetingRoadshow, Canteen, TalentApartments, Laboratory, Parking, Exhibition, Other,
    }
}

/// When a record is in force: from `from` up to, not including, `until`
/// (open when `until` is absent). Platforms open and close, funds are
/// established and wound up, teams form and disband, facilities open and close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InForce {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl InForce {
    /// A span whose end, if any, comes after its start; `from_field` and
    /// `until_field` name the API fields for the error.
    pub fn new(
        from: NaiveDate,
        until: Option<NaiveDate>,
        from_field: &str,
        until_field: &str,
    ) -> Result<Self, ValidationError> {
        super::dates::check_plausible(from_field, from)?;
        if let Some(until) = until {
            super::dates::check_plausible(until_field, until)?;
            if until <= from {
                return Err(ValidationError::new(
                    until_field,
                    format!("{until} must come after {from_field} {from}"),
                ));
            }
        }
        Ok(Self { from, until })
    }

    pub fn on(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|until| date < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_record_is_in_force_from_its_first_day_up_to_its_closing_day() {
        let span = InForce::new(day("2024-03-01"), Some(day("2025-03-01")), "openedOn", "closedOn")
            .unwrap();
        assert!(!span.on(day("2024-02-29")));
        assert!(span.on(day("2024-03-01")));
        assert!(span.on(day("2025-02-28")));
        assert!(!span.on(day("2025-03-01")));
    }

    #[test]
    fn closing_before_opening_is_refused_naming_the_closing_field() {
        let error = InForce::new(day("2024-03-01"), Some(day("2024-03-01")), "openedOn", "closedOn")
            .unwrap_err();
        assert_eq!(error.field, "closedOn");
    }

    #[test]
    fn kinds_read_their_api_names() {
        assert_eq!(
            "SHARED_MEETING_ROADSHOW".parse::<FacilityKind>().unwrap(),
            FacilityKind::SharedMeetingRoadshow
        );
        assert_eq!(PlatformKind::RdDesign.as_ref(), "RD_DESIGN");
    }
}
