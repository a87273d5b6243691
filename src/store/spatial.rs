//! Geometry of carriers (location and footprint) and districts (boundary):
//! the writes, and the spatial filters.
//!
//! Shapes are stored as GeoJSON text (WGS84) beside bounding-box columns the
//! database indexes. A spatial filter asks SQL for the rows whose box overlaps
//! the filter's box, decides exactly with `geo` in Rust, and hands the ids that
//! pass to [`CarrierRestriction::restrict_to`], so paging, counting and every
//! other filter still run in SQL. Platforms have no geometry of their own:
//! the same carrier ids restrict them by their host carrier.

use std::collections::HashMap;

use entity::{carrier, carrier_footprint, district, district_boundary, platform};
use geo::Geometry;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use super::audit::{self, Change, Operation, snapshot};
use super::carrier::CarrierRestriction;
use super::{Versioned, check_version, versioned_update};
use crate::domain::access::{Actor, may_write_geometry_for};
use crate::domain::geometry::{self, BBox, SpatialPredicate};
use crate::domain::location::Location;
use crate::error::{AppError, AppResult};

impl Versioned for district::Entity {
    const NAME: &'static str = "District";
    const ID: Self::Column = district::Column::Id;
    const VERSION: Self::Column = district::Column::Version;
    const UPDATED_AT: Self::Column = district::Column::UpdatedAt;
}

/// A checked shape, WGS84, ready to store.
#[derive(Debug, Clone)]
pub struct Shape {
    pub geometry: Geometry,
    pub bbox: BBox,
    pub area_m2: f64,
}

impl Shape {
    /// `None` for an empty geometry, which has no box.
    pub fn new(geometry: Geometry) -> Option<Self> {
        let bbox = BBox::of(&geometry)?;
        let area_m2 = geometry::area_m2(&geometry);
        Some(Self {
            geometry,
            bbox,
            area_m2,
        })
    }
}

/// The row of a shape table (`carrier_footprint`, `district_boundary`) for `$shape`.
macro_rules! shape_row {
    ($table:ident, $key:ident: $id:expr, $shape:expr) => {{
        let shape: Shape = $shape;
        $table::ActiveModel {
            $key: Set($id),
            geojson: Set(geometry::to_stored(&shape.geometry)),
            min_lon: Set(shape.bbox.min_lon),
            min_lat: Set(shape.bbox.min_lat),
            max_lon: Set(shape.bbox.max_lon),
            max_lat: Set(shape.bbox.max_lat),
            area_m2: Set(shape.area_m2),
        }
    }};
}

/// Changes to a carrier's geometry; `None` leaves a part as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct GeometryPatch {
    pub location: Option<Option<Location>>,
    pub footprint: Option<Option<Shape>>,
}

