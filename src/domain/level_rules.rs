//! Level rule sets (级别认定标准): versioned, published criteria for recognising
//! a carrier at a level, and the check "which level could this carrier apply
//! for, and what is missing".
//!
//! A [`RuleSet`] is data: the document it comes from, the carrier kinds it
//! covers, the level it grants, the dates it is in effect and a list of
//! [`Requirement`]s, each a [`Check`] of one [`Metric`] against a threshold (or
//! a group of which any one must pass). Adding a rule set (the 2025 national
//! incubator rules, a provincial one) is adding one entry to [`RULE_SETS`];
//! ending one is giving it an `effective_until`. Nothing else changes.
//!
//! The only input is [`CarrierFigures`], computed by the store for an as-of
//! date. Evaluation is pure.
//!
//! # How a check compares
//! - Equal to the threshold passes. Comparisons allow a relative tolerance of
//!   [`TOLERANCE`], so a share of 7,500 / 10,000 m² meets 0.75 whatever the
//!   float representation.
//! - Money is compared exactly, in fen.
//! - A ratio (`OCCUPIED_SHARE`, `TENANTS_PER_THOUSAND_M2`, `*_PER_TEN_TENANTS`)
//!   is checked in multiplied-out form: numerator ≥ threshold × base. So "for
//!   every 10 tenants at least 1 mentor" means mentors ≥ ⌈tenants × 1 / 10⌉
//!   (48 tenants need 5 mentors). With a zero base (no tenants, no floor area)
//!   the ratio itself is undefined ([`Metric::of`] is `None`) but the rule
//!   demands nothing, so the check passes: "one mentor per ten tenants" is met
//!   by a carrier with no tenants. Rule sets that need tenants or area say so
//!   with their own checks (the 2018 incubator rules require 50 tenants).
//! - A figure zaiti does not hold (workstations, for now) makes its check
//!   [`Outcome::Unknown`], never a silent pass or fail.
//!
//! # What a gap is
//! The amount to add to pass, in [`Metric::gap_unit`]: the metric's own unit
//! for a plain figure (m², CNY, enterprises, people), and for a ratio the
//! numerator to add with the base as it is (m² to lease or equip, tenants to
//! take in, staff or mentors to engage), since that is what an operator can act
//! on. Whole things (enterprises, people, workstations) are rounded up.

use chrono::NaiveDate;

use super::carrier::{CarrierKind, Level, stored_enum};
use super::money::Fen;

/// Relative tolerance of every threshold comparison: a value within
/// `TOLERANCE × max(1, |threshold|)` below a threshold meets it.
pub const TOLERANCE: f64 = 1e-9;

/// A carrier's figures on an as-of date, computed by the store (in SQL): the
/// only input of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct CarrierFigures {
    /// 孵化场地面积: floor area of space phases delivered on or before the date, m².
    pub floor_area_m2: f64,
    /// Area of the leases in force on the date, m².
    pub leased_m2: f64,
    /// 公共服务场地: area of the supporting facilities in force that have an area, m².
    pub public_service_m2: f64,
    /// 在孵企业: enterprises with a lease in force.
    pub tenants: u32,
    /// 毕业企业: enterprises that graduated here on or before the date (cumulative).
    pub graduates: u32,
    /// Distinct enterprises that moved in within the 365 days ending on the date.
    pub new_tenants_last_year: u32,
    /// 孵化资金: size of the funds serving the carrier, in force.
    pub fund_size: Fen,
    /// 专业孵化服务人员: staff of the operating teams in force.
    pub staff: u32,
    /// 创业导师: mentors of the operating teams in force.
    pub mentors: u32,
    /// 工位: workstations. Not held by zaiti yet: `None` makes a check on it unknown.
    pub workstations: Option<u32>,
}

stored_enum! {
    /// A figure a level criterion is about, derived from [`CarrierFigures`].
    pub enum Metric {
        /// 可自主支配场地面积: floor area, m².
        FloorAreaM2,
        /// (Leased + public service area) / floor area, 0 to 1: tenants' share of
        /// the area, public service area included (在孵企业使用场地占比); for a
        /// makerspace, workstations and public space (工位和公共服务场地占比).
        OccupiedShare,
        /// 在孵企业数: tenants with a lease in force.
        Tenants,
        /// 每千平方米在孵企业数: tenants per 1,000 m² of floor area.
        TenantsPerThousandM2,
        /// 累计毕业企业数: cumulative graduates.
        Graduates,
        /// 孵化资金规模: fund size, CNY.
        FundSizeCny,
        /// 专职工作人员: operating staff.
        Staff,
        /// 创业导师: mentors.
        Mentors,
        /// Staff for every 10 tenants (每10家在孵企业配备专业孵化服务人员).
        StaffPerTenTenants,
        /// Mentors for every 10 tenants (每10家在孵企业对接创业导师).
        MentorsPerTenTenants,
        /// 年度新增入驻团队和企业: tenants that moved in within the last 365 days.
        NewTenantsLastYear,
        /// 工位数: workstations.
        Workstations,
    }
}

/// How a metric is measured: what [`evaluate`] compares.
enum Measure {
    /// A figure, `None` when not held; `whole` for counts.
    Value { value: Option<f64>, whole: bool },
    /// Money, compared exactly.
    Money(Fen),
    /// `numerator / base × per`; `whole` when the numerator counts whole things.
    Ratio {
        numerator: f64,
        base: f64,
        per: f64,
        whole: bool,
    },
}

