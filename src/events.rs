//! The event bus: "the occupancy figures of carrier X may have changed" and
//! "designation request R was submitted or decided", told to every server
//! process, whichever process made the change.
//!
//! Servers are stateless and many of them may run over one PostgreSQL
//! database, so an event must reach subscribers connected to any process:
//!
//! - **PostgreSQL.** [`Bus::publish`] runs `SELECT pg_notify('zaiti_occupancy',
//!   '<carrier id>')` once the write has committed. Each process keeps one
//!   dedicated connection (a pool of its own, outside the request pool) that
//!   `LISTEN`s on the channel and fans what it hears out to the process's
//!   subscribers through an in-process broadcast. A process hears its own
//!   notifications the same way, so there is one path and no duplicates. If
//!   the listening connection drops, it is re-established with backoff.
//! - **SQLite** (a file, normally served by one process): the in-process
//!   broadcast alone. Processes sharing one SQLite file do not hear each other.
//!
//! The bus also wakes the webhook worker ([`Bus::outbox_written`],
//! [`Bus::outbox_woken`]; on PostgreSQL through [`OUTBOX_CHANNEL`]). That is
//! a hint only: the events themselves are in the outbox table.
//!
//! Delivery is best effort: PostgreSQL does not keep notifications for a
//! listener that was disconnected, and a subscriber that falls far behind
//! skips what it missed. Either way subscribers get a [`Notice::Gap`], which
//! means "anything may have changed", never silence.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgListener, Postgres};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::sync::{Notify, broadcast, watch};

/// The PostgreSQL channel of occupancy events; the payload is the carrier's database id.
pub const OCCUPANCY_CHANNEL: &str = "zaiti_occupancy";
/// The PostgreSQL channel of designation-request events; the payload is the request's database id.
pub const DESIGNATION_CHANNEL: &str = "zaiti_designation";

/// The PostgreSQL channel that wakes the webhook workers of every process:
/// outbox rows were committed. No payload.
pub const OUTBOX_CHANNEL: &str = "zaiti_outbox";

/// Notices a subscriber may fall behind by before it skips to a [`Notice::Gap`].
const CAPACITY: usize = 1024;
/// First and longest wait before reconnecting a dropped listener.
const MIN_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What subscribers hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The occupancy figures of this carrier (database id) may have changed.
    OccupancyChanged(i32),
    /// This designation request (database id) was submitted or decided.
    DesignationChanged(i32),
    /// Notices may have been lost (the listener reconnected, or this
    /// subscriber fell behind): any carrier may have changed.
    Gap,
}

impl Notice {
    /// Whether a subscriber watching `carrier_id` should react.
    pub fn concerns(self, carrier_id: i32) -> bool {
        match self {
            Self::OccupancyChanged(id) => id == carrier_id,
            Self::DesignationChanged(_) => false,
            Self::Gap => true,
        }
    }
}

/// The event bus of one server process. Cheap to clone; clones share it.
#[derive(Clone)]
pub struct Bus(Arc<Inner>);

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Bus").field(&self.describe()).finish()
    }
}

struct Inner {
    sender: broadcast::Sender<Notice>,
    /// Wakes this process's webhook worker ([`Bus::outbox_woken`]).
    outbox: Arc<Notify>,
    transport: Transport,
}

enum Transport {
    InProcess,
    Postgres(Box<PgTransport>),
}

struct PgTransport {
    /// Publishes with `pg_notify`.
    db: DatabaseConnection,
    listener: Listener,
}

/// The task that LISTENs for the process; it ends when the bus is dropped.
struct Listener {
    options: PgConnectOptions,
    started: AtomicBool,
    /// Dropped with the bus, which tells the task to stop.
    alive: watch::Sender<()>,
}

impl Bus {
    /// The bus for `db`: PostgreSQL LISTEN/NOTIFY on PostgreSQL, in-process otherwise.
    ///
    /// On PostgreSQL the listening task starts at once when called inside a
    /// Tokio runtime, else with the first [`Bus::subscribe`].
    pub fn new(db: &DatabaseConnection) -> Self {
        let transport = match db.get_database_backend() {
            DbBackend::Postgres => Transport::Postgres(Box::new(PgTransport {
                db: db.clone(),
                listener: Listener {
                    options: (*db.get_postgres_connection_pool().connect_options()).clone(),
                    started: AtomicBool::new(false),
                    alive: watch::channel(()).0,
                },
            })),
            DbBackend::Sqlite => Transport::InProcess,
            other => {
                tracing::warn!(
                    backend = ?other,
                    "live updates stay within this process on this database"
                );
                Transport::InProcess
            }
        };
        let bus = Self(Arc::new(Inner {
            sender: broadcast::channel(CAPACITY).0,
            outbox: Arc::default(),
            transport,
        }));
        bus.start_listener();
        bus
    }

