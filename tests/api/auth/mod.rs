//! `/access-tokens`, `/refresh-tokens` and bearer authentication (CONTRACT §3 items 6, 16-19;
//! reference §2.11, §2.12, §3.8; checklist B37, C1, C10).

mod anonymize;
mod bearer;
mod forge;
mod jwt_attacks;
mod key_rotation;
mod login;
mod public_bearer;
mod refresh;
mod revocation;
mod session_lifetime;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{Customer, TestApp, TestResponse, JSON_API};
use forge::server_signed;

const ACCESS_TOKEN_TTL: i64 = 28_800;
/// An email no customer registers.
const NOBODY: &str = "nobody-here@example.com";

// ---------------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------------

/// `POST /{resource}` with a JSON:API document of that type carrying `attributes`.
async fn post_attributes(app: &TestApp, resource: &str, attributes: Value) -> TestResponse {
    app.post(
        &format!("/{resource}"),
        &json!({"data": {"type": resource, "attributes": attributes}}),
    )
    .send()
    .await
}

async fn get_own(app: &TestApp, customer: &Customer, token: &str) -> TestResponse {
    app.get(&format!("/customers/{}", customer.reference))
        .bearer(token)
        .send()
        .await
}

async fn get_collection(app: &TestApp, token: &str) -> TestResponse {
    app.get("/customers").bearer(token).send().await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> TestResponse {
    post_attributes(
        app,
        "refresh-tokens",
        json!({"refreshToken": refresh_token}),
    )
    .await
}

/// A refresh that must succeed (201).
async fn refresh_succeeds(app: &TestApp, refresh_token: &str) -> TestResponse {
    let response = refresh(app, refresh_token).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    response
}

/// A login that must succeed: (access token, refresh token).
async fn logged_in(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let login = app.login(email, password).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    token_pair(&login)
}

/// A second login of an existing customer: (access token, refresh token).
async fn second_session(app: &TestApp, customer: &Customer) -> (String, String) {
    logged_in(app, &customer.email, &customer.password).await
}

fn token_pair(response: &TestResponse) -> (String, String) {
    let attributes = &response.body["data"]["attributes"];
    (
        attributes["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned(),
        attributes["refreshToken"]
            .as_str()
            .expect("refreshToken")
            .to_owned(),
    )
}

// ---------------------------------------------------------------------------------------------
// Assertions.
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn assert_owner_served(response: &TestResponse, customer: &Customer) {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.body["data"]["type"], "customers");
    assert_eq!(response.body["data"]["id"], json!(customer.reference));
}

/// `token` opens `customer`'s own resource.
async fn assert_token_accepted(app: &TestApp, customer: &Customer, token: &str) {
    assert_owner_served(&get_own(app, customer, token).await, customer);
}

/// `token` is refused on `customer`'s own resource with 401 001.
async fn assert_token_refused(app: &TestApp, customer: &Customer, token: &str) {
    assert_invalid_token(&get_own(app, customer, token).await);
}

/// `claims`, signed with the server's own key, are refused on `customer`'s own resource with
/// 401 001; `what` names the forgery in the failure message.
async fn assert_forgery_refused(app: &TestApp, customer: &Customer, claims: &Value, what: &str) {
    let response = get_own(app, customer, &server_signed(claims)).await;
    assert_eq!(
        response.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        response.text
    );
    assert_invalid_token(&response);
}

/// Refreshing with `refresh_token` fails with 401 004.
async fn assert_refresh_refused(app: &TestApp, refresh_token: &str) {
    assert_failed_to_refresh(&refresh(app, refresh_token).await);
}

/// The 201 answer of `/access-tokens` and `/refresh-tokens`: an uncached Bearer token pair.
#[track_caller]
fn assert_token_document(response: &TestResponse, app: &TestApp, resource: &str) {
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(response.header("content-type"), Some(JSON_API));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let data = &response.body["data"];
    assert_eq!(data["type"], resource);
    assert!(
        data["id"].as_str().is_some_and(|id| !id.is_empty()),
        "a string id: {}",
        response.text
    );
    assert_eq!(
        data["links"]["self"],
        json!(format!("{}/{resource}", app.address))
    );
    assert_eq!(data["attributes"]["tokenType"], "Bearer");
    assert_eq!(data["attributes"]["expiresIn"], json!(ACCESS_TOKEN_TTL));
}

/// 401 `001` with `WWW-Authenticate: Bearer realm="...", error="invalid_token"` (CONTRACT §3 item 6).
#[track_caller]
fn assert_invalid_token(response: &TestResponse) {
    response.assert_error(401, Some("001"));
    assert_eq!(response.error("detail"), "Invalid access token.");
    let challenge = response
        .header("www-authenticate")
        .expect("a 401 carries WWW-Authenticate");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(challenge.contains("realm=\""), "{challenge}");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
}

#[track_caller]
fn assert_missing_token(response: &TestResponse) {
    response.assert_error(403, Some("002"));
    assert_eq!(response.error("detail"), "Missing access token.");
}

#[track_caller]
fn assert_failed_to_refresh(response: &TestResponse) {
    response.assert_error(401, Some("004"));
    assert_eq!(response.error("detail"), "Failed to refresh token.");
}

#[track_caller]
fn assert_failed_to_authenticate(response: &TestResponse) {
    response.assert_error(401, Some("003"));
    assert_eq!(response.error("detail"), "Failed to authenticate user.");
    assert_eq!(
        response.header("www-authenticate"),
        Some(r#"Bearer realm="Access to shop API""#)
    );
}

#[track_caller]
fn assert_no_content(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    assert!(
        response.text.is_empty(),
        "a 204 has no body: {}",
        response.text
    );
}

/// Exactly one error object, with these members.
#[track_caller]
fn assert_only_error(response: &TestResponse, status: &str, code: &str, detail: &str) {
    let errors = response.body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{}", response.text);
    assert_eq!(errors[0]["status"], json!(status), "{}", response.text);
    assert_eq!(errors[0]["code"], json!(code), "{}", response.text);
    assert_eq!(errors[0]["detail"], json!(detail), "{}", response.text);
}

/// A 901 error object for `field` with this Symfony message and a pointer to the attribute.
#[track_caller]
fn assert_violation(response: &TestResponse, field: &str, message: &str) {
    response.assert_error(422, Some("901"));
    let errors = response.body["errors"].as_array().expect("errors");
    let pointer = format!("/data/attributes/{field}");
    let found = errors
        .iter()
        .find(|e| e["source"]["pointer"] == json!(pointer));
    let error = found.unwrap_or_else(|| panic!("no error points at {pointer}: {}", response.text));
    assert_eq!(error["code"], "901");
    assert_eq!(error["status"], "422");
    assert_eq!(error["detail"], json!(format!("{field} => {message}")));
}
