//! SQL for failure counters: one row per key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::login_failures as failures;
use crate::db::DbConnection;

/// The latest `blocked_until` among `keys` that lies after `now`.
pub fn blocked_until(
    conn: &mut DbConnection,
    keys: &[String],
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    failures::table
        .filter(failures::key.eq_any(keys))
        .filter(failures::blocked_until.gt(now))
        .select(failures::blocked_until)
        .order(failures::blocked_until.desc())
        .first::<Option<NaiveDateTime>>(conn)
        .optional()
        .map(Option::flatten)
}

/// The counters of `keys` that exist (unlocked: a read).
pub fn counters(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<Counter>> {
    failures::table
        .filter(failures::key.eq_any(keys))
        .select((
            failures::window_start,
            failures::failures,
            failures::blocked_until,
        ))
        .load(conn)
}

/// Makes sure a row for `key` exists (a concurrent insert is no error).
pub fn ensure(conn: &mut DbConnection, key: &str, now: NaiveDateTime) -> QueryResult<()> {
    let insert = || {
        diesel::insert_into(failures::table)
            .values((
                failures::key.eq(key),
                failures::window_start.eq(now),
                failures::failures.eq(0),
            ))
            .on_conflict_do_nothing()
    };
    // diesel's multi-backend connection does not pass ON CONFLICT through; each backend does.
    match conn {
        DbConnection::Pg(pg) => insert().execute(pg)?,
        DbConnection::Sqlite(sqlite) => insert().execute(sqlite)?,
    };
    Ok(())
}

/// One key's counter.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct Counter {
    pub window_start: NaiveDateTime,
    pub failures: i32,
    pub blocked_until: Option<NaiveDateTime>,
}

/// The counter of `key`, if there is one, locked for the rest of the transaction on
/// PostgreSQL (SQLite's write transaction holds the database lock already).
pub fn lock(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Counter>> {
    let row = || {
        failures::table.find(key).select((
            failures::window_start,
            failures::failures,
            failures::blocked_until,
        ))
    };
    match conn {
        DbConnection::Pg(pg) => row().for_update().first(pg).optional(),
        DbConnection::Sqlite(sqlite) => row().first(sqlite).optional(),
    }
}

pub fn update(
    conn: &mut DbConnection,
    key: &str,
    window_start: NaiveDateTime,
    count: i32,
    blocked_until: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(failures::table.find(key))
        .set((
            failures::window_start.eq(window_start),
            failures::failures.eq(count),
            failures::blocked_until.eq(blocked_until),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(failures::table.find(key)).execute(conn)?;
    Ok(())
}

/// Counters whose window and block have both passed mean nothing any more.
pub fn forget_stale(
    conn: &mut DbConnection,
    window_start: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        failures::table
            .filter(failures::window_start.lt(window_start))
            .filter(
                failures::blocked_until
                    .is_null()
                    .or(failures::blocked_until.lt(now)),
            ),
    )
    .execute(conn)
}
