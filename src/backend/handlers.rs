//! HTTP handlers of `/backend/customers`: partner tokens with scopes, JSON:API documents with
//! paging links, `ETag` and `If-Match`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::domain::{self, Credential};
use super::includes;
use super::listing::{CursorInfo, ListQuery, Listing, OneQuery, Paging};
use super::resource::TYPE;
use super::schema::{
    CreateDocument, CustomerCollection, CustomerDocument, Precondition, UpdateDocument,
};
use super::service::{self, CreateRules, PartnerView};
use crate::auth::{AuthenticatedPartner, ReadCustomers, WriteCustomers};
use crate::credentials;
use crate::customers::resource::Customers;
use crate::error::ApiError;
use crate::jsonapi::openapi::{ErrorDocumentDoc, FilteredQuery};
use crate::jsonapi::{
    no_content, CursorPaging, Document, JsonApiBody, JsonApiQuery, NoQuery, OffsetPaging,
};
use crate::state::AppState;

/// The 401 of every partner route.
pub const UNAUTHORIZED: &str = "No access token (a bare `Bearer realm=\"...\"` challenge, RFC 6750 §3.1), or an invalid, expired, revoked or tampered one, or one of a deleted client (001, `error=\"invalid_token\"`)";
/// The 403 of a partner route without its scope, per scope (utoipa takes a constant for a
/// response's description, not for a header's).
pub const FORBIDDEN_READ: &str = "A token without the scope `customers:read` (insufficient_scope): a partner's with other scopes, or a customer's";
pub const FORBIDDEN_WRITE: &str = "A token without the scope `customers:write` (insufficient_scope): a partner's with other scopes, or a customer's";
pub const FORBIDDEN_GROUPS: &str = "A token without the scope `customer-groups:write` (insufficient_scope): a partner's with other scopes, or a customer's";
const STALE: &str = "`If-Match` names no current ETag: the customer changed since it was read (a login included); nothing changed";

/// `If-Match`, if sent. A value that is not visible ASCII (obs-text) is no list of ETags and
/// matches none (412): it never makes a conditional change unconditional.
fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn with_etag(mut response: HttpResponse, etag: &str) -> HttpResponse {
    if let Ok(value) = header::HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Customers, filtered, sorted and paged (offset with totals, or keyset with `page[after]`).
#[utoipa::path(get, path = "/backend/customers", operation_id = "list_partner_customers", tag = "partner", security(("bearer" = ["customers:read"])),
    params(FilteredQuery<ListQuery>),
    responses(
        (status = 200, description = "A page of customers", body = CustomerCollection, content_type = "application/vnd.api+json"),
        (status = 400, description = "An unsupported or malformed query parameter, a repeated one, a filter value out of its range, a cursor this service did not issue for this sort, `page[after]` with `page[offset]`, or keyset paging by more than one sort key or by `lastName`; `source.parameter` names it", body = ErrorDocumentDoc),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = FORBIDDEN_READ, body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customers:read\"`"))),
    ))]
pub async fn list_customers(
    query: JsonApiQuery<ListQuery>,
    _partner: AuthenticatedPartner<ReadCustomers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let listing = Listing::parse(&query)?;
    let wanted = listing.clone();
    let page = state
        .db
        .read(move |conn| service::list(conn, &wanted))
        .await?;
    let (views, next, total) = (page.views, page.next, page.total);
    let public_url = state.settings.server.public_url.clone();
    let (resources, included) = includes::resolve(&state, views, &query).await?;
    let base = format!("{public_url}/backend/{TYPE}");
    let kept = query.canonical_without_page();
    let document = match (&listing.paging, total) {
        (Paging::Offset { limit, .. }, Some(total)) => {
            let paging = OffsetPaging {
                base_url: &base,
                kept_query: &kept,
                // As asked for, even beyond what the query could skip.
                offset: query.page().map_or(0, |page| page.offset),
                limit: u64::try_from(*limit).unwrap_or(1),
                total: u64::try_from(total).unwrap_or(0),
            };
            Document::paged_collection(resources, paging.links()).with_meta(paging.meta())
        }
        (Paging::Keyset { after, limit }, _) => {
            let info = CursorInfo::new(after.as_ref(), next.as_ref());
            let paging = CursorPaging {
                base_url: &base,
                kept_query: &kept,
                limit: u64::try_from(*limit).unwrap_or(1),
                after: info.after.as_deref(),
                next_after: info.next.as_deref(),
            };
            Document::paged_collection(resources, paging.links())
        }
        (Paging::Offset { .. }, None) => {
            return Err(ApiError::internal("offset page without total"))
        }
    };
    Ok(includes::attach(document, included)
        .with_query(&query)
        .into_response(StatusCode::OK))
}

