//! SQL for customers. Small synchronous functions; the caller holds the transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Customer, CustomerChangeset, NewCustomer};
use crate::db::schema::{customers, sequences};
use crate::db::DbConnection;

/// The next number of the customer-reference sequence (independent of row ids). The UPDATE
/// takes the row lock, so concurrent transactions get distinct numbers on both backends.
/// The next customer reference number: PostgreSQL's sequence (no row every registration
/// waits for; numbers a rolled-back transaction drew are skipped), SQLite's counter row (one
/// writer at a time anyway).
pub fn next_reference_number(conn: &mut DbConnection) -> QueryResult<i64> {
    next_reference_numbers(conn, 1)?
        .first()
        .copied()
        .ok_or(diesel::result::Error::NotFound)
}

/// `n` reference numbers at once, ascending (an import's batch: one round trip).
pub fn next_reference_numbers(conn: &mut DbConnection, n: i64) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Drawn {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    if n <= 0 {
        return Ok(Vec::new());
    }
    match conn {
        DbConnection::Pg(pg) => {
            let drawn: Vec<Drawn> = diesel::sql_query(
                "SELECT nextval('customer_reference_seq') AS n FROM generate_series(1, $1)",
            )
            .bind::<diesel::sql_types::BigInt, _>(n)
            .load(pg)?;
            let mut numbers: Vec<i64> = drawn.into_iter().map(|d| d.n).collect();
            numbers.sort_unstable();
            Ok(numbers)
        }
        DbConnection::Sqlite(_) => {
            diesel::update(sequences::table.find("customer_reference"))
                .set(sequences::value.eq(sequences::value + n))
                .execute(conn)?;
            let last: i64 = sequences::table
                .find("customer_reference")
                .select(sequences::value)
                .first(conn)?;
            Ok((last - n + 1..=last).collect())
        }
    }
}

pub fn insert(conn: &mut DbConnection, new: &NewCustomer<'_>) -> QueryResult<Customer> {
    diesel::insert_into(customers::table)
        .values(new)
        .execute(conn)?;
    customers::table
        .filter(customers::customer_reference.eq(new.customer_reference))
        .select(Customer::as_select())
        .first(conn)
}

