//! 五有: the five musts of a fully functional (功能完备) carrier.
//!
//! 有主导产业 leading industry, 有创新平台 innovation platform, 有投资基金
//! investment fund, 有专业团队 professional team, 有配套设施 supporting
//! facilities. [`check`] is a pure function of a carrier's records
//! ([`CarrierRecords`]), an as-of date and a rule set ([`ComplianceRules`]):
//! every criterion answers satisfied or not, with a reason in Chinese and in
//! English that names what is there and, when it fails, what is missing and
//! the threshold, and with the evidence (which platforms, funds, teams and
//! facilities, which share of tenants), so an operator sees what to fix.
//!
//! Dated records are given whole; a record counts when it is in force on the
//! as-of date ([`InForce::on`]: from its first day up to, not including, its
//! closing day).
//!
//! Shares and per-ten-tenant ratios are configuration in `f64`, but they are
//! compared in integers: each is read to six decimals (rounded to the nearest
//! millionth) and the comparison is done in whole numbers, so boundaries are
//! exact (5 of 10 tenants meets a share of 0.5 and 55 of 100 meets 0.55; 100
//! tenants at 1.1 staff per ten need exactly 11 staff, where f64 says 12).
//! Money is [`Fen`], never a float.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;

use super::ValidationError;
use super::carrier::{Industry, stored_enum};
use super::money::Fen;
use super::support::{FacilityKind, InForce, PlatformKind};

stored_enum! {
    /// The five criteria of 五有, in the order they are checked and reported.
    pub enum Criterion {
        /// 有主导产业: enough of the tenants are in the carrier's declared leading industries.
        LeadingIndustry,
        /// 有创新平台: public technology service platforms open in the carrier.
        InnovationPlatform,
        /// 有投资基金: investment funds serving the carrier.
        InvestmentFund,
        /// 有专业团队: professional staff and mentors (创业导师) in proportion to the tenants.
        ProfessionalTeam,
        /// 有配套设施: supporting facilities of the required kinds.
        SupportingFacilities,
    }
}

impl Criterion {
    /// All five, in order.
    pub const ALL: [Criterion; 5] = [
        Criterion::LeadingIndustry,
        Criterion::InnovationPlatform,
        Criterion::InvestmentFund,
        Criterion::ProfessionalTeam,
        Criterion::SupportingFacilities,
    ];

    /// Whether it reads the tenants on the date (the costly part of the
    /// records to gather); the other three read only the carrier's own records.
    pub fn reads_tenants(self) -> bool {
        matches!(self, Self::LeadingIndustry | Self::ProfessionalTeam)
    }

    /// The Chinese name, e.g. 有主导产业.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::LeadingIndustry => "有主导产业",
            Self::InnovationPlatform => "有创新平台",
            Self::InvestmentFund => "有投资基金",
            Self::ProfessionalTeam => "有专业团队",
            Self::SupportingFacilities => "有配套设施",
        }
    }

    /// The English name, e.g. "leading industry".
    pub fn name_en(self) -> &'static str {
        match self {
            Self::LeadingIndustry => "leading industry",
            Self::InnovationPlatform => "innovation platform",
            Self::InvestmentFund => "investment fund",
            Self::ProfessionalTeam => "professional team",
            Self::SupportingFacilities => "supporting facilities",
        }
    }
}

/// Default of [`ComplianceRules::min_leading_industry_share`]: half the tenants (project's choice).
pub const DEFAULT_MIN_LEADING_INDUSTRY_SHARE: f64 = 0.5;
/// Default of [`ComplianceRules::min_platforms`].
pub const DEFAULT_MIN_PLATFORMS: u32 = 1;
/// Default of [`ComplianceRules::min_funds`].
pub const DEFAULT_MIN_FUNDS: u32 = 1;
/// Default of [`ComplianceRules::min_fund_size`]: no floor on size, a fund must exist.
pub const DEFAULT_MIN_FUND_SIZE: Fen = Fen(0);
/// Default of [`ComplianceRules::staff_per_ten_tenants`] (国科发区〔2018〕300号).
pub const DEFAULT_STAFF_PER_TEN_TENANTS: f64 = 1.0;
/// Default of [`ComplianceRules::mentors_per_ten_tenants`] (国科发区〔2018〕300号).
pub const DEFAULT_MENTORS_PER_TEN_TENANTS: f64 = 1.0;
/// Default of [`ComplianceRules::min_staff`].
pub const DEFAULT_MIN_STAFF: u32 = 1;
/// Default of [`ComplianceRules::min_mentors`].
pub const DEFAULT_MIN_MENTORS: u32 = 1;
/// Default of [`ComplianceRules::required_facility_kinds`]: a shared meeting and roadshow space.
pub const DEFAULT_REQUIRED_FACILITY_KINDS: [FacilityKind; 1] =
    [FacilityKind::SharedMeetingRoadshow];
/// Default of [`ComplianceRules::min_facility_kinds`].
pub const DEFAULT_MIN_FACILITY_KINDS: u32 = 2;

/// Shares and ratios are read to millionths.
const MICROS: u64 = 1_000_000;

/// The thresholds of 五有: configuration with documented defaults (the
/// `DEFAULT_*` constants), stored as JSON with camelCase keys.
///
/// In JSON, `minFundSize` is a decimal string of yuan with at most two
/// decimals (`"5000000"`, `"5000000.00"`), as money is everywhere in the API,
/// and `requiredFacilityKinds` lists kinds by their API names
/// (`["SHARED_MEETING_ROADSHOW"]`). A key that is absent takes its default; an
/// unknown key is refused, so a misspelt threshold is not silently ignored.
/// Deserialising does not [`validate`](Self::validate): call it after reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ComplianceRules {
    /// Least share, in [0, 1], of tenants (enterprises with a lease in force)
    /// whose industry is among the carrier's leading industries; reaching it
    /// exactly passes.
    pub min_leading_industry_share: f64,
    /// Least number of public technology service platforms hosted by the
    /// carrier and open on the date.
    pub min_platforms: u32,
    /// Least number of investment funds serving the carrier and in force on the date.
    pub min_funds: u32,
    /// Least combined size of those funds.
    #[serde(with = "yuan_string")]
    pub min_fund_size: Fen,
    /// Professional staff needed for every ten tenants (rounded up:
    /// 11 tenants at 1.0 need 2).
    pub staff_per_ten_tenants: f64,
    /// Mentors (创业导师) needed for every ten tenants, rounded up likewise.
    pub mentors_per_ten_tenants: f64,
    /// Least staff, whatever the number of tenants: a team must exist even
    /// before tenants arrive.
    pub min_staff: u32,
    /// Least mentors, whatever the number of tenants.
    pub min_mentors: u32,
    /// Facility kinds that must each be open on the date.
    #[serde(with = "facility_kinds")]
    pub required_facility_kinds: Vec<FacilityKind>,
    /// Least number of distinct facility kinds open on the date (`OTHER` counts as one kind).
    pub min_facility_kinds: u32,
}

impl Default for ComplianceRules {
    fn default() -> Self {
        Self {
            min_leading_industry_share: DEFAULT_MIN_LEADING_INDUSTRY_SHARE,
            min_platforms: DEFAULT_MIN_PLATFORMS,
            min_funds: DEFAULT_MIN_FUNDS,
            min_fund_size: DEFAULT_MIN_FUND_SIZE,
            staff_per_ten_tenants: DEFAULT_STAFF_PER_TEN_TENANTS,
            mentors_per_ten_tenants: DEFAULT_MENTORS_PER_TEN_TENANTS,
            min_staff: DEFAULT_MIN_STAFF,
            min_mentors: DEFAULT_MIN_MENTORS,
            required_facility_kinds: DEFAULT_REQUIRED_FACILITY_KINDS.to_vec(),
            min_facility_kinds: DEFAULT_MIN_FACILITY_KINDS,
        }
    }
}

