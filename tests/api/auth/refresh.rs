//! `POST /refresh-tokens`: rotation, reuse detection and malformed requests.

use serde_json::json;

use super::forge::claims_of;
use super::{
    assert_failed_to_refresh, assert_only_error, assert_refresh_refused, assert_token_accepted,
    assert_token_document, assert_token_refused, assert_violation, post_attributes, refresh,
    refresh_succeeds, second_session, token_pair,
};
use crate::helpers::spawn_app;

#[tokio::test]
async fn refreshing_rotates_the_pair_and_the_new_access_token_works() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = refresh(&app, &customer.refresh_token).await;

    assert_token_document(&response, &app, "refresh-tokens");
    let (access_token, refresh_token) = token_pair(&response);
    assert_ne!(access_token, customer.access_token);
    assert_ne!(refresh_token, customer.refresh_token);
    assert!(refresh_token.len() >= 43, "{refresh_token}");
    let claims = claims_of(&access_token);
    assert_eq!(claims["sub"], json!(customer.reference));
    assert_ne!(claims["jti"], claims_of(&customer.access_token)["jti"]);

    assert_token_accepted(&app, &customer, &access_token).await;
    // The spent token is refused.
    assert_refresh_refused(&app, &customer.refresh_token).await;
}

#[tokio::test]
async fn the_successor_refresh_token_can_itself_be_refreshed() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let (_, second_refresh) = token_pair(&refresh_succeeds(&app, &customer.refresh_token).await);
    let (access_token, third_refresh) = token_pair(&refresh_succeeds(&app, &second_refresh).await);

    assert_ne!(third_refresh, second_refresh);
    assert_token_accepted(&app, &customer, &access_token).await;
}

#[tokio::test]
async fn replaying_a_spent_refresh_token_revokes_its_whole_family() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (other_access, other_refresh) = second_session(&app, &customer).await;

    let (new_access, new_refresh) =
        token_pair(&refresh_succeeds(&app, &customer.refresh_token).await);
    assert_token_accepted(&app, &customer, &new_access).await;

    // The replay is refused ...
    assert_refresh_refused(&app, &customer.refresh_token).await;
    // ... and takes the family down with it: the successor refresh token and the access
    // tokens of that family.
    assert_refresh_refused(&app, &new_refresh).await;
    assert_token_refused(&app, &customer, &new_access).await;
    assert_token_refused(&app, &customer, &customer.access_token).await;

    // Another login of the same customer is another family and lives on.
    assert_token_accepted(&app, &customer, &other_access).await;
    refresh_succeeds(&app, &other_refresh).await;
}

#[tokio::test]
async fn a_garbage_or_access_token_as_refresh_token_is_401_004() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    for presented in [
        "garbage".to_owned(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        customer.access_token.clone(),
        format!("{}x", customer.refresh_token),
    ] {
        let response = refresh(&app, &presented).await;
        assert_failed_to_refresh(&response);
        assert_only_error(&response, "401", "004", "Failed to refresh token.");
    }
    // None of that touched the real token.
    refresh_succeeds(&app, &customer.refresh_token).await;
}

#[tokio::test]
async fn a_refresh_request_without_a_refresh_token_is_422_901() {
    let app = spawn_app().await;
    let send = |attributes| post_attributes(&app, "refresh-tokens", attributes);

    let missing = send(json!({})).await;
    assert_violation(&missing, "refreshToken", "This field is missing.");

    let blank = send(json!({"refreshToken": ""})).await;
    assert_violation(&blank, "refreshToken", "This value should not be blank.");
}
