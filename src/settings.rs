//! Typed settings: defaults, then an optional TOML file, then environment variables
//! (CONTRACT §5). Built and validated once at start-up and passed by value.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

/// Every setting the service reads. Environment variable names are in [`ENV_KEYS`].
#[derive(Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub listen: String,
    pub public_url: String,
    pub storefront_url: String,
    pub store: String,
    pub bcrypt_cost: u32,
    pub double_opt_in: bool,
    pub jwt_key_file: PathBuf,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: i64,
    pub refresh_token_ttl: i64,
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    pub cors_allowed_origins: Vec<String>,
    pub db_pool_size: u32,
    pub workers: usize,
    /// Seconds a request body may take to arrive once the headers are in (then 408).
    pub body_timeout: u64,
    pub password_policy: PasswordPolicy,
}

/// CONTRACT §3 item 9: Spryker suite values, each rule configurable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub require_upper: bool,
    pub require_lower: bool,
    pub require_digit: bool,
    pub require_special: bool,
    /// The longest run of one repeated character that is allowed (2: `aa` is fine, `aaa` is not).
    /// 0 switches the rule off.
    pub max_repeat: usize,
    pub deny_common: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 12,
            require_upper: true,
            require_lower: true,
            require_digit: true,
            require_special: true,
            max_repeat: 2,
            deny_common: true,
        }
    }
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

/// The database URL; the scheme alone picks the backend.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (relative to the working directory or absolute).
    Sqlite(PathBuf),
    Postgres(Secret),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, SettingsError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path == ":memory:" {
                // An in-memory database behind a pool gives each connection its own empty database.
                return Err(SettingsError::invalid(
                    "DATABASE_URL",
                    "a SQLite URL needs a file path",
                ));
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(Secret::new(url)))
        } else {
            Err(SettingsError::invalid(
                "DATABASE_URL",
                "must start with sqlite:// or postgres://",
            ))
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(_) => f.write_str("postgres://***"),
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &self.database_url)
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("storefront_url", &self.storefront_url)
            .field("store", &self.store)
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("double_opt_in", &self.double_opt_in)
            .field("jwt_key_file", &self.jwt_key_file)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .field("smtp_url", &self.smtp_url)
            .field("mail_from", &self.mail_from)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("db_pool_size", &self.db_pool_size)
            .field("workers", &self.workers)
            .field("body_timeout", &self.body_timeout)
            .field("password_policy", &self.password_policy)
            .finish()
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
    fn invalid(key: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.to_owned(),
            reason: reason.into(),
        }
    }
}

/// The environment variables read, in the order the README lists them.
pub const ENV_KEYS: &[&str] = &[
    "DATABASE_URL",
    "GLUE_LISTEN",
    "GLUE_PUBLIC_URL",
    "GLUE_STOREFRONT_URL",
    "GLUE_STORE",
    "GLUE_BCRYPT_COST",
    "GLUE_DOUBLE_OPT_IN",
    "GLUE_JWT_KEY_FILE",
    "GLUE_JWT_ISSUER",
    "GLUE_JWT_AUDIENCE",
    "GLUE_ACCESS_TOKEN_TTL",
    "GLUE_REFRESH_TOKEN_TTL",
    "GLUE_SMTP_URL",
    "GLUE_MAIL_FROM",
    "GLUE_CORS_ALLOWED_ORIGINS",
    "GLUE_DB_POOL_SIZE",
    "GLUE_WORKERS",
    "GLUE_BODY_TIMEOUT",
    "GLUE_PASSWORD_MIN_LENGTH",
    "GLUE_PASSWORD_REQUIRE_UPPER",
    "GLUE_PASSWORD_REQUIRE_LOWER",
    "GLUE_PASSWORD_REQUIRE_DIGIT",
    "GLUE_PASSWORD_REQUIRE_SPECIAL",
    "GLUE_PASSWORD_MAX_REPEAT",
    "GLUE_PASSWORD_DENY_COMMON",
];

