//! Live updates over WebSocket (graphql-transport-ws): who may subscribe, what
//! a subscriber hears, that an event is read from the outbox (so a writer that
//! tells no one is heard, and on PostgreSQL commits out of id order are), and,
//! on PostgreSQL, that an event crosses from one server process to another
//! over the same database.
//!
//! The protocol has no acknowledgement of `subscribe`, so a client cannot tell
//! when its subscription is live; the tests write until the first event
//! arrives (each wait bounded), then test precisely from there.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Backend, ServerProcess, TestApp};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use zaiti::domain::access::Role;
use zaiti::http::HttpOptions;

const OCCUPANCY_CHANGED: &str = r#"
subscription($carrierId: ID!) {
  occupancyChanged(carrierId: $carrierId) {
    carrierId
    at
    carrier { id name floorArea district { code } operator { name } }
  }
}"#;

const ADD_PHASE: &str =
    "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }";

/// Longest wait for anything the server is expected to send.
const PATIENCE: Duration = Duration::from_secs(10);
/// How long silence must last to count as "nothing was sent".
const QUIET: Duration = Duration::from_millis(800);

/// What a client socket got next.
#[derive(Debug, PartialEq)]
enum Received {
    Json(Value),
    Closed(Option<u16>),
    Nothing,
}

/// A graphql-transport-ws client.
struct Socket(WebSocketStream<MaybeTlsStream<TcpStream>>);

impl Socket {
    async fn connect(base_url: &str) -> Self {
        let url = format!("{}/graphql", base_url.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().expect("a WebSocket request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (stream, response) =
            tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request))
                .await
                .expect("the upgrade is answered in time")
                .expect("the server upgrades to a WebSocket");
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        Self(stream)
    }

    /// Connects and authenticates with `token`; the connection must be accepted.
    async fn connect_as(base_url: &str, token: &str) -> Self {
        let mut socket = Self::connect(base_url).await;
        assert_eq!(
            socket
                .init(json!({ "Authorization": format!("Bearer {token}") }))
                .await,
            Received::Json(json!({ "type": "connection_ack" }))
        );
        socket
    }

    async fn send(&mut self, message: Value) {
        self.0
            .send(Message::text(message.to_string()))
            .await
            .expect("the message is sent");
    }

    /// Sends `connection_init` with `payload` and returns the answer.
    async fn init(&mut self, payload: Value) -> Received {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        self.receive(PATIENCE).await
    }

    async fn subscribe(&mut self, id: &str, carrier_id: &str) {
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": OCCUPANCY_CHANGED, "variables": { "carrierId": carrier_id } },
        }))
        .await;
    }

    /// The next message, waiting at most `wait`.
    async fn receive(&mut self, wait: Duration) -> Received {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(message) = tokio::time::timeout(left, self.0.next()).await else {
                return Received::Nothing;
            };
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Received::Json(serde_json::from_str(text.as_str()).expect("JSON"));
                }
                Some(Ok(Message::Close(frame))) => {
                    return Received::Closed(frame.map(|frame| u16::from(frame.code)));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Received::Closed(None),
            }
        }
    }

    /// The payload of the next `next` message of subscription `id`, waiting at
    /// most `wait`; `complete` messages (of finished operations) are skipped.
    async fn event(&mut self, id: &str, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        loop {
            match self
                .receive(deadline.saturating_duration_since(Instant::now()))
                .await
            {
                Received::Json(message) if message["type"] == "next" && message["id"] == id => {
                    return Some(message["payload"].clone());
                }
                Received::Json(message) if message["type"] == "complete" => continue,
                Received::Nothing => return None,
                other => panic!("expected an event of subscription {id}, got {other:?}"),
            }
        }
    }

    /// Fails unless nothing but `complete` messages arrives for [`QUIET`].
    async fn assert_quiet(&mut self) {
        let deadline = Instant::now() + QUIET;
        loop {
            match self
                .receive(deadline.saturating_duration_since(Instant::now()))
                .await
            {
                Received::Nothing => return,
                Received::Json(message) if message["type"] == "complete" => continue,
                other => panic!("expected silence, got {other:?}"),
            }
        }
    }

    /// Reads events of `id` until the socket has been quiet for [`QUIET`]; how many.
    async fn drain(&mut self, id: &str) -> usize {
        let mut count = 0;
        while self.event(id, QUIET).await.is_some() {
            count += 1;
        }
        count
    }
}

