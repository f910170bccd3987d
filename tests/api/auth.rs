//! `/access-tokens`, `/refresh-tokens` and bearer authentication (CONTRACT §3 items 6, 16-19;
//! reference §2.11, §2.12, §3.8; checklist B37, C1, C10).

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    foreign_key_pem, registration, signing_key_pem, spawn_app, spawn_app_with, Customer, TestApp,
    TestResponse, JSON_API, PASSWORD,
};

const ACCESS_TOKEN_TTL: i64 = 28_800;
const REALM: &str = r#"realm="Access to shop API""#;

// ---------------------------------------------------------------------------------------------
// JWT plumbing: base64url by hand (the crate is not a dev-dependency), forging with jsonwebtoken.
// ---------------------------------------------------------------------------------------------

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(B64URL[((n >> (18 - 6 * i)) & 0x3f) as usize]));
        }
    }
    out
}

fn b64url_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = B64URL
            .iter()
            .position(|&x| x == c)
            .expect("a base64url character") as u32;
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    out
}

/// The header and payload of a compact JWS, decoded without any verification.
fn jwt_parts(token: &str) -> (Value, Value) {
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(segments.len(), 3, "a JWT has three segments: {token}");
    let decode = |segment: &str| -> Value {
        serde_json::from_slice(&b64url_decode(segment)).expect("a JWT segment is base64url JSON")
    };
    (decode(segments[0]), decode(segments[1]))
}

fn segment(value: &Value) -> String {
    b64url_encode(&serde_json::to_vec(value).expect("serialize JWT segment"))
}

/// A compact JWS with exactly this header and payload, signed with `key` under `algorithm`.
fn sign(header: &Value, claims: &Value, key: &EncodingKey, algorithm: Algorithm) -> String {
    let signing_input = format!("{}.{}", segment(header), segment(claims));
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), key, algorithm)
        .expect("sign the forged token");
    format!("{signing_input}.{signature}")
}

fn rs256(claims: &Value, private_pem: &str) -> String {
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("an RSA private key PEM");
    sign(
        &json!({"alg": "RS256", "typ": "JWT"}),
        claims,
        &key,
        Algorithm::RS256,
    )
}

/// Signed with the key the server signs with: only the claims decide.
fn server_signed(claims: &Value) -> String {
    rs256(claims, &signing_key_pem())
}

/// The server's public key as SPKI (`BEGIN PUBLIC KEY`) and PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM.
fn server_public_key_pems() -> Vec<String> {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(&signing_key_pem())
        .expect("the test signing key is PKCS#8");
    let public = private.to_public_key();
    vec![
        public.to_public_key_pem(LineEnding::LF).expect("SPKI PEM"),
        public.to_pkcs1_pem(LineEnding::LF).expect("PKCS#1 PEM"),
    ]
}

