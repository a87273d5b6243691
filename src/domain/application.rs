//! Entry applications (入驻申请): an enterprise asks to enter a carrier, the
//! carrier's operator reviews it, and an approval moves it in.
//!
//! The states and the steps between them are [`transition`]:
//!
//! ```text
//! SUBMITTED ──startReview──▶ UNDER_REVIEW ──approve──▶ APPROVED ──confirmMoveIn──▶ MOVED_IN
//!     │                          │  └──────reject (reason)──▶ REJECTED
//!     └──────withdraw────────────┴──────withdraw (reason)────▶ WITHDRAWN
//! ```
//!
//! APPROVED, REJECTED, WITHDRAWN and MOVED_IN are decided: no step leads
//! back, so an application is approved or rejected once. A withdrawal is the
//! applicant's wish, recorded by the operator on its behalf (an APPLICANT
//! token submits and reads, nothing else).

use chrono::NaiveDate;

use super::ValidationError;
use super::area::FloorArea;
use super::carrier::{CarrierKind, Industry, stored_enum};
use super::message::{Message, zh_date};
use super::tenancy::{TenancyStatus, clock_rules, clocks};
use super::text::required_text;
use super::uscc::Uscc;

stored_enum! {
    /// Where an application is.
    pub enum ApplicationStatus { Submitted, UnderReview, Approved, Rejected, Withdrawn, MovedIn }
}

impl ApplicationStatus {
    /// The state as Chinese forms name it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submitted => "已提交",
            Self::UnderReview => "审核中",
            Self::Approved => "已批准",
            Self::Rejected => "已驳回",
            Self::Withdrawn => "已撤回",
            Self::MovedIn => "已入驻",
        }
    }
}

/// A step an operator (or ADMIN) takes on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
pub enum Step {
    /// 开始审核: the reviewer takes it up.
    StartReview,
    /// 批准: the enterprise moves in (a tenancy from the wanted date).
    Approve,
    /// 驳回: refused, with a reason.
    Reject,
    /// 撤回: the applicant no longer wants to enter, with a reason.
    Withdraw,
    /// 确认入驻: the approved enterprise has arrived.
    ConfirmMoveIn,
}

impl Step {
    fn label_zh(self) -> &'static str {
        match self {
            Self::StartReview => "开始审核",
            Self::Approve => "批准",
            Self::Reject => "驳回",
            Self::Withdraw => "撤回",
            Self::ConfirmMoveIn => "确认入驻",
        }
    }

    /// Whether the step needs a reason (驳回理由, 撤回原因).
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Reject | Self::Withdraw)
    }
}

/// The state `step` leads application `id` from `from` to, or why it cannot
/// be taken (the API answers CONFLICT: someone else moved it first).
pub fn transition(
    id: i32,
    from: ApplicationStatus,
    step: Step,
) -> Result<ApplicationStatus, Message> {
    use ApplicationStatus::*;
    let to = match (from, step) {
        (Submitted, Step::StartReview) => UnderReview,
        (UnderReview, Step::Approve) => Approved,
        (UnderReview, Step::Reject) => Rejected,
        (Submitted | UnderReview, Step::Withdraw) => Withdrawn,
        (Approved, Step::ConfirmMoveIn) => MovedIn,
        _ => {
            return Err(Message::new(
                format!("entry application {id} is {from}; it cannot be taken to {step} now"),
                format!(
                    "入驻申请（编号 {id}）当前状态为{}，不能{}",
                    from.label_zh(),
                    step.label_zh()
                ),
            ));
        }
    };
    Ok(to)
}

/// The reason a step is taken with: required (non-blank) for a rejection or
/// a withdrawal, optional otherwise.
pub fn check_reason(step: Step, reason: Option<&str>) -> Result<Option<String>, ValidationError> {
    match reason.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => required_text("reason", text).map(Some),
        None if step.needs_reason() => Err(ValidationError::new(
            "reason",
            format!("a {step} needs a reason, which the applicant is told"),
            format!("{}须填写理由（将告知申请企业）", step.label_zh()),
        )),
        None => Ok(None),
    }
}

