//! Tenancies: moving in, changing area, moving out, graduating. Each write
//! checks the carrier's owner, the enterprise's other tenancies there, and
//! that no day is leased beyond what the carrier had delivered.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use entity::{enterprise, space_phase, tenancy};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect,
};

use super::audit::{self, Change, Operation, snapshot};
use super::correction::{Asked, Correction};
use super::{check_version, versioned_update};
use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::enterprise::GraduationRoute;
use crate::domain::lease::TenancyChange;
use crate::domain::message::zh_date;
use crate::domain::tenancy::{
    Corrected, Lease, Overbooked, Span, check_correction, first_overbooked_day, first_overbooking,
};
use crate::error::{AppError, AppResult};

/// A move-in, validated.
#[derive(Debug, Clone)]
pub struct NewTenancy {
    pub carrier_id: i32,
    pub enterprise_id: i32,
    pub unit: Option<String>,
    pub area: FloorArea,
    pub span: Span,
    /// The units it occupies (房源), if it names them; [`move_in_in`]
    /// checks and links them. Bulk imports name none.
    pub unit_ids: Vec<i32>,
}

#[tracing::instrument(skip_all)]
pub async fn move_in(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewTenancy,
) -> AppResult<tenancy::Model> {
    let txn = super::begin_write(db).await?;
    let model = move_in_in(&txn, actor, new).await?;
    txn.commit().await?;
    Ok(model)
}

/// [`move_in`] inside the caller's transaction (bulk imports).
pub async fn move_in_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    new: NewTenancy,
) -> AppResult<tenancy::Model> {
    let carrier = super::carrier::writable(txn, actor, new.carrier_id).await?;
    enterprise::Entity::find_by_id(new.enterprise_id)
        .one(txn)
        .await?
        .ok_or_else(|| no_enterprise(new.enterprise_id))?;
    let lease = Lease {
        span: new.span,
        area_m2: new.area.square_metres(),
    };
    check_fit(txn, new.carrier_id, new.enterprise_id, lease, None).await?;
    let units =
        super::inventory::units_of_carrier(txn, new.carrier_id, new.unit_ids.clone()).await?;
    // A new tenancy has no id yet to leave out: 0 matches no tenancy.
    super::inventory::check_units_free(txn, 0, &units, new.span).await?;
    let model = tenancy::Entity::insert(new_row(&new, Utc::now()))
        .exec_with_returning(txn)
        .await?;
    super::inventory::link(txn, model.id, &units).await?;
    let mut created = change(carrier.operator_id, None, &model)?;
    if !units.is_empty() {
        created.after = Some(super::inventory::with_units(&model, &units)?);
    }
    audit::record(txn, actor, Operation::Create, created).await?;
    Ok(model)
}