/// The claims of a token the server issued (read, not verified).
fn claims_of(access_token: &str) -> Value {
    jwt_parts(access_token).1
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

// ---------------------------------------------------------------------------------------------
// Request helpers.
// ---------------------------------------------------------------------------------------------

async fn get_own(app: &TestApp, customer: &Customer, token: &str) -> TestResponse {
    app.get(&format!("/customers/{}", customer.reference))
        .bearer(token)
        .send()
        .await
}

async fn get_own_with_authorization(
    app: &TestApp,
    customer: &Customer,
    authorization: &str,
) -> TestResponse {
    app.get(&format!("/customers/{}", customer.reference))
        .header("authorization", authorization)
        .send()
        .await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> TestResponse {
    app.post(
        "/refresh-tokens",
        &json!({"data": {"type": "refresh-tokens", "attributes": {"refreshToken": refresh_token}}}),
    )
    .send()
    .await
}

async fn delete_refresh_token(app: &TestApp, bearer: &str, refresh_token: &str) -> TestResponse {
    app.delete(&format!("/refresh-tokens/{refresh_token}"))
        .bearer(bearer)
        .send()
        .await
}

/// A second login of an existing customer: (access token, refresh token).
async fn second_session(app: &TestApp, customer: &Customer) -> (String, String) {
    let login = app.login(&customer.email, &customer.password).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    token_pair(&login)
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

#[track_caller]
fn assert_owner_served(response: &TestResponse, customer: &Customer) {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.body["data"]["type"], "customers");
    assert_eq!(response.body["data"]["id"], json!(customer.reference));
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

fn reference_number(reference: &str) -> u64 {
    reference
        .rsplit_once("--")
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("a reference of the form STORE--n: {reference}"))
}

// ---------------------------------------------------------------------------------------------
// POST /access-tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_answers_201_with_a_bearer_token_pair_that_is_not_cached() {
    let app = spawn_app().await;
    let email = "sonia@example.com";
    app.register(email, PASSWORD).await;

    let response = app.login(email, PASSWORD).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(response.header("content-type"), Some(JSON_API));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let data = &response.body["data"];
    assert_eq!(data["type"], "access-tokens");
    assert!(
        data["id"].as_str().is_some_and(|id| !id.is_empty()),
        "a string id: {}",
        response.text
    );
    assert_eq!(
        data["links"]["self"],
        json!(format!("{}/access-tokens", app.address))
    );
    let attributes = &data["attributes"];
    assert_eq!(attributes["tokenType"], "Bearer");
    assert_eq!(attributes["expiresIn"], json!(ACCESS_TOKEN_TTL));
    let access_token = attributes["accessToken"]
        .as_str()
        .expect("accessToken is a string");
    assert_eq!(
        access_token.split('.').count(),
        3,
        "a compact JWS: {access_token}"
    );
    let refresh_token = attributes["refreshToken"]
        .as_str()
        .expect("refreshToken is a string");
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
    let unknown_email = app.login("nobody-here@example.com", PASSWORD).await;

    assert_failed_to_authenticate(&wrong_password);
    assert_failed_to_authenticate(&unknown_email);
    assert_eq!(wrong_password.status, unknown_email.status);
    assert_eq!(wrong_password.body, unknown_email.body);
    assert_eq!(
        comparable_headers(&wrong_password),
        comparable_headers(&unknown_email)
    );
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
    let unknown = app.login("nobody-here@example.com", PASSWORD).await;

    assert_failed_to_authenticate(&unconfirmed);
    assert_eq!(unconfirmed.body, unknown.body);
    assert_eq!(
        comparable_headers(&unconfirmed),
        comparable_headers(&unknown)
    );
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
    let login = |attributes: Value| {
        app.post(
            "/access-tokens",
            &json!({"data": {"type": "access-tokens", "attributes": attributes}}),
        )
        .send()
    };

    let neither = login(json!({})).await;
    assert_violation(&neither, "username", "This field is missing.");
    assert_violation(&neither, "password", "This field is missing.");

    let no_password = login(json!({"username": "sonia@example.com"})).await;
    assert_violation(&no_password, "password", "This field is missing.");
    assert_eq!(
        no_password.body["errors"].as_array().map(Vec::len),
        Some(1),
        "{}",
        no_password.text
    );

    let no_username = login(json!({"password": PASSWORD})).await;
    assert_violation(&no_username, "username", "This field is missing.");
    assert_eq!(
        no_username.body["errors"].as_array().map(Vec::len),
        Some(1),
        "{}",
        no_username.text
    );

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
    assert_eq!(
        response.body["errors"].as_array().map(Vec::len),
        Some(1),
        "{}",
        response.text
    );
}

// ---------------------------------------------------------------------------------------------
// Using the access token
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_access_token_opens_the_own_customer_and_the_collection_of_one() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let _other = app.customer().await;

    let single = get_own(&app, &customer, &customer.access_token).await;
    assert_owner_served(&single, &customer);
    assert_eq!(
        single.body["data"]["attributes"]["email"],
        json!(customer.email)
    );
    assert_eq!(single.header("cache-control"), Some("no-store"));

    let collection = app
        .get("/customers")
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(collection.status, StatusCode::OK, "{}", collection.text);
    assert_eq!(collection.header("cache-control"), Some("no-store"));
    let data = collection.body["data"].as_array().expect("a collection");
    assert_eq!(data.len(), 1, "{}", collection.text);
    assert_eq!(data[0]["type"], "customers");
    assert_eq!(data[0]["id"], json!(customer.reference));
    assert_eq!(
        collection.body["links"]["self"],
        json!(format!("{}/customers", app.address))
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = get_own_with_authorization(
            &app,
            &customer,
            &format!("{scheme} {}", customer.access_token),
        )
        .await;
        assert_owner_served(&response, &customer);
    }
}

