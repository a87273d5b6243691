//! 五有 compliance and level rule sets: what a carrier has, what it lacks,
//! and which level it could apply for.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use entity::setting;

use super::cost::{COMPLIANCE_CRITERIA, FIXED_SMALL_LIST, RECORDS_PER_OWNER, list_complexity};
use super::enums::{CarrierKind, ComplianceCriterion, FacilityKind, Level};
use super::error::ApiResult;
use super::loaders::{self, Loaders, one, required};
use super::node::{NodeType, global_id};
use super::scalars::{Date, DateTime};
use super::support::{Facility, Fund, OperatingTeam, Platform};
use crate::domain::compliance::{self as rules, Compliance, ComplianceRules, CriterionResult};
use crate::domain::level_rules::{self, CarrierFigures, Eligibility, RuleSet};
use crate::domain::money::Fen;
use crate::error::AppError;
use crate::store;

// ---------------------------------------------------------------- settings

/// A setting the ADMIN changes through the API, as stored: its key and JSON value.
#[derive(Debug, Clone)]
pub struct Setting(pub setting::Model);

/// A setting the ADMIN changes through the API, as stored: its key and JSON value.
#[Object]
impl Setting {
    /// The global ID of the setting.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Setting, self.0.id)
    }

    /// Which setting, e.g. `compliance_rules`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// Its value, as JSON text.
    async fn value(&self) -> &str {
        &self.0.value
    }

    /// Row version.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// The thresholds of 五有 in force. Defaults and the reasoning behind each are in the README.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "ComplianceRules")]
pub struct ComplianceRulesView {
    /// Least share, 0 to 1, of tenants working in the carrier's leading industries (有主导产业).
    pub min_leading_industry_share: f64,
    /// Least number of public technology service platforms open in the carrier (有创新平台).
    pub min_platforms: i32,
    /// Least number of investment funds serving the carrier (有投资基金).
    pub min_funds: i32,
    /// Least combined size of those funds, CNY as a decimal string.
    pub min_fund_size: String,
    /// Professional staff needed for every ten tenants, rounded up (有专业团队).
    pub staff_per_ten_tenants: f64,
    /// Mentors needed for every ten tenants, rounded up (有专业团队).
    pub mentors_per_ten_tenants: f64,
    /// Least staff whatever the number of tenants.
    pub min_staff: i32,
    /// Least mentors whatever the number of tenants.
    pub min_mentors: i32,
    /// Facility kinds that must each be open (有配套设施).
    pub required_facility_kinds: Vec<FacilityKind>,
    /// Least number of distinct facility kinds open.
    pub min_facility_kinds: i32,
    /// The setting's version: 0 while the defaults apply. Pass it back to change the rules.
    pub version: i32,
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl ComplianceRulesView {
    fn new(rules: &ComplianceRules, version: i32) -> Self {
        Self {
            min_leading_industry_share: rules.min_leading_industry_share,
            min_platforms: count(rules.min_platforms),
            min_funds: count(rules.min_funds),
            min_fund_size: rules.min_fund_size.to_string(),
            staff_per_ten_tenants: rules.staff_per_ten_tenants,
            mentors_per_ten_tenants: rules.mentors_per_ten_tenants,
            min_staff: count(rules.min_staff),
            min_mentors: count(rules.min_mentors),
            required_facility_kinds: rules
                .required_facility_kinds
                .iter()
                .map(|&kind| kind.into())
                .collect(),
            min_facility_kinds: count(rules.min_facility_kinds),
            version,
        }
    }
}

/// Changes to the 五有 thresholds; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateComplianceRulesInput {
    /// The `version` the change is based on (0 while the defaults apply); a stale one gets CONFLICT.
    pub version: i32,
    /// Least share, 0 to 1, of tenants in the leading industries.
    pub min_leading_industry_share: Option<f64>,
    /// Least number of platforms; at least 1.
    pub min_platforms: Option<u32>,
    /// Least number of funds; at least 1.
    pub min_funds: Option<u32>,
    /// Least combined fund size, CNY as a decimal string.
    pub min_fund_size: Option<String>,
    /// Staff per ten tenants; 0 or more.
    pub staff_per_ten_tenants: Option<f64>,
    /// Mentors per ten tenants; 0 or more.
    pub mentors_per_ten_tenants: Option<f64>,
    /// Least staff; at least 1.
    pub min_staff: Option<u32>,
    /// Least mentors.
    pub min_mentors: Option<u32>,
    /// Facility kinds that must each be open, replacing the old list.
    pub required_facility_kinds: Option<Vec<FacilityKind>>,
    /// Least number of distinct facility kinds.
    pub min_facility_kinds: Option<u32>,
}

