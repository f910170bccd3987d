//! Access and refresh tokens (CONTRACT §3 items 17-19).

use std::path::PathBuf;

use super::source::Source;
use super::SettingsError;

#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// RSA private key (PKCS#8 or PKCS#1 PEM), created on first start when missing.
    pub key_file: PathBuf,
    pub issuer: String,
    pub audience: String,
    /// Seconds.
    pub access_ttl: i64,
    /// Seconds.
    pub refresh_ttl: i64,
    /// Seconds from login after which a session ends, however often its refresh token rotated.
    pub session_lifetime: i64,
}

/// Ten years: longer lifetimes are a mistake, not a choice.
const MAX_TTL: i64 = 10 * 365 * 24 * 3600;

impl TokenSettings {
    /// `public_url` is the issuer's default.
    pub fn from_source(src: &Source, public_url: &str) -> Result<Self, SettingsError> {
        Ok(Self {
            key_file: PathBuf::from(src.text("GLUE_JWT_KEY_FILE", "var/jwt-private.pem")),
            issuer: src.text("GLUE_JWT_ISSUER", public_url),
            audience: src.text("GLUE_JWT_AUDIENCE", "frontend"),
            access_ttl: src.number("GLUE_ACCESS_TOKEN_TTL", 28_800, 1..=MAX_TTL)?,
            refresh_ttl: src.number("GLUE_REFRESH_TOKEN_TTL", 2_628_000, 1..=MAX_TTL)?,
            session_lifetime: src.number("GLUE_SESSION_LIFETIME", 7_776_000, 1..=MAX_TTL)?,
        })
    }
}