/// Changes the leased area from `effective_on`: the tenancy ends the day
/// before and a new one, continuing its incubation, begins with the new area,
/// so occupancy on earlier dates stays as it was. Returns the new tenancy.
#[tracing::instrument(skip_all)]
pub async fn change_area(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    area: FloorArea,
    effective_on: NaiveDate,
) -> AppResult<tenancy::Model> {
    let txn = super::begin_write(db).await?;
    let (current, operator_id) = writable(&txn, actor, id, version).await?;
    let span = span_of(&current);
    if !span.in_force_on(effective_on) || effective_on == current.moved_in_on {
        return Err(AppError::invalid(
            "effectiveOn",
            format!(
                "{effective_on} must fall after moving in ({}) and before moving out",
                current.moved_in_on
            ),
            format!(
                "变更日期（{}）须晚于入驻日期（{}）并早于迁出日期",
                zh_date(effective_on),
                zh_date(current.moved_in_on)
            ),
        ));
    }
    if current.graduated_on.is_some() {
        return Err(AppError::invalid(
            "id",
            "a graduated tenancy's area is no longer tracked",
            "企业已毕业，其入驻面积不再跟踪变更",
        ));
    }
    let ended_span = Span {
        moved_in: current.moved_in_on,
        moved_out: Some(effective_on),
    };
    keeps_leases(&txn, id, ended_span, "effectiveOn").await?;
    let mut ended = current.clone().into_active_model();
    ended.moved_out_on = Set(Some(effective_on));
    save(&txn, actor, operator_id, &current, ended, version).await?;
    let lease = Lease {
        span: Span {
            moved_in: effective_on,
            moved_out: current.moved_out_on,
        },
        area_m2: area.square_metres(),
    };
    check_fit(&txn, current.carrier_id, current.enterprise_id, lease, None).await?;
    let now = Utc::now();
    let row = tenancy::ActiveModel {
        carrier_id: Set(current.carrier_id),
        enterprise_id: Set(current.enterprise_id),
        unit: Set(current.unit.clone()),
        area_m2: Set(lease.area_m2),
        moved_in_on: Set(effective_on),
        moved_out_on: Set(current.moved_out_on),
        incubation_started_on: Set(current.incubation_started_on),
        graduated_on: Set(None),
        graduation_route: Set(None),
        previous_tenancy_id: Set(Some(current.id)),
        voided_at: Set(None),
        void_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = tenancy::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    super::inventory::hand_on_units(&txn, current.id, model.id).await?;
    audit::record(
        &txn,
        actor,
        Operation::Create,
        change(operator_id, None, &model)?,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Records the day the space is given up (exclusive: the first day not leased).
#[tracing::instrument(skip_all)]
pub async fn move_out(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    moved_out_on: NaiveDate,
) -> AppResult<tenancy::Model> {
    let txn = super::begin_write(db).await?;
    let (current, operator_id) = writable(&txn, actor, id, version).await?;
    if let Some(out) = current.moved_out_on {
        return Err(AppError::invalid(
            "id",
            format!("this tenancy already ended on {out}"),
            format!("该入驻记录已于{}迁出", zh_date(out)),
        ));
    }
    let span = Span::new(current.moved_in_on, Some(moved_out_on))?;
    keeps_leases(&txn, id, span, "movedOutOn").await?;
    let mut row = current.clone().into_active_model();
    row.moved_out_on = Set(Some(moved_out_on));
    let model = save(&txn, actor, operator_id, &current, row, version).await?;
    txn.commit().await?;
    Ok(model)
}

/// Records a graduation (毕业) by `route` on `graduated_on`, moving out then if `moves_out`.
#[tracing::instrument(skip_all)]
pub async fn graduate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    graduated_on: NaiveDate,
    route: GraduationRoute,
    moves_out: bool,
) -> AppResult<tenancy::Model> {
    let txn = super::begin_write(db).await?;
    let (current, operator_id) = writable(&txn, actor, id, version).await?;
    if let Some(on) = current.graduated_on {
        return Err(AppError::invalid(
            "id",
            format!("this tenant already graduated on {on}"),
            format!("该企业已于{}毕业", zh_date(on)),
        ));
    }
    if !span_of(&current).in_force_on(graduated_on) {
        return Err(AppError::invalid(
            "graduatedOn",
            format!(
                "{graduated_on} is outside the tenancy ({} onward)",
                current.moved_in_on
            ),
            format!(
                "毕业日期（{}）不在入驻期间内（{}起）",
                zh_date(graduated_on),
                zh_date(current.moved_in_on)
            ),
        ));
    }
    let mut row = current.clone().into_active_model();
    row.graduated_on = Set(Some(graduated_on));
    row.graduation_route = Set(Some(route.as_ref().to_owned()));
    if moves_out {
        let span = Span::new(current.moved_in_on, Some(graduated_on))?;
        keeps_leases(&txn, id, span, "graduatedOn").await?;
        row.moved_out_on = Set(Some(graduated_on));
    }
    let model = save(&txn, actor, operator_id, &current, row, version).await?;
    txn.commit().await?;
    Ok(model)
}

/// Writes `row` over `current` if it is still at `version`, with its audit event.
async fn save<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    operator_id: i32,
    current: &tenancy::Model,
    row: tenancy::ActiveModel,
    version: i32,
) -> AppResult<tenancy::Model> {
    let model =
        versioned_update::<tenancy::Entity, _>(txn, row, current.id, current.version, version)
            .await?;
    audit::record(
        txn,
        actor,
        Operation::Update,
        change(operator_id, Some(current), &model)?,
    )
    .await?;
    Ok(model)
}

/// Tenancy `id` and its carrier's operator, if `actor` may write it and it is
/// still at `version` (else CONFLICT, before any other rule is judged).
pub(crate) async fn writable<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    id: i32,
    version: i32,
) -> AppResult<(tenancy::Model, i32)> {
    let find = || async {
        tenancy::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::not_found("Tenancy", id))
    };
    let carrier = super::carrier::writable(txn, actor, find().await?.carrier_id).await?;
    // Read again under the carrier's lock: a write that committed while this
    // one waited for the lock is seen (its version, its end date).
    let current = find().await?;
    if current.voided_at.is_some() {
        return Err(AppError::conflict(
            format!("Tenancy {id} was voided; it cannot change"),
            format!("该入驻记录（编号 {id}）已作废，不能再修改"),
        ));
    }
    check_version::<tenancy::Entity>(id, current.version, version)?;
    Ok((current, carrier.operator_id))
}

