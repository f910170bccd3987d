//! OAuth 2.0 as a storefront's or a partner's OAuth library meets it (CONTRACT §3 items 17-20;
//! checklist B1-B37, C1, C10): `POST /token`, `/token/revoke`, `/token/introspect`, the server
//! metadata and the JWK set, driven with the `oauth2` crate, plus raw requests for what that
//! crate would never send.

mod cli;
mod client_credentials;
mod discovery;
mod errors;
mod exchange;
mod grant_errors;
mod introspection;
mod password;
mod refresh;
mod revocation;

pub use exchange::{Failure, OAuth, RevokeResult, TokenResult};

use std::fmt::Debug;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use glue_customers::clients::model::AuthMethod;
use glue_customers::clients::repo::{self as clients_repo, NewClient};
use glue_customers::clients::service::{self as clients_service, ClientSpec};
use glue_customers::error::ApiError;
use oauth2::basic::BasicTokenResponse;
use oauth2::{
    AuthType, ErrorResponseType, RequestTokenError, StandardErrorResponse, TokenResponse,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, TestResponse, PASSWORD};

pub const FORM: &str = "application/x-www-form-urlencoded";
/// The storefront's public client (`GLUE_STOREFRONT_CLIENT_ID` default).
pub const STOREFRONT: &str = "frontend";
pub const ACCESS_TOKEN_TTL: u64 = 28_800;
pub const CLIENT_TOKEN_TTL: u64 = 3_600;

// ---------------------------------------------------------------------------------------------
// Clients.
// ---------------------------------------------------------------------------------------------

/// A client as its owner configures its OAuth library.
#[derive(Debug, Clone)]
pub struct Registered {
    pub id: String,
    pub secret: Option<String>,
    pub auth: AuthType,
}

impl Registered {
    pub fn storefront() -> Self {
        Self::public(STOREFRONT)
    }

    /// A client without a secret (oauth2 then sends `client_id` in the body).
    pub fn public(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            secret: None,
            auth: AuthType::BasicAuth,
        }
    }

    /// The same client presenting another secret.
    pub fn with_secret(&self, secret: &str) -> Self {
        Self {
            secret: Some(secret.to_owned()),
            ..self.clone()
        }
    }

    /// The same client authenticating the other way.
    pub fn with_auth(&self, auth: AuthType) -> Self {
        Self {
            auth,
            ..self.clone()
        }
    }

    pub fn secret(&self) -> &str {
        self.secret.as_deref().expect("a confidential client")
    }
}

/// Registers a partner client in-process (what `glue-customers client create` does).
pub async fn partner(app: &TestApp, scopes: &[&str], auth: AuthMethod) -> Registered {
    let spec = ClientSpec {
        name: "Partner".to_owned(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        auth_method: auth,
    };
    let credentials = app
        .db()
        .write(move |conn| clients_service::create(conn, &spec).map_err(ApiError::internal))
        .await
        .expect("partner client registered");
    Registered {
        id: credentials.client_id,
        secret: Some(credentials.client_secret),
        auth: match auth {
            AuthMethod::Post => AuthType::RequestBody,
            _ => AuthType::BasicAuth,
        },
    }
}

/// A partner that may introspect tokens (and nothing else).
pub async fn inspector(app: &TestApp) -> Registered {
    partner(app, &["tokens:introspect"], AuthMethod::Basic).await
}

/// A second public client with the storefront's grants (another app of the shop).
pub async fn second_public_client(app: &TestApp, id: &'static str) -> Registered {
    app.db()
        .write(move |conn| {
            Ok(clients_repo::insert(
                conn,
                &NewClient {
                    id,
                    name: "Mobile app",
                    secret_hash: None,
                    auth_method: "none",
                    grant_types: "password refresh_token",
                    scopes: "customer",
                    now: glue_customers::db::now(),
                },
            )?)
        })
        .await
        .expect("public client inserted");
    Registered::public(id)
}

/// A registered (and, double opt-in being off, confirmed) customer: (email, reference).
pub async fn shopper(app: &TestApp) -> (String, String) {
    let email = format!("shopper-{}@example.com", uuid::Uuid::new_v4().simple());
    let reference = app.register(&email, PASSWORD).await;
    (email, reference)
}

// ---------------------------------------------------------------------------------------------
// Reading answers.
// ---------------------------------------------------------------------------------------------

/// The access token of a successful exchange.
#[track_caller]
pub fn secret_of(result: &TokenResult) -> String {
    match result {
        Ok(tokens) => tokens.access_token().secret().clone(),
        Err(err) => panic!("tokens expected, got {err:?}"),
    }
}

/// The refresh token of a successful exchange.
#[track_caller]
pub fn refresh_of(tokens: &BasicTokenResponse) -> String {
    tokens
        .refresh_token()
        .expect("a refresh token")
        .secret()
        .clone()
}

/// The `error` code of an OAuth error answer.
#[track_caller]
pub fn error_code<T: Debug, E: ErrorResponseType + AsRef<str> + std::fmt::Display + 'static>(
    result: Result<T, Failure<StandardErrorResponse<E>>>,
) -> String {
    match result {
        Err(RequestTokenError::ServerResponse(err)) => err.error().as_ref().to_owned(),
        other => panic!("an OAuth error answer expected, got {other:?}"),
    }
}

