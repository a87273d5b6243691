//! The event bus: "the occupancy figures of carrier X may have changed" and
//! "designation request R was submitted or decided", told to the
//! subscribers of every server process, whichever process made the change.
//!
//! The events are the outbox's rows (`outbox_event`, [`crate::store::outbox`]),
//! written in the transaction of each change. Every process follows the
//! outbox in commit order with a task of its own and fans what it reads out
//! to its subscribers through an in-process broadcast. So an event exists
//! exactly when its change committed: a process that dies between its
//! commit and anything it meant to do afterwards loses nobody's event, as
//! the other processes read the row all the same.
//!
//! Reading is prompted, not driven, by wake-ups: a process that commits
//! wakes its own reader at once and, on PostgreSQL, every other process's
//! through `pg_notify` on [`OUTBOX_CHANNEL`] (one dedicated connection per
//! process `LISTEN`s, outside the request pool, and reconnects with
//! backoff). A lost wake-up (a dead process, a dropped listener) delays an
//! event by at most [`TAIL_POLL`], the interval at which readers look anyway.
//! The same wake-ups prompt the webhook worker ([`Bus::outbox_woken`]).
//!
//! A subscriber that falls far behind skips what it missed and gets a
//! [`Notice::Gap`], which means "anything may have changed", never silence.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgListener, Postgres};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::{Notify, broadcast, watch};

use crate::store::outbox::{self, Cursor, Tailed};

/// The PostgreSQL channel that wakes the outbox readers and webhook workers
/// of every process: outbox rows were committed. No payload.
pub const OUTBOX_CHANNEL: &str = "zaiti_outbox";

/// How often a process reads the outbox when nothing woke it: the longest an
/// event waits when its wake-up was lost.
pub const TAIL_POLL: Duration = Duration::from_secs(1);
/// Outbox rows read per statement.
const TAIL_BATCH: i64 = 500;

/// Notices a subscriber may fall behind by before it skips to a [`Notice::Gap`].
const CAPACITY: usize = 1024;
/// First and longest wait before reconnecting a dropped listener or reading
/// again after the database failed.
const MIN_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The changed records whose carrier's occupancy figures (floor area,
/// tenants, leased area, level) may have moved. Nothing else: any reader may
/// watch any carrier, and the moment of a change to confidential records
/// (leases and their rent, revenue) is not theirs to learn.
const OCCUPANCY_SOURCES: [&str; 4] = ["Carrier", "SpacePhase", "Tenancy", "LevelRecognition"];
/// The changed records designation subscribers hear of.
const DESIGNATION_SOURCE: &str = "DesignationRequest";

