//! The demo portfolio: about 128 carriers in Wuxi's eight districts, with
//! their operators, space phases and level recognitions, and some 850 tenant
//! enterprises with their tenancies, graduations and qualifications.
//!
//! **All of this data is made up, for demonstration and testing only.** It is
//! shaped like Wuxi's portfolio (the eight districts, the chain
//! 众创空间—孵化器—加速器—科创综合体, the "465" industries, the recognising
//! authorities), but no record describes a real carrier, company or person:
//! names, addresses, contacts, areas and dates are invented, and the USCCs are
//! merely well-formed (right structure and check character).
//!
//! The portfolio is first planned in plain Rust ([`plan`], unit-tested below),
//! then written through the store functions after the same field rules the
//! GraphQL mutations apply, so it passes every validation a client's input
//! would. Loading is idempotent: if the first demo operator's USCC is already
//! registered, nothing is written. A load interrupted half-way leaves partial
//! data that later runs will not complete; start again from a fresh database.

mod annual_reports;
mod applications;
mod designations;
mod inventory;
mod leases;
mod periods;
mod support;

use std::collections::HashSet;

use chrono::{Datelike, Days, Months, NaiveDate};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use strum::IntoEnumIterator;

use crate::domain::ValidationError;
use crate::domain::access::Actor;
use crate::domain::area::{FloorArea, MAX_PHASE_AREA_M2};
use crate::domain::carrier::{
    CarrierKind, CarrierStatus, Industry, Level, Ownership, SpaceSource, StatusChange,
};
use crate::domain::dates::check_plausible;
use crate::domain::enterprise::{GraduationRoute, QualificationKind};
use crate::domain::level::check_recognised_on;
use crate::domain::location::Location;
use crate::domain::money::Fen;
use crate::domain::tenancy::Span;
use crate::domain::text::{optional_text, required_text};
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::carrier::{CarrierFilter, CarrierPatch, NewCarrier};
use crate::store::correction::Correction;
use crate::store::enterprise::{EnterpriseFacts, NewQualification};
use crate::store::operator::NewOperator;
use crate::store::recognition::{NewRecognition, RecognitionAmendment};
use crate::store::space_phase::{NewSpacePhase, PhaseAmendment};
use crate::store::tenancy::NewTenancy;

mod geometry;
pub mod portfolio;

/// Loads the demo portfolio unless it is already there, with its footprints
/// and approximate district boundaries, closes 2025 (then enters a late
/// phase), and says what it did in one line.
pub async fn load(db: &DatabaseConnection) -> AppResult<String> {
    let mut summary = load_records(db).await?;
    let shapes = geometry::load(db).await?;
    if !shapes.is_empty() {
        summary = format!("{summary}; {shapes}");
    }
    if let Some((buildings, units, named)) = inventory::write(db, &loader()).await? {
        summary.push_str(&format!(
            "; {buildings} buildings, {units} units ({named} named by tenancies in force)"
        ));
    }
    if let Some(leases) = leases::write(db, &loader()).await? {
        summary.push_str(&format!("; {leases} leases (租赁合同)"));
    }
    if let Some(applications) = applications::write(db, store::today()).await? {
        summary.push_str(&format!("; {applications} entry applications"));
    }
    if let Some(reports) = annual_reports::write(db, &loader()).await? {
        summary.push_str(&format!("; {reports} annual reports (企业年报)"));
    }
    if periods::write(db, &loader()).await? {
        summary.push_str("; 2025 closed, then restated by a late phase and a late tenant");
    }
    Ok(summary)
}

/// The records of the demo portfolio (all but its geometry).
async fn load_records(db: &DatabaseConnection) -> AppResult<String> {
    let portfolio = plan(store::today())?;
    if is_loaded(db, &portfolio).await? {
        let carriers = store::carrier::count(db, &CarrierFilter::default()).await?;
        return Ok(format!("demo data already present: {carriers} carriers"));
    }
    write(db, &portfolio).await
}

// ---------------------------------------------------------------------------
// Writing the plan
// ---------------------------------------------------------------------------

/// The demo is there when its first operator is.
async fn is_loaded(db: &DatabaseConnection, portfolio: &Portfolio) -> AppResult<bool> {
    use entity::operator::{Column, Entity};
    let Some(first) = portfolio.operators.first() else {
        return Ok(false);
    };
    let found = Entity::find()
        .filter(Column::Uscc.eq(first.uscc.as_str()))
        .one(db)
        .await?;
    Ok(found.is_some())
}

async fn write(db: &DatabaseConnection, portfolio: &Portfolio) -> AppResult<String> {
    let district_ids = district_ids(db).await?;
    let mut operator_ids = Vec::with_capacity(portfolio.operators.len());
    for operator in &portfolio.operators {
        operator_ids.push(create_operator(db, operator).await?);
    }
    let (mut phases, mut recognitions) = (0, 0);
    let mut carrier_ids = Vec::with_capacity(portfolio.carriers.len());
    // The first recognition shown entered without its document number and
    // then amended to add it.
    let amended_carrier = portfolio.carriers.iter().position(|carrier| {
        carrier
            .recognitions
            .first()
            .is_some_and(|first| first.document_number.is_some())
    });
    for (index, carrier) in portfolio.carriers.iter().enumerate() {
        let district_id = district_ids[carrier.district];
        let operator_id = operator_ids[carrier.operator];
        let id = create_carrier(db, carrier, district_id, operator_id).await?;
        let mistyped = index == MISTYPED_CARRIER;
        phases += add_phases(db, id, &carrier.phases, mistyped).await?;
        if index == DUPLICATED_CARRIER {
            enter_and_void_a_duplicate(db, id, &carrier.phases).await?;
        }
        let amended = amended_carrier == Some(index);
        recognitions += record_recognitions(db, id, &carrier.recognitions, amended).await?;
        carrier_ids.push(id);
    }
    let tenants = write_tenants(db, portfolio, &carrier_ids).await?;
    let support_plan = support::plan(portfolio, LAST_SUPPORT_RECORD.min(store::today()));
    let support = support::write(db, &support_plan, &carrier_ids).await?;
    let requests = designations::write(db, &loader()).await?;
    Ok(format!(
        "loaded {} carriers, {} operators, {phases} space phases, {recognitions} recognitions, \
         {} enterprises, {} tenancies ({} graduated, {} moved out), {} qualifications, \
         {} platforms, {} funds, {} operating teams, {} facilities, {requests} designation requests",
        portfolio.carriers.len(),
        portfolio.operators.len(),
        portfolio.enterprises.len(),
        portfolio.tenancies.len(),
        tenants.graduated,
        tenants.moved_out,
        tenants.qualifications,
        support.platforms,
        support.funds,
        support.teams,
        support.facilities,
    ))
}

/// What [`write_tenants`] wrote besides the enterprises and tenancies themselves.
struct TenantCounts {
    graduated: usize,
    moved_out: usize,
    qualifications: usize,
}

