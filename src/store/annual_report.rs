//! 企业年报: writing an enterprise's report of a year, and the sums over a
//! carrier's tenants (填报率 and the 火炬统计 columns), in SQL.
//!
//! A report is a change to the enterprise's confidential figures, so it is
//! written by the enterprise's custodian or ADMIN, under the enterprise's row
//! lock, and audited as an `AnnualReport` event whose figures the audit
//! trail masks for everyone else, as it masks revenue.
//! Revenue goes to `enterprise_revenue`, where the graduation rules read it.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{annual_report, enterprise_revenue, tenancy};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;

use super::audit::{self, Change, Operation};
use super::occupancy::{counted, in_force};
use crate::domain::access::Actor;
use crate::domain::annual_report::{AnnualFigures, Completeness, TenantTotals, check_year};
use crate::domain::money::Fen;
use crate::error::{AppError, AppResult};

/// A report of enterprise `enterprise_id` for `year`.
#[derive(Debug, Clone)]
pub struct Report {
    pub enterprise_id: i32,
    pub year: i32,
    pub figures: AnnualFigures,
    /// 填报日期.
    pub reported_on: NaiveDate,
    /// The version of the report being replaced, as the caller read it;
    /// `None` for a first report (a report already there is then CONFLICT).
    pub version: Option<i32>,
}

/// Writes `report` as `actor` in one transaction: a first report, or the
/// replacement of one read at `version`.
#[tracing::instrument(skip_all, fields(enterprise = report.enterprise_id, year = report.year))]
pub async fn report(
    db: &DatabaseConnection,
    actor: &Actor,
    report: Report,
) -> AppResult<annual_report::Model> {
    let txn = super::begin_write(db).await?;
    let model = report_in(&txn, actor, &report).await?;
    txn.commit().await?;
    Ok(model)
}

/// [`report`] inside the caller's transaction (imports write many).
pub async fn report_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    report: &Report,
) -> AppResult<annual_report::Model> {
    // The enterprise's row lock orders simultaneous reports of one enterprise.
    let enterprise = super::enterprise::keepable(txn, actor, report.enterprise_id).await?;
    let stored = annual_report::Entity::find()
        .filter(annual_report::Column::EnterpriseId.eq(report.enterprise_id))
        .filter(annual_report::Column::Year.eq(report.year))
        .one(txn)
        .await?;
    match (&stored, report.version) {
        (Some(stored), expected) => super::check_version::<annual_report::Entity>(
            stored.id,
            stored.version,
            expected.unwrap_or(0),
        )?,
        (None, Some(_)) => {
            return Err(AppError::conflict(
                format!(
                    "there is no report of {} to replace: it was removed or never written; report it anew without a version",
                    report.year
                ),
                format!("没有可替换的{}年年报，请不带版本号重新填报", report.year),
            ));
        }
        (None, None) => {}
    }
    check_year(report.year, enterprise.founded_on, super::today())?;
    report.figures.check()?;
    let figures = &report.figures;
    let now = Utc::now();
    let mut row = annual_report::ActiveModel {
        enterprise_id: Set(report.enterprise_id),
        year: Set(report.year),
        rd_spend_fen: Set(figures.rd_spend.0),
        tax_fen: Set(figures.tax.0),
        staff: Set(figures.staff),
        rd_staff: Set(figures.rd_staff),
        new_graduates: Set(figures.new_graduates),
        new_patents: Set(figures.new_patents),
        new_invention_patents: Set(figures.new_invention_patents),
        financing_rounds: Set(figures.financing_rounds),
        financing_fen: Set(figures.financing.0),
        reported_on: Set(report.reported_on),
        updated_at: Set(now),
        ..Default::default()
    };
    let before_revenue = revenue_of(txn, report.enterprise_id, report.year).await?;
    let model = match &stored {
        Some(stored) => {
            super::versioned_update::<annual_report::Entity, _>(
                txn,
                row,
                stored.id,
                stored.version,
                stored.version,
            )
            .await?
        }
        None => {
            row.version = Set(1);
            row.created_at = Set(now);
            annual_report::Entity::insert(row)
                .exec_with_returning(txn)
                .await?
        }
    };
    super::enterprise::store_revenue(txn, report.enterprise_id, &[(report.year, figures.revenue)])
        .await?;
    // The report as the audit trail keeps it: its row and the revenue.
    let snapshot = |row: &annual_report::Model, revenue: Option<i64>| {
        let mut value = audit::snapshot(row)?;
        if let Some(fields) = value.as_object_mut() {
            fields.insert("revenue_fen".into(), json!(revenue));
        }
        Ok::<_, AppError>(value)
    };
    let change = Change {
        entity_type: "AnnualReport",
        entity_id: model.id,
        operator_id: enterprise.custodian_operator_id,
        former_operator_id: None,
        before: stored
            .as_ref()
            .map(|row| snapshot(row, before_revenue))
            .transpose()?,
        after: Some(snapshot(&model, Some(figures.revenue.0))?),
    };
    let operation = if stored.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };
    audit::record(txn, actor, operation, change).await?;
    Ok(model)
}

