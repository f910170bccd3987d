//! `POST /token/introspect` (RFC 7662; checklist B30, B31): live tokens with what a resource
//! server needs, dead ones as `{"active":false}` and nothing more, and who may ask.

use oauth2::TokenResponse as _;
use std::time::Duration;

use glue_customers::clients::model::AuthMethod;
use oauth2::{RefreshToken, TokenIntrospectionResponse};
use serde_json::Value;

use super::{
    assert_inactive, assert_invalid_client, assert_oauth_error, basic, claims, encode, error_code,
    inspector, partner, refresh_of, shopper, OAuth, Registered,
};
use crate::helpers::{spawn_app, spawn_app_with};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `active: true` with exactly these members' values, and `exp`/`iat` around now.
#[track_caller]
fn assert_active(body: &Value, scope: &str, client_id: &str, sub: &str, token_type: &str) {
    assert_eq!(body["active"], true, "{body}");
    assert_eq!(body["scope"], scope, "{body}");
    assert_eq!(body["client_id"], client_id, "{body}");
    assert_eq!(body["sub"], sub, "{body}");
    assert!(
        body["token_type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(token_type)),
        "{body}"
    );
    let (exp, iat) = (body["exp"].as_i64(), body["iat"].as_i64());
    let (exp, iat) = (exp.expect("exp a number"), iat.expect("iat a number"));
    assert!(iat <= now() + 1 && iat > now() - 60, "{body}");
    assert!(exp > now(), "{body}");
}

#[tokio::test]
async fn a_live_customer_access_token_is_active_with_its_scope_client_subject_and_times() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let watcher = inspector(&app).await;
    let oauth = OAuth::new(&app);
    let token = oauth.log_in(&email).await.access_token().secret().clone();

    let body = oauth.introspection(&watcher, &token).await;

    assert_active(&body, "customer", "frontend", &reference, "bearer");
    let claims = claims(&token);
    assert_eq!(body["exp"], claims["exp"]);
    assert_eq!(body["iat"], claims["iat"]);
    // What the oauth2 crate reads from it.
    let parsed = oauth
        .introspect(&watcher, &token)
        .await
        .expect("introspection");
    assert!(parsed.active());
    assert_eq!(parsed.sub(), Some(reference.as_str()));
    assert_eq!(parsed.client_id().map(|c| c.as_str()), Some("frontend"));
}

#[tokio::test]
async fn a_live_refresh_token_is_active() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let watcher = inspector(&app).await;
    let oauth = OAuth::new(&app);
    let token = refresh_of(&oauth.log_in(&email).await);

    let body = oauth.introspection(&watcher, &token).await;

    assert_active(&body, "customer", "frontend", &reference, "refresh_token");
    // Introspecting does not spend it.
    assert!(oauth
        .refresh(&Registered::storefront(), &token)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_live_client_token_is_active_and_names_its_client() {
    let app = spawn_app().await;
    let acme = partner(
        &app,
        &["customers:read", "customers:write"],
        AuthMethod::Post,
    )
    .await;
    let watcher = inspector(&app).await;
    let oauth = OAuth::new(&app);
    let token = oauth.partner_token(&acme).await;

    let body = oauth.introspection(&watcher, &token).await;

    assert_active(
        &body,
        "customers:read customers:write",
        &acme.id,
        &acme.id,
        "bearer",
    );
    // A client_secret_post client may introspect by its own method.
    let own = partner(&app, &["tokens:introspect"], AuthMethod::Post).await;
    assert_eq!(oauth.introspection(&own, &token).await["active"], true);
}

#[tokio::test]
async fn revoked_spent_and_garbage_tokens_are_only_active_false() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let watcher = inspector(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    // A session revoked through its refresh token: both its tokens.
    let revoked = oauth.log_in(&email).await;
    let revoked_refresh = refresh_of(&revoked);
    oauth
        .revoke(
            &storefront,
            RefreshToken::new(revoked_refresh.clone()).into(),
        )
        .await
        .expect("revoked");
    // A refresh token spent by rotation (its session lives on).
    let spent = refresh_of(&oauth.log_in(&email).await);
    let rotated = oauth.refresh(&storefront, &spent).await.expect("rotated");
    let forged = {
        let token = rotated.access_token().secret();
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[2] = "c2lnbmF0dXJl";
        parts.join(".")
    };

    for (what, token) in [
        (
            "a revoked session's access token",
            revoked.access_token().secret().as_str(),
        ),
        ("a revoked refresh token", revoked_refresh.as_str()),
        ("a spent refresh token", spent.as_str()),
        ("garbage", "garbage"),
        ("a JWT with a wrong signature", forged.as_str()),
        ("an empty-looking JWT", "a.b.c"),
    ] {
        let body = oauth.introspection(&watcher, token).await;

        assert_inactive(&body, what);
    }
    // The session the spent token belonged to is live.
    let live = oauth.introspection(&watcher, &refresh_of(&rotated)).await;
    assert_eq!(live["active"], true);
}

#[tokio::test]
async fn expired_tokens_are_inactive() {
    let app = spawn_app_with(&[
        ("GLUE_CLIENT_TOKEN_TTL", "1"),
        ("GLUE_ACCESS_TOKEN_TTL", "1"),
        ("GLUE_REFRESH_TOKEN_TTL", "1"),
    ])
    .await;
    let (email, _) = shopper(&app).await;
    let acme = partner(
        &app,
        &["customers:read", "tokens:introspect"],
        AuthMethod::Basic,
    )
    .await;
    let oauth = OAuth::new(&app);
    let client_token = oauth.partner_token(&acme).await;
    let login = oauth.log_in(&email).await;
    let (access, refresh) = (login.access_token().secret().clone(), refresh_of(&login));
    for token in [&client_token, &access, &refresh] {
        assert_eq!(oauth.introspection(&acme, token).await["active"], true);
    }

    tokio::time::sleep(Duration::from_secs(2)).await;

    for (what, token) in [
        ("an expired client token", &client_token),
        ("an expired customer access token", &access),
        ("an expired refresh token", &refresh),
    ] {
        assert_inactive(&oauth.introspection(&acme, token).await, what);
    }
    let refreshed = oauth.refresh(&Registered::storefront(), &refresh).await;
    assert_eq!(
        error_code(refreshed),
        "invalid_grant",
        "an expired refresh token"
    );
}

#[tokio::test]
async fn a_wrong_type_hint_does_not_hide_a_live_token() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let watcher = inspector(&app).await;
    let oauth = OAuth::new(&app);
    let login = oauth.log_in(&email).await;
    let client = oauth.client(&watcher);

    for (token, hint) in [
        (login.access_token().secret().clone(), "refresh_token"),
        (refresh_of(&login), "access_token"),
        (refresh_of(&login), "foo"),
    ] {
        let token = oauth2::AccessToken::new(token);
        let answer = client
            .introspect(&token)
            .set_token_type_hint(hint)
            .request_async(&oauth.wire)
            .await
            .expect("introspection");

        assert!(answer.active(), "hint {hint}");
    }
}

