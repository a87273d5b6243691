//! Tenancies (在孵), occupancy and the tenant clocks.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::NaiveDate;
use std::sync::Arc;

use entity::{enterprise, tenancy};

use super::carrier::Carrier;
use super::correction::VoidRecordInput;
use super::cost::{FIXED_SMALL_LIST, list_complexity};
use super::district::District;
use super::eager::{Eagerly, ReadyFields};
use super::enterprise::Enterprise;
use super::enums::{CarrierKind, GraduationRoute, TenancyStatus};
use super::error::ApiResult;
use super::loaders::{self, one, required};
use super::node::{NodeType, expect, expect_all, global_id};
use super::scalars::{Date, DateTime};
use crate::domain::area::FloorArea;
use crate::domain::enterprise::routes_met;
use crate::domain::tenancy::{self as rules, Span};
use crate::domain::text::{optional_text, required_text};
use crate::error::{AppError, stored};
use crate::store;
use crate::store::correction::Correction;
use crate::store::occupancy::{Grouping, TenancyFigures};
use crate::store::tenancy::{NewTenancy, TenancyAmendment};

/// 在孵: an enterprise leasing space in a carrier over a span of dates.
///
/// The second field is the tenant, where it was loaded with the tenancy (a
/// carrier's tenancies on a page load their enterprises in one batch).
#[derive(Debug, Clone)]
pub struct Tenancy(pub tenancy::Model, Option<Arc<enterprise::Model>>);

impl Tenancy {
    pub fn new(row: tenancy::Model) -> Self {
        Self(row, None)
    }

    /// A tenancy whose tenant, `enterprise`, is already loaded.
    pub fn with_enterprise(
        row: tenancy::Model,
        enterprise: Option<Arc<enterprise::Model>>,
    ) -> Self {
        Self(row, enterprise)
    }

    fn span(&self) -> Span {
        Span {
            moved_in: self.0.moved_in_on,
            moved_out: self.0.moved_out_on,
        }
    }

    /// Whether the lease is in force on a date.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.span().in_force_on(date)
    }

    /// The status on a date, or none before moving in.
    pub fn status_on(&self, date: NaiveDate) -> Option<rules::TenancyStatus> {
        rules::status_on(self.span(), self.0.graduated_on, date)
    }
}

impl ReadyFields for Tenancy {
    const READY: &'static [&'static str] = &[
        "id",
        "unit",
        "areaM2",
        "movedInOn",
        "movedOutOn",
        "incubationStartedOn",
        "graduatedOn",
        "graduationRoute",
        "status",
        "voidedAt",
        "voidReason",
        "version",
        "createdAt",
    ];

    fn is_ready(&self, name: &str) -> bool {
        Self::READY.contains(&name) || (name == "enterprise" && self.1.is_some())
    }
}

/// The tenant clocks on a date, as the rules for the carrier's kind and the
/// tenant's industry set them: the national incubator rules
/// (国科发区〔2018〕300号) give an incubator's tenants 24 months from founding
/// to enter and 48 months of incubation (60 in biomedicine, integrated
/// circuits and modern agriculture); makerspaces, accelerators and science
/// complexes have no such clocks.
#[derive(SimpleObject, Debug, Clone)]
pub struct TenantClocks {
    /// 入孵时限: months after founding within which the tenant should enter (24); null where no rule sets one.
    pub entry_window_months: Option<u32>,
    /// 孵化期限: the longest incubation, months (48, or 60 in the named industries); null where no rule sets one.
    pub incubation_limit_months: Option<u32>,
    /// Whole months incubated up to the date (or to graduation or moving out).
    pub months_incubated: u32,
    /// Entered later after founding than `entryWindowMonths`.
    pub entered_late: bool,
    /// Still incubating past `incubationLimitMonths`.
    pub overdue: bool,
    /// Graduation routes met while still incubating: it should graduate.
    pub graduation_due: Vec<GraduationRoute>,
}

