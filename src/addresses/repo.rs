//! SQL for addresses and for the customer's default-address columns.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Address, AddressChangeset, NewAddress};
use crate::db::schema::{addresses, customers};
use crate::db::DbConnection;

/// The defaults of a customer, read under the customer row's lock (see [`lock_defaults`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Defaults {
    pub billing: Option<i32>,
    pub shipping: Option<i32>,
}

/// Locks the customer row for the rest of the transaction and reads its defaults: concurrent
/// address changes of one customer take turns, so the defaults and the address count stay
/// consistent. `None` if the customer is gone.
pub fn lock_defaults(conn: &mut DbConnection, customer_id: i32) -> QueryResult<Option<Defaults>> {
    let touched = diesel::update(customers::table.find(customer_id))
        .set(customers::updated_at.eq(customers::updated_at))
        .execute(conn)?;
    if touched == 0 {
        return Ok(None);
    }
    defaults(conn, customer_id).map(Some)
}

pub fn defaults(conn: &mut DbConnection, customer_id: i32) -> QueryResult<Defaults> {
    customers::table
        .find(customer_id)
        .select((
            customers::default_billing_address_id,
            customers::default_shipping_address_id,
        ))
        .first::<(Option<i32>, Option<i32>)>(conn)
        .map(|(billing, shipping)| Defaults { billing, shipping })
}

pub fn set_defaults(
    conn: &mut DbConnection,
    customer_id: i32,
    defaults: Defaults,
) -> QueryResult<()> {
    diesel::update(customers::table.find(customer_id))
        .set((
            customers::default_billing_address_id.eq(defaults.billing),
            customers::default_shipping_address_id.eq(defaults.shipping),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert(conn: &mut DbConnection, new: &NewAddress<'_>) -> QueryResult<Address> {
    diesel::insert_into(addresses::table)
        .values(new)
        .execute(conn)?;
    addresses::table
        .filter(addresses::uuid.eq(new.uuid))
        .select(Address::as_select())
        .first(conn)
}

pub fn count(conn: &mut DbConnection, customer_id: i32) -> QueryResult<i64> {
    addresses::table
        .filter(addresses::customer_id.eq(customer_id))
        .count()
        .get_result(conn)
}

/// The addresses of these customers, oldest first.
pub fn list_for(conn: &mut DbConnection, customer_ids: &[i32]) -> QueryResult<Vec<Address>> {
    addresses::table
        .filter(addresses::customer_id.eq_any(customer_ids))
        .order(addresses::id)
        .select(Address::as_select())
        .load(conn)
}

/// The customer's addresses, oldest first.
pub fn list(conn: &mut DbConnection, customer_id: i32) -> QueryResult<Vec<Address>> {
    addresses::table
        .filter(addresses::customer_id.eq(customer_id))
        .order(addresses::id)
        .select(Address::as_select())
        .load(conn)
}

/// One of the customer's addresses; another customer's is as absent as an unknown one.
pub fn find_own(
    conn: &mut DbConnection,
    customer_id: i32,
    uuid: &str,
) -> QueryResult<Option<Address>> {
    // Ids are UUIDs: anything else names no address (and text with a NUL, which PostgreSQL
    // refuses, never reaches the database).
    if uuid::Uuid::parse_str(uuid).is_err() {
        return Ok(None);
    }
    addresses::table
        .filter(addresses::uuid.eq(uuid))
        .filter(addresses::customer_id.eq(customer_id))
        .select(Address::as_select())
        .first(conn)
        .optional()
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    changes: &AddressChangeset,
) -> QueryResult<Address> {
    diesel::update(addresses::table.find(id))
        .set(changes)
        .execute(conn)?;
    addresses::table
        .find(id)
        .select(Address::as_select())
        .first(conn)
}

pub fn delete(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::delete(addresses::table.find(id)).execute(conn)?;
    Ok(())
}

/// Reference §3.4: every address of the customer loses its personal data; the rows stay.
pub fn anonymize_all(
    conn: &mut DbConnection,
    customer_id: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let wiped = AddressChangeset {
        salutation: Some(None),
        first_name: Some(None),
        last_name: Some(None),
        address1: Some(None),
        address2: Some(None),
        address3: Some(None),
        zip_code: Some(None),
        city: Some(None),
        company: Some(None),
        phone: Some(None),
        updated_at: Some(now),
        anonymized_at: Some(Some(now)),
        ..AddressChangeset::default()
    };
    diesel::update(addresses::table.filter(addresses::customer_id.eq(customer_id)))
        .set(&wiped)
        .execute(conn)
}
