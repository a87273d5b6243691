//! DataLoaders: every nested read batches into one `WHERE … IN (…)` per
//! relation and request, so a page of N carriers costs the same number of
//! SQL statements whatever N is.
//!
//! Batches are deterministic, not timed: async-graphql's loader waits a
//! delay and then takes the keys registered so far, and on a busy
//! multi-threaded runtime a page's fields may still be registering keys when
//! it fires, splitting one batch into several. Here the batch tasks are not
//! spawned onto the runtime but queued in a [`BatchQueue`] that the request's
//! own task polls ([`drive`]) only after execution has yielded, which it does
//! only once every sibling field has registered its key.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::task::ArcWake;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use chrono::NaiveDate;
use entity::lease;
use entity::{annual_report, building, tenancy_unit, unit};
use entity::{
    carrier, carrier_industry, carrier_status_change, designation_request, district, enterprise,
    enterprise_revenue, facility, fund, fund_carrier, level_recognition, operating_team, operator,
    platform, qualification, setting, space_phase, tenancy,
};
use entity::{carrier_footprint, district_boundary};
use sea_orm::DatabaseConnection;

use super::carrier::Carrier;
use super::district::District;
use super::error::{ApiError, ApiResult, missing_context};
use super::execution::RowBudget;
use super::operator::Operator;
use super::recognition::LevelRecognition;
use super::space_phase::SpacePhase;
use crate::domain::compliance::ComplianceRules;
use crate::error::{AppError, AppResult};
use crate::store;

/// Most keys one batch takes (async-graphql's default is 1,000): a page of
/// 100 carriers with 20 tenants each asks for 2,000 enterprises at once, and
/// they should cost one statement, not two. [`store::rows_where_in`] splits
/// what is beyond a statement's parameter limit.
const MAX_BATCH_KEYS: usize = 1_000_000;

/// A table read by one integer column: its id, or the carrier it belongs to.
pub trait KeyedBy<Key>: store::decode::Decode {
    const COLUMN: Self::Column;
    fn key(model: &Self::Model) -> i32;
}

/// Marks lookups by primary key.
pub struct ById;
/// Marks lookups of a carrier's children.
pub struct ByCarrier;
/// Marks lookups of an enterprise's children.
pub struct ByEnterprise;
/// Marks lookups of the carriers a fund serves.
pub struct ByFund;
/// Marks lookups of a building's units.
pub struct ByBuilding;
/// Marks lookups of the units a tenancy names.
pub struct ByTenancy;

macro_rules! keyed {
    ($marker:ty, $field:ident, $column:ident: $($module:ident),+) => {$(
        impl KeyedBy<$marker> for $module::Entity {
            const COLUMN: Self::Column = $module::Column::$column;
            fn key(model: &Self::Model) -> i32 {
                model.$field
            }
        }
    )+};
}
keyed!(ById, id, Id: carrier, operator, district, space_phase, level_recognition);
keyed!(ByCarrier, carrier_id, CarrierId: space_phase, level_recognition, carrier_industry, tenancy);
keyed!(ByCarrier, carrier_id, CarrierId: carrier_status_change);
keyed!(ById, id, Id: enterprise, qualification, tenancy);
keyed!(ByEnterprise, enterprise_id, EnterpriseId: qualification, tenancy, enterprise_revenue);
keyed!(ById, id, Id: platform, operating_team, facility, fund, setting, designation_request);
keyed!(ByCarrier, carrier_id, CarrierId: platform, operating_team, facility, fund_carrier);
keyed!(ByFund, fund_id, FundId: fund_carrier);
keyed!(ById, carrier_id, CarrierId: carrier_footprint);
keyed!(ById, district_id, DistrictId: district_boundary);
keyed!(ById, id, Id: building, unit);
keyed!(ByCarrier, carrier_id, CarrierId: building);
keyed!(ByBuilding, building_id, BuildingId: unit);
keyed!(ByTenancy, tenancy_id, TenancyId: tenancy_unit);
keyed!(ByEnterprise, enterprise_id, EnterpriseId: annual_report);
keyed!(ById, id, Id: lease);
keyed!(ByTenancy, tenancy_id, TenancyId: lease);

/// Loads rows of `E` by `Key`, grouping them when a key has many.
pub struct Rows<E, Key> {
    db: DatabaseConnection,
    budget: Arc<RowBudget>,
    rows: PhantomData<fn() -> (E, Key)>,
}

