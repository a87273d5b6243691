//! A hostile caller at the network level: connections that send half a
//! request or nothing, bodies trickled in, floods of connections and of
//! WebSockets, a socket whose token is revoked while it is open, and the
//! shape of the refusals (413 in JSON, FORBIDDEN located at its field).
//!
//! Limits are set small through their flags or options, so the tests run in
//! seconds. A refusal must come within a generous deadline ([`PATIENCE`]); a
//! server without the limit would never refuse, and the test fails. The
//! flood tests run the real `zaiti serve` binary and read its memory.

mod common;

use std::time::{Duration, Instant};

use common::{Backend, ServerProcess, TestApp, error_code};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use zaiti::domain::access::Role;
use zaiti::http::{HttpOptions, SocketLimits};

/// Longest wait for a refusal the server owes.
const PATIENCE: Duration = Duration::from_secs(5);
/// How long a connection must stay open to count as held.
const HELD: Duration = Duration::from_secs(1);
/// Most memory a server may use through a flood.
const MEMORY_CEILING_KIB: u64 = 200 * 1024;

const UPDATE_OPERATOR: &str =
    "mutation($input: UpdateOperatorInput!) { updateOperator(input: $input) { id name version } }";

/// `host:port` of a base URL.
fn address(base_url: &str) -> &str {
    base_url.trim_start_matches("http://")
}

/// What became of a raw connection.
#[derive(Debug, PartialEq)]
enum Fate {
    /// The server closed it (or reset it); what it sent first.
    Closed(String),
    /// Still open after the wait.
    Open,
}

/// Reads from `stream` until the server closes it, at most `wait`.
async fn fate(stream: &mut TcpStream, wait: Duration) -> Fate {
    let deadline = Instant::now() + wait;
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return Fate::Open,
            Ok(Ok(0) | Err(_)) => return Fate::Closed(String::from_utf8_lossy(&received).into()),
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

/// A `zaiti serve` process with `args`, over a fresh SQLite database.
async fn server(args: &[&str]) -> (TestApp, ServerProcess) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let server =
        ServerProcess::start_with(&app.database_url, args, &[("RUST_LOG", "warn")], None).await;
    (app, server)
}

