//! The HTTP surface: `/graphql` (with GraphiQL), `/healthz`, `/readyz`.

mod graphql;
mod health;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::graphql::{Limits, ZaitiSchema};

/// Largest request body accepted by default: 1 MiB, ample for any query.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// How the HTTP server behaves.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Browser origins allowed to call the API; `*` allows any.
    pub cors_origins: Vec<String>,
    pub limits: Limits,
    pub body_limit_bytes: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            cors_origins: vec!["*".into()],
            limits: Limits::default(),
            body_limit_bytes: DEFAULT_BODY_LIMIT_BYTES,
        }
    }
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub schema: ZaitiSchema,
    pub db: DatabaseConnection,
}

/// The whole application as an axum router over `db`.
pub fn router(db: DatabaseConnection, options: &HttpOptions) -> Router {
    let state = AppState {
        schema: crate::graphql::schema(options.limits),
        db,
    };
    Router::new()
        .route("/", get(graphql::graphiql))
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(options.body_limit_bytes))
        .layer(cors(&options.cors_origins))
        .layer(TraceLayer::new_for_http())
}

fn cors(origins: &[String]) -> CorsLayer {
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::AUTHORIZATION,
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(Duration::from_secs(3600))
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
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
