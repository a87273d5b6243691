//! 火炬统计: the national annual statistics survey of incubators and
//! makerspaces, as rows of figures and as the CSV the CLI writes.

use async_graphql::{Context, ID, Object};

use super::carrier::Carrier;
use super::cost::{TORCH_ROWS, list_complexity};
use super::enums::{CarrierKind, Level};
use super::error::ApiResult;
use super::loaders::{self, required};
use super::node::{NodeType, global_id};
use super::period::{ReportingPeriod, TorchRestatement};
use super::scalars::Date;
use crate::domain::torch;
use crate::store;

#[derive(Default)]
pub struct TorchQuery;

#[Object]
impl TorchQuery {
    /// 火炬统计: the indicators of the national annual statistics survey of
    /// incubators and makerspaces (科技企业孵化器、众创空间火炬统计调查) that
    /// zaiti holds, for every incubator and makerspace, for survey year
    /// `year`. Stock figures are taken on December 31 of the year (today
    /// while the year runs); graduates in the year count graduations from
    /// January 1 to that date. Readable by every role: the figures are not
    /// confidential.
    async fn torch_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey year, from 2000 to the current year.")] year: i32,
    ) -> ApiResult<TorchStatistics> {
        Ok(TorchStatistics(
            store::torch::statistics(super::db(ctx)?, year).await?,
        ))
    }
}

/// 火炬统计: one survey year's figures, per incubator and makerspace.
pub struct TorchStatistics(store::torch::TorchStatistics);

/// 火炬统计: one survey year's figures, per incubator and makerspace.
#[Object]
impl TorchStatistics {
    /// The survey year.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// The date the stock figures are taken on: December 31 of the year, or today while the year runs.
    async fn as_of(&self) -> Date {
        self.0.as_of.into()
    }

    /// One row per incubator and makerspace, by carrier id (creation order).
    #[graphql(complexity = "list_complexity(TORCH_ROWS, child_complexity)")]
    async fn rows(&self) -> Vec<TorchRow> {
        self.0.rows.iter().cloned().map(TorchRow).collect()
    }

    /// The same figures as CSV, byte for byte what `zaiti export torch --year Y`
    /// writes: UTF-8 opening with a byte order mark (U+FEFF, so Excel on
    /// Chinese Windows reads it as UTF-8), a header row of the survey's Chinese
    /// indicator names with units, then one line per row, CRLF-terminated.
    /// Money is in 千元 (thousands of yuan, to 0.01) as the form asks, areas are rounded to 0.01 m², kinds and
    /// levels are in Chinese; a name starting with `=`, `+`, `-` or `@` gets a
    /// leading apostrophe so a spreadsheet shows it rather than running it as a formula.
    async fn csv(&self) -> String {
        torch::render_csv(&self.0.rows)
    }

    /// 众创空间表: the makerspace form as CSV (same encoding as `csv`): the
    /// makerspaces only, with 提供工位数 and without leased area and graduations.
    async fn makerspace_csv(&self) -> String {
        torch::render_form(
            &self.0.rows,
            crate::domain::carrier::CarrierKind::Makerspace,
        )
    }

    /// The survey's CSV (`csv`) with the tenants' figures summed from their
    /// annual reports after its columns (在孵企业总收入, 研发投入, 从业人员,
    /// 知识产权, 获得投融资, 填报率), byte for byte what `zaiti export torch
    /// --year Y --tenants` writes. The sums derive from confidential figures:
    /// ADMIN only, null for every other role.
    async fn tenant_csv(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(may_read_tenant_figures(ctx)?.then(|| torch::render_csv_with_tenants(&self.0.rows)))
    }

    /// 科技企业孵化器表: the incubator form as CSV (same encoding as `csv`):
    /// the incubators only, with leased area and graduations.
    async fn incubator_csv(&self) -> String {
        torch::render_form(&self.0.rows, crate::domain::carrier::CarrierKind::Incubator)
    }

    /// 报告期: the closed year these statistics were reported for; null while
    /// the year is open. Its `torchCsv` is what was reported.
    async fn reporting_period(&self, ctx: &Context<'_>) -> ApiResult<Option<ReportingPeriod>> {
        super::period::closed_year(ctx, self.0.year).await
    }

    /// 更正调整: for a closed year, whether the statistics as the records
    /// stand now (`csv`) differ from those reported; null while the year is open.
    async fn restated(&self, ctx: &Context<'_>) -> ApiResult<Option<bool>> {
        let period = super::period::closed_year(ctx, self.0.year).await?;
        Ok(period.map(|period| period.torch_restated(&torch::render_csv(&self.0.rows))))
    }

    /// 更正调整: for a closed year, each carrier whose row differs now from
    /// the row reported, indicator by indicator (reported, current,
    /// difference), with the recorded changes that explain it. Null while
    /// the year is open, and for a year closed before rows were kept cell by
    /// cell (close it again to keep them).
    async fn restatement(&self, ctx: &Context<'_>) -> ApiResult<Option<TorchRestatement>> {
        let period = super::period::closed_year(ctx, self.0.year).await?;
        Ok(period.and_then(|period| period.torch_restatement(&self.0.rows)))
    }
}

/// Whether the caller reads the tenants' summed annual figures: ADMIN only,
/// as a carrier's sums can reveal one enterprise's confidential figures.
fn may_read_tenant_figures(ctx: &Context<'_>) -> ApiResult<bool> {
    Ok(super::actor(ctx)?.role == crate::domain::access::Role::Admin)
}

/// 在孵企业经济指标: one carrier's tenants' annual reports (企业年报) of the
/// survey year, summed over the enterprises incubating on the as-of date.
pub struct TorchTenantFigures(crate::domain::annual_report::TenantTotals);