impl UpdateComplianceRulesInput {
    /// The rules `current` becomes, checked as a whole.
    fn apply(self, mut rules: ComplianceRules) -> Result<ComplianceRules, AppError> {
        if let Some(v) = self.min_leading_industry_share {
            rules.min_leading_industry_share = v;
        }
        if let Some(v) = self.min_platforms {
            rules.min_platforms = v;
        }
        if let Some(v) = self.min_funds {
            rules.min_funds = v;
        }
        if let Some(v) = self.min_fund_size {
            rules.min_fund_size = Fen::parse("minFundSize", &v)?;
        }
        if let Some(v) = self.staff_per_ten_tenants {
            rules.staff_per_ten_tenants = v;
        }
        if let Some(v) = self.mentors_per_ten_tenants {
            rules.mentors_per_ten_tenants = v;
        }
        if let Some(v) = self.min_staff {
            rules.min_staff = v;
        }
        if let Some(v) = self.min_mentors {
            rules.min_mentors = v;
        }
        if let Some(kinds) = self.required_facility_kinds {
            let mut kinds: Vec<_> = kinds.into_iter().map(Into::into).collect();
            kinds.sort();
            kinds.dedup();
            rules.required_facility_kinds = kinds;
        }
        if let Some(v) = self.min_facility_kinds {
            rules.min_facility_kinds = v;
        }
        rules.validate()?;
        Ok(rules)
    }
}

// ---------------------------------------------------------------- compliance

/// 五有 of a carrier on a date: each of the five criteria, why it holds or
/// not, and the records it read.
pub struct CarrierCompliance(pub Compliance);

/// 五有 of a carrier on a date: each of the five criteria, why it holds or
/// not, and the records it read.
#[Object]
impl CarrierCompliance {
    /// The date checked.
    async fn as_of(&self) -> Date {
        self.0.as_of.into()
    }

    /// 功能完备: true when all five criteria hold. Only such carriers count
    /// toward the new-floor-area target.
    async fn fully_functional(&self) -> bool {
        self.0.fully_functional()
    }

    /// The criteria not met, in order.
    async fn failing(&self) -> Vec<ComplianceCriterion> {
        self.0.failing().map(Into::into).collect()
    }

    /// All five criteria, in order.
    #[graphql(complexity = "list_complexity(COMPLIANCE_CRITERIA, child_complexity)")]
    async fn criteria(&self) -> Vec<CriterionCheck<'_>> {
        self.0.criteria.iter().map(CriterionCheck).collect()
    }
}

/// One criterion of 五有 for one carrier and date.
pub struct CriterionCheck<'a>(&'a CriterionResult);

/// One criterion of 五有 for one carrier and date.
#[Object]
impl CriterionCheck<'_> {
    /// Which criterion.
    async fn criterion(&self) -> ComplianceCriterion {
        self.0.criterion.into()
    }

    /// Its Chinese name, e.g. 有投资基金.
    async fn name_zh(&self) -> &'static str {
        self.0.criterion.name_zh()
    }

    /// Its English name, e.g. "investment fund".
    async fn name_en(&self) -> &'static str {
        self.0.criterion.name_en()
    }

    /// Whether it holds.
    async fn satisfied(&self) -> bool {
        self.0.satisfied
    }

    /// Why, in Chinese: what is there and, when it fails, what is missing.
    async fn reason_zh(&self) -> &str {
        &self.0.reason_zh
    }

    /// Why, in English: what is there and, when it fails, what is missing.
    async fn reason_en(&self) -> &str {
        &self.0.reason_en
    }

    /// The records and figures the criterion read.
    async fn evidence(&self) -> ComplianceEvidence<'_> {
        ComplianceEvidence(&self.0.evidence)
    }
}