/// Registers the enterprises and moves them in, all in one transaction (one
/// batch of move-ins, checked in memory); then records graduations and
/// qualifications, which the store writes one transaction each.
async fn write_tenants(
    db: &DatabaseConnection,
    portfolio: &Portfolio,
    carrier_ids: &[i32],
) -> AppResult<TenantCounts> {
    let txn = crate::store::begin_write(db).await?;
    let mut enterprise_ids = Vec::with_capacity(portfolio.enterprises.len());
    for enterprise in &portfolio.enterprises {
        let facts = enterprise_facts(enterprise)?;
        let (model, _) = store::enterprise::register_in(&txn, &loader(), facts, None).await?;
        enterprise_ids.push(model.id);
    }
    let batch = portfolio
        .tenancies
        .iter()
        .map(|tenancy| {
            Ok(NewTenancy {
                carrier_id: carrier_ids[tenancy.carrier],
                enterprise_id: enterprise_ids[tenancy.enterprise],
                unit: optional_text("unit", tenancy.unit.as_deref())?,
                area: FloorArea::parse("areaM2", tenancy.area_m2)?,
                span: Span::new(tenancy.moved_in, tenancy.moved_out)?,
                unit_ids: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, ValidationError>>()?;
    let models = match store::tenancy::move_in_all_in(&txn, &loader(), &batch, |_| {}).await? {
        Ok(models) => models,
        Err(refusals) => {
            for (index, refusal) in &refusals {
                tracing::error!(index, %refusal, "the demo plan overbooks or overlaps");
            }
            return Err(AppError::Internal);
        }
    };
    store::enterprise::give_to_last_host(&txn, &enterprise_ids).await?;
    txn.commit().await?;
    let mut counts = TenantCounts {
        graduated: 0,
        moved_out: 0,
        qualifications: 0,
    };
    for (plan, model) in portfolio.tenancies.iter().zip(&models) {
        if let Some(graduation) = &plan.graduation {
            store::tenancy::graduate(
                db,
                &loader(),
                model.id,
                model.version,
                graduation.on,
                graduation.route,
                graduation.moves_out,
            )
            .await?;
            counts.graduated += 1;
        }
        if plan.moved_out.is_some() {
            counts.moved_out += 1;
        }
    }
    for (enterprise, &enterprise_id) in portfolio.enterprises.iter().zip(&enterprise_ids) {
        for qualification in &enterprise.qualifications {
            let new = NewQualification {
                enterprise_id,
                kind: qualification.kind,
                valid_from: qualification.valid_from,
                valid_until: None,
                certificate_number: optional_text(
                    "certificateNumber",
                    qualification.certificate_number.as_deref(),
                )?,
            };
            store::enterprise::add_qualification(db, &loader(), new).await?;
            counts.qualifications += 1;
        }
    }
    Ok(counts)
}

fn enterprise_facts(plan: &EnterprisePlan) -> Result<EnterpriseFacts, ValidationError> {
    check_plausible("foundedOn", plan.founded_on)?;
    check_plausible("landedOn", plan.landed_on)?;
    Ok(EnterpriseFacts {
        uscc: plan.uscc.clone(),
        name: required_text("name", &plan.name)?,
        founded_on: plan.founded_on,
        landed_on: Some(plan.landed_on),
        industry: Some(plan.industry),
        headcount: Some(plan.headcount),
        financing_raised: Some(plan.financing_raised),
        exited_on: plan.exited_on,
        revenue: plan.revenue.clone(),
    })
}

/// The ids of [`DISTRICTS`], in their order; the migrations seed them.
async fn district_ids(db: &DatabaseConnection) -> AppResult<Vec<i32>> {
    let seeded = store::district::all(db).await?;
    DISTRICTS
        .iter()
        .map(|profile| {
            seeded
                .iter()
                .find(|d| d.code == profile.code)
                .map(|d| d.id)
                .ok_or_else(|| {
                    tracing::error!(code = profile.code, "district not seeded by the migrations");
                    AppError::Internal
                })
        })
        .collect()
}

/// The demo is written as the system, so its audit events say where the data came from.
fn loader() -> Actor {
    Actor::system("demo data loader")
}

async fn create_operator(db: &DatabaseConnection, plan: &OperatorPlan) -> AppResult<i32> {
    let new = NewOperator {
        name: required_text("name", plan.name)?,
        uscc: plan.uscc.clone(),
        ownership: plan.ownership,
        contact_person: optional_text("contactPerson", plan.contact_person.as_deref())?,
        contact_phone: optional_text("contactPhone", plan.contact_phone.as_deref())?,
    };
    Ok(store::operator::create(db, &loader(), new).await?.id)
}

async fn create_carrier(
    db: &DatabaseConnection,
    plan: &CarrierPlan,
    district_id: i32,
    operator_id: i32,
) -> AppResult<i32> {
    let (longitude, latitude) = plan.location;
    let (first, later) = plan
        .status_history
        .split_first()
        .ok_or(AppError::Internal)?;
    let new = NewCarrier {
        name: required_text("name", &plan.name)?,
        kind: plan.kind,
        status: first.status,
        status_since: Some(first.effective_on),
        district_id,
        operator_id,
        address: required_text("address", &plan.address)?,
        landmark: plan.landmark,
        // 工位数 for makerspaces: made up, 40 to 199, fixed by the name.
        workstations: (plan.kind == CarrierKind::Makerspace)
            .then(|| 40 + (plan.name.len() as i32 * 13) % 160),
        location: Some(Location::new(longitude, latitude)?),
        leading_industries: plan.industries.clone(),
    };
    let mut carrier = store::carrier::create(db, &loader(), new).await?;
    for change in later {
        let patch = CarrierPatch {
            status: Some(change.status),
            status_since: Some(change.effective_on),
            ..CarrierPatch::default()
        };
        carrier = store::carrier::update(db, &loader(), carrier.id, carrier.version, patch).await?;
    }
    Ok(carrier.id)
}

/// The carrier whose first phase is entered with a digit too many (or too
/// few) and then corrected (an AMEND in the audit trail; today's figures as planned).
const MISTYPED_CARRIER: usize = 1;
/// The carrier whose first phase is entered twice, the copy then voided.
const DUPLICATED_CARRIER: usize = 2;

/// Adds `phases`; with `mistyped`, the first is entered at ten times (or a
/// tenth of) its area and then amended to it, as an operator's typo would be put right.
async fn add_phases(
    db: &DatabaseConnection,
    carrier_id: i32,
    phases: &[PhasePlan],
    mistyped: bool,
) -> AppResult<usize> {
    for (index, phase) in phases.iter().enumerate() {
        let typo = mistyped && index == 0;
        // A digit too many, or too few where that would pass the plausible limit.
        let entered_m2 = match (typo, phase.area_m2 * 10.0) {
            (false, _) => phase.area_m2,
            (true, tenfold) if tenfold <= MAX_PHASE_AREA_M2 => tenfold,
            (true, _) => phase.area_m2 / 10.0,
        };
        let row = store::space_phase::add(db, &loader(), new_phase(carrier_id, phase, entered_m2)?)
            .await?;
        if typo {
            let amendment = PhaseAmendment {
                area: Some(FloorArea::parse("areaM2", phase.area_m2)?),
                ..PhaseAmendment::default()
            };
            let reason = format!(
                "竣工验收报告面积为 {:.2} m²，录入有误 / the acceptance report gives {:.2} m²; the area was mistyped",
                phase.area_m2, phase.area_m2
            );
            store::space_phase::correct(
                db,
                &loader(),
                row.id,
                row.version,
                Correction::Amend(amendment),
                reason,
            )
            .await?;
        }
    }
    Ok(phases.len())
}

/// Enters the first of `phases` a second time and voids the copy: it stays
/// readable with its reason and counts nowhere.
async fn enter_and_void_a_duplicate(
    db: &DatabaseConnection,
    carrier_id: i32,
    phases: &[PhasePlan],
) -> AppResult<()> {
    let Some(first) = phases.first() else {
        return Ok(());
    };
    let copy = store::space_phase::add(db, &loader(), new_phase(carrier_id, first, first.area_m2)?)
        .await?;
    let reason = "与一期重复录入 / the same delivery as phase one, entered twice".to_owned();
    store::space_phase::correct(
        db,
        &loader(),
        copy.id,
        copy.version,
        Correction::Void,
        reason,
    )
    .await?;
    Ok(())
}

fn new_phase(carrier_id: i32, phase: &PhasePlan, area_m2: f64) -> AppResult<NewSpacePhase> {
    check_plausible("deliveredOn", phase.delivered_on)?;
    Ok(NewSpacePhase {
        carrier_id,
        label: optional_text("label", phase.label)?,
        area: FloorArea::parse("areaM2", area_m2)?,
        delivered_on: phase.delivered_on,
        source: phase.source,
    })
}

/// Records `recognitions`; with `amended`, the first is recorded without
/// its document number, which a correction then adds.
async fn record_recognitions(
    db: &DatabaseConnection,
    carrier_id: i32,
    recognitions: &[RecognitionPlan],
    amended: bool,
) -> AppResult<usize> {
    for (index, recognition) in recognitions.iter().enumerate() {
        check_recognised_on(recognition.recognised_on, store::today())?;
        let document_number =
            optional_text("documentNumber", recognition.document_number.as_deref())?;
        let amend = amended && index == 0 && document_number.is_some();
        let new = NewRecognition {
            carrier_id,
            level: recognition.level,
            recognised_on: recognition.recognised_on,
            authority: required_text("authority", recognition.authority)?,
            document_number: if amend { None } else { document_number.clone() },
        };
        let row = store::recognition::record(db, &loader(), new).await?;
        if amend {
            let amendment = RecognitionAmendment {
                document_number: Some(document_number),
                ..RecognitionAmendment::default()
            };
            let reason =
                "补录认定文号 / the document number, from the recognising notice".to_owned();
            store::recognition::correct(
                db,
                &loader(),
                row.id,
                row.version,
                Correction::Amend(amendment),
                reason,
            )
            .await?;
        }
    }
    Ok(recognitions.len())
}

// ---------------------------------------------------------------------------
// The plan: what the demo writes, decided without a database
// ---------------------------------------------------------------------------

/// Everything the demo writes.
#[derive(Debug, Clone, PartialEq)]
struct Portfolio {
    operators: Vec<OperatorPlan>,
    carriers: Vec<CarrierPlan>,
    enterprises: Vec<EnterprisePlan>,
    tenancies: Vec<TenancyPlan>,
}

#[derive(Debug, Clone, PartialEq)]
struct OperatorPlan {
    name: &'static str,
    uscc: Uscc,
    ownership: Ownership,
    /// Index in [`DISTRICTS`]; `None` for an operator working citywide.
    home: Option<usize>,
    contact_person: Option<String>,
    contact_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct CarrierPlan {
    name: String,
    kind: CarrierKind,
    status: CarrierStatus,
    /// Index in [`DISTRICTS`].
    district: usize,
    /// Index in [`Portfolio::operators`].
    operator: usize,
    address: String,
    landmark: bool,
    /// WGS84 (longitude, latitude).
    location: (f64, f64),
    industries: Vec<Industry>,
    /// Oldest first; the last is `status`.
    status_history: Vec<StatusChange>,
    phases: Vec<PhasePlan>,
    recognitions: Vec<RecognitionPlan>,
}

#[derive(Debug, Clone, PartialEq)]
struct PhasePlan {
    label: Option<&'static str>,
    area_m2: f64,
    delivered_on: NaiveDate,
    source: SpaceSource,
}

#[derive(Debug, Clone, PartialEq)]
struct RecognitionPlan {
    level: Level,
    recognised_on: NaiveDate,
    authority: &'static str,
    document_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct EnterprisePlan {
    uscc: Uscc,
    name: String,
    founded_on: NaiveDate,
    landed_on: NaiveDate,
    industry: Industry,
    headcount: i32,
    financing_raised: Option<Fen>,
    exited_on: Option<NaiveDate>,
    revenue: Vec<(i32, Fen)>,
    qualifications: Vec<QualificationPlan>,
}

#[derive(Debug, Clone, PartialEq)]
struct QualificationPlan {
    kind: QualificationKind,
    valid_from: NaiveDate,
    certificate_number: Option<String>,
}

/// One tenancy, written as moved in with `moved_out` already set (if any);
/// a graduation is recorded afterwards.
#[derive(Debug, Clone, PartialEq)]
struct TenancyPlan {
    /// Index in [`Portfolio::carriers`].
    carrier: usize,
    /// Index in [`Portfolio::enterprises`].
    enterprise: usize,
    unit: Option<String>,
    area_m2: f64,
    moved_in: NaiveDate,
    /// For a graduate that moves out on graduating, the day after it
    /// graduates: graduating then moves it out on the day itself.
    moved_out: Option<NaiveDate>,
    graduation: Option<GraduationPlan>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct GraduationPlan {
    on: NaiveDate,
    route: GraduationRoute,
    moves_out: bool,
}

/// Plans the portfolio. Recognitions are never dated after `today`.
fn plan(today: NaiveDate) -> Result<Portfolio, ValidationError> {
    // A fixed seed, so every run plans the same portfolio: tests and examples
    // can rely on it, and a second run recognises its own first operator.
    let mut rng = SplitMix64(SEED);
    let operators = OPERATORS
        .iter()
        .map(|spec| plan_operator(&mut rng, spec))
        .collect::<Result<Vec<_>, _>>()?;
    let mut names = HashSet::new();
    let carriers: Vec<CarrierPlan> = district_sequence(&mut rng)
        .into_iter()
        .map(|district| plan_carrier(&mut rng, district, &operators, &mut names, today))
        .collect();
    let mut tenants = Tenants {
        usccs: operators.iter().map(|o| o.uscc.clone()).collect(),
        names: HashSet::new(),
        enterprises: Vec::new(),
        tenancies: Vec::new(),
    };
    let last_day = LAST_TENANCY.min(today);
    for (index, carrier) in carriers.iter().enumerate() {
        plan_tenants(&mut rng, &mut tenants, index, carrier, last_day)?;
    }
    Ok(Portfolio {
        operators,
        carriers,
        enterprises: tenants.enterprises,
        tenancies: tenants.tenancies,
    })
}

/// The tenants planned so far, and the codes and names they (and the operators) took.
struct Tenants {
    usccs: HashSet<Uscc>,
    names: HashSet<String>,
    enterprises: Vec<EnterprisePlan>,
    tenancies: Vec<TenancyPlan>,
}

/// The tenants of an operating carrier from its first delivery to
/// `last_day`. Each delivered phase is cut into a few slots whose areas add
/// up to 55–85% of the phase; each slot holds one tenant after another, with
/// vacant months between, so no date is ever leased beyond what was delivered.
fn plan_tenants(
    rng: &mut SplitMix64,
    tenants: &mut Tenants,
    carrier_index: usize,
    carrier: &CarrierPlan,
    last_day: NaiveDate,
) -> Result<(), ValidationError> {
    if carrier.status != CarrierStatus::Operating {
        return Ok(());
    }
    let rate = rng.between(0.55, 0.85);
    let (fewest, most) = slots_per_phase(carrier.kind);
    for phase in carrier.phases.iter().filter(|p| p.delivered_on < last_day) {
        let slots = fewest + rng.below(most - fewest + 1);
        let weights: Vec<f64> = (0..slots).map(|_| rng.between(0.5, 1.5)).collect();
        let total: f64 = weights.iter().sum();
        for weight in weights {
            let slot_m2 = phase.area_m2 * rate * weight / total;
            let mut free_from = phase.delivered_on + Days::new(rng.below(150) as u64);
            while free_from <= last_day {
                let area_m2 = (slot_m2 * rng.between(0.8, 1.0) * 100.0).floor() / 100.0;
                let tenancy = plan_tenancy(
                    rng,
                    tenants,
                    carrier_index,
                    carrier,
                    area_m2,
                    free_from,
                    last_day,
                )?;
                let Some(out) = tenancy.moved_out else {
                    tenants.tenancies.push(tenancy);
                    break;
                };
                free_from = out + Days::new(20 + rng.below(240) as u64);
                tenants.tenancies.push(tenancy);
            }
        }
    }
    Ok(())
}

/// How many tenants a phase of a carrier of `kind` holds at once.
fn slots_per_phase(kind: CarrierKind) -> (usize, usize) {
    match kind {
        CarrierKind::Makerspace => (1, 2),
        CarrierKind::Incubator | CarrierKind::Accelerator => (2, 3),
        CarrierKind::ScienceComplex => (2, 4),
    }
}

/// One tenant of `carrier` moving in on `moved_in` and the enterprise it is:
/// still there on `last_day`, or gone by then, graduated or not.
fn plan_tenancy(
    rng: &mut SplitMix64,
    tenants: &mut Tenants,
    carrier_index: usize,
    carrier: &CarrierPlan,
    area_m2: f64,
    moved_in: NaiveDate,
    last_day: NaiveDate,
) -> Result<TenancyPlan, ValidationError> {
    let mut enterprise = plan_enterprise(rng, tenants, carrier, moved_in)?;
    let stays_months = rng.weighted(&[(12, 10), (24, 25), (36, 30), (48, 20), (60, 15)]);
    let ends = moved_in + Days::new(stays_months * 30 - 90 + rng.below(180) as u64);
    let (moved_out, graduation) = if ends >= last_day {
        // Still a tenant; a few of them incubating over 48 months, or due to
        // graduate on financing they raised.
        if rng.chance(0.05) {
            enterprise.financing_raised = Some(Fen::yuan(10_000 * (500 + rng.below(1500) as i64)));
        }
        (None, None)
    } else if rng.chance(0.45) {
        let route = graduation_route(rng, &enterprise, ends);
        support_graduation(rng, &mut enterprise, route, ends);
        let moves_out = rng.chance(0.7);
        let moved_out = if moves_out {
            Some(ends + Days::new(1))
        } else {
            let later = ends + Days::new(60 + rng.below(360) as u64);
            (later <= last_day).then_some(later)
        };
        let graduation = GraduationPlan {
            on: ends,
            route,
            moves_out,
        };
        (moved_out, Some(graduation))
    } else {
        (Some(ends), None)
    };
    add_revenue(
        rng,
        &mut enterprise,
        moved_in,
        moved_out.unwrap_or(last_day),
    );
    add_qualifications(
        rng,
        &mut enterprise,
        moved_in,
        moved_out.unwrap_or(last_day),
    );
    tenants.enterprises.push(enterprise);
    Ok(TenancyPlan {
        carrier: carrier_index,
        enterprise: tenants.enterprises.len() - 1,
        unit: rng.chance(0.8).then(|| {
            format!(
                "{}号楼{}{:02}室",
                1 + rng.below(6),
                1 + rng.below(12),
                1 + rng.below(30)
            )
        }),
        area_m2,
        moved_in,
        moved_out,
        graduation,
    })
}

/// A made-up enterprise in one of the carrier's industries (mostly), founded
/// up to two years before moving in, a few earlier (entering late).
fn plan_enterprise(
    rng: &mut SplitMix64,
    tenants: &mut Tenants,
    carrier: &CarrierPlan,
    moved_in: NaiveDate,
) -> Result<EnterprisePlan, ValidationError> {
    let profile = &DISTRICTS[carrier.district];
    let industry = if rng.chance(0.85) {
        rng.pick(&carrier.industries)
    } else {
        rng.pick(&Industry::iter().collect::<Vec<_>>())
    };
    let founded_on = if rng.chance(0.07) {
        moved_in - Days::new(745 + rng.below(400) as u64)
    } else {
        moved_in - Days::new(rng.below(720) as u64)
    };
    let landed_on = if rng.chance(0.8) {
        founded_on
    } else {
        rng.date_between(founded_on, moved_in)
    };
    let uscc = loop {
        let uscc = demo_uscc(rng, Ownership::Private, profile.division)?;
        if tenants.usccs.insert(uscc.clone()) {
            break uscc;
        }
    };
    let name = enterprise_name(rng, profile, industry, &mut tenants.names);
    let headcount = match carrier.kind {
        CarrierKind::Makerspace => 2 + rng.below(25),
        CarrierKind::Incubator => 5 + rng.below(60),
        CarrierKind::Accelerator | CarrierKind::ScienceComplex => 15 + rng.below(200),
    };
    Ok(EnterprisePlan {
        uscc,
        name,
        founded_on,
        landed_on,
        industry,
        headcount: headcount as i32,
        financing_raised: rng
            .chance(0.25)
            .then(|| Fen::yuan(10_000 * (20 + rng.below(460) as i64))),
        exited_on: None,
        revenue: Vec::new(),
        qualifications: Vec::new(),
    })
}

/// "无锡星芯物联网科技有限公司", unique.
fn enterprise_name(
    rng: &mut SplitMix64,
    profile: &DistrictProfile,
    industry: Industry,
    taken: &mut HashSet<String>,
) -> String {
    let place = match profile.code {
        "jiangyin" => "江阴",
        "yixing" => "宜兴",
        _ => "无锡",
    };
    loop {
        let name = format!(
            "{place}{}{}{}",
            rng.pick(NAME_HEADS),
            rng.pick(NAME_TAILS),
            rng.pick(business(industry))
        );
        if taken.insert(name.clone()) {
            return name;
        }
    }
}

/// A route this tenant can graduate by on `on`: revenue only when it had two
/// closed years by then.
fn graduation_route(
    rng: &mut SplitMix64,
    enterprise: &EnterprisePlan,
    on: NaiveDate,
) -> GraduationRoute {
    let route = rng.weighted(GRADUATION_WEIGHTS);
    if route == GraduationRoute::RevenueTwoYears && enterprise.founded_on.year() > on.year() - 2 {
        GraduationRoute::FinancingRaised
    } else {
        route
    }
}

/// The facts that make `route` met on `on`.
fn support_graduation(
    rng: &mut SplitMix64,
    enterprise: &mut EnterprisePlan,
    route: GraduationRoute,
    on: NaiveDate,
) {
    match route {
        GraduationRoute::HighTechRecognised => {
            let valid_from = rng.date_between((on - Days::new(300)).max(enterprise.founded_on), on);
            enterprise.qualifications.push(QualificationPlan {
                kind: QualificationKind::HighTech,
                valid_from,
                certificate_number: Some(format!(
                    "GR{}32{:06}",
                    valid_from.year(),
                    rng.below(1_000_000)
                )),
            });
        }
        GraduationRoute::FinancingRaised => {
            enterprise.financing_raised = Some(Fen::yuan(10_000 * (500 + rng.below(4500) as i64)));
        }
        GraduationRoute::RevenueTwoYears => {
            for year in [on.year() - 2, on.year() - 1] {
                let revenue = Fen::yuan(10_000 * (520 + rng.below(1200) as i64));
                enterprise.revenue.push((year, revenue));
            }
        }
        GraduationRoute::MergedAcquiredOrListed => enterprise.exited_on = Some(on),
    }
}

/// Revenue for some of the closed years of a tenancy from `from` to `until`,
/// never two years adding up to the revenue route (10,000,000 CNY).
fn add_revenue(
    rng: &mut SplitMix64,
    enterprise: &mut EnterprisePlan,
    from: NaiveDate,
    until: NaiveDate,
) {
    if !enterprise.revenue.is_empty() || !rng.chance(0.4) {
        return;
    }
    for year in from.year().max(enterprise.founded_on.year())..until.year() {
        let revenue = Fen::yuan(1_000 * (100 + rng.below(4_400) as i64));
        enterprise.revenue.push((year, revenue));
    }
}

/// A few qualifications, from moving in to `until`.
fn add_qualifications(
    rng: &mut SplitMix64,
    enterprise: &mut EnterprisePlan,
    from: NaiveDate,
    until: NaiveDate,
) {
    let first = from.max(enterprise.founded_on);
    if rng.chance(0.2) {
        let valid_from = rng.date_between(first, until);
        enterprise.qualifications.push(QualificationPlan {
            kind: QualificationKind::TechSme,
            valid_from,
            certificate_number: Some(format!(
                "{}3202{:02}A{:07}",
                valid_from.year(),
                rng.below(20),
                rng.below(10_000_000)
            )),
        });
    }
    for (kind, probability) in [
        (QualificationKind::Gazelle, 0.04),
        (QualificationKind::ProvincialSpecialized, 0.03),
        (QualificationKind::Eaglet, 0.02),
    ] {
        if rng.chance(probability) {
            enterprise.qualifications.push(QualificationPlan {
                kind,
                valid_from: rng.date_between(first, until),
                certificate_number: None,
            });
        }
    }
}

/// Each district's index as many times as it has carriers, shuffled, so the
/// carriers are not listed district by district.
fn district_sequence(rng: &mut SplitMix64) -> Vec<usize> {
    let mut sequence: Vec<usize> = DISTRICTS
        .iter()
        .enumerate()
        .flat_map(|(index, profile)| std::iter::repeat_n(index, profile.carriers))
        .collect();
    rng.shuffle(&mut sequence);
    sequence
}

fn plan_operator(
    rng: &mut SplitMix64,
    spec: &OperatorSpec,
) -> Result<OperatorPlan, ValidationError> {
    let division = spec
        .home
        .map_or(CITY_DIVISION, |home| DISTRICTS[home].division);
    Ok(OperatorPlan {
        name: spec.name,
        uscc: demo_uscc(rng, spec.ownership, division)?,
        ownership: spec.ownership,
        home: spec.home,
        contact_person: rng
            .chance(0.6)
            .then(|| format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN_NAMES))),
        contact_phone: rng
            .chance(0.7)
            .then(|| format!("0510-8{:07}", rng.below(10_000_000))),
    })
}

/// A well-formed USCC registered in `division`: "12" (a public institution)
/// for universities and institutes, "91" (a company) for the others.
fn demo_uscc(
    rng: &mut SplitMix64,
    ownership: Ownership,
    division: &str,
) -> Result<Uscc, ValidationError> {
    let (registration, organisation_prefix) = match ownership {
        Ownership::UniversityOrInstitute => ("12", ""),
        _ => ("91", "MA"),
    };
    let mut first_16 = format!("{registration}{division}{organisation_prefix}");
    while first_16.len() < 16 {
        first_16.push(char::from(rng.pick(USCC_ALPHABET)));
    }
    Uscc::with_check_characters(&first_16)
}

fn plan_carrier(
    rng: &mut SplitMix64,
    district: usize,
    operators: &[OperatorPlan],
    names: &mut HashSet<String>,
    today: NaiveDate,
) -> CarrierPlan {
    let profile = &DISTRICTS[district];
    let kind = rng.weighted(KIND_WEIGHTS);
    let status = rng.weighted(STATUS_WEIGHTS);
    let industries = plan_industries(rng, profile);
    let name = unique_name(rng, profile, kind, industries[0], names);
    let opened = opening_date(rng, status);
    CarrierPlan {
        name,
        kind,
        status,
        district,
        operator: pick_operator(rng, district, operators),
        address: format!(
            "{}{}{}号",
            profile.address_prefix,
            rng.pick(profile.roads),
            1 + rng.below(600)
        ),
        landmark: kind == CarrierKind::ScienceComplex && rng.chance(0.4),
        location: near(rng, profile.centre),
        industries,
        status_history: plan_status_history(status, opened, today),
        phases: plan_phases(rng, kind, status, opened),
        recognitions: plan_recognitions(rng, profile, status, opened, today),
    }
}

/// One to three leading industries, mostly the district's own clusters.
fn plan_industries(rng: &mut SplitMix64, profile: &DistrictProfile) -> Vec<Industry> {
    let all: Vec<Industry> = Industry::iter().collect();
    let count = rng.weighted(&[(1, 45), (2, 35), (3, 20)]);
    let mut industries = Vec::with_capacity(count);
    while industries.len() < count {
        let industry = if rng.chance(0.8) {
            rng.pick(profile.industries)
        } else {
            rng.pick(&all)
        };
        if !industries.contains(&industry) {
            industries.push(industry);
        }
    }
    industries
}

/// "新吴物联网众创空间", or with a brand ("新吴云谷物联网众创空间") when the
/// plain name is taken.
fn unique_name(
    rng: &mut SplitMix64,
    profile: &DistrictProfile,
    kind: CarrierKind,
    industry: Industry,
    taken: &mut HashSet<String>,
) -> String {
    let suffix = rng.pick(kind_suffixes(kind));
    let named = |brand: &str| format!("{}{brand}{}{suffix}", profile.short, theme(industry));
    let offset = rng.below(BRANDS.len());
    let brands = BRANDS.iter().cycle().skip(offset).take(BRANDS.len());
    let name = std::iter::once(&"")
        .chain(brands)
        .map(|brand| named(brand))
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| format!("{}{}号", named(""), taken.len()));
    taken.insert(name.clone());
    name
}

/// An operator at home in the district (three times as likely) or one working citywide.
fn pick_operator(rng: &mut SplitMix64, district: usize, operators: &[OperatorPlan]) -> usize {
    let candidates: Vec<(usize, u32)> = operators
        .iter()
        .enumerate()
        .filter_map(|(index, operator)| match operator.home {
            None => Some((index, 1)),
            Some(home) if home == district => Some((index, 3)),
            Some(_) => None,
        })
        .collect();
    rng.weighted(&candidates)
}

/// A point 0.3 to 4 km from `centre`, to six decimals (about 10 cm).
fn near(rng: &mut SplitMix64, (longitude, latitude): (f64, f64)) -> (f64, f64) {
    const KM_PER_DEGREE: f64 = 111.32;
    let distance_km = rng.between(0.3, 4.0);
    let bearing = rng.between(0.0, std::f64::consts::TAU);
    let north = distance_km * bearing.cos() / KM_PER_DEGREE;
    let east = distance_km * bearing.sin() / (KM_PER_DEGREE * latitude.to_radians().cos());
    (round_to(longitude + east, 6), round_to(latitude + north, 6))
}

/// When a carrier opened, or will open if it is not built yet.
fn opening_date(rng: &mut SplitMix64, status: CarrierStatus) -> NaiveDate {
    use CarrierStatus::*;
    match status {
        Operating => rng.date_between(date(2015, 1, 1), date(2025, 12, 31)),
        Suspended | Closed => rng.date_between(date(2015, 1, 1), date(2022, 12, 31)),
        UnderConstruction => rng.date_between(date(2026, 12, 1), date(2027, 9, 30)),
        Planned => rng.date_between(date(2027, 3, 1), date(2027, 12, 31)),
    }
}

/// When the carrier's status changed: operating from its opening;
/// suspended and closed carriers three years after; those not open yet
/// under construction or planned from their registration, two years before
/// their opening. Never after `today`.
fn plan_status_history(
    status: CarrierStatus,
    opened: NaiveDate,
    today: NaiveDate,
) -> Vec<StatusChange> {
    use CarrierStatus::*;
    let change = |effective_on: NaiveDate, status| StatusChange {
        effective_on: effective_on.min(today),
        status,
    };
    match status {
        Operating => vec![change(opened, Operating)],
        Suspended | Closed => {
            let ended = opened + Months::new(36);
            vec![change(opened, Operating), change(ended, status)]
        }
        UnderConstruction | Planned => vec![change(opened - Months::new(24), status)],
    }
}

/// One to three deliveries, the first on opening (or in 2019 for older
/// carriers, when the register starts), none after [`LAST_DELIVERY`].
fn plan_phases(
    rng: &mut SplitMix64,
    kind: CarrierKind,
    status: CarrierStatus,
    opened: NaiveDate,
) -> Vec<PhasePlan> {
    let count = match status {
        CarrierStatus::Operating | CarrierStatus::UnderConstruction => {
            rng.weighted(&[(1, 40), (2, 40), (3, 20)])
        }
        _ => 1,
    };
    let mut delivered_on = if opened < FIRST_DELIVERY {
        rng.date_between(FIRST_DELIVERY, date(2019, 12, 31))
    } else {
        opened
    };
    let (smallest, largest) = area_range(kind);
    let mut phases = Vec::with_capacity(count);
    for label in PHASE_LABELS.into_iter().take(count) {
        if delivered_on > LAST_DELIVERY {
            break;
        }
        phases.push(PhasePlan {
            label: (count > 1).then_some(label),
            area_m2: round_to(rng.between(smallest, largest), 2),
            delivered_on,
            source: rng.weighted(SOURCE_WEIGHTS),
        });
        delivered_on = delivered_on + Days::new(240 + rng.below(660) as u64);
    }
    phases
}

/// Recognitions climbing [`LADDER`] to a drawn top level, either step by
/// step from the district level or straight in at the top; none for carriers
/// not built yet, and none after `today` or [`LAST_RECOGNITION`].
fn plan_recognitions(
    rng: &mut SplitMix64,
    profile: &DistrictProfile,
    status: CarrierStatus,
    opened: NaiveDate,
    today: NaiveDate,
) -> Vec<RecognitionPlan> {
    if matches!(
        status,
        CarrierStatus::Planned | CarrierStatus::UnderConstruction
    ) {
        return Vec::new();
    }
    let top_level = rng.weighted(TOP_LEVEL_WEIGHTS);
    let Some(top) = LADDER.iter().position(|&level| level == top_level) else {
        return Vec::new();
    };
    let first = if rng.chance(0.65) { 0 } else { top };
    let last_day = LAST_RECOGNITION.min(today);
    let mut recognised_on = opened + Days::new(90 + rng.below(540) as u64);
    let mut recognitions = Vec::new();
    for &level in &LADDER[first..=top] {
        if recognised_on > last_day {
            break;
        }
        recognitions.push(recognition(rng, profile, level, recognised_on));
        recognised_on = recognised_on + Days::new(300 + rng.below(800) as u64);
    }
    recognitions
}

fn recognition(
    rng: &mut SplitMix64,
    profile: &DistrictProfile,
    level: Level,
    recognised_on: NaiveDate,
) -> RecognitionPlan {
    let (authority, document_prefix) = match level {
        Level::City => ("无锡市科学技术局", "锡科发"),
        Level::Provincial => ("江苏省科学技术厅", "苏科高发"),
        Level::National => ("中华人民共和国科学技术部", "国科火字"),
        // NONE is never on the ladder; DISTRICT is the district's own bureau.
        Level::District | Level::None => (profile.authority, profile.document_prefix),
    };
    let document_number = rng.chance(0.75).then(|| {
        format!(
            "{document_prefix}〔{}〕{}号",
            recognised_on.year(),
            1 + rng.below(180)
        )
    });
    RecognitionPlan {
        level,
        recognised_on,
        authority,
        document_number,
    }
}

/// Smallest and largest floor area of one phase, in m².
fn area_range(kind: CarrierKind) -> (f64, f64) {
    match kind {
        CarrierKind::Makerspace => (800.0, 3_000.0),
        CarrierKind::Incubator => (3_000.0, 15_000.0),
        CarrierKind::Accelerator => (10_000.0, 30_000.0),
        CarrierKind::ScienceComplex => (20_000.0, 60_000.0),
    }
}

fn kind_suffixes(kind: CarrierKind) -> &'static [&'static str] {
    match kind {
        CarrierKind::Makerspace => &["众创空间", "创客空间"],
        CarrierKind::Incubator => &["科技企业孵化器", "孵化器"],
        CarrierKind::Accelerator => &["科技企业加速器", "产业加速器"],
        CarrierKind::ScienceComplex => &["科创综合体", "科技创新综合体"],
    }
}

/// The short Chinese name of an industry, as carrier names use it.
fn theme(industry: Industry) -> &'static str {
    use Industry::*;
    match industry {
        Iot => "物联网",
        IntegratedCircuits => "集成电路",
        Biomedicine => "生物医药",
        SoftwareIt => "软件信息",
        HighEndEquipment => "高端装备",
        HighEndTextiles => "时尚纺织",
        EnergySavingEnv => "节能环保",
        NewMaterials => "新材料",
        NewEnergy => "新能源",
        Automotive => "汽车零部件",
        AiMetaverse => "人工智能",
        Quantum => "量子科技",
        ThirdGenSemiconductors => "第三代半导体",
        HydrogenStorage => "氢能储能",
        DeepSeaEquipment => "深海装备",
        SyntheticBiology => "合成生物",
        ModernAgriculture => "现代农业",
    }
}

const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid calendar date")
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

// ---------------------------------------------------------------------------
// A small deterministic generator
// ---------------------------------------------------------------------------

/// splitmix64 (Steele, Lea & Flood, 2014): a few lines, good enough for
/// made-up data, and the same sequence on every platform and run, which a
/// crate's `thread_rng` would not give.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` for `n > 0` (the modulo bias is negligible here).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// A uniformly chosen item of a non-empty slice.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An item chosen in proportion to its weight; the slice must not be
    /// empty and its weights not all zero.
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|&(_, weight)| weight).sum();
        let mut ticket = self.below(total as usize) as u32;
        for &(item, weight) in items {
            if ticket < weight {
                return item;
            }
            ticket -= weight;
        }
        items[items.len() - 1].0
    }

    fn date_between(&mut self, first: NaiveDate, last: NaiveDate) -> NaiveDate {
        let span = (last - first).num_days().max(0) as usize;
        first + Days::new(self.below(span + 1) as u64)
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

// ---------------------------------------------------------------------------
// The made-up raw material
// ---------------------------------------------------------------------------

const SEED: u64 = 0x5A17_1D00_0510_2026;

/// Space phases are registered from this date on; earlier space is booked in 2019.
const FIRST_DELIVERY: NaiveDate = date(2019, 1, 1);
/// Planned deliveries reach no further than this.
const LAST_DELIVERY: NaiveDate = date(2027, 12, 31);
/// The latest recognition the demo records (and never after today), so the
/// portfolio does not change from day to day.
const LAST_RECOGNITION: NaiveDate = date(2026, 10, 31);

/// The latest move-in, move-out or graduation the demo records (and never
/// after today), so the portfolio does not change from day to day.
const LAST_TENANCY: NaiveDate = date(2026, 10, 31);

/// The latest opening, establishment or closing of a platform, fund, team or
/// facility the demo records (and never after today): the 五有 figures the
/// README quotes stay true from day to day.
const LAST_SUPPORT_RECORD: NaiveDate = date(2026, 10, 31);

const GRADUATION_WEIGHTS: &[(GraduationRoute, u32)] = &[
    (GraduationRoute::HighTechRecognised, 40),
    (GraduationRoute::FinancingRaised, 30),
    (GraduationRoute::RevenueTwoYears, 15),
    (GraduationRoute::MergedAcquiredOrListed, 15),
];

const PHASE_LABELS: [&str; 3] = ["一期", "二期", "三期"];

/// The levels a carrier climbs, in order.
const LADDER: [Level; 4] = [
    Level::District,
    Level::City,
    Level::Provincial,
    Level::National,
];

const KIND_WEIGHTS: &[(CarrierKind, u32)] = &[
    (CarrierKind::Makerspace, 40),
    (CarrierKind::Incubator, 35),
    (CarrierKind::Accelerator, 14),
    (CarrierKind::ScienceComplex, 11),
];

const STATUS_WEIGHTS: &[(CarrierStatus, u32)] = &[
    (CarrierStatus::Operating, 86),
    (CarrierStatus::Planned, 4),
    (CarrierStatus::UnderConstruction, 6),
    (CarrierStatus::Suspended, 4),
];

const SOURCE_WEIGHTS: &[(SpaceSource, u32)] = &[
    (SpaceSource::NewBuild, 30),
    (SpaceSource::IdleFactoryRenovation, 25),
    (SpaceSource::IndustrialHighRise, 20),
    (SpaceSource::UrbanRenewal, 15),
    (SpaceSource::Other, 10),
];

/// The highest level a recognised carrier reaches (if its dates allow).
const TOP_LEVEL_WEIGHTS: &[(Level, u32)] = &[
    (Level::None, 15),
    (Level::District, 26),
    (Level::City, 24),
    (Level::Provincial, 18),
    (Level::National, 10),
];

const USCC_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The division code of Wuxi city itself, for operators working citywide.
const CITY_DIVISION: &str = "320200";

/// What the plan needs to know of a district.
#[derive(Debug)]
struct DistrictProfile {
    /// As seeded by the migrations.
    code: &'static str,
    /// Opens carrier names: "新吴".
    short: &'static str,
    /// Opens addresses: "无锡市新吴区".
    address_prefix: &'static str,
    /// Approximate centre, WGS84 (longitude, latitude).
    centre: (f64, f64),
    /// Administrative division code, for USCCs.
    division: &'static str,
    /// The district's science and technology bureau.
    authority: &'static str,
    /// Opens its document numbers: "梁科发".
    document_prefix: &'static str,
    /// How many demo carriers it gets.
    carriers: usize,
    roads: &'static [&'static str],
    /// Its favoured "465" clusters.
    industries: &'static [Industry],
}

