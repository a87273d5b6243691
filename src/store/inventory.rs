//! 房源: buildings and units of a carrier, and the units tenancies occupy.
//!
//! Every write runs in one transaction under the carrier's lock
//! ([`super::carrier::writable`]): units are checked against their phase's
//! area, and a unit's tenancies against each other, with no other write of
//! that carrier in between, on both databases.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use entity::{building, space_phase, tenancy, tenancy_unit, unit};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use super::audit::{self, Change, Operation, snapshot};
use super::spatial::Shape;
use super::{check_version, versioned_update};
use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::geometry;
use crate::domain::inventory::{PhaseRoom, UnitStatus, UnitUse, check_phase_room, first_clash};
use crate::domain::message::zh_date;
use crate::domain::tenancy::Span;
use crate::error::{AppError, AppResult};

/// A building to record, validated.
#[derive(Debug, Clone)]
pub struct NewBuilding {
    pub carrier_id: i32,
    pub name: String,
    pub footprint: Option<Shape>,
}

#[tracing::instrument(skip_all)]
pub async fn add_building(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewBuilding,
) -> AppResult<building::Model> {
    let txn = super::begin_write(db).await?;
    let model = add_building_in(&txn, actor, new).await?;
    txn.commit().await?;
    Ok(model)
}

/// [`add_building`] inside the caller's transaction.
async fn add_building_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    new: NewBuilding,
) -> AppResult<building::Model> {
    let carrier = super::carrier::writable(txn, actor, new.carrier_id).await?;
    check_name_free(txn, new.carrier_id, &new.name, None).await?;
    let now = Utc::now();
    let (footprint_geojson, footprint_area_m2) = footprint_columns(new.footprint.as_ref());
    let row = building::ActiveModel {
        carrier_id: Set(new.carrier_id),
        name: Set(new.name),
        footprint_geojson: Set(footprint_geojson),
        footprint_area_m2: Set(footprint_area_m2),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = building::Entity::insert(row)
        .exec_with_returning(txn)
        .await?;
    let change = Change::created("Building", model.id, Some(carrier.operator_id), &model)?;
    audit::record(txn, actor, Operation::Create, change).await?;
    Ok(model)
}

/// Carrier `carrier_id`'s building named `name`, recorded (with its audit
/// event) when it has none yet, and whether it was: imports name buildings,
/// not ids.
pub async fn building_named_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    carrier_id: i32,
    name: &str,
) -> AppResult<(building::Model, bool)> {
    super::carrier::writable(txn, actor, carrier_id).await?;
    let found = building::Entity::find()
        .filter(building::Column::CarrierId.eq(carrier_id))
        .filter(building::Column::Name.eq(name))
        .one(txn)
        .await?;
    match found {
        Some(building) => Ok((building, false)),
        None => {
            let new = NewBuilding {
                carrier_id,
                name: name.to_owned(),
                footprint: None,
            };
            Ok((add_building_in(txn, actor, new).await?, true))
        }
    }
}

/// The first delivered, counted phase of carrier `carrier_id` (by delivery)
/// with room left for a unit of `area`: where an import puts a unit whose
/// phase it does not name.
pub async fn phase_with_room_in<C: ConnectionTrait>(
    txn: &C,
    carrier_id: i32,
    area: FloorArea,
) -> AppResult<i32> {
    let phases = space_phase::Entity::find()
        .filter(space_phase::Column::CarrierId.eq(carrier_id))
        .filter(space_phase::Column::VoidedAt.is_null())
        .filter(space_phase::Column::DeliveredOn.lte(super::today()))
        .order_by_asc(space_phase::Column::DeliveredOn)
        .order_by_asc(space_phase::Column::Id)
        .all(txn)
        .await?;
    for phase in &phases {
        let units_m2: f64 = units_of_phase(txn, phase.id)
            .await?
            .iter()
            .map(|unit| unit.area_m2)
            .sum();
        let room = PhaseRoom {
            delivered_on: phase.delivered_on,
            area_m2: phase.area_m2,
            units_m2,
        };
        if check_phase_room("areaM2", room, area.square_metres()).is_ok() {
            return Ok(phase.id);
        }
    }
    Err(AppError::invalid(
        "spacePhaseId",
        format!(
            "no delivered space phase of the carrier has {:.2} m² left for this unit; name a phase or add one",
            area.square_metres()
        ),
        format!(
            "该载体没有剩余 {:.2} 平方米可划分房源的已交付空间分期；请指定空间分期或先登记新的分期",
            area.square_metres()
        ),
    ))
}

