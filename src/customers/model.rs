//! Rows of the `customers` table.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::customers;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = customers)]
pub struct Customer {
    pub id: i32,
    pub customer_reference: String,
    pub email: String,
    pub email_normalized: String,
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub gender: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub password_hash: Option<String>,
    pub registered_at: Option<NaiveDateTime>,
    pub anonymized_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub registration_key_hash: Option<String>,
    pub restore_key_hash: Option<String>,
    pub restore_key_expires_at: Option<NaiveDateTime>,
    pub default_billing_address_id: Option<i32>,
    pub default_shipping_address_id: Option<i32>,
    pub group_id: Option<i32>,
    pub blocked_at: Option<NaiveDateTime>,
    pub accepted_marketing: bool,
    pub last_login_at: Option<NaiveDateTime>,
    pub first_name_normalized: Option<String>,
    pub last_name_normalized: Option<String>,
}

/// What a partner sees of an account's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Blocked,
    Unconfirmed,
    Anonymized,
}

impl Status {
    pub const ALL: &'static [&'static str] = &["active", "blocked", "unconfirmed", "anonymized"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blocked => "blocked",
            Self::Unconfirmed => "unconfirmed",
            Self::Anonymized => "anonymized",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "blocked" => Some(Self::Blocked),
            "unconfirmed" => Some(Self::Unconfirmed),
            "anonymized" => Some(Self::Anonymized),
            _ => None,
        }
    }
}

impl Customer {
    /// Anonymized wins over blocked, blocked over unconfirmed.
    pub fn status(&self) -> Status {
        if self.anonymized_at.is_some() {
            Status::Anonymized
        } else if self.blocked_at.is_some() {
            Status::Blocked
        } else if self.registered_at.is_none() {
            Status::Unconfirmed
        } else {
            Status::Active
        }
    }

    /// "Sonia Wagner", for the greeting of an email; `None` when there is no name.
    pub fn display_name(&self) -> Option<String> {
        let parts: Vec<&str> = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = customers)]
pub struct NewCustomer<'a> {
    pub customer_reference: &'a str,
    pub email: &'a str,
    pub email_normalized: &'a str,
    pub salutation: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub gender: Option<&'a str>,
    pub date_of_birth: Option<NaiveDate>,
    pub password_hash: Option<&'a str>,
    pub registered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub registration_key_hash: Option<&'a str>,
    pub group_id: Option<i32>,
    pub accepted_marketing: bool,
    pub first_name_normalized: Option<String>,
    pub last_name_normalized: Option<String>,
}

/// `None` fields are left unchanged; `Some(None)` sets NULL.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = customers)]
pub struct CustomerChangeset {
    pub email: Option<String>,
    pub email_normalized: Option<String>,
    pub salutation: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub gender: Option<Option<String>>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub password_hash: Option<Option<String>>,
    pub anonymized_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub registered_at: Option<Option<NaiveDateTime>>,
    pub registration_key_hash: Option<Option<String>>,
    pub restore_key_hash: Option<Option<String>>,
    pub restore_key_expires_at: Option<Option<NaiveDateTime>>,
    pub group_id: Option<Option<i32>>,
    pub blocked_at: Option<Option<NaiveDateTime>>,
    pub accepted_marketing: Option<bool>,
    pub first_name_normalized: Option<Option<String>>,
    pub last_name_normalized: Option<Option<String>>,
}
