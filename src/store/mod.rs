//! Queries and transactions per aggregate, on sea-orm.
//!
//! Each write runs in one transaction and checks the row `version` it was
//! given, so a stale write changes nothing and reports CONFLICT.

pub mod annual_report;
pub mod application;
pub mod audit;
pub mod carrier;
pub mod compliance;
pub mod correction;
pub mod decode;
pub mod designation;
pub mod district;
pub mod enterprise;
pub mod goals;
pub mod inventory;
pub mod known;
pub mod lease;
pub mod occupancy;
pub mod operator;
pub mod outbox;
pub mod page;
pub mod period;
pub mod reach;
pub mod recognition;
pub mod setting;
pub mod space_phase;
pub mod spatial;
pub mod statistics;
pub mod support;
pub mod tenancy;
pub mod token;
pub mod torch;
pub mod webhook;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};

use crate::error::{AppError, AppResult};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, QueryFilter, QueryTrait,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// How much of an SQLite file reads may map into memory.
const SQLITE_MMAP_BYTES: u64 = 256 << 20;

/// Connections to an SQLite file: in WAL mode readers run side by side and
/// beside the one writer ([`begin_write`] queues writers for the lock).
const SQLITE_CONNECTIONS: u32 = 8;

/// Opens a pool on `url`. An SQLite file is created if missing and put in WAL
/// mode, so readers never wait for the writer. With `ZAITI_SQL_LOG` set, every
/// statement is logged (target `sqlx::query`) with its rows and time. Every
/// statement is counted for the metrics ([`observe_statements`]).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    // Every connection to an in-memory SQLite database is a database of its
    // own, so one connection serves it; a file gets several.
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if url.starts_with("sqlite:") && !in_memory {
        options.max_connections(SQLITE_CONNECTIONS);
    }
    options
        .sqlx_logging(std::env::var_os("ZAITI_SQL_LOG").is_some())
        .acquire_timeout(Duration::from_secs(10))
        .map_sqlx_sqlite_opts(|opts: SqliteConnectOptions| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Reads map the file instead of copying each page through a
                // system call: the figures on a date scan whole indexes.
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
        });
    let mut db = Database::connect(options).await?;
    observe_statements(&mut db, |_| {});
    Ok(db)
}

/// Counts every statement `db` executes for the metrics, then hands it to
/// `also`. A connection has one statement callback: whoever wants to see the
/// statements too (the tests count them) sets theirs here, not with
/// `set_metric_callback`, which would stop the counting.
pub fn observe_statements(
    db: &mut DatabaseConnection,
    also: impl Fn(&sea_orm::metric::Info<'_>) + Send + Sync + 'static,
) {
    db.set_metric_callback(move |info| {
        crate::telemetry::record_statement(info.failed);
        also(info);
    });
}

/// Begins a transaction that writes. On SQLite it takes the write lock at
/// once (`BEGIN IMMEDIATE`), waiting its turn behind another writer: a
/// transaction that read first and asked for the lock later would fail
/// outright if another connection had written in between.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Brings the schema up to date; safe to call on every start.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    fill_pinyin_keys(db).await
}

/// Fills the pinyin sort keys of names written before the key existed
/// (migration 30), once: later writes set them themselves. Derived data, so
/// neither versions nor the audit trail change.
async fn fill_pinyin_keys(db: &DatabaseConnection) -> Result<(), DbErr> {
    use entity::{carrier, enterprise, operator};
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect, TransactionTrait};
    macro_rules! fill {
        ($txn:expr, $module:ident) => {{
            let missing: Vec<(i32, String)> = $module::Entity::find()
                .select_only()
                .column($module::Column::Id)
                .column($module::Column::Name)
                .filter($module::Column::NamePinyin.is_null())
                .into_tuple()
                .all($txn)
                .await?;
            for (id, name) in missing {
                $module::Entity::update_many()
                    .col_expr(
                        $module::Column::NamePinyin,
                        sea_orm::sea_query::Expr::value(crate::domain::text::pinyin_key(&name)),
                    )
                    .filter($module::Column::Id.eq(id))
                    .exec($txn)
                    .await?;
            }
        }};
    }
    let txn = db.begin().await?;
    fill!(&txn, carrier);
    fill!(&txn, operator);
    fill!(&txn, enterprise);
    txn.commit().await
}

/// Most values bound in one `IN (…)`: under SQLite's limit of 32,766
/// parameters and PostgreSQL's of 65,535.
const MAX_BOUND_IDS: usize = 30_000;

