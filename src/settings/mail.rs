//! Outgoing email: where it goes, who sends it, what it says, and how delivery retries.

use std::path::PathBuf;

use super::source::{base_url, Source};
use super::{Secret, SettingsError};

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// lettre's SMTP URL (`smtp://`, `smtps://`, `?tls=required` for STARTTLS); unset: emails are
    /// written as `.eml` files into `dir` and their links are logged (development).
    pub smtp_url: Option<Secret>,
    pub dir: PathBuf,
    pub from: String,
    /// Base of the links in emails.
    pub storefront_url: String,
    pub shop_name: String,
    pub subject_confirmation: String,
    pub subject_password_reset: String,
    pub subject_password_changed: String,
    pub subject_registration_attempt: String,
    pub subject_invitation: String,
    /// Seconds after which an undeliverable email is given up and marked failed.
    pub max_age: i64,
    /// Milliseconds before the first retry; each further retry waits twice as long (with jitter).
    pub retry_delay_ms: u64,
    /// Milliseconds between looks at the outbox for work another instance queued.
    pub poll_interval_ms: u64,
    /// Seconds an instance holds a claimed email before another may take it over.
    pub lease: i64,
}

impl MailSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        Ok(Self {
            smtp_url: src.get("GLUE_SMTP_URL").map(Secret::new),
            dir: PathBuf::from(src.text("GLUE_MAIL_DIR", "var/mail")),
            from: src.parsed(
                "GLUE_MAIL_FROM",
                "Glue Shop <no-reply@localhost>".to_owned(),
                |v| {
                    v.parse::<lettre::message::Mailbox>()
                        .map(|_| v.to_owned())
                        .map_err(|_| "expected `Name <address>` or an address".to_owned())
                },
            )?,
            storefront_url: src.parsed(
                "GLUE_STOREFRONT_URL",
                "http://localhost:3000".to_owned(),
                base_url,
            )?,
            shop_name: src.text("GLUE_SHOP_NAME", "Glue Shop"),
            subject_confirmation: src.text(
                "GLUE_MAIL_SUBJECT_CONFIRMATION",
                "Please confirm your email address",
            ),
            subject_password_reset: src
                .text("GLUE_MAIL_SUBJECT_PASSWORD_RESET", "Reset your password"),
            subject_password_changed: src.text(
                "GLUE_MAIL_SUBJECT_PASSWORD_CHANGED",
                "Your password was changed",
            ),
            subject_registration_attempt: src.text(
                "GLUE_MAIL_SUBJECT_REGISTRATION_ATTEMPT",
                "Someone tried to register with your email address",
            ),
            subject_invitation: src.text(
                "GLUE_MAIL_SUBJECT_INVITATION",
                "Your new account: choose your password",
            ),
            max_age: src.number("GLUE_MAIL_MAX_AGE", 172_800, 1..=30 * 86_400)?,
            retry_delay_ms: src.number("GLUE_MAIL_RETRY_DELAY_MS", 5_000, 1..=3_600_000)?,
            poll_interval_ms: src.number("GLUE_MAIL_POLL_INTERVAL_MS", 1_000, 10..=600_000)?,
            lease: src.number("GLUE_MAIL_LEASE", 60, 1..=86_400)?,
        })
    }
}
