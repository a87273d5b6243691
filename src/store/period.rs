//! Reporting periods (报告期): closing a year stores the figures reported for
//! it; the live figures for its last day are then compared with them.

use chrono::{DateTime, NaiveDate, Utc};
use entity::audit_event;
use entity::reporting_period::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use strum::IntoEnumIterator;

use super::audit::{self, Change, Operation};
use super::{check_version, versioned_update};
use crate::domain::access::Actor;
use crate::domain::goals::{TargetCode, contributions};
use crate::domain::period::{PeriodStatus, ReportedTarget, by_carrier, closable_end, torch_cells};
use crate::domain::torch::render_csv;
use crate::error::{AppError, AppResult, stored};

const NAME: &str = "ReportingPeriod";

/// Every target's figure on `as_of` as the records stand now, with its parts by carrier.
pub async fn figures_on(
    db: &DatabaseConnection,
    as_of: NaiveDate,
) -> AppResult<Vec<ReportedTarget>> {
    let targets = super::goals::targets(db).await?.value;
    let facts = super::goals::facts(db, &targets, as_of).await?;
    Ok(TargetCode::iter()
        .map(|code| {
            let parts = contributions(code, &facts, &targets, as_of);
            ReportedTarget {
                code: code.as_ref().to_owned(),
                actual: parts.iter().map(|part| part.value).sum(),
                by_carrier: by_carrier(&parts),
            }
        })
        .collect())
}

/// Closes reporting year `year` (ADMIN; the caller's guard checks the role):
/// stores every target's figure on December 31 and the year's 火炬统计, as
/// the records stand at this moment. A year already closed gets CONFLICT; a
/// reopened one is closed again with fresh figures.
#[tracing::instrument(skip_all)]
pub async fn close(
    db: &DatabaseConnection,
    actor: &Actor,
    year: i32,
    note: Option<String>,
) -> AppResult<reporting_period::Model> {
    let period_end = closable_end(year, super::today())?;
    let existing = by_year(db, year).await?;
    if let Some(period) = &existing {
        refuse_if_closed(period)?;
    }
    // The moment of knowledge of the figures: taken before they are read, so
    // that `knownAt` at this moment gives them too. A whole second, waited
    // for, because the API shows moments to the second: `closedAt` read back
    // as `knownAt` then covers every change the figures include.
    let closed_at = next_whole_second(Utc::now());
    if let Ok(wait) = (closed_at - Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
    let figures = figures_on(db, period_end).await?;
    let figures = serde_json::to_string(&figures).map_err(|err| {
        tracing::error!(%err, "reported figures do not serialise");
        AppError::Internal
    })?;
    let torch = super::torch::statistics(db, year).await?;
    let torch_csv = render_csv(&torch.rows);
    let torch_rows = serde_json::to_string(&torch_cells(&torch.rows)).map_err(|err| {
        tracing::error!(%err, "reported Torch cells do not serialise");
        AppError::Internal
    })?;

    let txn = super::begin_write(db).await?;
    let now = Utc::now();
    let model = match existing {
        None => {
            let row = reporting_period::ActiveModel {
                year: Set(year),
                period_end: Set(period_end),
                status: Set(PeriodStatus::Closed.as_ref().to_owned()),
                figures: Set(figures),
                torch_csv: Set(torch_csv),
                torch_rows: Set(Some(torch_rows)),
                note: Set(note),
                closed_by: Set(actor.name.clone()),
                closed_at: Set(closed_at),
                reopened_by: Set(None),
                reopened_at: Set(None),
                reopen_reason: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            // Two closings at once: the unique year makes the second a CONFLICT.
            let model = reporting_period::Entity::insert(row)
                .exec_with_returning(&txn)
                .await?;
            let change = Change::created(NAME, model.id, None, &model)?;
            audit::record(&txn, actor, Operation::Create, change).await?;
            model
        }
        Some(before) => {
            let mut row = before.clone().into_active_model();
            row.status = Set(PeriodStatus::Closed.as_ref().to_owned());
            row.figures = Set(figures);
            row.torch_csv = Set(torch_csv);
            row.torch_rows = Set(Some(torch_rows));
            row.note = Set(note);
            row.closed_by = Set(actor.name.clone());
            row.closed_at = Set(closed_at);
            let model = versioned_update::<reporting_period::Entity, _>(
                &txn,
                row,
                before.id,
                before.version,
                before.version,
            )
            .await?;
            let change = Change::updated(NAME, model.id, None, &before, &model)?;
            audit::record(&txn, actor, Operation::Update, change).await?;
            model
        }
    };
    txn.commit().await?;
    Ok(model)
}

/// Reopens closed year `year`, read at `version`, for `reason` (ADMIN):
/// its figures stay stored until it is closed again. Audited with the reason.
#[tracing::instrument(skip_all)]
pub async fn reopen(
    db: &DatabaseConnection,
    actor: &Actor,
    year: i32,
    version: i32,
    reason: String,
) -> AppResult<reporting_period::Model> {
    let txn = super::begin_write(db).await?;
    let before = reporting_period::Entity::find()
        .filter(Column::Year.eq(year))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found(NAME, year))?;
    check_version::<reporting_period::Entity>(before.id, before.version, version)?;
    let status: PeriodStatus = stored("reporting_period.status", &before.status)?;
    if status != PeriodStatus::Closed {
        return Err(AppError::conflict(
            format!("{year} is not closed"),
            format!("{year}年度尚未关账"),
        ));
    }
    let mut row = before.clone().into_active_model();
    row.status = Set(PeriodStatus::Reopened.as_ref().to_owned());
    row.reopened_by = Set(Some(actor.name.clone()));
    row.reopened_at = Set(Some(Utc::now()));
    row.reopen_reason = Set(Some(reason.clone()));
    let model = versioned_update::<reporting_period::Entity, _>(
        &txn,
        row,
        before.id,
        before.version,
        version,
    )
    .await?;
    let change = Change::updated(NAME, model.id, None, &before, &model)?;
    audit::record_with_reason(&txn, actor, Operation::Update, change, Some(reason)).await?;
    txn.commit().await?;
    Ok(model)
}

/// The first whole second after `moment`.
fn next_whole_second(moment: DateTime<Utc>) -> DateTime<Utc> {
    let whole = moment.timestamp() + 1;
    DateTime::from_timestamp(whole, 0).unwrap_or(moment)
}

fn refuse_if_closed(period: &reporting_period::Model) -> AppResult<()> {
    let status: PeriodStatus = stored("reporting_period.status", &period.status)?;
    if status == PeriodStatus::Closed {
        return Err(AppError::conflict(
            format!(
                "{} is already closed; reopen it (with a reason) to close it again",
                period.year
            ),
            format!(
                "{}年度已关账；如需重新关账，请先说明理由重新开启",
                period.year
            ),
        ));
    }
    Ok(())
}

/// The period of `year`, closed or reopened. One SQL statement.
pub async fn by_year(
    db: &DatabaseConnection,
    year: i32,
) -> AppResult<Option<reporting_period::Model>> {
    Ok(reporting_period::Entity::find()
        .filter(Column::Year.eq(year))
        .one(db)
        .await?)
}

/// The closed period whose figures were taken on `date`, if any. One SQL statement.
pub async fn closed_on(
    db: &DatabaseConnection,
    date: NaiveDate,
) -> AppResult<Option<reporting_period::Model>> {
    Ok(reporting_period::Entity::find()
        .filter(Column::PeriodEnd.eq(date))
        .filter(Column::Status.eq(PeriodStatus::Closed.as_ref()))
        .one(db)
        .await?)
}

/// Period `id`. One SQL statement.
pub async fn by_id(db: &DatabaseConnection, id: i32) -> AppResult<Option<reporting_period::Model>> {
    Ok(reporting_period::Entity::find_by_id(id).one(db).await?)
}

/// Every period, latest year first. One SQL statement.
pub async fn all(db: &DatabaseConnection) -> AppResult<Vec<reporting_period::Model>> {
    Ok(reporting_period::Entity::find()
        .order_by_desc(Column::Year)
        .all(db)
        .await?)
}

/// Record types whose changes move a target's figure.
pub const GOAL_RECORDS: &[&str] = &[
    "Carrier",
    "SpacePhase",
    "LevelRecognition",
    "Tenancy",
    "Platform",
    "OperatingTeam",
    "Facility",
];

/// Record types whose changes move a 火炬统计 indicator: those of the goals,
/// and the funds (孵化基金规模).
pub const TORCH_RECORDS: &[&str] = &[
    "Carrier",
    "SpacePhase",
    "LevelRecognition",
    "Tenancy",
    "Platform",
    "OperatingTeam",
    "Facility",
    "Fund",
];

/// Most events read when looking for the causes of a restatement.
const MAX_EVENTS_SCANNED: u64 = 5_000;

/// What a restatement's causes are looked for in.
pub struct CauseFilter<'a> {
    /// Record types whose changes count.
    pub record_types: &'a [&'a str],
    /// Carriers whose records count.
    pub carrier_ids: &'a [i32],
    /// Whether changes to enterprises count too.
    pub enterprises: bool,
}

