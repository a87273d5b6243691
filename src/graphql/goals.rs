//! Progress toward the 2027 targets of the action plan, for any date.

use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject};
use chrono::NaiveDate;

use super::carrier::Carrier;
use super::connection::{page_args, page_complexity};
use super::cost::{FIXED_SMALL_LIST, list_complexity};
use super::district::District;
use super::enums::{CarrierKind, SpaceSource};
use super::error::ApiResult;
use super::loaders::{self, required};
use super::period::{ReportingPeriod, TargetRestatement};
use super::scalars::{Date, DateTime};
use crate::domain::goals::{
    self, Contribution, GoalFacts, Pace, TargetCode as DomainCode, Targets,
};
use crate::domain::period::by_carrier;
use crate::error::AppError;
use crate::store;

/// A target of the action plan.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::goals::TargetCode")]
pub enum TargetCode {
    /// 新增功能完备载体面积: new floor area (m²) in operating carriers that meet all five of 五有.
    NewFloorArea,
    /// 新增市级以上众创空间、孵化器: makerspaces and incubators first recognised at city level or above in the period.
    NewCityLevelCarriers,
    /// 新增省级以上孵化器: incubators first recognised at provincial level or above in the period.
    NewProvincialIncubators,
    /// 地标型科创综合体: landmark science complexes operating on the date.
    LandmarkComplexes,
    /// 载体内公共技术服务平台: platforms hosted by carriers, opened in the period and open on the date.
    CarrierPlatforms,
    /// 高水平专业化运营团队: teams recognised as professional in the period.
    OperatingTeams,
    /// 新落地科技型企业: enterprises landed in the period (also a yearly figure).
    TechFirmsLanded,
}

/// How the portfolio stands against every target on one date.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct GoalProgress {
    /// The date of the figures: records dated up to it count.
    pub as_of: Date,
    /// The moment of knowledge the figures were computed for; null for what is known now.
    pub known_at: Option<DateTime>,
    /// The first day of the plan period.
    pub period_start: Date,
    /// The last day of the plan period.
    pub period_end: Date,
    /// Share of the period elapsed on `asOf`, 0 to 1 (days counted inclusively).
    pub elapsed_share: f64,
    /// 时间进度: the share of the period elapsed as a percentage to two decimals.
    pub elapsed_percent: f64,
    /// Every target, in the order of the action plan.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    pub targets: Vec<TargetProgress>,
    /// 报告期: the closed year whose figures were reported for `asOf` (its
    /// December 31); null for other dates, and with `knownAt`. While it is
    /// set, each target gives `reported` and its `restatement`.
    pub reporting_period: Option<ReportingPeriod>,
}

#[ComplexObject]
impl GoalProgress {
    /// One target's progress.
    async fn target(
        &self,
        #[graphql(desc = "Which target.")] code: TargetCode,
    ) -> Option<&TargetProgress> {
        let code: DomainCode = code.into();
        self.targets.iter().find(|t| t.domain_code == code)
    }
}

/// 原文: a sentence of the action plan, word for word, and the clause it stands in.
#[derive(SimpleObject)]
pub struct PlanQuote {
    /// The clause, e.g. 一、总体要求（二）发展目标 2.科创载体建设质效大幅提升.
    pub clause: &'static str,
    /// The sentence as the plan writes it.
    pub text: &'static str,
}

impl From<&goals::PlanQuote> for PlanQuote {
    fn from(quote: &goals::PlanQuote) -> Self {
        Self {
            clause: quote.clause,
            text: quote.text,
        }
    }
}

/// One target: how far the portfolio is, whether it is on pace, and where the figure comes from.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TargetProgress {
    #[graphql(skip)]
    domain_code: DomainCode,
    #[graphql(skip)]
    parts: Vec<Contribution>,
    /// 更正调整: for the last day of a closed year, the figure as reported,
    /// as it stands now, and the records that cause the difference; null
    /// for other dates.
    pub restatement: Option<TargetRestatement>,
    /// Which target.
    pub code: TargetCode,
    /// The target in the action plan's own words, an exact excerpt of
    /// 《无锡市强化企业科技创新主体地位行动方案》 (2024-03-22), e.g.
    /// 新增功能完备的孵化载体面积300万平方米以上; `planQuotes` gives the sentences it comes from.
    pub description_zh: &'static str,
    /// The target in English.
    pub description_en: &'static str,
    /// 原文: the sentences of the action plan the target comes from, word for word, with their clauses.
    pub plan_quotes: Vec<PlanQuote>,
    /// How the actual value is counted.
    pub counting_rule: &'static str,
    /// The unit of `target` and `actual` in English: m², carriers, platforms, teams or enterprises.
    pub unit: &'static str,
    /// 单位: the unit as the plan counts it: 平方米, 家 or 个.
    pub unit_zh: &'static str,
    /// The target figure for the period.
    pub target: f64,
    /// The figure reached by `asOf`.
    pub actual: f64,
    /// `actual / target`.
    pub ratio: f64,
    /// 完成率: `actual / target` as a percentage to two decimals (12.35 reads 12.35%).
    pub ratio_percent: f64,
    /// What a straight line from 0 at the period's start to the target at its end reaches by `asOf`.
    pub expected_by_pace: f64,
    /// Whether `actual` is at or above `expectedByPace`.
    pub on_pace: bool,
    /// What remains to reach the target (0 once reached).
    pub remaining: f64,
    /// What remains, per year left in the period; null once the period is over.
    pub needed_per_remaining_year: Option<f64>,
    /// The yearly figure, for targets that have one (TECH_FIRMS_LANDED: 10,000 a year).
    pub annual_target: Option<f64>,
}