/// Rows of `E` whose `column` is one of `ids`: the batch query behind every
/// loader, always one statement on PostgreSQL. There the ids travel as one
/// array parameter (`= ANY($1)`): a page's 2,000-key batch as 2,000 bound
/// values cost PostgreSQL a parse and bind of each, and zaiti a boxed value
/// each. SQLite has no arrays, so it gets `IN (…)`, split past its
/// parameter limit.
pub async fn rows_where_in<E: decode::Decode>(
    db: &DatabaseConnection,
    column: E::Column,
    ids: impl IntoIterator<Item = i32>,
) -> Result<Vec<E::Model>, DbErr> {
    let ids: Vec<i32> = ids.into_iter().collect();
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        let select = E::find()
            .filter(Expr::cust_with_exprs(
                "$1 = ANY(CAST($2 AS int4[]))",
                [column.into_expr(), Expr::val(int_array_literal(&ids))],
            ))
            .build(backend);
        let found = db.query_all_raw(select).await?;
        return found.iter().map(E::decode).collect();
    }
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_BOUND_IDS) {
        let select = E::find()
            .filter(column.is_in(chunk.iter().copied()))
            .build(backend);
        for row in db.query_all_raw(select).await? {
            rows.push(E::decode(&row)?);
        }
    }
    Ok(rows)
}

/// `{1,2,3}`: PostgreSQL's text form of an integer array.
fn int_array_literal(ids: &[i32]) -> String {
    use std::fmt::Write;
    let mut literal = String::with_capacity(2 + ids.len() * 8);
    literal.push('{');
    for (index, id) in ids.iter().enumerate() {
        if index > 0 {
            literal.push(',');
        }
        let _ = write!(literal, "{id}");
    }
    literal.push('}');
    literal
}

/// A table whose rows carry `id`, `version` and `updated_at`.
pub(crate) trait Versioned: EntityTrait {
    /// The name clients know the entity by, for messages.
    const NAME: &'static str;
    const ID: Self::Column;
    const VERSION: Self::Column;
    const UPDATED_AT: Self::Column;
}

macro_rules! versioned {
    ($($module:ident => $name:literal),+ $(,)?) => {$(
        impl Versioned for entity::$module::Entity {
            const NAME: &'static str = $name;
            const ID: Self::Column = entity::$module::Column::Id;
            const VERSION: Self::Column = entity::$module::Column::Version;
            const UPDATED_AT: Self::Column = entity::$module::Column::UpdatedAt;
        }
    )+};
}
versioned!(
    operator => "Operator", carrier => "Carrier", space_phase => "SpacePhase",
    level_recognition => "LevelRecognition", enterprise => "Enterprise", tenancy => "Tenancy",
    platform => "Platform", fund => "Fund", operating_team => "OperatingTeam", facility => "Facility",
    setting => "Setting", designation_request => "DesignationRequest",
    reporting_period => "ReportingPeriod", qualification => "Qualification",
    building => "Building", unit => "Unit",
    lease => "Lease",
    entry_application => "EntryApplication",
);
versioned!(annual_report => "AnnualReport");
versioned!(webhook => "Webhook");

/// CONFLICT unless row `id`, stored at version `stored`, is still at the
/// version `expected` the client read. Writes call it as soon as they have
/// the row (after access is checked), so a stale write is told so before any
/// other rule is judged.
pub(crate) fn check_version<E: Versioned>(id: i32, stored: i32, expected: i32) -> AppResult<()> {
    if stored == expected {
        return Ok(());
    }
    Err(AppError::conflict(
        format!(
            "{} {id} is at version {stored}, not {expected}: it changed since it was read; read it again and reapply the change",
            E::NAME
        ),
        format!(
            "该{}（编号 {id}）已被修改（当前版本 {stored}，提交的版本 {expected}），请重新读取后再提交",
            crate::error::entity_name_zh(E::NAME)
        ),
    ))
}

/// Writes `row` over row `id` if its version is still `expected` (the version
/// the client read), bumping the version; otherwise CONFLICT and nothing written.
/// `stored` is the version the transaction read; the guarded UPDATE also
/// catches a writer that committed in between.
pub(crate) async fn versioned_update<E, C>(
    txn: &C,
    mut row: E::ActiveModel,
    id: i32,
    stored: i32,
    expected: i32,
) -> AppResult<E::Model>
where
    E: Versioned,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    C: ConnectionTrait,
{
    check_version::<E>(id, stored, expected)?;
    row.set(E::VERSION, (expected + 1).into());
    row.set(E::UPDATED_AT, Utc::now().into());
    let result = E::update_many()
        .set(row)
        .filter(E::ID.eq(id))
        .filter(E::VERSION.eq(expected))
        .exec(txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::conflict(
            format!(
                "{} {id} was changed by another write at the same moment; read it again and reapply the change",
                E::NAME
            ),
            format!(
                "该{}（编号 {id}）同时被另一写入修改，请重新读取后再提交",
                crate::error::entity_name_zh(E::NAME)
            ),
        ));
    }
    E::find()
        .filter(E::ID.eq(id))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found(E::NAME, id))
}

/// Today's date in China Standard Time, the calendar the plan is dated in.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&crate::domain::dates::china_standard_time())
        .date_naive()
}

/// Escapes `%`, `_` and `\` so user text matches literally inside LIKE.
pub(crate) fn like_contains(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
