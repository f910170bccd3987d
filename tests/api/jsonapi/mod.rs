//! The JSON:API 1.1 protocol layer (CONTRACT §3 items 1-5 and 21-25): content negotiation,
//! framework errors as error documents, request-document shapes, query parameters, sparse
//! fieldsets, and the headers every response carries. Below: the helpers these files share.

mod bodies;
mod documents;
mod framework_errors;
mod head;
mod headers;
mod negotiation;
mod query;
mod raw;
mod sparse_fieldsets;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{registration, Customer, TestApp, TestResponse, JSON_API, PASSWORD};

const ONE_MIB: usize = 1024 * 1024;

fn registration_document(email: &str) -> Value {
    json!({"data": {"type": "customers", "attributes": registration(email, PASSWORD)}})
}

fn registration_bytes(email: &str) -> Vec<u8> {
    serde_json::to_vec(&registration_document(email)).expect("serialize")
}

/// `POST /customers` with a valid registration body and this `Content-Type` (`None`: no header).
async fn post_customers_as(app: &TestApp, content_type: Option<&str>, email: &str) -> TestResponse {
    let mut request = app
        .request(Method::POST, "/customers")
        .raw_body(registration_bytes(email));
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await
}

/// `POST /customers` with these raw bytes, declared as `application/vnd.api+json`.
async fn post_customers_raw(app: &TestApp, body: impl Into<reqwest::Body>) -> TestResponse {
    app.request(Method::POST, "/customers")
        .header("content-type", JSON_API)
        .raw_body(body)
        .send()
        .await
}

/// The customer's own resource path, `/customers/{reference}`.
fn own_path(customer: &Customer) -> String {
    format!("/customers/{}", customer.reference)
}

/// `GET /customers/{reference}{query}` as the customer.
async fn get_own(app: &TestApp, customer: &Customer, query: &str) -> TestResponse {
    app.get(&format!("{}{query}", own_path(customer)))
        .bearer(&customer.access_token)
        .send()
        .await
}

/// [`get_own`], asserting a 200.
async fn get_own_ok(app: &TestApp, customer: &Customer, query: &str) -> TestResponse {
    let response = get_own(app, customer, query).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{query}: {}",
        response.text
    );
    response
}

/// Asserts a JSON:API error document with this HTTP status, every error's `status` the same
/// status as a string, and a non-empty `detail`; returns the first error object.
#[track_caller]
fn assert_error_document(response: &TestResponse, status: u16, case: &str) -> Value {
    assert_eq!(
        response.status.as_u16(),
        status,
        "{case}: {}",
        response.text
    );
    assert_eq!(
        response.header("content-type"),
        Some(JSON_API),
        "{case}: Content-Type"
    );
    assert!(
        response.body.get("data").is_none(),
        "{case}: errors and data never coexist"
    );
    let errors = response.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{case}: no errors array in {}", response.text));
    assert!(!errors.is_empty(), "{case}: empty errors array");
    for error in errors {
        assert_eq!(
            error["status"],
            json!(status.to_string()),
            "{case}: status is a string: {}",
            response.text
        );
        assert!(
            error["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{case}: detail: {}",
            response.text
        );
    }
    errors[0].clone()
}

/// [`assert_error_document`], and the first error's `source` is exactly `source`.
#[track_caller]
fn assert_error_source(response: &TestResponse, status: u16, source: Value, case: &str) {
    let error = assert_error_document(response, status, case);
    assert_eq!(error["source"], source, "{case}: {}", response.text);
}

/// Asserts one of Spryker's framework errors: this status and exact detail, no domain code.
#[track_caller]
fn assert_framework_error(response: &TestResponse, status: u16, detail: &str, case: &str) {
    let error = assert_error_document(response, status, case);
    assert_eq!(error["detail"], json!(detail), "{case}: {}", response.text);
    assert!(
        error.get("code").is_none(),
        "{case}: framework errors carry no code: {}",
        response.text
    );
}

/// Registers `email` and asserts it becomes the first customer, i.e. no rejected request
/// before it created anyone (and in particular not this email).
async fn assert_nothing_was_created(app: &TestApp, email: &str, case: &str) {
    let response = app.register_with(registration(email, PASSWORD)).await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{case}: {}",
        response.text
    );
    assert_eq!(
        response.body["data"]["id"],
        json!("DE--1"),
        "{case}: a rejected request created a customer"
    );
}
