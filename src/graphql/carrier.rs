//! Carriers (载体): the type, the listing and the writes.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use entity::carrier;

use super::compliance::{self, CarrierCompliance, LevelEligibility};
use super::connection::{connection, page_args, page_complexity, total_count};
use super::cost::{
    self, FIXED_SMALL_LIST, RECORDS_PER_OWNER, TENANCIES_PER_CARRIER, list_complexity,
};
use super::district::District;
use super::eager::EagerList;
use super::enums::{
    CarrierKind, CarrierStatus, ComplianceCriterion, Industry, Level, OrderDirection,
    TenancyStatus, to_domain,
};
use super::error::ApiResult;
use super::loaders::{self, many, required};
use super::node::{NodeType, expect, expect_all, global_id};
use super::operator::Operator;
use super::recognition::LevelRecognition;
use super::scalars::{Date, DateTime};
use super::space_phase::SpacePhase;
use super::spatial::{self, CoordinateSystem, GeoJson, SpatialFilter};
use super::support::{self, Facility, Fund, OperatingTeam, Platform};
use super::tenancy::{Occupancy, Tenancy};
use crate::domain::ValidationError;
use crate::domain::carrier as domain;
use crate::domain::level::{Recognition, level_on};
use crate::domain::level_rules;
use crate::domain::location::Location;
use crate::domain::text::{filter_text, required_text};
use crate::error::{AppError, stored};
use crate::store;
use crate::store::carrier::{
    CarrierFilter as StoreFilter, CarrierOrder, CarrierPatch, CarrierRestriction, NewCarrier,
};

/// 载体: a makerspace, incubator, accelerator or science complex.
#[derive(Debug, Clone)]
pub struct Carrier {
    id: i32,
    name: String,
    kind: domain::CarrierKind,
    status: domain::CarrierStatus,
    district_id: i32,
    operator_id: i32,
    address: String,
    landmark: bool,
    workstations: Option<i32>,
    location: Option<GeoPoint>,
    version: i32,
    created_at: chrono::DateTime<Utc>,
    updated_at: chrono::DateTime<Utc>,
}

/// A point on the earth in WGS84 / CGCS2000 degrees.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct GeoPoint {
    /// Longitude in degrees east, -180 to 180.
    pub longitude: f64,
    /// Latitude in degrees north, -90 to 90.
    pub latitude: f64,
}

impl TryFrom<carrier::Model> for Carrier {
    type Error = AppError;

