//! HTTP handlers for `/customers`: parse, call the service on the blocking pool, answer.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::model::Customer;
use super::resource::{
    customer_resource, ConfirmationDoc, CustomerAttributes, CustomerConfirmations, CustomerQuery,
    Customers, RegistrationDoc, UpdateDoc, TYPE,
};
use super::service::Registered;
use super::{domain, service};
use crate::addresses::{self, resource as address_resource};
use crate::auth::{self, AuthenticatedCustomer, PublicCaller};
use crate::credentials;
use crate::error::{ApiError, Code};
use crate::jsonapi::openapi::{
    CollectionDocument, CreateDocument, ErrorDocumentDoc, RequestDocument, SingleDocument,
};
use crate::jsonapi::{
    no_content, Document, JsonApiBody, JsonApiQuery, NoQuery, QueryParams, Resource,
};
use crate::passwords::{self, service::ResetReason};
use crate::state::AppState;

/// Register a customer.
#[utoipa::path(post, path = "/customers", tag = "customers", security((), ("bearer" = [])),
    params(JsonApiQuery<CustomerQuery>),
    request_body(content = CreateDocument<RegistrationDoc, Customers>, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Registered", body = SingleDocument<CustomerAttributes, Customers>, content_type = "application/vnd.api+json"),
        (status = 401, description = "A bearer token was sent and is invalid, expired, revoked or tampered with (001); without one, none is needed", body = ErrorDocumentDoc),
        (status = 400, description = "Bad document, terms not accepted (413) or password policy (418-422)", body = ErrorDocumentDoc),
        (status = 403, description = "Client-generated id", body = ErrorDocumentDoc),
        (status = 409, description = "Wrong resource type", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901), passwords differ (406), email taken (400), email format (416, 417)", body = ErrorDocumentDoc),
    ))]
pub async fn create_customer(
    query: JsonApiQuery<CustomerQuery>,
    body: JsonApiBody<Customers>,
    _caller: PublicCaller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let passwords = &settings.passwords;
    let registration = domain::parse_registration(&body.attributes, &passwords.policy)?;
    let hash =
        credentials::hash_blocking(registration.password.clone(), passwords.bcrypt_cost).await?;
    let (accounts, mail) = (settings.accounts.clone(), state.mail.clone());
    let throttle = settings.limits.forgotten_password_throttle;
    let email = registration.email.normalized();
    let registered = state
        .db
        .write(move |conn| {
            let registered = service::register(conn, &registration, &hash, &accounts, &mail)?;
            if let Registered::EmailTaken = registered {
                // CONTRACT §3 item 14: the answer promises the existing account a reset link.
                let reason = ResetReason::RegistrationAttempt;
                passwords::service::request_reset(conn, &email, reason, throttle)?;
            }
            Ok(registered)
        })
        .await?;
    state.background.wake();
    let Registered::New(customer) = registered else {
        return Err(ApiError::Domain(Code::EmailAlreadyUsed));
    };
    let customer = *customer;
    let resource = customer_resource(&customer, &settings.server.public_url, &query);
    // JSON:API: `Location` and the resource's `links.self` must be the same URL.
    let location = header::HeaderValue::from_str(&resource.links.self_).ok();
    let mut response = Document::single(resource)
        .with_query(&query)
        .into_response(StatusCode::CREATED);
    if let Some(value) = location {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// The token owner, as a collection of one (reference §2.2).
#[utoipa::path(get, path = "/customers", tag = "customers", security(("bearer" = [])),
    params(JsonApiQuery<CustomerQuery>),
    responses(
        (status = 200, description = "The authenticated customer", body = CollectionDocument<CustomerAttributes, Customers>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope)", body = ErrorDocumentDoc),
    ))]
pub async fn list_customers(
    query: JsonApiQuery<CustomerQuery>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let customer = service::get_own(&owner.customer, owner.reference())?.clone();
    let public_url = &state.settings.server.public_url;
    let (resource, included) = with_included(&state, customer, &query).await?;
    let self_link = query.link(format!("{public_url}/{TYPE}"));
    Ok(
        including(Document::collection(vec![resource], self_link), included)
            .with_query(&query)
            .into_response(StatusCode::OK),
    )
}

