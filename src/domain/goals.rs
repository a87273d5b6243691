//! Progress toward the action plan's 2027 targets: the targets as
//! configuration, the counting rule of each (docs/design.md), and the pace.
//!
//! Counting is a pure function of [`GoalFacts`], figures the store reads
//! (aggregated in SQL) for one as-of date; every target's actual value is the
//! sum of its [`Contribution`]s, so breakdowns by district, kind, year and
//! space source add up to the total by construction.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::ValidationError;
use super::carrier::{CarrierKind, SpaceSource, stored_enum};
use super::message::zh_date;

stored_enum! {
    /// The targets of the action plan that zaiti tracks.
    pub enum TargetCode {
        NewFloorArea,
        NewCityLevelCarriers,
        NewProvincialIncubators,
        LandmarkComplexes,
        CarrierPlatforms,
        OperatingTeams,
        TechFirmsLanded,
    }
}

impl TargetCode {
    /// The target in the action plan's own words: an exact excerpt of
    /// 《无锡市强化企业科技创新主体地位行动方案》 (2024-03-22), which
    /// [`TargetCode::plan_quotes`] gives in full with its clause.
    pub fn description_zh(self) -> &'static str {
        match self {
            Self::NewFloorArea => "新增功能完备的孵化载体面积300万平方米以上",
            Self::NewCityLevelCarriers => "新增市级以上众创空间、科技企业孵化器200家",
            Self::NewProvincialIncubators => "省级以上科技企业孵化器20家",
            Self::LandmarkComplexes => "建成10家地标型科创综合体",
            Self::CarrierPlatforms => "全市科创载体建成公共技术服务平台50家",
            Self::OperatingTeams => "培育高水平专业化运营团队10个以上",
            Self::TechFirmsLanded => "新招引落地科技企业4万家",
        }
    }

    /// The sentences of the action plan the target comes from, with their
    /// clauses, word for word (the plan is kept in `docs/action-plan-2024.txt`).
    pub fn plan_quotes(self) -> &'static [PlanQuote] {
        match self {
            Self::NewFloorArea => &[GOAL_CARRIERS, TASK_SPACE],
            Self::NewCityLevelCarriers | Self::NewProvincialIncubators => {
                &[GOAL_CARRIERS, TASK_BRANDED]
            }
            Self::LandmarkComplexes => &[GOAL_CARRIERS, TASK_BRANDED],
            Self::CarrierPlatforms | Self::OperatingTeams => &[TASK_INCUBATION],
            Self::TechFirmsLanded => &[GOAL_ENTERPRISES, TASK_TALENT],
        }
    }

    /// The unit of the target and actual values, as the plan counts them.
    pub fn unit_zh(self) -> &'static str {
        match self {
            Self::NewFloorArea => "平方米",
            Self::OperatingTeams => "个",
            Self::NewCityLevelCarriers
            | Self::NewProvincialIncubators
            | Self::LandmarkComplexes
            | Self::CarrierPlatforms
            | Self::TechFirmsLanded => "家",
        }
    }

    pub fn description_en(self) -> &'static str {
        match self {
            Self::NewFloorArea => "3,000,000 m² of new, fully functional carrier floor area",
            Self::NewCityLevelCarriers => {
                "200 new makerspaces and incubators at city level or above"
            }
            Self::NewProvincialIncubators => "20 new incubators at provincial level or above",
            Self::LandmarkComplexes => "10 landmark science complexes built",
            Self::CarrierPlatforms => "50 public technology service platforms in carriers",
            Self::OperatingTeams => "at least 10 high-level professional operating teams",
            Self::TechFirmsLanded => {
                "at least 10,000 new tech enterprises landed a year, 40,000 in the period"
            }
        }
    }

    /// How the actual value is counted (our reading of the plan, docs/design.md).
    pub fn counting_rule(self) -> &'static str {
        match self {
            Self::NewFloorArea => {
                "floor area of space phases delivered in the period up to the as-of date, in \
                 carriers that are operating and meet all five of 五有 on the as-of date"
            }
            Self::NewCityLevelCarriers => {
                "makerspaces and incubators whose first recognition at city level or above \
                 falls in the period, up to the as-of date"
            }
            Self::NewProvincialIncubators => {
                "incubators whose first recognition at provincial level or above falls in the \
                 period, up to the as-of date"
            }
            Self::LandmarkComplexes => {
                "science complexes flagged landmark, operating, with space delivered by the \
                 as-of date (whenever built: the target counts complexes standing)"
            }
            Self::CarrierPlatforms => {
                "public technology service platforms hosted by a carrier, opened in the period \
                 and open on the as-of date"
            }
            Self::OperatingTeams => {
                "operating teams recognised as high-level professional teams in the period, up \
                 to the as-of date"
            }
            Self::TechFirmsLanded => {
                "enterprises whose landing date (落地) falls in the period, up to the as-of date"
            }
        }
    }

    /// The unit of the target and actual values.
    pub fn unit(self) -> &'static str {
        match self {
            Self::NewFloorArea => "m²",
            Self::NewCityLevelCarriers
            | Self::NewProvincialIncubators
            | Self::LandmarkComplexes => "carriers",
            Self::CarrierPlatforms => "platforms",
            Self::OperatingTeams => "teams",
            Self::TechFirmsLanded => "enterprises",
        }
    }
}

