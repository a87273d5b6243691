//! The test harness: a real server on a free port over a fresh database,
//! SQLite or PostgreSQL, talked to over HTTP.
//!
//! PostgreSQL is reached at `ZAITI_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). Each test gets a database
//! of its own, dropped when the test ends. If PostgreSQL cannot be reached the
//! PostgreSQL tests fail: the suite never skips a database silently.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use zaiti::domain::access::Role;
use zaiti::http::HttpOptions;

/// The database engines every storage test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

const DEFAULT_POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A running server over its own database.
pub struct TestApp {
    /// e.g. `http://127.0.0.1:41234`
    pub base_url: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    /// The URL of this test's database, for running the `zaiti` binary against it.
    pub database_url: String,
    pub backend: Backend,
    /// The secret of an ADMIN token, sent by the request helpers unless told otherwise.
    pub admin_token: String,
    statements: Arc<std::sync::Mutex<Vec<String>>>,
    _database: DatabaseGuard,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, HttpOptions::default()).await
    }

    pub async fn spawn_with(backend: Backend, options: HttpOptions) -> Self {
        let (url, guard) = match backend {
            Backend::Sqlite => fresh_sqlite(),
            Backend::Postgres => fresh_postgres().await,
        };
        let mut db = zaiti::store::connect(&url)
            .await
            .unwrap_or_else(|err| panic!("cannot connect to the test database {url}: {err}"));
        zaiti::store::migrate(&db).await.expect("migrations run");
        let admin_token = zaiti::store::token::create(&db, "test admin", Role::Admin, None)
            .await
            .expect("an admin token")
            .secret;
        let statements = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = statements.clone();
        // Beside the server's own counting, for the metrics.
        zaiti::store::observe_statements(&mut db, move |info| {
            if let Ok(mut log) = log.lock() {
                log.push(info.statement.sql.clone());
            }
        });
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let address = listener.local_addr().expect("local address");
        // Links point at this server unless the test says otherwise.
        let options = HttpOptions {
            public_url: options
                .public_url
                .clone()
                .or_else(|| Some(format!("http://{address}"))),
            ..options
        };
        let router = zaiti::http::router(db.clone(), &options);
        tokio::spawn(zaiti::http::serve(listener, router, std::future::pending()));
        Self {
            base_url: format!("http://{address}"),
            client: english_client(),
            db,
            database_url: url,
            backend,
            admin_token,
            statements,
            _database: guard,
        }
    }

    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.base_url)
    }

    /// A POST to `/graphql` carrying the admin token.
    pub fn post_graphql(&self) -> reqwest::RequestBuilder {
        self.client
            .post(self.graphql_url())
            .bearer_auth(&self.admin_token)
    }

    /// A GET of `/graphql` carrying the admin token.
    pub fn get_graphql(&self) -> reqwest::RequestBuilder {
        self.client
            .get(self.graphql_url())
            .bearer_auth(&self.admin_token)
    }

    /// Issues a token; returns its secret. `operator` is an operator's global ID.
    pub async fn token(&self, name: &str, role: Role, operator: Option<&str>) -> String {
        let operator_id = operator.map(|id| {
            zaiti::graphql::node::expect(
                "operator",
                &async_graphql::ID(id.to_owned()),
                zaiti::graphql::node::NodeType::Operator,
            )
            .expect("an operator ID")
        });
        zaiti::store::token::create(&self.db, name, role, operator_id)
            .await
            .expect("a token")
            .secret
    }

    /// Posts a GraphQL request and returns the JSON answer (status must be 200).
    /// Runs the `zaiti` binary on this test's database: its output, whatever
    /// the exit status.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_zaiti"))
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the zaiti binary runs")
    }

    /// What the `zaiti` binary prints on this test's database; it must succeed.
    pub fn cli_stdout(&self, args: &[&str]) -> Vec<u8> {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "zaiti {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(&self.admin_token, query, variables).await
    }

    /// Like [`Self::graphql`], with the token `secret`.
    pub async fn graphql_as(&self, secret: &str, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.graphql_url())
            .bearer_auth(secret)
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request reaches the server");
        let status = response.status();
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(status, 200, "unexpected status; body: {body}");
        body
    }

    /// Like [`Self::graphql`], but fails the test on any GraphQL error and returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Loads the demo portfolio into this test's database.
    pub async fn load_demo(&self) {
        zaiti::demo::load(&self.db).await.expect("demo data loads");
    }

    /// Starts counting SQL statements from zero.
    pub fn reset_statement_count(&self) {
        self.statements.lock().expect("statement log").clear();
    }

    /// SQL statements run since the last reset, but for token checks: a
    /// server checks a token once a second, not once a request, so whether a
    /// request does is a matter of timing, not of what it asked; nor those
    /// of the background readers of the outbox (the webhook worker, the
    /// live-update reader and its horizon).
    pub fn statements(&self) -> Vec<String> {
        let log = self.statements.lock().expect("statement log");
        log.iter()
            .filter(|sql| !sql.contains(r#"FROM "api_token""#) && !sql.contains("FROM `api_token`"))
            .filter(|sql| !sql.contains("webhook") && !sql.contains("outbox_event"))
            .filter(|sql| !sql.contains("pg_notify($1, '')"))
            .filter(|sql| !sql.contains("pg_current_snapshot()"))
            .cloned()
            .collect()
    }

    /// Counts rows of `table` directly in the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql,
            ))
            .await
            .expect("count query runs")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("a count")
    }
}

