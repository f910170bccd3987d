//! The partner API's rules for customers: create (with a password, an imported hash, or an
//! invitation), change (with the block and optimistic concurrency), anonymize.

use chrono::Duration;
use diesel::prelude::*;

use super::domain::{Block, Credential, NewPartnerCustomer, PartnerChanges};
use super::resource::{etag, if_match_allows};
use crate::addresses;
use crate::auth::revocation;
use crate::credentials::keys;
use crate::customers::domain::{normalize_name, CustomerReference};
use crate::customers::model::{Customer, CustomerChangeset, NewCustomer};
use crate::customers::{repo as customers_repo, service as customers_service};
use crate::db::schema::{customer_groups, customers};
use crate::db::{now, DbConnection};
use crate::error::{ApiError, Code};
use crate::mail::{self, Email, MailContext};

/// A customer with the key of its group, as partners see it.
#[derive(Debug, Clone)]
pub struct PartnerView {
    pub customer: Customer,
    pub group_key: Option<String>,
}

impl PartnerView {
    pub fn etag(&self) -> String {
        etag(&self.customer, self.group_key.as_deref())
    }
}

/// One page of the listing as partners see it, the cursor after it (keyset paging) and, for
/// offset paging, the number of customers the filters select (`meta.page.total`).
pub struct ListedPage {
    pub views: Vec<PartnerView>,
    pub next: Option<super::listing::Cursor>,
    pub total: Option<i64>,
}

pub fn list(
    conn: &mut DbConnection,
    listing: &super::listing::Listing,
) -> Result<ListedPage, ApiError> {
    let offset = matches!(listing.paging, super::listing::Paging::Offset { .. });
    let total = if offset {
        Some(super::repo::count(conn, listing)?)
    } else {
        None
    };
    let (rows, next) = super::repo::page(conn, listing)?;
    let views = rows
        .into_iter()
        .map(|(customer, group_key)| PartnerView {
            customer,
            group_key,
        })
        .collect();
    Ok(ListedPage { views, next, total })
}

fn not_found() -> ApiError {
    ApiError::Domain(Code::CustomerNotFound)
}

fn group_key(conn: &mut DbConnection, id: Option<i32>) -> Result<Option<String>, ApiError> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(customer_groups::table
        .find(id)
        .select(customer_groups::key)
        .first(conn)
        .optional()?)
}

/// The group a `group` relationship names: `None` to leave it, `Some(None)` for no group. An
/// unknown key is a 404 (JSON:API: a request referencing a related resource that does not exist).
fn group_id(
    conn: &mut DbConnection,
    key: &Option<Option<String>>,
) -> Result<Option<Option<i32>>, ApiError> {
    match key {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        // PostgreSQL refuses a NUL in text outright; no key holds one.
        Some(Some(key)) if key.contains('\0') => Err(ApiError::NotFound),
        Some(Some(key)) => {
            let id: Option<i32> = customer_groups::table
                .filter(customer_groups::key.eq(key))
                .select(customer_groups::id)
                .first(conn)
                .optional()?;
            id.map(|id| Some(Some(id))).ok_or(ApiError::NotFound)
        }
    }
}

pub fn find(conn: &mut DbConnection, reference: &str) -> Result<PartnerView, ApiError> {
    // PostgreSQL refuses a NUL in text outright; no reference holds one.
    if reference.contains('\0') {
        return Err(not_found());
    }
    let customer = customers_repo::find_by_reference(conn, reference)?.ok_or_else(not_found)?;
    let group_key = group_key(conn, customer.group_id)?;
    Ok(PartnerView {
        customer,
        group_key,
    })
}

/// The customer read under its row lock, which the transaction then keeps: `If-Match` is
/// checked against the state the change replaces. Without it two changes based on one ETag
/// both pass on PostgreSQL (SQLite's write lock is taken at BEGIN already).
fn find_locked(conn: &mut DbConnection, reference: &str) -> Result<PartnerView, ApiError> {
    let id = find(conn, reference)?.customer.id;
    diesel::update(customers::table.find(id))
        .set(customers::updated_at.eq(customers::updated_at))
        .execute(conn)?;
    find(conn, reference)
}

/// The email's unique index refused a row: another request took the address between the
/// check and the write (`400`, as the check would have answered).
fn email_conflict(err: diesel::result::Error) -> ApiError {
    match err {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ApiError::Domain(Code::EmailAlreadyUsed),
        other => other.into(),
    }
}

/// What a partner's create needs besides the input.
pub struct CreateRules<'a> {
    pub store: &'a str,
    pub mail: &'a MailContext,
}