impl<E, Key> Rows<E, Key> {
    fn new(db: &DatabaseConnection, budget: &Arc<RowBudget>) -> Self {
        Self {
            db: db.clone(),
            budget: budget.clone(),
            rows: PhantomData,
        }
    }
}

impl<E: KeyedBy<Key>, Key: 'static> Loader<i32> for Rows<E, Key>
where
    E::Model: Sync,
{
    /// Shared, not copied: async-graphql's loader clones each value it
    /// hands out, and [`owned`] takes the rows back without a copy.
    type Value = Arc<Vec<E::Model>>;
    type Error = AppError;

    async fn load(&self, keys: &[i32]) -> AppResult<HashMap<i32, Arc<Vec<E::Model>>>> {
        let rows = store::rows_where_in::<E>(&self.db, E::COLUMN, keys.iter().copied()).await?;
        self.budget.spend(rows.len());
        let mut grouped: HashMap<i32, Vec<E::Model>> = HashMap::new();
        for row in rows {
            grouped.entry(E::key(&row)).or_default().push(row);
        }
        Ok(grouped
            .into_iter()
            .map(|(key, rows)| (key, Arc::new(rows)))
            .collect())
    }
}

/// A carrier's figure on a date: the key of an [`AsOf`] loader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AsOfKey {
    pub carrier_id: i32,
    pub as_of: NaiveDate,
}

/// A per-carrier figure on a date, computed in SQL for many carriers at once.
pub trait AsOfFigure: Send + Sync + 'static {
    type Value: Default + Clone + Send + Sync + 'static;
    fn fetch(
        db: &DatabaseConnection,
        carrier_ids: &[i32],
        as_of: NaiveDate,
    ) -> impl Future<Output = AppResult<HashMap<i32, Self::Value>>> + Send;
}

/// Floor area delivered by a date.
pub struct FloorArea;

impl AsOfFigure for FloorArea {
    type Value = f64;
    async fn fetch(
        db: &DatabaseConnection,
        ids: &[i32],
        as_of: NaiveDate,
    ) -> AppResult<HashMap<i32, f64>> {
        store::space_phase::floor_area_on(db, ids, as_of).await
    }
}

/// Leases in force, tenants and graduates on a date.
pub struct Occupancy;

impl AsOfFigure for Occupancy {
    type Value = store::occupancy::TenancyFigures;
    async fn fetch(
        db: &DatabaseConnection,
        ids: &[i32],
        as_of: NaiveDate,
    ) -> AppResult<HashMap<i32, Self::Value>> {
        store::occupancy::by_carrier(db, ids, as_of).await
    }
}

/// The records 五有 reads (tenants counted on the date).
pub struct SupportRecords;

impl AsOfFigure for SupportRecords {
    type Value = crate::domain::compliance::CarrierRecords;
    async fn fetch(
        db: &DatabaseConnection,
        ids: &[i32],
        as_of: NaiveDate,
    ) -> AppResult<HashMap<i32, Self::Value>> {
        store::compliance::records(db, store::compliance::Carriers::Some(ids), as_of).await
    }
}

/// Enterprises that moved in during the year ending on the date.
pub struct NewTenantsLastYear;

impl AsOfFigure for NewTenantsLastYear {
    type Value = u32;
    async fn fetch(
        db: &DatabaseConnection,
        ids: &[i32],
        as_of: NaiveDate,
    ) -> AppResult<HashMap<i32, u32>> {
        store::compliance::new_tenants_last_year(db, ids, as_of).await
    }
}

/// Loads figure `F` for carriers on dates: one statement per distinct date in a request.
pub struct AsOf<F>(DatabaseConnection, PhantomData<fn() -> F>);

impl<F: AsOfFigure> Loader<AsOfKey> for AsOf<F> {
    type Value = F::Value;
    type Error = AppError;

    async fn load(&self, keys: &[AsOfKey]) -> AppResult<HashMap<AsOfKey, F::Value>> {
        let mut by_date: HashMap<NaiveDate, Vec<i32>> = HashMap::new();
        for key in keys {
            by_date.entry(key.as_of).or_default().push(key.carrier_id);
        }
        let mut figures = HashMap::with_capacity(keys.len());
        for (as_of, carrier_ids) in by_date {
            let found = F::fetch(&self.0, &carrier_ids, as_of).await?;
            for carrier_id in carrier_ids {
                let figure = found.get(&carrier_id).cloned().unwrap_or_default();
                figures.insert(AsOfKey { carrier_id, as_of }, figure);
            }
        }
        Ok(figures)
    }
}

