//! Database outages answer 503, not 500 (issue 17): a JSON:API error with `Retry-After` while
//! the database is away, full service again without a restart once it is back, and nothing
//! acknowledged lost. On PostgreSQL the outage is real: the server's connections terminated
//! (`pg_terminate_backend`), or the database refusing connections. On SQLite it is another
//! process holding the write lock past `GLUE_DB_TIMEOUT_MS`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use reqwest::StatusCode;

use crate::helpers::{registration, spawn_app_with, Customer, TestApp, TestResponse, PASSWORD};

/// How long the outage lasts in the load test.
const OUTAGE: Duration = Duration::from_secs(3);

async fn app() -> TestApp {
    spawn_app_with(&[("GLUE_DB_TIMEOUT_MS", "300"), ("GLUE_DB_POOL_SIZE", "4")]).await
}

/// The app's database as the test reaches it from outside.
enum Backend {
    Postgres { admin_url: String, name: String },
    Sqlite { path: String },
}

impl Backend {
    fn of(app: &TestApp) -> Self {
        match app.database_url.strip_prefix("sqlite://") {
            Some(path) => Self::Sqlite {
                path: path.to_owned(),
            },
            None => Self::Postgres {
                admin_url: std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL"),
                name: app
                    .database_url
                    .rsplit('/')
                    .next()
                    .and_then(|last| last.split('?').next())
                    .expect("a database name")
                    .to_owned(),
            },
        }
    }

    fn admin(admin_url: &str) -> PgConnection {
        PgConnection::establish(admin_url).expect("connect as the test's administrator")
    }

    /// Ends every connection the server holds to its database.
    fn terminate(admin: &mut PgConnection, name: &str) {
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .execute(admin)
        .expect("terminate the server's connections");
    }

    /// Breaks the database for `how_long`, again and again, on a thread of its own.
    fn break_repeatedly(&self, how_long: Duration, done: Arc<AtomicBool>) {
        let end = Instant::now() + how_long;
        match self {
            Self::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                std::thread::spawn(move || {
                    let mut admin = Self::admin(&admin_url);
                    while Instant::now() < end {
                        Self::terminate(&mut admin, &name);
                        std::thread::sleep(Duration::from_millis(40));
                    }
                    done.store(true, Ordering::SeqCst);
                });
            }
            Self::Sqlite { path } => {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut other = SqliteConnection::establish(&path).expect("open the file");
                    other
                        .batch_execute("PRAGMA busy_timeout = 5000")
                        .expect("busy timeout");
                    while Instant::now() < end {
                        // Another process takes the write lock and keeps it past the timeout.
                        other.batch_execute("BEGIN EXCLUSIVE").expect("lock");
                        std::thread::sleep(Duration::from_millis(600));
                        other.batch_execute("COMMIT").expect("unlock");
                        std::thread::sleep(Duration::from_millis(30));
                    }
                    done.store(true, Ordering::SeqCst);
                });
            }
        }
    }
}

