//! Authorization server metadata (RFC 8414), and the form shapes the OpenAPI document shows.

use serde::Serialize;
use utoipa::ToSchema;

use crate::clients::service::PARTNER_SCOPES;
use crate::settings::Settings;

/// What a partner needs to find the endpoints and verify tokens offline.
#[derive(Debug, Serialize, ToSchema)]
pub struct Metadata {
    issuer: String,
    token_endpoint: String,
    jwks_uri: String,
    revocation_endpoint: String,
    introspection_endpoint: String,
    /// No authorization endpoint: no response types.
    response_types_supported: Vec<&'static str>,
    grant_types_supported: Vec<&'static str>,
    token_endpoint_auth_methods_supported: Vec<&'static str>,
    revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    introspection_endpoint_auth_methods_supported: Vec<&'static str>,
    scopes_supported: Vec<&'static str>,
}

impl Metadata {
    pub fn new(settings: &Settings) -> Self {
        let base = &settings.server.public_url;
        let client_auth = vec!["client_secret_basic", "client_secret_post", "none"];
        let mut scopes = vec![crate::auth::tokens::CUSTOMER_SCOPE];
        scopes.extend_from_slice(PARTNER_SCOPES);
        Self {
            issuer: settings.tokens.issuer.clone(),
            token_endpoint: format!("{base}/token"),
            jwks_uri: format!("{base}/.well-known/jwks.json"),
            revocation_endpoint: format!("{base}/token/revoke"),
            introspection_endpoint: format!("{base}/token/introspect"),
            response_types_supported: Vec::new(),
            grant_types_supported: vec!["password", "refresh_token", "client_credentials"],
            token_endpoint_auth_methods_supported: client_auth.clone(),
            revocation_endpoint_auth_methods_supported: client_auth,
            introspection_endpoint_auth_methods_supported: vec![
                "client_secret_basic",
                "client_secret_post",
            ],
            scopes_supported: scopes,
        }
    }
}

/// `POST /token` form fields (RFC 6749 §4.3, §4.4, §6).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenRequestDoc {
    #[schema(example = "password")]
    grant_type: GrantType,
    /// password grant
    #[schema(format = Email)]
    username: Option<String>,
    /// password grant
    password: Option<String>,
    /// refresh_token grant
    refresh_token: Option<String>,
    /// Space-separated; at most the client's scopes.
    scope: Option<String>,
    /// Optional for the storefront client; with `client_secret` for client_secret_post.
    client_id: Option<String>,
    /// client_secret_post clients only (Basic clients send it in the Authorization header).
    client_secret: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum GrantType {
    Password,
    RefreshToken,
    ClientCredentials,
}

/// `POST /token/revoke` and `/token/introspect` form fields (RFC 7009 §2.1, RFC 7662 §2.1).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenTypeHintDoc {
    token: String,
    /// `access_token` or `refresh_token`; a wrong or unknown hint is ignored.
    token_type_hint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}
