//! The webhook delivery worker, one per server process.
//!
//! It fans outbox events out into deliveries (`store::webhook::fan_out`),
//! claims the due ones (`store::webhook::claim`) and POSTs each, signed by
//! the Standard Webhooks rules (`domain::webhook`), writing down every
//! attempt. It wakes when a mutation of this process commits, or, on
//! PostgreSQL, of any process (`events::Bus::outbox_written`), when a retry
//! falls due, and at the latest every poll interval, so a lost wake-up only
//! delays. Deliveries are at least once: a receiver dedupes by `webhook-id`
//! if it must, though normally each event arrives once.

use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::domain::webhook::{backoff, bounded_error, secret_key, signature};
use crate::events::Bus;
use crate::graphql::node::{NodeType, global_id};
use crate::store::webhook::{self as store, Attempt, Claimed, DeliveryStatus};

/// First wait after a failed attempt, by default; doubled after each.
pub const DEFAULT_RETRY_BASE: Duration = Duration::from_secs(10);
/// Longest wait between attempts, by default.
pub const DEFAULT_RETRY_CAP: Duration = Duration::from_secs(3600);
/// How long a delivery is retried before it is FAILED, by default: a day.
pub const DEFAULT_RETRY_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// Longest one attempt may take (connect, send, answer), by default.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest the worker sleeps without a wake-up, by default.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// How long delivered deliveries and spent outbox events are kept, by default: 30 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Longest time between two prunings.
const MAX_PRUNE_INTERVAL: Duration = Duration::from_secs(3600);
/// Deliveries attempted at once by one process.
const BATCH: u64 = 16;
/// Bytes of a failed answer's body kept as its error; the rest is not read.
const MAX_ANSWER_BYTES: usize = 1024;

/// How the worker delivers and retries.
#[derive(Debug, Clone, Copy)]
pub struct WebhookOptions {
    /// Whether this process delivers at all.
    pub enabled: bool,
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// A delivery still failing this long after it was made is FAILED.
    pub retry_window: Duration,
    pub attempt_timeout: Duration,
    pub poll_interval: Duration,
    /// Delivered deliveries and spent outbox events older than this are
    /// deleted ([`store::prune`]); `None` keeps them for ever.
    pub retention: Option<Duration>,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            retry_base: DEFAULT_RETRY_BASE,
            retry_cap: DEFAULT_RETRY_CAP,
            retry_window: DEFAULT_RETRY_WINDOW,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
            retention: Some(DEFAULT_RETENTION),
        }
    }
}

impl WebhookOptions {
    /// How long a claimed delivery is kept from other processes: one attempt, with room to spare.
    fn lease(&self) -> Duration {
        self.attempt_timeout * 2 + Duration::from_secs(5)
    }
}

/// Starts the worker over `db` on the current Tokio runtime, woken through
/// `bus`; it runs as long as the runtime. Without a runtime (the schema
/// printer) or when disabled, nothing starts.
pub fn start(db: DatabaseConnection, bus: Bus, options: WebhookOptions) {
    if !options.enabled {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let client = match client(&options) {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(%err, "webhooks: cannot build the HTTP client; nothing will be delivered");
            return;
        }
    };
    tracing::info!(
        retry_base = ?options.retry_base,
        retry_cap = ?options.retry_cap,
        retry_window = ?options.retry_window,
        "webhooks: delivery worker started"
    );
    runtime.spawn(run(db, bus, client, options));
}