/// What a criterion read. Each criterion fills the parts it reads; the rest are empty or null.
pub struct ComplianceEvidence<'a>(&'a rules::Evidence);

/// What a criterion read. Each criterion fills the parts it reads; the rest are empty or null.
#[Object]
impl ComplianceEvidence<'_> {
    /// Platforms open on the date (有创新平台).
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn platforms(&self, ctx: &Context<'_>) -> ApiResult<Vec<Platform>> {
        let loaders = loaders::of(ctx)?;
        let mut items = Vec::new();
        for &id in &self.0.platform_ids {
            let row = required(one(&loaders.platforms, id).await?, "platform", id)?;
            items.push(Platform::try_from(row)?);
        }
        Ok(items)
    }

    /// Funds serving the carrier on the date (有投资基金).
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn funds(&self, ctx: &Context<'_>) -> ApiResult<Vec<Fund>> {
        let loaders = loaders::of(ctx)?;
        let mut items = Vec::new();
        for &id in &self.0.fund_ids {
            let row = required(one(&loaders.funds, id).await?, "fund", id)?;
            items.push(row.into());
        }
        Ok(items)
    }

    /// Their combined size, CNY as a decimal string (有投资基金).
    async fn fund_size(&self) -> Option<String> {
        self.0.fund_size.map(|fen| fen.to_string())
    }

    /// Tenants on the date: enterprises with a lease in force.
    async fn tenants(&self) -> Option<i32> {
        self.0.tenants.map(count)
    }

    /// Of them, those in the carrier's leading industries (有主导产业).
    async fn tenants_in_leading_industries(&self) -> Option<i32> {
        self.0.tenants_in_leading_industries.map(count)
    }

    /// That number over the tenants, 0 to 1; null without tenants (有主导产业).
    async fn leading_industry_share(&self) -> Option<f64> {
        self.0.leading_industry_share
    }

    /// That share as a percentage to two decimals (60 reads 60.00%); null without tenants.
    async fn leading_industry_percent(&self) -> Option<f64> {
        self.0
            .leading_industry_share
            .map(crate::domain::goals::percent)
    }

    /// Operating teams active on the date (有专业团队).
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<OperatingTeam>> {
        let loaders = loaders::of(ctx)?;
        let mut items = Vec::new();
        for &id in &self.0.team_ids {
            items.push(required(one(&loaders.teams, id).await?, "team", id)?.into());
        }
        Ok(items)
    }

    /// Their professional staff, summed (有专业团队).
    async fn staff(&self) -> Option<i32> {
        self.0.staff.map(count)
    }

    /// Their mentors, summed (有专业团队).
    async fn mentors(&self) -> Option<i32> {
        self.0.mentors.map(count)
    }

    /// Staff per ten tenants; null without tenants (有专业团队).
    async fn staff_per_ten_tenants(&self) -> Option<f64> {
        self.0.staff_per_ten_tenants
    }

    /// Mentors per ten tenants; null without tenants (有专业团队).
    async fn mentors_per_ten_tenants(&self) -> Option<f64> {
        self.0.mentors_per_ten_tenants
    }

    /// Staff the rules ask for with these tenants (有专业团队).
    async fn required_staff(&self) -> Option<i32> {
        self.0.required_staff.map(count)
    }

    /// Mentors the rules ask for with these tenants (有专业团队).
    async fn required_mentors(&self) -> Option<i32> {
        self.0.required_mentors.map(count)
    }

    /// Facilities open on the date (有配套设施).
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn facilities(&self, ctx: &Context<'_>) -> ApiResult<Vec<Facility>> {
        let loaders = loaders::of(ctx)?;
        let mut items = Vec::new();
        for &id in &self.0.facility_ids {
            let row = required(one(&loaders.facilities, id).await?, "facility", id)?;
            items.push(Facility::try_from(row)?);
        }
        Ok(items)
    }

    /// Their distinct kinds (有配套设施).
    async fn facility_kinds(&self) -> Vec<FacilityKind> {
        self.0.facility_kinds.iter().map(|&k| k.into()).collect()
    }

    /// Required kinds none of them is (有配套设施).
    async fn missing_facility_kinds(&self) -> Vec<FacilityKind> {
        self.0
            .missing_facility_kinds
            .iter()
            .map(|&k| k.into())
            .collect()
    }
}