/// Refuses new dates `span` of tenancy `id` that one of its leases would
/// fall outside; `out_field` is the input that moves its end.
async fn keeps_leases<C: ConnectionTrait>(
    txn: &C,
    id: i32,
    span: Span,
    out_field: &str,
) -> AppResult<()> {
    let change = TenancyChange::Dates { span, out_field };
    super::lease::check_tenancy_keeps_leases(txn, id, change).await
}

fn span_of(row: &tenancy::Model) -> Span {
    Span {
        moved_in: row.moved_in_on,
        moved_out: row.moved_out_on,
    }
}

/// A correction of a tenancy entered wrongly: the fields to change.
#[derive(Debug, Clone, Default)]
pub struct TenancyAmendment {
    pub unit: Option<Option<String>>,
    pub area: Option<FloorArea>,
    pub moved_in_on: Option<NaiveDate>,
    pub moved_out_on: Option<Option<NaiveDate>>,
}

/// Corrects tenancy `id`, read at `version`, for `reason` (see
/// [`super::correction::correct`]): afterwards the enterprise's tenancies in
/// the carrier must not overlap, no day may be leased beyond the carrier's
/// space, an area change stays whole and a graduation within the dates
/// ([`check_correction`]).
#[tracing::instrument(skip_all)]
pub async fn correct(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    correction: Correction<TenancyAmendment>,
    reason: String,
) -> AppResult<tenancy::Model> {
    let amend = |row: &mut tenancy::ActiveModel, amendment: TenancyAmendment| {
        if let Some(unit) = amendment.unit {
            row.unit = Set(unit);
        }
        if let Some(area) = amendment.area {
            row.area_m2 = Set(area.square_metres());
        }
        if let Some(moved_in) = amendment.moved_in_on {
            // Incubation began on moving in, unless an earlier stay started it.
            if row.incubation_started_on.as_ref() == row.moved_in_on.as_ref() {
                row.incubation_started_on = Set(moved_in);
            }
            row.moved_in_on = Set(moved_in);
        }
        if let Some(moved_out) = amendment.moved_out_on {
            row.moved_out_on = Set(moved_out);
        }
        Span::new(*row.moved_in_on.as_ref(), *row.moved_out_on.as_ref())?;
        Ok(())
    };
    let rules = async |txn: &DatabaseTransaction,
                       carrier_id: i32,
                       corrected: Option<&tenancy::ActiveModel>| {
        let stored = tenancy::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::not_found("Tenancy", id))?;
        let continued = tenancy::Entity::find()
            .filter(tenancy::Column::PreviousTenancyId.eq(id))
            .filter(tenancy::Column::VoidedAt.is_null())
            .count(txn)
            .await?
            > 0;
        let span = corrected.map(|row| Span {
            moved_in: *row.moved_in_on.as_ref(),
            moved_out: *row.moved_out_on.as_ref(),
        });
        check_correction(&Corrected {
            span,
            stored: span_of(&stored),
            graduated_on: stored.graduated_on,
            continues: stored.previous_tenancy_id.is_some(),
            continued,
        })?;
        let change = match span {
            Some(span) => TenancyChange::Dates {
                span,
                out_field: "movedOutOn",
            },
            None => TenancyChange::Void,
        };
        super::lease::check_tenancy_keeps_leases(txn, id, change).await?;
        if let (Some(span), Some(row)) = (span, corrected) {
            let lease = Lease {
                span,
                area_m2: *row.area_m2.as_ref(),
            };
            check_fit(txn, carrier_id, stored.enterprise_id, lease, Some(id)).await?;
            let units = super::inventory::linked_units(txn, id).await?;
            super::inventory::check_units_free(txn, id, &units, span).await?;
        }
        Ok(())
    };
    let asked = Asked {
        id,
        version,
        correction,
        reason,
    };
    super::correction::correct::<tenancy::Entity, _>(db, actor, asked, amend, rules).await
}

