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