/// Changes to a building; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct BuildingAmendment {
    pub name: Option<String>,
    /// `Some(None)` clears the footprint.
    pub footprint: Option<Option<Shape>>,
}

#[tracing::instrument(skip_all)]
pub async fn amend_building(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    amendment: BuildingAmendment,
) -> AppResult<building::Model> {
    let txn = super::begin_write(db).await?;
    let (current, operator_id) = writable_building(&txn, actor, id, version).await?;
    let mut row = current.clone().into_active_model();
    if let Some(name) = amendment.name {
        check_name_free(&txn, current.carrier_id, &name, Some(id)).await?;
        row.name = Set(name);
    }
    if let Some(footprint) = amendment.footprint {
        let (geojson, area) = footprint_columns(footprint.as_ref());
        row.footprint_geojson = Set(geojson);
        row.footprint_area_m2 = Set(area);
    }
    let model =
        versioned_update::<building::Entity, _>(&txn, row, id, current.version, version).await?;
    let change = Change::updated("Building", id, Some(operator_id), &current, &model)?;
    audit::record(&txn, actor, Operation::Update, change).await?;
    txn.commit().await?;
    Ok(model)
}

fn footprint_columns(footprint: Option<&Shape>) -> (Option<String>, Option<f64>) {
    match footprint {
        Some(shape) => (
            Some(geometry::to_stored(&shape.geometry)),
            Some(shape.area_m2),
        ),
        None => (None, None),
    }
}

/// Building `id` and its carrier's operator, under the carrier's lock, if
/// `actor` may write it and it is still at `version`.
async fn writable_building<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    id: i32,
    version: i32,
) -> AppResult<(building::Model, i32)> {
    let find = || async {
        building::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::not_found("Building", id))
    };
    let carrier = super::carrier::writable(txn, actor, find().await?.carrier_id).await?;
    let current = find().await?;
    check_version::<building::Entity>(id, current.version, version)?;
    Ok((current, carrier.operator_id))
}

/// CONFLICT when another building of the carrier already has `name`.
async fn check_name_free<C: ConnectionTrait>(
    txn: &C,
    carrier_id: i32,
    name: &str,
    except: Option<i32>,
) -> AppResult<()> {
    let holders = building::Column::CarrierId
        .eq(carrier_id)
        .and(building::Column::Name.eq(name));
    unique::<building::Entity, _>(txn, holders, except, || {
        AppError::conflict(
            format!("the carrier already has a building named '{name}'"),
            format!("该载体已有名为“{name}”的楼栋"),
        )
    })
    .await
}

/// `taken()` when a row of `E` other than `except` meets `holders`: a value
/// that must be unique in its scope is taken. The caller holds the carrier's
/// lock, so no other write takes it meanwhile.
async fn unique<E: super::Versioned, C: ConnectionTrait>(
    txn: &C,
    holders: sea_orm::sea_query::SimpleExpr,
    except: Option<i32>,
    taken: impl FnOnce() -> AppError,
) -> AppResult<()> {
    let ids: Vec<i32> = E::find()
        .select_only()
        .column(E::ID)
        .filter(holders)
        .into_tuple()
        .all(txn)
        .await?;
    match ids.into_iter().any(|id| Some(id) != except) {
        true => Err(taken()),
        false => Ok(()),
    }
}

/// A unit to record, validated.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub building_id: i32,
    pub space_phase_id: i32,
    pub code: String,
    pub floor: i32,
    pub area: FloorArea,
    pub unit_use: UnitUse,
    pub status: UnitStatus,
}

#[tracing::instrument(skip_all)]
pub async fn add_unit(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewUnit,
) -> AppResult<unit::Model> {
    let txn = super::begin_write(db).await?;
    let model = add_unit_in(&txn, actor, new).await?;
    txn.commit().await?;
    Ok(model)
}

