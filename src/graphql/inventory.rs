//! 房源: a carrier's buildings, their floors and units, which tenancy lets a
//! unit on a date (the vacancy map, 房态图), vacant units and occupancy by
//! building and floor.

use std::collections::BTreeMap;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::{building, unit};

use super::carrier::Carrier;
use super::cost::{FIXED_SMALL_LIST, RECORDS_PER_OWNER, UNITS_PER_FLOOR, list_complexity};
use super::error::ApiResult;
use super::loaders::{self, many, one, required};
use super::node::{NodeType, expect, expect_all, global_id};
use super::scalars::{Date, DateTime};
use super::space_phase::SpacePhase;
use super::spatial::{CoordinateSystem, GeoJson, area_shape, shape_json, system};
use super::tenancy::Tenancy;
use crate::domain::area::FloorArea;
use crate::domain::inventory::{self as rules, UnitOccupancy};
use crate::domain::text::required_text;
use crate::error::{AppError, stored};
use crate::store;
use crate::store::inventory::{BuildingAmendment, NewBuilding, NewUnit, UnitAmendment};

/// 用途: what a unit is for.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "rules::UnitUse")]
pub enum UnitUse {
    /// 办公: offices.
    Office,
    /// 实验室: laboratories.
    Lab,
    /// 厂房/车间: production or pilot workshops.
    Workshop,
    /// 共享空间: shared space, e.g. a makerspace's open desks.
    Shared,
    /// 仓储: storage.
    Warehouse,
    /// 其他: any other use.
    Other,
}

/// 房源状态: whether a unit can be let. Being let is read from the tenancies
/// that name it (`Unit.tenancy`), not kept as a status.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "rules::UnitStatus")]
pub enum UnitStatus {
    /// 可出租: can be let.
    Available,
    /// 装修中: being renovated, not to be let for now.
    UnderRenovation,
    /// 停用: taken out of the stock.
    Withdrawn,
}

/// 楼栋: a building of a carrier. Its floors are the floors its units are on.
#[derive(Debug, Clone)]
pub struct Building(building::Model);

/// 楼栋: a building of a carrier. Its floors are the floors its units are on.
#[Object]
impl Building {
    /// The global ID of the building.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Building, self.0.id)
    }

    /// The carrier it belongs to.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.0.carrier_id).await?;
        required(carrier, "carrier", self.0.carrier_id)
    }

    /// Its name in the carrier, e.g. A栋.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// 建筑轮廓: its footprint, a GeoJSON Polygon or MultiPolygon, in `coordinateSystem` (default WGS84).
    async fn footprint(
        &self,
        #[graphql(desc = "The coordinate system to return (default WGS84).")]
        coordinate_system: Option<CoordinateSystem>,
    ) -> Option<GeoJson> {
        shape_json(self.0.footprint_geojson.as_deref()?, coordinate_system)
    }

    /// The footprint's geodesic area in m² (WGS84 ellipsoid).
    async fn footprint_area(&self) -> Option<f64> {
        self.0.footprint_area_m2
    }

    /// Its floors that have units, lowest first, each with its units.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn floors(&self, ctx: &Context<'_>) -> ApiResult<Vec<Floor>> {
        let mut floors: BTreeMap<i32, Vec<unit::Model>> = BTreeMap::new();
        for unit in units_of(ctx, self.0.id).await? {
            floors.entry(unit.floor).or_default().push(unit);
        }
        Ok(floors
            .into_iter()
            .map(|(number, units)| Floor { number, units })
            .collect())
    }

    /// Its units, by floor and code.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST * UNITS_PER_FLOOR, child_complexity)")]
    async fn units(&self, ctx: &Context<'_>) -> ApiResult<Vec<Unit>> {
        units(units_of(ctx, self.0.id).await?)
    }

    /// 出租率: area of its units let on `asOf` (default today) against the area of its units.
    async fn occupancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date of the figures (default today).")] as_of: Option<Date>,
    ) -> ApiResult<SpaceOccupancy> {
        let units = units_of(ctx, self.0.id).await?;
        SpaceOccupancy::of(ctx, &units, as_of).await
    }

    /// Row version; pass it back to `amendBuilding`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// A building's units, by floor and code, through the request's loader.
