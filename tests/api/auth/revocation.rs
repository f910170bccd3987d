//! `DELETE /refresh-tokens/{token|mine}`: ending one session or all of them.

use serde_json::json;

use super::forge::claims_of;
use super::{
    assert_invalid_token, assert_missing_token, assert_no_content, assert_refresh_refused,
    assert_token_accepted, assert_token_refused, refresh_succeeds, second_session, token_pair,
};
use crate::helpers::{spawn_app, TestApp, TestResponse};

async fn delete_refresh_token(app: &TestApp, bearer: &str, refresh_token: &str) -> TestResponse {
    app.delete(&format!("/refresh-tokens/{refresh_token}"))
        .bearer(bearer)
        .send()
        .await
}

#[tokio::test]
async fn deleting_an_own_refresh_token_ends_its_session() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (other_access, other_refresh) = second_session(&app, &customer).await;

    let response =
        delete_refresh_token(&app, &customer.access_token, &customer.refresh_token).await;

    assert_no_content(&response);
    assert_refresh_refused(&app, &customer.refresh_token).await;
    assert_token_refused(&app, &customer, &customer.access_token).await;
    // The customer's other session is untouched.
    assert_token_accepted(&app, &customer, &other_access).await;
    refresh_succeeds(&app, &other_refresh).await;
}

#[tokio::test]
async fn deleting_an_own_refresh_token_from_another_session_ends_that_session() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (other_access, other_refresh) = second_session(&app, &customer).await;

    let response = delete_refresh_token(&app, &customer.access_token, &other_refresh).await;

    assert_no_content(&response);
    assert_refresh_refused(&app, &other_refresh).await;
    assert_token_refused(&app, &customer, &other_access).await;
    assert_token_accepted(&app, &customer, &customer.access_token).await;
}

#[tokio::test]
async fn deleting_another_customers_refresh_token_is_204_and_changes_nothing() {
    let app = spawn_app().await;
    let attacker = app.customer().await;
    let owner = app.customer().await;

    let response = delete_refresh_token(&app, &attacker.access_token, &owner.refresh_token).await;

    assert_no_content(&response);
    assert_token_accepted(&app, &owner, &owner.access_token).await;
    let still_works = refresh_succeeds(&app, &owner.refresh_token).await;
    assert_eq!(
        claims_of(&token_pair(&still_works).0)["sub"],
        json!(owner.reference)
    );
}

#[tokio::test]
async fn deleting_a_garbage_or_already_revoked_refresh_token_is_204() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (_, spare_refresh) = second_session(&app, &customer).await;

    assert_no_content(&delete_refresh_token(&app, &customer.access_token, "not-a-token").await);
    assert_no_content(&delete_refresh_token(&app, &customer.access_token, &spare_refresh).await);
    assert_no_content(&delete_refresh_token(&app, &customer.access_token, &spare_refresh).await);
    // The caller's own session survived all of it.
    assert_token_accepted(&app, &customer, &customer.access_token).await;
}

#[tokio::test]
async fn deleting_mine_ends_every_session_of_the_caller_and_no_one_elses() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (second_access, second_refresh) = second_session(&app, &customer).await;
    let bystander = app.customer().await;

    let response = delete_refresh_token(&app, &customer.access_token, "mine").await;

    assert_no_content(&response);
    assert_token_refused(&app, &customer, &customer.access_token).await;
    assert_token_refused(&app, &customer, &second_access).await;
    assert_refresh_refused(&app, &customer.refresh_token).await;
    assert_refresh_refused(&app, &second_refresh).await;

    assert_token_accepted(&app, &bystander, &bystander.access_token).await;
    refresh_succeeds(&app, &bystander.refresh_token).await;

    // Revocation covers what was issued before, not the next login.
    let (fresh_access, _) = second_session(&app, &customer).await;
    assert_token_accepted(&app, &customer, &fresh_access).await;
}

#[tokio::test]
async fn deleting_refresh_tokens_without_a_bearer_is_403_002() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    assert_missing_token(&app.delete("/refresh-tokens/mine").send().await);
    assert_missing_token(
        &app.delete(&format!("/refresh-tokens/{}", customer.refresh_token))
            .send()
            .await,
    );

    // Nothing was revoked.
    refresh_succeeds(&app, &customer.refresh_token).await;
}

#[tokio::test]
async fn deleting_refresh_tokens_with_an_invalid_bearer_is_401_001() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    assert_invalid_token(&delete_refresh_token(&app, "garbage", "mine").await);
    assert_invalid_token(
        &delete_refresh_token(&app, &customer.refresh_token, &customer.refresh_token).await,
    );

    refresh_succeeds(&app, &customer.refresh_token).await;
}
