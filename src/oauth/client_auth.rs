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
pub async fn authenticate(
    db: &Db,
    presented: Presented,
    address: Option<IpAddr>,
    rules: LockoutRules,
) -> Result<Client, OAuthError> {
    let client_key = lockout::client_key(&presented.client_id);
    let address_key = address.map(lockout::client_address_key);
    let id = presented.client_id.clone();
    let (own_key, address_counted) = (client_key.clone(), address_key.clone());
    let (blocked, client, counted) = db
        .read(move |conn| {
            let client = repo::find(conn, &id)?;
            // A public client has no secret to guess: counting against its id would let anyone
            // lock every shopper out of `/token`, so only the address counts for it.
            let public = client
                .as_ref()
                .is_some_and(|c| c.auth_method() == AuthMethod::None);
            let counted: Vec<String> = (!public)
                .then_some(own_key)
                .into_iter()
                .chain(address_counted)
                .collect();
            let blocked = lockout::blocked_for(conn, &counted, now())?;
            Ok((blocked, client, counted))
        })
        .await?;
    if let Some(retry_after) = blocked {
        return Err(OAuthError::too_many_attempts(
            ErrorCode::InvalidClient,
            retry_after,
        ));
    }
    match service::authenticate(client, &presented) {
        Some(client) => {
            // The storefront authenticates with no secret on every request: nothing to clear.
            if presented.secret.is_some() {
                db.write(move |conn| lockout::reset(conn, &client_key))
                    .await?;
            }
            Ok(client)
        }
        None => {
            db.write(move |conn| lockout::count_attempt(conn, &counted, rules, now()))
                .await?;
            Err(OAuthError::invalid_client())
        }
    }
}