async fn units_of(ctx: &Context<'_>, building_id: i32) -> ApiResult<Vec<unit::Model>> {
    let mut units = many(&loaders::of(ctx)?.units_of_building, building_id).await?;
    units.sort_by(|a, b| (a.floor, &a.code).cmp(&(b.floor, &b.code)));
    Ok(units)
}

fn units(rows: impl IntoIterator<Item = unit::Model>) -> ApiResult<Vec<Unit>> {
    Ok(rows
        .into_iter()
        .map(Unit::try_from)
        .collect::<Result<_, _>>()?)
}

/// 楼层: one floor of a building, with its units.
pub struct Floor {
    number: i32,
    units: Vec<unit::Model>,
}

/// 楼层: one floor of a building, with its units.
#[Object]
impl Floor {
    /// Floor number; negative below ground.
    async fn number(&self) -> i32 {
        self.number
    }

    /// Its units, by code.
    #[graphql(complexity = "list_complexity(UNITS_PER_FLOOR, child_complexity)")]
    async fn units(&self) -> ApiResult<Vec<Unit>> {
        units(self.units.iter().cloned())
    }

    /// 出租率: area of its units let on `asOf` (default today) against the area of its units.
    async fn occupancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date of the figures (default today).")] as_of: Option<Date>,
    ) -> ApiResult<SpaceOccupancy> {
        SpaceOccupancy::of(ctx, &self.units, as_of).await
    }
}

/// 房源: a unit let as one (a room, a suite, a workshop bay), on one floor of
/// a building, carved out of one space phase of the carrier.
#[derive(Debug, Clone)]
pub struct Unit {
    row: unit::Model,
    unit_use: rules::UnitUse,
    status: rules::UnitStatus,
}

impl TryFrom<unit::Model> for Unit {
    type Error = AppError;

    fn try_from(row: unit::Model) -> Result<Self, AppError> {
        Ok(Self {
            unit_use: stored("unit.unit_use", &row.unit_use)?,
            status: stored("unit.status", &row.status)?,
            row,
        })
    }
}

/// 房源: a unit let as one (a room, a suite, a workshop bay), on one floor of
/// a building, carved out of one space phase of the carrier.
#[Object]
impl Unit {
    /// The global ID of the unit.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Unit, self.row.id)
    }

    /// The building it is in.
    async fn building(&self, ctx: &Context<'_>) -> ApiResult<Building> {
        let row = one(&loaders::of(ctx)?.buildings, self.row.building_id).await?;
        Ok(Building(required(row, "building", self.row.building_id)?))
    }

    /// The space phase it is carved out of.
    async fn space_phase(&self, ctx: &Context<'_>) -> ApiResult<SpacePhase> {
        let phase = loaders::of(ctx)?
            .space_phase(self.row.space_phase_id)
            .await?;
        required(phase, "space phase", self.row.space_phase_id)
    }

    /// 房号: its code in the building, e.g. 301.
    async fn code(&self) -> &str {
        &self.row.code
    }

    /// Floor number; negative below ground.
    async fn floor(&self) -> i32 {
        self.row.floor
    }

    /// Floor area in m².
    async fn area_m2(&self) -> f64 {
        self.row.area_m2
    }

    /// What it is for.
    async fn unit_use(&self) -> UnitUse {
        self.unit_use.into()
    }

    /// Whether it can be let.
    async fn status(&self) -> UnitStatus {
        self.status.into()
    }

    /// The tenancy that lets it on `asOf` (default today); null when vacant.
    async fn tenancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date (default today).")] as_of: Option<Date>,
    ) -> ApiResult<Option<Tenancy>> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let row = loaders::of(ctx)?.unit_tenancy(self.row.id, as_of).await?;
        Ok(row.map(Tenancy::new))
    }

    /// Row version; pass it back to `amendUnit`.
    async fn version(&self) -> i32 {
        self.row.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.row.created_at.into()
    }
}

