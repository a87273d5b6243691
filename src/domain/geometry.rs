//! Geometry rules: GeoJSON (RFC 7946) in and out, validity, geodesic area,
//! bounding boxes, the spatial predicates of the filters, and the WGS84 ↔
//! GCJ-02 conversion that Chinese map front ends (AMap, Tencent) need.
//!
//! Every geometry is kept in WGS84 / CGCS2000 longitude-latitude degrees
//! (the two agree to a few centimetres); GCJ-02 exists only at the edges.

use geo::{
    BoundingRect, Centroid, Distance, Geodesic, GeodesicArea, Geometry, Intersects, MapCoords,
    Point, PreparedGeometry, Relate, Validation,
};
use geojson::GeometryValue;

use super::ValidationError;

/// A coordinate reference system clients may give and ask for geometry in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoordinateSystem {
    /// WGS84 / CGCS2000 longitude-latitude, as RFC 7946 wants: what is stored.
    #[default]
    Wgs84,
    /// GCJ-02 (火星坐标), the offset system of AMap and Tencent maps; equal to
    /// WGS84 outside mainland China.
    Gcj02,
}

impl CoordinateSystem {
    /// `geometry`, given in this system, in WGS84.
    pub fn to_wgs84(self, geometry: &Geometry) -> Geometry {
        match self {
            Self::Wgs84 => geometry.clone(),
            Self::Gcj02 => geometry.map_coords(|c| {
                let (x, y) = coordtransform::gcj02_to_wgs84(c.x, c.y);
                geo::coord! { x: x, y: y }
            }),
        }
    }

    /// `geometry`, stored in WGS84, in this system.
    pub fn from_wgs84(self, geometry: &Geometry) -> Geometry {
        match self {
            Self::Wgs84 => geometry.clone(),
            Self::Gcj02 => geometry.map_coords(|c| {
                let (x, y) = coordtransform::wgs84_to_gcj02(c.x, c.y);
                geo::coord! { x: x, y: y }
            }),
        }
    }
}

/// Which geometry types an input accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A `Point` (a carrier's location).
    Point,
    /// A `Polygon` or `MultiPolygon` (a footprint, a district boundary).
    Area,
    /// Any geometry but a `GeometryCollection` (a query shape).
    Any,
}

/// An axis-aligned box in degrees: what the database indexes and prefilters by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl BBox {
    /// A box from `[minLon, minLat, maxLon, maxLat]`, checked.
    pub fn new(field: &str, values: &[f64]) -> Result<Self, ValidationError> {
        let [min_lon, min_lat, max_lon, max_lat] = values else {
            return Err(ValidationError::new(
                field,
                format!(
                    "a bounding box is four numbers [minLongitude, minLatitude, maxLongitude, maxLatitude], got {}",
                    values.len()
                ),
                format!(
                    "范围框应为 4 个数 [最小经度, 最小纬度, 最大经度, 最大纬度]，填写了 {} 个",
                    values.len()
                ),
            ));
        };
        for (lon, lat) in [(*min_lon, *min_lat), (*max_lon, *max_lat)] {
            check_position(field, lon, lat)?;
        }
        if min_lon > max_lon || min_lat > max_lat {
            return Err(ValidationError::new(
                field,
                "a bounding box's minimum must not exceed its maximum ([minLongitude, minLatitude, maxLongitude, maxLatitude])",
                "范围框的最小值不能大于最大值（顺序为 [最小经度, 最小纬度, 最大经度, 最大纬度]）",
            ));
        }
        Ok(Self {
            min_lon: *min_lon,
            min_lat: *min_lat,
            max_lon: *max_lon,
            max_lat: *max_lat,
        })
    }

    /// The box of `geometry`; `None` for an empty one.
    pub fn of(geometry: &Geometry) -> Option<Self> {
        geometry.bounding_rect().map(|rect| Self {
            min_lon: rect.min().x,
            min_lat: rect.min().y,
            max_lon: rect.max().x,
            max_lat: rect.max().y,
        })
    }

    /// Whether the two boxes share a point.
    pub fn overlaps(&self, other: &BBox) -> bool {
        self.min_lon <= other.max_lon
            && other.min_lon <= self.max_lon
            && self.min_lat <= other.max_lat
            && other.min_lat <= self.max_lat
    }

    /// The box as a polygon, for exact tests.
    pub fn to_geometry(self) -> Geometry {
        Geometry::Rect(geo::Rect::new(
            geo::coord! { x: self.min_lon, y: self.min_lat },
            geo::coord! { x: self.max_lon, y: self.max_lat },
        ))
    }
}