/// The customer resource, and with `include=addresses` its `addresses` relationship and the
/// addresses to include (reference §1.7): one more query, only when asked for.
async fn with_included(
    state: &AppState,
    customer: Customer,
    query: &QueryParams,
) -> Result<(Resource, Option<Vec<Resource>>), ApiError> {
    let public_url = &state.settings.server.public_url;
    let resource = customer_resource(&customer, public_url, query);
    if !address_resource::wanted(query) {
        return Ok((resource, None));
    }
    let addresses = state
        .db
        .read_quick(move |conn| addresses::service::list(conn, &customer))
        .await?;
    let (resource, included) = address_resource::with_addresses(resource, &addresses, public_url);
    Ok((resource, Some(included)))
}

/// A document with `included` only when the request asked for it (JSON:API 1.1: then always,
/// `[]` when nothing matched).
fn including(document: Document, included: Option<Vec<Resource>>) -> Document {
    match included {
        Some(resources) => document.with_included(resources),
        None => document,
    }
}

/// One's own customer resource; any other reference is "not found" (reference §2.3).
#[utoipa::path(get, path = "/customers/{customerReference}", tag = "customers", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1"), JsonApiQuery<CustomerQuery>),
    responses(
        (status = 200, description = "The customer", body = SingleDocument<CustomerAttributes, Customers>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope)", body = ErrorDocumentDoc),
        (status = 404, description = "Not the token owner or unknown (402)", body = ErrorDocumentDoc),
    ))]
pub async fn get_customer(
    query: JsonApiQuery<CustomerQuery>,
    path: web::Path<String>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let customer = service::get_own(&owner.customer, &path)?.clone();
    let (resource, included) = with_included(&state, customer, &query).await?;
    Ok(including(Document::single(resource), included)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// Change the attributes sent; the others keep their values (reference §2.4).
#[utoipa::path(patch, path = "/customers/{customerReference}", tag = "customers", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1"), JsonApiQuery<CustomerQuery>),
    request_body(content = RequestDocument<UpdateDoc, Customers>, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "Updated", body = SingleDocument<CustomerAttributes, Customers>, content_type = "application/vnd.api+json"),
        (status = 400, description = "Bad document", body = ErrorDocumentDoc),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope) or not the owner (411)", body = ErrorDocumentDoc),
        (status = 409, description = "Type or id does not match", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901), email taken (400), email format (416, 417)", body = ErrorDocumentDoc),
    ))]
pub async fn update_customer(
    query: JsonApiQuery<CustomerQuery>,
    path: web::Path<String>,
    body: JsonApiBody<Customers>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    body.ensure_id_matches(&reference)?;
    let changes = domain::parse_changes(&body.attributes, &state.settings.passwords.policy)?;
    let customer = state
        .db
        .write(move |conn| service::update(conn, &owner.customer, &reference, changes.clone()))
        .await?;
    let resource = customer_resource(&customer, &state.settings.server.public_url, &query);
    Ok(Document::single(resource)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// Anonymize one's own account (reference §2.5, CONTRACT §3 item 13).
#[utoipa::path(delete, path = "/customers/{customerReference}", tag = "customers", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1")),
    responses(
        (status = 204, description = "Anonymized; every token of the customer is revoked"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope) or not the owner (411)", body = ErrorDocumentDoc),
    ))]
pub async fn delete_customer(
    _query: JsonApiQuery<NoQuery>,
    path: web::Path<String>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    state
        .db
        .write(move |conn| {
            service::anonymize(conn, &owner.customer, &reference)?;
            addresses::service::anonymize_all(conn, owner.id())?;
            // CONTRACT §3 item 13: every token of the customer stops working at once.
            auth::revocation::revoke_all(conn, owner.id())
        })
        .await?;
    state.db.purge_deleted().await;
    Ok(no_content())
}

/// Confirm the email address with the key from the confirmation email (reference §2.10).
#[utoipa::path(post, path = "/customer-confirmation", tag = "customers", security((), ("bearer" = [])),
    request_body(content = CreateDocument<ConfirmationDoc, CustomerConfirmations>, content_type = "application/vnd.api+json"),
    responses(
        (status = 204, description = "Confirmed; the customer can log in"),
        (status = 401, description = "A bearer token was sent and is invalid, expired, revoked or tampered with (001); without one, none is needed", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901), unknown or used key (423)", body = ErrorDocumentDoc),
    ))]
pub async fn confirm_customer(
    _query: JsonApiQuery<NoQuery>,
    body: JsonApiBody<CustomerConfirmations>,
    _caller: PublicCaller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = domain::parse_confirmation(&body.attributes)?;
    state
        .db
        .write(move |conn| service::confirm(conn, &key))
        .await?;
    Ok(no_content())
}