/// A unit on a date: the key of [`UnitTenancy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitOn {
    pub unit_id: i32,
    pub as_of: NaiveDate,
}

/// The tenancy that lets a unit on a date: two statements per distinct date in a request.
pub struct UnitTenancy(DatabaseConnection);

impl Loader<UnitOn> for UnitTenancy {
    type Value = tenancy::Model;
    type Error = AppError;

    async fn load(&self, keys: &[UnitOn]) -> AppResult<HashMap<UnitOn, tenancy::Model>> {
        let mut by_date: HashMap<NaiveDate, Vec<i32>> = HashMap::new();
        for key in keys {
            by_date.entry(key.as_of).or_default().push(key.unit_id);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for (as_of, unit_ids) in by_date {
            for (unit_id, row) in store::inventory::tenancies_on(&self.0, &unit_ids, as_of).await? {
                found.insert(UnitOn { unit_id, as_of }, row);
            }
        }
        Ok(found)
    }
}

/// The 五有 thresholds in force. A loader, though there is only one value,
/// so that its read joins a wave of batches like every other read of a
/// request (see [`drive`]).
pub struct ComplianceRulesInForce(DatabaseConnection);

impl Loader<()> for ComplianceRulesInForce {
    type Value = ComplianceRules;
    type Error = AppError;

