//! CORS for browser storefronts (CONTRACT §3 item 26, reference §1.8) and the headers that keep
//! browsers honest (`X-Content-Type-Options: nosniff` everywhere, a Content-Security-Policy on
//! `/docs/`): requests as a browser sends them (headers.rs), and Debian's chromium running a
//! page from another origin against the real server (browser.rs). Below: what both share.

mod browser;
mod headers;

use reqwest::Method;

use crate::helpers::{spawn_app_with, TestApp, TestResponse};

/// The storefront the test servers allow.
pub const SHOP: &str = "https://shop.example.com";
/// A second allowed origin (the setting is a list).
pub const MOBILE: &str = "https://m.example.com";
/// An origin no test server allows.
pub const STRANGER: &str = "https://evil.example.com";
/// What a page on an allowed origin may read besides the CORS-safelisted headers.
pub const EXPOSED: [&str; 4] = [
    "Location",
    "WWW-Authenticate",
    "Retry-After",
    "X-Request-Id",
];
/// What every preflight from an allowed origin grants, whatever it asked for.
pub const ALWAYS_ALLOWED: [&str; 3] = ["Authorization", "Content-Type", "Accept"];

/// A server that allows `SHOP` and `MOBILE`, written as an operator would (with a space).
pub async fn cors_app() -> TestApp {
    cors_app_with(&[]).await
}

/// `cors_app` with more settings.
pub async fn cors_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let origins = format!("{SHOP}, {MOBILE}");
    let mut settings = vec![("GLUE_CORS_ALLOWED_ORIGINS", origins.as_str())];
    settings.extend_from_slice(overrides);
    spawn_app_with(&settings).await
}

/// A preflight as a browser sends it: `OPTIONS` with `Origin`, `Access-Control-Request-Method`,
/// (if given) `Access-Control-Request-Headers`, `Accept: */*`, and no credentials.
pub async fn preflight(
    app: &TestApp,
    origin: &str,
    method: &str,
    path: &str,
    request_headers: Option<&str>,
) -> TestResponse {
    let mut request = app
        .request(Method::OPTIONS, path)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("accept", "*/*");
    if let Some(names) = request_headers {
        request = request.header("access-control-request-headers", names);
    }
    request.send().await
}

/// Every value of a header, split at commas and trimmed, across repeated header lines.
pub fn tokens(response: &TestResponse, name: &str) -> Vec<String> {
    response
        .headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The tokens of a header, lowercased and sorted (header and method names compare as sets).
pub fn token_set(response: &TestResponse, name: &str) -> Vec<String> {
    let mut set: Vec<String> = tokens(response, name)
        .iter()
        .map(|t| t.to_ascii_lowercase())
        .collect();
    set.sort();
    set.dedup();
    set
}

fn lower_sorted(items: &[&str]) -> Vec<String> {
    let mut set: Vec<String> = items.iter().map(|t| t.to_ascii_lowercase()).collect();
    set.sort();
    set.dedup();
    set
}

/// The `Access-Control-*` headers of a response, for assertions and messages.
pub fn cors_headers(response: &TestResponse) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-"))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or("<not text>").to_owned(),
            )
        })
        .collect()
}

/// `Vary` names `Origin` (a cache must not hand one origin's answer to another).
#[track_caller]
pub fn assert_varies_on_origin(response: &TestResponse) {
    assert!(
        token_set(response, "vary").contains(&"origin".to_owned()),
        "Vary: Origin expected: {:?}",
        response.headers
    );
}

/// The answer is readable by a page on `origin`: the origin echoed (once, never `*`),
/// `Vary: Origin`, and the headers a client needs exposed.
#[track_caller]
pub fn assert_readable_by(response: &TestResponse, origin: &str) {
    let allowed: Vec<_> = response
        .headers
        .get_all("access-control-allow-origin")
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        allowed,
        [origin],
        "{} {}: Access-Control-Allow-Origin must echo the origin exactly once: {:?}",
        response.status,
        response.text,
        response.headers
    );
    assert_varies_on_origin(response);
    let exposed = token_set(response, "access-control-expose-headers");
    for name in EXPOSED {
        assert!(
            exposed.contains(&name.to_ascii_lowercase()),
            "{} exposes {exposed:?}, not {name}",
            response.status
        );
    }
}

/// A preflight from `origin` granted: 204, no body, the origin echoed, the path's methods
/// (the same as its `Allow`), at least `Authorization, Content-Type, Accept`, and a max age.
#[track_caller]
pub fn assert_preflight_granted(response: &TestResponse, origin: &str, methods: &[&str]) {
    assert_eq!(
        response.status.as_u16(),
        204,
        "{:?} {}",
        response.headers,
        response.text
    );
    assert!(response.text.is_empty(), "{}", response.text);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(origin),
        "{:?}",
        response.headers
    );
    assert_varies_on_origin(response);
    let granted = token_set(response, "access-control-allow-methods");
    assert_eq!(granted, lower_sorted(methods), "{:?}", response.headers);
    assert_eq!(
        granted,
        token_set(response, "allow"),
        "the methods a preflight grants are the path's Allow"
    );
    let headers = token_set(response, "access-control-allow-headers");
    for name in ALWAYS_ALLOWED {
        assert!(
            headers.contains(&name.to_ascii_lowercase()),
            "{name} missing from {headers:?}"
        );
    }
    let max_age = response
        .header("access-control-max-age")
        .and_then(|v| v.parse::<u32>().ok())
        .expect("Access-Control-Max-Age in whole seconds");
    assert!(max_age > 0, "a max age of 0 makes every request preflight");
}

/// No `Access-Control-*` header at all: the browser keeps the answer from the page.
#[track_caller]
pub fn assert_no_cors(response: &TestResponse) {
    assert_eq!(
        cors_headers(response),
        Vec::<(String, String)>::new(),
        "{} {}",
        response.status,
        response.text
    );
}
