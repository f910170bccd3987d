//! The addresses of an import row: those the customer lacks are added (compared by every
//! attribute, so that a second import adds none), the flagged ones (else the first) become the
//! defaults. Addresses are never removed or altered.

use chrono::NaiveDateTime;

use super::write::WriteError;
use crate::addresses::domain::AddressInput;
use crate::addresses::model::{Address, NewAddress};
use crate::addresses::repo::{self as addresses_repo, Defaults};
use crate::customers::model::Customer;
use crate::db::DbConnection;
use crate::error::ApiError;

/// Which of the wanted addresses the customer has already (by every attribute) and which are
/// new; an address listed twice is added once.
pub struct AddressPlan {
    /// For each wanted address: an index into the existing ones, or into `inserts`.
    places: Vec<Place>,
    pub inserts: Vec<usize>,
}

#[derive(Clone, Copy)]
enum Place {
    Existing(usize),
    Insert(usize),
}

type AddressKey<'a> = [Option<&'a str>; 11];

fn stored_key(a: &Address) -> AddressKey<'_> {
    [
        a.salutation.as_deref(),
        a.first_name.as_deref(),
        a.last_name.as_deref(),
        a.address1.as_deref(),
        a.address2.as_deref(),
        a.address3.as_deref(),
        a.zip_code.as_deref(),
        a.city.as_deref(),
        Some(a.iso2_code.as_str()),
        a.company.as_deref(),
        a.phone.as_deref(),
    ]
}

fn input_key(a: &AddressInput) -> AddressKey<'_> {
    [
        a.salutation.as_deref(),
        a.first_name.as_deref(),
        a.last_name.as_deref(),
        a.address1.as_deref(),
        a.address2.as_deref(),
        a.address3.as_ref().and_then(Option::as_deref),
        a.zip_code.as_deref(),
        a.city.as_deref(),
        a.country.as_ref().map(|c| c.iso2.as_str()),
        a.company.as_ref().and_then(Option::as_deref),
        a.phone.as_ref().and_then(Option::as_deref),
    ]
}

pub fn plan(existing: &[Address], wanted: &[AddressInput]) -> AddressPlan {
    let mut plan = AddressPlan {
        places: Vec::with_capacity(wanted.len()),
        inserts: Vec::new(),
    };
    for (i, address) in wanted.iter().enumerate() {
        let key = input_key(address);
        let place = if let Some(at) = existing.iter().position(|e| stored_key(e) == key) {
            Place::Existing(at)
        } else if let Some(at) = plan
            .inserts
            .iter()
            .position(|&w| input_key(&wanted[w]) == key)
        {
            Place::Insert(at)
        } else {
            plan.inserts.push(i);
            Place::Insert(plan.inserts.len() - 1)
        };
        plan.places.push(place);
    }
    plan
}

/// Adds the addresses the customer lacks and makes the flagged ones (else the first) the
/// defaults; true if anything changed. Addresses are never removed or altered.
pub fn apply(
    conn: &mut DbConnection,
    customer: &Customer,
    wanted: &[AddressInput],
    stored: &mut Vec<Address>,
    now: NaiveDateTime,
) -> Result<bool, WriteError> {
    let plan = plan(stored, wanted);
    let mut inserted = Vec::with_capacity(plan.inserts.len());
    for &w in &plan.inserts {
        inserted.push(insert_address(conn, customer.id, &wanted[w], now)?);
    }
    let id_of = |place: Place| match place {
        Place::Existing(at) => stored[at].id,
        Place::Insert(at) => inserted[at].id,
    };
    let flagged = |flag: fn(&AddressInput) -> bool| {
        let at = wanted.iter().position(flag).unwrap_or(0);
        id_of(plan.places[at])
    };
    let defaults = Defaults {
        billing: Some(flagged(|a| a.default_billing)),
        shipping: Some(flagged(|a| a.default_shipping)),
    };
    let current = Defaults {
        billing: customer.default_billing_address_id,
        shipping: customer.default_shipping_address_id,
    };
    if defaults != current {
        addresses_repo::set_defaults(conn, customer.id, defaults)?;
    }
    let changed = !inserted.is_empty() || defaults != current;
    stored.extend(inserted);
    Ok(changed)
}

fn insert_address(
    conn: &mut DbConnection,
    customer_id: i32,
    a: &AddressInput,
    now: NaiveDateTime,
) -> Result<Address, WriteError> {
    let uuid = uuid::Uuid::new_v4().to_string();
    let country = a
        .country
        .as_ref()
        .ok_or_else(|| ApiError::internal("validated address lacks a country"))?;
    Ok(addresses_repo::insert(
        conn,
        &NewAddress {
            uuid: &uuid,
            customer_id,
            salutation: a.salutation.as_deref(),
            first_name: a.first_name.as_deref(),
            last_name: a.last_name.as_deref(),
            address1: a.address1.as_deref(),
            address2: a.address2.as_deref(),
            address3: a.address3.as_ref().and_then(Option::as_deref),
            zip_code: a.zip_code.as_deref(),
            city: a.city.as_deref(),
            iso2_code: &country.iso2,
            company: a.company.as_ref().and_then(Option::as_deref),
            phone: a.phone.as_ref().and_then(Option::as_deref),
            created_at: now,
            updated_at: now,
        },
    )?)
}
