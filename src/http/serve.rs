//! The accept loop: HTTP/1.1 on hyper, with the bounds `axum::serve` lacks.
//!
//! - A request's headers must arrive within the header timeout. hyper starts
//!   that clock whenever the connection waits for a request, so it is also how
//!   long a fresh connection may stay silent and an idle keep-alive connection
//!   stays open.
//! - At most `max_open` connections are open at once; one over the cap is
//!   closed as soon as it is accepted, told why (503) only if that needs no wait.
//! - On shutdown, idle connections close, requests in flight finish, and open
//!   WebSockets are told to go (they hold a [`Stopping`] receiver, so the
//!   server waits for them too).
//!
//! hyper's HTTP/1 connection is used directly, not hyper-util's `auto`
//! builder: that one first waits, with no timeout, for enough bytes to tell
//! HTTP/1 from HTTP/2, so a client that sends nothing would be held forever
//! (and HTTP/2 is not compiled in anyway). Reading a request's body is bounded
//! by its handler (`graphql::post`), which knows the body timeout.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

use crate::domain::{Language, Message};

/// Connections open at once by default: few clients need more than a handful
/// each, and this stays, with the WebSockets' own cap and the database pool,
/// under the common 1,024 open files a process may have.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// How long a connection may take to send a request's headers by default.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Bounds on the connections themselves.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections open at once (WebSockets, once upgraded, count against their own cap).
    pub max_open: usize,
    /// Longest wait for a request's headers, from when the connection is ready
    /// for one: so also how long an idle connection stays open.
    pub header_timeout: Duration,
    /// The language of the refusal of a connection over the cap, which is
    /// written before any request is read: the server's default.
    pub language: Language,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_open: DEFAULT_MAX_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            language: Language::default(),
        }
    }
}

/// Connections the kernel keeps waiting for `accept`: std's (and so tokio's
/// `TcpListener::bind`'s) 128 overflows in a burst, and then a connecting
/// client waits a second for its retry.
const ACCEPT_BACKLOG: u32 = 1024;

/// A listener on `address` with room for a burst of new connections.
pub fn listen(address: SocketAddr) -> io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As std does: a restarted server may bind while old connections linger.
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(ACCEPT_BACKLOG)
}

/// Put in every request's extensions: turns `true` when the server starts
/// shutting down. Whoever holds one (a WebSocket session) is waited for.
#[derive(Clone)]
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// Resolves once the server is shutting down.
    pub async fn wait(&mut self) {
        // An error means the server is gone: stop as well.
        let _ = self.0.wait_for(|stopping| *stopping).await;
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves,
/// then lets the requests in flight finish and the open WebSockets close.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_open));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let over_cap_answer = over_cap_answer(limits.max_open, limits.language);
    let (stop, stopping) = watch::channel(false);
    let (mut over_cap, mut accept_errors) = (LogPace::default(), LogPace::default());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(&err, &mut accept_errors).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            turn_away(stream, &over_cap_answer);
            if let Some(closed) = over_cap.due() {
                tracing::warn!(
                    closed,
                    max_open = limits.max_open,
                    "connections over the cap were closed at once (--max-connections)"
                );
            }
            continue;
        };
        let service = TowerToHyperService::new(router.clone().map_request({
            let stopping = Stopping(stopping.clone());
            move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.extensions_mut().insert(stopping.clone());
                request.map(Body::new)
            }
        }));
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stopping = Stopping(stopping.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let _open = crate::telemetry::OpenGauge::connection();
            let mut connection = pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = stopping.wait() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(err) = result {
                tracing::debug!(%peer, %err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    stop.send_replace(true);
    drop(stopping);
    // Every connection task and WebSocket session holds a receiver until it ends.
    stop.closed().await;
    Ok(())
}

/// Closes a connection over the cap at once. It is told why if that costs no
/// wait: what has arrived of its request is read (so that closing does not
/// reset the connection, which may discard the answer) and the answer is
/// written if the socket takes it whole; neither ever waits for the client.
fn turn_away(stream: TcpStream, answer: &[u8]) {
    let mut request = [0; 4096];
    let _ = stream.try_read(&mut request);
    let _ = stream.try_write(answer);
}

/// The whole HTTP answer to a connection over the cap: 503, TOO_MANY_CONNECTIONS.
fn over_cap_answer(max_open: usize, language: Language) -> Vec<u8> {
    let message = Message::new(
        format!("too many open connections ({max_open}); try again shortly"),
        format!("连接数已满（{max_open}），请稍后重试"),
    );
    let body = serde_json::json!({ "errors": [{
        "message": message.in_language(language),
        "extensions": {
            "code": super::TOO_MANY_CONNECTIONS,
            "messageEn": message.en,
            "messageZh": message.zh,
        },
    }] })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What to do when `accept` fails: a connection the peer already gave up on
/// is nothing; anything else (out of file descriptors) is logged, and the loop
/// pauses briefly so as not to spin.
async fn accept_failed(err: &io::Error, log: &mut LogPace) {
    if matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    if let Some(failures) = log.due() {
        tracing::error!(%err, failures, "cannot accept connections");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Paces a log line to at most one a second, counting the events in between:
/// a flood must not flood the log too.
#[derive(Default)]
struct LogPace {
    last_logged: Option<Instant>,
    unlogged: u64,
}

impl LogPace {
    const EVERY: Duration = Duration::from_secs(1);

    /// Counts one event; `Some(events since the last line)` when a line is due.
    fn due(&mut self) -> Option<u64> {
        self.unlogged += 1;
        if self
            .last_logged
            .is_some_and(|last| last.elapsed() < Self::EVERY)
        {
            return None;
        }
        self.last_logged = Some(Instant::now());
        Some(std::mem::take(&mut self.unlogged))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_logged_at_most_once_a_second_with_their_count() {
        let mut log = LogPace::default();
        assert_eq!(log.due(), Some(1));
        assert_eq!(log.due(), None);
        assert_eq!(log.due(), None);
        log.last_logged = Instant::now().checked_sub(LogPace::EVERY);
        assert_eq!(log.due(), Some(3));
    }
}
