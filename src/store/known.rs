//! The records as they were known at a past moment, rebuilt from the audit
//! trail, so a figure reported last June can be reproduced exactly today,
//! late entries and later corrections notwithstanding.
//!
//! Every write leaves an audit event with the record's full row after the
//! change, so the state known at a moment is, per record, the row of its last
//! event up to that moment (none if that event deleted it, absent if it was
//! entered later). Those rows are loaded into a private in-memory SQLite
//! database with zaiti's own schema, and the figures are computed there by
//! the very same queries as the live ones: one set of counting rules, not two.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{
    audit_event, carrier, carrier_industry, carrier_status_change, district, enterprise, facility,
    fund, fund_carrier, level_recognition, operating_team, operator, platform, setting,
    space_phase, tenancy,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectOptions, Database,
    DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// The record types the figures read, by the names the audit trail uses.
const REPLAYED: [&str; 11] = [
    "Operator",
    "Carrier",
    "SpacePhase",
    "LevelRecognition",
    "Enterprise",
    "Tenancy",
    "Platform",
    "Fund",
    "OperatingTeam",
    "Facility",
    "Setting",
];

/// Rows a single INSERT carries: well under SQLite's limit on bound values.
const BATCH: usize = 500;

/// A database holding the records as known at `known_at`.
pub async fn as_known_at(
    db: &DatabaseConnection,
    known_at: DateTime<Utc>,
) -> AppResult<DatabaseConnection> {
    let mut options = ConnectOptions::new("sqlite::memory:");
    // One connection for the life of the copy: every new in-memory
    // connection would be a new, empty database.
    options
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(Duration::from_secs(3600))
        .sqlx_logging(false);
    let copy = Database::connect(options).await?;
    super::migrate(&copy).await?;
    // Districts are reference data (seeded by migration, boundaries imported),
    // never audited: the copy takes them as they are now.
    district::Entity::delete_many().exec(&copy).await?;
    copy_rows::<district::Entity>(&copy, district::Entity::find().all(db).await?).await?;

    let latest = Query::select()
        .expr(sea_orm::sea_query::Func::max(
            sea_orm::sea_query::Expr::col(audit_event::Column::Id),
        ))
        .from(audit_event::Entity)
        .and_where(audit_event::Column::OccurredAt.lte(known_at))
        .and_where(audit_event::Column::EntityType.is_in(REPLAYED))
        .group_by_col(audit_event::Column::EntityType)
        .group_by_col(audit_event::Column::EntityId)
        .to_owned();
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::Id.in_subquery(latest))
        // In id order within each type, so a row comes after the rows it refers to.
        .order_by_asc(audit_event::Column::EntityId)
        .all(db)
        .await?;
    let mut rows = Replay::default();
    for event in events {
        let Some(after) = event.after.as_deref() else {
            continue; // deleted by then
        };
        rows.add(&event.entity_type, after)?;
    }
    rows.write(&copy).await?;
    Ok(copy)
}

/// The rows of each type, as known.
#[derive(Default)]
struct Replay {
    operators: Vec<operator::Model>,
    carriers: Vec<carrier::Model>,
    industries: Vec<carrier_industry::Model>,
    status_changes: Vec<carrier_status_change::Model>,
    phases: Vec<space_phase::Model>,
    recognitions: Vec<level_recognition::Model>,
    enterprises: Vec<enterprise::Model>,
    tenancies: Vec<tenancy::Model>,
    platforms: Vec<platform::Model>,
    funds: Vec<fund::Model>,
    fund_links: Vec<fund_carrier::Model>,
    teams: Vec<operating_team::Model>,
    facilities: Vec<facility::Model>,
    settings: Vec<setting::Model>,
}

/// A carrier's audit snapshot: its row, its leading industries and its
/// status history (absent from events written before status was dated).
#[derive(serde::Deserialize)]
struct CarrierSnapshot {
    #[serde(flatten)]
    row: carrier::Model,
    #[serde(default)]
    leading_industries: Vec<String>,
    status_history: Option<Vec<carrier_status_change::Model>>,
}

/// A fund's audit snapshot: its row and the carriers it serves.
#[derive(serde::Deserialize)]
struct FundSnapshot {
    #[serde(flatten)]
    row: fund::Model,
    #[serde(default)]
    carrier_ids: BTreeSet<i32>,
}

fn parse<T: DeserializeOwned>(entity_type: &str, json: &str) -> AppResult<T> {
    serde_json::from_str(json).map_err(|err| {
        tracing::error!(entity_type, %err, "an audit snapshot does not read as its record");
        AppError::Internal
    })
}