/// 出租率 of a building or a floor by its units: the area of the units let on
/// a date against the area of all its units. Where every tenancy names the
/// units it occupies and leases their area, it agrees with the carrier's
/// occupancy by area.
#[derive(SimpleObject)]
pub struct SpaceOccupancy {
    /// The date of the figures.
    as_of: Date,
    /// Units counted.
    unit_count: u32,
    /// Units let on the date.
    let_count: u32,
    /// Area of the units, m².
    unit_area_m2: f64,
    /// Area of the units let on the date, m².
    let_area_m2: f64,
    /// Let area over unit area, 0 to 1; null without units.
    rate: Option<f64>,
}

impl SpaceOccupancy {
    async fn of(ctx: &Context<'_>, units: &[unit::Model], as_of: Option<Date>) -> ApiResult<Self> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let ids: Vec<i32> = units.iter().map(|unit| unit.id).collect();
        let let_out = loaders::of(ctx)?.unit_tenancies(ids, as_of).await?;
        let figures = UnitOccupancy::of(
            units
                .iter()
                .map(|unit| (unit.area_m2, let_out.contains_key(&unit.id))),
        );
        Ok(Self {
            as_of: as_of.into(),
            unit_count: figures.unit_count,
            let_count: figures.let_count,
            unit_area_m2: figures.unit_area_m2,
            let_area_m2: figures.let_area_m2,
            rate: figures.rate(),
        })
    }
}

/// A carrier's buildings, by name, through the request's loader.
pub async fn buildings_of(ctx: &Context<'_>, carrier_id: i32) -> ApiResult<Vec<Building>> {
    let mut rows = many(&loaders::of(ctx)?.buildings_of, carrier_id).await?;
    rows.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    Ok(rows.into_iter().map(Building).collect())
}

/// The units tenancy `tenancy_id` names, by building and code, through the request's loaders.
pub async fn units_of_tenancy(ctx: &Context<'_>, tenancy_id: i32) -> ApiResult<Vec<Unit>> {
    let loaders = loaders::of(ctx)?;
    let links = many(&loaders.unit_links_of_tenancy, tenancy_id).await?;
    let found = loaders::by_id(&loaders.units, links.iter().map(|link| link.unit_id)).await?;
    let mut rows: Vec<unit::Model> = found.into_values().map(|row| (*row).clone()).collect();
    rows.sort_by(|a, b| (a.building_id, &a.code).cmp(&(b.building_id, &b.code)));
    units(rows)
}

/// A building for `node(id)`.
pub async fn load_building(ctx: &Context<'_>, id: i32) -> ApiResult<Option<Building>> {
    Ok(one(&loaders::of(ctx)?.buildings, id).await?.map(Building))
}

/// A unit for `node(id)`.
pub async fn load_unit(ctx: &Context<'_>, id: i32) -> ApiResult<Option<Unit>> {
    one(&loaders::of(ctx)?.units, id)
        .await?
        .map(Unit::try_from)
        .transpose()
        .map_err(Into::into)
}

#[derive(Default)]
pub struct InventoryQuery;

#[Object]
impl InventoryQuery {
    /// 空置房源: a carrier's units that can be let (AVAILABLE), of at least
    /// `minAreaM2`, that no tenancy lets on `asOf` (default today); by
    /// building, floor and code.
    #[graphql(
        complexity = "list_complexity(RECORDS_PER_OWNER * FIXED_SMALL_LIST * UNITS_PER_FLOOR, child_complexity)"
    )]
    async fn vacant_units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The carrier, by global ID.")] carrier_id: ID,
        #[graphql(desc = "The date (default today).")] as_of: Option<Date>,
        #[graphql(desc = "Smallest area wanted, m² (default 0).", default)] min_area_m2: f64,
    ) -> ApiResult<Vec<Unit>> {
        let carrier_id = expect("carrierId", &carrier_id, NodeType::Carrier)?;
        if !min_area_m2.is_finite() || min_area_m2 < 0.0 {
            return Err(AppError::invalid(
                "minAreaM2",
                format!("the smallest area must be zero or more square metres, got {min_area_m2}"),
                format!("最小面积应为零或正数（单位：平方米），填写的是 {min_area_m2}"),
            )
            .into());
        }
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let db = super::db(ctx)?;
        units(store::inventory::vacant_units(db, carrier_id, as_of, min_area_m2).await?)
    }
}