/// One customer, with its `ETag`.
#[utoipa::path(get, path = "/backend/customers/{customerReference}", operation_id = "get_partner_customer", tag = "partner", security(("bearer" = ["customers:read"])),
    params(("customerReference" = String, Path, example = "DE--1"), JsonApiQuery<OneQuery>),
    responses(
        (status = 200, description = "The customer", body = CustomerDocument, content_type = "application/vnd.api+json",
            headers(("ETag" = String, description = "A strong ETag over everything the partner sees of the customer (a login changes it too): `If-Match` of a later PATCH or DELETE"))),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = FORBIDDEN_READ, body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customers:read\"`"))),
        (status = 404, description = "No such customer (402)", body = ErrorDocumentDoc),
    ))]
pub async fn get_customer(
    query: JsonApiQuery<OneQuery>,
    path: web::Path<String>,
    _partner: AuthenticatedPartner<ReadCustomers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let view = state
        .db
        .read(move |conn| service::find(conn, &reference))
        .await?;
    single(&state, view, &query, StatusCode::OK).await
}

async fn single(
    state: &AppState,
    view: PartnerView,
    query: &crate::jsonapi::QueryParams,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let etag = view.etag();
    let (mut resources, included) = includes::resolve(state, vec![view], query).await?;
    let resource = resources
        .pop()
        .ok_or_else(|| ApiError::internal("a resolved customer went missing"))?;
    let location = (status == StatusCode::CREATED)
        .then(|| header::HeaderValue::from_str(&resource.links.self_).ok())
        .flatten();
    let mut response = includes::attach(Document::single(resource), included)
        .with_query(query)
        .into_response(status);
    if let Some(value) = location {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(with_etag(response, &etag))
}

/// Create a customer: the storefront's validation; a `password`, an imported `passwordHash`, or
/// neither (an invitation email to choose one). Confirmed at once.
#[utoipa::path(post, path = "/backend/customers", operation_id = "create_partner_customer", tag = "partner", security(("bearer" = ["customers:write"])),
    params(JsonApiQuery<OneQuery>),
    request_body(content = CreateDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Created", body = CustomerDocument, content_type = "application/vnd.api+json",
            headers(("ETag" = String, description = "A strong ETag over everything the partner sees of the customer (a login changes it too): `If-Match` of a later PATCH or DELETE"), ("Location" = String, description = "The customer's URL"))),
        (status = 400, description = "Malformed JSON or document, an unsupported or malformed query parameter, a malformed `group` relationship (`source.pointer`), or the password policy's Zed rules: a common password (422), a run of the same character (421); with other errors of different statuses, 400", body = ErrorDocumentDoc),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = "A token without the scope `customers:write` (insufficient_scope): a partner's with other scopes, or a customer's; or a client-generated id", body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "With insufficient_scope: `Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customers:write\"`"))),
        (status = 404, description = "The `group` relationship names no group", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901; a password and a passwordHash together among them), `confirmPassword` does not equal `password` (406), email taken (400), email local part (416) or length (417)", body = ErrorDocumentDoc),
    ))]