/// [`add_unit`] inside the caller's transaction (bulk imports).
pub async fn add_unit_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    new: NewUnit,
) -> AppResult<unit::Model> {
    let building = building::Entity::find_by_id(new.building_id)
        .one(txn)
        .await?
        .ok_or_else(|| no_building(new.building_id))?;
    let carrier = super::carrier::writable(txn, actor, building.carrier_id).await?;
    check_code_free(txn, building.id, &new.code, None).await?;
    check_phase(txn, building.carrier_id, new.space_phase_id, None, new.area).await?;
    let now = Utc::now();
    let row = unit::ActiveModel {
        building_id: Set(building.id),
        carrier_id: Set(building.carrier_id),
        space_phase_id: Set(new.space_phase_id),
        code: Set(new.code),
        floor: Set(new.floor),
        area_m2: Set(new.area.square_metres()),
        unit_use: Set(new.unit_use.as_ref().to_owned()),
        status: Set(new.status.as_ref().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = unit::Entity::insert(row).exec_with_returning(txn).await?;
    let change = Change::created("Unit", model.id, Some(carrier.operator_id), &model)?;
    audit::record(txn, actor, Operation::Create, change).await?;
    Ok(model)
}

/// Changes to a unit; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UnitAmendment {
    pub space_phase_id: Option<i32>,
    pub code: Option<String>,
    pub floor: Option<i32>,
    pub area: Option<FloorArea>,
    pub unit_use: Option<UnitUse>,
    pub status: Option<UnitStatus>,
}

#[tracing::instrument(skip_all)]
pub async fn amend_unit(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    amendment: UnitAmendment,
) -> AppResult<unit::Model> {
    let txn = super::begin_write(db).await?;
    let find = || async {
        unit::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("Unit", id))
    };
    let carrier = super::carrier::writable(&txn, actor, find().await?.carrier_id).await?;
    let current = find().await?;
    check_version::<unit::Entity>(id, current.version, version)?;
    let mut row = current.clone().into_active_model();
    if let Some(code) = amendment.code {
        check_code_free(&txn, current.building_id, &code, Some(id)).await?;
        row.code = Set(code);
    }
    if amendment.space_phase_id.is_some() || amendment.area.is_some() {
        let phase_id = amendment.space_phase_id.unwrap_or(current.space_phase_id);
        let area = match amendment.area {
            Some(area) => area,
            None => FloorArea::parse("areaM2", current.area_m2)?,
        };
        check_phase(&txn, current.carrier_id, phase_id, Some(id), area).await?;
        row.space_phase_id = Set(phase_id);
        row.area_m2 = Set(area.square_metres());
    }
    if let Some(floor) = amendment.floor {
        row.floor = Set(floor);
    }
    if let Some(unit_use) = amendment.unit_use {
        row.unit_use = Set(unit_use.as_ref().to_owned());
    }
    if let Some(status) = amendment.status {
        row.status = Set(status.as_ref().to_owned());
    }
    let model =
        versioned_update::<unit::Entity, _>(&txn, row, id, current.version, version).await?;
    let change = Change::updated("Unit", id, Some(carrier.operator_id), &current, &model)?;
    audit::record(&txn, actor, Operation::Update, change).await?;
    txn.commit().await?;
    Ok(model)
}

fn no_building(id: i32) -> AppError {
    AppError::invalid(
        "buildingId",
        format!("no building with id {id}"),
        format!("未找到编号为 {id} 的楼栋"),
    )
}

/// CONFLICT when another unit of the building already has `code`.
async fn check_code_free<C: ConnectionTrait>(
    txn: &C,
    building_id: i32,
    code: &str,
    except: Option<i32>,
) -> AppResult<()> {
    let holders = unit::Column::BuildingId
        .eq(building_id)
        .and(unit::Column::Code.eq(code));
    unique::<unit::Entity, _>(txn, holders, except, || {
        AppError::conflict(
            format!("the building already has a unit coded '{code}'"),
            format!("该楼栋已有编号为“{code}”的房源"),
        )
    })
    .await
}

