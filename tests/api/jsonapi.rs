//! The JSON:API 1.1 protocol layer (CONTRACT §3 items 1-5 and 21-25): content negotiation,
//! framework errors as error documents, request-document shapes, query parameters, sparse
//! fieldsets, and the headers every response carries.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_valid_json_api, registration, spawn_app, TestApp, TestResponse, JSON_API, PASSWORD,
};

const ONE_MIB: usize = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

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

/// Asserts one of Spryker's framework errors: this status and exact detail, no domain code.
#[track_caller]
fn assert_framework_error(response: &TestResponse, status: u16, detail: &str, case: &str) -> Value {
    let error = assert_error_document(response, status, case);
    assert_eq!(error["detail"], json!(detail), "{case}: {}", response.text);
    assert!(
        error.get("code").is_none(),
        "{case}: framework errors carry no code: {}",
        response.text
    );
    error
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

/// The methods named by an `Allow` header, without `OPTIONS` and `HEAD`.
fn allowed_methods(allow: &str) -> BTreeSet<String> {
    allow
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty() && m != "OPTIONS" && m != "HEAD")
        .collect()
}

fn methods(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|m| (*m).to_owned()).collect()
}

/// `GET /customers/{reference}{query}` as the customer.
async fn get_own(app: &TestApp, reference: &str, token: &str, query: &str) -> TestResponse {
    app.get(&format!("/customers/{reference}{query}"))
        .bearer(token)
        .send()
        .await
}

/// A response read off a raw socket, for requests reqwest cannot make (no `Accept` header,
/// a chunked body of a chosen size).
struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// Sends `head` and then `body` on a fresh connection, writing on its own thread so that an
/// early answer (413) is read even while the body is still being written.
async fn raw_exchange(app: &TestApp, head: String, body: Vec<u8>) -> RawResponse {
    let address = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        let mut writer = stream.try_clone().expect("clone socket");
        let sender = std::thread::spawn(move || {
            // The server may answer and close before it has read everything: ignore write errors.
            let _ = writer.write_all(head.as_bytes());
            let _ = writer.write_all(&body);
            let _ = writer.flush();
        });
        let mut received = Vec::new();
        let mut buffer = [0u8; 16 * 1024];
        let response = loop {
            if let Some(response) = parse_raw_response(&received) {
                break response;
            }
            match stream.read(&mut buffer) {
                Ok(0) => panic!(
                    "connection closed before a whole response: {:?}",
                    String::from_utf8_lossy(&received)
                ),
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                Err(err) => panic!(
                    "reading the response: {err}; got {:?}",
                    String::from_utf8_lossy(&received)
                ),
            }
        };
        drop(stream);
        let _ = sender.join();
        response
    })
    .await
    .expect("raw exchange")
}

