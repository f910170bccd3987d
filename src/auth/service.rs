//! Login and refresh-token rotation with reuse detection, for `/access-tokens`,
//! `/refresh-tokens` and the `/token` grants alike. A session (a refresh-token family) belongs
//! to the client it was issued to. Access tokens are signed after the transaction commits:
//! signing needs no database, and a SQLite writer holds the write lock as briefly as possible.

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};

use super::repo;
use super::tokens::{AccessGrant, TokenKeys, CUSTOMER_SCOPE};
use crate::credentials::{self, keys};
use crate::customers::domain::normalize_email;
use crate::customers::model::Customer;
use crate::customers::repo as customers_repo;
use crate::db::{now, Db, DbConnection};
use crate::error::{ApiError, Code};
use crate::lockout::{self, LockoutRules};
use crate::settings::Settings;

/// What a successful login or refresh hands out.
#[derive(Debug)]
pub struct TokenPair {
    pub id: String,
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
}

/// The settings a login depends on.
#[derive(Debug, Clone, Copy)]
pub struct LoginRules {
    pub bcrypt_cost: u32,
    pub double_opt_in: bool,
    pub lifetimes: Lifetimes,
    pub lockout: LockoutRules,
}

impl LoginRules {
    pub fn new(settings: &Settings) -> Self {
        Self {
            bcrypt_cost: settings.passwords.bcrypt_cost,
            double_opt_in: settings.accounts.double_opt_in,
            lifetimes: Lifetimes::new(settings),
            lockout: LockoutRules::new(&settings.limits),
        }
    }
}

/// How long access tokens, refresh tokens and sessions live, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// An access token's lifetime, cut at the session's end.
    pub access_ttl: i64,
    /// A refresh token's sliding lifetime: each rotation starts it again...
    pub refresh_ttl: i64,
    /// ...but never past the session's absolute end, this long after the login.
    pub session_lifetime: i64,
    /// Seconds after a rotation in which the spent token may come again without ending the
    /// session (a client that lost the response); 0: any reuse revokes the family.
    pub reuse_interval: i64,
}

impl Lifetimes {
    pub fn new(settings: &Settings) -> Self {
        Self {
            access_ttl: settings.tokens.access_ttl,
            refresh_ttl: settings.tokens.refresh_ttl,
            session_lifetime: settings.tokens.session_lifetime,
            reuse_interval: settings.oauth.refresh_reuse_interval,
        }
    }

    /// When a refresh token issued now expires: its own lifetime, cut at the session's end.
    fn refresh_expiry(&self, now: NaiveDateTime, session_end: NaiveDateTime) -> NaiveDateTime {
        (now + Duration::seconds(self.refresh_ttl)).min(session_end)
    }
}

/// A session with a new refresh token, committed; its access token is not signed yet.
struct SessionGrant {
    session_id: String,
    session_end: NaiveDateTime,
    client_id: String,
    reference: String,
    refresh_token: String,
}

/// A login: who asks, from where, with what.
pub struct LoginAttempt<'a> {
    pub client_id: &'a str,
    /// The client address (see `net`), counted against brute force.
    pub address: Option<IpAddr>,
    pub username: &'a str,
    pub password: String,
}