/// Sets a carrier's location and/or footprint, if it is still at `version`.
/// ADMIN and BUREAU may write any carrier's geometry, an OPERATOR its own.
#[tracing::instrument(skip_all)]
pub async fn set_carrier_geometry(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    patch: GeometryPatch,
) -> AppResult<carrier::Model> {
    let txn = super::begin_write(db).await?;
    let current = carrier::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Carrier", id))?;
    may_write_geometry_for(actor, Some(current.operator_id))?;
    check_version::<carrier::Entity>(id, current.version, version)?;
    let footprint_before = carrier_footprint::Entity::find_by_id(id).one(&txn).await?;
    let mut row = current.clone().into_active_model();
    if let Some(location) = patch.location {
        row.longitude = Set(location.map(|l| l.longitude));
        row.latitude = Set(location.map(|l| l.latitude));
    }
    let model =
        versioned_update::<carrier::Entity, _>(&txn, row, id, current.version, version).await?;
    let footprint_after = match patch.footprint {
        None => footprint_before.clone(),
        Some(shape) => {
            carrier_footprint::Entity::delete_by_id(id)
                .exec(&txn)
                .await?;
            match shape {
                None => None,
                Some(shape) => Some(
                    carrier_footprint::Entity::insert(
                        shape_row!(carrier_footprint, carrier_id: id, shape),
                    )
                    .exec_with_returning(&txn)
                    .await?,
                ),
            }
        }
    };
    let change = Change {
        entity_type: "Carrier",
        entity_id: id,
        operator_id: Some(model.operator_id),
        former_operator_id: None,
        before: Some(with_shape(
            super::carrier::audit_snapshot(&txn, &current).await?,
            "footprint",
            footprint_before.map(|f| f.geojson),
        )),
        after: Some(with_shape(
            super::carrier::audit_snapshot(&txn, &model).await?,
            "footprint",
            footprint_after.map(|f| f.geojson),
        )),
    };
    audit::record(&txn, actor, Operation::Update, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// Sets (or with `None` clears) a district's boundary, if the district is
/// still at `version`. ADMIN and BUREAU only.
#[tracing::instrument(skip_all)]
pub async fn set_district_boundary(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    boundary: Option<Shape>,
) -> AppResult<district::Model> {
    may_write_geometry_for(actor, None)?;
    let txn = super::begin_write(db).await?;
    let model = write_boundary(&txn, actor, id, Some(version), boundary).await?;
    txn.commit().await?;
    Ok(model)
}

/// Replaces the boundaries of several districts at once, all or nothing
/// (`zaiti import districts`). Each district's version is bumped and audited.
pub async fn import_boundaries(
    db: &DatabaseConnection,
    actor: &Actor,
    boundaries: Vec<(i32, Shape)>,
) -> AppResult<Vec<district::Model>> {
    may_write_geometry_for(actor, None)?;
    let txn = super::begin_write(db).await?;
    let mut written = Vec::with_capacity(boundaries.len());
    for (id, shape) in boundaries {
        written.push(write_boundary(&txn, actor, id, None, Some(shape)).await?);
    }
    txn.commit().await?;
    Ok(written)
}

/// Writes one boundary inside `txn`; `expected` is the version the client
/// read (`None`: whatever is stored, for imports).
async fn write_boundary<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    id: i32,
    expected: Option<i32>,
    boundary: Option<Shape>,
) -> AppResult<district::Model> {
    let current = district::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("District", id))?;
    let expected = expected.unwrap_or(current.version);
    check_version::<district::Entity>(id, current.version, expected)?;
    let before = district_boundary::Entity::find_by_id(id).one(txn).await?;
    let row = current.clone().into_active_model();
    let model =
        versioned_update::<district::Entity, _>(txn, row, id, current.version, expected).await?;
    district_boundary::Entity::delete_by_id(id)
        .exec(txn)
        .await?;
    let after = match boundary {
        None => None,
        Some(shape) => Some(
            district_boundary::Entity::insert(
                shape_row!(district_boundary, district_id: id, shape),
            )
            .exec_with_returning(txn)
            .await?,
        ),
    };
    let change = Change {
        entity_type: "District",
        entity_id: id,
        operator_id: None,
        former_operator_id: None,
        before: Some(with_shape(
            snapshot(&current)?,
            "boundary",
            before.map(|b| b.geojson),
        )),
        after: Some(with_shape(
            snapshot(&model)?,
            "boundary",
            after.map(|b| b.geojson),
        )),
    };
    audit::record(txn, actor, Operation::Update, change).await?;
    Ok(model)
}

/// A row as the audit trail keeps it, with its shape as GeoJSON under `key`.
fn with_shape(mut value: serde_json::Value, key: &str, shape: Option<String>) -> serde_json::Value {
    if let Some(fields) = value.as_object_mut() {
        let shape = shape
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(serde_json::Value::Null);
        fields.insert(key.into(), shape);
    }
    value
}

/// Every district's stored boundary, by district id.
pub async fn boundaries(db: &DatabaseConnection) -> AppResult<HashMap<i32, Geometry>> {
    let rows = district_boundary::Entity::find().all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| stored_shape(&row.geojson).map(|g| (row.district_id, g)))
        .collect())
}

