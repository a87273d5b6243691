//! Occupancy (出租率) on any date, summed in SQL: per carrier, or per district or kind.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{carrier, space_phase, tenancy};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

use crate::error::AppResult;

/// The tenancy side of occupancy on a date.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TenancyFigures {
    /// Area under leases in force.
    pub leased_m2: f64,
    /// Enterprises with a lease in force.
    pub tenants: i64,
    /// Of those, the ones still incubating (not graduated).
    pub incubating: i64,
    /// Enterprises that graduated here on or before the date.
    pub graduates: i64,
}

/// How to group carriers for occupancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    District,
    Kind,
}

/// One group's figures: its key (a district id or a kind name) and sums.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    pub key: String,
    pub tenancies: TenancyFigures,
    pub leasable_m2: f64,
}

/// Tenancies that count: every one not voided as entered in error.
pub(crate) fn counted() -> SimpleExpr {
    Expr::col((tenancy::Entity, tenancy::Column::VoidedAt)).is_null()
}

pub(crate) fn in_force(as_of: NaiveDate) -> SimpleExpr {
    Expr::col((tenancy::Entity, tenancy::Column::MovedInOn))
        .lte(as_of)
        .and(
            Expr::col((tenancy::Entity, tenancy::Column::MovedOutOn))
                .is_null()
                .or(Expr::col((tenancy::Entity, tenancy::Column::MovedOutOn)).gt(as_of)),
        )
}

fn graduated_by(as_of: NaiveDate) -> SimpleExpr {
    Expr::col((tenancy::Entity, tenancy::Column::GraduatedOn)).lte(as_of)
}

/// The four sums over the tenancies that count (none voided), as SELECT
/// expressions named leased_m2, tenants, incubating, graduates.
fn figure_columns(query: &mut sea_orm::sea_query::SelectStatement, as_of: NaiveDate) {
    let enterprise = || Expr::col((tenancy::Entity, tenancy::Column::EnterpriseId));
    let area = Expr::col((tenancy::Entity, tenancy::Column::AreaM2));
    let incubating = in_force(as_of).and(
        Expr::col((tenancy::Entity, tenancy::Column::GraduatedOn))
            .is_null()
            .or(Expr::col((tenancy::Entity, tenancy::Column::GraduatedOn)).gt(as_of)),
    );
    query
        .and_where(counted())
        .expr_as(
            Func::coalesce([
                Func::sum(Expr::case(in_force(as_of), area).finally(Expr::val(0.0f64))).into(),
                Expr::val(0.0f64),
            ]),
            Alias::new("leased_m2"),
        )
        .expr_as(
            Func::count_distinct(Expr::case(in_force(as_of), enterprise()).finally(Expr::null())),
            Alias::new("tenants"),
        )
        .expr_as(
            Func::count_distinct(Expr::case(incubating, enterprise()).finally(Expr::null())),
            Alias::new("incubating"),
        )
        .expr_as(
            Func::count_distinct(
                Expr::case(graduated_by(as_of), enterprise()).finally(Expr::null()),
            ),
            Alias::new("graduates"),
        );
}

fn read_figures(row: &sea_orm::QueryResult) -> AppResult<TenancyFigures> {
    Ok(TenancyFigures {
        leased_m2: row.try_get("", "leased_m2")?,
        tenants: row.try_get("", "tenants")?,
        incubating: row.try_get("", "incubating")?,
        graduates: row.try_get("", "graduates")?,
    })
}

/// Tenancy figures of these carriers on `as_of`. One SQL statement; carriers
/// that never had a tenant are absent.
pub async fn by_carrier(
    db: &DatabaseConnection,
    carrier_ids: &[i32],
    as_of: NaiveDate,
) -> AppResult<HashMap<i32, TenancyFigures>> {
    let mut query = Query::select();
    query
        .column((tenancy::Entity, tenancy::Column::CarrierId))
        .from(tenancy::Entity)
        .and_where(
            Expr::col((tenancy::Entity, tenancy::Column::CarrierId))
                .is_in(carrier_ids.iter().copied()),
        )
        .group_by_col((tenancy::Entity, tenancy::Column::CarrierId));
    figure_columns(&mut query, as_of);
    let rows = db.query_all(&query).await?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "carrier_id")?, read_figures(row)?)))
        .collect()
}

/// Occupancy of all carriers on `as_of`, summed per district or kind. Two SQL statements.
pub async fn by_group(
    db: &DatabaseConnection,
    as_of: NaiveDate,
    grouping: Grouping,
) -> AppResult<Vec<GroupFigures>> {
    let key = match grouping {
        Grouping::District => carrier::Column::DistrictId,
        Grouping::Kind => carrier::Column::Kind,
    };
    let key_expr = || {
        Expr::col((carrier::Entity, key)).cast_as(Alias::new(text_type(db.get_database_backend())))
    };
    let mut tenancies = Query::select();
    tenancies
        .expr_as(key_expr(), Alias::new("group_key"))
        .from(tenancy::Entity)
        .inner_join(
            carrier::Entity,
            Expr::col((carrier::Entity, carrier::Column::Id))
                .equals((tenancy::Entity, tenancy::Column::CarrierId)),
        )
        .add_group_by([key_expr()]);
    figure_columns(&mut tenancies, as_of);
    let mut leasable = Query::select();
    leasable
        .expr_as(key_expr(), Alias::new("group_key"))
        .expr_as(
            Func::sum(Expr::col((
                space_phase::Entity,
                space_phase::Column::AreaM2,
            ))),
            Alias::new("leasable_m2"),
        )
        .from(space_phase::Entity)
        .inner_join(
            carrier::Entity,
            Expr::col((carrier::Entity, carrier::Column::Id))
                .equals((space_phase::Entity, space_phase::Column::CarrierId)),
        )
        .and_where(Expr::col((space_phase::Entity, space_phase::Column::DeliveredOn)).lte(as_of))
        .and_where(Expr::col((space_phase::Entity, space_phase::Column::VoidedAt)).is_null())
        .add_group_by([key_expr()]);
    let mut groups: HashMap<String, GroupFigures> = HashMap::new();
    for row in db.query_all(&leasable).await? {
        let key: String = row.try_get("", "group_key")?;
        let leasable_m2: f64 = row.try_get("", "leasable_m2")?;
        groups.insert(
            key.clone(),
            GroupFigures {
                key,
                tenancies: TenancyFigures::default(),
                leasable_m2,
            },
        );
    }
    for row in db.query_all(&tenancies).await? {
        let key: String = row.try_get("", "group_key")?;
        let figures = read_figures(&row)?;
        groups
            .entry(key.clone())
            .or_insert_with(|| GroupFigures {
                key,
                tenancies: TenancyFigures::default(),
                leasable_m2: 0.0,
            })
            .tenancies = figures;
    }
    let mut groups: Vec<_> = groups.into_values().collect();
    groups.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(groups)
}

fn text_type(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "text",
        _ => "TEXT",
    }
}