/// The HTTP client of deliveries: no redirects followed, bounded time.
fn client(options: &WebhookOptions) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(options.attempt_timeout)
        .connect_timeout(options.attempt_timeout)
        .user_agent(concat!("zaiti-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

async fn run(db: DatabaseConnection, bus: Bus, client: reqwest::Client, options: WebhookOptions) {
    let mut last_pruned: Option<Instant> = None;
    loop {
        if let Some(retention) = options.retention
            && last_pruned.is_none_or(|at| at.elapsed() >= retention.min(MAX_PRUNE_INTERVAL))
        {
            last_pruned = Some(Instant::now());
            prune(&db, retention).await;
        }
        let wait = match work(&db, &client, &options).await {
            // Something was done: more may be waiting (a later delivery of the same record).
            Ok(true) => continue,
            Ok(false) => until_next_due(&db, options.poll_interval).await,
            Err(err) => {
                tracing::warn!(%err, "webhooks: the worker failed; trying again");
                options.poll_interval
            }
        };
        tokio::select! {
            () = bus.outbox_woken() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Deletes what `retention` no longer keeps; a failure is logged (the next pruning tries again).
async fn prune(db: &DatabaseConnection, retention: Duration) {
    let Ok(retention) = chrono::Duration::from_std(retention) else {
        return;
    };
    let Some(cutoff) = chrono::Utc::now().checked_sub_signed(retention) else {
        return;
    };
    match store::prune(db, cutoff).await {
        Ok(0) => {}
        Ok(pruned) => {
            tracing::info!(pruned, %cutoff, "webhooks: pruned delivered deliveries and spent outbox events")
        }
        Err(err) => tracing::warn!(%err, "webhooks: cannot prune the outbox"),
    }
}

/// How long to sleep: until the next retry falls due, at most `poll`.
async fn until_next_due(db: &DatabaseConnection, poll: Duration) -> Duration {
    match store::next_due(db).await {
        Ok(Some(due)) => (due - chrono::Utc::now())
            .to_std()
            .unwrap_or_default()
            .min(poll),
        _ => poll,
    }
}

/// Fans out what is waiting and makes one batch of attempts; whether anything was done.
async fn work(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    options: &WebhookOptions,
) -> crate::error::AppResult<bool> {
    let fanned = store::fan_out(db, options.retry_window).await?;
    let claimed = store::claim(db, options.lease(), BATCH).await?;
    let attempted = !claimed.is_empty();
    let attempts = claimed.into_iter().map(|claimed| async move {
        let attempt = deliver(client, &claimed).await;
        let retry_after = backoff(
            claimed.delivery.attempts,
            options.retry_base,
            options.retry_cap,
        );
        let recorded = store::record_attempt(db, &claimed.delivery, attempt, retry_after).await;
        match recorded {
            Ok(DeliveryStatus::Failed) => {
                crate::telemetry::record_webhook_attempt("failed");
                tracing::warn!(
                    delivery = claimed.delivery.id,
                    webhook = claimed.webhook.id,
                    attempts = claimed.delivery.attempts,
                    "webhooks: delivery FAILED after its retry window; replay it once the endpoint works"
                );
            }
            Ok(DeliveryStatus::Pending) => crate::telemetry::record_webhook_attempt("retry"),
            Ok(DeliveryStatus::Delivered) => crate::telemetry::record_webhook_attempt("delivered"),
            Err(err) => tracing::warn!(%err, delivery = claimed.delivery.id, "webhooks: cannot record an attempt"),
        }
    });
    futures_util::future::join_all(attempts).await;
    Ok(fanned > 0 || attempted)
}

/// The body of an event: thin, naming the record and the change, never its
/// fields, so nothing confidential leaves; receivers read the record
/// through the API with their own token.
pub fn payload(event: &entity::outbox_event::Model) -> serde_json::Value {
    let id = event
        .entity_type
        .parse::<NodeType>()
        .map(|kind| global_id(kind, event.entity_id).0)
        .unwrap_or_else(|_| event.entity_id.to_string());
    json!({
        "type": event.event_type,
        "timestamp": event.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": {
            "entityType": event.entity_type,
            "id": id,
            "operation": event.operation,
            "auditEventId": event.audit_event_id,
            "operatorId": event.operator_id.map(|operator| global_id(NodeType::Operator, operator).0),
        },
    })
}

/// The `webhook-id` of an event: the same for every attempt and endpoint.
pub fn message_id(outbox_event_id: i64) -> String {
    format!("msg_{outbox_event_id}")
}

/// One attempt: POSTs the signed event and judges the answer (2xx delivers).
async fn deliver(client: &reqwest::Client, claimed: &Claimed) -> Attempt {
    let started = Instant::now();
    let failed = |response_code: Option<u16>, error: String| Attempt {
        response_code,
        error: Some(bounded_error(&error)),
        latency: started.elapsed(),
    };
    let key = match secret_key("secret", &claimed.webhook.secret) {
        Ok(key) => key,
        Err(_) => return failed(None, "the endpoint's secret is not a whsec_ secret".into()),
    };
    let body = payload(&claimed.event).to_string();
    let id = message_id(claimed.event.id);
    let timestamp = chrono::Utc::now().timestamp();
    let sent = client
        .post(&claimed.webhook.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature(&key, &id, timestamp, &body))
        .body(body)
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(err) => return failed(None, describe(&err)),
    };
    let status = response.status();
    let latency = started.elapsed();
    if status.is_success() {
        return Attempt {
            response_code: Some(status.as_u16()),
            error: None,
            latency,
        };
    }
    // The start of the answer says why; more is not read.
    let mut answer = Vec::new();
    while answer.len() < MAX_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
            _ => break,
        }
    }
    answer.truncate(MAX_ANSWER_BYTES);
    let reason = if status.is_redirection() {
        format!("HTTP {status}: redirects are not followed")
    } else {
        format!("HTTP {status}: {}", String::from_utf8_lossy(&answer).trim())
    };
    Attempt {
        response_code: Some(status.as_u16()),
        error: Some(bounded_error(&reason)),
        latency,
    }
}

/// A transport error in a few words, without the URL's query (it may hold a token).
fn describe(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(err);
    let mut detail = String::new();
    while let Some(cause) = source {
        detail = cause.to_string();
        source = cause.source();
    }
    if detail.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {detail}")
    }
}
