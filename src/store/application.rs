//! Entry applications (入驻申请): submitted by an applicant (or by the
//! operator on its behalf), reviewed by the carrier's operator, and on
//! approval moved in, in the same transaction.
//!
//! Every step is one transaction under the carrier's row lock (see
//! [`super::carrier::writable`]): two decisions on one application are
//! serialised, and the second sees the first (CONFLICT). An approval runs
//! the tenancy rules of [`super::tenancy::move_in_in`] (capacity, a unit let
//! once at a time); when they refuse, nothing is written and the application
//! stays undecided.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use entity::entry_application::{self, Column};
use entity::{carrier, carrier_industry, space_phase, tenancy, tenancy_unit, unit};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter,
};

use super::audit::{self, Change, Operation};
use super::enterprise::EnterpriseFacts;
use super::page::{self, Page, PageArgs, Sort};
use super::tenancy::NewTenancy;
use super::{check_version, versioned_update};
use crate::domain::access::{Actor, ApplicationScope, may_apply_to};
use crate::domain::application::{
    Applicant, ApplicationStatus, PreCheck, Step, check_applicant, check_arrival, founded_check,
    industry_check, parse_unit_ids, space_check, transition, unit_ids_text,
};
use crate::domain::area::FloorArea;
use crate::domain::carrier::{CarrierKind, Industry};
use crate::domain::inventory::{UnitStatus, first_clash};
use crate::domain::tenancy::{Lease, Span, first_overbooking};
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult, stored};

const NAME: &str = "EntryApplication";