/// A figure of one district.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DistrictFigure {
    #[graphql(skip)]
    district_id: i32,
    /// The part of the actual value from this district.
    pub value: f64,
}

#[ComplexObject]
impl DistrictFigure {
    /// The district.
    async fn district(&self, ctx: &Context<'_>) -> ApiResult<District> {
        let district = loaders::of(ctx)?.district(self.district_id).await?;
        required(district, "district", self.district_id)
    }
}

/// A figure of one carrier kind.
#[derive(SimpleObject)]
pub struct KindFigure {
    /// The kind.
    pub kind: CarrierKind,
    /// The part of the actual value from carriers of this kind.
    pub value: f64,
}

/// A figure of one calendar year.
#[derive(SimpleObject)]
pub struct YearFigure {
    /// The year.
    pub year: i32,
    /// The part of the actual value dated in this year.
    pub value: f64,
    /// The yearly target, for targets that have one.
    pub target: Option<f64>,
}

/// A figure of one space source.
#[derive(SimpleObject)]
pub struct SourceFigure {
    /// Where the floor area came from.
    pub source: SpaceSource,
    /// The floor area from this source.
    pub value: f64,
}

/// A carrier's part of a target's actual value.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Contributor {
    #[graphql(skip)]
    carrier_id: i32,
    /// Its part of the actual value.
    pub value: f64,
}

#[ComplexObject]
impl Contributor {
    /// The carrier.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.carrier_id).await?;
        required(carrier, "carrier", self.carrier_id)
    }
}

super::connection::connection!(
    ContributorConnection,
    ContributorEdge,
    Contributor,
    "The carriers contributing to a target, largest part first.",
    "A contributing carrier, with its cursor."
);

#[ComplexObject]
impl TargetProgress {
    /// 报送数: for the last day of a closed year, the figure reported when
    /// the year was closed (it never changes; `actual` is the figure now);
    /// null for other dates.
    async fn reported(&self) -> Option<f64> {
        self.restatement
            .as_ref()
            .map(TargetRestatement::reported_figure)
    }

    /// The actual value by district (parts without a district, such as landed enterprises, are left out).
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn by_district(&self) -> Vec<DistrictFigure> {
        goals::sum_by(&self.parts, |p| p.district_id)
            .into_iter()
            .map(|(district_id, value)| DistrictFigure {
                district_id,
                value: figure(value),
            })
            .collect()
    }

    /// The actual value by carrier kind.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn by_kind(&self) -> Vec<KindFigure> {
        goals::sum_by(&self.parts, |p| p.kind)
            .into_iter()
            .map(|(kind, value)| KindFigure {
                kind: kind.into(),
                value: figure(value),
            })
            .collect()
    }

    /// The actual value by the year its records are dated in (delivery,
    /// recognition, opening or landing).
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn by_year(&self) -> Vec<YearFigure> {
        goals::sum_by(&self.parts, |p| Some(p.year))
            .into_iter()
            .map(|(year, value)| YearFigure {
                year,
                value: figure(value),
                target: self.annual_target,
            })
            .collect()
    }

    /// For NEW_FLOOR_AREA: the area by where it came from (new builds,
    /// renovated idle factories, 工业上楼, urban renewal); empty for other targets.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn by_source(&self) -> Vec<SourceFigure> {
        goals::sum_by(&self.parts, |p| p.source)
            .into_iter()
            .map(|(source, value)| SourceFigure {
                source: source.into(),
                value: figure(value),
            })
            .collect()
    }

    /// The carriers contributing, largest part first, a page at a time (forward only).
    #[graphql(complexity = "page_complexity(first, None, child_complexity)")]
    async fn contributors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size.")] first: Option<i32>,
        #[graphql(desc = "Read after this cursor.")] after: Option<String>,
    ) -> ApiResult<ContributorConnection> {
        let items: Vec<Contributor> = goals::sum_by(&self.parts, |p| p.carrier_id)
            .into_iter()
            .map(|(carrier_id, value)| Contributor {
                carrier_id,
                value: figure(value),
            })
            .collect();
        let total = items.len() as u64;
        let args = page_args(ctx, first, after, None, None);
        let page = store::page::by_key_descending(
            items,
            &args,
            "VALUE_DESC",
            |c| c.value,
            |c| i64::from(c.carrier_id),
        )?;
        Ok(ContributorConnection::build(page, total, Ok)?)
    }
}

