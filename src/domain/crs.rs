//! The coordinate reference systems the OGC API serves (OGC API – Features
//! Part 2): CRS84 (the default), CGCS2000 geographic (EPSG:4490) and
//! CGCS2000 / 3-degree Gauss-Krüger CM 120°E (EPSG:4549), the projected
//! zone Wuxi's natural-resources bureau works in.
//!
//! Geometry is stored in WGS84 longitude-latitude. CGCS2000 and WGS84 are
//! taken as the same datum: their realisations differ by well under a metre
//! (a few centimetres today), below the accuracy of any footprint here, so
//! EPSG:4490 is CRS84 with the axes swapped (EPSG's order: latitude first),
//! and EPSG:4549 is a transverse Mercator projection of it on the GRS80
//! ellipsoid (northing first, then easting with a false easting of 500 km),
//! computed by `proj4rs` (Poder/Engsager's exact series, as PROJ uses).

use std::sync::LazyLock;

use geo::{Geometry, MapCoords};
use proj4rs::Proj;

use super::ValidationError;
use super::geometry::BBox;

/// A coordinate reference system offered by `crs` and `bbox-crs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    /// WGS84 longitude, latitude: GeoJSON's and the API's default.
    #[default]
    Crs84,
    /// CGCS2000 geographic, EPSG:4490: latitude, longitude.
    Cgcs2000,
    /// CGCS2000 / 3-degree Gauss-Kruger CM 120E, EPSG:4549: northing, easting in metres.
    Cgcs2000GaussKruger120,
}

/// Points per edge when a box in projected metres is turned into degrees:
/// its edges are straight in metres but slightly curved in degrees.
const BOX_EDGE_POINTS: usize = 16;

/// Longitude-latitude on GRS80 (CGCS2000's ellipsoid; WGS84's differs by 0.1 mm in b).
static GEOGRAPHIC: LazyLock<Proj> = LazyLock::new(|| {
    Proj::from_proj_string("+proj=longlat +ellps=GRS80 +no_defs")
        .expect("a valid PROJ string for CGCS2000 geographic")
});

/// EPSG:4549's projection: central meridian 120°E, scale 1, false easting 500 km.
static GAUSS_KRUGER_120: LazyLock<Proj> = LazyLock::new(|| {
    Proj::from_proj_string(
        "+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs",
    )
    .expect("a valid PROJ string for EPSG:4549")
});

impl Crs {
    /// Every system offered, the default first.
    pub const ALL: [Crs; 3] = [Crs::Crs84, Crs::Cgcs2000, Crs::Cgcs2000GaussKruger120];

