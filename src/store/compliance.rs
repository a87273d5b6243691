//! What the 五有 check and the level rule sets read, for many carriers at
//! once: a fixed number of SQL statements whatever the number of carriers.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use entity::{
    carrier_industry, enterprise, facility, fund, fund_carrier, operating_team, platform, tenancy,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter,
    QuerySelect,
};

use super::occupancy::{counted, in_force};
use crate::domain::carrier::Industry;
use crate::domain::compliance::{
    CarrierRecords, Compliance, ComplianceRules, Criterion, FacilityRecord, FundRecord,
    PlatformRecord, TeamRecord, check, check_only,
};
use crate::domain::money::Fen;
use crate::domain::support::InForce;
use crate::error::{AppResult, stored};

/// The setting that holds the 五有 thresholds.
pub const RULES_KEY: &str = "compliance_rules";

/// The 五有 thresholds in force: as the ADMIN last set them, else the defaults.
pub async fn rules<C: ConnectionTrait>(
    db: &C,
) -> AppResult<super::setting::Versioned<ComplianceRules>> {
    super::setting::read(db, RULES_KEY).await
}

/// Which carriers to read: some, or every carrier (no `IN` list at all).
#[derive(Debug, Clone, Copy)]
pub enum Carriers<'a> {
    Some(&'a [i32]),
    All,
}

impl Carriers<'_> {
    fn restrict<E: EntityTrait>(
        self,
        select: sea_orm::Select<E>,
        column: E::Column,
    ) -> sea_orm::Select<E> {
        match self {
            Carriers::Some(ids) => select.filter(column.is_in(ids.iter().copied())),
            Carriers::All => select,
        }
    }
}

/// The records of `carriers` that 五有 reads, with tenants counted on
/// `as_of`. Six SQL statements. Every carrier asked for is present, with
/// empty records when it has none.
pub async fn records(
    db: &DatabaseConnection,
    carriers: Carriers<'_>,
    as_of: NaiveDate,
) -> AppResult<HashMap<i32, CarrierRecords>> {
    let mut records = records_but_tenants(db, carriers).await?;
    add_tenants(db, &mut records, carriers, as_of).await?;
    Ok(records)
}

/// Fills in the tenants on `as_of` of `carriers`. One SQL statement.
async fn add_tenants(
    db: &DatabaseConnection,
    records: &mut HashMap<i32, CarrierRecords>,
    carriers: Carriers<'_>,
    as_of: NaiveDate,
) -> AppResult<()> {
    for (carrier_id, industry, tenants) in tenants_by_industry(db, carriers, as_of).await? {
        records
            .entry(carrier_id)
            .or_default()
            .tenants_by_industry
            .push((industry, tenants));
    }
    Ok(())
}

/// Which of `carriers` meet all five of 五有 on `as_of` under `rules`.
///
/// The tenant count is the costly read (a join over every lease in force),
/// and three criteria do not depend on it, so it is read only for the
/// carriers that meet those three: the same answer as checking every
/// carrier whole, at a fraction of the cost. Six SQL statements at most.
pub async fn fully_functional(
    db: &DatabaseConnection,
    carriers: Carriers<'_>,
    as_of: NaiveDate,
    rules: &ComplianceRules,
) -> AppResult<HashSet<i32>> {
    let (tenant_bound, tenant_free): (Vec<Criterion>, Vec<Criterion>) =
        Criterion::ALL.iter().partition(|c| c.reads_tenants());
    let meets = |carrier: &CarrierRecords, criteria: &[Criterion]| {
        check_only(criteria, carrier, as_of, rules)
            .iter()
            .all(|result| result.satisfied)
    };
    let mut records = records_but_tenants(db, carriers).await?;
    records.retain(|_, carrier| meets(carrier, &tenant_free));
    let remaining: Vec<i32> = records.keys().copied().collect();
    if remaining.is_empty() {
        return Ok(HashSet::new());
    }
    add_tenants(db, &mut records, Carriers::Some(&remaining), as_of).await?;
    Ok(records
        .into_iter()
        .filter(|(_, carrier)| meets(carrier, &tenant_bound))
        .map(|(id, _)| id)
        .collect())
}

