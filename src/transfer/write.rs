//! One batch of import rows in one transaction: upsert by normalized email. A new email is a
//! new, confirmed customer; an existing one changes only where the row says something else, so
//! that the same file imported twice changes nothing the second time.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;

use super::addresses;
use super::fields::ImportRow;
use super::report::{Counts, Rejection};
use crate::addresses::model::Address;
use crate::addresses::repo as addresses_repo;
use crate::auth::revocation;
use crate::customers::domain::{normalize_name, CustomerReference};
use crate::customers::model::{Customer, CustomerChangeset, NewCustomer};
use crate::customers::repo as customers_repo;
use crate::db::schema::{customer_groups, customers};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::groups::repo as groups_repo;

/// What a batch needs besides its rows.
pub struct Rules<'a> {
    pub store: &'a str,
    pub max_addresses: i64,
}

#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub counts: Counts,
    /// Rows that are valid on their own but not against the database (an unknown group).
    pub rejections: Vec<Rejection>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}")]
    Query(#[from] diesel::result::Error),
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl WriteError {
    /// A customer with one of the batch's emails was created meanwhile (PostgreSQL reads
    /// committed rows only): the batch is worth running again, and then finds it.
    pub fn is_conflict(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        matches!(
            self,
            Self::Query(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
        )
    }
}

/// The state the rows of a batch are applied to, read once for the whole batch.
struct Known {
    customers: HashMap<String, Customer>,
    groups: HashMap<String, i32>,
    default_group: Option<i32>,
    addresses: HashMap<i32, Vec<Address>>,
}

pub fn write_batch(
    conn: &mut DbConnection,
    rows: &[ImportRow],
    rules: &Rules<'_>,
) -> Result<BatchOutcome, WriteError> {
    let now = crate::db::now();
    let mut known = load(conn, rows)?;
    let new_count = rows
        .iter()
        .filter(|row| !known.customers.contains_key(&row.email_normalized))
        .filter(|row| rejection(row, &known, rules).is_none())
        .map(|row| row.email_normalized.as_str())
        .collect::<HashSet<_>>()
        .len();
    let mut numbers = reserve_references(conn, new_count as i64)?;
    let mut outcome = BatchOutcome::default();
    let mut pending: Vec<Pending<'_>> = Vec::new();
    for row in rows {
        // The same email twice in a batch: the second row sees the first one's customer.
        if pending
            .iter()
            .any(|p| p.row.email_normalized == row.email_normalized)
        {
            insert_pending(conn, &mut pending, &mut known, now)?;
        }
        if let Some(reason) = rejection(row, &known, rules) {
            outcome.rejections.push(Rejection {
                line: row.line,
                reason,
            });
            continue;
        }
        let group = row.group.as_ref().and_then(|name| known.groups.get(name));
        let group = group.copied();
        let Some(existing) = known.customers.get(&row.email_normalized).cloned() else {
            let number = numbers
                .next()
                .ok_or_else(|| ApiError::internal("fewer references reserved than rows"))?;
            outcome.counts.imported += 1;
            pending.push(Pending {
                row,
                reference: CustomerReference::new(rules.store, number),
                group_id: group.or(known.default_group),
            });
            continue;
        };
        match update(conn, &existing, row, group, &mut known, now)? {
            Some(changed) => {
                outcome.counts.updated += 1;
                known
                    .customers
                    .insert(changed.email_normalized.clone(), changed);
            }
            None => outcome.counts.unchanged += 1,
        }
    }
    insert_pending(conn, &mut pending, &mut known, now)?;
    Ok(outcome)
}

fn load(conn: &mut DbConnection, rows: &[ImportRow]) -> QueryResult<Known> {
    let emails: Vec<&str> = rows.iter().map(|r| r.email_normalized.as_str()).collect();
    let customers: HashMap<String, Customer> = customers::table
        .filter(customers::email_normalized.eq_any(&emails))
        .select(Customer::as_select())
        .load(conn)?
        .into_iter()
        .map(|c| (c.email_normalized.clone(), c))
        .collect();
    let names: HashSet<&str> = rows.iter().filter_map(|r| r.group.as_deref()).collect();
    let groups = if names.is_empty() {
        HashMap::new()
    } else {
        customer_groups::table
            .filter(customer_groups::name.eq_any(names))
            .select((customer_groups::name, customer_groups::id))
            .load::<(String, i32)>(conn)?
            .into_iter()
            .collect()
    };
    let with_addresses: Vec<i32> = rows
        .iter()
        .filter(|r| !r.addresses.is_empty())
        .filter_map(|r| customers.get(&r.email_normalized).map(|c| c.id))
        .collect();
    let mut addresses: HashMap<i32, Vec<Address>> = HashMap::new();
    if !with_addresses.is_empty() {
        for address in addresses_repo::list_for(conn, &with_addresses)? {
            addresses
                .entry(address.customer_id)
                .or_default()
                .push(address);
        }
    }
    Ok(Known {
        customers,
        groups,
        default_group: groups_repo::find_default(conn)?.map(|g| g.id),
        addresses,
    })
}

/// Why a valid row cannot be applied: a group name no group has (a typo must not create a
/// group), or more addresses than a customer may have.
fn rejection(row: &ImportRow, known: &Known, rules: &Rules<'_>) -> Option<String> {
    if let Some(name) = &row.group {
        if !known.groups.contains_key(name) {
            let name = crate::text::escape_controls(name);
            return Some(format!(
                "group: there is no customer group named \"{name}\"."
            ));
        }
    }
    let existing = known
        .customers
        .get(&row.email_normalized)
        .and_then(|c| known.addresses.get(&c.id))
        .map_or(&[][..], Vec::as_slice);
    let total = existing.len() + addresses::plan(existing, &row.addresses).inserts.len();
    (total as i64 > rules.max_addresses).then(|| {
        format!(
            "addresses: a customer can have at most {} addresses.",
            rules.max_addresses
        )
    })
}

/// Takes `n` customer reference numbers at once (one round trip for the whole batch).
fn reserve_references(conn: &mut DbConnection, n: i64) -> QueryResult<std::vec::IntoIter<i64>> {
    Ok(customers_repo::next_reference_numbers(conn, n)?.into_iter())
}

/// A new customer, waiting for the batch's one INSERT.
struct Pending<'r> {
    row: &'r ImportRow,
    reference: CustomerReference,
    group_id: Option<i32>,
}

impl Pending<'_> {
    fn new_customer(&self, now: NaiveDateTime) -> NewCustomer<'_> {
        let row = self.row;
        let created_at = row.created_at.unwrap_or(now);
        NewCustomer {
            customer_reference: self.reference.as_str(),
            email: &row.email,
            email_normalized: &row.email_normalized,
            salutation: row.salutation.as_deref(),
            first_name: row.first_name.as_deref(),
            last_name: row.last_name.as_deref(),
            gender: row.gender.as_deref(),
            date_of_birth: row.date_of_birth,
            password_hash: row.password_hash.as_deref(),
            // The old system vouched for the address: confirmed at once, as of its creation.
            registered_at: Some(created_at),
            created_at,
            updated_at: now,
            registration_key_hash: None,
            group_id: self.group_id,
            accepted_marketing: row.accepted_marketing.unwrap_or(false),
            first_name_normalized: row.first_name.as_deref().map(normalize_name),
            last_name_normalized: row.last_name.as_deref().map(normalize_name),
        }
    }
}

