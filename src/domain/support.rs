//! The vocabulary of what supports a carrier's tenants (the records 五有 reads):
//! public technology service platforms, investment funds, operating teams and
//! supporting facilities, and the dated span each is in force over.

use chrono::NaiveDate;

use super::ValidationError;
use super::carrier::stored_enum;
use super::message::zh_date;

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
                    format!("{}应晚于 {from_field}（{}）", zh_date(until), zh_date(from)),
                ));
            }
        }
        Ok(Self { from, until })
    }

    pub fn on(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|until| date < until)
    }
}

/// Most people a team may report: more is a typo, not a team.
pub const MAX_HEADCOUNT: i32 = 100_000;
/// Most services a platform may list.
pub const MAX_SERVICES: usize = 50;

/// A number of people (staff, mentors, enterprises served): 0 or more, within reason.
pub fn headcount(field: &str, value: i32) -> Result<u32, ValidationError> {
    if !(0..=MAX_HEADCOUNT).contains(&value) {
        return Err(ValidationError::new(
            field,
            format!("{value} is not a number of people between 0 and {MAX_HEADCOUNT}"),
            format!("人数应在 0 至 {MAX_HEADCOUNT} 之间，填写的是 {value}"),
        ));
    }
    Ok(value.unsigned_abs())
}

/// A platform's services: each named, none twice, at most [`MAX_SERVICES`].
pub fn services(field: &str, services: &[String]) -> Result<Vec<String>, ValidationError> {
    if services.len() > MAX_SERVICES {
        return Err(ValidationError::new(
            field,
            format!("at most {MAX_SERVICES} services, not {}", services.len()),
            format!(
                "服务项目最多 {MAX_SERVICES} 项，填写了 {} 项",
                services.len()
            ),
        ));
    }
    let mut named: Vec<String> = Vec::with_capacity(services.len());
    for service in services {
        let service = super::text::required_text(field, service)?;
        if named.contains(&service) {
            return Err(ValidationError::new(
                field,
                format!("'{service}' is listed twice"),
                format!("服务项目“{service}”重复填写"),
            ));
        }
        named.push(service);
    }
    Ok(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_record_is_in_force_from_its_first_day_up_to_its_closing_day() {
        let span = InForce::new(
            day("2024-03-01"),
            Some(day("2025-03-01")),
            "openedOn",
            "closedOn",
        )
        .unwrap();
        assert!(!span.on(day("2024-02-29")));
        assert!(span.on(day("2024-03-01")));
        assert!(span.on(day("2025-02-28")));
        assert!(!span.on(day("2025-03-01")));
    }

    #[test]
    fn closing_before_opening_is_refused_naming_the_closing_field() {
        let error = InForce::new(
            day("2024-03-01"),
            Some(day("2024-03-01")),
            "openedOn",
            "closedOn",
        )
        .unwrap_err();
        assert_eq!(error.field, "closedOn");
    }

    #[test]
    fn headcounts_are_whole_numbers_of_people() {
        assert_eq!(headcount("staffCount", 0).unwrap(), 0);
        assert_eq!(headcount("staffCount", MAX_HEADCOUNT).unwrap(), 100_000);
        assert_eq!(headcount("staffCount", -1).unwrap_err().field, "staffCount");
        assert!(headcount("staffCount", MAX_HEADCOUNT + 1).is_err());
    }

    #[test]
    fn services_are_named_once_each() {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            services("services", &list(&[" 中试熟化 ", "检测"])).unwrap(),
            list(&["中试熟化", "检测"])
        );
        assert!(services("services", &list(&["检测", "检测"])).is_err());
        assert!(services("services", &list(&[" "])).is_err());
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