/// A complete response with a `Content-Length` body, or `None` if more bytes are needed.
fn parse_raw_response(bytes: &[u8]) -> Option<RawResponse> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split(' ').nth(1)?.parse().expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().expect("content length"));
    let body = bytes.get(end + 4..end + 4 + length)?.to_vec();
    Some(RawResponse {
        status,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------------------------
// Content negotiation (CONTRACT §3 item 4)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn content_type_with_charset_parameter_gets_415_and_creates_nothing() {
    let app = spawn_app().await;
    let email = "sonia@example.com";

    let response =
        post_customers_as(&app, Some("application/vnd.api+json; charset=utf-8"), email).await;

    let error = assert_error_document(&response, 415, "charset");
    assert_eq!(
        error["source"],
        json!({"header": "Content-Type"}),
        "{}",
        response.text
    );
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
        let response = post_customers_as(&app, *content_type, email).await;
        let error = assert_error_document(&response, 415, case);
        assert_eq!(
            error["source"],
            json!({"header": "Content-Type"}),
            "{case}: {}",
            response.text
        );
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
    for (n, (case, content_type)) in cases.iter().enumerate() {
        let response = post_customers_as(
            &app,
            Some(content_type),
            &format!("accepted-{n}@example.com"),
        )
        .await;
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
    let path = format!("/customers/{}", customer.reference);
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
        let response = app
            .get(&path)
            .bearer(&customer.access_token)
            .header("accept", accept)
            .send()
            .await;
        let error = assert_error_document(&response, 406, case);
        assert_eq!(
            error["source"],
            json!({"header": "Accept"}),
            "{case}: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn accept_with_a_usable_json_api_instance_or_a_wildcard_is_served() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = format!("/customers/{}", customer.reference);
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
        let response = app
            .get(&path)
            .bearer(&customer.access_token)
            .header("accept", accept)
            .send()
            .await;
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
    let head = format!(
        "GET /customers/{} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        customer.reference,
        app.address.trim_start_matches("http://"),
        customer.access_token
    );

    let response = raw_exchange(&app, head, Vec::new()).await;

    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.header("content-type"), Some(JSON_API));
    let body = response.json();
    assert_valid_json_api(&body);
    assert_eq!(body["data"]["id"], json!(customer.reference));
}

#[tokio::test]
async fn get_and_delete_carrying_a_json_api_content_type_and_no_body_succeed() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = format!("/customers/{}", customer.reference);

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

// ---------------------------------------------------------------------------------------------
// Framework errors as JSON:API documents (CONTRACT §3 items 1, 5, 21)
// ---------------------------------------------------------------------------------------------

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
    let cases: &[(Method, &str, bool, &[&str])] = &[
        (
            Method::PUT,
            "/customers/DE--1",
            false,
            &["GET", "PATCH", "DELETE"],
        ),
        (
            Method::POST,
            "/customers/DE--1",
            true,
            &["GET", "PATCH", "DELETE"],
        ),
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
        let allow = response
            .header("allow")
            .unwrap_or_else(|| panic!("{case}: no Allow header: {:?}", response.headers));
        assert_eq!(
            allowed_methods(allow),
            methods(allowed),
            "{case}: Allow: {allow}"
        );
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
        let response = app.request(Method::OPTIONS, path).send().await;
        assert_eq!(
            response.status,
            StatusCode::NO_CONTENT,
            "OPTIONS {path}: {}",
            response.text
        );
        assert!(response.text.is_empty(), "OPTIONS {path}: 204 has no body");
        let allow = response
            .header("allow")
            .unwrap_or_else(|| panic!("OPTIONS {path}: no Allow header: {:?}", response.headers));
        assert_eq!(
            allowed_methods(allow),
            methods(allowed),
            "OPTIONS {path}: Allow: {allow}"
        );
    }
}

/// A registration document padded to `size` bytes with a long `firstName`.
fn oversized_registration(email: &str, size: usize) -> Vec<u8> {
    let base = registration_bytes(email).len();
    let mut document = registration_document(email);
    document["data"]["attributes"]["firstName"] = json!("a".repeat(size - base + "Sonia".len()));
    let bytes = serde_json::to_vec(&document).expect("serialize");
    assert_eq!(bytes.len(), size);
    bytes
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
    let document = oversized_registration(email, ONE_MIB + 1);
    let mut body = Vec::new();
    for chunk in document.chunks(64 * 1024) {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST /customers HTTP/1.1\r\nHost: {}\r\nContent-Type: {JSON_API}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.address.trim_start_matches("http://")
    );

    let response = raw_exchange(&app, head, body).await;

    assert_eq!(
        response.status,
        413,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.header("content-type"), Some(JSON_API));
    let body = response.json();
    assert_valid_json_api(&body);
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
    let with_first_name = |raw: &[u8]| -> Vec<u8> {
        let text = String::from_utf8(valid.clone()).expect("utf-8");
        let (before, after) = text
            .split_once("\"Sonia\"")
            .expect("firstName in the document");
        [before.as_bytes(), raw, after.as_bytes()].concat()
    };
    let deep_arrays = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes();
    let deep_attribute =
        with_first_name(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes());
    let deep_objects =
        with_first_name(format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)).as_bytes());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated JSON", b"{\"data\":".to_vec()),
        ("trailing garbage", [valid.as_slice(), b" garbage"].concat()),
        (
            "a second document",
            [valid.as_slice(), valid.as_slice()].concat(),
        ),
        ("invalid UTF-8", with_first_name(b"\"So\xff\xfenia\"")),
        (
            "byte-order mark",
            [b"\xef\xbb\xbf".as_slice(), valid.as_slice()].concat(),
        ),
        ("NaN literal", with_first_name(b"NaN")),
        ("single quotes", b"{'data':{}}".to_vec()),
        ("10,000 nested arrays", deep_arrays),
        ("10,000 nested arrays in an attribute", deep_attribute),
        ("10,000 nested objects in an attribute", deep_objects),
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
    let attributes = registration("sonia@example.com", PASSWORD);
    let cases: Vec<(&str, String)> = vec![
        ("empty body", String::new()),
        ("top-level array", "[]".to_owned()),
        ("top-level string", "\"x\"".to_owned()),
        ("top-level null", "null".to_owned()),
        ("top-level number", "1".to_owned()),
        ("no data", json!({"meta": {}}).to_string()),
        ("data null", json!({"data": null}).to_string()),
        (
            "data an array",
            json!({"data": [{"type": "customers", "attributes": attributes}]}).to_string(),
        ),
        ("data a string", json!({"data": "customers"}).to_string()),
        (
            "attributes an array",
            json!({"data": {"type": "customers", "attributes": []}}).to_string(),
        ),
        (
            "attributes a string",
            json!({"data": {"type": "customers", "attributes": "x"}}).to_string(),
        ),
        (
            "attributes missing",
            json!({"data": {"type": "customers"}}).to_string(),
        ),
    ];
    for (case, body) in cases {
        let response = post_customers_raw(&app, body).await;
        assert_framework_error(&response, 400, "Post data is invalid.", case);
    }
    assert_nothing_was_created(&app, "sonia@example.com", "after every shape error").await;
}

