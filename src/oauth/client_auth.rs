//! Which client a token-endpoint request comes from (RFC 6749 §2.3.1): HTTP Basic, or
//! `client_id` and `client_secret` in the body, never both; a request with neither is the public
//! storefront client's (CONTRACT §3 item 20). Checking the credentials is the clients module's.

use actix_web::http::header;
use actix_web::HttpRequest;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use std::net::IpAddr;

use super::error::{ErrorCode, OAuthError};
use super::form::TokenForm;
use crate::clients::model::{AuthMethod, Client};
use crate::clients::{
    repo,
    service::{self, Presented},
};
use crate::db::{now, Db};
use crate::error::ApiError;
use crate::lockout::{self, LockoutRules};

/// The client as the request presents it, before any check against the database.
pub fn presented(
    req: &HttpRequest,
    form: &TokenForm,
    storefront: &str,
) -> Result<Presented, OAuthError> {
    if let Some((client_id, secret)) = basic_credentials(req)? {
        if form.get("client_secret").is_some() {
            return Err(OAuthError::invalid_request(
                "Use one way of authenticating the client, not two.",
            ));
        }
        if form.get("client_id").is_some_and(|id| id != client_id) {
            return Err(OAuthError::invalid_request(
                "The client_id does not match the authenticated client.",
            ));
        }
        return Ok(Presented {
            client_id,
            secret: Some(secret),
            method: AuthMethod::Basic,
        });
    }
    let client_id = form.get("client_id").unwrap_or(storefront).to_owned();
    Ok(match form.get("client_secret") {
        Some(secret) => Presented {
            client_id,
            secret: Some(secret.to_owned()),
            method: AuthMethod::Post,
        },
        None => Presented {
            client_id,
            secret: None,
            method: AuthMethod::None,
        },
    })
}

/// `Authorization: Basic <base64(urlencoded id ":" urlencoded secret)>`; another scheme is not
/// client authentication, and a Basic header we cannot read is a failed one.
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| OAuthError::invalid_client())?;
    let (scheme, encoded) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_request(
            "Only Basic authentication identifies a client here.",
        ));
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(OAuthError::invalid_client)?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(OAuthError::invalid_client)?;
    Ok(Some((form_decode(id), form_decode(secret))))
}

/// RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encodes them.
fn form_decode(text: &str) -> String {
    form_urlencoded::parse(format!("v={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The authenticated client, or `invalid_client` for any failure alike. Failures are counted
/// per client id and per address like failed logins (RFC 6749 §2.3.1 asks for brute-force
/// protection): too many, and the next attempts get 429 until the block ends.
///
/// A partner authenticates on every token request, so the common case is one read: the client,
/// and the counters' standing. Only a wrong secret writes, counting itself and deciding from
/// the locked counters, so wrong secrets sent at once get no more 401s than the limit between
/// them (the rest 429); a success writes only to clear the client's counter of failures.
pub async fn authenticate(
    db: &Db,
    presented: Presented,
    address: Option<IpAddr>,
    rules: LockoutRules,
) -> Result<Client, OAuthError> {
    let address_key = address.map(lockout::client_address_key);
    let outcome = if presented.secret.is_some() {
        check_secret(db, presented, address_key, rules).await?
    } else {
        check_public(db, presented, address_key, rules).await?
    };
    match outcome {
        Outcome::Blocked(retry_after) => Err(OAuthError::too_many_attempts(
            ErrorCode::InvalidClient,
            retry_after,
        )),
        Outcome::Refused => Err(OAuthError::invalid_client()),
        Outcome::Authenticated(client) => Ok(client),
    }
}

enum Outcome {
    Blocked(i64),
    Refused,
    Authenticated(Client),
}

/// The keys a secret counts against: the client id (unless the client is public: it has no
/// secret to guess, and counting against its id would let anyone lock every shopper out of
/// `/token`) and the address.
fn secret_keys(
    client: Option<&Client>,
    client_id: &str,
    address_key: Option<&String>,
) -> (Option<String>, Vec<String>) {
    let public = client.is_some_and(|c| c.auth_method() == AuthMethod::None);
    let client_key = (!public).then(|| lockout::client_key(client_id));
    let counted = client_key.iter().chain(address_key).cloned().collect();
    (client_key, counted)
}

/// A secret: read the client and the counters, compare (a hash), and write only when there is
/// something to count or to clear.
async fn check_secret(
    db: &Db,
    presented: Presented,
    address_key: Option<String>,
    rules: LockoutRules,
) -> Result<Outcome, ApiError> {
    let (id, address) = (presented.client_id.clone(), address_key.clone());
    let (client, standing) = db
        .read_quick(move |conn| {
            let client = repo::find(conn, &id)?;
            let (_, counted) = secret_keys(client.as_ref(), &id, address.as_ref());
            Ok((client, lockout::standing(conn, &counted, now())?))
        })
        .await?;
    if let Some(retry_after) = standing.blocked_for {
        return Ok(Outcome::Blocked(retry_after));
    }
    let (client_key, counted) =
        secret_keys(client.as_ref(), &presented.client_id, address_key.as_ref());
    let Some(client) = service::authenticate(client, &presented) else {
        // Counted under the counters' locks: a block reached meanwhile answers 429.
        let blocked = db
            .write(move |conn| lockout::begin_attempt(conn, &counted, rules, now()))
            .await?;
        return Ok(blocked.map_or(Outcome::Refused, Outcome::Blocked));
    };
    // A success clears the client's counter; the address keeps its failures (like logins), and
    // this success was never counted.
    if let (true, Some(client_key)) = (standing.has_failures, client_key) {
        db.write(move |conn| lockout::reset(conn, &client_key))
            .await?;
    }
    Ok(Outcome::Authenticated(client))
}

/// No secret: the storefront's client on every request, with nothing to guess. A read checks
/// the client and the address's block; only a failure (an unknown or confidential id) writes.
async fn check_public(
    db: &Db,
    presented: Presented,
    address_key: Option<String>,
    rules: LockoutRules,
) -> Result<Outcome, ApiError> {
    let id = presented.client_id.clone();
    let checked = address_key.clone();
    let (blocked, client) = db
        .read_quick(move |conn| {
            let client = repo::find(conn, &id)?;
            let keys: Vec<String> = checked.iter().cloned().collect();
            Ok((lockout::blocked_for(conn, &keys, now())?, client))
        })
        .await?;
    if let Some(retry_after) = blocked {
        return Ok(Outcome::Blocked(retry_after));
    }
    let public = client
        .as_ref()
        .is_some_and(|c| c.auth_method() == AuthMethod::None);
    if let Some(client) = service::authenticate(client, &presented) {
        return Ok(Outcome::Authenticated(client));
    }
    let client_key = (!public).then(|| lockout::client_key(&presented.client_id));
    let counted: Vec<String> = client_key.into_iter().chain(address_key).collect();
    db.write(move |conn| lockout::count_attempt(conn, &counted, rules, now()))
        .await?;
    Ok(Outcome::Refused)
}