#[tokio::test]
async fn a_protected_resource_without_authorization_is_403_002() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let single = app
        .get(&format!("/customers/{}", customer.reference))
        .send()
        .await;
    assert_missing_token(&single);
    let collection = app.get("/customers").send().await;
    assert_missing_token(&collection);
}

#[tokio::test]
async fn a_non_bearer_empty_or_garbage_authorization_is_401_001_with_an_invalid_token_challenge() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    for authorization in [
        "Basic xyz".to_owned(),
        format!("Basic {}", customer.access_token),
        "Bearer".to_owned(),
        "Bearer garbage".to_owned(),
        "Bearer not.a.jwt".to_owned(),
        format!("Bearer {} extra", customer.access_token),
        format!("Token {}", customer.access_token),
    ] {
        let response = get_own_with_authorization(&app, &customer, &authorization).await;
        assert_invalid_token(&response);
    }
    let collection = app
        .get("/customers")
        .header("authorization", "Basic xyz")
        .send()
        .await;
    assert_invalid_token(&collection);
}

// ---------------------------------------------------------------------------------------------
// JWT attacks (checklist C10): each gets 401 001. Every test first shows that a token forged
// the same way from the same claims but correctly is accepted, so only the attack differs.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_token_forged_with_the_server_key_and_the_issued_claims_is_accepted() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let forged = server_signed(&claims_of(&customer.access_token));

    assert_owner_served(&get_own(&app, &customer, &forged).await, &customer);
}

#[tokio::test]
async fn alg_none_tokens_are_rejected_in_every_spelling() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_owner_served(
        &get_own(&app, &customer, &server_signed(&claims)).await,
        &customer,
    );

    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = format!(
            "{}.{}.",
            segment(&json!({"alg": alg, "typ": "JWT"})),
            segment(&claims)
        );
        assert_invalid_token(&get_own(&app, &customer, &unsigned).await);
        // The server's own signature kept, the header switched to `none`.
        let original_signature = customer.access_token.rsplit('.').next().expect("signature");
        let with_signature = format!("{}.{original_signature}", unsigned.trim_end_matches('.'));
        assert_invalid_token(&get_own(&app, &customer, &with_signature).await);
    }
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_server_rsa_key_is_rejected() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_owner_served(
        &get_own(&app, &customer, &server_signed(&claims)).await,
        &customer,
    );

    // Key confusion: the public key (as the server might hold it) as the HMAC secret; also
    // without the trailing newline, and the private PEM for good measure.
    let mut secrets: Vec<String> = Vec::new();
    for pem in server_public_key_pems() {
        secrets.push(pem.trim_end().to_owned());
        secrets.push(pem);
    }
    secrets.push(signing_key_pem());
    for secret in &secrets {
        for (alg, algorithm) in [
            ("HS256", Algorithm::HS256),
            ("HS384", Algorithm::HS384),
            ("HS512", Algorithm::HS512),
        ] {
            let key = EncodingKey::from_secret(secret.as_bytes());
            let token = sign(&json!({"alg": alg, "typ": "JWT"}), &claims, &key, algorithm);
            assert_invalid_token(&get_own(&app, &customer, &token).await);
        }
    }
}

#[tokio::test]
async fn a_token_signed_by_a_foreign_rsa_key_is_rejected() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_owner_served(
        &get_own(&app, &customer, &server_signed(&claims)).await,
        &customer,
    );

    let foreign = rs256(&claims, &foreign_key_pem());
    assert_invalid_token(&get_own(&app, &customer, &foreign).await);

    // Headers pointing at other keys change nothing.
    let key = EncodingKey::from_rsa_pem(foreign_key_pem().as_bytes()).expect("foreign key");
    for header in [
        json!({"alg": "RS256", "typ": "JWT", "kid": "does-not-exist"}),
        json!({"alg": "RS256", "typ": "JWT", "jku": "http://127.0.0.1:1/jwks.json"}),
        json!({"alg": "RS256", "typ": "JWT", "x5u": "http://127.0.0.1:1/cert.pem"}),
    ] {
        let token = sign(&header, &claims, &key, Algorithm::RS256);
        assert_invalid_token(&get_own(&app, &customer, &token).await);
    }
    // Another RSA algorithm with the foreign key.
    let ps256 = sign(
        &json!({"alg": "PS256", "typ": "JWT"}),
        &claims,
        &key,
        Algorithm::PS256,
    );
    assert_invalid_token(&get_own(&app, &customer, &ps256).await);
}

