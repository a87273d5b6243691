//! An entry application (入驻申请): an enterprise asks to enter a carrier;
//! the carrier's operator reviews it, and an approval moves it in.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "entry_application")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub carrier_id: i32,
    /// The applicant's registered name.
    pub enterprise_name: String,
    /// 统一社会信用代码, checked.
    pub uscc: String,
    pub founded_on: Date,
    /// Cluster code, e.g. `IOT`.
    pub industry: String,
    pub headcount: i32,
    /// Personal data: only ADMIN, the carrier's operator and the submitting token read it.
    pub contact_person: String,
    /// Personal data, as `contact_person`.
    pub contact_phone: String,
    pub wanted_area_m2: f64,
    /// The units wanted (房源), ids separated by commas; empty for none.
    pub wanted_unit_ids: String,
    pub wanted_move_in_on: Date,
    pub business_description: String,
    /// `SUBMITTED`, `UNDER_REVIEW`, `APPROVED`, `REJECTED`, `WITHDRAWN` or `MOVED_IN`.
    pub status: String,
    /// The name of the token that submitted it.
    pub submitted_by: String,
    /// The token that submitted it.
    pub submitted_token_id: Option<i32>,
    /// The name of the token that approved or rejected it.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    /// The enterprise an approval registered (or found by USCC).
    pub enterprise_id: Option<i32>,
    /// The tenancy an approval created.
    pub tenancy_id: Option<i32>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
