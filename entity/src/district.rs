//! 行政区: the administrative units carriers sit in.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "district")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable code, e.g. `xinwu`.
    #[sea_orm(unique)]
    pub code: String,
    /// The full official name, e.g. 梁溪区, 江阴市, 无锡经济开发区.
    pub name_zh: String,
    pub name_en: String,
    /// The short form, e.g. 梁溪, 江阴, 经开区.
    pub short_name_zh: Option<String>,
    /// The GB/T 2260 administrative division code, e.g. 320213; null for the
    /// development zone, which is no administrative division.
    pub division_code: Option<String>,
    /// `DISTRICT`, `COUNTY_LEVEL_CITY` or `DEVELOPMENT_ZONE`.
    pub kind: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