/// Fails unless the server at `base_url` answers a normal request within [`PATIENCE`].
async fn assert_serves(base_url: &str) {
    let started = Instant::now();
    loop {
        let ready = reqwest::get(format!("{base_url}/readyz"))
            .await
            .is_ok_and(|response| response.status() == 200);
        if ready {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the server does not serve again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends `request` on a connection of its own and reads until the server
/// closes it; the status code and the JSON body of the answer.
async fn raw_exchange(base_url: &str, request: &[u8]) -> (String, Value) {
    let mut stream = TcpStream::connect(address(base_url))
        .await
        .expect("connects");
    // The server may answer, and close, before all of a refused body is sent.
    let _ = stream.write_all(request).await;
    let Fate::Closed(answer) = fate(&mut stream, PATIENCE).await else {
        panic!("the server neither answered nor closed the connection");
    };
    let status = answer.get(9..12).unwrap_or_default().to_owned();
    let body = answer
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

fn assert_memory_bounded(server: &ServerProcess) {
    let rss = server.rss_kib();
    assert!(
        rss < MEMORY_CEILING_KIB,
        "the server holds {rss} KiB after the flood"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_headers_silence_and_idle_keep_alive_are_closed_after_the_header_timeout() {
    let (_app, server) = server(&["--header-timeout-secs", "1"]).await;
    let address = address(&server.base_url);

    let mut half_sent = TcpStream::connect(address).await.expect("connects");
    half_sent
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: zaiti\r\nContent-Type: application/json\r\n")
        .await
        .expect("sent");
    let mut silent = TcpStream::connect(address).await.expect("connects");
    let mut idle = TcpStream::connect(address).await.expect("connects");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: zaiti\r\n\r\n")
        .await
        .expect("sent");
    let mut first = [0; 12];
    idle.read_exact(&mut first).await.expect("an answer");
    assert_eq!(&first, b"HTTP/1.1 200");

    let (half_sent, silent, idle) = tokio::join!(
        fate(&mut half_sent, PATIENCE),
        fate(&mut silent, PATIENCE),
        fate(&mut idle, PATIENCE),
    );
    assert!(
        matches!(half_sent, Fate::Closed(_)),
        "half-sent header: {half_sent:?}"
    );
    assert_eq!(
        silent,
        Fate::Closed(String::new()),
        "a connection that sends nothing"
    );
    assert!(matches!(idle, Fate::Closed(_)), "idle keep-alive: {idle:?}");
    assert_serves(&server.base_url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_are_closed_at_once_and_the_server_serves_once_they_go() {
    const CAP: usize = 40;
    let (_app, server) = server(&["--max-connections", "40", "--header-timeout-secs", "60"]).await;
    let address = address(&server.base_url).to_owned();
    // The readiness probe's connection may take a moment to be let go.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut connections = Vec::new();
    for _ in 0..CAP + 20 {
        connections.push(TcpStream::connect(&address).await.expect("connects"));
    }
    let fates =
        futures_util::future::join_all(connections.iter_mut().map(|stream| fate(stream, HELD)))
            .await;
    let held: Vec<TcpStream> = connections
        .into_iter()
        .zip(&fates)
        .filter(|(_, fate)| **fate == Fate::Open)
        .map(|(stream, _)| stream)
        .collect();
    let closed = fates.len() - held.len();
    assert!(
        held.len() <= CAP,
        "{} connections held over a cap of {CAP}",
        held.len()
    );
    assert!(
        closed >= 20,
        "only {closed} connections over the cap were closed"
    );

    // A flood on top: each closed at once, none held, little memory.
    let mut flood = Vec::new();
    for _ in 0..2_000 {
        if let Ok(stream) = TcpStream::connect(&address).await {
            flood.push(stream);
        }
    }
    let mut latecomer = TcpStream::connect(&address).await.expect("connects");
    assert!(matches!(
        fate(&mut latecomer, PATIENCE).await,
        Fate::Closed(_)
    ));
    assert_memory_bounded(&server);

    // A client over the cap is not served; it is told why, as the answer is
    // written at once (a client that reads only after sending still gets it).
    for _ in 0..20 {
        let (status, body) = raw_exchange(
            &server.base_url,
            b"GET /healthz HTTP/1.1\r\nHost: zaiti\r\n\r\n",
        )
        .await;
        assert_eq!(status, "503", "{body}");
        assert_eq!(error_code(&body), "TOO_MANY_CONNECTIONS");
    }

    drop(flood);
    drop(held);
    assert_serves(&server.base_url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_trickled_in_is_cut_off_with_408() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        HttpOptions {
            body_timeout: Duration::from_secs(1),
            ..HttpOptions::default()
        },
    )
    .await;
    let stream = TcpStream::connect(address(&app.base_url))
        .await
        .expect("connects");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: zaiti\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        app.admin_token
    );
    writer.write_all(head.as_bytes()).await.expect("sent");
    // One byte every 100 ms: never silent for long, never finished.
    let trickle = tokio::spawn(async move {
        for _ in 0..1000 {
            if writer.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(PATIENCE, reader.read_to_end(&mut answer)).await;
    trickle.abort();
    assert!(read.is_ok(), "the trickled body was not cut off");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body: Value = answer
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or_else(|| panic!("no JSON body in {answer}"));
    assert_eq!(error_code(&body), "BODY_TIMEOUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_body_over_the_limit_gets_the_json_413() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        HttpOptions {
            body_limit_bytes: 4096,
            ..HttpOptions::default()
        },
    )
    .await;
    let query = json!({ "query": format!("{{ districts {{ code }} }}#{}", "x".repeat(8192)) });
    let assert_json_413 =
        |what: &str, status: reqwest::StatusCode, content_type: String, body: &str| {
            assert_eq!(status, 413, "{what}: {body}");
            assert!(content_type.contains("json"), "{what}: {content_type}");
            let body: Value = serde_json::from_str(body).expect("a JSON body");
            assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE", "{what}");
        };
    let answer = |response: reqwest::Response| async move {
        let status = response.status();
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("text")
            .to_owned();
        (status, content_type, response.text().await.expect("a body"))
    };

    // With Content-Length (reqwest sets it for a JSON body).
    let (status, content_type, body) = answer(
        app.post_graphql()
            .json(&query)
            .send()
            .await
            .expect("an answer"),
    )
    .await;
    assert_json_413("Content-Length", status, content_type, &body);

    // Chunked: no length declared, found while reading.
    let bytes = query.to_string().into_bytes();
    let mut request = format!(
        "POST /graphql HTTP/1.1\r\nHost: zaiti\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.admin_token
    )
    .into_bytes();
    for chunk in bytes.chunks(1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let (status, body) = raw_exchange(&app.base_url, &request).await;
    assert_eq!(status, "413", "chunked: {body}");
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE", "chunked");

    // Multipart, as an upload is sent.
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": "{ __typename }" }).to_string(),
        )
        .text("map", "{}")
        .part(
            "0",
            reqwest::multipart::Part::bytes(vec![b'x'; 8192]).file_name("big.csv"),
        );
    let (status, content_type, body) = answer(
        app.post_graphql()
            .multipart(form)
            .send()
            .await
            .expect("an answer"),
    )
    .await;
    assert_json_413("multipart", status, content_type, &body);

    // A declared length far over the limit is refused before any of it is sent.
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: zaiti\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000000\r\n\
         Expect: 100-continue\r\n\r\n",
        app.admin_token
    );
    let (status, body) = raw_exchange(&app.base_url, head.as_bytes()).await;
    assert_eq!(status, "413", "{body}");
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_without_a_valid_token_is_refused_before_its_body_is_read() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // A body is announced and never sent: only a refusal that does not wait for it comes in time.
    for authorization in ["", "Authorization: Bearer zt_not-a-token\r\n"] {
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: zaiti\r\n{authorization}\
             Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        );
        let (status, body) = raw_exchange(&app.base_url, head.as_bytes()).await;
        assert_eq!(status, "401", "{authorization}: {body}");
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_mutation_is_located_at_its_field() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let viewer = app.token("wall display", Role::Viewer, None).await;
    let query = "mutation {\n  renamed: updateOperator(input: {id: \"T3BlcmF0b3I6MQ\", version: 1, name: \"x\"}) { id }\n}";
    let body = app.graphql_as(&viewer, query, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert_eq!(
        body["errors"][0]["locations"],
        json!([{ "line": 2, "column": 3 }])
    );
    assert_eq!(body["errors"][0]["path"], json!(["renamed"]));

    let query = "mutation {\n  updateOperator(input: {id: \"T3BlcmF0b3I6MQ\", version: 1, name: \"x\"}) { id }\n}";
    let body = app.graphql_as(&viewer, query, json!({})).await;
    assert_eq!(
        body["errors"][0]["locations"],
        json!([{ "line": 2, "column": 3 }])
    );
    assert_eq!(body["errors"][0]["path"], json!(["updateOperator"]));
}

/// A graphql-transport-ws client socket.
struct Socket(WebSocketStream<MaybeTlsStream<TcpStream>>);

/// What a client socket got next.
#[derive(Debug, PartialEq)]
enum Received {
    Json(Value),
    Closed(Option<u16>),
    Nothing,
}

impl Socket {
    async fn connect(base_url: &str) -> Self {
        let url = format!("{}/graphql", base_url.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().expect("a WebSocket request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (stream, _) = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request))
            .await
            .expect("the upgrade is answered in time")
            .expect("the server upgrades to a WebSocket");
        Self(stream)
    }

    /// Connects and authenticates with `token`; the connection must be accepted.
    async fn connect_as(base_url: &str, token: &str) -> Self {
        let mut socket = Self::connect(base_url).await;
        socket
            .send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
            .await;
        assert_eq!(
            socket.receive(PATIENCE).await,
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

    /// Runs one operation as `id`; its first answer.
    async fn operation(&mut self, id: &str, query: &str, variables: Value) -> Value {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
        match self.receive_past_completions().await {
            Received::Json(message) if message["type"] == "next" && message["id"] == id => {
                message["payload"].clone()
            }
            other => panic!("expected the answer to {id}, got {other:?}"),
        }
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

    /// Skips `complete` messages; the next other one.
    async fn receive_past_completions(&mut self) -> Received {
        loop {
            match self.receive(PATIENCE).await {
                Received::Json(message) if message["type"] == "complete" => continue,
                other => return other,
            }
        }
    }
}

/// Asks `base_url` to upgrade to a WebSocket over plain HTTP; the status and JSON body of a refusal.
async fn refused_upgrade(base_url: &str) -> (reqwest::StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(format!("{base_url}/graphql"))
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("sec-websocket-protocol", "graphql-transport-ws")
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_never_sends_connection_init_is_closed_with_4408() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        HttpOptions {
            websockets: SocketLimits {
                init_timeout: Duration::from_secs(1),
                ..SocketLimits::default()
            },
            ..HttpOptions::default()
        },
    )
    .await;
    let mut socket = Socket::connect(&app.base_url).await;
    assert_eq!(socket.receive(PATIENCE).await, Received::Closed(Some(4408)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_over_the_cap_are_refused_and_a_flood_of_silent_ones_is_let_go() {
    const CAP: usize = 30;
    let (app, server) = server(&[
        "--max-websockets",
        "30",
        "--websocket-init-timeout-secs",
        "2",
    ])
    .await;

    // A flood of sockets that never send connection_init: the cap holds, each
    // one over it gets 503 and TOO_MANY_CONNECTIONS.
    let mut open = Vec::new();
    for _ in 0..CAP {
        open.push(Socket::connect(&server.base_url).await);
    }
    for _ in 0..300 {
        let (status, body) = refused_upgrade(&server.base_url).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(error_code(&body), "TOO_MANY_CONNECTIONS");
    }
    assert_memory_bounded(&server);

    // The silent ones are closed with 4408 once their time is up …
    for socket in &mut open {
        assert_eq!(socket.receive(PATIENCE).await, Received::Closed(Some(4408)));
    }
    drop(open);
    // … and their places serve a real client again.
    let started = Instant::now();
    let mut socket = loop {
        let (status, _) = refused_upgrade(&server.base_url).await;
        if status != 503 {
            break Socket::connect_as(&server.base_url, &app.admin_token).await;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the sockets' places were not given back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let answer = socket
        .operation("1", "{ districts { code } }", json!({}))
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    assert_serves(&server.base_url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_idle_socket_of_a_revoked_token_is_closed() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        HttpOptions {
            websockets: SocketLimits {
                token_recheck: Duration::from_secs(1),
                ..SocketLimits::default()
            },
            ..HttpOptions::default()
        },
    )
    .await;
    let viewer = app.token("wall display", Role::Viewer, None).await;
    let mut socket = Socket::connect_as(&app.base_url, &viewer).await;
    let mut kept = Socket::connect_as(&app.base_url, &app.admin_token).await;
    zaiti::store::token::revoke(&app.db, "wall display")
        .await
        .expect("revoked");
    assert_eq!(socket.receive(PATIENCE).await, Received::Closed(Some(4403)));
    // A socket whose token still holds stays open.
    assert_eq!(
        kept.receive(Duration::from_secs(2)).await,
        Received::Nothing
    );
}

/// An operator's own token updates it over a socket; once the token is
/// revoked, the next operation on that socket is refused, nothing is written,
/// and the socket is closed.
async fn a_revoked_tokens_socket_is_refused_its_next_operation_and_closed(app: TestApp) {
    let operator = app.create_operator("无锡产业发展集团", 61).await;
    let token = app
        .token("集团 data desk", Role::Operator, Some(&operator))
        .await;
    let mut socket = Socket::connect_as(&app.base_url, &token).await;
    let rename = |version: i64, name: &str| json!({ "input": { "id": operator, "version": version, "name": name } });
    let answer = socket
        .operation("1", UPDATE_OPERATOR, rename(1, "无锡产业发展集团有限公司"))
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    assert_eq!(answer["data"]["updateOperator"]["version"], 2);

    zaiti::store::token::revoke(&app.db, "集团 data desk")
        .await
        .expect("revoked");
    let answer = socket
        .operation("2", UPDATE_OPERATOR, rename(2, "被吊销后的改名"))
        .await;
    assert_eq!(error_code(&answer), "UNAUTHENTICATED", "{answer}");
    assert_eq!(
        socket.receive_past_completions().await,
        Received::Closed(Some(4403))
    );

    let data = app
        .data(
            "query($id: ID!) { operator(id: $id) { name version } }",
            json!({ "id": operator }),
        )
        .await;
    assert_eq!(
        data["operator"],
        json!({ "name": "无锡产业发展集团有限公司", "version": 2 })
    );
}

on_both_databases!(a_revoked_tokens_socket_is_refused_its_next_operation_and_closed);

/// On SIGTERM a request in flight still gets its answer, and an open
/// WebSocket is told at once to go elsewhere (1001).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sigterm_requests_in_flight_finish_and_sockets_are_told_to_go() {
    let (app, mut server) = server(&[]).await;
    let mut socket = Socket::connect_as(&server.base_url, &app.admin_token).await;
    // A request in flight: its body is half sent when the signal comes.
    let body = json!({ "query": "{ districts { code } }" }).to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut in_flight = TcpStream::connect(address(&server.base_url))
        .await
        .expect("connects");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: zaiti\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{first_half}",
        app.admin_token,
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.expect("sent");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    assert_eq!(socket.receive(PATIENCE).await, Received::Closed(Some(1001)));

    in_flight
        .write_all(second_half.as_bytes())
        .await
        .expect("the rest is sent");
    let Fate::Closed(answer) = fate(&mut in_flight, PATIENCE).await else {
        panic!("the request in flight was neither answered nor closed");
    };
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"districts\""), "{answer}");

    let started = Instant::now();
    while server.child.try_wait().expect("the process").is_none() {
        assert!(started.elapsed() < PATIENCE, "the server did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