/// A sentence of the action plan, word for word, and the clause it stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanQuote {
    /// The clause, e.g. 一、总体要求（二）发展目标 2.科创载体建设质效大幅提升.
    pub clause: &'static str,
    /// The sentence as the plan writes it.
    pub text: &'static str,
}

const GOAL_ENTERPRISES: PlanQuote = PlanQuote {
    clause: "一、总体要求（二）发展目标 1.科技创新企业群体不断壮大",
    text: "到2027年，引进科技副总200名，新增创新创业人才（团队）800个，新招引落地科技企业4万家，\
           科技型中小企业评价入库达到2万家、有效期内高新技术企业达到1万家，新增省级专精特新中小企业\
           1600家、国家级专精特新“小巨人”企业320家。",
};

const GOAL_CARRIERS: PlanQuote = PlanQuote {
    clause: "一、总体要求（二）发展目标 2.科创载体建设质效大幅提升",
    text: "到2027年，新增功能完备的孵化载体面积300万平方米以上，新增市级以上众创空间、\
           科技企业孵化器200家、省级以上科技企业孵化器20家，建成10家地标型科创综合体。",
};

const TASK_TALENT: PlanQuote = PlanQuote {
    clause: "二、重点任务（一）实施科技创新主体引育工程 2.加强项目人才招引",
    text: "以各类科创载体为主阵地，每年新招引落地科技企业1万家以上。",
};

const TASK_SPACE: PlanQuote = PlanQuote {
    clause: "二、重点任务（二）实施科创载体提质增效工程 4.打造高品质科创空间",
    text: "到2027年，新增功能完备的孵化载体面积300万平方米以上。",
};

const TASK_BRANDED: PlanQuote = PlanQuote {
    clause: "二、重点任务（二）实施科创载体提质增效工程 5.建设品牌化孵化载体",
    text: "到2027年，新增市级以上众创空间、科技企业孵化器200家、省级以上科技企业孵化器20家，\
           建成10家地标型科创综合体。",
};

const TASK_INCUBATION: PlanQuote = PlanQuote {
    clause: "二、重点任务（二）实施科创载体提质增效工程 6.提升创新创业孵化育成能力",
    text: "到2027年，全市科创载体建成公共技术服务平台50家，培育高水平专业化运营团队10个以上。",
};

/// A share (0 to 1) as a percentage to two decimals, as Chinese reports
/// write rates (0.123456 → 12.35, read 12.35%).
pub fn percent(share: f64) -> f64 {
    // Adding 0.0 turns -0.0 into 0.
    (share * 10_000.0).round() / 100.0 + 0.0
}

/// The targets and the period: configuration, with the action plan's figures
/// as defaults. Stored as JSON with camelCase keys; absent keys take defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Targets {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub new_floor_area_m2: f64,
    pub new_city_level_carriers: u32,
    pub new_provincial_incubators: u32,
    pub landmark_complexes: u32,
    pub carrier_platforms: u32,
    pub operating_teams: u32,
    pub tech_firms_landed: u32,
    /// The yearly figure of TECH_FIRMS_LANDED (每年新落地科技型企业1万家以上).
    pub tech_firms_landed_per_year: u32,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            period_start: NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date"),
            period_end: NaiveDate::from_ymd_opt(2027, 12, 31).expect("valid date"),
            new_floor_area_m2: 3_000_000.0,
            new_city_level_carriers: 200,
            new_provincial_incubators: 20,
            landmark_complexes: 10,
            carrier_platforms: 50,
            operating_teams: 10,
            tech_firms_landed: 40_000,
            tech_firms_landed_per_year: 10_000,
        }
    }
}