#[tokio::test]
async fn a_token_whose_payload_was_changed_keeping_the_signature_is_rejected() {
    let app = spawn_app().await;
    let victim = app.customer().await;
    let attacker = app.customer().await;

    let segments: Vec<&str> = attacker.access_token.split('.').collect();
    let mut claims = claims_of(&attacker.access_token);
    claims["sub"] = json!(victim.reference);
    let tampered = format!("{}.{}.{}", segments[0], segment(&claims), segments[2]);

    assert_invalid_token(&get_own(&app, &victim, &tampered).await);
    assert_invalid_token(&app.get("/customers").bearer(&tampered).send().await);
    // Stretching the lifetime is tampering too.
    let mut longer = claims_of(&attacker.access_token);
    longer["exp"] = json!(longer["exp"].as_i64().expect("exp") + 86_400);
    let stretched = format!("{}.{}.{}", segments[0], segment(&longer), segments[2]);
    assert_invalid_token(&get_own(&app, &attacker, &stretched).await);
    // The untouched token still works.
    assert_owner_served(
        &get_own(&app, &attacker, &attacker.access_token).await,
        &attacker,
    );
}

#[tokio::test]
async fn an_expired_token_is_rejected() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_owner_served(
        &get_own(&app, &customer, &server_signed(&claims)).await,
        &customer,
    );

    let now = now();
    let mut expired = claims.clone();
    expired["iat"] = json!(now - 3_600);
    expired["nbf"] = json!(now - 3_600);
    expired["exp"] = json!(now - 1);

    assert_invalid_token(&get_own(&app, &customer, &server_signed(&expired)).await);
}

#[tokio::test]
async fn a_token_that_is_not_valid_yet_is_rejected() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_owner_served(
        &get_own(&app, &customer, &server_signed(&claims)).await,
        &customer,
    );

    let mut early = claims.clone();
    early["nbf"] = json!(now() + 600);

    assert_invalid_token(&get_own(&app, &customer, &server_signed(&early)).await);
}

#[tokio::test]
async fn a_token_for_another_issuer_or_audience_is_rejected() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_owner_served(
        &get_own(&app, &customer, &server_signed(&claims)).await,
        &customer,
    );

    for (claim, value) in [
        ("iss", json!("https://evil.example")),
        ("iss", json!(format!("{}/", app.address))),
        ("aud", json!("backoffice")),
        ("aud", json!(["backoffice"])),
        ("aud", json!("")),
    ] {
        let mut changed = claims.clone();
        changed[claim] = value.clone();
        let response = get_own(&app, &customer, &server_signed(&changed)).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{claim} = {value}: {}",
            response.text
        );
        assert_invalid_token(&response);
    }
}

#[tokio::test]
async fn a_token_lacking_a_required_claim_is_rejected() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_owner_served(
        &get_own(&app, &customer, &server_signed(&claims)).await,
        &customer,
    );

    for claim in ["exp", "iss", "aud", "sub", "sid"] {
        let mut partial = claims.clone();
        partial
            .as_object_mut()
            .expect("claims object")
            .remove(claim);
        let response = get_own(&app, &customer, &server_signed(&partial)).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "without {claim}: {}",
            response.text
        );
        assert_invalid_token(&response);
    }
}

#[tokio::test]
async fn a_well_signed_token_whose_session_does_not_exist_is_rejected() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    assert_owner_served(
        &get_own(&app, &customer, &server_signed(&claims)).await,
        &customer,
    );

    let mut orphan = claims.clone();
    orphan["sid"] = json!("00000000000000000000000000000000");
    assert_invalid_token(&get_own(&app, &customer, &server_signed(&orphan)).await);

    // Another customer's live session does not vouch for this subject either.
    let other = app.customer().await;
    let mut borrowed = claims.clone();
    borrowed["sid"] = claims_of(&other.access_token)["sid"].clone();
    assert_invalid_token(&get_own(&app, &customer, &server_signed(&borrowed)).await);
}

