//! `POST /access-tokens`, `POST /refresh-tokens`, `DELETE /refresh-tokens/{token|mine}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::resource::{
    token_resource, AccessTokens, LoginDoc, RefreshDoc, RefreshTokens, TokenAttributes,
};
use super::service::{self, RefreshOutcome};
use super::{password, AuthenticatedCustomer};
use crate::customers::{domain::normalize_email, repo as customers_repo};
use crate::error::{ApiError, Code};
use crate::jsonapi::openapi::{ErrorDocumentDoc, RequestDocument, SingleDocument};
use crate::jsonapi::{no_content, Document, JsonApiBody, QueryParams, QuerySpec, ResourceKind};
use crate::startup::AppState;
use crate::validation::{Rule, Validator};

/// Log in with email and password (reference §2.11).
#[utoipa::path(post, path = "/access-tokens", tag = "auth",
    request_body(content = RequestDocument<LoginDoc>, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Tokens issued", body = SingleDocument<TokenAttributes>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Failed to authenticate user (003): the same answer for every reason", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901)", body = ErrorDocumentDoc),
    ))]
pub async fn create_access_token(
    req: HttpRequest,
    body: JsonApiBody<AccessTokens>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &QuerySpec::NONE)?;
    let mut v = Validator::new(&body.attributes);
    let username = v.required("username", &[Rule::NotBlank, Rule::Email]);
    let secret = v.required("password", &[Rule::NotBlank]);
    v.finish()?;
    let (Some(Some(username)), Some(Some(secret))) = (username, secret) else {
        return Err(ApiError::internal("validated login lacks a field"));
    };
    let normalized = normalize_email(&username);
    let customer = state
        .db
        .read(move |conn| Ok(customers_repo::find_by_email(conn, &normalized)?))
        .await?;
    let cost = state.settings.bcrypt_cost;
    let stored = customer.as_ref().and_then(|c| c.password_hash.clone());
    // bcrypt runs on the blocking pool; unknown emails verify against a dummy hash.
    let check = web::block(move || password::check_login(&secret, stored.as_deref(), cost)).await?;
    let customer = match customer {
        Some(c) if check.verified => c,
        _ => return Err(ApiError::Domain(Code::FailedToAuthenticate)),
    };
    service::may_log_in(&customer, state.settings.double_opt_in)?;
    let refresh_ttl = state.settings.refresh_token_ttl;
    let shared = state.clone();
    let pair = state
        .db
        .write(move |conn| {
            service::start_session(conn, &shared.keys, &customer, check.rehash, refresh_ttl)
        })
        .await?;
    let resource = token_resource(AccessTokens::TYPE, pair, &state.settings.public_url);
    Ok(Document::single(resource).into_response(StatusCode::CREATED))
}

/// Exchange a refresh token for a new pair; the old one is spent (reference §2.12).
#[utoipa::path(post, path = "/refresh-tokens", tag = "auth",
    request_body(content = RequestDocument<RefreshDoc>, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Tokens issued", body = SingleDocument<TokenAttributes>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Failed to refresh token (004)", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901)", body = ErrorDocumentDoc),
    ))]
pub async fn create_refresh_token(
    req: HttpRequest,
    body: JsonApiBody<RefreshTokens>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &QuerySpec::NONE)?;
    let mut v = Validator::new(&body.attributes);
    let presented = v.required("refreshToken", &[Rule::NotBlank]);
    v.finish()?;
    let Some(Some(presented)) = presented else {
        return Err(ApiError::internal("validated refresh lacks the token"));
    };
    let refresh_ttl = state.settings.refresh_token_ttl;
    let shared = state.clone();
    let outcome = state
        .db
        .write(move |conn| service::refresh(conn, &shared.keys, &presented, refresh_ttl))
        .await?;
    match outcome {
        RefreshOutcome::Rotated(pair) => {
            let resource = token_resource(RefreshTokens::TYPE, pair, &state.settings.public_url);
            Ok(Document::single(resource).into_response(StatusCode::CREATED))
        }
        RefreshOutcome::Refused => Err(ApiError::Domain(Code::FailedToRefresh)),
    }
}

/// Revoke a refresh token of one's own, or all of them with `mine`. Always 204, whatever the
/// token (reference §2.12).
#[utoipa::path(delete, path = "/refresh-tokens/{refreshToken}", tag = "auth", security(("bearer" = [])),
    params(("refreshToken" = String, Path, description = "A refresh token, or `mine` for all of the caller's")),
    responses(
        (status = 204, description = "Revoked (or nothing to revoke)"),
        (status = 401, description = "Invalid access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002)", body = ErrorDocumentDoc),
    ))]
pub async fn delete_refresh_token(
    req: HttpRequest,
    path: web::Path<String>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &QuerySpec::NONE)?;
    let token = path.into_inner();
    state
        .db
        .write(move |conn| match token.as_str() {
            "mine" => service::revoke_all(conn, owner.id()),
            token => service::revoke(conn, owner.id(), token),
        })
        .await?;
    Ok(no_content())
}
