//! The OpenAPI 3.1 document, generated from the handlers' annotations. `openapi/openapi.json`
//! is this document; a test fails when the two drift apart (`make openapi` rewrites it). The
//! server serves it at `/openapi.json` and Swagger UI, bundled in the binary, at `/docs/`.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa::openapi::header::Header;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::ApiError;
use crate::jsonapi::{get, method_not_allowed, MEDIA_TYPE};
use crate::{addresses, auth, backend, customers, groups, oauth, ops, passwords};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Glue customer-account service",
        description = "Customer accounts over JSON:API 1.1, wire-compatible with Spryker's Glue Storefront API.",
        version = "0.1.0"
    ),
    paths(
        customers::handlers::create_customer,
        customers::handlers::list_customers,
        customers::handlers::get_customer,
        customers::handlers::update_customer,
        customers::handlers::delete_customer,
        customers::handlers::confirm_customer,
        addresses::handlers::list_addresses,
        addresses::handlers::create_address,
        addresses::handlers::get_address,
        addresses::handlers::update_address,
        addresses::handlers::delete_address,
        passwords::handlers::change_password,
        passwords::handlers::request_password_reset,
        passwords::handlers::restore_password,
        backend::handlers::list_customers,
        backend::handlers::create_customer,
        backend::handlers::get_customer,
        backend::handlers::update_customer,
        backend::handlers::delete_customer,
        groups::handlers::list_groups,
        groups::handlers::create_group,
        groups::handlers::get_group,
        groups::handlers::update_group,
        groups::handlers::delete_group,
        oauth::handlers::token,
        oauth::handlers::revoke,
        oauth::handlers::introspect,
        oauth::handlers::metadata,
        oauth::handlers::jwks,
        auth::handlers::create_access_token,
        auth::handlers::create_refresh_token,
        auth::handlers::delete_refresh_token,
        ops::health,
        ops::ready,
    ),
    modifiers(&BearerAuth, &JsonApiErrors),
    tags(
        (name = "customers", description = "Register, read, update and anonymize one's own account"),
        (name = "addresses", description = "A customer's address book"),
        (name = "passwords", description = "Change a password, ask for a reset email, restore with its key"),
        (name = "auth", description = "Log in, refresh and revoke tokens"),
        (name = "partner", description = "The partner API: customers and groups for confidential clients with scopes"),
        (name = "oauth", description = "OAuth 2.0: token endpoint, revocation, introspection, metadata, keys"),
        (name = "operations", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "client_basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Error documents are JSON:API documents too: their media type is `application/vnd.api+json`
/// on every JSON:API path (utoipa's default is `application/json`).
struct JsonApiErrors;

impl Modify for JsonApiErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            // Not JSON:API resources: they answer in their own formats.
            let plain = ["/health", "/ready"].contains(&path.as_str())
                || path.starts_with("/token")
                || path.starts_with("/.well-known/");
            if plain {
                continue;
            }
            let writes = [&mut item.post, &mut item.patch];
            for operation in writes.into_iter().flatten() {
                add_error(operation, "408", "The body did not arrive in time");
                add_error(operation, "413", "Body larger than 1 MiB");
                add_error(
                    operation,
                    "415",
                    "Content-Type other than JSON:API (or application/json)",
                );
                add_error(operation, "400", "Malformed JSON or document");
                add_error(
                    operation,
                    "409",
                    "Resource type (or id) does not match the endpoint",
                );
            }
            if let Some(operation) = item.post.as_mut() {
                add_error(operation, "403", "Client-generated ids are not supported");
            }
            let reads = [&mut item.get, &mut item.delete];
            for operation in reads.into_iter().flatten() {
                add_error(operation, "400", "Unsupported or malformed query parameter");
            }
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                add_error(operation, "406", "Accept rules out JSON:API");
                add_error(
                    operation,
                    "503",
                    "The database is unavailable; `Retry-After` says when to try again",
                );
                for (status, response) in operation.responses.responses.iter_mut() {
                    if let RefOr::T(response) = response {
                        if let Some(content) = response.content.shift_remove("application/json") {
                            response.content.insert(MEDIA_TYPE.to_owned(), content);
                        }
                        if status == "401" {
                            response
                                .headers
                                .insert("WWW-Authenticate".to_owned(), challenge());
                        }
                    }
                }
            }
        }
    }
}

/// The bearer challenge of a 401 (RFC 6750 §3): `error="invalid_token"` for a bad token (`001`).
fn challenge() -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(Type::String));
    header.description = Some(
        "`Bearer realm=\"...\"`, with `error=\"invalid_token\"` when the token was the problem (001)"
            .to_owned(),
    );
    header
}

/// Adds a JSON:API error response unless the operation documents that status already.
fn add_error(operation: &mut Operation, status: &str, description: &str) {
    if operation.responses.responses.contains_key(status) {
        return;
    }
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorDocumentDoc")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content(MEDIA_TYPE, content)
        .build();
    operation
        .responses
        .responses
        .insert(status.to_owned(), RefOr::T(response));
}

/// The document as committed under `openapi/`.
pub fn document_json() -> Result<String, serde_json::Error> {
    ApiDoc::openapi().to_pretty_json().map(|mut s| {
        s.push('\n');
        s
    })
}

/// What the bundled Swagger UI needs and nothing more: its own scripts and styles (its
/// components set inline styles), its icons (some are `data:` URIs), and `/openapi.json`.
const DOCS_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

/// The document, serialized once.
struct Served(String);

/// `/openapi.json`, and Swagger UI under `/docs/` (GET and HEAD, like every GET route).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let document = ApiDoc::openapi().to_json().unwrap_or_default();
    let ui = Arc::new(utoipa_swagger_ui::Config::from("/openapi.json"));
    cfg.service(
        web::resource("/openapi.json")
            .app_data(web::Data::new(Served(document)))
            .route(get().to(serve_document))
            .default_service(web::to(method_not_allowed(&["GET"]))),
    )
    .service(web::redirect("/docs", "/docs/"))
    .service(
        web::resource("/docs/{tail:.*}")
            .app_data(web::Data::new(ui))
            .route(get().to(serve_ui))
            .default_service(web::to(method_not_allowed(&["GET"]))),
    );
}

async fn serve_document(document: web::Data<Served>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.0.clone())
}

async fn serve_ui(
    tail: web::Path<String>,
    config: web::Data<Arc<utoipa_swagger_ui::Config<'static>>>,
) -> Result<HttpResponse, ApiError> {
    let file = utoipa_swagger_ui::serve(&tail, Arc::clone(&config))
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type))
        .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_POLICY))
        .body(file.bytes.into_owned()))
}
