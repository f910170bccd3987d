//! `PATCH /customers/{ref}`: the same validation as registration, and a failed PATCH changes
//! nothing; the password cannot be changed this way.

use reqwest::StatusCode;
use serde_json::{json, Map, Value};

use super::{
    access_token, assert_login_refused, assert_only_error, email_taken, fetch,
    invalid_email_format, password_mismatch, violation, Expected, NOT_AN_EMAIL, NOT_A_CHOICE,
    NOT_A_DATE, NOT_BLANK, OTHER_PASSWORD,
};
use crate::helpers::{spawn_app, Customer, TestApp, TestResponse, PASSWORD};

async fn patch_customer(app: &TestApp, customer: &Customer, attributes: Value) -> TestResponse {
    let body =
        json!({"data": {"type": "customers", "id": customer.reference, "attributes": attributes}});
    app.patch(&format!("/customers/{}", customer.reference), &body)
        .bearer(&customer.access_token)
        .send()
        .await
}

#[tokio::test]
async fn patch_errors_change_nothing() {
    let app = spawn_app().await;
    app.register("other@example.com", PASSWORD).await;
    let customer = app.customer().await;
    let before = fetch(&app, &customer.reference, &customer.access_token).await;

    let changed = |field: &str, value: Value| -> Value {
        let mut attributes = Map::new();
        attributes.insert("firstName".to_owned(), json!("Changed"));
        attributes.insert("salutation".to_owned(), json!("Dr"));
        attributes.insert(field.to_owned(), value);
        Value::Object(attributes)
    };
    let mut different_confirmation = changed("password", json!(OTHER_PASSWORD));
    different_confirmation["confirmPassword"] = json!("Nw7$kLp3@xYz");
    // Each answers only its error, a 422.
    let cases: [(&str, Value, Expected); 10] = [
        (
            "invalid email",
            changed("email", json!("not-an-email")),
            violation("email", NOT_AN_EMAIL),
        ),
        (
            "gender \"X\"",
            changed("gender", json!("X")),
            violation("gender", NOT_A_CHOICE),
        ),
        (
            "lastName null",
            changed("lastName", Value::Null),
            violation("lastName", NOT_BLANK),
        ),
        (
            "email blank",
            changed("email", json!("")),
            violation("email", NOT_BLANK),
        ),
        (
            "dateOfBirth invalid",
            changed("dateOfBirth", json!("1990-02-30")),
            violation("dateOfBirth", NOT_A_DATE),
        ),
        (
            "email of another customer",
            changed("email", json!("other@example.com")),
            email_taken(),
        ),
        (
            "email of another customer in another case",
            changed("email", json!("OTHER@Example.com")),
            email_taken(),
        ),
        (
            "\"..\" in the local part",
            changed("email", json!("a..b@example.com")),
            invalid_email_format(),
        ),
        (
            "password without confirmPassword",
            changed("password", json!(OTHER_PASSWORD)),
            password_mismatch(),
        ),
        (
            "password with a different confirmPassword",
            different_confirmation,
            password_mismatch(),
        ),
    ];
    for (case, attributes, expected) in cases {
        assert_eq!(expected.status, 422, "{case}");
        let response = patch_customer(&app, &customer, attributes).await;
        assert_only_error(case, &response, expected);
        let after = fetch(&app, &customer.reference, &customer.access_token).await;
        assert_eq!(after, before, "{case}: a failed PATCH changes nothing");
    }
}

#[tokio::test]
async fn patch_accepts_ones_own_email_in_another_case() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let upper = customer.email.to_uppercase();
    let response = patch_customer(&app, &customer, json!({"email": upper})).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.body["data"]["attributes"]["email"], json!(upper));
    let fetched = fetch(&app, &customer.reference, &customer.access_token).await;
    assert_eq!(fetched["attributes"]["email"], json!(upper));
}

#[tokio::test]
async fn patch_cannot_change_the_password() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let response = patch_customer(
        &app,
        &customer,
        json!({"password": OTHER_PASSWORD, "confirmPassword": OTHER_PASSWORD}),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert!(!response.text.contains("assword"), "{}", response.text);

    access_token(&app, &customer.email, &customer.password).await;
    assert_login_refused(&app, &customer.email, OTHER_PASSWORD).await;
}