/// 五有 of carrier `carrier_id` on `as_of`, from the request's batched loaders.
pub async fn compliance_of(
    loaders: &Loaders,
    carrier_id: i32,
    as_of: NaiveDate,
) -> ApiResult<Compliance> {
    // Asked for together, so both reads join the same wave of batches.
    let (records, rules) = tokio::try_join!(
        Loaders::as_of(&loaders.support_records, carrier_id, as_of),
        loaders.compliance_rules()
    )?;
    Ok(rules::check(&records, as_of, &rules))
}

// ---------------------------------------------------------------- level rule sets

/// A figure a level criterion is about.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::level_rules::Metric")]
pub enum LevelMetric {
    /// 可自主支配场地面积: floor area delivered, m².
    FloorAreaM2,
    /// Tenants' share of the floor area, public-service area included, 0 to 1.
    OccupiedShare,
    /// 在孵企业数: tenants with a lease in force.
    Tenants,
    /// Tenants per 1,000 m² of floor area.
    TenantsPerThousandM2,
    /// 累计毕业企业数: cumulative graduates.
    Graduates,
    /// 孵化资金规模: size of the funds serving the carrier, CNY.
    FundSizeCny,
    /// 专职工作人员: operating staff.
    Staff,
    /// 创业导师: mentors.
    Mentors,
    /// Staff for every ten tenants.
    StaffPerTenTenants,
    /// Mentors for every ten tenants.
    MentorsPerTenTenants,
    /// Tenants that moved in within the 365 days ending on the date.
    NewTenantsLastYear,
    /// 工位数: workstations (not held by zaiti yet, so checks on it are UNKNOWN).
    Workstations,
}

/// The answer of a check, a requirement or a whole rule set.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::level_rules::Outcome")]
pub enum EligibilityOutcome {
    /// Met.
    Pass,
    /// Not met.
    Fail,
    /// Cannot be told: a figure zaiti does not hold.
    Unknown,
}

/// A versioned set of published rules for recognising carriers at a level.
pub struct LevelRuleSet(pub &'static RuleSet);

/// A versioned set of published rules for recognising carriers at a level.
#[Object]
impl LevelRuleSet {
    /// Its code, e.g. NATIONAL_INCUBATOR_2018; pass it to `levelEligibility`.
    async fn code(&self) -> &'static str {
        self.0.code
    }

    /// Its Chinese name.
    async fn name_zh(&self) -> &'static str {
        self.0.name_zh
    }

    /// Its English name.
    async fn name_en(&self) -> &'static str {
        self.0.name_en
    }

    /// The document that publishes it, e.g. 国科发区〔2018〕300号.
    async fn document(&self) -> &'static str {
        self.0.document
    }

    /// The carrier kinds it covers.
    async fn kinds(&self) -> Vec<CarrierKind> {
        self.0.kinds.iter().map(|&k| k.into()).collect()
    }

    /// The level it grants.
    async fn level(&self) -> Level {
        self.0.level.into()
    }

    /// The first day it applies.
    async fn effective_from(&self) -> Date {
        self.0.effective_from.into()
    }

    /// The day a successor replaced it; null while current.
    async fn effective_until(&self) -> Option<Date> {
        self.0.effective_until.map(Into::into)
    }

    /// Its requirements; each holds when its check passes, or for a group, any one of its checks.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn requirements(&self) -> Vec<LevelRequirement> {
        self.0
            .requirements
            .iter()
            .map(|r| LevelRequirement {
                code: r.code(),
                description_zh: requirement_text(r).0,
                description_en: requirement_text(r).1,
                checks: r
                    .checks()
                    .iter()
                    .map(|c| LevelCheck {
                        code: c.code,
                        description_zh: c.description_zh,
                        description_en: c.description_en,
                        metric: c.metric.into(),
                        at_least: c.at_least,
                        unit: c.metric.unit(),
                    })
                    .collect(),
            })
            .collect()
    }
}