/// Figures to the hundredth: areas are recorded in 0.01 m², and sums of
/// floats would otherwise show binary noise (27071.739999999998).
/// A figure as the API gives it: to two decimals.
pub(super) fn figure(value: f64) -> f64 {
    // Adding 0.0 turns the -0.0 of an empty float sum into 0.
    (value * 100.0).round() / 100.0 + 0.0
}

fn target_progress(
    code: DomainCode,
    facts: &GoalFacts,
    targets: &Targets,
    as_of: NaiveDate,
    closed: Option<&ReportingPeriod>,
) -> TargetProgress {
    let parts = goals::contributions(code, facts, targets, as_of);
    let sum: f64 = parts.iter().map(|p| p.value).sum();
    let actual = figure(sum);
    let restatement =
        closed.and_then(|period| TargetRestatement::new(period, code, sum, &by_carrier(&parts)));
    let Pace {
        target,
        ratio,
        expected,
        on_pace,
        remaining,
        needed_per_year,
        ..
    } = goals::pace(
        targets.value(code),
        actual,
        targets.period_start,
        targets.period_end,
        as_of,
    );
    TargetProgress {
        domain_code: code,
        parts,
        restatement,
        code: code.into(),
        description_zh: code.description_zh(),
        description_en: code.description_en(),
        plan_quotes: code.plan_quotes().iter().map(PlanQuote::from).collect(),
        counting_rule: code.counting_rule(),
        unit: code.unit(),
        unit_zh: code.unit_zh(),
        target,
        actual,
        ratio,
        ratio_percent: goals::percent(ratio),
        expected_by_pace: figure(expected),
        on_pace,
        remaining: figure(remaining),
        needed_per_remaining_year: needed_per_year.map(figure),
        annual_target: targets.per_year(code),
    }
}

/// The targets and the plan period in force.
#[derive(SimpleObject)]
pub struct GoalTargets {
    /// The first day of the plan period.
    pub period_start: Date,
    /// The last day of the plan period.
    pub period_end: Date,
    /// NEW_FLOOR_AREA, m².
    pub new_floor_area_m2: f64,
    /// NEW_CITY_LEVEL_CARRIERS.
    pub new_city_level_carriers: u32,
    /// NEW_PROVINCIAL_INCUBATORS.
    pub new_provincial_incubators: u32,
    /// LANDMARK_COMPLEXES.
    pub landmark_complexes: u32,
    /// CARRIER_PLATFORMS.
    pub carrier_platforms: u32,
    /// OPERATING_TEAMS.
    pub operating_teams: u32,
    /// TECH_FIRMS_LANDED over the period.
    pub tech_firms_landed: u32,
    /// TECH_FIRMS_LANDED in each year.
    pub tech_firms_landed_per_year: u32,
    /// The setting's version: 0 while the action plan's figures apply. Pass it back to change them.
    pub version: i32,
}

impl GoalTargets {
    fn new(targets: &Targets, version: i32) -> Self {
        Self {
            period_start: targets.period_start.into(),
            period_end: targets.period_end.into(),
            new_floor_area_m2: targets.new_floor_area_m2,
            new_city_level_carriers: targets.new_city_level_carriers,
            new_provincial_incubators: targets.new_provincial_incubators,
            landmark_complexes: targets.landmark_complexes,
            carrier_platforms: targets.carrier_platforms,
            operating_teams: targets.operating_teams,
            tech_firms_landed: targets.tech_firms_landed,
            tech_firms_landed_per_year: targets.tech_firms_landed_per_year,
            version,
        }
    }
}

/// Changes to the targets or the period; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateGoalTargetsInput {
    /// The `version` the change is based on (0 while the defaults apply); a stale one gets CONFLICT.
    pub version: i32,
    /// New first day of the period.
    pub period_start: Option<Date>,
    /// New last day of the period.
    pub period_end: Option<Date>,
    /// New NEW_FLOOR_AREA, m²; more than 0.
    pub new_floor_area_m2: Option<f64>,
    /// New NEW_CITY_LEVEL_CARRIERS.
    pub new_city_level_carriers: Option<u32>,
    /// New NEW_PROVINCIAL_INCUBATORS.
    pub new_provincial_incubators: Option<u32>,
    /// New LANDMARK_COMPLEXES.
    pub landmark_complexes: Option<u32>,
    /// New CARRIER_PLATFORMS.
    pub carrier_platforms: Option<u32>,
    /// New OPERATING_TEAMS.
    pub operating_teams: Option<u32>,
    /// New TECH_FIRMS_LANDED over the period.
    pub tech_firms_landed: Option<u32>,
    /// New TECH_FIRMS_LANDED in each year.
    pub tech_firms_landed_per_year: Option<u32>,
}

