//! The HTTP surface: `/graphql` (with GraphiQL, its files under
//! `/graphiql/`, and live updates over WebSocket), `/healthz`, `/readyz`,
//! `/metrics` (Prometheus, for ADMIN tokens; see `observe.rs`).

mod auth;
mod graphiql;
mod graphql;
mod health;
mod observe;
pub mod ogc;
pub mod persisted;
pub mod rate_limit;
mod serve;
mod ws;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use self::observe::metrics_router;
use self::rate_limit::RateLimits;
pub use self::serve::{
    ConnectionLimits, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Stopping, listen, serve_with,
};
pub use self::ws::{
    DEFAULT_INIT_TIMEOUT, DEFAULT_MAX_SOCKETS, DEFAULT_TOKEN_RECHECK, SocketLimits,
};
use crate::domain::Language;
use crate::events::Bus;
use crate::graphql::{Limits, Schemas};

/// Largest request body accepted by default: 1 MiB, ample for any query.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 1024 * 1024;
/// How long a request's body may take to arrive by default: a 1 MiB upload
/// over a slow mobile link takes a few seconds.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Where links point when no public URL is configured: the default listen address.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The refusal code of a connection or WebSocket over its cap (HTTP 503).
pub const TOO_MANY_CONNECTIONS: &str = "TOO_MANY_CONNECTIONS";

/// How the HTTP server behaves.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Browser origins allowed to call the API; `*` allows any.
    pub cors_origins: Vec<String>,
    /// Request headers a browser page may send ([`DEFAULT_CORS_ALLOW_HEADERS`]).
    pub cors_allow_headers: Vec<String>,
    /// Response headers a browser page may read ([`DEFAULT_CORS_EXPOSE_HEADERS`]).
    pub cors_expose_headers: Vec<String>,
    pub limits: Limits,
    pub body_limit_bytes: usize,
    /// How long a request's body may take to arrive, from when its handler starts reading it.
    pub body_timeout: Duration,
    /// Requests a minute per token (per address for anonymous readers); 0 for no limit.
    pub rate_limit_per_minute: u32,
    /// Let requests without a token read as VIEWER (they still cannot write).
    pub public_read: bool,
    /// The language of error messages for a request whose `Accept-Language`
    /// names neither Chinese nor English (or that has none).
    pub default_language: Language,
    pub websockets: SocketLimits,
    /// Where clients reach the server (`https://gis.example.cn/zaiti`, no
    /// trailing slash): the start of every link the OGC API writes, never
    /// taken from a request's `Host`. `None`: [`DEFAULT_PUBLIC_URL`].
    pub public_url: Option<String>,
    /// Used by [`serve_with`], not by the router.
    pub connections: ConnectionLimits,
    /// The webhook delivery worker [`router`] starts.
    pub webhooks: crate::webhooks::WebhookOptions,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            cors_origins: vec!["*".into()],
            cors_allow_headers: owned(DEFAULT_CORS_ALLOW_HEADERS),
            cors_expose_headers: owned(DEFAULT_CORS_EXPOSE_HEADERS),
            limits: Limits::default(),
            body_limit_bytes: DEFAULT_BODY_LIMIT_BYTES,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            rate_limit_per_minute: rate_limit::DEFAULT_PER_MINUTE,
            public_read: false,
            default_language: Language::default(),
            websockets: SocketLimits::default(),
            public_url: None,
            connections: ConnectionLimits::default(),
            webhooks: crate::webhooks::WebhookOptions::default(),
        }
    }
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub schema: Schemas,
    pub db: DatabaseConnection,
    pub public_read: bool,
    /// The language of messages when a request's `Accept-Language` does not choose one.
    pub default_language: Language,
    pub rate_limits: Arc<RateLimits>,
    /// Tokens checked in the last second (a revocation holds within it).
    pub tokens: Arc<crate::store::token::TokenCache>,
    pub body_limit_bytes: usize,
    pub body_timeout: Duration,
    /// The WebSockets' cap and timers.
    pub sockets: Arc<ws::Sockets>,
    /// Live updates: what mutations publish and subscriptions hear.
    pub bus: Bus,
    /// Automatic persisted queries (Apollo's protocol), per token.
    pub persisted: Arc<persisted::PersistedQueries>,
    /// The configured public URL links start at ([`HttpOptions::public_url`]).
    pub public_url: Arc<str>,
}