impl Replay {
    fn add(&mut self, entity_type: &str, json: &str) -> AppResult<()> {
        match entity_type {
            "Operator" => self.operators.push(parse(entity_type, json)?),
            "Carrier" => {
                let snapshot: CarrierSnapshot = parse(entity_type, json)?;
                self.industries
                    .extend(snapshot.leading_industries.into_iter().map(|industry| {
                        carrier_industry::Model {
                            carrier_id: snapshot.row.id,
                            industry,
                        }
                    }));
                // Before status was dated, the status known then was taken to
                // hold all along; the same reading here keeps old figures.
                let history = snapshot.status_history.unwrap_or_else(|| {
                    vec![carrier_status_change::Model {
                        carrier_id: snapshot.row.id,
                        effective_on: crate::domain::dates::EARLIEST,
                        status: snapshot.row.status.clone(),
                    }]
                });
                self.status_changes.extend(history);
                self.carriers.push(snapshot.row);
            }
            "SpacePhase" => self.phases.push(parse(entity_type, json)?),
            "LevelRecognition" => self.recognitions.push(parse(entity_type, json)?),
            "Enterprise" => self.enterprises.push(parse(entity_type, json)?),
            "Tenancy" => self.tenancies.push(parse(entity_type, json)?),
            "Platform" => self.platforms.push(parse(entity_type, json)?),
            "Fund" => {
                let snapshot: FundSnapshot = parse(entity_type, json)?;
                self.fund_links
                    .extend(snapshot.carrier_ids.into_iter().map(|carrier_id| {
                        fund_carrier::Model {
                            fund_id: snapshot.row.id,
                            carrier_id,
                        }
                    }));
                self.funds.push(snapshot.row);
            }
            "OperatingTeam" => self.teams.push(parse(entity_type, json)?),
            "Facility" => self.facilities.push(parse(entity_type, json)?),
            "Setting" => self.settings.push(parse(entity_type, json)?),
            _ => {}
        }
        Ok(())
    }

    async fn write(self, copy: &DatabaseConnection) -> AppResult<()> {
        copy_rows::<operator::Entity>(copy, self.operators).await?;
        copy_rows::<carrier::Entity>(copy, self.carriers).await?;
        copy_rows::<carrier_industry::Entity>(copy, self.industries).await?;
        copy_rows::<carrier_status_change::Entity>(copy, self.status_changes).await?;
        copy_rows::<space_phase::Entity>(copy, self.phases).await?;
        copy_rows::<level_recognition::Entity>(copy, self.recognitions).await?;
        copy_rows::<enterprise::Entity>(copy, self.enterprises).await?;
        copy_rows::<tenancy::Entity>(copy, self.tenancies).await?;
        copy_rows::<platform::Entity>(copy, self.platforms).await?;
        copy_rows::<fund::Entity>(copy, self.funds).await?;
        copy_rows::<fund_carrier::Entity>(copy, self.fund_links).await?;
        copy_rows::<operating_team::Entity>(copy, self.teams).await?;
        copy_rows::<facility::Entity>(copy, self.facilities).await?;
        copy_rows::<setting::Entity>(copy, self.settings).await
    }
}

/// Inserts `rows` as they are, ids included, in batches (no audit: for
/// copies and generated benchmark portfolios, not for writes of record).
pub async fn copy_rows<E>(copy: &DatabaseConnection, rows: Vec<E::Model>) -> AppResult<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<E::ActiveModel> = rows
            .by_ref()
            .take(BATCH)
            // Every field set, so the INSERT writes the row whole, id included.
            .map(|row| row.into_active_model().reset_all())
            .collect();
        E::insert_many(batch).exec_without_returning(copy).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn carrier_row(status: &str) -> carrier::Model {
        let at = Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap();
        carrier::Model {
            id: 7,
            name: "惠山众创空间".into(),
            kind: "MAKERSPACE".into(),
            status: status.into(),
            district_id: 1,
            operator_id: 1,
            address: "无锡市惠山区".into(),
            landmark: false,
            longitude: None,
            latitude: None,
            version: 1,
            created_at: at,
            updated_at: at,
            name_pinyin: None,
            workstations: None,
        }
    }

    #[test]
    fn a_carrier_event_from_before_dated_status_holds_its_status_all_along() {
        let event = serde_json::to_string(&carrier_row("OPERATING")).unwrap();
        let mut replay = Replay::default();
        replay.add("Carrier", &event).unwrap();
        assert_eq!(
            replay.status_changes,
            [carrier_status_change::Model {
                carrier_id: 7,
                effective_on: crate::domain::dates::EARLIEST,
                status: "OPERATING".into(),
            }]
        );
    }

    #[test]
    fn a_carrier_event_with_its_status_history_replays_that_history() {
        let mut event = serde_json::to_value(carrier_row("SUSPENDED")).unwrap();
        let history = [("2021-04-01", "OPERATING"), ("2025-01-01", "SUSPENDED")].map(
            |(effective_on, status)| carrier_status_change::Model {
                carrier_id: 7,
                effective_on: effective_on.parse::<NaiveDate>().unwrap(),
                status: status.into(),
            },
        );
        event["status_history"] = serde_json::to_value(&history).unwrap();
        let mut replay = Replay::default();
        replay.add("Carrier", &event.to_string()).unwrap();
        assert_eq!(replay.status_changes, history);
    }
}