#[tokio::test]
async fn introspection_without_client_authentication_is_401() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let acme = inspector(&app).await;
    let oauth = OAuth::new(&app);
    let token = oauth.log_in(&email).await.access_token().secret().clone();

    let cases = [
        ("no client at all", encode(&[("token", &token)]), None),
        (
            "the public storefront client",
            encode(&[("token", &token), ("client_id", "frontend")]),
            None,
        ),
        (
            "a client id without its secret",
            encode(&[("token", &token), ("client_id", &acme.id)]),
            None,
        ),
        (
            "a wrong secret",
            encode(&[("token", &token)]),
            Some(basic(&acme.id, "wrong")),
        ),
        (
            "an unknown client",
            encode(&[("token", &token)]),
            Some(basic("nobody", "x")),
        ),
    ];
    for (what, body, authorization) in cases {
        let mut request = oauth.form("/token/introspect", &body);
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }

        let response = request.send().await;

        assert_eq!(response.status.as_u16(), 401, "{what}: {}", response.text);
        assert_invalid_client(&response);
        assert!(
            response.body.get("active").is_none(),
            "{what}: says nothing of the token"
        );
    }
}

#[tokio::test]
async fn a_client_without_the_introspection_scope_gets_403() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let reader = partner(
        &app,
        &["customers:read", "customers:write"],
        AuthMethod::Basic,
    )
    .await;
    let oauth = OAuth::new(&app);
    let token = oauth.log_in(&email).await.access_token().secret().clone();

    let result = oauth.introspect(&reader, &token).await;

    assert_eq!(error_code(result), "insufficient_scope");
    let response = oauth.last();
    assert_oauth_error(&response, 403, "insufficient_scope");
    assert!(response.body.get("active").is_none());
    // Its own token it may not introspect either.
    let own = oauth.partner_token(&reader).await;
    assert_eq!(
        error_code(oauth.introspect(&reader, &own).await),
        "insufficient_scope"
    );
}

#[tokio::test]
async fn an_introspection_without_a_token_is_invalid_request() {
    let app = spawn_app().await;
    let watcher = inspector(&app).await;
    let oauth = OAuth::new(&app);

    for body in ["", "token=", "token_type_hint=access_token"] {
        let response = oauth
            .form("/token/introspect", body)
            .header("authorization", &basic(&watcher.id, watcher.secret()))
            .send()
            .await;

        assert_oauth_error(&response, 400, "invalid_request");
    }
}
