//! Platforms, funds, operating teams and facilities: the records 五有 reads.
//!
//! Platforms, teams and facilities belong to one carrier and are written by
//! its operator; a fund may serve carriers of several operators, so an
//! operator may write a fund only while every carrier it serves is its own.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use entity::{carrier, facility, fund, fund_carrier, operating_team, platform};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition,
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter,
};
use serde::Serialize;

use super::audit::{self, Change, Operation};
use super::carrier::CarrierRestriction;
use super::correction::{Asked, Correction, Voidable};
use super::page::{self, Page, PageArgs, Sort};
use super::{check_version, versioned_update};
use crate::domain::access::{Actor, may_designate};
use crate::domain::carrier::Level;
use crate::domain::message::zh_date;
use crate::domain::money::Fen;
use crate::domain::support::{FacilityKind, InForce, PlatformKind};
use crate::domain::temporal::DateSpan;
use crate::error::{AppError, AppResult, entity_name_zh};

/// Tables whose rows belong to one carrier (and can be voided).
pub(crate) trait CarrierRecord: Voidable {
    fn id(model: &Self::Model) -> i32;
}

macro_rules! carrier_record {
    ($($module:ident),+) => {$(
        impl CarrierRecord for $module::Entity {
            fn id(model: &Self::Model) -> i32 {
                model.id
            }
        }
    )+};
}
carrier_record!(platform, operating_team, facility);

/// Inserts `row` into carrier `carrier_id`'s records, if `actor` may write
/// that carrier, with its audit event. One transaction.
async fn create_record<E>(
    db: &DatabaseConnection,
    actor: &Actor,
    carrier_id: i32,
    row: E::ActiveModel,
) -> AppResult<E::Model>
where
    E: CarrierRecord,
    E::Model: IntoActiveModel<E::ActiveModel> + Serialize + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    let txn = super::begin_write(db).await?;
    let carrier = super::carrier::writable(&txn, actor, carrier_id).await?;
    let model = E::insert(row).exec_with_returning(&txn).await?;
    let change = Change::created(E::NAME, E::id(&model), Some(carrier.operator_id), &model)?;
    audit::record(&txn, actor, Operation::Create, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// Rewrites record `id` with the row `apply` makes of the stored one, if it
/// is still at `version` and `actor` may write its carrier, with its audit
/// event. One transaction.
async fn update_record<E>(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    reason: Option<String>,
    apply: impl FnOnce(&E::Model) -> AppResult<E::ActiveModel>,
) -> AppResult<E::Model>
where
    E: CarrierRecord,
    E::Model: Serialize + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let txn = super::begin_write(db).await?;
    let current = E::find()
        .filter(E::ID.eq(id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found(E::NAME, id))?;
    let carrier = super::carrier::writable(&txn, actor, E::owner(&current)).await?;
    // Read again under the carrier's lock: a write that committed meanwhile is seen.
    let current = E::find()
        .filter(E::ID.eq(id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found(E::NAME, id))?;
    if E::is_voided(&current) {
        return Err(voided::<E>(id));
    }
    check_version::<E>(id, E::version(&current), version)?;
    let operator_id = carrier.operator_id;
    let model = rewrite_in::<E>(&txn, actor, operator_id, &current, version, reason, apply).await?;
    txn.commit().await?;
    Ok(model)
}

fn voided<E: super::Versioned>(id: i32) -> AppError {
    AppError::conflict(
        format!("{} {id} was voided and cannot change", E::NAME),
        format!(
            "该{}（编号 {id}）已作废，不能再修改",
            entity_name_zh(E::NAME)
        ),
    )
}

/// Voids record `id` of `E`, read at `version`, for `reason` (ADMIN or the
/// carrier's operator; see [`super::correction::correct`]): no rule spans
/// other rows, since a record that counts nowhere cannot break one.
#[tracing::instrument(skip_all)]
pub(crate) async fn void<E>(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    reason: String,
) -> AppResult<E::Model>
where
    E: CarrierRecord,
    E::Model: IntoActiveModel<E::ActiveModel> + Serialize + Clone,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i32>,
{
    let asked = Asked {
        id,
        version,
        correction: Correction::<()>::Void,
        reason,
    };
    let nothing_to_amend = |_: &mut E::ActiveModel, (): ()| Ok(());
    let no_rule = async |_: &DatabaseTransaction, _: i32, _: Option<&E::ActiveModel>| Ok(());
    super::correction::correct::<E, ()>(db, actor, asked, nothing_to_amend, no_rule).await
}

/// Rewrites record `current` (of operator `operator_id`, whose carrier the
/// caller's transaction has locked) with the row `apply` makes of it, if it
/// is still at `version`, with its audit event.
async fn rewrite_in<E>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    operator_id: i32,
    current: &E::Model,
    version: i32,
    reason: Option<String>,
    apply: impl FnOnce(&E::Model) -> AppResult<E::ActiveModel>,
) -> AppResult<E::Model>
where
    E: CarrierRecord,
    E::Model: Serialize + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let id = E::id(current);
    let row = apply(current)?;
    let model = versioned_update::<E, _>(txn, row, id, E::version(current), version).await?;
    let change = Change::updated(E::NAME, id, Some(operator_id), current, &model)?;
    // With a reason the change corrects a record entered wrongly.
    let operation = match reason {
        Some(_) => Operation::Amend,
        None => Operation::Update,
    };
    audit::record_with_reason(txn, actor, operation, change, reason).await?;
    Ok(model)
}

