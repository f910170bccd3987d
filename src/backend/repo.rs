//! SQL of the partner API's customer listing: filters, sort, offset and keyset paging, all read
//! in index order (see the partner-API migration's indexes).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::listing::{Cursor, Filters, Listing, Paging, SortKey};
use crate::customers::model::{Customer, Status};
use crate::db::schema::{customer_groups, customers};
use crate::db::{DbConnection, FixedLimit};

/// The upper bound of a prefix range: every string that starts with the prefix sorts below it
/// (byte order: SQLite's BINARY collation, PostgreSQL's "C" on these columns).
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// A cursor's timestamp at the precision stored (SQLite keeps nanoseconds): a shorter one would
/// fall before its own row, which the next page would then repeat.
pub const CURSOR_TIMESTAMP: &str = "%Y-%m-%d %H:%M:%S%.f";

/// A customer with the key of its group.
pub type Row = (Customer, Option<String>);

macro_rules! filtered {
    ($filters:expr, $group_id:expr) => {{
        let filters: &Filters = $filters;
        let mut query = customers::table
            .left_join(customer_groups::table)
            .into_boxed();
        if let Some(email) = &filters.email {
            query = query.filter(customers::email_normalized.eq(email.clone()));
        }
        if let Some(q) = &filters.q {
            let end = prefix_end(q);
            query = query.filter(
                customers::first_name_normalized
                    .ge(q.clone())
                    .and(customers::first_name_normalized.lt(end.clone()))
                    .or(customers::last_name_normalized
                        .ge(q.clone())
                        .and(customers::last_name_normalized.lt(end.clone())))
                    .or(customers::email_normalized
                        .ge(q.clone())
                        .and(customers::email_normalized.lt(end))),
            );
        }
        if let Some(status) = filters.status {
            query = match status {
                Status::Anonymized => query.filter(customers::anonymized_at.is_not_null()),
                Status::Blocked => query
                    .filter(customers::anonymized_at.is_null())
                    .filter(customers::blocked_at.is_not_null()),
                Status::Unconfirmed => query
                    .filter(customers::anonymized_at.is_null())
                    .filter(customers::blocked_at.is_null())
                    .filter(customers::registered_at.is_null()),
                Status::Active => query
                    .filter(customers::anonymized_at.is_null())
                    .filter(customers::blocked_at.is_null())
                    .filter(customers::registered_at.is_not_null()),
            };
        }
        if let Some(group_id) = $group_id {
            query = query.filter(customers::group_id.eq(group_id));
        }
        if let Some(at) = filters.created_gte {
            query = query.filter(customers::created_at.ge(at));
        }
        if let Some(at) = filters.created_lt {
            query = query.filter(customers::created_at.lt(at));
        }
        if let Some(at) = filters.updated_gte {
            query = query.filter(customers::updated_at.ge(at));
        }
        query
    }};
}

/// The group's id for `filter[group]`: `Some(None)` when the key names no group (an empty
/// result, not an error: the group may have been deleted since the partner's last sync).
pub fn group_filter(
    conn: &mut DbConnection,
    filters: &Filters,
) -> QueryResult<Option<Option<i32>>> {
    let Some(key) = &filters.group else {
        return Ok(None);
    };
    customer_groups::table
        .filter(customer_groups::key.eq(key))
        .select(customer_groups::id)
        .first(conn)
        .optional()
        .map(Some)
}

/// The number of customers the filters select (offset paging's `meta.page.total`).
pub fn count(conn: &mut DbConnection, listing: &Listing) -> QueryResult<i64> {
    let group_id = match group_filter(conn, &listing.filters)? {
        Some(None) => return Ok(0),
        Some(Some(id)) => Some(id),
        None => None,
    };
    filtered!(&listing.filters, group_id)
        .count()
        .get_result(conn)
}

