//! 火炬统计: the figures of the national annual statistics survey, for every
//! incubator and makerspace at once, in a fixed number of SQL statements
//! (thirteen) whatever the number of carriers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use entity::{carrier, district, fund_carrier, level_recognition, operator, tenancy};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::compliance::Carriers;
use crate::domain::carrier::{CarrierKind, DistrictKind, Level};
use crate::domain::compliance::CarrierRecords;
use crate::domain::level::{Recognition, level_on};
use crate::domain::money::Fen;
use crate::domain::torch::{self, TorchRow};
use crate::error::{AppResult, stored};

/// The survey's figures for one year.
#[derive(Debug, Clone, PartialEq)]
pub struct TorchStatistics {
    pub year: i32,
    /// The date stock figures are taken on: December 31, or today while the year runs.
    pub as_of: NaiveDate,
    /// One row per incubator and makerspace, by id.
    pub rows: Vec<TorchRow>,
}

/// The kinds the survey covers.
const SURVEYED: [CarrierKind; 2] = [CarrierKind::Incubator, CarrierKind::Makerspace];

/// The figures of every incubator and makerspace for survey year `year`
/// (from 2000 to the current year, else BAD_USER_INPUT on `year`).
#[tracing::instrument(skip_all)]
pub async fn statistics(db: &DatabaseConnection, year: i32) -> AppResult<TorchStatistics> {
    let as_of = torch::as_of(year, super::today())?;
    let carriers = surveyed_carriers(db).await?;
    if carriers.is_empty() {
        return Ok(TorchStatistics {
            year,
            as_of,
            rows: Vec::new(),
        });
    }
    let ids: Vec<i32> = carriers.iter().map(|c| c.id).collect();
    let mut levels = recognitions(db, &ids).await?;
    let floor_areas = super::space_phase::floor_area_on(db, &ids, as_of).await?;
    let tenancies = super::occupancy::by_carrier(db, &ids, as_of).await?;
    let mut records = super::compliance::records(db, Carriers::Some(&ids), as_of).await?;
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(as_of);
    let graduated = graduates_between(db, &ids, year_start, as_of).await?;
    let served = carriers_served(db, &records).await?;
    let mut tenant_totals =
        super::annual_report::tenant_totals(db, Some(&ids), year, as_of).await?;
    let rows = carriers
        .into_iter()
        .map(|c| {
            let figures = tenancies.get(&c.id).copied().unwrap_or_default();
            let records = records.remove(&c.id).unwrap_or_default();
            let support = records.totals_on(as_of);
            let platforms = records
                .platforms
                .iter()
                .filter(|p| p.open.on(as_of))
                .count();
            TorchRow {
                level: level_on(&levels.remove(&c.id).unwrap_or_default(), as_of),
                floor_area_m2: torch::round_area(
                    floor_areas.get(&c.id).copied().unwrap_or_default(),
                ),
                tenant_area_m2: torch::round_area(figures.leased_m2),
                public_service_m2: torch::round_area(support.public_service_m2),
                incubating: figures.incubating,
                graduates_in_year: graduated.get(&c.id).copied().unwrap_or_default(),
                graduates_total: figures.graduates,
                staff: support.staff,
                mentors: support.mentors,
                fund_size: Fen(records
                    .funds
                    .iter()
                    .filter(|fund| fund.active.on(as_of))
                    .map(|fund| {
                        let served = served.get(&fund.id).map_or(&[][..], Vec::as_slice);
                        torch::fund_share(fund.size, served, c.id).0
                    })
                    .sum()),
                platforms: u32::try_from(platforms).unwrap_or(u32::MAX),
                carrier_id: c.id,
                name: c.name,
                kind: c.kind,
                district: c.district,
                district_kind: c.district_kind,
                admin_code: c.admin_code,
                workstations: c.workstations,
                tenants: Some(tenant_totals.remove(&c.id).unwrap_or_default()),
                operator: c.operator,
            }
        })
        .collect();
    Ok(TorchStatistics { year, as_of, rows })
}

/// The survey of `year` as CSV (UTF-8 with a BOM, Chinese header): what
/// `zaiti export torch --year Y` writes and `torchStatistics.csv` answers.
pub async fn torch_csv(db: &DatabaseConnection, year: i32) -> AppResult<String> {
    let statistics = statistics(db, year).await?;
    Ok(torch::render_csv(&statistics.rows))
}

/// [`torch_csv`] with the tenants' figures summed from their annual reports
/// (`zaiti export torch --tenants`; confidential sums, for ADMIN).
pub async fn torch_csv_with_tenants(db: &DatabaseConnection, year: i32) -> AppResult<String> {
    let statistics = statistics(db, year).await?;
    Ok(torch::render_csv_with_tenants(&statistics.rows))
}

