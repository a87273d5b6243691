//! Public technology service platforms, investment funds, operating teams and
//! supporting facilities: the records 五有 reads, and their writes.

use std::collections::BTreeSet;

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, SimpleObject,
};
use chrono::NaiveDate;
use entity::{facility, fund, operating_team, platform};

use super::carrier::Carrier;
use super::connection::{connection, page_args, page_complexity, total_count};
use super::correction::VoidRecordInput;
use super::cost::{CARRIERS_PER_FUND, list_complexity};
use super::enums::{FacilityKind, Level, PlatformKind};
use super::error::ApiResult;
use super::loaders::{self, many, one, required};
use super::node::{NodeType, expect, expect_all, global_id};
use super::scalars::{Date, DateTime};
use super::spatial::SpatialFilter;
use crate::domain::area::FloorArea;
use crate::domain::money::Fen;
use crate::domain::support::{InForce, headcount, services};
use crate::domain::text::{optional_text, required_text};
use crate::error::AppError;
use crate::store;
use crate::store::support::{
    FacilityPatch, FundFilter, FundPatch, NewFacility, NewFund, NewPlatform, NewTeam,
    PlatformFilter, PlatformPatch, TeamPatch,
};

fn date(date: NaiveDate) -> Date {
    date.into()
}

/// `MaybeUndefined` as a patch: absent leaves, `null` clears, a value sets
/// (once `convert` has checked it).
fn patch<T, U>(
    value: MaybeUndefined<T>,
    convert: impl FnOnce(T) -> Result<U, AppError>,
) -> Result<Option<Option<U>>, AppError> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(convert(value)?)),
    })
}

// ---------------------------------------------------------------- platform

/// 公共技术服务平台: a public technology service platform hosted by a carrier.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Platform {
    #[graphql(skip)]
    pub id: i32,
    #[graphql(skip)]
    pub carrier_id: i32,
    /// Its name.
    pub name: String,
    /// What it does.
    pub kind: PlatformKind,
    /// The level it is recognised at.
    pub level: Level,
    /// The day it opened.
    pub opened_on: Date,
    /// The first day it was closed; null while open.
    pub closed_on: Option<Date>,
    /// The services it offers.
    pub services: Vec<String>,
    /// Enterprises it serves a year, as last reported.
    pub enterprises_served_per_year: Option<i32>,
    /// 作废时间: when it was voided as entered in error; it then counts
    /// nowhere. Null while it counts.
    pub voided_at: Option<DateTime>,
    /// 作废原因: why it was voided.
    pub void_reason: Option<String>,
    /// Row version; pass it back to change or void the platform.
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime,
    /// When the record last changed.
    pub updated_at: DateTime,
}

#[ComplexObject]
impl Platform {
    /// The global ID of the platform.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Platform, self.id)
    }

    /// The carrier hosting it.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.carrier_id).await?;
        required(carrier, "carrier", self.carrier_id)
    }
}

impl TryFrom<platform::Model> for Platform {
    type Error = AppError;

    fn try_from(row: platform::Model) -> Result<Self, AppError> {
        let kind: crate::domain::support::PlatformKind =
            crate::error::stored("platform.kind", &row.kind)?;
        let level: crate::domain::carrier::Level =
            crate::error::stored("platform.level", &row.level)?;
        Ok(Self {
            id: row.id,
            carrier_id: row.carrier_id,
            name: row.name,
            kind: kind.into(),
            level: level.into(),
            opened_on: date(row.opened_on),
            closed_on: row.closed_on.map(date),
            services: serde_json::from_str(&row.services).map_err(|_| AppError::Internal)?,
            enterprises_served_per_year: row.enterprises_served_per_year,
            voided_at: row.voided_at.map(DateTime::from),
            void_reason: row.void_reason,
            version: row.version,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        })
    }
}

connection!(
    PlatformConnection,
    PlatformEdge,
    Platform,
    "A page of public technology service platforms.",
    "A platform in a page, with its cursor."
);

/// A public technology service platform to record.
#[derive(InputObject)]
pub struct CreatePlatformInput {
    /// The host carrier, by global ID.
    pub carrier_id: ID,
    /// Its name; not empty.
    pub name: String,
    /// What it does.
    pub kind: PlatformKind,
    /// The level it is recognised at; NONE when unrecognised.
    #[graphql(default_with = "Level::None")]
    pub level: Level,
    /// The day it opened.
    pub opened_on: Date,
    /// The first day it was closed, if it has closed.
    pub closed_on: Option<Date>,
    /// The services it offers, each named once.
    #[graphql(default)]
    pub services: Vec<String>,
    /// Enterprises it serves a year; 0 or more.
    pub enterprises_served_per_year: Option<i32>,
}