/// The records of `carriers` that 五有 reads, without the tenants: only
/// the columns it reads. Five SQL statements, run side by side.
async fn records_but_tenants(
    db: &DatabaseConnection,
    carriers: Carriers<'_>,
) -> AppResult<HashMap<i32, CarrierRecords>> {
    let mut records: HashMap<i32, CarrierRecords> = match carriers {
        Carriers::Some(ids) => ids
            .iter()
            .map(|&id| (id, CarrierRecords::default()))
            .collect(),
        Carriers::All => HashMap::new(),
    };
    let industries = carriers
        .restrict(
            carrier_industry::Entity::find(),
            carrier_industry::Column::CarrierId,
        )
        .select_only()
        .columns([
            carrier_industry::Column::CarrierId,
            carrier_industry::Column::Industry,
        ])
        .into_tuple::<(i32, String)>()
        .all(db);

    type PlatformRow = (i32, i32, String, String, NaiveDate, Option<NaiveDate>);
    let platforms = carriers
        .restrict(platform::Entity::find(), platform::Column::CarrierId)
        .filter(platform::Column::VoidedAt.is_null())
        .select_only()
        .columns([
            platform::Column::Id,
            platform::Column::CarrierId,
            platform::Column::Kind,
            platform::Column::Name,
            platform::Column::OpenedOn,
            platform::Column::ClosedOn,
        ])
        .into_tuple::<PlatformRow>()
        .all(db);

    // Each fund once per carrier it serves, by one join.
    type FundRow = (i32, i32, String, i64, NaiveDate, Option<NaiveDate>);
    let funds = carriers
        .restrict(
            fund_carrier::Entity::find(),
            fund_carrier::Column::CarrierId,
        )
        .select_only()
        .column(fund_carrier::Column::CarrierId)
        .columns([
            fund::Column::Id,
            fund::Column::Name,
            fund::Column::SizeFen,
            fund::Column::EstablishedOn,
            fund::Column::ClosedOn,
        ])
        .join(
            JoinType::InnerJoin,
            fund_carrier::Entity::belongs_to(fund::Entity)
                .from(fund_carrier::Column::FundId)
                .to(fund::Column::Id)
                .into(),
        )
        .filter(fund::Column::VoidedAt.is_null())
        .into_tuple::<FundRow>()
        .all(db);

    type TeamRow = (i32, i32, String, i32, i32, NaiveDate, Option<NaiveDate>);
    let teams = carriers
        .restrict(
            operating_team::Entity::find(),
            operating_team::Column::CarrierId,
        )
        .filter(operating_team::Column::VoidedAt.is_null())
        .select_only()
        .columns([
            operating_team::Column::Id,
            operating_team::Column::CarrierId,
            operating_team::Column::Name,
            operating_team::Column::StaffCount,
            operating_team::Column::MentorCount,
            operating_team::Column::FormedOn,
            operating_team::Column::DisbandedOn,
        ])
        .into_tuple::<TeamRow>()
        .all(db);

    type FacilityRow = (i32, i32, String, Option<f64>, NaiveDate, Option<NaiveDate>);
    let facilities = carriers
        .restrict(facility::Entity::find(), facility::Column::CarrierId)
        .filter(facility::Column::VoidedAt.is_null())
        .select_only()
        .columns([
            facility::Column::Id,
            facility::Column::CarrierId,
            facility::Column::Kind,
            facility::Column::AreaM2,
            facility::Column::OpenedOn,
            facility::Column::ClosedOn,
        ])
        .into_tuple::<FacilityRow>()
        .all(db);
    let (industries, platforms, funds, teams, facilities) =
        tokio::try_join!(industries, platforms, funds, teams, facilities)?;
    for (carrier_id, industry) in industries {
        let industry: Industry = stored("carrier_industry.industry", &industry)?;
        records
            .entry(carrier_id)
            .or_default()
            .leading_industries
            .push(industry);
    }
    for (id, carrier_id, kind, name, opened_on, closed_on) in platforms {
        records
            .entry(carrier_id)
            .or_default()
            .platforms
            .push(PlatformRecord {
                id,
                kind: stored("platform.kind", &kind)?,
                name,
                open: span(opened_on, closed_on),
            });
    }
    for (carrier_id, id, name, size_fen, established_on, closed_on) in funds {
        records
            .entry(carrier_id)
            .or_default()
            .funds
            .push(FundRecord {
                id,
                name,
                size: Fen(size_fen),
                active: span(established_on, closed_on),
            });
    }
    for (id, carrier_id, name, staff, mentors, formed_on, disbanded_on) in teams {
        records
            .entry(carrier_id)
            .or_default()
            .teams
            .push(TeamRecord {
                id,
                name,
                staff: u32::try_from(staff).unwrap_or_default(),
                mentors: u32::try_from(mentors).unwrap_or_default(),
                active: span(formed_on, disbanded_on),
            });
    }
    for (id, carrier_id, kind, area_m2, opened_on, closed_on) in facilities {
        records
            .entry(carrier_id)
            .or_default()
            .facilities
            .push(FacilityRecord {
                id,
                kind: stored("facility.kind", &kind)?,
                area_m2,
                open: span(opened_on, closed_on),
            });
    }
    Ok(records)
}

