//! The demo's support records: platforms, funds, operating teams and
//! facilities, planned from the portfolio so that 五有 comes out mixed —
//! most operating carriers fully functional, some lacking one thing or more,
//! as a real portfolio would. Made up, like all demo data.

use chrono::{Datelike, Days, NaiveDate};
use sea_orm::DatabaseConnection;

use super::{CarrierPlan, Portfolio, SplitMix64, loader};
use crate::domain::ValidationError;
use crate::domain::carrier::{CarrierKind, CarrierStatus, Level};
use crate::domain::money::Fen;
use crate::domain::support::{FacilityKind, InForce, PlatformKind};
use crate::error::AppResult;
use crate::store;
use crate::store::support::{NewFacility, NewFund, NewPlatform, NewTeam};

/// A seed of its own, so the support plan never shifts the rest of the demo.
const SEED: u64 = 0x5A17_1D00_5055_0127;

/// The support records of the whole portfolio.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SupportPlan {
    platforms: Vec<(usize, PlatformPlan)>,
    teams: Vec<(usize, TeamPlan)>,
    facilities: Vec<(usize, FacilityPlan)>,
    funds: Vec<FundPlan>,
}

#[derive(Debug, Clone, PartialEq)]
struct PlatformPlan {
    name: String,
    kind: PlatformKind,
    level: Level,
    opened_on: NaiveDate,
    services: Vec<String>,
    served_per_year: i32,
}

