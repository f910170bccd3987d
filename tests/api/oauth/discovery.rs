//! Authorization server metadata (RFC 8414) and the JWK set (RFC 7517): a partner finds the
//! endpoints and verifies access tokens offline (checklist C10).

use glue_customers::clients::model::AuthMethod;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, TokenResponse, TokenUrl};
use serde_json::{json, Value};

use super::{partner, shopper, OAuth};
use crate::helpers::{spawn_app, TestApp};

async fn fetch(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).send().await;
    assert_eq!(response.status.as_u16(), 200, "{path}: {}", response.text);
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "{path}"
    );
    response.body
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

#[tokio::test]
async fn metadata_names_the_endpoints_under_the_apps_address_and_what_they_support() {
    let app = spawn_app().await;

    let metadata = fetch(&app, "/.well-known/oauth-authorization-server").await;

    let at = |path: &str| json!(format!("{}{path}", app.address));
    assert_eq!(metadata["issuer"], json!(app.address));
    assert_eq!(metadata["token_endpoint"], at("/token"));
    assert_eq!(metadata["revocation_endpoint"], at("/token/revoke"));
    assert_eq!(metadata["introspection_endpoint"], at("/token/introspect"));
    assert_eq!(metadata["jwks_uri"], at("/.well-known/jwks.json"));
    assert_eq!(
        strings(&metadata["grant_types_supported"]),
        ["password", "refresh_token", "client_credentials"]
    );
    let token_auth = strings(&metadata["token_endpoint_auth_methods_supported"]);
    for method in ["client_secret_basic", "client_secret_post", "none"] {
        assert!(token_auth.contains(&method), "{token_auth:?}");
    }
    let introspection_auth = strings(&metadata["introspection_endpoint_auth_methods_supported"]);
    assert!(introspection_auth.contains(&"client_secret_basic"));
    assert!(
        !introspection_auth.contains(&"none"),
        "introspection needs a confidential client"
    );
    let scopes = strings(&metadata["scopes_supported"]);
    for scope in [
        "customer",
        "customers:read",
        "customers:write",
        "tokens:introspect",
    ] {
        assert!(scopes.contains(&scope), "{scopes:?}");
    }
}

#[tokio::test]
async fn a_partner_configured_from_the_metadata_alone_gets_a_token() {
    let app = spawn_app().await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let oauth = OAuth::new(&app);
    let metadata = fetch(&app, "/.well-known/oauth-authorization-server").await;
    let token_endpoint = metadata["token_endpoint"].as_str().expect("token_endpoint");

    let client = BasicClient::new(ClientId::new(acme.id.clone()))
        .set_client_secret(ClientSecret::new(acme.secret().to_owned()))
        .set_token_uri(TokenUrl::new(token_endpoint.to_owned()).expect("URL"));
    let tokens = client
        .exchange_client_credentials()
        .request_async(&oauth.wire)
        .await
        .expect("a token");

    assert!(!tokens.access_token().secret().is_empty());
}

#[tokio::test]
async fn the_jwks_verifies_the_tokens_of_customers_and_partners() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Post).await;
    let oauth = OAuth::new(&app);
    let customer_token = oauth.log_in(&email).await.access_token().secret().clone();
    let partner_token = oauth.partner_token(&acme).await;
    let metadata = fetch(&app, "/.well-known/oauth-authorization-server").await;
    let jwks_path = metadata["jwks_uri"]
        .as_str()
        .and_then(|uri| uri.strip_prefix(&app.address))
        .expect("the JWKS is served by the app")
        .to_owned();

    let document = fetch(&app, &jwks_path).await;

    let jwks: JwkSet = serde_json::from_value(document.clone()).expect("a JWK set");
    for key in document["keys"].as_array().expect("keys") {
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(
                key.get(private).is_none(),
                "the JWKS leaks `{private}`: {key}"
            );
        }
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[app.address.as_str()]);
    validation.set_audience(&["frontend"]);
    for (token, subject) in [
        (&customer_token, reference.as_str()),
        (&partner_token, acme.id.as_str()),
    ] {
        let header = jsonwebtoken::decode_header(token).expect("a JWS header");
        assert_eq!(header.alg, Algorithm::RS256);
        let kid = header.kid.expect("the token names its key");
        let jwk = jwks.find(&kid).expect("the JWKS has the token's key");
        let key = DecodingKey::from_jwk(jwk).expect("an RSA public key");

        let data = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .unwrap_or_else(|e| panic!("{subject}: the token does not verify: {e}"));

        assert_eq!(data.claims["sub"], subject);
    }
    // A token changed after signing does not verify with it.
    let tampered = {
        let mut parts: Vec<String> = partner_token.split('.').map(str::to_owned).collect();
        let mut claims = super::claims(&partner_token);
        claims["scope"] = json!("customers:read customers:write");
        parts[1] = base64_url(&serde_json::to_vec(&claims).expect("JSON"));
        parts.join(".")
    };
    let kid = jsonwebtoken::decode_header(&tampered)
        .expect("header")
        .kid
        .expect("kid");
    let key = DecodingKey::from_jwk(jwks.find(&kid).expect("key")).expect("key");
    assert!(jsonwebtoken::decode::<Value>(&tampered, &key, &validation).is_err());
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn the_discovery_documents_may_be_cached_and_are_get_only() {
    let app = spawn_app().await;

    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/jwks.json",
    ] {
        let response = app.get(path).send().await;
        assert_eq!(response.status.as_u16(), 200);
        let cache = response.header("cache-control").unwrap_or_default();
        assert!(cache.contains("public"), "{path}: {cache}");

        let post = app.request(reqwest::Method::POST, path).send().await;
        assert_eq!(post.status.as_u16(), 405, "{path}");
        assert!(
            post.header("allow").is_some_and(|a| a.contains("GET")),
            "{path}"
        );
    }
}
