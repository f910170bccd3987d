//! OAuth 2.0: the storefront client, partner tokens, refresh-token reuse.

use super::source::Source;
use super::SettingsError;

#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// The public client of storefronts and apps (password and refresh_token grants); a
    /// `/token` request without a client id is its.
    pub storefront_client_id: String,
    /// Seconds a client_credentials access token lives.
    pub client_token_ttl: i64,
    /// Seconds after a rotation in which the spent refresh token may be presented again (a
    /// client that lost the response) without revoking its family; 0: never.
    pub refresh_reuse_interval: i64,
}

impl OAuthSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        Ok(Self {
            storefront_client_id: src.parsed(
                "GLUE_STOREFRONT_CLIENT_ID",
                "frontend".to_owned(),
                |v| {
                    if v.chars().all(|c| c.is_ascii_graphic() && c != ':') {
                        Ok(v.to_owned())
                    } else {
                        Err("printable ASCII without spaces or colons".to_owned())
                    }
                },
            )?,
            client_token_ttl: src.number("GLUE_CLIENT_TOKEN_TTL", 3600, 1..=86_400)?,
            refresh_reuse_interval: src.number("GLUE_REFRESH_TOKEN_REUSE_INTERVAL", 0, 0..=300)?,
        })
    }
}
