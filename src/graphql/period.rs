//! Reporting periods (报告期): closing a year, and restatements of its figures.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{NaiveDate, Utc};
use entity::reporting_period;

use super::audit::AuditEvent;
use super::carrier::Carrier;
use super::cost::{FIXED_SMALL_LIST, TORCH_ROWS, list_complexity};
use super::error::ApiResult;
use super::goals::{TargetCode, figure};
use super::loaders;
use super::node::{NodeType, global_id};
use super::scalars::{Date, DateTime};
use crate::domain::access::audit_scope;
use crate::domain::goals::TargetCode as DomainCode;
use crate::domain::period::{
    CarrierFigure, IndicatorChange, PeriodStatus, ReportedTarget, ReportedTorchRow, Restated,
    TorchRestated, restated, torch_restated,
};
use crate::domain::text::{optional_text, required_text};
use crate::domain::torch::{Indicator, TorchRow};
use crate::error::{AppError, stored};
use crate::store;
use crate::store::period::{CauseFilter, GOAL_RECORDS, TORCH_RECORDS};

/// 报告期: a year closed by the bureau, with the figures reported for it.
#[derive(Debug, Clone)]
pub struct ReportingPeriod {
    row: reporting_period::Model,
    status: PeriodStatus,
    reported: Vec<ReportedTarget>,
    /// The 火炬统计 cells reported; `None` for a period closed before they were kept.
    reported_torch: Option<Vec<ReportedTorchRow>>,
}

impl TryFrom<reporting_period::Model> for ReportingPeriod {
    type Error = AppError;

    fn try_from(row: reporting_period::Model) -> Result<Self, AppError> {
        let unreadable = |err: serde_json::Error| {
            tracing::error!(%err, year = row.year, "stored reported figures do not read");
            AppError::Internal
        };
        let reported = serde_json::from_str(&row.figures).map_err(unreadable)?;
        let reported_torch = match &row.torch_rows {
            Some(cells) => Some(serde_json::from_str(cells).map_err(unreadable)?),
            None => None,
        };
        Ok(Self {
            status: stored("reporting_period.status", &row.status)?,
            reported,
            reported_torch,
            row,
        })
    }
}

impl ReportingPeriod {
    /// What was reported for target `code`.
    pub fn reported_target(&self, code: DomainCode) -> Option<&ReportedTarget> {
        self.reported
            .iter()
            .find(|target| target.code == code.as_ref())
    }
}

/// A target's figure as reported for a closed period.
#[derive(SimpleObject)]
pub struct ReportedFigure {
    /// Which target.
    pub code: TargetCode,
    /// The figure reported.
    pub actual: f64,
}

/// 报告期: a year closed by the bureau, with the figures reported for it.
#[Object]
impl ReportingPeriod {
    /// The global ID of the period.
    pub async fn id(&self) -> ID {
        global_id(NodeType::ReportingPeriod, self.row.id)
    }

    /// The reporting year, e.g. 2025.
    async fn year(&self) -> i32 {
        self.row.year
    }

    /// The date the figures were taken on: December 31 of the year. Ask
    /// `goalProgress(asOf:)` for this date to see each figure as reported, as
    /// it is now, and what restated it.
    async fn period_end(&self) -> Date {
        self.row.period_end.into()
    }

    /// CLOSED while the reported figures stand; REOPENED after the bureau reopened it.
    async fn status(&self) -> PeriodStatusValue {
        self.status.into()
    }

    /// The bureau's note on closing, e.g. 2025年度考核报送数.
    async fn note(&self) -> Option<&str> {
        self.row.note.as_deref()
    }

    /// The token that closed the period.
    async fn closed_by(&self) -> &str {
        &self.row.closed_by
    }

    /// The moment of closing: the reported figures are what was known then
    /// (`goalProgress(asOf: periodEnd, knownAt: closedAt)` gives them too).
    async fn closed_at(&self) -> DateTime {
        self.row.closed_at.into()
    }

