//! Forgotten and restored passwords (CONTRACT §3 item 15, reference §2.8, §2.9, §3.6; C4, C8).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use super::{
    assert_no_more_emails, forgotten, mail_app, redacted, register_confirmed, restore,
    wait_for_email_to,
};
use crate::helpers::{TestApp, PASSWORD};
use crate::smtp_sink::SmtpSink;

const EMAIL: &str = "sonia@example.com";
const NEW_PASSWORD: &str = "Fresh!Start-2027";

async fn tokens_of(app: &TestApp, password: &str) -> (String, String) {
    let login = app.login(EMAIL, password).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    let attributes = &login.body["data"]["attributes"];
    let token = |name: &str| attributes[name].as_str().expect(name).to_owned();
    (token("accessToken"), token("refreshToken"))
}

async fn refresh(app: &TestApp, token: &str) -> StatusCode {
    super::post(app, "refresh-tokens", json!({"refreshToken": token}))
        .await
        .status
}

#[tokio::test]
async fn a_reset_key_from_the_email_sets_a_new_password_once_and_ends_every_session() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[]).await;
    let reference = register_confirmed(&app, &sink, EMAIL).await;
    let (access, refresh_token) = tokens_of(&app, PASSWORD).await;

    let sent = sink.messages().len();
    let response = forgotten(&app, EMAIL).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    assert!(response.text.is_empty());
    let email = wait_for_email_to(&sink, EMAIL, sent).await;
    assert!(email
        .link("/password/restore")
        .starts_with("https://shop.example/password/restore?token="));
    insta::assert_snapshot!(
        "password_reset_email",
        redacted(&email, "/password/restore")
    );
    let key = email.token("/password/restore");
    // Asking for a reset changes nothing yet (C8).
    assert_eq!(app.login(EMAIL, PASSWORD).await.status, StatusCode::CREATED);

    let sent = sink.messages().len();
    let restored = restore(&app, &key, NEW_PASSWORD).await;
    assert_eq!(restored.status, StatusCode::NO_CONTENT, "{}", restored.text);
    restore(&app, &key, "Another!One-2027")
        .await
        .assert_error(422, Some("415"));

    app.login(EMAIL, PASSWORD)
        .await
        .assert_error(401, Some("003"));
    assert_eq!(
        app.login(EMAIL, NEW_PASSWORD).await.status,
        StatusCode::CREATED
    );
    let own = app
        .get(&format!("/customers/{reference}"))
        .bearer(&access)
        .send()
        .await;
    own.assert_error(401, Some("001"));
    assert_eq!(
        refresh(&app, &refresh_token).await,
        StatusCode::UNAUTHORIZED
    );
    let changed = wait_for_email_to(&sink, EMAIL, sent).await;
    assert_eq!(changed.subject, "Your password was changed");
}

#[tokio::test]
async fn unknown_emails_get_the_same_204_and_no_email() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[]).await;
    register_confirmed(&app, &sink, EMAIL).await;
    let sent = sink.messages().len();

    let unknown = forgotten(&app, "nobody@example.com").await;
    let known = forgotten(&app, EMAIL).await;
    assert_eq!(unknown.status, StatusCode::NO_CONTENT);
    assert_eq!((unknown.status, &unknown.text), (known.status, &known.text));
    wait_for_email_to(&sink, EMAIL, sent).await;
    assert_no_more_emails(&sink, sent + 1).await;
    assert!(sink
        .messages()
        .iter()
        .all(|m| m.envelope_to != vec!["nobody@example.com".to_owned()]));

    for (case, email) in [
        ("blank", json!("")),
        ("no email", json!("sonia")),
        ("number", json!(5)),
    ] {
        let response =
            super::post(&app, "customer-forgotten-password", json!({"email": email})).await;
        response.assert_error(422, Some("901"));
        assert_eq!(
            response.error("source")["pointer"],
            json!("/data/attributes/email"),
            "{case}"
        );
    }
}

#[tokio::test]
async fn a_repeated_request_inside_the_throttle_window_sends_nothing_more() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[]).await;
    register_confirmed(&app, &sink, EMAIL).await;
    let sent = sink.messages().len();
    forgotten(&app, EMAIL).await;
    wait_for_email_to(&sink, EMAIL, sent).await;
    for _ in 0..3 {
        assert_eq!(forgotten(&app, EMAIL).await.status, StatusCode::NO_CONTENT);
    }
    assert_no_more_emails(&sink, sent + 1).await;
}

#[tokio::test]
async fn a_new_request_replaces_the_previous_key_and_keys_expire() {
    let sink = SmtpSink::start();
    let settings = [
        ("GLUE_FORGOTTEN_PASSWORD_THROTTLE", "0"),
        ("GLUE_RESTORE_KEY_TTL", "2"),
    ];
    let app = mail_app(&sink, &settings).await;
    register_confirmed(&app, &sink, EMAIL).await;
    let sent = sink.messages().len();
    forgotten(&app, EMAIL).await;
    let first = wait_for_email_to(&sink, EMAIL, sent)
        .await
        .token("/password/restore");
    forgotten(&app, EMAIL).await;
    let second = wait_for_email_to(&sink, EMAIL, sent + 1)
        .await
        .token("/password/restore");
    assert_ne!(first, second);

    restore(&app, &first, NEW_PASSWORD)
        .await
        .assert_error(422, Some("415"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let expired = restore(&app, &second, NEW_PASSWORD).await;
    expired.assert_error(400, Some("407"));
    assert_eq!(expired.error("detail"), json!("Failed to change password."));
    assert_eq!(
        app.login(EMAIL, PASSWORD).await.status,
        StatusCode::CREATED,
        "unchanged"
    );
}

/// reference §2.9: `901` first, then `406`, then the policy (`418`-`422`), then the key (`415`).
#[tokio::test]
async fn restore_errors_come_in_the_references_order() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[]).await;
    let document = |attributes: serde_json::Value| json!({"data": {"type": "customer-restore-password", "attributes": attributes}});
    let cases = [
        (
            json!({"password": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}),
            422,
            "901",
        ),
        (
            json!({"restorePasswordKey": "", "password": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}),
            422,
            "901",
        ),
        (
            json!({"restorePasswordKey": "k", "password": "short", "confirmPassword": "short"}),
            422,
            "901",
        ),
        (
            json!({"restorePasswordKey": "k", "password": NEW_PASSWORD, "confirmPassword": "Fresh!Start-2028"}),
            422,
            "406",
        ),
        (
            json!({"restorePasswordKey": "k", "password": "Password1234!", "confirmPassword": "Password1234!"}),
            400,
            "422",
        ),
        (
            json!({"restorePasswordKey": "k", "password": "Abcdeeef1234!x", "confirmPassword": "Abcdeeef1234!x"}),
            400,
            "421",
        ),
        (
            json!({"restorePasswordKey": "unknown", "password": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}),
            422,
            "415",
        ),
    ];
    for (attributes, status, code) in cases {
        let response = app
            .patch(
                "/customer-restore-password/anything",
                &document(attributes.clone()),
            )
            .send()
            .await;
        response.assert_error(status, Some(code));
        if code == "406" {
            assert_eq!(
                response.error("detail"),
                json!("Value in field password should be identical to value in the confirmPassword field.")
            );
        }
    }
    let no_id = app
        .patch("/customer-restore-password/", &document(json!({})))
        .send()
        .await;
    no_id.assert_error(400, None);
}