/// Refuses `lease` of `enterprise_id` in `carrier_id` when it overlaps another
/// tenancy of the same enterprise there, or leases more than the carrier has.
async fn check_fit<C: ConnectionTrait>(
    txn: &C,
    carrier_id: i32,
    enterprise_id: i32,
    lease: Lease,
    except: Option<i32>,
) -> AppResult<()> {
    let (mut others, phases) = carrier_space(txn, carrier_id).await?;
    others.retain(|row| Some(row.id) != except);
    if let Some(clash) = others
        .iter()
        .find(|row| row.enterprise_id == enterprise_id && span_of(row).overlaps(&lease.span))
    {
        return Err(overlap_refusal(&span_of(clash)));
    }
    if let Some(over) = first_overbooking(&leases_of(&others), lease, &phases) {
        return Err(overbooking_refusal(over));
    }
    Ok(())
}

/// A carrier's stored tenancies and its phases as `(delivered_on, area)`: what
/// the capacity and overlap rules look at.
async fn carrier_space<C: ConnectionTrait>(
    txn: &C,
    carrier_id: i32,
) -> AppResult<(Vec<tenancy::Model>, Vec<(NaiveDate, f64)>)> {
    let tenancies = tenancy::Entity::find()
        .filter(tenancy::Column::CarrierId.eq(carrier_id))
        .filter(tenancy::Column::VoidedAt.is_null())
        .all(txn)
        .await?;
    let phases = space_phase::Entity::find()
        .filter(space_phase::Column::CarrierId.eq(carrier_id))
        .filter(space_phase::Column::VoidedAt.is_null())
        .all(txn)
        .await?
        .into_iter()
        .map(|phase| (phase.delivered_on, phase.area_m2))
        .collect();
    Ok((tenancies, phases))
}

/// BAD_USER_INPUT when carrier `carrier_id`'s tenancies would lease more on
/// some day than `phases` (`(delivered_on, area)`) had delivered by then:
/// a correction of its space must leave room for the leases it has.
pub(crate) async fn check_room_for_leases<C: ConnectionTrait>(
    txn: &C,
    carrier_id: i32,
    phases: &[(NaiveDate, f64)],
) -> AppResult<()> {
    let tenancies = tenancy::Entity::find()
        .filter(tenancy::Column::CarrierId.eq(carrier_id))
        .filter(tenancy::Column::VoidedAt.is_null())
        .all(txn)
        .await?;
    match first_overbooked_day(&leases_of(&tenancies), phases) {
        Some(over) => Err(overbooking_refusal(over)),
        None => Ok(()),
    }
}

pub(crate) fn leases_of(rows: &[tenancy::Model]) -> Vec<Lease> {
    rows.iter()
        .map(|row| Lease {
            span: span_of(row),
            area_m2: row.area_m2,
        })
        .collect()
}

