//! The outbox read in commit order, for live updates ([`crate::events`]).
//!
//! Row ids are taken at insert, not at commit. On PostgreSQL a transaction
//! that took id 10 may commit after one that took id 11, so a reader that
//! remembers "everything up to 11" would never see 10. Each row therefore
//! carries the id of the transaction that wrote it (`tx_id`, set by the
//! database), and rows are read in `(tx_id, id)` order. A row whose
//! transaction is older than every transaction still running is
//! [`Tailed::settled`]: no row can appear before it any more, so a reader
//! may move its [`Cursor`] past it. Rows of younger transactions that have
//! committed are read too, but the cursor stays behind them.
//!
//! SQLite runs one writer at a time and takes ids under its lock, so ids
//! follow commits there and every row is settled.

use sea_orm::{DatabaseConnection, DbBackend, DbErr, FromQueryResult, Statement};

/// Where a reader of the outbox stands: every settled row at or before it
/// has been read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    pub tx_id: i64,
    pub id: i64,
}

/// An outbox row, as live updates need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tailed {
    pub id: i64,
    /// Where the row stands in commit order.
    pub position: Cursor,
    /// No row can appear before this one any more.
    pub settled: bool,
    /// The API type of the changed record, e.g. `Tenancy`.
    pub entity_type: String,
    pub entity_id: i32,
    /// The carrier the record is or belongs to.
    pub carrier_id: Option<i32>,
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    tx_id: Option<i64>,
    entity_type: String,
    entity_id: i32,
    carrier_id: Option<i32>,
}

/// One number a statement answers, named `value`.
#[derive(FromQueryResult)]
struct Scalar {
    value: i64,
}

/// The end of the outbox now: a reader starting here reads what commits from now on.
pub async fn end(db: &DatabaseConnection) -> Result<Cursor, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            // Transactions older than the horizon have ended; rows of those
            // still running, or starting later, sort after this cursor.
            let horizon = horizon(db).await?;
            Ok(Cursor {
                tx_id: horizon - 1,
                id: i64::MAX,
            })
        }
        _ => {
            let statement = Statement::from_string(
                db.get_database_backend(),
                "SELECT COALESCE(MAX(id), 0) AS value FROM outbox_event",
            );
            let last = Scalar::find_by_statement(statement).one(db).await?;
            Ok(Cursor {
                tx_id: 0,
                id: last.map_or(0, |last| last.value),
            })
        }
    }
}

/// Up to `limit` rows after `cursor`, in commit order.
pub async fn after(
    db: &DatabaseConnection,
    cursor: Cursor,
    limit: i64,
) -> Result<Vec<Tailed>, DbErr> {
    let backend = db.get_database_backend();
    let (horizon, statement) = match backend {
        DbBackend::Postgres => {
            // The horizon is read first, in a statement of its own: every
            // transaction below it had ended before the rows' statement
            // began, so all of its rows are visible to that statement.
            let horizon = horizon(db).await?;
            let statement = Statement::from_sql_and_values(
                backend,
                "SELECT id, tx_id, entity_type, entity_id, carrier_id FROM outbox_event \
                 WHERE (tx_id, id) > ($1, $2) ORDER BY tx_id, id LIMIT $3",
                [cursor.tx_id.into(), cursor.id.into(), limit.into()],
            );
            (horizon, statement)
        }
        _ => {
            let statement = Statement::from_sql_and_values(
                backend,
                "SELECT id, tx_id, entity_type, entity_id, carrier_id FROM outbox_event \
                 WHERE id > ? ORDER BY id LIMIT ?",
                [cursor.id.into(), limit.into()],
            );
            (i64::MAX, statement)
        }
    };
    let rows = Row::find_by_statement(statement).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let tx_id = row.tx_id.unwrap_or(0);
            Tailed {
                id: row.id,
                position: Cursor { tx_id, id: row.id },
                settled: tx_id < horizon,
                entity_type: row.entity_type,
                entity_id: row.entity_id,
                carrier_id: row.carrier_id,
            }
        })
        .collect())
}

/// The oldest transaction still running (or the next to start, if none).
async fn horizon(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let statement = Statement::from_string(
        DbBackend::Postgres,
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS value",
    );
    let row = Scalar::find_by_statement(statement)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("pg_current_snapshot".into()))?;
    Ok(row.value)
}
