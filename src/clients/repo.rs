//! SQL for OAuth clients and for the deny-list of revoked access tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::Client;
use crate::db::schema::{clients, revoked_access_tokens as revoked};
use crate::db::DbConnection;

pub struct NewClient<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub secret_hash: Option<&'a str>,
    pub auth_method: &'a str,
    pub grant_types: &'a str,
    pub scopes: &'a str,
    pub now: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewClient<'_>) -> QueryResult<()> {
    diesel::insert_into(clients::table)
        .values((
            clients::id.eq(new.id),
            clients::name.eq(new.name),
            clients::secret_hash.eq(new.secret_hash),
            clients::auth_method.eq(new.auth_method),
            clients::grant_types.eq(new.grant_types),
            clients::scopes.eq(new.scopes),
            clients::created_at.eq(new.now),
            clients::updated_at.eq(new.now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Client>> {
    clients::table
        .find(id)
        .select(Client::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Client>> {
    clients::table
        .order(clients::created_at)
        .select(Client::as_select())
        .load(conn)
}

pub fn set_secret_hash(
    conn: &mut DbConnection,
    id: &str,
    secret_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(clients::table.find(id))
        .set((
            clients::secret_hash.eq(secret_hash),
            clients::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    Ok(diesel::delete(clients::table.find(id)).execute(conn)? == 1)
}

/// Adds `jti` to the deny-list until `expires_at` (revoking twice is fine).
pub fn revoke_access_token(
    conn: &mut DbConnection,
    jti: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    let insert = || {
        diesel::insert_into(revoked::table)
            .values((revoked::jti.eq(jti), revoked::expires_at.eq(expires_at)))
            .on_conflict_do_nothing()
    };
    // diesel's multi-backend connection does not pass ON CONFLICT through; each backend does.
    match conn {
        DbConnection::Pg(pg) => insert().execute(pg)?,
        DbConnection::Sqlite(sqlite) => insert().execute(sqlite)?,
    };
    Ok(())
}

/// The client of a client_credentials access token, if the client still exists and the token
/// is not on the deny-list: the one query such a token costs.
pub fn find_live_client_token(
    conn: &mut DbConnection,
    client_id: &str,
    jti: &str,
) -> QueryResult<Option<Client>> {
    clients::table
        .find(client_id)
        .filter(diesel::dsl::not(diesel::dsl::exists(
            revoked::table.filter(revoked::jti.eq(jti)),
        )))
        .select(Client::as_select())
        .first(conn)
        .optional()
}

/// Drops deny-list entries of tokens that have expired by themselves.
pub fn forget_expired_revocations(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(revoked::table.filter(revoked::expires_at.le(now))).execute(conn)
}