pub async fn create_customer(
    query: JsonApiQuery<OneQuery>,
    body: JsonApiBody<Customers>,
    _partner: AuthenticatedPartner<WriteCustomers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let settings = &state.settings;
    let new = domain::parse_new(&body.attributes, &settings.passwords.policy)?;
    let group = body.to_one("group", super::resource::GROUP_TYPE)?;
    let hash = match &new.credential {
        Credential::Password(password) => Some(
            credentials::hash_blocking(password.clone(), settings.passwords.bcrypt_cost).await?,
        ),
        Credential::Hash(hash) => Some(hash.clone()),
        Credential::Invite => None,
    };
    let (store, mail) = (settings.accounts.store.clone(), state.mail.clone());
    let view = state
        .db
        .write(move |conn| {
            let rules = CreateRules {
                store: &store,
                mail: &mail,
            };
            service::create(conn, &new, hash.as_deref(), &group, &rules)
        })
        .await?;
    state.background.wake();
    single(&state, view, &query, StatusCode::CREATED).await
}

/// Change attributes, the group (`relationships.group`) or the block (`status`). `If-Match`
/// with the `ETag` of a GET makes it conditional (412 when the customer changed meanwhile).
#[utoipa::path(patch, path = "/backend/customers/{customerReference}", operation_id = "update_partner_customer", tag = "partner", security(("bearer" = ["customers:write"])),
    params(("customerReference" = String, Path, example = "DE--1"), Precondition, JsonApiQuery<OneQuery>),
    request_body(content = UpdateDocument, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "Updated", body = CustomerDocument, content_type = "application/vnd.api+json",
            headers(("ETag" = String, description = "A strong ETag over everything the partner sees of the customer (a login changes it too): `If-Match` of a later PATCH or DELETE"))),
        (status = 400, description = "Malformed JSON or document, an unsupported or malformed query parameter, a malformed `group` relationship (`source.pointer`), or an anonymized customer (410)", body = ErrorDocumentDoc),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = FORBIDDEN_WRITE, body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customers:write\"`"))),
        (status = 404, description = "No such customer (402), or the `group` relationship names no group", body = ErrorDocumentDoc),
        (status = 409, description = "Resource type, or `data.id` and the reference in the URL, do not match", body = ErrorDocumentDoc),
        (status = 412, description = STALE, body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901; `password`, `confirmPassword` or `passwordHash` among them: a partner never changes a password), email taken (400), email local part (416) or length (417)", body = ErrorDocumentDoc),
    ))]
pub async fn update_customer(
    req: HttpRequest,
    query: JsonApiQuery<OneQuery>,
    path: web::Path<String>,
    body: JsonApiBody<Customers>,
    _partner: AuthenticatedPartner<WriteCustomers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    body.ensure_id_matches(&reference)?;
    let changes =
        domain::parse_partner_changes(&body.attributes, &state.settings.passwords.policy)?;
    let group = body.to_one("group", super::resource::GROUP_TYPE)?;
    let precondition = if_match(&req);
    let view = state
        .db
        .write(move |conn| {
            service::update(
                conn,
                &reference,
                changes.clone(),
                &group,
                precondition.as_deref(),
            )
        })
        .await?;
    single(&state, view, &query, StatusCode::OK).await
}

/// Anonymize, exactly as the storefront's `DELETE /customers/{ref}`; `If-Match` as for PATCH.
/// An anonymized customer again: 204, and nothing changes.
#[utoipa::path(delete, path = "/backend/customers/{customerReference}", operation_id = "delete_partner_customer", tag = "partner", security(("bearer" = ["customers:write"])),
    params(("customerReference" = String, Path, example = "DE--1"), Precondition),
    responses(
        (status = 204, description = "Anonymized; every token of the customer is revoked"),
        (status = 401, description = UNAUTHORIZED, body = ErrorDocumentDoc),
        (status = 403, description = FORBIDDEN_WRITE, body = ErrorDocumentDoc,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"...\", error=\"insufficient_scope\", scope=\"customers:write\"`"))),
        (status = 404, description = "No such customer (402)", body = ErrorDocumentDoc),
        (status = 412, description = STALE, body = ErrorDocumentDoc),
    ))]
pub async fn delete_customer(
    req: HttpRequest,
    _query: JsonApiQuery<NoQuery>,
    path: web::Path<String>,
    _partner: AuthenticatedPartner<WriteCustomers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reference = path.into_inner();
    let precondition = if_match(&req);
    state
        .db
        .write(move |conn| service::delete(conn, &reference, precondition.as_deref()))
        .await?;
    state.db.purge_deleted().await;
    Ok(no_content())
}
