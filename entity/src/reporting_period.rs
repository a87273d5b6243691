//! A reporting period (报告期): a year closed by the bureau, with the figures
//! reported for it as known at closing.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "reporting_period")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub year: i32,
    /// The date the figures were taken on: December 31 of the year.
    pub period_end: Date,
    /// `CLOSED` or `REOPENED`.
    pub status: String,
    /// JSON: each target's figure on `period_end` and its parts by carrier.
    pub figures: String,
    /// The 火炬统计 CSV of the year, as reported.
    pub torch_csv: String,
    /// JSON: the 火炬统计 cells of each carrier, as reported; null for periods
    /// closed before cells were kept.
    pub torch_rows: Option<String>,
    pub note: Option<String>,
    /// The name of the token that closed it.
    pub closed_by: String,
    /// The moment the figures were taken: what was known then.
    pub closed_at: DateTimeUtc,
    pub reopened_by: Option<String>,
    pub reopened_at: Option<DateTimeUtc>,
    pub reopen_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
