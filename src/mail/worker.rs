//! The delivery worker's step: claim due emails, send each, record the outcome. Transient
//! failures (a down server, a 4xx answer) are retried with exponential backoff and jitter
//! until the email is `GLUE_MAIL_MAX_AGE` old, then it is marked failed and logged; a 5xx
//! answer fails it at once. Recipients and bodies never reach the log.

use chrono::{Duration, NaiveDateTime};
use lettre::message::Mailbox;
use rand::Rng;

use super::outbox::{self, OutboxMessage};
use super::transport::{SendError, Transport, TransportError};
use crate::db::{now, Db};
use crate::error::ApiError;
use crate::settings::MailSettings;

/// Emails claimed per transaction.
const BATCH: i64 = 10;
/// The longest wait between two attempts.
const MAX_RETRY_DELAY_MS: u64 = 3_600_000;

pub struct Delivery {
    db: Db,
    transport: Transport,
    from: Mailbox,
    /// This instance's name on the leases it takes.
    owner: String,
    lease: Duration,
    max_age: Duration,
    retry_delay_ms: u64,
}

impl Delivery {
    pub fn new(db: Db, settings: &MailSettings) -> Result<Self, TransportError> {
        let from = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| TransportError::new(e.to_string()))?;
        Ok(Self {
            db,
            transport: Transport::from_settings(settings)?,
            from,
            owner: uuid::Uuid::new_v4().simple().to_string(),
            lease: Duration::seconds(settings.lease),
            max_age: Duration::seconds(settings.max_age),
            retry_delay_ms: settings.retry_delay_ms,
        })
    }

    /// Sends due emails until none is left or `stopping()` says so; claimed emails not sent by
    /// then are released for the next start. Returns how many were sent.
    pub async fn deliver_due(&self, stopping: impl Fn() -> bool) -> Result<usize, ApiError> {
        let mut sent = 0;
        loop {
            let (owner, lease) = (self.owner.clone(), self.lease);
            let claimed = self
                .db
                .write(move |conn| {
                    let now = now();
                    Ok(outbox::claim_due(conn, &owner, now, now + lease, BATCH)?)
                })
                .await?;
            if claimed.is_empty() {
                return Ok(sent);
            }
            let mut pending = claimed.into_iter();
            for message in pending.by_ref() {
                if self.deliver(message).await? {
                    sent += 1;
                }
                if stopping() {
                    break;
                }
            }
            let unsent: Vec<String> = pending.map(|m| m.id).collect();
            if !unsent.is_empty() {
                let owner = self.owner.clone();
                self.db
                    .write(move |conn| Ok(outbox::release(conn, &unsent, &owner)?))
                    .await?;
                return Ok(sent);
            }
        }
    }

    /// One attempt; true when the email went out.
    async fn deliver(&self, message: OutboxMessage) -> Result<bool, ApiError> {
        let outcome = self.transport.send(&self.from, &message).await;
        let (id, owner) = (message.id.clone(), self.owner.clone());
        let now = now();
        match outcome {
            Ok(()) => {
                let recorded = self
                    .db
                    .write(move |conn| Ok(outbox::mark_sent(conn, &id, &owner, now)?))
                    .await?;
                if !recorded {
                    tracing::warn!(id = %message.id, "email sent after its lease ran out");
                }
                tracing::info!(id = %message.id, kind = %message.kind, attempts = message.attempts, "email sent");
                Ok(true)
            }
            Err(SendError::Transient(error)) => {
                let next = now + self.backoff(message.attempts);
                if next > message.created_at + self.max_age {
                    self.give_up(&message, error).await?;
                } else {
                    tracing::warn!(id = %message.id, kind = %message.kind, attempts = message.attempts, %error, next_attempt = %next, "email not sent; will retry");
                    self.db
                        .write(move |conn| Ok(outbox::retry_at(conn, &id, &owner, next, &error)?))
                        .await?;
                }
                Ok(false)
            }
            Err(SendError::Permanent(error)) => {
                self.give_up(&message, error).await?;
                Ok(false)
            }
        }
    }

    async fn give_up(&self, message: &OutboxMessage, error: String) -> Result<(), ApiError> {
        tracing::error!(id = %message.id, kind = %message.kind, attempts = message.attempts, %error, "email given up");
        let (id, owner) = (message.id.clone(), self.owner.clone());
        let now: NaiveDateTime = now();
        self.db
            .write(move |conn| Ok(outbox::mark_failed(conn, &id, &owner, now, &error)?))
            .await
    }

    /// `retry_delay * 2^(attempts-1)`, capped at an hour, then a random point in its upper
    /// half, so that emails that failed together do not all come back together.
    fn backoff(&self, attempts: i32) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(32);
        let delay = self
            .retry_delay_ms
            .saturating_mul(1u64 << doublings.min(31))
            .min(MAX_RETRY_DELAY_MS);
        let jittered = rand::thread_rng().gen_range(delay / 2..=delay);
        Duration::milliseconds(i64::try_from(jittered).unwrap_or(i64::MAX))
    }
}