/// 在孵: an enterprise leasing space in a carrier over a span of dates.
#[Object]
impl Tenancy {
    /// The global ID of the tenancy.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Tenancy, self.0.id)
    }

    /// The carrier leased from.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.0.carrier_id).await?;
        required(carrier, "carrier", self.0.carrier_id)
    }

    /// The tenant.
    async fn enterprise(&self, ctx: &Context<'_>) -> ApiResult<Eagerly<Enterprise>> {
        if let Some(loaded) = &self.1 {
            return Ok(Eagerly(Enterprise(loaded.clone())));
        }
        let row = one(&loaders::of(ctx)?.enterprises, self.0.enterprise_id).await?;
        required(row, "enterprise", self.0.enterprise_id).map(|row| Eagerly(Enterprise::new(row)))
    }

    /// 房号: the unit leased, as free text (older records; see `units`).
    async fn unit(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }

    /// 房源: the units it occupies, where it names them, by building and code.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn units(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::inventory::Unit>> {
        super::inventory::units_of_tenancy(ctx, self.0.id).await
    }

    /// 租赁合同: its leases (the first contract and its renewals), by term;
    /// those voided as entered in error only with `includeVoided`. Rent,
    /// deposit and discount are null unless the caller is ADMIN or the
    /// carrier's OPERATOR.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn leases(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Also those voided as entered in error (default false); they count nowhere.",
            default
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<super::lease::Lease>> {
        super::lease::leases_of_tenancy(ctx, self.0.id, include_voided).await
    }

    /// Leased area, m².
    async fn area_m2(&self) -> f64 {
        self.0.area_m2
    }

    /// 入驻日期: first day leased.
    async fn moved_in_on(&self) -> Date {
        self.0.moved_in_on.into()
    }

    /// 迁出日期: first day no longer leased; null while in force.
    async fn moved_out_on(&self) -> Option<Date> {
        self.0.moved_out_on.map(Date)
    }

    /// When incubation began (kept across area changes).
    async fn incubation_started_on(&self) -> Date {
        self.0.incubation_started_on.into()
    }

    /// 毕业日期: date of graduation.
    async fn graduated_on(&self) -> Option<Date> {
        self.0.graduated_on.map(Date)
    }

    /// The route it graduated by.
    async fn graduation_route(&self) -> ApiResult<Option<GraduationRoute>> {
        let route = self
            .0
            .graduation_route
            .as_deref()
            .map(|code| {
                stored::<crate::domain::enterprise::GraduationRoute>(
                    "tenancy.graduation_route",
                    code,
                )
            })
            .transpose()?;
        Ok(route.map(Into::into))
    }

    /// The status on `asOf` (default today); null before moving in.
    async fn status(
        &self,
        #[graphql(desc = "The date to judge on (default today).")] as_of: Option<Date>,
    ) -> Option<TenancyStatus> {
        self.status_on(as_of.map_or_else(store::today, |d| d.0))
            .map(Into::into)
    }

    /// The tenant clocks on `asOf` (default today); null before moving in.
    async fn clocks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to judge on (default today).")] as_of: Option<Date>,
    ) -> ApiResult<Option<TenantClocks>> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let Some(status) = self.status_on(as_of) else {
            return Ok(None);
        };
        let row = one(&loaders::of(ctx)?.enterprises, self.0.enterprise_id).await?;
        let enterprise = required(row, "enterprise", self.0.enterprise_id).map(Enterprise::new)?;
        let routes = routes_met(&enterprise.graduation_facts(ctx).await?, as_of);
        let ended_on = self.0.graduated_on.or(self.0.moved_out_on);
        let carrier = loaders::of(ctx)?.carrier(self.0.carrier_id).await?;
        let carrier = required(carrier, "carrier", self.0.carrier_id)?;
        let industry = enterprise
            .0
            .industry
            .as_deref()
            .map(|code| stored::<crate::domain::carrier::Industry>("enterprise.industry", code))
            .transpose()?;
        let clock_rules = rules::clock_rules(carrier.domain_kind(), industry);
        let clocks = rules::clocks(
            clock_rules,
            enterprise.0.founded_on,
            self.0.incubation_started_on,
            status,
            ended_on,
            as_of,
            routes,
        );
        Ok(Some(TenantClocks {
            entry_window_months: clock_rules.entry_window_months,
            incubation_limit_months: clock_rules.incubation_limit_months,
            months_incubated: clocks.months_incubated,
            entered_late: clocks.entered_late,
            overdue: clocks.overdue,
            graduation_due: clocks.graduation_due.into_iter().map(Into::into).collect(),
        }))
    }

    /// 作废时间: when the tenancy was voided as entered in error; it then
    /// counts in no figure and no rule. Null while it counts.
    async fn voided_at(&self) -> Option<DateTime> {
        self.0.voided_at.map(DateTime::from)
    }

    /// 作废原因: why it was voided.
    async fn void_reason(&self) -> Option<&str> {
        self.0.void_reason.as_deref()
    }

    /// Row version; pass it back to change, end, graduate, amend or void the tenancy.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// 出租率: how much of a carrier (or a group of them) is leased on a date.
