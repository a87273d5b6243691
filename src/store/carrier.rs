//! Carriers (载体): the filtered, sorted listing and the writes.

use chrono::{NaiveDate, Utc};
use entity::{
    carrier, carrier_footprint, carrier_industry, carrier_status_change, level_recognition,
    operator,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::audit::{self, Change, Operation, snapshot};
use super::page::{self, Page, PageArgs, Sort};
use super::{check_version, like_contains, versioned_update};
use crate::domain::access::{Actor, may_designate, may_write_for};
use crate::domain::carrier::{
    CarrierKind, CarrierStatus, Industry, Level, StatusChange, check_landmark, check_redated_since,
    check_status_since, leading_industries,
};
use crate::domain::location::Location;
use crate::domain::temporal::DateSpan;
use crate::domain::text::pinyin_key;
use crate::error::{AppError, AppResult, stored};

/// Which carriers to list. Empty lists mean "any"; each list matches any of its values.
#[derive(Debug, Clone, Default)]
pub struct CarrierFilter {
    pub kinds: Vec<CarrierKind>,
    pub statuses: Vec<CarrierStatus>,
    /// Levels held on `level_as_of`.
    pub levels: Vec<Level>,
    pub level_as_of: Option<NaiveDate>,
    pub district_ids: Vec<i32>,
    pub operator_ids: Vec<i32>,
    /// Carriers leading in any of these industries.
    pub leading_industries: Vec<Industry>,
    pub landmark: Option<bool>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    /// Only these carriers: the ids that conditions decided in Rust let
    /// through (exact geometry tests, 五有). `None` restricts nothing.
    pub only_ids: Option<Vec<i32>>,
    /// Only carriers whose geometry is of this kind (the OGC collections).
    pub shape: Option<CarrierShape>,
}

/// What geometry a carrier has: what splits carriers between the OGC
/// collections, one geometry type each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarrierShape {
    /// A footprint (polygon), whether or not a location is known too.
    Footprint,
    /// A location point and no footprint.
    LocationOnly,
}

/// A listing filter that carrier ids decided in Rust (exact geometry tests,
/// 五有) can narrow: carriers by their own id, platforms by their host's.
pub trait CarrierRestriction {
    /// The carrier ids let through so far; `None` restricts nothing.
    fn carrier_restriction(&mut self) -> &mut Option<Vec<i32>>;

    /// Narrows the restriction to the carriers also in `ids` (an
    /// intersection, so several Rust-side conditions combine with AND).
    fn restrict_to(&mut self, ids: impl IntoIterator<Item = i32>) {
        let ids: std::collections::BTreeSet<i32> = ids.into_iter().collect();
        let slot = self.carrier_restriction();
        *slot = Some(match slot.take() {
            Some(current) => current.into_iter().filter(|id| ids.contains(id)).collect(),
            None => ids.into_iter().collect(),
        });
    }
}

impl CarrierRestriction for CarrierFilter {
    fn carrier_restriction(&mut self) -> &mut Option<Vec<i32>> {
        &mut self.only_ids
    }
}

/// The sorts a carrier listing offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarrierOrder {
    NameAsc,
    NameDesc,
    /// By the pinyin of the name (拼音顺序).
    PinyinAsc,
    PinyinDesc,
    IdAsc,
    IdDesc,
}

/// A new carrier, its fields validated one by one (cross-field rules are checked here).
#[derive(Debug, Clone)]
pub struct NewCarrier {
    pub name: String,
    pub kind: CarrierKind,
    pub status: CarrierStatus,
    pub district_id: i32,
    pub operator_id: i32,
    pub address: String,
    pub landmark: bool,
    /// 工位数, for makerspaces.
    pub workstations: Option<i32>,
    pub location: Option<Location>,
    pub leading_industries: Vec<Industry>,
    /// The day `status` took effect; today when `None`.
    pub status_since: Option<NaiveDate>,
}