/// The changes since `since` to records of `filter`: what restated a closed
/// figure. Newest first, at most `limit`; of operator `scope`'s records
/// only, when given.
pub async fn changes_since(
    db: &DatabaseConnection,
    since: DateTime<Utc>,
    filter: CauseFilter<'_>,
    scope: Option<i32>,
    limit: usize,
) -> AppResult<Vec<audit_event::Model>> {
    let mut types: Vec<&str> = filter.record_types.to_vec();
    if filter.enterprises {
        types.push("Enterprise");
    }
    let mut select = audit_event::Entity::find()
        .filter(audit_event::Column::OccurredAt.gt(since))
        .filter(audit_event::Column::EntityType.is_in(types));
    if let Some(operator) = scope {
        select = select.filter(audit_event::Column::OperatorId.eq(operator));
    }
    let events = select
        .order_by_desc(audit_event::Column::Id)
        .limit(MAX_EVENTS_SCANNED)
        .all(db)
        .await?;
    Ok(events
        .into_iter()
        .filter(|event| {
            event.entity_type == "Enterprise" && filter.enterprises
                || carriers_of_event(event)
                    .iter()
                    .any(|id| filter.carrier_ids.contains(id))
        })
        .take(limit)
        .collect())
}

/// The carriers an event's record belongs to, from its snapshot: its
/// `carrier_id`, or a fund's `carrier_ids`.
fn carriers_of_event(event: &audit_event::Model) -> Vec<i32> {
    if event.entity_type == "Carrier" {
        return vec![event.entity_id];
    }
    let Some(snapshot) = event.after.as_deref().or(event.before.as_deref()) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(snapshot) else {
        return Vec::new();
    };
    let id = |value: &serde_json::Value| value.as_i64().and_then(|id| i32::try_from(id).ok());
    match (value.get("carrier_id"), value.get("carrier_ids")) {
        (Some(one), _) => id(one).into_iter().collect(),
        (None, Some(serde_json::Value::Array(many))) => many.iter().filter_map(id).collect(),
        _ => Vec::new(),
    }
}
