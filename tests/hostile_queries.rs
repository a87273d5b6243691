//! Bounded cost per request: every shape of hostile request is refused with
//! its code, at once and before the work, while real queries (a front end's
//! main page, the README's examples) still pass with the default limits.
//!
//! Refusal deadlines are generous (a debug build on a shared machine): what
//! they catch is work that grows with the attack, seconds to minutes of it.

mod common;

use std::time::{Duration, Instant};

use common::{Backend, ServerProcess, TestApp, error_code};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use zaiti::domain::access::Role;
use zaiti::http::HttpOptions;

/// How long a refusal may take, parsing a large body included.
const REFUSAL_DEADLINE: Duration = Duration::from_secs(2);

/// The front end's main page: the first 100 carriers with their operator,
/// district, phases, and their tenants with each one's enterprise.
const MAIN_PAGE: &str = "{ carriers(first: 100) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name kind status level floorArea operator { name } district { nameZh }
            phases { areaM2 deliveredOn source }
            tenancies { areaM2 movedInOn enterprise { name industry } } } } }";

/// `carriers → tenancies → enterprise → tenancies → carrier → …` to depth 16,
/// as the attacker sent it (today: 19.6 s, 3.8 GB).
fn nested_tenancies() -> String {
    let mut selection = String::from("name");
    for level in 0..6 {
        selection = if level % 2 == 0 {
            format!("tenancies {{ enterprise {{ {selection} }} }}")
        } else {
            format!("tenancies {{ carrier {{ {selection} }} }}")
        };
    }
    format!("{{ carriers(first: 100) {{ nodes {{ {selection} }} }} }}")
}

/// 25 fragments, each spreading the one before twice: 985 bytes that
/// expand to 2^25 copies of the first (today: +3.1 GB in 6.8 s).
fn fragment_bomb() -> String {
    let mut document =
        String::from("{ carriers(first: 1) { nodes { ...F25 } } } fragment F0 on Carrier { name }");
    for level in 1..=25 {
        let below = level - 1;
        document.push_str(&format!(
            " fragment F{level} on Carrier {{ ...F{below} ...F{below} }}"
        ));
    }
    document
}

/// `count` aliases of goal progress as known at `moment` (today, 300: 18.7 s
/// and the connection pool run dry).
fn known_at_aliases(count: usize, moment: &str) -> String {
    let aliases: String = (0..count)
        .map(|i| format!(" g{i}: goalProgress(knownAt: \"{moment}\") {{ elapsedShare }}"))
        .collect();
    format!("{{{aliases} }}")
}

/// A valid polygon of `vertices` positions (a circle around Wuxi), closed.
fn polygon(vertices: usize) -> Value {
    let mut ring: Vec<[f64; 2]> = (0..vertices - 1)
        .map(|i| {
            let angle = i as f64 / (vertices - 1) as f64 * std::f64::consts::TAU;
            [120.3 + 0.2 * angle.cos(), 31.5 + 0.2 * angle.sin()]
        })
        .collect();
    ring.push(ring[0]);
    json!({ "type": "Polygon", "coordinates": [ring] })
}

/// A moment just past, for `knownAt`.
fn just_now() -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339()
}

/// Posts to `url` as `token` and returns the JSON body and how long it took.
async fn post(url: &str, token: &str, query: &str, variables: Value) -> (Value, Duration) {
    let started = Instant::now();
    let body: Value = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json")
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("the request reaches the server")
        .json()
        .await
        .expect("a JSON body");
    (body, started.elapsed())
}

/// Asserts `body` is a refusal with `code` that names `figures` and has no data.
fn assert_refused(body: &Value, code: &str, figures: &[&str]) {
    assert_eq!(error_code(body), code, "{body}");
    assert!(body["data"].is_null(), "{body}");
    let message = body["errors"][0]["message"].as_str().expect("a message");
    for figure in figures {
        assert!(
            message.contains(figure),
            "'{figure}' missing from: {message}"
        );
    }
}

/// Asserts a cost refusal's message is in English and Chinese.
fn assert_bilingual(body: &Value) {
    let message = body["errors"][0]["message"].as_str().expect("a message");
    let (english, chinese) = message
        .split_once(" / ")
        .unwrap_or_else(|| panic!("not 'English / 中文': {message}"));
    assert!(english.is_ascii(), "{message}");
    assert!(chinese.contains("上限"), "{message}");
}

// ---------------------------------------------------------------------------
// A real server process: every attack of the issue refused at once, memory bounded
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attack_is_refused_with_its_code_at_once_and_the_server_stays_small() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_demo().await;
    let viewer = app.token("front end", Role::Viewer, None).await;
    let server = ServerProcess::start(&app.database_url).await;
    let url = server.graphql_url();
    let huge = polygon(25_000);
    let attacks: Vec<(&str, String, Value, &str, &str)> = vec![
        (
            "nested lists",
            nested_tenancies(),
            json!({}),
            &viewer,
            "QUERY_TOO_COMPLEX",
        ),
        (
            "fragment bomb",
            fragment_bomb(),
            json!({}),
            &viewer,
            "QUERY_TOO_COMPLEX",
        ),
        (
            "300 knownAt",
            known_at_aliases(300, &just_now()),
            json!({}),
            &viewer,
            "QUERY_TOO_COMPLEX",
        ),
        (
            "25,000-vertex within",
            "query($shape: GeoJSON) { carriers(filter: { within: $shape }) { totalCount } }".into(),
            json!({ "shape": huge }),
            &viewer,
            "BAD_USER_INPUT",
        ),
        (
            "25,000-vertex footprint",
            "mutation($shape: GeoJSON) { setCarrierGeometry(input: { id: \"Q2FycmllcjoxOQ\", version: 1, footprint: $shape }) { version } }".into(),
            json!({ "shape": huge }),
            &app.admin_token,
            "BAD_USER_INPUT",
        ),
        (
            "50,000-character nameContains",
            "query($text: String) { carriers(filter: { nameContains: $text }) { totalCount } }"
                .into(),
            json!({ "text": "孵".repeat(50_000) }),
            &viewer,
            "BAD_USER_INPUT",
        ),
    ];
    for (name, query, variables, token, code) in attacks {
        let (body, took) = post(&url, token, &query, variables).await;
        assert_eq!(error_code(&body), code, "{name}: {body}");
        assert!(
            took < REFUSAL_DEADLINE,
            "{name}: refused only after {took:?}"
        );
    }
    // The server still answers, and never grew past a few hundred MB.
    let (body, _) = post(&url, &viewer, MAIN_PAGE, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let peak_mib = server.peak_rss_kib() / 1024;
    assert!(peak_mib < 300, "peak resident memory {peak_mib} MiB");
}
