//! The rules for passwords: reset requests (recorded in the request, worked off by the
//! background worker), restoring with a key, changing while logged in. A new password ends
//! every session of the customer and is announced by email (CONTRACT §3 items 15 and 18).

use chrono::Duration;

use super::domain::PasswordChange;
use super::repo;
use crate::auth;
use crate::credentials::{self, keys};
use crate::customers::model::Customer;
use crate::customers::repo as customers_repo;
use crate::db::{now, Db, DbConnection};
use crate::error::{ApiError, Code};
use crate::mail::{self, Email, MailContext};
use crate::settings::PasswordSettings;

/// Reset requests worked off per transaction.
const BATCH: i64 = 20;

/// Why a reset link is sent; it picks the email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetReason {
    /// `POST /customer-forgotten-password`.
    Forgotten,
    /// A registration with the email of an existing account (CONTRACT §3 item 14).
    RegistrationAttempt,
}

impl ResetReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Forgotten => "forgotten",
            Self::RegistrationAttempt => "registration_attempt",
        }
    }
}

/// Records a reset request for `email` (normalized), known or not: the same statements either
/// way, so that neither the answer nor its timing tells whether an account exists (C4). Within
/// `throttle` seconds of the last request for the email, nothing is recorded.
pub fn request_reset(
    conn: &mut DbConnection,
    email: &str,
    reason: ResetReason,
    throttle: i64,
) -> Result<(), ApiError> {
    let now = now();
    let window_start = now - Duration::seconds(throttle);
    match repo::last_requested_at(conn, email)? {
        Some(last) if last > window_start => {}
        Some(_) => {
            repo::renew(conn, email, reason.as_str(), now, window_start)?;
        }
        None => {
            repo::insert(conn, email, reason.as_str(), now)?;
        }
    }
    Ok(())
}

/// The worker's part: for each pending request whose email belongs to a live account, a new
/// restore key (replacing the previous one) and the email that carries it, all in one
/// transaction. Returns how many requests were worked off.
pub async fn process_reset_requests(
    db: &Db,
    mail: &MailContext,
    throttle: i64,
) -> Result<usize, ApiError> {
    let mail = mail.clone();
    db.write(move |conn| {
        let now = now();
        let window_start = now - Duration::seconds(throttle);
        repo::forget_processed(conn, window_start)?;
        let pending = repo::claim_pending(conn, BATCH)?;
        for request in &pending {
            if let Some(customer) = customers_repo::find_by_email(conn, &request.email_normalized)?
            {
                send_reset_link(conn, &mail, &customer, &request.reason)?;
            }
            repo::mark_processed(conn, &request.email_normalized, now)?;
        }
        Ok(pending.len())
    })
    .await
}

fn send_reset_link(
    conn: &mut DbConnection,
    mail: &MailContext,
    customer: &Customer,
    reason: &str,
) -> Result<(), ApiError> {
    if customer.anonymized_at.is_some() {
        return Ok(());
    }
    let key = keys::new_key();
    let expires_at = now() + Duration::seconds(mail.restore_key_ttl);
    customers_repo::set_restore_key(conn, customer.id, &keys::key_hash(&key), expires_at)?;
    let link = mail.link("/password/restore", &key);
    let name = customer.display_name();
    let name = name.as_deref();
    let email = if reason == ResetReason::RegistrationAttempt.as_str() {
        Email::RegistrationAttempt { name, link: &link }
    } else {
        Email::PasswordReset {
            name,
            link: &link,
            valid_hours: mail.restore_key_hours(),
        }
    };
    mail::queue(conn, mail, &customer.email, &email)
}

/// `PATCH /customer-restore-password/{anyId}` after the policy (reference §2.9): an unknown or
/// used key is `415`, an expired one `407`; else the new password, every session ended, and the
/// "password changed" email, in one transaction. The key works once.
pub async fn restore(
    db: &Db,
    mail: &MailContext,
    key: &str,
    password: String,
    passwords: &PasswordSettings,
) -> Result<(), ApiError> {
    let key_hash = keys::key_hash(key);
    let lookup = key_hash.clone();
    let customer = db
        .read(move |conn| Ok(customers_repo::find_by_restore_key(conn, &lookup)?))
        .await?
        .ok_or(ApiError::Domain(Code::RestoreKeyInvalid))?;
    if customer.restore_key_expires_at.is_none_or(|at| at <= now()) {
        return Err(ApiError::Domain(Code::PasswordChangeFailed));
    }
    let hash = credentials::hash_blocking(password, passwords.bcrypt_cost).await?;
    let mail = mail.clone();
    db.write(move |conn| {
        let now = now();
        let registered_at = customer.registered_at.unwrap_or(now);
        if !customers_repo::restore_password(
            conn,
            customer.id,
            &key_hash,
            &hash,
            registered_at,
            now,
        )? {
            // Used by a concurrent request a moment ago.
            return Err(ApiError::Domain(Code::RestoreKeyInvalid));
        }
        password_changed(conn, &mail, &customer)
    })
    .await
}

/// `PATCH /customer-password/{ref}` after the `901` rules, in the reference's order (§2.7):
/// not the owner `411`, a mismatch `406`, a wrong current password `408`, the policy
/// `418`-`422`; then as a restore.
pub async fn change(
    db: &Db,
    mail: &MailContext,
    owner: Customer,
    reference: &str,
    change: PasswordChange,
    passwords: &PasswordSettings,
) -> Result<(), ApiError> {
    if reference != owner.customer_reference {
        return Err(ApiError::Domain(Code::UnauthorizedRequest));
    }
    change.ensure_confirmed()?;
    let cost = passwords.bcrypt_cost;
    let stored = owner.password_hash.clone();
    let verified =
        credentials::verify_blocking(change.current.clone(), stored.clone(), cost).await?;
    let Some(current_hash) = stored.filter(|_| verified) else {
        return Err(ApiError::Domain(Code::InvalidPassword));
    };
    change.ensure_policy(&passwords.policy)?;
    let hash = credentials::hash_blocking(change.new, cost).await?;
    let mail = mail.clone();
    db.write(move |conn| {
        // The hash the current password matched must still be the stored one: a concurrent
        // change or reset wins, and this one fails as if the password were wrong.
        if !customers_repo::swap_password_hash(conn, owner.id, &current_hash, Some(&hash))? {
            return Err(ApiError::Domain(Code::InvalidPassword));
        }
        password_changed(conn, &mail, &owner)
    })
    .await
}

/// Every session of the customer ends (CONTRACT §3 item 18) and the customer is told.
fn password_changed(
    conn: &mut DbConnection,
    mail: &MailContext,
    customer: &Customer,
) -> Result<(), ApiError> {
    auth::revocation::revoke_all(conn, customer.id)?;
    let name = customer.display_name();
    let email = Email::PasswordChanged {
        name: name.as_deref(),
    };
    mail::queue(conn, mail, &customer.email, &email)
}
