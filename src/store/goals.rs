//! What the goal counting rules read, aggregated in SQL for one as-of date:
//! a fixed number of statements whatever the size of the portfolio.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{
    carrier, carrier_status_change, enterprise, level_recognition, operating_team, platform,
    space_phase,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult};

use super::compliance::rules;
use crate::domain::carrier::{CarrierKind, CarrierStatus, Level, SpaceSource};
use crate::domain::goals::{CarrierFacts, DeliveredArea, GoalFacts, Targets, YearCount};
use crate::error::{AppResult, stored};

/// The setting that holds the targets and the period.
pub const TARGETS_KEY: &str = "goal_targets";

/// The targets in force: as the ADMIN last set them, else the action plan's.
pub async fn targets<C: ConnectionTrait>(db: &C) -> AppResult<super::setting::Versioned<Targets>> {
    super::setting::read(db, TARGETS_KEY).await
}

/// The calendar year of a date column, as an integer, on either backend.
fn year_of(backend: DbBackend, table: &str, column: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!(
            "CAST(EXTRACT(YEAR FROM \"{table}\".\"{column}\") AS INTEGER)"
        )),
        // SQLite keeps dates as ISO 8601 text (sqlx writes `YYYY-MM-DD`), so
        // the year is the first four characters: cheaper than strftime.
        _ => Expr::cust(format!(
            "CAST(substr(\"{table}\".\"{column}\", 1, 4) AS INTEGER)"
        )),
    }
}

/// The ids of the carriers meeting `condition`, as a subquery.
fn carriers_where(condition: SimpleExpr) -> SelectStatement {
    Query::select()
        .column(carrier::Column::Id)
        .from(carrier::Entity)
        .and_where(condition)
        .to_owned()
}

/// `from ≤ column ≤ until` on a date column.
fn between(column: SimpleExpr, from: NaiveDate, until: NaiveDate) -> SimpleExpr {
    column.clone().gte(from).and(column.lte(until))
}

