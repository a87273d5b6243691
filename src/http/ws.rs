//! GraphQL over WebSocket: `GET /graphql` with `Upgrade: websocket` speaks
//! graphql-transport-ws (and the legacy graphql-ws of
//! subscriptions-transport-ws); any other GET of `/graphql` is a query over
//! HTTP or GraphiQL, as before.
//!
//! The caller authenticates in the `connection_init` payload,
//! `{"Authorization": "Bearer <token>"}` (a browser cannot set headers on a
//! WebSocket); an `Authorization` header on the upgrade request is the
//! fallback. The token is checked as over HTTP. A connection without a valid
//! token is closed with 4403 (Forbidden) unless the server allows public
//! read, and one that sends no `connection_init` within the init timeout with
//! 4408. Every role may subscribe: all of them read.
//!
//! A token revoked while its socket is open stops working at once: every
//! operation checks it again (refused with UNAUTHENTICATED, then the socket
//! is closed with 4403), and so does a timer, so an idle socket closes too.
//! Each operation on the socket counts against the caller's rate limit, as an
//! HTTP request does. At most `max_open` sockets are open at once; an upgrade
//! over the cap gets HTTP 503 and TOO_MANY_CONNECTIONS.
//!
//! Messages are written in the language the upgrade request's
//! `Accept-Language` prefers, or the one `connection_init` names
//! (`{"language": "en"}`, read like an `Accept-Language` value), as over HTTP
//! (`extensions.messageZh` and `messageEn` carry both).

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::http::{WebSocket as GraphqlWebSocket, WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor, Request, Response};
use axum::Extension;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use futures_util::stream::{self, BoxStream};
use futures_util::{SinkExt, StreamExt, future};
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{AppState, Stopping, TOO_MANY_CONNECTIONS, auth, graphql};
use crate::domain::access::Actor;
use crate::domain::{self, Language};
use crate::error::AppError;
use crate::graphql::error::{code, outcome, server_error, speak, with_request_id};
use crate::store;
use crate::telemetry::request::current_request_id;
use crate::telemetry::{self, OpenGauge, RequestId};
use tracing::Instrument;

/// WebSockets open at once by default: a GraphiQL tab or a dashboard holds one each.
pub const DEFAULT_MAX_SOCKETS: usize = 256;
/// How long a new socket may take to send `connection_init` by default.
pub const DEFAULT_INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an open socket's token is checked again by default.
pub const DEFAULT_TOKEN_RECHECK: Duration = Duration::from_secs(30);

/// Bounds on the WebSockets.
#[derive(Debug, Clone, Copy)]
pub struct SocketLimits {
    /// WebSockets open at once.
    pub max_open: usize,
    /// How long a new socket may take to send `connection_init`.
    pub init_timeout: Duration,
    /// How often an open socket's token is checked again, so that the socket
    /// of a revoked token closes even if it sends nothing more.
    pub token_recheck: Duration,
}

impl Default for SocketLimits {
    fn default() -> Self {
        Self {
            max_open: DEFAULT_MAX_SOCKETS,
            init_timeout: DEFAULT_INIT_TIMEOUT,
            token_recheck: DEFAULT_TOKEN_RECHECK,
        }
    }
}

/// The open sockets' slots, shared by every upgrade, and their limits.
pub struct Sockets {
    slots: Arc<Semaphore>,
    limits: SocketLimits,
}

impl Sockets {
    pub fn new(limits: SocketLimits) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limits.max_open)),
            limits,
        }
    }
}

/// graphql-transport-ws close codes.
const FORBIDDEN: u16 = 4403;
const INIT_TIMED_OUT: u16 = 4408;
/// The server is shutting down: reconnect (to another process).
const GOING_AWAY: u16 = 1001;
/// async-graphql closes with this when `connection_init` is refused.
const PROTOCOL_ERROR: u16 = 1002;
const INTERNAL_ERROR: u16 = 1011;

