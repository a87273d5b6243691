//! Carriers, districts and platforms as GeoJSON features (RFC 7946): what
//! the OGC API serves at `/ogc` and `zaiti export geojson` writes.
//!
//! Each collection is a [`Collection`] value holding one geometry type, as
//! GeoPackage and Shapefile writers need: carrier footprints (MultiPolygon),
//! carriers known only by a location (Point), district boundaries
//! (MultiPolygon) and platforms at their host carrier (Point). Carriers and
//! platforms are [`Listing`]s: paged in id order through their store filter,
//! narrowed by an area through the carriers' geometry (a platform's is its
//! host carrier's). Feature ids are the GraphQL global ids. Properties are
//! shaped so `ogr2ogr` writes a Shapefile without a warning: names of at
//! most ten characters, no lists, dates without times, numbers that fit a
//! DBF field.

use std::collections::HashMap;
use std::future::Future;

use entity::{carrier, district, level_recognition, platform};
use geo::Geometry;
use serde_json::{Value, json};

use crate::domain::carrier::{CarrierKind, CarrierStatus, DistrictKind, Level};
use crate::domain::crs::Crs;
use crate::domain::geometry::{self, CoordinateSystem, SpatialPredicate};
use crate::domain::level::{Recognition, level_on};
use crate::domain::support::PlatformKind;
use crate::domain::temporal::DateSpan;
use crate::domain::torch::round_area;
use crate::error::AppResult;
use crate::graphql::node::{NodeType, global_id};
use crate::store;
use crate::store::carrier::{CarrierFilter, CarrierOrder, CarrierRestriction, CarrierShape};
use crate::store::page::{Page, PageArgs};
use crate::store::support::PlatformFilter;

/// The feature collections served, each of one geometry type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::AsRefStr, strum::EnumString,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Collection {
    /// 载体: carriers with a footprint, as MultiPolygons.
    Carriers,
    /// 载体位置: carriers known only by a location point.
    CarrierLocations,
    /// 行政区: boundaries (the demo's are approximate), as MultiPolygons.
    Districts,
    /// 公共技术服务平台: points at their host carrier.
    Platforms,
}

/// The one geometry type of a collection's features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::AsRefStr)]
pub enum GeometryType {
    Point,
    MultiPolygon,
}

/// A property that filters a collection's items (`?kind=INCUBATOR`), as
/// listed at `/queryables` (OGC API – Features Part 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::AsRefStr, strum::EnumIter)]
#[strum(serialize_all = "camelCase")]
pub enum Queryable {
    /// The carrier's, platform's or district's kind.
    Kind,
    /// The carrier's status.
    Status,
    /// The level held today (carriers) or recognised (platforms).
    Level,
    /// The district's short code (of the carrier, of a platform's host).
    District,
    /// The district's GB/T 2260 code (of the carrier, of a platform's host, of the district).
    AdminCode,
    /// The district's own short code.
    Code,
}

impl Collection {
    pub fn title(self) -> &'static str {
        match self {
            Self::Carriers => "Carrier footprints (载体占地范围)",
            Self::CarrierLocations => "Carrier locations (载体位置)",
            Self::Districts => "Districts (行政区)",
            Self::Platforms => "Public technology service platforms (公共技术服务平台)",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Carriers => {
                "Science and technology incubation carriers whose footprint is known, as MultiPolygons. Carriers known only by a location point are in carrier-locations. Filter with kind, status, level, district and adminCode; datetime keeps the carriers operating during it (by their status history)."
            }
            Self::CarrierLocations => {
                "Science and technology incubation carriers known only by a location point (no footprint yet), as Points; those with a footprint are in carriers. Filter with kind, status, level, district and adminCode; datetime keeps the carriers operating during it (by their status history)."
            }
            Self::Districts => {
                "The city's administrative units with their stored boundaries (approximate in the demo data), as MultiPolygons, with their GB/T 2260 codes. Filter with kind, code and adminCode; datetime does not narrow them (the units are today's)."
            }
            Self::Platforms => {
                "Public technology service platforms, each a Point at its host carrier's location (the centre of its footprint when it has no location; no geometry when it has neither). Filter with kind and level (the platform's), district and adminCode (the host's); datetime keeps the platforms open during it."
            }
        }
    }

    /// The type of every geometry in the collection (a feature may also have none).
    pub fn geometry_type(self) -> GeometryType {
        match self {
            Self::Carriers | Self::Districts => GeometryType::MultiPolygon,
            Self::CarrierLocations | Self::Platforms => GeometryType::Point,
        }
    }

    /// What the collection's feature ids are global ids of.
    pub fn node_type(self) -> NodeType {
        match self {
            Self::Carriers | Self::CarrierLocations => NodeType::Carrier,
            Self::Districts => NodeType::District,
            Self::Platforms => NodeType::Platform,
        }
    }

    /// The properties its items can be filtered by.
    pub fn queryables(self) -> &'static [Queryable] {
        use Queryable::*;
        match self {
            Self::Carriers | Self::CarrierLocations => &[Kind, Status, Level, District, AdminCode],
            Self::Districts => &[Kind, Code, AdminCode],
            Self::Platforms => &[Kind, Level, District, AdminCode],
        }
    }

    /// Which carriers a carrier collection holds.
    fn carrier_shape(self) -> Option<CarrierShape> {
        match self {
            Self::Carriers => Some(CarrierShape::Footprint),
            Self::CarrierLocations => Some(CarrierShape::LocationOnly),
            Self::Districts | Self::Platforms => None,
        }
    }
}

