//! `glue-customers export`: every customer as one JSON line, in id order, read in keyset
//! batches (`id > last`): no offset to skip over, and a customer inserted meanwhile is either
//! in a later batch or not at all, never twice. Anonymized customers are left out: they hold
//! no personal data to move, and their placeholder emails are not addresses.

use std::collections::HashMap;
use std::io::Write;

use chrono::{NaiveDate, NaiveDateTime, SecondsFormat};
use diesel::prelude::*;
use indicatif::ProgressBar;
use serde::Serialize;

use super::cli::TransferError;
use super::BATCH;
use crate::addresses::model::Address;
use crate::addresses::repo as addresses_repo;
use crate::customers::model::Customer;
use crate::db::schema::{customer_groups, customers};
use crate::db::{Db, DbConnection};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportedCustomer<'a> {
    customer_reference: &'a str,
    email: &'a str,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    salutation: Option<&'a str>,
    gender: Option<&'a str>,
    date_of_birth: Option<NaiveDate>,
    group: Option<&'a str>,
    accepted_marketing: bool,
    status: &'static str,
    created_at: String,
    updated_at: String,
    /// Only with `--with-password-hashes` (then `null` for a customer without a password).
    #[serde(skip_serializing_if = "Option::is_none")]
    password_hash: Option<Option<&'a str>>,
    addresses: Vec<ExportedAddress<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportedAddress<'a> {
    salutation: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    address1: Option<&'a str>,
    address2: Option<&'a str>,
    address3: Option<&'a str>,
    zip_code: Option<&'a str>,
    city: Option<&'a str>,
    iso2_code: &'a str,
    company: Option<&'a str>,
    phone: Option<&'a str>,
    is_default_billing: bool,
    is_default_shipping: bool,
}

/// One batch: the customers and what they refer to.
struct Page {
    customers: Vec<Customer>,
    groups: HashMap<i32, String>,
    addresses: HashMap<i32, Vec<Address>>,
}

/// Writes every customer to `out`; returns how many.
pub fn export(
    db: &Db,
    out: &mut dyn Write,
    with_password_hashes: bool,
    progress: &ProgressBar,
) -> Result<u64, TransferError> {
    let mut after = 0;
    let mut written = 0;
    loop {
        // The three reads of a batch in one transaction, so that they agree.
        let page = db.run_now(|conn| Ok(load_page(conn, after)?))?;
        let Some(last) = page.customers.last() else {
            break;
        };
        after = last.id;
        for customer in &page.customers {
            let record = exported(customer, &page, with_password_hashes);
            serde_json::to_writer(&mut *out, &record).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
            written += 1;
        }
        progress.inc(page.customers.len() as u64);
    }
    out.flush()?;
    Ok(written)
}

fn load_page(conn: &mut DbConnection, after: i32) -> QueryResult<Page> {
    let customers: Vec<Customer> = customers::table
        .filter(customers::id.gt(after))
        .filter(customers::anonymized_at.is_null())
        .order(customers::id)
        .limit(BATCH as i64)
        .select(Customer::as_select())
        .load(conn)?;
    let group_ids: Vec<i32> = customers.iter().filter_map(|c| c.group_id).collect();
    let groups = customer_groups::table
        .filter(customer_groups::id.eq_any(group_ids))
        .select((customer_groups::id, customer_groups::name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    let ids: Vec<i32> = customers.iter().map(|c| c.id).collect();
    let mut addresses: HashMap<i32, Vec<Address>> = HashMap::new();
    if !ids.is_empty() {
        for address in addresses_repo::list_for(conn, &ids)? {
            addresses
                .entry(address.customer_id)
                .or_default()
                .push(address);
        }
    }
    Ok(Page {
        customers,
        groups,
        addresses,
    })
}

/// RFC 3339 in UTC with microseconds, which the import reads back to the same value.
fn timestamp(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn exported<'a>(
    c: &'a Customer,
    page: &'a Page,
    with_password_hashes: bool,
) -> ExportedCustomer<'a> {
    let addresses = page.addresses.get(&c.id).map_or(&[][..], Vec::as_slice);
    ExportedCustomer {
        customer_reference: &c.customer_reference,
        email: &c.email,
        first_name: c.first_name.as_deref(),
        last_name: c.last_name.as_deref(),
        salutation: c.salutation.as_deref(),
        gender: c.gender.as_deref(),
        date_of_birth: c.date_of_birth,
        group: c
            .group_id
            .and_then(|id| page.groups.get(&id))
            .map(String::as_str),
        accepted_marketing: c.accepted_marketing,
        status: c.status().as_str(),
        created_at: timestamp(c.created_at),
        updated_at: timestamp(c.updated_at),
        password_hash: with_password_hashes.then_some(c.password_hash.as_deref()),
        addresses: addresses
            .iter()
            .map(|a| ExportedAddress {
                salutation: a.salutation.as_deref(),
                first_name: a.first_name.as_deref(),
                last_name: a.last_name.as_deref(),
                address1: a.address1.as_deref(),
                address2: a.address2.as_deref(),
                address3: a.address3.as_deref(),
                zip_code: a.zip_code.as_deref(),
                city: a.city.as_deref(),
                iso2_code: &a.iso2_code,
                company: a.company.as_deref(),
                phone: a.phone.as_deref(),
                is_default_billing: c.default_billing_address_id == Some(a.id),
                is_default_shipping: c.default_shipping_address_id == Some(a.id),
            })
            .collect(),
    }
}