const LIANGXI: usize = 0;
const XISHAN: usize = 1;
const HUISHAN: usize = 2;
const BINHU: usize = 3;
const XINWU: usize = 4;
const JIANGYIN: usize = 5;
const YIXING: usize = 6;
const JINGKAI: usize = 7;

const DISTRICTS: [DistrictProfile; 8] = [
    DistrictProfile {
        code: "liangxi",
        short: "梁溪",
        address_prefix: "无锡市梁溪区",
        centre: (120.296, 31.575),
        division: "320213",
        authority: "梁溪区科学技术局",
        document_prefix: "梁科发",
        carriers: 16,
        roads: &[
            "中山路",
            "解放西路",
            "人民中路",
            "通扬路",
            "广石路",
            "兴源北路",
            "五爱北路",
            "学前东路",
        ],
        industries: &[
            Industry::SoftwareIt,
            Industry::AiMetaverse,
            Industry::Biomedicine,
            Industry::HighEndTextiles,
        ],
    },
    DistrictProfile {
        code: "xishan",
        short: "锡山",
        address_prefix: "无锡市锡山区",
        centre: (120.357, 31.589),
        division: "320205",
        authority: "锡山区科学技术局",
        document_prefix: "锡山科发",
        carriers: 13,
        roads: &[
            "锡沪中路",
            "团结中路",
            "东亭南路",
            "春晖中路",
            "友谊北路",
            "安泰三路",
        ],
        industries: &[
            Industry::Automotive,
            Industry::NewEnergy,
            Industry::HighEndEquipment,
            Industry::ThirdGenSemiconductors,
        ],
    },
    DistrictProfile {
        code: "huishan",
        short: "惠山",
        address_prefix: "无锡市惠山区",
        centre: (120.298, 31.681),
        division: "320206",
        authority: "惠山区科学技术局",
        document_prefix: "惠科发",
        carriers: 14,
        roads: &[
            "惠山大道",
            "政和大道",
            "堰新路",
            "智慧路",
            "吴韵路",
            "北惠路",
        ],
        industries: &[
            Industry::HighEndEquipment,
            Industry::HydrogenStorage,
            Industry::NewEnergy,
            Industry::Biomedicine,
        ],
    },
    DistrictProfile {
        code: "binhu",
        short: "滨湖",
        address_prefix: "无锡市滨湖区",
        centre: (120.266, 31.527),
        division: "320211",
        authority: "滨湖区科学技术局",
        document_prefix: "滨科发",
        carriers: 20,
        roads: &[
            "蠡湖大道",
            "太湖大道",
            "鸿桥路",
            "建筑西路",
            "高浪西路",
            "山水东路",
            "梁溪路",
        ],
        industries: &[
            Industry::AiMetaverse,
            Industry::DeepSeaEquipment,
            Industry::Biomedicine,
            Industry::SoftwareIt,
        ],
    },
    DistrictProfile {
        code: "xinwu",
        short: "新吴",
        address_prefix: "无锡市新吴区",
        centre: (120.362, 31.490),
        division: "320214",
        authority: "新吴区科学技术局",
        document_prefix: "新科发",
        carriers: 24,
        roads: &[
            "菱湖大道",
            "长江路",
            "新华路",
            "和风路",
            "锡士路",
            "震泽路",
            "清源路",
        ],
        industries: &[
            Industry::Iot,
            Industry::IntegratedCircuits,
            Industry::ThirdGenSemiconductors,
            Industry::Biomedicine,
            Industry::SoftwareIt,
        ],
    },
    DistrictProfile {
        code: "jiangyin",
        short: "江阴",
        address_prefix: "江阴市",
        centre: (120.285, 31.920),
        division: "320281",
        authority: "江阴市科学技术局",
        document_prefix: "澄科发",
        carriers: 16,
        roads: &[
            "澄江中路",
            "虹桥北路",
            "人民东路",
            "芙蓉大道",
            "滨江西路",
            "长山大道",
        ],
        industries: &[
            Industry::NewMaterials,
            Industry::HighEndTextiles,
            Industry::IntegratedCircuits,
            Industry::NewEnergy,
        ],
    },
    DistrictProfile {
        code: "yixing",
        short: "宜兴",
        address_prefix: "宜兴市",
        centre: (119.823, 31.340),
        division: "320282",
        authority: "宜兴市科学技术局",
        document_prefix: "宜科发",
        carriers: 12,
        roads: &[
            "东氿大道",
            "阳泉西路",
            "荆溪北路",
            "氿滨大道",
            "陶都路",
            "绿园路",
        ],
        industries: &[
            Industry::EnergySavingEnv,
            Industry::NewMaterials,
            Industry::NewEnergy,
            Industry::HighEndEquipment,
        ],
    },
    DistrictProfile {
        code: "jingkai",
        short: "经开",
        address_prefix: "无锡经济开发区",
        centre: (120.330, 31.500),
        division: "320211",
        authority: "无锡经济开发区科技创新局",
        document_prefix: "锡经开科发",
        carriers: 13,
        roads: &[
            "金融一街",
            "具区路",
            "立信大道",
            "贡湖大道",
            "观山路",
            "尚贤河路",
        ],
        industries: &[
            Industry::SoftwareIt,
            Industry::AiMetaverse,
            Industry::Quantum,
            Industry::Biomedicine,
        ],
    },
];

