//! 企业年报: tenants' annual figures (`reportAnnualData`,
//! `Enterprise.annualReports`), each carrier's 填报率 (`annualReporting`) and
//! the plan's counts among tenants (`tenantStatistics`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::annual_report;
use strum::IntoEnumIterator;

use super::cost::{TORCH_ROWS, list_complexity};
use super::enums::QualificationKind;
use super::error::ApiResult;
use super::node::{NodeType, expect, expect_all, global_id};
use super::scalars::{Date, DateTime};
use crate::domain::annual_report::{AnnualFigures, Completeness};
use crate::domain::enterprise::QualificationKind as Kind;
use crate::domain::money::Fen;
use crate::store;
use crate::store::annual_report::Report;

/// 企业年报: an enterprise's figures for one calendar year, as reported to
/// its carrier for the 火炬统计 survey. Confidential: only ADMIN and the
/// enterprise's custodian read them (`Enterprise.annualReports` is empty for
/// everyone else). Money in CNY as exact decimal strings.
pub struct AnnualReport {
    row: annual_report::Model,
    revenue: Fen,
}

impl AnnualReport {
    pub fn new(row: annual_report::Model, revenue: Fen) -> Self {
        Self { row, revenue }
    }
}

/// 企业年报: an enterprise's figures for one calendar year.
#[Object]
impl AnnualReport {
    /// The calendar year reported.
    async fn year(&self) -> i32 {
        self.row.year
    }

    /// 营业收入: revenue of the year, CNY (e.g. `1234567.89`); also in the enterprise's `revenue`.
    async fn revenue(&self) -> String {
        self.revenue.to_string()
    }

    /// 研发投入: R&D spending of the year, CNY.
    async fn rd_spend(&self) -> String {
        Fen(self.row.rd_spend_fen).to_string()
    }

    /// 上缴税费: taxes paid in the year, CNY.
    async fn tax(&self) -> String {
        Fen(self.row.tax_fen).to_string()
    }

    /// 从业人员: staff at the year's end.
    async fn staff(&self) -> i32 {
        self.row.staff
    }

    /// 研发人员: R&D staff, of `staff`.
    async fn rd_staff(&self) -> i32 {
        self.row.rd_staff
    }

    /// 吸纳应届大学毕业生: graduates of the year hired, of `staff`.
    async fn new_graduates(&self) -> i32 {
        self.row.new_graduates
    }

    /// 当年知识产权授权数: intellectual property granted in the year (patents, software copyrights, …).
    async fn new_patents(&self) -> i32 {
        self.row.new_patents
    }

    /// 发明专利授权数: invention patents granted in the year, of `newPatents`.
    async fn new_invention_patents(&self) -> i32 {
        self.row.new_invention_patents
    }

    /// 获得投融资: financing rounds closed in the year.
    async fn financing_rounds(&self) -> i32 {
        self.row.financing_rounds
    }

    /// The money those rounds raised, CNY.
    async fn financing(&self) -> String {
        Fen(self.row.financing_fen).to_string()
    }

    /// 填报日期: when the enterprise reported.
    async fn reported_on(&self) -> Date {
        self.row.reported_on.into()
    }

    /// Optimistic-concurrency version: send it to replace the report.
    async fn version(&self) -> i32 {
        self.row.version
    }

    /// When the report was last written.
    async fn updated_at(&self) -> DateTime {
        self.row.updated_at.into()
    }
}

/// A tenant enterprise's report of one year: first written, or replacing
/// the one read at `version`.
#[derive(InputObject)]
pub struct ReportAnnualDataInput {
    /// The enterprise, by global ID.
    pub enterprise_id: ID,
    /// The calendar year reported: over, and not before the enterprise was founded.
    pub year: i32,
    /// 营业收入, CNY as a decimal string (at most two decimals).
    pub revenue: String,
    /// 研发投入, CNY.
    pub rd_spend: String,
    /// 上缴税费, CNY.
    pub tax: String,
    /// 从业人员 at the year's end.
    pub staff: i32,
    /// 研发人员, at most `staff`.
    pub rd_staff: i32,
    /// 吸纳应届大学毕业生, at most `staff`.
    pub new_graduates: i32,
    /// 当年知识产权授权数.
    pub new_patents: i32,
    /// 发明专利授权数, at most `newPatents`.
    pub new_invention_patents: i32,
    /// 获得投融资: rounds closed in the year (0 when none).
    pub financing_rounds: i32,
    /// The money those rounds raised, CNY ("0" when none).
    pub financing: String,
    /// 填报日期 (default today).
    pub reported_on: Option<Date>,
    /// The version of the report being replaced; omit for a first report.
    pub version: Option<i32>,
}

