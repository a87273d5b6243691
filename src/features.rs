//! Carriers, districts and platforms as GeoJSON features (RFC 7946, WGS84):
//! what the OGC API serves at `/ogc` and `zaiti export geojson` writes.
//!
//! Each collection is a [`Collection`] value. Carriers and platforms are
//! [`Listing`]s: paged in id order through their store filter, narrowed by a
//! box through the carriers' geometry (a platform's is its host carrier's).

use std::collections::HashMap;
use std::future::Future;

use entity::{carrier, district, level_recognition, platform};
use serde_json::{Value, json};

use crate::domain::carrier::{CarrierKind, CarrierStatus, Level};
use crate::domain::geometry::{self, BBox, CoordinateSystem, SpatialPredicate};
use crate::domain::level::{Recognition, level_on};
use crate::domain::support::PlatformKind;
use crate::error::AppResult;
use crate::graphql::node::{NodeType, global_id};
use crate::store;
use crate::store::carrier::{CarrierFilter, CarrierOrder, CarrierRestriction};
use crate::store::page::{Page, PageArgs};
use crate::store::support::PlatformFilter;

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
    /// 公共技术服务平台: at their host carrier's footprint or location.
    Platforms,
}

impl Collection {
    pub fn title(self) -> &'static str {
        match self {
            Self::Carriers => "Carriers (载体)",
            Self::Districts => "Districts (行政区)",
            Self::Platforms => "Public technology service platforms (公共技术服务平台)",
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
            Self::Platforms => {
                "Public technology service platforms, each hosted by a carrier; geometry is the host carrier's footprint where known, else its location point. Filter with kind (the platform's), level (the platform's) and district (the host carrier's, a code)."
            }
        }
    }
}

/// A geometry as a GeoJSON member: WGS84, or null when there is none.
fn geojson(shape: Option<&geo::Geometry>) -> Value {
    shape.map_or(Value::Null, |g| {
        geometry::to_geojson(g, CoordinateSystem::Wgs84)
    })
}

/// Every district, by id.
async fn districts_by_id(
    db: &sea_orm::DatabaseConnection,
) -> AppResult<HashMap<i32, district::Model>> {
    Ok(store::district::all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect())
}

/// Carriers as features; one SQL statement per related table, whatever the count.
pub async fn carrier_features(
    db: &sea_orm::DatabaseConnection,
    rows: &[carrier::Model],
) -> AppResult<Vec<Value>> {
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let footprints = store::spatial::footprints_of(db, &ids).await?;
    let districts = districts_by_id(db).await?;
    let today = store::today();
    let floor = store::space_phase::floor_area_on(db, &ids, today).await?;
    let recognitions = store::rows_where_in::<level_recognition::Entity>(
        db,
        level_recognition::Column::CarrierId,
        ids.iter().copied(),
    )
    .await?;
    let mut by_carrier: HashMap<i32, Vec<Recognition>> = HashMap::new();
    for row in recognitions
        .into_iter()
        .filter(|row| row.voided_at.is_none())
    {
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
            let geometry = geojson(store::spatial::carrier_geometry(row, footprint).as_ref());
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
                    "updatedAt": crate::domain::dates::in_china_time(row.updated_at),
                }
            })
        })
        .collect())
}

