//! Webhook endpoints, their deliveries, and the worker's side of the
//! outbox: fanning events out into deliveries, claiming due deliveries, and
//! writing down each attempt.
//!
//! Several server processes may work one PostgreSQL database: a process
//! claims due deliveries with `FOR UPDATE SKIP LOCKED` and, in the same
//! transaction, pushes their next attempt past the time one attempt may take
//! (a lease), so no other process takes them meanwhile; a process that dies
//! mid-attempt leaves them to be taken again when the lease runs out (at
//! least once). Fan-out takes the events with a plain `FOR UPDATE`, so it runs
//! in one process at a time and deliveries are made in outbox order.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{outbox_event, webhook, webhook_delivery};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use strum::{AsRefStr, EnumString};

use super::audit::{self, Change, Operation};
use super::versioned_update;
use crate::domain::access::Actor;
use crate::error::{AppError, AppResult, stored};

/// Most endpoints a server keeps: each event is fanned out to every one.
pub const MAX_WEBHOOKS: u64 = 50;
/// Events fanned out in one transaction.
const FAN_OUT_BATCH: u64 = 100;
/// Delivery rows inserted in one statement (PostgreSQL takes at most 65,535 values).
const INSERT_CHUNK: usize = 1000;
/// Rows deleted in one statement when pruning, so no statement holds locks long.
const PRUNE_BATCH: u64 = 1000;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsRefStr, EnumString)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Not yet delivered; attempted again when due.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed until the retry window closed; replay sends it again.
    Failed,
}

/// A new endpoint, validated.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub event_types: Vec<String>,
    pub secret: String,
    pub description: Option<String>,
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    pub paused: Option<bool>,
}

/// The event types an endpoint subscribes to.
pub fn event_types(row: &webhook::Model) -> Vec<String> {
    row.event_types
        .split(',')
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

fn subscribed(row: &webhook::Model, event_type: &str) -> bool {
    row.event_types.split(',').any(|name| name == event_type)
}

/// An endpoint as the audit trail keeps it: never its secret.
fn change(before: Option<&webhook::Model>, after: &webhook::Model) -> Change {
    let snapshot = |row: &webhook::Model| {
        serde_json::json!({
            "id": row.id,
            "url": row.url,
            "event_types": event_types(row),
            "description": row.description,
            "paused": row.paused,
            "version": row.version,
        })
    };
    Change {
        entity_type: "Webhook",
        entity_id: after.id,
        operator_id: None,
        former_operator_id: None,
        before: before.map(snapshot),
        after: Some(snapshot(after)),
    }
}

#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewWebhook,
) -> AppResult<webhook::Model> {
    let txn = super::begin_write(db).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // The cap spans rows: simultaneous creations take turns to count.
        // (SQLite's write transactions already do.)
        txn.execute_unprepared("LOCK TABLE webhook IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    let existing = webhook::Entity::find().count(&txn).await?;
    if existing >= MAX_WEBHOOKS {
        return Err(AppError::conflict(
            format!("this server keeps at most {MAX_WEBHOOKS} webhooks; delete one first"),
            format!("本服务器最多保存 {MAX_WEBHOOKS} 个 Webhook，请先删除不用的"),
        ));
    }
    if existing == 0 {
        // Events of before the first endpoint were never fanned out (nobody
        // was listening); the new endpoint hears of changes from now on.
        outbox_event::Entity::update_many()
            .col_expr(outbox_event::Column::FannedOut, Expr::value(true))
            .filter(outbox_event::Column::FannedOut.eq(false))
            .exec(&txn)
            .await?;
    }
    let now = Utc::now();
    let row = webhook::ActiveModel {
        url: Set(new.url),
        event_types: Set(new.event_types.join(",")),
        secret: Set(new.secret),
        description: Set(new.description),
        paused: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = webhook::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    audit::record(&txn, actor, Operation::Create, change(None, &model)).await?;
    txn.commit().await?;
    Ok(model)
}

/// Every endpoint, oldest first (at most [`MAX_WEBHOOKS`]).
pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<webhook::Model>> {
    Ok(webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .limit(MAX_WEBHOOKS)
        .all(db)
        .await?)
}

pub async fn by_id(db: &DatabaseConnection, id: i32) -> AppResult<webhook::Model> {
    webhook::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Webhook", id))
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    patch: WebhookPatch,
) -> AppResult<webhook::Model> {
    let txn = super::begin_write(db).await?;
    let current = webhook::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Webhook", id))?;
    let mut row = current.clone().into_active_model();
    if let Some(url) = patch.url {
        row.url = Set(url);
    }
    if let Some(types) = patch.event_types {
        row.event_types = Set(types.join(","));
    }
    if let Some(description) = patch.description {
        row.description = Set(description);
    }
    if let Some(paused) = patch.paused {
        row.paused = Set(paused);
    }
    let model =
        versioned_update::<webhook::Entity, _>(&txn, row, id, current.version, version).await?;
    audit::record(
        &txn,
        actor,
        Operation::Update,
        change(Some(&current), &model),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Deletes an endpoint and its deliveries.
#[tracing::instrument(skip_all)]
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    let current = webhook::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Webhook", id))?;
    super::check_version::<webhook::Entity>(id, current.version, version)?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WebhookId.eq(id))
        .exec(&txn)
        .await?;
    let deleted = webhook::Entity::delete_many()
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::conflict(
            format!("Webhook {id} was changed by another write at the same moment; read it again"),
            format!("该 Webhook（编号 {id}）同时被另一写入修改，请重新读取后再提交"),
        ));
    }
    let mut change = change(None, &current);
    (change.before, change.after) = (change.after, None);
    audit::record(&txn, actor, Operation::Delete, change).await?;
    txn.commit().await?;
    Ok(())
}