    /// The token that last reopened the period.
    async fn reopened_by(&self) -> Option<&str> {
        self.row.reopened_by.as_deref()
    }

    /// When the period was last reopened.
    async fn reopened_at(&self) -> Option<DateTime> {
        self.row.reopened_at.map(DateTime::from)
    }

    /// Why it was last reopened.
    async fn reopen_reason(&self) -> Option<&str> {
        self.row.reopen_reason.as_deref()
    }

    /// Every target's figure as reported on `periodEnd`.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn reported(&self) -> ApiResult<Vec<ReportedFigure>> {
        self.reported
            .iter()
            .map(|target| {
                let code: DomainCode = stored("reporting_period.figures.code", &target.code)?;
                Ok(ReportedFigure {
                    code: code.into(),
                    actual: figure(target.actual),
                })
            })
            .collect()
    }

    /// The year's 火炬统计 CSV as reported (as `torchStatistics(year).csv` gave
    /// it at closing); `torchStatistics(year).restated` says whether they differ now.
    async fn torch_csv(&self) -> &str {
        &self.row.torch_csv
    }

    /// Row version; pass it back to reopen the period.
    async fn version(&self) -> i32 {
        self.row.version
    }
}

/// Whether a period's reported figures stand.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::period::PeriodStatus", name = "PeriodStatus")]
pub enum PeriodStatusValue {
    /// 已关账: the reported figures stand; later changes are restatements.
    Closed,
    /// 已重新打开: reopened by the bureau with a reason, to be closed again.
    Reopened,
}

/// 更正调整: how a closed period's figure differs from what was reported,
/// and which records cause the difference.
pub struct TargetRestatement {
    code: DomainCode,
    reported: f64,
    current: f64,
    changed: Vec<Restated>,
    closed_at: chrono::DateTime<Utc>,
}

impl TargetRestatement {
    /// The figure reported, to two decimals.
    pub fn reported_figure(&self) -> f64 {
        figure(self.reported)
    }

    /// The restatement of target `code`, now at `current` with parts `parts`,
    /// against what `period` reported.
    pub fn new(
        period: &ReportingPeriod,
        code: DomainCode,
        current: f64,
        parts: &[CarrierFigure],
    ) -> Option<Self> {
        let reported = period.reported_target(code)?;
        Some(Self {
            code,
            reported: reported.actual,
            current,
            changed: restated(&reported.by_carrier, parts),
            closed_at: period.row.closed_at,
        })
    }
}

/// One carrier's part of a restated figure.
pub struct CarrierRestatement(Restated);

/// One carrier's part of a restated figure.
#[Object]
impl CarrierRestatement {
    /// The carrier; null for parts that belong to no carrier (enterprises landed).
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Option<Carrier>> {
        match self.0.carrier_id {
            Some(id) => Ok(loaders::of(ctx)?.carrier(id).await?),
            None => Ok(None),
        }
    }

    /// Its part as reported.
    async fn reported(&self) -> f64 {
        figure(self.0.reported)
    }

    /// Its part as the records stand now.
    async fn current(&self) -> f64 {
        figure(self.0.current)
    }

    /// `current - reported`.
    async fn difference(&self) -> f64 {
        figure(self.0.difference())
    }
}

/// Most change events one restatement lists.
const MAX_CAUSES: usize = 100;

/// 更正调整: how a closed period's figure differs from what was reported,
/// and which records cause the difference.
#[Object]
impl TargetRestatement {
    /// Which target.
    async fn code(&self) -> TargetCode {
        self.code.into()
    }

    /// 报送数: the figure reported when the period was closed; it never changes.
    async fn reported(&self) -> f64 {
        figure(self.reported)
    }

    /// 现值: the figure as the records stand now.
    async fn current(&self) -> f64 {
        figure(self.current)
    }

    /// 调整数: `current - reported`; 0 while nothing touching the period changed.
    async fn difference(&self) -> f64 {
        figure(self.current - self.reported)
    }