async fn revenue_of<C: ConnectionTrait>(
    txn: &C,
    enterprise_id: i32,
    year: i32,
) -> AppResult<Option<i64>> {
    Ok(
        enterprise_revenue::Entity::find_by_id((enterprise_id, year))
            .one(txn)
            .await?
            .map(|row| row.revenue_fen),
    )
}

/// The reports of these enterprises, every year. One SQL statement.
pub async fn of_enterprises(
    db: &DatabaseConnection,
    enterprise_ids: impl IntoIterator<Item = i32>,
) -> AppResult<Vec<annual_report::Model>> {
    Ok(super::rows_where_in::<annual_report::Entity>(
        db,
        annual_report::Column::EnterpriseId,
        enterprise_ids,
    )
    .await?)
}

/// Tenancies that count for a carrier's year: in force and not graduated
/// on `as_of` (在孵企业, as the survey counts them).
fn incubating_on(as_of: NaiveDate) -> SimpleExpr {
    counted().and(in_force(as_of)).and(
        Expr::col((tenancy::Entity, tenancy::Column::GraduatedOn))
            .is_null()
            .or(Expr::col((tenancy::Entity, tenancy::Column::GraduatedOn)).gt(as_of)),
    )
}

/// The sums of `year`'s reports over the enterprises incubating in each of
/// these carriers (every carrier for `None`) on `as_of`, with how many of them reported. One SQL
/// statement; carriers without such tenants are absent.
pub async fn tenant_totals(
    db: &DatabaseConnection,
    carrier_ids: Option<&[i32]>,
    year: i32,
    as_of: NaiveDate,
) -> AppResult<HashMap<i32, TenantTotals>> {
    if carrier_ids.is_some_and(<[i32]>::is_empty) {
        return Ok(HashMap::new());
    }
    let tenants = Alias::new("tenants_counted");
    let report = Alias::new("report");
    let revenue = Alias::new("revenue");
    let mut incubating = Query::select();
    incubating
        .distinct()
        .column((tenancy::Entity, tenancy::Column::CarrierId))
        .column((tenancy::Entity, tenancy::Column::EnterpriseId))
        .from(tenancy::Entity)
        .and_where(incubating_on(as_of));
    if let Some(ids) = carrier_ids {
        incubating.and_where(
            Expr::col((tenancy::Entity, tenancy::Column::CarrierId)).is_in(ids.iter().copied()),
        );
    }
    let sum = |table: &Alias, column: &str, name: &str| {
        (
            Func::coalesce([
                Func::sum(Expr::col((table.clone(), Alias::new(column)))).into(),
                Expr::val(0i64),
            ])
            .cast_as(Alias::new("BIGINT")),
            Alias::new(name),
        )
    };
    let enterprise = || Expr::col((tenants.clone(), Alias::new("enterprise_id")));
    let mut query = Query::select();
    query
        .expr_as(
            Expr::col((tenants.clone(), Alias::new("carrier_id"))),
            Alias::new("carrier_id"),
        )
        .expr_as(Func::count(enterprise()), Alias::new("tenants"))
        .expr_as(
            Func::count(Expr::col((report.clone(), Alias::new("id")))),
            Alias::new("reported"),
        )
        .expr_as(
            Func::count(
                Expr::case(
                    Expr::col((report.clone(), Alias::new("financing_rounds"))).gt(0),
                    enterprise(),
                )
                .finally(Expr::null()),
            ),
            Alias::new("financed"),
        );
    for (table, column, name) in [
        (&revenue, "revenue_fen", "revenue_fen"),
        (&report, "rd_spend_fen", "rd_spend_fen"),
        (&report, "staff", "staff"),
        (&report, "new_patents", "new_patents"),
        (&report, "new_invention_patents", "new_invention_patents"),
        (&report, "financing_fen", "financing_fen"),
    ] {
        let (expr, alias) = sum(table, column, name);
        query.expr_as(expr, alias);
    }
    query
        .from_subquery(incubating, tenants.clone())
        .join_as(
            JoinType::LeftJoin,
            annual_report::Entity,
            report.clone(),
            Expr::col((report.clone(), Alias::new("enterprise_id")))
                .equals((tenants.clone(), Alias::new("enterprise_id")))
                .and(Expr::col((report.clone(), Alias::new("year"))).eq(year)),
        )
        .join_as(
            JoinType::LeftJoin,
            enterprise_revenue::Entity,
            revenue.clone(),
            Expr::col((revenue.clone(), Alias::new("enterprise_id")))
                .equals((tenants.clone(), Alias::new("enterprise_id")))
                .and(Expr::col((revenue.clone(), Alias::new("year"))).eq(year)),
        )
        .add_group_by([Expr::col((tenants.clone(), Alias::new("carrier_id")))]);
    let mut totals = HashMap::new();
    for row in db.query_all(&query).await? {
        let carrier_id: i32 = row.try_get("", "carrier_id")?;
        totals.insert(
            carrier_id,
            TenantTotals {
                revenue: Fen(row.try_get("", "revenue_fen")?),
                rd_spend: Fen(row.try_get("", "rd_spend_fen")?),
                staff: row.try_get("", "staff")?,
                new_patents: row.try_get("", "new_patents")?,
                new_invention_patents: row.try_get("", "new_invention_patents")?,
                financed_enterprises: row.try_get("", "financed")?,
                financing: Fen(row.try_get("", "financing_fen")?),
                completeness: Completeness {
                    tenants: row.try_get("", "tenants")?,
                    reported: row.try_get("", "reported")?,
                },
            },
        );
    }
    Ok(totals)
}