/// Platforms as features at their host carrier's geometry (footprint, else
/// location; null when the host has neither). One SQL statement per related
/// table, whatever the count.
pub async fn platform_features(
    db: &sea_orm::DatabaseConnection,
    rows: &[platform::Model],
) -> AppResult<Vec<Value>> {
    let host_ids: Vec<i32> = rows.iter().map(|row| row.carrier_id).collect();
    let hosts: HashMap<i32, carrier::Model> =
        store::rows_where_in::<carrier::Entity>(db, carrier::Column::Id, host_ids.iter().copied())
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let footprints = store::spatial::footprints_of(db, &host_ids).await?;
    let districts = districts_by_id(db).await?;
    Ok(rows
        .iter()
        .map(|row| {
            let host = hosts.get(&row.carrier_id);
            let shape =
                host.and_then(|h| store::spatial::carrier_geometry(h, footprints.get(&h.id)));
            let geometry = geojson(shape.as_ref());
            let district = host.and_then(|h| districts.get(&h.district_id));
            let services: Value = serde_json::from_str(&row.services).unwrap_or_else(|_| json!([]));
            json!({
                "type": "Feature",
                "id": row.id,
                "geometry": geometry,
                "properties": {
                    "globalId": global_id(NodeType::Platform, row.id).0,
                    "name": row.name,
                    "kind": row.kind,
                    "level": row.level,
                    "openedOn": row.opened_on.to_string(),
                    "closedOn": row.closed_on.map(|d| d.to_string()),
                    "services": services,
                    "carrierId": global_id(NodeType::Carrier, row.carrier_id).0,
                    "carrierName": host.map(|h| h.name.as_str()),
                    "district": district.map(|d| d.code.as_str()),
                    "enterprisesServedPerYear": row.enterprises_served_per_year,
                    "updatedAt": crate::domain::dates::in_china_time(row.updated_at),
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
                "geometry": geojson(boundary),
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

/// The ids of the districts with these codes; none asked, none given.
async fn district_ids(db: &sea_orm::DatabaseConnection, codes: &[String]) -> AppResult<Vec<i32>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    store::district::ids_for_codes(db, "district", codes).await
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
        Ok(CarrierFilter {
            kinds: self.kinds.clone(),
            statuses: self.statuses.clone(),
            levels: self.levels.clone(),
            district_ids: district_ids(db, &self.district_codes).await?,
            ..CarrierFilter::default()
        })
    }
}

/// Attribute filters for platforms, as OGC query parameters give them: the
/// platform's kinds and levels, and the codes of its host carrier's district.
#[derive(Debug, Clone, Default)]
pub struct PlatformQuery {
    pub kinds: Vec<PlatformKind>,
    pub levels: Vec<Level>,
    pub district_codes: Vec<String>,
}

impl PlatformQuery {
    /// The store filter these parameters mean.
    pub async fn filter(&self, db: &sea_orm::DatabaseConnection) -> AppResult<PlatformFilter> {
        Ok(PlatformFilter {
            kinds: self.kinds.clone(),
            levels: self.levels.clone(),
            district_ids: district_ids(db, &self.district_codes).await?,
            ..PlatformFilter::default()
        })
    }
}

/// A collection served a page at a time in id order (carriers, platforms):
/// its rows, the store filter that lists them, and their features.
pub trait Listing: Sized + Clone + Send + Sync {
    /// The store filter; a box narrows it through the carriers' geometry.
    type Filter: CarrierRestriction + Default + Send + Sync;

    /// One page in id order.
    fn page(
        db: &sea_orm::DatabaseConnection,
        filter: &Self::Filter,
        args: &PageArgs,
    ) -> impl Future<Output = AppResult<Page<Self>>> + Send;

    /// How many rows match.
    fn count(
        db: &sea_orm::DatabaseConnection,
        filter: &Self::Filter,
    ) -> impl Future<Output = AppResult<u64>> + Send;

    /// The rows as GeoJSON features.
    fn features(
        db: &sea_orm::DatabaseConnection,
        rows: &[Self],
    ) -> impl Future<Output = AppResult<Vec<Value>>> + Send;
}

/// `impl Listing` for `$model`: `page` in id order, `count` and `features`
/// call the functions named.
macro_rules! listing {
    ($model:ty, $filter:ty, page: |$db:ident, $f:ident, $args:ident| $page:expr, count: $count:path, features: $features:path) => {
        impl Listing for $model {
            type Filter = $filter;

            fn page(
                $db: &sea_orm::DatabaseConnection,
                $f: &$filter,
                $args: &PageArgs,
            ) -> impl Future<Output = AppResult<Page<Self>>> + Send {
                $page
            }

            fn count(
                db: &sea_orm::DatabaseConnection,
                filter: &$filter,
            ) -> impl Future<Output = AppResult<u64>> + Send {
                $count(db, filter)
            }

            fn features(
                db: &sea_orm::DatabaseConnection,
                rows: &[Self],
            ) -> impl Future<Output = AppResult<Vec<Value>>> + Send {
                $features(db, rows)
            }
        }
    };
}

listing!(
    carrier::Model,
    CarrierFilter,
    page: |db, filter, args| store::carrier::page(db, filter, CarrierOrder::IdAsc, args),
    count: store::carrier::count,
    features: carrier_features
);
listing!(
    platform::Model,
    PlatformFilter,
    page: |db, filter, args| store::support::platform_page(db, filter, args),
    count: store::support::platform_count,
    features: platform_features
);

/// A page of features: how many match in all, and the next page's cursor if there is one.
#[derive(Debug, Clone)]
pub struct FeaturePage {
    pub features: Vec<Value>,
    pub matched: u64,
    pub next: Option<String>,
}

/// One page of `T`'s features meeting `filter` and, given a box, meeting
/// it, in id order, for `/ogc` paging and the export.
pub async fn items<T: Listing>(
    db: &sea_orm::DatabaseConnection,
    mut filter: T::Filter,
    bbox: Option<BBox>,
    limit: u64,
    after: Option<String>,
) -> AppResult<FeaturePage> {
    if let Some(bbox) = bbox {
        let predicate = SpatialPredicate::Intersects(bbox.to_geometry());
        store::spatial::restrict(db, &mut filter, &[predicate]).await?;
    }
    let args = PageArgs {
        first: Some(i32::try_from(limit).unwrap_or(i32::MAX)),
        after,
        max_size: limit,
        ..PageArgs::default()
    };
    let page = T::page(db, &filter, &args).await?;
    let matched = T::count(db, &filter).await?;
    let rows: Vec<T> = page.edges.iter().map(|(_, row)| row.clone()).collect();
    let next = match page.edges.last() {
        Some((cursor, _)) if page.has_next_page => Some(cursor.clone()),
        _ => None,
    };
    Ok(FeaturePage {
        features: T::features(db, &rows).await?,
        matched,
        next,
    })
}

/// Every feature of `T`, 500 at a time.
async fn every<T: Listing>(db: &sea_orm::DatabaseConnection) -> AppResult<Vec<Value>> {
    let mut features = Vec::new();
    let mut after = None;
    loop {
        let page = items::<T>(db, T::Filter::default(), None, 500, after.take()).await?;
        features.extend(page.features);
        match page.next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    Ok(features)
}

/// A whole collection as one FeatureCollection (`zaiti export geojson`).
pub async fn export(db: &sea_orm::DatabaseConnection, collection: Collection) -> AppResult<Value> {
    let features = match collection {
        Collection::Carriers => every::<carrier::Model>(db).await?,
        Collection::Platforms => every::<platform::Model>(db).await?,
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
/// property, else its `name` (Chinese or English). Every problem is listed,
/// a geometry of more than `max_vertices` positions among them.
pub async fn import_districts(
    db: &sea_orm::DatabaseConnection,
    actor: &crate::domain::access::Actor,
    text: &str,
    system: CoordinateSystem,
    max_vertices: usize,
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
        let shape = geometry::parse(
            &field,
            &feature["geometry"],
            geometry::Expect::Area,
            system,
            max_vertices,
        )
        .map_err(|err| err.to_string())
        .and_then(|g| {
            store::spatial::Shape::new(g).ok_or_else(|| format!("{field}: the geometry is empty"))
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
