//! 租赁合同与租金: a tenancy's leases, the leases expiring soon and a
//! carrier's monthly rent roll (租金台账).
//!
//! Rent rates, deposits, discounts and every amount derived from them are
//! confidential like revenue: only ADMIN and the OPERATOR of the lease's
//! carrier read them; everyone else reads null. That a lease exists (its
//! contract number, term, area, signing date, rent-free months) is not
//! confidential: the bureau (BUREAU, VIEWER) counts occupancy from tenancies
//! anyway, and a contract on file is what makes a tenancy credible.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::lease;

use super::access::confidential;
use super::carrier::Carrier;
use super::correction::VoidRecordInput;
use super::error::ApiResult;
use super::loaders::{self, many, one, required};
use super::node::{NodeType, expect, global_id};
use super::scalars::{Date, DateTime};
use super::tenancy::Tenancy;
use crate::domain::access::may_read_confidential;
use crate::domain::area::FloorArea;
use crate::domain::lease::{
    self as rules, Discount, Month, RentRate, Term, check_rent_free_months, expiry_window,
};
use crate::domain::money::Fen;
use crate::domain::text::required_text;
use crate::error::AppError;
use crate::store;
use crate::store::correction::Correction;
use crate::store::lease::{LeaseAmendment, NewLease};

/// 租赁合同: a lease of a tenancy, with its term and rent. Rent, deposit and
/// discount are confidential: null unless the caller is ADMIN or the
/// OPERATOR of the lease's carrier.
#[derive(Debug, Clone)]
pub struct Lease(pub lease::Model);

impl Lease {
    /// Whether the caller may read this lease's rent, deposit and discount.
    async fn visible(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let carrier = loaders::of(ctx)?.carrier(self.0.carrier_id).await?;
        let carrier = required(carrier, "carrier", self.0.carrier_id)?;
        Ok(confidential(ctx, carrier.operator_id(), Some(())).is_some())
    }

    /// `value` if the caller may read this lease's confidential fields.
    async fn confidential<T>(&self, ctx: &Context<'_>, value: T) -> ApiResult<Option<T>> {
        Ok(self.visible(ctx).await?.then_some(value))
    }
}

/// 租赁合同: a lease of a tenancy, with its term and rent. Rent, deposit and
/// discount are confidential: null unless the caller is ADMIN or the
/// OPERATOR of the lease's carrier.
#[Object]
impl Lease {
    /// The global ID of the lease.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Lease, self.0.id)
    }

    /// The tenancy it lets.
    async fn tenancy(&self, ctx: &Context<'_>) -> ApiResult<Tenancy> {
        let row = one(&loaders::of(ctx)?.tenancies, self.0.tenancy_id).await?;
        required(row, "tenancy", self.0.tenancy_id).map(Tenancy::new)
    }

    /// The carrier the space is in.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.0.carrier_id).await?;
        required(carrier, "carrier", self.0.carrier_id)
    }

    /// 合同编号: the contract number, unique within the carrier.
    async fn contract_number(&self) -> &str {
        &self.0.contract_number
    }

    /// 租期起始日: the term's first day.
    async fn starts_on(&self) -> Date {
        self.0.starts_on.into()
    }

    /// 租期截止日: the term's last day, inclusive (2025-01-01至2027-12-31 ends on 2027-12-31).
    async fn ends_on(&self) -> Date {
        self.0.ends_on.into()
    }

    /// 租赁面积: the area let, m²: the lease's own, or the tenancy's when the lease names none.
    async fn area_m2(&self, ctx: &Context<'_>) -> ApiResult<f64> {
        if let Some(area) = self.0.area_m2 {
            return Ok(area);
        }
        let row = one(&loaders::of(ctx)?.tenancies, self.0.tenancy_id).await?;
        Ok(required(row, "tenancy", self.0.tenancy_id)?.area_m2)
    }

    /// Whether the lease names its own area (false: it follows the tenancy's).
    async fn has_own_area(&self) -> bool {
        self.0.area_m2.is_some()
    }

    /// 租金单价: rent in 元/㎡·天 as an exact decimal string, e.g. "1.35". Confidential.
    async fn rent_rate(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.confidential(ctx, RentRate(self.0.rent_rate_e4).to_string())
            .await
    }

    /// 押金: the deposit in yuan (元) as an exact decimal string. Confidential.
    async fn deposit(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.confidential(ctx, Fen(self.0.deposit_fen).to_string())
            .await
    }

    /// 免租期: rent-free months, whole months from the term's start.
    async fn rent_free_months(&self) -> i32 {
        self.0.rent_free_months
    }

    /// 孵化优惠: the discount off the rent, a percentage from 0 to 100 as an exact decimal string, e.g. "20.00". Confidential.
    async fn incubation_discount_percent(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.confidential(ctx, Discount(i64::from(self.0.discount_bp)).to_string())
            .await
    }

    /// 签订日期: the day the contract was signed.
    async fn signed_on(&self) -> Date {
        self.0.signed_on.into()
    }

    /// 作废时间: when the lease was voided as entered in error; it then
    /// counts in no rent roll and no rule. Null while it counts.
    async fn voided_at(&self) -> Option<DateTime> {
        self.0.voided_at.map(DateTime::from)
    }

    /// 作废原因: why it was voided.
    async fn void_reason(&self) -> Option<&str> {
        self.0.void_reason.as_deref()
    }

    /// Row version; pass it back to `amendLease` or `voidLease`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// A tenancy's leases, by term, through the request's loader; the voided
