//! The `access-tokens` and `refresh-tokens` resources (reference §2.11-§2.12).

use serde::Serialize;
use utoipa::openapi::schema::Object;
use utoipa::ToSchema;

use super::service::TokenPair;
use crate::jsonapi::openapi::type_schema;
use crate::jsonapi::{Resource, ResourceKind};
use crate::validation::{schema, Rule};

pub struct AccessTokens;
impl ResourceKind for AccessTokens {
    const TYPE: &'static str = "access-tokens";
}

pub struct RefreshTokens;
impl ResourceKind for RefreshTokens {
    const TYPE: &'static str = "refresh-tokens";
}

type_schema!(AccessTokens, RefreshTokens);

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

/// `POST /access-tokens`: the email, checked as an email address.
pub const USERNAME_RULES: &[Rule] = &[Rule::NotBlank, Rule::Email];
/// The password of a login, and the refresh token of `POST /refresh-tokens`.
pub const SECRET_RULES: &[Rule] = &[Rule::NotBlank];

/// `POST /access-tokens` attributes (documentation; the handler checks them with the rules
/// above).
#[derive(ToSchema)]
#[schema(as = AccessTokenRequestAttributes)]
#[allow(dead_code)]
pub struct LoginDoc {
    #[schema(schema_with = username_schema)]
    username: String,
    #[schema(schema_with = secret_schema)]
    password: String,
}

#[derive(ToSchema)]
#[schema(as = RefreshTokenRequestAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RefreshDoc {
    #[schema(schema_with = secret_schema)]
    refresh_token: String,
}

fn username_schema() -> Object {
    schema::string(USERNAME_RULES)
        .description(Some(
            "The customer's email address (WHATWG email grammar, with a dot in the domain).",
        ))
        .examples(["sonia@example.com"])
        .build()
}

fn secret_schema() -> Object {
    schema::string(SECRET_RULES).build()
}