/// Files `applicant`'s application: by ADMIN, or by an OPERATOR or APPLICANT
/// token of the carrier's operator. The units named must be the carrier's.
#[tracing::instrument(skip_all)]
pub async fn submit(
    db: &DatabaseConnection,
    actor: &Actor,
    applicant: Applicant,
) -> AppResult<entry_application::Model> {
    check_applicant(&applicant, super::today())?;
    let txn = super::begin_write(db).await?;
    let carrier = carrier::Entity::find_by_id(applicant.carrier_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Carrier", applicant.carrier_id))?;
    may_apply_to(actor, carrier.operator_id)?;
    let units =
        super::inventory::units_of_carrier(&txn, carrier.id, applicant.wanted_unit_ids.clone())
            .await?;
    let now = Utc::now();
    let row = entry_application::ActiveModel {
        carrier_id: Set(carrier.id),
        enterprise_name: Set(applicant.enterprise_name),
        uscc: Set(applicant.uscc.to_string()),
        founded_on: Set(applicant.founded_on),
        industry: Set(applicant.industry.as_ref().to_owned()),
        headcount: Set(applicant.headcount),
        contact_person: Set(applicant.contact_person),
        contact_phone: Set(applicant.contact_phone),
        wanted_area_m2: Set(applicant.wanted_area.square_metres()),
        wanted_unit_ids: Set(unit_ids_text(&units)),
        wanted_move_in_on: Set(applicant.wanted_move_in_on),
        business_description: Set(applicant.business_description),
        status: Set(ApplicationStatus::Submitted.as_ref().to_owned()),
        submitted_by: Set(actor.name.clone()),
        submitted_token_id: Set(actor.token_id),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        enterprise_id: Set(None),
        tenancy_id: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = entry_application::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    let change = Change::created(NAME, model.id, Some(carrier.operator_id), &model)?;
    audit::record(&txn, actor, Operation::Create, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// Takes `step` on application `id`, read at `version`: by ADMIN or the
/// carrier's OPERATOR (an application another operator's token cannot see
/// is NOT_FOUND). A step the state does not allow, or a stale version, is
/// CONFLICT. An approval registers the enterprise by USCC if it is new and
/// moves it in, in this transaction; `reason` is checked by the caller
/// ([`crate::domain::application::check_reason`]).
#[tracing::instrument(skip_all)]
pub async fn advance(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    step: Step,
    reason: Option<String>,
) -> AppResult<entry_application::Model> {
    let not_found = || AppError::not_found(NAME, id);
    let txn = super::begin_write(db).await?;
    let found = entry_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let carrier = match super::carrier::writable(&txn, actor, found.carrier_id).await {
        Ok(carrier) => carrier,
        // Another operator's application is not there, as far as it can tell.
        Err(AppError::Forbidden(_)) => return Err(not_found()),
        Err(err) => return Err(err),
    };
    // Read again under the carrier's lock: a step taken meanwhile is seen.
    let current = entry_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let from: ApplicationStatus = stored("entry_application.status", &current.status)?;
    let to = transition(id, from, step).map_err(AppError::Conflict)?;
    check_version::<entry_application::Entity>(id, current.version, version)?;
    let mut row = current.clone().into_active_model();
    row.status = Set(to.as_ref().to_owned());
    let operation = match step {
        Step::StartReview => Operation::Update,
        Step::Approve => {
            let (enterprise_id, tenancy_id) = move_in(&txn, actor, &carrier, &current).await?;
            row.enterprise_id = Set(Some(enterprise_id));
            row.tenancy_id = Set(Some(tenancy_id));
            Operation::Approve
        }
        Step::Reject => Operation::Reject,
        Step::Withdraw => Operation::Update,
        Step::ConfirmMoveIn => {
            check_arrival(current.wanted_move_in_on, super::today())?;
            Operation::Update
        }
    };
    if matches!(step, Step::Approve | Step::Reject | Step::Withdraw) {
        row.decided_by = Set(Some(actor.name.clone()));
        row.decided_at = Set(Some(Utc::now()));
        row.decision_reason = Set(reason.clone());
    }
    let after =
        versioned_update::<entry_application::Entity, _>(&txn, row, id, current.version, version)
            .await?;
    let change = Change::updated(NAME, id, Some(carrier.operator_id), &current, &after)?;
    audit::record_with_reason(&txn, actor, operation, change, reason).await?;
    txn.commit().await?;
    Ok(after)
}

/// Registers the applicant by USCC if it is new (kept by the carrier's
/// operator) and moves it in from the wanted date with the wanted area and
/// units, by the rules of every move-in. The enterprise's ids.
async fn move_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    carrier: &carrier::Model,
    application: &entry_application::Model,
) -> AppResult<(i32, i32)> {
    let uscc = Uscc::parse(&application.uscc)?;
    // A registered enterprise is taken as it is: the applicant's own words
    // do not change the record its custodian keeps.
    let enterprise = match super::enterprise::by_uscc_in(txn, &uscc).await? {
        Some(known) => known,
        None => {
            let facts = EnterpriseFacts {
                uscc,
                name: application.enterprise_name.clone(),
                founded_on: application.founded_on,
                landed_on: None,
                industry: Some(stored("entry_application.industry", &application.industry)?),
                headcount: Some(application.headcount),
                financing_raised: None,
                exited_on: None,
                revenue: Vec::new(),
            };
            super::enterprise::register_in(txn, actor, facts, Some(carrier.operator_id))
                .await?
                .0
        }
    };
    let new = NewTenancy {
        carrier_id: carrier.id,
        enterprise_id: enterprise.id,
        unit: None,
        area: FloorArea::parse("wantedAreaM2", application.wanted_area_m2)?,
        span: Span::new(application.wanted_move_in_on, None)?,
        unit_ids: wanted_units(application)?,
    };
    let tenancy = super::tenancy::move_in_in(txn, actor, new).await?;
    Ok((enterprise.id, tenancy.id))
}

/// The units application `row` wants.
pub fn wanted_units(row: &entry_application::Model) -> AppResult<Vec<i32>> {
    parse_unit_ids(&row.wanted_unit_ids)
        .ok_or_else(|| AppError::corrupt("entry_application.wanted_unit_ids", &row.wanted_unit_ids))
}

/// The pre-checks of each application of `rows`, for its wanted move-in
/// date, by application id. Six SQL statements whatever the number of
/// applications: the carriers, their leading industries, tenancies and
/// phases, and the wanted units with the tenancies that let them.
pub async fn pre_checks(
    db: &DatabaseConnection,
    rows: &[entry_application::Model],
) -> AppResult<HashMap<i32, Vec<PreCheck>>> {
    let carrier_ids: HashSet<i32> = rows.iter().map(|row| row.carrier_id).collect();
    let carriers: HashMap<i32, carrier::Model> =
        super::rows_where_in::<carrier::Entity>(db, carrier::Column::Id, carrier_ids.clone())
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
    let mut leading: HashMap<i32, Vec<Industry>> = HashMap::new();
    for row in super::rows_where_in::<carrier_industry::Entity>(
        db,
        carrier_industry::Column::CarrierId,
        carrier_ids.clone(),
    )
    .await?
    {
        let industry = stored("carrier_industry.industry", &row.industry)?;
        leading.entry(row.carrier_id).or_default().push(industry);
    }
    let mut tenancies: HashMap<i32, Vec<tenancy::Model>> = HashMap::new();
    for row in
        super::rows_where_in::<tenancy::Entity>(db, tenancy::Column::CarrierId, carrier_ids.clone())
            .await?
    {
        if row.voided_at.is_none() {
            tenancies.entry(row.carrier_id).or_default().push(row);
        }
    }
    let mut phases: HashMap<i32, Vec<(NaiveDate, f64)>> = HashMap::new();
    for row in
        super::rows_where_in::<space_phase::Entity>(db, space_phase::Column::CarrierId, carrier_ids)
            .await?
    {
        if row.voided_at.is_none() {
            phases
                .entry(row.carrier_id)
                .or_default()
                .push((row.delivered_on, row.area_m2));
        }
    }
    let mut wanted: HashMap<i32, Vec<i32>> = HashMap::new();
    for row in rows {
        wanted.insert(row.id, wanted_units(row)?);
    }
    let unit_ids: HashSet<i32> = wanted.values().flatten().copied().collect();
    let units: HashMap<i32, unit::Model> =
        super::rows_where_in::<unit::Entity>(db, unit::Column::Id, unit_ids.clone())
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
    let mut links: HashMap<i32, Vec<i32>> = HashMap::new();
    for link in
        super::rows_where_in::<tenancy_unit::Entity>(db, tenancy_unit::Column::UnitId, unit_ids)
            .await?
    {
        links.entry(link.unit_id).or_default().push(link.tenancy_id);
    }
    let none = Vec::new();
    let mut checks = HashMap::with_capacity(rows.len());
    for row in rows {
        let Some(carrier) = carriers.get(&row.carrier_id) else {
            continue;
        };
        let kind: CarrierKind = stored("carrier.kind", &carrier.kind)?;
        let industry: Industry = stored("entry_application.industry", &row.industry)?;
        let move_in = row.wanted_move_in_on;
        let lets = tenancies.get(&carrier.id).unwrap_or(&none);
        let space = Space {
            tenancies: lets,
            phases: phases.get(&carrier.id).map_or(&[][..], Vec::as_slice),
            units: &units,
            links: &links,
        };
        let wanted_units = wanted.get(&row.id).map_or(&[][..], Vec::as_slice);
        checks.insert(
            row.id,
            vec![
                founded_check(kind, industry, row.founded_on, move_in),
                industry_check(
                    industry,
                    leading.get(&carrier.id).map_or(&[][..], Vec::as_slice),
                ),
                space_check(
                    move_in,
                    wanted_units.len(),
                    space.refusal(carrier.id, row, wanted_units),
                ),
            ],
        );
    }
    Ok(checks)
}

/// What one carrier's space looks like to the space check.
struct Space<'a> {
    tenancies: &'a [tenancy::Model],
    phases: &'a [(NaiveDate, f64)],
    units: &'a HashMap<i32, unit::Model>,
    links: &'a HashMap<i32, Vec<i32>>,
}

impl Space<'_> {
    /// Why the tenancy an approval of `row` would make breaks the tenancy
    /// rules (capacity, a unit let once at a time), or `None` when it fits;
    /// also whether each unit wanted is available (status) at all.
    fn refusal(
        &self,
        carrier_id: i32,
        row: &entry_application::Model,
        wanted_units: &[i32],
    ) -> Option<crate::domain::Message> {
        let span = Span {
            moved_in: row.wanted_move_in_on,
            moved_out: None,
        };
        let lease = Lease {
            span,
            area_m2: row.wanted_area_m2,
        };
        if let Some(over) = first_overbooking(
            &super::tenancy::leases_of(self.tenancies),
            lease,
            self.phases,
        ) {
            return Some(super::tenancy::overbooking_refusal(over).message());
        }
        for unit_id in wanted_units {
            let Some(unit) = self
                .units
                .get(unit_id)
                .filter(|unit| unit.carrier_id == carrier_id)
            else {
                return Some(crate::domain::Message::new(
                    format!("unit {unit_id} is no longer a unit of this carrier"),
                    format!("房源（编号 {unit_id}）已不属于该载体"),
                ));
            };
            if unit.status != UnitStatus::Available.as_ref() {
                return Some(crate::domain::Message::new(
                    format!("unit {} is {}, not AVAILABLE", unit.code, unit.status),
                    format!("房源 {} 当前状态为 {}，不可出租", unit.code, unit.status),
                ));
            }
            let let_over: Vec<Span> = self
                .links
                .get(unit_id)
                .into_iter()
                .flatten()
                .filter_map(|tenancy_id| self.tenancies.iter().find(|t| t.id == *tenancy_id))
                .map(|t| Span {
                    moved_in: t.moved_in_on,
                    moved_out: t.moved_out_on,
                })
                .collect();
            if let Some(clash) = first_clash(&let_over, span) {
                return Some(super::inventory::unit_let_refusal(&unit.code, clash).message());
            }
        }
        None
    }
}

/// Which applications a list shows.
#[derive(Debug, Clone, Copy)]
pub struct ApplicationFilter {
    /// Whose applications the caller reads.
    pub scope: ApplicationScope,
    /// Only this carrier's.
    pub carrier_id: Option<i32>,
    /// Only in this state.
    pub status: Option<ApplicationStatus>,
}

impl ApplicationFilter {
    /// The condition, or `None` when the caller reads none.
    fn condition(&self) -> Option<Condition> {
        let mut condition = Condition::all();
        match self.scope {
            ApplicationScope::All => {}
            ApplicationScope::Operator(operator_id) => {
                condition = condition.add(
                    Column::CarrierId.in_subquery(
                        Query::select()
                            .column(carrier::Column::Id)
                            .from(carrier::Entity)
                            .and_where(carrier::Column::OperatorId.eq(operator_id))
                            .to_owned(),
                    ),
                );
            }
            ApplicationScope::Token(token_id) => {
                condition = condition.add(Column::SubmittedTokenId.eq(token_id));
            }
            ApplicationScope::Nothing => return None,
        }
        if let Some(carrier_id) = self.carrier_id {
            condition = condition.add(Column::CarrierId.eq(carrier_id));
        }
        if let Some(status) = self.status {
            condition = condition.add(Column::Status.eq(status.as_ref()));
        }
        Some(condition)
    }
}

/// A page of applications, oldest first (the order a queue is worked
/// through). One SQL statement; none for a caller who reads none.
pub async fn page(
    db: &DatabaseConnection,
    filter: &ApplicationFilter,
    args: &PageArgs,
) -> AppResult<Page<entry_application::Model>> {
    let Some(condition) = filter.condition() else {
        return Ok(Page {
            edges: Vec::new(),
            has_previous_page: false,
            has_next_page: false,
        });
    };
    let sort = Sort {
        name: "ID_ASC".into(),
        key: None,
        id: Column::Id,
        descending: false,
    };
    let select = entry_application::Entity::find().filter(condition);
    page::fetch(db, select, &sort, args, |_| None, |row| row.id.into()).await
}

/// How many applications match `filter`. One SQL statement; none for a
/// caller who reads none.
pub async fn count(db: &DatabaseConnection, filter: &ApplicationFilter) -> AppResult<u64> {
    let Some(condition) = filter.condition() else {
        return Ok(0);
    };
    Ok(entry_application::Entity::find()
        .filter(condition)
        .count(db)
        .await?)
}

/// Application `id` if the caller reading under `scope` may read it. One
/// SQL statement; none for a caller who reads none.
pub async fn visible(
    db: &DatabaseConnection,
    scope: ApplicationScope,
    id: i32,
) -> AppResult<Option<entry_application::Model>> {
    let filter = ApplicationFilter {
        scope,
        carrier_id: None,
        status: None,
    };
    let Some(condition) = filter.condition() else {
        return Ok(None);
    };
    Ok(entry_application::Entity::find_by_id(id)
        .filter(condition)
        .one(db)
        .await?)
}

/// The applications with these ids, by id. One SQL statement.
pub async fn by_ids(
    db: &DatabaseConnection,
    ids: &[i32],
) -> AppResult<HashMap<i32, entry_application::Model>> {
    Ok(entry_application::Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect())
}
