//! The database: one connection type over SQLite and PostgreSQL (diesel's `MultiConnection`),
//! an r2d2 pool, embedded migrations per backend, and `Db::read`/`Db::write`, which run a
//! closure on the blocking pool inside a transaction. Knows nothing of HTTP.

mod fixed_limit;
pub mod schema;
mod sqlite;

pub use fixed_limit::FixedLimit;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use chrono::NaiveDateTime;

use crate::error::ApiError;
use crate::settings::{DatabaseSettings, DatabaseUrl};

/// How long a request waits for the database (a pooled connection, or SQLite's write lock)
/// before it answers 503, unless the settings say otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// After a connection was found dead, connections are checked before use for this long: a
/// restart or a terminated backend usually takes the pool's other connections with it.
const SUSPECT_WINDOW_MS: i64 = 30_000;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Runs one diesel expression on the backend connection itself rather than through
/// `DbConnection`: `on_backend!(conn, c => query.first(c))`. The multi-backend wrapper writes
/// a query's SQL anew on every execution to find its prepared statement; on a backend
/// connection a query of one static shape finds it by type, with no SQL written. For the
/// queries every request runs (the session lookup); `c` is a `PgConnection` or a
/// `SqliteConnection` in turn, so the expression must compile for both.
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot create the database directory: {0}")]
    Directory(#[from] std::io::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("setting up: {0}")]
    Setup(String),
}

/// The current time as the tables store it: UTC without a zone.
pub fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn pending<C>(conn: &mut C, migrations: EmbeddedMigrations) -> Result<usize, DbError>
where
    C: MigrationHarness<C::Backend> + Connection,
{
    conn.run_pending_migrations(migrations)
        .map(|applied| applied.len())
        .map_err(|e| DbError::Migration(e.to_string()))
}

/// Opens connections for the backend the URL scheme names. (diesel's own manager would try
/// each backend in turn, and SQLite accepts any string as a file name.)
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    /// SQLite's busy timeout: how long a statement waits for another process's lock.
    busy_timeout: Duration,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(&sqlite::connection_pragmas(self.busy_timeout))?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                Ok(DbConnection::Pg(PgConnection::establish(url.expose())?))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    }

    /// A connection whose last query found the database gone goes back to no one: r2d2 drops
    /// it and opens a fresh one (see [`BROKEN`]).
    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        BROKEN.with(|broken| broken.replace(false))
    }
}