/// A delivery with the event it carries.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub row: webhook_delivery::Model,
    pub event: outbox_event::Model,
}

/// Which deliveries to list.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryFilter {
    pub webhook_id: i32,
    pub status: Option<DeliveryStatus>,
}

impl DeliveryFilter {
    fn apply<S: QueryFilter>(&self, select: S) -> S {
        let select = select.filter(webhook_delivery::Column::WebhookId.eq(self.webhook_id));
        match self.status {
            Some(status) => select.filter(webhook_delivery::Column::Status.eq(status.as_ref())),
            None => select,
        }
    }
}

/// An endpoint's deliveries matching `filter`, newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    filter: DeliveryFilter,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<Delivery>> {
    let rows = filter
        .apply(webhook_delivery::Entity::find())
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    with_events(db, rows).await
}

pub async fn count_deliveries(db: &DatabaseConnection, filter: DeliveryFilter) -> AppResult<u64> {
    Ok(filter
        .apply(webhook_delivery::Entity::find())
        .count(db)
        .await?)
}

async fn with_events<C: ConnectionTrait>(
    db: &C,
    rows: Vec<webhook_delivery::Model>,
) -> AppResult<Vec<Delivery>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.outbox_event_id).collect();
    let events: HashMap<i64, outbox_event::Model> = outbox_event::Entity::find()
        .filter(outbox_event::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|event| (event.id, event))
        .collect();
    rows.into_iter()
        .map(|row| {
            let event = events.get(&row.outbox_event_id).cloned().ok_or_else(|| {
                tracing::error!(delivery = row.id, "a delivery's outbox event is missing");
                AppError::Internal
            })?;
            Ok(Delivery { row, event })
        })
        .collect()
}

/// Sends a FAILED or DELIVERED delivery again: PENDING, due now, with a
/// fresh retry window as long as its first. A PENDING one gets CONFLICT.
#[tracing::instrument(skip_all)]
pub async fn replay(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Delivery> {
    let txn = super::begin_write(db).await?;
    let current = webhook_delivery::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("WebhookDelivery", id))?;
    let status: DeliveryStatus = stored("webhook_delivery.status", &current.status)?;
    if status == DeliveryStatus::Pending {
        return Err(AppError::conflict(
            format!("delivery {id} is still pending: it is sent when due"),
            format!("投递记录 {id} 尚在等待投递，到期即会发送"),
        ));
    }
    let replayed = replay_rows(&txn, vec![current.clone()]).await?;
    let snapshot = |status: &str| serde_json::json!({ "id": id, "webhook_id": current.webhook_id, "status": status });
    let change = Change {
        entity_type: "WebhookDelivery",
        entity_id: i32::try_from(id).unwrap_or(i32::MAX),
        operator_id: None,
        former_operator_id: None,
        before: Some(snapshot(&current.status)),
        after: Some(snapshot(DeliveryStatus::Pending.as_ref())),
    };
    audit::record_with_reason(
        &txn,
        actor,
        Operation::Update,
        change,
        Some("replay".into()),
    )
    .await?;
    let row = replayed.into_iter().next().ok_or(AppError::Internal)?;
    let delivery = with_events(&txn, vec![row])
        .await?
        .pop()
        .ok_or(AppError::Internal)?;
    txn.commit().await?;
    Ok(delivery)
}

