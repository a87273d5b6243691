//! Carriers and districts as GeoJSON features (RFC 7946, WGS84): what the OGC
//! API serves at `/ogc` and `zaiti export geojson` writes.
//!
//! Each collection is a [`Collection`] value; a new one (platforms) is a new
//! variant with its own filter and feature builder.

use std::collections::HashMap;

use entity::{carrier, district, level_recognition};
use serde_json::{Value, json};

use crate::domain::carrier::{CarrierKind, CarrierStatus, Level};
use crate::domain::geometry::{self, CoordinateSystem};
use crate::domain::level::{Recognition, level_on};
use crate::error::AppResult;
use crate::graphql::node::{NodeType, global_id};
use crate::store;
use crate::store::carrier::{CarrierFilter, CarrierOrder};
use crate::store::page::{Page, PageArgs};

/// The feature collections served.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::AsRefStr, strum::EnumString,
)]
#[strum(serialize_all = "lowercase")]
pub enum Collection {
    /// 载体: footprint polygons, or location points where no footprint is known.
    Carriers,
    /// 行政区: boundaries (the demo's are approximate).
    Districts,
}

impl Collection {
    pub fn title(self) -> &'static str {
        match self {
            Self::Carriers => "Carriers (载体)",
            Self::Districts => "Districts (行政区)",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Carriers => {
                "Science and technology incubation carriers: makerspaces, incubators, accelerators and science complexes. Geometry is the footprint where known, else the location point. Filter with kind, level, status and district (a code)."
            }
            Self::Districts => {
                "The city's administrative units with their stored boundaries (approximate in the demo data)."
            }
        }
    }
}

/// Carriers as features; one SQL statement per related table, whatever the count.
pub async fn carrier_features(
    db: &sea_orm::DatabaseConnection,
    rows: &[carrier::Model],
) -> AppResult<Vec<Value>> {
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let footprints = store::spatial::footprints_of(db, &ids).await?;
    let districts: HashMap<i32, district::Model> = store::district::all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let today = store::today();
    let floor = store::space_phase::floor_area_on(db, &ids, today).await?;
    let recognitions = store::rows_where_in::<level_recognition::Entity>(
        db,
        level_recognition::Column::CarrierId,
        ids.iter().copied(),
    )
    .await?;
    let mut by_carrier: HashMap<i32, Vec<Recognition>> = HashMap::new();
    for row in recognitions {
        if let Ok(level) = row.level.parse::<Level>() {
            by_carrier
                .entry(row.carrier_id)
                .or_default()
                .push(Recognition {
                    level,
                    recognised_on: row.recognised_on,
                    sequence: i64::from(row.id),
                });
        }
    }
    Ok(rows
        .iter()
        .map(|row| {
            let footprint = footprints.get(&row.id);
            let geometry = store::spatial::carrier_geometry(row, footprint)
                .map_or(Value::Null, |g| {
                    geometry::to_geojson(&g, CoordinateSystem::Wgs84)
                });
            let district = districts.get(&row.district_id);
            let level = level_on(
                by_carrier.get(&row.id).map_or(&[][..], Vec::as_slice),
                today,
            );
            json!({
                "type": "Feature",
                "id": row.id,
                "geometry": geometry,
                "properties": {
                    "globalId": global_id(NodeType::Carrier, row.id).0,
                    "name": row.name,
                    "kind": row.kind,
                    "status": row.status,
                    "level": level.as_ref(),
                    "district": district.map(|d| d.code.as_str()),
                    "districtName": district.map(|d| d.name_zh.as_str()),
                    "address": row.address,
                    "landmark": row.landmark,
                    "longitude": row.longitude,
                    "latitude": row.latitude,
                    "floorAreaM2": floor.get(&row.id).copied().unwrap_or_default(),
                    "footprintAreaM2": footprint.map(|f| f.area_m2),
                    "updatedAt": row.updated_at.to_rfc3339(),
                }
            })
        })
        .collect())
}

/// Districts as features, with their boundaries where stored.
pub async fn district_features(
    db: &sea_orm::DatabaseConnection,
    rows: &[district::Model],
) -> AppResult<Vec<Value>> {
    let boundaries = store::spatial::boundaries(db).await?;
    Ok(rows
        .iter()
        .map(|row| {
            let boundary = boundaries.get(&row.id);
            json!({
                "type": "Feature",
                "id": row.id,
                "geometry": boundary.map_or(Value::Null, |g| geometry::to_geojson(g, CoordinateSystem::Wgs84)),
                "properties": {
                    "globalId": global_id(NodeType::District, row.id).0,
                    "code": row.code,
                    "nameZh": row.name_zh,
                    "nameEn": row.name_en,
                    "kind": row.kind,
                    "boundaryAreaM2": boundary.map(geometry::area_m2),
                }
            })
        })
        .collect())
}

/// Attribute filters for carriers, as OGC query parameters give them:
/// comma-separated values of kind, status and level, and district codes.
#[derive(Debug, Clone, Default)]
pub struct CarrierQuery {
    pub kinds: Vec<CarrierKind>,
    pub statuses: Vec<CarrierStatus>,
    pub levels: Vec<Level>,
    pub district_codes: Vec<String>,
}