    async fn load(&self, _: &[()]) -> AppResult<HashMap<(), ComplianceRules>> {
        let rules = store::compliance::rules(&self.0).await?.value;
        Ok(HashMap::from([((), rules)]))
    }
}

/// The loaders of one request. Made fresh per request, so nothing is cached
/// across requests and every server process stays stateless.
pub struct Loaders {
    carriers: DataLoader<Rows<carrier::Entity, ById>>,
    operators: DataLoader<Rows<operator::Entity, ById>>,
    districts: DataLoader<Rows<district::Entity, ById>>,
    space_phases: DataLoader<Rows<space_phase::Entity, ById>>,
    recognitions: DataLoader<Rows<level_recognition::Entity, ById>>,
    phases_of: DataLoader<Rows<space_phase::Entity, ByCarrier>>,
    recognitions_of: DataLoader<Rows<level_recognition::Entity, ByCarrier>>,
    industries_of: DataLoader<Rows<carrier_industry::Entity, ByCarrier>>,
    pub status_history_of: DataLoader<Rows<carrier_status_change::Entity, ByCarrier>>,
    floor_area: DataLoader<AsOf<FloorArea>>,
    occupancy: DataLoader<AsOf<Occupancy>>,
    pub enterprises: DataLoader<Rows<enterprise::Entity, ById>>,
    pub qualifications: DataLoader<Rows<qualification::Entity, ById>>,
    pub tenancies: DataLoader<Rows<tenancy::Entity, ById>>,
    pub tenancies_of_carrier: DataLoader<Rows<tenancy::Entity, ByCarrier>>,
    pub tenancies_of_enterprise: DataLoader<Rows<tenancy::Entity, ByEnterprise>>,
    pub qualifications_of: DataLoader<Rows<qualification::Entity, ByEnterprise>>,
    pub revenue_of: DataLoader<Rows<enterprise_revenue::Entity, ByEnterprise>>,
    pub annual_reports_of: DataLoader<Rows<annual_report::Entity, ByEnterprise>>,
    pub platforms: DataLoader<Rows<platform::Entity, ById>>,
    pub platforms_of: DataLoader<Rows<platform::Entity, ByCarrier>>,
    pub teams: DataLoader<Rows<operating_team::Entity, ById>>,
    pub teams_of: DataLoader<Rows<operating_team::Entity, ByCarrier>>,
    pub facilities: DataLoader<Rows<facility::Entity, ById>>,
    pub facilities_of: DataLoader<Rows<facility::Entity, ByCarrier>>,
    pub funds: DataLoader<Rows<fund::Entity, ById>>,
    pub fund_links_of_carrier: DataLoader<Rows<fund_carrier::Entity, ByCarrier>>,
    pub fund_links_of_fund: DataLoader<Rows<fund_carrier::Entity, ByFund>>,
    pub settings: DataLoader<Rows<setting::Entity, ById>>,
    pub designation_requests: DataLoader<Rows<designation_request::Entity, ById>>,
    pub support_records: DataLoader<AsOf<SupportRecords>>,
    pub new_tenants: DataLoader<AsOf<NewTenantsLastYear>>,
    /// The 五有 thresholds, read at most once a request (the only loader
    /// that caches: every part of a request must judge by the same rules).
    compliance_rules: DataLoader<ComplianceRulesInForce, HashMapCache>,
    pub footprints: DataLoader<Rows<carrier_footprint::Entity, ById>>,
    pub boundaries: DataLoader<Rows<district_boundary::Entity, ById>>,
    pub buildings: DataLoader<Rows<building::Entity, ById>>,
    pub buildings_of: DataLoader<Rows<building::Entity, ByCarrier>>,
    pub units: DataLoader<Rows<unit::Entity, ById>>,
    pub units_of_building: DataLoader<Rows<unit::Entity, ByBuilding>>,
    pub unit_links_of_tenancy: DataLoader<Rows<tenancy_unit::Entity, ByTenancy>>,
    unit_tenancy: DataLoader<UnitTenancy>,
    pub leases: DataLoader<Rows<lease::Entity, ById>>,
    pub leases_of_tenancy: DataLoader<Rows<lease::Entity, ByTenancy>>,
    pub entry_pre_checks: DataLoader<super::application::PreChecks>,
}

impl Loaders {
    /// Fresh loaders whose batches run from `queue`.
    pub fn new(db: &DatabaseConnection, queue: &BatchQueue, budget: Arc<RowBudget>) -> Self {
        fn loader<T: Loader<K>, K>(inner: T, queue: &BatchQueue) -> DataLoader<T>
        where
            K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        {
            let queue = queue.clone();
            DataLoader::new(inner, move |task| queue.push(task))
                .delay(Duration::ZERO)
                .max_batch_size(MAX_BATCH_KEYS)
        }
        Self {
            carriers: loader(Rows::new(db, &budget), queue),
            operators: loader(Rows::new(db, &budget), queue),
            districts: loader(Rows::new(db, &budget), queue),
            space_phases: loader(Rows::new(db, &budget), queue),
            recognitions: loader(Rows::new(db, &budget), queue),
            phases_of: loader(Rows::new(db, &budget), queue),
            recognitions_of: loader(Rows::new(db, &budget), queue),
            industries_of: loader(Rows::new(db, &budget), queue),
            status_history_of: loader(Rows::new(db, &budget), queue),
            floor_area: loader(AsOf(db.clone(), PhantomData), queue),
            occupancy: loader(AsOf(db.clone(), PhantomData), queue),
            enterprises: loader(Rows::new(db, &budget), queue),
            qualifications: loader(Rows::new(db, &budget), queue),
            tenancies: loader(Rows::new(db, &budget), queue),
            tenancies_of_carrier: loader(Rows::new(db, &budget), queue),
            tenancies_of_enterprise: loader(Rows::new(db, &budget), queue),
            qualifications_of: loader(Rows::new(db, &budget), queue),
            revenue_of: loader(Rows::new(db, &budget), queue),
            annual_reports_of: loader(Rows::new(db, &budget), queue),
            platforms: loader(Rows::new(db, &budget), queue),
            platforms_of: loader(Rows::new(db, &budget), queue),
            teams: loader(Rows::new(db, &budget), queue),
            teams_of: loader(Rows::new(db, &budget), queue),
            facilities: loader(Rows::new(db, &budget), queue),
            facilities_of: loader(Rows::new(db, &budget), queue),
            funds: loader(Rows::new(db, &budget), queue),
            fund_links_of_carrier: loader(Rows::new(db, &budget), queue),
            fund_links_of_fund: loader(Rows::new(db, &budget), queue),
            settings: loader(Rows::new(db, &budget), queue),
            designation_requests: loader(Rows::new(db, &budget), queue),
            support_records: loader(AsOf(db.clone(), PhantomData), queue),
            new_tenants: loader(AsOf(db.clone(), PhantomData), queue),
            compliance_rules: {
                let queue = queue.clone();
                DataLoader::with_cache(
                    ComplianceRulesInForce(db.clone()),
                    move |task| queue.push(task),
                    HashMapCache::default(),
                )
                .delay(Duration::ZERO)
            },
            footprints: loader(Rows::new(db, &budget), queue),
            boundaries: loader(Rows::new(db, &budget), queue),
            buildings: loader(Rows::new(db, &budget), queue),
            buildings_of: loader(Rows::new(db, &budget), queue),
            units: loader(Rows::new(db, &budget), queue),
            units_of_building: loader(Rows::new(db, &budget), queue),
            unit_links_of_tenancy: loader(Rows::new(db, &budget), queue),
            unit_tenancy: loader(UnitTenancy(db.clone()), queue),
            leases: loader(Rows::new(db, &budget), queue),
            leases_of_tenancy: loader(Rows::new(db, &budget), queue),
            entry_pre_checks: loader(super::application::PreChecks(db.clone()), queue),
        }
    }