/// Sends every FAILED delivery of endpoint `webhook_id` again; how many.
#[tracing::instrument(skip_all)]
pub async fn replay_failed(
    db: &DatabaseConnection,
    actor: &Actor,
    webhook_id: i32,
) -> AppResult<u64> {
    let txn = super::begin_write(db).await?;
    let webhook = webhook::Entity::find_by_id(webhook_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Webhook", webhook_id))?;
    let failed = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(webhook_id))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Failed.as_ref()))
        .all(&txn)
        .await?;
    let count = failed.len() as u64;
    if count > 0 {
        replay_rows(&txn, failed).await?;
        audit::record_with_reason(
            &txn,
            actor,
            Operation::Update,
            change(Some(&webhook), &webhook),
            Some(format!("replay of {count} failed deliveries")),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(count)
}

async fn replay_rows<C: ConnectionTrait>(
    txn: &C,
    rows: Vec<webhook_delivery::Model>,
) -> AppResult<Vec<webhook_delivery::Model>> {
    let now = Utc::now();
    let mut replayed = Vec::with_capacity(rows.len());
    for current in rows {
        let window = current.give_up_at - current.created_at;
        let mut row = current.into_active_model();
        row.status = Set(DeliveryStatus::Pending.as_ref().to_owned());
        row.attempts = Set(0);
        row.next_attempt_at = Set(now);
        row.give_up_at = Set(now + window);
        row.delivered_at = Set(None);
        row.created_at = Set(now);
        replayed.push(webhook_delivery::Entity::update(row).exec(txn).await?);
    }
    Ok(replayed)
}

/// Deliveries not yet made (PENDING) and given up on (FAILED), over every
/// endpoint: the backlog `/metrics` shows.
pub async fn backlog(db: &DatabaseConnection) -> AppResult<(u64, u64)> {
    let count = |status: DeliveryStatus| {
        webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq(status.as_ref()))
            .count(db)
    };
    Ok((
        count(DeliveryStatus::Pending).await?,
        count(DeliveryStatus::Failed).await?,
    ))
}

// ---------------------------------------------------------------------------
// The worker's side
// ---------------------------------------------------------------------------