#[tokio::test]
async fn a_refresh_token_is_not_a_bearer_token() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    assert_invalid_token(&get_own(&app, &customer, &customer.refresh_token).await);
    assert_invalid_token(
        &app.get("/customers")
            .bearer(&customer.refresh_token)
            .send()
            .await,
    );
}

// ---------------------------------------------------------------------------------------------
// POST /refresh-tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refreshing_rotates_the_pair_and_the_new_access_token_works() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = refresh(&app, &customer.refresh_token).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(response.header("content-type"), Some(JSON_API));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let data = &response.body["data"];
    assert_eq!(data["type"], "refresh-tokens");
    assert!(
        data["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{}",
        response.text
    );
    assert_eq!(
        data["links"]["self"],
        json!(format!("{}/refresh-tokens", app.address))
    );
    assert_eq!(data["attributes"]["tokenType"], "Bearer");
    assert_eq!(data["attributes"]["expiresIn"], json!(ACCESS_TOKEN_TTL));
    let (access_token, refresh_token) = token_pair(&response);
    assert_ne!(access_token, customer.access_token);
    assert_ne!(refresh_token, customer.refresh_token);
    assert!(refresh_token.len() >= 43, "{refresh_token}");
    let claims = claims_of(&access_token);
    assert_eq!(claims["sub"], json!(customer.reference));
    assert_ne!(claims["jti"], claims_of(&customer.access_token)["jti"]);

    assert_owner_served(&get_own(&app, &customer, &access_token).await, &customer);
    // The spent token is refused.
    assert_failed_to_refresh(&refresh(&app, &customer.refresh_token).await);
}

#[tokio::test]
async fn the_successor_refresh_token_can_itself_be_refreshed() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let first = refresh(&app, &customer.refresh_token).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let (_, second_refresh) = token_pair(&first);
    let second = refresh(&app, &second_refresh).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    let (access_token, third_refresh) = token_pair(&second);

    assert_ne!(third_refresh, second_refresh);
    assert_owner_served(&get_own(&app, &customer, &access_token).await, &customer);
}

#[tokio::test]
async fn replaying_a_spent_refresh_token_revokes_its_whole_family() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (other_access, other_refresh) = second_session(&app, &customer).await;

    let rotated = refresh(&app, &customer.refresh_token).await;
    assert_eq!(rotated.status, StatusCode::CREATED, "{}", rotated.text);
    let (new_access, new_refresh) = token_pair(&rotated);
    assert_owner_served(&get_own(&app, &customer, &new_access).await, &customer);

    // The replay is refused ...
    assert_failed_to_refresh(&refresh(&app, &customer.refresh_token).await);
    // ... and takes the family down with it: the successor refresh token and the access
    // tokens of that family.
    assert_failed_to_refresh(&refresh(&app, &new_refresh).await);
    assert_invalid_token(&get_own(&app, &customer, &new_access).await);
    assert_invalid_token(&get_own(&app, &customer, &customer.access_token).await);

    // Another login of the same customer is another family and lives on.
    assert_owner_served(&get_own(&app, &customer, &other_access).await, &customer);
    let other = refresh(&app, &other_refresh).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
}

#[tokio::test]
async fn a_garbage_or_access_token_as_refresh_token_is_401_004() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    for presented in [
        "garbage".to_owned(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        customer.access_token.clone(),
        format!("{}x", customer.refresh_token),
    ] {
        let response = refresh(&app, &presented).await;
        assert_failed_to_refresh(&response);
        assert_only_error(&response, "401", "004", "Failed to refresh token.");
    }
    // None of that touched the real token.
    let real = refresh(&app, &customer.refresh_token).await;
    assert_eq!(real.status, StatusCode::CREATED, "{}", real.text);
}

