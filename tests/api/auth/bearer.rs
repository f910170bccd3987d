//! Using the access token: the `Authorization: Bearer` header on the customer resources.

use reqwest::StatusCode;
use serde_json::json;

use super::{
    assert_invalid_token, assert_missing_token, assert_owner_served, assert_token_refused,
    get_collection, get_own,
};
use crate::helpers::{spawn_app, Customer, TestApp, TestResponse};

async fn get_own_with_authorization(
    app: &TestApp,
    customer: &Customer,
    authorization: &str,
) -> TestResponse {
    app.get(&format!("/customers/{}", customer.reference))
        .header("authorization", authorization)
        .send()
        .await
}

#[tokio::test]
async fn the_access_token_opens_the_own_customer_and_the_collection_of_one() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let _other = app.customer().await;

    let single = get_own(&app, &customer, &customer.access_token).await;
    assert_owner_served(&single, &customer);
    assert_eq!(
        single.body["data"]["attributes"]["email"],
        json!(customer.email)
    );
    assert_eq!(single.header("cache-control"), Some("no-store"));

    let collection = get_collection(&app, &customer.access_token).await;
    assert_eq!(collection.status, StatusCode::OK, "{}", collection.text);
    assert_eq!(collection.header("cache-control"), Some("no-store"));
    let data = collection.body["data"].as_array().expect("a collection");
    assert_eq!(data.len(), 1, "{}", collection.text);
    assert_eq!(data[0]["type"], "customers");
    assert_eq!(data[0]["id"], json!(customer.reference));
    assert_eq!(
        collection.body["links"]["self"],
        json!(format!("{}/customers", app.address))
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = get_own_with_authorization(
            &app,
            &customer,
            &format!("{scheme} {}", customer.access_token),
        )
        .await;
        assert_owner_served(&response, &customer);
    }
}

#[tokio::test]
async fn a_protected_resource_without_authorization_is_403_002() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let single = app
        .get(&format!("/customers/{}", customer.reference))
        .send()
        .await;
    assert_missing_token(&single);
    let collection = app.get("/customers").send().await;
    assert_missing_token(&collection);
}

#[tokio::test]
async fn a_non_bearer_empty_or_garbage_authorization_is_401_001_with_an_invalid_token_challenge() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    for authorization in [
        "Basic xyz".to_owned(),
        format!("Basic {}", customer.access_token),
        "Bearer".to_owned(),
        "Bearer garbage".to_owned(),
        "Bearer not.a.jwt".to_owned(),
        format!("Bearer {} extra", customer.access_token),
        format!("Token {}", customer.access_token),
    ] {
        let response = get_own_with_authorization(&app, &customer, &authorization).await;
        assert_invalid_token(&response);
    }
    let collection = app
        .get("/customers")
        .header("authorization", "Basic xyz")
        .send()
        .await;
    assert_invalid_token(&collection);
}

#[tokio::test]
async fn a_refresh_token_is_not_a_bearer_token() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    assert_token_refused(&app, &customer, &customer.refresh_token).await;
    assert_invalid_token(&get_collection(&app, &customer.refresh_token).await);
}
