//! Malformed requests to `POST /token` (RFC 6749 §3.2, §5.2; checklist B1-B6, B11): each is
//! `invalid_request` (or 405/413), uncached plain JSON (B8, B10).

use glue_customers::clients::model::AuthMethod;
use oauth2::{ResourceOwnerPassword, ResourceOwnerUsername};
use reqwest::Method;

use super::{
    assert_no_store_json, assert_oauth_error, encode, error_code, partner, shopper, OAuth,
    Registered, FORM,
};
use crate::helpers::{spawn_app, PASSWORD};

/// A password grant body for `email`.
pub fn password_body(email: &str) -> String {
    encode(&[
        ("grant_type", "password"),
        ("username", email),
        ("password", PASSWORD),
    ])
}

#[tokio::test]
async fn malformed_token_requests_are_invalid_request() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let valid = password_body(&email);
    let json =
        serde_json::json!({"grant_type": "password", "username": email, "password": PASSWORD})
            .to_string();

    let form = Some(FORM);
    // (what, query string, content type, body)
    let cases: Vec<(&str, &str, Option<&str>, Vec<u8>)> = vec![
        (
            "no grant_type",
            "",
            form,
            encode(&[("username", &email), ("password", PASSWORD)]).into(),
        ),
        (
            "empty grant_type",
            "",
            form,
            format!("grant_type=&{valid}").into(),
        ),
        (
            "no username",
            "",
            form,
            "grant_type=password&password=x".into(),
        ),
        (
            "no password",
            "",
            form,
            encode(&[("grant_type", "password"), ("username", &email)]).into(),
        ),
        (
            "a repeated username",
            "",
            form,
            format!("{valid}&username=other%40example.com").into(),
        ),
        (
            "a repeated grant_type",
            "",
            form,
            format!("{valid}&grant_type=password").into(),
        ),
        (
            "a repeated identical parameter",
            "",
            form,
            format!("{valid}&password={PASSWORD}").into(),
        ),
        (
            "no refresh_token",
            "",
            form,
            "grant_type=refresh_token".into(),
        ),
        (
            "an empty refresh_token",
            "",
            form,
            "grant_type=refresh_token&refresh_token=".into(),
        ),
        ("a JSON body", "", Some("application/json"), json.into()),
        ("no Content-Type", "", None, valid.clone().into()),
        (
            "multipart",
            "",
            Some("multipart/form-data; boundary=x"),
            valid.clone().into(),
        ),
        (
            "another charset",
            "",
            Some("application/x-www-form-urlencoded; charset=latin1"),
            valid.clone().into(),
        ),
        (
            "client_secret in the URL",
            "?client_secret=s3cret",
            form,
            valid.clone().into(),
        ),
        (
            "password in the URL",
            "?password=x",
            form,
            valid.clone().into(),
        ),
        (
            "a body that is not UTF-8",
            "",
            form,
            b"grant_type=password&username=\xff&password=x".to_vec(),
        ),
    ];
    for (what, query, content_type, body) in cases {
        let mut request = app.request(Method::POST, &format!("/token{query}"));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }

        let response = request.raw_body(body).send().await;

        assert_eq!(response.status.as_u16(), 400, "{what}: {}", response.text);
        assert_oauth_error(&response, 400, "invalid_request");
    }
    // The valid body itself is fine: the cases above fail for their one fault only.
    let response = oauth.form("/token", &valid).send().await;
    assert_no_store_json(&response, 200);
}

#[tokio::test]
async fn a_parameter_sent_empty_counts_as_missing() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();

    for (what, username, password) in [
        ("empty username", "", PASSWORD),
        ("empty password", email.as_str(), ""),
    ] {
        let result = oauth.password(&storefront, username, password).await;

        assert_eq!(error_code(result), "invalid_request", "{what}");
        assert_oauth_error(&oauth.last(), 400, "invalid_request");
    }
}

#[tokio::test]
async fn a_parameter_repeated_by_the_client_library_is_invalid_request() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let (username, password) = (
        ResourceOwnerUsername::new(email),
        ResourceOwnerPassword::new(PASSWORD.to_owned()),
    );

    let result = oauth
        .client(&Registered::storefront())
        .exchange_password(&username, &password)
        .add_extra_param("username", "other@example.com")
        .request_async(&oauth.wire)
        .await;

    assert_eq!(error_code(result), "invalid_request");
    assert_oauth_error(&oauth.last(), 400, "invalid_request");
}

#[tokio::test]
async fn basic_authentication_plus_a_secret_or_another_id_in_the_body_is_invalid_request() {
    let app = spawn_app().await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let oauth = OAuth::new(&app);
    let client = oauth.client(&acme);

    for (what, name, value) in [
        ("the secret in the body too", "client_secret", acme.secret()),
        ("another client_id in the body", "client_id", "frontend"),
    ] {
        let result = client
            .exchange_client_credentials()
            .add_extra_param(name, value.to_owned())
            .request_async(&oauth.wire)
            .await;

        assert_eq!(error_code(result), "invalid_request", "{what}");
        assert_oauth_error(&oauth.last(), 400, "invalid_request");
    }
    // Its own id in the body as well is no second mechanism.
    let result = client
        .exchange_client_credentials()
        .add_extra_param("client_id", acme.id.clone())
        .request_async(&oauth.wire)
        .await;
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn only_post_reaches_the_token_endpoints() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let query = password_body(&email);

    for (method, path) in [
        (Method::GET, format!("/token?{query}")),
        (Method::PUT, "/token".to_owned()),
        (Method::DELETE, "/token".to_owned()),
        (Method::PATCH, "/token".to_owned()),
        (Method::GET, "/token/revoke".to_owned()),
        (Method::PUT, "/token/introspect".to_owned()),
    ] {
        let response = app
            .request(method.clone(), &path)
            .header("content-type", FORM)
            .raw_body(query.clone())
            .send()
            .await;

        assert_eq!(
            response.status.as_u16(),
            405,
            "{method} {path}: {}",
            response.text
        );
        assert_no_store_json(&response, 405);
        assert_eq!(
            response.header("allow"),
            Some("POST, OPTIONS"),
            "{method} {path}"
        );
        assert!(response.body.get("access_token").is_none());
        assert!(response.body["error"].is_string(), "{}", response.text);
    }
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413_in_oauth_form() {
    let app = spawn_app().await;
    let oauth = OAuth::new(&app);
    let filler = "a".repeat(1024 * 1024);

    let response = oauth
        .form("/token", &format!("grant_type=password&foo={filler}"))
        .send()
        .await;

    assert_oauth_error(&response, 413, "invalid_request");
}