/// The dates a patch leaves a record in force over: its stored dates with the
/// patch's changes applied, checked together.
fn patched_span(
    stored: (NaiveDate, Option<NaiveDate>),
    from: Option<NaiveDate>,
    until: Option<Option<NaiveDate>>,
    fields: (&str, &str),
) -> AppResult<InForce> {
    Ok(InForce::new(
        from.unwrap_or(stored.0),
        until.unwrap_or(stored.1),
        fields.0,
        fields.1,
    )?)
}

// ---------------------------------------------------------------- platforms

/// A public technology service platform's fields, validated.
#[derive(Debug, Clone)]
pub struct NewPlatform {
    pub carrier_id: i32,
    pub name: String,
    pub kind: PlatformKind,
    pub level: Level,
    pub open: InForce,
    pub services: Vec<String>,
    pub enterprises_served_per_year: Option<i32>,
}

/// Changes to a platform; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PlatformPatch {
    pub name: Option<String>,
    pub kind: Option<PlatformKind>,
    pub level: Option<Level>,
    pub opened_on: Option<NaiveDate>,
    /// `Some(None)` reopens a closed platform.
    pub closed_on: Option<Option<NaiveDate>>,
    pub services: Option<Vec<String>>,
    pub enterprises_served_per_year: Option<Option<i32>>,
    /// Why, when the change corrects a record entered wrongly (audited as AMEND).
    pub reason: Option<String>,
}

fn services_json(services: &[String]) -> AppResult<String> {
    serde_json::to_string(services).map_err(|_| AppError::Internal)
}

#[tracing::instrument(skip_all)]
pub async fn create_platform(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewPlatform,
) -> AppResult<platform::Model> {
    if new.level != Level::None {
        may_designate(actor, "a platform's level", "PLATFORM_LEVEL")?;
    }
    let now = Utc::now();
    let row = platform::ActiveModel {
        carrier_id: Set(new.carrier_id),
        name: Set(new.name),
        kind: Set(new.kind.as_ref().to_owned()),
        level: Set(new.level.as_ref().to_owned()),
        opened_on: Set(new.open.from),
        closed_on: Set(new.open.until),
        services: Set(services_json(&new.services)?),
        enterprises_served_per_year: Set(new.enterprises_served_per_year),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    create_record::<platform::Entity>(db, actor, new.carrier_id, row).await
}

#[tracing::instrument(skip_all)]
pub async fn update_platform(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    patch: PlatformPatch,
) -> AppResult<platform::Model> {
    let reason = patch.reason.clone();
    update_record::<platform::Entity>(db, actor, id, version, reason, |current| {
        let open = patched_span(
            (current.opened_on, current.closed_on),
            patch.opened_on,
            patch.closed_on,
            ("openedOn", "closedOn"),
        )?;
        let mut row = <platform::ActiveModel as Default>::default();
        if let Some(name) = patch.name {
            row.name = Set(name);
        }
        if let Some(kind) = patch.kind {
            row.kind = Set(kind.as_ref().to_owned());
        }
        if let Some(level) = patch.level
            && level.as_ref() != current.level
        {
            may_designate(actor, "a platform's level", "PLATFORM_LEVEL")?;
            row.level = Set(level.as_ref().to_owned());
        }
        row.opened_on = Set(open.from);
        row.closed_on = Set(open.until);
        if let Some(services) = &patch.services {
            row.services = Set(services_json(services)?);
        }
        if let Some(served) = patch.enterprises_served_per_year {
            row.enterprises_served_per_year = Set(served);
        }
        Ok(row)
    })
    .await
}

// ---------------------------------------------------------------- operating teams

/// An operating team's fields, validated.
#[derive(Debug, Clone)]
pub struct NewTeam {
    pub carrier_id: i32,
    pub name: String,
    pub staff: u32,
    pub mentors: u32,
    pub active: InForce,
}

/// Changes to an operating team; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TeamPatch {
    pub name: Option<String>,
    pub staff: Option<u32>,
    pub mentors: Option<u32>,
    pub formed_on: Option<NaiveDate>,
    /// `Some(None)` records that a disbanded team operates again.
    pub disbanded_on: Option<Option<NaiveDate>>,
    /// Why, when the change corrects a record entered wrongly (audited as AMEND).
    pub reason: Option<String>,
}

