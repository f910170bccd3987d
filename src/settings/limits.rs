//! Limits that protect the service from slow or abusive clients.

use super::source::Source;
use super::SettingsError;

#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Seconds a request body may take to arrive once the headers are in (then 408).
    pub body_timeout: u64,
}

impl LimitSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        Ok(Self {
            body_timeout: src.number("GLUE_BODY_TIMEOUT", 10, 1..=3600)?,
        })
    }
}