/// ones only with `include_voided`.
pub async fn leases_of_tenancy(
    ctx: &Context<'_>,
    tenancy_id: i32,
    include_voided: bool,
) -> ApiResult<Vec<Lease>> {
    let mut rows = many(&loaders::of(ctx)?.leases_of_tenancy, tenancy_id).await?;
    rows.retain(|row| include_voided || row.voided_at.is_none());
    rows.sort_by_key(|row| (row.starts_on, row.id));
    Ok(rows.into_iter().map(Lease).collect())
}

/// A lease for `node(id)`.
pub async fn load(ctx: &Context<'_>, id: i32) -> ApiResult<Option<Lease>> {
    Ok(one(&loaders::of(ctx)?.leases, id).await?.map(Lease))
}

/// A page of leases and how many there are in all.
#[derive(SimpleObject)]
pub struct LeasePage {
    /// How many leases match in all (across every page).
    total_count: u64,
    /// The leases of this page.
    leases: Vec<Lease>,
}

/// 租金台账: what a carrier's leases charge in one month. The total is the
/// sum of the lines by construction. Amounts are null unless the caller is
/// ADMIN or the carrier's OPERATOR.
#[derive(SimpleObject)]
pub struct RentRoll {
    /// The carrier.
    carrier: Carrier,
    /// The month, YYYY-MM.
    month: String,
    /// Days in the month.
    days_in_month: i64,
    /// One line per lease in force on some day of the month, by contract number.
    lines: Vec<RentRollLine>,
    /// 应收租金合计: the sum of the lines' amounts in yuan (元), exact decimal string. Confidential.
    total_yuan: Option<String>,
    /// The same total in 万元, four decimals (to the yuan, half up). Confidential.
    total_wan_yuan: Option<String>,
}

/// One lease's rent in the month: area × rate × chargeable days × (1 − discount),
/// computed exactly and rounded once, half up, to the fen.
#[derive(SimpleObject)]
pub struct RentRollLine {
    /// The lease.
    lease: Lease,
    /// Days of the month within the lease's term.
    days_in_force: i64,
    /// Of those, the days within the rent-free period (免租期).
    rent_free_days: i64,
    /// Days charged: days in force less rent-free days.
    chargeable_days: i64,
    /// 租赁面积: the area charged for, m².
    area_m2: f64,
    /// 租金单价 in 元/㎡·天. Confidential.
    rent_rate: Option<String>,
    /// 孵化优惠, percent. Confidential.
    incubation_discount_percent: Option<String>,
    /// 应收租金: the amount due for the month in yuan (元), exact decimal string. Confidential.
    amount_yuan: Option<String>,
    /// The amount in 万元, four decimals (to the yuan, half up). Confidential.
    amount_wan_yuan: Option<String>,
}

#[derive(Default)]
pub struct LeaseQuery;

