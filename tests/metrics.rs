//! Metrics, request ids and traces, seen from outside: a real `zaiti serve`
//! process (its metrics are the process's own) is sent named operations,
//! some failing, and its `/metrics` is scraped and read back; its request
//! ids are found in its answers and its log; its traces arrive at a small
//! OTLP receiver run by the test.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Backend, ServerProcess, TestApp, uscc};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const CARRIERS: &str = "query Carriers { carriers(first: 1) { totalCount } }";
const BROKEN: &str = "query Broken { noSuchField }";
const REGISTER: &str = "mutation Register($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";

/// One sample of the Prometheus text format: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Reads the Prometheus text format (our label values hold no quotes or commas).
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a value");
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => (name, labels.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split(',')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once('=').expect("key=value");
                    (key.to_owned(), value.trim_matches('"').to_owned())
                })
                .collect();
            Sample {
                name: name.to_owned(),
                labels,
                value: value.parse().expect("a number"),
            }
        })
        .collect()
}

/// The value of the series `name` whose labels include `labels`, summed; 0 if none.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|sample| sample.name == name)
        .filter(|sample| {
            labels
                .iter()
                .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(value))
        })
        .map(|sample| sample.value)
        .sum()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A server process with its metrics also on a separate address (returned).
async fn server_with_metrics_address(
    app: &TestApp,
    args: &[&str],
    env: &[(&str, &str)],
    log: Option<&std::path::Path>,
) -> (ServerProcess, String) {
    let metrics = format!("127.0.0.1:{}", free_port());
    let mut all = vec!["--metrics-listen", metrics.as_str()];
    all.extend_from_slice(args);
    let server = ServerProcess::start_with(&app.database_url, &all, env, log).await;
    (server, format!("http://{metrics}/metrics"))
}

async fn scrape(url: &str) -> Vec<Sample> {
    let response = reqwest::get(url).await.expect("the metrics answer");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    parse(&response.text().await.expect("text"))
}

