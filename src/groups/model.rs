//! A customer group as stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::customer_groups;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_groups)]
pub struct Group {
    pub id: i32,
    /// The id on the wire.
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub is_default: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