/// Most vertices a geometry given as input may have, by default. Checking a
/// polygon's validity takes time growing with the square of its vertices
/// (25,000 took 15 s in a release build, so 2,000 take about 1/150 of that);
/// footprints, parcels and shapes drawn on a map have tens to hundreds.
pub const DEFAULT_MAX_VERTICES: usize = 2_000;

/// The positions of a GeoJSON geometry object (every ring, part and member
/// counted), read from the raw JSON before any geometry is built.
pub fn vertex_count(json: &serde_json::Value) -> usize {
    match json {
        serde_json::Value::Array(items) if items.first().is_some_and(|first| first.is_number()) => {
            1
        }
        serde_json::Value::Array(items) => items.iter().map(vertex_count).sum(),
        serde_json::Value::Object(members) => members.values().map(vertex_count).sum(),
        _ => 0,
    }
}

/// Refuses a geometry of more than `max_vertices` positions, naming the count and the limit.
pub fn check_vertex_count(
    field: &str,
    json: &serde_json::Value,
    max_vertices: usize,
) -> Result<(), ValidationError> {
    let count = vertex_count(json);
    if count > max_vertices {
        return Err(ValidationError::new(
            field,
            format!(
                "the geometry has {count} vertices, over the limit of {max_vertices}; simplify it"
            ),
            format!("几何图形有 {count} 个顶点，超过上限 {max_vertices}，请简化后再提交"),
        ));
    }
    Ok(())
}

/// Parses a GeoJSON geometry object given in `system`, checks it and returns it in WGS84.
///
/// Refused, naming the problem: more than `max_vertices` positions (counted
/// first, before any geometry work), not GeoJSON, a type `expect` does not
/// allow, coordinates out of range, an open or too short ring, a
/// self-intersecting or otherwise invalid polygon.
pub fn parse(
    field: &str,
    json: &serde_json::Value,
    expect: Expect,
    system: CoordinateSystem,
    max_vertices: usize,
) -> Result<Geometry, ValidationError> {
    check_vertex_count(field, json, max_vertices)?;
    let parsed: geojson::Geometry = serde_json::from_value(json.clone()).map_err(|err| {
        ValidationError::new(
            field,
            format!("not a GeoJSON geometry object (RFC 7946): {err}"),
            format!("不是 GeoJSON 几何对象（RFC 7946）：{err}"),
        )
    })?;
    let value = &parsed.value;
    let type_name = value.type_name();
    let allowed = match expect {
        Expect::Point => matches!(value, GeometryValue::Point { .. }),
        Expect::Area => matches!(
            value,
            GeometryValue::Polygon { .. } | GeometryValue::MultiPolygon { .. }
        ),
        Expect::Any => !matches!(value, GeometryValue::GeometryCollection { .. }),
    };
    if !allowed {
        let wanted = match expect {
            Expect::Point => "a Point",
            Expect::Area => "a Polygon or MultiPolygon",
            Expect::Any => "a Point, LineString, Polygon or their Multi- forms",
        };
        let wanted_zh = match expect {
            Expect::Point => "点（Point）",
            Expect::Area => "面（Polygon 或 MultiPolygon）",
            Expect::Any => "点、线、面或其多部件形式（Point、LineString、Polygon 及 Multi- 类型）",
        };
        return Err(ValidationError::new(
            field,
            format!("expected {wanted}, got a {type_name}"),
            format!("应为{wanted_zh}，提交的是 {type_name}"),
        ));
    }
    check_raw(field, value)?;
    let geometry = Geometry::try_from(value).map_err(|err| {
        ValidationError::new(
            field,
            format!("not a usable geometry: {err}"),
            format!("无法使用的几何图形：{err}"),
        )
    })?;
    if let Err(problem) = geometry.check_validation() {
        return Err(ValidationError::new(
            field,
            format!("invalid {type_name}: {problem}"),
            format!("{type_name} 几何图形无效：{problem}"),
        ));
    }
    Ok(system.to_wgs84(&geometry))
}

