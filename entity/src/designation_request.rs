//! A designation request (认定申请): an operator's proposal of a fact that
//! counts toward the plan's targets, decided once by the bureau.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "designation_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub carrier_id: i32,
    /// `LANDMARK`, `CARRIER_LEVEL`, `PLATFORM_LEVEL` or `PROFESSIONAL_TEAM`.
    pub kind: String,
    /// The platform or operating team designated; none for the carrier itself.
    pub subject_id: Option<i32>,
    /// The level asked for (`CARRIER_LEVEL`, `PLATFORM_LEVEL`).
    pub level: Option<String>,
    /// The date the designation takes effect, e.g. the date of recognition.
    pub effective_on: Date,
    /// The issuing authority named in the evidence, e.g. "无锡市科学技术局".
    pub authority: Option<String>,
    /// 文号 of the supporting document.
    pub document_number: Option<String>,
    pub document_date: Option<Date>,
    pub notes: Option<String>,
    /// `PENDING`, `APPROVED` or `REJECTED`.
    pub status: String,
    /// The name of the token that submitted it.
    pub submitted_by: String,
    /// The name of the token that decided it.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    /// The level recognition an approved `CARRIER_LEVEL` request recorded.
    pub recognition_id: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