impl ReportAnnualDataInput {
    fn into_report(self) -> ApiResult<Report> {
        Ok(Report {
            enterprise_id: expect("enterpriseId", &self.enterprise_id, NodeType::Enterprise)?,
            year: self.year,
            figures: AnnualFigures {
                revenue: Fen::parse("revenue", &self.revenue)?,
                rd_spend: Fen::parse("rdSpend", &self.rd_spend)?,
                tax: Fen::parse("tax", &self.tax)?,
                staff: self.staff,
                rd_staff: self.rd_staff,
                new_graduates: self.new_graduates,
                new_patents: self.new_patents,
                new_invention_patents: self.new_invention_patents,
                financing_rounds: self.financing_rounds,
                financing: Fen::parse("financing", &self.financing)?,
            },
            reported_on: self.reported_on.map_or_else(store::today, |d| d.0),
            version: self.version,
        })
    }
}

#[derive(Default)]
pub struct AnnualReportMutation;

#[Object]
impl AnnualReportMutation {
    /// 企业年报填报: records a tenant enterprise's figures for a year, or
    /// replaces them (send the `version` read). Written by ADMIN or the
    /// operator that keeps the enterprise's confidential figures (its
    /// custodian), like revenue; the revenue goes to the enterprise's
    /// `revenue` too. One transaction, audited (the figures masked in the audit trail for
    /// everyone but ADMIN and the custodian).
    async fn report_annual_data(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: ReportAnnualDataInput,
    ) -> ApiResult<AnnualReport> {
        let report = input.into_report()?;
        let revenue = report.figures.revenue;
        let row = store::annual_report::report(super::db(ctx)?, super::actor(ctx)?, report).await?;
        Ok(AnnualReport::new(row, revenue))
    }
}

/// 填报率: of a carrier's tenants in a year, how many reported.
#[derive(SimpleObject, Debug, Clone)]
pub struct AnnualReporting {
    /// The carrier, by global ID.
    pub carrier_id: ID,
    /// The year reported.
    pub year: i32,
    /// 在孵企业: enterprises incubating in the carrier on December 31 of the
    /// year (today while it runs): in force and not graduated.
    pub tenants: i64,
    /// Of those, how many have a report of the year.
    pub reported: i64,
    /// `reported` as a share of `tenants`, percent to 0.1 (100 when there are no tenants).
    pub percent: f64,
}

/// Tenants holding one qualification on a date.
#[derive(SimpleObject, Debug, Clone)]
pub struct QualifiedTenants {
    /// The qualification.
    pub kind: QualificationKind,
    /// Its name as Chinese documents write it, e.g. 高新技术企业.
    pub name_zh: &'static str,
    /// Tenant enterprises (a tenancy in force on the date) holding it then.
    pub tenants: i64,
}

/// 在孵企业统计: the action plan's counts among tenant enterprises on a date.
#[derive(SimpleObject, Debug, Clone)]
pub struct TenantStatistics {
    /// The date counted on.
    pub as_of: Date,
    /// Distinct enterprises with a tenancy in force on the date.
    pub tenants: i64,
    /// Tenants holding each qualification on the date (科技型中小企业, 高新技术企业,
    /// 专精特新, 小巨人, …), every kind listed, in the enum's order.
    pub qualifications: Vec<QualifiedTenants>,
    /// 新落地科技企业: enterprises whose landing date (落地) falls in the
    /// year of `asOf`, up to it, and that had moved into a carrier by then.
    pub landed_in_year: i64,
    /// The plan's yearly figure for `landedInYear` (每年新落地科技企业1万家以上), from the targets' configuration.
    pub landed_yearly_target: i64,
    /// 填报率 over all carriers for the year before `asOf` (the last year that
    /// can be reported): tenants incubating at its end, and how many reported.
    pub reporting: AnnualReportingTotal,
}

