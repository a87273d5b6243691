//! Spatial data for the natural-resources and planning bureau: the GeoJSON
//! scalar, coordinate systems, the spatial filters and the geometry writes.

use async_graphql::{
    Context, Enum, ID, InputObject, InputValueError, InputValueResult, MaybeUndefined, Object,
    Scalar, ScalarType, Value,
};

use super::carrier::{Carrier, GeoPoint};
use super::district::District;
use super::error::ApiResult;
use super::loaders::{self, one};
use super::node::{NodeType, expect};
use crate::domain::ValidationError;
use crate::domain::geometry::{self as domain, BBox, Expect, SpatialPredicate};
use crate::domain::location::Location;
use crate::domain::text::filter_text;
use crate::error::AppError;
use crate::store;
use crate::store::spatial::{GeometryPatch, Shape};

/// A GeoJSON geometry object (RFC 7946), e.g.
/// `{"type": "Polygon", "coordinates": [[[120.30, 31.49], [120.31, 31.49], [120.31, 31.50], [120.30, 31.49]]]}`.
/// Longitude first, in degrees: WGS84 / CGCS2000 unless a `coordinateSystem`
/// argument says GCJ-02.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoJson(pub serde_json::Value);

/// A GeoJSON geometry object (RFC 7946): `{"type": …, "coordinates": …}`,
/// longitude before latitude, WGS84 / CGCS2000 degrees unless a
/// `coordinateSystem` argument says otherwise. Polygons' rings are closed
/// (last position equals the first), exterior first.
#[Scalar(
    name = "GeoJSON",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc7946#section-3.1"
)]
impl ScalarType for GeoJson {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::Object(_) => {
                let json = value.into_json().map_err(InputValueError::custom)?;
                Ok(GeoJson(json))
            }
            Value::String(text) => serde_json::from_str(&text).map(GeoJson).map_err(|err| {
                InputValueError::custom(format!(
                    "not a GeoJSON geometry object: {err} / 不是 GeoJSON 几何对象：{err}"
                ))
            }),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::Object(_) | Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}

/// The coordinate system of geometry given or returned.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoordinateSystem {
    /// WGS84 / CGCS2000 longitude-latitude (RFC 7946; what is stored).
    #[default]
    #[graphql(name = "WGS84")]
    Wgs84,
    /// GCJ-02 (火星坐标), as AMap and Tencent maps use; equal to WGS84 outside mainland China.
    #[graphql(name = "GCJ02")]
    Gcj02,
}

impl From<CoordinateSystem> for domain::CoordinateSystem {
    fn from(system: CoordinateSystem) -> Self {
        match system {
            CoordinateSystem::Wgs84 => Self::Wgs84,
            CoordinateSystem::Gcj02 => Self::Gcj02,
        }
    }
}

pub(super) fn system(system: Option<CoordinateSystem>) -> domain::CoordinateSystem {
    system.unwrap_or_default().into()
}

/// A circle on the ground: a point and a geodesic radius.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct NearInput {
    /// Longitude of the centre in degrees east.
    pub longitude: f64,
    /// Latitude of the centre in degrees north.
    pub latitude: f64,
    /// Geodesic radius in metres (0 to 1,000,000).
    pub radius_meters: f64,
}

/// Spatial conditions, tested against a carrier's footprint where it has one
/// and its location point otherwise (`near`: its location point, else its
/// footprint's centroid). Carriers with neither never match. A platform is
/// tested against its host carrier's geometry.
#[derive(InputObject, Debug, Default, Clone)]
pub struct SpatialFilter {
    /// Meets the box `[minLongitude, minLatitude, maxLongitude, maxLatitude]`.
    pub bbox: Option<Vec<f64>>,
    /// Shares at least one point with this geometry (e.g. a parcel).
    pub intersects: Option<GeoJson>,
    /// Lies wholly inside this geometry.
    pub within: Option<GeoJson>,
    /// Lies wholly inside the stored boundary of the district with this code: the short code (`xinwu`) or the GB/T 2260 administrative code (`320214`).
    pub within_district: Option<String>,
    /// Within a geodesic distance of a point.
    pub near: Option<NearInput>,
    /// The coordinate system of `bbox`, `intersects`, `within` and `near` (default WGS84).
    pub coordinate_system: Option<CoordinateSystem>,
}