    /// The carriers whose part changed, largest change first.
    // Any carrier may have changed: counted as a whole portfolio's rows, as
    // the Torch statistics are, not as a short fixed list.
    #[graphql(complexity = "list_complexity(TORCH_ROWS, child_complexity)")]
    async fn carriers(&self) -> Vec<CarrierRestatement> {
        self.changed
            .iter()
            .copied()
            .map(CarrierRestatement)
            .collect()
    }

    /// The changes recorded since closing to the records of those carriers
    /// (and, for TECH_FIRMS_LANDED, to enterprises), newest first: the audit
    /// events that explain the difference. As the audit trail: ADMIN sees
    /// all, an OPERATOR its own records' events.
    #[graphql(
        complexity = "list_complexity(first.unwrap_or(20).clamp(1, 100) as usize, child_complexity)"
    )]
    async fn causes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many events (default 20, at most 100).")] first: Option<i32>,
    ) -> ApiResult<Vec<AuditEvent>> {
        if self.changed.is_empty() {
            return Ok(Vec::new());
        }
        let carriers: Vec<i32> = self.changed.iter().filter_map(|c| c.carrier_id).collect();
        let filter = CauseFilter {
            record_types: GOAL_RECORDS,
            carrier_ids: &carriers,
            enterprises: self.changed.iter().any(|c| c.carrier_id.is_none()),
        };
        causes(ctx, self.closed_at, filter, first).await
    }
}

/// The audit events since `closed_at` that `filter` names, newest first,
/// at most `first` (default 20, at most [`MAX_CAUSES`]), as the caller may
/// see the audit trail.
async fn causes(
    ctx: &Context<'_>,
    closed_at: chrono::DateTime<Utc>,
    filter: CauseFilter<'_>,
    first: Option<i32>,
) -> ApiResult<Vec<AuditEvent>> {
    let scope = audit_scope(super::actor(ctx)?).map_err(AppError::from)?;
    let limit = usize::try_from(first.unwrap_or(20))
        .unwrap_or(0)
        .clamp(1, MAX_CAUSES);
    let events =
        store::period::changes_since(super::db(ctx)?, closed_at, filter, scope, limit).await?;
    Ok(events
        .into_iter()
        .map(AuditEvent::try_from)
        .collect::<Result<_, _>>()?)
}

/// 火炬统计更正调整: how a closed year's survey rows differ from those
/// reported, indicator by indicator, and which records cause it.
pub struct TorchRestatement {
    changed: Vec<TorchRestated>,
    closed_at: chrono::DateTime<Utc>,
}

/// 火炬统计更正调整: how a closed year's survey rows differ from those
/// reported, indicator by indicator, and which records cause it.
#[Object]
impl TorchRestatement {
    /// The carriers whose row differs from the one reported, by carrier id;
    /// empty while nothing touching the year changed.
    #[graphql(complexity = "list_complexity(TORCH_ROWS, child_complexity)")]
    async fn carriers(&self) -> Vec<CarrierTorchRestatement> {
        self.changed
            .iter()
            .cloned()
            .map(CarrierTorchRestatement)
            .collect()
    }

    /// The changes recorded since closing to those carriers' records
    /// (tenancies, phases, recognitions, platforms, teams, facilities, funds,
    /// the carriers themselves), newest first: the audit events that explain
    /// the difference. As the audit trail: ADMIN sees all, an OPERATOR its
    /// own records' events.
    #[graphql(
        complexity = "list_complexity(first.unwrap_or(20).clamp(1, 100) as usize, child_complexity)"
    )]
    async fn causes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many events (default 20, at most 100).")] first: Option<i32>,
    ) -> ApiResult<Vec<AuditEvent>> {
        if self.changed.is_empty() {
            return Ok(Vec::new());
        }
        let carriers: Vec<i32> = self.changed.iter().map(|c| c.carrier_id).collect();
        let filter = CauseFilter {
            record_types: TORCH_RECORDS,
            carrier_ids: &carriers,
            enterprises: false,
        };
        causes(ctx, self.closed_at, filter, first).await
    }
}