/// 填报率 over all carriers for one year.
#[derive(SimpleObject, Debug, Clone)]
pub struct AnnualReportingTotal {
    /// The year reported.
    pub year: i32,
    /// Enterprises incubating on December 31 of the year, counted once per carrier.
    pub tenants: i64,
    /// Of those, how many have a report of the year.
    pub reported: i64,
    /// `reported` as a share of `tenants`, percent to 0.1.
    pub percent: f64,
}

#[derive(Default)]
pub struct AnnualReportQuery;

#[Object]
impl AnnualReportQuery {
    /// 填报率: for each carrier (those named, or every carrier with tenants),
    /// how many of its tenants incubating at the end of `year` reported their
    /// figures of that year. Counts only: readable by every role. One SQL statement.
    #[graphql(complexity = "list_complexity(TORCH_ROWS, child_complexity)")]
    async fn annual_reporting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year reported.")] year: i32,
        #[graphql(
            desc = "Only these carriers, by global ID (default: every carrier with tenants)."
        )]
        carrier_ids: Option<Vec<ID>>,
    ) -> ApiResult<Vec<AnnualReporting>> {
        store::annual_report::check_survey_year(year)?;
        let ids = carrier_ids
            .map(|ids| expect_all("carrierIds", &ids, NodeType::Carrier))
            .transpose()?;
        let as_of = store::annual_report::counted_on(year, store::today());
        let totals =
            store::annual_report::tenant_totals(super::db(ctx)?, ids.as_deref(), year, as_of)
                .await?;
        let mut carriers: Vec<i32> = match ids {
            Some(ids) => ids,
            None => totals.keys().copied().collect(),
        };
        carriers.sort_unstable();
        carriers.dedup();
        Ok(carriers
            .into_iter()
            .map(|id| {
                let c = totals.get(&id).map(|t| t.completeness).unwrap_or_default();
                AnnualReporting {
                    carrier_id: global_id(NodeType::Carrier, id),
                    year,
                    tenants: c.tenants,
                    reported: c.reported,
                    percent: c.percent(),
                }
            })
            .collect())
    }

    /// 在孵企业统计: the action plan's counts among tenant enterprises on a
    /// date: tenants, tenants holding each qualification, new technology
    /// enterprises landed in carriers this year against the yearly 10,000,
    /// and last year's 填报率. Counts only: readable by every role. Five SQL statements.
    async fn tenant_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date (default today).")] as_of: Option<Date>,
    ) -> ApiResult<TenantStatistics> {
        let db = super::db(ctx)?;
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let counts = store::annual_report::tenant_counts(db, as_of).await?;
        let year = chrono::Datelike::year(&as_of) - 1;
        let year_end = store::annual_report::counted_on(year, as_of);
        let completeness = store::annual_report::tenant_totals(db, None, year, year_end)
            .await?
            .values()
            .fold(Completeness::default(), |sum, t| Completeness {
                tenants: sum.tenants + t.completeness.tenants,
                reported: sum.reported + t.completeness.reported,
            });
        let targets = store::goals::targets(db).await?;
        Ok(TenantStatistics {
            as_of: as_of.into(),
            tenants: counts.tenants,
            qualifications: Kind::iter()
                .map(|kind| QualifiedTenants {
                    kind: kind.into(),
                    name_zh: kind.name_zh(),
                    tenants: counts
                        .qualified
                        .iter()
                        .find(|(stored, _)| stored == kind.as_ref())
                        .map_or(0, |(_, n)| *n),
                })
                .collect(),
            landed_in_year: counts.landed_in_year,
            landed_yearly_target: i64::from(targets.value.tech_firms_landed_per_year),
            reporting: AnnualReportingTotal {
                year,
                tenants: completeness.tenants,
                reported: completeness.reported,
                percent: completeness.percent(),
            },
        })
    }
}
