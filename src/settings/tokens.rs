//! Access and refresh tokens (CONTRACT §3 items 17-19).

use std::path::PathBuf;

use super::source::Source;
use super::SettingsError;

#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// RSA private keys (PKCS#8 or PKCS#1 PEM). The first signs new tokens; the others only
    /// verify, so that tokens signed before a rotation stay valid until they expire. A single
    /// configured file is created on first start when missing.
    pub key_files: Vec<PathBuf>,
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
            key_files: src.parsed(
                "GLUE_JWT_KEY_FILE",
                vec![PathBuf::from("var/jwt-private.pem")],
                key_file_list,
            )?,
            issuer: src.text("GLUE_JWT_ISSUER", public_url),
            audience: src.text("GLUE_JWT_AUDIENCE", "frontend"),
            access_ttl: src.number("GLUE_ACCESS_TOKEN_TTL", 28_800, 1..=MAX_TTL)?,
            refresh_ttl: src.number("GLUE_REFRESH_TOKEN_TTL", 2_628_000, 1..=MAX_TTL)?,
            session_lifetime: src.number("GLUE_SESSION_LIFETIME", 7_776_000, 1..=MAX_TTL)?,
        })
    }
}

/// `a.pem, b.pem`: comma-separated paths, none of them empty (a stray comma is a typo, not a
/// wish for a key file named "").
fn key_file_list(value: &str) -> Result<Vec<PathBuf>, String> {
    value
        .split(',')
        .map(str::trim)
        .map(|path| {
            if path.is_empty() {
                Err(format!(
                    "`{value}` has an empty path in its comma-separated list"
                ))
            } else {
                Ok(PathBuf::from(path))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use crate::settings::Settings;

    fn key_files(value: Option<&str>) -> Result<Vec<PathBuf>, String> {
        let env: HashMap<String, String> = value
            .map(|v| ("GLUE_JWT_KEY_FILE".to_owned(), v.to_owned()))
            .into_iter()
            .collect();
        Settings::from_sources(&env)
            .map(|s| s.tokens.key_files)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_key_file_setting_is_a_comma_separated_list_signing_key_first() {
        let default = vec![PathBuf::from("var/jwt-private.pem")];
        assert_eq!(key_files(None), Ok(default));
        assert_eq!(
            key_files(Some("keys/new.pem, keys/old.pem")),
            Ok(vec![
                PathBuf::from("keys/new.pem"),
                PathBuf::from("keys/old.pem")
            ])
        );
        for bad in ["a.pem,,b.pem", "a.pem,", ",a.pem"] {
            let err = key_files(Some(bad)).expect_err(bad);
            assert!(err.contains("GLUE_JWT_KEY_FILE"), "{bad}: {err}");
        }
    }
}