/// One carrier's 火炬统计 row, where it differs from the row reported.
pub struct CarrierTorchRestatement(TorchRestated);

/// One carrier's 火炬统计 row, where it differs from the row reported.
#[Object]
impl CarrierTorchRestatement {
    /// The global ID of the carrier.
    async fn carrier_id(&self) -> ID {
        global_id(NodeType::Carrier, self.0.carrier_id)
    }

    /// The carrier itself.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Option<Carrier>> {
        Ok(loaders::of(ctx)?.carrier(self.0.carrier_id).await?)
    }

    /// The indicators that differ, in the survey's column order.
    #[graphql(complexity = "list_complexity(Indicator::ALL.len(), child_complexity)")]
    async fn changes(&self) -> Vec<TorchIndicatorChange> {
        self.0
            .changes
            .iter()
            .cloned()
            .map(TorchIndicatorChange)
            .collect()
    }
}

/// One 火炬统计 indicator of one carrier: as reported and as it is now.
pub struct TorchIndicatorChange(IndicatorChange);

/// One 火炬统计 indicator of one carrier: as reported and as it is now.
#[Object]
impl TorchIndicatorChange {
    /// Which indicator.
    async fn indicator(&self) -> TorchIndicator {
        self.0.indicator.into()
    }

    /// The indicator's name in the survey, with its unit, e.g. 在孵企业使用面积(平方米).
    async fn name_zh(&self) -> &'static str {
        self.0.indicator.name_zh()
    }

    /// The indicator's name in English, with its unit.
    async fn name_en(&self) -> &'static str {
        self.0.indicator.name_en()
    }

    /// 报送数: the cell as reported, as the CSV wrote it; null if the carrier
    /// was not in that year's survey when it was closed.
    async fn reported(&self) -> Option<&str> {
        self.0.reported.as_deref()
    }

    /// 现值: the cell as the records stand now; null if the carrier is no
    /// longer surveyed (it is no longer an incubator or makerspace).
    async fn current(&self) -> Option<&str> {
        self.0.current.as_deref()
    }

    /// 调整数: `current - reported` for a figure (a missing side counts as 0),
    /// to two decimals; null for a word (name, kind, district, operator, level).
    async fn difference(&self) -> Option<f64> {
        self.0.difference().map(figure)
    }
}

/// 火炬统计指标: the survey's indicators that zaiti holds, in column order.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::torch::Indicator")]
pub enum TorchIndicator {
    /// 载体名称.
    Name,
    /// 载体类型.
    Kind,
    /// 所在区.
    District,
    /// 行政区划代码 (GB/T 2260); not held by years closed before it was added.
    AdminCode,
    /// 运营主体.
    Operator,
    /// 级别.
    Level,
    /// 场地总面积(平方米).
    FloorArea,
    /// 在孵企业使用面积(平方米).
    TenantArea,
    /// 公共服务场地面积(平方米).
    PublicServiceArea,
    /// 在孵企业数(家).
    Incubating,
    /// 当年毕业企业数(家).
    GraduatesInYear,
    /// 累计毕业企业数(家).
    GraduatesTotal,
    /// 专业孵化服务人员(人).
    Staff,
    /// 创业导师(人).
    Mentors,
    /// 孵化基金规模(元).
    FundSize,
    /// 公共技术服务平台(个).
    Platforms,
    /// 提供工位数(个), on the makerspace form.
    Workstations,
    /// 在孵企业总收入(千元), from the tenants' annual reports (ADMIN's export only).
    TenantRevenue,
    /// 在孵企业研发投入(千元) (ADMIN's export only).
    TenantRdSpend,
    /// 在孵企业从业人员(人) (ADMIN's export only).
    TenantStaff,
    /// 在孵企业当年知识产权授权数(件) (ADMIN's export only).
    TenantPatents,
    /// 其中：发明专利(件) (ADMIN's export only).
    TenantInventionPatents,
    /// 当年获得投融资的在孵企业(家) (ADMIN's export only).
    TenantsFinanced,
    /// 在孵企业当年获得投融资额(千元) (ADMIN's export only).
    TenantFinancing,
    /// 企业年报填报率(%) (ADMIN's export only).
    TenantReportingRate,
}

