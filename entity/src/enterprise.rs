//! 企业: one record per enterprise across all carriers, keyed by its USCC.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "enterprise")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub uscc: String,
    pub name: String,
    pub founded_on: Date,
    /// When it landed in the city (落地).
    pub landed_on: Option<Date>,
    /// A "465" cluster code, e.g. `IOT`.
    pub industry: Option<String>,
    pub headcount: Option<i32>,
    /// Financing raised to date, in fen (confidential).
    pub financing_raised_fen: Option<i64>,
    /// When it was merged, acquired or listed.
    pub exited_on: Option<Date>,
    /// The operator that keeps its confidential figures (保管方), if any.
    pub custodian_operator_id: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The pinyin sort key of `name` (`zaiti::domain::text::pinyin_key`);
    /// null only until the server fills it for rows older than the column.
    pub name_pinyin: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