impl Queryable {
    /// What the property holds, for `/queryables`.
    pub fn description(self, collection: Collection) -> &'static str {
        match (self, collection) {
            (Self::Kind, Collection::Districts) => {
                "District, county-level city or development zone"
            }
            (Self::Kind, Collection::Platforms) => "The platform's kind",
            (Self::Kind, _) => "The carrier's kind",
            (Self::Status, _) => "The carrier's status today",
            (Self::Level, Collection::Platforms) => "The level at which the platform is recognised",
            (Self::Level, _) => "The level the carrier holds today",
            (Self::District, Collection::Platforms) => {
                "The short code of the host carrier's district (e.g. xinwu); a filter also takes the GB/T 2260 code"
            }
            (Self::District, _) => {
                "The short code of the carrier's district (e.g. xinwu); a filter also takes the GB/T 2260 code"
            }
            (Self::AdminCode, Collection::Districts) => {
                "行政区划代码: the GB/T 2260 administrative division code (e.g. 320214); none for the development zone"
            }
            (Self::AdminCode, _) => {
                "行政区划代码: the GB/T 2260 code of the (host) carrier's district (e.g. 320214)"
            }
            (Self::Code, _) => "The district's short code (e.g. xinwu)",
        }
    }

    /// The values it takes, where they are a fixed list.
    pub fn values(self, collection: Collection) -> Option<Vec<String>> {
        fn names<T: strum::IntoEnumIterator + AsRef<str>>() -> Vec<String> {
            T::iter().map(|value| value.as_ref().to_owned()).collect()
        }
        match (self, collection) {
            (Self::Kind, Collection::Districts) => Some(names::<DistrictKind>()),
            (Self::Kind, Collection::Platforms) => Some(names::<PlatformKind>()),
            (Self::Kind, _) => Some(names::<CarrierKind>()),
            (Self::Status, _) => Some(names::<CarrierStatus>()),
            (Self::Level, _) => Some(names::<Level>()),
            (Self::District | Self::AdminCode | Self::Code, _) => None,
        }
    }
}

/// A geometry as a GeoJSON member in `crs` (its axis order), as the
/// collection's one type, or null.
fn geojson(shape: Option<Geometry>, collection: Collection, crs: Crs) -> Value {
    let shape = match collection.geometry_type() {
        GeometryType::MultiPolygon => shape.and_then(geometry::as_multi_polygon),
        GeometryType::Point => {
            shape.and_then(|g| geometry::representative_point(&g).map(Geometry::Point))
        }
    };
    shape.map_or(Value::Null, |g| {
        geometry::to_geojson(&crs.project(&g), CoordinateSystem::Wgs84)
    })
}

/// Between a platform's services in its `services` property: one text, as
/// GeoPackage and Shapefile fields hold no lists.
pub const SERVICE_SEPARATOR: &str = "；";

/// The China Standard Time calendar day of a moment: what a Shapefile's date
/// field holds (it has no date-time type).
fn china_day(moment: chrono::DateTime<chrono::Utc>) -> String {
    moment
        .with_timezone(&crate::domain::dates::china_standard_time())
        .date_naive()
        .to_string()
}