/// `GET /graphql`: a WebSocket if the client asks to upgrade, else GraphQL over HTTP.
pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    stopping: Option<Extension<Stopping>>,
    uri: axum::http::Uri,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> axum::response::Response {
    if !asks_for_websocket(&headers) {
        return graphql::get(State(state), ConnectInfo(peer), headers, uri).await;
    }
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let language = super::language(&state, &headers);
    let Some(protocol) = protocol(&headers) else {
        let message = domain::Message::new(
            "this endpoint speaks the graphql-transport-ws subprotocol (Sec-WebSocket-Protocol)",
            "本接口使用 graphql-transport-ws 子协议（Sec-WebSocket-Protocol）",
        );
        return (
            StatusCode::BAD_REQUEST,
            message.in_language(language).to_owned(),
        )
            .into_response();
    };
    let Ok(slot) = state.sockets.slots.clone().try_acquire_owned() else {
        let reply = graphql::Reply {
            media: graphql::MediaType::Json,
            language,
        };
        return reply.error(
            StatusCode::SERVICE_UNAVAILABLE,
            TOO_MANY_CONNECTIONS,
            &domain::Message::new(
                "too many open WebSockets; try again shortly",
                "WebSocket 连接数已满，请稍后重试",
            ),
        );
    };
    let session = Session {
        state: state.clone(),
        peer,
        protocol,
        language,
        header_token: headers.get(header::AUTHORIZATION).cloned(),
        stopping: stopping.map(|Extension(stopping)| stopping),
        request_id: current_request_id(),
        _slot: slot,
        _open: OpenGauge::websocket(),
    };
    // The socket's log lines stay in the upgrade request's span, with its id.
    let span = tracing::Span::current();
    upgrade
        .protocols([protocol.sec_websocket_protocol()])
        .max_message_size(state.body_limit_bytes)
        .max_frame_size(state.body_limit_bytes)
        .on_upgrade(move |socket| serve(socket, session).instrument(span))
}

/// Whether the request asks to become a WebSocket (`Upgrade: websocket`).
fn asks_for_websocket(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("websocket"))
        })
}

/// The first GraphQL subprotocol the client offers; graphql-transport-ws if it
/// offers none; `None` if it offers only others.
fn protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    let mut offered = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .peekable();
    if offered.peek().is_none() {
        return Some(WebSocketProtocols::GraphQLWS);
    }
    offered.find_map(|name| WebSocketProtocols::from_str(name).ok())
}

/// What a socket is served with, besides the socket itself.
struct Session {
    state: AppState,
    peer: SocketAddr,
    protocol: WebSocketProtocols,
    /// The language the upgrade request asked for (`connection_init` may choose another).
    language: Language,
    header_token: Option<HeaderValue>,
    /// Tells the socket the server is stopping (absent if served without [`super::serve_with`]).
    stopping: Option<Stopping>,
    /// The upgrade request's id, put in the socket's error answers.
    request_id: Option<RequestId>,
    /// Its place under the cap, given back when the socket closes.
    _slot: OwnedSemaphorePermit,
    /// Counts the socket among the open ones while it lives.
    _open: OpenGauge,
}

/// Why a socket of a revoked token is refused and closed.
fn revocation() -> domain::Message {
    domain::Message::new(
        "the token was revoked; this socket is closed",
        "令牌已被吊销，连接已关闭",
    )
}

/// How long a close frame may take to leave: a peer that reads nothing must
/// not hold the socket, or a shutdown, open.
const FAREWELL_PATIENCE: Duration = Duration::from_secs(1);
/// How long any other message may take to leave before the socket is dropped.
const SEND_PATIENCE: Duration = Duration::from_secs(10);