/// Changes to a platform; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdatePlatformInput {
    /// The platform to change.
    pub id: ID,
    /// The `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// 更正原因: give one when the change corrects a record entered wrongly
    /// (not a change in the world, such as closing): it is then audited as
    /// AMEND with this reason.
    pub reason: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<PlatformKind>,
    /// New level.
    pub level: Option<Level>,
    /// New opening day.
    pub opened_on: Option<Date>,
    /// The day it closed; `null` reopens it.
    pub closed_on: MaybeUndefined<Date>,
    /// New services, replacing the old.
    pub services: Option<Vec<String>>,
    /// Enterprises served a year; `null` clears it.
    pub enterprises_served_per_year: MaybeUndefined<i32>,
}

fn served(value: i32) -> Result<i32, AppError> {
    headcount("enterprisesServedPerYear", value)?;
    Ok(value)
}

impl CreatePlatformInput {
    fn validate(self) -> Result<NewPlatform, AppError> {
        Ok(NewPlatform {
            carrier_id: expect("carrierId", &self.carrier_id, NodeType::Carrier)?,
            name: required_text("name", &self.name)?,
            kind: self.kind.into(),
            level: self.level.into(),
            open: InForce::new(
                self.opened_on.0,
                self.closed_on.map(|d| d.0),
                "openedOn",
                "closedOn",
            )?,
            services: services("services", &self.services)?,
            enterprises_served_per_year: self
                .enterprises_served_per_year
                .map(served)
                .transpose()?,
        })
    }
}

impl UpdatePlatformInput {
    fn validate(self) -> Result<(i32, i32, PlatformPatch), AppError> {
        let served = patch(self.enterprises_served_per_year, served)?;
        Ok((
            expect("id", &self.id, NodeType::Platform)?,
            self.version,
            PlatformPatch {
                name: self.name.map(|n| required_text("name", &n)).transpose()?,
                kind: self.kind.map(Into::into),
                level: self.level.map(Into::into),
                opened_on: self.opened_on.map(|d| d.0),
                closed_on: patch(self.closed_on, |d| Ok(d.0))?,
                services: self
                    .services
                    .map(|list| services("services", &list))
                    .transpose()?,
                enterprises_served_per_year: served,
                reason: optional_text("reason", self.reason.as_deref())?,
            },
        ))
    }
}

/// Which platforms to list. All given conditions must hold; a list matches
/// any of its values. Spatial conditions are decided on the host carrier's
/// geometry (its footprint, else its location point).
#[derive(InputObject, Default)]
#[graphql(name = "PlatformFilter")]
pub struct PlatformFilterInput {
    /// Platforms hosted by any of these carriers.
    pub carrier_ids: Option<Vec<ID>>,
    /// Platforms of any of these kinds.
    pub kinds: Option<Vec<PlatformKind>>,
    /// Only platforms open on this date.
    pub open_on: Option<Date>,
    /// Spatial conditions (bbox, intersects, within, withinDistrict, near),
    /// decided on the host carrier's geometry: its footprint, else its location.
    #[graphql(flatten)]
    pub spatial: SpatialFilter,
}

impl PlatformFilterInput {
    async fn into_store(
        self,
        db: &sea_orm::DatabaseConnection,
        max_polygon_vertices: usize,
    ) -> Result<PlatformFilter, AppError> {
        let mut filter = PlatformFilter {
            carrier_ids: expect_all(
                "filter.carrierIds",
                &self.carrier_ids.unwrap_or_default(),
                NodeType::Carrier,
            )?,
            kinds: self
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            open_on: self.open_on.map(|d| d.0),
            ..PlatformFilter::default()
        };
        self.spatial
            .apply(db, max_polygon_vertices, &mut filter)
            .await?;
        Ok(filter)
    }
}

// ---------------------------------------------------------------- fund

/// 投资基金: an investment fund serving one or more carriers.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Fund {
    #[graphql(skip)]
    pub id: i32,
    /// Its name.
    pub name: String,
    /// The fund manager (基金管理人).
    pub manager: String,
    /// Its size in CNY, as an exact decimal string (e.g. "50000000.00").
    pub size: String,
    /// The day it was established.
    pub established_on: Date,
    /// The first day it no longer served (wound up); null while active.
    pub closed_on: Option<Date>,
    /// 作废时间: when it was voided as entered in error; it then serves no
    /// carrier in any figure. Null while it counts.
    pub voided_at: Option<DateTime>,
    /// 作废原因: why it was voided.
    pub void_reason: Option<String>,
    /// Row version; pass it back to change or void the fund.
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime,
    /// When the record last changed.
    pub updated_at: DateTime,
}