/// What subscribers hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    /// The occupancy figures of this carrier (database id) may have changed.
    OccupancyChanged(i32),
    /// This designation request (database id) was submitted or decided.
    DesignationChanged(i32),
    /// Notices were lost (this subscriber fell behind): any carrier may have changed.
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

    /// What the change of a record of `entity_type`, belonging to carrier
    /// `carrier_id`, tells subscribers; nothing for most records.
    pub fn of_change(entity_type: &str, entity_id: i32, carrier_id: Option<i32>) -> Option<Self> {
        if entity_type == DESIGNATION_SOURCE {
            Some(Self::DesignationChanged(entity_id))
        } else if OCCUPANCY_SOURCES.contains(&entity_type) {
            carrier_id.map(Self::OccupancyChanged)
        } else {
            None
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
    /// Wakes this process's outbox reader.
    tail: Arc<Notify>,
    /// Wakes this process's webhook worker ([`Bus::outbox_woken`]).
    webhooks: Arc<Notify>,
    /// None for a bus without a database ([`Bus::idle`]).
    source: Option<Source>,
}

/// The database a bus reads, and its background tasks.
struct Source {
    db: DatabaseConnection,
    /// On PostgreSQL, where the wake-up listener connects.
    listen: Option<PgConnectOptions>,
    started: AtomicBool,
    /// Dropped with the bus, which tells the tasks to stop.
    alive: watch::Sender<()>,
}

impl Bus {
    /// The bus for `db`: events read from its outbox, wake-ups over
    /// PostgreSQL LISTEN/NOTIFY on PostgreSQL, within the process otherwise.
    ///
    /// The background tasks start at once when called inside a Tokio
    /// runtime, else with the first [`Bus::subscribe`].
    pub fn new(db: &DatabaseConnection) -> Self {
        let listen = match db.get_database_backend() {
            DbBackend::Postgres => {
                Some((*db.get_postgres_connection_pool().connect_options()).clone())
            }
            _ => None,
        };
        let bus = Self(Arc::new(Inner {
            sender: broadcast::channel(CAPACITY).0,
            tail: Arc::default(),
            webhooks: Arc::default(),
            source: Some(Source {
                db: db.clone(),
                listen,
                started: AtomicBool::new(false),
                alive: watch::channel(()).0,
            }),
        }));
        bus.start();
        bus
    }

    /// A bus with no database: it carries nothing (the SDL printer, schema tests).
    pub fn idle() -> Self {
        Self(Arc::new(Inner {
            sender: broadcast::channel(CAPACITY).0,
            tail: Arc::default(),
            webhooks: Arc::default(),
            source: None,
        }))
    }

    /// How events travel, for logs.
    pub fn describe(&self) -> &'static str {
        match &self.0.source {
            None => "none",
            Some(Source { listen: None, .. }) => "the outbox, read by this process",
            Some(Source {
                listen: Some(_), ..
            }) => "the outbox, woken by PostgreSQL LISTEN/NOTIFY on channel zaiti_outbox",
        }
    }

    /// Tells the outbox readers and webhook workers that outbox rows were
    /// committed: this process's at once, and on PostgreSQL every process's
    /// through [`OUTBOX_CHANNEL`]. Call it after the commit. A lost wake-up
    /// only delays events until the next poll, so a failure is logged.
    pub async fn outbox_written(&self) {
        self.0.tail.notify_one();
        self.0.webhooks.notify_one();
        if let Some(Source {
            db,
            listen: Some(_),
            ..
        }) = &self.0.source
        {
            let notified = db
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_notify($1, '')",
                    [OUTBOX_CHANNEL.into()],
                ))
                .await;
            if let Err(err) = notified {
                tracing::warn!(%err, "cannot wake the other processes' outbox readers");
            }
        }
    }

    /// Resolves once outbox rows were committed (in any process, on
    /// PostgreSQL) since the last time it resolved; one wake-up is kept
    /// if nobody was waiting.
    pub async fn outbox_woken(&self) {
        self.start();
        self.0.webhooks.notified().await;
    }

    /// Every notice from now on, from any process. The stream ends only if
    /// the bus is dropped.
    pub fn subscribe(&self) -> BoxStream<'static, Notice> {
        self.start();
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

    /// Starts the outbox reader and, on PostgreSQL, the wake-up listener,
    /// once, if a runtime is at hand.
    fn start(&self) {
        let Some(source) = &self.0.source else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if source.started.swap(true, Ordering::AcqRel) {
            return;
        }
        runtime.spawn(tail(
            source.db.clone(),
            self.0.sender.clone(),
            self.0.tail.clone(),
            source.alive.subscribe(),
        ));
        if let Some(options) = &source.listen {
            let wake = [self.0.tail.clone(), self.0.webhooks.clone()];
            runtime.spawn(listen(options.clone(), wake, source.alive.subscribe()));
        }
    }
}

/// Where a reader of the outbox stands, and which rows it read ahead of its cursor.
#[derive(Debug)]
struct Tail {
    cursor: Cursor,
    /// Rows read while not yet settled: told once, skipped when the cursor passes them.
    ahead: HashSet<i64>,
}

impl Tail {
    fn new(cursor: Cursor) -> Self {
        Self {
            cursor,
            ahead: HashSet::new(),
        }
    }

    /// The notices of `rows` (read after the cursor, in commit order) not
    /// told before; moves the cursor over the settled ones. Whether it moved.
    fn take(&mut self, rows: Vec<Tailed>) -> (Vec<Notice>, bool) {
        // A carrier changed many times in one batch (an import) is told once.
        let mut notices = Vec::new();
        let mut told = HashSet::new();
        let (mut settling, mut moved) = (true, false);
        for row in rows {
            settling &= row.settled;
            let new = if settling {
                self.cursor = row.position;
                moved = true;
                !self.ahead.remove(&row.id)
            } else {
                self.ahead.insert(row.id)
            };
            let notice = Notice::of_change(&row.entity_type, row.entity_id, row.carrier_id);
            if let Some(notice) = notice.filter(|&notice| new && told.insert(notice)) {
                notices.push(notice);
            }
        }
        (notices, moved)
    }
}

/// Follows the outbox of `db` and broadcasts its notices, reading whenever
/// woken and every [`TAIL_POLL`], until the bus is dropped. A failing
/// database is retried with backoff; nothing is skipped meanwhile.
async fn tail(
    db: DatabaseConnection,
    sender: broadcast::Sender<Notice>,
    wake: Arc<Notify>,
    mut alive: watch::Receiver<()>,
) {
    let mut backoff = MIN_BACKOFF;
    let mut tail = loop {
        match outbox::end(&db).await {
            Ok(cursor) => break Tail::new(cursor),
            Err(err) => tracing::warn!(%err, ?backoff, "live updates: cannot read the outbox"),
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = alive.changed() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    };
    tracing::info!("live updates: reading the outbox");
    loop {
        let wait = match outbox::after(&db, tail.cursor, TAIL_BATCH).await {
            Ok(rows) => {
                backoff = MIN_BACKOFF;
                let full = rows.len() as i64 == TAIL_BATCH;
                let (notices, moved) = tail.take(rows);
                for notice in notices {
                    // An error only means that nobody is subscribed.
                    let _ = sender.send(notice);
                }
                if full && moved {
                    // More rows wait behind this batch.
                    continue;
                }
                TAIL_POLL
            }
            Err(err) => {
                tracing::warn!(%err, ?backoff, "live updates: cannot read the outbox");
                let wait = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                wait
            }
        };
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
            _ = alive.changed() => return,
        }
    }
}