/// Deletes what is older than `cutoff` and needed no more: DELIVERED
/// deliveries, then outbox events already fanned out that no delivery names
/// (a PENDING or FAILED delivery keeps its event). How many rows in all.
///
/// Safe beside the other workers and the live-update readers: an event is
/// fanned out within moments of its commit and read by every process within
/// a second, and pruning takes only what is older than the retention.
pub async fn prune(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> AppResult<u64> {
    use entity::outbox_event::Column as E;
    use entity::webhook_delivery::Column as D;
    let delivered = Query::select()
        .column(D::Id)
        .from(webhook_delivery::Entity)
        .and_where(Expr::col(D::Status).eq(DeliveryStatus::Delivered.as_ref()))
        .and_where(Expr::col(D::DeliveredAt).lt(cutoff))
        .to_owned();
    let named = Query::select()
        .expr(Expr::val(1))
        .from(webhook_delivery::Entity)
        .and_where(
            Expr::col((webhook_delivery::Entity, D::OutboxEventId))
                .equals((outbox_event::Entity, E::Id)),
        )
        .to_owned();
    let spent = Query::select()
        .column(E::Id)
        .from(outbox_event::Entity)
        .and_where(Expr::col(E::FannedOut).eq(true))
        .and_where(Expr::col(E::OccurredAt).lt(cutoff))
        .and_where(Expr::exists(named).not())
        .to_owned();
    Ok(
        delete_in_batches::<webhook_delivery::Entity>(db, D::Id, delivered).await?
            + delete_in_batches::<outbox_event::Entity>(db, E::Id, spent).await?,
    )
}

/// Deletes the rows of `E` whose `id` the query `ids` selects, [`PRUNE_BATCH`]
/// at a time, until none is left; how many.
async fn delete_in_batches<E: EntityTrait>(
    db: &DatabaseConnection,
    id: E::Column,
    ids: SelectStatement,
) -> AppResult<u64> {
    let mut deleted = 0;
    loop {
        let batch = ids.clone().limit(PRUNE_BATCH).to_owned();
        let rows = E::delete_many()
            .filter(id.in_subquery(batch))
            .exec(db)
            .await?
            .rows_affected;
        deleted += rows;
        if rows < PRUNE_BATCH {
            return Ok(deleted);
        }
    }
}

/// Makes the deliveries of the oldest events not yet fanned out, one per
/// event and endpoint subscribed to its type, each to be given up after
/// `retry_window`; how many events were fanned out.
pub async fn fan_out(db: &DatabaseConnection, retry_window: Duration) -> AppResult<usize> {
    // A plain read first: most wake-ups find nothing, and this takes no write lock.
    let waiting = outbox_event::Entity::find()
        .filter(outbox_event::Column::FannedOut.eq(false))
        .limit(1)
        .all(db)
        .await?;
    // Without endpoints the events stay: an endpoint created later starts
    // after them (see [`create`]), and no write lock is taken for nothing.
    if waiting.is_empty() || webhook::Entity::find().count(db).await? == 0 {
        return Ok(0);
    }
    let txn = super::begin_write(db).await?;
    let mut select = outbox_event::Entity::find()
        .filter(outbox_event::Column::FannedOut.eq(false))
        .order_by_asc(outbox_event::Column::Id)
        .limit(FAN_OUT_BATCH);
    if db.get_database_backend() == DbBackend::Postgres {
        // Not SKIP LOCKED: a second process waits, so events fan out in order.
        select = select.lock_exclusive();
    }
    let events = select.all(&txn).await?;
    if events.is_empty() {
        return Ok(0);
    }
    let hooks = webhook::Entity::find().all(&txn).await?;
    let now = Utc::now();
    let give_up_at =
        now + chrono::Duration::from_std(retry_window).unwrap_or(chrono::Duration::MAX);
    let rows: Vec<webhook_delivery::ActiveModel> = events
        .iter()
        .flat_map(|event| {
            hooks
                .iter()
                .filter(|hook| subscribed(hook, &event.event_type))
                .map(move |hook| webhook_delivery::ActiveModel {
                    webhook_id: Set(hook.id),
                    outbox_event_id: Set(event.id),
                    entity_type: Set(event.entity_type.clone()),
                    entity_id: Set(event.entity_id),
                    status: Set(DeliveryStatus::Pending.as_ref().to_owned()),
                    attempts: Set(0),
                    next_attempt_at: Set(now),
                    give_up_at: Set(give_up_at),
                    created_at: Set(now),
                    ..Default::default()
                })
        })
        .collect();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(INSERT_CHUNK).collect();
        webhook_delivery::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    webhook_delivery::Column::WebhookId,
                    webhook_delivery::Column::OutboxEventId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    outbox_event::Entity::update_many()
        .col_expr(outbox_event::Column::FannedOut, Expr::value(true))
        .filter(outbox_event::Column::Id.is_in(events.iter().map(|event| event.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(events.len())
}

/// A delivery claimed for one attempt, with its endpoint and event.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: webhook_delivery::Model,
    pub webhook: webhook::Model,
    pub event: outbox_event::Model,
}

/// Claims up to `batch` due deliveries of endpoints not paused, none of them
/// behind an earlier undelivered (PENDING) delivery of the same record to the
/// same endpoint, for one attempt each: counts the attempt and pushes the
/// next one `lease` ahead, so that no one else takes them while it runs.
pub async fn claim(
    db: &DatabaseConnection,
    lease: Duration,
    batch: u64,
) -> AppResult<Vec<Claimed>> {
    use webhook_delivery::Column;
    let now = Utc::now();
    let earlier = Alias::new("earlier");
    let outer = webhook_delivery::Entity;
    let earlier_pending = Query::select()
        .expr(Expr::val(1))
        .from_as(webhook_delivery::Entity, earlier.clone())
        .and_where(
            Expr::col((earlier.clone(), Column::WebhookId)).equals((outer, Column::WebhookId)),
        )
        .and_where(
            Expr::col((earlier.clone(), Column::EntityType)).equals((outer, Column::EntityType)),
        )
        .and_where(Expr::col((earlier.clone(), Column::EntityId)).equals((outer, Column::EntityId)))
        .and_where(
            Expr::col((earlier.clone(), Column::Status)).eq(DeliveryStatus::Pending.as_ref()),
        )
        .and_where(
            Expr::col((earlier, Column::OutboxEventId))
                .lt(Expr::col((outer, Column::OutboxEventId))),
        )
        .to_owned();
    let active = Query::select()
        .column(webhook::Column::Id)
        .from(webhook::Entity)
        .and_where(Expr::col(webhook::Column::Paused).eq(false))
        .to_owned();
    let mut select = webhook_delivery::Entity::find()
        .filter(Column::Status.eq(DeliveryStatus::Pending.as_ref()))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(Column::WebhookId.in_subquery(active))
        .filter(Expr::exists(earlier_pending).not())
        .order_by_asc(Column::Id)
        .limit(batch);
    let txn = if db.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        );
        db.begin().await?
    } else {
        // SQLite (one process): look first, so that an idle wake-up takes no
        // write lock; then take it at once and look again.
        if select.clone().all(db).await?.is_empty() {
            return Ok(Vec::new());
        }
        super::begin_write(db).await?
    };
    let rows = select.all(&txn).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let leased_until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    webhook_delivery::Entity::update_many()
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::NextAttemptAt, Expr::value(leased_until))
        .filter(Column::Id.is_in(rows.iter().map(|row| row.id)))
        .exec(&txn)
        .await?;
    let hooks: HashMap<i32, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(rows.iter().map(|row| row.webhook_id)))
        .all(&txn)
        .await?
        .into_iter()
        .map(|hook| (hook.id, hook))
        .collect();
    let claimed = with_events(&txn, rows)
        .await?
        .into_iter()
        .filter_map(|Delivery { mut row, event }| {
            row.attempts += 1;
            row.next_attempt_at = leased_until;
            let webhook = hooks.get(&row.webhook_id)?.clone();
            Some(Claimed {
                delivery: row,
                webhook,
                event,
            })
        })
        .collect();
    txn.commit().await?;
    Ok(claimed)
}