/// `Authorization: Basic` as RFC 6749 §2.3.1 builds it (each part form-encoded first).
pub fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", encode(id), encode(secret)))
    )
}

/// Form-encodes pairs (for raw requests).
pub fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The JWT payload, read without verifying the signature (as a client may).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWS has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

// ---------------------------------------------------------------------------------------------
// Assertions.
// ---------------------------------------------------------------------------------------------

/// Plain JSON with this status and the headers every token-endpoint answer carries (RFC 6749
/// §5.1, checklist B8).
#[track_caller]
pub fn assert_no_store_json(response: &TestResponse, status: u16) {
    assert_eq!(response.status.as_u16(), status, "{}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "{:?}",
        response.headers
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("pragma"), Some("no-cache"));
}

/// An RFC 6749 §5.2 error: this status and `error`, a description of the allowed characters
/// only (B10), nothing else in the body, and the no-store headers.
#[track_caller]
pub fn assert_oauth_error(response: &TestResponse, status: u16, code: &str) {
    assert_no_store_json(response, status);
    let body = response.body.as_object().expect("a JSON object");
    assert_eq!(
        body.get("error"),
        Some(&Value::from(code)),
        "{}",
        response.text
    );
    assert!(
        body.keys()
            .all(|k| matches!(k.as_str(), "error" | "error_description" | "error_uri")),
        "{}",
        response.text
    );
    for member in ["error", "error_description"] {
        let text = body.get(member).and_then(Value::as_str).unwrap_or_default();
        assert!(
            text.bytes()
                .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
            "{member} has characters RFC 6749 §5.2 forbids: {text:?}"
        );
    }
}

/// 401 `invalid_client` with a Basic challenge (RFC 6749 §5.2, B12).
#[track_caller]
pub fn assert_invalid_client(response: &TestResponse) {
    assert_oauth_error(response, 401, "invalid_client");
    let challenge = response
        .header("www-authenticate")
        .expect("a 401 names its scheme");
    assert!(challenge.starts_with("Basic realm=\""), "{challenge}");
}

/// A successful token answer (RFC 6749 §5.1): bearer, `expires_in` a JSON number, `scope`.
#[track_caller]
pub fn assert_token_answer(response: &TestResponse, expires_in: u64, scope: &str) {
    assert_no_store_json(response, 200);
    let body = &response.body;
    assert!(body["access_token"].is_string(), "{}", response.text);
    assert!(
        body["token_type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
        "{}",
        response.text
    );
    assert_eq!(
        body["expires_in"].as_u64(),
        Some(expires_in),
        "{}",
        response.text
    );
    assert_eq!(body["scope"], scope, "{}", response.text);
}

/// What the crate read: a bearer token with this scope.
#[track_caller]
pub fn assert_bearer(tokens: &BasicTokenResponse, scope: &str) {
    assert!(tokens.token_type().as_ref().eq_ignore_ascii_case("bearer"));
    let scopes: Vec<&str> = tokens
        .scopes()
        .map(|s| s.iter().map(|s| s.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(scopes.join(" "), scope);
}

/// `GET /customers/{reference}` with `token`.
pub async fn get_customer(app: &TestApp, reference: &str, token: &str) -> TestResponse {
    app.get(&format!("/customers/{reference}"))
        .bearer(token)
        .send()
        .await
}

/// `token` opens the customer's own resource.
pub async fn assert_serves(app: &TestApp, reference: &str, token: &str) {
    let response = get_customer(app, reference, token).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.body["data"]["id"], reference);
}

/// `token` is refused on the customer's own resource with 401 `001` (CONTRACT §3 item 6).
pub async fn assert_refused(app: &TestApp, reference: &str, token: &str) {
    let response = get_customer(app, reference, token).await;
    response.assert_error(401, Some("001"));
    let challenge = response.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
}

/// Exactly `{"active":false}` (RFC 7662 §2.2: nothing more about an inactive token).
#[track_caller]
pub fn assert_inactive(body: &Value, what: &str) {
    assert_eq!(body, &serde_json::json!({"active": false}), "{what}");
}
