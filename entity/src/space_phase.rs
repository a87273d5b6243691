//! A space phase: one delivery of floor area to a carrier.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "space_phase")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub carrier_id: i32,
    /// Free label, e.g. "一期" or "Building B".
    pub label: Option<String>,
    /// Floor area in square metres.
    pub area_m2: f64,
    pub delivered_on: Date,
    /// Where the space came from, e.g. `IDLE_FACTORY_RENOVATION`.
    pub source: String,
    /// When the phase was voided as entered in error; it then counts nowhere.
    pub voided_at: Option<DateTimeUtc>,
    /// Why it was voided.
    pub void_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