/// An HTTP client that asks for English messages (`Accept-Language: en`),
/// as the tests' assertions on messages are written in English; the server
/// answers Chinese to a request that names no language.
pub fn english_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_static("en"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

/// The JSON answer of the server at `base_url` to `query`, whatever the
/// HTTP status: with token `secret` if given, in English unless `chinese`.
pub async fn answer_of(
    base_url: &str,
    secret: Option<&str>,
    chinese: bool,
    query: &str,
    variables: Value,
) -> Value {
    let client = if chinese {
        reqwest::Client::new()
    } else {
        english_client()
    };
    let mut request = client.post(format!("{base_url}/graphql"));
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    request
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("a JSON body")
}

/// The errors of an answer without their request ids, which differ from
/// request to request: for comparing two refusals.
pub fn errors_without_request_ids(body: &Value) -> Value {
    let mut errors = body["errors"].clone();
    if let Some(list) = errors.as_array_mut() {
        for error in list {
            if let Some(extensions) = error["extensions"].as_object_mut() {
                extensions.remove("requestId");
            }
        }
    }
    errors
}

/// The `extensions.code` of the first error of a response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

/// Removes the test's database when the test ends, whatever its outcome.
/// Drops (or deletes) a test's database when the test ends.
pub enum DatabaseGuard {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        match self {
            Self::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Self::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside async; a short-lived runtime of its own does the work.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    runtime.block_on(async {
                        let admin = sea_orm::Database::connect(&admin_url).await.ok()?;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await
                            .ok()
                    })
                })
                .join();
            }
        }
    }
}

static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    format!(
        "zaiti_test_{}_{}",
        std::process::id(),
        NEXT_DATABASE.fetch_add(1, Ordering::SeqCst)
    )
}

/// A fresh database with no migrations run, for migration tests: its URL
/// and the guard that drops it.
pub async fn empty_database(backend: Backend) -> (String, DatabaseGuard) {
    match backend {
        Backend::Sqlite => fresh_sqlite(),
        Backend::Postgres => fresh_postgres().await,
    }
}

fn fresh_sqlite() -> (String, DatabaseGuard) {
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    (url, DatabaseGuard::Sqlite(path))
}

async fn fresh_postgres() -> (String, DatabaseGuard) {
    let admin_url = std::env::var("ZAITI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_POSTGRES_ADMIN_URL.into());
    let admin = sea_orm::Database::connect(&admin_url).await.unwrap_or_else(|err| {
        panic!(
            "PostgreSQL is required by the test suite and is not reachable at {admin_url} ({err}). \
             Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) \
             or point ZAITI_TEST_POSTGRES_URL at a server where this user may create databases."
        )
    });
    sweep_abandoned_databases(&admin).await;
    let name = unique_name();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|err| panic!("cannot create test database {name}: {err}"));
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("a database URL ends in /DATABASE");
    (
        format!("{base}/{name}"),
        DatabaseGuard::Postgres { admin_url, name },
    )
}

/// Drops test databases left by test processes that died before cleaning up.
async fn sweep_abandoned_databases(admin: &DatabaseConnection) {
    let rows = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'zaiti_test_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let pid = name
            .split('_')
            .nth(2)
            .and_then(|pid| pid.parse::<u32>().ok());
        let abandoned =
            pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists());
        if abandoned {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

/// Runs each named `async fn(TestApp)` as two tests: `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! on_both_databases {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::common::TestApp::spawn(super::common::Backend::Sqlite).await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::common::TestApp::spawn(super::common::Backend::Postgres).await).await;
                }
            )+
        }
    };
}

/// A valid USCC, different for each `n`.
/// The database id a global ID names.
pub fn database_id(global: &str) -> i32 {
    zaiti::graphql::node::decode("id", &async_graphql::ID(global.to_owned()))
        .expect("a global ID")
        .1
}

pub fn uscc(n: u32) -> String {
    let first_16 = format!("91320214M{:07}", n);
    zaiti::domain::uscc::Uscc::with_check_characters(&first_16)
        .expect("a valid USCC")
        .to_string()
}