/// Runs one connection until either side closes it.
async fn serve(socket: WebSocket, session: Session) {
    let Session {
        state,
        peer,
        protocol,
        language: asked,
        header_token,
        mut stopping,
        request_id,
        _slot,
        _open,
    } = session;
    let limits = state.sockets.limits;
    let actor: Arc<OnceLock<Actor>> = Arc::default();
    // Set by `connection_init`: the upgrade's language, or the one it names.
    let language: Arc<OnceLock<Language>> = Arc::default();
    let speaks = || language.get().copied().unwrap_or(asked);
    // The close code for a refused `connection_init`, set by the check.
    let refusal = Arc::new(AtomicU16::new(0));
    // Set when an operation was refused for a revoked token: once that answer
    // is sent, the socket closes.
    let revoked = Arc::new(AtomicBool::new(false));
    let executor = SocketExecutor {
        state: state.clone(),
        peer,
        actor: actor.clone(),
        revoked: revoked.clone(),
        language: language.clone(),
        asked,
        request_id,
    };
    let on_init = {
        let (state, actor, refusal) = (state.clone(), actor.clone(), refusal.clone());
        let language = language.clone();
        move |payload: Value| async move {
            let named = payload
                .as_object()
                .and_then(|fields| fields.get("language"))
                .and_then(Value::as_str);
            let chosen = Language::from_accept_language(named, asked);
            let _ = language.set(chosen);
            match authenticate(&state, &payload, header_token.as_ref()).await {
                Ok(caller) => {
                    let _ = actor.set(caller);
                    Ok(Data::default())
                }
                Err((close_code, message)) => {
                    refusal.store(close_code, Ordering::Release);
                    Err(async_graphql::Error::new(message.in_language(chosen)))
                }
            }
        }
    };
    let (mut sink, incoming) = socket.split();
    let incoming = incoming
        .take_while(|message| future::ready(message.is_ok()))
        .filter_map(|message| {
            future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });
    let outgoing = GraphqlWebSocket::new(executor, incoming, protocol)
        .on_connection_init(on_init)
        .map(|message| match message {
            WsMessage::Text(text) => Message::Text(text.into()),
            WsMessage::Close(code, reason) => {
                let refused = refusal.load(Ordering::Acquire);
                let code = if code == PROTOCOL_ERROR && refused != 0 {
                    refused
                } else {
                    code
                };
                close(code, &reason)
            }
        });
    let mut outgoing = std::pin::pin!(outgoing);
    let mut init_deadline = std::pin::pin!(tokio::time::sleep(limits.init_timeout));
    let mut recheck = tokio::time::interval_at(
        tokio::time::Instant::now() + limits.token_recheck,
        limits.token_recheck,
    );
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut server_stopping = std::pin::pin!(async {
        match stopping.as_mut() {
            Some(stopping) => stopping.wait().await,
            None => future::pending().await,
        }
    });
    let farewell = loop {
        tokio::select! {
            message = outgoing.next() => {
                let Some(message) = message else { break None };
                match tokio::time::timeout(SEND_PATIENCE, sink.send(message)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) | Err(_) => break None,
                }
                if revoked.load(Ordering::Acquire) {
                    break Some(close(FORBIDDEN, revocation().in_language(speaks())));
                }
            }
            () = &mut init_deadline, if actor.get().is_none() => {
                break Some(close(INIT_TIMED_OUT, "connection initialisation timeout"));
            }
            _ = recheck.tick(), if actor.get().is_some_and(|actor| actor.token_id.is_some()) => {
                if let Some(actor) = actor.get()
                    && let Ok(false) = token_in_force(&state, actor).await
                {
                    break Some(close(FORBIDDEN, revocation().in_language(speaks())));
                }
            }
            () = &mut server_stopping => {
                break Some(close(GOING_AWAY, "the server is shutting down; reconnect"));
            }
        }
    };
    if let Some(frame) = farewell {
        let _ = tokio::time::timeout(FAREWELL_PATIENCE, sink.send(frame)).await;
    }
}

/// Whether `actor`'s token is still in force; an anonymous reader has none to revoke.
async fn token_in_force(state: &AppState, actor: &Actor) -> Result<bool, AppError> {
    let Some(token) = actor.token_id else {
        return Ok(true);
    };
    store::token::is_active(&state.db, token)
        .await
        .inspect_err(|err| tracing::error!(%err, token, "cannot check a socket's token"))
}

/// A close frame; the reason is cut to the 123 bytes a frame can carry.
fn close(code: u16, reason: &str) -> Message {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason[..end].into(),
    }))
}

/// The caller named by the `connection_init` payload (else by the upgrade
/// request's header), checked as over HTTP; else the close code and why.
async fn authenticate(
    state: &AppState,
    payload: &Value,
    header_token: Option<&HeaderValue>,
) -> Result<Actor, (u16, domain::Message)> {
    let refuse = |en: &str, zh: &str| (FORBIDDEN, domain::Message::new(en, zh));
    let in_payload = payload.as_object().and_then(|fields| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| value)
    });
    let mut headers = HeaderMap::new();
    match in_payload {
        Some(Value::String(text)) => {
            let value = HeaderValue::from_str(text).map_err(|_| {
                refuse(
                    "the Authorization value must read `Bearer <token>`",
                    "Authorization 的值应为 `Bearer <令牌>` 的形式",
                )
            })?;
            headers.insert(header::AUTHORIZATION, value);
        }
        None | Some(Value::Null) => {
            if let Some(value) = header_token {
                headers.insert(header::AUTHORIZATION, value.clone());
            }
        }
        Some(_) => {
            return Err(refuse(
                "`Authorization` in connection_init must be a string `Bearer <token>`",
                "connection_init 中的 `Authorization` 应为 `Bearer <令牌>` 形式的字符串",
            ));
        }
    }
    if headers.is_empty() && !state.public_read {
        return Err(refuse(
            r#"send {"Authorization": "Bearer <token>"} as the connection_init payload"#,
            r#"请以 {"Authorization": "Bearer <令牌>"} 作为 connection_init 的内容"#,
        ));
    }
    match auth::caller(state, &headers).await {
        // An APPLICANT token submits and reads its applications over HTTP only.
        Ok(actor) => match crate::domain::access::may_use_other_interfaces(&actor) {
            Ok(()) => Ok(actor),
            Err(denied) => Err((FORBIDDEN, denied.0)),
        },
        Err(AppError::Unauthenticated(message)) => Err((FORBIDDEN, message)),
        Err(err) => Err((INTERNAL_ERROR, err.message())),
    }
}