impl Metric {
    /// The unit of the metric's values and thresholds.
    pub fn unit(self) -> &'static str {
        match self {
            Self::FloorAreaM2 => "m²",
            Self::OccupiedShare => "share",
            Self::Tenants | Self::Graduates | Self::NewTenantsLastYear => "enterprises",
            Self::TenantsPerThousandM2 => "enterprises per 1,000 m²",
            Self::FundSizeCny => "CNY",
            Self::Staff | Self::Mentors => "people",
            Self::StaffPerTenTenants => "staff per 10 tenants",
            Self::MentorsPerTenTenants => "mentors per 10 tenants",
            Self::Workstations => "workstations",
        }
    }

    /// The unit of a [`CheckResult::gap`] and [`CheckResult::needed`]: the
    /// metric's own unit, except for a ratio, whose gap is its numerator to add.
    pub fn gap_unit(self) -> &'static str {
        match self {
            Self::OccupiedShare => "m²",
            Self::TenantsPerThousandM2 => "enterprises",
            Self::StaffPerTenTenants | Self::MentorsPerTenTenants => "people",
            other => other.unit(),
        }
    }

    /// The metric's value for `figures`, in [`Metric::unit`]; `None` when zaiti
    /// does not hold the figure, when it is not finite, or for a ratio over a
    /// zero base (no floor area, no tenants), which is undefined.
    pub fn of(self, figures: &CarrierFigures) -> Option<f64> {
        match self.measure(figures) {
            Measure::Value { value, .. } => value,
            Measure::Money(fen) => Some(fen.0 as f64 / 100.0),
            Measure::Ratio {
                numerator,
                base,
                per,
                ..
            } => (base > 0.0)
                .then(|| numerator / base * per)
                .filter(|v| v.is_finite()),
        }
    }

    fn measure(self, f: &CarrierFigures) -> Measure {
        let count = |n: u32| Measure::Value {
            value: Some(f64::from(n)),
            whole: true,
        };
        match self {
            Self::FloorAreaM2 => Measure::Value {
                value: Some(f.floor_area_m2).filter(|v| v.is_finite()),
                whole: false,
            },
            Self::OccupiedShare => Measure::Ratio {
                numerator: f.leased_m2 + f.public_service_m2,
                base: f.floor_area_m2,
                per: 1.0,
                whole: false,
            },
            Self::Tenants => count(f.tenants),
            Self::TenantsPerThousandM2 => Measure::Ratio {
                numerator: f64::from(f.tenants),
                base: f.floor_area_m2,
                per: 1000.0,
                whole: true,
            },
            Self::Graduates => count(f.graduates),
            Self::FundSizeCny => Measure::Money(f.fund_size),
            Self::Staff => count(f.staff),
            Self::Mentors => count(f.mentors),
            Self::StaffPerTenTenants => Measure::Ratio {
                numerator: f64::from(f.staff),
                base: f64::from(f.tenants),
                per: 10.0,
                whole: true,
            },
            Self::MentorsPerTenTenants => Measure::Ratio {
                numerator: f64::from(f.mentors),
                base: f64::from(f.tenants),
                per: 10.0,
                whole: true,
            },
            Self::NewTenantsLastYear => count(f.new_tenants_last_year),
            Self::Workstations => Measure::Value {
                value: f.workstations.map(f64::from),
                whole: true,
            },
        }
    }
}

/// One criterion: a metric at least a threshold, in [`Metric::unit`] (money in
/// whole CNY).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    /// Stable code, unique within a rule set, e.g. `TENANTS`.
    pub code: &'static str,
    pub description_zh: &'static str,
    pub description_en: &'static str,
    pub metric: Metric,
    /// The least value that passes.
    pub at_least: f64,
}

/// What a rule set requires: one check, or a group of which any one passing
/// is enough ("≥ 500 m² or ≥ 30 workstations").
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Requirement {
    All(Check),
    AnyOf {
        code: &'static str,
        description_zh: &'static str,
        description_en: &'static str,
        checks: &'static [Check],
    },
}

impl Requirement {
    /// The requirement's code: its check's, or the group's.
    pub fn code(&self) -> &'static str {
        match self {
            Self::All(check) => check.code,
            Self::AnyOf { code, .. } => code,
        }
    }

    /// The checks the requirement is made of.
    pub fn checks(&self) -> &[Check] {
        match self {
            Self::All(check) => std::slice::from_ref(check),
            Self::AnyOf { checks, .. } => checks,
        }
    }
}

/// A published set of criteria granting a level to some kinds of carrier,
/// in effect from `effective_from` (inclusive) until `effective_until`
/// (exclusive: the first day it no longer applies, usually the day its
/// replacement takes effect).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleSet {
    /// Stable code, e.g. `NATIONAL_INCUBATOR_2018`.
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The document number and title, e.g. 国科发区〔2018〕300号.
    pub document: &'static str,
    pub kinds: &'static [CarrierKind],
    pub level: Level,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub requirements: &'static [Requirement],
}

impl RuleSet {
    /// Whether the set is in force on `date`: on or after `effective_from` and
    /// before `effective_until`.
    pub fn in_effect_on(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_until.is_none_or(|until| date < until)
    }

    /// Whether the set covers carriers of `kind`.
    pub fn applies_to(&self, kind: CarrierKind) -> bool {
        self.kinds.contains(&kind)
    }
}

const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}

