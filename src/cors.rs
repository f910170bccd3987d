//! CORS for browser storefronts on other origins (CONTRACT §3 item 26): exact origins from
//! `GLUE_CORS_ALLOWED_ORIGINS`, echoed (never `*`), with `Vary: Origin`; a preflight from a
//! listed origin gets 204 with the methods of its path; an unlisted origin gets no CORS header
//! at all, so the browser keeps the answer from the page. Error answers carry the same headers,
//! so that a page can read a 401 or a 429.
//!
//! Written here rather than with `actix-cors`, which answers preflights itself with one method
//! list for every path: the routing already knows each path's methods (the `Allow` of its
//! `OPTIONS` answer), so preflights go through it and this layer only adds the headers.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// Headers a page may read besides the CORS-safelisted ones.
const EXPOSE: &str = "Location, WWW-Authenticate, Retry-After, X-Request-Id";
/// Request headers a page may send: the ones the API reads, and harmless ones browsers add.
const ALLOWED_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "accept",
    "accept-language",
    "content-language",
    "x-requested-with",
    "x-anonymous-customer-unique-id",
    "x-request-id",
];
/// How long a browser may cache a preflight answer, seconds.
const MAX_AGE: &str = "600";

/// The listed origins; registered as app data by `startup`. Empty: CORS is off.
#[derive(Debug, Clone, Default)]
pub struct CorsPolicy {
    origins: Vec<String>,
}

impl CorsPolicy {
    pub fn new(origins: Vec<String>) -> Self {
        Self { origins }
    }

    fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }
}

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let policy = req.app_data::<CorsPolicy>().cloned().unwrap_or_default();
    if policy.origins.is_empty() {
        return next.call(req).await;
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| policy.allows(o))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let requested = allowed_request_headers(req.headers());
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    let Some(origin) = origin else {
        return Ok(res);
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if preflight {
        if let Some(methods) = headers.get(header::ALLOW).cloned() {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, methods);
        }
        if let Ok(value) = HeaderValue::from_str(&requested) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, value);
        }
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE),
        );
    } else {
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE),
        );
    }
    Ok(res)
}

/// `Authorization, Content-Type, Accept` and whatever else the preflight asks for that is on
/// the allowed list; anything else is left out, and the browser then refuses the request.
fn allowed_request_headers(headers: &HeaderMap) -> String {
    let mut allowed: Vec<String> = ["Authorization", "Content-Type", "Accept"]
        .iter()
        .map(|h| (*h).to_owned())
        .collect();
    let requested = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    for name in requested.split(',').map(|h| h.trim().to_ascii_lowercase()) {
        let known = ALLOWED_HEADERS.contains(&name.as_str());
        if known && !allowed.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
            allowed.push(name);
        }
    }
    allowed.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_request_headers_are_granted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("content-type, X-Request-Id, x-evil, cookie"),
        );
        assert_eq!(
            allowed_request_headers(&headers),
            "Authorization, Content-Type, Accept, x-request-id"
        );
    }
}
