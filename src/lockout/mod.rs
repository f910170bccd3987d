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

/// What a read sees of `keys`: whether one is blocked now (the seconds left), and whether any
/// holds failures a success would take back.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub blocked_for: Option<i64>,
    pub has_failures: bool,
}

pub fn standing(
    conn: &mut DbConnection,
    keys: &[String],
    now: NaiveDateTime,
) -> Result<Standing, ApiError> {
    let counters = repo::counters(conn, keys)?;
    let blocked_until = counters
        .iter()
        .filter_map(|c| c.blocked_until.filter(|until| *until > now))
        .max();
    Ok(Standing {
        blocked_for: blocked_until.map(|until| (until - now).num_seconds().max(1)),
        has_failures: counters.iter().any(|c| c.failures > 0),
    })
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
    for (key, counter) in lock_all(conn, keys, now)? {
        count(conn, &key, counter, rules, now)?;
    }
    Ok(())
}

/// Checks `keys`, and if none is blocked counts the attempt: the seconds to wait, or `None` to go
/// ahead. The rows are locked first (in one order, so two attempts cannot deadlock) and the
/// decision is taken from the locked values: attempts sent at once queue on the rows, and the
/// one after the attempt that reached the limit sees its block.
pub fn begin_attempt(
    conn: &mut DbConnection,
    keys: &[String],
    rules: LockoutRules,
    now: NaiveDateTime,
) -> Result<Option<i64>, ApiError> {
    let counters = lock_all(conn, keys, now)?;
    let blocked = counters
        .iter()
        .filter_map(|(_, counter)| counter.blocked_until.filter(|until| *until > now))
        .max();
    if let Some(until) = blocked {
        return Ok(Some((until - now).num_seconds().max(1)));
    }
    for (key, counter) in counters {
        count(conn, &key, counter, rules, now)?;
    }
    Ok(None)
}

/// A succeeded attempt was no failure: its count goes back. The key stays blocked only if the
/// failures left reach the limit on their own; a block this attempt's count completed goes.
/// A counter dropped meanwhile by housekeeping had nothing left to take back.
pub fn forgive(conn: &mut DbConnection, key: &str, rules: LockoutRules) -> Result<(), ApiError> {
    let Some(counter) = repo::lock(conn, key)? else {
        return Ok(());
    };
    let failures = counter.failures.saturating_sub(1).max(0);
    let blocked_until = counter
        .blocked_until
        .filter(|_| failures >= rules.max_failures);
    Ok(repo::update(
        conn,
        key,
        counter.window_start,
        failures,
        blocked_until,
    )?)
}

/// The counters of `keys`, each created if missing and locked for the rest of the transaction,
/// in key order.
fn lock_all(
    conn: &mut DbConnection,
    keys: &[String],
    now: NaiveDateTime,
) -> Result<Vec<(String, repo::Counter)>, ApiError> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let mut counters = Vec::with_capacity(keys.len());
    for key in keys {
        // Housekeeping on another instance may drop a stale row between the insert and the
        // lock; the second insert makes a fresh one, which no housekeeping takes.
        let counter = loop {
            repo::ensure(conn, &key, now)?;
            if let Some(counter) = repo::lock(conn, &key)? {
                break counter;
            }
        };
        counters.push((key, counter));
    }
    Ok(counters)
}

fn count(
    conn: &mut DbConnection,
    key: &str,
    counter: repo::Counter,
    rules: LockoutRules,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let expired = now - counter.window_start > Duration::seconds(rules.window)
        || counter.blocked_until.is_some_and(|until| until <= now);
    let (window_start, failures) = if expired {
        (now, 1)
    } else {
        (counter.window_start, counter.failures.saturating_add(1))
    };
    let blocked_until =
        (failures >= rules.max_failures).then(|| now + Duration::seconds(rules.block));
    Ok(repo::update(
        conn,
        key,
        window_start,
        failures,
        blocked_until,
    )?)
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