/// Runs the operations of one connection as its authenticated caller.
#[derive(Clone)]
struct SocketExecutor {
    state: AppState,
    peer: SocketAddr,
    /// Set once `connection_init` is accepted.
    actor: Arc<OnceLock<Actor>>,
    /// Set when an operation finds the token revoked.
    revoked: Arc<AtomicBool>,
    /// The language `connection_init` chose for the connection's messages.
    language: Arc<OnceLock<Language>>,
    /// The upgrade request's language, until then.
    asked: Language,
    request_id: Option<RequestId>,
}

impl Executor for SocketExecutor {
    async fn execute(&self, request: Request) -> Response {
        self.execute_stream(request, None)
            .next()
            .await
            .unwrap_or_default()
    }

    fn execute_stream(
        &self,
        request: Request,
        _session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let language = self.language.get().copied().unwrap_or(self.asked);
        let request_id = self.request_id.clone();
        // Counted once, at its first answer (a subscription's events are not operations).
        let started = std::time::Instant::now();
        let mut operation = Some(request.operation_name.clone());
        self.answers(request, language)
            .map(move |mut response| {
                speak(&mut response.errors, language);
                if let Some(id) = &request_id {
                    with_request_id(&mut response.errors, id);
                }
                if let Some(name) = operation.take() {
                    let outcome = outcome(&response.errors);
                    telemetry::record_graphql(name.as_deref(), Some(&outcome), started.elapsed());
                }
                response
            })
            .boxed()
    }
}

impl SocketExecutor {
    /// The answers to `request`, their errors not yet in `language`.
    fn answers(&self, request: Request, language: Language) -> BoxStream<'static, Response> {
        let Some(actor) = self.actor.get().cloned() else {
            return refused(
                code::UNAUTHENTICATED,
                &domain::Message::new("send connection_init first", "请先发送 connection_init"),
            );
        };
        let caller = match actor.token_id {
            Some(token) => format!("token:{token}"),
            None => format!("address:{}", self.peer.ip()),
        };
        if let Err(wait) = self.state.rate_limits.check(&caller) {
            let seconds = wait.as_secs().max(1);
            return refused(code::RATE_LIMITED, &super::rate_limit::too_many(seconds));
        }
        // The token is checked again for every operation: one revoked since
        // `connection_init` is refused, and the socket closes after the answer.
        let (state, revoked) = (self.state.clone(), self.revoked.clone());
        stream::once(async move {
            match token_in_force(&state, &actor).await {
                Ok(true) => crate::graphql::subscription::execute_stream(
                    &state.schema.guarded,
                    request.data(language),
                    &state.db,
                    actor,
                ),
                Ok(false) => {
                    revoked.store(true, Ordering::Release);
                    refused(code::UNAUTHENTICATED, &revocation())
                }
                Err(err) => refused(code::INTERNAL, &err.message()),
            }
        })
        .flatten()
        .boxed()
    }
}

/// An operation refused before it ran: one error with its code and message.
fn refused(code: &str, message: &domain::Message) -> BoxStream<'static, Response> {
    let error = server_error(code, message);
    stream::once(future::ready(Response::from_errors(vec![error]))).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn only_an_upgrade_to_websocket_is_a_websocket() {
        assert!(asks_for_websocket(&headers(&[(
            header::UPGRADE,
            "WebSocket"
        )])));
        assert!(!asks_for_websocket(&headers(&[(header::UPGRADE, "h2c")])));
        assert!(!asks_for_websocket(&HeaderMap::new()));
    }

    #[test]
    fn the_first_graphql_subprotocol_offered_is_spoken() {
        let protocol_of = |value| protocol(&headers(&[(header::SEC_WEBSOCKET_PROTOCOL, value)]));
        assert_eq!(
            protocol_of("graphql-transport-ws"),
            Some(WebSocketProtocols::GraphQLWS)
        );
        assert_eq!(
            protocol_of("soap, graphql-ws"),
            Some(WebSocketProtocols::SubscriptionsTransportWS)
        );
        assert_eq!(protocol_of("soap"), None);
        assert_eq!(
            protocol(&HeaderMap::new()),
            Some(WebSocketProtocols::GraphQLWS)
        );
    }

    #[test]
    fn a_close_reason_fits_a_frame() {
        let Message::Close(Some(frame)) = close(4403, &"载".repeat(100)) else {
            panic!("a close frame");
        };
        assert!(frame.reason.len() <= 123);
    }
}