impl TestApp {
    /// The global ID of the district with `code`.
    pub async fn district_id(&self, code: &str) -> String {
        let data = self.data("{ districts { id code } }", json!({})).await;
        data["districts"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no district {code}"))["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }

    /// Creates an operator through the API; returns its global ID.
    pub async fn create_operator(&self, name: &str, n: u32) -> String {
        let data = self
            .data(
                "mutation($input: CreateOperatorInput!) { createOperator(input: $input) { id } }",
                json!({ "input": { "name": name, "uscc": uscc(n), "ownership": "CITY_STATE_OWNED",
                                    "contactPerson": "王经理", "contactPhone": "0510-85000000" } }),
            )
            .await;
        data["createOperator"]["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }

    /// Creates a carrier through the API with the given extra input fields; returns its global ID.
    pub async fn create_carrier(
        &self,
        operator_id: &str,
        district_id: &str,
        fields: Value,
    ) -> String {
        let mut input = json!({
            "name": "测试众创空间",
            "kind": "MAKERSPACE",
            "districtId": district_id,
            "operatorId": operator_id,
            "address": "无锡市新吴区菱湖大道111号",
        });
        input
            .as_object_mut()
            .expect("an object")
            .extend(fields.as_object().expect("an object").clone());
        let data = self
            .data(
                "mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { id } }",
                json!({ "input": input }),
            )
            .await;
        data["createCarrier"]["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }

    /// Adds a space phase through the API; its global ID.
    pub async fn add_phase(
        &self,
        carrier_id: &str,
        area_m2: f64,
        delivered_on: &str,
        source: &str,
    ) -> String {
        let data = self.data(
            "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }",
            json!({ "input": { "carrierId": carrier_id, "areaM2": area_m2, "deliveredOn": delivered_on, "source": source } }),
        )
        .await;
        data["addSpacePhase"]["id"]
            .as_str()
            .expect("a phase id")
            .to_owned()
    }

    /// Records a level recognition through the API.
    pub async fn recognise(&self, carrier_id: &str, level: &str, on: &str) {
        self.data(
            "mutation($input: RecordLevelRecognitionInput!) { recordLevelRecognition(input: $input) { id } }",
            json!({ "input": { "carrierId": carrier_id, "level": level, "recognisedOn": on, "authority": "无锡市科学技术局" } }),
        )
        .await;
    }
}

impl TestApp {
    /// Posts a query and returns the JSON body whatever the status.
    pub async fn graphql_raw(&self, query: &str) -> Value {
        self.graphql_raw_with(query, json!({})).await
    }

    /// Posts a query with variables and returns the JSON body whatever the status.
    pub async fn graphql_raw_with(&self, query: &str, variables: Value) -> Value {
        self.post_graphql()
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request reaches the server")
            .json()
            .await
            .expect("a JSON body")
    }
}

/// A port no one listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A `zaiti serve` process of its own on a free port, killed when dropped:
/// for tests that watch the server process itself (a second server on the
/// same database, its memory, its log).
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base_url: String,
}

impl ServerProcess {
    /// `zaiti serve` over `database_url`, logging at `warn` to nowhere.
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[], &[("RUST_LOG", "warn")], None).await
    }

    /// `zaiti serve` over `database_url` with extra flags and environment,
    /// its log (standard error) written to `log` if given; waits until ready.
    pub async fn start_with(
        database_url: &str,
        args: &[&str],
        env: &[(&str, &str)],
        log: Option<&std::path::Path>,
    ) -> Self {
        use std::process::{Command, Stdio};
        let port = free_port();
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("a log file")),
            None => Stdio::null(),
        };
        let mut command = Command::new(env!("CARGO_BIN_EXE_zaiti"));
        command
            .args(["serve", "--database-url", database_url, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(stderr);
        Self::launch(command, port).await
    }

    /// Runs `command` (a `zaiti serve` that listens on 127.0.0.1:`port`) and
    /// waits until it is ready.
    pub async fn launch(mut command: std::process::Command, port: u16) -> Self {
        let child = command.spawn().expect("the zaiti binary starts");
        let server = Self {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        let started = std::time::Instant::now();
        loop {
            let ready = reqwest::get(format!("{}/readyz", server.base_url))
                .await
                .is_ok_and(|response| response.status() == 200);
            if ready {
                return server;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "the server process did not become ready"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.base_url)
    }

    /// The process's resident memory now, in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    /// The most resident memory the process has had, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    fn status_kib(&self, key: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server process is alive");
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {key} in /proc status"))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one operation over a graphql-transport-ws WebSocket to the server at
/// `base_url` as `token`, asking for English messages, and returns the
/// payload of its first `next` message (an `error` message fails the test).
pub async fn over_websocket(base_url: &str, token: &str, query: &str, variables: Value) -> Value {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;

    let url = format!("{}/graphql", base_url.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a WebSocket request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    // English messages, as from the HTTP client of the tests.
    request
        .headers_mut()
        .insert("accept-language", HeaderValue::from_static("en"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the server upgrades to a WebSocket");
    let messages = [
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } }),
    ];
    for message in messages {
        socket
            .send(Message::text(message.to_string()))
            .await
            .expect("sent");
    }
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("an answer in time")
            .expect("the socket stays open")
            .expect("a message");
        let Message::Text(text) = message else {
            continue;
        };
        let message: Value = serde_json::from_str(text.as_str()).expect("JSON");
        if message["type"] == "next" {
            return message["payload"].clone();
        }
        assert_ne!(message["type"], "error", "{message}");
    }
}
