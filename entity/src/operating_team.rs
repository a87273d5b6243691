//! 运营团队: a carrier's operating team.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "operating_team")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub carrier_id: i32,
    pub name: String,
    /// Professional service staff (专业服务人员).
    pub staff_count: i32,
    /// Mentors (创业导师).
    pub mentor_count: i32,
    pub formed_on: Date,
    /// The first day it no longer operates; active when absent.
    pub disbanded_on: Option<Date>,
    /// When it was recognised as a high-level professional team.
    pub professional_recognised_on: Option<Date>,
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
