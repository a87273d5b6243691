//! Demo geometry: plausible footprints around each demo carrier's location,
//! and **approximate** district boundaries.
//!
//! The boundaries are not the real ones: each district gets the cell of its
//! centre in a Voronoi partition of a box around Wuxi (every point goes to the
//! nearest district centre). They tile the box without overlap, which is all
//! the demo needs; real boundaries come in with `zaiti import districts`.
//! A footprint is a rotated rectangle (two for science complexes) whose area
//! is the carrier's floor area spread over a few storeys.

use std::collections::HashMap;

use geo::{Geometry, LineString, MultiPolygon, Polygon};
use sea_orm::DatabaseConnection;

use super::{DISTRICTS, SplitMix64};
use crate::domain::access::Actor;
use crate::domain::carrier::CarrierKind;
use crate::error::AppResult;
use crate::store;
use crate::store::spatial::{GeometryPatch, Shape};

/// The box the approximate boundaries tile: Wuxi's extent, roughly.
const CITY_BOX: (f64, f64, f64, f64) = (119.52, 31.12, 120.62, 32.02);
/// Metres in a degree of latitude, near 31.5° N.
const METRES_PER_DEGREE_LAT: f64 = 110_880.0;

/// Adds the demo geometry that is missing: boundaries if no district has
/// one yet, a footprint for every located carrier that has none. Idempotent.
pub(super) async fn load(db: &DatabaseConnection) -> AppResult<String> {
    let actor = Actor::system("demo data");
    let mut said = Vec::new();
    if store::spatial::boundaries(db).await?.is_empty() {
        let boundaries = approximate_boundaries();
        let districts = store::district::all(db).await?;
        let shapes: Vec<(i32, Shape)> = districts
            .iter()
            .filter_map(|d| {
                let geometry = boundaries.get(d.code.as_str())?.clone();
                Shape::new(geometry).map(|shape| (d.id, shape))
            })
            .collect();
        said.push(format!("{} approximate district boundaries", shapes.len()));
        store::spatial::import_boundaries(db, &actor, shapes).await?;
    }
    let carriers: Vec<entity::carrier::Model> = {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::carrier::Entity::find()
            .order_by_asc(entity::carrier::Column::Id)
            .all(db)
            .await?
    };
    let ids: Vec<i32> = carriers.iter().map(|c| c.id).collect();
    let existing = store::spatial::footprints_of(db, &ids).await?;
    // All phases, planned ones included: the footprint is the whole site.
    let last_day = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap_or_default();
    let floor = store::space_phase::floor_area_on(db, &ids, last_day).await?;
    let mut added = 0;
    for carrier in &carriers {
        let (Some(lon), Some(lat)) = (carrier.longitude, carrier.latitude) else {
            continue;
        };
        if existing.contains_key(&carrier.id) {
            continue;
        }
        let two_blocks = carrier.kind == CarrierKind::ScienceComplex.as_ref();
        let floor_area = floor.get(&carrier.id).copied().unwrap_or_default();
        let footprint = footprint_near(seed_of(&carrier.name), lon, lat, floor_area, two_blocks);
        let Some(shape) = Shape::new(footprint) else {
            continue;
        };
        let patch = GeometryPatch {
            location: None,
            footprint: Some(Some(shape)),
        };
        store::spatial::set_carrier_geometry(db, &actor, carrier.id, carrier.version, patch)
            .await?;
        added += 1;
    }
    if added > 0 {
        said.push(format!("{added} carrier footprints"));
    }
    Ok(said.join(", "))
}

/// A stable seed from a carrier's name (FNV-1a), so footprints do not depend on ids.
fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A footprint around (`lon`, `lat`): a rotated rectangle of the floor area
/// spread over 3 to 12 storeys (300 to 30,000 m²), or two such blocks.
pub(super) fn footprint_near(
    seed: u64,
    lon: f64,
    lat: f64,
    floor_area_m2: f64,
    two_blocks: bool,
) -> Geometry {
    let mut rng = SplitMix64(seed);
    let storeys = rng.between(3.0, 12.0);
    let area = (floor_area_m2 / storeys).clamp(300.0, 30_000.0);
    let aspect = rng.between(1.2, 2.5);
    let angle = rng.between(0.0, std::f64::consts::PI);
    let metres_per_degree_lon = METRES_PER_DEGREE_LAT * lat.to_radians().cos();
    let block = |area: f64, offset_m: (f64, f64)| -> Polygon {
        let width = (area / aspect).sqrt();
        let length = width * aspect;
        let corners = [
            (-0.5, -0.5),
            (0.5, -0.5),
            (0.5, 0.5),
            (-0.5, 0.5),
            (-0.5, -0.5),
        ];
        let ring: Vec<(f64, f64)> = corners
            .iter()
            .map(|(u, v)| {
                let (x, y) = (u * length + offset_m.0, v * width + offset_m.1);
                let (east, north) = (
                    x * angle.cos() - y * angle.sin(),
                    x * angle.sin() + y * angle.cos(),
                );
                (
                    round6(lon + east / metres_per_degree_lon),
                    round6(lat + north / METRES_PER_DEGREE_LAT),
                )
            })
            .collect();
        Polygon::new(LineString::from(ring), vec![])
    };
    if two_blocks {
        let half = area / 2.0;
        let width = (half / aspect).sqrt();
        let gap = width / 2.0 + 12.0;
        Geometry::MultiPolygon(MultiPolygon::new(vec![
            block(half, (0.0, -gap)),
            block(half, (0.0, gap)),
        ]))
    } else {
        Geometry::Polygon(block(area, (0.0, 0.0)))
    }
}

fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// The Voronoi cell of each district centre within [`CITY_BOX`], by code.
pub(super) fn approximate_boundaries() -> HashMap<&'static str, Geometry> {
    // Work in a plane where a unit is the same distance east and north.
    let scale = 31.6_f64.to_radians().cos();
    let to_plane = |(lon, lat): (f64, f64)| (lon * scale, lat);
    let (west, south, east, north) = CITY_BOX;
    let box_ring = vec![
        to_plane((west, south)),
        to_plane((east, south)),
        to_plane((east, north)),
        to_plane((west, north)),
    ];
    DISTRICTS
        .iter()
        .map(|district| {
            let centre = to_plane(district.centre);
            let mut cell = box_ring.clone();
            for other in DISTRICTS.iter().filter(|d| d.code != district.code) {
                cell = clip_to_nearer(&cell, centre, to_plane(other.centre));
            }
            let mut ring: Vec<(f64, f64)> = cell
                .iter()
                .map(|(x, y)| (round6(x / scale), round6(*y)))
                .collect();
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            let polygon = Polygon::new(LineString::from(ring), vec![]);
            (district.code, Geometry::Polygon(polygon))
        })
        .collect()
}

/// Keeps the part of convex polygon `ring` nearer to `a` than to `b`
/// (Sutherland–Hodgman against the perpendicular bisector).
fn clip_to_nearer(ring: &[(f64, f64)], a: (f64, f64), b: (f64, f64)) -> Vec<(f64, f64)> {
    let (nx, ny) = (b.0 - a.0, b.1 - a.1);
    let (mx, my) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let side = |p: (f64, f64)| (p.0 - mx) * nx + (p.1 - my) * ny;
    let mut out = Vec::with_capacity(ring.len() + 1);
    for (i, &current) in ring.iter().enumerate() {
        let previous = ring[(i + ring.len() - 1) % ring.len()];
        let (sc, sp) = (side(current), side(previous));
        if (sc <= 0.0) != (sp <= 0.0) {
            let t = sp / (sp - sc);
            out.push((
                previous.0 + t * (current.0 - previous.0),
                previous.1 + t * (current.1 - previous.1),
            ));
        }
        if sc <= 0.0 {
            out.push(current);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::{self, CoordinateSystem, Expect};
    use geo::{Area, Contains, Point};

    #[test]
    fn the_approximate_boundaries_are_valid_tile_the_city_box_and_hold_their_centres() {
        let boundaries = approximate_boundaries();
        assert_eq!(boundaries.len(), DISTRICTS.len());
        let mut total = 0.0;
        for district in &DISTRICTS {
            let cell = &boundaries[district.code];
            let json = geometry::to_geojson(cell, CoordinateSystem::Wgs84);
            geometry::parse(
                "boundary",
                &json,
                Expect::Area,
                CoordinateSystem::Wgs84,
                geometry::DEFAULT_MAX_VERTICES,
            )
            .unwrap_or_else(|err| panic!("{}: {err}", district.code));
            assert!(cell.contains(&Point::new(district.centre.0, district.centre.1)));
            total += cell.unsigned_area();
        }
        let (west, south, east, north) = CITY_BOX;
        let whole = (east - west) * (north - south);
        assert!((total - whole).abs() / whole < 1e-6, "{total} vs {whole}");
    }

    #[test]
    fn a_footprint_is_valid_holds_its_location_and_has_a_plausible_area() {
        for (seed, two_blocks) in [(1, false), (2, true), (3, false)] {
            let footprint = footprint_near(seed, 120.3, 31.5, 20_000.0, two_blocks);
            let json = geometry::to_geojson(&footprint, CoordinateSystem::Wgs84);
            geometry::parse(
                "footprint",
                &json,
                Expect::Area,
                CoordinateSystem::Wgs84,
                geometry::DEFAULT_MAX_VERTICES,
            )
            .unwrap();
            let area = geometry::area_m2(&footprint);
            assert!((1_500.0..7_000.0).contains(&area), "{area}");
            if !two_blocks {
                assert!(footprint.contains(&Point::new(120.3, 31.5)));
            }
        }
    }
}