/// Changes to a carrier; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CarrierPatch {
    pub name: Option<String>,
    pub kind: Option<CarrierKind>,
    pub status: Option<CarrierStatus>,
    pub district_id: Option<i32>,
    pub operator_id: Option<i32>,
    pub address: Option<String>,
    pub landmark: Option<bool>,
    /// `Some(None)` clears the number of workstations.
    pub workstations: Option<Option<i32>>,
    /// `Some(None)` clears the location.
    pub location: Option<Option<Location>>,
    pub leading_industries: Option<Vec<Industry>>,
    /// The day a new `status` took effect; today when `None`. Only with a
    /// status different from the current one.
    pub status_since: Option<NaiveDate>,
}

impl CarrierFilter {
    fn condition(&self) -> Condition {
        use carrier::Column;
        let mut condition = Condition::all();
        if !self.kinds.is_empty() {
            condition = condition.add(Column::Kind.is_in(names(&self.kinds)));
        }
        if !self.statuses.is_empty() {
            condition = condition.add(Column::Status.is_in(names(&self.statuses)));
        }
        if !self.district_ids.is_empty() {
            condition = condition.add(Column::DistrictId.is_in(self.district_ids.clone()));
        }
        if !self.operator_ids.is_empty() {
            condition = condition.add(Column::OperatorId.is_in(self.operator_ids.clone()));
        }
        if let Some(ids) = &self.only_ids {
            condition = condition.add(Column::Id.is_in(ids.clone()));
        }
        if let Some(shape) = self.shape {
            let with_footprint = Query::select()
                .column(carrier_footprint::Column::CarrierId)
                .from(carrier_footprint::Entity)
                .to_owned();
            condition = condition.add(match shape {
                CarrierShape::Footprint => {
                    Condition::all().add(Column::Id.in_subquery(with_footprint))
                }
                CarrierShape::LocationOnly => Condition::all()
                    .add(Column::Longitude.is_not_null())
                    .add(Column::Latitude.is_not_null())
                    .add(Column::Id.not_in_subquery(with_footprint)),
            });
        }
        if let Some(landmark) = self.landmark {
            condition = condition.add(Column::Landmark.eq(landmark));
        }
        if let Some(text) = &self.name_contains {
            condition = condition
                .add(Expr::expr(Func::lower(Expr::col(Column::Name))).like(like_contains(text)));
        }
        if !self.leading_industries.is_empty() {
            let leading = Query::select()
                .column(carrier_industry::Column::CarrierId)
                .from(carrier_industry::Entity)
                .and_where(
                    carrier_industry::Column::Industry.is_in(names(&self.leading_industries)),
                )
                .to_owned();
            condition = condition.add(Column::Id.in_subquery(leading));
        }
        if !self.levels.is_empty() {
            let as_of = self.level_as_of.unwrap_or_else(super::today);
            condition = condition.add(level_condition(&self.levels, as_of));
        }
        condition
    }
}

/// Carriers whose level on `as_of` (that of their latest recognition, see
/// `domain::level::level_on`) is one of `levels`, decided in SQL.
fn level_condition(levels: &[Level], as_of: NaiveDate) -> Condition {
    use level_recognition::Column as R;
    let latest = Alias::new(LATEST);
    let mut holding = held_levels(as_of);
    holding
        .clear_selects()
        .column((latest.clone(), R::CarrierId))
        .and_where(Expr::col((latest, R::Level)).is_in(names(levels)));
    let mut condition = Condition::any().add(carrier::Column::Id.in_subquery(holding));
    if levels.contains(&Level::None) {
        condition = condition.add(carrier::Column::Id.not_in_subquery(recognised_by(as_of)));
    }
    condition
}

/// The alias of the recognitions in [`held_levels`].
const LATEST: &str = "latest";