    fn try_from(row: carrier::Model) -> Result<Self, AppError> {
        Ok(Self {
            kind: stored("carrier.kind", &row.kind)?,
            status: stored("carrier.status", &row.status)?,
            location: row
                .longitude
                .zip(row.latitude)
                .map(|(longitude, latitude)| GeoPoint {
                    longitude,
                    latitude,
                }),
            id: row.id,
            name: row.name,
            district_id: row.district_id,
            operator_id: row.operator_id,
            address: row.address,
            landmark: row.landmark,
            workstations: row.workstations,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl Carrier {
    /// The level held on `as_of` (default today), by the rule of
    /// `domain::level::level_on` over the recognitions that count.
    async fn level_held(&self, ctx: &Context<'_>, as_of: Option<Date>) -> ApiResult<domain::Level> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let history = self.history(ctx, false).await?;
        let recognitions: Vec<Recognition> =
            history.iter().map(LevelRecognition::rule_view).collect();
        Ok(level_on(&recognitions, as_of))
    }

    /// The carrier's kind, for the rules that depend on it.
    pub fn domain_kind(&self) -> domain::CarrierKind {
        self.kind
    }
}

/// 载体: a makerspace, incubator, accelerator or science complex.
#[Object]
impl Carrier {
    /// The global ID of the carrier.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Carrier, self.id)
    }

    /// Name, e.g. 无锡国家集成电路设计中心孵化器.
    async fn name(&self) -> &str {
        &self.name
    }

    /// Makerspace, incubator, accelerator or science complex.
    async fn kind(&self) -> CarrierKind {
        self.kind.into()
    }

    /// Where the carrier is in its life now.
    async fn status(&self) -> CarrierStatus {
        self.status.into()
    }

    /// Every change of status, oldest first, each from the day it took
    /// effect: what "operating on the as-of date" in goal progress reads.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn status_history(&self, ctx: &Context<'_>) -> ApiResult<Vec<CarrierStatusChange>> {
        Ok(status_changes(ctx, self.id)
            .await?
            .into_iter()
            .map(|change| CarrierStatusChange {
                effective_on: Date(change.effective_on),
                status: change.status.into(),
            })
            .collect())
    }

    /// The status the carrier had on `date`: that of its latest change by
    /// then; null before its first (zaiti knew of no status yet).
    async fn status_on(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day to read the status on.")] date: Date,
    ) -> ApiResult<Option<CarrierStatus>> {
        let changes = status_changes(ctx, self.id).await?;
        Ok(domain::status_on(&changes, date.0).map(Into::into))
    }

    /// 地标型: whether this is a landmark science complex.
    async fn landmark(&self) -> bool {
        self.landmark
    }

    /// 工位数: workstations offered, as makerspaces report them; null when not given.
    async fn workstations(&self) -> Option<i32> {
        self.workstations
    }

    /// Street address.
    async fn address(&self) -> &str {
        &self.address
    }

    /// Point location, when known.
    async fn location(&self) -> Option<GeoPoint> {
        self.location
    }

    /// The district the carrier sits in.
    async fn district(&self, ctx: &Context<'_>) -> ApiResult<District> {
        let district = loaders::of(ctx)?.district(self.district_id).await?;
        required(district, "district", self.district_id)
    }

    /// The operator that runs the carrier.
    async fn operator(&self, ctx: &Context<'_>) -> ApiResult<Operator> {
        let operator = loaders::of(ctx)?.operator(self.operator_id).await?;
        required(operator, "operator", self.operator_id)
    }

    /// 主导产业: the "465" clusters the carrier leads in.
    async fn leading_industries(&self, ctx: &Context<'_>) -> ApiResult<Vec<Industry>> {
        let rows = loaders::of(ctx)?.industries_of(self.id).await?;
        let mut industries = rows
            .iter()
            .map(|row| stored::<domain::Industry>("carrier_industry.industry", &row.industry))
            .collect::<Result<Vec<_>, _>>()?;
        industries.sort();
        Ok(industries.into_iter().map(Into::into).collect())
    }

    /// Floor area in m² delivered on or before `asOf` (default today): the sum of its space phases.
    async fn floor_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to measure on (default today).")] as_of: Option<Date>,
    ) -> ApiResult<f64> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        Ok(loaders::of(ctx)?.floor_area(self.id, as_of).await?)
    }

    /// The space phases that make up the carrier, by delivery date (planned ones included);
    /// phases voided as entered in error only with `includeVoided`.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn phases(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = false,
            desc = "Also the voided phases (作废), which count in no figure."
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<SpacePhase>> {
        let mut rows = loaders::of(ctx)?.phases_of(self.id).await?;
        rows.retain(|row| include_voided || row.voided_at.is_none());
        rows.sort_by_key(|row| (row.delivered_on, row.id));
        Ok(rows
            .into_iter()
            .map(SpacePhase::try_from)
            .collect::<Result<_, _>>()?)
    }

    /// The level held on `asOf` (default today): that of the latest recognition on or before it.
    async fn level(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to judge on (default today).")] as_of: Option<Date>,
    ) -> ApiResult<Level> {
        Ok(self.level_held(ctx, as_of).await?.into())
    }

