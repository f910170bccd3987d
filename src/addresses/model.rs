//! An address as stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::addresses;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = addresses)]
pub struct Address {
    pub id: i32,
    pub uuid: String,
    pub customer_id: i32,
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub address3: Option<String>,
    pub zip_code: Option<String>,
    pub city: Option<String>,
    pub iso2_code: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub anonymized_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = addresses)]
pub struct NewAddress<'a> {
    pub uuid: &'a str,
    pub customer_id: i32,
    pub salutation: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub address1: Option<&'a str>,
    pub address2: Option<&'a str>,
    pub address3: Option<&'a str>,
    pub zip_code: Option<&'a str>,
    pub city: Option<&'a str>,
    pub iso2_code: &'a str,
    pub company: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `None` fields are left unchanged; `Some(None)` sets NULL.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = addresses)]
pub struct AddressChangeset {
    pub salutation: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub address1: Option<Option<String>>,
    pub address2: Option<Option<String>>,
    pub address3: Option<Option<String>>,
    pub zip_code: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub iso2_code: Option<String>,
    pub company: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
    pub anonymized_at: Option<Option<NaiveDateTime>>,
}