impl Targets {
    /// The target figure of `code`.
    pub fn value(&self, code: TargetCode) -> f64 {
        match code {
            TargetCode::NewFloorArea => self.new_floor_area_m2,
            TargetCode::NewCityLevelCarriers => f64::from(self.new_city_level_carriers),
            TargetCode::NewProvincialIncubators => f64::from(self.new_provincial_incubators),
            TargetCode::LandmarkComplexes => f64::from(self.landmark_complexes),
            TargetCode::CarrierPlatforms => f64::from(self.carrier_platforms),
            TargetCode::OperatingTeams => f64::from(self.operating_teams),
            TargetCode::TechFirmsLanded => f64::from(self.tech_firms_landed),
        }
    }

    /// The yearly figure of `code`, for targets that have one.
    pub fn per_year(&self, code: TargetCode) -> Option<f64> {
        (code == TargetCode::TechFirmsLanded).then(|| f64::from(self.tech_firms_landed_per_year))
    }

    /// A period that ends after it starts, and a floor area that is a real, positive figure.
    pub fn validate(&self) -> Result<(), ValidationError> {
        super::dates::check_plausible("periodStart", self.period_start)?;
        super::dates::check_plausible("periodEnd", self.period_end)?;
        if self.period_end <= self.period_start {
            return Err(ValidationError::new(
                "periodEnd",
                format!(
                    "{} must come after the period's start {}",
                    self.period_end, self.period_start
                ),
                format!(
                    "目标期末（{}）应晚于期初（{}）",
                    zh_date(self.period_end),
                    zh_date(self.period_start)
                ),
            ));
        }
        if !self.new_floor_area_m2.is_finite() || self.new_floor_area_m2 <= 0.0 {
            return Err(ValidationError::new(
                "newFloorAreaM2",
                format!("{} is not a positive area in m²", self.new_floor_area_m2),
                format!(
                    "新增面积目标应为正数（单位：平方米），填写的是 {}",
                    self.new_floor_area_m2
                ),
            ));
        }
        Ok(())
    }

    /// The last day counted on `as_of`: the as-of date, or the period's end if earlier.
    pub fn counted_until(&self, as_of: NaiveDate) -> NaiveDate {
        as_of.min(self.period_end)
    }

    /// Whether `date` falls in the period and on or before `as_of`.
    pub fn counts(&self, date: NaiveDate, as_of: NaiveDate) -> bool {
        self.period_start <= date && date <= self.counted_until(as_of)
    }
}

/// How far a target is, and whether it is on pace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub target: f64,
    pub actual: f64,
    /// actual / target.
    pub ratio: f64,
    /// What a straight line from 0 at the period's start to the target at its
    /// end reaches by the as-of date.
    pub expected: f64,
    pub on_pace: bool,
    /// What remains to reach the target (0 once reached).
    pub remaining: f64,
    /// What remains, per year left in the period; `None` once the period is over.
    pub needed_per_year: Option<f64>,
}

/// Share of the period elapsed on `as_of`, counting days inclusively: 0
/// before the start, 1 from the last day on.
pub fn elapsed_share(start: NaiveDate, end: NaiveDate, as_of: NaiveDate) -> f64 {
    if as_of < start {
        return 0.0;
    }
    if as_of >= end {
        return 1.0;
    }
    let total = (end - start).num_days() + 1;
    let elapsed = (as_of - start).num_days() + 1;
    elapsed as f64 / total as f64
}

/// Days in an average Gregorian year, for "per year" paces.
const DAYS_PER_YEAR: f64 = 365.2425;

/// The pace of a target of `target` with `actual` reached by `as_of`.
pub fn pace(target: f64, actual: f64, start: NaiveDate, end: NaiveDate, as_of: NaiveDate) -> Pace {
    let expected = target * elapsed_share(start, end, as_of);
    let remaining = (target - actual).max(0.0);
    // Before the period starts, all of it is left.
    let counted_from = as_of.max(start.pred_opt().unwrap_or(start));
    let years_left = (end - counted_from).num_days() as f64 / DAYS_PER_YEAR;
    Pace {
        target,
        actual,
        ratio: if target > 0.0 { actual / target } else { 1.0 },
        expected,
        // A hair of tolerance, so a sum of areas that equals the line is on it.
        on_pace: actual + 1e-9 * expected.max(1.0) >= expected,
        remaining,
        needed_per_year: (years_left > 0.0).then(|| remaining / years_left),
    }
}