#[ComplexObject]
impl Fund {
    /// The global ID of the fund.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Fund, self.id)
    }

    /// The carriers it serves, in id order.
    #[graphql(complexity = "list_complexity(CARRIERS_PER_FUND, child_complexity)")]
    async fn carriers(&self, ctx: &Context<'_>) -> ApiResult<Vec<Carrier>> {
        let loaders = loaders::of(ctx)?;
        let mut ids: Vec<i32> = many(&loaders.fund_links_of_fund, self.id)
            .await?
            .into_iter()
            .map(|link| link.carrier_id)
            .collect();
        ids.sort_unstable();
        let carriers =
            futures_util::future::try_join_all(ids.iter().map(|&id| loaders.carrier(id))).await?;
        ids.into_iter()
            .zip(carriers)
            .map(|(id, carrier)| required(carrier, "carrier", id))
            .collect()
    }
}

impl From<fund::Model> for Fund {
    fn from(row: fund::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            manager: row.manager,
            size: Fen(row.size_fen).to_string(),
            established_on: date(row.established_on),
            closed_on: row.closed_on.map(date),
            voided_at: row.voided_at.map(DateTime::from),
            void_reason: row.void_reason,
            version: row.version,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

connection!(
    FundConnection,
    FundEdge,
    Fund,
    "A page of investment funds.",
    "A fund in a page, with its cursor."
);

/// An investment fund to record.
#[derive(InputObject)]
pub struct CreateFundInput {
    /// Its name; not empty.
    pub name: String,
    /// The fund manager; not empty.
    pub manager: String,
    /// Its size in CNY, a decimal string with at most two decimals (e.g. "50000000").
    pub size: String,
    /// The day it was established.
    pub established_on: Date,
    /// The first day it no longer serves, if wound up.
    pub closed_on: Option<Date>,
    /// The carriers it serves, by global ID; at least one.
    pub carrier_ids: Vec<ID>,
}

/// Changes to a fund; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateFundInput {
    /// The fund to change.
    pub id: ID,
    /// The `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// 更正原因: give one when the change corrects a record entered wrongly
    /// (not a change in the world, such as winding up): it is then audited
    /// as AMEND with this reason.
    pub reason: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New manager.
    pub manager: Option<String>,
    /// New size in CNY, a decimal string.
    pub size: Option<String>,
    /// New establishment day.
    pub established_on: Option<Date>,
    /// The first day it no longer serves (wound up); `null` makes it active again.
    pub closed_on: MaybeUndefined<Date>,
    /// The carriers it serves, replacing the old set.
    pub carrier_ids: Option<Vec<ID>>,
}

fn carrier_set(ids: &[ID]) -> Result<BTreeSet<i32>, AppError> {
    Ok(expect_all("carrierIds", ids, NodeType::Carrier)?
        .into_iter()
        .collect())
}

impl CreateFundInput {
    fn validate(self) -> Result<NewFund, AppError> {
        Ok(NewFund {
            name: required_text("name", &self.name)?,
            manager: required_text("manager", &self.manager)?,
            size: Fen::parse("size", &self.size)?,
            active: InForce::new(
                self.established_on.0,
                self.closed_on.map(|d| d.0),
                "establishedOn",
                "closedOn",
            )?,
            carrier_ids: carrier_set(&self.carrier_ids)?,
        })
    }
}

impl UpdateFundInput {
    fn validate(self) -> Result<(i32, i32, FundPatch), AppError> {
        Ok((
            expect("id", &self.id, NodeType::Fund)?,
            self.version,
            FundPatch {
                name: self.name.map(|n| required_text("name", &n)).transpose()?,
                manager: self
                    .manager
                    .map(|m| required_text("manager", &m))
                    .transpose()?,
                size: self.size.map(|s| Fen::parse("size", &s)).transpose()?,
                established_on: self.established_on.map(|d| d.0),
                closed_on: patch(self.closed_on, |d| Ok(d.0))?,
                carrier_ids: self.carrier_ids.as_deref().map(carrier_set).transpose()?,
                reason: optional_text("reason", self.reason.as_deref())?,
            },
        ))
    }
}

/// Which funds to list.
#[derive(InputObject, Default)]
#[graphql(name = "FundFilter")]
pub struct FundFilterInput {
    /// Funds serving any of these carriers.
    pub carrier_ids: Option<Vec<ID>>,
    /// Only funds active on this date.
    pub active_on: Option<Date>,
}

impl FundFilterInput {
    fn into_store(self) -> Result<FundFilter, AppError> {
        Ok(FundFilter {
            carrier_ids: expect_all(
                "filter.carrierIds",
                &self.carrier_ids.unwrap_or_default(),
                NodeType::Carrier,
            )?,
            active_on: self.active_on.map(|d| d.0),
        })
    }
}

// ---------------------------------------------------------------- operating team

/// 运营团队: a carrier's operating team, with its professional staff and mentors.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct OperatingTeam {
    #[graphql(skip)]
    pub id: i32,
    #[graphql(skip)]
    pub carrier_id: i32,
    /// Its name.
    pub name: String,
    /// Professional service staff (专业服务人员).
    pub staff_count: i32,
    /// Mentors (创业导师).
    pub mentor_count: i32,
    /// The day it was formed.
    pub formed_on: Date,
    /// The first day it no longer operated; null while active.
    pub disbanded_on: Option<Date>,
    /// The day it was recognised as a high-level professional operating team
    /// (高水平专业化运营团队); null if not recognised.
    pub professional_recognised_on: Option<Date>,
    /// 作废时间: when it was voided as entered in error; it then counts
    /// nowhere. Null while it counts.
    pub voided_at: Option<DateTime>,
    /// 作废原因: why it was voided.
    pub void_reason: Option<String>,
    /// Row version; pass it back to change or void the team.
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime,
    /// When the record last changed.
    pub updated_at: DateTime,
}

