//! Ending sessions and inspecting them: `DELETE /refresh-tokens`, the revocation and
//! introspection endpoints (RFC 7009, RFC 7662), and every event that must end a customer's
//! sessions at once (CONTRACT §3 item 18).

use chrono::NaiveDateTime;

use super::repo;
use crate::credentials::keys;
use crate::db::{now, DbConnection};
use crate::error::ApiError;

/// `DELETE /refresh-tokens/{token}` (reference §2.12): revokes the token's family if it is
/// the caller's; says nothing either way.
pub fn revoke(conn: &mut DbConnection, customer_id: i32, presented: &str) -> Result<(), ApiError> {
    if let Some(state) = repo::find_refresh_token(conn, &keys::key_hash(presented))? {
        if state.customer_id == customer_id {
            repo::revoke_session(conn, &state.session_id, now())?;
        }
    }
    Ok(())
}

/// Every session of the customer, and so every access token issued before now (CONTRACT §3
/// item 18): `DELETE /refresh-tokens/mine`, anonymization, password change and reset.
pub fn revoke_all(conn: &mut DbConnection, customer_id: i32) -> Result<(), ApiError> {
    repo::revoke_all_sessions(conn, customer_id, now())?;
    Ok(())
}

/// RFC 7009 for a refresh token: its family ends if it was issued to `client_id`. True when
/// the token is one of ours (revoked or not), so that the caller looks no further.
pub fn revoke_refresh_token(
    conn: &mut DbConnection,
    presented: &str,
    client_id: &str,
) -> Result<bool, ApiError> {
    let Some(state) = repo::find_refresh_token(conn, &keys::key_hash(presented))? else {
        return Ok(false);
    };
    if state.session_client_id == client_id {
        repo::revoke_session(conn, &state.session_id, now())?;
    }
    Ok(true)
}

/// RFC 7009 for a customer access token: its session ends (with its refresh tokens, as RFC
/// 7009 §2.1 allows) if the session was issued to `client_id`.
pub fn revoke_session_of(
    conn: &mut DbConnection,
    session_id: &str,
    client_id: &str,
) -> Result<(), ApiError> {
    if repo::session_client(conn, session_id)?.as_deref() == Some(client_id) {
        repo::revoke_session(conn, session_id, now())?;
    }
    Ok(())
}

/// What introspection tells of a live refresh token.
#[derive(Debug, Clone)]
pub struct RefreshTokenInfo {
    pub customer_reference: String,
    pub client_id: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// A refresh token that can still be exchanged: unspent, unexpired, its session live.
pub fn inspect_refresh_token(
    conn: &mut DbConnection,
    presented: &str,
) -> Result<Option<RefreshTokenInfo>, ApiError> {
    let now = now();
    let state = repo::find_refresh_token(conn, &keys::key_hash(presented))?;
    Ok(state
        .filter(|s| {
            s.used_at.is_none()
                && s.session_revoked_at.is_none()
                && s.expires_at > now
                && s.session_expires_at > now
        })
        .map(|s| RefreshTokenInfo {
            customer_reference: s.customer_reference,
            client_id: s.session_client_id,
            issued_at: s.created_at,
            expires_at: s.expires_at.min(s.session_expires_at),
        }))
}

/// True when the session of a customer access token is live and its customer too.
pub fn session_is_live(
    conn: &mut DbConnection,
    session_id: &str,
    customer_reference: &str,
) -> Result<bool, ApiError> {
    Ok(repo::find_live_session(conn, session_id, customer_reference, now())?.is_some())
}