/// `carrier_id, level` of each carrier's latest recognition on or before
/// `as_of` (the level it holds, by `domain::level::level_on`); carriers
/// without one are absent (they hold NONE).
pub(crate) fn held_levels(as_of: NaiveDate) -> SelectStatement {
    use level_recognition::Column as R;
    let (latest, newer) = (Alias::new(LATEST), Alias::new("newer"));
    let superseded = Query::select()
        .expr(Expr::val(1))
        .from_as(level_recognition::Entity, newer.clone())
        .and_where(Expr::col((newer.clone(), R::CarrierId)).equals((latest.clone(), R::CarrierId)))
        .and_where(Expr::col((newer.clone(), R::RecognisedOn)).lte(as_of))
        .and_where(Expr::col((newer.clone(), R::VoidedAt)).is_null())
        .and_where(
            Expr::col((newer.clone(), R::RecognisedOn))
                .gt(Expr::col((latest.clone(), R::RecognisedOn)))
                .or(Expr::col((newer.clone(), R::RecognisedOn))
                    .eq(Expr::col((latest.clone(), R::RecognisedOn)))
                    .and(Expr::col((newer.clone(), R::Id)).gt(Expr::col((latest.clone(), R::Id))))),
        )
        .to_owned();
    Query::select()
        .column((latest.clone(), R::CarrierId))
        .column((latest.clone(), R::Level))
        .from_as(level_recognition::Entity, latest.clone())
        .and_where(Expr::col((latest.clone(), R::RecognisedOn)).lte(as_of))
        .and_where(Expr::col((latest, R::VoidedAt)).is_null())
        .and_where(Expr::exists(superseded).not())
        .to_owned()
}

/// The ids of the carriers matching `filter`, as a subquery.
pub(crate) fn matching_ids(filter: &CarrierFilter) -> SelectStatement {
    Query::select()
        .column((carrier::Entity, carrier::Column::Id))
        .from(carrier::Entity)
        .cond_where(filter.condition())
        .to_owned()
}

/// The stored names of enumeration values.
fn names<T: AsRef<str>>(values: &[T]) -> Vec<String> {
    values.iter().map(|v| v.as_ref().to_owned()).collect()
}

fn recognised_by(as_of: NaiveDate) -> SelectStatement {
    Query::select()
        .column(level_recognition::Column::CarrierId)
        .from(level_recognition::Entity)
        .and_where(level_recognition::Column::RecognisedOn.lte(as_of))
        .and_where(level_recognition::Column::VoidedAt.is_null())
        .to_owned()
}

fn sort(order: CarrierOrder) -> Sort<carrier::Column> {
    use carrier::Column;
    let (name, key, descending) = match order {
        CarrierOrder::NameAsc => ("NAME_ASC", Some(Column::Name), false),
        CarrierOrder::NameDesc => ("NAME_DESC", Some(Column::Name), true),
        CarrierOrder::PinyinAsc => ("NAME_PINYIN_ASC", Some(Column::NamePinyin), false),
        CarrierOrder::PinyinDesc => ("NAME_PINYIN_DESC", Some(Column::NamePinyin), true),
        CarrierOrder::IdAsc => ("ID_ASC", None, false),
        CarrierOrder::IdDesc => ("ID_DESC", None, true),
    };
    Sort {
        name: name.into(),
        key,
        id: Column::Id,
        descending,
    }
}

/// One page of carriers matching `filter`. One SQL statement.
pub async fn page(
    db: &DatabaseConnection,
    filter: &CarrierFilter,
    order: CarrierOrder,
    args: &PageArgs,
) -> AppResult<Page<carrier::Model>> {
    let sort = sort(order);
    let select = carrier::Entity::find().filter(filter.condition());
    let key_of = |m: &carrier::Model| match order {
        CarrierOrder::NameAsc | CarrierOrder::NameDesc => Some(m.name.clone()),
        CarrierOrder::PinyinAsc | CarrierOrder::PinyinDesc => m.name_pinyin.clone(),
        CarrierOrder::IdAsc | CarrierOrder::IdDesc => None,
    };
    page::fetch(db, select, &sort, args, key_of, |m| m.id.into()).await
}

