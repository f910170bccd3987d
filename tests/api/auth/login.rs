//! `POST /access-tokens`: what a login answers and issues, how it fails, and the rehash of an
//! outdated password hash.

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::forge::{claims_of, jwt_parts, now, server_public_key_pems};
use super::{
    assert_failed_to_authenticate, assert_only_error, assert_token_document, assert_violation,
    post_attributes, second_session, token_pair, ACCESS_TOKEN_TTL, NOBODY,
};
use crate::helpers::{spawn_app, spawn_app_with, TestApp, TestResponse, PASSWORD};

const REALM: &str = r#"realm="Access to shop API""#;

/// The headers of a response that must not differ between two logins that fail for different
/// reasons (everything but `Date` and the request id).
fn comparable_headers(response: &TestResponse) -> BTreeMap<String, String> {
    response
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or("<binary>").to_owned(),
            )
        })
        .collect()
}

/// Two failed logins that must not tell their reasons apart: same body, same headers.
#[track_caller]
fn assert_indistinguishable(one: &TestResponse, other: &TestResponse) {
    assert_eq!(one.body, other.body);
    assert_eq!(comparable_headers(one), comparable_headers(other));
}

#[track_caller]
fn assert_single_error(response: &TestResponse) {
    assert_eq!(
        response.body["errors"].as_array().map(Vec::len),
        Some(1),
        "{}",
        response.text
    );
}

async fn password_hash(app: &TestApp, reference: &str) -> String {
    app.customer_row(reference)
        .await
        .password_hash
        .expect("hash")
}

#[tokio::test]
async fn login_answers_201_with_a_bearer_token_pair_that_is_not_cached() {
    let app = spawn_app().await;
    let email = "sonia@example.com";
    app.register(email, PASSWORD).await;

    let response = app.login(email, PASSWORD).await;

    assert_token_document(&response, &app, "access-tokens");
    let (access_token, refresh_token) = token_pair(&response);
    assert_eq!(
        access_token.split('.').count(),
        3,
        "a compact JWS: {access_token}"
    );
    assert!(
        refresh_token.len() >= 43,
        "at least 256 bits of base64url: {refresh_token}"
    );
    assert!(
        refresh_token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{refresh_token}"
    );
    assert!(!response.text.contains(PASSWORD));
}

#[tokio::test]
async fn the_access_token_is_an_rs256_jwt_naming_the_customer_for_28800_seconds() {
    let app = spawn_app().await;
    let before = now();
    let customer = app.customer().await;
    let after = now();

    let (header, claims) = jwt_parts(&customer.access_token);
    assert_eq!(header["alg"], "RS256", "{header}");
    assert_eq!(claims["iss"], json!(app.address), "{claims}");
    let audience_is_frontend =
        claims["aud"] == json!("frontend") || claims["aud"] == json!(["frontend"]);
    assert!(audience_is_frontend, "{claims}");
    assert_eq!(claims["sub"], json!(customer.reference), "{claims}");
    assert_eq!(claims["scope"], "customer", "{claims}");
    assert!(
        claims["jti"].as_str().is_some_and(|jti| !jti.is_empty()),
        "{claims}"
    );
    let iat = claims["iat"].as_i64().expect("iat is a number");
    let nbf = claims["nbf"].as_i64().expect("nbf is a number");
    let exp = claims["exp"].as_i64().expect("exp is a number");
    assert!(
        (before - 1..=after + 1).contains(&iat),
        "iat {iat} not within {before}..{after}"
    );
    assert!(nbf <= iat && iat - nbf <= 300, "nbf {nbf}, iat {iat}");
    assert_eq!(exp, iat + ACCESS_TOKEN_TTL);

    // The signature is the server's RS256 over exactly these claims.
    let public = &server_public_key_pems()[0];
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["frontend"]);
    validation.set_issuer(&[app.address.as_str()]);
    let key = DecodingKey::from_rsa_pem(public.as_bytes()).expect("public key PEM");
    let verified = jsonwebtoken::decode::<Value>(&customer.access_token, &key, &validation)
        .expect("signed by the server key");
    assert_eq!(verified.claims, claims);

    // Every login gets its own token id.
    let (second, _) = second_session(&app, &customer).await;
    assert_ne!(claims_of(&second)["jti"], claims["jti"]);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_identical_401_003_with_a_bearer_challenge() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let wrong_password = app.login(&customer.email, "Wr0ng!Password#1").await;
    let unknown_email = app.login(NOBODY, PASSWORD).await;

    assert_failed_to_authenticate(&wrong_password);
    assert_failed_to_authenticate(&unknown_email);
    assert_eq!(wrong_password.status, unknown_email.status);
    assert_indistinguishable(&wrong_password, &unknown_email);
    assert_only_error(
        &wrong_password,
        "401",
        "003",
        "Failed to authenticate user.",
    );
    assert!(wrong_password
        .header("www-authenticate")
        .is_some_and(|v| v.contains(REALM)));
}

