//! SQL for password reset requests: one row per email, known or not.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::password_reset_requests as requests;
use crate::db::DbConnection;

#[derive(Debug, Queryable)]
pub struct ResetRequest {
    pub email_normalized: String,
    pub reason: String,
    pub requested_at: NaiveDateTime,
}

pub fn last_requested_at(
    conn: &mut DbConnection,
    email: &str,
) -> QueryResult<Option<NaiveDateTime>> {
    requests::table
        .find(email)
        .select(requests::requested_at)
        .first(conn)
        .optional()
}

/// Records a request; false when a concurrent one for the same email got there first.
pub fn insert(
    conn: &mut DbConnection,
    email: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let insert = || {
        diesel::insert_into(requests::table)
            .values((
                requests::email_normalized.eq(email),
                requests::reason.eq(reason),
                requests::requested_at.eq(now),
            ))
            .on_conflict_do_nothing()
    };
    // Both backends know ON CONFLICT DO NOTHING; diesel's multi-backend connection does not
    // pass it through, so each backend runs it on its own connection type. (A plain INSERT
    // would end a PostgreSQL transaction on a unique violation.)
    let inserted = match conn {
        DbConnection::Pg(pg) => insert().execute(pg)?,
        DbConnection::Sqlite(sqlite) => insert().execute(sqlite)?,
    };
    Ok(inserted == 1)
}

/// Renews a request whose throttle window has passed: pending again.
pub fn renew(
    conn: &mut DbConnection,
    email: &str,
    reason: &str,
    now: NaiveDateTime,
    window_start: NaiveDateTime,
) -> QueryResult<bool> {
    let target = requests::table
        .find(email)
        .filter(requests::requested_at.le(window_start));
    let updated = diesel::update(target)
        .set((
            requests::reason.eq(reason),
            requests::requested_at.eq(now),
            requests::processed_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Pending requests, oldest first; on PostgreSQL locked for this transaction and skipped by
/// every other instance's (SQLite: one instance, under its write lock).
pub fn claim_pending(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<ResetRequest>> {
    let pending = || {
        requests::table
            .filter(requests::processed_at.is_null())
            .order(requests::requested_at)
            .limit(limit)
            // Columns, not `as_select()`: that fixes the backend at the first use.
            .select((
                requests::email_normalized,
                requests::reason,
                requests::requested_at,
            ))
    };
    match conn {
        DbConnection::Pg(pg) => pending().for_update().skip_locked().load(pg),
        DbConnection::Sqlite(sqlite) => pending().load(sqlite),
    }
}

pub fn mark_processed(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(requests::table.find(email))
        .set(requests::processed_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Forgets processed requests whose throttle window has passed: the table holds emails of
/// people who may have no account, for no longer than it needs them.
pub fn forget_processed(
    conn: &mut DbConnection,
    window_start: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        requests::table
            .filter(requests::processed_at.is_not_null())
            .filter(requests::requested_at.le(window_start)),
    )
    .execute(conn)
}
