//! Double opt-in (CONTRACT §3 item 10, reference §2.10, §3.5): the confirmation email, its
//! single-use key, and a login that fails like a wrong password until then.

use reqwest::StatusCode;
use serde_json::json;

use super::{confirm, mail_app, redacted, wait_for_email_to};
use crate::helpers::{TestResponse, PASSWORD};
use crate::smtp_sink::SmtpSink;

const EMAIL: &str = "sonia@example.com";

/// Status, body and the headers a client could compare (request ids and dates aside).
fn comparable(response: &TestResponse) -> (StatusCode, String, Vec<(String, String)>) {
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|(name, _)| !["x-request-id", "date"].contains(&name.as_str()))
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    headers.sort();
    (response.status, response.text.clone(), headers)
}

#[tokio::test]
async fn registration_emails_a_key_that_confirms_once_and_then_the_login_works() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[]).await;
    app.register(EMAIL, PASSWORD).await;

    let before = app.login(EMAIL, PASSWORD).await;
    let wrong = app.login(EMAIL, "Wrong-Password-1!").await;
    assert_eq!(
        comparable(&before),
        comparable(&wrong),
        "unconfirmed = wrong password"
    );
    before.assert_error(401, Some("003"));

    let email = wait_for_email_to(&sink, EMAIL, 0).await;
    assert_eq!(email.envelope_to, vec![EMAIL.to_owned()]);
    assert!(email.from.contains("no-reply@localhost"), "{}", email.from);
    let link = email.link("/register/confirm");
    assert!(
        link.starts_with("https://shop.example/register/confirm?token="),
        "{link}"
    );
    let key = email.token("/register/confirm");
    assert!(key.len() >= 22, "at least 128 bits: {key}");
    assert!(email.html.contains("Sonia Wagner"), "{}", email.html);
    insta::assert_snapshot!("confirmation_email", redacted(&email, "/register/confirm"));

    let confirmed = confirm(&app, &key).await;
    assert_eq!(
        confirmed.status,
        StatusCode::NO_CONTENT,
        "{}",
        confirmed.text
    );
    assert!(confirmed.text.is_empty());
    confirm(&app, &key).await.assert_error(422, Some("423"));
    let login = app.login(EMAIL, PASSWORD).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    let row = app.customer_row(&email_reference(&app).await).await;
    assert!(row.registered_at.is_some());
    assert!(row.registration_key_hash.is_none(), "the key is spent");
}

async fn email_reference(app: &crate::helpers::TestApp) -> String {
    let login = app.login(EMAIL, PASSWORD).await;
    let token = login.body["data"]["attributes"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let me = app.get("/customers").bearer(&token).send().await;
    me.body["data"][0]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn confirmation_errors_follow_the_reference() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[]).await;
    for (case, attributes) in [
        ("empty", json!({"registrationKey": ""})),
        ("null", json!({"registrationKey": null})),
        ("missing", json!({})),
        ("not a string", json!({"registrationKey": 42})),
    ] {
        let response = super::post(&app, "customer-confirmation", attributes).await;
        response.assert_error(422, Some("901"));
        assert_eq!(
            response.error("source")["pointer"],
            json!("/data/attributes/registrationKey"),
            "{case}"
        );
    }
    for key in ["unknown-key", "x".repeat(43).as_str()] {
        let response = confirm(&app, key).await;
        response.assert_error(422, Some("423"));
        assert_eq!(
            response.error("detail"),
            json!("This email confirmation code is invalid or has been already used.")
        );
    }
    let wrong_type = app
        .post(
            "/customer-confirmation",
            &json!({"data": {"type": "customers", "attributes": {"registrationKey": "k"}}}),
        )
        .send()
        .await;
    wrong_type.assert_error(409, None);
    let get = app.get("/customer-confirmation").send().await;
    get.assert_error(405, None);
}

#[tokio::test]
async fn without_double_opt_in_nothing_is_sent_and_the_login_works_at_once() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[("GLUE_DOUBLE_OPT_IN", "false")]).await;
    app.register(EMAIL, PASSWORD).await;
    let login = app.login(EMAIL, PASSWORD).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    super::assert_no_more_emails(&sink, 0).await;
}