/// An approved application moves in when the enterprise arrives, on or after
/// the wanted date.
pub fn check_arrival(wanted_move_in: NaiveDate, today: NaiveDate) -> Result<(), ValidationError> {
    if today < wanted_move_in {
        return Err(ValidationError::new(
            "id",
            format!("the tenancy begins on {wanted_move_in}; confirm the move-in from that day"),
            format!(
                "入驻日期为{}，请于当日或之后确认入驻",
                zh_date(wanted_move_in)
            ),
        ));
    }
    Ok(())
}

/// Longest business description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Largest headcount accepted: a start-up entering an incubator, with room for typos to show.
pub const MAX_HEADCOUNT: i32 = 100_000;

/// What an applicant tells, validated.
#[derive(Clone, PartialEq)]
pub struct Applicant {
    pub carrier_id: i32,
    pub enterprise_name: String,
    pub uscc: Uscc,
    pub founded_on: NaiveDate,
    pub industry: Industry,
    pub headcount: i32,
    /// Personal data.
    pub contact_person: String,
    /// Personal data.
    pub contact_phone: String,
    pub wanted_area: FloorArea,
    /// Units wanted (房源), by database id; may be empty.
    pub wanted_unit_ids: Vec<i32>,
    pub wanted_move_in_on: NaiveDate,
    pub business_description: String,
}

/// Written by hand so that no log prints the contact's personal data.
impl std::fmt::Debug for Applicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applicant")
            .field("carrier_id", &self.carrier_id)
            .field("uscc", &self.uscc)
            .finish_non_exhaustive()
    }
}

/// Checks the facts of an application that no record is needed for.
pub fn check_applicant(applicant: &Applicant, today: NaiveDate) -> Result<(), ValidationError> {
    super::dates::check_plausible("foundedOn", applicant.founded_on)?;
    if applicant.founded_on > today {
        return Err(ValidationError::new(
            "foundedOn",
            format!("{} is in the future", applicant.founded_on),
            format!("成立日期{}晚于今天", zh_date(applicant.founded_on)),
        ));
    }
    super::dates::check_plausible("wantedMoveInOn", applicant.wanted_move_in_on)?;
    if applicant.wanted_move_in_on < applicant.founded_on {
        return Err(ValidationError::new(
            "wantedMoveInOn",
            "an enterprise moves in after it was founded",
            "拟入驻日期不能早于企业成立日期",
        ));
    }
    if !(1..=MAX_HEADCOUNT).contains(&applicant.headcount) {
        return Err(ValidationError::new(
            "headcount",
            format!("must be between 1 and {MAX_HEADCOUNT}"),
            format!("须在 1 至 {MAX_HEADCOUNT} 人之间"),
        ));
    }
    check_phone(&applicant.contact_phone)?;
    if applicant.business_description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ValidationError::new(
            "businessDescription",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            format!("最多 {MAX_DESCRIPTION_CHARS} 个字符"),
        ));
    }
    Ok(())
}

/// A phone number as people write one: digits, with `+`, `-`, spaces and
/// parentheses, 7 to 20 characters (0510-85000000, 138 0000 0000, +86 …).
pub fn check_phone(phone: &str) -> Result<(), ValidationError> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
    if !allowed || !(7..=20).contains(&digits) || phone.chars().count() > 30 {
        return Err(ValidationError::new(
            "contactPhone",
            "a phone number of 7 to 20 digits (with +, -, spaces or parentheses)",
            "联系电话应为 7 至 20 位数字（可含 +、-、空格、括号）",
        ));
    }
    Ok(())
}

stored_enum! {
    /// What a pre-check looks at.
    pub enum PreCheckKind { FoundedWithinWindow, LeadingIndustry, SpaceFree }
}

/// One check shown to the reviewer: passed or not, and why. Checks inform;
/// only the space check also binds, through the tenancy rules an approval
/// runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreCheck {
    pub kind: PreCheckKind,
    pub passed: bool,
    pub reason: Message,
}

