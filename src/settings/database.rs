//! The database: which backend (by URL scheme) and how many connections.

use std::fmt;
use std::path::PathBuf;

use super::source::Source;
use super::{Secret, SettingsError};

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: DatabaseUrl,
    /// Connections per instance: by default twice the cores, at least 4. On a machine that runs
    /// PostgreSQL too, many more busy backends than cores made the read's tail long (on 2 cores:
    /// reads of up to 700 ms with 16 connections, none over 11 ms with 4; README, Performance).
    pub pool_size: u32,
    /// How long a request waits for the database before it answers 503.
    pub timeout: std::time::Duration,
}

impl DatabaseSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        let url = src.text("DATABASE_URL", "sqlite://var/glue.db");
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let default_pool =
            u32::try_from(cores.saturating_mul(2)).map_or(1000, |n| n.clamp(4, 1000));
        Ok(Self {
            url: DatabaseUrl::parse(&url)?,
            pool_size: src.number("GLUE_DB_POOL_SIZE", default_pool, 1..=1000)?,
            timeout: std::time::Duration::from_millis(src.number(
                "GLUE_DB_TIMEOUT_MS",
                5_000u64,
                10..=600_000,
            )?),
        })
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