/// The checks the GeoJSON text itself must pass before `geo` sees it (which
/// silently closes open rings): position sizes, ranges, ring closure and length.
fn check_raw(field: &str, value: &GeometryValue) -> Result<(), ValidationError> {
    let positions = |list: &[geojson::Position]| -> Result<(), ValidationError> {
        for position in list {
            let p = position.as_slice();
            if p.len() < 2 {
                return Err(ValidationError::new(
                    field,
                    "every position needs a longitude and a latitude",
                    "每个坐标点都须有经度和纬度",
                ));
            }
            check_position(field, p[0], p[1])?;
        }
        Ok(())
    };
    let polygon = |rings: &[Vec<geojson::Position>]| -> Result<(), ValidationError> {
        if rings.is_empty() {
            return Err(ValidationError::new(
                field,
                "a polygon needs an exterior ring",
                "面须有外环",
            ));
        }
        for (index, ring) in rings.iter().enumerate() {
            positions(ring)?;
            let (which, which_zh) = if index == 0 {
                ("the exterior ring".to_owned(), "外环".to_owned())
            } else {
                (
                    format!("interior ring {index}"),
                    format!("第 {index} 个内环"),
                )
            };
            if ring.len() < 4 {
                return Err(ValidationError::new(
                    field,
                    format!(
                        "{which} has {} positions; a linear ring needs at least 4, the last equal to the first",
                        ring.len()
                    ),
                    format!(
                        "{which_zh}只有 {} 个坐标点；闭合环至少需要 4 个，且首尾相同",
                        ring.len()
                    ),
                ));
            }
            if ring.first().map(|p| p.as_slice()) != ring.last().map(|p| p.as_slice()) {
                return Err(ValidationError::new(
                    field,
                    format!("{which} is not closed: its last position must equal its first"),
                    format!("{which_zh}未闭合：最后一个坐标点须与第一个相同"),
                ));
            }
        }
        Ok(())
    };
    match value {
        GeometryValue::Point { coordinates } => positions(std::slice::from_ref(coordinates)),
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            positions(coordinates)
        }
        GeometryValue::MultiLineString { coordinates } => {
            coordinates.iter().try_for_each(|line| positions(line))
        }
        GeometryValue::Polygon { coordinates } => polygon(coordinates),
        GeometryValue::MultiPolygon { coordinates } => {
            coordinates.iter().try_for_each(|rings| polygon(rings))
        }
        GeometryValue::GeometryCollection { geometries } => geometries
            .iter()
            .try_for_each(|geometry| check_raw(field, &geometry.value)),
    }
}

fn check_position(field: &str, longitude: f64, latitude: f64) -> Result<(), ValidationError> {
    if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
        return Err(ValidationError::new(
            field,
            format!("longitude must be between -180 and 180 degrees, got {longitude}"),
            format!("经度应在 -180 至 180 度之间，填写的是 {longitude}"),
        ));
    }
    if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
        return Err(ValidationError::new(
            field,
            format!(
                "latitude must be between -90 and 90 degrees, got {latitude} (GeoJSON puts longitude first)"
            ),
            format!(
                "纬度应在 -90 至 90 度之间，填写的是 {latitude}（GeoJSON 中经度在前、纬度在后）"
            ),
        ));
    }
    Ok(())
}

/// `geometry` (WGS84) as a GeoJSON geometry object in `system`.
pub fn to_geojson(geometry: &Geometry, system: CoordinateSystem) -> serde_json::Value {
    let converted = system.from_wgs84(geometry);
    let value = GeometryValue::from(&converted);
    serde_json::to_value(geojson::Geometry::new(value)).unwrap_or(serde_json::Value::Null)
}

/// Reads a geometry this program stored (GeoJSON text, WGS84).
pub fn from_stored(text: &str) -> Option<Geometry> {
    let parsed: geojson::Geometry = text.parse().ok()?;
    Geometry::try_from(&parsed.value).ok()
}

/// The text a geometry is stored as: compact GeoJSON, WGS84.
pub fn to_stored(geometry: &Geometry) -> String {
    to_geojson(geometry, CoordinateSystem::Wgs84).to_string()
}

/// Geodesic area on the WGS84 ellipsoid, in m² (Karney's algorithm).
pub fn area_m2(geometry: &Geometry) -> f64 {
    geometry.geodesic_area_unsigned()
}

/// The representative point of a geometry: itself if a point, else its centroid.
pub fn representative_point(geometry: &Geometry) -> Option<Point> {
    match geometry {
        Geometry::Point(point) => Some(*point),
        other => other.centroid(),
    }
}

/// An area as a MultiPolygon (a Polygon or a box promoted to one), so a
/// collection holds one geometry type; `None` for a point or a line.
pub fn as_multi_polygon(geometry: Geometry) -> Option<Geometry> {
    let parts = match geometry {
        Geometry::Polygon(polygon) => vec![polygon],
        Geometry::Rect(rect) => vec![rect.to_polygon()],
        Geometry::Triangle(triangle) => vec![triangle.to_polygon()],
        Geometry::MultiPolygon(multi) => return Some(Geometry::MultiPolygon(multi)),
        _ => return None,
    };
    Some(Geometry::MultiPolygon(geo::MultiPolygon::new(parts)))
}