impl ComplianceRules {
    /// Refuses thresholds that make no sense, naming the field as the API does:
    /// a share outside [0, 1] (or NaN); a per-ten ratio that is negative or not
    /// finite; zero platforms, funds or staff (五有 means *having* one, so a
    /// threshold of zero would switch the criterion off; `minMentors` may be 0,
    /// the per-ten ratio still applies); a negative fund size; more facility
    /// kinds than exist; and a facilities criterion that asks for nothing
    /// (no required kind and `minFacilityKinds` 0).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let share = self.min_leading_industry_share;
        if !(0.0..=1.0).contains(&share) {
            return Err(ValidationError::new(
                "minLeadingIndustryShare",
                format!("{share} is not a share between 0 and 1 (0.5 means half the tenants)"),
                format!("{share} 不是 0 至 1 之间的比例（0.5 即半数在孵企业）"),
            ));
        }
        for (field, ratio) in [
            ("staffPerTenTenants", self.staff_per_ten_tenants),
            ("mentorsPerTenTenants", self.mentors_per_ten_tenants),
        ] {
            if !ratio.is_finite() || ratio < 0.0 {
                return Err(ValidationError::new(
                    field,
                    format!(
                        "{ratio} is not a number of people per ten tenants (0 or more, e.g. 1)"
                    ),
                    format!("{ratio} 不是每 10 家在孵企业配备的人数（应为 0 或以上，如 1）"),
                ));
            }
        }
        for (field, value, what, criterion) in [
            ("minPlatforms", self.min_platforms, "platform", "有创新平台"),
            ("minFunds", self.min_funds, "fund", "有投资基金"),
            ("minStaff", self.min_staff, "staff member", "有专业团队"),
        ] {
            if value == 0 {
                return Err(ValidationError::new(
                    field,
                    format!("must be at least 1: 五有 asks that a carrier have a {what}"),
                    format!("至少为 1：五有中的“{criterion}”要求载体确有其项"),
                ));
            }
        }
        if self.min_fund_size.0 < 0 {
            return Err(ValidationError::new(
                "minFundSize",
                format!("{} CNY is negative", self.min_fund_size),
                format!("基金规模不能为负数，填写的是 {} 元", self.min_fund_size),
            ));
        }
        let kinds = FacilityKind::iter().count();
        if to_usize(self.min_facility_kinds) > kinds {
            return Err(ValidationError::new(
                "minFacilityKinds",
                format!(
                    "{} kinds cannot be met: there are {kinds} facility kinds",
                    self.min_facility_kinds
                ),
                format!(
                    "配套设施只有 {kinds} 类，要求 {} 类无法满足",
                    self.min_facility_kinds
                ),
            ));
        }
        if self.min_facility_kinds == 0 && self.required_facility_kinds.is_empty() {
            return Err(ValidationError::new(
                "minFacilityKinds",
                "must be at least 1 when requiredFacilityKinds is empty, or 有配套设施 asks for nothing",
                "未指定必备设施类型（requiredFacilityKinds）时至少为 1，否则“有配套设施”形同虚设",
            ));
        }
        Ok(())
    }
}

/// A public technology service platform (公共技术服务平台) hosted by the carrier.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformRecord {
    pub id: i32,
    pub name: String,
    pub kind: PlatformKind,
    /// Opened on `from`, closed on `until`.
    pub open: InForce,
}

/// An investment fund (投资基金) serving the carrier.
#[derive(Debug, Clone, PartialEq)]
pub struct FundRecord {
    pub id: i32,
    pub name: String,
    /// Fund size (认缴规模).
    pub size: Fen,
    /// Established on `from`, wound up on `until`.
    pub active: InForce,
}

/// An operating team (运营团队) of the carrier.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamRecord {
    pub id: i32,
    pub name: String,
    /// Professional staff (专业人员).
    pub staff: u32,
    /// Mentors (创业导师).
    pub mentors: u32,
    /// Formed on `from`, disbanded on `until`.
    pub active: InForce,
}

/// A supporting facility (配套设施) of the carrier.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityRecord {
    pub id: i32,
    pub kind: FacilityKind,
    /// Public-service floor area it provides, when it is such space (the
    /// level rules count it beside the leased area); 五有 reads only the kind.
    pub area_m2: Option<f64>,
    /// Opened on `from`, closed on `until`.
    pub open: InForce,
}

/// A carrier's records as the check reads them. Dated records are given
/// whole; the check decides which are in force on the date.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CarrierRecords {
    /// Declared leading industries (repeats count once).
    pub leading_industries: Vec<Industry>,
    /// Tenants (distinct enterprises with a lease in force ON THE AS-OF DATE,
    /// already counted by the store in SQL), by their industry (None = not
    /// recorded). Repeated industries add up. Tenants without a recorded
    /// industry count among the tenants but never in a leading industry.
    pub tenants_by_industry: Vec<(Option<Industry>, u32)>,
    pub platforms: Vec<PlatformRecord>,
    pub funds: Vec<FundRecord>,
    /// Staff and mentors of all teams in force add up.
    pub teams: Vec<TeamRecord>,
    pub facilities: Vec<FacilityRecord>,
}

/// The 五有 of one carrier on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct Compliance {
    pub as_of: NaiveDate,
    /// All five, in [`Criterion`] order.
    pub criteria: Vec<CriterionResult>,
}

impl Compliance {
    /// 功能完备: all five criteria hold.
    pub fn fully_functional(&self) -> bool {
        Criterion::ALL.iter().all(|c| {
            self.criteria
                .iter()
                .any(|r| r.criterion == *c && r.satisfied)
        })
    }

    /// The criteria not met, in order.
    pub fn failing(&self) -> impl Iterator<Item = Criterion> + '_ {
        self.criteria
            .iter()
            .filter(|r| !r.satisfied)
            .map(|r| r.criterion)
    }

    /// The result of one criterion.
    ///
    /// # Panics
    /// If `criteria` lacks it, which a [`Compliance`] made by [`check`] never does.
    pub fn result(&self, criterion: Criterion) -> &CriterionResult {
        self.criteria
            .iter()
            .find(|r| r.criterion == criterion)
            .unwrap_or_else(|| panic!("a compliance check covers {criterion}"))
    }
}

/// One criterion's answer: whether it holds, why (in Chinese and English), and
/// the evidence it read.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionResult {
    pub criterion: Criterion,
    pub satisfied: bool,
    pub reason_zh: String,
    pub reason_en: String,
    pub evidence: Evidence,
}

/// Flat evidence: each criterion fills the parts it reads, the rest stay
/// empty or `None`. Ids and kinds are sorted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evidence {
    /// Platforms open on the date (有创新平台).
    pub platform_ids: Vec<i32>,
    /// Funds in force on the date (有投资基金).
    pub fund_ids: Vec<i32>,
    /// Their combined size (有投资基金).
    pub fund_size: Option<Fen>,
    /// Tenants on the date (有主导产业, 有专业团队).
    pub tenants: Option<u32>,
    /// Of them, those in a leading industry (有主导产业).
    pub tenants_in_leading_industries: Option<u32>,
    /// That number over the tenants; `None` without tenants (有主导产业).
    pub leading_industry_share: Option<f64>,
    /// Teams in force on the date (有专业团队).
    pub team_ids: Vec<i32>,
    /// Their staff, summed (有专业团队).
    pub staff: Option<u32>,
    /// Their mentors, summed (有专业团队).
    pub mentors: Option<u32>,
    /// Staff per ten tenants; `None` without tenants (有专业团队).
    pub staff_per_ten_tenants: Option<f64>,
    /// Mentors per ten tenants; `None` without tenants (有专业团队).
    pub mentors_per_ten_tenants: Option<f64>,
    /// Staff the rules ask for with these tenants (有专业团队).
    pub required_staff: Option<u32>,
    /// Mentors the rules ask for with these tenants (有专业团队).
    pub required_mentors: Option<u32>,
    /// Facilities open on the date (有配套设施).
    pub facility_ids: Vec<i32>,
    /// Their distinct kinds (有配套设施).
    pub facility_kinds: Vec<FacilityKind>,
    /// Required kinds none of them is (有配套设施).
    pub missing_facility_kinds: Vec<FacilityKind>,
}

/// Checks 五有 for a carrier's records on `as_of`.
///
/// `rules` should have passed [`ComplianceRules::validate`]; if not, a NaN or
/// negative share or ratio reads as 0 and a share above 1 cannot be met.
pub fn check(records: &CarrierRecords, as_of: NaiveDate, rules: &ComplianceRules) -> Compliance {
    Compliance {
        as_of,
        criteria: check_only(&Criterion::ALL, records, as_of, rules),
    }
}