/// Refuses a unit of `area` (unit `except`, when it is being changed) in
/// phase `phase_id` unless the phase is a delivered, counted phase of
/// carrier `carrier_id` with room left for it.
async fn check_phase<C: ConnectionTrait>(
    txn: &C,
    carrier_id: i32,
    phase_id: i32,
    except: Option<i32>,
    area: FloorArea,
) -> AppResult<()> {
    let phase = space_phase::Entity::find_by_id(phase_id)
        .one(txn)
        .await?
        .filter(|phase| phase.carrier_id == carrier_id && phase.voided_at.is_none())
        .ok_or_else(|| {
            AppError::invalid(
                "spacePhaseId",
                format!("space phase {phase_id} is not a phase of this carrier that counts"),
                format!("空间分期（编号 {phase_id}）不是本载体有效的空间分期"),
            )
        })?;
    let today = super::today();
    if phase.delivered_on > today {
        return Err(AppError::invalid(
            "spacePhaseId",
            format!(
                "space phase {phase_id} is to be delivered on {}; units are carved out of delivered space",
                phase.delivered_on
            ),
            format!(
                "空间分期（编号 {phase_id}）计划于{}交付，房源只能划分自已交付的空间",
                zh_date(phase.delivered_on)
            ),
        ));
    }
    let units_m2 = units_of_phase(txn, phase_id)
        .await?
        .iter()
        .filter(|unit| Some(unit.id) != except)
        .map(|unit| unit.area_m2)
        .sum();
    let room = PhaseRoom {
        delivered_on: phase.delivered_on,
        area_m2: phase.area_m2,
        units_m2,
    };
    Ok(check_phase_room("areaM2", room, area.square_metres())?)
}

async fn units_of_phase<C: ConnectionTrait>(txn: &C, phase_id: i32) -> AppResult<Vec<unit::Model>> {
    Ok(unit::Entity::find()
        .filter(unit::Column::SpacePhaseId.eq(phase_id))
        .all(txn)
        .await?)
}

/// What a correction of phase `phase_id` must leave its units: a voided
/// phase (`area` `None`) none, a corrected one room for them all.
pub(crate) async fn check_phase_keeps_units<C: ConnectionTrait>(
    txn: &C,
    phase_id: i32,
    corrected: Option<(NaiveDate, f64)>,
) -> AppResult<()> {
    let units = units_of_phase(txn, phase_id).await?;
    if units.is_empty() {
        return Ok(());
    }
    let Some((delivered_on, area_m2)) = corrected else {
        return Err(AppError::invalid(
            "id",
            format!(
                "{} units are carved out of this phase; move them to another phase first",
                units.len()
            ),
            format!(
                "该空间分期已划分 {} 个房源，请先将其改属其他分期",
                units.len()
            ),
        ));
    };
    let room = PhaseRoom {
        delivered_on,
        area_m2,
        units_m2: 0.0,
    };
    let total: f64 = units.iter().map(|unit| unit.area_m2).sum();
    Ok(check_phase_room("areaM2", room, total)?)
}

