//! A unit (房源) of a building: a room or suite let as one, on one floor,
//! carved out of one space phase of the carrier.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "unit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub building_id: i32,
    /// The building's carrier, kept here so a carrier's units are one lookup.
    pub carrier_id: i32,
    pub space_phase_id: i32,
    /// Its code in the building, e.g. "301"; unique within the building.
    pub code: String,
    /// Floor number; negative below ground.
    pub floor: i32,
    /// Floor area in square metres.
    pub area_m2: f64,
    /// What it is for, e.g. `OFFICE`.
    pub unit_use: String,
    /// Whether it can be let, e.g. `AVAILABLE`.
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
