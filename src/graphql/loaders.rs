//! DataLoaders: every nested read batches into one `WHERE … IN (…)` per
//! relation and request, so a page of N carriers costs the same number of
//! SQL statements whatever N is.

use std::collections::HashMap;
use std::marker::PhantomData;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use chrono::NaiveDate;
use entity::{carrier, carrier_industry, district, level_recognition, operator, space_phase};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::carrier::Carrier;
use super::district::District;
use super::error::{ApiError, ApiResult, missing_context};
use super::operator::Operator;
use super::recognition::LevelRecognition;
use super::space_phase::SpacePhase;
use crate::error::{AppError, AppResult};
use crate::store;

/// A table read by one integer column: its id, or the carrier it belongs to.
pub trait KeyedBy<Key>: EntityTrait {
    const COLUMN: Self::Column;
    fn key(model: &Self::Model) -> i32;
}

/// Marks lookups by primary key.
pub struct ById;
/// Marks lookups of a carrier's children.
pub struct ByCarrier;

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
keyed!(ByCarrier, carrier_id, CarrierId: space_phase, level_recognition, carrier_industry);

/// Loads rows of `E` by `Key`, grouping them when a key has many.
pub struct Rows<E, Key>(DatabaseConnection, PhantomData<fn() -> (E, Key)>);

impl<E, Key> Rows<E, Key> {
    fn new(db: &DatabaseConnection) -> Self {
        Self(db.clone(), PhantomData)
    }
}

impl<E: KeyedBy<Key>, Key: 'static> Loader<i32> for Rows<E, Key>
where
    E::Model: Sync,
{
    type Value = Vec<E::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[i32]) -> AppResult<HashMap<i32, Vec<E::Model>>> {
        let rows = store::rows_where_in::<E>(&self.0, E::COLUMN, keys.iter().copied()).await?;
        let mut grouped: HashMap<i32, Vec<E::Model>> = HashMap::new();
        for row in rows {
            grouped.entry(E::key(&row)).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// A carrier's floor area on a date: the key of [`FloorAreaLoader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FloorAreaKey {
    pub carrier_id: i32,
    pub as_of: NaiveDate,
}

/// Sums floor area in SQL, one statement per distinct as-of date in a request.
pub struct FloorAreaLoader(DatabaseConnection);

impl Loader<FloorAreaKey> for FloorAreaLoader {
    type Value = f64;
    type Error = AppError;

    async fn load(&self, keys: &[FloorAreaKey]) -> AppResult<HashMap<FloorAreaKey, f64>> {
        let mut by_date: HashMap<NaiveDate, Vec<i32>> = HashMap::new();
        for key in keys {
            by_date.entry(key.as_of).or_default().push(key.carrier_id);
        }
        let mut areas = HashMap::with_capacity(keys.len());
        for (as_of, carrier_ids) in by_date {
            let sums = store::space_phase::floor_area_on(&self.0, &carrier_ids, as_of).await?;
            for carrier_id in carrier_ids {
                let area = sums.get(&carrier_id).copied().unwrap_or(0.0);
                areas.insert(FloorAreaKey { carrier_id, as_of }, area);
            }
        }
        Ok(areas)
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
    floor_area: DataLoader<FloorAreaLoader>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        fn loader<T: Loader<K>, K>(inner: T) -> DataLoader<T>
        where
            K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        {
            DataLoader::new(inner, tokio::spawn)
        }
        Self {
            carriers: loader(Rows::new(db)),
            operators: loader(Rows::new(db)),
            districts: loader(Rows::new(db)),
            space_phases: loader(Rows::new(db)),
            recognitions: loader(Rows::new(db)),
            phases_of: loader(Rows::new(db)),
            recognitions_of: loader(Rows::new(db)),
            industries_of: loader(Rows::new(db)),
            floor_area: loader(FloorAreaLoader(db.clone())),
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
        Ok(self
            .phases_of
            .load_one(carrier_id)
            .await?
            .unwrap_or_default())
    }

    pub async fn recognitions_of(
        &self,
        carrier_id: i32,
    ) -> AppResult<Vec<level_recognition::Model>> {
        Ok(self
            .recognitions_of
            .load_one(carrier_id)
            .await?
            .unwrap_or_default())
    }

    pub async fn industries_of(&self, carrier_id: i32) -> AppResult<Vec<carrier_industry::Model>> {
        Ok(self
            .industries_of
            .load_one(carrier_id)
            .await?
            .unwrap_or_default())
    }

    pub async fn floor_area(&self, carrier_id: i32, as_of: NaiveDate) -> AppResult<f64> {
        let key = FloorAreaKey { carrier_id, as_of };
        Ok(self.floor_area.load_one(key).await?.unwrap_or(0.0))
    }
}

async fn one<E: KeyedBy<ById>>(
    loader: &DataLoader<Rows<E, ById>>,
    id: i32,
) -> AppResult<Option<E::Model>>
where
    E::Model: Sync,
{
    Ok(loader
        .load_one(id)
        .await?
        .and_then(|rows| rows.into_iter().next()))
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