#[ComplexObject]
impl OperatingTeam {
    /// The global ID of the team.
    pub async fn id(&self) -> ID {
        global_id(NodeType::OperatingTeam, self.id)
    }

    /// The carrier it operates.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.carrier_id).await?;
        required(carrier, "carrier", self.carrier_id)
    }
}

impl From<operating_team::Model> for OperatingTeam {
    fn from(row: operating_team::Model) -> Self {
        Self {
            id: row.id,
            carrier_id: row.carrier_id,
            name: row.name,
            staff_count: row.staff_count,
            mentor_count: row.mentor_count,
            formed_on: date(row.formed_on),
            disbanded_on: row.disbanded_on.map(date),
            professional_recognised_on: row.professional_recognised_on.map(date),
            voided_at: row.voided_at.map(DateTime::from),
            void_reason: row.void_reason,
            version: row.version,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

/// An operating team to record.
#[derive(InputObject)]
pub struct CreateOperatingTeamInput {
    /// The carrier it operates, by global ID.
    pub carrier_id: ID,
    /// Its name; not empty.
    pub name: String,
    /// Professional service staff; 0 or more.
    pub staff_count: i32,
    /// Mentors (创业导师); 0 or more.
    pub mentor_count: i32,
    /// The day it was formed.
    pub formed_on: Date,
    /// The first day it no longer operated, if disbanded.
    pub disbanded_on: Option<Date>,
}

/// Changes to an operating team; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateOperatingTeamInput {
    /// The team to change.
    pub id: ID,
    /// The `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// 更正原因: give one when the change corrects a record entered wrongly
    /// (not a change in the world, such as closing): it is then audited as
    /// AMEND with this reason.
    pub reason: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New number of professional service staff.
    pub staff_count: Option<i32>,
    /// New number of mentors.
    pub mentor_count: Option<i32>,
    /// New formation day.
    pub formed_on: Option<Date>,
    /// The first day it no longer operated; `null` makes it active again.
    pub disbanded_on: MaybeUndefined<Date>,
}

/// A recognition of an operating team as a high-level professional team.
#[derive(InputObject)]
pub struct RecogniseProfessionalTeamInput {
    /// The team.
    pub id: ID,
    /// The `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// The day of recognition, not in the future; `null` withdraws it.
    pub recognised_on: Option<Date>,
}

impl CreateOperatingTeamInput {
    fn validate(self) -> Result<NewTeam, AppError> {
        Ok(NewTeam {
            carrier_id: expect("carrierId", &self.carrier_id, NodeType::Carrier)?,
            name: required_text("name", &self.name)?,
            staff: headcount("staffCount", self.staff_count)?,
            mentors: headcount("mentorCount", self.mentor_count)?,
            active: InForce::new(
                self.formed_on.0,
                self.disbanded_on.map(|d| d.0),
                "formedOn",
                "disbandedOn",
            )?,
        })
    }
}

impl UpdateOperatingTeamInput {
    fn validate(self) -> Result<(i32, i32, TeamPatch), AppError> {
        Ok((
            expect("id", &self.id, NodeType::OperatingTeam)?,
            self.version,
            TeamPatch {
                name: self.name.map(|n| required_text("name", &n)).transpose()?,
                staff: self
                    .staff_count
                    .map(|n| headcount("staffCount", n))
                    .transpose()?,
                mentors: self
                    .mentor_count
                    .map(|n| headcount("mentorCount", n))
                    .transpose()?,
                formed_on: self.formed_on.map(|d| d.0),
                disbanded_on: patch(self.disbanded_on, |d| Ok(d.0))?,
                reason: optional_text("reason", self.reason.as_deref())?,
            },
        ))
    }
}

// ---------------------------------------------------------------- facility

/// 配套设施: a supporting facility of a carrier.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Facility {
    #[graphql(skip)]
    pub id: i32,
    #[graphql(skip)]
    pub carrier_id: i32,
    /// What kind of facility it is.
    pub kind: FacilityKind,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// The public-service floor area it provides, in m², when it is such space
    /// (the level rules count it beside the leased area).
    pub area_m2: Option<f64>,
    /// The day it opened.
    pub opened_on: Date,
    /// The first day it was closed; null while open.
    pub closed_on: Option<Date>,
    /// 作废时间: when it was voided as entered in error; it then counts
    /// nowhere. Null while it counts.
    pub voided_at: Option<DateTime>,
    /// 作废原因: why it was voided.
    pub void_reason: Option<String>,
    /// Row version; pass it back to change or void the facility.
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime,
    /// When the record last changed.
    pub updated_at: DateTime,
}

#[ComplexObject]
impl Facility {
    /// The global ID of the facility.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Facility, self.id)
    }