/// The date a year's tenants are counted on: December 31, or `today`
/// while the year runs.
pub fn counted_on(year: i32, today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .filter(|end| *end < today)
        .unwrap_or(today)
}

/// Refuses a report for a year outside what the survey answers.
pub fn check_survey_year(year: i32) -> AppResult<()> {
    crate::domain::torch::as_of(year, super::today())
        .map(|_| ())
        .map_err(AppError::from)
}

/// Tenants of all carriers on a date, as the plan counts them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TenantCounts {
    /// Distinct enterprises with a tenancy in force.
    pub tenants: i64,
    /// Of those, holding each qualification kind on the date (kinds held by none absent).
    pub qualified: Vec<(String, i64)>,
    /// Enterprises whose landing date (落地) falls in the year of the date,
    /// up to it, and that moved into a carrier by then.
    pub landed_in_year: i64,
}

/// [`TenantCounts`] on `as_of`. Three SQL statements.
pub async fn tenant_counts(db: &DatabaseConnection, as_of: NaiveDate) -> AppResult<TenantCounts> {
    use entity::{enterprise, qualification};
    let enterprise_of_tenancy = || Expr::col((tenancy::Entity, tenancy::Column::EnterpriseId));
    let mut tenants = Query::select();
    tenants
        .expr_as(
            Func::count_distinct(enterprise_of_tenancy()),
            Alias::new("n"),
        )
        .from(tenancy::Entity)
        .and_where(counted().and(in_force(as_of)));
    let tenants: i64 = match db.query_one(&tenants).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };

    let kind = || Expr::col((qualification::Entity, qualification::Column::Kind));
    let mut qualified = Query::select();
    qualified
        .expr_as(kind(), Alias::new("kind"))
        .expr_as(
            Func::count_distinct(Expr::col((
                qualification::Entity,
                qualification::Column::EnterpriseId,
            ))),
            Alias::new("n"),
        )
        .from(qualification::Entity)
        .inner_join(
            tenancy::Entity,
            enterprise_of_tenancy()
                .equals((qualification::Entity, qualification::Column::EnterpriseId)),
        )
        .and_where(counted().and(in_force(as_of)))
        .and_where(Expr::col((qualification::Entity, qualification::Column::VoidedAt)).is_null())
        .and_where(Expr::col((qualification::Entity, qualification::Column::ValidFrom)).lte(as_of))
        .and_where(
            Expr::col((qualification::Entity, qualification::Column::ValidUntil))
                .is_null()
                .or(
                    Expr::col((qualification::Entity, qualification::Column::ValidUntil))
                        .gte(as_of),
                ),
        )
        .add_group_by([kind()]);
    let qualified = db
        .query_all(&qualified)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "kind")?, row.try_get("", "n")?)))
        .collect::<AppResult<Vec<(String, i64)>>>()?;

    let year_start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&as_of), 1, 1).unwrap_or(as_of);
    let landed_on = || Expr::col((enterprise::Entity, enterprise::Column::LandedOn));
    let mut moved_in = Query::select();
    moved_in
        .expr(Expr::val(1))
        .from(tenancy::Entity)
        .and_where(enterprise_of_tenancy().equals((enterprise::Entity, enterprise::Column::Id)))
        .and_where(counted())
        .and_where(Expr::col((tenancy::Entity, tenancy::Column::MovedInOn)).lte(as_of));
    let mut landed = Query::select();
    landed
        .expr_as(
            Func::count(Expr::col((enterprise::Entity, enterprise::Column::Id))),
            Alias::new("n"),
        )
        .from(enterprise::Entity)
        .and_where(landed_on().gte(year_start))
        .and_where(landed_on().lte(as_of))
        .and_where(Expr::exists(moved_in));
    let landed_in_year: i64 = match db.query_one(&landed).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(TenantCounts {
        tenants,
        qualified,
        landed_in_year,
    })
}
