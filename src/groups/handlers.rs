//! HTTP handlers of `/backend/customer-groups`: reads need `customers:read`, changes
//! `customer-groups:write`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::resource::{
    group_resource, CreateDoc, CustomerGroups, GroupAttributes, UpdateDoc, TYPE,
};
use super::service;
use crate::auth::{AuthenticatedPartner, ReadCustomers, WriteGroups};
use crate::backend::handlers::{FORBIDDEN_GROUPS, FORBIDDEN_READ, UNAUTHORIZED};
use crate::error::ApiError;
use crate::jsonapi::openapi::{
    CollectionDocument, CreateDocument, ErrorDocumentDoc, RequestDocument, SingleDocument,
};
use crate::jsonapi::{
    no_content, Document, JsonApiBody, JsonApiQuery, NoQuery, QuerySpec, QuerySpecOf,
};
use crate::state::AppState;

/// `fields[customer-groups]`.
pub struct GroupQuery;

impl QuerySpecOf for GroupQuery {
    const SPEC: QuerySpec = QuerySpec {
        fields: &[(TYPE, crate::backend::listing::GROUP_FIELDS)],
        ..QuerySpec::NONE
    };
}

/// Every customer group (there are few), in the order they were made.
#[utoipa::path(get, path = "/backend/customer-groups", tag = "partner", security(("bearer" = ["customers:read"])),
    params(JsonApiQuery<GroupQuery>),
    responses(
        (status = 200, description = "The groups", body = CollectionDocument<GroupAttributes, CustomerGroups>, content_type = "application/vnd.api+json"),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = FORBIDDEN_READ, body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customers:read\"`"))),
    ))]
pub async fn list_groups(
    query: JsonApiQuery<GroupQuery>,
    _partner: AuthenticatedPartner<ReadCustomers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let groups = state.db.read(service::list).await?;
    let public_url = &state.settings.server.public_url;
    let resources = groups
        .iter()
        .map(|g| group_resource(g, public_url))
        .collect();
    let self_link = query.link(format!("{public_url}/backend/{TYPE}"));
    Ok(Document::collection(resources, self_link)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// One customer group.
#[utoipa::path(get, path = "/backend/customer-groups/{groupId}", tag = "partner", security(("bearer" = ["customers:read"])),
    params(("groupId" = String, Path, description = "The group's id"), JsonApiQuery<GroupQuery>),
    responses(
        (status = 200, description = "The group", body = SingleDocument<GroupAttributes, CustomerGroups>, content_type = "application/vnd.api+json"),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = FORBIDDEN_READ, body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customers:read\"`"))),
        (status = 404, description = "No such group", body = ErrorDocumentDoc),
    ))]
pub async fn get_group(
    query: JsonApiQuery<GroupQuery>,
    path: web::Path<String>,
    _partner: AuthenticatedPartner<ReadCustomers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    let group = state.db.read(move |conn| service::find(conn, &key)).await?;
    let resource = group_resource(&group, &state.settings.server.public_url);
    Ok(Document::single(resource)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// Create a group; `isDefault: true` makes it the default group.
#[utoipa::path(post, path = "/backend/customer-groups", tag = "partner", security(("bearer" = ["customer-groups:write"])),
    params(JsonApiQuery<GroupQuery>),
    request_body(content = CreateDocument<CreateDoc, CustomerGroups>, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Created", body = SingleDocument<GroupAttributes, CustomerGroups>, content_type = "application/vnd.api+json",
            headers(("Location" = String, description = "The group's URL"))),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = "A token without the scope `customer-groups:write` (insufficient_scope): a partner's with other scopes, or a customer's; or a client-generated id", body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "With insufficient_scope: `Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customer-groups:write\"`"))),
        (status = 422, description = "Validation (901): a name missing, blank, too long, not plain text or in use; `isDefault: false`", body = ErrorDocumentDoc),
    ))]
pub async fn create_group(
    query: JsonApiQuery<GroupQuery>,
    body: JsonApiBody<CustomerGroups>,
    _partner: AuthenticatedPartner<WriteGroups>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = service::parse(&body.attributes, true)?;
    let group = state
        .db
        .write(move |conn| service::create(conn, &input))
        .await?;
    let resource = group_resource(&group, &state.settings.server.public_url);
    let location = header::HeaderValue::from_str(&resource.links.self_).ok();
    let mut response = Document::single(resource)
        .with_query(&query)
        .into_response(StatusCode::CREATED);
    if let Some(value) = location {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// Change the attributes sent; `isDefault: true` makes it the default group.
#[utoipa::path(patch, path = "/backend/customer-groups/{groupId}", tag = "partner", security(("bearer" = ["customer-groups:write"])),
    params(("groupId" = String, Path, description = "The group's id"), JsonApiQuery<GroupQuery>),
    request_body(content = RequestDocument<UpdateDoc, CustomerGroups>, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "Updated", body = SingleDocument<GroupAttributes, CustomerGroups>, content_type = "application/vnd.api+json"),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = FORBIDDEN_GROUPS, body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customer-groups:write\"`"))),
        (status = 404, description = "No such group", body = ErrorDocumentDoc),
        (status = 409, description = "Resource type, or `data.id` and the id in the URL, do not match", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901): a name blank, too long, not plain text or in use; `isDefault: false`", body = ErrorDocumentDoc),
    ))]
pub async fn update_group(
    query: JsonApiQuery<GroupQuery>,
    path: web::Path<String>,
    body: JsonApiBody<CustomerGroups>,
    _partner: AuthenticatedPartner<WriteGroups>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    body.ensure_id_matches(&key)?;
    let input = service::parse(&body.attributes, false)?;
    let group = state
        .db
        .write(move |conn| service::update(conn, &key, &input))
        .await?;
    let resource = group_resource(&group, &state.settings.server.public_url);
    Ok(Document::single(resource)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// Delete a group that has no customers (anonymized ones do not count) and is not the default.
#[utoipa::path(delete, path = "/backend/customer-groups/{groupId}", tag = "partner", security(("bearer" = ["customer-groups:write"])),
    params(("groupId" = String, Path, description = "The group's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = FORBIDDEN_GROUPS, body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customer-groups:write\"`"))),
        (status = 404, description = "No such group", body = ErrorDocumentDoc),
        (status = 409, description = "The default group, or a group that still has customers", body = ErrorDocumentDoc),
    ))]
pub async fn delete_group(
    _query: JsonApiQuery<NoQuery>,
    path: web::Path<String>,
    _partner: AuthenticatedPartner<WriteGroups>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    state
        .db
        .write(move |conn| service::delete(conn, &key))
        .await?;
    Ok(no_content())
}