/// The stored boundary of district `code`: BAD_USER_INPUT when the code is
/// unknown or the district has no boundary yet.
pub async fn boundary_of(db: &DatabaseConnection, field: &str, code: &str) -> AppResult<Geometry> {
    let ids = super::district::ids_for_codes(db, field, &[code.to_owned()]).await?;
    let id = ids.first().copied().unwrap_or_default();
    let row = district_boundary::Entity::find_by_id(id).one(db).await?;
    row.and_then(|row| stored_shape(&row.geojson)).ok_or_else(|| {
        AppError::invalid(
            field,
            format!(
                "district '{code}' has no stored boundary; set one with setDistrictBoundary or `zaiti import districts`"
            ),
            format!(
                "行政区“{code}”尚无边界数据；请用 setDistrictBoundary 或 `zaiti import districts` 录入"
            ),
        )
    })
}

/// The footprints of these carriers, by carrier id. One SQL statement.
pub async fn footprints_of(
    db: &DatabaseConnection,
    carrier_ids: &[i32],
) -> AppResult<HashMap<i32, carrier_footprint::Model>> {
    let rows = carrier_footprint::Entity::find()
        .filter(carrier_footprint::Column::CarrierId.is_in(carrier_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.carrier_id, row)).collect())
}

/// A stored shape, read back; a row that does not parse is logged and skipped.
pub fn stored_shape(text: &str) -> Option<Geometry> {
    let geometry = geometry::from_stored(text);
    if geometry.is_none() {
        tracing::error!(text, "stored geometry does not parse");
    }
    geometry
}

/// A carrier's geometry for the filters: its footprint, else its location point.
pub fn carrier_geometry(
    row: &carrier::Model,
    footprint: Option<&carrier_footprint::Model>,
) -> Option<Geometry> {
    match footprint {
        Some(footprint) => stored_shape(&footprint.geojson),
        None => row
            .longitude
            .zip(row.latitude)
            .map(|(lon, lat)| Geometry::Point(geo::Point::new(lon, lat))),
    }
}

