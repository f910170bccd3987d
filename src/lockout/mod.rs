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

/// Counts an attempt for each key before its outcome is known, so that attempts sent at once
/// get no more tries than the limit between them: the attempt that reaches the limit blocks
/// the key for everyone after it. A window or block that has passed starts counting afresh.
/// Call inside a write transaction; a success takes its count back with [`forgive`].
pub fn count_attempt(
    conn: &mut DbConnection,
    keys: &[String],
    rules: LockoutRules,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    for key in keys {
        repo::ensure(conn, key, now)?;
        let (window_start, failures, blocked_until) = repo::lock(conn, key)?;
        let expired = now - window_start > Duration::seconds(rules.window)
            || blocked_until.is_some_and(|until| until <= now);
        let (window_start, failures) = if expired {
            (now, 1)
        } else {
            (window_start, failures.saturating_add(1))
        };
        let blocked_until =
            (failures >= rules.max_failures).then(|| now + Duration::seconds(rules.block));
        repo::update(conn, key, window_start, failures, blocked_until)?;
    }
    Ok(())
}

/// A succeeded attempt was no failure: its count goes back, and a block it caused with it.
pub fn forgive(conn: &mut DbConnection, key: &str, rules: LockoutRules) -> Result<(), ApiError> {
    let (window_start, failures, _) = repo::lock(conn, key)?;
    // Below the limit again, so no block: one set by earlier failures alone cannot be there
    // (an attempt is refused while its keys are blocked), so any block is this attempt's own.
    let failures = failures.saturating_sub(1).max(0);
    debug_assert!(failures < rules.max_failures);
    Ok(repo::update(conn, key, window_start, failures, None)?)
}

/// Checks `keys`, and if none is blocked counts the attempt: the seconds to wait, or `None` to go
/// ahead. One write transaction for both, so no attempt slips between the check and the count.
pub fn begin_attempt(
    conn: &mut DbConnection,
    keys: &[String],
    rules: LockoutRules,
    now: NaiveDateTime,
) -> Result<Option<i64>, ApiError> {
    if let Some(retry_after) = blocked_for(conn, keys, now)? {
        return Ok(Some(retry_after));
    }
    count_attempt(conn, keys, rules, now)?;
    Ok(None)
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
