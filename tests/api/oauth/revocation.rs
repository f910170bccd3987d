//! `POST /token/revoke` (RFC 7009; checklist B24-B29): what it ends, what it answers whatever
//! the token, and that a client revokes only its own tokens.

use glue_customers::clients::model::AuthMethod;
use oauth2::TokenResponse as _;
use oauth2::{AccessToken, RefreshToken, StandardRevocableToken};

use super::{
    assert_inactive, assert_invalid_client, assert_no_store_json, assert_oauth_error,
    assert_refused, assert_serves, encode, error_code, inspector, partner, refresh_of,
    second_public_client, shopper, OAuth, Registered,
};
use crate::helpers::spawn_app;

fn access(token: &str) -> StandardRevocableToken {
    AccessToken::new(token.to_owned()).into()
}

fn refresh(token: &str) -> StandardRevocableToken {
    RefreshToken::new(token.to_owned()).into()
}

/// A revocation answered 200 (RFC 7009 §2.2), uncached.
#[track_caller]
fn assert_revoked_answer(oauth: &OAuth<'_>, result: super::RevokeResult) {
    assert!(result.is_ok(), "{result:?}");
    let response = oauth.last();
    assert_eq!(response.status.as_u16(), 200, "{}", response.text);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("pragma"), Some("no-cache"));
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_session() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let tokens = oauth.log_in(&email).await;
    let other_session = oauth.log_in(&email).await;

    let result = oauth
        .revoke(&storefront, refresh(&refresh_of(&tokens)))
        .await;

    assert_revoked_answer(&oauth, result);
    let refreshed = oauth.refresh(&storefront, &refresh_of(&tokens)).await;
    assert_eq!(error_code(refreshed), "invalid_grant");
    assert_refused(&app, &reference, tokens.access_token().secret()).await;
    assert_serves(&app, &reference, other_session.access_token().secret()).await;
}

#[tokio::test]
async fn revoking_a_customer_access_token_ends_it_at_once() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let tokens = oauth.log_in(&email).await;
    assert_serves(&app, &reference, tokens.access_token().secret()).await;

    let result = oauth
        .revoke(&storefront, access(tokens.access_token().secret()))
        .await;

    assert_revoked_answer(&oauth, result);
    assert_refused(&app, &reference, tokens.access_token().secret()).await;
}

#[tokio::test]
async fn revoking_a_client_token_makes_it_inactive() {
    let app = spawn_app().await;
    let acme = partner(
        &app,
        &["customers:read", "tokens:introspect"],
        AuthMethod::Basic,
    )
    .await;
    let oauth = OAuth::new(&app);
    let token = oauth.partner_token(&acme).await;
    assert_eq!(oauth.introspection(&acme, &token).await["active"], true);

    let result = oauth.revoke(&acme, access(&token)).await;

    assert_revoked_answer(&oauth, result);
    assert_inactive(
        &oauth.introspection(&acme, &token).await,
        "a revoked client token",
    );
    // The client itself goes on: a new token is live.
    let fresh = oauth.partner_token(&acme).await;
    assert_eq!(oauth.introspection(&acme, &fresh).await["active"], true);
}

#[tokio::test]
async fn unknown_garbage_or_already_revoked_tokens_answer_200() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let tokens = oauth.log_in(&email).await;
    let refresh_token = refresh_of(&tokens);
    oauth
        .revoke(&storefront, refresh(&refresh_token))
        .await
        .expect("first revocation");
    let unknown = "x".repeat(43);

    for (what, token) in [
        ("garbage", refresh("garbage")),
        ("an unknown refresh-token-shaped string", refresh(&unknown)),
        ("a JWT-shaped string", access("a.b.c")),
        ("an already revoked refresh token", refresh(&refresh_token)),
        (
            "the access token of a revoked session",
            access(tokens.access_token().secret()),
        ),
    ] {
        let result = oauth.revoke(&storefront, token).await;

        assert!(result.is_ok(), "{what}: {result:?}");
        assert_no_store_json_or_empty(&oauth, what);
    }
}

/// 200 with no-store; an empty body or JSON.
#[track_caller]
fn assert_no_store_json_or_empty(oauth: &OAuth<'_>, what: &str) {
    let response = oauth.last();
    assert_eq!(response.status.as_u16(), 200, "{what}: {}", response.text);
    assert_eq!(response.header("cache-control"), Some("no-store"), "{what}");
    if !response.text.is_empty() {
        assert_no_store_json(&response, 200);
    }
}