/// One page, and for keyset paging the cursor of its last row when more may follow.
pub fn page(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(Vec<Row>, Option<Cursor>)> {
    let group_id = match group_filter(conn, &listing.filters)? {
        Some(None) => return Ok((Vec::new(), None)),
        Some(Some(id)) => Some(id),
        None => None,
    };
    let mut query = filtered!(&listing.filters, group_id);
    // A missing last name (anonymized) sorts after every name, before them descending, on both
    // databases: PostgreSQL does so by itself (and reads its index in that order); SQLite puts
    // NULL first.
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    for (key, descending) in &listing.sort {
        if sqlite && *key == SortKey::LastName {
            let missing = customers::last_name_normalized.is_null();
            query = if *descending {
                query.then_order_by(missing.desc())
            } else {
                query.then_order_by(missing.asc())
            };
        }
        query = match (key, descending) {
            (SortKey::CreatedAt, false) => query.then_order_by(customers::created_at.asc()),
            (SortKey::CreatedAt, true) => query.then_order_by(customers::created_at.desc()),
            (SortKey::UpdatedAt, false) => query.then_order_by(customers::updated_at.asc()),
            (SortKey::UpdatedAt, true) => query.then_order_by(customers::updated_at.desc()),
            (SortKey::LastName, false) => {
                query.then_order_by(customers::last_name_normalized.asc())
            }
            (SortKey::LastName, true) => {
                query.then_order_by(customers::last_name_normalized.desc())
            }
            (SortKey::Email, false) => query.then_order_by(customers::email_normalized.asc()),
            (SortKey::Email, true) => query.then_order_by(customers::email_normalized.desc()),
        };
    }
    let (key, descending) = listing.keyset_key();
    // Ties break by id, in the direction of the (last) sort key, so keyset paging is a range.
    let id_descending = listing.sort.last().is_some_and(|(_, d)| *d);
    query = if id_descending {
        query.then_order_by(customers::id.desc())
    } else {
        query.then_order_by(customers::id.asc())
    };
    let (limit, offset, after) = match &listing.paging {
        Paging::Offset { offset, limit } => (*limit, *offset, None),
        Paging::Keyset { after, limit } => (*limit, 0, after.as_ref()),
    };
    if let Some(cursor) = after {
        query = after_cursor(query, cursor)?;
    }
    let query = query.select((Customer::as_select(), customer_groups::key.nullable()));
    let rows: Vec<Row> = match u16::try_from(limit) {
        // A keyset page of a usual size without a bound range filter: the limit in the text,
        // so that PostgreSQL keeps one plan instead of planning every page (see `FixedLimit`).
        // Usual sizes only: each size is a prepared statement of its own on every connection.
        Ok(fixed)
            if matches!(listing.paging, Paging::Keyset { .. })
                && FIXED_LIMITS.contains(&fixed)
                && plan_is_value_independent(&listing.filters) =>
        {
            FixedLimit::new(query, fixed).load(conn)?
        }
        _ => query.limit(limit).offset(offset).load(conn)?,
    };
    let next = match (&listing.paging, rows.last()) {
        (Paging::Keyset { .. }, Some((last, _))) if rows.len() as i64 == limit => Some(Cursor {
            key,
            descending,
            value: key.map(|k| sort_value(last, k)),
            id: last.id,
        }),
        _ => None,
    };
    Ok((rows, next))
}

/// Page sizes that keyset pages carry in their statement's text (others are bound): the
/// default, and the round sizes partners use.
const FIXED_LIMITS: [u16; 8] = [10, 20, 25, 50, 100, 200, 250, 500];

/// Whether the best plan for these filters is the same whatever their values: equalities on a
/// unique key and fixed conditions only. A prefix, a time range or a group is estimated at an
/// average selectivity in a generic plan, which may walk the table in id order for a value
/// that matches few rows.
fn plan_is_value_independent(filters: &Filters) -> bool {
    filters.q.is_none()
        && filters.group.is_none()
        && filters.created_gte.is_none()
        && filters.created_lt.is_none()
        && filters.updated_gte.is_none()
}

fn sort_value(customer: &Customer, key: SortKey) -> String {
    match key {
        SortKey::CreatedAt => customer.created_at.format(CURSOR_TIMESTAMP).to_string(),
        SortKey::UpdatedAt => customer.updated_at.format(CURSOR_TIMESTAMP).to_string(),
        SortKey::LastName => customer.last_name_normalized.clone().unwrap_or_default(),
        SortKey::Email => customer.email_normalized.clone(),
    }
}

type Boxed<'a> = diesel::helper_types::IntoBoxed<
    'a,
    diesel::helper_types::LeftJoin<customers::table, customer_groups::table>,
    <DbConnection as Connection>::Backend,
>;

/// Rows strictly after the cursor's row in the listing's order.
fn after_cursor<'a>(query: Boxed<'a>, cursor: &Cursor) -> QueryResult<Boxed<'a>> {
    let id = cursor.id;
    let desc = cursor.descending;
    let time = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| NaiveDateTime::parse_from_str(t, CURSOR_TIMESTAMP).ok())
            .ok_or_else(|| diesel::result::Error::DeserializationError("cursor value".into()))
    };
    Ok(match cursor.key {
        None => query.filter(customers::id.gt(id)),
        Some(SortKey::CreatedAt) => {
            let v = time(&cursor.value)?;
            if desc {
                query.filter(
                    customers::created_at
                        .lt(v)
                        .or(customers::created_at.eq(v).and(customers::id.lt(id))),
                )
            } else {
                query.filter(
                    customers::created_at
                        .gt(v)
                        .or(customers::created_at.eq(v).and(customers::id.gt(id))),
                )
            }
        }
        Some(SortKey::UpdatedAt) => {
            let v = time(&cursor.value)?;
            if desc {
                query.filter(
                    customers::updated_at
                        .lt(v)
                        .or(customers::updated_at.eq(v).and(customers::id.lt(id))),
                )
            } else {
                query.filter(
                    customers::updated_at
                        .gt(v)
                        .or(customers::updated_at.eq(v).and(customers::id.gt(id))),
                )
            }
        }
        Some(SortKey::Email) | Some(SortKey::LastName) => {
            let v = cursor.value.clone().unwrap_or_default();
            if desc {
                query.filter(
                    customers::email_normalized
                        .lt(v.clone())
                        .or(customers::email_normalized.eq(v).and(customers::id.lt(id))),
                )
            } else {
                query.filter(
                    customers::email_normalized
                        .gt(v.clone())
                        .or(customers::email_normalized.eq(v).and(customers::id.gt(id))),
                )
            }
        }
    })
}
