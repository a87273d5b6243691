//! Webhooks over a transactional outbox, end to end: a real receiver (an
//! axum server in the test) that records what arrives and can answer 503 for
//! a while, or hang; signatures recomputed here; both databases; on
//! PostgreSQL two server processes sharing the work; a process killed
//! mid-delivery and another taking over.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Backend, ServerProcess, TestApp, error_code};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use zaiti::domain::access::Role;
use zaiti::http::HttpOptions;
use zaiti::webhooks::WebhookOptions;

const CREATE_WEBHOOK: &str = "mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { secret webhook { id url events description paused version } } }";
const UPDATE_WEBHOOK: &str = "mutation($input: UpdateWebhookInput!) {
  updateWebhook(input: $input) { id events paused version } }";
const DELIVERIES: &str =
    "query($id: ID!, $status: WebhookDeliveryStatus, $first: Int, $offset: Int) {
  webhookDeliveries(webhookId: $id, status: $status, first: $first, offset: $offset) {
    totalCount
    deliveries { id messageId eventType entityType entityId status attempts lastError
                 lastResponseCode latencyMs nextAttemptAt deliveredAt } } }";
const REPLAY: &str = "mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status attempts } }";
const UPDATE_CARRIER: &str =
    "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { version } }";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: String,
    /// Whether it was answered 2xx (else 503).
    accepted: bool,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    /// While set, every request is answered 503.
    failing: Arc<AtomicBool>,
    /// While set, a request is held unanswered (a receiver that hangs) and
    /// counted in `stalled`, not logged.
    stalling: Arc<AtomicBool>,
    stalled: Arc<AtomicUsize>,
}

impl Receiver {
    /// A receiver on a free port; its URL.
    async fn start() -> (Self, String) {
        let receiver = Self::default();
        let router = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        (receiver, url)
    }

    fn all(&self) -> Vec<Received> {
        self.received.lock().expect("the log").clone()
    }

    fn accepted(&self) -> Vec<Received> {
        self.all().into_iter().filter(|r| r.accepted).collect()
    }

    fn refused(&self) -> usize {
        self.all().iter().filter(|r| !r.accepted).count()
    }