/// Inserts the pending customers: one multi-row INSERT on PostgreSQL (a round trip per row
/// would bound the import by the network's latency; a batch's 1,000 rows of 17 columns stay
/// under its 65,535 parameters), one INSERT per row on SQLite (in process: nothing to save,
/// and diesel batches no row with a NULL for it). Then reads them back in one query and gives
/// them their block and addresses.
fn insert_pending(
    conn: &mut DbConnection,
    pending: &mut Vec<Pending<'_>>,
    known: &mut Known,
    now: NaiveDateTime,
) -> Result<(), WriteError> {
    if pending.is_empty() {
        return Ok(());
    }
    let new: Vec<NewCustomer<'_>> = pending.iter().map(|p| p.new_customer(now)).collect();
    if let DbConnection::Pg(pg) = &mut *conn {
        diesel::insert_into(customers::table)
            .values(&new)
            .execute(pg)?;
    } else {
        for customer in &new {
            diesel::insert_into(customers::table)
                .values(customer)
                .execute(conn)?;
        }
    }
    let references: Vec<&str> = pending.iter().map(|p| p.reference.as_str()).collect();
    let mut inserted: HashMap<String, Customer> = customers::table
        .filter(customers::customer_reference.eq_any(&references))
        .select(Customer::as_select())
        .load(conn)?
        .into_iter()
        .map(|c| (c.customer_reference.clone(), c))
        .collect();
    for p in pending.drain(..) {
        let customer = inserted
            .remove(p.reference.as_str())
            .ok_or_else(|| ApiError::internal("an inserted customer is missing"))?;
        let customer = if follow_up(conn, &customer, p.row, known, now)? {
            reread(conn, customer.id)?
        } else {
            customer
        };
        known
            .customers
            .insert(customer.email_normalized.clone(), customer);
    }
    Ok(())
}

