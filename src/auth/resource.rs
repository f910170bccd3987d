//! The `access-tokens` and `refresh-tokens` resources (reference §2.11-§2.12).

use serde::Serialize;
use utoipa::ToSchema;

use super::service::TokenPair;
use crate::jsonapi::{Resource, ResourceKind};

pub struct AccessTokens;
impl ResourceKind for AccessTokens {
    const TYPE: &'static str = "access-tokens";
}

pub struct RefreshTokens;
impl ResourceKind for RefreshTokens {
    const TYPE: &'static str = "refresh-tokens";
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenAttributes {
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 28800)]
    pub expires_in: i64,
    pub access_token: String,
    pub refresh_token: String,
}

/// Spryker sends `id: null`; JSON:API requires a string id, so the resource is identified by
/// the access token's `jti`.
pub fn token_resource(kind: &'static str, pair: TokenPair, public_url: &str) -> Resource {
    let attributes = TokenAttributes {
        token_type: "Bearer",
        expires_in: pair.expires_in,
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
    };
    Resource::new(kind, pair.id, &attributes, format!("{public_url}/{kind}"))
}

#[derive(ToSchema)]
#[schema(as = AccessTokenRequestAttributes)]
#[allow(dead_code)]
pub struct LoginDoc {
    #[schema(example = "sonia@example.com")]
    username: String,
    password: String,
}

#[derive(ToSchema)]
#[schema(as = RefreshTokenRequestAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RefreshDoc {
    refresh_token: String,
}