fn headcount(count: u32) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

#[tracing::instrument(skip_all)]
pub async fn create_team(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewTeam,
) -> AppResult<operating_team::Model> {
    let now = Utc::now();
    let row = operating_team::ActiveModel {
        carrier_id: Set(new.carrier_id),
        name: Set(new.name),
        staff_count: Set(headcount(new.staff)),
        mentor_count: Set(headcount(new.mentors)),
        formed_on: Set(new.active.from),
        disbanded_on: Set(new.active.until),
        professional_recognised_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    create_record::<operating_team::Entity>(db, actor, new.carrier_id, row).await
}

#[tracing::instrument(skip_all)]
pub async fn update_team(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    patch: TeamPatch,
) -> AppResult<operating_team::Model> {
    let reason = patch.reason.clone();
    update_record::<operating_team::Entity>(db, actor, id, version, reason, |current| {
        let active = patched_span(
            (current.formed_on, current.disbanded_on),
            patch.formed_on,
            patch.disbanded_on,
            ("formedOn", "disbandedOn"),
        )?;
        let mut row = <operating_team::ActiveModel as Default>::default();
        if let Some(name) = patch.name {
            row.name = Set(name);
        }
        if let Some(staff) = patch.staff {
            row.staff_count = Set(headcount(staff));
        }
        if let Some(mentors) = patch.mentors {
            row.mentor_count = Set(headcount(mentors));
        }
        row.formed_on = Set(active.from);
        row.disbanded_on = Set(active.until);
        Ok(row)
    })
    .await
}

/// Records that a team was recognised as a high-level professional operating
/// team on `on` (`None` withdraws the recognition). A recognition is the
/// bureau's act, so this mutation is ADMIN-only (see `domain::access`).
#[tracing::instrument(skip_all)]
pub async fn recognise_team(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    on: Option<NaiveDate>,
) -> AppResult<operating_team::Model> {
    update_record::<operating_team::Entity>(db, actor, id, version, None, |current| {
        team_recognition(current, on)
    })
    .await
}

/// The team's row recognised on `on` (withdrawn when `None`): not in the
/// future, nor before the team was formed.
fn team_recognition(
    current: &operating_team::Model,
    on: Option<NaiveDate>,
) -> AppResult<operating_team::ActiveModel> {
    if let Some(on) = on {
        crate::domain::level::check_recognised_on(on, super::today())?;
        if on < current.formed_on {
            return Err(AppError::invalid(
                "recognisedOn",
                format!(
                    "{on} comes before the team was formed on {}",
                    current.formed_on
                ),
                format!(
                    "认定日期（{}）早于团队组建日期（{}）",
                    zh_date(on),
                    zh_date(current.formed_on)
                ),
            ));
        }
    }
    Ok(operating_team::ActiveModel {
        professional_recognised_on: Set(on),
        ..Default::default()
    })
}

/// A platform or team of carrier `carrier_id` (locked by the caller's
/// transaction), as a designation request names it: NOT_FOUND when it is not
/// that carrier's, or was voided.
pub(crate) async fn carrier_record_in<E>(
    txn: &DatabaseTransaction,
    carrier_id: i32,
    id: i32,
) -> AppResult<E::Model>
where
    E: CarrierRecord,
{
    E::find()
        .filter(E::ID.eq(id))
        .one(txn)
        .await?
        .filter(|model| E::owner(model) == carrier_id && !E::is_voided(model))
        .ok_or_else(|| AppError::not_found(E::NAME, id))
}

/// Sets platform `current`'s level, as an approved designation decides.
pub(crate) async fn designate_platform_level(
    txn: &DatabaseTransaction,
    actor: &Actor,
    operator_id: i32,
    current: &platform::Model,
    level: Level,
) -> AppResult<platform::Model> {
    rewrite_in::<platform::Entity>(
        txn,
        actor,
        operator_id,
        current,
        current.version,
        None,
        |_| {
            Ok(platform::ActiveModel {
                level: Set(level.as_ref().to_owned()),
                ..Default::default()
            })
        },
    )
    .await
}

/// Recognises team `current` as professional on `on`, as an approved designation decides.
pub(crate) async fn designate_professional_team(
    txn: &DatabaseTransaction,
    actor: &Actor,
    operator_id: i32,
    current: &operating_team::Model,
    on: NaiveDate,
) -> AppResult<operating_team::Model> {
    rewrite_in::<operating_team::Entity>(
        txn,
        actor,
        operator_id,
        current,
        current.version,
        None,
        |row| team_recognition(row, Some(on)),
    )
    .await
}

// ---------------------------------------------------------------- facilities

/// A supporting facility's fields, validated.
#[derive(Debug, Clone)]
pub struct NewFacility {
    pub carrier_id: i32,
    pub kind: FacilityKind,
    pub name: Option<String>,
    pub area_m2: Option<f64>,
    pub open: InForce,
}

/// Changes to a facility; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FacilityPatch {
    pub kind: Option<FacilityKind>,
    pub name: Option<Option<String>>,
    pub area_m2: Option<Option<f64>>,
    pub opened_on: Option<NaiveDate>,
    /// `Some(None)` reopens a closed facility.
    pub closed_on: Option<Option<NaiveDate>>,
    /// Why, when the change corrects a record entered wrongly (audited as AMEND).
    pub reason: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn create_facility(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewFacility,
) -> AppResult<facility::Model> {
    let now = Utc::now();
    let row = facility::ActiveModel {
        carrier_id: Set(new.carrier_id),
        kind: Set(new.kind.as_ref().to_owned()),
        name: Set(new.name),
        area_m2: Set(new.area_m2),
        opened_on: Set(new.open.from),
        closed_on: Set(new.open.until),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    create_record::<facility::Entity>(db, actor, new.carrier_id, row).await
}

#[tracing::instrument(skip_all)]
pub async fn update_facility(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    patch: FacilityPatch,
) -> AppResult<facility::Model> {
    let reason = patch.reason.clone();
    update_record::<facility::Entity>(db, actor, id, version, reason, |current| {
        let open = patched_span(
            (current.opened_on, current.closed_on),
            patch.opened_on,
            patch.closed_on,
            ("openedOn", "closedOn"),
        )?;
        let mut row = <facility::ActiveModel as Default>::default();
        if let Some(kind) = patch.kind {
            row.kind = Set(kind.as_ref().to_owned());
        }
        if let Some(name) = patch.name {
            row.name = Set(name);
        }
        if let Some(area) = patch.area_m2 {
            row.area_m2 = Set(area);
        }
        row.opened_on = Set(open.from);
        row.closed_on = Set(open.until);
        Ok(row)
    })
    .await
}

// ---------------------------------------------------------------- funds

/// An investment fund's fields, validated.
#[derive(Debug, Clone)]
pub struct NewFund {
    pub name: String,
    pub manager: String,
    pub size: Fen,
    pub active: InForce,
    /// The carriers it serves; at least one.
    pub carrier_ids: BTreeSet<i32>,
}

/// Changes to a fund; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FundPatch {
    pub name: Option<String>,
    pub manager: Option<String>,
    pub size: Option<Fen>,
    pub established_on: Option<NaiveDate>,
    /// `Some(None)` records that a wound-up fund serves again.
    pub closed_on: Option<Option<NaiveDate>>,
    /// Replaces the set of carriers served.
    pub carrier_ids: Option<BTreeSet<i32>>,
    /// Why, when the change corrects a record entered wrongly (audited as AMEND).
    pub reason: Option<String>,
}

/// A fund as the audit trail keeps it: its row and the carriers it serves.
#[derive(Serialize)]
struct FundSnapshot<'a> {
    #[serde(flatten)]
    fund: &'a fund::Model,
    carrier_ids: &'a BTreeSet<i32>,
}