/// A new customer's block and addresses; true if it had any.
fn follow_up(
    conn: &mut DbConnection,
    customer: &Customer,
    row: &ImportRow,
    known: &mut Known,
    now: NaiveDateTime,
) -> Result<bool, WriteError> {
    let blocked = row.blocked == Some(true);
    if blocked {
        diesel::update(customers::table.find(customer.id))
            .set(customers::blocked_at.eq(now))
            .execute(conn)?;
    }
    if !row.addresses.is_empty() {
        let stored = known.addresses.entry(customer.id).or_default();
        addresses::apply(conn, customer, &row.addresses, stored, now)?;
    }
    Ok(blocked || !row.addresses.is_empty())
}

/// Applies what differs; `None` when nothing does (and nothing is written, `updated_at`
/// included).
fn update(
    conn: &mut DbConnection,
    customer: &Customer,
    row: &ImportRow,
    group_id: Option<i32>,
    known: &mut Known,
    now: NaiveDateTime,
) -> Result<Option<Customer>, WriteError> {
    let (mut changes, mut changed) = changeset(customer, row, group_id, now);
    if let Some(created_at) = row.created_at {
        // Stored times keep microseconds (PostgreSQL) or more (SQLite); files carry at most
        // what the export writes, microseconds.
        if created_at.trunc_subsecs(6) != customer.created_at.trunc_subsecs(6) {
            diesel::update(customers::table.find(customer.id))
                .set(customers::created_at.eq(created_at))
                .execute(conn)?;
            changed = true;
        }
    }
    if !row.addresses.is_empty() {
        let stored = known.addresses.entry(customer.id).or_default();
        changed |= addresses::apply(conn, customer, &row.addresses, stored, now)?;
    }
    if !changed {
        return Ok(None);
    }
    changes.updated_at = Some(now);
    customers_repo::update(conn, customer.id, &changes)?;
    if changes.blocked_at == Some(Some(now)) {
        // As the partner API's block: every session of the customer ends at once.
        revocation::revoke_all(conn, customer.id)?;
    }
    reread(conn, customer.id).map(Some)
}

/// The customer's columns that the row sets to another value. An imported password hash
/// replaces none: a password the customer chose (or one re-hashed at login) wins over the file.
fn changeset(
    customer: &Customer,
    row: &ImportRow,
    group_id: Option<i32>,
    now: NaiveDateTime,
) -> (CustomerChangeset, bool) {
    fn differs<T: PartialEq + Clone>(new: &Option<T>, old: &Option<T>) -> Option<T> {
        new.as_ref().filter(|n| old.as_ref() != Some(*n)).cloned()
    }
    let first_name = differs(&row.first_name, &customer.first_name);
    let last_name = differs(&row.last_name, &customer.last_name);
    let blocked_at = match row.blocked {
        Some(true) if customer.blocked_at.is_none() => Some(Some(now)),
        Some(false) if customer.blocked_at.is_some() => Some(None),
        _ => None,
    };
    let changes = CustomerChangeset {
        email: (row.email != customer.email).then(|| row.email.clone()),
        first_name_normalized: first_name.as_deref().map(|n| Some(normalize_name(n))),
        last_name_normalized: last_name.as_deref().map(|n| Some(normalize_name(n))),
        first_name: first_name.map(Some),
        last_name: last_name.map(Some),
        salutation: differs(&row.salutation, &customer.salutation).map(Some),
        gender: differs(&row.gender, &customer.gender).map(Some),
        date_of_birth: differs(&row.date_of_birth, &customer.date_of_birth).map(Some),
        password_hash: row
            .password_hash
            .clone()
            .filter(|_| customer.password_hash.is_none())
            .map(Some),
        group_id: differs(&group_id, &customer.group_id).map(Some),
        accepted_marketing: differs(&row.accepted_marketing, &Some(customer.accepted_marketing)),
        blocked_at,
        ..CustomerChangeset::default()
    };
    let changed = changes.email.is_some()
        || changes.first_name.is_some()
        || changes.last_name.is_some()
        || changes.salutation.is_some()
        || changes.gender.is_some()
        || changes.date_of_birth.is_some()
        || changes.password_hash.is_some()
        || changes.group_id.is_some()
        || changes.accepted_marketing.is_some()
        || changes.blocked_at.is_some();
    (changes, changed)
}

fn reread(conn: &mut DbConnection, id: i32) -> Result<Customer, WriteError> {
    customers_repo::find_by_id(conn, id)?
        .ok_or_else(|| ApiError::internal("an imported customer vanished").into())
}
