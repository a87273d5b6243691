//! Carrier figures grouped by any dimensions of `domain::statistics`, summed
//! in SQL: two statements for the groups and two for the totals, however
//! many groups there are.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use entity::{carrier, carrier_industry, operator, space_phase, tenancy};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult};

use super::carrier::{CarrierFilter, held_levels, matching_ids};
use super::occupancy::{counted, in_force};
use crate::domain::carrier::Level;
use crate::domain::statistics::{self, Cell, Dimension, Figures, GroupKey};
use crate::error::{AppResult, stored};

/// The figures of every group on `as_of`, in the order of their keys, and
/// the totals over the carriers matching `filter` (each carrier once, even
/// where industry groups overlap).
pub async fn grouped(
    db: &DatabaseConnection,
    filter: &CarrierFilter,
    dimensions: &[Dimension],
    as_of: NaiveDate,
) -> AppResult<(Vec<(GroupKey, Figures)>, Figures)> {
    let groups = figures(db, filter, dimensions, as_of).await?;
    let totals = figures(db, filter, &[], as_of)
        .await?
        .into_values()
        .next()
        .unwrap_or_default();
    Ok((groups.into_iter().collect(), totals))
}

/// The figures of [`grouped`] as a table (`domain::statistics::table`),
/// districts by their Chinese names: what the CLI exports.
pub async fn table(
    db: &DatabaseConnection,
    filter: &CarrierFilter,
    dimensions: &[Dimension],
    as_of: NaiveDate,
) -> AppResult<(Vec<&'static str>, Vec<Vec<Cell>>)> {
    let (groups, totals) = grouped(db, filter, dimensions, as_of).await?;
    let names: HashMap<i32, String> = super::district::all(db)
        .await?
        .into_iter()
        .map(|district| (district.id, district.name_zh))
        .collect();
    Ok(statistics::table(dimensions, &groups, &totals, |id| {
        names.get(&id).cloned().unwrap_or_default()
    }))
}

/// Figures per group: one statement over the carriers and their delivered
/// space, one over the tenancies in force.
async fn figures(
    db: &DatabaseConnection,
    filter: &CarrierFilter,
    dimensions: &[Dimension],
    as_of: NaiveDate,
) -> AppResult<BTreeMap<GroupKey, Figures>> {
    let delivered = Alias::new("delivered");
    let mut carriers = Query::select();
    carriers
        .from(carrier::Entity)
        .expr_as(
            Func::count(Expr::col((carrier::Entity, carrier::Column::Id))),
            Alias::new("carriers"),
        )
        .expr_as(
            Func::coalesce([
                Func::sum(Expr::col((delivered.clone(), Alias::new("area_m2")))).into(),
                Expr::val(0.0f64),
            ]),
            Alias::new("floor_area_m2"),
        )
        .join_subquery(
            JoinType::LeftJoin,
            delivered_by(as_of),
            delivered.clone(),
            Expr::col((delivered, space_phase::Column::CarrierId))
                .equals((carrier::Entity, carrier::Column::Id)),
        );
    let mut tenancies = Query::select();
    tenancies
        .from(tenancy::Entity)
        .inner_join(
            carrier::Entity,
            Expr::col((carrier::Entity, carrier::Column::Id))
                .equals((tenancy::Entity, tenancy::Column::CarrierId)),
        )
        .and_where(counted())
        .and_where(in_force(as_of))
        .expr_as(
            Func::coalesce([
                Func::sum(Expr::col((tenancy::Entity, tenancy::Column::AreaM2))).into(),
                Expr::val(0.0f64),
            ]),
            Alias::new("leased_area_m2"),
        )
        .expr_as(
            Func::count_distinct(Expr::col((tenancy::Entity, tenancy::Column::EnterpriseId))),
            Alias::new("tenants"),
        );
    for query in [&mut carriers, &mut tenancies] {
        query.and_where(
            Expr::col((carrier::Entity, carrier::Column::Id)).in_subquery(matching_ids(filter)),
        );
        group_by(query, dimensions, as_of);
    }
    let mut groups: BTreeMap<GroupKey, Figures> = BTreeMap::new();
    for row in db.query_all(&carriers).await? {
        let figures = groups.entry(key_of(&row, dimensions)?).or_default();
        figures.carriers = row.try_get("", "carriers")?;
        figures.floor_area_m2 = row.try_get("", "floor_area_m2")?;
    }
    for row in db.query_all(&tenancies).await? {
        // Every tenancy's carrier is among the carriers, so its group is too.
        let figures = groups.entry(key_of(&row, dimensions)?).or_default();
        figures.leased_area_m2 = row.try_get("", "leased_area_m2")?;
        figures.tenants = row.try_get("", "tenants")?;
    }
    Ok(groups)
}