#[tokio::test]
async fn an_unconfirmed_account_gets_the_same_answer_as_an_unknown_email() {
    let app = spawn_app_with(&[("GLUE_DOUBLE_OPT_IN", "true")]).await;
    app.register("unconfirmed@example.com", PASSWORD).await;

    let unconfirmed = app.login("unconfirmed@example.com", PASSWORD).await;
    let unknown = app.login(NOBODY, PASSWORD).await;

    assert_failed_to_authenticate(&unconfirmed);
    assert_indistinguishable(&unconfirmed, &unknown);
}

#[tokio::test]
async fn login_matches_the_email_case_insensitively() {
    let app = spawn_app().await;
    let reference = app.register("Sonia.Wagner@Example.com", PASSWORD).await;

    for username in [
        "SONIA.WAGNER@EXAMPLE.COM",
        "sonia.wagner@example.com",
        "Sonia.Wagner@Example.com",
    ] {
        let response = app.login(username, PASSWORD).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{username}: {}",
            response.text
        );
        let (access_token, _) = token_pair(&response);
        assert_eq!(
            claims_of(&access_token)["sub"],
            json!(reference),
            "{username}"
        );
    }
}

#[tokio::test]
async fn login_without_username_or_password_is_a_422_901_per_missing_field() {
    let app = spawn_app().await;
    let login = |attributes: Value| post_attributes(&app, "access-tokens", attributes);

    let neither = login(json!({})).await;
    assert_violation(&neither, "username", "This field is missing.");
    assert_violation(&neither, "password", "This field is missing.");

    let no_password = login(json!({"username": "sonia@example.com"})).await;
    assert_violation(&no_password, "password", "This field is missing.");
    assert_single_error(&no_password);

    let no_username = login(json!({"password": PASSWORD})).await;
    assert_violation(&no_username, "username", "This field is missing.");
    assert_single_error(&no_username);

    let blank = login(json!({"username": "sonia@example.com", "password": ""})).await;
    assert_violation(&blank, "password", "This value should not be blank.");
}

#[tokio::test]
async fn login_with_a_username_that_is_not_an_email_is_a_422_901_pointing_at_username() {
    let app = spawn_app().await;
    app.register("sonia@example.com", PASSWORD).await;

    let response = app.login("sonia", PASSWORD).await;

    assert_violation(
        &response,
        "username",
        "This value is not a valid email address.",
    );
    assert_single_error(&response);
}

/// CONTRACT §3 item 8: a hash of a lower cost than configured is replaced at the next
/// successful login (a second server on the same database runs with a higher cost).
#[tokio::test]
async fn a_login_rehashes_a_password_stored_with_a_lower_cost() {
    let cheap = spawn_app().await;
    let customer = cheap.customer().await;
    let before = password_hash(&cheap, &customer.reference).await;
    assert!(before.starts_with("$2b$04$"), "{before}");

    let dearer = spawn_app_with(&[
        ("DATABASE_URL", cheap.database_url.as_str()),
        ("GLUE_BCRYPT_COST", "5"),
    ])
    .await;
    let wrong = dearer.login(&customer.email, "Wrong-Password-1!").await;
    wrong.assert_error(401, Some("003"));
    let unchanged = password_hash(&dearer, &customer.reference).await;
    assert_eq!(unchanged, before, "a failed login changes nothing");

    let login = dearer.login(&customer.email, &customer.password).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    let after = password_hash(&dearer, &customer.reference).await;
    assert!(after.starts_with("$2b$05$"), "{after}");
    assert_eq!(
        dearer
            .login(&customer.email, &customer.password)
            .await
            .status,
        StatusCode::CREATED
    );
}

/// CONTRACT §3 item 8, both ways: after the cost is lowered, a successful login re-hashes a
/// costlier hash down, so that failed logins against it stop taking longer than the rest.
#[tokio::test]
async fn a_login_rehashes_a_costlier_password_down_to_the_configured_cost() {
    let dear = spawn_app_with(&[("GLUE_BCRYPT_COST", "6")]).await;
    let customer = dear.customer().await;
    assert!(password_hash(&dear, &customer.reference)
        .await
        .starts_with("$2b$06$"));

    let cheap = spawn_app_with(&[("DATABASE_URL", dear.database_url.as_str())]).await;
    let login = cheap.login(&customer.email, &customer.password).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    let after = password_hash(&cheap, &customer.reference).await;
    assert!(after.starts_with("$2b$04$"), "{after}");
}
