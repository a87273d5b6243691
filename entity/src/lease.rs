//! A lease (租赁合同) of a tenancy: its contract number, term and rent.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "lease")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub tenancy_id: i32,
    /// The tenancy's carrier, kept here so a carrier's leases are one lookup.
    pub carrier_id: i32,
    /// 合同编号, unique within the carrier among leases not voided.
    pub contract_number: String,
    /// The term's first day.
    pub starts_on: Date,
    /// The term's last day (inclusive, as contracts write it).
    pub ends_on: Date,
    /// Leased area in m²; `None`: the tenancy's area.
    pub area_m2: Option<f64>,
    /// Rent in ten-thousandths of a yuan per m² per day (1.35 元/㎡·天 is 13500).
    pub rent_rate_e4: i64,
    /// 押金 in fen.
    pub deposit_fen: i64,
    /// 免租期: whole months from the term's start.
    pub rent_free_months: i32,
    /// 孵化优惠 in hundredths of a percent (12.5% is 1250).
    pub discount_bp: i32,
    /// 签订日期.
    pub signed_on: Date,
    /// When the lease was voided as entered in error; it then counts nowhere.
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