/// Every carrier each fund of `records` serves, in ascending id order, so
/// each fund is split among all of them. One SQL statement.
async fn carriers_served(
    db: &DatabaseConnection,
    records: &HashMap<i32, CarrierRecords>,
) -> AppResult<BTreeMap<i32, Vec<i32>>> {
    let funds: BTreeSet<i32> = records
        .values()
        .flat_map(|records| records.funds.iter().map(|fund| fund.id))
        .collect();
    let mut served: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for link in
        super::rows_where_in::<fund_carrier::Entity>(db, fund_carrier::Column::FundId, funds)
            .await?
    {
        served
            .entry(link.fund_id)
            .or_default()
            .push(link.carrier_id);
    }
    for carriers in served.values_mut() {
        carriers.sort_unstable();
    }
    Ok(served)
}

/// A surveyed carrier's own fields, with its district's and operator's names.
struct SurveyedCarrier {
    id: i32,
    name: String,
    kind: CarrierKind,
    district: String,
    district_kind: DistrictKind,
    admin_code: Option<String>,
    operator: String,
    workstations: Option<i32>,
}

/// Every incubator and makerspace, by id, with district and operator names. One SQL statement.
async fn surveyed_carriers(db: &DatabaseConnection) -> AppResult<Vec<SurveyedCarrier>> {
    let mut query = Query::select();
    query
        .column((carrier::Entity, carrier::Column::Id))
        .column((carrier::Entity, carrier::Column::Name))
        .column((carrier::Entity, carrier::Column::Kind))
        .column((carrier::Entity, carrier::Column::Workstations))
        .expr_as(
            Expr::col((district::Entity, district::Column::NameZh)),
            Alias::new("district_name"),
        )
        .expr_as(
            Expr::col((district::Entity, district::Column::Kind)),
            Alias::new("district_kind"),
        )
        .expr_as(
            Expr::col((district::Entity, district::Column::DivisionCode)),
            Alias::new("admin_code"),
        )
        .expr_as(
            Expr::col((operator::Entity, operator::Column::Name)),
            Alias::new("operator_name"),
        )
        .from(carrier::Entity)
        .inner_join(
            district::Entity,
            Expr::col((district::Entity, district::Column::Id))
                .equals((carrier::Entity, carrier::Column::DistrictId)),
        )
        .inner_join(
            operator::Entity,
            Expr::col((operator::Entity, operator::Column::Id))
                .equals((carrier::Entity, carrier::Column::OperatorId)),
        )
        .and_where(
            Expr::col((carrier::Entity, carrier::Column::Kind))
                .is_in(SURVEYED.map(|kind| kind.as_ref().to_owned())),
        )
        .order_by((carrier::Entity, carrier::Column::Id), Order::Asc);
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            let kind: String = row.try_get("", "kind")?;
            let district_kind: String = row.try_get("", "district_kind")?;
            Ok(SurveyedCarrier {
                district_kind: stored("district.kind", &district_kind)?,
                id: row.try_get("", "id")?,
                name: row.try_get("", "name")?,
                kind: stored("carrier.kind", &kind)?,
                district: row.try_get("", "district_name")?,
                admin_code: row.try_get("", "admin_code")?,
                operator: row.try_get("", "operator_name")?,
                workstations: row.try_get("", "workstations")?,
            })
        })
        .collect()
}

/// The level recognitions of these carriers, as the level rule reads them. One SQL statement.
async fn recognitions(
    db: &DatabaseConnection,
    carrier_ids: &[i32],
) -> AppResult<HashMap<i32, Vec<Recognition>>> {
    let rows = super::rows_where_in::<level_recognition::Entity>(
        db,
        level_recognition::Column::CarrierId,
        carrier_ids.iter().copied(),
    )
    .await?;
    let mut by_carrier: HashMap<i32, Vec<Recognition>> = HashMap::new();
    for row in rows.into_iter().filter(|row| row.voided_at.is_none()) {
        let level: Level = stored("level_recognition.level", &row.level)?;
        by_carrier
            .entry(row.carrier_id)
            .or_default()
            .push(Recognition {
                level,
                recognised_on: row.recognised_on,
                sequence: i64::from(row.id),
            });
    }
    Ok(by_carrier)
}

/// Distinct enterprises that graduated in each carrier from `from` to
/// `until`, both included. One SQL statement; carriers with none are absent.
async fn graduates_between(
    db: &DatabaseConnection,
    carrier_ids: &[i32],
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<HashMap<i32, i64>> {
    let graduated_on = || Expr::col((tenancy::Entity, tenancy::Column::GraduatedOn));
    let mut query = Query::select();
    query
        .column((tenancy::Entity, tenancy::Column::CarrierId))
        .expr_as(
            Func::count_distinct(Expr::col((tenancy::Entity, tenancy::Column::EnterpriseId))),
            Alias::new("graduates"),
        )
        .from(tenancy::Entity)
        .and_where(
            Expr::col((tenancy::Entity, tenancy::Column::CarrierId))
                .is_in(carrier_ids.iter().copied()),
        )
        .and_where(graduated_on().gte(from))
        .and_where(graduated_on().lte(until))
        .and_where(super::occupancy::counted())
        .group_by_col((tenancy::Entity, tenancy::Column::CarrierId));
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("", "carrier_id")?,
                row.try_get("", "graduates")?,
            ))
        })
        .collect()
}