#[derive(SimpleObject, Debug, Clone)]
pub struct Occupancy {
    /// The date of the figures.
    pub as_of: Date,
    /// Area under leases in force, m².
    pub leased_area_m2: f64,
    /// Floor area delivered by then, m² (the leasable area).
    pub leasable_area_m2: f64,
    /// Leased area over leasable area, 0 to 1; null when nothing is leasable yet.
    pub rate: Option<f64>,
    /// 出租率: the rate as a percentage to two decimals (85.5 reads 85.50%); null when nothing is leasable yet.
    pub rate_percent: Option<f64>,
    /// Enterprises with a lease in force.
    pub tenants: i64,
    /// Of those, the ones still incubating.
    pub incubating: i64,
    /// Enterprises that graduated on or before the date.
    pub graduates: i64,
}

impl Occupancy {
    pub fn new(as_of: NaiveDate, figures: TenancyFigures, leasable_area_m2: f64) -> Self {
        let rate = (leasable_area_m2 > 0.0).then(|| figures.leased_m2 / leasable_area_m2);
        Self {
            as_of: as_of.into(),
            leased_area_m2: (figures.leased_m2 * 100.0).round() / 100.0,
            leasable_area_m2,
            rate,
            rate_percent: rate.map(crate::domain::goals::percent),
            tenants: figures.tenants,
            incubating: figures.incubating,
            graduates: figures.graduates,
        }
    }
}

/// How to group carriers in an occupancy summary.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccupancyGrouping {
    /// One group per district.
    District,
    /// One group per carrier kind.
    Kind,
}

/// The occupancy of one group of carriers.
#[derive(SimpleObject, Debug, Clone)]
pub struct OccupancyGroup {
    /// The district, when grouped by district.
    pub district: Option<District>,
    /// The kind, when grouped by kind.
    pub kind: Option<CarrierKind>,
    /// The group's figures.
    pub occupancy: Occupancy,
}

/// A move-in.
#[derive(InputObject)]
pub struct MoveInInput {
    /// The carrier, by global ID.
    pub carrier_id: ID,
    /// The enterprise, by global ID (register it first with `registerEnterprise`).
    pub enterprise_id: ID,
    /// The unit leased, e.g. B栋302.
    pub unit: Option<String>,
    /// Leased area, m².
    pub area_m2: f64,
    /// First day leased.
    pub moved_in_on: Date,
    /// First day no longer leased, if already known.
    pub moved_out_on: Option<Date>,
    /// 房源: the units it occupies, by global ID: units of the carrier that
    /// no other tenancy holds on any of its days (else CONFLICT).
    pub unit_ids: Option<Vec<ID>>,
}

/// A change of leased area from a date.
#[derive(InputObject)]
pub struct ChangeTenancyAreaInput {
    /// The tenancy, by global ID.
    pub id: ID,
    /// The `version` the change is based on.
    pub version: i32,
    /// The new leased area, m².
    pub area_m2: f64,
    /// The first day of the new area.
    pub effective_on: Date,
}

