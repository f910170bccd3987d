//! Delivery through outages: an email queued while the SMTP server is down arrives once when
//! it comes up; a 451 is retried, a 550 is not; an email too old is given up; two instances on
//! one database send every email once.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use glue_customers::db::schema::outbox;

use super::{assert_no_more_emails, mail_app, ARRIVES};
use crate::helpers::{registration, spawn_app_with, TestApp, PASSWORD};
use crate::smtp_sink::SmtpSink;

/// A port with nothing listening on it (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// (attempts, sent, failed) of every outbox row.
async fn outbox_rows(app: &TestApp) -> Vec<(i32, bool, bool)> {
    app.db()
        .read(|conn| {
            let rows: Vec<(
                i32,
                Option<chrono::NaiveDateTime>,
                Option<chrono::NaiveDateTime>,
            )> = outbox::table
                .select((outbox::attempts, outbox::sent_at, outbox::failed_at))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(attempts, sent, failed)| (attempts, sent.is_some(), failed.is_some()))
                .collect())
        })
        .await
        .expect("outbox")
}

async fn wait_until<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    let deadline = Instant::now() + ARRIVES;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_email_queued_while_the_server_is_down_arrives_once_when_it_comes_up() {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[
        ("GLUE_SMTP_URL", url.as_str()),
        ("GLUE_DOUBLE_OPT_IN", "true"),
        ("GLUE_MAIL_RETRY_DELAY_MS", "50"),
        ("GLUE_MAIL_POLL_INTERVAL_MS", "50"),
    ])
    .await;
    app.register("sonia@example.com", PASSWORD).await;
    wait_until("a few attempts failed", || async {
        outbox_rows(&app)
            .await
            .first()
            .is_some_and(|r| r.0 >= 2 && !r.1)
    })
    .await;

    let sink = SmtpSink::start_on(port);
    sink.wait_for(1, ARRIVES).await;
    assert_no_more_emails(&sink, 1).await;
    let rows = outbox_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1, "marked sent: {rows:?}");
}

#[tokio::test]
async fn a_451_is_retried_and_the_email_arrives_once() {
    let sink = SmtpSink::start();
    sink.refuse_next(1, 451);
    let app = mail_app(&sink, &[]).await;
    app.register("sonia@example.com", PASSWORD).await;
    let emails = sink.wait_for(1, ARRIVES).await;
    assert_eq!(emails[0].envelope_to, vec!["sonia@example.com".to_owned()]);
    assert_eq!(sink.refused(), 1);
    assert_no_more_emails(&sink, 1).await;
    assert_eq!(outbox_rows(&app).await, vec![(2, true, false)]);
}

#[tokio::test]
async fn a_550_fails_the_email_at_once() {
    let sink = SmtpSink::start();
    sink.refuse_next(1, 550);
    let app = mail_app(&sink, &[]).await;
    app.register("sonia@example.com", PASSWORD).await;
    wait_until("the email failed", || async {
        outbox_rows(&app).await.first().is_some_and(|r| r.2)
    })
    .await;
    assert_no_more_emails(&sink, 0).await;
    assert_eq!(outbox_rows(&app).await, vec![(1, false, true)]);
}

#[tokio::test]
async fn an_email_older_than_the_maximum_age_is_given_up() {
    let url = format!("smtp://127.0.0.1:{}", free_port());
    let app = spawn_app_with(&[
        ("GLUE_SMTP_URL", url.as_str()),
        ("GLUE_DOUBLE_OPT_IN", "true"),
        ("GLUE_MAIL_RETRY_DELAY_MS", "100"),
        ("GLUE_MAIL_POLL_INTERVAL_MS", "50"),
        ("GLUE_MAIL_MAX_AGE", "1"),
    ])
    .await;
    app.register("sonia@example.com", PASSWORD).await;
    wait_until("the email failed", || async {
        outbox_rows(&app).await.first().is_some_and(|r| r.2)
    })
    .await;
    let rows = outbox_rows(&app).await;
    assert!(
        rows[0].0 >= 2 && !rows[0].1,
        "retried, then given up: {rows:?}"
    );
}