#[Object]
impl LeaseQuery {
    /// 即将到期的租赁合同: leases (not voided) whose last day falls from
    /// `asOf` (default today) to `withinDays` days later, soonest first.
    /// ADMIN sees every carrier's; an OPERATOR its own carriers'; other
    /// tokens are refused (FORBIDDEN).
    #[graphql(complexity = "super::connection::page_complexity(first, None, child_complexity)")]
    async fn leases_expiring(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The window, days from `asOf` (0 to 3660).")] within_days: i32,
        #[graphql(desc = "The first day of the window (default today).")] as_of: Option<Date>,
        #[graphql(
            desc = "Page size (default 20; at most the server's page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Leases to skip, for the next page (default 0).")] offset: Option<i32>,
    ) -> ApiResult<LeasePage> {
        let actor = super::actor(ctx)?;
        let scope = rules::expiring_scope(actor.role, actor.operator_id).ok_or_else(|| {
            AppError::forbidden(
                "expiring leases are listed for ADMIN and OPERATOR tokens",
                "即将到期的租赁合同仅向 ADMIN 和 OPERATOR 令牌列出",
            )
        })?;
        let from = as_of.map_or_else(store::today, |d| d.0);
        let until = expiry_window(from, within_days)?;
        let (limit, offset) = super::connection::limit_offset(ctx, first, offset)?;
        let db = super::db(ctx)?;
        let leases = store::lease::expiring(db, scope, from, until, limit, offset).await?;
        let total_count = super::connection::total_count(
            ctx,
            store::lease::count_expiring(db, scope, from, until),
        )
        .await?;
        Ok(LeasePage {
            total_count,
            leases: leases.into_iter().map(Lease).collect(),
        })
    }

    /// 租金台账: a carrier's rent roll for `month` (YYYY-MM): a line per
    /// lease in force on some day of it, and their total. Each line is
    /// computed exactly and rounded once, half up, to the fen; the total is
    /// the sum of the lines. Anyone who reads the carrier reads the lines;
    /// rates, discounts and amounts are null unless the caller is ADMIN or
    /// the carrier's OPERATOR.
    #[graphql(
        complexity = "super::cost::list_complexity(super::cost::TENANCIES_PER_CARRIER, child_complexity)"
    )]
    async fn rent_roll(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The carrier, by global ID.")] carrier_id: ID,
        #[graphql(desc = "The month, YYYY-MM, e.g. 2026-03.")] month: String,
    ) -> ApiResult<RentRoll> {
        let carrier_id = expect("carrierId", &carrier_id, NodeType::Carrier)?;
        let month = Month::parse("month", &month)?;
        let carrier = loaders::of(ctx)?.carrier(carrier_id).await?;
        let carrier = carrier.ok_or_else(|| AppError::not_found("Carrier", carrier_id))?;
        let visible = may_read_confidential(super::actor(ctx)?, carrier.operator_id());
        let shown = |text: String| visible.then_some(text);
        let lines = store::lease::rent_roll(super::db(ctx)?, carrier_id, month).await?;
        let total = Fen(lines.iter().map(|line| line.rent.amount.0).sum());
        Ok(RentRoll {
            carrier,
            month: month.to_string(),
            days_in_month: month.days(),
            lines: lines
                .into_iter()
                .map(|line| RentRollLine {
                    days_in_force: line.rent.days_in_force,
                    rent_free_days: line.rent.rent_free_days,
                    chargeable_days: line.rent.chargeable_days,
                    area_m2: line.area_m2,
                    rent_rate: shown(RentRate(line.lease.rent_rate_e4).to_string()),
                    incubation_discount_percent: shown(
                        Discount(i64::from(line.lease.discount_bp)).to_string(),
                    ),
                    amount_yuan: shown(line.rent.amount.to_string()),
                    amount_wan_yuan: shown(line.rent.amount.wan_yuan()),
                    lease: Lease(line.lease),
                })
                .collect(),
            total_yuan: shown(total.to_string()),
            total_wan_yuan: shown(total.wan_yuan()),
        })
    }
}

/// A lease to record.
#[derive(InputObject)]
pub struct AddLeaseInput {
    /// The tenancy it lets, by global ID.
    pub tenancy_id: ID,
    /// 合同编号: unique within the carrier among leases not voided.
    pub contract_number: String,
    /// 租期起始日: the term's first day, on or after the tenancy's move-in.
    pub starts_on: Date,
    /// 租期截止日: the term's last day, inclusive, before the tenancy's move-out.
    pub ends_on: Date,
    /// 租赁面积 in m², when it differs from the tenancy's; omitted: the tenancy's area.
    pub area_m2: Option<f64>,
    /// 租金单价 in 元/㎡·天, an exact decimal string with at most four decimals, e.g. "1.35".
    pub rent_rate: String,
    /// 押金 in yuan (元), an exact decimal string (default "0").
    pub deposit: Option<String>,
    /// 免租期: rent-free months from the term's start (default 0).
    #[graphql(default)]
    pub rent_free_months: i32,
    /// 孵化优惠: a percentage off the rent, 0 to 100, exact decimal string (default "0").
    pub incubation_discount_percent: Option<String>,
    /// 签订日期: the day the contract was signed.
    pub signed_on: Date,
}

impl AddLeaseInput {
    /// The lease as the store takes it, validated.
    pub fn validate(self) -> Result<NewLease, AppError> {
        Ok(NewLease {
            tenancy_id: expect("tenancyId", &self.tenancy_id, NodeType::Tenancy)?,
            contract_number: required_text("contractNumber", &self.contract_number)?,
            term: Term::new(self.starts_on.0, self.ends_on.0)?,
            area: self
                .area_m2
                .map(|area| FloorArea::parse("areaM2", area))
                .transpose()?,
            rate: RentRate::parse("rentRate", &self.rent_rate)?,
            deposit: self
                .deposit
                .map_or(Ok(Fen(0)), |text| Fen::parse("deposit", &text))?,
            rent_free_months: check_rent_free_months("rentFreeMonths", self.rent_free_months)?,
            discount: self
                .incubation_discount_percent
                .map_or(Ok(Discount::NONE), |text| {
                    Discount::parse("incubationDiscountPercent", &text)
                })?,
            signed_on: self.signed_on.0,
        })
    }
}