    /// Waits until `n` requests were accepted (30 s at most), then a moment
    /// longer, so that an extra one would show; returns them.
    async fn wait_for_accepted(&self, n: usize) -> Vec<Received> {
        wait_until(
            || self.accepted().len() >= n,
            "the receiver to accept the events",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.accepted()
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if receiver.stalling.load(Ordering::SeqCst) {
        receiver.stalled.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(120)).await;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let accepted = !receiver.failing.load(Ordering::SeqCst);
    receiver.received.lock().expect("the log").push(Received {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        accepted,
    });
    if accepted {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

async fn wait_until(mut done: impl FnMut() -> bool, what: &str) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "waited in vain for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Retries in milliseconds, so that tests take moments.
fn fast(retry_window: Duration) -> WebhookOptions {
    WebhookOptions {
        retry_base: Duration::from_millis(20),
        retry_cap: Duration::from_millis(100),
        retry_window,
        attempt_timeout: Duration::from_secs(5),
        poll_interval: Duration::from_millis(500),
        ..WebhookOptions::default()
    }
}

/// [`fast`] retries, for a `zaiti serve` process of its own.
const PROCESS_RETRIES: [&str; 6] = [
    "--webhook-retry-base-ms",
    "20",
    "--webhook-retry-cap-ms",
    "100",
    "--webhook-poll-ms",
    "200",
];

async fn spawn(backend: Backend, webhooks: WebhookOptions) -> TestApp {
    TestApp::spawn_with(
        backend,
        HttpOptions {
            webhooks,
            ..HttpOptions::default()
        },
    )
    .await
}

/// Creates an endpoint for `events` at `url`; its global ID, version and secret.
async fn create_webhook(app: &TestApp, url: &str, events: &[&str]) -> (String, i64, String) {
    let data = app
        .data(
            CREATE_WEBHOOK,
            json!({ "input": { "url": url, "events": events } }),
        )
        .await;
    let created = &data["createWebhook"];
    (
        created["webhook"]["id"].as_str().expect("an id").to_owned(),
        created["webhook"]["version"].as_i64().expect("a version"),
        created["secret"].as_str().expect("a secret").to_owned(),
    )
}

/// Whether `received` carries a valid Standard Webhooks signature by `secret`,
/// recomputed here from the headers and the body.
fn signed_by(received: &Received, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("base64");
    let signed = format!(
        "{}.{}.{}",
        received.header("webhook-id"),
        received.header("webhook-timestamp"),
        received.body
    );
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).expect("a key");
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    received
        .header("webhook-signature")
        .split(' ')
        .any(|signature| signature == expected)
}

async fn deliveries(app: &TestApp, webhook: &str, status: Option<&str>) -> (i64, Vec<Value>) {
    let data = app
        .data(
            DELIVERIES,
            json!({ "id": webhook, "status": status, "first": 100 }),
        )
        .await;
    let page = &data["webhookDeliveries"];
    (
        page["totalCount"].as_i64().expect("a count"),
        page["deliveries"].as_array().expect("a list").clone(),
    )
}

/// The events of one carrier created and renamed three times ([`created_and_renamed_thrice`]).
const CREATED_AND_RENAMED_THRICE: [&str; 4] = [
    "carrier.created",
    "carrier.updated",
    "carrier.updated",
    "carrier.updated",
];

/// Creates a carrier named `name` and renames it three times; its global ID.
async fn created_and_renamed_thrice(
    app: &TestApp,
    operator: &str,
    district: &str,
    name: &str,
) -> String {
    let carrier = app
        .create_carrier(operator, district, json!({ "name": name }))
        .await;
    for version in 1..=3 {
        app.data(
            UPDATE_CARRIER,
            json!({ "input": { "id": carrier, "version": version, "name": format!("{name}{version}") } }),
        )
        .await;
    }
    carrier
}

/// The `type` of each body, in order.
fn event_types(bodies: &[Value]) -> Vec<&str> {
    bodies
        .iter()
        .map(|body| body["type"].as_str().expect("a type"))
        .collect()
}

// 1. Signatures and subscriptions.

async fn deliveries_are_signed_thin_and_only_of_the_subscribed_types(backend: Backend) {
    let app = spawn(backend, fast(Duration::from_secs(60))).await;
    let (receiver, url) = Receiver::start().await;
    let (webhook, _, secret) = create_webhook(&app, &url, &["carrier.created"]).await;
    assert!(secret.starts_with("whsec_"), "{secret}");

    let operator = app.create_operator("无锡新吴科创发展有限公司", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let carrier = app.create_carrier(&operator, &xinwu, json!({})).await;
    // Not subscribed: carrier.updated.
    app.data(
        UPDATE_CARRIER,
        json!({ "input": { "id": carrier, "version": 1, "name": "新名字" } }),
    )
    .await;

    let accepted = receiver.wait_for_accepted(1).await;
    assert_eq!(
        accepted.len(),
        1,
        "only carrier.created is subscribed: {accepted:?}"
    );
    let event = &accepted[0];
    assert!(signed_by(event, &secret), "the signature verifies");
    assert!(!signed_by(event, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    let timestamp: i64 = event
        .header("webhook-timestamp")
        .parse()
        .expect("unix seconds");
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    let body = event.json();
    assert_eq!(body["type"], "carrier.created");
    assert_eq!(body["data"]["entityType"], "Carrier");
    assert_eq!(body["data"]["id"], carrier.as_str());
    assert_eq!(body["data"]["operation"], "CREATE");
    assert_eq!(body["data"]["operatorId"], operator.as_str());
    assert!(body["data"]["auditEventId"].as_i64().is_some());
    assert!(body["timestamp"].as_str().is_some());
    // Thin: names the change, never the record's fields.
    let keys: Vec<&String> = body["data"]
        .as_object()
        .expect("an object")
        .keys()
        .collect();
    assert_eq!(keys.len(), 5, "{body}");
    assert!(!event.body.contains("测试众创空间"), "{}", event.body);

    let (total, log) = deliveries(&app, &webhook, None).await;
    assert_eq!(total, 1);
    assert_eq!(log[0]["status"], "DELIVERED");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["lastResponseCode"], 204);
    assert_eq!(log[0]["eventType"], "carrier.created");
    assert_eq!(log[0]["entityId"], carrier.as_str());
    assert_eq!(log[0]["messageId"], event.header("webhook-id"));
    assert!(log[0]["latencyMs"].as_i64().is_some());
    assert!(log[0]["deliveredAt"].as_str().is_some());
    assert!(log[0]["nextAttemptAt"].is_null());
}

// 2. A receiver that is down for a while.

async fn a_receiver_down_for_a_while_then_gets_every_event_in_order_per_record_once(
    backend: Backend,
) {
    let app = spawn(backend, fast(Duration::from_secs(120))).await;
    let (receiver, url) = Receiver::start().await;
    receiver.failing.store(true, Ordering::SeqCst);
    create_webhook(&app, &url, &["carrier.created", "carrier.updated"]).await;

    let operator = app.create_operator("无锡新吴科创发展有限公司", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let mut carriers = Vec::new();
    for name in ["甲众创空间", "乙孵化器"] {
        carriers.push(created_and_renamed_thrice(&app, &operator, &xinwu, name).await);
    }
    wait_until(|| receiver.refused() >= 6, "refused attempts").await;
    receiver.failing.store(false, Ordering::SeqCst);

    let accepted = receiver.wait_for_accepted(8).await;
    assert_eq!(accepted.len(), 8, "each event once: {accepted:?}");
    let mut ids: Vec<&str> = accepted.iter().map(|r| r.header("webhook-id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "no event twice");
    for carrier in &carriers {
        let of_carrier: Vec<Value> = accepted
            .iter()
            .map(Received::json)
            .filter(|body| body["data"]["id"] == carrier.as_str())
            .collect();
        assert_eq!(event_types(&of_carrier), CREATED_AND_RENAMED_THRICE);
        let audit: Vec<i64> = of_carrier
            .iter()
            .map(|b| b["data"]["auditEventId"].as_i64().expect("an id"))
            .collect();
        assert!(audit.windows(2).all(|w| w[0] < w[1]), "in order: {audit:?}");
    }
}

// 3. Given up after the retry window, then replayed.

async fn a_delivery_failing_past_its_window_is_failed_and_replay_delivers_it(backend: Backend) {
    let app = spawn(backend, fast(Duration::from_millis(400))).await;
    let (receiver, url) = Receiver::start().await;
    receiver.failing.store(true, Ordering::SeqCst);
    let (webhook, _, secret) = create_webhook(&app, &url, &["operator.created"]).await;
    app.create_operator("甲公司", 1).await;
    app.create_operator("乙公司", 2).await;

    let mut failed = Vec::new();
    let started = std::time::Instant::now();
    while failed.len() < 2 {
        assert!(started.elapsed() < Duration::from_secs(30), "never FAILED");
        tokio::time::sleep(Duration::from_millis(50)).await;
        failed = deliveries(&app, &webhook, Some("FAILED")).await.1;
    }
    for delivery in &failed {
        assert_eq!(delivery["lastResponseCode"], 503);
        assert!(
            delivery["lastError"]
                .as_str()
                .expect("an error")
                .contains("503"),
            "{delivery}"
        );
        assert!(
            delivery["attempts"].as_i64().expect("attempts") >= 2,
            "{delivery}"
        );
        assert!(delivery["nextAttemptAt"].is_null());
    }
    // /metrics shows the backlog (the database's, read at the scrape) and
    // the failed attempts (this process's: at least these two).
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base_url))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .expect("an answer")
        .text()
        .await
        .expect("text");
    let value = |series: &str| -> f64 {
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(series))
            .and_then(|rest| rest.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in {metrics}"))
    };
    assert_eq!(value("zaiti_webhook_backlog{state=\"failed\"}"), 2.0);
    assert!(value("zaiti_webhook_attempts_total{outcome=\"failed\"}") >= 2.0);
    assert!(value("zaiti_webhook_attempts_total{outcome=\"retry\"}") >= 2.0);
    let attempts_so_far = receiver.all().len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.all().len(),
        attempts_so_far,
        "a FAILED delivery is not retried"
    );

    receiver.failing.store(false, Ordering::SeqCst);
    let replayed = app.data(REPLAY, json!({ "id": failed[0]["id"] })).await;
    assert_eq!(replayed["replayWebhookDelivery"]["status"], "PENDING");
    let accepted = receiver.wait_for_accepted(1).await;
    assert_eq!(accepted.len(), 1);
    assert!(signed_by(&accepted[0], &secret));
    assert_eq!(
        accepted[0].header("webhook-id"),
        failed[0]["messageId"].as_str().expect("an id")
    );

    // A delivered one replays too; a pending one is a CONFLICT.
    let replay_all = app
        .data(
            "mutation($id: ID!) { replayFailedWebhookDeliveries(webhookId: $id) }",
            json!({ "id": webhook }),
        )
        .await;
    assert_eq!(replay_all["replayFailedWebhookDeliveries"], 1);
    let accepted = receiver.wait_for_accepted(2).await;
    assert_eq!(accepted.len(), 2);
    let (total, delivered) = deliveries(&app, &webhook, Some("DELIVERED")).await;
    assert_eq!(total, 2, "{delivered:?}");
    let (failed_now, _) = deliveries(&app, &webhook, Some("FAILED")).await;
    assert_eq!(failed_now, 0);
    // Both replays are audited: the one delivery, and the endpoint's.
    let audit = app
        .data(
            "{ a: auditEvents(filter: { entityType: \"WebhookDelivery\" }) { totalCount }
               b: auditEvents(filter: { entityType: \"Webhook\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(audit["a"]["totalCount"], 1, "{audit}");
    assert_eq!(audit["b"]["totalCount"], 2, "created and replayed: {audit}");
}

// 4b. The cap on endpoints holds under simultaneous creations.

async fn simultaneous_creations_stop_at_the_cap(backend: Backend) {
    let app = spawn(backend, fast(Duration::from_secs(60))).await;
    let cap = zaiti::store::webhook::MAX_WEBHOOKS as usize;
    let creations = (0..cap + 10).map(|n| {
        let app = &app;
        async move {
            app.graphql(
                CREATE_WEBHOOK,
                json!({ "input": { "url": format!("http://127.0.0.1:9/hook{n}"), "events": ["carrier.created"] } }),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(creations).await;
    let created = answers.iter().filter(|a| a.get("errors").is_none()).count();
    assert_eq!(created, cap);
    for refused in answers.iter().filter(|a| a.get("errors").is_some()) {
        assert_eq!(error_code(refused), "CONFLICT", "{refused}");
    }
    let listed = app.data("{ webhooks { id } }", json!({})).await;
    assert_eq!(listed["webhooks"].as_array().expect("a list").len(), cap);
}

// 4. Who may, and stale versions.

async fn only_admin_manages_webhooks_and_a_stale_version_is_a_conflict(backend: Backend) {
    let app = spawn(backend, fast(Duration::from_secs(60))).await;
    let (receiver, url) = Receiver::start().await;
    let (webhook, version, secret) = create_webhook(&app, &url, &["operator.created"]).await;
    let operator = app.create_operator("甲公司", 1).await;
    receiver.wait_for_accepted(1).await;
    let delivery = deliveries(&app, &webhook, None).await.1[0]["id"].clone();

    let tokens = [
        app.token("运营方", Role::Operator, Some(&operator)).await,
        app.token("科技局", Role::Bureau, None).await,
        app.token("大屏", Role::Viewer, None).await,
    ];
    let attempts = [
        (
            CREATE_WEBHOOK,
            json!({ "input": { "url": url, "events": ["operator.created"] } }),
        ),
        (
            UPDATE_WEBHOOK,
            json!({ "input": { "id": webhook, "version": version, "paused": true } }),
        ),
        (
            "mutation($id: ID!) { deleteWebhook(id: $id, version: 1) }",
            json!({ "id": webhook }),
        ),
        (REPLAY, json!({ "id": delivery })),
        (
            "mutation($id: ID!) { replayFailedWebhookDeliveries(webhookId: $id) }",
            json!({ "id": webhook }),
        ),
        ("{ webhooks { id url } }", json!({})),
        ("{ webhookEventTypes }", json!({})),
        (DELIVERIES, json!({ "id": webhook })),
        // A webhook that does not exist is refused the same way.
        (DELIVERIES, json!({ "id": "V2ViaG9vazo5OTk" })),
    ];
    for token in &tokens {
        for (query, variables) in &attempts {
            let body = app.graphql_as(token, query, variables.clone()).await;
            assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
            assert!(
                body["errors"][0]["extensions"]["messageZh"]
                    .as_str()
                    .is_some()
            );
            assert!(!body.to_string().contains(&url), "nothing leaks: {body}");
        }
    }

    // ADMIN: a stale version is a CONFLICT, the current one works.
    let changed = app
        .data(UPDATE_WEBHOOK, json!({ "input": { "id": webhook, "version": version, "events": ["operator.created", "operator.updated"] } }))
        .await;
    assert_eq!(changed["updateWebhook"]["version"], version + 1);
    let stale = app
        .graphql(
            UPDATE_WEBHOOK,
            json!({ "input": { "id": webhook, "version": version, "paused": true } }),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    let stale_delete = app
        .graphql(
            "mutation($id: ID!) { deleteWebhook(id: $id, version: 1) }",
            json!({ "id": webhook }),
        )
        .await;
    assert_eq!(error_code(&stale_delete), "CONFLICT", "{stale_delete}");

    // Bad input.
    for input in [
        json!({ "url": "ftp://example.cn/hook", "events": ["operator.created"] }),
        json!({ "url": url, "events": ["operator.eaten"] }),
        json!({ "url": url, "events": [] }),
        json!({ "url": url, "events": ["operator.created"], "secret": "not-a-secret" }),
    ] {
        let body = app.graphql(CREATE_WEBHOOK, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    }
    // A given secret is kept (and shown once).
    let given = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let created = app
        .data(CREATE_WEBHOOK, json!({ "input": { "url": url, "events": ["carrier.created"], "secret": given, "description": "大屏" } }))
        .await;
    assert_eq!(created["createWebhook"]["secret"], given);
    assert_eq!(created["createWebhook"]["webhook"]["description"], "大屏");

    // Every change is audited, never with the secret.
    let audit = app
        .data(
            "{ auditEvents(first: 50, filter: { entityType: \"Webhook\" }) { totalCount nodes { operation before after } } }",
            json!({}),
        )
        .await;
    assert_eq!(audit["auditEvents"]["totalCount"], 3, "{audit}");
    let text = audit.to_string();
    assert!(!text.contains(&secret) && !text.contains(given), "{text}");

    // Deleting at the current version removes it and its log.
    let deleted = app
        .data(
            "mutation($id: ID!) { deleteWebhook(id: $id, version: 2) }",
            json!({ "id": webhook }),
        )
        .await;
    assert_eq!(deleted["deleteWebhook"], webhook.as_str());
    let listed = app.data("{ webhooks { id } }", json!({})).await;
    assert_eq!(listed["webhooks"].as_array().expect("a list").len(), 1);
}

// 5. Paused endpoints.

async fn a_paused_endpoint_holds_its_deliveries_until_resumed(backend: Backend) {
    let app = spawn(backend, fast(Duration::from_secs(60))).await;
    let (receiver, url) = Receiver::start().await;
    let (webhook, version, _) = create_webhook(&app, &url, &["operator.created"]).await;
    app.data(
        UPDATE_WEBHOOK,
        json!({ "input": { "id": webhook, "version": version, "paused": true } }),
    )
    .await;
    app.create_operator("甲公司", 1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(receiver.all().is_empty(), "paused: nothing is sent");
    let (pending, _) = deliveries(&app, &webhook, Some("PENDING")).await;
    assert_eq!(pending, 1);
    assert_eq!(
        zaiti::store::webhook::backlog(&app.db)
            .await
            .expect("backlog"),
        (1, 0)
    );
    app.data(
        UPDATE_WEBHOOK,
        json!({ "input": { "id": webhook, "version": version + 1, "paused": false } }),
    )
    .await;
    assert_eq!(receiver.wait_for_accepted(1).await.len(), 1);
    assert_eq!(
        zaiti::store::webhook::backlog(&app.db)
            .await
            .expect("backlog"),
        (0, 0)
    );
}

// 6. The outbox holds what committed, and nothing else.

async fn an_event_is_in_the_outbox_exactly_when_its_change_committed(backend: Backend) {
    let app = spawn(backend, fast(Duration::from_secs(60))).await;
    let outbox = app.count_rows("outbox_event").await;
    let audit = app.count_rows("audit_event").await;
    app.create_operator("甲公司", 1).await;
    assert_eq!(app.count_rows("outbox_event").await, outbox + 1);
    assert_eq!(app.count_rows("audit_event").await, audit + 1);
    // Refused: the same USCC again (CONFLICT), and a stale version.
    let again = app
        .graphql(
            "mutation($input: CreateOperatorInput!) { createOperator(input: $input) { id } }",
            json!({ "input": { "name": "乙公司", "uscc": common::uscc(1), "ownership": "PRIVATE" } }),
        )
        .await;
    assert_eq!(error_code(&again), "CONFLICT", "{again}");
    assert_eq!(
        app.count_rows("outbox_event").await,
        outbox + 1,
        "a refused write leaves no event"
    );
    // Each change's outbox row names its own audit event.
    let sql = "SELECT COUNT(*) AS n FROM outbox_event o JOIN audit_event a ON a.id = o.audit_event_id \
               AND a.entity_type = o.entity_type AND a.entity_id = o.entity_id";
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &app.db,
        sea_orm::Statement::from_string(app.db.get_database_backend(), sql),
    )
    .await
    .expect("a query")
    .expect("a row");
    assert_eq!(row.try_get::<i64>("", "n").expect("a count"), outbox + 1);
}

// 7. Two processes on one PostgreSQL database.

async fn two_server_processes_deliver_each_event_once_between_them() {
    // The test's own server does not deliver: the two processes do.
    let app = spawn(
        Backend::Postgres,
        WebhookOptions {
            enabled: false,
            ..WebhookOptions::default()
        },
    )
    .await;
    let (receiver, url) = Receiver::start().await;
    let (webhook, _, secret) = create_webhook(
        &app,
        &url,
        &["operator.created", "carrier.created", "carrier.updated"],
    )
    .await;
    let env = [("RUST_LOG", "warn")];
    let flags = PROCESS_RETRIES;
    let first = ServerProcess::start_with(&app.database_url, &flags, &env, None).await;
    let second = ServerProcess::start_with(&app.database_url, &flags, &env, None).await;
    // A slow receiver for a moment, so that both processes find work waiting.
    receiver.failing.store(true, Ordering::SeqCst);
    let servers = [first.graphql_url(), second.graphql_url()];
    let writes = (0..30u32).map(|n| {
        let server = servers[n as usize % 2].clone();
        let client = app.client.clone();
        let token = app.admin_token.clone();
        async move {
            let body: Value = client
                .post(server)
                .bearer_auth(token)
                .json(&json!({
                    "query": "mutation($input: CreateOperatorInput!) { createOperator(input: $input) { id } }",
                    "variables": { "input": { "name": format!("公司{n}"), "uscc": common::uscc(100 + n), "ownership": "PRIVATE" } },
                }))
                .send()
                .await
                .expect("the request reaches a server")
                .json()
                .await
                .expect("JSON");
            assert!(body.get("errors").is_none(), "{body}");
        }
    });
    futures_util::future::join_all(writes).await;
    // One record changed four times while the receiver is down: its events
    // must arrive in order although two processes deliver.
    let operator = app.create_operator("无锡新吴科创发展有限公司", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let carrier = created_and_renamed_thrice(&app, &operator, &xinwu, "甲众创空间").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    receiver.failing.store(false, Ordering::SeqCst);

    const EVENTS: usize = 30 + 1 + 4;
    let accepted = receiver.wait_for_accepted(EVENTS).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let accepted_later = receiver.accepted();
    assert_eq!(accepted.len(), EVENTS);
    assert_eq!(accepted_later.len(), EVENTS, "no event twice");
    let of_carrier: Vec<Value> = accepted_later
        .iter()
        .map(Received::json)
        .filter(|body| body["data"]["id"] == carrier.as_str())
        .collect();
    assert_eq!(event_types(&of_carrier), CREATED_AND_RENAMED_THRICE);
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for received in &accepted_later {
        assert!(signed_by(received, &secret));
        *per_id
            .entry(received.header("webhook-id").to_owned())
            .or_default() += 1;
    }
    assert_eq!(per_id.len(), EVENTS);
    assert!(per_id.values().all(|&n| n == 1), "{per_id:?}");
    let (delivered, _) = deliveries(&app, &webhook, Some("DELIVERED")).await;
    assert_eq!(delivered, EVENTS as i64);
    drop((first, second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_server_processes_deliver_each_event_once_between_them() {
    two_server_processes_deliver_each_event_once_between_them().await;
}

// 8. A process killed (SIGKILL) between commit and delivery.

/// A process is killed in the middle of delivering: its changes committed,
/// one delivery claimed and on the wire, the rest waiting behind it. Another
/// process, started afterwards on the same database, delivers every event,
/// in order, signed, each accepted once, once the dead process's claim
/// (its lease) has run out.
async fn a_process_killed_mid_delivery_loses_no_event(backend: Backend) {
    // The test's own server does not deliver: the processes do.
    let app = spawn(
        backend,
        WebhookOptions {
            enabled: false,
            ..WebhookOptions::default()
        },
    )
    .await;
    let (receiver, url) = Receiver::start().await;
    let (webhook, _, secret) =
        create_webhook(&app, &url, &["carrier.created", "carrier.updated"]).await;
    // The lease of a claim is twice the attempt timeout and 5 s more.
    let flags = [&PROCESS_RETRIES[..], &["--webhook-timeout-ms", "1000"]].concat();
    let env = [("RUST_LOG", "warn")];
    receiver.stalling.store(true, Ordering::SeqCst);
    let mut doomed = ServerProcess::start_with(&app.database_url, &flags, &env, None).await;

    let operator = app.create_operator("无锡新吴科创发展有限公司", 1).await;
    let xinwu = app.district_id("xinwu").await;
    created_and_renamed_thrice(&app, &operator, &xinwu, "甲众创空间").await;
    wait_until(
        || receiver.stalled.load(Ordering::SeqCst) >= 1,
        "the first process to start delivering",
    )
    .await;
    doomed.child.kill().expect("SIGKILL");
    doomed.child.wait().expect("the process ends");
    receiver.stalling.store(false, Ordering::SeqCst);

    let _heir = ServerProcess::start_with(&app.database_url, &flags, &env, None).await;
    let accepted = receiver.wait_for_accepted(4).await;
    assert_eq!(accepted.len(), 4, "each event once: {accepted:?}");
    assert!(accepted.iter().all(|received| signed_by(received, &secret)));
    let bodies: Vec<Value> = accepted.iter().map(Received::json).collect();
    assert_eq!(event_types(&bodies), CREATED_AND_RENAMED_THRICE);
    let (delivered, log) = deliveries(&app, &webhook, Some("DELIVERED")).await;
    assert_eq!(delivered, 4, "{log:?}");
}

// 9. Pruning after the retention.

/// Delivered deliveries and the outbox events no delivery needs are deleted
/// once older than the retention; a PENDING delivery and its event stay, and
/// so does the audit trail.
async fn what_was_delivered_is_pruned_after_the_retention(backend: Backend) {
    let app = spawn(
        backend,
        WebhookOptions {
            retention: Some(Duration::from_millis(1500)),
            ..fast(Duration::from_secs(120))
        },
    )
    .await;
    let (working, working_url) = Receiver::start().await;
    let (broken, broken_url) = Receiver::start().await;
    broken.failing.store(true, Ordering::SeqCst);
    let (delivered_to, _, _) = create_webhook(&app, &working_url, &["operator.created"]).await;
    let (pending_at, _, _) = create_webhook(&app, &broken_url, &["carrier.created"]).await;
    let operator = app.create_operator("无锡新吴科创发展有限公司", 1).await;
    app.create_operator("无锡梁溪科创发展有限公司", 2).await;
    let xinwu = app.district_id("xinwu").await;
    app.create_carrier(&operator, &xinwu, json!({})).await;
    working.wait_for_accepted(2).await;
    wait_until(
        || broken.refused() >= 1,
        "an attempt at the broken endpoint",
    )
    .await;
    let audit = app.count_rows("audit_event").await;
    assert!(app.count_rows("outbox_event").await >= 5);

    let started = std::time::Instant::now();
    loop {
        let (delivered, _) = deliveries(&app, &delivered_to, None).await;
        if delivered == 0 && app.count_rows("outbox_event").await == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "nothing pruned: {delivered} deliveries, {} events",
            app.count_rows("outbox_event").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (pending, log) = deliveries(&app, &pending_at, Some("PENDING")).await;
    assert_eq!(pending, 1, "a pending delivery is kept: {log:?}");
    assert_eq!(log[0]["eventType"], "carrier.created");
    assert_eq!(app.count_rows("audit_event").await, audit);
}

/// Runs each named `async fn(Backend)` as `sqlite::NAME` and `postgres::NAME`
/// (these tests choose their own server options).
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::common::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::common::Backend::Postgres).await;
                }
            )+
        }
    };
}

on_both_backends!(
    deliveries_are_signed_thin_and_only_of_the_subscribed_types,
    a_receiver_down_for_a_while_then_gets_every_event_in_order_per_record_once,
    a_delivery_failing_past_its_window_is_failed_and_replay_delivers_it,
    only_admin_manages_webhooks_and_a_stale_version_is_a_conflict,
    simultaneous_creations_stop_at_the_cap,
    a_paused_endpoint_holds_its_deliveries_until_resumed,
    an_event_is_in_the_outbox_exactly_when_its_change_committed,
    a_process_killed_mid_delivery_loses_no_event,
    what_was_delivered_is_pruned_after_the_retention,
);
