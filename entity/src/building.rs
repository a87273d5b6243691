//! A building (楼栋) of a carrier, with an optional footprint.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "building")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub carrier_id: i32,
    /// Its name in the carrier, e.g. "A栋"; unique within the carrier.
    pub name: String,
    /// A GeoJSON Polygon or MultiPolygon, WGS84.
    #[sea_orm(column_type = "Text", nullable)]
    pub footprint_geojson: Option<String>,
    /// Geodesic area of the footprint, m².
    pub footprint_area_m2: Option<f64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