/// The whole application as an axum router over `db`. In the background,
/// on the current Tokio runtime (if any), start the webhook delivery worker
/// and, on PostgreSQL, the live-update listener (else with the first subscription).
pub fn router(db: DatabaseConnection, options: &HttpOptions) -> Router {
    crate::telemetry::install();
    let bus = Bus::new(&db);
    crate::webhooks::start(db.clone(), bus.clone(), options.webhooks);
    let state = AppState {
        schema: Schemas::new(options.limits, bus.clone()),
        db,
        public_read: options.public_read,
        default_language: options.default_language,
        rate_limits: Arc::new(RateLimits::new(options.rate_limit_per_minute)),
        tokens: Arc::default(),
        body_limit_bytes: options.body_limit_bytes,
        body_timeout: options.body_timeout,
        sockets: Arc::new(ws::Sockets::new(options.websockets)),
        bus,
        persisted: Arc::default(),
        public_url: options
            .public_url
            .as_deref()
            .unwrap_or(DEFAULT_PUBLIC_URL)
            .into(),
    };
    Router::new()
        .route("/", get(graphiql::page))
        .route("/graphiql/{name}", get(graphiql::asset))
        .route("/graphql", get(ws::get).post(graphql::post))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(observe::metrics))
        .merge(ogc::routes(&state))
        .with_state(state)
        // Not tower-http's RequestBodyLimitLayer: it answers a too-long
        // Content-Length in plain text, where clients expect our JSON error.
        .layer(DefaultBodyLimit::max(options.body_limit_bytes))
        .layer(cors(options))
        // Outermost: every request, a CORS preflight too, gets its id and is counted.
        .layer(axum::middleware::from_fn(observe::observe))
}

/// The language a request's messages are written in: the one its
/// `Accept-Language` prefers, else the server's default.
fn language(state: &AppState, headers: &HeaderMap) -> Language {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Language::from_accept_language(accept, state.default_language)
}

/// Request headers browsers may send by default: what the API reads
/// (`Authorization`, `Accept-Language`, `Content-Type`, `Accept`), the request
/// id and W3C trace context a front end or its gateway adds, and the client
/// name and version Apollo Client sends.
pub const DEFAULT_CORS_ALLOW_HEADERS: &[&str] = &[
    "content-type",
    "accept",
    "accept-language",
    "authorization",
    "x-request-id",
    "traceparent",
    "tracestate",
    "apollographql-client-name",
    "apollographql-client-version",
];

/// Response headers a page may read by default: `Retry-After` (on 429 and
/// 503, when to try again) and the request id to quote in a support call.
pub const DEFAULT_CORS_EXPOSE_HEADERS: &[&str] = &["retry-after", "x-request-id"];

fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// Header names from configuration; one that is not a valid header name is
/// left out with a warning rather than stopping the server.
fn header_names(names: &[String]) -> Vec<HeaderName> {
    names
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
        .filter_map(|name| match HeaderName::from_bytes(name.as_bytes()) {
            Ok(header) => Some(header),
            Err(_) => {
                tracing::warn!(name, "not a header name; left out of CORS");
                None
            }
        })
        .collect()
}

fn cors(options: &HttpOptions) -> CorsLayer {
    let origins = &options.cors_origins;
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(header_names(&options.cors_allow_headers))
        .expose_headers(header_names(&options.cors_expose_headers))
        .max_age(Duration::from_secs(3600))
}

/// Serves `router` on `listener` within the default [`ConnectionLimits`]
/// until `shutdown` resolves, then lets the requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, ConnectionLimits::default(), shutdown).await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}