fn requirement_text(requirement: &level_rules::Requirement) -> (&'static str, &'static str) {
    match requirement {
        level_rules::Requirement::All(check) => (check.description_zh, check.description_en),
        level_rules::Requirement::AnyOf {
            description_zh,
            description_en,
            ..
        } => (description_zh, description_en),
    }
}

/// A requirement of a level rule set.
#[derive(SimpleObject)]
pub struct LevelRequirement {
    /// Its code within the rule set.
    pub code: &'static str,
    /// What it asks, in Chinese.
    pub description_zh: &'static str,
    /// What it asks, in English.
    pub description_en: &'static str,
    /// Its checks: one, or several of which any one suffices.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    pub checks: Vec<LevelCheck>,
}

/// A check of a level rule: a figure that must reach a threshold.
#[derive(SimpleObject)]
pub struct LevelCheck {
    /// Its code within the rule set.
    pub code: &'static str,
    /// What it asks, in Chinese.
    pub description_zh: &'static str,
    /// What it asks, in English.
    pub description_en: &'static str,
    /// The figure checked.
    pub metric: LevelMetric,
    /// The least value that passes, in `unit`.
    pub at_least: f64,
    /// The unit of the figure, e.g. m².
    pub unit: &'static str,
}

/// Whether a carrier could apply under a rule set on a date, and what it lacks.
pub struct LevelEligibility(pub Eligibility);

/// Whether a carrier could apply under a rule set on a date, and what it lacks.
#[Object]
impl LevelEligibility {
    /// The rule set.
    async fn rule_set(&self) -> LevelRuleSet {
        LevelRuleSet(self.0.rule_set)
    }

    /// The date checked.
    async fn as_of(&self) -> Date {
        self.0.as_of.into()
    }

    /// Whether the rule set applies on that date.
    async fn in_effect(&self) -> bool {
        self.0.in_effect
    }

    /// Whether the rule set covers the carrier's kind.
    async fn applies_to_kind(&self) -> bool {
        self.0.applies_to_kind
    }

    /// PASS when the carrier could apply: the set is in effect, covers its
    /// kind and every requirement passes. FAIL when a requirement fails (or
    /// the set does not apply); UNKNOWN when none fails but some cannot be told.
    async fn outcome(&self) -> EligibilityOutcome {
        self.0.outcome.into()
    }

    /// The outcome on the figures alone, whether or not the set applies.
    async fn requirements_outcome(&self) -> EligibilityOutcome {
        self.0.requirements_outcome().into()
    }

