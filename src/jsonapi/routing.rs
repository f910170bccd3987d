//! Framework-level answers: unknown paths, wrong methods, and a safety net that turns any
//! error response actix builds on its own into a JSON:API error document (CONTRACT §3 item 1).

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{guard, web, HttpRequest, HttpResponse, Route};

use super::document::ErrorDocument;
use super::MEDIA_TYPE;
use crate::error::ApiError;

/// The default service: a JSON:API 404.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// `PATCH`/`DELETE` on a collection path with an empty id (`/customers/`): reference §1.4.
pub async fn missing_id() -> Result<HttpResponse, ApiError> {
    Err(ApiError::ResourceIdNotSpecified)
}

/// A resource's default service: 405 with `Allow` (CONTRACT §3 item 5), or 204 with `Allow`
/// for a plain `OPTIONS`.
pub fn method_not_allowed(
    allowed: &'static [&'static str],
) -> impl Fn(HttpRequest) -> std::future::Ready<HttpResponse> + Clone + 'static {
    move |req: HttpRequest| {
        // Every GET route answers HEAD as well (see `get`).
        let head = allowed.contains(&"GET").then_some("HEAD");
        let allow = allowed
            .iter()
            .copied()
            .chain(head)
            .chain(["OPTIONS"])
            .collect::<Vec<_>>()
            .join(", ");
        let response = if req.method() == Method::OPTIONS {
            HttpResponse::NoContent()
                .insert_header((header::ALLOW, allow))
                .finish()
        } else {
            let status = StatusCode::METHOD_NOT_ALLOWED;
            let mut response = ErrorDocument::for_status(status).into_response(status);
            if let Ok(value) = header::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        };
        std::future::ready(response)
    }
}

/// A GET route that answers HEAD too (RFC 9110 §9.3.2: GET's status and headers, no body).
/// The HTTP layer knows the request was a HEAD and sends no body, keeping `Content-Length`.
pub fn get() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Replaces the body of any 4xx/5xx response that is not already JSON (actix's own text
/// bodies, empty bodies) with a JSON:API error document, keeping status and other headers.
pub fn error_documents<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_json = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with(MEDIA_TYPE) || ct.starts_with("application/json"));
        if is_json {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (req, original) = res.into_parts();
        let mut replacement: HttpResponse<BoxBody> =
            ErrorDocument::for_status(status).into_response(status);
        for (name, value) in original.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                replacement
                    .headers_mut()
                    .insert(name.clone(), value.clone());
            }
        }
        let res: ServiceResponse<EitherBody<B>> =
            ServiceResponse::new(req, replacement).map_into_right_body();
        Ok(ErrorHandlerResponse::Response(res))
    })
}