pub fn find_by_reference(
    conn: &mut DbConnection,
    reference: &str,
) -> QueryResult<Option<Customer>> {
    customers::table
        .filter(customers::customer_reference.eq(reference))
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Customer>> {
    customers::table
        .find(id)
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConnection, normalized: &str) -> QueryResult<Option<Customer>> {
    customers::table
        .filter(customers::email_normalized.eq(normalized))
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

/// True if another customer than `except` uses this email (compared case-insensitively).
pub fn email_taken(
    conn: &mut DbConnection,
    normalized: &str,
    except: Option<i32>,
) -> QueryResult<bool> {
    let mut query = customers::table
        .filter(customers::email_normalized.eq(normalized))
        .select(customers::id)
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(customers::id.ne(id));
    }
    Ok(query.first::<i32>(conn).optional()?.is_some())
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    changes: &CustomerChangeset,
) -> QueryResult<Customer> {
    diesel::update(customers::table.find(id))
        .set(changes)
        .execute(conn)?;
    customers::table
        .find(id)
        .select(Customer::as_select())
        .first(conn)
}

/// Replaces the password hash if the customer is still live and still has `expected`, under
/// the row's lock; `None` keeps it (a login that needs no cost upgrade). The conditional
/// UPDATE waits for a concurrent anonymization or password change and then sees its result,
/// so a login or a password change racing one cannot outlive it. False: the caller must fail.
pub fn swap_password_hash(
    conn: &mut DbConnection,
    id: i32,
    expected: &str,
    new_hash: Option<&str>,
) -> QueryResult<bool> {
    let target = customers::table
        .find(id)
        .filter(customers::anonymized_at.is_null())
        .filter(customers::blocked_at.is_null())
        .filter(customers::password_hash.eq(expected));
    let updated = diesel::update(target)
        .set(customers::password_hash.eq(new_hash.unwrap_or(expected)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Locks a live customer's row (see [`swap_password_hash`]); false if anonymized or blocked.
pub fn lock_live(conn: &mut DbConnection, id: i32) -> QueryResult<bool> {
    let target = customers::table
        .find(id)
        .filter(customers::anonymized_at.is_null())
        .filter(customers::blocked_at.is_null());
    let updated = diesel::update(target)
        .set(customers::updated_at.eq(customers::updated_at))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Confirms the registration whose key hashes to `key_hash`, once: the key is cleared in the
/// same statement, so a second use finds nothing.
pub fn confirm_registration(
    conn: &mut DbConnection,
    key_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let target = customers::table
        .filter(customers::registration_key_hash.eq(key_hash))
        .filter(customers::anonymized_at.is_null());
    let updated = diesel::update(target)
        .set((
            customers::registered_at.eq(now),
            customers::registration_key_hash.eq(None::<String>),
            customers::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

pub fn find_by_restore_key(
    conn: &mut DbConnection,
    key_hash: &str,
) -> QueryResult<Option<Customer>> {
    customers::table
        .filter(customers::restore_key_hash.eq(key_hash))
        .filter(customers::anonymized_at.is_null())
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

/// A new restore key replaces any earlier one (CONTRACT §3 item 15).
pub fn set_restore_key(
    conn: &mut DbConnection,
    id: i32,
    key_hash: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(customers::table.find(id))
        .set((
            customers::restore_key_hash.eq(key_hash),
            customers::restore_key_expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the new password with the restore key, once: the key must still be the customer's,
/// and is cleared in the same statement. A reset proves the mailbox, so it also confirms an
/// unconfirmed registration (`registered_at`).
pub fn restore_password(
    conn: &mut DbConnection,
    id: i32,
    key_hash: &str,
    new_hash: &str,
    registered_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let target = customers::table
        .find(id)
        .filter(customers::restore_key_hash.eq(key_hash))
        .filter(customers::anonymized_at.is_null());
    let updated = diesel::update(target)
        .set((
            customers::password_hash.eq(new_hash),
            customers::restore_key_hash.eq(None::<String>),
            customers::restore_key_expires_at.eq(None::<NaiveDateTime>),
            customers::registered_at.eq(registered_at),
            customers::registration_key_hash.eq(None::<String>),
            customers::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// A successful login, for the partner API's `lastLoginAt`.
pub fn record_login(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(customers::table.find(id))
        .set(customers::last_login_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Whether the one-off task `name` has run (a row in `sequences` records it).
pub fn task_done(conn: &mut DbConnection, name: &str) -> QueryResult<bool> {
    sequences::table
        .find(name)
        .select(sequences::value)
        .first::<i64>(conn)
        .optional()
        .map(|value| value.is_some_and(|v| v > 0))
}

/// Records that the one-off task `name` has run (a concurrent record is no error).
pub fn mark_task_done(conn: &mut DbConnection, name: &str) -> QueryResult<()> {
    let insert = || {
        diesel::insert_into(sequences::table)
            .values((sequences::name.eq(name), sequences::value.eq(1i64)))
            .on_conflict_do_nothing()
    };
    match conn {
        DbConnection::Pg(pg) => insert().execute(pg)?,
        DbConnection::Sqlite(sqlite) => insert().execute(sqlite)?,
    };
    Ok(())
}

/// A stored name and its stored lower-case form.
pub type NameRow = (
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Up to `limit` customers after `after_id`, by id: id, first name, its normalized form, last
/// name, its normalized form.
pub fn names_after(
    conn: &mut DbConnection,
    after_id: i32,
    limit: i64,
) -> QueryResult<Vec<NameRow>> {
    customers::table
        .filter(customers::id.gt(after_id))
        .order(customers::id)
        .limit(limit)
        .select((
            customers::id,
            customers::first_name,
            customers::first_name_normalized,
            customers::last_name,
            customers::last_name_normalized,
        ))
        .load(conn)
}

/// Sets the normalized names of one customer (nothing else changes, `updated_at` neither).
pub fn set_normalized_names(
    conn: &mut DbConnection,
    id: i32,
    first: Option<&str>,
    last: Option<&str>,
) -> QueryResult<()> {
    diesel::update(customers::table.find(id))
        .set((
            customers::first_name_normalized.eq(first),
            customers::last_name_normalized.eq(last),
        ))
        .execute(conn)?;
    Ok(())
}