/// 更正: a correction of a lease entered wrongly. Give only the fields to change.
#[derive(InputObject)]
pub struct AmendLeaseInput {
    /// The lease, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// Why the lease is corrected (kept in the audit trail), e.g. 按合同原件更正.
    pub reason: String,
    /// The right contract number.
    pub contract_number: Option<String>,
    /// The right first day of the term.
    pub starts_on: Option<Date>,
    /// The right last day of the term (inclusive).
    pub ends_on: Option<Date>,
    /// The right area in m²; null: the tenancy's area.
    pub area_m2: MaybeUndefined<f64>,
    /// The right rent in 元/㎡·天, exact decimal string.
    pub rent_rate: Option<String>,
    /// The right deposit in yuan, exact decimal string.
    pub deposit: Option<String>,
    /// The right number of rent-free months.
    pub rent_free_months: Option<i32>,
    /// The right discount, percent, exact decimal string.
    pub incubation_discount_percent: Option<String>,
    /// The right signing date.
    pub signed_on: Option<Date>,
}

impl AmendLeaseInput {
    fn validate(self) -> Result<(i32, i32, LeaseAmendment, String), AppError> {
        let amendment = LeaseAmendment {
            contract_number: self
                .contract_number
                .map(|text| required_text("contractNumber", &text))
                .transpose()?,
            starts_on: self.starts_on.map(|d| d.0),
            ends_on: self.ends_on.map(|d| d.0),
            area: match self.area_m2 {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(area) => Some(Some(FloorArea::parse("areaM2", area)?)),
            },
            rate: self
                .rent_rate
                .map(|text| RentRate::parse("rentRate", &text))
                .transpose()?,
            deposit: self
                .deposit
                .map(|text| Fen::parse("deposit", &text))
                .transpose()?,
            rent_free_months: self
                .rent_free_months
                .map(|months| check_rent_free_months("rentFreeMonths", months))
                .transpose()?,
            discount: self
                .incubation_discount_percent
                .map(|text| Discount::parse("incubationDiscountPercent", &text))
                .transpose()?,
            signed_on: self.signed_on.map(|d| d.0),
        };
        if amendment.is_empty() {
            return Err(AppError::invalid(
                "input",
                "name at least one field to correct",
                "请至少填写一项要更正的内容",
            ));
        }
        Ok((
            expect("id", &self.id, NodeType::Lease)?,
            self.version,
            amendment,
            required_text("reason", &self.reason)?,
        ))
    }
}

#[derive(Default)]
pub struct LeaseMutation;

#[Object]
impl LeaseMutation {
    /// 登记租赁合同: records a lease of a tenancy, by ADMIN or the carrier's
    /// OPERATOR. Its term lies within the tenancy's dates (BAD_USER_INPUT);
    /// a tenancy's leases (renewals) do not overlap, and a contract number
    /// is used once in a carrier (CONFLICT), also under simultaneous writes.
    async fn add_lease(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: AddLeaseInput,
    ) -> ApiResult<Lease> {
        let new = input.validate()?;
        let row = store::lease::add_lease(super::db(ctx)?, super::actor(ctx)?, new).await?;
        Ok(Lease(row))
    }

    /// 更正: corrects a lease entered wrongly, with a reason, under the rules
    /// of adding one. Audited as AMEND.
    async fn amend_lease(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: AmendLeaseInput,
    ) -> ApiResult<Lease> {
        let (id, version, amendment, reason) = input.validate()?;
        correct(ctx, id, version, Correction::Amend(amendment), reason).await
    }

    /// 作废: voids a lease entered in error, with a reason. It stays readable
    /// (`voidedAt`, `voidReason`, `Tenancy.leases(includeVoided: true)`) but
    /// counts in no rent roll and no rule from then on. A void is final
    /// (CONFLICT after).
    async fn void_lease(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which lease, and why.")] input: VoidRecordInput,
    ) -> ApiResult<Lease> {
        let (id, version, reason) = input.validate(NodeType::Lease)?;
        correct(ctx, id, version, Correction::Void, reason).await
    }
}

async fn correct(
    ctx: &Context<'_>,
    id: i32,
    version: i32,
    correction: Correction<LeaseAmendment>,
    reason: String,
) -> ApiResult<Lease> {
    let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
    let row = store::lease::correct(db, actor, id, version, correction, reason).await?;
    Ok(Lease(row))
}
