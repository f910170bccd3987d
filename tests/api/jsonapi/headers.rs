//! Request and response headers: the anonymous-customer header, `X-Request-Id`, and
//! `Cache-Control` on JSON:API responses.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;

use super::{
    assert_error_document, get_own, own_path, post_customers_as, post_customers_raw,
    registration_document, ONE_MIB,
};
use crate::helpers::{spawn_app, JSON_API};

#[tokio::test]
async fn authorization_together_with_anonymous_customer_id_gets_400_005() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = own_path(&customer);
    let cases = [
        (
            "GET with a valid token",
            app.get(&path).bearer(&customer.access_token),
        ),
        (
            "GET with an invalid token",
            app.get(&path).bearer("not-a-token"),
        ),
        (
            "POST /customers",
            app.post("/customers", &registration_document("guest@example.com"))
                .bearer(&customer.access_token),
        ),
    ];
    for (case, request) in cases {
        let response = request
            .header("x-anonymous-customer-unique-id", "guest-4711")
            .send()
            .await;
        let error = assert_error_document(&response, 400, case);
        assert_eq!(error["code"], json!("005"), "{case}: {}", response.text);
        assert_eq!(
            error["detail"],
            json!("Headers request error. A user can't act as logged and not logged user at the same time."),
            "{case}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_json_api_responses_are_not_cached() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = own_path(&customer);
    let other = registration_document("other@example.com");
    let responses = vec![
        ("200 GET", get_own(&app, &customer, "").await),
        ("201 POST", app.post("/customers", &other).send().await),
        (
            "400 malformed",
            post_customers_raw(&app, "{\"data\":").await,
        ),
        ("400 query", get_own(&app, &customer, "?foo=1").await),
        ("403 missing token", app.get(&path).send().await),
        ("404", app.get("/nope").send().await),
        ("405", app.request(Method::PUT, &path).send().await),
        (
            "406",
            app.get(&path).header("accept", "text/html").send().await,
        ),
        (
            "413",
            post_customers_raw(&app, vec![b' '; ONE_MIB + 1]).await,
        ),
        (
            "415",
            post_customers_as(&app, Some("text/plain"), "x@example.com").await,
        ),
        (
            "204 OPTIONS",
            app.request(Method::OPTIONS, "/customers").send().await,
        ),
        (
            "204 DELETE",
            app.delete(&path)
                .bearer(&customer.access_token)
                .send()
                .await,
        ),
    ];
    let mut ids = BTreeSet::new();
    for (case, response) in &responses {
        let id = response
            .header("x-request-id")
            .unwrap_or_else(|| panic!("{case}: no X-Request-Id: {:?}", response.headers));
        assert!(!id.trim().is_empty(), "{case}: empty X-Request-Id");
        assert!(
            ids.insert(id.to_owned()),
            "{case}: X-Request-Id {id} repeats an earlier one"
        );
        if response.header("content-type") == Some(JSON_API) {
            assert_eq!(response.header("cache-control"), Some("no-store"), "{case}");
        }
    }
    // The JSON:API ones above, to be sure the loop saw them.
    for (case, response) in &responses[..10] {
        assert_eq!(
            response.header("content-type"),
            Some(JSON_API),
            "{case}: {}",
            response.text
        );
    }
}
