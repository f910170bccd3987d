//! The rules for customer groups.

use super::repo;
use crate::db::{now, DbConnection};
use crate::error::ApiError;

/// The default group's name when the service creates it.
const DEFAULT_NAME: &str = "Default";

/// There is a default group (at every start; the first start creates it).
pub fn ensure_default(conn: &mut DbConnection) -> Result<i32, ApiError> {
    if let Some(group) = repo::find_default(conn)? {
        return Ok(group.id);
    }
    let key = uuid::Uuid::new_v4().to_string();
    Ok(repo::insert(conn, &key, DEFAULT_NAME, None, true, now())?.id)
}

/// The group new customers join.
pub fn default_id(conn: &mut DbConnection) -> Result<Option<i32>, ApiError> {
    Ok(repo::find_default(conn)?.map(|g| g.id))
}
