//! HTTP handlers for the password resources: parse, call the service, answer 204.

use actix_web::{web, HttpResponse};

use super::domain;
use super::resource::{
    ChangeDoc, CustomerPassword, ForgottenDoc, ForgottenPassword, RestoreDoc, RestorePassword,
};
use super::service::{self, ResetReason};
use crate::auth::{AuthenticatedCustomer, PublicCaller};
use crate::error::ApiError;
use crate::jsonapi::openapi::{CreateDocument, ErrorDocumentDoc, RequestDocument};
use crate::jsonapi::{no_content, JsonApiBody, JsonApiQuery, NoQuery};
use crate::state::AppState;

/// Change one's password; every session ends, and an email tells the customer (reference §2.7).
#[utoipa::path(patch, path = "/customer-password/{customerReference}", tag = "passwords", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1")),
    request_body(content = RequestDocument<ChangeDoc, CustomerPassword>, content_type = "application/vnd.api+json"),
    responses(
        (status = 204, description = "Changed; every access and refresh token of the customer is revoked"),
        (status = 400, description = "Bad document, wrong current password (408) or password policy (418-422)", body = ErrorDocumentDoc),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope) or not the owner (411)", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901), new passwords differ (406)", body = ErrorDocumentDoc),
    ))]
pub async fn change_password(
    _query: JsonApiQuery<NoQuery>,
    path: web::Path<String>,
    body: JsonApiBody<CustomerPassword>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    body.ensure_id_matches(&reference)?;
    let passwords = &state.settings.passwords;
    let change = domain::parse_change(&body.attributes, &passwords.policy)?;
    let owner = owner.customer;
    service::change(&state.db, &state.mail, owner, &reference, change, passwords).await?;
    state.background.wake();
    Ok(no_content())
}

/// Ask for a password reset email. Always 204, whether or not the email has an account
/// (reference §2.8, CONTRACT §3 item 15).
#[utoipa::path(post, path = "/customer-forgotten-password", tag = "passwords", security((), ("bearer" = [])),
    request_body(content = CreateDocument<ForgottenDoc, ForgottenPassword>, content_type = "application/vnd.api+json"),
    responses(
        (status = 204, description = "Accepted; an email follows if the address has an account"),
        (status = 401, description = "A bearer token was sent and is invalid, expired, revoked or tampered with (001); without one, none is needed", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901)", body = ErrorDocumentDoc),
    ))]
pub async fn request_password_reset(
    _query: JsonApiQuery<NoQuery>,
    body: JsonApiBody<ForgottenPassword>,
    _caller: PublicCaller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let email = domain::parse_forgotten(&body.attributes)?;
    let throttle = state.settings.limits.forgotten_password_throttle;
    state
        .db
        .write(move |conn| service::request_reset(conn, &email, ResetReason::Forgotten, throttle))
        .await?;
    state.background.wake();
    Ok(no_content())
}

/// Set a new password with the key from the reset email. The id in the URL is required and
/// ignored (reference §2.9).
#[utoipa::path(patch, path = "/customer-restore-password/{anyId}", tag = "passwords", security((), ("bearer" = [])),
    params(("anyId" = String, Path, description = "Any value; ignored", example = "mine")),
    request_body(content = RequestDocument<RestoreDoc, RestorePassword>, content_type = "application/vnd.api+json"),
    responses(
        (status = 204, description = "Changed; every access and refresh token of the customer is revoked"),
        (status = 401, description = "A bearer token was sent and is invalid, expired, revoked or tampered with (001); without one, none is needed", body = ErrorDocumentDoc),
        (status = 400, description = "Bad document, password policy (418-422) or expired key (407)", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901), passwords differ (406), unknown or used key (415)", body = ErrorDocumentDoc),
    ))]
pub async fn restore_password(
    _query: JsonApiQuery<NoQuery>,
    _id: web::Path<String>,
    body: JsonApiBody<RestorePassword>,
    _caller: PublicCaller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let passwords = &state.settings.passwords;
    let restore = domain::parse_restore(&body.attributes, &passwords.policy)?;
    service::restore(
        &state.db,
        &state.mail,
        &restore.key,
        restore.password,
        passwords,
    )
    .await?;
    state.background.wake();
    Ok(no_content())
}