/// A carrier as the counting rules read it.
#[derive(Debug, Clone, PartialEq)]
pub struct CarrierFacts {
    pub id: i32,
    pub kind: CarrierKind,
    pub district_id: i32,
    pub operating: bool,
    pub landmark: bool,
    /// The day its first space was delivered, if any.
    pub first_delivered_on: Option<NaiveDate>,
    /// The first recognition at city level or above (any date).
    pub first_city_or_above: Option<NaiveDate>,
    /// The first recognition at provincial level or above (any date).
    pub first_provincial_or_above: Option<NaiveDate>,
}

/// Floor area delivered to one carrier from one source in one year (summed in SQL).
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveredArea {
    pub carrier_id: i32,
    pub source: SpaceSource,
    pub year: i32,
    pub area_m2: f64,
}

/// A count of records of one carrier in one year (summed in SQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearCount {
    pub carrier_id: Option<i32>,
    pub year: i32,
    pub count: u32,
}

/// What the counting rules read for one as-of date. The store fills it so
/// that every part already holds only what the rules could count: areas
/// delivered in the period by the date, platforms open on the date and opened
/// in the period, teams recognised in the period by the date, enterprises
/// landed in the period by the date.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GoalFacts {
    pub carriers: Vec<CarrierFacts>,
    /// Carriers meeting all five of 五有 on the date.
    pub fully_functional: HashSet<i32>,
    pub delivered: Vec<DeliveredArea>,
    pub platforms_opened: Vec<YearCount>,
    pub teams_recognised: Vec<YearCount>,
    /// With no carrier: enterprises are not placed in a carrier by landing.
    pub firms_landed: Vec<YearCount>,
}

/// One part of a target's actual value, with the dimensions it breaks down by.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub carrier_id: Option<i32>,
    pub district_id: Option<i32>,
    pub kind: Option<CarrierKind>,
    pub year: i32,
    pub source: Option<SpaceSource>,
    pub value: f64,
}

/// The parts of target `code`'s actual value on `as_of`; their values add up to it.
pub fn contributions(
    code: TargetCode,
    facts: &GoalFacts,
    targets: &Targets,
    as_of: NaiveDate,
) -> Vec<Contribution> {
    let carriers: BTreeMap<i32, &CarrierFacts> = facts.carriers.iter().map(|c| (c.id, c)).collect();
    let of_carrier = |carrier: &CarrierFacts, year: i32, value: f64| Contribution {
        carrier_id: Some(carrier.id),
        district_id: Some(carrier.district_id),
        kind: Some(carrier.kind),
        year,
        source: None,
        value,
    };
    let first_recognised = |pick: fn(&CarrierFacts) -> Option<NaiveDate>, kinds: &[CarrierKind]| {
        facts
            .carriers
            .iter()
            .filter(|c| kinds.contains(&c.kind))
            .filter_map(|c| {
                pick(c)
                    .filter(|&on| targets.counts(on, as_of))
                    .map(|on| of_carrier(c, on.year(), 1.0))
            })
            .collect()
    };
    let counted = |counts: &[YearCount]| {
        counts
            .iter()
            .filter_map(|count| match count.carrier_id {
                Some(id) => carriers
                    .get(&id)
                    .map(|c| of_carrier(c, count.year, f64::from(count.count))),
                None => Some(Contribution {
                    carrier_id: None,
                    district_id: None,
                    kind: None,
                    year: count.year,
                    source: None,
                    value: f64::from(count.count),
                }),
            })
            .collect()
    };
    match code {
        TargetCode::NewFloorArea => facts
            .delivered
            .iter()
            .filter(|d| facts.fully_functional.contains(&d.carrier_id))
            .filter_map(|d| {
                let carrier = carriers.get(&d.carrier_id).filter(|c| c.operating)?;
                Some(Contribution {
                    source: Some(d.source),
                    ..of_carrier(carrier, d.year, d.area_m2)
                })
            })
            .collect(),
        TargetCode::NewCityLevelCarriers => first_recognised(
            |c| c.first_city_or_above,
            &[CarrierKind::Makerspace, CarrierKind::Incubator],
        ),
        TargetCode::NewProvincialIncubators => {
            first_recognised(|c| c.first_provincial_or_above, &[CarrierKind::Incubator])
        }
        TargetCode::LandmarkComplexes => facts
            .carriers
            .iter()
            .filter(|c| c.kind == CarrierKind::ScienceComplex && c.landmark && c.operating)
            .filter_map(|c| {
                c.first_delivered_on
                    .filter(|&on| on <= as_of)
                    .map(|on| of_carrier(c, on.year(), 1.0))
            })
            .collect(),
        TargetCode::CarrierPlatforms => counted(&facts.platforms_opened),
        TargetCode::OperatingTeams => counted(&facts.teams_recognised),
        TargetCode::TechFirmsLanded => counted(&facts.firms_landed),
    }
}