#[derive(Debug, Clone, PartialEq)]
struct TeamPlan {
    staff: u32,
    mentors: u32,
    formed_on: NaiveDate,
    professional_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
struct FacilityPlan {
    kind: FacilityKind,
    area_m2: Option<f64>,
    opened_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
struct FundPlan {
    name: String,
    manager: &'static str,
    size: Fen,
    established_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    /// Indices in [`Portfolio::carriers`], all of one operator.
    carriers: Vec<usize>,
}

const PLATFORM_KINDS: [(PlatformKind, &str, &str); 7] = [
    (PlatformKind::ProofOfConcept, "概念验证中心", "概念验证"),
    (PlatformKind::RdDesign, "研发设计平台", "工业设计"),
    (
        PlatformKind::EngineeringTest,
        "工程试验平台",
        "环境可靠性试验",
    ),
    (PlatformKind::TestingInspection, "检验检测平台", "计量检测"),
    (PlatformKind::TechTransfer, "技术转移中心", "成果转化对接"),
    (PlatformKind::PilotPlant, "中试基地", "中试熟化"),
    (PlatformKind::Other, "公共服务平台", "知识产权服务"),
];

const FUND_MANAGERS: [&str; 4] = [
    "无锡示范创投基金管理有限公司",
    "锡创示范股权投资管理有限公司",
    "太湖示范资本管理有限公司",
    "梁溪示范天使投资管理有限公司",
];

/// The day a carrier's first space was delivered: its records start after it.
fn first_delivery(carrier: &CarrierPlan) -> Option<NaiveDate> {
    carrier.phases.iter().map(|phase| phase.delivered_on).min()
}

fn after(date: NaiveDate, rng: &mut SplitMix64, max_days: u64, today: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(rng.below(max_days as usize) as u64))
        .unwrap_or(date)
        .min(today)
}

/// Plans the support records of `portfolio`'s operating carriers, none dated after `today`.
pub(super) fn plan(portfolio: &Portfolio, today: NaiveDate) -> SupportPlan {
    let mut rng = SplitMix64(SEED);
    let mut tenants = vec![0u32; portfolio.carriers.len()];
    for tenancy in &portfolio.tenancies {
        tenants[tenancy.carrier] += 1;
    }
    let mut plan = SupportPlan {
        platforms: Vec::new(),
        teams: Vec::new(),
        facilities: Vec::new(),
        funds: Vec::new(),
    };
    for (index, carrier) in portfolio.carriers.iter().enumerate() {
        let Some(start) = first_delivery(carrier).filter(|&d| d <= today) else {
            continue;
        };
        if carrier.status != CarrierStatus::Operating {
            continue;
        }
        plan_team(&mut rng, &mut plan, index, start, tenants[index], today);
        plan_facilities(&mut rng, &mut plan, index, start, today);
        plan_platforms(&mut rng, &mut plan, index, carrier, start, today);
    }
    plan_funds(&mut rng, &mut plan, portfolio, today);
    plan
}

fn plan_team(
    rng: &mut SplitMix64,
    plan: &mut SupportPlan,
    carrier: usize,
    start: NaiveDate,
    tenants: u32,
    today: NaiveDate,
) {
    if rng.chance(0.08) {
        return;
    }
    let needed = tenants.div_ceil(10).max(1);
    // About one team in seven runs short of staff or mentors for its tenants.
    let short = rng.chance(0.15);
    let staff = if short {
        needed.saturating_sub(1)
    } else {
        needed + rng.below(4) as u32
    };
    let mentors = needed + rng.below(6) as u32;
    let formed_on = after(start, rng, 90, today);
    let professional_on = (!short && rng.chance(0.12))
        .then(|| after(formed_on, rng, 900, today))
        .filter(|&on| on > formed_on);
    plan.teams.push((
        carrier,
        TeamPlan {
            staff,
            mentors,
            formed_on,
            professional_on,
        },
    ));
}

fn plan_facilities(
    rng: &mut SplitMix64,
    plan: &mut SupportPlan,
    carrier: usize,
    start: NaiveDate,
    today: NaiveDate,
) {
    let offers = [
        (FacilityKind::SharedMeetingRoadshow, 0.85),
        (FacilityKind::Canteen, 0.5),
        (FacilityKind::Laboratory, 0.35),
        (FacilityKind::Parking, 0.5),
        (FacilityKind::TalentApartments, 0.2),
        (FacilityKind::Exhibition, 0.25),
    ];
    for (kind, probability) in offers {
        if !rng.chance(probability) {
            continue;
        }
        let area_m2 = match kind {
            FacilityKind::SharedMeetingRoadshow | FacilityKind::Exhibition => {
                Some((rng.between(150.0, 1200.0) / 10.0).round() * 10.0)
            }
            _ => None,
        };
        plan.facilities.push((
            carrier,
            FacilityPlan {
                kind,
                area_m2,
                opened_on: after(start, rng, 180, today),
            },
        ));
    }
}

fn plan_platforms(
    rng: &mut SplitMix64,
    plan: &mut SupportPlan,
    carrier: usize,
    plan_of: &CarrierPlan,
    start: NaiveDate,
    today: NaiveDate,
) {
    let probability = match plan_of.kind {
        CarrierKind::Makerspace => 0.55,
        CarrierKind::Incubator => 0.8,
        CarrierKind::Accelerator => 0.75,
        CarrierKind::ScienceComplex => 0.95,
    };
    let count = if rng.chance(probability) {
        1 + usize::from(rng.chance(0.3))
    } else {
        0
    };
    for _ in 0..count {
        let (kind, suffix, service) = rng.pick(&PLATFORM_KINDS);
        let level = rng.weighted(&[
            (Level::None, 4),
            (Level::District, 3),
            (Level::City, 3),
            (Level::Provincial, 1),
        ]);
        plan.platforms.push((
            carrier,
            PlatformPlan {
                name: format!("{}{suffix}", plan_of.name),
                kind,
                level,
                opened_on: after(start, rng, 400, today),
                services: vec![service.to_owned(), "技术咨询".to_owned()],
                served_per_year: 10 + rng.below(150) as i32,
            },
        ));
    }
}

fn plan_funds(
    rng: &mut SplitMix64,
    plan: &mut SupportPlan,
    portfolio: &Portfolio,
    today: NaiveDate,
) {
    for operator in 0..portfolio.operators.len() {
        let served: Vec<usize> = portfolio
            .carriers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.operator == operator && c.status == CarrierStatus::Operating)
            .filter(|(_, c)| first_delivery(c).is_some_and(|d| d <= today))
            .map(|(index, _)| index)
            .filter(|_| rng.chance(0.9))
            .collect();
        if served.is_empty() || !rng.chance(0.9) {
            continue;
        }
        let year = 2019 + rng.below(6) as i32;
        let established_on = NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1)
            .unwrap_or(today)
            .min(today);
        // One fund in ten has been wound up, so some carriers lose 有投资基金.
        let closed_on = rng
            .chance(0.1)
            .then(|| NaiveDate::from_ymd_opt(today.year() - 1, 6, 30))
            .flatten()
            .filter(|&on| on > established_on);
        plan.funds.push(FundPlan {
            name: format!("{}号示范孵化基金", plan.funds.len() + 1),
            manager: rng.pick(&FUND_MANAGERS),
            size: Fen::yuan((10 + rng.below(49) as i64) * 1_000_000),
            established_on,
            closed_on,
            carriers: served,
        });
    }
}

/// How many support records [`write`] wrote.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SupportCounts {
    pub platforms: usize,
    pub funds: usize,
    pub teams: usize,
    pub facilities: usize,
}