/// Checks only `criteria` (in the order given), each exactly as [`check`]
/// does: for deciding on part of the records before reading the rest.
pub fn check_only(
    criteria: &[Criterion],
    records: &CarrierRecords,
    as_of: NaiveDate,
    rules: &ComplianceRules,
) -> Vec<CriterionResult> {
    let tenants = saturate(
        records
            .tenants_by_industry
            .iter()
            .map(|(_, n)| u64::from(*n))
            .sum(),
    );
    criteria
        .iter()
        .map(|criterion| match criterion {
            Criterion::LeadingIndustry => leading_industry(records, tenants, as_of, rules),
            Criterion::InnovationPlatform => innovation_platform(records, as_of, rules),
            Criterion::InvestmentFund => investment_fund(records, as_of, rules),
            Criterion::ProfessionalTeam => professional_team(records, tenants, as_of, rules),
            Criterion::SupportingFacilities => supporting_facilities(records, as_of, rules),
        })
        .collect()
}

/// 有主导产业. Fails, saying which, when no leading industry is declared or
/// there are no tenants on the date (a share of nothing shows no
/// concentration, whatever the threshold, even 0); otherwise passes when the
/// tenants in the leading industries reach the share (equal passes).
fn leading_industry(
    records: &CarrierRecords,
    tenants: u32,
    as_of: NaiveDate,
    rules: &ComplianceRules,
) -> CriterionResult {
    let mut leading: Vec<Industry> = Vec::new();
    for industry in &records.leading_industries {
        if !leading.contains(industry) {
            leading.push(*industry);
        }
    }
    let count = |keep: &dyn Fn(Option<Industry>) -> bool| {
        saturate(
            records
                .tenants_by_industry
                .iter()
                .filter(|(industry, _)| keep(*industry))
                .map(|(_, n)| u64::from(*n))
                .sum(),
        )
    };
    let in_leading = count(&|industry| industry.is_some_and(|i| leading.contains(&i)));
    let unrecorded = count(&|industry| industry.is_none());
    let evidence = Evidence {
        tenants: Some(tenants),
        tenants_in_leading_industries: Some(in_leading),
        leading_industry_share: (tenants > 0).then(|| f64::from(in_leading) / f64::from(tenants)),
        ..Evidence::default()
    };
    let share = micros(rules.min_leading_industry_share);
    let share_text = percent_of_micros(share);
    let needed = ceil_div(u128::from(tenants) * u128::from(share), u128::from(MICROS));
    let names_en = join(leading.iter().map(|i| i.as_ref().to_owned()), ", ");
    let names_zh = join(leading.iter().map(|i| i.name_zh().to_owned()), "、");

    let (satisfied, reason_en, reason_zh) = match (leading.is_empty(), tenants == 0) {
        (true, true) => (
            false,
            format!(
                "no leading industry declared and no tenants (enterprises with a lease in force) \
                 on {as_of}; declare at least one leading industry, and at least {share_text} of \
                 tenants must be in the leading industries"
            ),
            format!(
                "未申报主导产业，且 {as_of} 无在孵企业（租约有效的企业）；请申报至少一个主导产业，\
                 并使至少 {share_text} 的在孵企业属于主导产业"
            ),
        ),
        (true, false) => (
            false,
            format!(
                "no leading industry declared; declare at least one, and at least {share_text} \
                 of the {tenants} {} on {as_of} must be in the leading industries",
                plural(tenants, "tenant", "tenants")
            ),
            format!(
                "未申报主导产业；请申报至少一个主导产业，且 {as_of} 的 {tenants} 家在孵企业中\
                 至少 {share_text} 须属于主导产业"
            ),
        ),
        (false, true) => (
            false,
            format!(
                "no tenants (enterprises with a lease in force) on {as_of}, so none is in the \
                 leading industries {names_en}; at least {share_text} of tenants needed"
            ),
            format!(
                "{as_of} 无在孵企业（租约有效的企业），主导产业 {names_zh} 无企业集聚；\
                 至少需 {share_text} 的在孵企业属于主导产业"
            ),
        ),
        (false, false) => {
            let satisfied = u128::from(in_leading) >= needed;
            let actual = percent_floor(u64::from(in_leading), u64::from(tenants));
            let mut en = format!(
                "{in_leading} of {tenants} {} ({actual}) {} in the leading industries {names_en} \
                 on {as_of}; at least {share_text} needed ({needed} of {tenants})",
                plural(tenants, "tenant", "tenants"),
                if in_leading == 1 { "is" } else { "are" },
            );
            let mut zh = format!(
                "{as_of} 在孵企业 {tenants} 家，其中 {in_leading} 家（{actual}）属于主导产业 \
                 {names_zh}；至少需 {share_text}（{tenants} 家中 {needed} 家）"
            );
            if !satisfied && unrecorded > 0 {
                let _ = write!(
                    en,
                    "; {unrecorded} {} no industry recorded",
                    plural(unrecorded, "tenant has", "tenants have")
                );
                let _ = write!(zh, "；另有 {unrecorded} 家未登记所属产业");
            }
            (satisfied, en, zh)
        }
    };
    CriterionResult {
        criterion: Criterion::LeadingIndustry,
        satisfied,
        reason_zh,
        reason_en,
        evidence,
    }
}

/// 有创新平台: at least `min_platforms` platforms open on the date.
fn innovation_platform(
    records: &CarrierRecords,
    as_of: NaiveDate,
    rules: &ComplianceRules,
) -> CriterionResult {
    let mut open: Vec<&PlatformRecord> = records
        .platforms
        .iter()
        .filter(|p| p.open.on(as_of))
        .collect();
    open.sort_by_key(|p| p.id);
    let not_open = records.platforms.len() - open.len();
    let satisfied = open.len() >= to_usize(rules.min_platforms);
    let min = rules.min_platforms;
    let (mut en, mut zh) = if open.is_empty() {
        (
            format!("no public technology service platform open on {as_of}"),
            format!("{as_of} 无开放的公共技术服务平台"),
        )
    } else {
        (
            format!(
                "{} public technology service {} open on {as_of}: {}",
                open.len(),
                plural(open.len(), "platform", "platforms"),
                join(open.iter().map(|p| p.name.clone()), ", ")
            ),
            format!(
                "{as_of} 开放的公共技术服务平台 {} 个：{}",
                open.len(),
                join(open.iter().map(|p| p.name.clone()), "、")
            ),
        )
    };
    let _ = write!(en, "; at least {min} needed");
    let _ = write!(zh, "；至少需 {min} 个");
    if !satisfied && not_open > 0 {
        let _ = write!(
            en,
            "; {not_open} recorded {} not open on that date",
            plural(not_open, "platform is", "platforms are")
        );
        let _ = write!(zh, "；另有 {not_open} 个已登记平台在该日未开放");
    }
    CriterionResult {
        criterion: Criterion::InnovationPlatform,
        satisfied,
        reason_zh: zh,
        reason_en: en,
        evidence: Evidence {
            platform_ids: open.iter().map(|p| p.id).collect(),
            ..Evidence::default()
        },
    }
}