/// 国科发区〔2018〕300号《科技企业孵化器管理办法》, national incubators.
///
/// Effective date taken as 2019-01-01: to be checked against the document.
/// Encodes the quantitative criteria of the rule documents (docs/design.md); the document has others
/// (operating history, statistics reporting, shares of tenants with
/// intellectual property or financing) that zaiti holds no figures for, so a
/// pass means "meets the criteria zaiti can check", not a recognition.
/// Replaced in 2025 by new national rules with two tiers: give this set its
/// `effective_until` when they are added.
pub const NATIONAL_INCUBATOR_2018: RuleSet = RuleSet {
    code: "NATIONAL_INCUBATOR_2018",
    name_zh: "国家级科技企业孵化器（2018年管理办法）",
    name_en: "National technology business incubator (2018 measures)",
    document: "国科发区〔2018〕300号《科技企业孵化器管理办法》",
    kinds: &[CarrierKind::Incubator],
    level: Level::National,
    effective_from: date(2019, 1, 1),
    effective_until: None,
    requirements: &[
        Requirement::All(Check {
            code: "FLOOR_AREA",
            description_zh: "孵化器可自主支配的场地面积不低于10000平方米",
            description_en: "Self-controlled incubation floor area of at least 10,000 m²",
            metric: Metric::FloorAreaM2,
            at_least: 10_000.0,
        }),
        Requirement::All(Check {
            code: "OCCUPIED_SHARE",
            description_zh: "在孵企业使用的场地（含公共服务场地）占可自主支配场地面积的75%以上",
            description_en: "Tenants' share of the area, public service area included, of at least 75%",
            metric: Metric::OccupiedShare,
            at_least: 0.75,
        }),
        Requirement::All(Check {
            code: "TENANTS",
            description_zh: "在孵企业不少于50家",
            description_en: "At least 50 tenant enterprises",
            metric: Metric::Tenants,
            at_least: 50.0,
        }),
        Requirement::All(Check {
            code: "TENANT_DENSITY",
            description_zh: "每千平方米平均在孵企业不少于3家",
            description_en: "At least 3 tenants per 1,000 m²",
            metric: Metric::TenantsPerThousandM2,
            at_least: 3.0,
        }),
        Requirement::All(Check {
            code: "GRADUATES",
            description_zh: "累计毕业企业不少于20家",
            description_en: "At least 20 graduated enterprises, cumulative",
            metric: Metric::Graduates,
            at_least: 20.0,
        }),
        Requirement::All(Check {
            code: "FUND",
            description_zh: "孵化资金规模不低于500万元",
            description_en: "An incubation fund of at least 5,000,000 CNY",
            metric: Metric::FundSizeCny,
            at_least: 5_000_000.0,
        }),
        Requirement::All(Check {
            code: "STAFF_PER_TEN_TENANTS",
            description_zh: "每10家在孵企业至少配备1名专业孵化服务人员",
            description_en: "At least 1 professional staff for every 10 tenants",
            metric: Metric::StaffPerTenTenants,
            at_least: 1.0,
        }),
        Requirement::All(Check {
            code: "MENTORS_PER_TEN_TENANTS",
            description_zh: "每10家在孵企业至少对接1名创业导师",
            description_en: "At least 1 mentor for every 10 tenants",
            metric: Metric::MentorsPerTenTenants,
            at_least: 1.0,
        }),
    ],
};

/// 国科火字〔2017〕120号《国家众创空间备案暂行规定》, national makerspace filing.
///
/// Effective date taken as 2017-07-01: to be checked against the document,
/// as are its figures, taken from the rule documents (docs/design.md).
pub const NATIONAL_MAKERSPACE_2017: RuleSet = RuleSet {
    code: "NATIONAL_MAKERSPACE_2017",
    name_zh: "国家备案众创空间（2017年暂行规定）",
    name_en: "Nationally filed makerspace (2017 interim provisions)",
    document: "国科火字〔2017〕120号《国家众创空间备案暂行规定》",
    kinds: &[CarrierKind::Makerspace],
    level: Level::National,
    effective_from: date(2017, 7, 1),
    effective_until: None,
    requirements: &[
        Requirement::AnyOf {
            code: "SPACE",
            description_zh: "服务场地面积不低于500平方米或提供工位不少于30个",
            description_en: "At least 500 m² of space or at least 30 workstations",
            checks: &[
                Check {
                    code: "FLOOR_AREA",
                    description_zh: "服务场地面积不低于500平方米",
                    description_en: "At least 500 m² of space",
                    metric: Metric::FloorAreaM2,
                    at_least: 500.0,
                },
                Check {
                    code: "WORKSTATIONS",
                    description_zh: "提供工位不少于30个",
                    description_en: "At least 30 workstations",
                    metric: Metric::Workstations,
                    at_least: 30.0,
                },
            ],
        },
        Requirement::All(Check {
            code: "OCCUPIED_SHARE",
            description_zh: "工位和公共服务场地面积不低于总面积的75%",
            description_en: "Workstations and public space of at least 75% of the area",
            metric: Metric::OccupiedShare,
            at_least: 0.75,
        }),
        Requirement::All(Check {
            code: "NEW_TENANTS_LAST_YEAR",
            description_zh: "年度内新增入驻创业团队和初创企业不少于20家",
            description_en: "At least 20 teams or firms moving in within a year",
            metric: Metric::NewTenantsLastYear,
            at_least: 20.0,
        }),
        Requirement::All(Check {
            code: "STAFF",
            description_zh: "专职工作人员不少于3名",
            description_en: "At least 3 full-time staff",
            metric: Metric::Staff,
            at_least: 3.0,
        }),
        Requirement::All(Check {
            code: "MENTORS",
            description_zh: "创业导师不少于3名",
            description_en: "At least 3 mentors",
            metric: Metric::Mentors,
            at_least: 3.0,
        }),
    ],
};

/// Every rule set zaiti knows, current and past. Add a rule set here.
pub static RULE_SETS: &[RuleSet] = &[NATIONAL_INCUBATOR_2018, NATIONAL_MAKERSPACE_2017];

/// Every rule set zaiti knows, current and past.
pub fn rule_sets() -> &'static [RuleSet] {
    RULE_SETS
}

/// The rule set of `code`, matched case-insensitively.
pub fn rule_set(code: &str) -> Option<&'static RuleSet> {
    RULE_SETS
        .iter()
        .find(|set| set.code.eq_ignore_ascii_case(code))
}

/// The rule sets a carrier of `kind` could apply under on `as_of`, highest
/// level first, then the most recent first.
pub fn applicable(kind: CarrierKind, as_of: NaiveDate) -> Vec<&'static RuleSet> {
    applicable_in(RULE_SETS, kind, as_of)
}

fn applicable_in(
    sets: &'static [RuleSet],
    kind: CarrierKind,
    as_of: NaiveDate,
) -> Vec<&'static RuleSet> {
    let mut found: Vec<_> = sets
        .iter()
        .filter(|set| set.applies_to(kind) && set.in_effect_on(as_of))
        .collect();
    found.sort_by(|a, b| {
        (b.level, b.effective_from, a.code).cmp(&(a.level, a.effective_from, b.code))
    });
    found
}

stored_enum! {
    /// The answer of a check, a requirement or a rule set.
    pub enum Outcome {
        /// Met.
        Pass,
        /// Not met.
        Fail,
        /// Cannot be told: a figure zaiti does not hold.
        Unknown,
    }
}