/// Email and password to a token pair, or `003` whatever went wrong (CONTRACT §3 item 16):
/// unknown email, wrong password, unconfirmed or anonymized account; `4401` while the account
/// or the address is blocked after too many failures. Known and unknown emails do the same
/// work: the block check and the count (one write, before the outcome is known, so that
/// attempts sent at once get no more tries than the limit), the lookup, a verify at the
/// configured cost.
pub async fn log_in(
    db: &Db,
    keys: &TokenKeys,
    rules: LoginRules,
    attempt: LoginAttempt<'_>,
) -> Result<TokenPair, ApiError> {
    let normalized = normalize_email(attempt.username);
    let account = lockout::account_key(&normalized);
    let address = attempt.address.map(lockout::address_key);
    let counted: Vec<String> = std::iter::once(account.clone())
        .chain(address.clone())
        .collect();
    let (lockout_rules, checked) = (rules.lockout, counted.clone());
    let (blocked, customer) = db
        .write(move |conn| {
            if let Some(retry_after) = lockout::begin_attempt(conn, &checked, lockout_rules, now())?
            {
                return Ok((Some(retry_after), None));
            }
            Ok((None, customers_repo::find_by_email(conn, &normalized)?))
        })
        .await?;
    if let Some(retry_after) = blocked {
        return Err(ApiError::TooManyAttempts { retry_after });
    }
    let stored = customer.as_ref().and_then(|c| c.password_hash.clone());
    // Unknown emails verify against a dummy hash, so they take as long as wrong passwords.
    let check =
        credentials::check_login_blocking(attempt.password, stored, rules.bcrypt_cost).await?;
    // The attempt is counted already: a failure needs no further write.
    let customer = match customer {
        Some(c) if check.verified && may_log_in(&c, rules.double_opt_in) => c,
        _ => return Err(ApiError::Domain(Code::FailedToAuthenticate)),
    };
    let client_id = attempt.client_id.to_owned();
    let grant = db
        .write(move |conn| {
            // CONTRACT §3 item 16: a success clears the account's counter; the address keeps
            // its earlier failures, but this attempt was none.
            lockout::reset(conn, &account)?;
            if let Some(address) = &address {
                lockout::forgive(conn, address, lockout_rules)?;
            }
            start_session(
                conn,
                &customer,
                check.rehash.clone(),
                rules.lifetimes,
                client_id.clone(),
            )
        })
        .await?;
    sign(keys, grant, rules.lifetimes.access_ttl)
}

/// A customer whose password matched may still not log in: anonymized, or not confirmed under
/// double opt-in, or blocked by a partner. The answer is the same `003` as for a wrong password
/// (CONTRACT §3 item 16),
/// and it counts as a failure like one.
fn may_log_in(customer: &Customer, double_opt_in: bool) -> bool {
    let confirmed = !double_opt_in || customer.registered_at.is_some();
    customer.anonymized_at.is_none() && customer.blocked_at.is_none() && confirmed
}

/// Starts a session for a customer whose password was verified: a refresh token in a new
/// family. `rehash` replaces a hash of another cost.
fn start_session(
    conn: &mut DbConnection,
    customer: &Customer,
    rehash: Option<String>,
    lifetimes: Lifetimes,
    client_id: String,
) -> Result<SessionGrant, ApiError> {
    let verified = customer
        .password_hash
        .as_deref()
        .ok_or(ApiError::Domain(Code::FailedToAuthenticate))?;
    // Under the row lock: an anonymization or password change that committed meanwhile wins.
    if !customers_repo::swap_password_hash(conn, customer.id, verified, rehash.as_deref())? {
        return Err(ApiError::Domain(Code::FailedToAuthenticate));
    }
    let now = now();
    customers_repo::record_login(conn, customer.id, now)?;
    let session_id = keys::random_hex(16);
    let session_end = now + Duration::seconds(lifetimes.session_lifetime);
    repo::insert_session(
        conn,
        &repo::NewSession {
            id: &session_id,
            customer_id: customer.id,
            client_id: &client_id,
            now,
            expires_at: session_end,
        },
    )?;
    let session = Family {
        id: session_id,
        end: session_end,
        client_id,
    };
    let expires_at = lifetimes.refresh_expiry(now, session_end);
    let owner = (customer.id, customer.customer_reference.as_str());
    grant(conn, session, owner, expires_at)
}

/// A session as a refresh token's family: its id, absolute end and client.
struct Family {
    id: String,
    end: NaiveDateTime,
    client_id: String,
}