/// Geodesic distance in metres between two points (WGS84 ellipsoid).
pub fn distance_m(a: Point, b: Point) -> f64 {
    Geodesic.distance(a, b)
}

/// A spatial condition on a carrier's geometry (its footprint, or its location
/// where it has no footprint); all in WGS84.
#[derive(Debug, Clone)]
pub enum SpatialPredicate {
    /// Shares at least a point with the shape.
    Intersects(Geometry),
    /// Lies wholly inside the shape (DE-9IM within: no point outside, one inside).
    Within(Geometry),
    /// The carrier's point (location, or footprint centroid) is at most
    /// `radius_m` geodesic metres from `centre`.
    Near { centre: Point, radius_m: f64 },
}

impl SpatialPredicate {
    /// A `near` condition, checked.
    pub fn near(
        field: &str,
        longitude: f64,
        latitude: f64,
        radius_m: f64,
    ) -> Result<Self, ValidationError> {
        check_position(field, longitude, latitude)?;
        if !radius_m.is_finite() || !(0.0..=1_000_000.0).contains(&radius_m) {
            return Err(ValidationError::new(
                field,
                format!("radiusMeters must be between 0 and 1,000,000, got {radius_m}"),
                format!("半径（radiusMeters）应在 0 至 1,000,000 米之间，填写的是 {radius_m}"),
            ));
        }
        Ok(Self::Near {
            centre: Point::new(longitude, latitude),
            radius_m,
        })
    }

    /// A box every matching geometry's box overlaps: the SQL prefilter.
    pub fn prefilter(&self) -> Option<BBox> {
        match self {
            Self::Intersects(shape) | Self::Within(shape) => BBox::of(shape),
            Self::Near { centre, radius_m } => {
                // A degree of latitude is at least 110.5 km, of longitude that
                // times cos(latitude); pad by 1% so the box always covers the circle.
                let dlat = radius_m * 1.01 / 110_500.0;
                let lat = centre.y().abs() + dlat;
                let dlon = if lat >= 89.0 {
                    180.0
                } else {
                    radius_m * 1.01 / (110_500.0 * lat.to_radians().cos())
                };
                Some(BBox {
                    min_lon: (centre.x() - dlon).max(-180.0),
                    min_lat: (centre.y() - dlat).max(-90.0),
                    max_lon: (centre.x() + dlon).min(180.0),
                    max_lat: (centre.y() + dlat).min(90.0),
                })
            }
        }
    }

    /// The ids of `candidates` whose geometry meets the condition. The
    /// condition's shape is prepared (indexed) once for the whole batch.
    pub fn select<I>(&self, candidates: I) -> Vec<i32>
    where
        I: IntoIterator<Item = (i32, Geometry)>,
    {
        match self {
            Self::Within(shape) => {
                let prepared = PreparedGeometry::from(shape.clone());
                candidates
                    .into_iter()
                    // `a` within `b` is `b` contains `a`, transposed.
                    .filter(|(_, geometry)| prepared.relate(geometry).is_contains())
                    .map(|(id, _)| id)
                    .collect()
            }
            _ => candidates
                .into_iter()
                .filter(|(_, geometry)| self.matches(geometry))
                .map(|(id, _)| id)
                .collect(),
        }
    }

    /// The exact decision for one carrier's geometry.
    pub fn matches(&self, geometry: &Geometry) -> bool {
        match self {
            Self::Intersects(shape) => geometry.intersects(shape),
            Self::Within(shape) => geometry.relate(shape).is_within(),
            Self::Near { centre, radius_m } => representative_point(geometry)
                .is_some_and(|point| distance_m(*centre, point) <= *radius_m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn square(lon: f64, lat: f64, side: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[
            [lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]
        ]]})
    }

    fn wgs84(value: &serde_json::Value, expect: Expect) -> Result<Geometry, ValidationError> {
        parse(
            "footprint",
            value,
            expect,
            CoordinateSystem::Wgs84,
            DEFAULT_MAX_VERTICES,
        )
    }