fn change(
    operator_id: i32,
    before: Option<&tenancy::Model>,
    after: &tenancy::Model,
) -> AppResult<Change> {
    Ok(Change {
        entity_type: "Tenancy",
        entity_id: after.id,
        operator_id: Some(operator_id),
        former_operator_id: None,
        before: before.map(snapshot).transpose()?,
        after: Some(snapshot(after)?),
    })
}

/// Refusals of a batch: the index of each refused tenancy in the batch, and why.
pub type Refusals = Vec<(usize, AppError)>;

/// Moves in every tenancy of `batch` inside the caller's transaction (bulk
/// imports), by the rules of [`move_in_in`]: the carrier is the actor's to
/// write, the enterprise exists, its tenancies in one carrier do not overlap,
/// and no day is leased beyond what the carrier had delivered. Each tenancy is
/// checked as if those before it in `batch` that pass were already written,
/// so the refusals are those [`move_in_in`] would give one by one.
///
/// All or nothing: when any tenancy is refused, nothing is written and every
/// refusal is returned; otherwise all are written (each with its audit event)
/// and returned in order, `written` being told the index of each. The checks
/// read each carrier's tenancies and phases once and run in memory
/// (O(n log n) for n tenancies), where [`move_in_in`] would reread a growing
/// carrier n times; a refusal therefore never leaves a failed statement
/// behind, which matters on PostgreSQL, where one aborts the transaction.
pub async fn move_in_all_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    batch: &[NewTenancy],
    mut written: impl FnMut(usize) + Send,
) -> AppResult<Result<Vec<tenancy::Model>, Refusals>> {
    let mut refusals = Refusals::new();
    let mut ledgers: HashMap<i32, Result<Ledger, AppError>> = HashMap::new();
    // Carriers are locked in ascending id order, so two imports touching the
    // same carriers cannot each hold one the other waits for.
    let mut carrier_ids: Vec<i32> = batch.iter().map(|new| new.carrier_id).collect();
    carrier_ids.sort_unstable();
    carrier_ids.dedup();
    for carrier_id in carrier_ids {
        if let Entry::Vacant(entry) = ledgers.entry(carrier_id) {
            let ledger = match super::carrier::writable(txn, actor, carrier_id).await {
                Ok(carrier) => Ok(Ledger::load(txn, carrier.id, carrier.operator_id, batch).await?),
                Err(AppError::Internal) => return Err(AppError::Internal),
                Err(refused) => Err(refused),
            };
            entry.insert(ledger);
        }
    }
    let known = existing_enterprises(txn, batch).await?;
    for (index, new) in batch.iter().enumerate() {
        let ledger = match ledgers.get_mut(&new.carrier_id) {
            Some(Ok(ledger)) => ledger,
            Some(Err(refused)) => {
                refusals.push((index, refused.clone()));
                continue;
            }
            None => return Err(AppError::Internal),
        };
        if !known.contains(&new.enterprise_id) {
            refusals.push((index, no_enterprise(new.enterprise_id)));
            continue;
        }
        let lease = Lease {
            span: new.span,
            area_m2: new.area.square_metres(),
        };
        if let Err(refused) = ledger.admit(new.enterprise_id, lease) {
            refusals.push((index, refused));
        }
    }
    if !refusals.is_empty() {
        return Ok(Err(refusals));
    }
    let now = Utc::now();
    let mut models = Vec::with_capacity(batch.len());
    for (index, new) in batch.iter().enumerate() {
        let operator_id = match ledgers.get(&new.carrier_id) {
            Some(Ok(ledger)) => ledger.operator_id,
            _ => return Err(AppError::Internal),
        };
        let model = tenancy::Entity::insert(new_row(new, now))
            .exec_with_returning(txn)
            .await?;
        audit::record(
            txn,
            actor,
            Operation::Create,
            change(operator_id, None, &model)?,
        )
        .await?;
        models.push(model);
        written(index);
    }
    Ok(Ok(models))
}