    /// The carrier it serves.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.carrier_id).await?;
        required(carrier, "carrier", self.carrier_id)
    }
}

impl TryFrom<facility::Model> for Facility {
    type Error = AppError;

    fn try_from(row: facility::Model) -> Result<Self, AppError> {
        let kind: crate::domain::support::FacilityKind =
            crate::error::stored("facility.kind", &row.kind)?;
        Ok(Self {
            id: row.id,
            carrier_id: row.carrier_id,
            kind: kind.into(),
            name: row.name,
            area_m2: row.area_m2,
            opened_on: date(row.opened_on),
            closed_on: row.closed_on.map(date),
            voided_at: row.voided_at.map(DateTime::from),
            void_reason: row.void_reason,
            version: row.version,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        })
    }
}

/// A supporting facility to record.
#[derive(InputObject)]
pub struct CreateFacilityInput {
    /// The carrier it serves, by global ID.
    pub carrier_id: ID,
    /// What kind of facility it is.
    pub kind: FacilityKind,
    /// Its name.
    pub name: Option<String>,
    /// Public-service floor area it provides, in m²; more than 0.
    pub area_m2: Option<f64>,
    /// The day it opened.
    pub opened_on: Date,
    /// The first day it was closed, if it has closed.
    pub closed_on: Option<Date>,
}

/// Changes to a facility; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateFacilityInput {
    /// The facility to change.
    pub id: ID,
    /// The `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// 更正原因: give one when the change corrects a record entered wrongly
    /// (not a change in the world, such as closing): it is then audited as
    /// AMEND with this reason.
    pub reason: Option<String>,
    /// New kind.
    pub kind: Option<FacilityKind>,
    /// New name; `null` clears it.
    pub name: MaybeUndefined<String>,
    /// New public-service floor area; `null` clears it.
    pub area_m2: MaybeUndefined<f64>,
    /// New opening day.
    pub opened_on: Option<Date>,
    /// The day it closed; `null` reopens it.
    pub closed_on: MaybeUndefined<Date>,
}

fn facility_area(area: f64) -> Result<f64, AppError> {
    Ok(FloorArea::parse("areaM2", area)?.square_metres())
}