/// Listens on [`OUTBOX_CHANNEL`] and wakes each of `wake` whenever it hears
/// something, or has reconnected (wake-ups may have been lost meanwhile),
/// reconnecting with backoff whenever the connection is lost, until the bus
/// is dropped.
async fn listen(options: PgConnectOptions, wake: [Arc<Notify>; 2], mut alive: watch::Receiver<()>) {
    let wake_all = || wake.iter().for_each(|notify| notify.notify_one());
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
                    wake_all();
                    tracing::info!(channel = OUTBOX_CHANNEL, "live updates: listening again");
                } else {
                    tracing::info!(channel = OUTBOX_CHANNEL, "live updates: listening");
                }
                connected_before = true;
                backoff = MIN_BACKOFF;
                loop {
                    let received = tokio::select! {
                        received = listener.try_recv() => received,
                        _ = alive.changed() => return,
                    };
                    match received {
                        Ok(Some(_)) => wake_all(),
                        // The connection dropped and sqlx reconnected and listens again.
                        Ok(None) => {
                            tracing::warn!("live updates: listener reconnected");
                            wake_all();
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
    listener.listen(OUTBOX_CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, tx_id: i64, settled: bool, carrier_id: i32) -> Tailed {
        Tailed {
            id,
            position: Cursor { tx_id, id },
            settled,
            entity_type: "Tenancy".into(),
            entity_id: 1,
            carrier_id: Some(carrier_id),
        }
    }

    #[test]
    fn a_gap_concerns_every_carrier() {
        assert!(Notice::Gap.concerns(7));
        assert!(Notice::OccupancyChanged(7).concerns(7));
        assert!(!Notice::OccupancyChanged(8).concerns(7));
        assert!(!Notice::DesignationChanged(7).concerns(7));
    }

    #[test]
    fn a_change_tells_by_its_record_type() {
        assert_eq!(
            Notice::of_change("SpacePhase", 3, Some(12)),
            Some(Notice::OccupancyChanged(12))
        );
        assert_eq!(
            Notice::of_change("DesignationRequest", 7, Some(12)),
            Some(Notice::DesignationChanged(7))
        );
        assert_eq!(Notice::of_change("Tenancy", 3, None), None);
        assert_eq!(Notice::of_change("Fund", 3, Some(12)), None);
        assert_eq!(Notice::of_change("Lease", 3, Some(12)), None);
    }

    #[test]
    fn a_row_committed_late_is_told_once_and_the_cursor_waits_for_it() {
        let mut tail = Tail::new(Cursor { tx_id: 0, id: 0 });
        // Transaction 5 committed while transaction 4 (row 10) still runs.
        let (told, moved) = tail.take(vec![row(11, 5, false, 2)]);
        assert_eq!(told, [Notice::OccupancyChanged(2)]);
        assert!(!moved);
        assert_eq!(tail.cursor, Cursor { tx_id: 0, id: 0 });
        // Read again before 4 ends: nothing new.
        assert_eq!(tail.take(vec![row(11, 5, false, 2)]).0, []);
        // 4 committed: its row comes first, 11 is not told again.
        let (told, moved) = tail.take(vec![row(10, 4, true, 1), row(11, 5, true, 2)]);
        assert_eq!(told, [Notice::OccupancyChanged(1)]);
        assert!(moved);
        assert_eq!(tail.cursor, Cursor { tx_id: 5, id: 11 });
        assert!(tail.ahead.is_empty());
    }

    #[test]
    fn the_cursor_stops_at_the_first_row_not_settled() {
        let mut tail = Tail::new(Cursor { tx_id: 0, id: 0 });
        let (told, moved) = tail.take(vec![
            row(1, 1, true, 1),
            row(2, 2, false, 2),
            row(3, 3, true, 3),
        ]);
        assert_eq!(told.len(), 3);
        assert!(moved);
        assert_eq!(tail.cursor, Cursor { tx_id: 1, id: 1 });
        assert_eq!(tail.ahead, HashSet::from([2, 3]));
    }

    #[test]
    fn a_carrier_changed_many_times_in_one_read_is_told_once() {
        let mut tail = Tail::new(Cursor { tx_id: 0, id: 0 });
        let (told, _) = tail.take(vec![
            row(4, 4, true, 7),
            row(5, 4, true, 7),
            row(6, 4, true, 8),
        ]);
        assert_eq!(
            told,
            [Notice::OccupancyChanged(7), Notice::OccupancyChanged(8)]
        );
    }
}