/// 有投资基金: at least `min_funds` funds in force on the date (a fund wound up
/// on the date is not), of a combined size of at least `min_fund_size`
/// (equal passes).
fn investment_fund(
    records: &CarrierRecords,
    as_of: NaiveDate,
    rules: &ComplianceRules,
) -> CriterionResult {
    let mut active: Vec<&FundRecord> = records
        .funds
        .iter()
        .filter(|f| f.active.on(as_of))
        .collect();
    active.sort_by_key(|f| f.id);
    let not_active = records.funds.len() - active.len();
    let total = Fen(active
        .iter()
        .fold(0_i64, |sum, f| sum.saturating_add(f.size.0)));
    let min = rules.min_funds;
    let min_size = rules.min_fund_size;
    let count_ok = active.len() >= to_usize(min);
    let size_ok = total >= min_size;
    let satisfied = count_ok && size_ok;
    let (mut en, mut zh) = if active.is_empty() {
        (
            format!("no investment fund in force on {as_of}"),
            format!("{as_of} 无存续的投资基金"),
        )
    } else {
        (
            format!(
                "{} investment {} in force on {as_of}: {}, combined {total} CNY",
                active.len(),
                plural(active.len(), "fund", "funds"),
                join(
                    active
                        .iter()
                        .map(|f| format!("{} ({} CNY)", f.name, f.size)),
                    ", "
                )
            ),
            format!(
                "{as_of} 存续的投资基金 {} 只：{}，合计 {total} 元",
                active.len(),
                join(
                    active
                        .iter()
                        .map(|f| format!("{}（{} 元）", f.name, f.size)),
                    "、"
                )
            ),
        )
    };
    let funds = plural(min, "fund", "funds");
    if min_size > Fen(0) {
        let _ = write!(
            en,
            "; at least {min} {funds} of at least {min_size} CNY combined needed"
        );
        let _ = write!(zh, "；至少需 {min} 只，合计不少于 {min_size} 元");
    } else {
        let _ = write!(en, "; at least {min} {funds} needed");
        let _ = write!(zh, "；至少需 {min} 只");
    }
    if !size_ok {
        let short = Fen(min_size.0.saturating_sub(total.0));
        let _ = write!(en, "; short by {short} CNY");
        let _ = write!(zh, "，尚差 {short} 元");
    }
    if !satisfied && not_active > 0 {
        let _ = write!(
            en,
            "; {not_active} recorded {} not in force on that date",
            plural(not_active, "fund is", "funds are")
        );
        let _ = write!(zh, "；另有 {not_active} 只已登记基金在该日不在存续期");
    }
    CriterionResult {
        criterion: Criterion::InvestmentFund,
        satisfied,
        reason_zh: zh,
        reason_en: en,
        evidence: Evidence {
            fund_ids: active.iter().map(|f| f.id).collect(),
            fund_size: Some(total),
            ..Evidence::default()
        },
    }
}

/// 有专业团队: staff and mentors summed over the teams in force on the date
/// reach `max(min, ⌈tenants × per_ten / 10⌉)` each (computed in integers: 10
/// tenants at 1.0 need 1, 11 need 2, 20 need 2). Without tenants the minimums
/// alone apply and the per-ten figures in the evidence are `None`.
fn professional_team(
    records: &CarrierRecords,
    tenants: u32,
    as_of: NaiveDate,
    rules: &ComplianceRules,
) -> CriterionResult {
    let mut active: Vec<&TeamRecord> = records
        .teams
        .iter()
        .filter(|t| t.active.on(as_of))
        .collect();
    active.sort_by_key(|t| t.id);
    let staff = saturate(active.iter().map(|t| u64::from(t.staff)).sum());
    let mentors = saturate(active.iter().map(|t| u64::from(t.mentors)).sum());
    let staff_ratio = micros(rules.staff_per_ten_tenants);
    let mentor_ratio = micros(rules.mentors_per_ten_tenants);
    let required = |ratio: u64, min: u32| {
        let by_tenants = ceil_div(
            u128::from(tenants) * u128::from(ratio),
            10 * u128::from(MICROS),
        );
        saturate(by_tenants.try_into().unwrap_or(u64::MAX)).max(min)
    };
    let required_staff = required(staff_ratio, rules.min_staff);
    let required_mentors = required(mentor_ratio, rules.min_mentors);
    let staff_short = required_staff.saturating_sub(staff);
    let mentors_short = required_mentors.saturating_sub(mentors);
    let satisfied = staff_short == 0 && mentors_short == 0;
    let per_ten =
        |people: u32| (tenants > 0).then(|| f64::from(people) * 10.0 / f64::from(tenants));

    let for_tenants_en = format!("{tenants} {}", plural(tenants, "tenant", "tenants"));
    let (mut en, mut zh) = if active.is_empty() {
        (
            format!("no operating team in force on {as_of}, for {for_tenants_en}"),
            format!("{as_of} 无在运营的团队，在孵企业 {tenants} 家"),
        )
    } else {
        (
            format!(
                "{} operating {} in force on {as_of} ({}): {staff} staff and {mentors} {} for \
                 {for_tenants_en}",
                active.len(),
                plural(active.len(), "team", "teams"),
                join(active.iter().map(|t| t.name.clone()), ", "),
                plural(mentors, "mentor", "mentors"),
            ),
            format!(
                "{as_of} 在运营的团队 {} 个（{}），共有专业人员 {staff} 名、创业导师 {mentors} 名，\
                 在孵企业 {tenants} 家",
                active.len(),
                join(active.iter().map(|t| t.name.clone()), "、"),
            ),
        )
    };
    let staff_ratio_text = decimal_of_micros(staff_ratio);
    let mentor_ratio_text = decimal_of_micros(mentor_ratio);
    let _ = write!(
        en,
        "; needed: {required_staff} staff and {required_mentors} {} ({staff_ratio_text} staff \
         and {mentor_ratio_text} {} per 10 tenants, at least {} staff and {} {})",
        plural(required_mentors, "mentor", "mentors"),
        if mentor_ratio == MICROS {
            "mentor"
        } else {
            "mentors"
        },
        rules.min_staff,
        rules.min_mentors,
        plural(rules.min_mentors, "mentor", "mentors"),
    );
    let _ = write!(
        zh,
        "；需专业人员至少 {required_staff} 名、创业导师至少 {required_mentors} 名（每 10 家在孵企业\
         配备专业人员 {staff_ratio_text} 名、创业导师 {mentor_ratio_text} 名，且分别不少于 {} 名、{} 名）",
        rules.min_staff, rules.min_mentors,
    );
    if !satisfied {
        let mut short_en = Vec::new();
        let mut short_zh = Vec::new();
        if staff_short > 0 {
            short_en.push(format!("{staff_short} staff"));
            short_zh.push(format!("专业人员 {staff_short} 名"));
        }
        if mentors_short > 0 {
            short_en.push(format!(
                "{mentors_short} {}",
                plural(mentors_short, "mentor", "mentors")
            ));
            short_zh.push(format!("创业导师 {mentors_short} 名"));
        }
        let _ = write!(en, "; short of {}", short_en.join(" and "));
        let _ = write!(zh, "；尚缺{}", short_zh.join("、"));
    }
    CriterionResult {
        criterion: Criterion::ProfessionalTeam,
        satisfied,
        reason_zh: zh,
        reason_en: en,
        evidence: Evidence {
            tenants: Some(tenants),
            team_ids: active.iter().map(|t| t.id).collect(),
            staff: Some(staff),
            mentors: Some(mentors),
            staff_per_ten_tenants: per_ten(staff),
            mentors_per_ten_tenants: per_ten(mentors),
            required_staff: Some(required_staff),
            required_mentors: Some(required_mentors),
            ..Evidence::default()
        },
    }
}

