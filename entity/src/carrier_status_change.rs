//! When a carrier's status changed: the history behind "operating on the
//! as-of date". One row per carrier and day; the carrier's `status` column
//! is the status of its latest row.

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "carrier_status_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub carrier_id: i32,
    /// The first day the status held.
    #[sea_orm(primary_key, auto_increment = false)]
    pub effective_on: NaiveDate,
    /// Status code, e.g. `OPERATING`.
    pub status: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
