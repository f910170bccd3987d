//! HEAD on every GET route (RFC 9110 §9.3.2): GET's status and headers, no body. A path
//! without GET answers HEAD with its 405.

use reqwest::{Method, StatusCode};

use super::own_path;
use crate::helpers::{spawn_app, TestApp, JSON_API};

/// Status, the headers a client would compare, and the body length, of GET and of HEAD.
async fn get_and_head(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (reqwest::Response, reqwest::Response) {
    let send = |method: Method| {
        let mut request = app.client.request(method, format!("{}{path}", app.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let get = send(Method::GET).await.expect("GET reaches the server");
    let head = send(Method::HEAD).await.expect("HEAD reaches the server");
    (get, head)
}

#[track_caller]
fn assert_same_head(get: &reqwest::Response, head: &reqwest::Response, case: &str) {
    assert_eq!(head.status(), get.status(), "{case}");
    for name in ["content-type", "cache-control", "content-length", "allow"] {
        assert_eq!(
            head.headers().get(name),
            get.headers().get(name),
            "{case}: {name}"
        );
    }
    assert!(head.headers().contains_key("x-request-id"), "{case}");
}

#[tokio::test]
async fn head_answers_gets_status_and_headers_without_a_body() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let own = own_path(&customer);
    let cases = [
        (own.as_str(), Some(customer.access_token.as_str()), 200),
        ("/customers", Some(customer.access_token.as_str()), 200),
        (own.as_str(), None, 403),
        (own.as_str(), Some("not-a-token"), 401),
        (
            "/customers/DE--999",
            Some(customer.access_token.as_str()),
            404,
        ),
        ("/health", None, 200),
        ("/ready", None, 200),
        ("/openapi.json", None, 200),
        ("/docs/", None, 200),
        ("/nope", None, 404),
    ];
    for (path, token, status) in cases {
        let (get, head) = get_and_head(&app, path, token).await;
        let case = format!("HEAD {path} (token: {})", token.is_some());
        assert_eq!(get.status().as_u16(), status, "{case}");
        assert_same_head(&get, &head, &case);
        let get_length = get.bytes().await.expect("GET body").len();
        assert!(get_length > 0, "{case}: GET has a body");
        assert!(
            head.bytes().await.expect("HEAD body").is_empty(),
            "{case}: HEAD sends no body"
        );
    }
}

#[tokio::test]
async fn head_on_a_path_without_get_is_405_naming_the_methods() {
    let app = spawn_app().await;
    for (path, allow) in [
        ("/access-tokens", "POST, OPTIONS"),
        ("/refresh-tokens", "POST, OPTIONS"),
        ("/refresh-tokens/mine", "DELETE, OPTIONS"),
    ] {
        let response = app
            .client
            .head(format!("{}{path}", app.address))
            .send()
            .await
            .expect("HEAD reaches the server");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header("allow"), Some(allow), "{path}");
        assert_eq!(header("content-type"), Some(JSON_API), "{path}");
        let body = response.bytes().await.expect("body");
        assert!(body.is_empty(), "{path}: HEAD sends no body");
    }
    let get_route = app.request(Method::PUT, "/health").send().await;
    assert_eq!(get_route.header("allow"), Some("GET, HEAD, OPTIONS"));
}
