//! Outgoing email and the links it carries.

use super::source::{base_url, Source};
use super::{Secret, SettingsError};

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// lettre's SMTP URL; unset: emails are written under `var/mail/`.
    pub smtp_url: Option<Secret>,
    pub from: String,
    /// Base of the links in emails.
    pub storefront_url: String,
}

impl MailSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        Ok(Self {
            smtp_url: src.get("GLUE_SMTP_URL").map(Secret::new),
            from: src.text("GLUE_MAIL_FROM", "Glue Shop <no-reply@localhost>"),
            storefront_url: src.parsed(
                "GLUE_STOREFRONT_URL",
                "http://localhost:3000".to_owned(),
                base_url,
            )?,
        })
    }
}
