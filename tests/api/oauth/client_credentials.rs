//! The client_credentials grant of partner clients (RFC 6749 §4.4; checklist B9, B12, B34,
//! C11): authentication by the registered method, the token's claims, and what it opens.

use oauth2::TokenResponse as _;
use std::collections::BTreeSet;

use glue_customers::clients::model::AuthMethod;
use serde_json::{json, Value};

use super::{
    assert_bearer, assert_token_answer, claims, partner, shopper, OAuth, CLIENT_TOKEN_TTL,
};
use crate::helpers::{spawn_app, spawn_app_with, JSON_API};

fn scope_set(scope: &Value) -> BTreeSet<String> {
    scope
        .as_str()
        .expect("scope is a string")
        .split(' ')
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_partner_gets_a_token_of_its_scopes_by_its_registered_method_without_a_refresh_token() {
    let app = spawn_app().await;
    let scopes = ["customers:read", "customers:write"];
    let oauth = OAuth::new(&app);

    for method in [AuthMethod::Basic, AuthMethod::Post] {
        let acme = partner(&app, &scopes, method).await;

        let tokens = oauth
            .client_credentials(&acme, &[])
            .await
            .unwrap_or_else(|e| panic!("{method:?}: {e:?}"));

        let response = oauth.last();
        assert_token_answer(
            &response,
            CLIENT_TOKEN_TTL,
            "customers:read customers:write",
        );
        assert!(
            response.body.get("refresh_token").is_none(),
            "no refresh token for client_credentials: {}",
            response.text
        );
        assert!(tokens.refresh_token().is_none());
        assert_bearer(&tokens, "customers:read customers:write");
    }
}

#[tokio::test]
async fn a_partner_token_names_the_client_and_its_scopes_and_no_session() {
    let app = spawn_app().await;
    let acme = partner(
        &app,
        &["customers:read", "tokens:introspect"],
        AuthMethod::Basic,
    )
    .await;
    let oauth = OAuth::new(&app);

    let token = oauth.partner_token(&acme).await;

    let claims = claims(&token);
    assert_eq!(claims["sub"], json!(acme.id));
    assert_eq!(claims["client_id"], json!(acme.id));
    assert_eq!(
        scope_set(&claims["scope"]),
        BTreeSet::from(["customers:read".to_owned(), "tokens:introspect".to_owned()])
    );
    assert!(claims.get("sid").is_none(), "no login session: {claims}");
    assert_eq!(claims["iss"], json!(app.address));
    let lifetime = claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat");
    assert_eq!(lifetime, CLIENT_TOKEN_TTL as i64);
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
}

#[tokio::test]
async fn a_requested_subset_of_scopes_is_granted_exactly() {
    let app = spawn_app().await;
    let all = ["customers:read", "customers:write", "tokens:introspect"];
    let acme = partner(&app, &all, AuthMethod::Post).await;
    let oauth = OAuth::new(&app);

    for requested in [
        &["customers:read"][..],
        &["tokens:introspect"],
        &["customers:write", "customers:read"],
        &["customers:read", "customers:read"],
        &all,
    ] {
        let token = oauth
            .client_credentials(&acme, requested)
            .await
            .unwrap_or_else(|e| panic!("{requested:?}: {e:?}"));

        let expected: BTreeSet<String> = requested.iter().map(|s| (*s).to_owned()).collect();
        let response = oauth.last();
        assert_eq!(
            scope_set(&response.body["scope"]),
            expected,
            "{requested:?}"
        );
        assert_eq!(
            scope_set(&claims(token.access_token().secret())["scope"]),
            expected,
            "{requested:?}"
        );
    }
}

#[tokio::test]
async fn a_partner_token_cannot_read_a_customer_resource() {
    let app = spawn_app().await;
    let (_, reference) = shopper(&app).await;
    let acme = partner(
        &app,
        &["customers:read", "customers:write"],
        AuthMethod::Basic,
    )
    .await;
    let token = OAuth::new(&app).partner_token(&acme).await;

    for path in ["/customers".to_owned(), format!("/customers/{reference}")] {
        let response = app.get(&path).bearer(&token).send().await;

        response.assert_error(403, None);
        assert_eq!(response.header("content-type"), Some(JSON_API), "{path}");
        let challenge = response
            .header("www-authenticate")
            .unwrap_or_else(|| panic!("{path}: a 403 for a weak token names the scope"));
        assert!(challenge.starts_with("Bearer realm=\""), "{challenge}");
        assert!(
            challenge.contains(r#"error="insufficient_scope""#),
            "{challenge}"
        );
        assert!(challenge.contains(r#"scope="customer""#), "{challenge}");
        assert!(
            !response.text.contains(&reference),
            "{path}: no customer data"
        );
    }
    // Nor may it change one.
    let patch = app
        .patch(
            &format!("/customers/{reference}"),
            &json!({"data": {"type": "customers", "id": reference, "attributes": {"firstName": "Mallory"}}}),
        )
        .bearer(&token)
        .send()
        .await;
    patch.assert_error(403, None);
    assert_eq!(
        app.customer_row(&reference).await.first_name.as_deref(),
        Some("Sonia")
    );
}

#[tokio::test]
async fn the_client_token_lifetime_is_a_setting() {
    let app = spawn_app_with(&[("GLUE_CLIENT_TOKEN_TTL", "120")]).await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let oauth = OAuth::new(&app);

    let token = oauth.partner_token(&acme).await;

    assert_token_answer(&oauth.last(), 120, "customers:read");
    let claims = claims(&token);
    assert_eq!(
        claims["exp"]
            .as_i64()
            .zip(claims["iat"].as_i64())
            .map(|(e, i)| e - i),
        Some(120)
    );
}
