//! SQL for customers. Small synchronous functions; the caller holds the transaction.

use diesel::prelude::*;

use super::model::{Customer, CustomerChangeset, NewCustomer};
use crate::db::schema::{customers, sequences};
use crate::db::DbConnection;

/// The next number of the customer-reference sequence (independent of row ids). The UPDATE
/// takes the row lock, so concurrent transactions get distinct numbers on both backends.
pub fn next_reference_number(conn: &mut DbConnection) -> QueryResult<i64> {
    diesel::update(sequences::table.find("customer_reference"))
        .set(sequences::value.eq(sequences::value + 1))
        .execute(conn)?;
    sequences::table
        .find("customer_reference")
        .select(sequences::value)
        .first(conn)
}

pub fn insert(conn: &mut DbConnection, new: &NewCustomer<'_>) -> QueryResult<Customer> {
    diesel::insert_into(customers::table)
        .values(new)
        .execute(conn)?;
    customers::table
        .filter(customers::customer_reference.eq(new.customer_reference))
        .select(Customer::as_select())
        .first(conn)
}

pub fn find_by_reference(
    conn: &mut DbConnection,
    reference: &str,
) -> QueryResult<Option<Customer>> {
    customers::table
        .filter(customers::customer_reference.eq(reference))
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Customer>> {
    customers::table
        .find(id)
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConnection, normalized: &str) -> QueryResult<Option<Customer>> {
    customers::table
        .filter(customers::email_normalized.eq(normalized))
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

/// True if another customer than `except` uses this email (compared case-insensitively).
pub fn email_taken(
    conn: &mut DbConnection,
    normalized: &str,
    except: Option<i32>,
) -> QueryResult<bool> {
    let mut query = customers::table
        .filter(customers::email_normalized.eq(normalized))
        .select(customers::id)
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(customers::id.ne(id));
    }
    Ok(query.first::<i32>(conn).optional()?.is_some())
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    changes: &CustomerChangeset,
) -> QueryResult<Customer> {
    diesel::update(customers::table.find(id))
        .set(changes)
        .execute(conn)?;
    customers::table
        .find(id)
        .select(Customer::as_select())
        .first(conn)
}
