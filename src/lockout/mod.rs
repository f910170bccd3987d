//! Brute-force limits (CONTRACT §3 item 16, checklist C5): failed attempts are counted per key
//! (an account's normalized email, known or not; a client address; a client id) in the
//! database, so that the limit holds across instances. `max_failures` within `window` seconds
//! block the key for `block` seconds. Knows no resource: callers name their keys.

mod repo;

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::settings::LimitSettings;

#[derive(Debug, Clone, Copy)]
pub struct LockoutRules {
    pub max_failures: i32,
    pub window: i64,
    pub block: i64,
}

impl LockoutRules {
    pub fn new(limits: &LimitSettings) -> Self {
        Self {
            max_failures: limits.login_max_failures,
            window: limits.login_failure_window,
            block: limits.login_block_duration,
        }
    }
}

/// Logins to this account (normalized email): an unknown email has its counter like a known one.
pub fn account_key(email_normalized: &str) -> String {
    format!("account:{email_normalized}")
}

/// Logins from this client address.
pub fn address_key(ip: IpAddr) -> String {
    format!("address:{ip}")
}

/// Client authentications of this OAuth client.
pub fn client_key(client_id: &str) -> String {
    format!("client:{client_id}")
}

/// Client authentications from this address.
pub fn client_address_key(ip: IpAddr) -> String {
    format!("client-address:{ip}")
}

/// Seconds until the last of `keys` is unblocked, if any is blocked now.
pub fn blocked_for(
    conn: &mut DbConnection,
    keys: &[String],
    now: NaiveDateTime,
) -> Result<Option<i64>, ApiError> {
    Ok(repo::blocked_until(conn, keys, now)?.map(|until| (until - now).num_seconds().max(1)))
}

/// One more failure for each key; a key reaching the limit within its window is blocked.
/// Call inside a write transaction.
pub fn record_failure(
    conn: &mut DbConnection,
    keys: &[String],
    rules: LockoutRules,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    for key in keys {
        repo::ensure(conn, key, now)?;
        let (window_start, failures) = repo::lock(conn, key)?;
        let (window_start, failures) = if now - window_start > Duration::seconds(rules.window) {
            (now, 1)
        } else {
            (window_start, failures.saturating_add(1))
        };
        let blocked_until =
            (failures >= rules.max_failures).then(|| now + Duration::seconds(rules.block));
        // A block ends the window: after it, counting starts afresh.
        let (window_start, failures) = if blocked_until.is_some() {
            (now, 0)
        } else {
            (window_start, failures)
        };
        repo::update(conn, key, window_start, failures, blocked_until)?;
    }
    Ok(())
}

/// A success clears the key's counter.
pub fn reset(conn: &mut DbConnection, key: &str) -> Result<(), ApiError> {
    Ok(repo::delete(conn, key)?)
}

/// Drops counters that can no longer block anyone (the worker's housekeeping).
pub fn forget_stale(
    conn: &mut DbConnection,
    rules: LockoutRules,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    Ok(repo::forget_stale(
        conn,
        now - Duration::seconds(rules.window),
        now,
    )?)
}
