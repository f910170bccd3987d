//! Limits that protect the service from slow or abusive clients.

use super::source::Source;
use super::SettingsError;

#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Seconds a request body may take to arrive once the headers are in (then 408).
    pub body_timeout: u64,
    /// Seconds a password restore key stays valid.
    pub restore_key_ttl: i64,
    /// Seconds in which a repeated reset request for one email queues nothing.
    pub forgotten_password_throttle: i64,
    /// Failed logins (or client authentications) of one account or address within
    /// `login_failure_window` seconds that block it for `login_block_duration` seconds.
    pub login_max_failures: i32,
    pub login_failure_window: i64,
    pub login_block_duration: i64,
    /// Seconds the set-password link of a partner's invitation stays valid.
    pub invitation_ttl: i64,
    /// The most addresses one customer may have.
    pub max_addresses: i64,
}

impl LimitSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        Ok(Self {
            body_timeout: src.number("GLUE_BODY_TIMEOUT", 10, 1..=3600)?,
            restore_key_ttl: src.number("GLUE_RESTORE_KEY_TTL", 7200, 1..=30 * 86_400)?,
            forgotten_password_throttle: src.number(
                "GLUE_FORGOTTEN_PASSWORD_THROTTLE",
                60,
                0..=86_400,
            )?,
            login_max_failures: src.number("GLUE_LOGIN_MAX_FAILURES", 10, 1..=1_000_000)?,
            login_failure_window: src.number("GLUE_LOGIN_FAILURE_WINDOW", 600, 1..=86_400)?,
            login_block_duration: src.number("GLUE_LOGIN_BLOCK_DURATION", 300, 1..=86_400)?,
            invitation_ttl: src.number("GLUE_INVITATION_TTL", 604_800, 1..=90 * 86_400)?,
            max_addresses: src.number("GLUE_MAX_ADDRESSES", 100, 1..=10_000)?,
        })
    }
}