/// A move-out.
#[derive(InputObject)]
pub struct MoveOutInput {
    /// The tenancy, by global ID.
    pub id: ID,
    /// The `version` the change is based on.
    pub version: i32,
    /// First day no longer leased.
    pub moved_out_on: Date,
}

/// A graduation.
#[derive(InputObject)]
pub struct GraduateInput {
    /// The tenancy, by global ID.
    pub id: ID,
    /// The `version` the change is based on.
    pub version: i32,
    /// Date of graduation.
    pub graduated_on: Date,
    /// The route it graduated by.
    pub route: GraduationRoute,
    /// Whether it also gives up the space on that date (default true).
    #[graphql(default = true)]
    pub moves_out: bool,
}

#[derive(Default)]
pub struct TenancyQuery;

#[Object]
impl TenancyQuery {
    /// Occupancy of all carriers on `asOf` (default today), summed per district or per kind.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn occupancy_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date of the figures (default today).")] as_of: Option<Date>,
        #[graphql(desc = "How to group the carriers.")] group_by: OccupancyGrouping,
    ) -> ApiResult<Vec<OccupancyGroup>> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let grouping = match group_by {
            OccupancyGrouping::District => Grouping::District,
            OccupancyGrouping::Kind => Grouping::Kind,
        };
        let groups = store::occupancy::by_group(super::db(ctx)?, as_of, grouping).await?;
        let loaders = loaders::of(ctx)?;
        let mut result = Vec::with_capacity(groups.len());
        for group in groups {
            let (district, kind) = match grouping {
                Grouping::District => {
                    let id: i32 = stored("carrier.district_id", &group.key)?;
                    (loaders.district(id).await?, None)
                }
                Grouping::Kind => {
                    let kind: crate::domain::carrier::CarrierKind =
                        stored("carrier.kind", &group.key)?;
                    (None, Some(kind.into()))
                }
            };
            let occupancy = Occupancy::new(as_of, group.tenancies, group.leasable_m2);
            result.push(OccupancyGroup {
                district,
                kind,
                occupancy,
            });
        }
        Ok(result)
    }
}

#[derive(Default)]
pub struct TenancyMutation;