/// Scale-out: two instances on one database, ten emails queued while the server was down;
/// each arrives exactly once.
#[tokio::test]
async fn two_instances_on_one_database_send_every_email_once() {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let settings = [
        ("GLUE_SMTP_URL", url.as_str()),
        ("GLUE_DOUBLE_OPT_IN", "true"),
        ("GLUE_MAIL_RETRY_DELAY_MS", "20"),
        ("GLUE_MAIL_POLL_INTERVAL_MS", "20"),
    ];
    let first = spawn_app_with(&settings).await;
    let mut shared = settings.to_vec();
    shared.push(("DATABASE_URL", first.database_url.as_str()));
    let second = spawn_app_with(&shared).await;
    for i in 0..10 {
        let app = if i % 2 == 0 { &first } else { &second };
        let response = app
            .register_with(registration(&format!("shopper{i}@example.com"), PASSWORD))
            .await;
        assert_eq!(response.status.as_u16(), 201, "{}", response.text);
    }

    let sink = SmtpSink::start_on(port);
    let emails = sink.wait_for(10, ARRIVES).await;
    assert_no_more_emails(&sink, 10).await;
    let mut recipients: Vec<String> = emails.iter().flat_map(|e| e.envelope_to.clone()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 10);
    let mut ids: Vec<String> = emails.iter().filter_map(|e| e.message_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10, "every Message-ID once");
}

/// SIGTERM while an email is in the worker's hands: the worker finishes it (the server's reply
/// arrives, the row is marked sent), then the process exits cleanly.
#[tokio::test]
async fn a_stopping_instance_finishes_the_email_in_hand_then_exits() {
    let sink = SmtpSink::start();
    sink.delay_replies(Duration::from_millis(1500));
    let dir = tempfile::tempdir().expect("temp dir");
    let url = sink.url();
    let mut binary =
        crate::binary::Binary::start(dir.path(), &[("GLUE_SMTP_URL", url.as_str())]).await;
    let body = serde_json::json!({"data": {"type": "customers", "attributes": registration("sonia@example.com", PASSWORD)}});
    let response = reqwest::Client::new()
        .post(binary.url("/customers"))
        .header("content-type", crate::helpers::JSON_API)
        .body(body.to_string())
        .send()
        .await
        .expect("register");
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    wait_until("the email is in hand", || async { sink.in_hand() == 1 }).await;

    binary.terminate();
    let (exit, logs) = binary.wait().await;
    assert!(exit.success(), "{exit:?}\n{logs}");
    assert_eq!(sink.messages().len(), 1, "delivered before the exit");
    let database = dir.path().join("var/glue.db");
    let mut conn = diesel::SqliteConnection::establish(&database.to_string_lossy()).expect("open");
    let sent: Vec<Option<chrono::NaiveDateTime>> = outbox::table
        .select(outbox::sent_at)
        .load(&mut conn)
        .expect("outbox");
    assert!(
        matches!(sent.as_slice(), [Some(_)]),
        "marked sent: {sent:?}"
    );
}

/// Without `GLUE_SMTP_URL` (a newcomer's `make run`), emails land in `var/mail/<id>.eml`,
/// readable by the service's user only, and their links are logged so that one can click
/// through (CONTRACT §5).
#[tokio::test]
async fn without_an_smtp_server_emails_are_files_and_their_links_are_logged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let binary = crate::binary::Binary::start(dir.path(), &[("RUST_LOG", "info")]).await;
    let body = serde_json::json!({"data": {"type": "customers", "attributes": registration("sonia@example.com", PASSWORD)}});
    let response = reqwest::Client::new()
        .post(binary.url("/customers"))
        .header("content-type", crate::helpers::JSON_API)
        .body(body.to_string())
        .send()
        .await
        .expect("register");
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let mail = dir.path().join("var/mail");
    let file = || {
        std::fs::read_dir(&mail)
            .ok()
            .and_then(|mut entries| entries.next())
            .and_then(Result::ok)
            .map(|entry| entry.path())
    };
    wait_until("an .eml file is written", || async { file().is_some() }).await;
    let logs = binary.stop().await;

    let path = file().expect("file");
    assert_eq!(path.extension().and_then(|e| e.to_str()), Some("eml"));
    let eml = std::fs::read_to_string(&path).expect("read");
    let parsed = crate::smtp_sink::ReceivedEmail::parse(String::new(), vec![], eml.as_bytes());
    let link = parsed.link("/register/confirm");
    assert!(
        link.starts_with("http://localhost:3000/register/confirm?token="),
        "{link}"
    );
    assert!(logs.contains(&link), "the link is in the log:\n{logs}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&mail), 0o700);
    }
}