/// Posts `query` named `operation` as `token` (none: no token); the answer's
/// outcome (`OK` or its first error's code), its body and its response headers.
async fn send(
    server: &ServerProcess,
    token: Option<&str>,
    operation: &str,
    query: &str,
    variables: Value,
) -> (String, Value, reqwest::header::HeaderMap) {
    let mut request = reqwest::Client::new()
        .post(server.graphql_url())
        .json(&json!({ "query": query, "operationName": operation, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    let headers = response.headers().clone();
    let body: Value = response.json().await.expect("a JSON body");
    let outcome = body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("OK")
        .to_owned();
    (outcome, body, headers)
}

async fn graphql_requests_are_counted_by_operation_and_outcome(app: TestApp) {
    let viewer = app.token("指标只读", Role::Viewer, None).await;
    let (server, metrics_url) = server_with_metrics_address(&app, &[], &[], None).await;
    let admin = Some(app.admin_token.as_str());
    let before = scrape(&metrics_url).await;
    let statements_before = value(&before, "zaiti_sql_statements_total", &[]);

    let bad_input =
        json!({ "input": { "uscc": uscc(961), "name": "指标企业", "foundedOn": "1066-10-14" } });
    let good_input =
        json!({ "input": { "uscc": uscc(962), "name": "指标企业乙", "foundedOn": "2022-01-01" } });
    let sent = [
        (admin, "Carriers", CARRIERS, Value::Null),
        (admin, "Carriers", CARRIERS, Value::Null),
        (Some(viewer.as_str()), "Carriers", CARRIERS, Value::Null),
        (admin, "Broken", BROKEN, Value::Null),
        (admin, "Broken", BROKEN, Value::Null),
        (admin, "Register", REGISTER, bad_input),
        (
            Some(viewer.as_str()),
            "Register",
            REGISTER,
            good_input.clone(),
        ),
        (admin, "Register", REGISTER, good_input),
        (None, "Carriers", CARRIERS, Value::Null),
    ];
    // What the answers said, per (operation label, outcome).
    let mut expected: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (token, operation, query, variables) in sent {
        let (outcome, body, _) = send(&server, token, operation, query, variables).await;
        // Refused before its operation is read: no name to count it under.
        let label = if token.is_none() {
            "anonymous"
        } else {
            operation
        };
        *expected.entry((label.to_owned(), outcome)).or_default() += 1.0;
        assert!(body.is_object());
    }
    // Over WebSocket too, once per operation (this one sends no name).
    let answer =
        common::over_websocket(&server.base_url, &app.admin_token, CARRIERS, Value::Null).await;
    let outcome = answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("OK");
    *expected
        .entry(("anonymous".to_owned(), outcome.to_owned()))
        .or_default() += 1.0;
    // The answers were what the cases are for.
    let outcomes: Vec<&str> = expected
        .keys()
        .map(|(_, outcome)| outcome.as_str())
        .collect();
    for code in [
        "OK",
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_USER_INPUT",
        "FORBIDDEN",
        "UNAUTHENTICATED",
    ] {
        assert!(outcomes.contains(&code), "{code} not among {expected:?}");
    }

    let after = scrape(&metrics_url).await;
    for ((operation, outcome), count) in &expected {
        let labels = [
            ("operation", operation.as_str()),
            ("outcome", outcome.as_str()),
        ];
        assert_eq!(
            value(&after, "zaiti_graphql_requests_total", &labels),
            *count,
            "{operation} {outcome}"
        );
        assert_eq!(
            value(
                &after,
                "zaiti_graphql_request_duration_seconds_count",
                &labels
            ),
            *count,
            "{operation} {outcome}"
        );
        let le_inf = [labels[0], labels[1], ("le", "+Inf")];
        assert_eq!(
            value(
                &after,
                "zaiti_graphql_request_duration_seconds_bucket",
                &le_inf
            ),
            *count
        );
    }
    let total: f64 = expected.values().sum();
    assert_eq!(value(&after, "zaiti_graphql_requests_total", &[]), total);
    // Every POST answered 200 but the unauthenticated one (401); the
    // WebSocket's upgrade answered 101.
    let graphql_status = |status| {
        value(
            &after,
            "zaiti_http_requests_total",
            &[("route", "/graphql"), ("status", status)],
        )
    };
    assert_eq!(graphql_status("200"), total - 2.0);
    assert_eq!(graphql_status("401"), 1.0);
    assert_eq!(graphql_status("101"), 1.0);
    assert!(value(&after, "zaiti_http_requests_total", &[("route", "/readyz")]) >= 1.0);
    // The queries and the registration ran statements; the pool is reported.
    assert!(
        value(&after, "zaiti_sql_statements_total", &[]) > statements_before,
        "no statement counted"
    );
    let max = value(&after, "zaiti_db_pool_max_connections", &[]);
    let open = value(&after, "zaiti_db_pool_connections", &[]);
    assert!(
        max >= 1.0 && open >= 1.0 && open <= max,
        "pool {open} of {max}"
    );

    // On the main address: ADMIN only.
    let main_url = format!("{}/metrics", server.base_url);
    let client = reqwest::Client::new();
    let anonymous = client.get(&main_url).send().await.expect("an answer");
    assert_eq!(anonymous.status(), 401);
    let as_viewer = client
        .get(&main_url)
        .bearer_auth(&viewer)
        .send()
        .await
        .expect("an answer");
    assert_eq!(as_viewer.status(), 403);
    let body: Value = as_viewer.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let as_admin = client
        .get(&main_url)
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .expect("an answer");
    assert_eq!(as_admin.status(), 200);
    let samples = parse(&as_admin.text().await.expect("text"));
    assert_eq!(value(&samples, "zaiti_graphql_requests_total", &[]), total);
    // Refusals of /metrics are no GraphQL requests.
    let scraped = scrape(&metrics_url).await;
    assert_eq!(value(&scraped, "zaiti_graphql_requests_total", &[]), total);
    assert_eq!(
        value(
            &scraped,
            "zaiti_http_requests_total",
            &[("route", "/metrics"), ("status", "403")]
        ),
        1.0
    );
}

async fn refusals_for_rate_and_open_sockets_are_counted(app: TestApp) {
    let (server, metrics_url) =
        server_with_metrics_address(&app, &["--rate-limit-per-minute=3"], &[], None).await;
    let mut refused = 0.0;
    for _ in 0..5 {
        let (outcome, _, headers) = send(
            &server,
            Some(&app.admin_token),
            "Carriers",
            CARRIERS,
            Value::Null,
        )
        .await;
        if outcome == "RATE_LIMITED" {
            refused += 1.0;
            assert!(headers.contains_key("retry-after"));
        }
    }
    assert_eq!(refused, 2.0);
    let samples = scrape(&metrics_url).await;
    assert_eq!(
        value(&samples, "zaiti_rate_limited_requests_total", &[]),
        refused
    );
    assert_eq!(
        value(
            &samples,
            "zaiti_graphql_requests_total",
            &[("operation", "anonymous"), ("outcome", "RATE_LIMITED")]
        ),
        refused
    );
    assert!(value(&samples, "zaiti_open_connections", &[]) >= 1.0);
    assert_eq!(value(&samples, "zaiti_open_websockets", &[]), 0.0);

    // A WebSocket counts while it is open.
    let socket = open_websocket(&server.base_url).await;
    let samples = scrape(&metrics_url).await;
    assert_eq!(value(&samples, "zaiti_open_websockets", &[]), 1.0);
    drop(socket);
    let closed = wait_for(|| async {
        let samples = scrape(&metrics_url).await;
        value(&samples, "zaiti_open_websockets", &[]) == 0.0
    })
    .await;
    assert!(closed, "the closed WebSocket is still counted");
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A graphql-transport-ws WebSocket to the server, upgraded but not yet initialised.
async fn open_websocket(base_url: &str) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;
    let url = format!("{}/graphql", base_url.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a WebSocket request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    tokio_tungstenite::connect_async(request)
        .await
        .expect("the server upgrades to a WebSocket")
        .0
}

/// Whether `check` comes true within ten seconds.
async fn wait_for<F, Fut>(check: F) -> bool
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A million random names must not grow the server: past the cap they share
/// one label. Storage plays no part: SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operation_names_are_capped_and_sanitised() {
    const CAP: usize = 200;
    const SENT: usize = CAP + 40;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (server, metrics_url) = server_with_metrics_address(&app, &[], &[], None).await;
    let client = reqwest::Client::new();
    for n in 0..SENT {
        let name = format!("Random{n}");
        let body =
            json!({ "query": format!("query {name} {{ __typename }}"), "operationName": name });
        let response = client
            .post(server.graphql_url())
            .bearer_auth(&app.admin_token)
            .json(&body)
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 200);
    }
    // Names that are no GraphQL names (or too long) are never labels.
    let long = "L".repeat(65);
    for name in ["not-a-name", "名字", "a\"b", long.as_str()] {
        let body = json!({ "query": "query { __typename }", "operationName": name });
        client
            .post(server.graphql_url())
            .bearer_auth(&app.admin_token)
            .json(&body)
            .send()
            .await
            .expect("an answer");
    }
    let samples = scrape(&metrics_url).await;
    let operations: std::collections::BTreeSet<&str> = samples
        .iter()
        .filter(|sample| sample.name == "zaiti_graphql_requests_total")
        .map(|sample| sample.labels["operation"].as_str())
        .collect();
    let own: Vec<&&str> = operations
        .iter()
        .filter(|name| name.starts_with("Random"))
        .collect();
    assert_eq!(own.len(), CAP, "{operations:?}");
    assert!(
        operations
            .iter()
            .all(|name| *name == "other" || name.starts_with("Random"))
    );
    assert_eq!(
        value(
            &samples,
            "zaiti_graphql_requests_total",
            &[("operation", "other")]
        ),
        (SENT - CAP + 4) as f64
    );
    assert_eq!(
        value(&samples, "zaiti_graphql_requests_total", &[]),
        (SENT + 4) as f64
    );
}

async fn request_ids_are_echoed_answered_and_logged(app: TestApp) {
    let log = std::env::temp_dir().join(format!(
        "zaiti-request-ids-{}-{:?}.log",
        std::process::id(),
        app.backend
    ));
    let server = ServerProcess::start_with(
        &app.database_url,
        &[],
        &[("RUST_LOG", "info,zaiti=debug")],
        Some(&log),
    )
    .await;
    let client = reqwest::Client::new();
    // A caller's sane id is kept...
    let response = client
        .post(server.graphql_url())
        .bearer_auth(&app.admin_token)
        .header("x-request-id", "support-call-0042")
        .json(&json!({ "query": BROKEN }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.headers()["x-request-id"], "support-call-0042");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["requestId"],
        "support-call-0042"
    );
    // ...an insane one replaced, as is a missing one; refusals carry it too.
    let mut generated = Vec::new();
    for (token, sent_id) in [
        (Some(app.admin_token.as_str()), Some("two words;\"quoted\"")),
        (None, None),
    ] {
        let mut request = client
            .post(server.graphql_url())
            .json(&json!({ "query": "mutation { noSuchMutation }" }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(id) = sent_id {
            request = request.header("x-request-id", id);
        }
        let response = request.send().await.expect("an answer");
        let id = response.headers()["x-request-id"]
            .to_str()
            .expect("text")
            .to_owned();
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["errors"][0]["extensions"]["requestId"], id.as_str());
        generated.push(id);
    }
    assert_ne!(generated[0], generated[1]);
    // Every route echoes it.
    let ready = client
        .get(format!("{}/readyz", server.base_url))
        .header("x-request-id", "probe-1")
        .send()
        .await
        .expect("an answer");
    assert_eq!(ready.headers()["x-request-id"], "probe-1");
    // Over WebSocket, an operation's errors carry the upgrade request's id.
    let answer = common::over_websocket(
        &server.base_url,
        &app.admin_token,
        "query { noSuchField }",
        Value::Null,
    )
    .await;
    let socket_id = answer["errors"][0]["extensions"]["requestId"]
        .as_str()
        .unwrap_or_else(|| panic!("no requestId in {answer}"))
        .to_owned();
    drop(server);

    let text = std::fs::read_to_string(&log).expect("the log");
    let _ = std::fs::remove_file(&log);
    for id in [
        "support-call-0042",
        &generated[0],
        &generated[1],
        &socket_id,
    ] {
        assert!(
            text.lines()
                .any(|line| line.contains(&format!("request_id={id}"))),
            "no log line of request {id}"
        );
    }
    assert!(!text.contains("two words"), "an insane id reached the log");
}

/// A tiny OTLP/HTTP collector: the bodies POSTed to `/v1/traces`.
async fn otlp_receiver() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let received: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let router = axum::Router::new()
        .route(
            "/v1/traces",
            axum::routing::post(
                |axum::extract::State(received): axum::extract::State<Arc<Mutex<Vec<Vec<u8>>>>>,
                 body: axum::body::Bytes| async move {
                    received.lock().expect("the bodies").push(body.to_vec());
                    axum::http::StatusCode::OK
                },
            ),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}"), received)
}

async fn a_traceparent_is_carried_and_exported(app: TestApp) {
    let (endpoint, received) = otlp_receiver().await;
    let log = std::env::temp_dir().join(format!(
        "zaiti-traces-{}-{:?}.log",
        std::process::id(),
        app.backend
    ));
    let server = ServerProcess::start_with(
        &app.database_url,
        &["--otlp-endpoint", &endpoint],
        &[
            ("RUST_LOG", "info,zaiti=debug"),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
        Some(&log),
    )
    .await;
    // A trace id of this run's own, so no other span can carry it.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_nanos();
    let trace_id: [u8; 16] = (nanos ^ 0x5a5a_0000_0000_0000_0000_0000_0000_5a5a).to_be_bytes();
    let traceparent = format!("00-{}-00f067aa0ba902b7-01", hex_of(&trace_id));
    let response = reqwest::Client::new()
        .post(server.graphql_url())
        .bearer_auth(&app.admin_token)
        .header("traceparent", &traceparent)
        .json(&json!({ "query": CARRIERS, "operationName": "Carriers" }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    let exported = wait_for(|| async {
        received
            .lock()
            .expect("the bodies")
            .iter()
            .any(|body| body.windows(16).any(|window| window == trace_id))
    })
    .await;
    assert!(exported, "no span of trace {} exported", hex_of(&trace_id));
    drop(server);
    let text = std::fs::read_to_string(&log).expect("the log");
    let _ = std::fs::remove_file(&log);
    assert!(
        text.contains(&format!("trace_id={}", hex_of(&trace_id))),
        "the request's log lines lack its trace id"
    );
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

on_both_databases!(
    graphql_requests_are_counted_by_operation_and_outcome,
    refusals_for_rate_and_open_sockets_are_counted,
    request_ids_are_echoed_answered_and_logged,
    a_traceparent_is_carried_and_exported,
);