    /// Every requirement, with the carrier's figures and the gaps.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn requirements(&self) -> Vec<RequirementOutcome> {
        self.0
            .requirements
            .iter()
            .map(|r| RequirementOutcome {
                code: r.code,
                description_zh: r.description_zh,
                description_en: r.description_en,
                outcome: r.outcome.into(),
                checks: r
                    .checks
                    .iter()
                    .map(|c| CheckOutcome {
                        code: c.code,
                        metric: c.metric.into(),
                        unit: c.metric.unit(),
                        threshold: c.threshold,
                        actual: c.actual,
                        outcome: c.outcome.into(),
                        needed: c.needed,
                        gap: c.gap,
                        gap_unit: c.metric.gap_unit(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// How a carrier meets one requirement of a rule set.
#[derive(SimpleObject)]
pub struct RequirementOutcome {
    /// The requirement's code.
    pub code: &'static str,
    /// What it asks, in Chinese.
    pub description_zh: &'static str,
    /// What it asks, in English.
    pub description_en: &'static str,
    /// PASS, FAIL or UNKNOWN; a group passes when any of its checks passes.
    pub outcome: EligibilityOutcome,
    /// Its checks.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    pub checks: Vec<CheckOutcome>,
}

/// How a carrier meets one check: its figure beside the threshold, and the gap.
#[derive(SimpleObject)]
pub struct CheckOutcome {
    /// The check's code.
    pub code: &'static str,
    /// The figure checked.
    pub metric: LevelMetric,
    /// The unit of `threshold` and `actual`.
    pub unit: &'static str,
    /// The least value that passes.
    pub threshold: f64,
    /// The carrier's value; null when zaiti does not hold it, or for a ratio
    /// over nothing (no tenants or no area), which demands nothing.
    pub actual: Option<f64>,
    /// PASS, FAIL or UNKNOWN.
    pub outcome: EligibilityOutcome,
    /// How much passing takes in all, in `gapUnit` (for a ratio, its
    /// numerator: e.g. 5 mentors for 48 tenants at one per ten).
    pub needed: f64,
    /// What is still missing when it fails, in `gapUnit`; whole things rounded up.
    pub gap: Option<f64>,
    /// The unit of `needed` and `gap`, e.g. people or m².
    pub gap_unit: &'static str,
}

/// A carrier's figures for the level rules on `as_of`, from batched loaders.
pub async fn figures_of(
    loaders: &Loaders,
    carrier_id: i32,
    as_of: NaiveDate,
) -> ApiResult<CarrierFigures> {
    let (floor_area, occupancy, records, new_tenants) = futures_util::try_join!(
        loaders.floor_area(carrier_id, as_of),
        loaders.occupancy(carrier_id, as_of),
        Loaders::as_of(&loaders.support_records, carrier_id, as_of),
        Loaders::as_of(&loaders.new_tenants, carrier_id, as_of),
    )?;
    let totals = records.totals_on(as_of);
    Ok(CarrierFigures {
        floor_area_m2: floor_area,
        leased_m2: occupancy.leased_m2,
        public_service_m2: totals.public_service_m2,
        tenants: u32::try_from(occupancy.tenants).unwrap_or(u32::MAX),
        graduates: u32::try_from(occupancy.graduates).unwrap_or(u32::MAX),
        new_tenants_last_year: new_tenants,
        fund_size: totals.fund_size,
        staff: totals.staff,
        mentors: totals.mentors,
        workstations: None,
    })
}

/// The rule set named `code`, or BAD_USER_INPUT listing those that exist.
pub fn rule_set(field: &str, code: &str) -> Result<&'static RuleSet, AppError> {
    level_rules::rule_set(code).ok_or_else(|| {
        let known: Vec<_> = level_rules::rule_sets().iter().map(|r| r.code).collect();
        AppError::invalid(
            field,
            format!("no rule set '{code}'; known: {}", known.join(", ")),
            format!("没有规则集“{code}”；现有规则集：{}", known.join("、")),
        )
    })
}

// ---------------------------------------------------------------- roots

#[derive(Default)]
pub struct ComplianceQuery;

#[Object]
impl ComplianceQuery {
    /// The 五有 thresholds in force.
    async fn compliance_rules(&self, ctx: &Context<'_>) -> ApiResult<ComplianceRulesView> {
        let current = store::compliance::rules(super::db(ctx)?).await?;
        Ok(ComplianceRulesView::new(&current.value, current.version))
    }

    /// Every level rule set zaiti knows, current and past.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn level_rule_sets(&self) -> Vec<LevelRuleSet> {
        level_rules::rule_sets().iter().map(LevelRuleSet).collect()
    }
}

#[derive(Default)]
pub struct ComplianceMutation;

#[Object]
impl ComplianceMutation {
    /// Changes the 五有 thresholds (ADMIN only; audited). Every carrier's
    /// compliance is computed with the new thresholds from then on.
    async fn update_compliance_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateComplianceRulesInput,
    ) -> ApiResult<ComplianceRulesView> {
        let db = super::db(ctx)?;
        let current = store::compliance::rules(db).await?;
        let version = input.version;
        let rules = input.apply(current.value)?;
        let written = store::setting::write(
            db,
            super::actor(ctx)?,
            store::compliance::RULES_KEY,
            &rules,
            version,
        )
        .await?;
        Ok(ComplianceRulesView::new(&written.value, written.version))
    }
}