    #[test]
    fn invalid_shapes_are_refused_with_a_message_naming_the_problem() {
        let cases: &[(&str, serde_json::Value, &str)] = &[
            (
                "open ring",
                json!({"type": "Polygon", "coordinates": [[[120.0, 31.0], [120.1, 31.0], [120.1, 31.1], [120.0, 31.1]]]}),
                "not closed",
            ),
            (
                "too short",
                json!({"type": "Polygon", "coordinates": [[[120.0, 31.0], [120.1, 31.0], [120.0, 31.0]]]}),
                "at least 4",
            ),
            (
                "bow tie",
                json!({"type": "Polygon", "coordinates": [[[120.0, 31.0], [120.1, 31.1], [120.1, 31.0], [120.0, 31.1], [120.0, 31.0]]]}),
                "self-intersection",
            ),
            (
                "latitude out of range",
                json!({"type": "Polygon", "coordinates": [[[31.0, 120.0], [31.1, 120.0], [31.1, 120.1], [31.0, 120.0]]]}),
                "latitude must be between",
            ),
            (
                "longitude out of range",
                json!({"type": "Point", "coordinates": [181.0, 31.0]}),
                "longitude must be between",
            ),
            (
                "not GeoJSON",
                json!({"type": "Circle", "coordinates": [120.0, 31.0]}),
                "not a GeoJSON geometry",
            ),
            (
                "wrong type",
                json!({"type": "LineString", "coordinates": [[120.0, 31.0], [120.1, 31.0]]}),
                "expected a Polygon or MultiPolygon, got a LineString",
            ),
        ];
        for (name, value, expected) in cases {
            let expect = if name.contains("longitude") {
                Expect::Point
            } else {
                Expect::Area
            };
            let err = wgs84(value, expect).expect_err(name);
            assert_eq!(err.field, "footprint", "{name}");
            assert!(
                err.message.contains(expected),
                "{name}: '{}' lacks '{expected}'",
                err.message
            );
        }
    }

    #[test]
    fn a_polygon_with_a_hole_and_a_multipolygon_are_accepted() {
        let holed = json!({"type": "Polygon", "coordinates": [
            [[120.0, 31.0], [120.01, 31.0], [120.01, 31.01], [120.0, 31.01], [120.0, 31.0]],
            [[120.002, 31.002], [120.004, 31.002], [120.004, 31.004], [120.002, 31.002]]
        ]});
        assert!(wgs84(&holed, Expect::Area).is_ok());
        let multi = json!({"type": "MultiPolygon", "coordinates": [
            square(120.0, 31.0, 0.001)["coordinates"].clone(),
            square(120.01, 31.0, 0.001)["coordinates"].clone(),
        ]});
        assert!(wgs84(&multi, Expect::Area).is_ok());
    }

    #[test]
    fn a_geodesic_area_matches_the_ellipsoid_for_a_small_square() {
        // 0.001° × 0.001° at 31.5° N: 111.0 m × 95.0 m (WGS84 ellipsoid), about 10,533 m².
        let geometry = wgs84(&square(120.3, 31.5, 0.001), Expect::Area).unwrap();
        let area = area_m2(&geometry);
        assert!((area - 10_533.0).abs() < 5.0, "{area}");
    }

    #[test]
    fn gcj02_matches_published_reference_points_within_a_metre() {
        // (WGS84 lon, lat) → (GCJ-02 lon, lat); the Beijing pair is the
        // reference of eviltransform and coordtransform.
        let cases = [
            (
                (116.404, 39.915),
                (116.410_244_499_169_38, 39.916_404_281_501_64),
            ),
            // Outside China no offset applies.
            ((2.2945, 48.8584), (2.2945, 48.8584)),
            ((-122.4194, 37.7749), (-122.4194, 37.7749)),
        ];
        for ((lon, lat), (glon, glat)) in cases {
            let point = Geometry::Point(Point::new(lon, lat));
            let out = CoordinateSystem::Gcj02.from_wgs84(&point);
            let Geometry::Point(out) = out else {
                panic!("a point stays a point")
            };
            let off = distance_m(out, Point::new(glon, glat));
            assert!(off < 1.0, "{lon},{lat}: {off} m off");
            // and back again
            let back = CoordinateSystem::Gcj02.to_wgs84(&Geometry::Point(out));
            let Geometry::Point(back) = back else {
                panic!("a point stays a point")
            };
            assert!(distance_m(back, Point::new(lon, lat)) < 1.0);
        }
    }