/// 有配套设施: the distinct kinds of facilities open on the date include every
/// required kind and number at least `min_facility_kinds` (`OTHER` is one
/// kind; two facilities of one kind count once). Lacking a required kind
/// fails however many other kinds there are.
fn supporting_facilities(
    records: &CarrierRecords,
    as_of: NaiveDate,
    rules: &ComplianceRules,
) -> CriterionResult {
    let mut open: Vec<&FacilityRecord> = records
        .facilities
        .iter()
        .filter(|f| f.open.on(as_of))
        .collect();
    open.sort_by_key(|f| f.id);
    let kinds: BTreeSet<FacilityKind> = open.iter().map(|f| f.kind).collect();
    let required: BTreeSet<FacilityKind> = rules.required_facility_kinds.iter().copied().collect();
    let missing: Vec<FacilityKind> = required.difference(&kinds).copied().collect();
    let min = rules.min_facility_kinds;
    let count_short = to_usize(min).saturating_sub(kinds.len());
    let satisfied = missing.is_empty() && count_short == 0;

    let kind_list_en = |kinds: &mut dyn Iterator<Item = &FacilityKind>| {
        join(kinds.map(|k| k.as_ref().to_owned()), ", ")
    };
    let kind_list_zh = |kinds: &mut dyn Iterator<Item = &FacilityKind>| {
        join(kinds.map(|k| facility_zh(*k).to_owned()), "、")
    };
    let (mut en, mut zh) = if kinds.is_empty() {
        (
            format!("no supporting facility open on {as_of}"),
            format!("{as_of} 无开放的配套设施"),
        )
    } else {
        (
            format!(
                "{} {} of supporting facility open on {as_of}: {}",
                kinds.len(),
                plural(kinds.len(), "kind", "kinds"),
                kind_list_en(&mut kinds.iter())
            ),
            format!(
                "{as_of} 开放的配套设施 {} 类：{}",
                kinds.len(),
                kind_list_zh(&mut kinds.iter())
            ),
        )
    };
    let _ = write!(
        en,
        "; needed: at least {min} {}",
        plural(min, "kind", "kinds")
    );
    let _ = write!(zh, "；需至少 {min} 类");
    if !required.is_empty() {
        let _ = write!(en, ", including {}", kind_list_en(&mut required.iter()));
        let _ = write!(zh, "，且须包括 {}", kind_list_zh(&mut required.iter()));
    }
    if !missing.is_empty() {
        let _ = write!(
            en,
            "; missing required: {}",
            kind_list_en(&mut missing.iter())
        );
        let _ = write!(zh, "；缺少必备设施 {}", kind_list_zh(&mut missing.iter()));
    }
    let other_short = count_short.saturating_sub(missing.len());
    if other_short > 0 {
        let _ = write!(
            en,
            "; {other_short} more {} needed{}",
            plural(other_short, "kind", "kinds"),
            if missing.is_empty() {
                ""
            } else {
                " besides the required"
            }
        );
        let _ = write!(zh, "；还需另外 {other_short} 类设施");
    }
    CriterionResult {
        criterion: Criterion::SupportingFacilities,
        satisfied,
        reason_zh: zh,
        reason_en: en,
        evidence: Evidence {
            facility_ids: open.iter().map(|f| f.id).collect(),
            facility_kinds: kinds.into_iter().collect(),
            missing_facility_kinds: missing,
            ..Evidence::default()
        },
    }
}

/// A share or ratio in millionths, rounded to the nearest; NaN and negatives
/// read as 0, huge values saturate.
fn micros(value: f64) -> u64 {
    if value.is_nan() || value <= 0.0 {
        0
    } else {
        // `as` saturates at u64::MAX for values beyond it.
        (value * MICROS as f64).round() as u64
    }
}

fn ceil_div(numerator: u128, denominator: u128) -> u128 {
    numerator.div_ceil(denominator)
}

fn saturate(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn to_usize(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// `part / whole` as a percentage rounded down to hundredths, trailing zeros
/// dropped ("30%", "33.33%", "66.66%"): never shows a share as reaching a
/// threshold it misses, nor 100% while a tenant is outside.
fn percent_floor(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".to_owned();
    }
    let hundredths = u128::from(part) * 10_000 / u128::from(whole);
    format!("{}%", trimmed(hundredths, 100))
}

/// A share in millionths as a percentage, exactly as read ("50%", "66.6667%").
fn percent_of_micros(share: u64) -> String {
    format!("{}%", trimmed(u128::from(share), 10_000))
}

/// A ratio in millionths as a decimal ("1", "0.5").
fn decimal_of_micros(ratio: u64) -> String {
    trimmed(u128::from(ratio), u128::from(MICROS))
}

/// `value / scale` (scale a power of ten) in decimals without trailing zeros.
fn trimmed(value: u128, scale: u128) -> String {
    let whole = value / scale;
    let fraction = value % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

fn plural<N: TryInto<u64>>(n: N, one: &'static str, many: &'static str) -> &'static str {
    if n.try_into().is_ok_and(|n| n == 1) {
        one
    } else {
        many
    }
}

fn join(items: impl Iterator<Item = String>, separator: &str) -> String {
    items.collect::<Vec<_>>().join(separator)
}

/// The Chinese name of a facility kind.
fn facility_zh(kind: FacilityKind) -> &'static str {
    match kind {
        FacilityKind::SharedMeetingRoadshow => "共享会议路演空间",
        FacilityKind::Canteen => "食堂",
        FacilityKind::TalentApartments => "人才公寓",
        FacilityKind::Laboratory => "实验室",
        FacilityKind::Parking => "停车场",
        FacilityKind::Exhibition => "展示厅",
        FacilityKind::Other => "其他设施",
    }
}

/// `minFundSize` as a decimal string of yuan ("5000000.00"), read with [`Fen::parse`].
mod yuan_string {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Fen;

    pub fn serialize<S: Serializer>(fen: &Fen, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(fen)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Fen, D::Error> {
        let text = String::deserialize(deserializer)?;
        Fen::parse("minFundSize", &text).map_err(serde::de::Error::custom)
    }
}

/// Facility kinds by their API names ("SHARED_MEETING_ROADSHOW").
mod facility_kinds {
    use serde::{Deserialize, Deserializer, Serializer};
    use strum::IntoEnumIterator;

    use super::FacilityKind;

