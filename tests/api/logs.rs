//! What the logs of the real binary hold: no secret of a whole session, no line a client can
//! forge, and the client address that a trusted proxy vouches for or else the peer's.

use reqwest::StatusCode;
use serde_json::{json, Value};

use std::time::Duration;

use crate::binary::Binary;
use crate::helpers::{registration, JSON_API, PASSWORD};
use crate::smtp_sink::SmtpSink;

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn post(binary: &Binary, path: &str, body: &Value) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(binary.url(path))
        .header("content-type", JSON_API)
        .body(body.to_string())
}

fn tokens(body: &Value) -> (String, String) {
    let attributes = &body["data"]["attributes"];
    let token = |name: &str| attributes[name].as_str().expect(name).to_owned();
    (token("accessToken"), token("refreshToken"))
}

const NEW_PASSWORD: &str = "Fresh!Start-2027";
const LAST_PASSWORD: &str = "Third!Time-2028";

fn login_document(email: &str, password: &str) -> Value {
    json!({"data": {"type": "access-tokens", "attributes": {"username": email, "password": password}}})
}

/// The whole life of an account: register, confirm from the email, log in, refresh, read,
/// revoke one refresh token, then all; forget the password, restore it from the email, change
/// it. Returns every secret that went over the wire.
async fn full_session(binary: &Binary, sink: &SmtpSink) -> Vec<String> {
    let email = "logged.shopper@example.com";
    let client = reqwest::Client::new();
    let (status, body) = send(post(
        binary,
        "/customers",
        &json!({"data": {"type": "customers", "attributes": registration(email, PASSWORD)}}),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let reference = body["data"]["id"].as_str().expect("id").to_owned();
    let confirmation =
        sink.wait_for(1, Duration::from_secs(15)).await[0].token("/register/confirm");
    let confirm = json!({"data": {"type": "customer-confirmation", "attributes": {"registrationKey": confirmation}}});
    assert_eq!(
        send(post(binary, "/customer-confirmation", &confirm))
            .await
            .0,
        StatusCode::NO_CONTENT
    );

    let (status, body) = send(post(
        binary,
        "/access-tokens",
        &login_document(email, PASSWORD),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (first_access, first_refresh) = tokens(&body);
    let refresh =
        json!({"data": {"type": "refresh-tokens", "attributes": {"refreshToken": first_refresh}}});
    let (status, body) = send(post(binary, "/refresh-tokens", &refresh)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (access, refresh_token) = tokens(&body);
    let (status, _) = send(
        client
            .get(binary.url(&format!("/customers/{reference}?fields[customers]=email")))
            .bearer_auth(&access),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let revoke = |target: &str, access: &str| {
        client
            .delete(binary.url(&format!("/refresh-tokens/{target}")))
            .bearer_auth(access)
            .send()
    };
    let response = revoke(&refresh_token, &access).await.expect("revoke");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = send(post(
        binary,
        "/access-tokens",
        &login_document(email, PASSWORD),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (second_access, second_refresh) = tokens(&body);
    let response = revoke("mine", &second_access).await.expect("revoke all");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let forgotten =
        json!({"data": {"type": "customer-forgotten-password", "attributes": {"email": email}}});
    assert_eq!(
        send(post(binary, "/customer-forgotten-password", &forgotten))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let reset = sink.wait_for(2, Duration::from_secs(15)).await[1].token("/password/restore");
    let restore = json!({"data": {"type": "customer-restore-password", "attributes": {
        "restorePasswordKey": reset, "password": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}}});
    let restored = client
        .patch(binary.url("/customer-restore-password/mine"))
        .header("content-type", JSON_API)
        .body(restore.to_string())
        .send()
        .await
        .expect("restore");
    assert_eq!(restored.status(), StatusCode::NO_CONTENT);
    let (status, body) = send(post(
        binary,
        "/access-tokens",
        &login_document(email, NEW_PASSWORD),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (third_access, third_refresh) = tokens(&body);
    let change = json!({"data": {"type": "customer-password", "attributes": {
        "password": NEW_PASSWORD, "newPassword": LAST_PASSWORD, "confirmPassword": LAST_PASSWORD}}});
    let changed = client
        .patch(binary.url(&format!("/customer-password/{reference}")))
        .header("content-type", JSON_API)
        .bearer_auth(&third_access)
        .body(change.to_string())
        .send()
        .await
        .expect("change");
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    vec![
        PASSWORD.to_owned(),
        NEW_PASSWORD.to_owned(),
        LAST_PASSWORD.to_owned(),
        confirmation,
        reset,
        first_access,
        first_refresh,
        access,
        refresh_token,
        second_access,
        second_refresh,
        third_access,
        third_refresh,
    ]
}

#[tokio::test]
async fn a_whole_account_life_leaves_no_password_token_or_key_in_the_logs() {
    for format in ["json", "text"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let sink = SmtpSink::start();
        let url = sink.url();
        let env = [
            ("GLUE_LOG_FORMAT", format),
            ("RUST_LOG", "debug"),
            ("GLUE_SMTP_URL", url.as_str()),
        ];
        let binary = Binary::start(dir.path(), &env).await;
        let secrets = full_session(&binary, &sink).await;
        let logs = binary.stop().await;

        assert!(
            logs.contains("/refresh-tokens/{refreshToken}"),
            "{format}: the revocation is logged by its route template:\n{logs}"
        );
        for secret in &secrets {
            // A JWT's payload alone would leak the claims; any 20 characters of a secret count.
            for piece in secret.as_bytes().chunks(20).filter(|c| c.len() == 20) {
                let piece = std::str::from_utf8(piece).expect("ascii");
                assert!(
                    !logs.contains(piece),
                    "{format}: a secret is in the logs: {piece}"
                );
            }
        }
        let key = std::fs::read_to_string(dir.path().join("var/jwt-private.pem")).expect("key");
        for line in key.lines().filter(|l| !l.starts_with("-----")) {
            assert!(
                !logs.contains(line),
                "{format}: the signing key is in the logs"
            );
        }
    }
}

#[tokio::test]
async fn a_query_parameter_name_cannot_forge_a_log_line_or_an_error_detail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let binary = Binary::start(
        dir.path(),
        &[("GLUE_LOG_FORMAT", "text"), ("RUST_LOG", "debug")],
    )
    .await;
    let forged = "/customers?x%0AFORGED%20ERROR%20admin%20logged%20in%1B%5B2J=1";
    let (status, body) = send(reqwest::Client::new().get(binary.url(forged))).await;
    let logs = binary.stop().await;

    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let parameter = body["errors"][0]["source"]["parameter"]
        .as_str()
        .expect("parameter");
    let detail = body["errors"][0]["detail"].as_str().expect("detail");
    for text in [parameter, detail] {
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(
            text.contains("\\u{a}FORGED"),
            "escaped, not dropped: {text:?}"
        );
    }
    assert!(
        logs.contains("\\u{a}FORGED"),
        "the attempt is logged, escaped:\n{logs}"
    );
    assert!(
        !logs.lines().any(|line| line.starts_with("FORGED")),
        "a forged line:\n{logs}"
    );
    assert!(
        !logs.contains("\u{1b}[2J"),
        "a raw escape sequence reached the logs"
    );
}

/// The client addresses on the log lines of requests to `route` (`http.client_ip` of the
/// request's line).
fn logged_client_ips(logs: &str, route: &str) -> Vec<String> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["http.route"] == route)
        .filter_map(|line| line["http.client_ip"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    let cases: [(&[(&str, &str)], &str); 2] = [
        (&[], "127.0.0.1"),
        (&[("GLUE_TRUSTED_PROXIES", "127.0.0.1/32")], "203.0.113.7"),
    ];
    for (settings, expected) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut env = vec![("GLUE_LOG_FORMAT", "json"), ("RUST_LOG", "info")];
        env.extend_from_slice(settings);
        let binary = Binary::start(dir.path(), &env).await;
        let response = reqwest::Client::new()
            .get(binary.url("/ready"))
            .header("x-forwarded-for", "6.6.6.6, 203.0.113.7")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let logs = binary.stop().await;
        let ips = logged_client_ips(&logs, "/ready");
        assert!(!ips.is_empty(), "no request line:\n{logs}");
        assert!(ips.iter().all(|ip| ip == expected), "{settings:?}: {ips:?}");
        assert!(
            !logs.contains("6.6.6.6"),
            "a forged address reached the logs"
        );
    }
}

/// A failed login against a hash made at a lower cost than configured does the missing work
/// (timing must not tell which accounts predate a cost increase): the server says so in a
/// debug event, and says nothing of the kind for an unknown email or a hash of today's cost.
#[tokio::test]
async fn a_failed_login_against_a_cheaper_hash_is_padded_to_the_configured_cost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = Binary::start(dir.path(), &[("GLUE_BCRYPT_COST", "4")]).await;
    let old_email = "made.at.cost4@example.com";
    let body =
        json!({"data": {"type": "customers", "attributes": registration(old_email, PASSWORD)}});
    assert_eq!(
        send(post(&old, "/customers", &body)).await.0,
        StatusCode::CREATED
    );
    old.stop().await;

    let env = [
        ("GLUE_BCRYPT_COST", "6"),
        ("GLUE_LOG_FORMAT", "json"),
        ("RUST_LOG", "glue_customers::credentials=debug,warn"),
    ];
    let new = Binary::start(dir.path(), &env).await;
    let new_email = "made.at.cost6@example.com";
    let body =
        json!({"data": {"type": "customers", "attributes": registration(new_email, PASSWORD)}});
    assert_eq!(
        send(post(&new, "/customers", &body)).await.0,
        StatusCode::CREATED
    );
    let login = |email: &str| json!({"data": {"type": "access-tokens", "attributes": {"username": email, "password": "Wrong-Password-1!"}}});
    for email in [old_email, new_email, "nobody@example.com"] {
        let (status, _) = send(post(&new, "/access-tokens", &login(email))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{email}");
    }
    let logs = new.stop().await;

    let padded: Vec<Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| {
            line["message"]
                .as_str()
                .is_some_and(|m| m.contains("padded to the configured cost"))
        })
        .collect();
    assert_eq!(
        padded.len(),
        1,
        "one padded login, the cost-4 account's:\n{logs}"
    );
    assert_eq!(padded[0]["stored_cost"], json!(4));
    assert_eq!(padded[0]["configured_cost"], json!(6));
}

#[tokio::test]
async fn each_request_leaves_one_line_with_its_id_route_status_and_duration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let binary = Binary::start(
        dir.path(),
        &[("GLUE_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
    )
    .await;
    let response = reqwest::Client::new()
        .get(binary.url("/customers/DE--1?fields[customers]=email"))
        .header("user-agent", "shop-app/1.0")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("X-Request-Id")
        .to_owned();
    let logs = binary.stop().await;

    let lines: Vec<Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["span"]["request_id"] == id.as_str())
        .filter(|line| line["message"] == "request")
        .collect();
    assert_eq!(lines.len(), 1, "one line for the request {id}:\n{logs}");
    let line = &lines[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["http.method"], "GET");
    assert_eq!(line["http.route"], "/customers/{customerReference}");
    assert_eq!(line["http.status_code"], 403);
    assert_eq!(line["http.client_ip"], "127.0.0.1");
    assert_eq!(line["http.user_agent"], "shop-app/1.0");
    assert!(
        line["elapsed_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{line}"
    );
    // Neither the reference nor the query string: the route template only.
    assert!(!line.to_string().contains("DE--1"), "{line}");
    assert!(!line.to_string().contains("fields"), "{line}");
}
