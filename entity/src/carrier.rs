//! 载体: a makerspace, incubator, accelerator or science complex.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "carrier")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// `MAKERSPACE`, `INCUBATOR`, `ACCELERATOR` or `SCIENCE_COMPLEX`.
    pub kind: String,
    /// Life-cycle status, e.g. `OPERATING`.
    pub status: String,
    pub district_id: i32,
    pub operator_id: i32,
    pub address: String,
    /// 地标型: only science complexes may carry it.
    pub landmark: bool,
    /// WGS84 longitude in degrees.
    pub longitude: Option<f64>,
    /// WGS84 latitude in degrees.
    pub latitude: Option<f64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The pinyin sort key of `name` (`zaiti::domain::text::pinyin_key`);
    /// null only until the server fills it for rows older than the column.
    pub name_pinyin: Option<String>,
    /// 工位数: workstations offered (makerspaces); null when not given.
    pub workstations: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