impl CreateFacilityInput {
    fn validate(self) -> Result<NewFacility, AppError> {
        Ok(NewFacility {
            carrier_id: expect("carrierId", &self.carrier_id, NodeType::Carrier)?,
            kind: self.kind.into(),
            name: optional_text("name", self.name.as_deref())?,
            area_m2: self.area_m2.map(facility_area).transpose()?,
            open: InForce::new(
                self.opened_on.0,
                self.closed_on.map(|d| d.0),
                "openedOn",
                "closedOn",
            )?,
        })
    }
}

impl UpdateFacilityInput {
    fn validate(self) -> Result<(i32, i32, FacilityPatch), AppError> {
        // A blank name clears it, as `null` does.
        let name =
            patch(self.name, |name| Ok(optional_text("name", Some(&name))?))?.map(Option::flatten);
        let area_m2 = patch(self.area_m2, facility_area)?;
        Ok((
            expect("id", &self.id, NodeType::Facility)?,
            self.version,
            FacilityPatch {
                kind: self.kind.map(Into::into),
                name,
                area_m2,
                opened_on: self.opened_on.map(|d| d.0),
                closed_on: patch(self.closed_on, |d| Ok(d.0))?,
                reason: optional_text("reason", self.reason.as_deref())?,
            },
        ))
    }
}

// ---------------------------------------------------------------- reads

#[derive(Default)]
pub struct SupportQuery;

#[Object]
impl SupportQuery {
    /// Public technology service platforms matching `filter`, in id order, a page at a time.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn platforms(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the platforms must meet.")] filter: Option<
            PlatformFilterInput,
        >,
        #[graphql(desc = "Page size, reading forward.")] first: Option<i32>,
        #[graphql(desc = "Read after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read before this cursor.")] before: Option<String>,
    ) -> ApiResult<PlatformConnection> {
        let db = super::db(ctx)?;
        let filter = filter
            .unwrap_or_default()
            .into_store(db, super::limits(ctx).max_polygon_vertices)
            .await?;
        let args = page_args(ctx, first, after, last, before);
        let page = store::support::platform_page(db, &filter, &args).await?;
        let total = total_count(ctx, store::support::platform_count(db, &filter)).await?;
        Ok(PlatformConnection::build(page, total, Platform::try_from)?)
    }

    /// Investment funds matching `filter`, in id order, a page at a time.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn funds(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the funds must meet.")] filter: Option<FundFilterInput>,
        #[graphql(desc = "Page size, reading forward.")] first: Option<i32>,
        #[graphql(desc = "Read after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read before this cursor.")] before: Option<String>,
    ) -> ApiResult<FundConnection> {
        let db = super::db(ctx)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let args = page_args(ctx, first, after, last, before);
        let page = store::support::fund_page(db, &filter, &args).await?;
        let total = total_count(ctx, store::support::fund_count(db, &filter)).await?;
        Ok(FundConnection::build(page, total, |row| Ok(row.into()))?)
    }
}

// ---------------------------------------------------------------- writes

#[derive(Default)]
pub struct SupportMutation;

#[Object]
impl SupportMutation {
    /// Records a public technology service platform hosted by a carrier.
    async fn create_platform(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreatePlatformInput,
    ) -> ApiResult<Platform> {
        let row =
            store::support::create_platform(super::db(ctx)?, super::actor(ctx)?, input.validate()?)
                .await?;
        Ok(Platform::try_from(row)?)
    }

    /// Changes a platform; closing it is setting `closedOn`.
    async fn update_platform(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdatePlatformInput,
    ) -> ApiResult<Platform> {
        write_update_platform(ctx, input).await
    }

    /// Records an investment fund and the carriers it serves. An OPERATOR may
    /// name only its own carriers.
    async fn create_fund(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateFundInput,
    ) -> ApiResult<Fund> {
        let (row, _) =
            store::support::create_fund(super::db(ctx)?, super::actor(ctx)?, input.validate()?)
                .await?;
        Ok(row.into())
    }

    /// Changes a fund; winding it up is setting `closedOn`. An OPERATOR may
    /// change only a fund all of whose carriers, before and after, are its own.
    async fn update_fund(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateFundInput,
    ) -> ApiResult<Fund> {
        write_update_fund(ctx, input).await
    }