/// How one check went.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub code: &'static str,
    pub metric: Metric,
    /// The check's `at_least`, in [`Metric::unit`].
    pub threshold: f64,
    /// The metric's value, in [`Metric::unit`]; `None` when not held (then the
    /// outcome is unknown) or for a ratio over a zero base (then the check
    /// passes: a zero base demands nothing).
    pub actual: Option<f64>,
    pub outcome: Outcome,
    /// How much passing takes in total, in [`Metric::gap_unit`]: the threshold
    /// for a plain figure; for a ratio its numerator, e.g. 5 mentors for 48
    /// tenants at one per ten.
    pub needed: f64,
    /// What is still missing when failing, in [`Metric::gap_unit`]; whole
    /// things rounded up. `None` unless the outcome is a fail.
    pub gap: Option<f64>,
}

/// How one requirement went, with the checks it is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementResult {
    pub code: &'static str,
    pub description_zh: &'static str,
    pub description_en: &'static str,
    /// A single check's outcome; for a group, a pass if any check passes, a
    /// fail if all fail, unknown otherwise.
    pub outcome: Outcome,
    pub checks: Vec<CheckResult>,
}

/// Whether a carrier could apply under a rule set on a date, and what is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Eligibility {
    pub rule_set: &'static RuleSet,
    pub as_of: NaiveDate,
    pub in_effect: bool,
    pub applies_to_kind: bool,
    /// `Pass`: eligible (the set is in effect, covers the kind, and every
    /// requirement passes). `Fail`: some requirement fails, or the set is not
    /// in effect or does not cover the kind. `Unknown`: none fails but some
    /// cannot be told.
    pub outcome: Outcome,
    /// Every requirement, evaluated even when the set is not in effect or does
    /// not cover the kind ("would it meet the 2018 rules?").
    pub requirements: Vec<RequirementResult>,
}

impl Eligibility {
    /// The outcome of the requirements alone, whether or not the set is in
    /// effect and covers the kind: a fail if any fails, else unknown if any is
    /// unknown, else a pass.
    pub fn requirements_outcome(&self) -> Outcome {
        combine_all(self.requirements.iter().map(|r| r.outcome))
    }

    /// The requirements that do not pass.
    pub fn missing(&self) -> impl Iterator<Item = &RequirementResult> {
        self.requirements
            .iter()
            .filter(|r| r.outcome != Outcome::Pass)
    }
}

/// Evaluates `figures` of a carrier of `kind` against `rule_set` on `as_of`.
pub fn evaluate(
    rule_set: &'static RuleSet,
    kind: CarrierKind,
    figures: &CarrierFigures,
    as_of: NaiveDate,
) -> Eligibility {
    let requirements: Vec<_> = rule_set
        .requirements
        .iter()
        .map(|requirement| evaluate_requirement(requirement, figures))
        .collect();
    let in_effect = rule_set.in_effect_on(as_of);
    let applies_to_kind = rule_set.applies_to(kind);
    let met = combine_all(requirements.iter().map(|r| r.outcome));
    Eligibility {
        rule_set,
        as_of,
        in_effect,
        applies_to_kind,
        outcome: if in_effect && applies_to_kind {
            met
        } else {
            Outcome::Fail
        },
        requirements,
    }
}

/// Evaluates a carrier against every rule set [`applicable`] to it on
/// `as_of`, highest level first.
pub fn evaluate_applicable(
    kind: CarrierKind,
    figures: &CarrierFigures,
    as_of: NaiveDate,
) -> Vec<Eligibility> {
    applicable(kind, as_of)
        .into_iter()
        .map(|set| evaluate(set, kind, figures, as_of))
        .collect()
}

fn evaluate_requirement(requirement: &Requirement, figures: &CarrierFigures) -> RequirementResult {
    let checks: Vec<_> = requirement
        .checks()
        .iter()
        .map(|check| evaluate_check(check, figures))
        .collect();
    let outcomes = checks.iter().map(|c| c.outcome);
    let (outcome, description_zh, description_en) = match requirement {
        Requirement::All(check) => (
            combine_all(outcomes),
            check.description_zh,
            check.description_en,
        ),
        Requirement::AnyOf {
            description_zh,
            description_en,
            ..
        } => (combine_any(outcomes), *description_zh, *description_en),
    };
    RequirementResult {
        code: requirement.code(),
        description_zh,
        description_en,
        outcome,
        checks,
    }
}

fn evaluate_check(check: &Check, figures: &CarrierFigures) -> CheckResult {
    let threshold = check.at_least;
    let (outcome, needed, gap) = match check.metric.measure(figures) {
        Measure::Value { value: None, .. } => (Outcome::Unknown, threshold, None),
        Measure::Value {
            value: Some(value),
            whole,
        } => {
            let needed = if whole {
                round_up(threshold)
            } else {
                threshold
            };
            compare(value, needed, whole)
        }
        Measure::Money(fen) => {
            let needed_fen = (threshold * 100.0).round() as i64;
            let needed = needed_fen as f64 / 100.0;
            if fen.0 >= needed_fen {
                (Outcome::Pass, needed, None)
            } else {
                let gap = (needed_fen - fen.0) as f64 / 100.0;
                (Outcome::Fail, needed, Some(gap))
            }
        }
        Measure::Ratio {
            numerator,
            base,
            per,
            whole,
        } => {
            let needed = threshold * base.max(0.0) / per;
            let needed = if whole { round_up(needed) } else { needed };
            compare(numerator, needed, whole)
        }
    };
    CheckResult {
        code: check.code,
        metric: check.metric,
        threshold,
        actual: check.metric.of(figures),
        outcome,
        needed,
        gap,
    }
}

/// Whether `value` meets `needed`, within the tolerance, and the gap if not.
fn compare(value: f64, needed: f64, whole: bool) -> (Outcome, f64, Option<f64>) {
    if !value.is_finite() || !needed.is_finite() {
        return (Outcome::Unknown, needed, None);
    }
    if value >= needed - slack(needed) {
        (Outcome::Pass, needed, None)
    } else {
        let gap = needed - value;
        let gap = if whole { round_up(gap) } else { gap };
        (Outcome::Fail, needed, Some(gap))
    }
}

fn slack(threshold: f64) -> f64 {
    TOLERANCE * threshold.abs().max(1.0)
}