#[tokio::test]
async fn a_refresh_request_without_a_refresh_token_is_422_901() {
    let app = spawn_app().await;
    let send = |attributes: Value| {
        app.post(
            "/refresh-tokens",
            &json!({"data": {"type": "refresh-tokens", "attributes": attributes}}),
        )
        .send()
    };

    let missing = send(json!({})).await;
    assert_violation(&missing, "refreshToken", "This field is missing.");

    let blank = send(json!({"refreshToken": ""})).await;
    assert_violation(&blank, "refreshToken", "This value should not be blank.");
}

// ---------------------------------------------------------------------------------------------
// DELETE /refresh-tokens/{token|mine}
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_an_own_refresh_token_ends_its_session() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (other_access, other_refresh) = second_session(&app, &customer).await;

    let response =
        delete_refresh_token(&app, &customer.access_token, &customer.refresh_token).await;

    assert_no_content(&response);
    assert_failed_to_refresh(&refresh(&app, &customer.refresh_token).await);
    assert_invalid_token(&get_own(&app, &customer, &customer.access_token).await);
    // The customer's other session is untouched.
    assert_owner_served(&get_own(&app, &customer, &other_access).await, &customer);
    let other = refresh(&app, &other_refresh).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
}

#[tokio::test]
async fn deleting_an_own_refresh_token_from_another_session_ends_that_session() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (other_access, other_refresh) = second_session(&app, &customer).await;

    let response = delete_refresh_token(&app, &customer.access_token, &other_refresh).await;

    assert_no_content(&response);
    assert_failed_to_refresh(&refresh(&app, &other_refresh).await);
    assert_invalid_token(&get_own(&app, &customer, &other_access).await);
    assert_owner_served(
        &get_own(&app, &customer, &customer.access_token).await,
        &customer,
    );
}

#[tokio::test]
async fn deleting_another_customers_refresh_token_is_204_and_changes_nothing() {
    let app = spawn_app().await;
    let attacker = app.customer().await;
    let owner = app.customer().await;

    let response = delete_refresh_token(&app, &attacker.access_token, &owner.refresh_token).await;

    assert_no_content(&response);
    assert_owner_served(&get_own(&app, &owner, &owner.access_token).await, &owner);
    let still_works = refresh(&app, &owner.refresh_token).await;
    assert_eq!(
        still_works.status,
        StatusCode::CREATED,
        "{}",
        still_works.text
    );
    assert_eq!(
        claims_of(&token_pair(&still_works).0)["sub"],
        json!(owner.reference)
    );
}

#[tokio::test]
async fn deleting_a_garbage_or_already_revoked_refresh_token_is_204() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (_, spare_refresh) = second_session(&app, &customer).await;

    assert_no_content(&delete_refresh_token(&app, &customer.access_token, "not-a-token").await);
    assert_no_content(&delete_refresh_token(&app, &customer.access_token, &spare_refresh).await);
    assert_no_content(&delete_refresh_token(&app, &customer.access_token, &spare_refresh).await);
    // The caller's own session survived all of it.
    assert_owner_served(
        &get_own(&app, &customer, &customer.access_token).await,
        &customer,
    );
}

#[tokio::test]
async fn deleting_mine_ends_every_session_of_the_caller_and_no_one_elses() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (second_access, second_refresh) = second_session(&app, &customer).await;
    let bystander = app.customer().await;

    let response = delete_refresh_token(&app, &customer.access_token, "mine").await;

    assert_no_content(&response);
    assert_invalid_token(&get_own(&app, &customer, &customer.access_token).await);
    assert_invalid_token(&get_own(&app, &customer, &second_access).await);
    assert_failed_to_refresh(&refresh(&app, &customer.refresh_token).await);
    assert_failed_to_refresh(&refresh(&app, &second_refresh).await);

    assert_owner_served(
        &get_own(&app, &bystander, &bystander.access_token).await,
        &bystander,
    );
    let bystander_refresh = refresh(&app, &bystander.refresh_token).await;
    assert_eq!(
        bystander_refresh.status,
        StatusCode::CREATED,
        "{}",
        bystander_refresh.text
    );

    // Revocation covers what was issued before, not the next login.
    let (fresh_access, _) = second_session(&app, &customer).await;
    assert_owner_served(&get_own(&app, &customer, &fresh_access).await, &customer);
}