    /// 级别 on `asOf` (default today) as its authority names it: 区级 for a
    /// district's recognition but 县级 for that of a county-level city
    /// (江阴市, 宜兴市); 国家备案 for a makerspace filed nationally, 国家级 for a
    /// national incubator; 市级, 省级; 未认定 without a level.
    async fn level_name_zh(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to judge on (default today).")] as_of: Option<Date>,
    ) -> ApiResult<&'static str> {
        let level = self.level_held(ctx, as_of).await?;
        let district = loaders::of(ctx)?.district(self.district_id).await?;
        let district = required(district, "district", self.district_id)?;
        Ok(crate::domain::level::level_name_zh(
            level,
            self.kind,
            district.domain_kind(),
        ))
    }

    /// 认定记录: every level recognition, oldest first; those voided as
    /// entered in error only with `includeVoided`.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn recognitions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = false,
            desc = "Also the voided recognitions (作废), which count in no figure."
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<LevelRecognition>> {
        self.history(ctx, include_voided).await
    }

    /// 楼栋: its buildings, by name, each with its floors and units (the vacancy map).
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn buildings(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::inventory::Building>> {
        super::inventory::buildings_of(ctx, self.id).await
    }

    /// 出租率: leased area, leasable area (floor area delivered), tenants and graduates on `asOf` (default today).
    async fn occupancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date of the figures (default today).")] as_of: Option<Date>,
    ) -> ApiResult<Occupancy> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let loaders = loaders::of(ctx)?;
        let figures = loaders.occupancy(self.id, as_of).await?;
        let leasable = loaders.floor_area(self.id, as_of).await?;
        Ok(Occupancy::new(as_of, figures, leasable))
    }

    /// Its tenancies, oldest first; with `asOf`, those with one of `statuses` on that date (default: in force).
    #[graphql(complexity = "list_complexity(TENANCIES_PER_CARRIER, child_complexity)")]
    async fn tenancies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only tenancies as they stood on this date.")] as_of: Option<Date>,
        #[graphql(
            desc = "With `asOf`: the statuses to keep (default INCUBATING and GRADUATED tenants still in force)."
        )]
        statuses: Option<Vec<TenancyStatus>>,
        #[graphql(
            desc = "Also those voided as entered in error (default false); they count nowhere.",
            default
        )]
        include_voided: bool,
    ) -> ApiResult<EagerList<Tenancy>> {
        let loaders = loaders::of(ctx)?;
        let mut rows = many(&loaders.tenancies_of_carrier, self.id).await?;
        rows.retain(|row| include_voided || row.voided_at.is_none());
        rows.sort_by_key(|row| (row.moved_in_on, row.id));
        let mut tenancies: Vec<Tenancy> = rows.into_iter().map(Tenancy::new).collect();
        if let Some(as_of) = as_of.map(|d| d.0) {
            let statuses: Option<Vec<crate::domain::tenancy::TenancyStatus>> =
                statuses.map(|list| list.into_iter().map(Into::into).collect());
            tenancies.retain(|tenancy| match (&statuses, tenancy.status_on(as_of)) {
                (_, None) => false,
                (Some(wanted), Some(status)) => wanted.contains(&status),
                (None, Some(_)) => tenancy.in_force_on(as_of),
            });
        }
        if !ctx.look_ahead().field("enterprise").exists() {
            return Ok(EagerList(tenancies));
        }
        // The tenants are read here, for every carrier of the page in one
        // batch, rather than tenancy by tenancy: the list then resolves in
        // one pass (see `EagerList`).
        let tenants = loaders::by_id(
            &loaders.enterprises,
            tenancies.iter().map(|tenancy| tenancy.0.enterprise_id),
        )
        .await?;
        Ok(EagerList(
            tenancies
                .into_iter()
                .map(|tenancy| {
                    let tenant = tenants.get(&tenancy.0.enterprise_id).cloned();
                    Tenancy::with_enterprise(tenancy.0, tenant)
                })
                .collect(),
        ))
    }

    /// 公共技术服务平台: the public technology service platforms it hosts, open or closed, oldest first.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn platforms(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Also those voided as entered in error (default false); they count nowhere.",
            default
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<Platform>> {
        support::platforms_of(ctx, self.id, include_voided).await
    }

    /// 投资基金: the investment funds serving it, active or wound up, oldest first.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn funds(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Also those voided as entered in error (default false); they count nowhere.",
            default
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<Fund>> {
        support::funds_of(ctx, self.id, include_voided).await
    }

    /// 运营团队: its operating teams, active or disbanded, oldest first.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn operating_teams(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Also those voided as entered in error (default false); they count nowhere.",
            default
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<OperatingTeam>> {
        support::teams_of(ctx, self.id, include_voided).await
    }

    /// 配套设施: its supporting facilities, open or closed, oldest first.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn facilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Also those voided as entered in error (default false); they count nowhere.",
            default
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<Facility>> {
        support::facilities_of(ctx, self.id, include_voided).await
    }

    /// 五有 on `asOf` (default today): each criterion, why it holds or not,
    /// and the evidence. Computed in batch for a whole page of carriers.
    async fn compliance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to check on (default today).")] as_of: Option<Date>,
    ) -> ApiResult<CarrierCompliance> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let compliance = compliance::compliance_of(loaders::of(ctx)?, self.id, as_of).await?;
        Ok(CarrierCompliance(compliance))
    }

    /// Whether the carrier could apply under level rule set `ruleSet` on
    /// `asOf` (default today): each criterion with its threshold, the
    /// carrier's figure and the gap.
    async fn level_eligibility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A rule set's code, e.g. NATIONAL_INCUBATOR_2018 (see `levelRuleSets`).")]
        rule_set: String,
        #[graphql(desc = "The date to judge on (default today).")] as_of: Option<Date>,
    ) -> ApiResult<LevelEligibility> {
        let rule_set = compliance::rule_set("ruleSet", &rule_set)?;
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let figures = compliance::figures_of(loaders::of(ctx)?, self.id, as_of).await?;
        Ok(LevelEligibility(level_rules::evaluate(
            rule_set, self.kind, &figures, as_of,
        )))
    }

    /// Eligibility under every level rule set in effect on `asOf` (default
    /// today) that covers the carrier's kind, highest level first.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn level_eligibilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to judge on (default today).")] as_of: Option<Date>,
    ) -> ApiResult<Vec<LevelEligibility>> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let figures = compliance::figures_of(loaders::of(ctx)?, self.id, as_of).await?;
        Ok(level_rules::evaluate_applicable(self.kind, &figures, as_of)
            .into_iter()
            .map(LevelEligibility)
            .collect())
    }

    /// The location as a GeoJSON Point, in `coordinateSystem` (default WGS84).
    async fn location_geometry(
        &self,
        #[graphql(desc = "The coordinate system to return (default WGS84).")]
        coordinate_system: Option<CoordinateSystem>,
    ) -> Option<GeoJson> {
        spatial::location_geometry(self.location, coordinate_system)
    }

    /// 占地轮廓: the footprint, a GeoJSON Polygon or MultiPolygon, in `coordinateSystem` (default WGS84).
    async fn footprint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coordinate system to return (default WGS84).")]
        coordinate_system: Option<CoordinateSystem>,
    ) -> ApiResult<Option<GeoJson>> {
        spatial::footprint(ctx, self.id, coordinate_system).await
    }

    /// The footprint's geodesic area in m² (WGS84 ellipsoid), to set beside `floorArea`.
    async fn footprint_area(&self, ctx: &Context<'_>) -> ApiResult<Option<f64>> {
        spatial::footprint_area(ctx, self.id).await
    }

    /// Declared floor area on `asOf` (default today) divided by the footprint area: roughly the storeys built on it.
    async fn floor_to_footprint_ratio(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date of the floor area (default today).")] as_of: Option<Date>,
    ) -> ApiResult<Option<f64>> {
        let Some(footprint) = spatial::footprint_area(ctx, self.id).await? else {
            return Ok(None);
        };
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let floor = loaders::of(ctx)?.floor_area(self.id, as_of).await?;
        Ok((footprint > 0.0).then(|| floor / footprint))
    }

    /// Row version; pass it back to `updateCarrier`.
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