    pub async fn carrier(&self, id: i32) -> AppResult<Option<Carrier>> {
        one(&self.carriers, id)
            .await?
            .map(Carrier::try_from)
            .transpose()
    }

    pub async fn operator(&self, id: i32) -> AppResult<Option<Operator>> {
        one(&self.operators, id)
            .await?
            .map(Operator::try_from)
            .transpose()
    }

    pub async fn district(&self, id: i32) -> AppResult<Option<District>> {
        one(&self.districts, id)
            .await?
            .map(District::try_from)
            .transpose()
    }

    /// The districts with these ids, by id.
    pub async fn districts(
        &self,
        ids: impl IntoIterator<Item = i32>,
    ) -> AppResult<HashMap<i32, District>> {
        self.districts
            .load_many(ids)
            .await?
            .into_iter()
            .filter_map(|(id, rows)| owned(rows).into_iter().next().map(|row| (id, row)))
            .map(|(id, row)| Ok((id, District::try_from(row)?)))
            .collect()
    }

    pub async fn space_phase(&self, id: i32) -> AppResult<Option<SpacePhase>> {
        one(&self.space_phases, id)
            .await?
            .map(SpacePhase::try_from)
            .transpose()
    }

    pub async fn recognition(&self, id: i32) -> AppResult<Option<LevelRecognition>> {
        one(&self.recognitions, id)
            .await?
            .map(LevelRecognition::try_from)
            .transpose()
    }

    pub async fn phases_of(&self, carrier_id: i32) -> AppResult<Vec<space_phase::Model>> {
        many(&self.phases_of, carrier_id).await
    }

    pub async fn recognitions_of(
        &self,
        carrier_id: i32,
    ) -> AppResult<Vec<level_recognition::Model>> {
        many(&self.recognitions_of, carrier_id).await
    }

    pub async fn industries_of(&self, carrier_id: i32) -> AppResult<Vec<carrier_industry::Model>> {
        many(&self.industries_of, carrier_id).await
    }

    pub async fn floor_area(&self, carrier_id: i32, as_of: NaiveDate) -> AppResult<f64> {
        let key = AsOfKey { carrier_id, as_of };
        Ok(self.floor_area.load_one(key).await?.unwrap_or_default())
    }

    /// The 五有 thresholds in force.
    pub async fn compliance_rules(&self) -> AppResult<ComplianceRules> {
        Ok(self
            .compliance_rules
            .load_one(())
            .await?
            .unwrap_or_default())
    }

    /// A carrier's figure `F` on `as_of`.
    pub async fn as_of<F: AsOfFigure>(
        loader: &DataLoader<AsOf<F>>,
        carrier_id: i32,
        as_of: NaiveDate,
    ) -> AppResult<F::Value> {
        let key = AsOfKey { carrier_id, as_of };
        Ok(loader.load_one(key).await?.unwrap_or_default())
    }

    /// The tenancy that lets unit `unit_id` on `as_of`, if any.
    pub async fn unit_tenancy(
        &self,
        unit_id: i32,
        as_of: NaiveDate,
    ) -> AppResult<Option<tenancy::Model>> {
        self.unit_tenancy.load_one(UnitOn { unit_id, as_of }).await
    }

    /// The tenancies that let these units on `as_of`, by unit id; vacant units are absent.
    pub async fn unit_tenancies(
        &self,
        unit_ids: impl IntoIterator<Item = i32>,
        as_of: NaiveDate,
    ) -> AppResult<HashMap<i32, tenancy::Model>> {
        let keys = unit_ids
            .into_iter()
            .map(|unit_id| UnitOn { unit_id, as_of });
        Ok(self
            .unit_tenancy
            .load_many(keys)
            .await?
            .into_iter()
            .map(|(key, row)| (key.unit_id, row))
            .collect())
    }

    pub async fn occupancy(
        &self,
        carrier_id: i32,
        as_of: NaiveDate,
    ) -> AppResult<store::occupancy::TenancyFigures> {
        let key = AsOfKey { carrier_id, as_of };
        Ok(self.occupancy.load_one(key).await?.unwrap_or_default())
    }
}

/// The rows under `key` (e.g. a carrier's tenancies), none if there are none.
pub async fn many<E, Key: 'static>(
    loader: &DataLoader<Rows<E, Key>>,
    key: i32,
) -> AppResult<Vec<E::Model>>
where
    E: KeyedBy<Key>,
    E::Model: Sync,
{
    Ok(loader.load_one(key).await?.map(owned).unwrap_or_default())
}

