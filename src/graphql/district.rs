//! Districts (行政区).

use async_graphql::{Context, ID, Object};
use chrono::Utc;
use entity::district;

use super::cost::{FIXED_SMALL_LIST, list_complexity};
use super::enums::DistrictKind;
use super::error::ApiResult;
use super::node::{NodeType, global_id};
use super::scalars::DateTime;
use crate::error::{AppError, stored};
use crate::store;

/// 行政区: one of Wuxi's administrative units that carriers sit in.
#[derive(Debug, Clone)]
pub struct District {
    id: i32,
    code: String,
    name_zh: String,
    name_en: String,
    short_name_zh: Option<String>,
    admin_code: Option<String>,
    kind: crate::domain::carrier::DistrictKind,
    version: i32,
    created_at: chrono::DateTime<Utc>,
    updated_at: chrono::DateTime<Utc>,
}

impl TryFrom<district::Model> for District {
    type Error = AppError;

    fn try_from(row: district::Model) -> Result<Self, AppError> {
        Ok(Self {
            kind: stored("district.kind", &row.kind)?,
            id: row.id,
            code: row.code,
            name_zh: row.name_zh,
            name_en: row.name_en,
            short_name_zh: row.short_name_zh,
            admin_code: row.division_code,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl District {
    /// District, county-level city or development zone, for the rules that depend on it.
    pub fn domain_kind(&self) -> crate::domain::carrier::DistrictKind {
        self.kind
    }
}

/// 行政区: one of Wuxi's administrative units that carriers sit in.
#[Object]
impl District {
    /// The global ID of the district.
    pub async fn id(&self) -> ID {
        global_id(NodeType::District, self.id)
    }

    /// Stable short code, e.g. `xinwu`; filters accept it (and `adminCode`).
    async fn code(&self) -> &str {
        &self.code
    }

    /// The full official Chinese name, e.g. 新吴区, 江阴市, 无锡经济开发区.
    async fn name_zh(&self) -> &str {
        &self.name_zh
    }

    /// 简称: the short form, e.g. 新吴, 江阴, 经开区.
    async fn short_name_zh(&self) -> Option<&str> {
        self.short_name_zh.as_deref()
    }

    /// 行政区划代码: the GB/T 2260 administrative division code (e.g. 320214),
    /// the key government data sets join on; null for the development zone,
    /// which is a functional zone, not an administrative division. Filters
    /// that take district codes (`districtCodes`, `withinDistrict`) accept it.
    async fn admin_code(&self) -> Option<&str> {
        self.admin_code.as_deref()
    }

    /// The GB/T 2260 code, as `adminCode`.
    #[graphql(deprecation = "Use `adminCode`.")]
    async fn division_code(&self) -> Option<&str> {
        self.admin_code.as_deref()
    }

    /// English name, e.g. Xinwu District.
    async fn name_en(&self) -> &str {
        &self.name_en
    }

    /// District, county-level city or development zone.
    async fn kind(&self) -> DistrictKind {
        self.kind.into()
    }

    /// 行政区界: the boundary, a GeoJSON Polygon or MultiPolygon, in `coordinateSystem` (default WGS84). The demo's are approximate.
    async fn boundary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coordinate system to return (default WGS84).")]
        coordinate_system: Option<super::spatial::CoordinateSystem>,
    ) -> ApiResult<Option<super::spatial::GeoJson>> {
        super::spatial::boundary(ctx, self.id, coordinate_system).await
    }

    /// The boundary's geodesic area in m² (WGS84 ellipsoid).
    async fn boundary_area(&self, ctx: &Context<'_>) -> ApiResult<Option<f64>> {
        super::spatial::boundary_area(ctx, self.id).await
    }

    /// Row version, for optimistic concurrency; pass it back to `setDistrictBoundary`.
    async fn version(&self) -> i32 {
        self.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.created_at.into()
    }

    /// When the record was last changed.
    async fn updated_at(&self) -> DateTime {
        self.updated_at.into()
    }
}

#[derive(Default)]
pub struct DistrictQuery;

#[Object]
impl DistrictQuery {
    /// All administrative units of the city (eight in Wuxi).
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn districts(&self, ctx: &Context<'_>) -> ApiResult<Vec<District>> {
        let db = super::db(ctx)?;
        let rows = store::district::all(db).await?;
        Ok(rows
            .into_iter()
            .map(District::try_from)
            .collect::<Result<_, _>>()?)
    }
}