/// m² as km² to the square metre: a district's area in m² overflows a
/// Shapefile's numeric field.
fn km2(square_metres: f64) -> f64 {
    (square_metres / 1_000.0).round() / 1_000.0
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

/// Carriers as features of `collection` (footprints or locations); one SQL
/// statement per related table, whatever the count.
pub async fn carrier_features(
    db: &sea_orm::DatabaseConnection,
    rows: &[carrier::Model],
    collection: Collection,
    crs: Crs,
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
            let shape = match collection {
                Collection::Carriers => {
                    footprint.and_then(|f| store::spatial::stored_shape(&f.geojson))
                }
                _ => store::spatial::carrier_geometry(row, None),
            };
            let district = districts.get(&row.district_id);
            let level = level_on(
                by_carrier.get(&row.id).map_or(&[][..], Vec::as_slice),
                today,
            );
            let id = global_id(NodeType::Carrier, row.id).0;
            json!({
                "type": "Feature",
                "id": id,
                "geometry": geojson(shape, collection, crs),
                "properties": {
                    "globalId": id,
                    "name": row.name,
                    "kind": row.kind,
                    "status": row.status,
                    "level": level.as_ref(),
                    "district": district.map(|d| d.code.as_str()),
                    "adminCode": district.and_then(|d| d.division_code.as_deref()),
                    "districtZh": district.map(|d| d.name_zh.as_str()),
                    "address": row.address,
                    "landmark": row.landmark,
                    "longitude": row.longitude,
                    "latitude": row.latitude,
                    "floorArea": floor.get(&row.id).copied().unwrap_or_default(),
                    "siteArea": footprint.map(|f| round_area(f.area_m2)),
                    "updatedOn": china_day(row.updated_at),
                }
            })
        })
        .collect())
}

/// Platforms as Points at their host carrier: its location, else the centre
/// of its footprint; null when the host has neither. One SQL statement per
/// related table, whatever the count.
pub async fn platform_features(
    db: &sea_orm::DatabaseConnection,
    rows: &[platform::Model],
    crs: Crs,
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
            let footprint = |h: &carrier::Model| footprints.get(&h.id);
            // The location where known: `carrier_geometry` prefers the footprint.
            let shape = host.and_then(|h| match (h.longitude, h.latitude) {
                (Some(_), Some(_)) => store::spatial::carrier_geometry(h, None),
                _ => store::spatial::carrier_geometry(h, footprint(h)),
            });
            let district = host.and_then(|h| districts.get(&h.district_id));
            let services: Vec<String> = serde_json::from_str(&row.services).unwrap_or_default();
            let id = global_id(NodeType::Platform, row.id).0;
            json!({
                "type": "Feature",
                "id": id,
                "geometry": geojson(shape, Collection::Platforms, crs),
                "properties": {
                    "globalId": id,
                    "name": row.name,
                    "kind": row.kind,
                    "level": row.level,
                    "openedOn": row.opened_on.to_string(),
                    "closedOn": row.closed_on.map(|d| d.to_string()),
                    "services": services.join(SERVICE_SEPARATOR),
                    "carrierId": global_id(NodeType::Carrier, row.carrier_id).0,
                    "carrier": host.map(|h| h.name.as_str()),
                    "district": district.map(|d| d.code.as_str()),
                    "adminCode": district.and_then(|d| d.division_code.as_deref()),
                    "served": row.enterprises_served_per_year,
                    "updatedOn": china_day(row.updated_at),
                }
            })
        })
        .collect())
}

/// Districts as features, with their boundaries where stored.
pub async fn district_features(
    db: &sea_orm::DatabaseConnection,
    rows: &[district::Model],
    crs: Crs,
) -> AppResult<Vec<Value>> {
    let boundaries = store::spatial::boundaries(db).await?;
    Ok(rows
        .iter()
        .map(|row| {
            let boundary = boundaries.get(&row.id);
            let id = global_id(NodeType::District, row.id).0;
            json!({
                "type": "Feature",
                "id": id,
                "geometry": geojson(boundary.cloned(), Collection::Districts, crs),
                "properties": {
                    "globalId": id,
                    "code": row.code,
                    "adminCode": row.division_code,
                    "nameZh": row.name_zh,
                    "nameEn": row.name_en,
                    "kind": row.kind,
                    "areaKm2": boundary.map(|b| km2(geometry::area_m2(b))),
                }
            })
        })
        .collect())
}

