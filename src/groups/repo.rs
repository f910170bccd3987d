//! SQL for customer groups.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::Group;
use crate::db::schema::customer_groups as groups;
use crate::db::DbConnection;

pub fn find_default(conn: &mut DbConnection) -> QueryResult<Option<Group>> {
    groups::table
        .filter(groups::is_default.eq(true))
        .select(Group::as_select())
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConnection,
    key: &str,
    name: &str,
    description: Option<&str>,
    is_default: bool,
    now: NaiveDateTime,
) -> QueryResult<Group> {
    diesel::insert_into(groups::table)
        .values((
            groups::key.eq(key),
            groups::name.eq(name),
            groups::description.eq(description),
            groups::is_default.eq(is_default),
            groups::created_at.eq(now),
            groups::updated_at.eq(now),
        ))
        .execute(conn)?;
    groups::table
        .filter(groups::key.eq(key))
        .select(Group::as_select())
        .first(conn)
}

pub fn find_by_ids(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<Group>> {
    groups::table
        .filter(groups::id.eq_any(ids))
        .select(Group::as_select())
        .load(conn)
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Group>> {
    groups::table
        .order(groups::id)
        .select(Group::as_select())
        .load(conn)
}

pub fn find_by_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Group>> {
    groups::table
        .filter(groups::key.eq(key))
        .select(Group::as_select())
        .first(conn)
        .optional()
}

pub fn name_taken(conn: &mut DbConnection, name: &str, except: Option<i32>) -> QueryResult<bool> {
    let mut query = groups::table
        .filter(groups::name.eq(name))
        .select(groups::id)
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(groups::id.ne(id));
    }
    Ok(query.first::<i32>(conn).optional()?.is_some())
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    name: Option<&str>,
    description: Option<Option<&str>>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if let Some(name) = name {
        diesel::update(groups::table.find(id))
            .set(groups::name.eq(name))
            .execute(conn)?;
    }
    if let Some(description) = description {
        diesel::update(groups::table.find(id))
            .set(groups::description.eq(description))
            .execute(conn)?;
    }
    diesel::update(groups::table.find(id))
        .set(groups::updated_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Makes `id` the one default group.
pub fn make_default(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(groups::table.filter(groups::id.ne(id)))
        .set(groups::is_default.eq(false))
        .execute(conn)?;
    diesel::update(groups::table.find(id))
        .set(groups::is_default.eq(true))
        .execute(conn)?;
    Ok(())
}

/// The group's live customers: anonymized ones can no longer be moved and do not count.
pub fn member_count(conn: &mut DbConnection, id: i32) -> QueryResult<i64> {
    use crate::db::schema::customers;
    customers::table
        .filter(customers::group_id.eq(id))
        .filter(customers::anonymized_at.is_null())
        .count()
        .get_result(conn)
}

/// Deletes the group, leaving its anonymized customers in none.
pub fn delete(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    use crate::db::schema::customers;
    let anonymized = customers::table
        .filter(customers::group_id.eq(id))
        .filter(customers::anonymized_at.is_not_null());
    diesel::update(anonymized)
        .set(customers::group_id.eq(None::<i32>))
        .execute(conn)?;
    diesel::delete(groups::table.find(id)).execute(conn)?;
    Ok(())
}