impl CarrierQuery {
    /// The store filter these parameters mean.
    pub async fn filter(&self, db: &sea_orm::DatabaseConnection) -> AppResult<CarrierFilter> {
        let district_ids = if self.district_codes.is_empty() {
            Vec::new()
        } else {
            store::district::ids_for_codes(db, "district", &self.district_codes).await?
        };
        Ok(CarrierFilter {
            kinds: self.kinds.clone(),
            statuses: self.statuses.clone(),
            levels: self.levels.clone(),
            district_ids,
            ..CarrierFilter::default()
        })
    }
}

/// One page of carriers in id order, for `/ogc` paging and the export.
pub async fn carrier_page(
    db: &sea_orm::DatabaseConnection,
    filter: &CarrierFilter,
    limit: u64,
    after: Option<String>,
) -> AppResult<Page<carrier::Model>> {
    let args = PageArgs {
        first: Some(i32::try_from(limit).unwrap_or(i32::MAX)),
        after,
        max_size: limit,
        ..PageArgs::default()
    };
    store::carrier::page(db, filter, CarrierOrder::IdAsc, &args).await
}

/// A whole collection as one FeatureCollection (`zaiti export geojson`).
pub async fn export(db: &sea_orm::DatabaseConnection, collection: Collection) -> AppResult<Value> {
    let features = match collection {
        Collection::Carriers => {
            let filter = CarrierFilter::default();
            let mut features = Vec::new();
            let mut after = None;
            loop {
                let page = carrier_page(db, &filter, 500, after.take()).await?;
                let rows: Vec<carrier::Model> =
                    page.edges.iter().map(|(_, row)| row.clone()).collect();
                features.extend(carrier_features(db, &rows).await?);
                match page.edges.last() {
                    Some((cursor, _)) if page.has_next_page => after = Some(cursor.clone()),
                    _ => break,
                }
            }
            features
        }
        Collection::Districts => {
            let rows = store::district::all(db).await?;
            district_features(db, &rows).await?
        }
    };
    Ok(json!({
        "type": "FeatureCollection",
        "name": collection.as_ref(),
        "features": features,
    }))
}

/// What `zaiti import districts` wrote: each district's code and boundary area in m².
#[derive(Debug, Clone)]
pub struct ImportedBoundary {
    pub code: String,
    pub area_m2: f64,
}

/// Reads district boundaries from a GeoJSON FeatureCollection and stores
/// them, all or nothing. A feature names its district by its `code`
/// property, else its `name` (Chinese or English). Every problem is listed.
pub async fn import_districts(
    db: &sea_orm::DatabaseConnection,
    actor: &crate::domain::access::Actor,
    text: &str,
    system: CoordinateSystem,
) -> Result<Vec<ImportedBoundary>, Vec<String>> {
    let internal = |err: crate::error::AppError| vec![err.to_string()];
    let json: Value = serde_json::from_str(text).map_err(|err| vec![format!("not JSON: {err}")])?;
    let features = match json["type"].as_str() {
        Some("FeatureCollection") => json["features"].as_array().cloned().unwrap_or_default(),
        Some("Feature") => vec![json.clone()],
        _ => return Err(vec!["expected a GeoJSON FeatureCollection".into()]),
    };
    let districts = store::district::all(db).await.map_err(internal)?;
    let mut problems = Vec::new();
    let mut shapes: Vec<(i32, store::spatial::Shape)> = Vec::new();
    let mut codes = Vec::new();
    for (index, feature) in features.iter().enumerate() {
        let properties = &feature["properties"];
        let text_of = |key: &str| properties[key].as_str().map(str::trim);
        let district = districts.iter().find(|d| {
            text_of("code") == Some(d.code.as_str())
                || ["name", "name_zh", "nameZh"].iter().any(|k| {
                    text_of(k).is_some_and(|n| n == d.name_zh || n.eq_ignore_ascii_case(&d.name_en))
                })
                || ["name_en", "nameEn"]
                    .iter()
                    .any(|k| text_of(k).is_some_and(|n| n.eq_ignore_ascii_case(&d.name_en)))
        });
        let Some(district) = district else {
            problems.push(format!(
                "features[{index}]: no district matches its properties {properties}; give a `code` property ({})",
                districts.iter().map(|d| d.code.as_str()).collect::<Vec<_>>().join(", ")
            ));
            continue;
        };
        if shapes.iter().any(|(id, _)| *id == district.id) {
            problems.push(format!(
                "features[{index}]: district {} appears twice",
                district.code
            ));
            continue;
        }
        let field = format!("features[{index}].geometry");
        let shape = geometry::parse(&field, &feature["geometry"], geometry::Expect::Area, system)
            .map_err(|err| err.to_string())
            .and_then(|g| {
                store::spatial::Shape::new(g)
                    .ok_or_else(|| format!("{field}: the geometry is empty"))
            });
        match shape {
            Ok(shape) => {
                codes.push(ImportedBoundary {
                    code: district.code.clone(),
                    area_m2: shape.area_m2,
                });
                shapes.push((district.id, shape));
            }
            Err(problem) => problems.push(problem),
        }
    }
    if shapes.is_empty() && problems.is_empty() {
        problems.push("the file has no features".into());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    store::spatial::import_boundaries(db, actor, shapes)
        .await
        .map_err(internal)?;
    Ok(codes)
}
