//! HTTP handlers of `/backend/customers`: partner tokens with scopes, JSON:API documents with
//! paging links, `ETag` and `If-Match`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::domain::{self, Credential};
use super::listing::{CursorInfo, ListQuery, Listing, OneQuery, Paging};
use super::resource::{PartnerCustomerAttributes, TYPE};
use super::service::{self, CreateRules, PartnerView};
use super::{includes, repo};
use crate::auth::{AuthenticatedPartner, ReadCustomers, WriteCustomers};
use crate::credentials;
use crate::customers::resource::Customers;
use crate::error::ApiError;
use crate::jsonapi::openapi::{
    CollectionDocument, ErrorDocumentDoc, RequestDocument, SingleDocument,
};
use crate::jsonapi::{
    no_content, CursorPaging, Document, JsonApiBody, JsonApiQuery, NoQuery, OffsetPaging,
};
use crate::state::AppState;

fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn with_etag(mut response: HttpResponse, etag: &str) -> HttpResponse {
    if let Ok(value) = header::HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Customers, filtered, sorted and paged (offset with totals, or keyset with `page[after]`).
#[utoipa::path(get, path = "/backend/customers", tag = "partner", security(("bearer" = ["customers:read"])),
    params(
        ("page[offset]" = Option<u64>, Query, description = "Offset paging (with `meta.page.total` and `last`)"),
        ("page[limit]" = Option<u64>, Query, description = "Page size, 1-500 (default 20)"),
        ("page[after]" = Option<String>, Query, description = "Keyset paging: empty for the first page, then the cursor from `links.next`"),
        ("sort" = Option<String>, Query, description = "`createdAt`, `updatedAt`, `lastName`, `email`, comma-separated, `-` for descending"),
        ("filter[email]" = Option<String>, Query, description = "Exact email, case-insensitive"),
        ("filter[q]" = Option<String>, Query, description = "Prefix of first name, last name or email, case-insensitive"),
        ("filter[status]" = Option<String>, Query, description = "`active`, `blocked`, `unconfirmed` or `anonymized`"),
        ("filter[group]" = Option<String>, Query, description = "A customer group's id"),
        ("filter[createdAt][gte]" = Option<String>, Query, description = "Created at or after (RFC 3339)"),
        ("filter[createdAt][lt]" = Option<String>, Query, description = "Created before (RFC 3339)"),
        ("filter[updatedAt][gte]" = Option<String>, Query, description = "Changed at or after: what changed since the last sync"),
        ("include" = Option<String>, Query, description = "`group`, `addresses`"),
        ("fields[customers]" = Option<String>, Query, description = "Sparse fieldset"),
        ("fields[addresses]" = Option<String>, Query, description = "Sparse fieldset"),
        ("fields[customer-groups]" = Option<String>, Query, description = "Sparse fieldset"),
    ),
    responses(
        (status = 200, description = "A page of customers", body = CollectionDocument<PartnerCustomerAttributes>, content_type = "application/vnd.api+json"),
        (status = 401, description = "No token, or an invalid one (001)", body = ErrorDocumentDoc),
        (status = 403, description = "A token without `customers:read` (insufficient_scope)", body = ErrorDocumentDoc),
    ))]
