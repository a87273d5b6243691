//! A tenancy (在孵): an enterprise leasing space in a carrier over a span of dates.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "tenancy")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub carrier_id: i32,
    pub enterprise_id: i32,
    /// The unit leased, e.g. "B栋302".
    pub unit: Option<String>,
    pub area_m2: f64,
    pub moved_in_on: Date,
    /// The first day the space is no longer leased (exclusive); open when absent.
    pub moved_out_on: Option<Date>,
    /// The start of incubation, kept across area changes.
    pub incubation_started_on: Date,
    pub graduated_on: Option<Date>,
    /// One of the graduation routes, e.g. `HIGH_TECH_RECOGNISED`.
    pub graduation_route: Option<String>,
    /// The tenancy this one continues after an area change.
    pub previous_tenancy_id: Option<i32>,
    /// When the tenancy was voided as entered in error; it then counts nowhere.
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