/// Adds a space phase to `carrier_id` through the server at `base_url`.
async fn add_phase(base_url: &str, token: &str, carrier_id: &str) {
    let body: Value = reqwest::Client::new()
        .post(format!("{base_url}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": ADD_PHASE, "variables": { "input": {
            "carrierId": carrier_id, "areaM2": 1200.0, "deliveredOn": "2024-06-01", "source": "NEW_BUILD",
        } } }))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body");
    assert!(body.get("errors").is_none(), "addSpacePhase failed: {body}");
}

/// Writes `carrier_id` through `write_url` until `socket` hears of it on
/// subscription `id` (the subscription may not be live yet); the event.
async fn first_event(
    socket: &mut Socket,
    id: &str,
    write_url: &str,
    token: &str,
    carrier_id: &str,
) -> Value {
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        add_phase(write_url, token, carrier_id).await;
        if let Some(event) = socket.event(id, Duration::from_millis(500)).await {
            return event;
        }
    }
    panic!("subscription {id} heard nothing of carrier {carrier_id} within {PATIENCE:?}");
}

/// An operator with two carriers; their global IDs.
async fn two_carriers(app: &TestApp) -> (String, String) {
    let operator = app.create_operator("无锡产业发展集团", 41).await;
    let district = app.district_id("xinwu").await;
    let watched = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": "新吴物联网众创空间" }),
        )
        .await;
    let other = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": "新吴集成电路孵化器" }),
        )
        .await;
    (watched, other)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_subscriber_hears_changes_of_its_carrier_and_of_no_other() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (watched, other) = two_carriers(&app).await;
    let mut socket = Socket::connect_as(&app.base_url, &app.admin_token).await;
    socket.subscribe("1", &watched).await;

    let event = first_event(&mut socket, "1", &app.base_url, &app.admin_token, &watched).await;
    assert!(event.get("errors").is_none(), "unexpected errors: {event}");
    let change = &event["data"]["occupancyChanged"];
    assert_eq!(change["carrierId"], watched.as_str());
    // The carrier and its nested fields come through the loaders, read after the write.
    assert_eq!(change["carrier"]["id"], watched.as_str());
    assert_eq!(change["carrier"]["name"], "新吴物联网众创空间");
    assert_eq!(change["carrier"]["district"]["code"], "xinwu");
    assert_eq!(change["carrier"]["operator"]["name"], "无锡产业发展集团");
    assert!(change["carrier"]["floorArea"].as_f64().expect("a number") >= 1200.0);
    assert!(change["at"].as_str().is_some_and(|at| at.contains('T')));
    socket.drain("1").await;

    // Another carrier's change is not heard …
    add_phase(&app.base_url, &app.admin_token, &other).await;
    socket.assert_quiet().await;
    // … this carrier's is, with the figures as they are now.
    let before = change["carrier"]["floorArea"].as_f64().expect("a number");
    add_phase(&app.base_url, &app.admin_token, &watched).await;
    let event = socket.event("1", PATIENCE).await.expect("an event");
    let change = &event["data"]["occupancyChanged"];
    assert_eq!(change["carrierId"], watched.as_str());
    assert!(change["carrier"]["floorArea"].as_f64().expect("a number") > before);

    // Completing the subscription stops the events.
    socket.send(json!({ "id": "1", "type": "complete" })).await;
    add_phase(&app.base_url, &app.admin_token, &watched).await;
    socket.assert_quiet().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_revoked_token_hears_nothing_more() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (watched, _) = two_carriers(&app).await;
    let viewer = app.token("revoked dashboard", Role::Viewer, None).await;
    let mut socket = Socket::connect_as(&app.base_url, &viewer).await;
    socket.subscribe("1", &watched).await;
    first_event(&mut socket, "1", &app.base_url, &app.admin_token, &watched).await;
    socket.drain("1").await;
    zaiti::store::token::revoke(&app.db, "revoked dashboard")
        .await
        .expect("revoked");
    add_phase(&app.base_url, &app.admin_token, &watched).await;
    // The subscription completes instead of delivering the change.
    let started = Instant::now();
    loop {
        match socket.receive(PATIENCE).await {
            Received::Json(message) if message["type"] == "complete" => break,
            Received::Json(message) => {
                assert_ne!(message["type"], "next", "a revoked token heard: {message}");
            }
            other => panic!("expected the subscription to complete, got {other:?}"),
        }
        assert!(started.elapsed() < PATIENCE, "no completion");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_socket_without_a_valid_token_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for payload in [
        json!({}),
        Value::Null,
        json!({ "Authorization": "Bearer zt_not-a-token" }),
        json!({ "Authorization": "Basic dXNlcjpwYXNz" }),
        json!({ "Authorization": 42 }),
    ] {
        let mut socket = Socket::connect(&app.base_url).await;
        assert_eq!(
            socket.init(payload.clone()).await,
            Received::Closed(Some(4403)),
            "connection_init with {payload}"
        );
    }

    // Subscribing before connection_init closes the socket.
    let mut socket = Socket::connect(&app.base_url).await;
    socket.subscribe("1", "whatever").await;
    assert!(matches!(
        socket.receive(PATIENCE).await,
        Received::Closed(Some(_))
    ));

    // A revoked token is refused too.
    let secret = app.token("revoked dashboard", Role::Viewer, None).await;
    zaiti::store::token::revoke(&app.db, "revoked dashboard")
        .await
        .expect("revoked");
    let mut socket = Socket::connect(&app.base_url).await;
    assert_eq!(
        socket
            .init(json!({ "Authorization": format!("Bearer {secret}") }))
            .await,
        Received::Closed(Some(4403))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_any_reader_may_subscribe_and_unknown_carriers_are_not_found() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (watched, _) = two_carriers(&app).await;
    let viewer = app.token("wall display", Role::Viewer, None).await;
    let mut socket = Socket::connect_as(&app.base_url, &viewer).await;

    // A carrier that does not exist, and an ID of the wrong type.
    let missing = zaiti::graphql::node::global_id(zaiti::graphql::node::NodeType::Carrier, 999_999);
    socket.subscribe("missing", &missing.0).await;
    let event = socket.event("missing", PATIENCE).await.expect("an answer");
    assert_eq!(event["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let operator = app.create_operator("无锡国联集团", 42).await;
    socket.subscribe("wrong", &operator).await;
    let event = socket.event("wrong", PATIENCE).await.expect("an answer");
    assert_eq!(event["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // A malformed operation is refused with the code HTTP would give.
    socket
        .send(json!({ "id": "bad", "type": "subscribe", "payload": { "query": "subscription { nope }" } }))
        .await;
    let event = socket.event("bad", PATIENCE).await.expect("an answer");
    assert_eq!(
        event["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );

    // Queries work over the socket too, nested fields through the loaders;
    // mutations keep their guard.
    socket
        .send(json!({ "id": "q", "type": "subscribe", "payload": {
            "query": "query($id: ID!) { carrier(id: $id) { name operator { name } district { code } } }",
            "variables": { "id": watched },
        } }))
        .await;
    let answer = socket.event("q", PATIENCE).await.expect("an answer");
    assert_eq!(
        answer["data"]["carrier"],
        json!({ "name": "新吴物联网众创空间", "operator": { "name": "无锡产业发展集团" }, "district": { "code": "xinwu" } })
    );
    socket
        .send(json!({ "id": "m", "type": "subscribe", "payload": {
            "query": ADD_PHASE,
            "variables": { "input": { "carrierId": watched, "areaM2": 10.0, "deliveredOn": "2024-06-01", "source": "NEW_BUILD" } },
        } }))
        .await;
    let answer = socket.event("m", PATIENCE).await.expect("an answer");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN");

    socket.subscribe("1", &watched).await;
    let event = first_event(&mut socket, "1", &app.base_url, &app.admin_token, &watched).await;
    assert_eq!(
        event["data"]["occupancyChanged"]["carrier"]["id"],
        watched.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_with_public_read_an_anonymous_socket_may_subscribe() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        HttpOptions {
            public_read: true,
            ..HttpOptions::default()
        },
    )
    .await;
    let (watched, _) = two_carriers(&app).await;
    let mut socket = Socket::connect(&app.base_url).await;
    assert_eq!(
        socket.init(json!({})).await,
        Received::Json(json!({ "type": "connection_ack" }))
    );
    socket.subscribe("1", &watched).await;
    let event = first_event(&mut socket, "1", &app.base_url, &app.admin_token, &watched).await;
    assert_eq!(
        event["data"]["occupancyChanged"]["carrierId"],
        watched.as_str()
    );

    // A bad token is still refused: public read does not excuse a wrong secret.
    let mut socket = Socket::connect(&app.base_url).await;
    assert_eq!(
        socket
            .init(json!({ "Authorization": "Bearer zt_wrong" }))
            .await,
        Received::Closed(Some(4403))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_events_reach_subscribers_of_another_server_process() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let (watched, other) = two_carriers(&app).await;
    // A second server process over the same database, with a token of its own
    // (tokens live in the database, so either server accepts any of them).
    let second = ServerProcess::start(&app.database_url).await;
    let viewer = app
        .token("second-server dashboard", Role::Viewer, None)
        .await;

    let mut on_second = Socket::connect_as(&second.base_url, &viewer).await;
    on_second.subscribe("a", &watched).await;
    let mut on_first = Socket::connect_as(&app.base_url, &app.admin_token).await;
    on_first.subscribe("b", &other).await;

    // Written through the first process, heard on the second …
    let event = first_event(
        &mut on_second,
        "a",
        &app.base_url,
        &app.admin_token,
        &watched,
    )
    .await;
    let change = &event["data"]["occupancyChanged"];
    assert_eq!(change["carrierId"], watched.as_str());
    assert!(change["carrier"]["floorArea"].as_f64().expect("a number") >= 1200.0);

    // … and written through the second, heard on the first.
    let event = first_event(
        &mut on_first,
        "b",
        &second.base_url,
        &app.admin_token,
        &other,
    )
    .await;
    assert_eq!(
        event["data"]["occupancyChanged"]["carrier"]["id"],
        other.as_str()
    );

    // Once live, a change is heard promptly on the other process, and only by
    // the subscription of its carrier.
    on_second.drain("a").await;
    on_first.drain("b").await;
    add_phase(&second.base_url, &app.admin_token, &other).await;
    assert!(on_first.event("b", PATIENCE).await.is_some());
    on_second.assert_quiet().await;
    add_phase(&app.base_url, &app.admin_token, &watched).await;
    let event = on_second.event("a", PATIENCE).await.expect("an event");
    assert_eq!(
        event["data"]["occupancyChanged"]["carrierId"],
        watched.as_str()
    );
    on_first.assert_quiet().await;

    // A tenant moving in through the second process reaches the first's subscriber.
    on_first.drain("b").await;
    let register =
        "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";
    let input =
        json!({ "uscc": common::uscc(4242), "name": "跨进程企业", "foundedOn": "2023-01-01" });
    let enterprise = post(
        &second.base_url,
        &app.admin_token,
        register,
        json!({ "input": input }),
    )
    .await["data"]["registerEnterprise"]["id"]
        .clone();
    let move_in = "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }";
    let input = json!({ "carrierId": other, "enterpriseId": enterprise, "areaM2": 300.0, "movedInOn": "2024-07-01" });
    let body = post(
        &second.base_url,
        &app.admin_token,
        move_in,
        json!({ "input": input }),
    )
    .await;
    assert!(body.get("errors").is_none(), "moveIn failed: {body}");
    assert!(
        on_first.event("b", PATIENCE).await.is_some(),
        "the move-in was not heard"
    );
    let occupancy = "query($id: ID!) { carrier(id: $id) { occupancy(asOf: \"2024-07-01\") { tenants leasedAreaM2 } } }";
    let body = post(
        &app.base_url,
        &app.admin_token,
        occupancy,
        json!({ "id": other }),
    )
    .await;
    assert_eq!(
        body["data"]["carrier"]["occupancy"],
        json!({ "tenants": 1, "leasedAreaM2": 300.0 })
    );
}

/// Posts a GraphQL request to the server at `base_url`; the JSON answer.
async fn post(base_url: &str, token: &str, query: &str, variables: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{base_url}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body")
}

/// Terminates the database sessions that LISTEN for live updates; how many.
async fn terminate_listeners(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND query LIKE 'LISTEN%'",
        ))
        .await
        .expect("the query runs")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// The listeners only wake readers of the outbox: with every process's
/// listener cut off, a change made through another process is still heard
/// (read from the outbox at the next look), and so are the changes after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_listener_that_loses_its_connection_loses_no_event() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let (watched, _) = two_carriers(&app).await;
    let second = ServerProcess::start(&app.database_url).await;
    let mut socket = Socket::connect_as(&app.base_url, &app.admin_token).await;
    socket.subscribe("1", &watched).await;
    first_event(
        &mut socket,
        "1",
        &second.base_url,
        &app.admin_token,
        &watched,
    )
    .await;
    socket.drain("1").await;

    assert_eq!(
        terminate_listeners(&app).await,
        2,
        "one listener per process"
    );
    add_phase(&second.base_url, &app.admin_token, &watched).await;
    let event = socket
        .event("1", PATIENCE)
        .await
        .expect("the change made while the listeners were away");
    assert_eq!(
        event["data"]["occupancyChanged"]["carrierId"],
        watched.as_str()
    );
    socket.drain("1").await;
    add_phase(&second.base_url, &app.admin_token, &watched).await;
    assert!(socket.event("1", PATIENCE).await.is_some());
}

/// A change committed by a process that tells no one (here the command-line
/// import, which has no event bus; in production a server killed between its
/// commit and its wake-up) is heard by the subscribers of the running server:
/// events are the outbox's rows, not notifications.
async fn a_change_whose_writer_tells_no_one_is_heard(app: &TestApp) {
    let (watched, _) = two_carriers(app).await;
    let mut socket = Socket::connect_as(&app.base_url, &app.admin_token).await;
    socket.subscribe("1", &watched).await;
    first_event(&mut socket, "1", &app.base_url, &app.admin_token, &watched).await;
    socket.drain("1").await;

    let file = std::env::temp_dir().join(format!(
        "zaiti_silent_writer_{}_{:?}.csv",
        std::process::id(),
        app.backend
    ));
    let csv = format!(
        "carrier_id,uscc,enterprise_name,founded_on,landed_on,industry,headcount,unit,\
         area_m2,moved_in_on,moved_out_on\n{},{},静默写入企业,2020-01-01,,,,,120,2024-07-01,\n",
        common::database_id(&watched),
        common::uscc(7301)
    );
    std::fs::write(&file, csv).expect("write the file");
    let path = file.display().to_string();
    let database_url = app.database_url.clone();
    let imported = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_zaiti"))
            .args([
                "import",
                "tenancies",
                &path,
                "--database-url",
                &database_url,
            ])
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .output()
            .expect("zaiti runs")
    })
    .await
    .expect("the command ends");
    std::fs::remove_file(&file).ok();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );

    let event = socket
        .event("1", PATIENCE)
        .await
        .expect("the imported move-in is heard");
    assert_eq!(
        event["data"]["occupancyChanged"]["carrierId"],
        watched.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_change_whose_writer_tells_no_one_is_heard() {
    a_change_whose_writer_tells_no_one_is_heard(&TestApp::spawn(Backend::Sqlite).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_change_whose_writer_tells_no_one_is_heard() {
    a_change_whose_writer_tells_no_one_is_heard(&TestApp::spawn(Backend::Postgres).await).await;
}

/// On PostgreSQL a transaction may take its outbox id before another and
/// commit after it. A reader that followed ids would have moved past the
/// earlier id when the later one showed, and never hear it; zaiti reads in
/// commit order (see `store::outbox`), so both are heard, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_event_committed_after_a_later_one_is_heard_once() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = TestApp::spawn(Backend::Postgres).await;
    let (watched, other) = two_carriers(&app).await;
    let mut on_watched = Socket::connect_as(&app.base_url, &app.admin_token).await;
    on_watched.subscribe("w", &watched).await;
    first_event(
        &mut on_watched,
        "w",
        &app.base_url,
        &app.admin_token,
        &watched,
    )
    .await;
    let mut on_other = Socket::connect_as(&app.base_url, &app.admin_token).await;
    on_other.subscribe("o", &other).await;
    first_event(&mut on_other, "o", &app.base_url, &app.admin_token, &other).await;
    on_watched.drain("w").await;
    on_other.drain("o").await;

    // A slow transaction writes the outbox row of a change of `watched` first …
    let slow = app.db.begin().await.expect("a transaction");
    slow.execute_unprepared(&format!(
        "INSERT INTO outbox_event (event_type, operation, entity_type, entity_id, \
         audit_event_id, occurred_at, fanned_out, carrier_id) \
         VALUES ('space_phase.created', 'CREATE', 'SpacePhase', 0, 0, now(), true, {})",
        common::database_id(&watched)
    ))
    .await
    .expect("the row is written");
    // … a change of `other` takes a later id and commits first: heard at once …
    add_phase(&app.base_url, &app.admin_token, &other).await;
    assert!(on_other.event("o", PATIENCE).await.is_some());
    on_watched.assert_quiet().await;
    // … and the slow one, committed last, is heard too; `other` is not told twice.
    slow.commit().await.expect("committed");
    let event = on_watched
        .event("w", PATIENCE)
        .await
        .expect("the change committed last");
    assert_eq!(
        event["data"]["occupancyChanged"]["carrierId"],
        watched.as_str()
    );
    on_other.assert_quiet().await;
}

/// Open sockets do not hold up a rolling restart: SIGTERM stops the process at
/// once (its requests in flight finish) and the subscribers see the socket close.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_server_stops_promptly_with_sockets_open() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (watched, _) = two_carriers(&app).await;
    let mut server = ServerProcess::start(&app.database_url).await;
    let mut socket = Socket::connect_as(&server.base_url, &app.admin_token).await;
    socket.subscribe("1", &watched).await;
    first_event(
        &mut socket,
        "1",
        &server.base_url,
        &app.admin_token,
        &watched,
    )
    .await;

    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let started = Instant::now();
    while server.child.try_wait().expect("the process").is_none() {
        assert!(
            started.elapsed() < PATIENCE,
            "the server did not stop with a socket open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The client learns at once that it must reconnect (to another process).
    assert!(matches!(
        socket.receive(PATIENCE).await,
        Received::Closed(_)
    ));
}

const DESIGNATION_CHANGED: &str = "subscription($status: DesignationStatus) {
  designationRequestChanged(status: $status) { id kind status carrier { id } } }";

impl Socket {
    async fn subscribe_to(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": query, "variables": variables },
        }))
        .await;
    }
}

/// The bureau hears each request submitted under any carrier; an operator
/// hears the decisions on its own and nothing of a competitor's. Writes go
/// through `app`; the sockets are on the server at `read_url` (another
/// process, on PostgreSQL).
async fn designation_events_reach_the_bureau_and_only_the_operator_concerned(
    app: &TestApp,
    read_url: &str,
) {
    let district = app.district_id("xinwu").await;
    let own_operator = app.create_operator("申请认定运营", 61).await;
    let carrier = app
        .create_carrier(
            &own_operator,
            &district,
            json!({ "name": "申请认定孵化器", "kind": "INCUBATOR" }),
        )
        .await;
    let own = app
        .token("申请认定运营", Role::Operator, Some(&own_operator))
        .await;
    let rival_operator = app.create_operator("竞争运营", 62).await;
    let rival = app
        .token("竞争运营", Role::Operator, Some(&rival_operator))
        .await;

    let mut rival_socket = Socket::connect_as(read_url, &rival).await;
    rival_socket
        .subscribe_to("r", DESIGNATION_CHANGED, json!({}))
        .await;
    let mut own_socket = Socket::connect_as(read_url, &own).await;
    own_socket
        .subscribe_to("o", DESIGNATION_CHANGED, json!({}))
        .await;
    let mut bureau = Socket::connect_as(read_url, &app.admin_token).await;
    bureau
        .subscribe_to("q", DESIGNATION_CHANGED, json!({ "status": "PENDING" }))
        .await;

    // Submit until the bureau hears one (its subscription may not be live
    // yet); a request nobody heard is rejected so the next may be filed.
    let request = json!({ "input": { "kind": "CARRIER_LEVEL", "subjectId": carrier, "level": "CITY",
                                     "effectiveOn": "2025-05-01", "authority": "无锡市科学技术局" } });
    let submit = "mutation($input: RequestDesignationInput!) { requestDesignation(input: $input) { id version } }";
    let reject = "mutation($input: RejectDesignationRequestInput!) { rejectDesignationRequest(input: $input) { id } }";
    let started = Instant::now();
    let (heard, submitted) = loop {
        assert!(started.elapsed() < PATIENCE, "the bureau heard no request");
        let body = post(&app.base_url, &own, submit, request.clone()).await;
        let submitted = body["data"]["requestDesignation"].clone();
        assert!(submitted.is_object(), "{body}");
        if let Some(event) = bureau.event("q", Duration::from_millis(500)).await {
            break (event, submitted);
        }
        let body = post(
            &app.base_url,
            &app.admin_token,
            reject,
            json!({ "input": { "id": submitted["id"], "version": submitted["version"], "reason": "测试" } }),
        )
        .await;
        assert!(body.get("errors").is_none(), "{body}");
    };
    let event = &heard["data"]["designationRequestChanged"];
    assert_eq!(event["id"], submitted["id"]);
    assert_eq!(event["status"], "PENDING");
    assert_eq!(event["carrier"]["id"], carrier.as_str());

    // The decision reaches the operator concerned; the bureau's queue
    // subscription (PENDING only) and the competitor hear nothing.
    own_socket.drain("o").await;
    let approve = "mutation($input: ApproveDesignationRequestInput!) { approveDesignationRequest(input: $input) { id } }";
    let body = post(
        &app.base_url,
        &app.admin_token,
        approve,
        json!({ "input": { "id": submitted["id"], "version": submitted["version"] } }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let decided = own_socket.event("o", PATIENCE).await.expect("the decision");
    assert_eq!(
        decided["data"]["designationRequestChanged"]["status"],
        "APPROVED"
    );
    bureau.assert_quiet().await;
    assert_eq!(rival_socket.drain("r").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_designation_events_reach_the_bureau_and_only_the_operator_concerned() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    designation_events_reach_the_bureau_and_only_the_operator_concerned(&app, &app.base_url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_designation_events_cross_server_processes() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let second = ServerProcess::start(&app.database_url).await;
    designation_events_reach_the_bureau_and_only_the_operator_concerned(&app, &second.base_url)
        .await;
}