/// A building to record.
#[derive(InputObject)]
pub struct AddBuildingInput {
    /// The carrier, by global ID.
    pub carrier_id: ID,
    /// Its name in the carrier, e.g. A栋; unique within the carrier.
    pub name: String,
    /// Its footprint, a GeoJSON Polygon or MultiPolygon: valid, closed rings, no self-intersection.
    pub footprint: Option<GeoJson>,
    /// The coordinate system the footprint is given in (default WGS84); it is stored in WGS84.
    pub coordinate_system: Option<CoordinateSystem>,
}

/// Changes to a building. Give only the fields to change.
#[derive(InputObject)]
pub struct AmendBuildingInput {
    /// The building, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// Its new name.
    pub name: Option<String>,
    /// Its new footprint; `null` clears it.
    pub footprint: MaybeUndefined<GeoJson>,
    /// The coordinate system the footprint is given in (default WGS84).
    pub coordinate_system: Option<CoordinateSystem>,
}

/// A unit to record.
#[derive(InputObject)]
pub struct AddUnitInput {
    /// The building, by global ID.
    pub building_id: ID,
    /// The delivered space phase of the carrier it is carved out of, by
    /// global ID; the units of a phase cannot add up to more than its area.
    pub space_phase_id: ID,
    /// 房号: its code in the building, e.g. 301; unique within the building.
    pub code: String,
    /// Floor number: 1 and up above ground, -1 and down below (no floor 0).
    pub floor: i32,
    /// Floor area in m².
    pub area_m2: f64,
    /// What it is for.
    pub unit_use: UnitUse,
    /// Whether it can be let (default AVAILABLE).
    pub status: Option<UnitStatus>,
}

/// Changes to a unit. Give only the fields to change.
#[derive(InputObject)]
pub struct AmendUnitInput {
    /// The unit, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// The space phase it is carved out of.
    pub space_phase_id: Option<ID>,
    /// Its new code.
    pub code: Option<String>,
    /// Its floor.
    pub floor: Option<i32>,
    /// Its floor area in m².
    pub area_m2: Option<f64>,
    /// What it is for.
    pub unit_use: Option<UnitUse>,
    /// Whether it can be let.
    pub status: Option<UnitStatus>,
}

/// The units a tenancy occupies.
#[derive(InputObject)]
pub struct SetTenancyUnitsInput {
    /// The tenancy, by global ID.
    pub tenancy_id: ID,
    /// The tenancy's version read; a stale one gets CONFLICT.
    pub version: i32,
    /// The units it occupies, by global ID, replacing those it named; an empty list clears them.
    pub unit_ids: Vec<ID>,
}

#[derive(Default)]
pub struct InventoryMutation;

#[Object]
impl InventoryMutation {
    /// Records a building (楼栋) of a carrier.
    async fn add_building(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: AddBuildingInput,
    ) -> ApiResult<Building> {
        let max_vertices = super::limits(ctx).max_polygon_vertices;
        let cs = system(input.coordinate_system);
        let new = NewBuilding {
            carrier_id: expect("carrierId", &input.carrier_id, NodeType::Carrier)?,
            name: required_text("name", &input.name)?,
            footprint: input
                .footprint
                .map(|GeoJson(json)| area_shape("footprint", &json, cs, max_vertices))
                .transpose()?,
        };
        let row = store::inventory::add_building(super::db(ctx)?, super::actor(ctx)?, new).await?;
        Ok(Building(row))
    }