/// Names the units tenancy `tenancy_id`, read at `version`, occupies,
/// replacing those it named; none clears them. The units must be the
/// carrier's, and no other tenancy of a unit may overlap this one (CONFLICT).
/// The tenancy's version goes up, and the audit trail keeps the units named
/// before and after.
#[tracing::instrument(skip_all)]
pub async fn set_tenancy_units(
    db: &DatabaseConnection,
    actor: &Actor,
    tenancy_id: i32,
    version: i32,
    unit_ids: Vec<i32>,
) -> AppResult<tenancy::Model> {
    let txn = super::begin_write(db).await?;
    let (current, operator_id) = super::tenancy::writable(&txn, actor, tenancy_id, version).await?;
    let wanted = units_of_carrier(&txn, current.carrier_id, unit_ids).await?;
    let span = Span {
        moved_in: current.moved_in_on,
        moved_out: current.moved_out_on,
    };
    check_units_free(&txn, tenancy_id, &wanted, span).await?;
    let before = linked_units(&txn, tenancy_id).await?;
    tenancy_unit::Entity::delete_many()
        .filter(tenancy_unit::Column::TenancyId.eq(tenancy_id))
        .exec(&txn)
        .await?;
    link(&txn, tenancy_id, &wanted).await?;
    let row = current.clone().into_active_model();
    let model =
        versioned_update::<tenancy::Entity, _>(&txn, row, tenancy_id, current.version, version)
            .await?;
    let change = Change {
        entity_type: "Tenancy",
        entity_id: tenancy_id,
        operator_id: Some(operator_id),
        former_operator_id: None,
        before: Some(with_units(&current, &before)?),
        after: Some(with_units(&model, &wanted)?),
    };
    audit::record(&txn, actor, Operation::Update, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// `unit_ids`, sorted and without repeats, if every one is a unit of carrier
/// `carrier_id`; BAD_USER_INPUT naming the first that is not.
pub(crate) async fn units_of_carrier<C: ConnectionTrait>(
    txn: &C,
    carrier_id: i32,
    mut unit_ids: Vec<i32>,
) -> AppResult<Vec<i32>> {
    unit_ids.sort_unstable();
    unit_ids.dedup();
    if unit_ids.is_empty() {
        return Ok(unit_ids);
    }
    let found: HashSet<i32> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(unit_ids.iter().copied()))
        .filter(unit::Column::CarrierId.eq(carrier_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|unit| unit.id)
        .collect();
    if let Some(missing) = unit_ids.iter().find(|id| !found.contains(id)) {
        return Err(AppError::invalid(
            "unitIds",
            format!("unit {missing} is not a unit of the tenancy's carrier"),
            format!("房源（编号 {missing}）不属于该入驻记录所在的载体"),
        ));
    }
    Ok(unit_ids)
}

/// A tenancy as the audit trail keeps it, with the units it names.
pub(crate) fn with_units(row: &tenancy::Model, unit_ids: &[i32]) -> AppResult<serde_json::Value> {
    let mut value = snapshot(row)?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("unit_ids".into(), serde_json::json!(unit_ids));
    }
    Ok(value)
}

/// Records that tenancy `tenancy_id` occupies `unit_ids` (checked by the caller).
pub(crate) async fn link<C: ConnectionTrait>(
    txn: &C,
    tenancy_id: i32,
    unit_ids: &[i32],
) -> AppResult<()> {
    if unit_ids.is_empty() {
        return Ok(());
    }
    let rows = unit_ids.iter().map(|&unit_id| tenancy_unit::ActiveModel {
        tenancy_id: Set(tenancy_id),
        unit_id: Set(unit_id),
    });
    tenancy_unit::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

/// The units tenancy `tenancy_id` names, by id.
pub(crate) async fn linked_units<C: ConnectionTrait>(
    txn: &C,
    tenancy_id: i32,
) -> AppResult<Vec<i32>> {
    let mut ids: Vec<i32> = tenancy_unit::Entity::find()
        .filter(tenancy_unit::Column::TenancyId.eq(tenancy_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| row.unit_id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// A tenancy continued by another (a change of area) hands its units on.
pub(crate) async fn hand_on_units<C: ConnectionTrait>(
    txn: &C,
    from_tenancy: i32,
    to_tenancy: i32,
) -> AppResult<()> {
    let units = linked_units(txn, from_tenancy).await?;
    link(txn, to_tenancy, &units).await
}

/// CONFLICT when another tenancy (not voided) of one of `unit_ids` overlaps
/// `span`, the dates tenancy `tenancy_id` would have. The caller holds the
/// carrier's lock, so no other write can slip a tenancy in meanwhile.
pub(crate) async fn check_units_free<C: ConnectionTrait>(
    txn: &C,
    tenancy_id: i32,
    unit_ids: &[i32],
    span: Span,
) -> AppResult<()> {
    if unit_ids.is_empty() {
        return Ok(());
    }
    let links = tenancy_unit::Entity::find()
        .filter(tenancy_unit::Column::UnitId.is_in(unit_ids.iter().copied()))
        .filter(tenancy_unit::Column::TenancyId.ne(tenancy_id))
        .all(txn)
        .await?;
    let tenancies: HashMap<i32, tenancy::Model> = tenancy::Entity::find()
        .filter(tenancy::Column::Id.is_in(links.iter().map(|link| link.tenancy_id)))
        .filter(tenancy::Column::VoidedAt.is_null())
        .all(txn)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    for &unit_id in unit_ids {
        let others: Vec<Span> = links
            .iter()
            .filter(|link| link.unit_id == unit_id)
            .filter_map(|link| tenancies.get(&link.tenancy_id))
            .map(|row| Span {
                moved_in: row.moved_in_on,
                moved_out: row.moved_out_on,
            })
            .collect();
        if let Some(clash) = first_clash(&others, span) {
            let code = unit::Entity::find_by_id(unit_id)
                .one(txn)
                .await?
                .map_or_else(|| unit_id.to_string(), |unit| unit.code);
            return Err(unit_let_refusal(&code, clash));
        }
    }
    Ok(())
}

/// CONFLICT: unit `code` is let to another tenancy over `clash`.
pub(crate) fn unit_let_refusal(code: &str, clash: Span) -> AppError {
    AppError::conflict(
        format!(
            "unit {code} is let to another tenancy from {}{}; a unit is let to one tenancy at a time",
            clash.moved_in,
            clash
                .moved_out
                .map(|out| format!(" to {out}"))
                .unwrap_or_default()
        ),
        format!(
            "房源 {code} 已出租给另一入驻记录（{}{}）；同一房源同一时间只能出租给一家",
            zh_date(clash.moved_in),
            clash
                .moved_out
                .map_or_else(|| "起".to_owned(), |out| format!("至{}", zh_date(out)))
        ),
    )
}

/// The tenancies in force on `as_of` (not voided) of these units, by unit
/// id. Two SQL statements whatever the number of units.
pub async fn tenancies_on(
    db: &DatabaseConnection,
    unit_ids: &[i32],
    as_of: NaiveDate,
) -> AppResult<HashMap<i32, tenancy::Model>> {
    let links = super::rows_where_in::<tenancy_unit::Entity>(
        db,
        tenancy_unit::Column::UnitId,
        unit_ids.iter().copied(),
    )
    .await?;
    let mut tenancy_ids: Vec<i32> = links.iter().map(|link| link.tenancy_id).collect();
    tenancy_ids.sort_unstable();
    tenancy_ids.dedup();
    let in_force: HashMap<i32, tenancy::Model> =
        super::rows_where_in::<tenancy::Entity>(db, tenancy::Column::Id, tenancy_ids)
            .await?
            .into_iter()
            .filter(|row| row.voided_at.is_none())
            .filter(|row| {
                Span {
                    moved_in: row.moved_in_on,
                    moved_out: row.moved_out_on,
                }
                .in_force_on(as_of)
            })
            .map(|row| (row.id, row))
            .collect();
    Ok(links
        .into_iter()
        .filter_map(|link| Some((link.unit_id, in_force.get(&link.tenancy_id)?.clone())))
        .collect())
}

/// 空置房源: carrier `carrier_id`'s available units of at least `min_area_m2`
/// that no tenancy occupies on `as_of`, by building, floor and code.
pub async fn vacant_units(
    db: &DatabaseConnection,
    carrier_id: i32,
    as_of: NaiveDate,
    min_area_m2: f64,
) -> AppResult<Vec<unit::Model>> {
    let units = unit::Entity::find()
        .filter(unit::Column::CarrierId.eq(carrier_id))
        .filter(unit::Column::Status.eq(UnitStatus::Available.as_ref()))
        .filter(unit::Column::AreaM2.gte(min_area_m2))
        .order_by_asc(unit::Column::BuildingId)
        .order_by_asc(unit::Column::Floor)
        .order_by_asc(unit::Column::Code)
        .all(db)
        .await?;
    let ids: Vec<i32> = units.iter().map(|unit| unit.id).collect();
    let let_out = tenancies_on(db, &ids, as_of).await?;
    Ok(units
        .into_iter()
        .filter(|unit| !let_out.contains_key(&unit.id))
        .collect())
}
