//! The email flows (CONTRACT §3 items 10, 14, 15, 18; reference §2.7-§2.10, §3.5-§3.6) against a
//! real SMTP server in the test process: confirmation, forgotten and restored passwords,
//! password change, duplicate registration, and delivery through outages.

mod change;
mod confirmation;
mod delivery;
mod duplicate;
mod restore;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp, TestResponse, PASSWORD};
use crate::smtp_sink::{ReceivedEmail, SmtpSink};

/// How long a test waits for an email that should come.
const ARRIVES: Duration = Duration::from_secs(15);
/// How long a test waits to be sure an email does not come.
const QUIET: Duration = Duration::from_millis(700);

/// An app with double opt-in (the default) that sends through `sink`, retrying quickly.
async fn mail_app(sink: &SmtpSink, extra: &[(&str, &str)]) -> TestApp {
    let url = sink.url();
    let mut settings = vec![
        ("GLUE_SMTP_URL", url.as_str()),
        ("GLUE_DOUBLE_OPT_IN", "true"),
        ("GLUE_MAIL_RETRY_DELAY_MS", "50"),
        ("GLUE_MAIL_POLL_INTERVAL_MS", "50"),
        ("GLUE_STOREFRONT_URL", "https://shop.example"),
    ];
    settings.extend_from_slice(extra);
    spawn_app_with(&settings).await
}

async fn post(app: &TestApp, resource: &str, attributes: Value) -> TestResponse {
    app.post(
        &format!("/{resource}"),
        &json!({"data": {"type": resource, "attributes": attributes}}),
    )
    .send()
    .await
}

async fn confirm(app: &TestApp, key: &str) -> TestResponse {
    post(
        app,
        "customer-confirmation",
        json!({"registrationKey": key}),
    )
    .await
}

async fn forgotten(app: &TestApp, email: &str) -> TestResponse {
    post(app, "customer-forgotten-password", json!({"email": email})).await
}

async fn restore(app: &TestApp, key: &str, password: &str) -> TestResponse {
    let attributes =
        json!({"restorePasswordKey": key, "password": password, "confirmPassword": password});
    app.patch(
        "/customer-restore-password/mine",
        &json!({"data": {"type": "customer-restore-password", "attributes": attributes}}),
    )
    .send()
    .await
}

/// Registers `email` and confirms it through the email that arrives; returns the reference.
async fn register_confirmed(app: &TestApp, sink: &SmtpSink, email: &str) -> String {
    let before = sink.messages().len();
    let reference = app.register(email, PASSWORD).await;
    let confirmation = wait_for_email_to(sink, email, before).await;
    let response = confirm(app, &confirmation.token("/register/confirm")).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    reference
}

/// The first email to `recipient` among those after the first `skip`.
async fn wait_for_email_to(sink: &SmtpSink, recipient: &str, skip: usize) -> ReceivedEmail {
    let deadline = std::time::Instant::now() + ARRIVES;
    loop {
        if let Some(found) = sink
            .messages()
            .into_iter()
            .skip(skip)
            .find(|m| m.envelope_to.iter().any(|to| to == recipient))
        {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no email to {recipient} arrived; got {:?}",
            sink.messages()
                .iter()
                .map(|m| &m.subject)
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Asserts that no email beyond the first `count` arrives for a while.
async fn assert_no_more_emails(sink: &SmtpSink, count: usize) {
    tokio::time::sleep(QUIET).await;
    let subjects: Vec<String> = sink.messages().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects.len(), count, "unexpected emails: {subjects:?}");
}

/// The text, HTML and subject with the key replaced by `[KEY]` and the shop host kept: what
/// the snapshot of a delivered email shows.
fn redacted(email: &ReceivedEmail, path: &str) -> String {
    let key = email.token(path);
    let redact = |s: &str| s.replace(&key, "[KEY]");
    format!(
        "from: {}\nsubject: {}\n--- text ---\n{}\n--- html ---\n{}",
        email.from,
        email.subject,
        redact(email.text.trim_end()),
        redact(email.html.trim_end())
    )
}
