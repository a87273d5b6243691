//! Reporting periods (报告期): closing a year, and restatements of its figures.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::reporting_period;

use super::audit::AuditEvent;
use super::carrier::Carrier;
use super::cost::{FIXED_SMALL_LIST, TORCH_ROWS, list_complexity};
use super::error::ApiResult;
use super::goals::{TargetCode, figure};
use super::loaders;
use super::node::{NodeType, global_id};
use super::scalars::Date;
use crate::domain::access::audit_scope;
use crate::domain::goals::TargetCode as DomainCode;
use crate::domain::period::{CarrierFigure, PeriodStatus, ReportedTarget, Restated, restated};
use crate::domain::text::{optional_text, required_text};
use crate::error::{AppError, stored};
use crate::store;

/// 报告期: a year closed by the bureau, with the figures reported for it.
#[derive(Debug, Clone)]
pub struct ReportingPeriod {
    row: reporting_period::Model,
    status: PeriodStatus,
    reported: Vec<ReportedTarget>,
}

impl TryFrom<reporting_period::Model> for ReportingPeriod {
    type Error = AppError;

    fn try_from(row: reporting_period::Model) -> Result<Self, AppError> {
        let reported = serde_json::from_str(&row.figures).map_err(|err| {
            tracing::error!(%err, year = row.year, "stored reported figures do not read");
            AppError::Internal
        })?;
        Ok(Self {
            status: stored("reporting_period.status", &row.status)?,
            reported,
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
    async fn closed_at(&self) -> DateTime<Utc> {
        self.row.closed_at
    }

    /// The token that last reopened the period.
    async fn reopened_by(&self) -> Option<&str> {
        self.row.reopened_by.as_deref()
    }

    /// When the period was last reopened.
    async fn reopened_at(&self) -> Option<DateTime<Utc>> {
        self.row.reopened_at
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
    closed_at: DateTime<Utc>,
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
        let scope = audit_scope(super::actor(ctx)?).map_err(AppError::from)?;
        if self.changed.is_empty() {
            return Ok(Vec::new());
        }
        let carriers: Vec<i32> = self.changed.iter().filter_map(|c| c.carrier_id).collect();
        let enterprises = self.changed.iter().any(|c| c.carrier_id.is_none());
        let limit = usize::try_from(first.unwrap_or(20))
            .unwrap_or(0)
            .clamp(1, MAX_CAUSES);
        let events = store::period::changes_since(
            super::db(ctx)?,
            self.closed_at,
            &carriers,
            enterprises,
            scope,
            limit,
        )
        .await?;
        Ok(events
            .into_iter()
            .map(AuditEvent::try_from)
            .collect::<Result<_, _>>()?)
    }
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
