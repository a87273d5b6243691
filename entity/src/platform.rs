//! 公共技术服务平台: a public technology service platform hosted by a carrier.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "platform")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The host carrier.
    pub carrier_id: i32,
    pub name: String,
    /// e.g. `PILOT_PLANT`.
    pub kind: String,
    /// The level it is recognised at, e.g. `PROVINCIAL`.
    pub level: String,
    pub opened_on: Date,
    /// The first day it is closed; open when absent.
    pub closed_on: Option<Date>,
    /// The services offered, as a JSON array of strings.
    pub services: String,
    pub enterprises_served_per_year: Option<i32>,
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