#[Object]
impl TenancyMutation {
    /// Moves an enterprise into a carrier. Refused when it would lease more than the carrier has on any day,
    /// overlap the enterprise's other tenancy there, or touch another operator's carrier.
    async fn move_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: MoveInInput,
    ) -> ApiResult<Tenancy> {
        let new = NewTenancy {
            carrier_id: expect("carrierId", &input.carrier_id, NodeType::Carrier)?,
            enterprise_id: expect("enterpriseId", &input.enterprise_id, NodeType::Enterprise)?,
            unit: optional_text("unit", input.unit.as_deref())?,
            area: FloorArea::parse("areaM2", input.area_m2)?,
            span: Span::new(input.moved_in_on.0, input.moved_out_on.map(|d| d.0))?,
            unit_ids: expect_all(
                "unitIds",
                &input.unit_ids.unwrap_or_default(),
                NodeType::Unit,
            )?,
        };
        let row = store::tenancy::move_in(super::db(ctx)?, super::actor(ctx)?, new).await?;
        Ok(Tenancy::new(row))
    }

    /// Changes a tenancy's leased area from a date; returns the tenancy that continues with the new area.
    async fn change_tenancy_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: ChangeTenancyAreaInput,
    ) -> ApiResult<Tenancy> {
        let id = expect("id", &input.id, NodeType::Tenancy)?;
        let area = FloorArea::parse("areaM2", input.area_m2)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row =
            store::tenancy::change_area(db, actor, id, input.version, area, input.effective_on.0)
                .await?;
        Ok(Tenancy::new(row))
    }

    /// Ends a tenancy.
    async fn move_out(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: MoveOutInput,
    ) -> ApiResult<Tenancy> {
        let id = expect("id", &input.id, NodeType::Tenancy)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row =
            store::tenancy::move_out(db, actor, id, input.version, input.moved_out_on.0).await?;
        Ok(Tenancy::new(row))
    }

    /// Records a tenant's graduation.
    async fn graduate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: GraduateInput,
    ) -> ApiResult<Tenancy> {
        let id = expect("id", &input.id, NodeType::Tenancy)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::tenancy::graduate(
            db,
            actor,
            id,
            input.version,
            input.graduated_on.0,
            input.route.into(),
            input.moves_out,
        )
        .await?;
        Ok(Tenancy::new(row))
    }

    /// 更正: corrects a tenancy entered wrongly (unit, area, move-in or
    /// move-out date), with a reason; by ADMIN or the carrier's OPERATOR, as
    /// moving in is. The rules of moving in hold afterwards (no day leased
    /// beyond the carrier's space, no overlap with the enterprise's other
    /// tenancy there), an area change stays whole and a graduation within
    /// the dates. Audited as AMEND; a real change of area from a date is
    /// `changeTenancyArea`, a real move-out `moveOut`.
    async fn amend_tenancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: AmendTenancyInput,
    ) -> ApiResult<Tenancy> {
        let (id, version, amendment, reason) = input.validate()?;
        correct(ctx, id, version, Correction::Amend(amendment), reason).await
    }

    /// 作废: voids a tenancy entered in error, with a reason. It stays
    /// readable (`voidedAt`, `voidReason`, `tenancies(includeVoided: true)`)
    /// but counts in no figure (occupancy, 五有, Torch) and no rule (space,
    /// overlaps) from then on. A tenancy continued after an area change is
    /// voided after its continuation. A void is final (CONFLICT after).
    async fn void_tenancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which tenancy, and why.")] input: VoidRecordInput,
    ) -> ApiResult<Tenancy> {
        let (id, version, reason) = input.validate(NodeType::Tenancy)?;
        correct(ctx, id, version, Correction::Void, reason).await
    }
}

async fn correct(
    ctx: &Context<'_>,
    id: i32,
    version: i32,
    correction: Correction<TenancyAmendment>,
    reason: String,
) -> ApiResult<Tenancy> {
    let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
    let row = store::tenancy::correct(db, actor, id, version, correction, reason).await?;
    Ok(Tenancy::new(row))
}

/// 更正: a correction of a tenancy entered wrongly. Give only the fields to change.
#[derive(InputObject)]
pub struct AmendTenancyInput {
    /// The tenancy, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// Why the record is corrected (kept in the audit trail), e.g. 按租赁合同更正.
    pub reason: String,
    /// The right unit; an empty string clears it.
    pub unit: Option<String>,
    /// The right leased area, m².
    pub area_m2: Option<f64>,
    /// The right move-in date.
    pub moved_in_on: Option<Date>,
    /// The right move-out date; null clears it (still leased).
    pub moved_out_on: MaybeUndefined<Date>,
}

impl AmendTenancyInput {
    fn validate(self) -> Result<(i32, i32, TenancyAmendment, String), AppError> {
        let amendment = TenancyAmendment {
            unit: self
                .unit
                .map(|text| optional_text("unit", Some(&text)))
                .transpose()?,
            area: self
                .area_m2
                .map(|area| FloorArea::parse("areaM2", area))
                .transpose()?,
            moved_in_on: self.moved_in_on.map(|date| date.0),
            moved_out_on: match self.moved_out_on {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(date) => Some(Some(date.0)),
            },
        };
        if amendment.unit.is_none()
            && amendment.area.is_none()
            && amendment.moved_in_on.is_none()
            && amendment.moved_out_on.is_none()
        {
            return Err(AppError::invalid(
                "input",
                "name at least one field to correct",
                "请至少填写一项要更正的内容",
            ));
        }
        Ok((
            expect("id", &self.id, NodeType::Tenancy)?,
            self.version,
            amendment,
            required_text("reason", &self.reason)?,
        ))
    }
}