/// The rows a loader handed out. By the time a resolver runs, its batch
/// has finished and let go of them, so this is a move, not a copy (a key
/// asked for twice in one batch is the exception).
fn owned<T: Clone>(rows: Arc<Vec<T>>) -> Vec<T> {
    Arc::try_unwrap(rows).unwrap_or_else(|shared| shared.as_ref().clone())
}

/// The row with id `id`, if any.
pub async fn one<E: KeyedBy<ById>>(
    loader: &DataLoader<Rows<E, ById>>,
    id: i32,
) -> AppResult<Option<E::Model>>
where
    E::Model: Sync,
{
    Ok(loader
        .load_one(id)
        .await?
        .and_then(|rows| owned(rows).into_iter().next()))
}

/// The rows with these ids, shared, by id; ids without a row are absent.
pub async fn by_id<E: KeyedBy<ById>>(
    loader: &DataLoader<Rows<E, ById>>,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<HashMap<i32, Arc<E::Model>>>
where
    E::Model: Sync,
{
    Ok(loader
        .load_many(ids)
        .await?
        .into_iter()
        .filter_map(|(id, rows)| Some((id, Arc::new(owned(rows).into_iter().next()?))))
        .collect())
}

/// Batch-load tasks of one request, waiting to be polled by [`drive`].
#[derive(Clone, Default)]
pub struct BatchQueue(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>);

impl BatchQueue {
    fn push(&self, task: BoxFuture<'static, ()>) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(task);
    }

    fn take(&self) -> Vec<BoxFuture<'static, ()>> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

/// Runs `work` (a request's execution) together with the batch loads it
/// queues, in waves. A wave starts only once `work` is waiting for it: when
/// it returns `Pending` without having woken itself. (A list of many items
/// yields voluntarily, waking itself, before all its items have asked.) The
/// next wave starts only after every batch of this one has finished and
/// `work` has consumed them, so the loads a request makes fall into the same
/// batches whichever batch of a wave happens to finish first: the number of
/// SQL statements depends on the query's shape, never on timing.
pub async fn drive<F: Future>(queue: BatchQueue, work: F) -> F::Output {
    /// Bound on back-to-back polls of `work`, so a future that always wakes
    /// itself cannot starve the batches (batching would merely split).
    const MAX_EAGER_POLLS: usize = 256;
    let mut work = pin!(work);
    let mut wave: FuturesUnordered<BoxFuture<'static, ()>> = FuturesUnordered::new();
    std::future::poll_fn(move |cx| {
        loop {
            for _ in 0..MAX_EAGER_POLLS {
                let probe = Arc::new(WakeProbe {
                    woken: AtomicBool::new(false),
                    outer: cx.waker().clone(),
                });
                let waker = futures_util::task::waker(probe.clone());
                if let Poll::Ready(output) =
                    work.as_mut().poll(&mut TaskContext::from_waker(&waker))
                {
                    return Poll::Ready(output);
                }
                if !probe.woken.load(Ordering::Acquire) {
                    break;
                }
            }
            if wave.is_empty() {
                wave.extend(queue.take());
                if wave.is_empty() {
                    // Waiting on something else; its wake brings us back.
                    return Poll::Pending;
                }
            }
            loop {
                match wave.poll_next_unpin(cx) {
                    Poll::Ready(Some(())) if !wave.is_empty() => continue,
                    // The wave is done: let `work` take its results first.
                    Poll::Ready(_) => break,
                    Poll::Pending => return Poll::Pending,
                }
            }
        }
    })
    .await
}

/// Records whether a future woke itself while being polled, and passes the wake on.
struct WakeProbe {
    woken: AtomicBool,
    outer: Waker,
}

impl ArcWake for WakeProbe {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.woken.store(true, Ordering::Release);
        arc_self.outer.wake_by_ref();
    }
}

/// The request's loaders.
pub fn of<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    ctx.data::<Loaders>().map_err(missing_context)
}

/// A row that must exist because another row refers to it.
pub fn required<T>(row: Option<T>, what: &'static str, id: i32) -> ApiResult<T> {
    row.ok_or_else(|| {
        tracing::error!(what, id, "dangling reference");
        ApiError(AppError::Internal)
    })
}