#[tokio::test]
async fn missing_or_empty_type_gets_400_invalid_type() {
    let app = spawn_app().await;
    let attributes = registration("sonia@example.com", PASSWORD);
    let cases = [
        ("type missing", json!({"data": {"attributes": attributes}})),
        (
            "type empty",
            json!({"data": {"type": "", "attributes": attributes}}),
        ),
    ];
    for (case, body) in cases {
        let response = app.post("/customers", &body).send().await;
        assert_framework_error(&response, 400, "Invalid type.", case);
    }
    assert_nothing_was_created(&app, "sonia@example.com", "after Invalid type.").await;
}

#[tokio::test]
async fn type_of_another_resource_on_post_gets_409() {
    let app = spawn_app().await;
    let body = json!({"data": {"type": "addresses", "attributes": registration("sonia@example.com", PASSWORD)}});

    let response = app.post("/customers", &body).send().await;

    let error = assert_error_document(&response, 409, "type addresses");
    assert_eq!(
        error["source"],
        json!({"pointer": "/data/type"}),
        "{}",
        response.text
    );
    assert_nothing_was_created(&app, "sonia@example.com", "409").await;
}

#[tokio::test]
async fn client_generated_id_on_post_gets_403_and_creates_nothing() {
    let app = spawn_app().await;
    let email = "sonia@example.com";
    for id in ["550e8400-e29b-41d4-a716-446655440000", "DE--1"] {
        let mut body = registration_document(email);
        body["data"]["id"] = json!(id);

        let response = app.post("/customers", &body).send().await;

        let error = assert_error_document(&response, 403, id);
        assert_eq!(
            error["source"],
            json!({"pointer": "/data/id"}),
            "{id}: {}",
            response.text
        );
    }
    assert_nothing_was_created(&app, email, "client-generated id").await;
}