/// The ids of the districts every one of these lists names (each list a
/// filter: short codes or GB/T 2260 codes, any of them); `None` when no list
/// has a code, an empty list when the lists name no district in common.
pub async fn district_ids(
    db: &sea_orm::DatabaseConnection,
    field: &str,
    lists: &[&[String]],
) -> AppResult<Option<Vec<i32>>> {
    let mut common: Option<Vec<i32>> = None;
    for codes in lists.iter().filter(|codes| !codes.is_empty()) {
        let ids = store::district::ids_for_codes(db, field, codes).await?;
        common = Some(match common {
            Some(before) => before.into_iter().filter(|id| ids.contains(id)).collect(),
            None => ids,
        });
    }
    Ok(common)
}

/// Store district ids for a filter: `None` (no condition) is empty; no
/// district in common matches nothing.
fn district_condition(ids: Option<Vec<i32>>) -> Vec<i32> {
    match ids {
        Some(ids) if ids.is_empty() => vec![-1],
        Some(ids) => ids,
        None => Vec::new(),
    }
}

/// Attribute filters for carriers, as OGC query parameters give them:
/// comma-separated values of kind, status and level, district codes (short
/// or GB/T 2260) from `district` and from `adminCode`, and the days they
/// must have been operating on one of.
#[derive(Debug, Clone, Default)]
pub struct CarrierQuery {
    pub kinds: Vec<CarrierKind>,
    pub statuses: Vec<CarrierStatus>,
    pub levels: Vec<Level>,
    pub district_codes: Vec<String>,
    pub admin_codes: Vec<String>,
    pub operating: Option<DateSpan>,
}

impl CarrierQuery {
    /// The store filter these parameters mean for `collection`.
    pub async fn filter(
        &self,
        db: &sea_orm::DatabaseConnection,
        collection: Collection,
    ) -> AppResult<CarrierFilter> {
        let districts =
            district_ids(db, "district", &[&self.district_codes, &self.admin_codes]).await?;
        let mut filter = CarrierFilter {
            kinds: self.kinds.clone(),
            statuses: self.statuses.clone(),
            levels: self.levels.clone(),
            district_ids: district_condition(districts),
            shape: collection.carrier_shape(),
            ..CarrierFilter::default()
        };
        if let Some(span) = self.operating {
            filter.restrict_to(store::carrier::operating_during(db, span).await?);
        }
        Ok(filter)
    }
}

/// Attribute filters for platforms, as OGC query parameters give them: the
/// platform's kinds and levels, the codes of its host carrier's district,
/// and the days it must have been open on one of.
#[derive(Debug, Clone, Default)]
pub struct PlatformQuery {
    pub kinds: Vec<PlatformKind>,
    pub levels: Vec<Level>,
    pub district_codes: Vec<String>,
    pub admin_codes: Vec<String>,
    pub open: Option<DateSpan>,
}

impl PlatformQuery {
    /// The store filter these parameters mean.
    pub async fn filter(&self, db: &sea_orm::DatabaseConnection) -> AppResult<PlatformFilter> {
        let districts =
            district_ids(db, "district", &[&self.district_codes, &self.admin_codes]).await?;
        Ok(PlatformFilter {
            kinds: self.kinds.clone(),
            levels: self.levels.clone(),
            district_ids: district_condition(districts),
            open_during: self.open,
            ..PlatformFilter::default()
        })
    }
}

/// Attribute filters for districts: kinds, and codes (short or GB/T 2260)
/// from `code` and from `adminCode`.
#[derive(Debug, Clone, Default)]
pub struct DistrictQuery {
    pub kinds: Vec<DistrictKind>,
    pub codes: Vec<String>,
    pub admin_codes: Vec<String>,
}

impl DistrictQuery {
    /// The districts these parameters keep, in their seeded order.
    pub async fn rows(&self, db: &sea_orm::DatabaseConnection) -> AppResult<Vec<district::Model>> {
        let ids = district_ids(db, "code", &[&self.codes, &self.admin_codes]).await?;
        let mut rows = store::district::all(db).await?;
        rows.retain(|d| {
            ids.as_ref().is_none_or(|ids| ids.contains(&d.id))
                && (self.kinds.is_empty()
                    || d.kind.parse().is_ok_and(|kind| self.kinds.contains(&kind)))
        });
        Ok(rows)
    }
}

/// A collection served a page at a time in id order (carriers, platforms):
/// its rows, the store filter that lists them, and their features.
pub trait Listing: Sized + Clone + Send + Sync {
    /// The store filter; an area narrows it through the carriers' geometry.
    type Filter: CarrierRestriction + Default + Clone + Send + Sync;

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