    /// A bus that reaches this process only (SQLite, tests, the SDL printer).
    pub fn in_process() -> Self {
        Self(Arc::new(Inner {
            sender: broadcast::channel(CAPACITY).0,
            outbox: Arc::default(),
            transport: Transport::InProcess,
        }))
    }

    /// How events travel, for logs.
    pub fn describe(&self) -> &'static str {
        match self.0.transport {
            Transport::InProcess => "in-process broadcast",
            Transport::Postgres(_) => {
                "PostgreSQL LISTEN/NOTIFY on channels zaiti_occupancy and zaiti_designation"
            }
        }
    }

    /// Tells every process that the occupancy figures of carrier `carrier_id`
    /// (database id) may have changed. Call it after the write has committed:
    /// a notice sent earlier could reach a subscriber that then reads the old
    /// figures. On PostgreSQL this is one statement; it fails only if the
    /// database does.
    pub async fn publish(&self, carrier_id: i32) -> Result<(), DbErr> {
        self.tell(Notice::OccupancyChanged(carrier_id)).await
    }

    /// Tells every process that designation request `request_id` (database
    /// id) was submitted or decided; as [`Bus::publish`], after the commit.
    pub async fn publish_designation(&self, request_id: i32) -> Result<(), DbErr> {
        self.tell(Notice::DesignationChanged(request_id)).await
    }

    async fn tell(&self, notice: Notice) -> Result<(), DbErr> {
        match &self.0.transport {
            Transport::InProcess => {
                // An error only means that nobody is subscribed.
                let _ = self.0.sender.send(notice);
            }
            Transport::Postgres(pg) => {
                let (channel, id) = match notice {
                    Notice::OccupancyChanged(id) => (OCCUPANCY_CHANNEL, id),
                    Notice::DesignationChanged(id) => (DESIGNATION_CHANNEL, id),
                    Notice::Gap => return Ok(()),
                };
                pg.db
                    .execute_raw(Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        "SELECT pg_notify($1, $2)",
                        [channel.into(), id.to_string().into()],
                    ))
                    .await?;
            }
        }
        Ok(())
    }

    /// Tells the webhook workers that outbox rows were committed: this
    /// process's at once, and on PostgreSQL every process's through
    /// [`OUTBOX_CHANNEL`]. Call it after the commit. A lost wake-up only
    /// delays deliveries until the workers' next poll, so a failure is logged.
    pub async fn outbox_written(&self) {
        self.0.outbox.notify_one();
        if let Transport::Postgres(pg) = &self.0.transport {
            let notified = pg
                .db
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_notify($1, '')",
                    [OUTBOX_CHANNEL.into()],
                ))
                .await;
            if let Err(err) = notified {
                tracing::warn!(%err, "cannot wake the other processes' webhook workers");
            }
        }
    }

    /// Resolves once outbox rows were committed (in any process, on
    /// PostgreSQL) since the last time it resolved; one wake-up is kept
    /// if nobody was waiting.
    pub async fn outbox_woken(&self) {
        self.start_listener();
        self.0.outbox.notified().await;
    }

    /// Every notice from now on, from any process. The stream ends only if
    /// the bus is dropped.
    pub fn subscribe(&self) -> BoxStream<'static, Notice> {
        self.start_listener();
        let receiver = self.0.sender.subscribe();
        futures_util::stream::unfold(receiver, |mut receiver| async move {
            match receiver.recv().await {
                Ok(notice) => Some((notice, receiver)),
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "a live-update subscriber fell behind");
                    Some((Notice::Gap, receiver))
                }
                Err(broadcast::error::RecvError::Closed) => None,
            }
        })
        .boxed()
    }

    /// Starts the PostgreSQL listening task, once, if a runtime is at hand.
    fn start_listener(&self) {
        let Transport::Postgres(pg) = &self.0.transport else {
            return;
        };
        let listener = &pg.listener;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if listener.started.swap(true, Ordering::AcqRel) {
            return;
        }
        runtime.spawn(listen(
            listener.options.clone(),
            self.0.sender.clone(),
            self.0.outbox.clone(),
            listener.alive.subscribe(),
        ));
    }
}

