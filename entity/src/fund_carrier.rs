//! Which carriers a fund serves (many to many).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "fund_carrier")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub fund_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub carrier_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