// The config file holds the same keys as the environment, lower-cased without the `GLUE_`
// prefix (`database_url`, `listen`, `bcrypt_cost`, ...); unknown keys are refused.

impl Settings {
    /// Defaults, then the file named by `GLUE_CONFIG_FILE` (if set), then the process environment.
    pub fn load() -> Result<Self, SettingsError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_sources(&env)
    }

    /// Builds settings from an explicit environment map (tests pass their own).
    pub fn from_sources(env: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let mut values: HashMap<String, String> = HashMap::new();
        if let Some(path) = env.get("GLUE_CONFIG_FILE").filter(|p| !p.is_empty()) {
            values.extend(read_file(path)?);
        }
        for key in ENV_KEYS {
            if let Some(value) = env.get(*key) {
                values.insert((*key).to_owned(), value.clone());
            }
        }
        Self::from_map(&values)
    }

    fn from_map(values: &HashMap<String, String>) -> Result<Self, SettingsError> {
        // An empty value means "not set" (a copied .env.example leaves some empty).
        let get = |key: &str| {
            values
                .get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let listen = get("GLUE_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        if listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(SettingsError::invalid(
                "GLUE_LISTEN",
                "expected host:port, e.g. 127.0.0.1:8080",
            ));
        }
        let public_url = get("GLUE_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}"));
        let public_url = parse_base_url("GLUE_PUBLIC_URL", &public_url)?;
        let storefront_url =
            get("GLUE_STOREFRONT_URL").unwrap_or_else(|| "http://localhost:3000".to_owned());
        let storefront_url = parse_base_url("GLUE_STOREFRONT_URL", &storefront_url)?;
        let store = get("GLUE_STORE").unwrap_or_else(|| "DE".to_owned());
        if store.is_empty() || !store.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(SettingsError::invalid(
                "GLUE_STORE",
                "letters and digits only, e.g. DE",
            ));
        }
        let bcrypt_cost = number(&get, "GLUE_BCRYPT_COST", 12u32)?;
        if !(4..=31).contains(&bcrypt_cost) {
            return Err(SettingsError::invalid(
                "GLUE_BCRYPT_COST",
                "must be between 4 and 31",
            ));
        }
        let access_token_ttl = number(&get, "GLUE_ACCESS_TOKEN_TTL", 28_800i64)?;
        let refresh_token_ttl = number(&get, "GLUE_REFRESH_TOKEN_TTL", 2_628_000i64)?;
        if access_token_ttl <= 0 || refresh_token_ttl <= 0 {
            return Err(SettingsError::invalid(
                "GLUE_ACCESS_TOKEN_TTL",
                "token lifetimes must be positive",
            ));
        }
        let db_pool_size = number(&get, "GLUE_DB_POOL_SIZE", 8u32)?;
        if db_pool_size == 0 {
            return Err(SettingsError::invalid(
                "GLUE_DB_POOL_SIZE",
                "must be at least 1",
            ));
        }
        let body_timeout = number(&get, "GLUE_BODY_TIMEOUT", 10u64)?;
        if body_timeout == 0 {
            return Err(SettingsError::invalid(
                "GLUE_BODY_TIMEOUT",
                "must be at least 1 second",
            ));
        }
        let default_workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = number(&get, "GLUE_WORKERS", default_workers)?.max(1);
        let defaults = PasswordPolicy::default();
        let password_policy = PasswordPolicy {
            min_length: number(&get, "GLUE_PASSWORD_MIN_LENGTH", defaults.min_length)?,
            require_upper: boolean(&get, "GLUE_PASSWORD_REQUIRE_UPPER", defaults.require_upper)?,
            require_lower: boolean(&get, "GLUE_PASSWORD_REQUIRE_LOWER", defaults.require_lower)?,
            require_digit: boolean(&get, "GLUE_PASSWORD_REQUIRE_DIGIT", defaults.require_digit)?,
            require_special: boolean(
                &get,
                "GLUE_PASSWORD_REQUIRE_SPECIAL",
                defaults.require_special,
            )?,
            max_repeat: number(&get, "GLUE_PASSWORD_MAX_REPEAT", defaults.max_repeat)?,
            deny_common: boolean(&get, "GLUE_PASSWORD_DENY_COMMON", defaults.deny_common)?,
        };
        let cors_allowed_origins = get("GLUE_CORS_ALLOWED_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            database_url: DatabaseUrl::parse(
                &get("DATABASE_URL").unwrap_or_else(|| "sqlite://var/glue.db".to_owned()),
            )?,
            jwt_issuer: get("GLUE_JWT_ISSUER").unwrap_or_else(|| public_url.clone()),
            jwt_audience: get("GLUE_JWT_AUDIENCE").unwrap_or_else(|| "frontend".to_owned()),
            listen,
            public_url,
            storefront_url,
            store,
            bcrypt_cost,
            double_opt_in: boolean(&get, "GLUE_DOUBLE_OPT_IN", false)?,
            jwt_key_file: PathBuf::from(
                get("GLUE_JWT_KEY_FILE").unwrap_or_else(|| "var/jwt-private.pem".to_owned()),
            ),
            access_token_ttl,
            refresh_token_ttl,
            smtp_url: get("GLUE_SMTP_URL")
                .filter(|v| !v.is_empty())
                .map(Secret::new),
            mail_from: get("GLUE_MAIL_FROM")
                .unwrap_or_else(|| "Glue Shop <no-reply@localhost>".to_owned()),
            cors_allowed_origins,
            db_pool_size,
            workers,
            body_timeout,
            password_policy,
        })
    }
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
        let env_key = if key == "database_url" {
            "DATABASE_URL".to_owned()
        } else {
            format!("GLUE_{}", key.to_ascii_uppercase())
        };
        if !ENV_KEYS.contains(&env_key.as_str()) {
            return Err(file_error(format!("unknown setting `{key}`")));
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        out.insert(env_key, text);
    }
    Ok(out)
}

