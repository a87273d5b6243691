//! Designations (认定): facts that count toward the plan's targets and are
//! therefore the bureau's to decide, not the measured carrier's.
//!
//! An operator proposes one with its evidence; ADMIN (the bureau) approves or
//! rejects it, once. Only an approved request changes the records the
//! targets count; until then the figures stay as they were.

use chrono::NaiveDate;

use super::ValidationError;
use super::carrier::{Level, stored_enum};
use super::message::{Message, zh_date};

stored_enum! {
    /// What a request asks the bureau to designate.
    pub enum DesignationKind {
        /// 地标型科创综合体: a science complex as a landmark.
        Landmark,
        /// 载体级别认定: a carrier's level (city, provincial, national …).
        CarrierLevel,
        /// 平台级别: a public technology service platform's level.
        PlatformLevel,
        /// 高水平专业化运营团队: an operating team as professional.
        ProfessionalTeam,
    }
}

stored_enum! {
    /// Where a request is in review.
    pub enum DesignationStatus { Pending, Approved, Rejected }
}

impl DesignationKind {
    /// Whether the request names a platform or team, not the carrier itself.
    pub fn subject(self) -> Option<Subject> {
        match self {
            Self::Landmark | Self::CarrierLevel => None,
            Self::PlatformLevel => Some(Subject::Platform),
            Self::ProfessionalTeam => Some(Subject::OperatingTeam),
        }
    }

    /// Whether the request asks for a level.
    pub fn takes_level(self) -> bool {
        matches!(self, Self::CarrierLevel | Self::PlatformLevel)
    }

    /// 认定类型, as the bureau's documents name it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Landmark => "地标型科创综合体认定",
            Self::CarrierLevel => "载体级别认定",
            Self::PlatformLevel => "公共技术服务平台级别认定",
            Self::ProfessionalTeam => "高水平专业化运营团队认定",
        }
    }
}

/// The record a platform or team request designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Platform,
    OperatingTeam,
}

/// What an operator proposes, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub kind: DesignationKind,
    /// What is designated (database id): the carrier, or the platform or
    /// team for the kinds that name one.
    pub subject_id: i32,
    pub level: Option<Level>,
    /// The date the designation takes effect (the date of recognition).
    pub effective_on: NaiveDate,
    pub authority: Option<String>,
    pub document_number: Option<String>,
    pub document_date: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// Checks that `proposal` gives what its kind needs, and nothing it cannot
/// use, with dates that have happened by `today`.
pub fn check_proposal(proposal: &Proposal, today: NaiveDate) -> Result<(), ValidationError> {
    let kind = proposal.kind;
    match (kind.takes_level(), proposal.level) {
        (true, None | Some(Level::None)) => {
            return Err(ValidationError::new(
                "level",
                format!("a {kind} request asks for a level above NONE"),
                format!("{}申请须填写申请认定的级别（NONE 以上）", kind.label_zh()),
            ));
        }
        (false, Some(_)) => {
            return Err(ValidationError::new(
                "level",
                format!("a {kind} request takes no level"),
                format!("{}申请不填写级别", kind.label_zh()),
            ));
        }
        _ => {}
    }
    if kind == DesignationKind::CarrierLevel && proposal.authority.is_none() {
        return Err(ValidationError::new(
            "authority",
            "a CARRIER_LEVEL request names the recognising authority",
            "载体级别认定申请须填写认定机构",
        ));
    }
    check_past("effectiveOn", proposal.effective_on, today)?;
    if let Some(date) = proposal.document_date {
        check_past("documentDate", date, today)?;
    }
    Ok(())
}

fn check_past(field: &str, date: NaiveDate, today: NaiveDate) -> Result<(), ValidationError> {
    if date > today {
        return Err(ValidationError::new(
            field,
            format!("{date} is in the future; request a designation once it is issued"),
            format!("{}晚于今天；请在认定文件印发后再提交申请", zh_date(date)),
        ));
    }
    super::dates::check_plausible(field, date)
}

/// A decision on a request: only a pending one may be decided.
pub fn check_undecided(id: i32, status: DesignationStatus) -> Result<(), Message> {
    let decided_zh = match status {
        DesignationStatus::Pending => return Ok(()),
        DesignationStatus::Approved => "批准",
        DesignationStatus::Rejected => "驳回",
    };
    Err(Message::new(
        format!("designation request {id} was already {status} and cannot be decided again"),
        format!("认定申请（编号 {id}）已{decided_zh}，不能重复审批"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    fn proposal(kind: DesignationKind) -> Proposal {
        Proposal {
            kind,
            subject_id: 7,
            level: kind.takes_level().then_some(Level::City),
            effective_on: date(2026, 3, 1),
            authority: Some("无锡市科学技术局".into()),
            document_number: Some("锡科发〔2026〕12号".into()),
            document_date: Some(date(2026, 3, 1)),
            notes: None,
        }
    }

    #[test]
    fn each_kind_accepts_what_it_needs() {
        let today = date(2026, 11, 28);
        for kind in [
            DesignationKind::Landmark,
            DesignationKind::CarrierLevel,
            DesignationKind::PlatformLevel,
            DesignationKind::ProfessionalTeam,
        ] {
            assert_eq!(check_proposal(&proposal(kind), today), Ok(()), "{kind}");
        }
    }

    #[test]
    fn a_request_names_a_level_exactly_when_its_kind_needs_one() {
        let today = date(2026, 11, 28);
        let mut landmark_with_level = proposal(DesignationKind::Landmark);
        landmark_with_level.level = Some(Level::City);
        assert_eq!(
            check_proposal(&landmark_with_level, today)
                .unwrap_err()
                .field,
            "level"
        );
        let mut level_none = proposal(DesignationKind::CarrierLevel);
        level_none.level = Some(Level::None);
        assert_eq!(
            check_proposal(&level_none, today).unwrap_err().field,
            "level"
        );
        let mut no_authority = proposal(DesignationKind::CarrierLevel);
        no_authority.authority = None;
        assert_eq!(
            check_proposal(&no_authority, today).unwrap_err().field,
            "authority"
        );
    }

    #[test]
    fn a_designation_cannot_take_effect_in_the_future() {
        let mut early = proposal(DesignationKind::Landmark);
        early.effective_on = date(2026, 12, 1);
        assert_eq!(
            check_proposal(&early, date(2026, 11, 28))
                .unwrap_err()
                .field,
            "effectiveOn"
        );
    }

    #[test]
    fn only_a_pending_request_is_decided() {
        assert!(check_undecided(1, DesignationStatus::Pending).is_ok());
        assert!(check_undecided(1, DesignationStatus::Approved).is_err());
        assert!(check_undecided(1, DesignationStatus::Rejected).is_err());
    }
}
