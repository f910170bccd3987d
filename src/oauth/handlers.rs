//! HTTP handlers of the OAuth 2.0 endpoints: plain JSON, not JSON:API (RFC 6749 §5).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::client_auth::{authenticate, presented};
use super::error::{no_store, ErrorCode, OAuthError};
use super::form::TokenForm;
use super::metadata::{Metadata, TokenRequestDoc, TokenTypeHintDoc};
use super::service::{self, Introspection, TokenResponse};
use crate::auth::service::{Lifetimes, LoginAttempt, LoginRules};
use crate::clients::model::Client;
use crate::lockout::LockoutRules;
use crate::net::client_ip;
use crate::state::AppState;

fn json_no_store(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    let mut builder = HttpResponse::build(status);
    no_store(&mut builder).json(body)
}

async fn client_of(
    req: &HttpRequest,
    form: &TokenForm,
    state: &AppState,
) -> Result<Client, OAuthError> {
    let presented = presented(req, form, &state.settings.oauth.storefront_client_id)?;
    let rules = LockoutRules::new(&state.settings.limits);
    authenticate(&state.db, presented, client_ip(req), rules).await
}

/// Exchange credentials for tokens (RFC 6749): `password` and `refresh_token` for the
/// storefront client, `client_credentials` for partner clients.
#[utoipa::path(post, path = "/token", tag = "oauth",
    request_body(content = TokenRequestDoc, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_basic" = [])),
    responses(
        (status = 200, description = "Tokens issued", body = TokenResponseDoc, content_type = "application/json"),
        (status = 400, description = "invalid_request, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope", body = OAuthErrorDoc, content_type = "application/json"),
        (status = 401, description = "invalid_client", body = OAuthErrorDoc, content_type = "application/json"),
        (status = 413, description = "Body larger than 1 MiB (invalid_request)", body = OAuthErrorDoc, content_type = "application/json"),
        (status = 429, description = "Too many failed logins for the account or client, or from the address; `Retry-After` says when to try again", body = OAuthErrorDoc, content_type = "application/json"),
    ))]
pub async fn token(
    req: HttpRequest,
    form: TokenForm,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let grant_type = form.require("grant_type", "The grant_type parameter is missing.")?;
    let client = client_of(&req, &form, &state).await?;
    let known = ["password", "refresh_token", "client_credentials"];
    if !known.contains(&grant_type) {
        return Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            "The grant type is not supported.",
        ));
    }
    if !client.allows_grant(grant_type) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "The client may not use this grant type.",
        ));
    }
    let settings = &state.settings;
    let scope = service::granted_scope(form.get("scope"), client.scopes())?;
    let response: TokenResponse = match grant_type {
        "password" => {
            let username = form.require("username", "The username parameter is missing.")?;
            let password = form.require("password", "The password parameter is missing.")?;
            let attempt = LoginAttempt {
                client_id: &client.id,
                address: client_ip(&req),
                username,
                password: password.to_owned(),
            };
            let rules = LoginRules::new(settings);
            service::password_grant(&state.db, &state.keys, rules, attempt).await?
        }
        "refresh_token" => {
            let token = form.require("refresh_token", "The refresh_token parameter is missing.")?;
            let (db, keys, lifetimes) = (&state.db, &state.keys, Lifetimes::new(settings));
            service::refresh_grant(db, keys, lifetimes, &client, token.to_owned()).await?
        }
        _ => service::client_credentials_grant(
            &state.keys,
            &client,
            &scope,
            settings.oauth.client_token_ttl,
        )?,
    };
    Ok(json_no_store(StatusCode::OK, &response))
}

/// Revoke an access or refresh token (RFC 7009). 200 whatever the token; it is revoked only if
/// it was issued to the calling client.
#[utoipa::path(post, path = "/token/revoke", tag = "oauth",
    request_body(content = TokenTypeHintDoc, content_type = "application/x-www-form-urlencoded"),
    security((), ("client_basic" = [])),
    responses(
        (status = 200, description = "Revoked, or nothing to revoke"),
        (status = 400, description = "invalid_request", body = OAuthErrorDoc, content_type = "application/json"),
        (status = 401, description = "invalid_client", body = OAuthErrorDoc, content_type = "application/json"),
    ))]