fn new_email() -> String {
    format!("outage-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// A 503 as the issue asks: `Retry-After`, and a JSON:API error document (the helper has
/// checked the body against the JSON:API schema already).
#[track_caller]
fn assert_unavailable(response: &TestResponse) {
    response.assert_error(503, None);
    let retry_after = response
        .header("retry-after")
        .expect("a 503 says when to retry");
    assert!(
        retry_after.parse::<u32>().is_ok_and(|s| s >= 1),
        "Retry-After: {retry_after}"
    );
}

/// Readiness and a customer's read answer 200.
async fn assert_reads_go_on(app: &TestApp, reader: &Customer) {
    assert_eq!(app.get("/ready").send().await.status, StatusCode::OK);
    let read = app
        .get(&format!("/customers/{}", reader.reference))
        .bearer(&reader.access_token)
        .send()
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
}

#[tokio::test]
async fn under_load_a_broken_database_answers_503_or_succeeds_and_loses_nothing() {
    let app = Arc::new(app().await);
    let reader = Arc::new(app.customer().await);
    let backend = Backend::of(&app);
    let done = Arc::new(AtomicBool::new(false));
    backend.break_repeatedly(OUTAGE, done.clone());

    let mut clients = Vec::new();
    for _ in 0..4 {
        let (app, done, reader) = (app.clone(), done.clone(), reader.clone());
        clients.push(tokio::spawn(async move {
            let (mut acknowledged, mut unavailable) = (Vec::new(), 0);
            while !done.load(Ordering::SeqCst) {
                let email = new_email();
                let response = app.register_with(registration(&email, PASSWORD)).await;
                match response.status {
                    StatusCode::CREATED => acknowledged.push(email),
                    _ => {
                        assert_unavailable(&response);
                        unavailable += 1;
                    }
                }
                let read = app
                    .get(&format!("/customers/{}", reader.reference))
                    .bearer(&reader.access_token)
                    .send()
                    .await;
                if read.status != StatusCode::OK {
                    assert_unavailable(&read);
                    unavailable += 1;
                }
            }
            (acknowledged, unavailable)
        }));
    }
    let (mut acknowledged, mut unavailable) = (Vec::new(), 0);
    for client in clients {
        let (emails, failures) = client.await.expect("client task");
        acknowledged.extend(emails);
        unavailable += failures;
    }
    assert!(
        unavailable > 0,
        "the outage was never seen: the test broke nothing"
    );
    assert!(
        !acknowledged.is_empty(),
        "nothing succeeded during the outage"
    );

    // Full service again, without a restart: every request from now on succeeds.
    for _ in 0..10 {
        let email = new_email();
        let response = app.register_with(registration(&email, PASSWORD)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        acknowledged.push(email);
    }
    assert_eq!(app.get("/ready").send().await.status, StatusCode::OK);

    // Every registration acknowledged with 201 is there: its owner can log in.
    for email in &acknowledged {
        let login = app.login(email, PASSWORD).await;
        assert_eq!(login.status, StatusCode::CREATED, "{email}: {}", login.text);
    }
}

#[tokio::test]
async fn while_the_database_is_away_writes_answer_503_and_service_returns_without_a_restart() {
    let app = app().await;
    let reader = app.customer().await;
    match Backend::of(&app) {
        Backend::Postgres { admin_url, name } => {
            let mut admin = Backend::admin(&admin_url);
            diesel::sql_query(format!(
                "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"
            ))
            .execute(&mut admin)
            .expect("refuse connections");
            Backend::terminate(&mut admin, &name);

            let ready = app.get("/ready").send().await;
            assert_eq!(
                ready.status,
                StatusCode::SERVICE_UNAVAILABLE,
                "{}",
                ready.text
            );
            assert_eq!(ready.body["status"], "unavailable");
            assert!(ready.header("retry-after").is_some(), "{:?}", ready.headers);
            assert_unavailable(
                &app.register_with(registration(&new_email(), PASSWORD))
                    .await,
            );
            let read = app
                .get(&format!("/customers/{}", reader.reference))
                .bearer(&reader.access_token)
                .send()
                .await;
            assert_unavailable(&read);

            diesel::sql_query(format!(
                "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true"
            ))
            .execute(&mut admin)
            .expect("accept connections again");
        }
        Backend::Sqlite { path } => {
            let mut other = SqliteConnection::establish(&path).expect("open the file");
            other.batch_execute("BEGIN EXCLUSIVE").expect("lock");

            assert_unavailable(
                &app.register_with(registration(&new_email(), PASSWORD))
                    .await,
            );
            // WAL: readers go on while another process writes.
            assert_reads_go_on(&app, &reader).await;

            other.batch_execute("COMMIT").expect("unlock");
        }
    }

    assert_eq!(app.get("/ready").send().await.status, StatusCode::OK);
    let email = new_email();
    let response = app.register_with(registration(&email, PASSWORD)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let login = app.login(&email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
}

/// With every connection held up (here: the pool's two, waiting for a lock another process
/// keeps for three seconds), requests that wait for a connection answer 503 once
/// `GLUE_DB_TIMEOUT_MS` has passed instead of hanging; a request answered 503 did nothing (its
/// email is free, its owner cannot log in), and the next requests all succeed. On SQLite the
/// writers queueing for the write lock leave reads alone.
#[tokio::test]
async fn requests_waiting_for_a_held_connection_answer_503_after_the_timeout_and_lose_nothing() {
    const TIMEOUT: Duration = Duration::from_millis(300);
    const HELD: Duration = Duration::from_secs(3);
    const REQUESTS: u32 = 5;
    const POOL: u32 = 2;
    let timeout_ms = TIMEOUT.as_millis().to_string();
    let app = Arc::new(
        spawn_app_with(&[
            ("GLUE_DB_TIMEOUT_MS", &timeout_ms),
            ("GLUE_DB_POOL_SIZE", &POOL.to_string()),
        ])
        .await,
    );
    let sqlite = app.database_url.starts_with("sqlite://");
    let reader = if sqlite {
        Some(app.customer().await)
    } else {
        None
    };
    // PostgreSQL: the requests without a connection wait for admission, one timeout each.
    // SQLite: writers take turns at the write lock (on the connection kept for them; the other
    // one is the readers') and each waits one busy timeout.
    let answer_within =
        if sqlite { TIMEOUT * REQUESTS } else { TIMEOUT } + Duration::from_millis(700);

    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let holder = {
        let url = app.database_url.clone();
        std::thread::spawn(move || {
            // Another process holds what every registration needs: PostgreSQL's customers
            // table, SQLite's write lock.
            let hold = |conn: &mut dyn FnMut(&str) -> Result<(), String>| {
                if let Err(err) = conn("lock") {
                    let _ = locked_tx.send(Err(err));
                    return None;
                }
                let _ = locked_tx.send(Ok(()));
                std::thread::sleep(HELD);
                conn("COMMIT").expect("unlock");
                Some(Instant::now())
            };
            match url.strip_prefix("sqlite://") {
                Some(path) => {
                    let mut other = SqliteConnection::establish(path).expect("open the file");
                    hold(&mut |sql| {
                        let sql = match sql {
                            "lock" => "PRAGMA busy_timeout = 5000; BEGIN EXCLUSIVE",
                            sql => sql,
                        };
                        other.batch_execute(sql).map_err(|e| e.to_string())
                    })
                }
                None => {
                    let mut other = PgConnection::establish(&url).expect("connect");
                    hold(&mut |sql| {
                        let sql = match sql {
                            "lock" => "BEGIN; LOCK TABLE customers IN ACCESS EXCLUSIVE MODE",
                            sql => sql,
                        };
                        other.batch_execute(sql).map_err(|e| e.to_string())
                    })
                }
            }
        })
    };
    tokio::task::spawn_blocking(move || locked_rx.recv_timeout(Duration::from_secs(10)))
        .await
        .expect("waiting for the lock")
        .expect("the holder took the lock within 10 s")
        .expect("the holder could take the lock");

    let started = Instant::now();
    let mut waiting = Vec::new();
    for _ in 0..REQUESTS {
        let app = app.clone();
        waiting.push(tokio::spawn(async move {
            let email = new_email();
            let response = app.register_with(registration(&email, PASSWORD)).await;
            (email, response, Instant::now())
        }));
    }
    if let Some(reader) = &reader {
        // SQLite in WAL mode: readers go on while writers queue for the write lock.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_reads_go_on(&app, reader).await;
    }
    let mut answers = Vec::new();
    for task in waiting {
        answers.push(task.await.expect("request task"));
    }
    let released = tokio::task::spawn_blocking(move || holder.join().expect("holder"))
        .await
        .expect("holder task")
        .expect("the lock was held");

    let mut unavailable = 0;
    for (email, response, answered) in &answers {
        if response.status == StatusCode::CREATED {
            // Only a request that had a connection may have waited for the lock.
            let login = app.login(email, PASSWORD).await;
            assert_eq!(login.status, StatusCode::CREATED, "{email}: {}", login.text);
            continue;
        }
        assert_unavailable(response);
        assert!(
            *answered < released && *answered - started <= answer_within,
            "a 503 after {:?} (the lock was released after {:?}; expected within {answer_within:?})",
            *answered - started,
            released - started
        );
        unavailable += 1;
        // Nothing of it stayed: its owner cannot log in, and the email is free.
        app.login(email, PASSWORD)
            .await
            .assert_error(401, Some("003"));
        let again = app.register_with(registration(email, PASSWORD)).await;
        assert_eq!(again.status, StatusCode::CREATED, "{email}: {}", again.text);
    }
    assert!(
        unavailable >= REQUESTS - POOL,
        "{unavailable} of {REQUESTS} answered 503; those without the connection must"
    );

    for _ in 0..REQUESTS {
        let email = new_email();
        let response = app.register_with(registration(&email, PASSWORD)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        let login = app.login(&email, PASSWORD).await;
        assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    }
}
