//! SQL for login sessions and refresh tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::customers::model::Customer;
use crate::db::schema::{customers, refresh_tokens, sessions};
use crate::db::{on_backend, DbConnection};

/// A refresh token row with what decides whether it may still be used.
#[derive(Debug, Queryable)]
pub struct RefreshTokenState {
    pub id: i32,
    pub session_id: String,
    pub customer_id: i32,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub session_revoked_at: Option<NaiveDateTime>,
    pub session_expires_at: NaiveDateTime,
    pub session_client_id: String,
    pub created_at: NaiveDateTime,
    pub customer_reference: String,
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub customer_id: i32,
    pub client_id: &'a str,
    pub now: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert_session(conn: &mut DbConnection, new: &NewSession<'_>) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(new.id),
            sessions::customer_id.eq(new.customer_id),
            sessions::client_id.eq(new.client_id),
            sessions::created_at.eq(new.now),
            sessions::expires_at.eq(new.expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The customer of a session that is still live, for the given subject: the one query an
/// authenticated request costs.
pub fn find_live_session(
    conn: &mut DbConnection,
    session_id: &str,
    reference: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Customer>> {
    // Every authenticated request runs this: on the backend connection (see `on_backend!`).
    on_backend!(conn, c => sessions::table
        .inner_join(customers::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(customers::customer_reference.eq(reference))
        .filter(customers::anonymized_at.is_null())
        // A block ends every session at once, even a token minted a moment before it.
        .filter(customers::blocked_at.is_null())
        .select(Customer::as_select())
        .first(c)
        .optional())
}

pub fn revoke_session(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

pub fn revoke_all_sessions(
    conn: &mut DbConnection,
    customer_id: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::customer_id.eq(customer_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

pub fn insert_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
    session_id: &str,
    customer_id: i32,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::customer_id.eq(customer_id),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<RefreshTokenState>> {
    refresh_tokens::table
        .inner_join(sessions::table.inner_join(customers::table))
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::id,
            refresh_tokens::session_id,
            refresh_tokens::customer_id,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            sessions::revoked_at,
            sessions::expires_at,
            sessions::client_id,
            refresh_tokens::created_at,
            customers::customer_reference,
        ))
        .first(conn)
        .optional()
}

/// Marks a refresh token used; false if it already was (a concurrent use won).
pub fn consume_refresh_token(
    conn: &mut DbConnection,
    id: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

/// A session's client, if the session is live (not revoked, not past its end).
pub fn live_session_client(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    sessions::table
        .find(session_id)
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select(sessions::client_id)
        .first(conn)
        .optional()
}

/// The client a session was issued to, live or not.
pub fn session_client(conn: &mut DbConnection, session_id: &str) -> QueryResult<Option<String>> {
    sessions::table
        .find(session_id)
        .select(sessions::client_id)
        .first(conn)
        .optional()
}
