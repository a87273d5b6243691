//! 企业年报: an enterprise's figures for one calendar year (confidential).
//! Money in fen; revenue is in `enterprise_revenue`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "annual_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub enterprise_id: i32,
    pub year: i32,
    /// 研发投入.
    pub rd_spend_fen: i64,
    /// 上缴税费.
    pub tax_fen: i64,
    /// 从业人员 at the year's end.
    pub staff: i32,
    /// 研发人员, of `staff`.
    pub rd_staff: i32,
    /// 吸纳应届大学毕业生: graduates of the year hired.
    pub new_graduates: i32,
    /// 当年知识产权授权数.
    pub new_patents: i32,
    /// 发明专利授权数, of `new_patents`.
    pub new_invention_patents: i32,
    /// 获得投融资: rounds closed in the year.
    pub financing_rounds: i32,
    /// Financing raised in the year.
    pub financing_fen: i64,
    /// 填报日期.
    pub reported_on: Date,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