/// How many carriers match `filter`. One SQL statement.
pub async fn count(db: &DatabaseConnection, filter: &CarrierFilter) -> AppResult<u64> {
    Ok(carrier::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewCarrier,
) -> AppResult<carrier::Model> {
    may_write_for(actor, new.operator_id)?;
    check_landmark(new.kind, new.landmark)?;
    if new.landmark {
        may_designate(actor, "landmark status", "LANDMARK")?;
    }
    let industries = leading_industries(&new.leading_industries)?;
    let txn = super::begin_write(db).await?;
    ensure_references(&txn, Some(new.district_id), Some(new.operator_id)).await?;
    let now = Utc::now();
    let row = carrier::ActiveModel {
        name_pinyin: Set(Some(pinyin_key(&new.name))),
        name: Set(new.name),
        kind: Set(new.kind.as_ref().to_owned()),
        status: Set(new.status.as_ref().to_owned()),
        district_id: Set(new.district_id),
        operator_id: Set(new.operator_id),
        address: Set(new.address),
        landmark: Set(new.landmark),
        workstations: Set(new.workstations),
        longitude: Set(new.location.map(|l| l.longitude)),
        latitude: Set(new.location.map(|l| l.latitude)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = carrier::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    replace_industries(&txn, model.id, &industries).await?;
    record_status(&txn, model.id, new.status, new.status_since).await?;
    let after = audit_snapshot(&txn, &model).await?;
    audit::record(&txn, actor, Operation::Create, change(&model, None, after)).await?;
    txn.commit().await?;
    Ok(model)
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    patch: CarrierPatch,
) -> AppResult<carrier::Model> {
    let txn = super::begin_write(db).await?;
    let current = writable(&txn, actor, id).await?;
    check_version::<carrier::Entity>(id, current.version, version)?;
    if let Some(operator_id) = patch.operator_id {
        may_write_for(actor, operator_id)?;
    }
    let stored_kind = stored("carrier.kind", &current.kind)?;
    check_landmark(
        patch.kind.unwrap_or(stored_kind),
        patch.landmark.unwrap_or(current.landmark),
    )?;
    if patch
        .landmark
        .is_some_and(|landmark| landmark != current.landmark)
    {
        may_designate(actor, "landmark status", "LANDMARK")?;
    }
    ensure_references(&txn, patch.district_id, patch.operator_id).await?;
    let before = audit_snapshot(&txn, &current).await?;
    let new_status = patch
        .status
        .filter(|status| status.as_ref() != current.status);
    let mut row = current.clone().into_active_model();
    if let Some(name) = patch.name {
        row.name_pinyin = Set(Some(pinyin_key(&name)));
        row.name = Set(name);
    }
    if let Some(kind) = patch.kind {
        row.kind = Set(kind.as_ref().to_owned());
    }
    if let Some(status) = patch.status {
        row.status = Set(status.as_ref().to_owned());
    }
    if let Some(district_id) = patch.district_id {
        row.district_id = Set(district_id);
    }
    if let Some(operator_id) = patch.operator_id {
        row.operator_id = Set(operator_id);
    }
    if let Some(address) = patch.address {
        row.address = Set(address);
    }
    if let Some(workstations) = patch.workstations {
        row.workstations = Set(workstations);
    }
    if let Some(landmark) = patch.landmark {
        row.landmark = Set(landmark);
    }
    if let Some(location) = patch.location {
        row.longitude = Set(location.map(|l| l.longitude));
        row.latitude = Set(location.map(|l| l.latitude));
    }
    // The version first: a stale write gets CONFLICT, whatever else is wrong.
    let model =
        versioned_update::<carrier::Entity, _>(&txn, row, id, current.version, version).await?;
    match (new_status, patch.status_since) {
        (Some(status), since) => record_status(&txn, id, status, since).await?,
        (None, Some(since)) => redate_status(&txn, id, since).await?,
        (None, None) => {}
    }
    if let Some(industries) = patch.leading_industries {
        replace_industries(&txn, id, &leading_industries(&industries)?).await?;
    }
    let after = audit_snapshot(&txn, &model).await?;
    audit::record(
        &txn,
        actor,
        Operation::Update,
        change(&model, Some((&current, before)), after),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Marks carrier `current` (locked by the caller's transaction) a landmark,
/// as an approved designation request decides, with its audit event.
pub(crate) async fn designate_landmark(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &carrier::Model,
) -> AppResult<carrier::Model> {
    check_landmark(stored("carrier.kind", &current.kind)?, true)?;
    let before = audit_snapshot(txn, current).await?;
    let mut row = current.clone().into_active_model();
    row.landmark = Set(true);
    let model = versioned_update::<carrier::Entity, _>(
        txn,
        row,
        current.id,
        current.version,
        current.version,
    )
    .await?;
    let after = audit_snapshot(txn, &model).await?;
    let change = change(&model, Some((current, before)), after);
    audit::record(txn, actor, Operation::Update, change).await?;
    Ok(model)
}

/// Leading-industry rows of these carriers. One SQL statement.
pub async fn industries_of(
    db: &DatabaseConnection,
    carrier_ids: &[i32],
) -> AppResult<Vec<carrier_industry::Model>> {
    Ok(carrier_industry::Entity::find()
        .filter(carrier_industry::Column::CarrierId.is_in(carrier_ids.iter().copied()))
        .all(db)
        .await?)
}

/// Carrier `id`, if `actor` may write under it: NOT_FOUND or FORBIDDEN otherwise.
/// Every write to a carrier's records goes through here, inside its transaction.
///
/// On PostgreSQL the carrier's row stays locked (`SELECT … FOR UPDATE`) until
/// the transaction ends, so writes under one carrier (tenancies against its
/// capacity, overlaps, phases) run one after another and each sees what the
/// one before committed. SQLite needs no lock: its writes already queue for
/// the database lock (`begin_write`), and the clause is left out there.
pub(crate) async fn writable<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    id: i32,
) -> AppResult<carrier::Model> {
    // Refused before any lock is taken: a caller with no right to the
    // carrier never waits on (and so never learns of) its operator's writes.
    let unlocked = carrier::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("Carrier", id))?;
    may_write_for(actor, unlocked.operator_id)?;
    let carrier = carrier::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("Carrier", id))?;
    // ADMIN may have given the carrier to another operator meanwhile.
    may_write_for(actor, carrier.operator_id)?;
    Ok(carrier)
}

/// Carrier `model` as the audit trail keeps it, with its leading industries
/// (sorted, so consecutive events compare equal where nothing changed) and
/// its status history, read in the caller's transaction. Every event holds
/// the whole carrier: `knownAt` rebuilds carriers from their latest event.
pub(crate) async fn audit_snapshot<C: ConnectionTrait>(
    txn: &C,
    model: &carrier::Model,
) -> AppResult<serde_json::Value> {
    let mut industries: Vec<String> = carrier_industry::Entity::find()
        .filter(carrier_industry::Column::CarrierId.eq(model.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| row.industry)
        .collect();
    industries.sort();
    let history = status_history(txn, &[model.id]).await?;
    let mut value = snapshot(model)?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("leading_industries".into(), serde_json::json!(industries));
        fields.insert(
            "status_history".into(),
            serde_json::to_value(history).map_err(|err| {
                tracing::error!(%err, "a status history does not serialise");
                AppError::Internal
            })?,
        );
    }
    Ok(value)
}

/// The carriers operating on at least one day of `span` (by their status
/// history, [`DateSpan::operating`]). One SQL statement.
pub async fn operating_during<C: ConnectionTrait>(db: &C, span: DateSpan) -> AppResult<Vec<i32>> {
    let rows = carrier_status_change::Entity::find()
        .order_by_asc(carrier_status_change::Column::CarrierId)
        .all(db)
        .await?;
    let mut by_carrier: std::collections::BTreeMap<i32, Vec<StatusChange>> = Default::default();
    for row in rows {
        by_carrier
            .entry(row.carrier_id)
            .or_default()
            .push(StatusChange {
                effective_on: row.effective_on,
                status: stored("carrier_status_change.status", &row.status)?,
            });
    }
    Ok(by_carrier
        .into_iter()
        .filter(|(_, changes)| span.operating(changes))
        .map(|(id, _)| id)
        .collect())
}

/// The status changes of these carriers, oldest first. One SQL statement.
pub async fn status_history<C: ConnectionTrait>(
    db: &C,
    carrier_ids: &[i32],
) -> AppResult<Vec<carrier_status_change::Model>> {
    Ok(carrier_status_change::Entity::find()
        .filter(carrier_status_change::Column::CarrierId.is_in(carrier_ids.iter().copied()))
        .order_by_asc(carrier_status_change::Column::CarrierId)
        .order_by_asc(carrier_status_change::Column::EffectiveOn)
        .all(db)
        .await?)
}

/// Moves carrier `carrier_id`'s latest status change to `since`: to correct
/// the day the current status took effect (e.g. a carrier registered today
/// that opened last year). It stays after the change before it.
async fn redate_status(
    txn: &DatabaseTransaction,
    carrier_id: i32,
    since: NaiveDate,
) -> AppResult<()> {
    let mut history = status_history(txn, &[carrier_id]).await?;
    let latest = history.pop().ok_or(AppError::Internal)?;
    let previous = history.last().map(|change| change.effective_on);
    check_redated_since(since, previous, super::today())?;
    carrier_status_change::Entity::delete_many()
        .filter(carrier_status_change::Column::CarrierId.eq(carrier_id))
        .filter(carrier_status_change::Column::EffectiveOn.eq(latest.effective_on))
        .exec(txn)
        .await?;
    carrier_status_change::Entity::insert(carrier_status_change::ActiveModel {
        carrier_id: Set(carrier_id),
        effective_on: Set(since),
        status: Set(latest.status),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Records that carrier `carrier_id` has `status` from `since` (today when
/// `None`). A change on the day of the latest one replaces it.
async fn record_status(
    txn: &DatabaseTransaction,
    carrier_id: i32,
    status: CarrierStatus,
    since: Option<NaiveDate>,
) -> AppResult<()> {
    let today = super::today();
    let since = since.unwrap_or(today);
    let latest: Option<NaiveDate> = carrier_status_change::Entity::find()
        .filter(carrier_status_change::Column::CarrierId.eq(carrier_id))
        .select_only()
        .expr(Func::max(Expr::col(
            carrier_status_change::Column::EffectiveOn,
        )))
        .into_tuple::<Option<NaiveDate>>()
        .one(txn)
        .await?
        .flatten();
    check_status_since(since, latest, today)?;
    carrier_status_change::Entity::delete_many()
        .filter(carrier_status_change::Column::CarrierId.eq(carrier_id))
        .filter(carrier_status_change::Column::EffectiveOn.eq(since))
        .exec(txn)
        .await?;
    carrier_status_change::Entity::insert(carrier_status_change::ActiveModel {
        carrier_id: Set(carrier_id),
        effective_on: Set(since),
        status: Set(status.as_ref().to_owned()),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The change to carrier `after`; `before` is the stored row it replaced.
fn change(
    after: &carrier::Model,
    before: Option<(&carrier::Model, serde_json::Value)>,
    after_snapshot: serde_json::Value,
) -> Change {
    Change {
        entity_type: "Carrier",
        entity_id: after.id,
        operator_id: Some(after.operator_id),
        former_operator_id: before
            .as_ref()
            .map(|(row, _)| row.operator_id)
            .filter(|&former| former != after.operator_id),
        before: before.map(|(_, snapshot)| snapshot),
        after: Some(after_snapshot),
    }
}

async fn ensure_references(
    txn: &DatabaseTransaction,
    district_id: Option<i32>,
    operator_id: Option<i32>,
) -> AppResult<()> {
    if let Some(id) = district_id
        && entity::district::Entity::find_by_id(id)
            .one(txn)
            .await?
            .is_none()
    {
        return Err(AppError::invalid(
            "districtId",
            format!("no district with id {id}"),
            format!("未找到编号为 {id} 的行政区"),
        ));
    }
    if let Some(id) = operator_id
        && operator::Entity::find_by_id(id).one(txn).await?.is_none()
    {
        return Err(AppError::invalid(
            "operatorId",
            format!("no operator with id {id}"),
            format!("未找到编号为 {id} 的运营主体"),
        ));
    }
    Ok(())
}

async fn replace_industries(
    txn: &DatabaseTransaction,
    carrier_id: i32,
    industries: &[Industry],
) -> AppResult<()> {
    carrier_industry::Entity::delete_many()
        .filter(carrier_industry::Column::CarrierId.eq(carrier_id))
        .exec(txn)
        .await?;
    if industries.is_empty() {
        return Ok(());
    }
    let rows = industries
        .iter()
        .map(|industry| carrier_industry::ActiveModel {
            carrier_id: Set(carrier_id),
            industry: Set(industry.as_ref().to_owned()),
        });
    carrier_industry::Entity::insert_many(rows)
        .exec(txn)
        .await?;
    Ok(())
}
