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

use super::model::Group;
use crate::error::Violation;
use crate::validation::{Rule, Validator};

const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 255;
/// A group's name goes into partners' screens and exports: plain text.
pub const NAME_RULES: &[Rule] = &[Rule::NotBlank, Rule::MaxChars(NAME_MAX), Rule::PlainText];
pub const DESCRIPTION_RULES: &[Rule] = &[Rule::MaxChars(DESCRIPTION_MAX), Rule::PlainText];

/// A group's attributes as sent: `name` (required on create, unique), `description`,
/// `isDefault` (`true` makes it the default group; `false` is not a way to have none).
#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub make_default: bool,
}

pub fn parse(
    attrs: &serde_json::Map<String, serde_json::Value>,
    creating: bool,
) -> Result<GroupInput, ApiError> {
    let mut v = Validator::new(attrs);
    let name = if creating {
        v.required("name", NAME_RULES)
    } else {
        v.optional("name", NAME_RULES)
    };
    let description = v.optional("description", DESCRIPTION_RULES);
    let is_default = v.boolean("isDefault", false);
    if is_default == Some(Some(false)) {
        v.violation(
            "isDefault",
            "Make another group the default instead: there is always one.",
        );
    }
    v.finish()?;
    Ok(GroupInput {
        name: name.flatten(),
        description,
        make_default: is_default.flatten().unwrap_or(false),
    })
}

fn name_conflict() -> ApiError {
    ApiError::Validation(vec![Violation {
        field: "name".to_owned(),
        message: "A customer group of this name exists already.".into(),
    }])
}

/// The name's unique index refused a row: another request took the name between the check and
/// the write.
fn name_taken_meanwhile(err: diesel::result::Error) -> ApiError {
    match err {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => name_conflict(),
        other => other.into(),
    }
}

fn group_not_found() -> ApiError {
    ApiError::NotFound
}

pub fn create(conn: &mut DbConnection, input: &GroupInput) -> Result<Group, ApiError> {
    let name = input
        .name
        .as_deref()
        .ok_or_else(|| ApiError::internal("validated group lacks a name"))?;
    if repo::name_taken(conn, name, None)? {
        return Err(name_conflict());
    }
    let key = uuid::Uuid::new_v4().to_string();
    let description = input.description.clone().flatten();
    let group = repo::insert(conn, &key, name, description.as_deref(), false, now())
        .map_err(name_taken_meanwhile)?;
    if input.make_default {
        repo::make_default(conn, group.id)?;
    }
    find(conn, &key)
}

pub fn find(conn: &mut DbConnection, key: &str) -> Result<Group, ApiError> {
    // PostgreSQL refuses a NUL in text outright; no key holds one.
    if key.contains('\0') {
        return Err(group_not_found());
    }
    repo::find_by_key(conn, key)?.ok_or_else(group_not_found)
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<Group>, ApiError> {
    Ok(repo::list(conn)?)
}

pub fn update(conn: &mut DbConnection, key: &str, input: &GroupInput) -> Result<Group, ApiError> {
    let group = find(conn, key)?;
    if let Some(name) = &input.name {
        if repo::name_taken(conn, name, Some(group.id))? {
            return Err(name_conflict());
        }
    }
    let description = input.description.as_ref().map(|d| d.as_deref());
    repo::update(conn, group.id, input.name.as_deref(), description, now())
        .map_err(name_taken_meanwhile)?;
    if input.make_default {
        repo::make_default(conn, group.id)?;
    }
    find(conn, key)
}

/// A group with customers, or the default group, cannot go: 409.
pub fn delete(conn: &mut DbConnection, key: &str) -> Result<(), ApiError> {
    let group = find(conn, key)?;
    if group.is_default {
        return Err(ApiError::Conflict(
            "The default group cannot be deleted; make another group the default first.",
        ));
    }
    if repo::member_count(conn, group.id)? > 0 {
        return Err(ApiError::Conflict(
            "The group still has customers; move them to another group first.",
        ));
    }
    repo::delete(conn, group.id)?;
    Ok(())
}