/// Listens on [`OCCUPANCY_CHANNEL`] and [`DESIGNATION_CHANNEL`] and broadcasts what it hears, reconnecting
/// with backoff whenever the connection is lost, until the bus is dropped.
async fn listen(
    options: PgConnectOptions,
    sender: broadcast::Sender<Notice>,
    outbox: Arc<Notify>,
    mut alive: watch::Receiver<()>,
) {
    let mut backoff = MIN_BACKOFF;
    let mut connected_before = false;
    loop {
        let connected = tokio::select! {
            connected = connect(&options) => connected,
            _ = alive.changed() => return,
        };
        match connected {
            Ok(mut listener) => {
                if connected_before {
                    // Whatever was published while we were away is lost.
                    let _ = sender.send(Notice::Gap);
                    outbox.notify_one();
                    tracing::info!(channel = OCCUPANCY_CHANNEL, "live updates: listening again");
                } else {
                    tracing::info!(channel = OCCUPANCY_CHANNEL, "live updates: listening");
                }
                connected_before = true;
                backoff = MIN_BACKOFF;
                loop {
                    let received = tokio::select! {
                        received = listener.try_recv() => received,
                        _ = alive.changed() => return,
                    };
                    match received {
                        Ok(Some(notification)) if notification.channel() == OUTBOX_CHANNEL => {
                            outbox.notify_one();
                        }
                        Ok(Some(notification)) => {
                            match notice_of(notification.channel(), notification.payload()) {
                                Some(notice) => {
                                    let _ = sender.send(notice);
                                }
                                None => tracing::warn!(
                                    channel = notification.channel(),
                                    payload = notification.payload(),
                                    "ignoring a notification that names no record id"
                                ),
                            }
                        }
                        // The connection dropped and sqlx reconnected and listens again.
                        Ok(None) => {
                            tracing::warn!(
                                "live updates: listener reconnected; notices may be lost"
                            );
                            let _ = sender.send(Notice::Gap);
                            outbox.notify_one();
                        }
                        Err(err) => {
                            tracing::warn!(%err, "live updates: listener failed; reconnecting");
                            break;
                        }
                    }
                }
            }
            Err(err) => {
                tracing::warn!(%err, ?backoff, "live updates: cannot listen; retrying");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = alive.changed() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// The notice a notification on `channel` with `payload` carries.
fn notice_of(channel: &str, payload: &str) -> Option<Notice> {
    let id = payload.trim().parse().ok()?;
    match channel {
        OCCUPANCY_CHANNEL => Some(Notice::OccupancyChanged(id)),
        DESIGNATION_CHANNEL => Some(Notice::DesignationChanged(id)),
        _ => None,
    }
}

/// A listener on a dedicated connection (a pool of one, without lifetime
/// limits), so it neither takes a slot of the request pool nor gets recycled.
async fn connect(options: &PgConnectOptions) -> Result<PgListener, sea_orm::sqlx::Error> {
    let pool = PoolOptions::<Postgres>::new()
        .max_connections(1)
        .min_connections(0)
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with(options.clone());
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.ignore_pool_close_event(true);
    listener
        .listen_all([OCCUPANCY_CHANNEL, DESIGNATION_CHANNEL, OUTBOX_CHANNEL])
        .await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_concerns_every_carrier() {
        assert!(Notice::Gap.concerns(7));
        assert!(Notice::OccupancyChanged(7).concerns(7));
        assert!(!Notice::OccupancyChanged(8).concerns(7));
        assert!(!Notice::DesignationChanged(7).concerns(7));
    }

    #[test]
    fn a_notification_names_its_record_by_channel() {
        assert_eq!(
            notice_of(OCCUPANCY_CHANNEL, " 12 "),
            Some(Notice::OccupancyChanged(12))
        );
        assert_eq!(
            notice_of(DESIGNATION_CHANNEL, "7"),
            Some(Notice::DesignationChanged(7))
        );
        assert_eq!(notice_of(DESIGNATION_CHANNEL, "seven"), None);
        assert_eq!(notice_of("elsewhere", "7"), None);
    }

    #[tokio::test]
    async fn in_process_subscribers_hear_what_is_published_after_they_subscribe() {
        let bus = Bus::in_process();
        bus.publish(1).await.expect("published");
        let mut notices = bus.subscribe();
        bus.publish(2).await.expect("published");
        bus.clone().publish(3).await.expect("published");
        assert_eq!(notices.next().await, Some(Notice::OccupancyChanged(2)));
        assert_eq!(notices.next().await, Some(Notice::OccupancyChanged(3)));
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_gets_a_gap() {
        let bus = Bus::in_process();
        let mut notices = bus.subscribe();
        for id in 0..(CAPACITY as i32 + 10) {
            bus.publish(id).await.expect("published");
        }
        assert_eq!(notices.next().await, Some(Notice::Gap));
    }
}