/// A made-up operator.
#[derive(Debug)]
struct OperatorSpec {
    name: &'static str,
    ownership: Ownership,
    /// Index in [`DISTRICTS`]; `None` for one working citywide.
    home: Option<usize>,
}

const fn operator(name: &'static str, ownership: Ownership, home: Option<usize>) -> OperatorSpec {
    OperatorSpec {
        name,
        ownership,
        home,
    }
}

/// The first is the marker [`is_loaded`] looks for.
const OPERATORS: &[OperatorSpec] = &[
    operator(
        "无锡市科创载体发展有限公司",
        Ownership::CityStateOwned,
        None,
    ),
    operator(
        "无锡市创新投资运营集团有限公司",
        Ownership::CityStateOwned,
        None,
    ),
    operator(
        "无锡市双创服务中心有限公司",
        Ownership::CityStateOwned,
        None,
    ),
    operator(
        "无锡城发科技园运营有限公司",
        Ownership::CityStateOwned,
        None,
    ),
    operator(
        "梁溪科创产业发展集团有限公司",
        Ownership::DistrictStateOwned,
        Some(LIANGXI),
    ),
    operator(
        "梁溪城市更新科技园有限公司",
        Ownership::DistrictStateOwned,
        Some(LIANGXI),
    ),
    operator(
        "锡山科技园发展有限公司",
        Ownership::DistrictStateOwned,
        Some(XISHAN),
    ),
    operator(
        "惠山科创产业投资有限公司",
        Ownership::DistrictStateOwned,
        Some(HUISHAN),
    ),
    operator(
        "惠山智造园区运营有限公司",
        Ownership::DistrictStateOwned,
        Some(HUISHAN),
    ),
    operator(
        "滨湖太湖湾科创发展有限公司",
        Ownership::DistrictStateOwned,
        Some(BINHU),
    ),
    operator(
        "滨湖山水城科技园管理有限公司",
        Ownership::DistrictStateOwned,
        Some(BINHU),
    ),
    operator(
        "新吴高新科技园运营有限公司",
        Ownership::DistrictStateOwned,
        Some(XINWU),
    ),
    operator(
        "新吴产业载体建设发展有限公司",
        Ownership::DistrictStateOwned,
        Some(XINWU),
    ),
    operator(
        "江阴科创城建设发展有限公司",
        Ownership::DistrictStateOwned,
        Some(JIANGYIN),
    ),
    operator(
        "江阴临港科技园管理有限公司",
        Ownership::DistrictStateOwned,
        Some(JIANGYIN),
    ),
    operator(
        "宜兴环保科创园运营有限公司",
        Ownership::DistrictStateOwned,
        Some(YIXING),
    ),
    operator(
        "宜兴陶都科技发展有限公司",
        Ownership::DistrictStateOwned,
        Some(YIXING),
    ),
    operator(
        "无锡经开科创投资发展有限公司",
        Ownership::DistrictStateOwned,
        Some(JINGKAI),
    ),
    operator(
        "经开区太湖湾信息园运营有限公司",
        Ownership::DistrictStateOwned,
        Some(JINGKAI),
    ),
    operator(
        "无锡星启孵化器管理有限公司",
        Ownership::Private,
        Some(XINWU),
    ),
    operator(
        "无锡智汇众创空间管理有限公司",
        Ownership::Private,
        Some(LIANGXI),
    ),
    operator(
        "无锡云帆科技企业孵化器有限公司",
        Ownership::Private,
        Some(BINHU),
    ),
    operator(
        "无锡芯谷孵化器管理有限公司",
        Ownership::Private,
        Some(XINWU),
    ),
    operator(
        "无锡锐创企业服务有限公司",
        Ownership::Private,
        Some(HUISHAN),
    ),
    operator(
        "无锡东亭创客空间运营有限公司",
        Ownership::Private,
        Some(XISHAN),
    ),
    operator(
        "江阴澄创空间运营管理有限公司",
        Ownership::Private,
        Some(JIANGYIN),
    ),
    operator(
        "江阴新材料产业孵化有限公司",
        Ownership::Private,
        Some(JIANGYIN),
    ),
    operator(
        "宜兴紫砂创意众创空间有限公司",
        Ownership::Private,
        Some(YIXING),
    ),
    operator("无锡湖畔创业服务有限公司", Ownership::Private, Some(BINHU)),
    operator(
        "无锡金匮加速器管理有限公司",
        Ownership::Private,
        Some(JINGKAI),
    ),
    operator(
        "无锡智造未来产业园管理有限公司",
        Ownership::Private,
        Some(HUISHAN),
    ),
    operator(
        "无锡微纳技术研究院",
        Ownership::UniversityOrInstitute,
        Some(XINWU),
    ),
    operator(
        "无锡生命科学产业研究院",
        Ownership::UniversityOrInstitute,
        Some(BINHU),
    ),
    operator(
        "太湖深蓝装备研究院",
        Ownership::UniversityOrInstitute,
        Some(BINHU),
    ),
    operator(
        "无锡智能制造研究院",
        Ownership::UniversityOrInstitute,
        Some(XISHAN),
    ),
    operator(
        "江阴材料科学研究所",
        Ownership::UniversityOrInstitute,
        Some(JIANGYIN),
    ),
    operator(
        "无锡量子信息研究院",
        Ownership::UniversityOrInstitute,
        Some(JINGKAI),
    ),
    operator(
        "宜兴环境技术研究院",
        Ownership::UniversityOrInstitute,
        Some(YIXING),
    ),
];