/// The whole number at or above `x`, ignoring float noise (4.000000000001 is 4).
fn round_up(x: f64) -> f64 {
    (x - slack(x)).ceil().max(0.0)
}

/// Every one must pass: a fail wins, then unknown.
fn combine_all(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    outcomes
        .into_iter()
        .fold(Outcome::Pass, |acc, outcome| match (acc, outcome) {
            (Outcome::Fail, _) | (_, Outcome::Fail) => Outcome::Fail,
            (Outcome::Unknown, _) | (_, Outcome::Unknown) => Outcome::Unknown,
            _ => Outcome::Pass,
        })
}

/// Any one passing is enough: a pass wins, then unknown; an empty group fails.
fn combine_any(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    outcomes
        .into_iter()
        .fold(Outcome::Fail, |acc, outcome| match (acc, outcome) {
            (Outcome::Pass, _) | (_, Outcome::Pass) => Outcome::Pass,
            (Outcome::Unknown, _) | (_, Outcome::Unknown) => Outcome::Unknown,
            _ => Outcome::Fail,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// An incubator exactly at every threshold of the 2018 national rules.
    fn incubator_at_thresholds() -> CarrierFigures {
        CarrierFigures {
            floor_area_m2: 10_000.0,
            leased_m2: 7_000.0,
            public_service_m2: 500.0,
            tenants: 50,
            graduates: 20,
            new_tenants_last_year: 0,
            fund_size: Fen::yuan(5_000_000),
            staff: 5,
            mentors: 5,
            workstations: None,
        }
    }

    /// A makerspace exactly at every threshold of the 2017 filing rules.
    fn makerspace_at_thresholds() -> CarrierFigures {
        CarrierFigures {
            floor_area_m2: 500.0,
            leased_m2: 300.0,
            public_service_m2: 75.0,
            tenants: 0,
            graduates: 0,
            new_tenants_last_year: 20,
            fund_size: Fen(0),
            staff: 3,
            mentors: 3,
            workstations: None,
        }
    }

    fn requirement<'a>(eligibility: &'a Eligibility, code: &str) -> &'a RequirementResult {
        eligibility
            .requirements
            .iter()
            .find(|r| r.code == code)
            .unwrap_or_else(|| panic!("no requirement {code}"))
    }

    fn check<'a>(eligibility: &'a Eligibility, code: &str) -> &'a CheckResult {
        eligibility
            .requirements
            .iter()
            .flat_map(|r| &r.checks)
            .find(|c| c.code == code)
            .unwrap_or_else(|| panic!("no check {code}"))
    }

    fn incubator(figures: &CarrierFigures) -> Eligibility {
        evaluate(
            &NATIONAL_INCUBATOR_2018,
            CarrierKind::Incubator,
            figures,
            day("2024-06-30"),
        )
    }

    fn makerspace(figures: &CarrierFigures) -> Eligibility {
        evaluate(
            &NATIONAL_MAKERSPACE_2017,
            CarrierKind::Makerspace,
            figures,
            day("2024-06-30"),
        )
    }

    type Tweak = fn(&mut CarrierFigures);

    /// (requirement, tweak, expected outcome, expected gap)
    type Case = (&'static str, Tweak, Outcome, Option<f64>);

    fn run(cases: &[Case], base: fn() -> CarrierFigures, eval: fn(&CarrierFigures) -> Eligibility) {
        for (i, (code, tweak, outcome, gap)) in cases.iter().enumerate() {
            let mut figures = base();
            tweak(&mut figures);
            let eligibility = eval(&figures);
            let result = requirement(&eligibility, code);
            assert_eq!(result.outcome, *outcome, "case {i} ({code}): {result:?}");
            let got_gap = result.checks.iter().find_map(|c| c.gap);
            match (got_gap, gap) {
                (Some(got), Some(want)) => {
                    assert!(
                        (got - want).abs() < 1e-6,
                        "case {i} ({code}): gap {got}, want {want}"
                    )
                }
                (got, want) => assert_eq!(got, *want, "case {i} ({code})"),
            }
        }
    }

    #[test]
    fn an_incubator_exactly_at_every_threshold_is_eligible() {
        let eligibility = incubator(&incubator_at_thresholds());
        assert!(eligibility.in_effect && eligibility.applies_to_kind);
        assert_eq!(eligibility.outcome, Outcome::Pass, "{eligibility:#?}");
        assert_eq!(eligibility.requirements.len(), 8);
        assert_eq!(eligibility.missing().count(), 0);
    }

    #[test]
    fn each_incubator_criterion_fails_below_and_passes_at_and_above_its_threshold() {
        use Outcome::{Fail, Pass};
        let cases: &[Case] = &[
            ("FLOOR_AREA", |f| f.floor_area_m2 = 9_999.5, Fail, Some(0.5)),
            ("FLOOR_AREA", |f| f.floor_area_m2 = 10_000.0, Pass, None),
            ("FLOOR_AREA", |f| f.floor_area_m2 = 10_000.5, Pass, None),
            // 6,999 + 500 of 10,000 m² is 74.99%: 1 m² short.
            ("OCCUPIED_SHARE", |f| f.leased_m2 = 6_999.0, Fail, Some(1.0)),
            ("OCCUPIED_SHARE", |f| f.leased_m2 = 7_000.0, Pass, None),
            ("OCCUPIED_SHARE", |f| f.leased_m2 = 7_001.0, Pass, None),
            ("TENANTS", |f| f.tenants = 49, Fail, Some(1.0)),
            ("TENANTS", |f| f.tenants = 50, Pass, None),
            ("TENANTS", |f| f.tenants = 51, Pass, None),
            // 20,000 m² need 60 tenants.
            (
                "TENANT_DENSITY",
                |f| {
                    f.floor_area_m2 = 20_000.0;
                    f.tenants = 59;
                },
                Fail,
                Some(1.0),
            ),
            (
                "TENANT_DENSITY",
                |f| {
                    f.floor_area_m2 = 20_000.0;
                    f.tenants = 60;
                },
                Pass,
                None,
            ),
            (
                "TENANT_DENSITY",
                |f| {
                    f.floor_area_m2 = 20_000.0;
                    f.tenants = 61;
                },
                Pass,
                None,
            ),
            // 10,001 m² need 30.003, so 31 tenants.
            (
                "TENANT_DENSITY",
                |f| {
                    f.floor_area_m2 = 10_001.0;
                    f.tenants = 30;
                },
                Fail,
                Some(1.0),
            ),
            ("GRADUATES", |f| f.graduates = 19, Fail, Some(1.0)),
            ("GRADUATES", |f| f.graduates = 20, Pass, None),
            ("GRADUATES", |f| f.graduates = 21, Pass, None),
            // Money is exact: one fen short fails.
            (
                "FUND",
                |f| f.fund_size = Fen(500_000_000 - 1),
                Fail,
                Some(0.01),
            ),
            ("FUND", |f| f.fund_size = Fen(500_000_000), Pass, None),
            ("FUND", |f| f.fund_size = Fen(500_000_000 + 1), Pass, None),
            // 51 tenants need 6 staff.
            (
                "STAFF_PER_TEN_TENANTS",
                |f| {
                    f.tenants = 51;
                    f.staff = 5;
                },
                Fail,
                Some(1.0),
            ),
            (
                "STAFF_PER_TEN_TENANTS",
                |f| {
                    f.tenants = 51;
                    f.staff = 6;
                },
                Pass,
                None,
            ),
            (
                "STAFF_PER_TEN_TENANTS",
                |f| {
                    f.tenants = 51;
                    f.staff = 7;
                },
                Pass,
                None,
            ),
            ("STAFF_PER_TEN_TENANTS", |f| f.staff = 4, Fail, Some(1.0)),
            ("STAFF_PER_TEN_TENANTS", |f| f.staff = 2, Fail, Some(3.0)),
            (
                "MENTORS_PER_TEN_TENANTS",
                |f| {
                    f.tenants = 51;
                    f.mentors = 5;
                },
                Fail,
                Some(1.0),
            ),
            (
                "MENTORS_PER_TEN_TENANTS",
                |f| {
                    f.tenants = 51;
                    f.mentors = 6;
                },
                Pass,
                None,
            ),
            (
                "MENTORS_PER_TEN_TENANTS",
                |f| {
                    f.tenants = 51;
                    f.mentors = 7;
                },
                Pass,
                None,
            ),
            (
                "MENTORS_PER_TEN_TENANTS",
                |f| f.mentors = 0,
                Fail,
                Some(5.0),
            ),
        ];
        run(cases, incubator_at_thresholds, incubator);
    }

    #[test]
    fn a_makerspace_exactly_at_every_threshold_is_eligible() {
        let eligibility = makerspace(&makerspace_at_thresholds());
        assert_eq!(eligibility.outcome, Outcome::Pass, "{eligibility:#?}");
        assert_eq!(eligibility.requirements.len(), 5);
    }

    #[test]
    fn each_makerspace_criterion_fails_below_and_passes_at_and_above_its_threshold() {
        use Outcome::{Fail, Pass, Unknown};
        let cases: &[Case] = &[
            // The any-of group: 500 m² or 30 workstations.
            ("SPACE", |f| f.floor_area_m2 = 499.0, Unknown, Some(1.0)),
            ("SPACE", |f| f.floor_area_m2 = 500.0, Pass, None),
            ("SPACE", |f| f.floor_area_m2 = 501.0, Pass, None),
            (
                "SPACE",
                |f| {
                    f.floor_area_m2 = 499.0;
                    f.workstations = Some(29);
                },
                Fail,
                Some(1.0),
            ),
            (
                "SPACE",
                |f| {
                    f.floor_area_m2 = 499.0;
                    f.workstations = Some(30);
                },
                Pass,
                Some(1.0),
            ),
            (
                "SPACE",
                |f| {
                    f.floor_area_m2 = 100.0;
                    f.workstations = Some(31);
                },
                Pass,
                Some(400.0),
            ),
            (
                "SPACE",
                |f| {
                    f.floor_area_m2 = 600.0;
                    f.workstations = Some(10);
                },
                Pass,
                Some(20.0),
            ),
            ("OCCUPIED_SHARE", |f| f.leased_m2 = 299.0, Fail, Some(1.0)),
            ("OCCUPIED_SHARE", |f| f.leased_m2 = 300.0, Pass, None),
            ("OCCUPIED_SHARE", |f| f.leased_m2 = 301.0, Pass, None),
            (
                "NEW_TENANTS_LAST_YEAR",
                |f| f.new_tenants_last_year = 19,
                Fail,
                Some(1.0),
            ),
            (
                "NEW_TENANTS_LAST_YEAR",
                |f| f.new_tenants_last_year = 20,
                Pass,
                None,
            ),
            (
                "NEW_TENANTS_LAST_YEAR",
                |f| f.new_tenants_last_year = 21,
                Pass,
                None,
            ),
            ("STAFF", |f| f.staff = 2, Fail, Some(1.0)),
            ("STAFF", |f| f.staff = 3, Pass, None),
            ("STAFF", |f| f.staff = 4, Pass, None),
            ("MENTORS", |f| f.mentors = 2, Fail, Some(1.0)),
            ("MENTORS", |f| f.mentors = 3, Pass, None),
            ("MENTORS", |f| f.mentors = 4, Pass, None),
        ];
        run(cases, makerspace_at_thresholds, makerspace);
    }

    #[test]
    fn missing_workstations_make_a_small_makerspace_unknown_not_failed() {
        let mut figures = makerspace_at_thresholds();
        figures.floor_area_m2 = 400.0;
        figures.leased_m2 = 300.0;
        let eligibility = makerspace(&figures);
        assert_eq!(eligibility.outcome, Outcome::Unknown, "{eligibility:#?}");
        let workstations = check(&eligibility, "WORKSTATIONS");
        assert_eq!(workstations.outcome, Outcome::Unknown);
        assert_eq!((workstations.actual, workstations.gap), (None, None));
        assert_eq!(check(&eligibility, "FLOOR_AREA").gap, Some(100.0));

        // A failing requirement outweighs an unknown one.
        figures.mentors = 2;
        assert_eq!(makerspace(&figures).outcome, Outcome::Fail);

        // A large makerspace does not need its workstations counted.
        let eligibility = makerspace(&makerspace_at_thresholds());
        assert_eq!(requirement(&eligibility, "SPACE").outcome, Outcome::Pass);
        assert_eq!(
            check(&eligibility, "WORKSTATIONS").outcome,
            Outcome::Unknown
        );
    }

    #[test]
    fn a_share_at_the_threshold_passes_whatever_the_float_representation() {
        for (floor, leased, public) in [
            (10_000.0, 7_000.7, 499.3),
            (1.0, 0.7, 0.05),
            (3.0, 2.1, 0.15),
            (100.0, 74.9, 0.1),
            (0.3, 0.2, 0.025),
        ] {
            let figures = CarrierFigures {
                floor_area_m2: floor,
                leased_m2: leased,
                public_service_m2: public,
                ..incubator_at_thresholds()
            };
            let result = check(&incubator(&figures), "OCCUPIED_SHARE").clone();
            assert_eq!(result.outcome, Outcome::Pass, "{floor} {leased} {public}");
        }
    }

    #[test]
    fn the_worked_example_misses_two_tenants_and_one_mentor() {
        let figures = CarrierFigures {
            floor_area_m2: 12_000.0,
            leased_m2: 8_000.0,
            public_service_m2: 1_500.0,
            tenants: 48,
            graduates: 25,
            new_tenants_last_year: 0,
            fund_size: Fen::yuan(6_000_000),
            staff: 5,
            mentors: 4,
            workstations: None,
        };
        let eligibility = incubator(&figures);
        assert_eq!(eligibility.outcome, Outcome::Fail);
        let missing: Vec<_> = eligibility.missing().map(|r| r.code).collect();
        assert_eq!(missing, ["TENANTS", "MENTORS_PER_TEN_TENANTS"]);

        // 9,500 / 12,000 m² = 79.2% ≥ 75%.
        let share = check(&eligibility, "OCCUPIED_SHARE");
        assert_eq!(share.outcome, Outcome::Pass);
        assert!((share.actual.unwrap() - 9_500.0 / 12_000.0).abs() < 1e-12);
        assert_eq!(share.needed, 9_000.0);

        let tenants = check(&eligibility, "TENANTS");
        assert_eq!((tenants.actual, tenants.gap), (Some(48.0), Some(2.0)));

        // 48 tenants in 12,000 m² = 4 per 1,000 m²; 36 needed.
        let density = check(&eligibility, "TENANT_DENSITY");
        assert_eq!(density.outcome, Outcome::Pass);
        assert_eq!((density.actual, density.needed), (Some(4.0), 36.0));

        // 48 tenants need ⌈4.8⌉ = 5 staff and 5 mentors.
        let staff = check(&eligibility, "STAFF_PER_TEN_TENANTS");
        assert_eq!((staff.outcome, staff.needed), (Outcome::Pass, 5.0));
        let mentors = check(&eligibility, "MENTORS_PER_TEN_TENANTS");
        assert_eq!(mentors.outcome, Outcome::Fail);
        assert_eq!((mentors.needed, mentors.gap), (5.0, Some(1.0)));
        assert!((mentors.actual.unwrap() - 40.0 / 48.0).abs() < 1e-12);
        assert_eq!(Metric::MentorsPerTenTenants.gap_unit(), "people");

        let fund = check(&eligibility, "FUND");
        assert_eq!(
            (fund.outcome, fund.actual),
            (Outcome::Pass, Some(6_000_000.0))
        );
    }

    #[test]
    fn ratios_over_nothing_are_undefined_but_demand_nothing() {
        let empty = CarrierFigures {
            floor_area_m2: 0.0,
            leased_m2: 0.0,
            public_service_m2: 0.0,
            tenants: 0,
            graduates: 0,
            new_tenants_last_year: 0,
            fund_size: Fen(0),
            staff: 0,
            mentors: 0,
            workstations: None,
        };
        for metric in [
            Metric::OccupiedShare,
            Metric::TenantsPerThousandM2,
            Metric::StaffPerTenTenants,
            Metric::MentorsPerTenTenants,
        ] {
            assert_eq!(metric.of(&empty), None, "{metric}");
        }
        let eligibility = incubator(&empty);
        for code in [
            "OCCUPIED_SHARE",
            "TENANT_DENSITY",
            "STAFF_PER_TEN_TENANTS",
            "MENTORS_PER_TEN_TENANTS",
        ] {
            let result = check(&eligibility, code);
            assert_eq!(
                (result.outcome, result.needed),
                (Outcome::Pass, 0.0),
                "{code}"
            );
        }
        // The rules' own minimums still fail an empty incubator.
        assert_eq!(eligibility.outcome, Outcome::Fail);
        assert_eq!(check(&eligibility, "TENANTS").gap, Some(50.0));
    }

    #[test]
    fn rule_sets_start_on_their_effective_dates() {
        assert!(!NATIONAL_INCUBATOR_2018.in_effect_on(day("2018-12-31")));
        assert!(NATIONAL_INCUBATOR_2018.in_effect_on(day("2019-01-01")));
        assert!(NATIONAL_INCUBATOR_2018.in_effect_on(day("2099-12-31")));
        assert!(applicable(CarrierKind::Incubator, day("2018-12-31")).is_empty());
        assert!(!NATIONAL_MAKERSPACE_2017.in_effect_on(day("2017-06-30")));
        let found = applicable(CarrierKind::Makerspace, day("2017-07-01"));
        assert_eq!(found, [&NATIONAL_MAKERSPACE_2017]);

        // Not yet in effect: the requirements are told, but not eligible.
        let eligibility = evaluate(
            &NATIONAL_INCUBATOR_2018,
            CarrierKind::Incubator,
            &incubator_at_thresholds(),
            day("2018-06-30"),
        );
        assert!(!eligibility.in_effect);
        assert_eq!(eligibility.requirements_outcome(), Outcome::Pass);
        assert_eq!(eligibility.outcome, Outcome::Fail);
    }

    #[test]
    fn a_rule_set_covers_only_its_kinds() {
        assert!(NATIONAL_INCUBATOR_2018.applies_to(CarrierKind::Incubator));
        assert!(!NATIONAL_INCUBATOR_2018.applies_to(CarrierKind::Accelerator));
        assert!(applicable(CarrierKind::ScienceComplex, day("2024-06-30")).is_empty());
        let found = applicable(CarrierKind::Incubator, day("2024-06-30"));
        assert_eq!(found, [&NATIONAL_INCUBATOR_2018]);

        let eligibility = evaluate(
            &NATIONAL_INCUBATOR_2018,
            CarrierKind::Accelerator,
            &incubator_at_thresholds(),
            day("2024-06-30"),
        );
        assert!(eligibility.in_effect && !eligibility.applies_to_kind);
        assert_eq!(eligibility.outcome, Outcome::Fail);
    }

    /// Adding a rule set is adding data: this one is not in [`RULE_SETS`], yet
    /// everything works on it, its end date included.
    static PROVINCIAL_TEST: RuleSet = RuleSet {
        code: "PROVINCIAL_TEST_2020",
        name_zh: "省级孵化器（测试）",
        name_en: "Provincial incubator (test)",
        document: "test only",
        kinds: &[CarrierKind::Incubator, CarrierKind::Accelerator],
        level: Level::Provincial,
        effective_from: date(2020, 1, 1),
        effective_until: Some(date(2025, 1, 1)),
        requirements: &[Requirement::All(Check {
            code: "FLOOR_AREA",
            description_zh: "场地面积不低于5000平方米",
            description_en: "At least 5,000 m²",
            metric: Metric::FloorAreaM2,
            at_least: 5_000.0,
        })],
    };

    static WITH_TEST_SET: &[RuleSet] = &[NATIONAL_INCUBATOR_2018, PROVINCIAL_TEST];

    #[test]
    fn a_rule_set_with_an_end_date_is_not_in_effect_on_or_after_it() {
        assert!(PROVINCIAL_TEST.in_effect_on(day("2024-12-31")));
        assert!(!PROVINCIAL_TEST.in_effect_on(day("2025-01-01")));
        assert!(!PROVINCIAL_TEST.in_effect_on(day("2025-06-30")));

        let on = |text| {
            applicable_in(WITH_TEST_SET, CarrierKind::Incubator, day(text))
                .into_iter()
                .map(|set| set.code)
                .collect::<Vec<_>>()
        };
        // Highest level first.
        assert_eq!(
            on("2024-12-31"),
            ["NATIONAL_INCUBATOR_2018", "PROVINCIAL_TEST_2020"]
        );
        assert_eq!(on("2025-01-01"), ["NATIONAL_INCUBATOR_2018"]);

        let figures = incubator_at_thresholds();
        let before = evaluate(
            &PROVINCIAL_TEST,
            CarrierKind::Accelerator,
            &figures,
            day("2024-12-31"),
        );
        assert_eq!(before.outcome, Outcome::Pass);
        let after = evaluate(
            &PROVINCIAL_TEST,
            CarrierKind::Accelerator,
            &figures,
            day("2025-01-01"),
        );
        assert!(!after.in_effect);
        assert_eq!(after.outcome, Outcome::Fail);
    }

    #[test]
    fn rule_sets_are_found_by_code_whatever_the_case() {
        assert_eq!(
            rule_set("national_incubator_2018"),
            Some(&NATIONAL_INCUBATOR_2018)
        );
        assert_eq!(
            rule_set("NATIONAL_MAKERSPACE_2017").map(|s| s.level),
            Some(Level::National)
        );
        assert_eq!(rule_set("NATIONAL_INCUBATOR_2025"), None);
    }

    #[test]
    fn evaluating_the_applicable_sets_answers_which_level_to_apply_for() {
        let results = evaluate_applicable(
            CarrierKind::Incubator,
            &incubator_at_thresholds(),
            day("2024-06-30"),
        );
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].rule_set.level, Level::National);
        assert_eq!(results[0].outcome, Outcome::Pass);
    }

    #[test]
    fn the_table_is_well_formed() {
        let mut codes = HashSet::new();
        for set in rule_sets() {
            assert!(codes.insert(set.code), "duplicate rule set {}", set.code);
            assert_eq!(set.code, set.code.to_ascii_uppercase());
            assert!(!set.kinds.is_empty(), "{}", set.code);
            assert!(!set.requirements.is_empty(), "{}", set.code);
            if let Some(until) = set.effective_until {
                assert!(set.effective_from < until, "{}", set.code);
            }
            let mut requirement_codes = HashSet::new();
            let mut check_codes = HashSet::new();
            for requirement in set.requirements {
                assert!(requirement_codes.insert(requirement.code()), "{}", set.code);
                assert!(!requirement.checks().is_empty(), "{}", set.code);
                for check in requirement.checks() {
                    assert!(
                        check_codes.insert(check.code),
                        "{} {}",
                        set.code,
                        check.code
                    );
                    assert!(check.at_least.is_finite() && check.at_least >= 0.0);
                }
            }
        }
    }

    #[test]
    fn metrics_and_outcomes_are_stored_by_their_api_names() {
        assert_eq!(
            Metric::TenantsPerThousandM2.as_ref(),
            "TENANTS_PER_THOUSAND_M2"
        );
        assert_eq!(Metric::FundSizeCny.as_ref(), "FUND_SIZE_CNY");
        assert_eq!("unknown".parse(), Ok(Outcome::Unknown));
        assert_eq!(Metric::OccupiedShare.unit(), "share");
        assert_eq!(Metric::OccupiedShare.gap_unit(), "m²");
        assert_eq!(Metric::FundSizeCny.unit(), "CNY");
    }

    #[test]
    fn any_of_passes_on_one_pass_and_fails_only_when_all_fail() {
        use Outcome::{Fail, Pass, Unknown};
        assert_eq!(combine_any([Fail, Pass]), Pass);
        assert_eq!(combine_any([Unknown, Pass]), Pass);
        assert_eq!(combine_any([Fail, Unknown]), Unknown);
        assert_eq!(combine_any([Fail, Fail]), Fail);
        assert_eq!(combine_all([Pass, Unknown]), Unknown);
        assert_eq!(combine_all([Unknown, Fail]), Fail);
        assert_eq!(combine_all([]), Pass);
    }
}
