//! Routing errors as JSON:API documents (CONTRACT §3 items 1, 5, 21): unknown paths,
//! unsupported methods, and plain `OPTIONS`.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};

use super::{assert_error_document, registration_document};
use crate::helpers::{spawn_app, TestResponse};

/// Asserts an `Allow` header naming exactly `allowed` (`OPTIONS` and `HEAD` aside).
#[track_caller]
fn assert_allow(response: &TestResponse, allowed: &[&str], case: &str) {
    let allow = response
        .header("allow")
        .unwrap_or_else(|| panic!("{case}: no Allow header: {:?}", response.headers));
    let named: BTreeSet<String> = allow
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty() && m != "OPTIONS" && m != "HEAD")
        .collect();
    let expected: BTreeSet<String> = allowed.iter().map(|m| (*m).to_owned()).collect();
    assert_eq!(named, expected, "{case}: Allow: {allow}");
}

#[tokio::test]
async fn unknown_paths_get_a_json_api_404() {
    let app = spawn_app().await;
    for path in [
        "/nope",
        "/customers/DE--1/wishlists",
        "/customer",
        "/access-tokens/x/y",
    ] {
        let response = app.get(path).send().await;
        assert_error_document(&response, 404, path);
    }
    let post = app
        .post("/nope", &registration_document("a@example.com"))
        .send()
        .await;
    assert_error_document(&post, 404, "POST /nope");
}

#[tokio::test]
async fn unsupported_methods_on_known_paths_get_405_with_an_allow_header() {
    let app = spawn_app().await;
    let customer_methods: &[&str] = &["GET", "PATCH", "DELETE"];
    let cases: &[(Method, &str, bool, &[&str])] = &[
        (Method::PUT, "/customers/DE--1", false, customer_methods),
        (Method::POST, "/customers/DE--1", true, customer_methods),
        (Method::GET, "/access-tokens", false, &["POST"]),
        (Method::GET, "/refresh-tokens", false, &["POST"]),
        (
            Method::GET,
            "/refresh-tokens/some-token",
            false,
            &["DELETE"],
        ),
    ];
    for (method, path, with_body, allowed) in cases {
        let case = format!("{method} {path}");
        let mut request = app.request(method.clone(), path);
        if *with_body {
            request = request.json(&registration_document("a@example.com"));
        }
        let response = request.send().await;
        assert_error_document(&response, 405, &case);
        assert_allow(&response, allowed, &case);
    }
}

#[tokio::test]
async fn plain_options_answers_204_with_allow() {
    let app = spawn_app().await;
    let cases: &[(&str, &[&str])] = &[
        ("/customers", &["GET", "POST"]),
        ("/customers/DE--1", &["GET", "PATCH", "DELETE"]),
        ("/access-tokens", &["POST"]),
    ];
    for (path, allowed) in cases {
        let case = format!("OPTIONS {path}");
        let response = app.request(Method::OPTIONS, path).send().await;
        assert_eq!(
            response.status,
            StatusCode::NO_CONTENT,
            "{case}: {}",
            response.text
        );
        assert!(response.text.is_empty(), "{case}: 204 has no body");
        assert_allow(&response, allowed, &case);
    }
}