#[tokio::test]
async fn patch_with_another_customers_id_or_type_gets_409_and_changes_nothing() {
    let app = spawn_app().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let path = format!("/customers/{}", alice.reference);
    let cases = [
        (
            "id of another customer",
            json!({"data": {"type": "customers", "id": bob.reference, "attributes": {"firstName": "Mallory"}}}),
            "/data/id",
        ),
        (
            "type of another resource",
            json!({"data": {"type": "addresses", "id": alice.reference, "attributes": {"firstName": "Mallory"}}}),
            "/data/type",
        ),
    ];
    for (case, body, pointer) in cases {
        let response = app
            .patch(&path, &body)
            .bearer(&alice.access_token)
            .send()
            .await;
        let error = assert_error_document(&response, 409, case);
        assert_eq!(
            error["source"],
            json!({"pointer": pointer}),
            "{case}: {}",
            response.text
        );
    }
    for (who, customer) in [("alice", &alice), ("bob", &bob)] {
        let response = get_own(&app, &customer.reference, &customer.access_token, "").await;
        assert_eq!(response.status, StatusCode::OK, "{who}: {}", response.text);
        assert_eq!(
            response.body["data"]["attributes"]["firstName"],
            json!("Sonia"),
            "{who} unchanged"
        );
    }

    // The matching id is fine: the 409 is about the mismatch.
    let matching = json!({"data": {"type": "customers", "id": alice.reference, "attributes": {"firstName": "Alice"}}});
    let response = app
        .patch(&path, &matching)
        .bearer(&alice.access_token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        response.body["data"]["attributes"]["firstName"],
        json!("Alice")
    );
}

#[tokio::test]
async fn patch_and_delete_without_a_resource_id_get_400_resource_id_is_not_specified() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let body = json!({"data": {"type": "customers", "attributes": {"firstName": "Mallory"}}});
    for token in [None, Some(customer.access_token.as_str())] {
        let cases = [
            ("PATCH /customers/", app.patch("/customers/", &body)),
            ("DELETE /customers/", app.delete("/customers/")),
            ("DELETE /refresh-tokens/", app.delete("/refresh-tokens/")),
        ];
        for (case, mut request) in cases {
            if let Some(token) = token {
                request = request.bearer(token);
            }
            let case = format!(
                "{case} ({})",
                if token.is_some() {
                    "with token"
                } else {
                    "without token"
                }
            );
            let response = request.send().await;
            assert_framework_error(&response, 400, "Resource id is not specified.", &case);
        }
    }
}

#[tokio::test]
async fn extra_top_level_members_are_ignored() {
    let app = spawn_app().await;
    let cases = [
        ("meta", "meta", json!({})),
        ("foo", "foo", json!(1)),
        ("jsonapi", "jsonapi", json!({"version": "1.1"})),
    ];
    for (n, (case, member, value)) in cases.into_iter().enumerate() {
        let mut body = registration_document(&format!("extra-{n}@example.com"));
        body[member] = value;

        let response = app.post("/customers", &body).send().await;

        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{case}: {}",
            response.text
        );
        assert_eq!(response.header("content-type"), Some(JSON_API), "{case}");
    }
}