impl Carrier {
    /// The database id of the carrier's operator.
    pub fn operator_id(&self) -> i32 {
        self.operator_id
    }

    /// The carrier's name.
    pub fn name_text(&self) -> &str {
        &self.name
    }

    /// The recognition history, oldest first; the voided ones only with `include_voided`.
    async fn history(
        &self,
        ctx: &Context<'_>,
        include_voided: bool,
    ) -> ApiResult<Vec<LevelRecognition>> {
        let mut rows = loaders::of(ctx)?.recognitions_of(self.id).await?;
        rows.retain(|row| include_voided || row.voided_at.is_none());
        rows.sort_by_key(|row| (row.recognised_on, row.id));
        Ok(rows
            .into_iter()
            .map(LevelRecognition::try_from)
            .collect::<Result<_, _>>()?)
    }
}

connection!(
    CarrierConnection,
    CarrierEdge,
    Carrier,
    "A page of carriers (Relay cursor connection).",
    "A carrier in a page, with its cursor."
);

/// Which carriers to list. All given conditions must hold; a list matches any of its values.
#[derive(InputObject, Default)]
pub struct CarrierFilter {
    /// Any of these kinds.
    pub kinds: Option<Vec<CarrierKind>>,
    /// Any of these statuses.
    pub statuses: Option<Vec<CarrierStatus>>,
    /// Holding any of these levels on `levelAsOf`.
    pub levels: Option<Vec<Level>>,
    /// The date the `levels` condition is judged on (default today).
    pub level_as_of: Option<Date>,
    /// In any of these districts, by global ID.
    pub district_ids: Option<Vec<ID>>,
    /// In any of these districts, by code: the short code (`xinwu`) or the
    /// GB/T 2260 administrative code (`320214`, as `District.adminCode`), mixed freely.
    pub district_codes: Option<Vec<String>>,
    /// Run by any of these operators, by global ID.
    pub operator_ids: Option<Vec<ID>>,
    /// Leading in any of these industries.
    pub leading_industries: Option<Vec<Industry>>,
    /// Landmark science complexes only (true) or none of them (false).
    pub landmark: Option<bool>,
    /// Name contains this text (case-insensitive).
    pub name_contains: Option<String>,
    /// 功能完备: carriers meeting all five of 五有 on `complianceAsOf` (true) or not (false).
    pub fully_functional: Option<bool>,
    /// Carriers failing any of these criteria of 五有 on `complianceAsOf`.
    pub failing: Option<Vec<ComplianceCriterion>>,
    /// The date the `fullyFunctional` and `failing` conditions are judged on (default today).
    pub compliance_as_of: Option<Date>,
    /// Spatial conditions (bbox, intersects, within, withinDistrict, near).
    #[graphql(flatten)]
    pub spatial: SpatialFilter,
}