/// 成立时间: founded within the entry window of the carrier's rules (24
/// months for an incubator, 国科发区〔2018〕300号 第九条) by the wanted
/// move-in date, by the tenant clock of [`super::tenancy::clocks`].
pub fn founded_check(
    kind: CarrierKind,
    industry: Industry,
    founded_on: NaiveDate,
    move_in: NaiveDate,
) -> PreCheck {
    let rules = clock_rules(kind, Some(industry));
    let Some(window) = rules.entry_window_months else {
        return PreCheck {
            kind: PreCheckKind::FoundedWithinWindow,
            passed: true,
            reason: Message::new(
                format!("a {kind} sets no entry window after founding"),
                format!("该类载体（{kind}）对企业成立时间无入驻期限要求"),
            ),
        };
    };
    let clock = clocks(
        rules,
        founded_on,
        move_in,
        TenancyStatus::Incubating,
        None,
        move_in,
        Vec::new(),
    );
    let months = super::tenancy::whole_months(founded_on, move_in);
    let passed = !clock.entered_late;
    let (en, zh) = if passed {
        ("within", "未超过")
    } else {
        ("more than", "超过")
    };
    PreCheck {
        kind: PreCheckKind::FoundedWithinWindow,
        passed,
        reason: Message::new(
            format!(
                "founded on {founded_on}, {months} whole months before moving in on {move_in}: {en} the {window} months of the rules"
            ),
            format!(
                "企业成立于{}，至拟入驻日期{}满 {months} 个月，{zh}孵化器规定的 {window} 个月",
                zh_date(founded_on),
                zh_date(move_in)
            ),
        ),
    }
}