impl SpatialFilter {
    /// The conditions, checked and in WGS84; a shape of more than
    /// `max_vertices` positions is refused before it is read.
    pub async fn predicates(
        self,
        db: &sea_orm::DatabaseConnection,
        max_vertices: usize,
    ) -> Result<Vec<SpatialPredicate>, AppError> {
        let cs = system(self.coordinate_system);
        let mut predicates = Vec::new();
        if let Some(values) = self.bbox {
            let bbox = BBox::new("filter.bbox", &values)?;
            predicates.push(SpatialPredicate::Intersects(
                cs.to_wgs84(&bbox.to_geometry()),
            ));
        }
        if let Some(GeoJson(json)) = self.intersects {
            let shape = domain::parse("filter.intersects", &json, Expect::Any, cs, max_vertices)?;
            predicates.push(SpatialPredicate::Intersects(shape));
        }
        if let Some(GeoJson(json)) = self.within {
            let shape = domain::parse("filter.within", &json, Expect::Any, cs, max_vertices)?;
            predicates.push(SpatialPredicate::Within(shape));
        }
        if let Some(code) = filter_text("filter.withinDistrict", self.within_district)? {
            let boundary =
                store::spatial::boundary_of(db, "filter.withinDistrict", code.trim()).await?;
            predicates.push(SpatialPredicate::Within(boundary));
        }
        if let Some(near) = self.near {
            let centre = cs.to_wgs84(&geo::Geometry::Point(geo::Point::new(
                near.longitude,
                near.latitude,
            )));
            let (longitude, latitude) = match centre {
                geo::Geometry::Point(p) => (p.x(), p.y()),
                _ => (near.longitude, near.latitude),
            };
            predicates.push(SpatialPredicate::near(
                "filter.near",
                longitude,
                latitude,
                near.radius_meters,
            )?);
        }
        Ok(predicates)
    }

    /// Narrows `filter` to the carriers meeting these conditions (platforms:
    /// to those whose host carrier meets them).
    pub async fn apply(
        self,
        db: &sea_orm::DatabaseConnection,
        max_vertices: usize,
        filter: &mut impl store::carrier::CarrierRestriction,
    ) -> Result<(), AppError> {
        let predicates = self.predicates(db, max_vertices).await?;
        store::spatial::restrict(db, filter, &predicates).await
    }
}

/// A carrier's location as a GeoJSON Point in `cs`.
pub fn location_geometry(
    location: Option<GeoPoint>,
    cs: Option<CoordinateSystem>,
) -> Option<GeoJson> {
    location.map(|p| {
        let point = geo::Geometry::Point(geo::Point::new(p.longitude, p.latitude));
        GeoJson(domain::to_geojson(&point, system(cs)))
    })
}

/// A stored shape (GeoJSON text, WGS84) in `cs`.
pub(super) fn shape_json(text: &str, cs: Option<CoordinateSystem>) -> Option<GeoJson> {
    store::spatial::stored_shape(text).map(|g| GeoJson(domain::to_geojson(&g, system(cs))))
}

/// A carrier's footprint as GeoJSON in `cs`, through the request's loader.
pub async fn footprint(
    ctx: &Context<'_>,
    carrier_id: i32,
    cs: Option<CoordinateSystem>,
) -> ApiResult<Option<GeoJson>> {
    let row = one(&loaders::of(ctx)?.footprints, carrier_id).await?;
    Ok(row.and_then(|row| shape_json(&row.geojson, cs)))
}

/// A carrier's footprint area in m².
pub async fn footprint_area(ctx: &Context<'_>, carrier_id: i32) -> ApiResult<Option<f64>> {
    let row = one(&loaders::of(ctx)?.footprints, carrier_id).await?;
    Ok(row.map(|row| row.area_m2))
}

/// A district's boundary as GeoJSON in `cs`, through the request's loader.
pub async fn boundary(
    ctx: &Context<'_>,
    district_id: i32,
    cs: Option<CoordinateSystem>,
) -> ApiResult<Option<GeoJson>> {
    let row = one(&loaders::of(ctx)?.boundaries, district_id).await?;
    Ok(row.and_then(|row| shape_json(&row.geojson, cs)))
}