    /// The rows as GeoJSON features of `collection` in `crs`.
    fn features(
        db: &sea_orm::DatabaseConnection,
        rows: &[Self],
        collection: Collection,
        crs: Crs,
    ) -> impl Future<Output = AppResult<Vec<Value>>> + Send;
}

impl Listing for carrier::Model {
    type Filter = CarrierFilter;

    fn page(
        db: &sea_orm::DatabaseConnection,
        filter: &CarrierFilter,
        args: &PageArgs,
    ) -> impl Future<Output = AppResult<Page<Self>>> + Send {
        store::carrier::page(db, filter, CarrierOrder::IdAsc, args)
    }

    fn count(
        db: &sea_orm::DatabaseConnection,
        filter: &CarrierFilter,
    ) -> impl Future<Output = AppResult<u64>> + Send {
        store::carrier::count(db, filter)
    }

    fn features(
        db: &sea_orm::DatabaseConnection,
        rows: &[Self],
        collection: Collection,
        crs: Crs,
    ) -> impl Future<Output = AppResult<Vec<Value>>> + Send {
        carrier_features(db, rows, collection, crs)
    }
}

impl Listing for platform::Model {
    type Filter = PlatformFilter;

    fn page(
        db: &sea_orm::DatabaseConnection,
        filter: &PlatformFilter,
        args: &PageArgs,
    ) -> impl Future<Output = AppResult<Page<Self>>> + Send {
        store::support::platform_page(db, filter, args)
    }

    fn count(
        db: &sea_orm::DatabaseConnection,
        filter: &PlatformFilter,
    ) -> impl Future<Output = AppResult<u64>> + Send {
        store::support::platform_count(db, filter)
    }

    fn features(
        db: &sea_orm::DatabaseConnection,
        rows: &[Self],
        _collection: Collection,
        crs: Crs,
    ) -> impl Future<Output = AppResult<Vec<Value>>> + Send {
        platform_features(db, rows, crs)
    }
}

/// A page of features: how many match in all, and the next page's cursor if there is one.
#[derive(Debug, Clone)]
pub struct FeaturePage {
    pub features: Vec<Value>,
    pub matched: u64,
    pub next: Option<String>,
}

/// Which page of a collection, where, and in which system.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub collection: Collection,
    /// Only features meeting this area (WGS84), if given.
    pub area: Option<Geometry>,
    pub limit: u64,
    pub after: Option<String>,
    pub crs: Crs,
}

/// One page of `T`'s features meeting `filter` and the request's area, in
/// id order, for `/ogc` paging and the export.
pub async fn items<T: Listing>(
    db: &sea_orm::DatabaseConnection,
    mut filter: T::Filter,
    request: PageRequest,
) -> AppResult<FeaturePage> {
    if let Some(area) = request.area {
        let predicate = SpatialPredicate::Intersects(area);
        store::spatial::restrict(db, &mut filter, &[predicate]).await?;
    }
    let args = PageArgs {
        first: Some(i32::try_from(request.limit).unwrap_or(i32::MAX)),
        after: request.after,
        max_size: request.limit,
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
        features: T::features(db, &rows, request.collection, request.crs).await?,
        matched,
        next,
    })
}

/// Every feature of `T` in `filter`, 500 at a time, in CRS84.
async fn every<T: Listing>(
    db: &sea_orm::DatabaseConnection,
    filter: T::Filter,
    collection: Collection,
) -> AppResult<Vec<Value>> {
    let mut features = Vec::new();
    let mut after = None;
    loop {
        let request = PageRequest {
            collection,
            area: None,
            limit: 500,
            after: after.take(),
            crs: Crs::Crs84,
        };
        let page = items::<T>(db, filter.clone(), request).await?;
        features.extend(page.features);
        match page.next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    Ok(features)
}

/// A whole collection as one FeatureCollection (`zaiti export geojson`),
/// the same features as `/ogc` serves.
pub async fn export(db: &sea_orm::DatabaseConnection, collection: Collection) -> AppResult<Value> {
    let features = match collection {
        Collection::Carriers | Collection::CarrierLocations => {
            let filter = CarrierQuery::default().filter(db, collection).await?;
            every::<carrier::Model>(db, filter, collection).await?
        }
        Collection::Platforms => {
            every::<platform::Model>(db, PlatformFilter::default(), collection).await?
        }
        Collection::Districts => {
            let rows = store::district::all(db).await?;
            district_features(db, &rows, Crs::Crs84).await?
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
