//! What operations see of a running server: Prometheus metrics (rendered by
//! `GET /metrics`), request ids, and OpenTelemetry traces (see [`otlp`]).
//!
//! Metrics go through the `metrics` facade into one process-wide Prometheus
//! recorder, so any part of the server can count or gauge without a handle
//! passed to it (`metrics::gauge!("zaiti_…").set(…)`); the names it records
//! are listed here, each with its labels, and in the README.

pub mod labels;
pub mod otlp;
pub mod request;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseConnection;

use self::labels::CappedLabels;
pub use self::request::{RequestContext, RequestId, TraceParent};

/// GraphQL requests over HTTP and WebSocket (each operation once, at its
/// first answer), by `operation` (capped, see [`labels`]) and `outcome` (`OK`
/// or the first error's `extensions.code`).
pub const GRAPHQL_REQUESTS: &str = "zaiti_graphql_requests_total";
/// Seconds from a GraphQL request's arrival to its answer, by `operation` and `outcome`.
pub const GRAPHQL_DURATION: &str = "zaiti_graphql_request_duration_seconds";
/// HTTP requests, by `route` (the matched route pattern, `unmatched` for
/// none) and `status`.
pub const HTTP_REQUESTS: &str = "zaiti_http_requests_total";
/// SQL statements executed, by `outcome` (`ok` or `error`).
pub const SQL_STATEMENTS: &str = "zaiti_sql_statements_total";
/// The database pool's connections, by `state` (`idle`, `in_use`), as at the scrape.
pub const POOL_CONNECTIONS: &str = "zaiti_db_pool_connections";
/// The most connections the database pool opens.
pub const POOL_MAX_CONNECTIONS: &str = "zaiti_db_pool_max_connections";
/// Requests refused for going over their caller's rate (429, RATE_LIMITED).
pub const RATE_LIMITED: &str = "zaiti_rate_limited_requests_total";
/// HTTP connections open now (WebSockets included until they upgrade).
pub const OPEN_CONNECTIONS: &str = "zaiti_open_connections";
/// WebSockets open now.
pub const OPEN_WEBSOCKETS: &str = "zaiti_open_websockets";
/// Webhook deliveries waiting, by `state` (`pending`, `failed`), over the
/// whole database, read when scraped ([`set_webhook_backlog`]).
pub const WEBHOOK_BACKLOG: &str = "zaiti_webhook_backlog";
/// Webhook delivery attempts this process made, by `outcome` (`delivered`,
/// `retry`: failed and due again, `failed`: failed past the retry window).
pub const WEBHOOK_ATTEMPTS: &str = "zaiti_webhook_attempts_total";

/// Distinct operation names with a label of their own; the rest are `other`.
pub const MAX_OPERATION_LABELS: usize = 200;
/// Distinct outcome codes with a label of their own (ours are a few dozen).
const MAX_OUTCOME_LABELS: usize = 64;

/// Histogram buckets, in seconds: from a cached lookup to the request timeout.
const DURATION_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Histogram samples wait in memory until folded into their buckets, which a
/// scrape does; without scrapes, every this many samples do.
const UPKEEP_EVERY: u64 = 1024;

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use.
pub fn install() -> &'static PrometheusHandle {
    RECORDER.get_or_init(|| {
        // Only an empty bucket list is refused (ours is not); without
        // buckets, durations would be summaries.
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &DURATION_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first; /metrics stays empty");
        }
        handle
    })
}

/// The metrics in Prometheus's text format, the pool's figures as of now.
pub fn render(db: &DatabaseConnection) -> String {
    let handle = install();
    record_pool(db);
    handle.render()
}

fn record_pool(db: &DatabaseConnection) {
    let (size, idle, max) = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        sea_orm::DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => return,
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
    gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    gauge!(POOL_CONNECTIONS, "state" => "in_use").set(f64::from(size - idle));
    gauge!(POOL_MAX_CONNECTIONS).set(f64::from(max));
}

fn operation_labels() -> &'static CappedLabels {
    static LABELS: OnceLock<CappedLabels> = OnceLock::new();
    LABELS.get_or_init(|| CappedLabels::new(MAX_OPERATION_LABELS))
}

fn outcome_labels() -> &'static CappedLabels {
    static LABELS: OnceLock<CappedLabels> = OnceLock::new();
    LABELS.get_or_init(|| CappedLabels::new(MAX_OUTCOME_LABELS))
}

/// Counts one GraphQL request and its time.
pub fn record_graphql(operation: Option<&str>, outcome: Option<&str>, took: Duration) {
    let operation = label(operation_labels().label(operation));
    let outcome = label(outcome_labels().label(outcome));
    counter!(GRAPHQL_REQUESTS, "operation" => operation.clone(), "outcome" => outcome.clone())
        .increment(1);
    histogram!(GRAPHQL_DURATION, "operation" => operation, "outcome" => outcome)
        .record(took.as_secs_f64());
    static SAMPLES: AtomicU64 = AtomicU64::new(0);
    if SAMPLES.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
        install().run_upkeep();
    }
}

fn label(value: Arc<str>) -> String {
    value.to_string()
}

/// Counts one HTTP request by its route pattern (`None`: no route matched) and status.
pub fn record_http(route: Option<&str>, status: u16) {
    let route = route.unwrap_or("unmatched").to_owned();
    counter!(HTTP_REQUESTS, "route" => route, "status" => status.to_string()).increment(1);
}

/// Counts one SQL statement executed.
pub fn record_statement(failed: bool) {
    counter!(SQL_STATEMENTS, "outcome" => if failed { "error" } else { "ok" }).increment(1);
}

/// Counts one request refused for its caller's rate.
pub fn record_rate_limited() {
    counter!(RATE_LIMITED).increment(1);
}

/// The webhook deliveries waiting (`pending`) and given up on (`failed`), for
/// the webhook worker to report whenever it knows them.
pub fn set_webhook_backlog(pending: u64, failed: u64) {
    // Gauges are floats; a backlog is far below 2^53.
    #[allow(clippy::cast_precision_loss)]
    let (pending, failed) = (pending as f64, failed as f64);
    gauge!(WEBHOOK_BACKLOG, "state" => "pending").set(pending);
    gauge!(WEBHOOK_BACKLOG, "state" => "failed").set(failed);
}

/// Counts one webhook delivery attempt by its `outcome`.
pub fn record_webhook_attempt(outcome: &'static str) {
    counter!(WEBHOOK_ATTEMPTS, "outcome" => outcome).increment(1);
}

/// Counts something open (a connection, a WebSocket) for as long as it lives.
#[derive(Debug)]
pub struct OpenGauge(&'static str);

impl OpenGauge {
    /// An open HTTP connection ([`OPEN_CONNECTIONS`]).
    pub fn connection() -> Self {
        Self::open(OPEN_CONNECTIONS)
    }

    /// An open WebSocket ([`OPEN_WEBSOCKETS`]).
    pub fn websocket() -> Self {
        Self::open(OPEN_WEBSOCKETS)
    }

    fn open(name: &'static str) -> Self {
        gauge!(name).increment(1.0);
        Self(name)
    }
}

impl Drop for OpenGauge {
    fn drop(&mut self) {
        gauge!(self.0).decrement(1.0);
    }
}
