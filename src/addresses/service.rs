//! The rules of the address book (reference §2.6, §3.3): one's own reference only (`411`),
//! one's own addresses only (`404`, whether another customer's or none at all), the defaults
//! kept on the customer row under its lock, and a limit on how many.

use super::domain::AddressInput;
use super::model::{Address, AddressChangeset, NewAddress};
use super::repo::{self, Defaults};
use crate::customers::model::Customer;
use crate::db::{now, DbConnection};
use crate::error::{ApiError, Code};

/// An address with its default flags, as the wire shows it.
#[derive(Debug, Clone)]
pub struct AddressView {
    pub address: Address,
    pub default_billing: bool,
    pub default_shipping: bool,
}

impl AddressView {
    fn new(address: Address, defaults: Defaults) -> Self {
        Self {
            default_billing: defaults.billing == Some(address.id),
            default_shipping: defaults.shipping == Some(address.id),
            address,
        }
    }
}

/// reference §2.6: every verb checks the reference against the token owner first.
fn ensure_own(owner: &Customer, reference: &str) -> Result<(), ApiError> {
    if reference == owner.customer_reference {
        Ok(())
    } else {
        Err(ApiError::Domain(Code::UnauthorizedRequest))
    }
}

fn not_found() -> ApiError {
    ApiError::Domain(Code::AddressNotFound)
}

/// The addresses of several customers (a partner's page), oldest first, by customer id.
pub fn list_for(
    conn: &mut DbConnection,
    customers: &[&Customer],
) -> Result<std::collections::HashMap<i32, Vec<AddressView>>, ApiError> {
    let ids: Vec<i32> = customers.iter().map(|c| c.id).collect();
    let mut by_customer: std::collections::HashMap<i32, Vec<AddressView>> =
        std::collections::HashMap::new();
    for address in repo::list_for(conn, &ids)? {
        let Some(customer) = customers.iter().find(|c| c.id == address.customer_id) else {
            continue;
        };
        let defaults = Defaults {
            billing: customer.default_billing_address_id,
            shipping: customer.default_shipping_address_id,
        };
        by_customer
            .entry(customer.id)
            .or_default()
            .push(AddressView::new(address, defaults));
    }
    Ok(by_customer)
}

/// The customer's addresses, oldest first, with their flags.
pub fn list(conn: &mut DbConnection, owner: &Customer) -> Result<Vec<AddressView>, ApiError> {
    let defaults = repo::defaults(conn, owner.id)?;
    Ok(repo::list(conn, owner.id)?
        .into_iter()
        .map(|a| AddressView::new(a, defaults))
        .collect())
}

pub fn list_own(
    conn: &mut DbConnection,
    owner: &Customer,
    reference: &str,
) -> Result<Vec<AddressView>, ApiError> {
    ensure_own(owner, reference)?;
    list(conn, owner)
}

pub fn get(
    conn: &mut DbConnection,
    owner: &Customer,
    reference: &str,
    uuid: &str,
) -> Result<AddressView, ApiError> {
    ensure_own(owner, reference)?;
    let address = repo::find_own(conn, owner.id, uuid)?.ok_or_else(not_found)?;
    let defaults = repo::defaults(conn, owner.id)?;
    Ok(AddressView::new(address, defaults))
}

/// reference §3.3, on create and update: an address becomes the default billing (shipping)
/// address when asked, or when the customer has none; `false` never clears a default.
fn apply_defaults(defaults: Defaults, id: i32, input: &AddressInput) -> Defaults {
    Defaults {
        billing: if input.default_billing || defaults.billing.is_none() {
            Some(id)
        } else {
            defaults.billing
        },
        shipping: if input.default_shipping || defaults.shipping.is_none() {
            Some(id)
        } else {
            defaults.shipping
        },
    }
}

pub fn create(
    conn: &mut DbConnection,
    owner: &Customer,
    reference: &str,
    input: AddressInput,
    max_addresses: i64,
) -> Result<AddressView, ApiError> {
    ensure_own(owner, reference)?;
    let defaults = repo::lock_defaults(conn, owner.id)?.ok_or_else(not_found)?;
    if repo::count(conn, owner.id)? >= max_addresses {
        return Err(ApiError::AddressLimit { max: max_addresses });
    }
    let now = now();
    let uuid = uuid::Uuid::new_v4().to_string();
    let country = input
        .country
        .as_ref()
        .ok_or_else(|| ApiError::internal("validated address lacks a country"))?;
    let address = repo::insert(
        conn,
        &NewAddress {
            uuid: &uuid,
            customer_id: owner.id,
            salutation: input.salutation.as_deref(),
            first_name: input.first_name.as_deref(),
            last_name: input.last_name.as_deref(),
            address1: input.address1.as_deref(),
            address2: input.address2.as_deref(),
            address3: input.address3.clone().flatten().as_deref(),
            zip_code: input.zip_code.as_deref(),
            city: input.city.as_deref(),
            iso2_code: &country.iso2,
            company: input.company.clone().flatten().as_deref(),
            phone: input.phone.clone().flatten().as_deref(),
            created_at: now,
            updated_at: now,
        },
    )?;
    let defaults = apply_defaults(defaults, address.id, &input);
    repo::set_defaults(conn, owner.id, defaults)?;
    Ok(AddressView::new(address, defaults))
}

/// Only the attributes sent change (reference §2.6).
pub fn update(
    conn: &mut DbConnection,
    owner: &Customer,
    reference: &str,
    uuid: &str,
    input: AddressInput,
) -> Result<AddressView, ApiError> {
    ensure_own(owner, reference)?;
    let defaults = repo::lock_defaults(conn, owner.id)?.ok_or_else(not_found)?;
    let address = repo::find_own(conn, owner.id, uuid)?.ok_or_else(not_found)?;
    let changes = AddressChangeset {
        salutation: input.salutation.clone().map(Some),
        first_name: input.first_name.clone().map(Some),
        last_name: input.last_name.clone().map(Some),
        address1: input.address1.clone().map(Some),
        address2: input.address2.clone().map(Some),
        address3: input.address3.clone(),
        zip_code: input.zip_code.clone().map(Some),
        city: input.city.clone().map(Some),
        iso2_code: input.country.as_ref().map(|c| c.iso2.clone()),
        company: input.company.clone(),
        phone: input.phone.clone(),
        updated_at: Some(now()),
        anonymized_at: None,
    };
    let address = repo::update(conn, address.id, &changes)?;
    let defaults = apply_defaults(defaults, address.id, &input);
    repo::set_defaults(conn, owner.id, defaults)?;
    Ok(AddressView::new(address, defaults))
}

/// reference §3.3: deleting a default address leaves that default unset (no promotion).
pub fn delete(
    conn: &mut DbConnection,
    owner: &Customer,
    reference: &str,
    uuid: &str,
) -> Result<(), ApiError> {
    ensure_own(owner, reference)?;
    let defaults = repo::lock_defaults(conn, owner.id)?.ok_or_else(not_found)?;
    let address = repo::find_own(conn, owner.id, uuid)?.ok_or_else(not_found)?;
    let cleared = Defaults {
        billing: defaults.billing.filter(|id| *id != address.id),
        shipping: defaults.shipping.filter(|id| *id != address.id),
    };
    repo::set_defaults(conn, owner.id, cleared)?;
    repo::delete(conn, address.id)?;
    Ok(())
}

/// CONTRACT §3 item 13: the customer's addresses lose their personal data with the account.
pub fn anonymize_all(conn: &mut DbConnection, customer_id: i32) -> Result<(), ApiError> {
    repo::anonymize_all(conn, customer_id, now())?;
    Ok(())
}