/// Checks that `actor` may write every carrier in `carrier_ids` and locks
/// them (`carrier::writable`), in ascending id order and in one pass: two
/// writes over overlapping sets of carriers then wait for each other instead
/// of each holding a lock the other needs. Returns each carrier's operator.
async fn writable_carriers(
    txn: &DatabaseTransaction,
    actor: &Actor,
    carrier_ids: &BTreeSet<i32>,
) -> AppResult<BTreeMap<i32, i32>> {
    let mut operators = BTreeMap::new();
    for &carrier_id in carrier_ids {
        let carrier = super::carrier::writable(txn, actor, carrier_id).await?;
        operators.insert(carrier_id, carrier.operator_id);
    }
    Ok(operators)
}

/// The operator of `carrier_ids` when they all share one (the audit
/// trail's scope), else none.
fn sole_operator(operators: &BTreeMap<i32, i32>, carrier_ids: &BTreeSet<i32>) -> Option<i32> {
    let mut of_these = carrier_ids.iter().filter_map(|id| operators.get(id));
    let first = of_these.next()?;
    of_these.all(|other| other == first).then_some(*first)
}

async fn served_carriers<C: ConnectionTrait>(txn: &C, fund_id: i32) -> AppResult<BTreeSet<i32>> {
    Ok(fund_carrier::Entity::find()
        .filter(fund_carrier::Column::FundId.eq(fund_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|link| link.carrier_id)
        .collect())
}

async fn link_carriers(
    txn: &DatabaseTransaction,
    fund_id: i32,
    carrier_ids: &BTreeSet<i32>,
) -> AppResult<()> {
    fund_carrier::Entity::delete_many()
        .filter(fund_carrier::Column::FundId.eq(fund_id))
        .exec(txn)
        .await?;
    let links = carrier_ids
        .iter()
        .map(|&carrier_id| fund_carrier::ActiveModel {
            fund_id: Set(fund_id),
            carrier_id: Set(carrier_id),
        });
    fund_carrier::Entity::insert_many(links).exec(txn).await?;
    Ok(())
}

fn check_serves_some(carrier_ids: &BTreeSet<i32>) -> AppResult<()> {
    if carrier_ids.is_empty() {
        return Err(AppError::invalid(
            "carrierIds",
            "a fund must serve at least one carrier",
            "投资基金至少须服务一个载体",
        ));
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn create_fund(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewFund,
) -> AppResult<(fund::Model, BTreeSet<i32>)> {
    check_serves_some(&new.carrier_ids)?;
    let txn = super::begin_write(db).await?;
    let operators = writable_carriers(&txn, actor, &new.carrier_ids).await?;
    let operator_id = sole_operator(&operators, &new.carrier_ids);
    let now = Utc::now();
    let row = fund::ActiveModel {
        name: Set(new.name),
        manager: Set(new.manager),
        size_fen: Set(new.size.0),
        established_on: Set(new.active.from),
        closed_on: Set(new.active.until),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = fund::Entity::insert(row).exec_with_returning(&txn).await?;
    link_carriers(&txn, model.id, &new.carrier_ids).await?;
    let snapshot = FundSnapshot {
        fund: &model,
        carrier_ids: &new.carrier_ids,
    };
    let change = Change::created("Fund", model.id, operator_id, &snapshot)?;
    audit::record(&txn, actor, Operation::Create, change).await?;
    txn.commit().await?;
    Ok((model, new.carrier_ids))
}

#[tracing::instrument(skip_all)]
pub async fn update_fund(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    patch: FundPatch,
) -> AppResult<(fund::Model, BTreeSet<i32>)> {
    let txn = super::begin_write(db).await?;
    let current = fund::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Fund", id))?;
    let served = served_carriers(&txn, id).await?;
    let carrier_ids = patch.carrier_ids.unwrap_or_else(|| served.clone());
    let operators =
        writable_carriers(&txn, actor, &served.union(&carrier_ids).copied().collect()).await?;
    if current.voided_at.is_some() {
        return Err(voided::<fund::Entity>(id));
    }
    check_version::<fund::Entity>(id, current.version, version)?;
    check_serves_some(&carrier_ids)?;
    // Scoped to one operator only if the fund served only its carriers and still does.
    let operator_id = match (
        sole_operator(&operators, &served),
        sole_operator(&operators, &carrier_ids),
    ) {
        (Some(before), Some(after)) if before == after => Some(after),
        _ => None,
    };
    let active = patched_span(
        (current.established_on, current.closed_on),
        patch.established_on,
        patch.closed_on,
        ("establishedOn", "closedOn"),
    )?;
    let mut row = fund::ActiveModel {
        established_on: Set(active.from),
        closed_on: Set(active.until),
        ..Default::default()
    };
    if let Some(name) = patch.name {
        row.name = Set(name);
    }
    if let Some(manager) = patch.manager {
        row.manager = Set(manager);
    }
    if let Some(size) = patch.size {
        row.size_fen = Set(size.0);
    }
    let model =
        versioned_update::<fund::Entity, _>(&txn, row, id, current.version, version).await?;
    link_carriers(&txn, id, &carrier_ids).await?;
    let change = Change::updated(
        "Fund",
        id,
        operator_id,
        &FundSnapshot {
            fund: &current,
            carrier_ids: &served,
        },
        &FundSnapshot {
            fund: &model,
            carrier_ids: &carrier_ids,
        },
    )?;
    let operation = match patch.reason {
        Some(_) => Operation::Amend,
        None => Operation::Update,
    };
    audit::record_with_reason(&txn, actor, operation, change, patch.reason).await?;
    txn.commit().await?;
    Ok((model, carrier_ids))
}

/// Voids fund `id`, read at `version`, for `reason`: by ADMIN, or an
/// OPERATOR all of whose carriers it serves (as updating it), once. A voided
/// fund serves no carrier in any figure and cannot change again.
#[tracing::instrument(skip_all)]
pub async fn void_fund(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    reason: String,
) -> AppResult<(fund::Model, BTreeSet<i32>)> {
    let txn = super::begin_write(db).await?;
    let current = fund::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Fund", id))?;
    let served = served_carriers(&txn, id).await?;
    let operators = writable_carriers(&txn, actor, &served).await?;
    if current.voided_at.is_some() {
        return Err(voided::<fund::Entity>(id));
    }
    check_version::<fund::Entity>(id, current.version, version)?;
    let mut row = current.clone().into_active_model();
    row.voided_at = Set(Some(Utc::now()));
    row.void_reason = Set(Some(reason.clone()));
    let model =
        versioned_update::<fund::Entity, _>(&txn, row, id, current.version, version).await?;
    let snapshot = |fund| FundSnapshot {
        fund,
        carrier_ids: &served,
    };
    let operator_id = sole_operator(&operators, &served);
    let change = Change::updated(
        "Fund",
        id,
        operator_id,
        &snapshot(&current),
        &snapshot(&model),
    )?;
    audit::record_with_reason(&txn, actor, Operation::Void, change, Some(reason)).await?;
    txn.commit().await?;
    Ok((model, served))
}

// ---------------------------------------------------------------- listings

/// Which platforms to list.
#[derive(Debug, Clone, Default)]
pub struct PlatformFilter {
    pub carrier_ids: Vec<i32>,
    pub kinds: Vec<PlatformKind>,
    /// Recognised at any of these levels (the platform's own level).
    pub levels: Vec<Level>,
    /// Hosted by carriers in any of these districts.
    pub district_ids: Vec<i32>,
    /// Only those open on this date.
    pub open_on: Option<NaiveDate>,
    /// Only those open on at least one day of this span (OGC `datetime`).
    pub open_during: Option<DateSpan>,
    /// Only those hosted by these carriers: the ids that conditions decided
    /// in Rust let through (the host's geometry). `None` restricts nothing.
    pub host_carrier_ids: Option<Vec<i32>>,
}

impl CarrierRestriction for PlatformFilter {
    fn carrier_restriction(&mut self) -> &mut Option<Vec<i32>> {
        &mut self.host_carrier_ids
    }
}

/// Which funds to list.
#[derive(Debug, Clone, Default)]
pub struct FundFilter {
    /// Funds serving any of these carriers.
    pub carrier_ids: Vec<i32>,
    /// Only those in force on this date.
    pub active_on: Option<NaiveDate>,
}

/// `from ≤ date < until` on two date columns, `until` open when null.
fn in_force_on<C: ColumnTrait>(from: C, until: C, date: NaiveDate) -> Condition {
    in_force_during(from, until, DateSpan::day(date))
}

/// In force (as [`InForce::on`] decides) on at least one day of `span`.
fn in_force_during<C: ColumnTrait>(from: C, until: C, span: DateSpan) -> Condition {
    let mut condition = Condition::all();
    if let Some(last) = span.last {
        condition = condition.add(from.lte(last));
    }
    if let Some(first) = span.first {
        condition = condition.add(Condition::any().add(until.is_null()).add(until.gt(first)));
    }
    condition
}

impl PlatformFilter {
    fn condition(&self) -> Condition {
        use platform::Column;
        // A voided platform is listed nowhere; `node(id)` still reads it.
        let mut condition = Condition::all().add(Column::VoidedAt.is_null());
        if !self.carrier_ids.is_empty() {
            condition = condition.add(Column::CarrierId.is_in(self.carrier_ids.clone()));
        }
        if !self.kinds.is_empty() {
            condition = condition.add(Column::Kind.is_in(self.kinds.iter().map(AsRef::as_ref)));
        }
        if !self.levels.is_empty() {
            condition = condition.add(Column::Level.is_in(self.levels.iter().map(AsRef::as_ref)));
        }
        if !self.district_ids.is_empty() {
            let hosts = Query::select()
                .column(carrier::Column::Id)
                .from(carrier::Entity)
                .and_where(carrier::Column::DistrictId.is_in(self.district_ids.clone()))
                .to_owned();
            condition = condition.add(Column::CarrierId.in_subquery(hosts));
        }
        if let Some(date) = self.open_on {
            condition = condition.add(in_force_on(Column::OpenedOn, Column::ClosedOn, date));
        }
        if let Some(span) = self.open_during {
            condition = condition.add(in_force_during(Column::OpenedOn, Column::ClosedOn, span));
        }
        if let Some(ids) = &self.host_carrier_ids {
            condition = condition.add(Column::CarrierId.is_in(ids.clone()));
        }
        condition
    }
}

impl FundFilter {
    fn condition(&self) -> Condition {
        use fund::Column;
        // A voided fund is listed nowhere; `node(id)` still reads it.
        let mut condition = Condition::all().add(Column::VoidedAt.is_null());
        if !self.carrier_ids.is_empty() {
            let serving = Query::select()
                .column(fund_carrier::Column::FundId)
                .from(fund_carrier::Entity)
                .and_where(fund_carrier::Column::CarrierId.is_in(self.carrier_ids.clone()))
                .to_owned();
            condition = condition.add(Column::Id.in_subquery(serving));
        }
        if let Some(date) = self.active_on {
            condition = condition.add(in_force_on(Column::EstablishedOn, Column::ClosedOn, date));
        }
        condition
    }
}

fn by_id<C: ColumnTrait>(id: C) -> Sort<C> {
    Sort {
        name: "ID_ASC".into(),
        key: None,
        id,
        descending: false,
    }
}

/// A page of platforms in id order. One SQL statement.
pub async fn platform_page(
    db: &DatabaseConnection,
    filter: &PlatformFilter,
    args: &PageArgs,
) -> AppResult<Page<platform::Model>> {
    let select = platform::Entity::find().filter(filter.condition());
    page::fetch(
        db,
        select,
        &by_id(platform::Column::Id),
        args,
        |_| None,
        |m| m.id.into(),
    )
    .await
}

/// How many platforms match `filter`. One SQL statement.
pub async fn platform_count(db: &DatabaseConnection, filter: &PlatformFilter) -> AppResult<u64> {
    Ok(platform::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}

/// A page of funds in id order. One SQL statement.
pub async fn fund_page(
    db: &DatabaseConnection,
    filter: &FundFilter,
    args: &PageArgs,
) -> AppResult<Page<fund::Model>> {
    let select = fund::Entity::find().filter(filter.condition());
    page::fetch(
        db,
        select,
        &by_id(fund::Column::Id),
        args,
        |_| None,
        |m| m.id.into(),
    )
    .await
}

/// How many funds match `filter`. One SQL statement.
pub async fn fund_count(db: &DatabaseConnection, filter: &FundFilter) -> AppResult<u64> {
    Ok(fund::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}
