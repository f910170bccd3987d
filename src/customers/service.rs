//! The rules for customers: registration, reading and updating one's own account, anonymizing.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::domain::{CustomerChanges, CustomerReference, Registration};
use super::model::{Customer, CustomerChangeset, NewCustomer};
use super::repo;
use crate::db::{now, DbConnection};
use crate::error::{ApiError, Code};

/// Creates the customer. `password_hash` was computed off the database connection.
pub fn register(
    conn: &mut DbConnection,
    registration: &Registration,
    password_hash: &str,
    store: &str,
    double_opt_in: bool,
) -> Result<Customer, ApiError> {
    let normalized = registration.email.normalized();
    if repo::email_taken(conn, &normalized, None)? {
        return Err(ApiError::Domain(Code::EmailAlreadyUsed));
    }
    let reference = CustomerReference::new(store, repo::next_reference_number(conn)?);
    let now = now();
    let new = NewCustomer {
        customer_reference: reference.as_str(),
        email: registration.email.as_str(),
        email_normalized: &normalized,
        salutation: Some(&registration.salutation),
        first_name: Some(&registration.first_name),
        last_name: Some(&registration.last_name),
        gender: Some(&registration.gender),
        date_of_birth: registration.date_of_birth,
        password_hash: Some(password_hash),
        // Without double opt-in the account is confirmed at once (CONTRACT §3 item 10).
        registered_at: (!double_opt_in).then_some(now),
        created_at: now,
        updated_at: now,
    };
    repo::insert(conn, &new).map_err(email_conflict)
}

/// A concurrent registration with the same email loses on the unique index.
fn email_conflict(err: DieselError) -> ApiError {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::Domain(Code::EmailAlreadyUsed)
        }
        other => other.into(),
    }
}

/// reference §2.3: any reference but one's own is "not found". `owner` is the customer the
/// access token belongs to, loaded with the session check.
pub fn get_own<'a>(owner: &'a Customer, reference: &str) -> Result<&'a Customer, ApiError> {
    if reference != owner.customer_reference {
        return Err(ApiError::Domain(Code::CustomerNotFound));
    }
    Ok(owner)
}

/// reference §2.4: only the attributes sent change.
pub fn update(
    conn: &mut DbConnection,
    owner: &Customer,
    reference: &str,
    changes: CustomerChanges,
) -> Result<Customer, ApiError> {
    if reference != owner.customer_reference {
        return Err(ApiError::Domain(Code::UnauthorizedRequest));
    }
    let customer =
        repo::find_by_id(conn, owner.id)?.ok_or(ApiError::Domain(Code::CustomerNotFound))?;
    let normalized = changes.email.as_ref().map(|e| e.normalized());
    if let Some(normalized) = &normalized {
        if repo::email_taken(conn, normalized, Some(customer.id))? {
            return Err(ApiError::Domain(Code::EmailAlreadyUsed));
        }
    }
    let changeset = CustomerChangeset {
        email: changes.email.map(|e| e.as_str().to_owned()),
        email_normalized: normalized,
        salutation: changes.salutation.map(Some),
        first_name: changes.first_name.map(Some),
        last_name: changes.last_name.map(Some),
        gender: changes.gender.map(Some),
        date_of_birth: changes.date_of_birth,
        updated_at: Some(now()),
        ..CustomerChangeset::default()
    };
    repo::update(conn, customer.id, &changeset).map_err(email_conflict)
}

/// CONTRACT §3 item 13: the row and its reference stay; personal data goes. Ending the
/// customer's sessions is the caller's part of the same transaction (sessions belong to
/// `auth`, which builds on customers).
pub fn anonymize(
    conn: &mut DbConnection,
    owner: &Customer,
    reference: &str,
) -> Result<(), ApiError> {
    if reference != owner.customer_reference {
        return Err(ApiError::Domain(Code::UnauthorizedRequest));
    }
    let now = now();
    // A random, unique, undeliverable address (RFC 2606 reserves `.invalid`).
    let placeholder = format!("{}@anonymized.invalid", uuid::Uuid::new_v4().simple());
    let changeset = CustomerChangeset {
        email_normalized: Some(placeholder.clone()),
        email: Some(placeholder),
        salutation: Some(None),
        first_name: Some(None),
        last_name: Some(None),
        gender: Some(None),
        date_of_birth: Some(None),
        password_hash: Some(None),
        anonymized_at: Some(Some(now)),
        updated_at: Some(now),
    };
    repo::update(conn, owner.id, &changeset)?;
    Ok(())
}
