//! Request bodies the server refuses before reading them as a resource (CONTRACT §3 items 2,
//! 21): over the 1 MiB limit, not well-formed JSON, or not shaped like a JSON:API document.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::raw::{raw_exchange, request_head};
use super::{
    assert_error_document, assert_framework_error, assert_nothing_was_created, post_customers_raw,
    registration_bytes, registration_document, ONE_MIB,
};
use crate::helpers::{registration, spawn_app, JSON_API, PASSWORD};

/// A registration document padded to `size` bytes with a long `firstName`.
fn oversized_registration(email: &str, size: usize) -> Vec<u8> {
    let base = registration_bytes(email).len();
    let mut document = registration_document(email);
    document["data"]["attributes"]["firstName"] = json!("a".repeat(size - base + "Sonia".len()));
    let bytes = serde_json::to_vec(&document).expect("serialize");
    assert_eq!(bytes.len(), size);
    bytes
}

/// `body` in the chunked transfer coding, 64 KiB a chunk.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut encoded = Vec::new();
    for chunk in body.chunks(64 * 1024) {
        encoded.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        encoded.extend_from_slice(chunk);
        encoded.extend_from_slice(b"\r\n");
    }
    encoded.extend_from_slice(b"0\r\n\r\n");
    encoded
}

#[tokio::test]
async fn body_over_one_mebibyte_gets_413_and_creates_nothing() {
    let app = spawn_app().await;
    let email = "big@example.com";

    let response = post_customers_raw(&app, oversized_registration(email, ONE_MIB + 1)).await;

    assert_error_document(&response, 413, "Content-Length over 1 MiB");
    assert_nothing_was_created(&app, email, "413").await;
}

#[tokio::test]
async fn chunked_body_over_one_mebibyte_gets_413_and_creates_nothing() {
    let app = spawn_app().await;
    let email = "big@example.com";
    let body = chunked(&oversized_registration(email, ONE_MIB + 1));
    let head = request_head(
        &app,
        "POST /customers",
        &format!("Content-Type: {JSON_API}\r\nTransfer-Encoding: chunked\r\n"),
    );

    let response = raw_exchange(&app, head, body).await;

    let body = response.assert_json_api(413);
    assert_eq!(body["errors"][0]["status"], json!("413"));
    assert_nothing_was_created(&app, email, "chunked 413").await;
}

#[tokio::test]
async fn body_of_exactly_one_mebibyte_is_not_refused_for_its_size() {
    let app = spawn_app().await;

    let response =
        post_customers_raw(&app, oversized_registration("big@example.com", ONE_MIB)).await;

    // The size is fine; the 100-character limit on firstName is what refuses it.
    assert_ne!(
        response.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        response.text
    );
    assert_error_document(&response, 422, "1 MiB with a too-long firstName");
}

#[tokio::test]
async fn malformed_request_bodies_get_400_and_create_nothing() {
    let app = spawn_app().await;
    let email = "sonia@example.com";
    let valid = registration_bytes(email);
    // The valid document with these raw bytes in place of the firstName value "Sonia".
    let with_first_name = |raw: &[u8]| -> Vec<u8> {
        let text = String::from_utf8(valid.clone()).expect("utf-8");
        let (before, after) = text
            .split_once("\"Sonia\"")
            .expect("firstName in the document");
        [before.as_bytes(), raw, after.as_bytes()].concat()
    };
    // `inner` inside 10,000 levels of `open` … `close`.
    let nested = |open: &str, inner: &str, close: &str| -> Vec<u8> {
        format!("{}{inner}{}", open.repeat(10_000), close.repeat(10_000)).into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated JSON", b"{\"data\":".to_vec()),
        ("trailing garbage", [valid.as_slice(), b" garbage"].concat()),
        ("a second document", valid.repeat(2)),
        ("invalid UTF-8", with_first_name(b"\"So\xff\xfenia\"")),
        (
            "byte-order mark",
            [b"\xef\xbb\xbf".as_slice(), valid.as_slice()].concat(),
        ),
        ("NaN literal", with_first_name(b"NaN")),
        ("single quotes", b"{'data':{}}".to_vec()),
        ("10,000 nested arrays", nested("[", "", "]")),
        (
            "10,000 nested arrays in an attribute",
            with_first_name(&nested("[", "", "]")),
        ),
        (
            "10,000 nested objects in an attribute",
            with_first_name(&nested("{\"a\":", "1", "}")),
        ),
        (
            "a duplicate member name",
            with_first_name(b"\"Sonia\", \"firstName\": \"Mallory\""),
        ),
        (
            "a duplicate data member",
            [b"{\"data\": {}, ".as_slice(), &valid[1..]].concat(),
        ),
    ];
    for (case, body) in cases {
        let response = post_customers_raw(&app, body).await;
        assert_error_document(&response, 400, case);
    }
    assert_nothing_was_created(&app, email, "after every malformed body").await;
}

#[tokio::test]
async fn documents_of_the_wrong_shape_get_400_post_data_is_invalid() {
    let app = spawn_app().await;
    let email = "sonia@example.com";
    let document = |data: Value| json!({ "data": data }).to_string();
    let with_attributes =
        |attributes: Value| document(json!({"type": "customers", "attributes": attributes}));
    let cases: Vec<(&str, String)> = vec![
        ("empty body", String::new()),
        ("top-level array", "[]".to_owned()),
        ("top-level string", "\"x\"".to_owned()),
        ("top-level null", "null".to_owned()),
        ("top-level number", "1".to_owned()),
        ("no data", json!({"meta": {}}).to_string()),
        ("data null", document(Value::Null)),
        (
            "data an array",
            document(json!([{"type": "customers", "attributes": registration(email, PASSWORD)}])),
        ),
        ("data a string", document(json!("customers"))),
        ("attributes an array", with_attributes(json!([]))),
        ("attributes a string", with_attributes(json!("x"))),
        ("attributes missing", document(json!({"type": "customers"}))),
    ];
    for (case, body) in cases {
        let response = post_customers_raw(&app, body).await;
        assert_framework_error(&response, 400, "Post data is invalid.", case);
    }
    assert_nothing_was_created(&app, email, "after every shape error").await;
}

/// A client that announces a body and never sends it gets 408 after `GLUE_BODY_TIMEOUT`
/// instead of holding the connection forever (without the timeout, raw_exchange's own 30 s
/// read timeout fails the test), and nothing is created.
#[tokio::test]
async fn a_body_that_never_arrives_gets_408() {
    let app = crate::helpers::spawn_app_with(&[("GLUE_BODY_TIMEOUT", "1")]).await;
    let head = request_head(
        &app,
        "POST /customers",
        &format!("Content-Type: {JSON_API}\r\nContent-Length: 100\r\n"),
    );
    let response = raw_exchange(&app, head, b"{\"data\":".to_vec()).await;
    let body = response.assert_json_api(408);
    assert_eq!(body["errors"][0]["status"], "408");
    assert_eq!(app.register("sonia@example.com", PASSWORD).await, "DE--1");
}