#[derive(Default)]
pub struct PeriodQuery;

#[Object]
impl PeriodQuery {
    /// 报告期: every closed (or reopened) reporting year, latest first.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn reporting_periods(&self, ctx: &Context<'_>) -> ApiResult<Vec<ReportingPeriod>> {
        Ok(store::period::all(super::db(ctx)?)
            .await?
            .into_iter()
            .map(ReportingPeriod::try_from)
            .collect::<Result<_, _>>()?)
    }
}

/// 年度关账: close a reporting year.
#[derive(InputObject)]
pub struct CloseReportingPeriodInput {
    /// The year to close; it must have ended.
    pub year: i32,
    /// A note kept with the period, e.g. 2025年度考核报送数.
    pub note: Option<String>,
}

/// Reopen a closed year, saying why.
#[derive(InputObject)]
pub struct ReopenReportingPeriodInput {
    /// The closed year.
    pub year: i32,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// Why it is reopened (kept on the period and in the audit trail); required.
    pub reason: String,
}

#[derive(Default)]
pub struct PeriodMutation;

#[Object]
impl PeriodMutation {
    /// 年度关账: closes a reporting year (ADMIN only): every target's figure on
    /// December 31 and the year's 火炬统计 are stored as the records stand
    /// now. From then on `goalProgress(asOf: "<year>-12-31")` gives each
    /// figure as reported beside its current value; the difference is a
    /// restatement, with the records that cause it. Closing a closed year is
    /// a CONFLICT; a reopened year is closed again with fresh figures.
    async fn close_reporting_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which year.")] input: CloseReportingPeriodInput,
    ) -> ApiResult<ReportingPeriod> {
        let note = optional_text("note", input.note.as_deref())?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::period::close(db, actor, input.year, note).await?;
        Ok(ReportingPeriod::try_from(row)?)
    }

    /// Reopens a closed year (ADMIN only), with a reason; audited. Its
    /// reported figures are kept until it is closed again.
    async fn reopen_reporting_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which year, and why.")] input: ReopenReportingPeriodInput,
    ) -> ApiResult<ReportingPeriod> {
        let reason = required_text("reason", &input.reason)?;
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::period::reopen(db, actor, input.year, input.version, reason).await?;
        Ok(ReportingPeriod::try_from(row)?)
    }
}

impl ReportingPeriod {
    /// Whether 火炬统计 CSV `now` differs from the one reported.
    pub fn torch_restated(&self, now: &str) -> bool {
        now != self.row.torch_csv
    }

    /// How the 火炬统计 rows `now` differ from those reported, cell by cell;
    /// `None` for a period closed before cells were kept.
    pub fn torch_restatement(&self, now: &[TorchRow]) -> Option<TorchRestatement> {
        let reported = self.reported_torch.as_deref()?;
        Some(TorchRestatement {
            changed: torch_restated(reported, now),
            closed_at: self.row.closed_at,
        })
    }

    /// Whether the period's reported figures stand.
    pub fn is_closed(&self) -> bool {
        self.status == PeriodStatus::Closed
    }
}

/// The period of `year` if it is closed.
pub async fn closed_year(ctx: &Context<'_>, year: i32) -> ApiResult<Option<ReportingPeriod>> {
    Ok(store::period::by_year(super::db(ctx)?, year)
        .await?
        .map(ReportingPeriod::try_from)
        .transpose()?
        .filter(ReportingPeriod::is_closed))
}

/// The closed period whose figures were taken on `as_of`, for goal progress.
pub async fn closed_on(ctx: &Context<'_>, as_of: NaiveDate) -> ApiResult<Option<ReportingPeriod>> {
    Ok(store::period::closed_on(super::db(ctx)?, as_of)
        .await?
        .map(ReportingPeriod::try_from)
        .transpose()?)
}