    /// The OGC URI that names the system in `crs`, `bbox-crs` and `Content-Crs`.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Self::Cgcs2000 => "http://www.opengis.net/def/crs/EPSG/0/4490",
            Self::Cgcs2000GaussKruger120 => "http://www.opengis.net/def/crs/EPSG/0/4549",
        }
    }

    /// The short name, e.g. `EPSG:4490`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Crs84 => "OGC:CRS84",
            Self::Cgcs2000 => "EPSG:4490",
            Self::Cgcs2000GaussKruger120 => "EPSG:4549",
        }
    }

    /// The URIs of every system offered.
    pub fn uris() -> Vec<&'static str> {
        Self::ALL.iter().map(|crs| crs.uri()).collect()
    }

    /// The system a `crs` or `bbox-crs` value names: its URI (http or
    /// https), its safe CURIE `[EPSG:4490]` or its code `EPSG:4490`.
    /// Anything else is refused with the list of URIs offered.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        let wanted = text.trim().trim_start_matches('[').trim_end_matches(']');
        let wanted = wanted
            .strip_prefix("https://")
            .map_or_else(|| wanted.to_owned(), |rest| format!("http://{rest}"));
        Self::ALL
            .into_iter()
            .find(|crs| {
                wanted == crs.uri()
                    || wanted.eq_ignore_ascii_case(crs.code())
                    || (*crs == Self::Crs84 && wanted.eq_ignore_ascii_case("CRS84"))
            })
            .ok_or_else(|| {
                let offered = Self::uris();
                ValidationError::new(
                    field,
                    format!(
                        "'{text}' is not an offered coordinate reference system; offered: {}",
                        offered.join(", ")
                    ),
                    format!("不提供坐标参考系“{text}”；可用：{}", offered.join("、")),
                )
            })
    }

    /// Whether the system is in metres (projected) rather than degrees.
    pub fn is_projected(self) -> bool {
        self == Self::Cgcs2000GaussKruger120
    }

    /// A WGS84 longitude-latitude position in this system, in its axis order.
    pub fn from_lon_lat(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Self::Crs84 => (lon, lat),
            Self::Cgcs2000 => (lat, lon),
            Self::Cgcs2000GaussKruger120 => {
                let mut point = (lon.to_radians(), lat.to_radians(), 0.0);
                match proj4rs::transform::transform(&GEOGRAPHIC, &GAUSS_KRUGER_120, &mut point) {
                    // Millimetres: finer figures are noise.
                    Ok(()) => (round_mm(point.1), round_mm(point.0)),
                    Err(_) => (f64::NAN, f64::NAN),
                }
            }
        }
    }

    /// A position given in this system's axis order, as WGS84 longitude-latitude.
    pub fn to_lon_lat(self, first: f64, second: f64) -> Option<(f64, f64)> {
        match self {
            Self::Crs84 => Some((first, second)),
            Self::Cgcs2000 => Some((second, first)),
            Self::Cgcs2000GaussKruger120 => {
                let mut point = (second, first, 0.0);
                proj4rs::transform::transform(&GAUSS_KRUGER_120, &GEOGRAPHIC, &mut point).ok()?;
                Some((point.0.to_degrees(), point.1.to_degrees()))
            }
        }
    }

    /// A stored (WGS84) geometry with its positions in this system, in its
    /// axis order, ready to be written as GeoJSON coordinates.
    pub fn project(self, geometry: &Geometry) -> Geometry {
        if self == Self::Crs84 {
            return geometry.clone();
        }
        geometry.map_coords(|c| {
            let (x, y) = self.from_lon_lat(c.x, c.y);
            geo::coord! { x: x, y: y }
        })
    }

    /// A box given as `bbox` with `bbox-crs` naming this system: four numbers
    /// (two corners) or six (with heights, which are ignored), in this
    /// system's axis order. Returns the area it covers, in WGS84.
    pub fn bbox_area(self, field: &str, values: &[f64]) -> Result<Geometry, ValidationError> {
        let corners: [f64; 4] = match values {
            [a, b, c, d] => [*a, *b, *c, *d],
            [a, b, _, d, e, _] => [*a, *b, *d, *e],
            _ => {
                return Err(ValidationError::new(
                    field,
                    format!(
                        "a bounding box is four numbers (two corners) or six (with heights), got {}",
                        values.len()
                    ),
                    format!(
                        "范围框应为 4 个数（两个角点）或 6 个数（含高程），填写了 {} 个",
                        values.len()
                    ),
                ));
            }
        };
        let [a1, b1, a2, b2] = corners;
        if !self.is_projected() {
            let (min_lon, min_lat) = self.to_lon_lat(a1, b1).unwrap_or((a1, b1));
            let (max_lon, max_lat) = self.to_lon_lat(a2, b2).unwrap_or((a2, b2));
            return Ok(BBox::new(field, &[min_lon, min_lat, max_lon, max_lat])?.to_geometry());
        }
        if a1 > a2 || b1 > b2 || corners.iter().any(|v| !v.is_finite()) {
            return Err(ValidationError::new(
                field,
                "a bounding box's minimum must not exceed its maximum ([minNorthing, minEasting, maxNorthing, maxEasting] in EPSG:4549)",
                "范围框的最小值不能大于最大值（EPSG:4549 中顺序为 [最小北坐标, 最小东坐标, 最大北坐标, 最大东坐标]）",
            ));
        }
        // The box's outline in metres, point by point, then in degrees.
        let step =
            |from: f64, to: f64, i: usize| from + (to - from) * i as f64 / BOX_EDGE_POINTS as f64;
        let mut ring = Vec::with_capacity(4 * BOX_EDGE_POINTS + 1);
        for i in 0..BOX_EDGE_POINTS {
            ring.push((a1, step(b1, b2, i)));
        }
        for i in 0..BOX_EDGE_POINTS {
            ring.push((step(a1, a2, i), b2));
        }
        for i in 0..BOX_EDGE_POINTS {
            ring.push((a2, step(b2, b1, i)));
        }
        for i in 0..BOX_EDGE_POINTS {
            ring.push((step(a2, a1, i), b1));
        }
        ring.push((a1, b1));
        let degrees: Option<Vec<geo::Coord>> = ring
            .into_iter()
            .map(|(n, e)| {
                self.to_lon_lat(n, e)
                    .filter(|(lon, lat)| lon.is_finite() && (-90.0..=90.0).contains(lat))
                    .map(|(lon, lat)| geo::coord! { x: lon, y: lat })
            })
            .collect();
        let degrees = degrees.ok_or_else(|| {
            ValidationError::new(
                field,
                "the bounding box lies outside the area EPSG:4549 covers",
                "范围框超出了 EPSG:4549 的适用范围",
            )
        })?;
        Ok(Geometry::Polygon(geo::Polygon::new(
            geo::LineString::new(degrees),
            Vec::new(),
        )))
    }
}