/// Partners vouch for the address: the account is confirmed at once. `password_hash` is the
/// bcrypt hash of a partner's password (computed off the connection) or an imported one.
pub fn create(
    conn: &mut DbConnection,
    new: &NewPartnerCustomer,
    password_hash: Option<&str>,
    group: &Option<Option<String>>,
    rules: &CreateRules<'_>,
) -> Result<PartnerView, ApiError> {
    let normalized = new.email.normalized();
    if customers_repo::email_taken(conn, &normalized, None)? {
        return Err(ApiError::Domain(Code::EmailAlreadyUsed));
    }
    let group_id = match group_id(conn, group)? {
        Some(id) => id,
        None => crate::groups::service::default_id(conn)?,
    };
    let reference =
        CustomerReference::new(rules.store, customers_repo::next_reference_number(conn)?);
    let now = now();
    let customer = customers_repo::insert(
        conn,
        &NewCustomer {
            customer_reference: reference.as_str(),
            email: new.email.as_str(),
            email_normalized: &normalized,
            salutation: Some(&new.salutation),
            first_name: Some(&new.first_name),
            last_name: Some(&new.last_name),
            gender: Some(&new.gender),
            date_of_birth: new.date_of_birth,
            password_hash,
            registered_at: Some(now),
            created_at: now,
            updated_at: now,
            registration_key_hash: None,
            group_id,
            accepted_marketing: new.accepted_marketing,
            first_name_normalized: Some(normalize_name(&new.first_name)),
            last_name_normalized: Some(normalize_name(&new.last_name)),
        },
    )
    .map_err(email_conflict)?;
    if new.blocked {
        let blocked = CustomerChangeset {
            blocked_at: Some(Some(now)),
            ..CustomerChangeset::default()
        };
        customers_repo::update(conn, customer.id, &blocked)?;
    }
    if matches!(new.credential, Credential::Invite) && !new.blocked {
        invite(conn, rules.mail, &customer)?;
    }
    find(conn, &customer.customer_reference)
}

/// A set-password link (a restore key of the invitation's lifetime) by email.
fn invite(
    conn: &mut DbConnection,
    mail: &MailContext,
    customer: &Customer,
) -> Result<(), ApiError> {
    let key = keys::new_key();
    let expires_at = now() + Duration::seconds(mail.invitation_ttl);
    customers_repo::set_restore_key(conn, customer.id, &keys::key_hash(&key), expires_at)?;
    let link = mail.link("/password/restore", &key);
    let name = customer.display_name();
    let email = Email::Invitation {
        name: name.as_deref(),
        link: &link,
        valid_hours: mail.invitation_hours(),
    };
    mail::queue(conn, mail, &customer.email, &email)
}

/// `If-Match` must name the current representation (412 otherwise); without it the change
/// applies (issue: partner API, item 4).
fn check_precondition(view: &PartnerView, if_match: Option<&str>) -> Result<(), ApiError> {
    if if_match_allows(if_match, &view.etag()) {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

pub fn update(
    conn: &mut DbConnection,
    reference: &str,
    changes: PartnerChanges,
    group: &Option<Option<String>>,
    if_match: Option<&str>,
) -> Result<PartnerView, ApiError> {
    let view = find_locked(conn, reference)?;
    check_precondition(&view, if_match)?;
    let customer = &view.customer;
    if customer.anonymized_at.is_some() {
        return Err(ApiError::Domain(Code::CustomerSaveFailed));
    }
    let c = changes.customer;
    let normalized = c.email.as_ref().map(|e| e.normalized());
    if let Some(normalized) = &normalized {
        if customers_repo::email_taken(conn, normalized, Some(customer.id))? {
            return Err(ApiError::Domain(Code::EmailAlreadyUsed));
        }
    }
    let now = now();
    let blocked_at = match changes.block {
        Some(Block::Blocked) => Some(Some(customer.blocked_at.unwrap_or(now))),
        Some(Block::Active) => Some(None),
        None => None,
    };
    let changeset = CustomerChangeset {
        email: c.email.map(|e| e.as_str().to_owned()),
        email_normalized: normalized,
        salutation: c.salutation.map(Some),
        first_name_normalized: c.first_name.as_deref().map(|n| Some(normalize_name(n))),
        last_name_normalized: c.last_name.as_deref().map(|n| Some(normalize_name(n))),
        first_name: c.first_name.map(Some),
        last_name: c.last_name.map(Some),
        gender: c.gender.map(Some),
        date_of_birth: c.date_of_birth,
        accepted_marketing: changes.accepted_marketing,
        group_id: group_id(conn, group)?,
        blocked_at,
        updated_at: Some(now),
        ..CustomerChangeset::default()
    };
    customers_repo::update(conn, customer.id, &changeset).map_err(email_conflict)?;
    // A block ends every session of the customer at once (access and refresh tokens).
    if changes.block == Some(Block::Blocked) {
        revocation::revoke_all(conn, customer.id)?;
    }
    find(conn, reference)
}

/// Anonymizes exactly as the storefront's `DELETE /customers/{ref}` does.
pub fn delete(
    conn: &mut DbConnection,
    reference: &str,
    if_match: Option<&str>,
) -> Result<(), ApiError> {
    let view = find_locked(conn, reference)?;
    check_precondition(&view, if_match)?;
    let customer = &view.customer;
    // Deleting again changes nothing (DELETE is idempotent): no new placeholder email, no new
    // `updatedAt`.
    if customer.anonymized_at.is_some() {
        return Ok(());
    }
    customers_service::anonymize(conn, customer, reference)?;
    addresses::service::anonymize_all(conn, customer.id)?;
    revocation::revoke_all(conn, customer.id)
}