async fn year_counts(
    db: &DatabaseConnection,
    query: &SelectStatement,
    by_carrier: bool,
) -> AppResult<Vec<YearCount>> {
    let rows = db.query_all(query).await?;
    rows.iter()
        .map(|row| {
            let count: i64 = row.try_get("", "n")?;
            Ok(YearCount {
                carrier_id: if by_carrier {
                    Some(row.try_get("", "carrier_id")?)
                } else {
                    None
                },
                year: row.try_get("", "year")?,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// Everything the counting rules read on `as_of` under `targets`.
///
/// The reads do not depend on one another, except 五有 on the carriers
/// that delivered space, so they run side by side on separate connections:
/// the answer waits for the slowest, not for their sum.
pub async fn facts(
    db: &DatabaseConnection,
    targets: &Targets,
    as_of: NaiveDate,
) -> AppResult<GoalFacts> {
    let backend = db.get_database_backend();
    let (start, until) = (targets.period_start, targets.counted_until(as_of));

    let platform_year = || year_of(backend, "platform", "opened_on");
    let mut platforms = Query::select();
    platforms
        .column(platform::Column::CarrierId)
        .expr_as(platform_year(), Alias::new("year"))
        .expr_as(
            Func::count(Expr::col(platform::Column::Id)),
            Alias::new("n"),
        )
        .from(platform::Entity)
        .and_where(Expr::col(platform::Column::VoidedAt).is_null())
        .and_where(between(Expr::col(platform::Column::OpenedOn), start, until))
        .and_where(
            Expr::col(platform::Column::ClosedOn)
                .is_null()
                .or(Expr::col(platform::Column::ClosedOn).gt(as_of)),
        )
        .group_by_col(platform::Column::CarrierId)
        .add_group_by([platform_year()]);

    let team_year = || year_of(backend, "operating_team", "professional_recognised_on");
    let mut teams = Query::select();
    teams
        .column(operating_team::Column::CarrierId)
        .expr_as(team_year(), Alias::new("year"))
        .expr_as(
            Func::count(Expr::col(operating_team::Column::Id)),
            Alias::new("n"),
        )
        .from(operating_team::Entity)
        .and_where(Expr::col(operating_team::Column::VoidedAt).is_null())
        .and_where(between(
            Expr::col(operating_team::Column::ProfessionalRecognisedOn),
            start,
            until,
        ))
        .group_by_col(operating_team::Column::CarrierId)
        .add_group_by([team_year()]);

    let landed_year = || year_of(backend, "enterprise", "landed_on");
    let mut landed = Query::select();
    landed
        .expr_as(landed_year(), Alias::new("year"))
        .expr_as(
            Func::count(Expr::col(enterprise::Column::Id)),
            Alias::new("n"),
        )
        .from(enterprise::Entity)
        .and_where(between(
            Expr::col(enterprise::Column::LandedOn),
            start,
            until,
        ))
        .add_group_by([landed_year()]);

    let carriers_and_area = async {
        let (mut carriers, firsts, delivered) = tokio::try_join!(
            carrier_facts(db, as_of),
            first_dates(db, as_of),
            delivered_area(db, start, until),
        )?;
        for (id, first) in firsts {
            if let Some(carrier) = carriers.get_mut(&id) {
                first.apply(carrier);
            }
        }
        // 五有 only for the carriers whose area could count.
        let mut candidates: Vec<i32> = delivered.iter().map(|d| d.carrier_id).collect();
        candidates.retain(|id| carriers.get(id).is_some_and(|c| c.operating));
        candidates.sort_unstable();
        candidates.dedup();
        let fully_functional = if candidates.is_empty() {
            Default::default()
        } else {
            let rules = rules(db).await?.value;
            let candidates = super::compliance::Carriers::Some(&candidates);
            super::compliance::fully_functional(db, candidates, as_of, &rules).await?
        };
        AppResult::Ok((carriers, delivered, fully_functional))
    };
    let ((carriers, delivered, fully_functional), platforms_opened, teams_recognised, firms_landed) =
        tokio::try_join!(
            carriers_and_area,
            year_counts(db, &platforms, true),
            year_counts(db, &teams, true),
            year_counts(db, &landed, false),
        )?;
    Ok(GoalFacts {
        carriers: carriers.into_values().collect(),
        fully_functional,
        delivered,
        platforms_opened,
        teams_recognised,
        firms_landed,
    })
}

/// A carrier's first dates that some targets count.
#[derive(Default)]
struct FirstDates {
    delivered_on: Option<NaiveDate>,
    city_or_above: Option<NaiveDate>,
    provincial_or_above: Option<NaiveDate>,
}

impl FirstDates {
    fn apply(self, carrier: &mut CarrierFacts) {
        carrier.first_delivered_on = self.delivered_on;
        carrier.first_city_or_above = self.city_or_above;
        carrier.first_provincial_or_above = self.provincial_or_above;
    }
}

/// First delivery of each landmark complex and first recognitions of each
/// makerspace and incubator up to `as_of` (only those are counted): two
/// grouped statements, run side by side.
async fn first_dates(
    db: &DatabaseConnection,
    as_of: NaiveDate,
) -> AppResult<HashMap<i32, FirstDates>> {
    let mut first = Query::select();
    first
        .column(space_phase::Column::CarrierId)
        .expr_as(
            Func::min(Expr::col(space_phase::Column::DeliveredOn)),
            Alias::new("first_on"),
        )
        .from(space_phase::Entity)
        .and_where(Expr::col(space_phase::Column::VoidedAt).is_null())
        .and_where(
            Expr::col(space_phase::Column::CarrierId).in_subquery(carriers_where(
                Expr::col(carrier::Column::Kind)
                    .eq(CarrierKind::ScienceComplex.as_ref())
                    .and(Expr::col(carrier::Column::Landmark).eq(true)),
            )),
        )
        .group_by_col(space_phase::Column::CarrierId);
    let level_in = |levels: &[Level]| {
        Expr::col(level_recognition::Column::Level)
            .is_in(levels.iter().map(|l| l.as_ref().to_owned()))
    };
    let first_on = |levels: &[Level]| {
        Func::min(
            Expr::case(
                level_in(levels),
                Expr::col(level_recognition::Column::RecognisedOn),
            )
            .finally(Expr::null()),
        )
    };
    let mut recognised = Query::select();
    recognised
        .column(level_recognition::Column::CarrierId)
        .expr_as(
            first_on(&[Level::City, Level::Provincial, Level::National]),
            Alias::new("city_on"),
        )
        .expr_as(
            first_on(&[Level::Provincial, Level::National]),
            Alias::new("provincial_on"),
        )
        .from(level_recognition::Entity)
        .and_where(Expr::col(level_recognition::Column::RecognisedOn).lte(as_of))
        .and_where(Expr::col(level_recognition::Column::VoidedAt).is_null())
        .and_where(
            Expr::col(level_recognition::Column::CarrierId).in_subquery(carriers_where(
                Expr::col(carrier::Column::Kind).is_in([
                    CarrierKind::Makerspace.as_ref(),
                    CarrierKind::Incubator.as_ref(),
                ]),
            )),
        )
        .group_by_col(level_recognition::Column::CarrierId);
    let (deliveries, recognitions) =
        tokio::try_join!(db.query_all(&first), db.query_all(&recognised))?;
    let mut dates: HashMap<i32, FirstDates> = HashMap::new();
    for row in deliveries {
        let id: i32 = row.try_get("", "carrier_id")?;
        dates.entry(id).or_default().delivered_on = row.try_get("", "first_on")?;
    }
    for row in recognitions {
        let id: i32 = row.try_get("", "carrier_id")?;
        let carrier = dates.entry(id).or_default();
        carrier.city_or_above = row.try_get("", "city_on")?;
        carrier.provincial_or_above = row.try_get("", "provincial_on")?;
    }
    Ok(dates)
}

/// Floor area delivered from `start` to `until`, by carrier, source and year.
async fn delivered_area(
    db: &DatabaseConnection,
    start: NaiveDate,
    until: NaiveDate,
) -> AppResult<Vec<DeliveredArea>> {
    let phase_year = || year_of(db.get_database_backend(), "space_phase", "delivered_on");
    let mut delivered = Query::select();
    delivered
        .column(space_phase::Column::CarrierId)
        .column(space_phase::Column::Source)
        .expr_as(phase_year(), Alias::new("year"))
        .expr_as(
            Func::sum(Expr::col(space_phase::Column::AreaM2)),
            Alias::new("area_m2"),
        )
        .from(space_phase::Entity)
        .and_where(Expr::col(space_phase::Column::VoidedAt).is_null())
        .and_where(between(
            Expr::col(space_phase::Column::DeliveredOn),
            start,
            until,
        ))
        .group_by_col(space_phase::Column::CarrierId)
        .group_by_col(space_phase::Column::Source)
        .add_group_by([phase_year()]);
    db.query_all(&delivered)
        .await?
        .iter()
        .map(read_delivered)
        .collect()
}

fn read_delivered(row: &QueryResult) -> AppResult<DeliveredArea> {
    let source: String = row.try_get("", "source")?;
    Ok(DeliveredArea {
        carrier_id: row.try_get("", "carrier_id")?,
        source: stored::<SpaceSource>("space_phase.source", &source)?,
        year: row.try_get("", "year")?,
        area_m2: row.try_get("", "area_m2")?,
    })
}

/// Every carrier's own fields the rules read, with its status on `as_of`
/// (that of its latest change by then; none before its first). One statement.
async fn carrier_facts(
    db: &DatabaseConnection,
    as_of: NaiveDate,
) -> AppResult<HashMap<i32, CarrierFacts>> {
    use carrier_status_change::Column as Change;
    let status_then = Query::select()
        .column(Change::Status)
        .from(carrier_status_change::Entity)
        .and_where(
            Expr::col((carrier_status_change::Entity, Change::CarrierId))
                .equals((carrier::Entity, carrier::Column::Id)),
        )
        .and_where(Expr::col(Change::EffectiveOn).lte(as_of))
        .order_by(Change::EffectiveOn, Order::Desc)
        .limit(1)
        .to_owned();
    let mut query = Query::select();
    query
        .columns([
            carrier::Column::Id,
            carrier::Column::Kind,
            carrier::Column::DistrictId,
            carrier::Column::Landmark,
        ])
        .expr_as(Expr::from(status_then), Alias::new("status"))
        .from(carrier::Entity);
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            let id: i32 = row.try_get("", "id")?;
            let kind: String = row.try_get("", "kind")?;
            let status: Option<String> = row.try_get("", "status")?;
            let status: Option<CarrierStatus> = status
                .map(|status| stored("carrier_status_change.status", &status))
                .transpose()?;
            Ok((
                id,
                CarrierFacts {
                    id,
                    kind: stored::<CarrierKind>("carrier.kind", &kind)?,
                    district_id: row.try_get("", "district_id")?,
                    operating: status == Some(CarrierStatus::Operating),
                    landmark: row.try_get("", "landmark")?,
                    first_delivered_on: None,
                    first_city_or_above: None,
                    first_provincial_or_above: None,
                },
            ))
        })
        .collect()
}