/// What carriers can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CarrierOrderField {
    /// By name, character by character (Unicode code points).
    #[default]
    Name,
    /// 拼音顺序: by the pinyin of the name, as a Chinese reader expects a
    /// list (滨湖 before 宜兴); homophones by creation order.
    NamePinyin,
    /// By creation order (the database id).
    Id,
}

/// How to sort carriers.
#[derive(InputObject, Default)]
pub struct CarrierOrderBy {
    /// What to sort by (default NAME).
    #[graphql(default)]
    pub field: CarrierOrderField,
    /// Which way (default ASC).
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A point given as longitude and latitude (WGS84 / CGCS2000 degrees).
#[derive(InputObject, Debug, Clone, Copy)]
pub struct GeoPointInput {
    /// Longitude in degrees east, -180 to 180.
    pub longitude: f64,
    /// Latitude in degrees north, -90 to 90.
    pub latitude: f64,
}

/// A new carrier.
#[derive(InputObject)]
pub struct CreateCarrierInput {
    /// Name; not empty.
    pub name: String,
    /// Makerspace, incubator, accelerator or science complex.
    pub kind: CarrierKind,
    /// Life-cycle status (default OPERATING).
    #[graphql(default_with = "CarrierStatus::Operating")]
    pub status: CarrierStatus,
    /// The day the status took effect, e.g. the day it opened (default
    /// today; not in the future). Goal progress reads the status on its
    /// as-of date, so a carrier registered with its past opening date
    /// counts on the dates since.
    pub status_since: Option<Date>,
    /// The district, by global ID.
    pub district_id: ID,
    /// The operator, by global ID.
    pub operator_id: ID,
    /// Street address; not empty.
    pub address: String,
    /// Landmark science complex (only for SCIENCE_COMPLEX; default false).
    #[graphql(default)]
    pub landmark: bool,
    /// 工位数: workstations offered (makerspaces report them in the Torch survey), 0 to 100,000.
    pub workstations: Option<i32>,
    /// Point location.
    pub location: Option<GeoPointInput>,
    /// Leading industries (at most five).
    #[graphql(default)]
    pub leading_industries: Vec<Industry>,
}

/// Changes to a carrier. Omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCarrierInput {
    /// The carrier to change.
    pub id: ID,
    /// The `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// New name.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<CarrierKind>,
    /// New status, added to the status history.
    pub status: Option<CarrierStatus>,
    /// With a new `status`: the day it took effect (default today), not in
    /// the future and not before the latest change. Without one: moves the
    /// current status's start to this day, e.g. a carrier registered today
    /// that opened last year; it must stay after the previous change.
    pub status_since: Option<Date>,
    /// New district, by global ID.
    pub district_id: Option<ID>,
    /// New operator, by global ID.
    pub operator_id: Option<ID>,
    /// New address.
    pub address: Option<String>,
    /// New landmark flag.
    pub landmark: Option<bool>,
    /// New number of workstations (工位数), 0 to 100,000; `null` clears it.
    pub workstations: MaybeUndefined<i32>,
    /// New location; `null` clears it.
    pub location: MaybeUndefined<GeoPointInput>,
    /// New leading industries, replacing the old ones.
    pub leading_industries: Option<Vec<Industry>>,
}