#[tokio::test]
async fn deleting_refresh_tokens_without_a_bearer_is_403_002() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    assert_missing_token(&app.delete("/refresh-tokens/mine").send().await);
    assert_missing_token(
        &app.delete(&format!("/refresh-tokens/{}", customer.refresh_token))
            .send()
            .await,
    );

    // Nothing was revoked.
    let still_works = refresh(&app, &customer.refresh_token).await;
    assert_eq!(
        still_works.status,
        StatusCode::CREATED,
        "{}",
        still_works.text
    );
}

#[tokio::test]
async fn deleting_refresh_tokens_with_an_invalid_bearer_is_401_001() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    assert_invalid_token(&delete_refresh_token(&app, "garbage", "mine").await);
    assert_invalid_token(
        &delete_refresh_token(&app, &customer.refresh_token, &customer.refresh_token).await,
    );

    let still_works = refresh(&app, &customer.refresh_token).await;
    assert_eq!(
        still_works.status,
        StatusCode::CREATED,
        "{}",
        still_works.text
    );
}

// ---------------------------------------------------------------------------------------------
// Anonymization ends everything (CONTRACT §3 items 13, 18)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn anonymizing_ends_every_token_and_login_but_keeps_the_reference_taken() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (second_access, second_refresh) = second_session(&app, &customer).await;

    let response = app
        .delete(&format!("/customers/{}", customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_no_content(&response);

    assert_invalid_token(&get_own(&app, &customer, &customer.access_token).await);
    assert_invalid_token(&get_own(&app, &customer, &second_access).await);
    assert_invalid_token(
        &app.get("/customers")
            .bearer(&customer.access_token)
            .send()
            .await,
    );
    assert_failed_to_refresh(&refresh(&app, &customer.refresh_token).await);
    assert_failed_to_refresh(&refresh(&app, &second_refresh).await);
    // A token forged with the server's key for the old session fails too.
    assert_invalid_token(
        &get_own(
            &app,
            &customer,
            &server_signed(&claims_of(&customer.access_token)),
        )
        .await,
    );

    let old_login = app.login(&customer.email, &customer.password).await;
    assert_failed_to_authenticate(&old_login);
    let unknown = app.login("nobody-here@example.com", PASSWORD).await;
    assert_eq!(old_login.body, unknown.body);

    // The email is free again, the reference is not: the next registration gets the next one.
    let registered = app
        .register_with(registration(&customer.email, PASSWORD))
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.text
    );
    let new_reference = registered.body["data"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_ne!(new_reference, customer.reference);
    assert_eq!(
        reference_number(&new_reference),
        reference_number(&customer.reference) + 1
    );
    let login = app.login(&customer.email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    assert_eq!(
        claims_of(&token_pair(&login).0)["sub"],
        json!(new_reference)
    );
}

/// CONTRACT §3 item 8: a hash of a lower cost than configured is replaced at the next
/// successful login (a second server on the same database runs with a higher cost).
#[tokio::test]
async fn a_login_rehashes_a_password_stored_with_a_lower_cost() {
    let cheap = spawn_app().await;
    let customer = cheap.customer().await;
    let before = cheap
        .customer_row(&customer.reference)
        .await
        .password_hash
        .expect("hash");
    assert!(before.starts_with("$2b$04$"), "{before}");

    let database_url = cheap.database_url.clone();
    let dearer = spawn_app_with(&[
        ("DATABASE_URL", database_url.as_str()),
        ("GLUE_BCRYPT_COST", "5"),
    ])
    .await;
    let wrong = dearer.login(&customer.email, "Wrong-Password-1!").await;
    wrong.assert_error(401, Some("003"));
    let unchanged = dearer
        .customer_row(&customer.reference)
        .await
        .password_hash
        .expect("hash");
    assert_eq!(unchanged, before, "a failed login changes nothing");

    let login = dearer.login(&customer.email, &customer.password).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    let after = dearer
        .customer_row(&customer.reference)
        .await
        .password_hash
        .expect("hash");
    assert!(after.starts_with("$2b$05$"), "{after}");
    assert_eq!(
        dearer
            .login(&customer.email, &customer.password)
            .await
            .status,
        StatusCode::CREATED
    );
}