/// `carrier_id, area_m2`: the floor area each carrier had delivered by `as_of`.
fn delivered_by(as_of: NaiveDate) -> SelectStatement {
    Query::select()
        .column(space_phase::Column::CarrierId)
        .expr_as(
            Func::sum(Expr::col(space_phase::Column::AreaM2)),
            Alias::new("area_m2"),
        )
        .from(space_phase::Entity)
        .and_where(Expr::col(space_phase::Column::DeliveredOn).lte(as_of))
        .and_where(Expr::col(space_phase::Column::VoidedAt).is_null())
        .group_by_col(space_phase::Column::CarrierId)
        .to_owned()
}

/// The column each dimension is read from, as `d_<name>`.
const DISTRICT: &str = "d_district";
const KIND: &str = "d_kind";
const LEVEL: &str = "d_level";
const STATUS: &str = "d_status";
const OWNERSHIP: &str = "d_ownership";
const INDUSTRY: &str = "d_industry";

/// Joins what `dimensions` need to `query` (whose rows carry `carrier`),
/// selects each dimension's value and groups by them.
fn group_by(query: &mut SelectStatement, dimensions: &[Dimension], as_of: NaiveDate) {
    let held = Alias::new("held");
    for dimension in dimensions {
        let (name, value): (&str, Expr) = match dimension {
            Dimension::District => (
                DISTRICT,
                Expr::col((carrier::Entity, carrier::Column::DistrictId)),
            ),
            Dimension::Kind => (KIND, Expr::col((carrier::Entity, carrier::Column::Kind))),
            Dimension::Status => (
                STATUS,
                Expr::col((carrier::Entity, carrier::Column::Status)),
            ),
            Dimension::OperatorOwnership => {
                query.inner_join(
                    operator::Entity,
                    Expr::col((operator::Entity, operator::Column::Id))
                        .equals((carrier::Entity, carrier::Column::OperatorId)),
                );
                (
                    OWNERSHIP,
                    Expr::col((operator::Entity, operator::Column::Ownership)),
                )
            }
            Dimension::Level => {
                query.join_subquery(
                    JoinType::LeftJoin,
                    held_levels(as_of),
                    held.clone(),
                    Expr::col((held.clone(), Alias::new("carrier_id")))
                        .equals((carrier::Entity, carrier::Column::Id)),
                );
                (LEVEL, Expr::col((held.clone(), Alias::new("level"))))
            }
            Dimension::Industry => {
                query.join(
                    JoinType::LeftJoin,
                    carrier_industry::Entity,
                    Expr::col((
                        carrier_industry::Entity,
                        carrier_industry::Column::CarrierId,
                    ))
                    .equals((carrier::Entity, carrier::Column::Id)),
                );
                (
                    INDUSTRY,
                    Expr::col((carrier_industry::Entity, carrier_industry::Column::Industry)),
                )
            }
        };
        query.expr_as(value.clone(), Alias::new(name));
        query.add_group_by([value]);
    }
}

/// The group a row of [`figures`] belongs to.
fn key_of(row: &QueryResult, dimensions: &[Dimension]) -> AppResult<GroupKey> {
    let text = |column: &str| -> AppResult<Option<String>> { Ok(row.try_get("", column)?) };
    let mut key = GroupKey::default();
    for dimension in dimensions {
        match dimension {
            Dimension::District => key.district_id = Some(row.try_get("", DISTRICT)?),
            Dimension::Kind => {
                key.kind = text(KIND)?
                    .map(|v| stored("carrier.kind", &v))
                    .transpose()?
            }
            Dimension::Status => {
                key.status = text(STATUS)?
                    .map(|v| stored("carrier.status", &v))
                    .transpose()?
            }
            Dimension::OperatorOwnership => {
                key.ownership = text(OWNERSHIP)?
                    .map(|v| stored("operator.ownership", &v))
                    .transpose()?
            }
            Dimension::Level => {
                let held = text(LEVEL)?.map(|v| stored("level_recognition.level", &v));
                key.level = Some(held.transpose()?.unwrap_or(Level::None));
            }
            Dimension::Industry => {
                key.industry = text(INDUSTRY)?
                    .map(|v| stored("carrier_industry.industry", &v))
                    .transpose()?
            }
        }
    }
    Ok(key)
}