/// A change of a carrier's status.
#[derive(SimpleObject)]
pub struct CarrierStatusChange {
    /// The first day the status held.
    pub effective_on: Date,
    /// The status from that day.
    pub status: CarrierStatus,
}

/// Carrier `carrier_id`'s status changes, through the request's batched loader.
async fn status_changes(
    ctx: &Context<'_>,
    carrier_id: i32,
) -> ApiResult<Vec<domain::StatusChange>> {
    let rows = loaders::many(&loaders::of(ctx)?.status_history_of, carrier_id).await?;
    let mut changes = rows
        .iter()
        .map(|row| {
            Ok(domain::StatusChange {
                effective_on: row.effective_on,
                status: stored("carrier_status_change.status", &row.status)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    changes.sort_by_key(|change| change.effective_on);
    Ok(changes)
}

fn location(point: GeoPointInput) -> Result<Location, ValidationError> {
    Location::new(point.longitude, point.latitude)
}

impl CreateCarrierInput {
    fn validate(self) -> Result<NewCarrier, AppError> {
        Ok(NewCarrier {
            name: required_text("name", &self.name)?,
            kind: self.kind.into(),
            status: self.status.into(),
            district_id: expect("districtId", &self.district_id, NodeType::District)?,
            operator_id: expect("operatorId", &self.operator_id, NodeType::Operator)?,
            address: required_text("address", &self.address)?,
            landmark: self.landmark,
            workstations: self
                .workstations
                .map(|count| domain::check_workstations("workstations", count))
                .transpose()?,
            location: self.location.map(location).transpose()?,
            leading_industries: to_domain(Some(self.leading_industries)),
            status_since: self.status_since.map(|date| date.0),
        })
    }
}

impl UpdateCarrierInput {
    fn validate(self) -> Result<CarrierPatch, AppError> {
        let text =
            |field, value: Option<String>| value.map(|v| required_text(field, &v)).transpose();
        Ok(CarrierPatch {
            name: text("name", self.name)?,
            kind: self.kind.map(Into::into),
            status: self.status.map(Into::into),
            district_id: self
                .district_id
                .map(|id| expect("districtId", &id, NodeType::District))
                .transpose()?,
            operator_id: self
                .operator_id
                .map(|id| expect("operatorId", &id, NodeType::Operator))
                .transpose()?,
            address: text("address", self.address)?,
            landmark: self.landmark,
            workstations: match self.workstations {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(count) => {
                    Some(Some(domain::check_workstations("workstations", count)?))
                }
            },
            location: match self.location {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(point) => Some(Some(location(point)?)),
            },
            leading_industries: self.leading_industries.map(|list| to_domain(Some(list))),
            status_since: self.status_since.map(|date| date.0),
        })
    }
}

impl CarrierFilter {
    pub(crate) async fn into_store(self, ctx: &Context<'_>) -> ApiResult<StoreFilter> {
        let db = super::db(ctx)?;
        let mut district_ids = expect_all(
            "filter.districtIds",
            &self.district_ids.unwrap_or_default(),
            NodeType::District,
        )?;
        if let Some(codes) = self.district_codes.filter(|codes| !codes.is_empty()) {
            let by_code =
                store::district::ids_for_codes(db, "filter.districtCodes", &codes).await?;
            // Both given: a carrier must be in a district named by each.
            district_ids = if district_ids.is_empty() {
                by_code
            } else {
                district_ids
                    .into_iter()
                    .filter(|id| by_code.contains(id))
                    .collect()
            };
            if district_ids.is_empty() {
                district_ids.push(-1);
            }
        }
        let mut filter = StoreFilter {
            kinds: to_domain(self.kinds),
            statuses: to_domain(self.statuses),
            levels: to_domain(self.levels),
            level_as_of: self.level_as_of.map(|d| d.0),
            district_ids,
            operator_ids: expect_all(
                "filter.operatorIds",
                &self.operator_ids.unwrap_or_default(),
                NodeType::Operator,
            )?,
            leading_industries: to_domain(self.leading_industries),
            landmark: self.landmark,
            name_contains: filter_text("filter.nameContains", self.name_contains)?
                .filter(|text| !text.trim().is_empty()),
            only_ids: None,
            shape: None,
        };
        let failing: Vec<crate::domain::compliance::Criterion> = to_domain(self.failing);
        if self.fully_functional.is_some() || !failing.is_empty() {
            // 五有 is judged for the whole portfolio: one of the aggregates
            // that take turns (`cost::AggregateGate`).
            let _turn = cost::aggregate_turn(ctx).await?;
            let as_of = self.compliance_as_of.map_or_else(store::today, |d| d.0);
            let wanted = self.fully_functional;
            let ids = if wanted == Some(true) && failing.is_empty() {
                // The common question, answered reading tenants only where needed.
                store::compliance::fully_functional_carriers(db, as_of).await?
            } else {
                store::compliance::carriers_where(db, as_of, |compliance| {
                    wanted.is_none_or(|full| compliance.fully_functional() == full)
                        && (failing.is_empty()
                            || compliance.failing().any(|c| failing.contains(&c)))
                })
                .await?
            };
            filter.restrict_to(ids);
        }
        self.spatial
            .apply(db, super::limits(ctx).max_polygon_vertices, &mut filter)
            .await?;
        Ok(filter)
    }
}

fn store_order(order: CarrierOrderBy) -> CarrierOrder {
    match (order.field, order.direction) {
        (CarrierOrderField::Name, OrderDirection::Asc) => CarrierOrder::NameAsc,
        (CarrierOrderField::Name, OrderDirection::Desc) => CarrierOrder::NameDesc,
        (CarrierOrderField::NamePinyin, OrderDirection::Asc) => CarrierOrder::PinyinAsc,
        (CarrierOrderField::NamePinyin, OrderDirection::Desc) => CarrierOrder::PinyinDesc,
        (CarrierOrderField::Id, OrderDirection::Asc) => CarrierOrder::IdAsc,
        (CarrierOrderField::Id, OrderDirection::Desc) => CarrierOrder::IdDesc,
    }
}

#[derive(Default)]
pub struct CarrierQuery;

#[Object]
impl CarrierQuery {
    /// One carrier by global ID, or null.
    async fn carrier(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The carrier's global ID.")] id: ID,
    ) -> ApiResult<Option<Carrier>> {
        let id = expect("id", &id, NodeType::Carrier)?;
        Ok(loaders::of(ctx)?.carrier(id).await?)
    }

    /// Carriers matching `filter`, sorted by `orderBy`, a page at a time.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn carriers(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Page size when paging forward (default 20; at most the server's page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(
            desc = "Page size when paging backward (at most the server's page size, 100 unless configured)."
        )]
        last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
        #[graphql(desc = "Conditions the carriers must meet.")] filter: Option<CarrierFilter>,
        #[graphql(desc = "Sort order (default by name, ascending).")] order_by: Option<
            CarrierOrderBy,
        >,
    ) -> ApiResult<CarrierConnection> {
        let db = super::db(ctx)?;
        let filter = filter.unwrap_or_default().into_store(ctx).await?;
        let order = store_order(order_by.unwrap_or_default());
        let args = page_args(ctx, first, after, last, before);
        let page = store::carrier::page(db, &filter, order, &args).await?;
        let total = total_count(ctx, store::carrier::count(db, &filter)).await?;
        Ok(CarrierConnection::build(page, total, Carrier::try_from)?)
    }
}

#[derive(Default)]
pub struct CarrierMutation;

#[Object]
impl CarrierMutation {
    /// Registers a carrier.
    async fn create_carrier(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateCarrierInput,
    ) -> ApiResult<Carrier> {
        let row =
            store::carrier::create(super::db(ctx)?, super::actor(ctx)?, input.validate()?).await?;
        Ok(Carrier::try_from(row)?)
    }

    /// Changes a carrier, if it is still at the given `version`.
    async fn update_carrier(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: UpdateCarrierInput,
    ) -> ApiResult<Carrier> {
        let id = expect("id", &input.id, NodeType::Carrier)?;
        let version = input.version;
        let patch = input.validate()?;
        let row =
            store::carrier::update(super::db(ctx)?, super::actor(ctx)?, id, version, patch).await?;
        Ok(Carrier::try_from(row)?)
    }
}
