//! Email: templates, the outbox (emails queued in the transaction of the change that causes
//! them), and the delivery worker with its transports. Services queue with [`queue`]; nothing
//! sends from a request.

pub mod outbox;
pub mod templates;
mod transport;
pub mod worker;

use diesel::QueryResult;

pub use templates::{Branding, Email, RenderedEmail, Subjects};
pub use transport::TransportError;

use crate::db::{now, DbConnection};
use crate::error::ApiError;
use crate::settings::{LimitSettings, MailSettings};

/// What a service needs to write an email: the branding and the storefront's links.
#[derive(Debug, Clone)]
pub struct MailContext {
    pub branding: Branding,
    /// Base of the links in emails (CONTRACT §5).
    pub storefront_url: String,
    /// How long a restore key lives, in seconds (the reset email says so).
    pub restore_key_ttl: i64,
    /// How long an invitation's set-password key lives, in seconds.
    pub invitation_ttl: i64,
}

impl MailContext {
    pub fn new(mail: &MailSettings, limits: &LimitSettings) -> Self {
        Self {
            branding: Branding {
                shop_name: mail.shop_name.clone(),
                subjects: Subjects {
                    confirmation: mail.subject_confirmation.clone(),
                    password_reset: mail.subject_password_reset.clone(),
                    password_changed: mail.subject_password_changed.clone(),
                    registration_attempt: mail.subject_registration_attempt.clone(),
                    invitation: mail.subject_invitation.clone(),
                },
            },
            storefront_url: mail.storefront_url.clone(),
            restore_key_ttl: limits.restore_key_ttl,
            invitation_ttl: limits.invitation_ttl,
        }
    }

    /// `{storefront}{path}?token=<key>`: `/register/confirm` or `/password/restore`.
    pub fn link(&self, path: &str, key: &str) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("token", key)
            .finish();
        format!("{}{path}?{query}", self.storefront_url)
    }

    /// Whole hours a restore key lives, rounded down, so that the email never promises more
    /// time than the key has (0 reads "less than an hour").
    pub fn restore_key_hours(&self) -> u64 {
        hours(self.restore_key_ttl)
    }

    pub fn invitation_hours(&self) -> u64 {
        hours(self.invitation_ttl)
    }
}

fn hours(seconds: i64) -> u64 {
    u64::try_from(seconds).map_or(0, |s| s / 3600)
}

/// Renders `email` and queues it for `recipient` in the caller's transaction.
pub fn queue(
    conn: &mut DbConnection,
    context: &MailContext,
    recipient: &str,
    email: &Email<'_>,
) -> Result<(), ApiError> {
    let rendered = email
        .render(&context.branding)
        .map_err(|e| ApiError::internal(format!("email template {}: {e}", email.kind())))?;
    let inserted: QueryResult<String> =
        outbox::insert(conn, email.kind(), recipient, &rendered, now());
    inserted?;
    Ok(())
}