/// A new refresh token in the session's family, expiring at `expires_at`.
fn grant(
    conn: &mut DbConnection,
    session: Family,
    customer: (i32, &str),
    expires_at: NaiveDateTime,
) -> Result<SessionGrant, ApiError> {
    let (customer_id, reference) = customer;
    let refresh_token = keys::new_key();
    repo::insert_refresh_token(
        conn,
        &keys::key_hash(&refresh_token),
        &session.id,
        customer_id,
        now(),
        expires_at,
    )?;
    Ok(SessionGrant {
        session_id: session.id,
        session_end: session.end,
        client_id: session.client_id,
        reference: reference.to_owned(),
        refresh_token,
    })
}

fn sign(keys: &TokenKeys, grant: SessionGrant, access_ttl: i64) -> Result<TokenPair, ApiError> {
    let access = keys
        .issue(&AccessGrant {
            subject: &grant.reference,
            session_id: Some(&grant.session_id),
            client_id: &grant.client_id,
            scope: CUSTOMER_SCOPE,
            lifetime: access_ttl,
            not_after: Some(grant.session_end.and_utc().timestamp()),
        })
        .map_err(ApiError::internal)?;
    Ok(TokenPair {
        id: access.jti,
        access_token: access.token,
        expires_in: access.expires_in,
        refresh_token: grant.refresh_token,
    })
}

/// Rotates a refresh token (CONTRACT §3 item 19): the presented token is spent and a new one
/// of the same family is issued, to the client the family belongs to only; `004` (or
/// `invalid_grant`) for anything else. A spent token presented again revokes the whole family
/// (RFC 9700 reuse detection), which also ends its access tokens, unless it comes within the
/// reuse interval after its rotation. The revocation commits before the refusal goes out.
pub async fn refresh(
    db: &Db,
    keys: &TokenKeys,
    presented: String,
    client_id: &str,
    lifetimes: Lifetimes,
) -> Result<TokenPair, ApiError> {
    let client_id = client_id.to_owned();
    let grant = db
        .write(move |conn| rotate(conn, &presented, &client_id, lifetimes))
        .await?
        .ok_or(ApiError::Domain(Code::FailedToRefresh))?;
    sign(keys, grant, lifetimes.access_ttl)
}

fn rotate(
    conn: &mut DbConnection,
    presented: &str,
    client_id: &str,
    lifetimes: Lifetimes,
) -> Result<Option<SessionGrant>, ApiError> {
    let now = now();
    let Some(state) = repo::find_refresh_token(conn, &keys::key_hash(presented))? else {
        return Ok(None);
    };
    // Another client presenting it: refused, and nothing changes for the family's owner.
    if state.session_client_id != client_id {
        return Ok(None);
    }
    if state.session_revoked_at.is_some()
        || state.expires_at <= now
        || state.session_expires_at <= now
    {
        return Ok(None);
    }
    let within_grace = state
        .used_at
        .is_some_and(|used| now - used <= Duration::seconds(lifetimes.reuse_interval));
    let spent = state.used_at.is_some() || !repo::consume_refresh_token(conn, state.id, now)?;
    if spent && !within_grace {
        tracing::warn!(session = %state.session_id, "refresh token replayed; revoking its family");
        repo::revoke_session(conn, &state.session_id, now)?;
        return Ok(None);
    }
    // An anonymization that committed while this ran has revoked the session; the lock makes
    // this refresh wait for it and see it.
    if !customers_repo::lock_live(conn, state.customer_id)? {
        repo::revoke_session(conn, &state.session_id, now)?;
        return Ok(None);
    }
    let expires_at = lifetimes.refresh_expiry(now, state.session_expires_at);
    let family = Family {
        id: state.session_id,
        end: state.session_expires_at,
        client_id: state.session_client_id,
    };
    let grant = grant(
        conn,
        family,
        (state.customer_id, &state.customer_reference),
        expires_at,
    )?;
    Ok(Some(grant))
}