/// How one attempt ended.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The HTTP status, if the endpoint answered.
    pub response_code: Option<u16>,
    /// Why it failed; `None` for a 2xx answer.
    pub error: Option<String>,
    pub latency: Duration,
}

/// Writes down attempt `claimed` made: DELIVERED on success; otherwise
/// PENDING again after `retry_after`, or FAILED once its retry window closed.
/// Nothing changes if the delivery moved on meanwhile (replayed, deleted, or
/// taken again after the lease ran out).
pub async fn record_attempt(
    db: &DatabaseConnection,
    claimed: &webhook_delivery::Model,
    attempt: Attempt,
    retry_after: Duration,
) -> AppResult<DeliveryStatus> {
    use webhook_delivery::Column;
    let now = Utc::now();
    let latency = i32::try_from(attempt.latency.as_millis()).unwrap_or(i32::MAX);
    let status = match (&attempt.error, now >= claimed.give_up_at) {
        (None, _) => DeliveryStatus::Delivered,
        (Some(_), true) => DeliveryStatus::Failed,
        (Some(_), false) => DeliveryStatus::Pending,
    };
    let next = now + chrono::Duration::from_std(retry_after).unwrap_or(chrono::Duration::MAX);
    let mut update = webhook_delivery::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status.as_ref()))
        .col_expr(
            Column::LastResponseCode,
            Expr::value(attempt.response_code.map(i32::from)),
        )
        .col_expr(Column::LatencyMs, Expr::value(latency))
        .col_expr(Column::LastError, Expr::value(attempt.error.clone()));
    update = match status {
        DeliveryStatus::Delivered => update.col_expr(Column::DeliveredAt, Expr::value(now)),
        DeliveryStatus::Pending => update.col_expr(Column::NextAttemptAt, Expr::value(next)),
        DeliveryStatus::Failed => update,
    };
    update
        .filter(Column::Id.eq(claimed.id))
        .filter(Column::Status.eq(DeliveryStatus::Pending.as_ref()))
        .filter(Column::Attempts.eq(claimed.attempts))
        .exec(db)
        .await?;
    Ok(status)
}

/// When the next delivery not in flight falls due, if any is waiting:
/// the worker sleeps until then (or until woken).
pub async fn next_due(db: &DatabaseConnection) -> AppResult<Option<DateTime<Utc>>> {
    use webhook_delivery::Column;
    let next = webhook_delivery::Entity::find()
        .select_only()
        .column(Column::NextAttemptAt)
        .filter(Column::Status.eq(DeliveryStatus::Pending.as_ref()))
        .filter(Column::NextAttemptAt.gt(Utc::now()))
        .order_by_asc(Column::NextAttemptAt)
        .limit(1)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    Ok(next)
}