#[tokio::test]
async fn a_wrong_or_unknown_hint_is_ignored_and_the_token_still_revoked() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();

    // A refresh token announced as an access token.
    let tokens = oauth.log_in(&email).await;
    let result = oauth
        .revoke(&storefront, access(&refresh_of(&tokens)))
        .await;
    assert_revoked_answer(&oauth, result);
    let refreshed = oauth.refresh(&storefront, &refresh_of(&tokens)).await;
    assert_eq!(error_code(refreshed), "invalid_grant");

    // An access token announced as a refresh token.
    let tokens = oauth.log_in(&email).await;
    let result = oauth
        .revoke(&storefront, refresh(tokens.access_token().secret()))
        .await;
    assert_revoked_answer(&oauth, result);
    assert_refused(&app, &reference, tokens.access_token().secret()).await;

    // A hint the server does not know (B26).
    for hint in ["foo", ""] {
        let tokens = oauth.log_in(&email).await;
        let body = encode(&[
            ("token", &refresh_of(&tokens)),
            ("token_type_hint", hint),
            ("client_id", "frontend"),
        ]);
        let response = oauth.form("/token/revoke", &body).send().await;
        assert_eq!(
            response.status.as_u16(),
            200,
            "hint {hint:?}: {}",
            response.text
        );
        let refreshed = oauth.refresh(&storefront, &refresh_of(&tokens)).await;
        assert_eq!(error_code(refreshed), "invalid_grant", "hint {hint:?}");
        assert_refused(&app, &reference, tokens.access_token().secret()).await;
    }
}

#[tokio::test]
async fn revoking_another_clients_token_answers_200_and_changes_nothing() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let rival = partner(&app, &["customers:read"], AuthMethod::Post).await;
    let mobile = second_public_client(&app, "mobile-app").await;
    let watcher = inspector(&app).await;
    let oauth = OAuth::new(&app);
    let tokens = oauth.log_in(&email).await;
    let acme_token = oauth.partner_token(&acme).await;

    for (who, token) in [
        (&acme, refresh(&refresh_of(&tokens))),
        (&acme, access(tokens.access_token().secret())),
        (&mobile, refresh(&refresh_of(&tokens))),
        (&mobile, access(tokens.access_token().secret())),
        (&rival, access(&acme_token)),
        (&Registered::storefront(), access(&acme_token)),
    ] {
        let result = oauth.revoke(who, token).await;
        assert_revoked_answer(&oauth, result);
    }

    assert_serves(&app, &reference, tokens.access_token().secret()).await;
    assert_eq!(
        oauth.introspection(&watcher, &acme_token).await["active"],
        true
    );
    let refreshed = oauth
        .refresh(&Registered::storefront(), &refresh_of(&tokens))
        .await;
    assert!(
        refreshed.is_ok(),
        "the owner's refresh token still works: {refreshed:?}"
    );
}

#[tokio::test]
async fn a_revocation_without_a_token_is_invalid_request() {
    let app = spawn_app().await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Post).await;
    let oauth = OAuth::new(&app);

    for (what, body) in [
        (
            "storefront, no token",
            encode(&[("token_type_hint", "refresh_token")]),
        ),
        ("storefront, empty token", encode(&[("token", "")])),
        (
            "partner, no token",
            encode(&[("client_id", &acme.id), ("client_secret", acme.secret())]),
        ),
    ] {
        let response = oauth.form("/token/revoke", &body).send().await;

        assert_eq!(response.status.as_u16(), 400, "{what}: {}", response.text);
        assert_oauth_error(&response, 400, "invalid_request");
    }
}

#[tokio::test]
async fn a_revocation_with_bad_client_credentials_is_invalid_client_and_revokes_nothing() {
    let app = spawn_app().await;
    let acme = partner(
        &app,
        &["customers:read", "tokens:introspect"],
        AuthMethod::Basic,
    )
    .await;
    let oauth = OAuth::new(&app);
    let token = oauth.partner_token(&acme).await;

    for (what, who) in [
        ("a wrong secret", acme.with_secret("wrong")),
        (
            "an unknown client",
            Registered {
                id: "nobody".to_owned(),
                ..acme.clone()
            },
        ),
    ] {
        let result = oauth.revoke(&who, access(&token)).await;

        assert_eq!(error_code(result), "invalid_client", "{what}");
        assert_invalid_client(&oauth.last());
    }
    assert_eq!(oauth.introspection(&acme, &token).await["active"], true);
}
