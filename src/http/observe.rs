//! Every request's id, span and metrics; and `GET /metrics`.
//!
//! Each request gets an id (its sane `x-request-id`, else a new one), echoed
//! in the `x-request-id` response header and carried by the `request` span
//! that every log line of the request is written in (with the trace id of a
//! W3C `traceparent`, when it came with one). GraphQL error answers carry it
//! in `extensions.requestId` (see `graphql.rs`).
//!
//! Who may scrape: operation names are chosen by clients, so the metrics tell
//! what other operators are doing. On the main address `/metrics` answers an
//! ADMIN token only; `--metrics-listen` serves it without a token on an
//! address of its own, for a network only Prometheus reaches.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tracing::Instrument;

use super::graphql::{MediaType, Reply};
use super::{AppState, auth};
use crate::domain::Message;
use crate::domain::access::Role;
use crate::error::AppError;
use crate::graphql::error::code;
use crate::telemetry::request::{self, REQUEST_ID_HEADER};
use crate::telemetry::{self, RequestContext, RequestId, TraceParent, otlp};

const GRAPHQL_ROUTE: &str = "/graphql";

/// The middleware around every route: gives the request its id and span,
/// and counts it.
pub async fn observe(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let id = RequestId::from_headers(request.headers());
    let parent = TraceParent::from_headers(request.headers());
    // The path only: a GET's query string can carry a GraphQL request's variables.
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
        trace_id = tracing::field::Empty,
    );
    if let Some(parent) = &parent {
        otlp::adopt(&span, parent);
        span.record("trace_id", tracing::field::display(parent.trace_id_hex()));
    } else if let Some(trace_id) = otlp::trace_id(&span) {
        span.record("trace_id", tracing::field::display(trace_id));
    }
    let context = Arc::new(RequestContext::new(id.clone()));
    let handling = request::scope(context.clone(), next.run(request));
    let mut response = handling.instrument(span.clone()).await;
    let status = response.status();
    let took = started.elapsed();
    span.in_scope(|| {
        tracing::debug!(
            status = status.as_u16(),
            latency_ms = took.as_millis(),
            "request finished"
        );
    });
    telemetry::record_http(route.as_deref(), status.as_u16());
    // Other routes answer errors alike (`/metrics`), but are no GraphQL requests.
    if route.as_deref() == Some(GRAPHQL_ROUTE)
        && let Some(note) = context.graphql()
    {
        telemetry::record_graphql(note.operation.as_deref(), note.outcome.as_deref(), took);
    }
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// `GET /metrics` on the main address: for an ADMIN token only.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let reply = Reply {
        media: MediaType::Json,
        language: super::language(&state, &headers),
    };
    match auth::caller(&state, &headers).await {
        Ok(actor) if actor.role == Role::Admin => scrape(&state.db).await,
        Ok(_) => reply.error(
            StatusCode::FORBIDDEN,
            code::FORBIDDEN,
            &Message::new(
                "only an ADMIN token may read the metrics (or scrape --metrics-listen)",
                "只有 ADMIN 令牌可以读取监控指标（或从 --metrics-listen 地址采集）",
            ),
        ),
        Err(AppError::Unauthenticated(message)) => {
            let mut response =
                reply.error(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, &message);
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
        Err(err) => reply.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            code::INTERNAL,
            &err.message(),
        ),
    }
}

/// The router of `--metrics-listen`: `/metrics` for anyone who reaches it.
pub fn metrics_router(db: DatabaseConnection) -> Router {
    telemetry::install();
    Router::new()
        .route(
            "/metrics",
            get(|State(db): State<DatabaseConnection>| async move { scrape(&db).await }),
        )
        .with_state(db)
}

async fn scrape(db: &DatabaseConnection) -> Response {
    // The backlog is the database's, whichever process delivers it: read now.
    match crate::store::webhook::backlog(db).await {
        Ok((pending, failed)) => telemetry::set_webhook_backlog(pending, failed),
        Err(err) => tracing::warn!(%err, "metrics: cannot read the webhook backlog"),
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        telemetry::render(db),
    )
        .into_response()
}