/// Carriers whose geometry (footprint, else location) might meet `bbox`: the
/// SQL prefilter. Two SQL statements, both on indexed box columns.
pub async fn candidates(db: &DatabaseConnection, bbox: &BBox) -> AppResult<Vec<(i32, Geometry)>> {
    use carrier_footprint::Column as F;
    let footprints = carrier_footprint::Entity::find()
        .filter(
            Condition::all()
                .add(F::MinLon.lte(bbox.max_lon))
                .add(F::MaxLon.gte(bbox.min_lon))
                .add(F::MinLat.lte(bbox.max_lat))
                .add(F::MaxLat.gte(bbox.min_lat)),
        )
        .all(db)
        .await?;
    let with_footprint = Query::select()
        .column(F::CarrierId)
        .from(carrier_footprint::Entity)
        .to_owned();
    let points: Vec<(i32, f64, f64)> = carrier::Entity::find()
        .select_only()
        .column(carrier::Column::Id)
        .column(carrier::Column::Longitude)
        .column(carrier::Column::Latitude)
        .filter(carrier::Column::Longitude.between(bbox.min_lon, bbox.max_lon))
        .filter(carrier::Column::Latitude.between(bbox.min_lat, bbox.max_lat))
        .filter(Expr::col(carrier::Column::Id).not_in_subquery(with_footprint))
        .order_by_asc(carrier::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut found: Vec<(i32, Geometry)> = footprints
        .into_iter()
        .filter_map(|row| stored_shape(&row.geojson).map(|g| (row.carrier_id, g)))
        .collect();
    found.extend(
        points
            .into_iter()
            .map(|(id, lon, lat)| (id, Geometry::Point(geo::Point::new(lon, lat)))),
    );
    Ok(found)
}

/// The box around every carrier footprint, or `None` when there is none.
/// One SQL statement, an aggregate.
pub async fn footprint_extent(db: &DatabaseConnection) -> AppResult<Option<BBox>> {
    use carrier_footprint::Column as F;
    extent::<carrier_footprint::Entity>(
        db,
        [F::MinLon, F::MinLat, F::MaxLon, F::MaxLat],
        Condition::all(),
    )
    .await
}

/// The box around the location of every carrier without a footprint, or
/// `None` when there is none. One SQL statement, an aggregate.
pub async fn location_only_extent(db: &DatabaseConnection) -> AppResult<Option<BBox>> {
    use carrier::Column as C;
    let with_footprint = Query::select()
        .column(carrier_footprint::Column::CarrierId)
        .from(carrier_footprint::Entity)
        .to_owned();
    extent::<carrier::Entity>(
        db,
        [C::Longitude, C::Latitude, C::Longitude, C::Latitude],
        Condition::all().add(C::Id.not_in_subquery(with_footprint)),
    )
    .await
}

/// The box around the geometry of every carrier hosting a platform (a
/// platform's geometry is its host's). Two SQL statements, aggregates only.
pub async fn platform_extent(db: &DatabaseConnection) -> AppResult<Option<BBox>> {
    let hosts = Query::select()
        .column(platform::Column::CarrierId)
        .from(platform::Entity)
        .and_where(platform::Column::VoidedAt.is_null())
        .to_owned();
    carriers_extent(db, Some(hosts)).await
}

/// The box around the geometry of the carriers whose ids `among` selects (all when `None`).
async fn carriers_extent(
    db: &DatabaseConnection,
    among: Option<SelectStatement>,
) -> AppResult<Option<BBox>> {
    use carrier::Column as C;
    use carrier_footprint::Column as F;
    let only = |column: Expr| match &among {
        Some(ids) => Condition::all().add(column.in_subquery(ids.clone())),
        None => Condition::all(),
    };
    let footprints = extent::<carrier_footprint::Entity>(
        db,
        [F::MinLon, F::MinLat, F::MaxLon, F::MaxLat],
        only(Expr::col(F::CarrierId)),
    )
    .await?;
    let points = extent::<carrier::Entity>(
        db,
        [C::Longitude, C::Latitude, C::Longitude, C::Latitude],
        only(Expr::col(C::Id)),
    )
    .await?;
    Ok(match (footprints, points) {
        (Some(a), Some(b)) => Some(BBox {
            min_lon: a.min_lon.min(b.min_lon),
            min_lat: a.min_lat.min(b.min_lat),
            max_lon: a.max_lon.max(b.max_lon),
            max_lat: a.max_lat.max(b.max_lat),
        }),
        (a, b) => a.or(b),
    })
}

/// The box around every stored district boundary. One SQL statement.
pub async fn district_extent(db: &DatabaseConnection) -> AppResult<Option<BBox>> {
    use district_boundary::Column as D;
    extent::<district_boundary::Entity>(
        db,
        [D::MinLon, D::MinLat, D::MaxLon, D::MaxLat],
        Condition::all(),
    )
    .await
}

/// MIN, MIN, MAX, MAX of four columns of the rows of `E` meeting `condition`.
async fn extent<E: EntityTrait>(
    db: &DatabaseConnection,
    [west, south, east, north]: [E::Column; 4],
    condition: Condition,
) -> AppResult<Option<BBox>> {
    use sea_orm::sea_query::Func;
    type Corners = (Option<f64>, Option<f64>, Option<f64>, Option<f64>);
    let row: Option<Corners> = E::find()
        .select_only()
        .expr(Func::min(Expr::col(west)))
        .expr(Func::min(Expr::col(south)))
        .expr(Func::max(Expr::col(east)))
        .expr(Func::max(Expr::col(north)))
        .filter(condition)
        .into_tuple()
        .one(db)
        .await?;
    Ok(match row {
        Some((Some(min_lon), Some(min_lat), Some(max_lon), Some(max_lat))) => Some(BBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }),
        _ => None,
    })
}

/// The ids of the carriers that meet `predicate`, decided exactly.
pub async fn matching_carriers(
    db: &DatabaseConnection,
    predicate: &SpatialPredicate,
) -> AppResult<Vec<i32>> {
    let Some(bbox) = predicate.prefilter() else {
        return Ok(Vec::new());
    };
    Ok(predicate.select(candidates(db, &bbox).await?))
}

/// Narrows `filter` to the carriers that meet every one of `predicates`
/// (for platforms: to those whose host carrier does).
pub async fn restrict(
    db: &DatabaseConnection,
    filter: &mut impl CarrierRestriction,
    predicates: &[SpatialPredicate],
) -> AppResult<()> {
    for predicate in predicates {
        let ids = matching_carriers(db, predicate).await?;
        filter.restrict_to(ids);
    }
    Ok(())
}