impl UpdateGoalTargetsInput {
    fn apply(self, mut targets: Targets) -> Result<Targets, AppError> {
        macro_rules! set {
            ($($field:ident),+) => {$(
                if let Some(value) = self.$field {
                    targets.$field = value.into();
                }
            )+};
        }
        set!(
            new_floor_area_m2,
            new_city_level_carriers,
            new_provincial_incubators,
            landmark_complexes,
            carrier_platforms,
            operating_teams,
            tech_firms_landed,
            tech_firms_landed_per_year
        );
        if let Some(start) = self.period_start {
            targets.period_start = start.0;
        }
        if let Some(end) = self.period_end {
            targets.period_end = end.0;
        }
        targets.validate()?;
        Ok(targets)
    }
}

#[derive(Default)]
pub struct GoalQuery;

#[Object]
impl GoalQuery {
    /// Progress toward every target of the action plan on `asOf` (default
    /// today): records dated up to `asOf` count, by the counting rules each
    /// target documents. Computed in SQL plus one batched 五有 check.
    ///
    /// Two kinds of time: `asOf` is the date in the world; `knownAt` is the
    /// moment of knowledge. With `knownAt`, records entered after it are left
    /// out and records changed after it count at their values then (targets
    /// and 五有 thresholds too), as the audit trail holds them, so a figure
    /// reported at that moment is reproduced exactly. That replays the audit
    /// trail, so it costs far more than a live figure.
    async fn goal_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date in the world: records dated up to it count (default today).")]
        as_of: Option<Date>,
        #[graphql(
            desc = "The moment of knowledge: only what had been recorded by then counts, at its values then (default: now)."
        )]
        known_at: Option<DateTime>,
    ) -> ApiResult<GoalProgress> {
        let live = super::db(ctx)?;
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let known;
        let db = match known_at {
            Some(moment) if moment.utc() > chrono::Utc::now() => {
                return Err(AppError::invalid(
                    "knownAt",
                    format!(
                        "{} is in the future; what will be known then is not known yet",
                        moment.0.to_rfc3339()
                    ),
                    format!("{} 尚未到来，届时的记录现在无从得知", moment.0.to_rfc3339()),
                )
                .into());
            }
            Some(moment) => {
                known = store::known::as_known_at(live, moment.utc()).await?;
                &known
            }
            None => live,
        };
        let targets = store::goals::targets(db).await?.value;
        let facts = store::goals::facts(db, &targets, as_of).await?;
        // A figure as known at a past moment is not restated: it is what was known.
        let reporting_period = match known_at {
            None => super::period::closed_on(ctx, as_of).await?,
            Some(_) => None,
        };
        let elapsed_share = goals::elapsed_share(targets.period_start, targets.period_end, as_of);
        Ok(GoalProgress {
            as_of: as_of.into(),
            known_at,
            period_start: targets.period_start.into(),
            period_end: targets.period_end.into(),
            elapsed_share,
            elapsed_percent: goals::percent(elapsed_share),
            targets: <DomainCode as strum::IntoEnumIterator>::iter()
                .map(|code| {
                    target_progress(code, &facts, &targets, as_of, reporting_period.as_ref())
                })
                .collect(),
            reporting_period,
        })
    }

    /// The targets and the plan period in force.
    async fn goal_targets(&self, ctx: &Context<'_>) -> ApiResult<GoalTargets> {
        let current = store::goals::targets(super::db(ctx)?).await?;
        Ok(GoalTargets::new(&current.value, current.version))
    }
}

#[derive(Default)]
pub struct GoalMutation;

#[Object]
impl GoalMutation {
    /// Changes the targets or the plan period (ADMIN only; audited).
    async fn update_goal_targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateGoalTargetsInput,
    ) -> ApiResult<GoalTargets> {
        let db = super::db(ctx)?;
        let current = store::goals::targets(db).await?;
        let version = input.version;
        let targets = input.apply(current.value)?;
        let written = store::setting::write(
            db,
            super::actor(ctx)?,
            store::goals::TARGETS_KEY,
            &targets,
            version,
        )
        .await?;
        Ok(GoalTargets::new(&written.value, written.version))
    }
}