pub async fn list_customers(
    query: JsonApiQuery<ListQuery>,
    _partner: AuthenticatedPartner<ReadCustomers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let listing = Listing::parse(&query)?;
    let offset = matches!(listing.paging, Paging::Offset { .. });
    let wanted = listing.clone();
    let ((rows, next), total) = state
        .db
        .read(move |conn| {
            let total = if offset {
                Some(repo::count(conn, &wanted)?)
            } else {
                None
            };
            Ok((repo::page(conn, &wanted)?, total))
        })
        .await?;
    let public_url = state.settings.server.public_url.clone();
    let views: Vec<PartnerView> = rows
        .into_iter()
        .map(|(customer, group_key)| PartnerView {
            customer,
            group_key,
        })
        .collect();
    let (resources, included) = includes::resolve(&state, views, &query).await?;
    let base = format!("{public_url}/backend/{TYPE}");
    let kept = query.canonical_without_page();
    let document = match (&listing.paging, total) {
        (Paging::Offset { offset, limit }, Some(total)) => {
            let paging = OffsetPaging {
                base_url: &base,
                kept_query: &kept,
                offset: u64::try_from(*offset).unwrap_or(0),
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
#[utoipa::path(get, path = "/backend/customers/{customerReference}", tag = "partner", security(("bearer" = ["customers:read"])),
    params(("customerReference" = String, Path, example = "DE--1"), ("include" = Option<String>, Query, description = "`group`, `addresses`")),
    responses(
        (status = 200, description = "The customer; `ETag` for `If-Match`", body = SingleDocument<PartnerCustomerAttributes>, content_type = "application/vnd.api+json"),
        (status = 401, description = "No token, or an invalid one (001)", body = ErrorDocumentDoc),
        (status = 403, description = "A token without `customers:read`", body = ErrorDocumentDoc),
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
#[utoipa::path(post, path = "/backend/customers", tag = "partner", security(("bearer" = ["customers:write"])),
    request_body(content = RequestDocument<PartnerCreateDoc>, content_type = "application/vnd.api+json"),
    responses(
        (status = 201, description = "Created", body = SingleDocument<PartnerCustomerAttributes>, content_type = "application/vnd.api+json"),
        (status = 401, description = "No token, or an invalid one (001)", body = ErrorDocumentDoc),
        (status = 403, description = "A token without `customers:write`", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901), email taken (400)", body = ErrorDocumentDoc),
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
#[utoipa::path(patch, path = "/backend/customers/{customerReference}", tag = "partner", security(("bearer" = ["customers:write"])),
    params(("customerReference" = String, Path, example = "DE--1"), ("If-Match" = Option<String>, Header, description = "The ETag of the representation this change is based on")),
    request_body(content = RequestDocument<PartnerUpdateDoc>, content_type = "application/vnd.api+json"),
    responses(
        (status = 200, description = "Updated", body = SingleDocument<PartnerCustomerAttributes>, content_type = "application/vnd.api+json"),
        (status = 401, description = "No token, or an invalid one (001)", body = ErrorDocumentDoc),
        (status = 403, description = "A token without `customers:write`", body = ErrorDocumentDoc),
        (status = 404, description = "No such customer (402)", body = ErrorDocumentDoc),
        (status = 412, description = "If-Match does not match the current ETag", body = ErrorDocumentDoc),
        (status = 422, description = "Validation (901), email taken (400)", body = ErrorDocumentDoc),
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
#[utoipa::path(delete, path = "/backend/customers/{customerReference}", tag = "partner", security(("bearer" = ["customers:write"])),
    params(("customerReference" = String, Path, example = "DE--1"), ("If-Match" = Option<String>, Header, description = "The ETag of the representation this deletion is based on")),
    responses(
        (status = 204, description = "Anonymized; every token of the customer is revoked"),
        (status = 401, description = "No token, or an invalid one (001)", body = ErrorDocumentDoc),
        (status = 403, description = "A token without `customers:write`", body = ErrorDocumentDoc),
        (status = 404, description = "No such customer (402)", body = ErrorDocumentDoc),
        (status = 412, description = "If-Match does not match the current ETag", body = ErrorDocumentDoc),
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

/// `POST /backend/customers` attributes (documentation; parsing is in `domain`).
#[derive(utoipa::ToSchema)]
#[schema(as = PartnerCustomerCreateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct PartnerCreateDoc {
    #[schema(format = Email, max_length = 100)]
    email: String,
    gender: crate::customers::choices::Gender,
    salutation: crate::customers::choices::Salutation,
    #[schema(min_length = 1, max_length = 100)]
    first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    last_name: String,
    #[schema(format = Date)]
    date_of_birth: Option<String>,
    accepted_marketing: Option<bool>,
    /// With `confirmPassword`; the storefront's password policy.
    #[schema(min_length = 12, max_length = 72)]
    password: Option<String>,
    confirm_password: Option<String>,
    /// An existing bcrypt hash (`$2a$`, `$2b$`, `$2y$`, cost 04-31) from another system.
    #[schema(pattern = r"^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$")]
    password_hash: Option<String>,
}

/// `PATCH /backend/customers/{ref}` attributes: every one optional.
#[derive(utoipa::ToSchema)]
#[schema(as = PartnerCustomerUpdateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct PartnerUpdateDoc {
    #[schema(format = Email, max_length = 100)]
    email: Option<String>,
    gender: Option<crate::customers::choices::Gender>,
    salutation: Option<crate::customers::choices::Salutation>,
    #[schema(min_length = 1, max_length = 100)]
    first_name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    last_name: Option<String>,
    #[schema(format = Date)]
    date_of_birth: Option<String>,
    accepted_marketing: Option<bool>,
    /// `blocked` ends every session at once and refuses logins; `active` lifts the block.
    #[schema(example = "blocked")]
    status: Option<String>,
}