    pub fn serialize<S: Serializer>(
        kinds: &[FacilityKind],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(kinds.iter().map(|k| k.as_ref()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<FacilityKind>, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        names
            .iter()
            .map(|name| {
                name.parse().map_err(|_| {
                    let known: Vec<String> = FacilityKind::iter().map(|k| k.to_string()).collect();
                    serde::de::Error::custom(format!(
                        "requiredFacilityKinds: '{name}' is not a facility kind; one of {}",
                        known.join(", ")
                    ))
                })
            })
            .collect()
    }
}

/// What a carrier's support records add up to on a date, for the level
/// rules: the funds, teams and public-service facilities in force.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SupportTotals {
    pub fund_size: Fen,
    pub staff: u32,
    pub mentors: u32,
    pub public_service_m2: f64,
}

impl CarrierRecords {
    /// The funds, teams and facilities in force on `as_of`, added up.
    pub fn totals_on(&self, as_of: NaiveDate) -> SupportTotals {
        let teams = self.teams.iter().filter(|t| t.active.on(as_of));
        SupportTotals {
            fund_size: Fen(self
                .funds
                .iter()
                .filter(|f| f.active.on(as_of))
                .map(|f| f.size.0)
                .sum()),
            staff: teams.clone().map(|t| t.staff).sum(),
            mentors: teams.map(|t| t.mentors).sum(),
            public_service_m2: self
                .facilities
                .iter()
                .filter(|f| f.open.on(as_of))
                .filter_map(|f| f.area_m2)
                .sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    const AS_OF: &str = "2025-06-30";

    fn since(from: &str) -> InForce {
        InForce {
            from: day(from),
            until: None,
        }
    }

    fn between(from: &str, until: &str) -> InForce {
        InForce {
            from: day(from),
            until: Some(day(until)),
        }
    }

    fn platform(id: i32, open: InForce) -> PlatformRecord {
        PlatformRecord {
            id,
            name: format!("平台{id}"),
            kind: PlatformKind::TestingInspection,
            open,
        }
    }

    fn fund(id: i32, size: Fen, active: InForce) -> FundRecord {
        FundRecord {
            id,
            name: format!("基金{id}"),
            size,
            active,
        }
    }

    fn team(id: i32, staff: u32, mentors: u32) -> TeamRecord {
        TeamRecord {
            id,
            name: format!("团队{id}"),
            staff,
            mentors,
            active: since("2024-01-01"),
        }
    }

    fn facility(id: i32, kind: FacilityKind) -> FacilityRecord {
        FacilityRecord {
            id,
            kind,
            area_m2: None,
            open: since("2024-01-01"),
        }
    }

    /// `leading` tenants in IOT and `others` in BIOMEDICINE.
    fn tenants(leading: u32, others: u32) -> Vec<(Option<Industry>, u32)> {
        vec![
            (Some(Industry::Iot), leading),
            (Some(Industry::Biomedicine), others),
        ]
    }

    /// Ten tenants, six in the leading industries: meets all five under the defaults.
    fn compliant() -> CarrierRecords {
        CarrierRecords {
            leading_industries: vec![Industry::Iot, Industry::SoftwareIt],
            tenants_by_industry: vec![
                (Some(Industry::Iot), 4),
                (Some(Industry::SoftwareIt), 2),
                (Some(Industry::Biomedicine), 3),
                (None, 1),
            ],
            platforms: vec![platform(3, since("2024-05-01"))],
            funds: vec![fund(7, Fen::yuan(5_000_000), since("2024-01-01"))],
            teams: vec![team(2, 1, 1)],
            facilities: vec![
                facility(1, FacilityKind::SharedMeetingRoadshow),
                facility(2, FacilityKind::Canteen),
            ],
        }
    }

    fn result_of(
        records: &CarrierRecords,
        rules: &ComplianceRules,
        c: Criterion,
    ) -> CriterionResult {
        check(records, day(AS_OF), rules).result(c).clone()
    }

    #[test]
    fn a_carrier_with_all_five_is_fully_functional() {
        let compliance = check(&compliant(), day(AS_OF), &ComplianceRules::default());
        let order: Vec<_> = compliance.criteria.iter().map(|r| r.criterion).collect();
        assert_eq!(order, Criterion::ALL.to_vec());
        assert!(compliance.fully_functional(), "{compliance:#?}");
        assert_eq!(compliance.failing().count(), 0);
    }

    #[test]
    fn checking_some_criteria_gives_what_the_whole_check_gives_for_them() {
        let rules = ComplianceRules::default();
        let failing_two = CarrierRecords {
            funds: vec![],
            tenants_by_industry: tenants(1, 9),
            ..compliant()
        };
        for records in [compliant(), failing_two, CarrierRecords::default()] {
            let whole = check(&records, day(AS_OF), &rules);
            let (tenant_free, tenant_bound): (Vec<Criterion>, Vec<Criterion>) =
                Criterion::ALL.iter().partition(|c| !c.reads_tenants());
            assert_eq!(tenant_free.len(), 3);
            for part in [tenant_free, tenant_bound] {
                let results = check_only(&part, &records, day(AS_OF), &rules);
                let expected: Vec<CriterionResult> =
                    part.iter().map(|c| whole.result(*c).clone()).collect();
                assert_eq!(results, expected);
            }
        }
    }

    #[test]
    fn criteria_that_do_not_read_tenants_ignore_them() {
        let rules = ComplianceRules::default();
        let without_tenants = CarrierRecords {
            tenants_by_industry: vec![],
            ..compliant()
        };
        for criterion in Criterion::ALL {
            let with = result_of(&compliant(), &rules, criterion);
            let without = result_of(&without_tenants, &rules, criterion);
            assert_eq!(with == without, !criterion.reads_tenants(), "{criterion}");
        }
    }

    #[test]
    fn the_leading_industry_share_is_met_at_its_boundary_exactly() {
        let rules = ComplianceRules::default();
        // (in leading, others, satisfied): just below, at and just above 0.5.
        for (leading, others, satisfied) in
            [(4, 6, false), (5, 5, true), (6, 4, true), (0, 1, false)]
        {
            let records = CarrierRecords {
                leading_industries: vec![Industry::Iot],
                tenants_by_industry: tenants(leading, others),
                ..compliant()
            };
            let result = result_of(&records, &rules, Criterion::LeadingIndustry);
            assert_eq!(
                result.satisfied,
                satisfied,
                "{leading} of {}",
                leading + others
            );
            assert_eq!(result.evidence.tenants, Some(leading + others));
            assert_eq!(result.evidence.tenants_in_leading_industries, Some(leading));
        }
    }

    #[test]
    fn shares_are_compared_without_float_error() {
        // 0.55 × 100 is 55.000000000000007 in f64; 55 of 100 must pass.
        let rules = ComplianceRules {
            min_leading_industry_share: 0.55,
            ..ComplianceRules::default()
        };
        for (leading, satisfied) in [(54, false), (55, true), (56, true)] {
            let records = CarrierRecords {
                leading_industries: vec![Industry::Iot],
                tenants_by_industry: tenants(leading, 100 - leading),
                ..compliant()
            };
            let result = result_of(&records, &rules, Criterion::LeadingIndustry);
            assert_eq!(result.satisfied, satisfied, "{leading} of 100");
        }
    }

    #[test]
    fn a_failing_share_names_the_numbers_the_industries_and_the_threshold() {
        let records = CarrierRecords {
            leading_industries: vec![Industry::Iot, Industry::SoftwareIt],
            tenants_by_industry: vec![
                (Some(Industry::Iot), 2),
                (Some(Industry::SoftwareIt), 1),
                (Some(Industry::Biomedicine), 5),
                (None, 2),
            ],
            ..compliant()
        };
        let result = result_of(
            &records,
            &ComplianceRules::default(),
            Criterion::LeadingIndustry,
        );
        assert!(!result.satisfied);
        assert!(
            result.reason_en.starts_with(
                "3 of 10 tenants (30%) are in the leading industries IOT, SOFTWARE_IT on \
                 2025-06-30; at least 50% needed (5 of 10)"
            ),
            "{}",
            result.reason_en
        );
        assert!(
            result
                .reason_en
                .ends_with("2 tenants have no industry recorded")
        );
        assert!(
            result
                .reason_zh
                .contains("其中 3 家（30%）属于主导产业 物联网、软件与信息技术服务")
        );
        assert!(result.reason_zh.contains("至少需 50%（10 家中 5 家）"));
        assert_eq!(result.evidence.leading_industry_share, Some(0.3));
    }

    #[test]
    fn a_share_is_shown_rounded_down_so_it_never_seems_to_reach_a_missed_threshold() {
        assert_eq!(percent_floor(2, 3), "66.66%");
        assert_eq!(percent_floor(9_999, 10_000), "99.99%");
        assert_eq!(percent_floor(1, 8), "12.5%");
        assert_eq!(percent_of_micros(micros(2.0 / 3.0)), "66.6667%");
        assert_eq!(decimal_of_micros(micros(1.0)), "1");
        assert_eq!(decimal_of_micros(micros(0.25)), "0.25");
    }

    #[test]
    fn no_tenants_or_no_declared_industry_fails_saying_which() {
        let rules = ComplianceRules {
            min_leading_industry_share: 0.0,
            ..ComplianceRules::default()
        };
        let no_tenants = CarrierRecords {
            tenants_by_industry: vec![],
            ..compliant()
        };
        let result = result_of(&no_tenants, &rules, Criterion::LeadingIndustry);
        assert!(!result.satisfied);
        assert!(
            result.reason_en.starts_with("no tenants"),
            "{}",
            result.reason_en
        );
        assert!(result.reason_zh.contains("2025-06-30 无在孵企业"));
        assert_eq!(result.evidence.leading_industry_share, None);

        let undeclared = CarrierRecords {
            leading_industries: vec![],
            ..compliant()
        };
        let result = result_of(&undeclared, &rules, Criterion::LeadingIndustry);
        assert!(!result.satisfied);
        assert!(
            result.reason_en.contains("declare at least one"),
            "{}",
            result.reason_en
        );
        assert!(result.reason_zh.starts_with("未申报主导产业"));

        let neither = CarrierRecords {
            leading_industries: vec![],
            tenants_by_industry: vec![],
            ..compliant()
        };
        let result = result_of(&neither, &rules, Criterion::LeadingIndustry);
        assert!(
            result
                .reason_en
                .contains("no leading industry declared and no tenants")
        );
    }

    #[test]
    fn platforms_count_when_open_on_the_date() {
        let rules = ComplianceRules {
            min_platforms: 2,
            ..ComplianceRules::default()
        };
        let opening_today = platform(4, since(AS_OF));
        let closed_today = platform(5, between("2024-01-01", AS_OF));
        let closing_tomorrow = platform(6, between("2024-01-01", "2025-07-01"));
        let opening_tomorrow = platform(8, since("2025-07-01"));
        for (platforms, satisfied, ids) in [
            (vec![], false, vec![]),
            (
                vec![opening_today.clone(), closed_today.clone()],
                false,
                vec![4],
            ),
            (
                vec![closing_tomorrow.clone(), opening_today.clone()],
                true,
                vec![4, 6],
            ),
            (
                vec![
                    opening_today,
                    closing_tomorrow,
                    platform(1, since("2020-01-01")),
                    opening_tomorrow,
                ],
                true,
                vec![1, 4, 6],
            ),
        ] {
            let records = CarrierRecords {
                platforms,
                ..compliant()
            };
            let result = result_of(&records, &rules, Criterion::InnovationPlatform);
            assert_eq!(result.satisfied, satisfied, "{}", result.reason_en);
            assert_eq!(result.evidence.platform_ids, ids);
        }
    }

    #[test]
    fn a_missing_platform_is_named_with_its_date() {
        let records = CarrierRecords {
            platforms: vec![platform(5, between("2024-01-01", AS_OF))],
            ..compliant()
        };
        let result = result_of(
            &records,
            &ComplianceRules::default(),
            Criterion::InnovationPlatform,
        );
        assert!(!result.satisfied);
        assert_eq!(
            result.reason_en,
            "no public technology service platform open on 2025-06-30; at least 1 needed; \
             1 recorded platform is not open on that date"
        );
        assert!(
            result
                .reason_zh
                .starts_with("2025-06-30 无开放的公共技术服务平台；至少需 1 个")
        );
    }

    #[test]
    fn funds_count_when_in_force_and_large_enough_together() {
        let rules = ComplianceRules {
            min_funds: 1,
            min_fund_size: Fen::yuan(10_000_000),
            ..ComplianceRules::default()
        };
        let open = since("2024-01-01");
        for (funds, satisfied, size) in [
            (
                vec![fund(1, Fen(999_999_999), open)],
                false,
                Fen(999_999_999),
            ),
            (
                vec![fund(1, Fen::yuan(10_000_000), open)],
                true,
                Fen::yuan(10_000_000),
            ),
            (
                vec![fund(1, Fen(1_000_000_001), open)],
                true,
                Fen(1_000_000_001),
            ),
            // Two funds add up.
            (
                vec![
                    fund(1, Fen::yuan(4_000_000), open),
                    fund(2, Fen::yuan(6_000_000), open),
                ],
                true,
                Fen::yuan(10_000_000),
            ),
            // Wound up on the as-of date: the closing day is exclusive.
            (
                vec![fund(1, Fen::yuan(10_000_000), between("2024-01-01", AS_OF))],
                false,
                Fen(0),
            ),
            // Wound up the next day: still in force.
            (
                vec![fund(
                    1,
                    Fen::yuan(10_000_000),
                    between("2024-01-01", "2025-07-01"),
                )],
                true,
                Fen::yuan(10_000_000),
            ),
            // Established on the as-of date: in force.
            (
                vec![fund(1, Fen::yuan(10_000_000), since(AS_OF))],
                true,
                Fen::yuan(10_000_000),
            ),
        ] {
            let records = CarrierRecords {
                funds,
                ..compliant()
            };
            let result = result_of(&records, &rules, Criterion::InvestmentFund);
            assert_eq!(result.satisfied, satisfied, "{}", result.reason_en);
            assert_eq!(result.evidence.fund_size, Some(size));
        }
    }

    #[test]
    fn fund_count_is_met_at_its_boundary() {
        let rules = ComplianceRules {
            min_funds: 2,
            ..ComplianceRules::default()
        };
        let open = since("2024-01-01");
        for (count, satisfied) in [(1, false), (2, true), (3, true)] {
            let records = CarrierRecords {
                funds: (1..=count).map(|id| fund(id, Fen::yuan(1), open)).collect(),
                ..compliant()
            };
            let result = result_of(&records, &rules, Criterion::InvestmentFund);
            assert_eq!(result.satisfied, satisfied, "{count} funds");
            assert_eq!(
                result.evidence.fund_ids.len(),
                usize::try_from(count).unwrap()
            );
        }
    }

    #[test]
    fn a_fund_short_of_the_size_says_by_how_much() {
        let rules = ComplianceRules {
            min_fund_size: Fen::yuan(10_000_000),
            ..ComplianceRules::default()
        };
        let records = CarrierRecords {
            funds: vec![fund(7, Fen::yuan(5_000_000), since("2024-01-01"))],
            ..compliant()
        };
        let result = result_of(&records, &rules, Criterion::InvestmentFund);
        assert_eq!(
            result.reason_en,
            "1 investment fund in force on 2025-06-30: 基金7 (5000000.00 CNY), combined \
             5000000.00 CNY; at least 1 fund of at least 10000000.00 CNY combined needed; short \
             by 5000000.00 CNY"
        );
        assert!(
            result.reason_zh.ends_with("，尚差 5000000.00 元"),
            "{}",
            result.reason_zh
        );
    }

    #[test]
    fn staff_and_mentors_are_needed_per_ten_tenants_rounded_up() {
        let rules = ComplianceRules::default();
        // (tenants, staff, mentors, required each, satisfied)
        for (n, staff, mentors, required, satisfied) in [
            (0, 1, 1, 1, true),
            (0, 0, 1, 1, false),
            (0, 1, 0, 1, false),
            (9, 1, 1, 1, true),
            (10, 1, 1, 1, true),
            (11, 1, 2, 2, false),
            (11, 2, 1, 2, false),
            (11, 2, 2, 2, true),
            (20, 2, 2, 2, true),
            (21, 2, 3, 3, false),
            (21, 3, 3, 3, true),
        ] {
            let records = CarrierRecords {
                tenants_by_industry: tenants(n, 0),
                teams: vec![team(1, staff, mentors)],
                ..compliant()
            };
            let result = result_of(&records, &rules, Criterion::ProfessionalTeam);
            assert_eq!(
                result.satisfied, satisfied,
                "{n} tenants: {}",
                result.reason_en
            );
            assert_eq!(
                result.evidence.required_staff,
                Some(required),
                "{n} tenants"
            );
            assert_eq!(
                result.evidence.required_mentors,
                Some(required),
                "{n} tenants"
            );
        }
    }

    #[test]
    fn required_staff_is_computed_without_float_error() {
        // 100 × 1.1 / 10 is 11.000000000000002 in f64; exactly 11 are needed.
        let rules = ComplianceRules {
            staff_per_ten_tenants: 1.1,
            mentors_per_ten_tenants: 0.5,
            ..ComplianceRules::default()
        };
        let records = CarrierRecords {
            tenants_by_industry: tenants(100, 0),
            teams: vec![team(1, 11, 5)],
            ..compliant()
        };
        let result = result_of(&records, &rules, Criterion::ProfessionalTeam);
        assert!(result.satisfied, "{}", result.reason_en);
        assert_eq!(result.evidence.required_staff, Some(11));
        assert_eq!(result.evidence.required_mentors, Some(5));
    }

    #[test]
    fn teams_in_force_add_up_and_a_disbanded_team_does_not_count() {
        let disbanded = TeamRecord {
            active: between("2024-01-01", AS_OF),
            ..team(9, 5, 5)
        };
        let records = CarrierRecords {
            tenants_by_industry: tenants(11, 0),
            teams: vec![team(3, 1, 2), disbanded, team(1, 1, 0)],
            ..compliant()
        };
        let result = result_of(
            &records,
            &ComplianceRules::default(),
            Criterion::ProfessionalTeam,
        );
        assert!(result.satisfied, "{}", result.reason_en);
        let evidence = &result.evidence;
        assert_eq!(evidence.team_ids, vec![1, 3]);
        assert_eq!((evidence.staff, evidence.mentors), (Some(2), Some(2)));
        let per_ten = evidence.staff_per_ten_tenants.unwrap();
        assert!((per_ten - 20.0 / 11.0).abs() < 1e-12);
    }

    #[test]
    fn a_short_team_says_what_is_short_and_per_ten_figures_need_tenants() {
        let records = CarrierRecords {
            tenants_by_industry: tenants(11, 0),
            teams: vec![team(1, 1, 2)],
            ..compliant()
        };
        let result = result_of(
            &records,
            &ComplianceRules::default(),
            Criterion::ProfessionalTeam,
        );
        assert!(
            result.reason_en.ends_with("; short of 1 staff"),
            "{}",
            result.reason_en
        );
        assert!(result.reason_en.contains("needed: 2 staff and 2 mentors"));
        assert!(
            result.reason_zh.ends_with("；尚缺专业人员 1 名"),
            "{}",
            result.reason_zh
        );

        let empty = CarrierRecords {
            tenants_by_industry: vec![],
            teams: vec![],
            ..compliant()
        };
        let result = result_of(
            &empty,
            &ComplianceRules::default(),
            Criterion::ProfessionalTeam,
        );
        assert!(!result.satisfied);
        assert!(
            result
                .reason_en
                .starts_with("no operating team in force on 2025-06-30")
        );
        assert_eq!(result.evidence.staff_per_ten_tenants, None);
        assert_eq!(result.evidence.mentors_per_ten_tenants, None);
    }

    #[test]
    fn facilities_need_every_required_kind_and_enough_kinds() {
        use FacilityKind::*;
        let rules = ComplianceRules::default(); // SHARED_MEETING_ROADSHOW, 2 kinds
        for (kinds, satisfied, missing) in [
            (vec![], false, vec![SharedMeetingRoadshow]),
            (vec![SharedMeetingRoadshow], false, vec![]),
            (
                vec![SharedMeetingRoadshow, SharedMeetingRoadshow],
                false,
                vec![],
            ),
            (vec![SharedMeetingRoadshow, Canteen], true, vec![]),
            (
                vec![Laboratory, SharedMeetingRoadshow, Canteen],
                true,
                vec![],
            ),
            // Enough kinds, but not the required one.
            (
                vec![Canteen, Laboratory, Parking],
                false,
                vec![SharedMeetingRoadshow],
            ),
        ] {
            let records = CarrierRecords {
                facilities: kinds
                    .iter()
                    .zip(1..)
                    .map(|(kind, id)| facility(id, *kind))
                    .collect(),
                ..compliant()
            };
            let result = result_of(&records, &rules, Criterion::SupportingFacilities);
            assert_eq!(
                result.satisfied, satisfied,
                "{kinds:?}: {}",
                result.reason_en
            );
            assert_eq!(result.evidence.missing_facility_kinds, missing, "{kinds:?}");
        }
    }

    #[test]
    fn a_closed_facility_does_not_count_and_the_reason_names_what_is_missing() {
        let closed = FacilityRecord {
            open: between("2024-01-01", AS_OF),
            ..facility(1, FacilityKind::SharedMeetingRoadshow)
        };
        let records = CarrierRecords {
            facilities: vec![
                closed,
                facility(2, FacilityKind::Canteen),
                facility(3, FacilityKind::Laboratory),
            ],
            ..compliant()
        };
        let result = result_of(
            &records,
            &ComplianceRules::default(),
            Criterion::SupportingFacilities,
        );
        assert!(!result.satisfied);
        assert_eq!(result.evidence.facility_ids, vec![2, 3]);
        assert_eq!(
            result.evidence.facility_kinds,
            vec![FacilityKind::Canteen, FacilityKind::Laboratory]
        );
        assert_eq!(
            result.reason_en,
            "2 kinds of supporting facility open on 2025-06-30: CANTEEN, LABORATORY; needed: at \
             least 2 kinds, including SHARED_MEETING_ROADSHOW; missing required: \
             SHARED_MEETING_ROADSHOW"
        );
        assert!(
            result
                .reason_zh
                .ends_with("；缺少必备设施 共享会议路演空间"),
            "{}",
            result.reason_zh
        );
    }

    #[test]
    fn fully_functional_flips_exactly_when_the_fifth_criterion_is_met() {
        let rules = ComplianceRules::default();
        type Breaker = fn(&mut CarrierRecords);
        let breakers: [(Criterion, Breaker); 5] = [
            (Criterion::LeadingIndustry, |r| {
                r.leading_industries = vec![Industry::Quantum]
            }),
            (Criterion::InnovationPlatform, |r| r.platforms.clear()),
            (Criterion::InvestmentFund, |r| {
                r.funds[0].active = between("2024-01-01", AS_OF);
            }),
            (Criterion::ProfessionalTeam, |r| r.teams[0].mentors = 0),
            (Criterion::SupportingFacilities, |r| {
                r.facilities.truncate(1)
            }),
        ];
        for (criterion, break_it) in breakers {
            let mut four = compliant();
            break_it(&mut four);
            let compliance = check(&four, day(AS_OF), &rules);
            assert!(!compliance.fully_functional(), "{criterion} broken");
            assert_eq!(compliance.failing().collect::<Vec<_>>(), vec![criterion]);
            assert!(check(&compliant(), day(AS_OF), &rules).fully_functional());
        }
    }

    #[test]
    fn default_rules_are_valid_and_a_share_above_one_is_refused() {
        assert_eq!(ComplianceRules::default().validate(), Ok(()));
        let with = |f: fn(&mut ComplianceRules)| {
            let mut rules = ComplianceRules::default();
            f(&mut rules);
            rules.validate().err().map(|e| e.field)
        };
        assert_eq!(with(|r| r.min_leading_industry_share = 1.0), None);
        assert_eq!(with(|r| r.min_leading_industry_share = 0.0), None);
        for (field, broken) in [
            (
                "minLeadingIndustryShare",
                with(|r| r.min_leading_industry_share = 1.000_001),
            ),
            (
                "minLeadingIndustryShare",
                with(|r| r.min_leading_industry_share = -0.1),
            ),
            (
                "minLeadingIndustryShare",
                with(|r| r.min_leading_industry_share = f64::NAN),
            ),
            (
                "staffPerTenTenants",
                with(|r| r.staff_per_ten_tenants = -1.0),
            ),
            (
                "mentorsPerTenTenants",
                with(|r| r.mentors_per_ten_tenants = f64::INFINITY),
            ),
            ("minPlatforms", with(|r| r.min_platforms = 0)),
            ("minFunds", with(|r| r.min_funds = 0)),
            ("minStaff", with(|r| r.min_staff = 0)),
            ("minFundSize", with(|r| r.min_fund_size = Fen(-1))),
            ("minFacilityKinds", with(|r| r.min_facility_kinds = 8)),
            (
                "minFacilityKinds",
                with(|r| {
                    r.min_facility_kinds = 0;
                    r.required_facility_kinds.clear();
                }),
            ),
        ] {
            assert_eq!(broken.as_deref(), Some(field));
        }
        assert_eq!(with(|r| r.min_mentors = 0), None);
        assert_eq!(with(|r| r.min_facility_kinds = 7), None);
    }

    #[test]
    fn rules_are_stored_as_camel_case_json_with_money_as_a_decimal_string() {
        let json = serde_json::to_value(ComplianceRules::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "minLeadingIndustryShare": 0.5,
                "minPlatforms": 1,
                "minFunds": 1,
                "minFundSize": "0.00",
                "staffPerTenTenants": 1.0,
                "mentorsPerTenTenants": 1.0,
                "minStaff": 1,
                "minMentors": 1,
                "requiredFacilityKinds": ["SHARED_MEETING_ROADSHOW"],
                "minFacilityKinds": 2,
            })
        );
        let read: ComplianceRules = serde_json::from_value(json).unwrap();
        assert_eq!(read, ComplianceRules::default());
    }