/// A district's boundary area in m².
pub async fn boundary_area(ctx: &Context<'_>, district_id: i32) -> ApiResult<Option<f64>> {
    let row = one(&loaders::of(ctx)?.boundaries, district_id).await?;
    Ok(row.map(|row| row.area_m2))
}

/// A polygon or multipolygon input, checked, as a shape to store.
pub(super) fn area_shape(
    field: &str,
    json: &serde_json::Value,
    cs: domain::CoordinateSystem,
    max_vertices: usize,
) -> Result<Shape, ValidationError> {
    let geometry = domain::parse(field, json, Expect::Area, cs, max_vertices)?;
    Shape::new(geometry)
        .ok_or_else(|| ValidationError::new(field, "the geometry is empty", "几何图形为空"))
}

/// New geometry for a carrier. Omitted parts stay as they are; `null` clears one.
#[derive(InputObject)]
pub struct SetCarrierGeometryInput {
    /// The carrier, by global ID.
    pub id: ID,
    /// The carrier's `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// Its location, a GeoJSON Point.
    pub location: MaybeUndefined<GeoJson>,
    /// Its footprint (占地轮廓), a GeoJSON Polygon or MultiPolygon: valid, closed rings, no self-intersection.
    pub footprint: MaybeUndefined<GeoJson>,
    /// The coordinate system the geometry is given in (default WGS84); it is stored in WGS84.
    pub coordinate_system: Option<CoordinateSystem>,
}

impl SetCarrierGeometryInput {
    fn validate(self, max_vertices: usize) -> Result<(i32, i32, GeometryPatch), AppError> {
        let id = expect("id", &self.id, NodeType::Carrier)?;
        let cs = system(self.coordinate_system);
        let location = match self.location {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(GeoJson(json)) => {
                let point = domain::parse("location", &json, Expect::Point, cs, max_vertices)?;
                let geo::Geometry::Point(point) = point else {
                    return Err(AppError::invalid(
                        "location",
                        "expected a Point",
                        "位置应为点（Point）",
                    ));
                };
                Some(Some(Location::new(point.x(), point.y())?))
            }
        };
        let footprint = match self.footprint {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(GeoJson(json)) => {
                Some(Some(area_shape("footprint", &json, cs, max_vertices)?))
            }
        };
        Ok((
            id,
            self.version,
            GeometryPatch {
                location,
                footprint,
            },
        ))
    }
}

/// A new boundary for a district.
#[derive(InputObject)]
pub struct SetDistrictBoundaryInput {
    /// The district, by global ID.
    pub id: ID,
    /// The district's `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// The boundary (行政区界), a GeoJSON Polygon or MultiPolygon; `null` clears it.
    pub boundary: Option<GeoJson>,
    /// The coordinate system the boundary is given in (default WGS84); it is stored in WGS84.
    pub coordinate_system: Option<CoordinateSystem>,
}

#[derive(Default)]
pub struct SpatialMutation;

#[Object]
impl SpatialMutation {
    /// Sets a carrier's location and/or footprint, if it is still at the given
    /// `version`. BUREAU tokens may write any carrier's geometry, OPERATOR tokens their own carriers'.
    async fn set_carrier_geometry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: SetCarrierGeometryInput,
    ) -> ApiResult<Carrier> {
        let (id, version, patch) = input.validate(super::limits(ctx).max_polygon_vertices)?;
        let db = super::db(ctx)?;
        let row = store::spatial::set_carrier_geometry(db, super::actor(ctx)?, id, version, patch)
            .await?;
        Ok(Carrier::try_from(row)?)
    }

    /// Sets or clears a district's boundary, if it is still at the given
    /// `version`. ADMIN and BUREAU tokens only; `zaiti import districts` loads many at once.
    async fn set_district_boundary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: SetDistrictBoundaryInput,
    ) -> ApiResult<District> {
        let id = expect("id", &input.id, NodeType::District)?;
        let cs = system(input.coordinate_system);
        let max_vertices = super::limits(ctx).max_polygon_vertices;
        let boundary = input
            .boundary
            .map(|GeoJson(json)| area_shape("boundary", &json, cs, max_vertices))
            .transpose()?;
        let db = super::db(ctx)?;
        let row = store::spatial::set_district_boundary(
            db,
            super::actor(ctx)?,
            id,
            input.version,
            boundary,
        )
        .await?;
        Ok(District::try_from(row)?)
    }
}
