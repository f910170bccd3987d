//! HTTP handlers for `/customers/{ref}/addresses[/{uuid}]`: parse, call the service, answer.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::resource::{
    address_resource, collection_url, AddressAttributes, AddressId, AddressQuery, Addresses,
    CreateDoc, UpdateDoc,
};
use super::{domain, service};
use crate::auth::AuthenticatedCustomer;
use crate::error::ApiError;
use crate::jsonapi::openapi::{
    CollectionDocument, CreateDocument, ErrorDocumentDoc, RequestDocument, SingleDocument,
};
use crate::jsonapi::{no_content, Document, JsonApiBody, JsonApiQuery, NoQuery};
use crate::state::AppState;

type Path2 = web::Path<(String, String)>;

/// The customer's addresses (reference §2.6).
#[utoipa::path(get, path = "/customers/{customerReference}/addresses", tag = "addresses", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1"), JsonApiQuery<AddressQuery>),
    responses(
        (status = 200, description = "The addresses, oldest first", body = CollectionDocument<AddressAttributes, Addresses>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope) or not the owner (411)", body = ErrorDocumentDoc),
    ))]
pub async fn list_addresses(
    query: JsonApiQuery<AddressQuery>,
    path: web::Path<String>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let customer = owner.customer;
    let wanted = reference.clone();
    let views = state
        .db
        .read_quick(move |conn| service::list_own(conn, &customer, &wanted))
        .await?;
    let public_url = &state.settings.server.public_url;
    let resources = views
        .iter()
        .map(|v| address_resource(v, public_url, &reference))
        .collect();
    let self_link = query.link(collection_url(public_url, &reference));
    Ok(Document::collection(resources, self_link)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// Add an address (reference §2.6, defaults §3.3).
#[utoipa::path(post, path = "/customers/{customerReference}/addresses", tag = "addresses", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1"), JsonApiQuery<AddressQuery>),
    request_body(content = CreateDocument<CreateDoc, Addresses>, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Created", body = SingleDocument<AddressAttributes, Addresses>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope), not the owner (411), or a client-generated id", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901), or the address limit reached", body = ErrorDocumentDoc),
    ))]
pub async fn create_address(
    query: JsonApiQuery<AddressQuery>,
    path: web::Path<String>,
    body: JsonApiBody<Addresses>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let input = domain::parse(&body.attributes, true)?;
    let (customer, wanted) = (owner.customer, reference.clone());
    let max = state.settings.limits.max_addresses;
    let view = state
        .db
        .write(move |conn| service::create(conn, &customer, &wanted, input.clone(), max))
        .await?;
    let resource = address_resource(&view, &state.settings.server.public_url, &reference);
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

/// One of the customer's addresses; any other is "not found" (reference §2.6).
#[utoipa::path(get, path = "/customers/{customerReference}/addresses/{addressUuid}", tag = "addresses", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1"), ("addressUuid" = inline(AddressId), Path), JsonApiQuery<AddressQuery>),
    responses(
        (status = 200, description = "The address", body = SingleDocument<AddressAttributes, Addresses>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope) or not the owner (411)", body = ErrorDocumentDoc),
        (status = 404, description = "Not one of the customer's addresses (404)", body = ErrorDocumentDoc),
    ))]
pub async fn get_address(
    query: JsonApiQuery<AddressQuery>,
    path: Path2,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (reference, uuid) = path.into_inner();
    let (customer, wanted) = (owner.customer, reference.clone());
    let view = state
        .db
        .read_quick(move |conn| service::get(conn, &customer, &wanted, &uuid))
        .await?;
    let resource = address_resource(&view, &state.settings.server.public_url, &reference);
    Ok(Document::single(resource)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// Change the attributes sent (reference §2.6, defaults §3.3).
#[utoipa::path(patch, path = "/customers/{customerReference}/addresses/{addressUuid}", tag = "addresses", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1"), ("addressUuid" = inline(AddressId), Path), JsonApiQuery<AddressQuery>),
    request_body(content = RequestDocument<UpdateDoc, Addresses>, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "Updated", body = SingleDocument<AddressAttributes, Addresses>, content_type = "application/vnd.api+json"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope) or not the owner (411)", body = ErrorDocumentDoc),
        (status = 404, description = "Not one of the customer's addresses (404)", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901)", body = ErrorDocumentDoc),
    ))]
pub async fn update_address(
    query: JsonApiQuery<AddressQuery>,
    path: Path2,
    body: JsonApiBody<Addresses>,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (reference, uuid) = path.into_inner();
    body.ensure_id_matches(&uuid)?;
    let input = domain::parse(&body.attributes, false)?;
    let (customer, wanted) = (owner.customer, reference.clone());
    let view = state
        .db
        .write(move |conn| service::update(conn, &customer, &wanted, &uuid, input.clone()))
        .await?;
    let resource = address_resource(&view, &state.settings.server.public_url, &reference);
    Ok(Document::single(resource)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// Delete an address; a default it was stays unset (reference §3.3).
#[utoipa::path(delete, path = "/customers/{customerReference}/addresses/{addressUuid}", tag = "addresses", security(("bearer" = [])),
    params(("customerReference" = String, Path, example = "DE--1"), ("addressUuid" = inline(AddressId), Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Invalid, expired, revoked or tampered access token (001)", body = ErrorDocumentDoc),
        (status = 403, description = "Missing access token (002), a partner token without the customer scope (insufficient_scope) or not the owner (411)", body = ErrorDocumentDoc),
        (status = 404, description = "Not one of the customer's addresses (404)", body = ErrorDocumentDoc),
    ))]
pub async fn delete_address(
    _query: JsonApiQuery<NoQuery>,
    path: Path2,
    owner: AuthenticatedCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (reference, uuid) = path.into_inner();
    let customer = owner.customer;
    state
        .db
        .write(move |conn| service::delete(conn, &customer, &reference, &uuid))
        .await?;
    Ok(no_content())
}