/// Stored dates were checked when written, so they are taken as they are.
fn span(from: NaiveDate, until: Option<NaiveDate>) -> InForce {
    InForce { from, until }
}

/// Distinct tenants on `as_of` per carrier and industry. One SQL statement.
async fn tenants_by_industry(
    db: &DatabaseConnection,
    carriers: Carriers<'_>,
    as_of: NaiveDate,
) -> AppResult<Vec<(i32, Option<Industry>, u32)>> {
    let mut query = Query::select();
    query
        .column((tenancy::Entity, tenancy::Column::CarrierId))
        .column((enterprise::Entity, enterprise::Column::Industry))
        .expr_as(
            Func::count_distinct(Expr::col((tenancy::Entity, tenancy::Column::EnterpriseId))),
            Alias::new("tenants"),
        )
        .from(tenancy::Entity)
        .inner_join(
            enterprise::Entity,
            Expr::col((enterprise::Entity, enterprise::Column::Id))
                .equals((tenancy::Entity, tenancy::Column::EnterpriseId)),
        )
        .and_where(in_force(as_of))
        .and_where(counted())
        .group_by_col((tenancy::Entity, tenancy::Column::CarrierId))
        .group_by_col((enterprise::Entity, enterprise::Column::Industry));
    if let Carriers::Some(ids) = carriers {
        query.and_where(
            Expr::col((tenancy::Entity, tenancy::Column::CarrierId)).is_in(ids.iter().copied()),
        );
    }
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            let industry: Option<String> = row.try_get("", "industry")?;
            let tenants: i64 = row.try_get("", "tenants")?;
            Ok((
                row.try_get("", "carrier_id")?,
                industry
                    .map(|code| stored("enterprise.industry", &code))
                    .transpose()?,
                u32::try_from(tenants).unwrap_or(u32::MAX),
            ))
        })
        .collect()
}

/// Distinct enterprises that moved into each carrier in the year ending on
/// `as_of` (the 365 days up to and including it). One SQL statement.
pub async fn new_tenants_last_year(
    db: &DatabaseConnection,
    carrier_ids: &[i32],
    as_of: NaiveDate,
) -> AppResult<HashMap<i32, u32>> {
    let since = as_of.checked_sub_days(Days::new(365)).unwrap_or(as_of);
    let mut query = Query::select();
    query
        .column(tenancy::Column::CarrierId)
        .expr_as(
            Func::count_distinct(Expr::col(tenancy::Column::EnterpriseId)),
            Alias::new("tenants"),
        )
        .from(tenancy::Entity)
        .and_where(Expr::col(tenancy::Column::CarrierId).is_in(carrier_ids.iter().copied()))
        .and_where(Expr::col(tenancy::Column::MovedInOn).gt(since))
        .and_where(Expr::col(tenancy::Column::MovedInOn).lte(as_of))
        // An area change continues a tenancy; it is no new arrival.
        .and_where(Expr::col(tenancy::Column::PreviousTenancyId).is_null())
        .and_where(counted())
        .group_by_col(tenancy::Column::CarrierId);
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            let tenants: i64 = row.try_get("", "tenants")?;
            Ok((
                row.try_get("", "carrier_id")?,
                u32::try_from(tenants).unwrap_or(u32::MAX),
            ))
        })
        .collect()
}

/// Every carrier meeting all five of 五有 on `as_of` under the rules in
/// force, read as [`fully_functional`] reads them. Seven SQL statements.
pub async fn fully_functional_carriers(
    db: &DatabaseConnection,
    as_of: NaiveDate,
) -> AppResult<Vec<i32>> {
    let rules = rules(db).await?.value;
    let mut ids: Vec<i32> = fully_functional(db, Carriers::All, as_of, &rules)
        .await?
        .into_iter()
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// The carriers whose 五有 on `as_of` (under the rules in force) `keep`
/// accepts. Eight SQL statements, whatever the number of carriers; the
/// check itself runs in Rust.
pub async fn carriers_where(
    db: &DatabaseConnection,
    as_of: NaiveDate,
    keep: impl Fn(&Compliance) -> bool,
) -> AppResult<Vec<i32>> {
    let rules = rules(db).await?.value;
    let carrier_ids: Vec<i32> = entity::carrier::Entity::find()
        .select_only()
        .column(entity::carrier::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut records = records(db, Carriers::All, as_of).await?;
    Ok(carrier_ids
        .into_iter()
        .filter(|id| {
            let records = records.remove(id).unwrap_or_default();
            keep(&check(&records, as_of, &rules))
        })
        .collect())
}