/// 主导产业: the applicant's industry is among the carrier's leading ones.
pub fn industry_check(industry: Industry, leading: &[Industry]) -> PreCheck {
    let passed = leading.contains(&industry);
    let names_en = if leading.is_empty() {
        "none recorded".to_owned()
    } else {
        leading
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let names_zh = if leading.is_empty() {
        "未登记".to_owned()
    } else {
        leading
            .iter()
            .map(|industry| industry.name_zh())
            .collect::<Vec<_>>()
            .join("、")
    };
    let (en, zh) = if passed {
        ("is", "属于")
    } else {
        ("is not", "不属于")
    };
    PreCheck {
        kind: PreCheckKind::LeadingIndustry,
        passed,
        reason: Message::new(
            format!("{industry} {en} among the carrier's leading industries ({names_en})"),
            format!("{}{zh}载体主导产业（{names_zh}）", industry.name_zh()),
        ),
    }
}

/// 空间: the wanted space is free from the wanted date, as the tenancy rules
/// judged it (`refusal`: their refusal, if any).
pub fn space_check(move_in: NaiveDate, units: usize, refusal: Option<Message>) -> PreCheck {
    let passed = refusal.is_none();
    let reason = match refusal {
        Some(refusal) => refusal,
        None if units > 0 => Message::new(
            format!("the {units} wanted unit(s) are free from {move_in} and the carrier has room"),
            format!(
                "所选 {units} 个房源自{}起空置，载体面积足够",
                zh_date(move_in)
            ),
        ),
        None => Message::new(
            format!("the carrier has the wanted area free from {move_in}"),
            format!("载体自{}起有足够的可出租面积", zh_date(move_in)),
        ),
    };
    PreCheck {
        kind: PreCheckKind::SpaceFree,
        passed,
        reason,
    }
}

/// The units wanted, as stored: ids separated by commas.
pub fn unit_ids_text(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// The units wanted, read back from [`unit_ids_text`]; `None` when the text is not that.
pub fn parse_unit_ids(text: &str) -> Option<Vec<i32>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',').map(|id| id.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus::*;
    use strum::IntoEnumIterator;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn the_state_machine_has_exactly_these_steps() {
        let allowed = [
            (Submitted, Step::StartReview, UnderReview),
            (UnderReview, Step::Approve, Approved),
            (UnderReview, Step::Reject, Rejected),
            (Submitted, Step::Withdraw, Withdrawn),
            (UnderReview, Step::Withdraw, Withdrawn),
            (Approved, Step::ConfirmMoveIn, MovedIn),
        ];
        let steps = [
            Step::StartReview,
            Step::Approve,
            Step::Reject,
            Step::Withdraw,
            Step::ConfirmMoveIn,
        ];
        for from in ApplicationStatus::iter() {
            for step in steps {
                let expected = allowed
                    .iter()
                    .find(|(f, s, _)| *f == from && *s == step)
                    .map(|(_, _, to)| *to);
                assert_eq!(transition(1, from, step).ok(), expected, "{from} {step}");
            }
        }
    }

    #[test]
    fn a_decided_application_is_not_decided_again() {
        for decided in [Approved, Rejected, Withdrawn, MovedIn] {
            assert!(transition(7, decided, Step::Approve).is_err());
            assert!(transition(7, decided, Step::Reject).is_err());
        }
        let refusal = transition(7, Approved, Step::Reject).unwrap_err();
        assert!(refusal.en.contains("APPROVED"), "{}", refusal.en);
        assert!(refusal.zh.contains("已批准"), "{}", refusal.zh);
    }

    #[test]
    fn a_rejection_and_a_withdrawal_need_a_reason() {
        assert_eq!(
            check_reason(Step::Reject, None).unwrap_err().field,
            "reason"
        );
        assert!(check_reason(Step::Reject, Some("  ")).is_err());
        assert!(check_reason(Step::Withdraw, None).is_err());
        assert_eq!(
            check_reason(Step::Reject, Some(" 不属于主导产业 ")),
            Ok(Some("不属于主导产业".into()))
        );
        assert_eq!(check_reason(Step::Approve, None), Ok(None));
    }

    #[test]
    fn an_approved_enterprise_arrives_on_or_after_its_date() {
        assert!(check_arrival(date(2026, 3, 1), date(2026, 2, 28)).is_err());
        assert!(check_arrival(date(2026, 3, 1), date(2026, 3, 1)).is_ok());
    }

    #[test]
    fn the_founding_check_follows_the_incubator_entry_clock() {
        let young = founded_check(
            CarrierKind::Incubator,
            Industry::Iot,
            date(2024, 6, 1),
            date(2026, 6, 1),
        );
        assert!(young.passed, "{:?}", young);
        let late = founded_check(
            CarrierKind::Incubator,
            Industry::Iot,
            date(2024, 6, 1),
            date(2026, 6, 2),
        );
        assert!(!late.passed, "{:?}", late);
        assert!(late.reason.zh.contains("超过"), "{}", late.reason.zh);
        let makerspace = founded_check(
            CarrierKind::Makerspace,
            Industry::Iot,
            date(2010, 1, 1),
            date(2026, 6, 2),
        );
        assert!(makerspace.passed);
    }

    #[test]
    fn the_industry_check_names_the_leading_industries() {
        let check = industry_check(Industry::Iot, &[Industry::Iot, Industry::Biomedicine]);
        assert!(check.passed);
        let check = industry_check(Industry::Quantum, &[Industry::Biomedicine]);
        assert!(!check.passed);
        assert!(check.reason.zh.contains("生物医药"), "{}", check.reason.zh);
        assert!(!industry_check(Industry::Quantum, &[]).passed);
    }

    #[test]
    fn the_space_check_passes_without_a_refusal() {
        assert!(space_check(date(2026, 1, 1), 2, None).passed);
        assert!(space_check(date(2026, 1, 1), 0, None).passed);
        let refused = space_check(
            date(2026, 1, 1),
            1,
            Some(Message::new("unit 301 is let", "房源 301 已出租")),
        );
        assert!(!refused.passed);
    }

    #[test]
    fn phones_are_checked() {
        for good in ["0510-85000000", "138 0000 0000", "+86 (510) 8500 0000"] {
            assert!(check_phone(good).is_ok(), "{good}");
        }
        for bad in ["", "123", "call me", "0510-8500000000000000000000"] {
            assert!(check_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unit_ids_round_trip() {
        assert_eq!(parse_unit_ids(&unit_ids_text(&[3, 12])), Some(vec![3, 12]));
        assert_eq!(parse_unit_ids(""), Some(vec![]));
        assert_eq!(parse_unit_ids("x"), None);
    }
}
