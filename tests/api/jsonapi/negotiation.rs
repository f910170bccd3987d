//! Content negotiation (CONTRACT §3 item 4): `Content-Type` and `Accept`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::raw::{raw_exchange, request_head};
use super::{assert_error_source, assert_nothing_was_created, own_path, post_customers_as};
use crate::helpers::{spawn_app, Customer, TestApp, TestResponse, JSON_API};

/// Asserts that registering with this `Content-Type` gets a 415 pointing at the header.
async fn assert_unsupported_media_type(
    app: &TestApp,
    content_type: Option<&str>,
    email: &str,
    case: &str,
) {
    let response = post_customers_as(app, content_type, email).await;
    assert_error_source(&response, 415, json!({"header": "Content-Type"}), case);
}

/// `GET` the customer's own resource with this `Accept` header.
async fn get_own_accepting(app: &TestApp, customer: &Customer, accept: &str) -> TestResponse {
    app.get(&own_path(customer))
        .bearer(&customer.access_token)
        .header("accept", accept)
        .send()
        .await
}

#[tokio::test]
async fn content_type_with_charset_parameter_gets_415_and_creates_nothing() {
    let app = spawn_app().await;
    let email = "sonia@example.com";

    let charset = "application/vnd.api+json; charset=utf-8";
    assert_unsupported_media_type(&app, Some(charset), email, "charset").await;

    assert_nothing_was_created(&app, email, "charset").await;
}

#[tokio::test]
async fn content_types_other_than_plain_json_api_or_json_get_415_and_create_nothing() {
    let app = spawn_app().await;
    let email = "sonia@example.com";
    let cases: &[(&str, Option<&str>)] = &[
        (
            "version parameter",
            Some("application/vnd.api+json; version=1"),
        ),
        (
            "unsupported extension",
            Some("application/vnd.api+json; ext=\"https://example.com/ext/none\""),
        ),
        (
            "profile plus charset",
            Some("application/vnd.api+json; profile=\"https://example.com/p\"; charset=utf-8"),
        ),
        ("text/plain", Some("text/plain")),
        ("form", Some("application/x-www-form-urlencoded")),
        ("xml flavour", Some("application/vnd.api+xml")),
        ("no Content-Type", None),
    ];
    for (case, content_type) in cases {
        assert_unsupported_media_type(&app, *content_type, email, case).await;
    }
    assert_nothing_was_created(&app, email, "after every 415").await;
}

#[tokio::test]
async fn content_types_with_an_unknown_profile_or_plain_json_are_accepted() {
    let app = spawn_app().await;
    let cases = [
        ("JSON:API media type", "application/vnd.api+json"),
        (
            "unknown profile is ignored",
            "application/vnd.api+json; profile=\"https://example.com/p\"",
        ),
        ("application/json (Spryker clients)", "application/json"),
    ];
    for (n, (case, content_type)) in cases.into_iter().enumerate() {
        let email = format!("accepted-{n}@example.com");
        let response = post_customers_as(&app, Some(content_type), &email).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{case}: {}",
            response.text
        );
        assert_eq!(response.header("content-type"), Some(JSON_API), "{case}");
        assert_eq!(response.body["data"]["type"], json!("customers"), "{case}");
    }
}

#[tokio::test]
async fn accept_whose_every_json_api_instance_has_parameters_gets_406() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let cases = [
        ("charset only", "application/vnd.api+json; charset=utf-8"),
        (
            "extension only",
            "application/vnd.api+json; ext=\"https://example.com/ext/none\"",
        ),
        (
            "both instances modified",
            "application/vnd.api+json; charset=utf-8, application/vnd.api+json; version=1",
        ),
        ("text/html", "text/html"),
    ];
    for (case, accept) in cases {
        let response = get_own_accepting(&app, &customer, accept).await;
        assert_error_source(&response, 406, json!({"header": "Accept"}), case);
    }
}

#[tokio::test]
async fn accept_with_a_usable_json_api_instance_or_a_wildcard_is_served() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let cases = [
        ("plain JSON:API", "application/vnd.api+json"),
        (
            "one modified, one plain instance",
            "application/vnd.api+json; charset=utf-8, application/vnd.api+json",
        ),
        (
            "unknown profile",
            "application/vnd.api+json; profile=\"https://example.com/p\"",
        ),
        ("*/*", "*/*"),
        ("application/*", "application/*"),
        ("browser default", "text/html, */*;q=0.8"),
    ];
    for (case, accept) in cases {
        let response = get_own_accepting(&app, &customer, accept).await;
        assert_eq!(response.status, StatusCode::OK, "{case}: {}", response.text);
        assert_eq!(response.header("content-type"), Some(JSON_API), "{case}");
        assert_eq!(
            response.body["data"]["id"],
            json!(customer.reference),
            "{case}"
        );
    }
}

#[tokio::test]
async fn request_without_accept_header_is_served() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    // reqwest always adds `Accept: */*`, so this request goes over a raw socket.
    let head = request_head(
        &app,
        &format!("GET {}", own_path(&customer)),
        &format!("Authorization: Bearer {}\r\n", customer.access_token),
    );

    let response = raw_exchange(&app, head, Vec::new()).await;

    let body = response.assert_json_api(200);
    assert_eq!(body["data"]["id"], json!(customer.reference));
}

#[tokio::test]
async fn get_and_delete_carrying_a_json_api_content_type_and_no_body_succeed() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = own_path(&customer);

    let get = app
        .get(&path)
        .bearer(&customer.access_token)
        .header("content-type", JSON_API)
        .send()
        .await;
    assert_eq!(get.status, StatusCode::OK, "GET: {}", get.text);
    assert_eq!(get.header("content-type"), Some(JSON_API));

    let delete = app
        .delete(&path)
        .bearer(&customer.access_token)
        .header("content-type", JSON_API)
        .send()
        .await;
    assert_eq!(
        delete.status,
        StatusCode::NO_CONTENT,
        "DELETE: {}",
        delete.text
    );
    assert!(delete.text.is_empty(), "204 has no body: {}", delete.text);
}

/// Without a body there is no `Content-Type` to negotiate: a method the path does not route
/// is a 405 with `Allow` (found by `make fuzz`), a routed one finds its body missing (400).
#[tokio::test]
async fn bodiless_post_and_patch_get_405_where_not_routed_and_400_where_routed() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::PATCH, "/customers", "GET"),
        (Method::POST, "/customers/DE--1", "PATCH"),
        (Method::POST, "/refresh-tokens/mine", "DELETE"),
    ] {
        let response = app.request(method.clone(), path).send().await;
        assert_eq!(
            response.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {}",
            response.text
        );
        let allowed = response.header("allow").unwrap_or_default();
        assert!(allowed.contains(allow), "{method} {path}: {allowed}");
    }
    let routed = app.request(Method::POST, "/customers").send().await;
    routed.assert_error(400, None);
}