    /// Records a carrier's operating team.
    async fn create_operating_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateOperatingTeamInput,
    ) -> ApiResult<OperatingTeam> {
        let row =
            store::support::create_team(super::db(ctx)?, super::actor(ctx)?, input.validate()?)
                .await?;
        Ok(row.into())
    }

    /// Changes an operating team: its headcounts, or that it disbanded.
    async fn update_operating_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateOperatingTeamInput,
    ) -> ApiResult<OperatingTeam> {
        write_update_operating_team(ctx, input).await
    }

    /// Records (or withdraws) a team's recognition as a high-level
    /// professional operating team. ADMIN only: recognition is the bureau's act.
    async fn recognise_professional_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The recognition.")] input: RecogniseProfessionalTeamInput,
    ) -> ApiResult<OperatingTeam> {
        let id = expect("id", &input.id, NodeType::OperatingTeam)?;
        let row = store::support::recognise_team(
            super::db(ctx)?,
            super::actor(ctx)?,
            id,
            input.version,
            input.recognised_on.map(|d| d.0),
        )
        .await?;
        Ok(row.into())
    }

    /// Records a carrier's supporting facility.
    async fn create_facility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateFacilityInput,
    ) -> ApiResult<Facility> {
        let row =
            store::support::create_facility(super::db(ctx)?, super::actor(ctx)?, input.validate()?)
                .await?;
        Ok(Facility::try_from(row)?)
    }

    /// Changes a facility; closing it is setting `closedOn`.
    async fn update_facility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateFacilityInput,
    ) -> ApiResult<Facility> {
        write_update_facility(ctx, input).await
    }

    /// 作废: voids a platform entered in error, with a reason (ADMIN or the
    /// carrier's OPERATOR). It stays readable through `node(id)` and
    /// `platforms(includeVoided: true)` on its carrier, but counts in no
    /// figure (the platform target, 五有, Torch) and is listed nowhere else.
    /// A void is final (CONFLICT after). A platform that closed is not
    /// voided: set its `closedOn`.
    async fn void_platform(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which platform, and why.")] input: VoidRecordInput,
    ) -> ApiResult<Platform> {
        let (id, version, reason) = input.validate(NodeType::Platform)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::support::void::<platform::Entity>(db, actor, id, version, reason).await?;
        Ok(Platform::try_from(row)?)
    }

    /// 更正: corrects a platform entered wrongly, with a reason (required):
    /// `updatePlatform` audited as AMEND.
    async fn amend_platform(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: UpdatePlatformInput,
    ) -> ApiResult<Platform> {
        required_reason(input.reason.as_deref())?;
        write_update_platform(ctx, input).await
    }

    /// 更正: corrects an operating team entered wrongly, with a reason
    /// (required): `updateOperatingTeam` audited as AMEND.
    async fn amend_operating_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: UpdateOperatingTeamInput,
    ) -> ApiResult<OperatingTeam> {
        required_reason(input.reason.as_deref())?;
        write_update_operating_team(ctx, input).await
    }

    /// 更正: corrects a facility entered wrongly, with a reason (required):
    /// `updateFacility` audited as AMEND.
    async fn amend_facility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: UpdateFacilityInput,
    ) -> ApiResult<Facility> {
        required_reason(input.reason.as_deref())?;
        write_update_facility(ctx, input).await
    }

    /// 更正: corrects a fund entered wrongly, with a reason (required):
    /// `updateFund` audited as AMEND.
    async fn amend_fund(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: UpdateFundInput,
    ) -> ApiResult<Fund> {
        required_reason(input.reason.as_deref())?;
        write_update_fund(ctx, input).await
    }

    /// 作废: voids a fund entered in error, with a reason (ADMIN, or an
    /// OPERATOR all of whose carriers it serves, as updating it). It stays
    /// readable through `node(id)` and `funds(includeVoided: true)` on its
    /// carriers, but serves no carrier in any figure (五有, Torch) and is left
    /// out of `funds(…)`. A void is final (CONFLICT after). A fund wound up is
    /// not voided: set its `closedOn`.
    async fn void_fund(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which fund, and why.")] input: VoidRecordInput,
    ) -> ApiResult<Fund> {
        let (id, version, reason) = input.validate(NodeType::Fund)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let (row, _) = store::support::void_fund(db, actor, id, version, reason).await?;
        Ok(row.into())
    }

    /// 作废: voids an operating team entered in error, with a reason, as
    /// `voidPlatform` does; it counts toward no target and no 五有 criterion.
    async fn void_operating_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which team, and why.")] input: VoidRecordInput,
    ) -> ApiResult<OperatingTeam> {
        let (id, version, reason) = input.validate(NodeType::OperatingTeam)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row =
            store::support::void::<operating_team::Entity>(db, actor, id, version, reason).await?;
        Ok(row.into())
    }

    /// 作废: voids a facility entered in error, with a reason, as
    /// `voidPlatform` does; it counts in no 五有 criterion or Torch figure.
    async fn void_facility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which facility, and why.")] input: VoidRecordInput,
    ) -> ApiResult<Facility> {
        let (id, version, reason) = input.validate(NodeType::Facility)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::support::void::<facility::Entity>(db, actor, id, version, reason).await?;
        Ok(Facility::try_from(row)?)
    }
}

