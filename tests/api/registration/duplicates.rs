//! Duplicate emails (CONTRACT §3 item 14): refused in any case, stored as given.

use serde_json::json;

use super::{
    access_token, assert_created, assert_login_refused, assert_only_error, email_taken, fetch,
    with_all, EMAIL, OTHER_PASSWORD,
};
use crate::helpers::{registration, spawn_app, PASSWORD};

#[tokio::test]
async fn a_duplicate_email_is_refused_in_any_case_and_the_first_account_is_unaffected() {
    let app = spawn_app().await;
    let reference = app.register(EMAIL, PASSWORD).await;

    for email in [EMAIL, "Sonia@Example.COM", "SONIA@EXAMPLE.COM"] {
        let attributes = with_all(
            email,
            &[
                ("firstName", json!("Mallory")),
                ("password", json!(OTHER_PASSWORD)),
                ("confirmPassword", json!(OTHER_PASSWORD)),
            ],
        );
        let response = app.register_with(attributes).await;
        assert_only_error(&format!("duplicate {email}"), &response, email_taken());
    }

    let token = access_token(&app, EMAIL, PASSWORD).await;
    let customer = fetch(&app, &reference, &token).await;
    assert_eq!(customer["attributes"]["email"], json!(EMAIL));
    assert_eq!(customer["attributes"]["firstName"], json!("Sonia"));
    assert_login_refused(&app, EMAIL, OTHER_PASSWORD).await;
}

#[tokio::test]
async fn emails_are_stored_as_given() {
    let app = spawn_app().await;
    let email = "Mixed.Case+Tag@Example.COM";
    let response = app.register_with(registration(email, PASSWORD)).await;
    assert_created(email, &response);
    assert_eq!(response.body["data"]["attributes"]["email"], json!(email));
    let duplicate = app
        .register_with(registration("mixed.case+tag@example.com", PASSWORD))
        .await;
    assert_only_error("lower-case duplicate", &duplicate, email_taken());
}