/// Sums `parts` by `key`, dropping parts without one; sorted by key.
pub fn sum_by<K: Ord>(
    parts: &[Contribution],
    key: impl Fn(&Contribution) -> Option<K>,
) -> Vec<(K, f64)> {
    let mut sums: BTreeMap<K, f64> = BTreeMap::new();
    for part in parts {
        if let Some(k) = key(part) {
            *sums.entry(k).or_default() += part.value;
        }
    }
    sums.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// The action plan as published, kept beside the design.
    const PLAN: &str = include_str!("../../docs/action-plan-2024.txt");

    #[test]
    fn every_target_is_worded_as_the_plan_words_it() {
        for code in TargetCode::iter() {
            let quotes = code.plan_quotes();
            assert!(!quotes.is_empty(), "{code}");
            for quote in quotes {
                assert!(PLAN.contains(quote.text), "{code}: {}", quote.text);
                let item = quote.clause.rsplit(' ').next().unwrap();
                assert!(PLAN.contains(item), "{code}: clause {item}");
            }
            assert!(
                quotes
                    .iter()
                    .any(|q| q.text.contains(code.description_zh())),
                "{code}: {}",
                code.description_zh()
            );
            let figure = Targets::default().value(code).to_string();
            let in_words = code
                .description_zh()
                .replace("300万", "3000000")
                .replace("4万", "40000");
            assert!(in_words.contains(&figure), "{code}: {figure}");
            assert!(in_words.contains(code.unit_zh()), "{code}");
        }
    }

    #[test]
    fn shares_read_as_percentages_to_the_hundredth() {
        assert_eq!(percent(0.123456), 12.35);
        assert_eq!(percent(1.0 / 3.0), 33.33);
        assert_eq!(percent(0.0), 0.0);
        assert_eq!(percent(-0.0).to_string(), "0");
        assert_eq!(percent(1.5), 150.0);
    }

    fn carrier(id: i32, kind: CarrierKind) -> CarrierFacts {
        CarrierFacts {
            id,
            kind,
            district_id: 10 + id % 2,
            operating: true,
            landmark: false,
            first_delivered_on: Some(day("2020-01-01")),
            first_city_or_above: None,
            first_provincial_or_above: None,
        }
    }

    #[test]
    fn the_defaults_are_the_action_plans_figures() {
        let targets = Targets::default();
        assert_eq!(targets.value(TargetCode::NewFloorArea), 3_000_000.0);
        assert_eq!(targets.value(TargetCode::NewCityLevelCarriers), 200.0);
        assert_eq!(targets.value(TargetCode::TechFirmsLanded), 40_000.0);
        assert_eq!(
            targets.per_year(TargetCode::TechFirmsLanded),
            Some(10_000.0)
        );
        assert_eq!(targets.per_year(TargetCode::OperatingTeams), None);
        assert!(targets.validate().is_ok());
    }

    #[test]
    fn a_period_ending_before_it_starts_is_refused() {
        let targets = Targets {
            period_end: day("2023-12-31"),
            ..Targets::default()
        };
        assert_eq!(targets.validate().unwrap_err().field, "periodEnd");
    }

    #[test]
    fn the_straight_line_runs_from_nothing_at_the_start_to_the_target_at_the_end() {
        let (start, end) = (day("2024-01-01"), day("2027-12-31"));
        assert_eq!(elapsed_share(start, end, day("2023-12-31")), 0.0);
        assert_eq!(elapsed_share(start, end, day("2027-12-31")), 1.0);
        assert_eq!(elapsed_share(start, end, day("2030-01-01")), 1.0);
        // 2024-01-01..=2025-12-31 is 731 of the period's 1,461 days.
        let half = elapsed_share(start, end, day("2025-12-31"));
        assert!((half - 731.0 / 1461.0).abs() < 1e-12);
    }

    #[test]
    fn pace_says_what_remains_and_what_it_takes_a_year() {
        let (start, end) = (day("2024-01-01"), day("2027-12-31"));
        let at_half = pace(200.0, 90.0, start, end, day("2025-12-31"));
        assert!((at_half.expected - 200.0 * 731.0 / 1461.0).abs() < 1e-9);
        assert!(!at_half.on_pace, "90 is behind about 100");
        assert_eq!(at_half.remaining, 110.0);
        let per_year = at_half.needed_per_year.unwrap();
        assert!((per_year - 110.0 / (730.0 / 365.2425)).abs() < 1e-9);
        let early = pace(200.0, 0.0, start, end, day("2023-06-30"));
        assert!((early.needed_per_year.unwrap() - 200.0 / (1461.0 / 365.2425)).abs() < 1e-9);
        let ahead = pace(200.0, 120.0, start, end, day("2025-12-31"));
        assert!(ahead.on_pace);
        let done = pace(200.0, 250.0, start, end, day("2028-01-01"));
        assert_eq!(done.remaining, 0.0);
        assert_eq!(done.needed_per_year, None);
        assert_eq!(done.ratio, 1.25);
    }

    #[test]
    fn floor_area_counts_only_operating_fully_functional_carriers() {
        let mut closed = carrier(3, CarrierKind::Incubator);
        closed.operating = false;
        let facts = GoalFacts {
            carriers: vec![
                carrier(1, CarrierKind::Incubator),
                carrier(2, CarrierKind::Makerspace),
                closed,
            ],
            fully_functional: HashSet::from([1, 3]),
            delivered: vec![
                DeliveredArea {
                    carrier_id: 1,
                    source: SpaceSource::NewBuild,
                    year: 2024,
                    area_m2: 1000.0,
                },
                DeliveredArea {
                    carrier_id: 1,
                    source: SpaceSource::IndustrialHighRise,
                    year: 2025,
                    area_m2: 500.0,
                },
                DeliveredArea {
                    carrier_id: 2,
                    source: SpaceSource::NewBuild,
                    year: 2024,
                    area_m2: 700.0,
                },
                DeliveredArea {
                    carrier_id: 3,
                    source: SpaceSource::NewBuild,
                    year: 2024,
                    area_m2: 900.0,
                },
            ],
            ..GoalFacts::default()
        };
        let parts = contributions(
            TargetCode::NewFloorArea,
            &facts,
            &Targets::default(),
            day("2025-12-31"),
        );
        let total: f64 = parts.iter().map(|p| p.value).sum();
        assert_eq!(total, 1500.0);
        assert_eq!(
            sum_by(&parts, |p| p.source),
            vec![
                (SpaceSource::NewBuild, 1000.0),
                (SpaceSource::IndustrialHighRise, 500.0)
            ]
        );
        assert_eq!(
            sum_by(&parts, |p| Some(p.year)),
            vec![(2024, 1000.0), (2025, 500.0)]
        );
    }

    #[test]
    fn a_carrier_counts_when_its_first_city_recognition_falls_in_the_period() {
        let mut before = carrier(1, CarrierKind::Incubator);
        before.first_city_or_above = Some(day("2023-06-01"));
        let mut inside = carrier(2, CarrierKind::Makerspace);
        inside.first_city_or_above = Some(day("2024-06-01"));
        let mut later = carrier(3, CarrierKind::Incubator);
        later.first_city_or_above = Some(day("2026-06-01"));
        let mut accelerator = carrier(4, CarrierKind::Accelerator);
        accelerator.first_city_or_above = Some(day("2024-06-01"));
        let facts = GoalFacts {
            carriers: vec![before, inside, later, accelerator],
            ..GoalFacts::default()
        };
        let parts = contributions(
            TargetCode::NewCityLevelCarriers,
            &facts,
            &Targets::default(),
            day("2025-12-31"),
        );
        assert_eq!(
            parts.iter().map(|p| p.carrier_id).collect::<Vec<_>>(),
            vec![Some(2)]
        );
    }

    #[test]
    fn landed_firms_break_down_by_year_only() {
        let facts = GoalFacts {
            firms_landed: vec![
                YearCount {
                    carrier_id: None,
                    year: 2024,
                    count: 9_000,
                },
                YearCount {
                    carrier_id: None,
                    year: 2025,
                    count: 11_000,
                },
            ],
            ..GoalFacts::default()
        };
        let parts = contributions(
            TargetCode::TechFirmsLanded,
            &facts,
            &Targets::default(),
            day("2025-12-31"),
        );
        assert_eq!(
            sum_by(&parts, |p| Some(p.year)),
            vec![(2024, 9_000.0), (2025, 11_000.0)]
        );
        assert!(sum_by(&parts, |p| p.district_id).is_empty());
    }
}