async fn write_update_platform(
    ctx: &Context<'_>,
    input: UpdatePlatformInput,
) -> ApiResult<Platform> {
    let (id, version, patch) = input.validate()?;
    let row =
        store::support::update_platform(super::db(ctx)?, super::actor(ctx)?, id, version, patch)
            .await?;
    Ok(Platform::try_from(row)?)
}

async fn write_update_operating_team(
    ctx: &Context<'_>,
    input: UpdateOperatingTeamInput,
) -> ApiResult<OperatingTeam> {
    let (id, version, patch) = input.validate()?;
    let row = store::support::update_team(super::db(ctx)?, super::actor(ctx)?, id, version, patch)
        .await?;
    Ok(row.into())
}

async fn write_update_facility(
    ctx: &Context<'_>,
    input: UpdateFacilityInput,
) -> ApiResult<Facility> {
    let (id, version, patch) = input.validate()?;
    let row =
        store::support::update_facility(super::db(ctx)?, super::actor(ctx)?, id, version, patch)
            .await?;
    Ok(Facility::try_from(row)?)
}

async fn write_update_fund(ctx: &Context<'_>, input: UpdateFundInput) -> ApiResult<Fund> {
    let (id, version, patch) = input.validate()?;
    let (row, _) =
        store::support::update_fund(super::db(ctx)?, super::actor(ctx)?, id, version, patch)
            .await?;
    Ok(row.into())
}

/// A correction names why it is made.
fn required_reason(reason: Option<&str>) -> Result<String, AppError> {
    Ok(required_text("reason", reason.unwrap_or_default())?)
}

// ---------------------------------------------------------------- a carrier's records

/// The platforms carrier `carrier_id` hosts, open or closed, oldest first.
pub async fn platforms_of(
    ctx: &Context<'_>,
    carrier_id: i32,
    include_voided: bool,
) -> ApiResult<Vec<Platform>> {
    let mut rows = many(&loaders::of(ctx)?.platforms_of, carrier_id).await?;
    rows.retain(|row| include_voided || row.voided_at.is_none());
    rows.sort_by_key(|row| (row.opened_on, row.id));
    Ok(rows
        .into_iter()
        .map(Platform::try_from)
        .collect::<Result<_, _>>()?)
}

/// The funds serving carrier `carrier_id`, active or wound up, oldest first.
pub async fn funds_of(
    ctx: &Context<'_>,
    carrier_id: i32,
    include_voided: bool,
) -> ApiResult<Vec<Fund>> {
    let loaders = loaders::of(ctx)?;
    let links = many(&loaders.fund_links_of_carrier, carrier_id).await?;
    let mut funds = Vec::with_capacity(links.len());
    for link in links {
        let row = required(
            one(&loaders.funds, link.fund_id).await?,
            "fund",
            link.fund_id,
        )?;
        funds.push(row);
    }
    funds.retain(|row| include_voided || row.voided_at.is_none());
    funds.sort_by_key(|row| (row.established_on, row.id));
    Ok(funds.into_iter().map(Fund::from).collect())
}

/// The operating teams of carrier `carrier_id`, active or disbanded, oldest first.
pub async fn teams_of(
    ctx: &Context<'_>,
    carrier_id: i32,
    include_voided: bool,
) -> ApiResult<Vec<OperatingTeam>> {
    let mut rows = many(&loaders::of(ctx)?.teams_of, carrier_id).await?;
    rows.retain(|row| include_voided || row.voided_at.is_none());
    rows.sort_by_key(|row| (row.formed_on, row.id));
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The facilities of carrier `carrier_id`, open or closed, oldest first.
pub async fn facilities_of(
    ctx: &Context<'_>,
    carrier_id: i32,
    include_voided: bool,
) -> ApiResult<Vec<Facility>> {
    let mut rows = many(&loaders::of(ctx)?.facilities_of, carrier_id).await?;
    rows.retain(|row| include_voided || row.voided_at.is_none());
    rows.sort_by_key(|row| (row.opened_on, row.id));
    Ok(rows
        .into_iter()
        .map(Facility::try_from)
        .collect::<Result<_, _>>()?)
}