/// Words that tell apart carriers otherwise named alike.
const BRANDS: &[&str] = &[
    "智汇",
    "启航",
    "星火",
    "云谷",
    "湖畔",
    "硅巷",
    "青年",
    "未来",
    "创芯",
    "锡创",
    "汇智",
    "领航",
    "金匮",
    "蠡园",
    "梁溪河",
];

/// Enterprise names: a head and a tail make the brand ("星" + "芯").
const NAME_HEADS: &[&str] = &[
    "星", "芯", "睿", "博", "锐", "智", "云", "恒", "汇", "澄", "瑞", "启", "衡", "华", "泰", "鼎",
    "凌", "科", "卓", "朗", "航", "联", "晟", "越",
];

const NAME_TAILS: &[&str] = &[
    "辰", "源", "微", "达", "创", "图", "邦", "拓", "迈", "维", "联", "驰", "擎", "宇", "思", "尚",
    "泽", "锋", "合", "弘",
];

/// What an enterprise in `industry` calls its business, ending its name.
fn business(industry: Industry) -> &'static [&'static str] {
    use Industry::*;
    match industry {
        Iot => &["物联网科技有限公司", "传感技术有限公司", "智能科技有限公司"],
        IntegratedCircuits => &[
            "微电子有限公司",
            "半导体科技有限公司",
            "集成电路设计有限公司",
        ],
        Biomedicine => &[
            "生物医药科技有限公司",
            "医疗器械有限公司",
            "生物技术有限公司",
        ],
        SoftwareIt => &["信息技术有限公司", "软件有限公司", "数据科技有限公司"],
        HighEndEquipment => &["智能装备有限公司", "精密机械有限公司", "自动化科技有限公司"],
        HighEndTextiles => &[
            "新型纺织科技有限公司",
            "服饰科技有限公司",
            "纤维材料有限公司",
        ],
        EnergySavingEnv => &["环保科技有限公司", "节能技术有限公司", "水处理科技有限公司"],
        NewMaterials => &[
            "新材料科技有限公司",
            "高分子材料有限公司",
            "复合材料有限公司",
        ],
        NewEnergy => &["新能源科技有限公司", "光伏科技有限公司", "电池技术有限公司"],
        Automotive => &[
            "汽车电子有限公司",
            "汽车零部件有限公司",
            "智能驾驶科技有限公司",
        ],
        AiMetaverse => &[
            "人工智能科技有限公司",
            "智能科技有限公司",
            "数字科技有限公司",
        ],
        Quantum => &["量子科技有限公司", "量子信息技术有限公司"],
        ThirdGenSemiconductors => &["半导体有限公司", "碳化硅科技有限公司", "功率器件有限公司"],
        HydrogenStorage => &["氢能科技有限公司", "储能技术有限公司"],
        DeepSeaEquipment => &["海洋装备有限公司", "深海技术有限公司"],
        SyntheticBiology => &["合成生物科技有限公司", "生物制造有限公司"],
        ModernAgriculture => &["农业科技有限公司", "智慧农业有限公司"],
    }
}