/// JSON:API §error-objects: `source.pointer` "MUST point to a value in the request document
/// that exists" (requirements A62).
#[tokio::test]
async fn error_pointers_point_at_values_that_exist_in_the_request() {
    let app = spawn_app().await;
    let attributes = registration("sonia@example.com", PASSWORD);
    let cases = [
        ("type missing", json!({"data": {"attributes": attributes}})),
        (
            "type empty",
            json!({"data": {"type": "", "attributes": attributes}}),
        ),
        (
            "type addresses",
            json!({"data": {"type": "addresses", "attributes": attributes}}),
        ),
        (
            "client id",
            json!({"data": {"type": "customers", "id": "x", "attributes": attributes}}),
        ),
    ];
    for (case, body) in cases {
        let response = app.post("/customers", &body).send().await;
        assert!(
            response.status.is_client_error(),
            "{case}: {}",
            response.text
        );
        for error in response.body["errors"].as_array().expect("errors") {
            if let Some(pointer) = error["source"]["pointer"].as_str() {
                assert!(
                    body.pointer(pointer).is_some(),
                    "{case}: source.pointer {pointer} does not exist in the request {body}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn authorization_together_with_anonymous_customer_id_gets_400_005() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = format!("/customers/{}", customer.reference);
    let cases = [
        (
            "GET with a valid token",
            app.get(&path).bearer(&customer.access_token),
        ),
        (
            "GET with an invalid token",
            app.get(&path).bearer("not-a-token"),
        ),
        (
            "POST /customers",
            app.post("/customers", &registration_document("guest@example.com"))
                .bearer(&customer.access_token),
        ),
    ];
    for (case, request) in cases {
        let response = request
            .header("x-anonymous-customer-unique-id", "guest-4711")
            .send()
            .await;
        let error = assert_error_document(&response, 400, case);
        assert_eq!(error["code"], json!("005"), "{case}: {}", response.text);
        assert_eq!(
            error["detail"],
            json!("Headers request error. A user can't act as logged and not logged user at the same time."),
            "{case}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_json_api_responses_are_not_cached() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = format!("/customers/{}", customer.reference);
    let responses = vec![
        (
            "200 GET",
            get_own(&app, &customer.reference, &customer.access_token, "").await,
        ),
        (
            "201 POST",
            app.post("/customers", &registration_document("other@example.com"))
                .send()
                .await,
        ),
        (
            "400 malformed",
            post_customers_raw(&app, "{\"data\":").await,
        ),
        (
            "400 query",
            get_own(&app, &customer.reference, &customer.access_token, "?foo=1").await,
        ),
        ("403 missing token", app.get(&path).send().await),
        ("404", app.get("/nope").send().await),
        ("405", app.request(Method::PUT, &path).send().await),
        (
            "406",
            app.get(&path).header("accept", "text/html").send().await,
        ),
        (
            "413",
            post_customers_raw(&app, vec![b' '; ONE_MIB + 1]).await,
        ),
        (
            "415",
            post_customers_as(&app, Some("text/plain"), "x@example.com").await,
        ),
        (
            "204 OPTIONS",
            app.request(Method::OPTIONS, "/customers").send().await,
        ),
        (
            "204 DELETE",
            app.delete(&path)
                .bearer(&customer.access_token)
                .send()
                .await,
        ),
    ];
    let mut ids = BTreeSet::new();
    for (case, response) in &responses {
        let id = response
            .header("x-request-id")
            .unwrap_or_else(|| panic!("{case}: no X-Request-Id: {:?}", response.headers));
        assert!(!id.trim().is_empty(), "{case}: empty X-Request-Id");
        assert!(
            ids.insert(id.to_owned()),
            "{case}: X-Request-Id {id} repeats an earlier one"
        );
        if response.header("content-type") == Some(JSON_API) {
            assert_eq!(response.header("cache-control"), Some("no-store"), "{case}");
        }
    }
    // The JSON:API ones above, to be sure the loop saw them.
    for (case, response) in &responses[..10] {
        assert_eq!(
            response.header("content-type"),
            Some(JSON_API),
            "{case}: {}",
            response.text
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Query parameters (CONTRACT §3 item 23)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unsupported_or_malformed_query_parameters_get_400_naming_the_parameter() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let cases: &[(&str, &[&str])] = &[
        // Addresses are not a relationship of customers yet.
        ("include=addresses", &["include"]),
        ("include=wishlists", &["include"]),
        ("sort=firstName", &["sort"]),
        ("sort=-createdAt", &["sort"]),
        ("fields[customers]=password", &["fields[customers]"]),
        (
            "fields[customers]=firstName,password",
            &["fields[customers]"],
        ),
        ("fields%5Bcustomers%5D=password", &["fields[customers]"]),
        ("fields[orders]=x", &["fields[orders]"]),
        ("page[limit]=0", &["page[limit]"]),
        ("page[limit]=abc", &["page[limit]"]),
        ("page[limit]=-1", &["page[limit]"]),
        ("page[offset]=-1&page[limit]=10", &["page[offset]"]),
        ("page[offset]=1", &["page[offset]", "page[limit]"]),
        ("page[size]=10", &["page[size]"]),
        ("filter[email]=x", &["filter[email]"]),
        ("foo=1", &["foo"]),
        ("fooBar=1", &["fooBar"]),
        (
            "fields[customers]=email&fields[customers]=email",
            &["fields[customers]"],
        ),
        (
            "fields[customers]=email&fields%5Bcustomers%5D=firstName",
            &["fields[customers]"],
        ),
    ];
    for (query, parameters) in cases {
        let response = get_own(
            &app,
            &customer.reference,
            &customer.access_token,
            &format!("?{query}"),
        )
        .await;
        let error = assert_error_document(&response, 400, query);
        let parameter = error["source"]["parameter"]
            .as_str()
            .unwrap_or_else(|| panic!("{query}: no source.parameter: {}", response.text));
        assert!(
            parameters.contains(&parameter),
            "{query}: source.parameter {parameter}, expected one of {parameters:?}"
        );
    }
}

#[tokio::test]
async fn empty_include_includes_nothing() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = get_own(
        &app,
        &customer.reference,
        &customer.access_token,
        "?include=",
    )
    .await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.header("content-type"), Some(JSON_API));
    assert!(
        response
            .body
            .get("included")
            .is_none_or(|i| i == &json!([])),
        "included: {}",
        response.text
    );
}

#[tokio::test]
async fn well_formed_pagination_is_accepted() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    for query in ["?page[offset]=0&page[limit]=10", "?page%5Blimit%5D=10"] {
        let response = get_own(&app, &customer.reference, &customer.access_token, query).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{query}: {}",
            response.text
        );
        assert_eq!(
            response.body["data"]["id"],
            json!(customer.reference),
            "{query}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Sparse fieldsets (CONTRACT §3 items 23, 25)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn sparse_fieldset_keeps_only_the_named_attributes() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = get_own(
        &app,
        &customer.reference,
        &customer.access_token,
        "?fields[customers]=firstName,email",
    )
    .await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let attributes = response.body["data"]["attributes"]
        .as_object()
        .expect("attributes");
    let keys: BTreeSet<&str> = attributes.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["email", "firstName"]),
        "{}",
        response.text
    );
    assert_eq!(attributes["firstName"], json!("Sonia"));
    assert_eq!(attributes["email"], json!(customer.email));
    assert!(
        response.body["data"].get("relationships").is_none(),
        "{}",
        response.text
    );
}

#[tokio::test]
async fn empty_sparse_fieldset_returns_no_attributes() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = get_own(
        &app,
        &customer.reference,
        &customer.access_token,
        "?fields[customers]=",
    )
    .await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let data = &response.body["data"];
    assert_eq!(data["type"], json!("customers"));
    assert_eq!(data["id"], json!(customer.reference));
    assert!(
        data.get("attributes").is_none_or(|a| a == &json!({})),
        "attributes: {}",
        response.text
    );
    assert!(
        data.get("relationships").is_none_or(|r| r == &json!({})),
        "{}",
        response.text
    );
}

#[tokio::test]
async fn encoded_and_unencoded_brackets_give_identical_documents_with_a_percent_encoded_self_link()
{
    let app = spawn_app().await;
    let customer = app.customer().await;
    let token = &customer.access_token;

    let unencoded = get_own(
        &app,
        &customer.reference,
        token,
        "?fields[customers]=firstName",
    )
    .await;
    let encoded = get_own(
        &app,
        &customer.reference,
        token,
        "?fields%5Bcustomers%5D=firstName",
    )
    .await;

    for (case, response) in [("unencoded", &unencoded), ("encoded", &encoded)] {
        assert_eq!(response.status, StatusCode::OK, "{case}: {}", response.text);
        let keys: Vec<&String> = response.body["data"]["attributes"]
            .as_object()
            .expect("attributes")
            .keys()
            .collect();
        assert_eq!(keys, ["firstName"], "{case}");
    }
    assert_eq!(
        unencoded.body, encoded.body,
        "both spellings are the same request"
    );

    let self_link = unencoded.body["data"]["links"]["self"]
        .as_str()
        .expect("links.self");
    let expected = format!(
        "{}/customers/{}?fields%5Bcustomers%5D=firstName",
        app.address, customer.reference
    );
    assert_eq!(
        self_link, expected,
        "links.self percent-encodes the brackets"
    );

    let path = self_link
        .strip_prefix(&app.address)
        .expect("links.self on this server");
    let followed = app.get(path).bearer(token).send().await;
    assert_eq!(followed.status, StatusCode::OK, "{}", followed.text);
    assert_eq!(
        followed.body, unencoded.body,
        "GETting links.self returns an equal document"
    );
}