pub async fn revoke(
    req: HttpRequest,
    form: TokenForm,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let client = client_of(&req, &form, &state).await?;
    let token = form.require("token", "The token parameter is missing.")?;
    service::revoke(&state.db, &state.keys, &client, token.to_owned()).await?;
    let mut builder = HttpResponse::Ok();
    Ok(no_store(&mut builder).finish())
}

/// What a token is worth (RFC 7662), for partner clients with the `tokens:introspect` scope.
#[utoipa::path(post, path = "/token/introspect", tag = "oauth",
    request_body(content = TokenTypeHintDoc, content_type = "application/x-www-form-urlencoded"),
    security(("client_basic" = [])),
    responses(
        (status = 200, description = "`active` and, for a live token, its scope, client_id, sub, exp, iat, token_type", body = IntrospectionDoc, content_type = "application/json"),
        (status = 400, description = "invalid_request", body = OAuthErrorDoc, content_type = "application/json"),
        (status = 401, description = "invalid_client", body = OAuthErrorDoc, content_type = "application/json"),
        (status = 403, description = "insufficient_scope: the client lacks tokens:introspect", body = OAuthErrorDoc, content_type = "application/json"),
    ))]
pub async fn introspect(
    req: HttpRequest,
    form: TokenForm,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let client = client_of(&req, &form, &state).await?;
    service::ensure_may_introspect(&client)?;
    let token = form.require("token", "The token parameter is missing.")?;
    let answer: Introspection =
        service::introspect(&state.db, &state.keys, token.to_owned()).await?;
    Ok(json_no_store(StatusCode::OK, &answer))
}

/// Authorization server metadata (RFC 8414).
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "oauth",
    responses((status = 200, description = "The server's endpoints and capabilities", body = Metadata, content_type = "application/json")))]
pub async fn metadata(state: web::Data<AppState>) -> HttpResponse {
    cacheable(Metadata::new(&state.settings))
}

/// The public keys that verify access tokens (RFC 7517), the signing key first.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "oauth",
    responses((status = 200, description = "A JWK set", body = Object, content_type = "application/json")))]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    cacheable(state.keys.jwks())
}

/// Public and the same for everyone: caches may keep it a few minutes (a rotated key is
/// published before it signs, so a slightly old copy still verifies new tokens).
fn cacheable(body: impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ))
        .json(body)
}

/// Any other method: 405 with `Allow`, in OAuth's error format (checklist B1); a plain
/// `OPTIONS` gets 204 with `Allow`.
pub fn method_not_allowed(req: HttpRequest) -> std::future::Ready<HttpResponse> {
    const ALLOW: &str = "POST, OPTIONS";
    let response = if req.method() == actix_web::http::Method::OPTIONS {
        HttpResponse::NoContent()
            .insert_header((header::ALLOW, ALLOW))
            .finish()
    } else {
        let mut builder = HttpResponse::MethodNotAllowed();
        no_store(&mut builder)
            .insert_header((header::ALLOW, ALLOW))
            .json(serde_json::json!({"error": "invalid_request", "error_description": "Use POST."}))
    };
    std::future::ready(response)
}

// Shapes for the OpenAPI document only.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct TokenResponseDoc {
    access_token: String,
    #[schema(example = "Bearer")]
    token_type: String,
    #[schema(example = 28800)]
    expires_in: i64,
    /// Password and refresh_token grants only.
    refresh_token: Option<String>,
    #[schema(example = "customer")]
    scope: String,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct OAuthErrorDoc {
    #[schema(example = "invalid_grant")]
    error: String,
    error_description: Option<String>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct IntrospectionDoc {
    active: bool,
    scope: Option<String>,
    client_id: Option<String>,
    sub: Option<String>,
    exp: Option<i64>,
    iat: Option<i64>,
    #[schema(example = "Bearer")]
    token_type: Option<String>,
}
