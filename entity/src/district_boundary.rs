//! A district's boundary (行政区界): a polygon or multipolygon, WGS84, with its box.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "district_boundary")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub district_id: i32,
    /// A GeoJSON geometry object, WGS84 longitude-latitude.
    #[sea_orm(column_type = "Text")]
    pub geojson: String,
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
    /// Geodesic area, m².
    pub area_m2: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