    /// Changes a building's name or footprint.
    async fn amend_building(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: AmendBuildingInput,
    ) -> ApiResult<Building> {
        let max_vertices = super::limits(ctx).max_polygon_vertices;
        let cs = system(input.coordinate_system);
        let id = expect("id", &input.id, NodeType::Building)?;
        let amendment = BuildingAmendment {
            name: input
                .name
                .map(|name| required_text("name", &name))
                .transpose()?,
            footprint: match input.footprint {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(GeoJson(json)) => {
                    Some(Some(area_shape("footprint", &json, cs, max_vertices)?))
                }
            },
        };
        if amendment.name.is_none() && amendment.footprint.is_none() {
            return Err(nothing_to_change().into());
        }
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::inventory::amend_building(db, actor, id, input.version, amendment).await?;
        Ok(Building(row))
    }

    /// Records a unit (房源) of a building, carved out of a delivered space
    /// phase of the carrier; the units of a phase cannot add up to more than
    /// its area (BAD_USER_INPUT with the figures).
    async fn add_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: AddUnitInput,
    ) -> ApiResult<Unit> {
        let new = NewUnit {
            building_id: expect("buildingId", &input.building_id, NodeType::Building)?,
            space_phase_id: expect("spacePhaseId", &input.space_phase_id, NodeType::SpacePhase)?,
            code: required_text("code", &input.code)?,
            floor: rules::check_floor("floor", input.floor)?,
            area: FloorArea::parse("areaM2", input.area_m2)?,
            unit_use: input.unit_use.into(),
            status: input
                .status
                .map_or(rules::UnitStatus::Available, Into::into),
        };
        let row = store::inventory::add_unit(super::db(ctx)?, super::actor(ctx)?, new).await?;
        Ok(Unit::try_from(row)?)
    }

    /// Changes a unit, under the rules of adding one.
    async fn amend_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: AmendUnitInput,
    ) -> ApiResult<Unit> {
        let id = expect("id", &input.id, NodeType::Unit)?;
        let amendment = UnitAmendment {
            space_phase_id: input
                .space_phase_id
                .map(|phase| expect("spacePhaseId", &phase, NodeType::SpacePhase))
                .transpose()?,
            code: input
                .code
                .map(|code| required_text("code", &code))
                .transpose()?,
            floor: input
                .floor
                .map(|floor| rules::check_floor("floor", floor))
                .transpose()?,
            area: input
                .area_m2
                .map(|area| FloorArea::parse("areaM2", area))
                .transpose()?,
            unit_use: input.unit_use.map(Into::into),
            status: input.status.map(Into::into),
        };
        if amendment.space_phase_id.is_none()
            && amendment.code.is_none()
            && amendment.floor.is_none()
            && amendment.area.is_none()
            && amendment.unit_use.is_none()
            && amendment.status.is_none()
        {
            return Err(nothing_to_change().into());
        }
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::inventory::amend_unit(db, actor, id, input.version, amendment).await?;
        Ok(Unit::try_from(row)?)
    }

    /// Names the units a tenancy occupies, replacing those it named. The
    /// units must be the carrier's; a unit already let to another tenancy
    /// over any of the same days is refused with CONFLICT.
    async fn set_tenancy_units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The tenancy and its units.")] input: SetTenancyUnitsInput,
    ) -> ApiResult<Tenancy> {
        let tenancy_id = expect("tenancyId", &input.tenancy_id, NodeType::Tenancy)?;
        let unit_ids = expect_all("unitIds", &input.unit_ids, NodeType::Unit)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row =
            store::inventory::set_tenancy_units(db, actor, tenancy_id, input.version, unit_ids)
                .await?;
        Ok(Tenancy::new(row))
    }
}

fn nothing_to_change() -> AppError {
    AppError::invalid(
        "input",
        "name at least one field to change",
        "请至少填写一项要修改的内容",
    )
}
