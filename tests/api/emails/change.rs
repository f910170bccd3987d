//! `PATCH /customer-password/{ref}` (reference §2.7; CONTRACT §3 item 18; C9): the current
//! password is required, the order of errors is Spryker's, and a change ends every session.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{mail_app, wait_for_email_to};
use crate::helpers::{TestApp, TestResponse, PASSWORD};
use crate::smtp_sink::SmtpSink;

const NEW_PASSWORD: &str = "Fresh!Start-2027";

fn change(current: &str, new: &str, confirm: &str) -> Value {
    json!({"password": current, "newPassword": new, "confirmPassword": confirm})
}

async fn patch(app: &TestApp, reference: &str, token: &str, attributes: Value) -> TestResponse {
    app.patch(
        &format!("/customer-password/{reference}"),
        &json!({"data": {"type": "customer-password", "attributes": attributes}}),
    )
    .bearer(token)
    .send()
    .await
}

#[tokio::test]
async fn a_change_needs_the_current_password_ends_every_session_and_is_announced() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[("GLUE_DOUBLE_OPT_IN", "false")]).await;
    let customer = app.customer().await;
    let second = app.login(&customer.email, PASSWORD).await;
    let second_refresh = second.body["data"]["attributes"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();

    let wrong = patch(
        &app,
        &customer.reference,
        &customer.access_token,
        change("Wrong-Password-1!", NEW_PASSWORD, NEW_PASSWORD),
    )
    .await;
    wrong.assert_error(400, Some("408"));
    assert_eq!(wrong.error("detail"), json!("Invalid password"));
    super::assert_no_more_emails(&sink, 0).await;

    let changed = patch(
        &app,
        &customer.reference,
        &customer.access_token,
        change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
    )
    .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
    assert!(changed.text.is_empty(), "no password or key echoed");

    let own = app
        .get(&format!("/customers/{}", customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await;
    own.assert_error(401, Some("001"));
    for refresh in [&customer.refresh_token, &second_refresh] {
        let response = super::post(&app, "refresh-tokens", json!({"refreshToken": refresh})).await;
        response.assert_error(401, Some("004"));
    }
    app.login(&customer.email, PASSWORD)
        .await
        .assert_error(401, Some("003"));
    assert_eq!(
        app.login(&customer.email, NEW_PASSWORD).await.status,
        StatusCode::CREATED
    );
    let email = wait_for_email_to(&sink, &customer.email, 0).await;
    assert_eq!(email.subject, "Your password was changed");
    assert!(!email.text.contains(NEW_PASSWORD) && !email.html.contains(NEW_PASSWORD));
    insta::assert_snapshot!(
        "password_changed_email",
        format!(
            "subject: {}\n--- text ---\n{}\n--- html ---\n{}",
            email.subject,
            email.text.trim_end(),
            email.html.trim_end()
        )
    );
}

/// reference §2.7 and §1.5: `901` before ownership (`411`), then `406`, `408`, the policy.
#[tokio::test]
async fn change_errors_come_in_the_references_order() {
    let sink = SmtpSink::start();
    let app = mail_app(&sink, &[("GLUE_DOUBLE_OPT_IN", "false")]).await;
    let customer = app.customer().await;
    let other = app.customer().await;
    let (own, token) = (customer.reference.as_str(), customer.access_token.as_str());
    let cases: [(&str, Value, u16, &str); 8] = [
        (
            other.reference.as_str(),
            json!({"newPassword": NEW_PASSWORD}),
            422,
            "901",
        ),
        (
            own,
            json!({"password": "", "newPassword": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}),
            422,
            "901",
        ),
        (own, change(PASSWORD, "short", "short"), 422, "901"),
        (
            other.reference.as_str(),
            change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
            403,
            "411",
        ),
        (
            own,
            change("Wrong-Password-1!", NEW_PASSWORD, "Fresh!Start-2028"),
            422,
            "406",
        ),
        (
            own,
            change("Wrong-Password-1!", "Password1234!", "Password1234!"),
            400,
            "408",
        ),
        (
            own,
            change(PASSWORD, "Password1234!", "Password1234!"),
            400,
            "422",
        ),
        (
            own,
            change(PASSWORD, "Abcdeeef1234!x", "Abcdeeef1234!x"),
            400,
            "421",
        ),
    ];
    for (reference, attributes, status, code) in cases {
        let response = patch(&app, reference, token, attributes.clone()).await;
        response.assert_error(status, Some(code));
        if code == "406" {
            assert_eq!(
                response.error("detail"),
                json!("Value in field newPassword should be identical to value in the confirmPassword field.")
            );
        }
    }
    let no_token = app
        .patch(
            &format!("/customer-password/{own}"),
            &json!({"data": {"type": "customer-password", "attributes": change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)}}),
        )
        .send()
        .await;
    no_token.assert_error(403, Some("002"));
    assert_eq!(
        app.login(&customer.email, PASSWORD).await.status,
        StatusCode::CREATED,
        "unchanged"
    );
    super::assert_no_more_emails(&sink, 0).await;
}
