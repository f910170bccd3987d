//! Well-formed token requests refused for what they say (RFC 6749 §5.2; checklist B12-B16):
//! `invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`,
//! `invalid_grant`, each uncached plain JSON (B8, B10).

use glue_customers::clients::model::AuthMethod;
use oauth2::{AuthType, ResourceOwnerPassword, ResourceOwnerUsername};

use super::{
    assert_invalid_client, assert_oauth_error, basic, encode, error_code, partner, shopper, OAuth,
    Registered, TokenResult,
};
use crate::helpers::{spawn_app, PASSWORD};

/// 401 `invalid_client`, the same answer for each way client authentication fails.
#[tokio::test]
async fn failed_client_authentication_is_one_and_the_same_invalid_client() {
    let app = spawn_app().await;
    let basic_partner = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let post_partner = partner(&app, &["customers:read"], AuthMethod::Post).await;
    let oauth = OAuth::new(&app);
    let unknown = Registered {
        id: "no-such-client".to_owned(),
        ..basic_partner.clone()
    };

    let cases = [
        (
            "a wrong secret via Basic",
            basic_partner.with_secret("wrong"),
        ),
        ("an unknown client id via Basic", unknown.clone()),
        (
            "an unknown client id in the body",
            unknown.with_auth(AuthType::RequestBody),
        ),
        (
            "a Basic client sending its secret in the body",
            basic_partner.with_auth(AuthType::RequestBody),
        ),
        (
            "a client_secret_post client using Basic",
            post_partner.with_auth(AuthType::BasicAuth),
        ),
        (
            "a wrong secret in the body",
            post_partner.with_secret("wrong"),
        ),
        (
            "the storefront presenting a secret",
            Registered::storefront().with_secret("anything"),
        ),
    ];
    let mut answers = Vec::new();
    for (what, who) in cases {
        let result = oauth.client_credentials(&who, &[]).await;

        assert_eq!(error_code(result), "invalid_client", "{what}");
        let response = oauth.last();
        assert_invalid_client(&response);
        answers.push((what, response.text));
    }
    for (what, text) in &answers[1..] {
        assert_eq!(text, &answers[0].1, "{what} vs {}", answers[0].0);
    }
    // Both partners do get tokens the way they were registered.
    for who in [&basic_partner, &post_partner] {
        assert!(oauth.client_credentials(who, &[]).await.is_ok());
    }
}

#[tokio::test]
async fn a_confidential_client_without_credentials_or_with_an_unreadable_basic_header_is_invalid_client(
) {
    let app = spawn_app().await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let oauth = OAuth::new(&app);
    let no_secret = encode(&[
        ("grant_type", "client_credentials"),
        ("client_id", &acme.id),
    ]);
    let just_grant = "grant_type=client_credentials";

    for (what, authorization, body) in [
        ("client_id alone", None, no_secret.as_str()),
        (
            "Basic that is not base64",
            Some("Basic %%%".to_owned()),
            just_grant,
        ),
        (
            "Basic without a colon",
            Some(format!("Basic {}", "YWNtZQ==")),
            just_grant,
        ),
        (
            "Basic with an empty secret",
            Some(basic(&acme.id, "")),
            just_grant,
        ),
    ] {
        let mut request = oauth.form("/token", body);
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }

        let response = request.send().await;

        assert_eq!(response.status.as_u16(), 401, "{what}: {}", response.text);
        assert_invalid_client(&response);
    }
}

#[tokio::test]
async fn a_grant_the_client_may_not_use_is_unauthorized_client() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let oauth = OAuth::new(&app);

    let storefront_credentials = oauth
        .client_credentials(&Registered::storefront(), &[])
        .await;
    assert_eq!(error_code(storefront_credentials), "unauthorized_client");
    assert_oauth_error(&oauth.last(), 400, "unauthorized_client");

    let partner_password = oauth.password(&acme, &email, PASSWORD).await;
    assert_eq!(error_code(partner_password), "unauthorized_client");
    assert_oauth_error(&oauth.last(), 400, "unauthorized_client");

    let partner_refresh = oauth.refresh(&acme, "some-refresh-token").await;
    assert_eq!(error_code(partner_refresh), "unauthorized_client");
    assert_oauth_error(&oauth.last(), 400, "unauthorized_client");
}

#[tokio::test]
async fn a_grant_type_the_server_does_not_know_is_unsupported_grant_type() {
    let app = spawn_app().await;
    let oauth = OAuth::new(&app);

    for grant_type in [
        "foo",
        "authorization_code",
        "urn:ietf:params:oauth:grant-type:device_code",
        "PASSWORD",
    ] {
        let body = encode(&[("grant_type", grant_type), ("code", "x"), ("username", "a")]);

        let response = oauth.form("/token", &body).send().await;

        assert_eq!(
            response.status.as_u16(),
            400,
            "{grant_type}: {}",
            response.text
        );
        assert_oauth_error(&response, 400, "unsupported_grant_type");
    }
}

#[tokio::test]
async fn a_scope_beyond_the_clients_is_invalid_scope_never_silently_dropped() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let reader = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let oauth = OAuth::new(&app);
    let (username, password) = (
        ResourceOwnerUsername::new(email),
        ResourceOwnerPassword::new(PASSWORD.to_owned()),
    );
    let storefront = oauth.client(&Registered::storefront());

    for scopes in [&["admin"][..], &["customers:read"], &["customer", "admin"]] {
        let result = storefront
            .exchange_password(&username, &password)
            .add_scopes(scopes.iter().map(|s| oauth2::Scope::new((*s).to_owned())))
            .request_async(&oauth.wire)
            .await;

        assert_eq!(
            error_code(result),
            "invalid_scope",
            "storefront asking {scopes:?}"
        );
        assert_oauth_error(&oauth.last(), 400, "invalid_scope");
    }
    for scopes in [
        &["admin"][..],
        &["customers:write"],
        &["customers:read", "customers:write"],
        &["customer"],
    ] {
        let result = oauth.client_credentials(&reader, scopes).await;

        assert_eq!(
            error_code(result),
            "invalid_scope",
            "partner asking {scopes:?}"
        );
        assert_oauth_error(&oauth.last(), 400, "invalid_scope");
    }
    // Its own scope it gets.
    assert!(oauth
        .client_credentials(&reader, &["customers:read"])
        .await
        .is_ok());
}

/// The invalid_grant answers of `/token` for credentials that are wrong in content.
#[tokio::test]
async fn wrong_credentials_or_a_dead_refresh_token_are_invalid_grant() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();

    let check = |what: &str, result: TokenResult| {
        assert_eq!(error_code(result), "invalid_grant", "{what}");
        assert_oauth_error(&oauth.last(), 400, "invalid_grant");
    };
    check(
        "wrong password",
        oauth.password(&storefront, &email, "Wrong!Passw0rd").await,
    );
    check(
        "unknown email",
        oauth
            .password(&storefront, "nobody@example.com", PASSWORD)
            .await,
    );
    check(
        "an injection as username",
        oauth.password(&storefront, "' OR 1=1--", PASSWORD).await,
    );
    check(
        "garbage refresh token",
        oauth.refresh(&storefront, "garbage").await,
    );
    check(
        "a JWT as refresh token",
        oauth.refresh(&storefront, "a.b.c").await,
    );
}
