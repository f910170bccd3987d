//! Login, refresh-token rotation with reuse detection, and revocation.

use chrono::{Duration, NaiveDateTime};

use super::repo;
use super::tokens::{self, TokenKeys, CUSTOMER_SCOPE};
use crate::customers::model::Customer;
use crate::customers::repo as customers_repo;
use crate::customers::service::now;
use crate::db::DbConnection;
use crate::error::{ApiError, Code};

/// What a successful login or refresh hands out.
#[derive(Debug)]
pub struct TokenPair {
    pub id: String,
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
}

pub enum RefreshOutcome {
    Rotated(TokenPair),
    /// Unknown, expired or revoked; or a replay, whose session is now revoked. The caller
    /// commits, then answers `004`.
    Refused,
}

/// Starts a session for a customer whose password was verified: a refresh token in a new
/// family and an access token bound to it. `rehash` replaces a hash of a lower cost.
pub fn start_session(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    customer: &Customer,
    rehash: Option<String>,
    refresh_ttl: i64,
) -> Result<TokenPair, ApiError> {
    let now = now();
    let verified = customer
        .password_hash
        .as_deref()
        .ok_or(ApiError::Domain(Code::FailedToAuthenticate))?;
    if !customers_repo::confirm_login(conn, customer.id, verified, rehash.as_deref())? {
        return Err(ApiError::Domain(Code::FailedToAuthenticate));
    }
    let session_id = tokens::random_hex(16);
    repo::insert_session(conn, &session_id, customer.id, now)?;
    issue_pair(
        conn,
        keys,
        &session_id,
        customer.id,
        &customer.customer_reference,
        now,
        refresh_ttl,
    )
}

fn issue_pair(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    session_id: &str,
    customer_id: i32,
    reference: &str,
    now: NaiveDateTime,
    refresh_ttl: i64,
) -> Result<TokenPair, ApiError> {
    let refresh_token = tokens::new_refresh_token();
    let expires_at = now + Duration::seconds(refresh_ttl);
    repo::insert_refresh_token(
        conn,
        &tokens::hash_refresh_token(&refresh_token),
        session_id,
        customer_id,
        now,
        expires_at,
    )?;
    let access = keys
        .issue(reference, session_id, CUSTOMER_SCOPE)
        .map_err(ApiError::internal)?;
    Ok(TokenPair {
        id: access.jti,
        access_token: access.token,
        expires_in: access.expires_in,
        refresh_token,
    })
}

/// Rotates a refresh token (CONTRACT §3 item 19): the presented token is spent and a new one
/// of the same family is issued. A spent token presented again revokes the whole family
/// (RFC 9700 reuse detection), which also ends its access tokens.
pub fn refresh(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    presented: &str,
    refresh_ttl: i64,
) -> Result<RefreshOutcome, ApiError> {
    let now = now();
    let Some(state) = repo::find_refresh_token(conn, &tokens::hash_refresh_token(presented))?
    else {
        return Ok(RefreshOutcome::Refused);
    };
    if state.session_revoked_at.is_some() || state.expires_at <= now {
        return Ok(RefreshOutcome::Refused);
    }
    if state.used_at.is_some() || !repo::consume_refresh_token(conn, state.id, now)? {
        tracing::warn!(session = %state.session_id, "refresh token replayed; revoking its family");
        repo::revoke_session(conn, &state.session_id, now)?;
        return Ok(RefreshOutcome::Refused);
    }
    // An anonymization that committed while this ran has revoked the session; the lock makes
    // this refresh wait for it and see it.
    if !customers_repo::lock_live(conn, state.customer_id)? {
        repo::revoke_session(conn, &state.session_id, now)?;
        return Ok(RefreshOutcome::Refused);
    }
    let pair = issue_pair(
        conn,
        keys,
        &state.session_id,
        state.customer_id,
        &state.customer_reference,
        now,
        refresh_ttl,
    )?;
    Ok(RefreshOutcome::Rotated(pair))
}

/// `DELETE /refresh-tokens/{token}` (reference §2.12): revokes the token's family if it is
/// the caller's; says nothing either way.
pub fn revoke(conn: &mut DbConnection, customer_id: i32, presented: &str) -> Result<(), ApiError> {
    let now = now();
    if let Some(state) = repo::find_refresh_token(conn, &tokens::hash_refresh_token(presented))? {
        if state.customer_id == customer_id {
            repo::revoke_session(conn, &state.session_id, now)?;
        }
    }
    Ok(())
}

/// `DELETE /refresh-tokens/mine`: every session of the customer, and so every access token
/// issued before now (CONTRACT §3 item 18).
pub fn revoke_all(conn: &mut DbConnection, customer_id: i32) -> Result<(), ApiError> {
    repo::revoke_all_sessions(conn, customer_id, now())?;
    Ok(())
}

/// A customer whose password matched may still not log in: anonymized, or not confirmed under
/// double opt-in. The answer is the same `003` as for a wrong password (CONTRACT §3 item 16).
pub fn may_log_in(customer: &Customer, double_opt_in: bool) -> Result<(), ApiError> {
    let confirmed = !double_opt_in || customer.registered_at.is_some();
    if customer.anonymized_at.is_none() && confirmed {
        Ok(())
    } else {
        Err(ApiError::Domain(Code::FailedToAuthenticate))
    }
}