/// Writes `plan` through the store, as the demo loader. `carrier_ids[i]` is
/// the id of the portfolio's `i`th carrier.
pub(super) async fn write(
    db: &DatabaseConnection,
    plan: &SupportPlan,
    carrier_ids: &[i32],
) -> AppResult<SupportCounts> {
    let actor = loader();
    for (carrier, platform) in &plan.platforms {
        let new = NewPlatform {
            carrier_id: carrier_ids[*carrier],
            name: platform.name.clone(),
            kind: platform.kind,
            level: platform.level,
            open: open_from(platform.opened_on)?,
            services: platform.services.clone(),
            enterprises_served_per_year: Some(platform.served_per_year),
        };
        store::support::create_platform(db, &actor, new).await?;
    }
    for (carrier, team) in &plan.teams {
        let new = NewTeam {
            carrier_id: carrier_ids[*carrier],
            name: "运营服务团队".to_owned(),
            staff: team.staff,
            mentors: team.mentors,
            active: open_from(team.formed_on)?,
        };
        let row = store::support::create_team(db, &actor, new).await?;
        if let Some(on) = team.professional_on {
            store::support::recognise_team(db, &actor, row.id, row.version, Some(on)).await?;
        }
    }
    for (carrier, facility) in &plan.facilities {
        let new = NewFacility {
            carrier_id: carrier_ids[*carrier],
            kind: facility.kind,
            name: None,
            area_m2: facility.area_m2,
            open: open_from(facility.opened_on)?,
        };
        store::support::create_facility(db, &actor, new).await?;
    }
    for fund in &plan.funds {
        let new = NewFund {
            name: fund.name.clone(),
            manager: fund.manager.to_owned(),
            size: fund.size,
            active: InForce::new(
                fund.established_on,
                fund.closed_on,
                "establishedOn",
                "closedOn",
            )?,
            carrier_ids: fund.carriers.iter().map(|&c| carrier_ids[c]).collect(),
        };
        store::support::create_fund(db, &actor, new).await?;
    }
    Ok(SupportCounts {
        platforms: plan.platforms.len(),
        funds: plan.funds.len(),
        teams: plan.teams.len(),
        facilities: plan.facilities.len(),
    })
}

fn open_from(from: NaiveDate) -> Result<InForce, ValidationError> {
    InForce::new(from, None, "from", "until")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn portfolio() -> Portfolio {
        super::super::plan(today()).unwrap()
    }

    #[test]
    fn the_support_plan_is_the_same_every_time() {
        let portfolio = portfolio();
        assert_eq!(plan(&portfolio, today()), plan(&portfolio, today()));
    }

    #[test]
    fn only_operating_carriers_get_records_and_none_is_dated_in_the_future() {
        let portfolio = portfolio();
        let plan = plan(&portfolio, today());
        let carriers = plan
            .platforms
            .iter()
            .map(|(c, _)| *c)
            .chain(plan.teams.iter().map(|(c, _)| *c))
            .chain(plan.facilities.iter().map(|(c, _)| *c))
            .chain(plan.funds.iter().flat_map(|f| f.carriers.iter().copied()));
        for carrier in carriers {
            assert_eq!(portfolio.carriers[carrier].status, CarrierStatus::Operating);
        }
        assert!(plan.platforms.iter().all(|(_, p)| p.opened_on <= today()));
        assert!(plan.facilities.iter().all(|(_, f)| f.opened_on <= today()));
        assert!(plan.funds.iter().all(|f| f.established_on <= today()));
    }

    #[test]
    fn a_fund_serves_carriers_of_one_operator_so_that_operator_may_write_it() {
        let portfolio = portfolio();
        for fund in plan(&portfolio, today()).funds {
            let operators: std::collections::HashSet<_> = fund
                .carriers
                .iter()
                .map(|&c| portfolio.carriers[c].operator)
                .collect();
            assert_eq!(operators.len(), 1, "{}", fund.name);
        }
    }

    #[test]
    fn the_plan_has_every_kind_of_record_in_demo_quantities() {
        let plan = plan(&portfolio(), today());
        assert!(plan.teams.len() > 50, "{} teams", plan.teams.len());
        assert!(
            plan.platforms.len() > 30,
            "{} platforms",
            plan.platforms.len()
        );
        assert!(
            plan.facilities.len() > 100,
            "{} facilities",
            plan.facilities.len()
        );
        assert!(plan.funds.len() > 10, "{} funds", plan.funds.len());
    }
}
