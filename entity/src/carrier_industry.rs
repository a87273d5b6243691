//! A carrier's leading industries (主导产业), one row per "465" cluster.
//! A table rather than a list column so that filtering by industry is an indexed join.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "carrier_industry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub carrier_id: i32,
    /// Cluster code, e.g. `IOT`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub industry: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