fn round_mm(metres: f64) -> f64 {
    (metres * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::distance_m;

    #[test]
    fn offered_systems_parse_by_uri_curie_and_code_and_others_are_refused() {
        for crs in Crs::ALL {
            assert_eq!(Crs::parse("crs", crs.uri()), Ok(crs));
            assert_eq!(Crs::parse("crs", &format!("[{}]", crs.code())), Ok(crs));
            assert_eq!(
                Crs::parse("crs", &crs.uri().replace("http://", "https://")),
                Ok(crs)
            );
        }
        let refused = Crs::parse("crs", "http://www.opengis.net/def/crs/EPSG/0/3857")
            .expect_err("Web Mercator is not offered");
        assert!(refused.message.contains("EPSG/0/4549"), "{refused:?}");
    }

    #[test]
    fn cgcs2000_geographic_puts_latitude_first() {
        assert_eq!(Crs::Cgcs2000.from_lon_lat(120.3, 31.5), (31.5, 120.3));
        assert_eq!(Crs::Cgcs2000.to_lon_lat(31.5, 120.3), Some((120.3, 31.5)));
    }

    /// Reference values from PROJ 9.1 (`cs2cs EPSG:4490 EPSG:4549`, Debian's proj-bin).
    #[test]
    fn gauss_kruger_matches_proj_reference_points() {
        // On the central meridian, the northing is the meridian arc: 3,320,113.398 m at 30°N.
        let (north, east) = Crs::Cgcs2000GaussKruger120.from_lon_lat(120.0, 30.0);
        assert!((east - 500_000.0).abs() < 0.001, "{east}");
        assert!((north - 3_320_113.398).abs() < 0.002, "{north}");
        for (lon, lat, want_north, want_east) in REFERENCE {
            let (north, east) = Crs::Cgcs2000GaussKruger120.from_lon_lat(lon, lat);
            assert!((north - want_north).abs() < 0.002, "{lon},{lat}: {north}");
            assert!((east - want_east).abs() < 0.002, "{lon},{lat}: {east}");
            let (back_lon, back_lat) = Crs::Cgcs2000GaussKruger120
                .to_lon_lat(north, east)
                .expect("inverse");
            assert!((back_lon - lon).abs() < 1e-8 && (back_lat - lat).abs() < 1e-8);
        }
    }

    /// Wuxi's centre, Jiangyin (north-east) and Yixing (south-west), through `cs2cs`.
    const REFERENCE: [(f64, f64, f64, f64); 3] = [
        (120.3, 31.5, 3_486_450.197, 528_500.756),
        (120.285, 31.905, 3_531_353.702, 526_958.325),
        (119.823, 31.34, 3_468_684.469, 483_156.007),
    ];

    #[test]
    fn projected_distances_agree_with_geodesic_ones_near_the_meridian() {
        // Scale is 1 on the central meridian and grows with the square of the distance from it.
        let a = (120.30, 31.50);
        let b = (120.31, 31.51);
        let (na, ea) = Crs::Cgcs2000GaussKruger120.from_lon_lat(a.0, a.1);
        let (nb, eb) = Crs::Cgcs2000GaussKruger120.from_lon_lat(b.0, b.1);
        let grid = ((na - nb).powi(2) + (ea - eb).powi(2)).sqrt();
        let ground = distance_m(geo::Point::new(a.0, a.1), geo::Point::new(b.0, b.1));
        let offset = ea - 500_000.0;
        let scale = 1.0 + offset * offset / (2.0 * 6_371_000.0_f64.powi(2));
        assert!((grid / ground - scale).abs() < 2e-6, "{grid} vs {ground}");
    }

    #[test]
    fn boxes_take_four_or_six_numbers_in_the_systems_axis_order() {
        let plain = Crs::Crs84
            .bbox_area("bbox", &[120.0, 31.0, 121.0, 32.0])
            .expect("a box");
        let with_heights = Crs::Crs84
            .bbox_area("bbox", &[120.0, 31.0, -10.0, 121.0, 32.0, 100.0])
            .expect("a box");
        assert_eq!(plain, with_heights);
        let swapped = Crs::Cgcs2000
            .bbox_area("bbox", &[31.0, 120.0, 32.0, 121.0])
            .expect("a box");
        assert_eq!(plain, swapped);
        assert!(Crs::Crs84.bbox_area("bbox", &[1.0, 2.0, 3.0]).is_err());
        let (n1, e1) = Crs::Cgcs2000GaussKruger120.from_lon_lat(120.2, 31.4);
        let (n2, e2) = Crs::Cgcs2000GaussKruger120.from_lon_lat(120.4, 31.6);
        let projected = Crs::Cgcs2000GaussKruger120
            .bbox_area("bbox", &[n1, e1, n2, e2])
            .expect("a box");
        let degrees = BBox::of(&projected).expect("a box");
        assert!((degrees.min_lon - 120.2).abs() < 1e-3 && (degrees.max_lat - 31.6).abs() < 1e-3);
        assert!(
            Crs::Cgcs2000GaussKruger120
                .bbox_area("bbox", &[n2, e2, n1, e1])
                .is_err()
        );
    }
}
