//! Answers that do not tell whether an account exists (CONTRACT §3 items 15-16, checklist C1,
//! C4): byte for byte the same status, body and headers (`date` and `x-request-id` aside) for an
//! unknown email and a known one, on login, on its block, on a forgotten-password request and
//! on a confirmation. (A registration with a taken email is the exception the contract accepts,
//! item 14: 422 `400` against 201. It is not compared here.)

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{
    address, app_with, assert_all_identical, registered, unknown_email, Endpoint, Limits, WRONG,
};
use crate::helpers::{spawn_app_with, TestApp, TestResponse, PASSWORD};
use crate::smtp_sink::SmtpSink;

/// An app with double opt-in that mails through `sink`; the lockout is out of the way.
async fn opt_in_app(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(&[
        ("GLUE_SMTP_URL", url.as_str()),
        ("GLUE_DOUBLE_OPT_IN", "true"),
        ("GLUE_MAIL_RETRY_DELAY_MS", "50"),
        ("GLUE_MAIL_POLL_INTERVAL_MS", "50"),
        ("GLUE_STOREFRONT_URL", "https://shop.example"),
        ("GLUE_LOGIN_MAX_FAILURES", "1000"),
    ])
    .await
}

async fn post(app: &TestApp, resource: &str, attributes: Value) -> TestResponse {
    app.post(
        &format!("/{resource}"),
        &json!({"data": {"type": resource, "attributes": attributes}}),
    )
    .send()
    .await
}

