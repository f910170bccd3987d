//! Content negotiation (JSON:API 1.1 "Content Negotiation", CONTRACT §3 item 4) and the
//! request-header checks Spryker runs before routing (reference §1.5 step 1).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::Error;

use crate::error::{ApiError, Code};

pub const MEDIA_TYPE: &str = "application/vnd.api+json";

/// Paths that are not JSON:API resources and negotiate on their own.
fn is_exempt(path: &str) -> bool {
    matches!(path, "/health" | "/ready" | "/openapi.json" | "/docs")
        || path == "/token"
        || ["/token/", "/docs/", "/.well-known/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

pub async fn negotiate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if !is_exempt(req.path()) {
        if let Err(err) = check_request(&req) {
            return Ok(req.error_response(err).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn check_request(req: &ServiceRequest) -> Result<(), ApiError> {
    let headers = req.headers();
    if let Some(accept) = headers.get(header::ACCEPT) {
        let accept = accept.to_str().map_err(|_| ApiError::NotAcceptable)?;
        if !accepts_json_api(accept) {
            return Err(ApiError::NotAcceptable);
        }
    }
    // Only the methods our resources accept bodies on, and only when a body comes: without
    // one there is nothing to negotiate, and a method the path does not route meets its 405
    // (a routed one finds the body missing: 400).
    if [Method::POST, Method::PATCH].contains(req.method()) && has_body(req) {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::UnsupportedMediaType)?;
        if !is_acceptable_body_type(content_type) {
            return Err(ApiError::UnsupportedMediaType);
        }
    }
    // reference §1.9: a request cannot be both a guest's and a logged-in customer's.
    if headers.contains_key(header::AUTHORIZATION)
        && headers.contains_key("x-anonymous-customer-unique-id")
    {
        return Err(ApiError::Domain(Code::SimultaneousAuthentication));
    }
    Ok(())
}

/// A request body follows the headers: a non-zero `Content-Length`, or `Transfer-Encoding`.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

struct MediaRange<'a> {
    essence: String,
    params: Vec<(String, &'a str)>,
}

/// Splits on `separator` outside double quotes (a quoted parameter value may hold `;` or `,`).
fn split_unquoted(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_media_range(text: &str) -> MediaRange<'_> {
    let mut parts = split_unquoted(text, ';').into_iter();
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().trim_matches('"')))
        })
        .collect();
    MediaRange { essence, params }
}

/// `application/vnd.api+json` with only `profile` (we support no extensions, so `ext` is
/// refused), or `application/json` (Spryker clients send it; reference §1.1).
fn is_acceptable_body_type(content_type: &str) -> bool {
    let range = parse_media_range(content_type);
    match range.essence.as_str() {
        MEDIA_TYPE => range.params.iter().all(|(k, _)| k == "profile"),
        "application/json" => range.params.iter().all(|(k, _)| k == "charset"),
        _ => false,
    }
}

/// True if at least one entry of `Accept` lets us answer with `application/vnd.api+json`.
fn accepts_json_api(accept: &str) -> bool {
    split_unquoted(accept, ',')
        .into_iter()
        .map(parse_media_range)
        .any(|range| {
            let weight_zero = range
                .params
                .iter()
                .any(|(k, v)| k == "q" && v.parse::<f32>().is_ok_and(|q| q <= 0.0));
            if weight_zero {
                return false;
            }
            let media_params = || range.params.iter().filter(|(k, _)| k != "q");
            match range.essence.as_str() {
                // JSON:API: instances modified by parameters other than profile are ignored
                // (`ext` too: no extension is supported).
                MEDIA_TYPE => media_params().all(|(k, _)| k == "profile"),
                "*/*" | "application/*" | "application/json" => true,
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_rules_follow_json_api() {
        for ok in [
            "application/vnd.api+json",
            "*/*",
            "application/*",
            "application/json",
            "application/vnd.api+json; charset=utf-8, application/vnd.api+json",
            "text/html, */*;q=0.8",
            "application/vnd.api+json; profile=\"https://example.com/p\"",
        ] {
            assert!(accepts_json_api(ok), "{ok}");
        }
        for bad in [
            "application/vnd.api+json; charset=utf-8",
            "application/vnd.api+json; ext=\"https://example.com/ext/none\"",
            "text/html",
            "application/vnd.api+json;q=0",
        ] {
            assert!(!accepts_json_api(bad), "{bad}");
        }
    }

    #[test]
    fn content_type_rules_follow_json_api() {
        assert!(is_acceptable_body_type("application/vnd.api+json"));
        assert!(is_acceptable_body_type(
            "application/vnd.api+json; profile=\"https://x/p\""
        ));
        assert!(is_acceptable_body_type("application/json; charset=UTF-8"));
        assert!(is_acceptable_body_type(
            "application/vnd.api+json; profile=\"https://x/p;charset=utf-8\""
        ));
        assert!(!is_acceptable_body_type(
            "application/vnd.api+json; charset=utf-8"
        ));
        assert!(!is_acceptable_body_type(
            "application/vnd.api+json; version=1"
        ));
        assert!(!is_acceptable_body_type(
            "application/vnd.api+json; ext=\"https://x/e\""
        ));
        assert!(!is_acceptable_body_type("text/plain"));
    }
}