/// The row of a new tenancy, as [`move_in_in`] writes it.
fn new_row(new: &NewTenancy, now: chrono::DateTime<Utc>) -> tenancy::ActiveModel {
    tenancy::ActiveModel {
        carrier_id: Set(new.carrier_id),
        enterprise_id: Set(new.enterprise_id),
        unit: Set(new.unit.clone()),
        area_m2: Set(new.area.square_metres()),
        moved_in_on: Set(new.span.moved_in),
        moved_out_on: Set(new.span.moved_out),
        incubation_started_on: Set(new.span.moved_in),
        graduated_on: Set(None),
        graduation_route: Set(None),
        previous_tenancy_id: Set(None),
        voided_at: Set(None),
        void_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

fn no_enterprise(id: i32) -> AppError {
    AppError::invalid(
        "enterpriseId",
        format!("no enterprise with id {id}"),
        format!("未找到编号为 {id} 的企业"),
    )
}

/// The enterprise ids of `batch` that exist.
async fn existing_enterprises<C: ConnectionTrait>(
    txn: &C,
    batch: &[NewTenancy],
) -> AppResult<HashSet<i32>> {
    let mut wanted: Vec<i32> = batch.iter().map(|new| new.enterprise_id).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found = HashSet::with_capacity(wanted.len());
    // Well below the bound parameters SQLite and PostgreSQL take in one statement.
    for chunk in wanted.chunks(500) {
        let ids: Vec<i32> = enterprise::Entity::find()
            .select_only()
            .column(enterprise::Column::Id)
            .filter(enterprise::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        found.extend(ids);
    }
    Ok(found)
}

/// One carrier as a batch sees it: its tenancies (stored, then admitted from
/// the batch) by enterprise, and the headroom left on each date that matters.
struct Ledger {
    operator_id: i32,
    spans: HashMap<i32, Vec<Span>>,
    headroom: Headroom,
}

impl Ledger {
    async fn load<C: ConnectionTrait>(
        txn: &C,
        carrier_id: i32,
        operator_id: i32,
        batch: &[NewTenancy],
    ) -> AppResult<Self> {
        let (stored, phases) = carrier_space(txn, carrier_id).await?;
        let leases = leases_of(&stored);
        let coming = batch
            .iter()
            .filter(|new| new.carrier_id == carrier_id)
            .map(|new| new.span);
        let mut spans: HashMap<i32, Vec<Span>> = HashMap::new();
        for row in &stored {
            spans
                .entry(row.enterprise_id)
                .or_default()
                .push(span_of(row));
        }
        Ok(Self {
            operator_id,
            spans,
            headroom: Headroom::new(&leases, coming, &phases),
        })
    }

    /// Takes `lease` of `enterprise_id` in if it fits, or says why not.
    fn admit(&mut self, enterprise_id: i32, lease: Lease) -> AppResult<()> {
        let spans = self.spans.entry(enterprise_id).or_default();
        if let Some(clash) = spans.iter().find(|span| span.overlaps(&lease.span)) {
            return Err(overlap_refusal(clash));
        }
        if let Some(over) = self.headroom.admit(lease) {
            return Err(overbooking_refusal(over));
        }
        spans.push(lease.span);
        Ok(())
    }
}

fn overlap_refusal(clash: &Span) -> AppError {
    AppError::invalid(
        "movedInOn",
        format!(
            "the enterprise already has a tenancy here from {}{}; tenancies of one enterprise in one carrier may not overlap",
            clash.moved_in,
            clash
                .moved_out
                .map(|out| format!(" to {out}"))
                .unwrap_or_default()
        ),
        format!(
            "该企业在本载体已有入驻记录（{}{}）；同一企业在同一载体的入驻期间不能重叠",
            zh_date(clash.moved_in),
            clash
                .moved_out
                .map_or_else(|| "起".to_owned(), |out| format!("至{}", zh_date(out)))
        ),
    )
}

pub(crate) fn overbooking_refusal(over: Overbooked) -> AppError {
    AppError::invalid(
        "areaM2",
        format!(
            "on {} the carrier would lease {:.2} m² but has only {:.2} m² of leasable space",
            over.date, over.leased_m2, over.leasable_m2
        ),
        format!(
            "{}该载体的出租面积将达 {:.2} 平方米，而可出租面积仅 {:.2} 平方米",
            zh_date(over.date),
            over.leased_m2,
            over.leasable_m2
        ),
    )
}

/// Leased minus leasable area of one carrier on every date a lease starts or
/// ends, kept in a segment tree so that admitting a lease (adding its area over
/// its span) and finding the first date it overbooks take O(log n).
///
/// It decides as [`first_overbooking`] does. That function checks the dates
/// in the candidate's span where a lease (the candidate's or another's) starts;
/// this one checks every date in the span where any lease starts or ends,
/// admitted or still to come. The extra dates change nothing: leased area only
/// rises where an admitted lease starts and leasable area never falls, so on
/// any date the excess is at most that of the last admitted start before it,
/// and the candidate's own start lies in its span. So both find the same first
/// date, with the same figures (a test below compares them).
struct Headroom {
    dates: Vec<NaiveDate>,
    leasable: Vec<f64>,
    /// Per node: the largest excess below it, counting its own `add` but not its ancestors'.
    max: Vec<f64>,
    /// Per node: area added to every date below it.
    add: Vec<f64>,
}

/// Excess area below which a date is not overbooked (rounding of sums).
const EXCESS_TOLERANCE_M2: f64 = 1e-6;

impl Headroom {
    fn new(
        leases: &[Lease],
        coming: impl Iterator<Item = Span>,
        phases: &[(NaiveDate, f64)],
    ) -> Self {
        let mut dates: Vec<NaiveDate> = leases
            .iter()
            .map(|lease| lease.span)
            .chain(coming)
            .flat_map(|span| [Some(span.moved_in), span.moved_out])
            .flatten()
            .collect();
        dates.sort_unstable();
        dates.dedup();
        let leasable: Vec<f64> = dates
            .iter()
            .map(|&date| {
                phases
                    .iter()
                    .filter(|(on, _)| *on <= date)
                    .map(|(_, area)| area)
                    .sum()
            })
            .collect();
        let size = dates.len().max(1);
        let mut headroom = Self {
            dates,
            leasable,
            max: vec![0.0; 4 * size],
            add: vec![0.0; 4 * size],
        };
        headroom.build(1, 0, size);
        for lease in leases {
            headroom.add_lease(lease, 1.0);
        }
        headroom
    }

    fn build(&mut self, node: usize, lo: usize, hi: usize) {
        if hi - lo == 1 {
            self.max[node] = -self.leasable.get(lo).copied().unwrap_or(0.0);
            return;
        }
        let mid = (lo + hi) / 2;
        self.build(2 * node, lo, mid);
        self.build(2 * node + 1, mid, hi);
        self.max[node] = self.max[2 * node].max(self.max[2 * node + 1]);
    }

    /// The indices of the dates `span` covers.
    fn range(&self, span: Span) -> (usize, usize) {
        let start = self.dates.partition_point(|&date| date < span.moved_in);
        let end = span.moved_out.map_or(self.dates.len(), |out| {
            self.dates.partition_point(|&date| date < out)
        });
        (start, end)
    }

    fn add_lease(&mut self, lease: &Lease, sign: f64) {
        let (start, end) = self.range(lease.span);
        let size = self.dates.len().max(1);
        self.add_range(1, 0, size, start, end, sign * lease.area_m2);
    }

    fn add_range(
        &mut self,
        node: usize,
        lo: usize,
        hi: usize,
        start: usize,
        end: usize,
        area: f64,
    ) {
        if end <= lo || hi <= start {
            return;
        }
        if start <= lo && hi <= end {
            self.add[node] += area;
            self.max[node] += area;
            return;
        }
        let mid = (lo + hi) / 2;
        self.add_range(2 * node, lo, mid, start, end, area);
        self.add_range(2 * node + 1, mid, hi, start, end, area);
        self.max[node] = self.max[2 * node].max(self.max[2 * node + 1]) + self.add[node];
    }

    /// The first index in `start..end` whose excess is over the tolerance, with that excess.
    fn first_excess(
        &self,
        node: usize,
        lo: usize,
        hi: usize,
        start: usize,
        end: usize,
        above: f64,
    ) -> Option<(usize, f64)> {
        if end <= lo || hi <= start || self.max[node] + above <= EXCESS_TOLERANCE_M2 {
            return None;
        }
        if hi - lo == 1 {
            return Some((lo, self.max[node] + above));
        }
        let mid = (lo + hi) / 2;
        let below = above + self.add[node];
        self.first_excess(2 * node, lo, mid, start, end, below)
            .or_else(|| self.first_excess(2 * node + 1, mid, hi, start, end, below))
    }

    /// Adds `lease` if no date of its span would be overbooked; otherwise
    /// leaves everything as it was and returns the first such date.
    fn admit(&mut self, lease: Lease) -> Option<Overbooked> {
        self.add_lease(&lease, 1.0);
        let (start, end) = self.range(lease.span);
        let size = self.dates.len().max(1);
        let (index, excess) = self.first_excess(1, 0, size, start, end, 0.0)?;
        self.add_lease(&lease, -1.0);
        let leasable_m2 = self.leasable[index];
        Some(Overbooked {
            date: self.dates[index],
            leased_m2: excess + leasable_m2,
            leasable_m2,
        })
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Dice(u64);

    impl Dice {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    fn day(offset: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(offset)
    }

    fn lease(dice: &mut Dice) -> Lease {
        let moved_in = day(dice.below(60));
        let moved_out =
            (dice.below(3) > 0).then(|| moved_in + chrono::Days::new(1 + dice.below(40)));
        Lease {
            span: Span::new(moved_in, moved_out).unwrap(),
            area_m2: (1 + dice.below(30)) as f64 * 10.0,
        }
    }

    #[test]
    fn a_batch_is_refused_exactly_where_one_move_in_after_another_would_be() {
        let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
        let (mut admitted, mut refused) = (0, 0);
        for _ in 0..2000 {
            let phases: Vec<(NaiveDate, f64)> = (0..1 + dice.below(3))
                .map(|_| (day(dice.below(50)), (1 + dice.below(40)) as f64 * 10.0))
                .collect();
            let stored: Vec<Lease> = (0..dice.below(6)).map(|_| lease(&mut dice)).collect();
            let batch: Vec<Lease> = (0..1 + dice.below(25)).map(|_| lease(&mut dice)).collect();

            let mut headroom = Headroom::new(&stored, batch.iter().map(|l| l.span), &phases);
            let mut others = stored.clone();
            for candidate in &batch {
                let expected = first_overbooking(&others, *candidate, &phases);
                let got = headroom.admit(*candidate);
                match (expected, got) {
                    (None, None) => {
                        admitted += 1;
                        others.push(*candidate);
                    }
                    (Some(e), Some(g)) => {
                        assert_eq!(e.date, g.date);
                        assert!((e.leased_m2 - g.leased_m2).abs() < 1e-6, "{e:?} vs {g:?}");
                        assert_eq!(e.leasable_m2, g.leasable_m2);
                        refused += 1;
                    }
                    (e, g) => panic!("one by one: {e:?}; batch: {g:?}"),
                }
            }
        }
        assert!(
            admitted > 1000 && refused > 1000,
            "{admitted} admitted, {refused} refused"
        );
    }

    #[test]
    fn an_empty_carrier_has_no_room_before_its_first_phase() {
        let phases = [(day(10), 100.0)];
        let early = Lease {
            span: Span::new(day(5), None).unwrap(),
            area_m2: 1.0,
        };
        let mut headroom = Headroom::new(&[], [early.span].into_iter(), &phases);
        let over = headroom.admit(early).expect("refused");
        assert_eq!((over.date, over.leasable_m2), (day(5), 0.0));
    }
}
