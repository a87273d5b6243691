//! 配套设施: a supporting facility of a carrier.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "facility")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub carrier_id: i32,
    /// e.g. `SHARED_MEETING_ROADSHOW`.
    pub kind: String,
    pub name: Option<String>,
    /// Public-service floor area it provides, in m².
    pub area_m2: Option<f64>,
    pub opened_on: Date,
    /// The first day it is closed; open when absent.
    pub closed_on: Option<Date>,
    /// When the record was voided as entered in error; it then counts nowhere.
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
