//! `POST /access-tokens`, `POST /refresh-tokens`, `DELETE /refresh-tokens/{token|mine}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::resource::{
    token_resource, AccessTokens, LoginDoc, RefreshDoc, RefreshTokens, TokenAttributes,
    SECRET_RULES, USERNAME_RULES,
};
use super::revocation;
use super::service::{self, Lifetimes, LoginAttempt, LoginRules};
use super::{AuthenticatedCustomer, PublicCaller};
use crate::error::ApiError;
use crate::jsonapi::openapi::{CreateDocument, ErrorDocumentDoc, SingleDocument};
use crate::jsonapi::{no_content, Document, JsonApiBody, JsonApiQuery, NoQuery, ResourceKind};
use crate::net::ClientIp;
use crate::state::AppState;
use crate::validation::Validator;

/// Log in with email and password (reference §2.11).
#[utoipa::path(post, path = "/access-tokens", tag = "auth", security((), ("bearer" = [])),
    request_body(content = CreateDocument<LoginDoc, AccessTokens>, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Tokens issued", body = SingleDocument<TokenAttributes, AccessTokens>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Failed to authenticate user (003): the same answer for every reason; or a bearer token was sent and is not valid (001)", body = ErrorDocumentDoc),
        (status = 429, description = "Too many failed logins for the account or from the address (4401); `Retry-After` says when to try again", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901)", body = ErrorDocumentDoc),
    ))]
pub async fn create_access_token(
    _query: JsonApiQuery<NoQuery>,
    body: JsonApiBody<AccessTokens>,
    _caller: PublicCaller,
    address: ClientIp,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new(&body.attributes);
    let username = v.required("username", USERNAME_RULES);
    let secret = v.required("password", SECRET_RULES);
    v.finish()?;
    let (Some(Some(username)), Some(Some(password))) = (username, secret) else {
        return Err(ApiError::internal("validated login lacks a field"));
    };
    let settings = &state.settings;
    let attempt = LoginAttempt {
        client_id: &settings.oauth.storefront_client_id,
        address: address.0,
        username: &username,
        password,
    };
    let rules = LoginRules::new(settings);
    let pair = service::log_in(&state.db, &state.keys, rules, attempt).await?;
    let resource = token_resource(AccessTokens::TYPE, pair, &settings.server.public_url);
    Ok(Document::single(resource).into_response(StatusCode::CREATED))
}

/// Exchange a refresh token for a new pair; the old one is spent (reference §2.12).
#[utoipa::path(post, path = "/refresh-tokens", tag = "auth", security((), ("bearer" = [])),
    request_body(content = CreateDocument<RefreshDoc, RefreshTokens>, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Tokens issued", body = SingleDocument<TokenAttributes, RefreshTokens>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Failed to refresh token (004); or a bearer token was sent and is not valid (001)", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901)", body = ErrorDocumentDoc),
    ))]
pub async fn create_refresh_token(
    _query: JsonApiQuery<NoQuery>,
    body: JsonApiBody<RefreshTokens>,
    _caller: PublicCaller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new(&body.attributes);
    let presented = v.required("refreshToken", SECRET_RULES);
    v.finish()?;
    let Some(Some(presented)) = presented else {
        return Err(ApiError::internal("validated refresh lacks the token"));
    };
    let settings = &state.settings;
    let client = &settings.oauth.storefront_client_id;
    let lifetimes = Lifetimes::new(settings);
    let pair = service::refresh(&state.db, &state.keys, presented, client, lifetimes).await?;
    let resource = token_resource(RefreshTokens::TYPE, pair, &settings.server.public_url);
    Ok(Document::single(resource).into_response(StatusCode::CREATED))
}

/// Revoke a refresh token of one's own, or all of them with `mine`. Always 204, whatever the
/// token (reference §2.12).
#[utoipa::path(delete, path = "/refresh-tokens/{refreshToken}", tag = "auth", security(("bearer" = [])),
    params(("refreshToken" = String, Path, description = "A refresh token, or `mine` for all of the caller's")),
    responses(
        (status = 204, description = "Revoked (or nothing to revoke)"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope)", body = ErrorDocumentDoc),
    ))]
pub async fn delete_refresh_token(
    _query: JsonApiQuery<NoQuery>,
    path: web::Path<String>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    state
        .db
        .write(move |conn| match token.as_str() {
            "mine" => revocation::revoke_all(conn, owner.id()),
            token => revocation::revoke(conn, owner.id(), token),
        })
        .await?;
    Ok(no_content())
}
