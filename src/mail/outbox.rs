//! The outbox table: emails queued in the transaction of the change that causes them, then
//! claimed, sent and marked by the delivery worker. Several instances may share one PostgreSQL
//! database: a claim takes due rows with `FOR UPDATE SKIP LOCKED` and holds them under a lease
//! naming its instance, so no two instances send one email; a lease left by an instance that
//! died runs out and the email is claimed again. SQLite serves one instance and claims under
//! its write lock.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::templates::RenderedEmail;
use crate::db::schema::outbox;
use crate::db::DbConnection;

/// A claimed email, ready to send.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
}

pub fn insert(
    conn: &mut DbConnection,
    kind: &str,
    recipient: &str,
    email: &RenderedEmail,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::kind.eq(kind),
            outbox::recipient.eq(recipient),
            outbox::subject.eq(&email.subject),
            outbox::text_body.eq(&email.text),
            outbox::html_body.eq(&email.html),
            outbox::created_at.eq(now),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Claims up to `limit` due emails for `owner` until `lease_until`, counting the attempt.
pub fn claim_due(
    conn: &mut DbConnection,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxMessage>> {
    let due = || {
        outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::failed_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::lease_until
                    .is_null()
                    .or(outbox::lease_until.lt(now)),
            )
            .order(outbox::next_attempt_at)
            .limit(limit)
            .select(outbox::id)
    };
    let ids: Vec<String> = match conn {
        DbConnection::Pg(pg) => due().for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(sqlite) => due().load(sqlite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::lease_owner.eq(owner),
            outbox::lease_until.eq(lease_until),
            outbox::attempts.eq(outbox::attempts + 1),
        ))
        .execute(conn)?;
    outbox::table
        .filter(outbox::id.eq_any(&ids))
        .order(outbox::next_attempt_at)
        .select(OutboxMessage::as_select())
        .load(conn)
}

type ById<'a> = diesel::dsl::Filter<outbox::table, diesel::dsl::Eq<outbox::id, &'a str>>;
type Leased<'a> = diesel::dsl::Filter<ById<'a>, diesel::dsl::Eq<outbox::lease_owner, &'a str>>;

/// The rows of `id` still leased by `owner` (a lease that ran out may have passed to another).
fn leased<'a>(id: &'a str, owner: &'a str) -> Leased<'a> {
    outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::lease_owner.eq(owner))
}

/// Sent: the bodies are wiped, since they may hold a single-use key that has no business
/// lingering in the database. False when the lease was lost meanwhile.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(leased(id, owner))
        .set((
            outbox::sent_at.eq(now),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::text_body.eq(""),
            outbox::html_body.eq(""),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

pub fn retry_at(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(leased(id, owner))
        .set((
            outbox::next_attempt_at.eq(at),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Given up: kept for the record, bodies wiped like a sent one's.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    owner: &str,
    now: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(leased(id, owner))
        .set((
            outbox::failed_at.eq(now),
            outbox::lease_owner.eq(None::<String>),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::text_body.eq(""),
            outbox::html_body.eq(""),
            outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives claimed but unsent emails back (a worker stopping), so another start takes them at
/// once instead of after the lease.
pub fn release(conn: &mut DbConnection, ids: &[String], owner: &str) -> QueryResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::lease_owner.eq(owner)),
    )
    .set((
        outbox::lease_owner.eq(None::<String>),
        outbox::lease_until.eq(None::<NaiveDateTime>),
        outbox::attempts.eq(outbox::attempts - 1),
    ))
    .execute(conn)?;
    Ok(())
}