/// The key in the first email to `recipient` whose link has `path`.
async fn key_mailed_to(sink: &SmtpSink, recipient: &str, path: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found = sink
            .messages()
            .into_iter()
            .find(|m| m.envelope_to.iter().any(|to| to == recipient) && m.text.contains(path));
        if let Some(email) = found {
            return email.token(path);
        }
        assert!(Instant::now() < deadline, "no {path} email to {recipient}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Registers under double opt-in and confirms through the emailed key; returns the email and
/// the customerReference.
async fn confirmed(app: &TestApp, sink: &SmtpSink) -> (String, String) {
    let email = registered(app).await;
    let key = key_mailed_to(sink, &email, "/register/confirm").await;
    let response = post(
        app,
        "customer-confirmation",
        json!({"registrationKey": key}),
    )
    .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    let login = app.login(&email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    let reference = reference_of(app, &email).await;
    (email, reference)
}

/// An account that was anonymized (CONTRACT §3 item 13); returns its former email.
async fn anonymized(app: &TestApp, sink: &SmtpSink) -> String {
    let (email, reference) = confirmed(app, sink).await;
    let login = app.login(&email, PASSWORD).await;
    let token = login.body["data"]["attributes"]["accessToken"]
        .as_str()
        .expect("access token")
        .to_owned();
    let response = app
        .delete(&format!("/customers/{reference}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    email
}

/// The customerReference of `email`, read straight from the database.
async fn reference_of(app: &TestApp, email: &str) -> String {
    let email = email.to_lowercase();
    app.db()
        .read(move |conn| {
            Ok(glue_customers::customers::repo::find_by_email(
                conn, &email,
            )?)
        })
        .await
        .expect("query")
        .expect("customer row exists")
        .customer_reference
}

/// An account a partner blocked (`blocked_at` set, as the partner API does); returns its email.
async fn blocked(app: &TestApp, sink: &SmtpSink) -> String {
    use diesel::prelude::*;
    use glue_customers::db::schema::customers;
    let (email, reference) = confirmed(app, sink).await;
    app.db()
        .write(move |conn| {
            diesel::update(customers::table.filter(customers::customer_reference.eq(&reference)))
                .set(customers::blocked_at.eq(Some(glue_customers::db::now())))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("customer blocked");
    email
}

#[tokio::test]
async fn every_kind_of_failed_login_gets_the_same_answer_on_both_endpoints() {
    let sink = SmtpSink::start();
    let app = opt_in_app(&sink).await;
    let (known, _) = confirmed(&app, &sink).await;
    let unconfirmed = registered(&app).await;
    let gone = anonymized(&app, &sink).await;
    let disabled = blocked(&app, &sink).await;

    for endpoint in Endpoint::BOTH {
        let cases: [(&str, &str, &str); 6] = [
            ("unknown email", &unknown_email(), PASSWORD),
            ("known email, wrong password", &known, WRONG),
            (
                "unconfirmed account, right password",
                &unconfirmed,
                PASSWORD,
            ),
            ("unconfirmed account, wrong password", &unconfirmed, WRONG),
            ("anonymized account, its old password", &gone, PASSWORD),
            (
                "account blocked by a partner, right password",
                &disabled,
                PASSWORD,
            ),
        ];
        let mut answers = Vec::new();
        for (name, email, password) in cases {
            let response = endpoint.login(&app, email, password, None).await;
            endpoint.assert_refused(&response);
            answers.push((name, response));
        }
        assert_all_identical(&format!("{endpoint:?}"), &answers, false);
    }
}

#[tokio::test]
async fn an_unknown_email_is_counted_and_blocked_exactly_like_a_known_one() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;

    for (n, endpoint) in Endpoint::BOTH.into_iter().enumerate() {
        let known = registered(&app).await;
        let unknown = unknown_email();
        let mut from = (0..).map(|i| address(n * 50 + i));
        let mut next = || from.next().expect("address");

        for attempt in 0..limits.max_failures {
            let a = endpoint.login(&app, &known, WRONG, Some(&next())).await;
            let b = endpoint.login(&app, &unknown, WRONG, Some(&next())).await;
            endpoint.assert_refused(&a);
            let what = format!("{endpoint:?}, failure {}", attempt + 1);
            assert_all_identical(&what, &[("known", a), ("unknown", b)], false);
        }

        for password in [PASSWORD, WRONG] {
            let a = endpoint.login(&app, &known, password, Some(&next())).await;
            let b = endpoint
                .login(&app, &unknown, password, Some(&next()))
                .await;
            endpoint.assert_blocked(&a, limits);
            endpoint.assert_blocked(&b, limits);
            let what = format!("{endpoint:?}, blocked");
            assert_all_identical(&what, &[("known", a), ("unknown", b)], true);
        }
    }
}

#[tokio::test]
async fn a_forgotten_password_request_answers_the_same_for_known_and_unknown_emails() {
    let sink = SmtpSink::start();
    let app = opt_in_app(&sink).await;
    let (known, _) = confirmed(&app, &sink).await;
    let unconfirmed = registered(&app).await;
    let unknown = unknown_email();

    let mut answers = Vec::new();
    // The second round falls within the throttle for each email: it must not stand out either.
    for round in ["first", "again"] {
        let cases = [
            ("known", known.clone()),
            ("known, other case", known.to_uppercase()),
            ("unconfirmed", unconfirmed.clone()),
            ("unknown", unknown.clone()),
        ];
        for (name, email) in cases {
            let response = post(&app, "customer-forgotten-password", json!({"email": email})).await;
            assert_eq!(
                response.status,
                StatusCode::NO_CONTENT,
                "{name}: {}",
                response.text
            );
            answers.push((format!("{name} ({round})"), response));
        }
    }
    assert_all_identical("customer-forgotten-password", &answers, false);
}

#[tokio::test]
async fn confirming_with_an_unknown_key_or_an_already_used_key_answers_the_same() {
    let sink = SmtpSink::start();
    let app = opt_in_app(&sink).await;
    let email = registered(&app).await;
    let key = key_mailed_to(&sink, &email, "/register/confirm").await;
    let first = post(
        &app,
        "customer-confirmation",
        json!({"registrationKey": key}),
    )
    .await;
    assert_eq!(first.status, StatusCode::NO_CONTENT, "{}", first.text);

    let unknown_key: String = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )[..key.len()]
        .to_owned();
    let cases = [("already used key", key), ("unknown key", unknown_key)];
    let mut answers = Vec::new();
    for (name, key) in cases {
        let response = post(
            &app,
            "customer-confirmation",
            json!({"registrationKey": key}),
        )
        .await;
        assert!(
            response.status.is_client_error(),
            "{name}: {}",
            response.text
        );
        answers.push((name, response));
    }
    assert_all_identical("customer-confirmation", &answers, false);
}