thread_local! {
    /// Set on the thread that ran a query whose error says the connection is gone, read when
    /// that thread returns the connection to the pool. Checking every connection out with a
    /// `SELECT 1` would find the same, at the price of a round trip per request.
    static BROKEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `attempt` again while the database refuses it for concurrent transactions (PostgreSQL
/// SQLSTATE 40001 or 40P01), at most `CONTENTION_ATTEMPTS` times, after a pause drawn at random
/// up to a ceiling that doubles each time (10 ms, then up to 320 ms): transactions that
/// collided on one row spread out instead of colliding again. The last refusal is the answer
/// (503).
fn retrying<T>(mut attempt: impl FnMut() -> Result<T, ApiError>) -> Result<T, ApiError> {
    const CONTENTION_ATTEMPTS: u32 = 10;
    const MAX_PAUSE_MS: u64 = 320;
    let mut ceiling_ms = 10u64;
    for _ in 1..CONTENTION_ATTEMPTS {
        match attempt() {
            Err(ApiError::Contention(cause)) => {
                let pause_ms = 1 + rand::random::<u64>() % ceiling_ms;
                tracing::debug!(%cause, pause_ms, "transaction conflict; retrying");
                std::thread::sleep(Duration::from_millis(pause_ms));
                ceiling_ms = (ceiling_ms * 2).min(MAX_PAUSE_MS);
            }
            outcome => return outcome,
        }
    }
    attempt()
}

fn epoch_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The pool plus, for SQLite, a lock that lets one write transaction run at a time: SQLite
/// allows one writer, and a deferred transaction that upgrades from read to write after another
/// writer committed fails at once with SQLITE_BUSY instead of waiting. SQLite serves a single
/// instance (CONTRACT §5), so an in-process lock is enough; PostgreSQL needs none.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    write_lock: Option<Arc<Mutex<()>>>,
    /// Until when (ms since the epoch) connections are checked before use; see
    /// [`SUSPECT_WINDOW_MS`].
    suspect_until: Arc<AtomicI64>,
    /// A permit per connection a request may take, taken before its database work goes to the
    /// blocking pool: requests wait for a connection here, in arrival order, without a thread.
    /// r2d2 hands a returned connection to whichever thread asks first, so past the pool's size
    /// a waiting request could lose it again and again (reads of 100 ms and more under load).
    /// On SQLite one connection is left out for the writer, whose turn the write lock decides.
    admission: Arc<tokio::sync::Semaphore>,
    /// How long a request waits for a connection, admission included, before it answers 503.
    timeout: Duration,
}

impl Db {
    /// Creates the pool (and, for SQLite, the private file and directory, in WAL mode) and runs
    /// pending migrations.
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<Self, DbError> {
        Self::connect_with(url, pool_size, DEFAULT_TIMEOUT)
    }

    /// [`Db::connect`] with the configured pool size and timeout.
    pub fn open(settings: &DatabaseSettings) -> Result<Self, DbError> {
        Self::connect_with(&settings.url, settings.pool_size, settings.timeout)
    }

    fn connect_with(url: &DatabaseUrl, pool_size: u32, timeout: Duration) -> Result<Self, DbError> {
        if let DatabaseUrl::Sqlite(path) = url {
            sqlite::prepare_file(path)?;
            sqlite::enable_wal(path)?;
        }
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(timeout)
            // Checked only after one was found dead (see `checkout`): a round trip per request
            // otherwise.
            .test_on_check_out(false)
            .build(Manager {
                url: url.clone(),
                busy_timeout: timeout,
            })?;
        let db = Self {
            pool,
            write_lock: matches!(url, DatabaseUrl::Sqlite(_)).then(|| Arc::new(Mutex::new(()))),
            suspect_until: Arc::new(AtomicI64::new(0)),
            admission: Arc::new(tokio::sync::Semaphore::new(match url {
                DatabaseUrl::Sqlite(_) => pool_size.saturating_sub(1).max(1) as usize,
                DatabaseUrl::Postgres(_) => pool_size as usize,
            })),
            timeout,
        };
        db.migrate()?;
        Ok(db)
    }

    /// Runs pending migrations. Instances starting together on a fresh database take turns:
    /// SQLite's `BEGIN IMMEDIATE` and a PostgreSQL advisory lock make the second one wait and
    /// then find nothing left to do.
    pub fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.pool.get()?;
        let applied = match &mut *conn {
            DbConnection::Sqlite(c) => {
                c.immediate_transaction(|c| pending(c, SQLITE_MIGRATIONS))?
            }
            DbConnection::Pg(c) => c.transaction(|c| {
                // Read committed whatever the server's default: under repeatable read or
                // serializable the snapshot would date from before the lock was granted, and
                // the second instance would not see the migrations the first one applied.
                diesel::sql_query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED").execute(c)?;
                diesel::sql_query("SELECT pg_advisory_xact_lock(7261537)").execute(c)?;
                pending(c, POSTGRES_MIGRATIONS)
            })?,
        };
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        Ok(())
    }

    /// Refreshes the query planner's statistics of `tables` after a bulk change (an import), so
    /// that the next queries use their indexes at once: on PostgreSQL `VACUUM (ANALYZE)`, outside
    /// a transaction as it must be (autovacuum would get there minutes later; until then a
    /// freshly loaded table has no statistics and a range filter is planned as a full scan).
    /// SQLite plans by its indexes without statistics: nothing to do there. For the command
    /// line only.
    pub fn refresh_statistics(&self, tables: &[&'static str]) -> Result<(), ApiError> {
        let mut conn = self.checkout()?;
        if let DbConnection::Pg(c) = &mut *conn {
            let statement = format!("VACUUM (ANALYZE) {}", tables.join(", "));
            diesel::sql_query(statement).execute(c)?;
        }
        Ok(())
    }

    /// Runs `f` in a transaction on the calling thread: for start-up and the command line only,
    /// never on the async executor (requests use [`Db::read`] and [`Db::write`]).
    pub fn run_now<T>(
        &self,
        mut f: impl FnMut(&mut DbConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        retrying(|| {
            let mut conn = self.checkout()?;
            self.note_outcome(write_transaction(&mut conn, &mut f))
        })
    }

    /// A pooled connection. Shortly after one was found dead, each is checked first and a
    /// dead one dropped, so that requests after an outage find the database instead of the
    /// connections the outage killed.
    fn checkout(&self) -> Result<PooledConnection<Manager>, ApiError> {
        self.checkout_by(None)
    }

    /// [`Db::checkout`], giving up at `deadline` rather than after the pool's timeout.
    fn checkout_by(
        &self,
        deadline: Option<Instant>,
    ) -> Result<PooledConnection<Manager>, ApiError> {
        let get = || match deadline {
            Some(at) => self
                .pool
                .get_timeout(at.saturating_duration_since(Instant::now())),
            None => self.pool.get(),
        };
        let attempts = self.pool.max_size() + 1;
        for _ in 0..attempts {
            let mut conn = get()?;
            if self.suspect_until.load(Ordering::Relaxed) < epoch_ms() {
                return Ok(conn);
            }
            if diesel::sql_query("SELECT 1").execute(&mut *conn).is_ok() {
                return Ok(conn);
            }
            BROKEN.with(|broken| broken.set(true));
        }
        Ok(get()?)
    }

    /// Marks the connection in hand as broken when `result` says the database went away, and
    /// has the next checkouts checked.
    fn note_outcome<T>(&self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if matches!(result, Err(ApiError::Unavailable(_))) {
            BROKEN.with(|broken| broken.set(true));
            self.suspect_until
                .store(epoch_ms() + SUSPECT_WINDOW_MS, Ordering::Relaxed);
        }
        result
    }

    /// Runs `f` on the blocking pool without a transaction: for reads of one statement, which
    /// see a consistent state anyway (a transaction would add two round trips on PostgreSQL).
    /// Several statements that must agree belong in [`Db::write`].
    pub async fn read<T, F>(&self, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let deadline = Instant::now() + self.timeout;
        let permit = self.admit(deadline).await?;
        let db = self.clone();
        actix_web::web::block(move || {
            // Held until the work is done, even when the request is dropped meanwhile.
            let _permit = permit;
            let mut first = Some(deadline);
            retrying(|| {
                let mut conn = db.checkout_by(first.take())?;
                db.note_outcome(f(&mut conn))
            })
        })
        .await?
    }

    /// Waits, in arrival order, until a connection is free for this request: 503 at `deadline`
    /// (the pool's timeout from the request's first wait), as r2d2 would answer.
    async fn admit(
        &self,
        deadline: Instant,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        let acquire = self.admission.clone().acquire_owned();
        match tokio::time::timeout_at(deadline.into(), acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(ApiError::Unavailable(format!("database pool: {closed}"))),
            Err(_) => Err(ApiError::Unavailable(
                "database pool: timed out waiting for a connection".into(),
            )),
        }
    }

    /// A read by key that takes microseconds (a session lookup, one customer's addresses). On
    /// SQLite it runs on the calling thread when a connection is idle: the query is in-process
    /// CPU work, and the hop to the blocking pool and back cost more than the query. Otherwise
    /// (PostgreSQL, whose round trip must not hold an executor thread; no idle connection; the
    /// minutes after a connection was found dead) it is [`Db::read`].
    pub async fn read_quick<T, F>(&self, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.write_lock.is_some() && self.suspect_until.load(Ordering::Relaxed) < epoch_ms() {
            if let Ok(_permit) = self.admission.try_acquire() {
                if let Some(mut conn) = self.pool.try_get() {
                    return self.note_outcome(f(&mut conn));
                }
            }
        }
        self.read(f).await
    }

    /// Runs `f` in a write transaction on the blocking pool. A transaction the database
    /// refuses for concurrent ones (a serialization failure, a deadlock) is rolled back and run
    /// again, so `f` must do nothing outside the transaction that cannot be done twice.
    pub async fn write<T, F>(&self, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let deadline = Instant::now() + self.timeout;
        // SQLite: writers take turns at the write lock, on the connection left out of admission.
        let permit = match self.write_lock {
            Some(_) => None,
            None => Some(self.admit(deadline).await?),
        };
        let db = self.clone();
        actix_web::web::block(move || {
            let _permit = permit;
            let mut first = Some(deadline);
            retrying(|| {
                // The lock first: a writer waiting for it must not hold a pooled connection that
                // readers could use. A poisoned lock only means another writer panicked.
                let _guard = db.write_lock.as_ref().map(|lock| {
                    lock.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                });
                let mut conn = db.checkout_by(first.take())?;
                db.note_outcome(write_transaction(&mut conn, &mut f))
            })
        })
        .await?
    }

    /// After a transaction that overwrote personal data: on SQLite, a checkpoint that leaves
    /// the old page versions neither in the WAL nor (with `secure_delete`) in free space. On
    /// PostgreSQL, dead row versions are the server's to vacuum (see the README).
    /// The change has committed by now, so a failure here is logged, not answered.
    pub async fn purge_deleted(&self) {
        let result = self
            .read(|conn| match conn {
                DbConnection::Sqlite(conn) => sqlite::checkpoint(conn).map_err(ApiError::internal),
                DbConnection::Pg(_) => Ok(true),
            })
            .await;
        match result {
            Ok(true) => {}
            Ok(false) => tracing::warn!("a WAL checkpoint was kept from finishing by readers"),
            Err(err) => tracing::error!(error = %err, "WAL checkpoint failed"),
        }
    }

    /// Readiness: a connection can be had and answers.
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.read(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }
}

/// A write transaction. On SQLite it begins `IMMEDIATE`, taking the write lock at once: a
/// deferred transaction that read first and then writes after another connection (another
/// process: the command line, a second instance) committed fails at once with SQLITE_BUSY,
/// whereas waiting for the lock at BEGIN honours the busy timeout.
fn write_transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(f);
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let outcome = f(conn);
    let DbConnection::Sqlite(sqlite) = conn else {
        return Err(ApiError::internal("the connection changed its backend"));
    };
    match outcome {
        Ok(value) => match AnsiTransactionManager::commit_transaction(sqlite) {
            Ok(()) => Ok(value),
            Err(err) => {
                let _ = AnsiTransactionManager::rollback_transaction(sqlite);
                Err(err.into())
            }
        },
        Err(err) => {
            AnsiTransactionManager::rollback_transaction(sqlite)?;
            Err(err)
        }
    }
}
