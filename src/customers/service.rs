//! The rules for customers: registration, reading and updating one's own account, anonymizing.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::domain::{normalize_name, CustomerChanges, CustomerReference, Registration};
use super::model::{Customer, CustomerChangeset, NewCustomer};
use super::repo;
use crate::credentials::keys;
use crate::db::{now, Db, DbConnection};
use crate::error::{ApiError, Code};
use crate::groups;
use crate::mail::{self, Email, MailContext};
use crate::settings::AccountSettings;

/// What a registration came to.
pub enum Registered {
    New(Box<Customer>),
    /// Another account has the email. The caller commits what it adds (a reset request: the
    /// answer's text promises a reset link) and answers `400` (reference §2.1).
    EmailTaken,
}

/// Creates the customer, and under double opt-in a single-use confirmation key (stored as its
/// hash) with the email that carries it, in the same transaction (CONTRACT §3 item 10).
/// `password_hash` was computed off the database connection.
pub fn register(
    conn: &mut DbConnection,
    registration: &Registration,
    password_hash: &str,
    accounts: &AccountSettings,
    mail: &MailContext,
) -> Result<Registered, ApiError> {
    let normalized = registration.email.normalized();
    if repo::email_taken(conn, &normalized, None)? {
        return Ok(Registered::EmailTaken);
    }
    let reference = CustomerReference::new(&accounts.store, repo::next_reference_number(conn)?);
    let now = now();
    let key = accounts.double_opt_in.then(keys::new_key);
    let key_hash = key.as_deref().map(keys::key_hash);
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
        // Without double opt-in the account is confirmed at once.
        registered_at: key.is_none().then_some(now),
        created_at: now,
        updated_at: now,
        registration_key_hash: key_hash.as_deref(),
        group_id: groups::service::default_id(conn)?,
        accepted_marketing: false,
        first_name_normalized: Some(normalize_name(&registration.first_name)),
        last_name_normalized: Some(normalize_name(&registration.last_name)),
    };
    let customer = repo::insert(conn, &new).map_err(email_conflict)?;
    if let Some(key) = key {
        let name = customer.display_name();
        let link = mail.link("/register/confirm", &key);
        let email = Email::Confirmation {
            name: name.as_deref(),
            link: &link,
        };
        mail::queue(conn, mail, &customer.email, &email)?;
    }
    Ok(Registered::New(Box::new(customer)))
}

/// `POST /customer-confirmation` (reference §2.10): the key works once; an unknown or used
/// one is `423`.
pub fn confirm(conn: &mut DbConnection, key: &str) -> Result<(), ApiError> {
    if repo::confirm_registration(conn, &keys::key_hash(key), now())? {
        Ok(())
    } else {
        Err(ApiError::Domain(Code::ConfirmationKeyInvalid))
    }
}

/// A concurrent registration with the same email loses on the unique index. (It gets the
/// plain `400`: on PostgreSQL the failed statement has ended the transaction, so the reset
/// request of [`Registered::EmailTaken`] cannot follow it.)
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
        first_name_normalized: changes
            .first_name
            .as_deref()
            .map(|n| Some(normalize_name(n))),
        last_name_normalized: changes
            .last_name
            .as_deref()
            .map(|n| Some(normalize_name(n))),
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
        first_name_normalized: Some(None),
        last_name_normalized: Some(None),
        // Keys in flight die with the account.
        registration_key_hash: Some(None),
        restore_key_hash: Some(None),
        restore_key_expires_at: Some(None),
        ..CustomerChangeset::default()
    };
    repo::update(conn, owner.id, &changeset)?;
    Ok(())
}

/// Migration 000006 filled the lower-case names that `filter[q]` searches with SQL `lower()`,
/// which lower-cases ASCII only on SQLite (and on PostgreSQL in the C locale): "Östlund" stayed
/// "Östlund" and `filter[q]=öst` missed it. Once per database, the stored forms are recomputed
/// with the service's own rule, a batch per transaction (a database with no such names passes
/// through quickly). Returns how many customers changed.
pub fn renormalize_names_once(db: &Db) -> Result<usize, ApiError> {
    const TASK: &str = "task:normalized-names";
    const BATCH: i64 = 1_000;
    if db.run_now(|conn| Ok(repo::task_done(conn, TASK)?))? {
        return Ok(0);
    }
    let (mut after, mut fixed) = (0, 0);
    loop {
        let (last_id, changed) = db.run_now(|conn| {
            let rows = repo::names_after(conn, after, BATCH)?;
            let mut changed = 0;
            for (id, first, first_stored, last, last_stored) in &rows {
                let first_wanted = first.as_deref().map(normalize_name);
                let last_wanted = last.as_deref().map(normalize_name);
                if first_wanted != *first_stored || last_wanted != *last_stored {
                    repo::set_normalized_names(
                        conn,
                        *id,
                        first_wanted.as_deref(),
                        last_wanted.as_deref(),
                    )?;
                    changed += 1;
                }
            }
            Ok((rows.last().map(|row| row.0), changed))
        })?;
        fixed += changed;
        match last_id {
            Some(id) => after = id,
            None => break,
        }
    }
    db.run_now(|conn| Ok(repo::mark_task_done(conn, TASK)?))?;
    Ok(fixed)
}
