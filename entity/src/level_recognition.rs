//! A dated recognition of a carrier at a level (级别认定).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "level_recognition")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub carrier_id: i32,
    /// `NONE`, `DISTRICT`, `CITY`, `PROVINCIAL` or `NATIONAL`.
    pub level: String,
    pub recognised_on: Date,
    /// The issuing authority, e.g. "无锡市科学技术局".
    pub authority: String,
    /// The document number of the recognition, e.g. "锡科规〔2023〕5号".
    pub document_number: Option<String>,
    /// When the recognition was voided as entered in error; it then counts nowhere.
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