/// 在孵企业经济指标: one carrier's tenants' annual reports of the survey year, summed.
#[Object]
impl TorchTenantFigures {
    /// 在孵企业总收入: their revenue of the year, CNY (exact decimal string; 千元 in the CSV).
    async fn revenue(&self) -> String {
        self.0.revenue.to_string()
    }

    /// 在孵企业研发投入: their R&D spending of the year, CNY.
    async fn rd_spend(&self) -> String {
        self.0.rd_spend.to_string()
    }

    /// 在孵企业从业人员: their staff at the year's end.
    async fn staff(&self) -> i64 {
        self.0.staff
    }

    /// 当年知识产权授权数: intellectual property granted to them in the year.
    async fn new_patents(&self) -> i64 {
        self.0.new_patents
    }

    /// Of which invention patents (发明专利).
    async fn new_invention_patents(&self) -> i64 {
        self.0.new_invention_patents
    }

    /// 获得投融资: how many of them closed a financing round in the year.
    async fn financed_enterprises(&self) -> i64 {
        self.0.financed_enterprises
    }

    /// Their financing of the year, CNY.
    async fn financing(&self) -> String {
        self.0.financing.to_string()
    }

    /// Enterprises incubating on the as-of date, whose reports are summed.
    async fn tenants(&self) -> i64 {
        self.0.completeness.tenants
    }

    /// Of those, how many reported the year (a tenant that did not adds nothing).
    async fn reported(&self) -> i64 {
        self.0.completeness.reported
    }

    /// 填报率: `reported` of `tenants`, percent to 0.1.
    async fn reporting_percent(&self) -> f64 {
        self.0.completeness.percent()
    }
}

/// One carrier's figures in the 火炬统计 survey.
pub struct TorchRow(torch::TorchRow);

/// One carrier's figures in the 火炬统计 survey.
#[Object]
impl TorchRow {
    /// The global ID of the carrier.
    async fn carrier_id(&self) -> ID {
        global_id(NodeType::Carrier, self.0.carrier_id)
    }

    /// The carrier itself.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.0.carrier_id).await?;
        required(carrier, "carrier", self.0.carrier_id)
    }

    /// 载体名称: the carrier's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// 载体类型: MAKERSPACE (众创空间) or INCUBATOR (科技企业孵化器).
    async fn kind(&self) -> CarrierKind {
        self.0.kind.into()
    }

    /// 所在区: the Chinese name of the district the carrier is in.
    async fn district_name(&self) -> &str {
        &self.0.district
    }

    /// 行政区划代码: the GB/T 2260 code of the carrier's district (as
    /// `District.adminCode`); null for the development zone.
    async fn admin_code(&self) -> Option<&str> {
        self.0.admin_code.as_deref()
    }

    /// 运营主体: the registered name of the carrier's operator.
    async fn operator_name(&self) -> &str {
        &self.0.operator
    }

    /// 级别: the level held on the as-of date.
    async fn level(&self) -> Level {
        self.0.level.into()
    }

    /// 在孵企业经济指标: the tenants' annual reports of the year, summed
    /// (ADMIN only: null for every other role, as the sums derive from
    /// confidential figures).
    async fn tenant_figures(&self, ctx: &Context<'_>) -> ApiResult<Option<TorchTenantFigures>> {
        Ok(may_read_tenant_figures(ctx)?
            .then_some(self.0.tenants)
            .flatten()
            .map(TorchTenantFigures))
    }

    /// 场地总面积: floor area of the space phases delivered by the as-of date, m², to 0.01.
    async fn floor_area_m2(&self) -> f64 {
        self.0.floor_area_m2
    }

    /// 在孵企业使用面积: floor area under leases in force on the as-of date, m², to 0.01.
    async fn tenant_area_m2(&self) -> f64 {
        self.0.tenant_area_m2
    }

    /// 公共服务场地面积: public-service floor area of the supporting facilities open on the as-of date, m², to 0.01.
    async fn public_service_area_m2(&self) -> f64 {
        self.0.public_service_m2
    }

    /// 在孵企业数: distinct enterprises with a lease in force on the as-of date that have not graduated.
    async fn incubating_enterprises(&self) -> i64 {
        self.0.incubating
    }

    /// 当年毕业企业数: distinct enterprises that graduated here from January 1 of the year to the as-of date.
    async fn graduates_in_year(&self) -> i64 {
        self.0.graduates_in_year
    }

    /// 累计毕业企业数: distinct enterprises that graduated here on or before the as-of date.
    async fn graduates_total(&self) -> i64 {
        self.0.graduates_total
    }

    /// 专业孵化服务人员: professional staff of the operating teams in force on the as-of date.
    async fn staff(&self) -> u32 {
        self.0.staff
    }

    /// 创业导师: mentors of the operating teams in force on the as-of date.
    async fn mentors(&self) -> u32 {
        self.0.mentors
    }

    /// 孵化基金规模: the carrier's part, in CNY, of the investment funds serving it on the as-of date, an exact decimal string (e.g. "50000000.00"). A fund serving several carriers is split evenly among all of them (the fen that do not divide go one each to the lowest ids), so a city total counts it once; the CSV gives it in 千元 as the survey form asks.
    async fn fund_size(&self) -> String {
        self.0.fund_size.to_string()
    }

    /// 公共技术服务平台: public technology service platforms hosted by the carrier and open on the as-of date.
    async fn platforms(&self) -> u32 {
        self.0.platforms
    }

    /// 提供工位数: workstations offered (the makerspace form); null when not given.
    async fn workstations(&self) -> Option<i32> {
        self.0.workstations
    }
}
