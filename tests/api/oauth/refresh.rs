//! The refresh_token grant (RFC 6749 §6; RFC 9700 §4.14.2; checklist B18-B21; CONTRACT §3
//! item 19): rotation, reuse detection, the reuse interval, the owning client, and the shared
//! sessions of `/token` and `/access-tokens`.

use oauth2::TokenResponse as _;
use reqwest::StatusCode;
use serde_json::json;

use super::{
    assert_bearer, assert_inactive, assert_oauth_error, assert_refused, assert_serves,
    assert_token_answer, error_code, inspector, refresh_of, second_public_client, shopper, OAuth,
    Registered, ACCESS_TOKEN_TTL,
};
use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn refreshing_rotates_the_refresh_token_and_spends_the_old_one() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let first = refresh_of(&oauth.log_in(&email).await);

    let second = oauth.refresh(&storefront, &first).await.expect("refreshed");

    assert_token_answer(&oauth.last(), ACCESS_TOKEN_TTL, "customer");
    assert_bearer(&second, "customer");
    let rotated = refresh_of(&second);
    assert_ne!(rotated, first, "a new refresh token on every use");
    assert_serves(&app, &reference, second.access_token().secret()).await;
    // The new refresh token has the old one's scope (B21), and the old one is dead.
    let watcher = inspector(&app).await;
    assert_eq!(
        oauth.introspection(&watcher, &rotated).await["scope"],
        "customer"
    );
    assert_inactive(
        &oauth.introspection(&watcher, &first).await,
        "the spent token",
    );
    assert_eq!(
        error_code(oauth.refresh(&storefront, &first).await),
        "invalid_grant"
    );
    assert_oauth_error(&oauth.last(), 400, "invalid_grant");
}

#[tokio::test]
async fn replaying_a_spent_refresh_token_revokes_its_whole_family() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let login = oauth.log_in(&email).await;
    let first = refresh_of(&login);
    let second = oauth.refresh(&storefront, &first).await.expect("refreshed");

    let replay = oauth.refresh(&storefront, &first).await;

    assert_eq!(error_code(replay), "invalid_grant");
    let newer = oauth.refresh(&storefront, &refresh_of(&second)).await;
    assert_eq!(error_code(newer), "invalid_grant", "the family is revoked");
    for token in [login.access_token(), second.access_token()] {
        assert_refused(&app, &reference, token.secret()).await;
    }
    // Another session of the same customer is untouched.
    let other = oauth.log_in(&email).await;
    assert_serves(&app, &reference, other.access_token().secret()).await;
}

#[tokio::test]
async fn within_the_reuse_interval_a_spent_token_gets_a_new_pair_and_the_session_survives() {
    let app = spawn_app_with(&[("GLUE_REFRESH_TOKEN_REUSE_INTERVAL", "30")]).await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let first = refresh_of(&oauth.log_in(&email).await);
    let lost = oauth.refresh(&storefront, &first).await.expect("refreshed");

    // The client lost that answer and tries again with the token it still has.
    let retry = oauth
        .refresh(&storefront, &first)
        .await
        .expect("a new pair");

    assert_token_answer(&oauth.last(), ACCESS_TOKEN_TTL, "customer");
    let retried = refresh_of(&retry);
    assert_ne!(retried, first);
    assert_ne!(retried, refresh_of(&lost));
    for token in [lost.access_token(), retry.access_token()] {
        assert_serves(&app, &reference, token.secret()).await;
    }
    let next = oauth
        .refresh(&storefront, &retried)
        .await
        .expect("the session lives on");
    assert_serves(&app, &reference, next.access_token().secret()).await;
}

#[tokio::test]
async fn without_a_reuse_interval_even_an_immediate_retry_revokes_the_family() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let first = refresh_of(&oauth.log_in(&email).await);
    let lost = oauth.refresh(&storefront, &first).await.expect("refreshed");

    assert_eq!(
        error_code(oauth.refresh(&storefront, &first).await),
        "invalid_grant"
    );

    assert_refused(&app, &reference, lost.access_token().secret()).await;
}

#[tokio::test]
async fn a_refresh_token_presented_by_another_client_is_refused_and_stays_the_owners() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let mobile = second_public_client(&app, "mobile-app").await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let login = oauth.log_in(&email).await;
    let token = refresh_of(&login);

    let stolen = oauth.refresh(&mobile, &token).await;

    assert_eq!(error_code(stolen), "invalid_grant");
    assert_oauth_error(&oauth.last(), 400, "invalid_grant");
    assert_serves(&app, &reference, login.access_token().secret()).await;
    let owner = oauth
        .refresh(&storefront, &token)
        .await
        .expect("the owner refreshes");
    assert_serves(&app, &reference, owner.access_token().secret()).await;
    // The other client's own session works as well (the client is set up right).
    let own = oauth
        .password(&mobile, &email, crate::helpers::PASSWORD)
        .await;
    let own = own.expect("the mobile app logs in");
    assert_eq!(
        super::claims(own.access_token().secret())["client_id"],
        "mobile-app"
    );
    assert!(oauth.refresh(&mobile, &refresh_of(&own)).await.is_ok());
    assert_eq!(
        error_code(oauth.refresh(&storefront, &refresh_of(&own)).await),
        "invalid_grant",
        "nor the other way round"
    );
}

#[tokio::test]
async fn a_wider_scope_on_refresh_is_invalid_scope_and_spends_nothing() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let token = refresh_of(&oauth.log_in(&email).await);

    for scopes in [&["customers:read"][..], &["customer", "admin"]] {
        let wider = oauth.refresh_with(&storefront, &token, scopes).await;

        assert_eq!(error_code(wider), "invalid_scope", "{scopes:?}");
        assert_oauth_error(&oauth.last(), 400, "invalid_scope");
    }
    let same = oauth.refresh_with(&storefront, &token, &["customer"]).await;
    assert_bearer(&same.expect("the same scope is fine"), "customer");
}

#[tokio::test]
async fn refresh_tokens_cross_between_access_tokens_and_token() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();

    // From `/access-tokens` to `/token`...
    let tokens = oauth
        .refresh(&storefront, &customer.refresh_token)
        .await
        .expect("an /access-tokens refresh token works on /token");
    assert_serves(&app, &customer.reference, tokens.access_token().secret()).await;

    // ...and from `/token` to `/refresh-tokens`.
    let response = app
        .post(
            "/refresh-tokens",
            &json!({"data": {"type": "refresh-tokens", "attributes": {"refreshToken": refresh_of(&tokens)}}}),
        )
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let access = response.body["data"]["attributes"]["accessToken"]
        .as_str()
        .expect("access token");
    assert_serves(&app, &customer.reference, access).await;
    // Spent on either door, spent on both.
    let spent = oauth.refresh(&storefront, &refresh_of(&tokens)).await;
    assert_eq!(error_code(spent), "invalid_grant");
}
