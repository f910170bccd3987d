//! Typed settings in sections: defaults, then an optional TOML file, then environment variables
//! (CONTRACT §5). Built and validated once at start-up and passed by value. Each setting is
//! read in exactly one place, its section's `from_source`, with its variable name, default and
//! check together.

mod accounts;
mod database;
mod limits;
mod mail;
mod oauth;
mod passwords;
mod server;
mod source;
mod tokens;

use std::collections::HashMap;
use std::fmt;

pub use accounts::AccountSettings;
pub use database::{DatabaseSettings, DatabaseUrl};
pub use limits::LimitSettings;
pub use mail::MailSettings;
pub use oauth::OAuthSettings;
pub use passwords::{PasswordPolicy, PasswordSettings};
pub use server::ServerSettings;
pub use source::Source;
pub use tokens::TokenSettings;

/// Every setting the service reads, by section.
#[derive(Debug, Clone)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub accounts: AccountSettings,
    pub tokens: TokenSettings,
    pub oauth: OAuthSettings,
    pub mail: MailSettings,
    pub passwords: PasswordSettings,
    pub limits: LimitSettings,
}

/// A value that must not appear in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("setting {key}: {reason}")]
    Invalid { key: String, reason: String },
    #[error("config file {path}: {reason}")]
    File { path: String, reason: String },
}

impl SettingsError {
    pub fn invalid(key: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Names the config file; read from the environment only.
pub const CONFIG_FILE_KEY: &str = "GLUE_CONFIG_FILE";

impl Settings {
    /// Defaults, then the file named by `GLUE_CONFIG_FILE` (if set), then the process environment.
    pub fn load() -> Result<Self, SettingsError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_sources(&env)
    }

    /// Builds settings from an explicit environment map (tests pass their own).
    pub fn from_sources(env: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let mut values = HashMap::new();
        let file = match env.get(CONFIG_FILE_KEY).filter(|p| !p.trim().is_empty()) {
            Some(path) => Some((path.as_str(), read_file(path)?)),
            None => None,
        };
        if let Some((_, from_file)) = &file {
            values.extend(from_file.clone());
        }
        let ours = |key: &String| key.starts_with("GLUE_") || key == "DATABASE_URL";
        values.extend(
            env.iter()
                .filter(|(k, _)| ours(k))
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        let source = Source::new(values);
        let settings = Self::from_source(&source)?;
        // A key the sections never asked for is a typo or a setting from another version.
        if let Some((path, from_file)) = file {
            let known = source.keys_read();
            if let Some(key) = from_file.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(SettingsError::File {
                    path: path.to_owned(),
                    reason: format!("unknown setting `{}`", file_key(key)),
                });
            }
        }
        Ok(settings)
    }

    fn from_source(src: &Source) -> Result<Self, SettingsError> {
        let server = ServerSettings::from_source(src)?;
        Ok(Self {
            database: DatabaseSettings::from_source(src)?,
            accounts: AccountSettings::from_source(src)?,
            tokens: TokenSettings::from_source(src, &server.public_url)?,
            oauth: OAuthSettings::from_source(src)?,
            mail: MailSettings::from_source(src)?,
            passwords: PasswordSettings::from_source(src)?,
            limits: LimitSettings::from_source(src)?,
            server,
        })
    }

    /// The variable name of every setting, in the order the sections read them.
    pub fn keys() -> Vec<&'static str> {
        let source = Source::new(HashMap::new());
        // The defaults are valid (a unit test holds them to it); the keys are recorded either way.
        let _ = Self::from_source(&source);
        source.keys_read()
    }
}

/// `database_url` in the file is `DATABASE_URL`; every other key gains the `GLUE_` prefix.
fn env_key(file_key: &str) -> String {
    if file_key == "database_url" {
        "DATABASE_URL".to_owned()
    } else {
        format!("GLUE_{}", file_key.to_ascii_uppercase())
    }
}

fn file_key(env_key: &str) -> String {
    env_key
        .strip_prefix("GLUE_")
        .unwrap_or(env_key)
        .to_ascii_lowercase()
}

fn read_file(path: &str) -> Result<HashMap<String, String>, SettingsError> {
    let file_error = |reason: String| SettingsError::File {
        path: path.to_owned(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
    let parsed: toml::Table = toml::from_str(&text).map_err(|e| file_error(e.to_string()))?;
    let mut out = HashMap::new();
    for (key, value) in parsed {
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        out.insert(env_key(&key), text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_follow_the_contract() {
        let s = Settings::from_sources(&env(&[])).expect("defaults are valid");
        assert_eq!(
            s.database.url,
            DatabaseUrl::Sqlite(PathBuf::from("var/glue.db"))
        );
        assert_eq!(s.server.listen, "127.0.0.1:8080");
        assert_eq!(s.server.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.tokens.issuer, "http://127.0.0.1:8080");
        assert_eq!(s.accounts.store, "DE");
        assert_eq!(s.passwords.bcrypt_cost, 12);
        assert_eq!(s.tokens.access_ttl, 28_800);
        assert_eq!(s.tokens.refresh_ttl, 2_628_000);
        assert_eq!(s.passwords.policy, PasswordPolicy::default());
        assert_eq!(s.limits.body_timeout, 10);
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("glue.toml");
        std::fs::write(&path, "store = \"AT\"\nbcrypt_cost = 10\n").expect("write");
        let s = Settings::from_sources(&env(&[
            ("GLUE_CONFIG_FILE", path.to_str().expect("utf-8 path")),
            ("GLUE_BCRYPT_COST", "5"),
        ]))
        .expect("valid");
        assert_eq!(s.accounts.store, "AT");
        assert_eq!(s.passwords.bcrypt_cost, 5);
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("glue.toml");
        std::fs::write(&path, "stroe = \"AT\"\n").expect("write");
        let err = Settings::from_sources(&env(&[(
            "GLUE_CONFIG_FILE",
            path.to_str().expect("utf-8 path"),
        )]))
        .expect_err("typo");
        assert!(err.to_string().contains("unknown setting `stroe`"), "{err}");
    }

    #[test]
    fn bad_values_are_rejected_at_start_up() {
        for (key, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", "sqlite://:memory:"),
            ("GLUE_BCRYPT_COST", "3"),
            ("GLUE_BCRYPT_COST", "32"),
            ("GLUE_DOUBLE_OPT_IN", "maybe"),
            ("GLUE_LISTEN", "nowhere"),
            ("GLUE_PUBLIC_URL", "ftp://x"),
            ("GLUE_STOREFRONT_URL", "http://x/?q"),
            ("GLUE_STORE", "D-E"),
            ("GLUE_ACCESS_TOKEN_TTL", "0"),
            ("GLUE_REFRESH_TOKEN_TTL", "-5"),
            ("GLUE_DB_POOL_SIZE", "0"),
            ("GLUE_BODY_TIMEOUT", "0"),
            ("GLUE_PASSWORD_MIN_LENGTH", "73"),
        ] {
            let err =
                Settings::from_sources(&env(&[(key, value)])).expect_err(&format!("{key}={value}"));
            assert!(err.to_string().contains(key), "{key}={value}: {err}");
        }
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let s = Settings::from_sources(&env(&[
            ("DATABASE_URL", "postgres://user:hunter2@localhost/db"),
            ("GLUE_SMTP_URL", "smtps://user:hunter2@mail"),
        ]))
        .expect("valid");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn every_setting_is_registered_once() {
        let keys = Settings::keys();
        assert!(keys.contains(&"DATABASE_URL"));
        assert!(keys.contains(&"GLUE_PASSWORD_DENY_COMMON"));
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len());
    }
}