    #[test]
    fn stored_rules_missing_a_key_take_its_default_and_bad_keys_or_values_are_refused() {
        let read: ComplianceRules = serde_json::from_str(
            r#"{"minFundSize": "5000000", "requiredFacilityKinds": ["canteen", "LABORATORY"]}"#,
        )
        .unwrap();
        assert_eq!(read.min_fund_size, Fen::yuan(5_000_000));
        assert_eq!(
            read.required_facility_kinds,
            vec![FacilityKind::Canteen, FacilityKind::Laboratory]
        );
        assert_eq!(read.min_platforms, DEFAULT_MIN_PLATFORMS);

        for bad in [
            r#"{"minPlatfroms": 2}"#,
            r#"{"minFundSize": "-5"}"#,
            r#"{"minFundSize": 5}"#,
            r#"{"requiredFacilityKinds": ["GYM"]}"#,
        ] {
            assert!(
                serde_json::from_str::<ComplianceRules>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn criteria_have_their_chinese_and_english_names() {
        assert_eq!(Criterion::LeadingIndustry.name_zh(), "有主导产业");
        assert_eq!(Criterion::SupportingFacilities.name_zh(), "有配套设施");
        assert_eq!(Criterion::InvestmentFund.name_en(), "investment fund");
        assert_eq!(Criterion::ProfessionalTeam.as_ref(), "PROFESSIONAL_TEAM");
        assert_eq!(
            Criterion::iter().collect::<Vec<_>>(),
            Criterion::ALL.to_vec()
        );
    }
}