    #[test]
    fn the_gcj02_offset_near_wuxi_is_a_few_hundred_metres() {
        let wuxi = Geometry::Point(Point::new(120.31, 31.49));
        let Geometry::Point(moved) = CoordinateSystem::Gcj02.from_wgs84(&wuxi) else {
            panic!("a point stays a point")
        };
        let offset = distance_m(moved, Point::new(120.31, 31.49));
        assert!((300.0..700.0).contains(&offset), "{offset}");
    }

    #[test]
    fn predicates_decide_exactly() {
        let district = wgs84(&square(120.0, 31.0, 0.1), Expect::Area).unwrap();
        let inside = wgs84(&square(120.01, 31.01, 0.001), Expect::Area).unwrap();
        let across = wgs84(&square(120.099, 31.05, 0.01), Expect::Area).unwrap();
        let outside = wgs84(&square(120.2, 31.2, 0.001), Expect::Area).unwrap();
        let within = SpatialPredicate::Within(district.clone());
        let intersects = SpatialPredicate::Intersects(district);
        let table = [
            (&inside, true, true),
            (&across, false, true),
            (&outside, false, false),
        ];
        for (geometry, is_within, does_intersect) in table {
            assert_eq!(within.matches(geometry), is_within);
            assert_eq!(intersects.matches(geometry), does_intersect);
        }
        let batch = vec![
            (1, inside.clone()),
            (2, across.clone()),
            (3, outside.clone()),
        ];
        assert_eq!(within.select(batch.clone()), vec![1]);
        assert_eq!(intersects.select(batch), vec![1, 2]);
        let near = SpatialPredicate::near("near", 120.0, 31.0, 1_000.0).unwrap();
        assert!(near.matches(&Geometry::Point(Point::new(120.0, 31.008))));
        assert!(!near.matches(&Geometry::Point(Point::new(120.0, 31.01))));
        let bbox = near.prefilter().unwrap();
        assert!(bbox.max_lat > 31.009 && bbox.max_lon > 120.0105);
    }

    #[test]
    fn a_bounding_box_is_four_ordered_numbers() {
        assert!(BBox::new("bbox", &[120.0, 31.0, 121.0, 32.0]).is_ok());
        assert!(BBox::new("bbox", &[121.0, 31.0, 120.0, 32.0]).is_err());
        assert!(BBox::new("bbox", &[120.0, 31.0, 121.0]).is_err());
    }

    #[test]
    fn vertices_are_counted_in_every_ring_and_part() {
        let holed = json!({"type": "Polygon", "coordinates": [
            [[120.0, 31.0], [120.01, 31.0], [120.01, 31.01], [120.0, 31.01], [120.0, 31.0]],
            [[120.002, 31.002], [120.004, 31.002], [120.004, 31.004], [120.002, 31.002]]
        ]});
        assert_eq!(vertex_count(&holed), 9);
        let point = json!({"type": "Point", "coordinates": [120.0, 31.0]});
        assert_eq!(vertex_count(&point), 1);
        let collection = json!({"type": "GeometryCollection", "geometries": [point, holed]});
        assert_eq!(vertex_count(&collection), 10);
    }

    #[test]
    fn a_geometry_over_the_vertex_limit_is_refused_before_it_is_read() {
        // Open and self-intersecting: refused for its size all the same, so
        // no geometry work was done.
        let ring: Vec<[f64; 2]> = (0..50)
            .map(|i| [120.0 + f64::from(i) * 1e-4, 31.0 + f64::from(i % 2) * 1e-4])
            .collect();
        let polygon = json!({"type": "Polygon", "coordinates": [ring]});
        let err = parse(
            "filter.within",
            &polygon,
            Expect::Any,
            CoordinateSystem::Wgs84,
            49,
        )
        .unwrap_err();
        assert_eq!(err.field, "filter.within");
        assert!(
            err.message.contains("50 vertices, over the limit of 49"),
            "{}",
            err.message
        );
        let err = parse(
            "filter.within",
            &polygon,
            Expect::Any,
            CoordinateSystem::Wgs84,
            50,
        )
        .unwrap_err();
        assert!(!err.message.contains("vertices"), "{}", err.message);
    }

    #[test]
    fn gcj02_input_is_stored_in_wgs84() {
        let gcj = json!({"type": "Point", "coordinates": [116.410_244_499_169_38, 39.916_404_281_501_64]});
        let point = parse(
            "location",
            &gcj,
            Expect::Point,
            CoordinateSystem::Gcj02,
            DEFAULT_MAX_VERTICES,
        )
        .unwrap();
        let Geometry::Point(point) = point else {
            panic!("a point")
        };
        assert!(distance_m(point, Point::new(116.404, 39.915)) < 1.0);
    }
}