const SURNAMES: &[&str] = &[
    "张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "朱", "钱", "顾", "华",
    "蒋", "过",
];

const GIVEN_NAMES: &[&str] = &[
    "伟", "敏", "静", "磊", "婷", "晓东", "建华", "丽娟", "志强", "雨欣", "海峰", "雪梅", "俊杰",
    "文斌",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::enterprise::{GraduationFacts, Held, routes_met};
    use crate::domain::tenancy::{Lease, first_overbooking};

    fn today() -> NaiveDate {
        date(2026, 11, 27)
    }

    fn portfolio() -> Portfolio {
        plan(today()).expect("the demo plan is valid")
    }

    #[test]
    fn the_generator_gives_the_published_splitmix64_sequence() {
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn district_indexes_name_their_districts() {
        let codes = [
            LIANGXI, XISHAN, HUISHAN, BINHU, XINWU, JIANGYIN, YIXING, JINGKAI,
        ]
        .map(|index| DISTRICTS[index].code);
        assert_eq!(
            codes,
            [
                "liangxi", "xishan", "huishan", "binhu", "xinwu", "jiangyin", "yixing", "jingkai"
            ]
        );
    }

    #[test]
    fn the_plan_is_the_same_every_time() {
        assert_eq!(portfolio(), portfolio());
    }

    #[test]
    fn operators_have_valid_distinct_usccs() {
        let operators = portfolio().operators;
        assert!((30..=40).contains(&operators.len()));
        let codes: HashSet<_> = operators.iter().map(|o| o.uscc.as_str()).collect();
        assert_eq!(codes.len(), operators.len());
        for operator in &operators {
            assert_eq!(
                Uscc::parse(operator.uscc.as_str()).as_ref(),
                Ok(&operator.uscc)
            );
        }
        assert!(operators.iter().any(|o| o.contact_person.is_some()));
        assert!(operators.iter().any(|o| o.contact_person.is_none()));
    }

    #[test]
    fn carriers_cover_every_district_kind_and_status() {
        let carriers = portfolio().carriers;
        assert!(carriers.len() >= 120, "{}", carriers.len());
        let districts: BTreeSet<_> = carriers.iter().map(|c| c.district).collect();
        assert_eq!(districts.len(), DISTRICTS.len());
        let kinds: BTreeSet<_> = carriers.iter().map(|c| c.kind).collect();
        assert_eq!(kinds.len(), 4);
        let statuses: BTreeSet<_> = carriers.iter().map(|c| c.status).collect();
        for status in [
            CarrierStatus::Operating,
            CarrierStatus::Planned,
            CarrierStatus::UnderConstruction,
            CarrierStatus::Suspended,
        ] {
            assert!(statuses.contains(&status), "no {status} carrier");
        }
        let names: HashSet<_> = carriers.iter().map(|c| &c.name).collect();
        assert_eq!(names.len(), carriers.len(), "carrier names repeat");
    }

    #[test]
    fn a_handful_of_complexes_and_nothing_else_are_landmark() {
        let carriers = portfolio().carriers;
        let landmarks: Vec<_> = carriers.iter().filter(|c| c.landmark).collect();
        assert!((3..=8).contains(&landmarks.len()), "{}", landmarks.len());
        assert!(
            landmarks
                .iter()
                .all(|c| c.kind == CarrierKind::ScienceComplex)
        );
    }

    #[test]
    fn phases_are_one_to_three_within_the_delivery_window() {
        for carrier in portfolio().carriers {
            assert!((1..=3).contains(&carrier.phases.len()), "{}", carrier.name);
            for phase in &carrier.phases {
                assert!((FIRST_DELIVERY..=LAST_DELIVERY).contains(&phase.delivered_on));
                assert!((800.0..=60_000.0).contains(&phase.area_m2));
                assert!(FloorArea::parse("areaM2", phase.area_m2).is_ok());
            }
        }
    }

    #[test]
    fn recognitions_climb_and_are_never_in_the_future() {
        let carriers = portfolio().carriers;
        for carrier in &carriers {
            let levels: Vec<_> = carrier.recognitions.iter().map(|r| r.level).collect();
            assert!(levels.is_sorted(), "{}: {levels:?}", carrier.name);
            for recognition in &carrier.recognitions {
                assert!(check_recognised_on(recognition.recognised_on, today()).is_ok());
                assert!(recognition.recognised_on >= date(2015, 1, 1));
            }
        }
        let reached: BTreeSet<_> = carriers
            .iter()
            .flat_map(|c| c.recognitions.iter().map(|r| r.level))
            .collect();
        assert_eq!(reached.into_iter().collect::<Vec<_>>(), LADDER);
        let progressions = carriers.iter().filter(|c| {
            let levels: Vec<_> = c.recognitions.iter().map(|r| r.level).collect();
            levels.starts_with(&[Level::District, Level::City, Level::Provincial])
        });
        assert!(progressions.count() >= 3);
        assert!(carriers.iter().any(|c| c.recognitions.is_empty()));
    }

    /// A carrier's phases as `(delivered_on, area)`.
    type Phases = Vec<(NaiveDate, f64)>;

    /// Each carrier's planned leases, in plan order, and its phases.
    fn leases_by_carrier(portfolio: &Portfolio) -> Vec<(Vec<Lease>, Phases)> {
        portfolio
            .carriers
            .iter()
            .enumerate()
            .map(|(index, carrier)| {
                let leases = portfolio
                    .tenancies
                    .iter()
                    .filter(|t| t.carrier == index)
                    .map(|t| Lease {
                        span: Span::new(t.moved_in, t.moved_out).expect("a valid span"),
                        area_m2: t.area_m2,
                    })
                    .collect();
                let phases = carrier
                    .phases
                    .iter()
                    .map(|p| (p.delivered_on, p.area_m2))
                    .collect();
                (leases, phases)
            })
            .collect()
    }

    #[test]
    fn enterprises_have_valid_distinct_codes_and_names() {
        let portfolio = portfolio();
        let enterprises = &portfolio.enterprises;
        assert!(
            (600..=900).contains(&enterprises.len()),
            "{}",
            enterprises.len()
        );
        let mut codes: HashSet<_> = portfolio
            .operators
            .iter()
            .map(|o| o.uscc.as_str())
            .collect();
        for enterprise in enterprises {
            assert!(
                codes.insert(enterprise.uscc.as_str()),
                "{} repeats",
                enterprise.uscc
            );
            assert_eq!(
                Uscc::parse(enterprise.uscc.as_str()).as_ref(),
                Ok(&enterprise.uscc)
            );
            assert!(enterprise.uscc.as_str().starts_with("91320"));
            assert!(enterprise_facts(enterprise).is_ok(), "{}", enterprise.name);
            assert!(enterprise.founded_on <= enterprise.landed_on);
            assert!(enterprise.headcount > 0);
        }
        let names: HashSet<_> = enterprises.iter().map(|e| &e.name).collect();
        assert_eq!(names.len(), enterprises.len(), "enterprise names repeat");
        assert!(enterprises.iter().any(|e| e.financing_raised.is_some()));
        assert!(enterprises.iter().any(|e| !e.revenue.is_empty()));
        let kinds: BTreeSet<_> = enterprises
            .iter()
            .flat_map(|e| e.qualifications.iter().map(|q| q.kind))
            .collect();
        assert!(kinds.contains(&QualificationKind::TechSme));
        assert!(kinds.contains(&QualificationKind::HighTech));
        assert!(kinds.contains(&QualificationKind::Gazelle));
    }

    #[test]
    fn tenancies_are_in_operating_carriers_from_delivery_to_the_last_day() {
        let portfolio = portfolio();
        let last_day = LAST_TENANCY.min(today());
        let mut tenants_of = vec![0; portfolio.enterprises.len()];
        for tenancy in &portfolio.tenancies {
            let carrier = &portfolio.carriers[tenancy.carrier];
            assert_eq!(carrier.status, CarrierStatus::Operating, "{}", carrier.name);
            assert!(tenancy.moved_in >= carrier.phases[0].delivered_on);
            assert!(tenancy.moved_in <= last_day);
            assert!(tenancy.moved_out.is_none_or(|out| out <= last_day));
            assert!(Span::new(tenancy.moved_in, tenancy.moved_out).is_ok());
            assert!(FloorArea::parse("areaM2", tenancy.area_m2).is_ok());
            tenants_of[tenancy.enterprise] += 1;
            let enterprise = &portfolio.enterprises[tenancy.enterprise];
            assert!(enterprise.founded_on <= tenancy.moved_in);
            for qualification in &enterprise.qualifications {
                assert!(qualification.valid_from >= enterprise.founded_on);
                assert!(qualification.valid_from <= last_day);
            }
        }
        assert!(
            tenants_of.iter().all(|&n| n == 1),
            "one tenancy per enterprise"
        );
        let matching = portfolio
            .tenancies
            .iter()
            .filter(|t| {
                let industry = portfolio.enterprises[t.enterprise].industry;
                portfolio.carriers[t.carrier].industries.contains(&industry)
            })
            .count();
        assert!(matching * 4 > portfolio.tenancies.len() * 3, "{matching}");
    }

    #[test]
    fn every_tenancy_fits_its_carrier_on_every_date() {
        let portfolio = portfolio();
        let last_day = LAST_TENANCY.min(today());
        let mut rates = Vec::new();
        for (leases, phases) in leases_by_carrier(&portfolio) {
            for (index, &lease) in leases.iter().enumerate() {
                let over = first_overbooking(&leases[..index], lease, &phases);
                assert_eq!(over, None);
            }
            let leasable: f64 = phases
                .iter()
                .filter(|(on, _)| *on <= last_day)
                .map(|(_, area)| area)
                .sum();
            if !leases.is_empty() {
                let leased: f64 = leases
                    .iter()
                    .filter(|l| l.span.in_force_on(last_day))
                    .map(|l| l.area_m2)
                    .sum();
                assert!(leased <= 0.85 * leasable, "{leased} of {leasable}");
                rates.push(leased / leasable);
            }
        }
        let mean = rates.iter().sum::<f64>() / rates.len() as f64;
        assert!((0.4..=0.85).contains(&mean), "mean occupancy {mean}");
    }

    #[test]
    fn some_graduate_by_every_route_with_the_facts_to_show_for_it() {
        let portfolio = portfolio();
        let mut routes = BTreeSet::new();
        for tenancy in &portfolio.tenancies {
            let Some(graduation) = tenancy.graduation else {
                continue;
            };
            routes.insert(graduation.route);
            let span = Span::new(tenancy.moved_in, tenancy.moved_out).expect("a valid span");
            assert!(span.in_force_on(graduation.on), "graduates while a tenant");
            if graduation.moves_out {
                assert_eq!(tenancy.moved_out, Some(graduation.on + Days::new(1)));
            }
            let enterprise = &portfolio.enterprises[tenancy.enterprise];
            let facts = GraduationFacts {
                qualifications: enterprise
                    .qualifications
                    .iter()
                    .map(|q| Held {
                        kind: q.kind,
                        valid_from: q.valid_from,
                        valid_until: q.kind.valid_until(q.valid_from, None).expect("valid"),
                    })
                    .collect(),
                financing_raised: enterprise.financing_raised,
                revenue: enterprise.revenue.clone(),
                exited_on: enterprise.exited_on,
            };
            assert!(
                routes_met(&facts, graduation.on).contains(&graduation.route),
                "{} cannot graduate by {}",
                enterprise.name,
                graduation.route
            );
        }
        assert_eq!(routes.len(), 4, "{routes:?}");
    }

    #[test]
    fn some_graduate_some_leave_some_enter_late_and_some_overstay() {
        let portfolio = portfolio();
        let tenancies = &portfolio.tenancies;
        let graduated = tenancies.iter().filter(|t| t.graduation.is_some()).count();
        let left = tenancies
            .iter()
            .filter(|t| t.graduation.is_none() && t.moved_out.is_some())
            .count();
        let staying = tenancies.iter().filter(|t| t.moved_out.is_none()).count();
        let late = tenancies
            .iter()
            .filter(|t| {
                let founded = portfolio.enterprises[t.enterprise].founded_on;
                t.moved_in > founded + chrono::Months::new(24)
            })
            .count();
        let overdue = tenancies
            .iter()
            .filter(|t| {
                t.moved_out.is_none()
                    && t.graduation.is_none()
                    && t.moved_in + chrono::Months::new(48) < LAST_TENANCY
            })
            .count();
        for (what, count) in [
            ("graduated", graduated),
            ("left", left),
            ("staying", staying),
            ("late", late),
            ("overdue", overdue),
        ] {
            assert!(count >= 5, "only {count} {what}");
        }
        assert!(
            late * 5 < tenancies.len(),
            "{late} late entries are not a few"
        );
    }

    #[test]
    fn locations_are_near_their_district_centre() {
        for carrier in portfolio().carriers {
            let (longitude, latitude) = DISTRICTS[carrier.district].centre;
            assert!(
                (carrier.location.0 - longitude).abs() < 0.05,
                "{}",
                carrier.name
            );
            assert!(
                (carrier.location.1 - latitude).abs() < 0.05,
                "{}",
                carrier.name
            );
        }
    }
}