fn parse_base_url(key: &str, value: &str) -> Result<String, SettingsError> {
    let trimmed = value.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or_else(|| SettingsError::invalid(key, "must be an http:// or https:// URL"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(SettingsError::invalid(
            key,
            "must be a base URL without query or fragment",
        ));
    }
    Ok(trimmed.to_owned())
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: T,
) -> Result<T, SettingsError> {
    match get(key) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| SettingsError::invalid(key, format!("`{v}` is not a valid number"))),
    }
}

fn boolean(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: bool,
) -> Result<bool, SettingsError> {
    match get(key).map(|v| v.to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(SettingsError::invalid(
            key,
            format!("`{v}` is not true or false"),
        )),
    }
}

#[cfg(test)]
mod tests {
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
            s.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("var/glue.db"))
        );
        assert_eq!(s.listen, "127.0.0.1:8080");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.store, "DE");
        assert_eq!(s.bcrypt_cost, 12);
        assert_eq!(s.access_token_ttl, 28_800);
        assert_eq!(s.refresh_token_ttl, 2_628_000);
        assert_eq!(s.password_policy, PasswordPolicy::default());
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
        assert_eq!(s.store, "AT");
        assert_eq!(s.bcrypt_cost, 5);
    }

    #[test]
    fn bad_values_are_rejected_at_start_up() {
        for (key, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", "sqlite://:memory:"),
            ("GLUE_BCRYPT_COST", "3"),
            ("GLUE_DOUBLE_OPT_IN", "maybe"),
            ("GLUE_LISTEN", "nowhere"),
            ("GLUE_PUBLIC_URL", "ftp://x"),
        ] {
            assert!(
                Settings::from_sources(&env(&[(key, value)])).is_err(),
                "{key}={value}"
            );
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
}
