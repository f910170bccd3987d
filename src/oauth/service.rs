//! The grants of `POST /token` (password, refresh_token, client_credentials), revocation
//! (RFC 7009) and introspection (RFC 7662). Customer tokens come from the same services as
//! `/access-tokens` and `/refresh-tokens`, so both doors answer alike.

use chrono::DateTime;
use serde::Serialize;

use super::error::{ErrorCode, OAuthError};
use crate::auth::revocation;
use crate::auth::service::{self as auth_service, Lifetimes, LoginAttempt, LoginRules, TokenPair};
use crate::auth::tokens::{AccessGrant, Claims, TokenKeys, CUSTOMER_SCOPE};
use crate::clients::model::{AuthMethod, Client};
use crate::clients::repo as clients_repo;
use crate::db::Db;
use crate::error::{ApiError, Code};

/// RFC 6749 §5.1.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
}

impl TokenResponse {
    fn customer(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            token_type: "Bearer",
            expires_in: pair.expires_in,
            refresh_token: Some(pair.refresh_token),
            scope: CUSTOMER_SCOPE.to_owned(),
        }
    }
}

/// The scope to grant: the client's whole scope when none is asked for; otherwise each asked
/// scope must be one of the client's (an unknown or unallowed one is refused, never dropped).
pub fn granted_scope<'a>(
    requested: Option<&str>,
    allowed: impl Iterator<Item = &'a str> + Clone,
) -> Result<String, OAuthError> {
    let Some(requested) = requested else {
        return Ok(allowed.collect::<Vec<_>>().join(" "));
    };
    let mut granted: Vec<&str> = Vec::new();
    for scope in requested.split(' ').filter(|s| !s.is_empty()) {
        if !allowed.clone().any(|a| a == scope) {
            return Err(OAuthError::invalid_scope());
        }
        if !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    if granted.is_empty() {
        return Err(OAuthError::invalid_scope());
    }
    Ok(granted.join(" "))
}

/// The password grant: `/access-tokens` in OAuth's words. Every failure (unknown email,
/// wrong password, unconfirmed, blocked) is the same `invalid_grant` (checklist C1).
pub async fn password_grant(
    db: &Db,
    keys: &TokenKeys,
    rules: LoginRules,
    attempt: LoginAttempt<'_>,
) -> Result<TokenResponse, OAuthError> {
    let pair = auth_service::log_in(db, keys, rules, attempt)
        .await
        .map_err(|err| match err {
            ApiError::Domain(Code::FailedToAuthenticate) => {
                OAuthError::invalid_grant("The user credentials were incorrect.")
            }
            other => other.into(),
        })?;
    Ok(TokenResponse::customer(pair))
}

pub async fn refresh_grant(
    db: &Db,
    keys: &TokenKeys,
    lifetimes: Lifetimes,
    client: &Client,
    refresh_token: String,
) -> Result<TokenResponse, OAuthError> {
    let pair = auth_service::refresh(db, keys, refresh_token, &client.id, lifetimes)
        .await
        .map_err(|err| match err {
            ApiError::Domain(Code::FailedToRefresh) => OAuthError::invalid_grant(
                "The refresh token is invalid, expired, revoked or was issued to another client.",
            ),
            other => other.into(),
        })?;
    Ok(TokenResponse::customer(pair))
}

/// A partner's own token: its scopes, `sub` = its id, no session and no refresh token
/// (RFC 6749 §4.4.3).
pub fn client_credentials_grant(
    keys: &TokenKeys,
    client: &Client,
    scope: &str,
    lifetime: i64,
) -> Result<TokenResponse, OAuthError> {
    let access = keys
        .issue(&AccessGrant {
            subject: &client.id,
            session_id: None,
            client_id: &client.id,
            scope,
            lifetime,
            not_after: None,
        })
        .map_err(|e| OAuthError::from(ApiError::internal(e)))?;
    Ok(TokenResponse {
        access_token: access.token,
        token_type: "Bearer",
        expires_in: access.expires_in,
        refresh_token: None,
        scope: scope.to_owned(),
    })
}

/// RFC 7009: whatever the token, nothing is said about it; it is revoked only if it was issued
/// to the revoking client. The hint is not needed: access tokens are JWTs, refresh tokens are
/// not, so the token tells its own type.
pub async fn revoke(
    db: &Db,
    keys: &TokenKeys,
    client: &Client,
    token: String,
) -> Result<(), OAuthError> {
    let client_id = client.id.clone();
    match keys.verify(&token) {
        Some(claims) => {
            db.write(move |conn| match claims.sid.as_deref() {
                Some(sid) => revocation::revoke_session_of(conn, sid, &client_id),
                None if claims.client_id == client_id => {
                    let expires_at = DateTime::from_timestamp(claims.exp, 0)
                        .map(|t| t.naive_utc())
                        .ok_or_else(|| ApiError::internal("token expiry out of range"))?;
                    Ok(clients_repo::revoke_access_token(
                        conn,
                        &claims.jti,
                        expires_at,
                    )?)
                }
                None => Ok(()),
            })
            .await?
        }
        None => {
            db.write(move |conn| {
                revocation::revoke_refresh_token(conn, &token, &client_id).map(|_| ())
            })
            .await?
        }
    }
    Ok(())
}

/// RFC 7662 §2.2. An inactive token says `{"active": false}` and nothing more.
#[derive(Debug, Default, Serialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
}

impl Introspection {
    fn of_access_token(claims: Claims) -> Self {
        Self {
            active: true,
            scope: Some(claims.scope),
            client_id: Some(claims.client_id),
            sub: Some(claims.sub),
            exp: Some(claims.exp),
            iat: Some(claims.iat),
            token_type: Some("Bearer"),
        }
    }
}

pub async fn introspect(
    db: &Db,
    keys: &TokenKeys,
    token: String,
) -> Result<Introspection, OAuthError> {
    if let Some(claims) = keys.verify(&token) {
        let (sid, sub, client_id, jti) = (
            claims.sid.clone(),
            claims.sub.clone(),
            claims.client_id.clone(),
            claims.jti.clone(),
        );
        let live = db
            .read_quick(move |conn| match &sid {
                Some(sid) => revocation::session_is_live(conn, sid, &sub),
                None => Ok(clients_repo::find_live_client_token(conn, &client_id, &jti)?.is_some()),
            })
            .await?;
        return Ok(if live {
            Introspection::of_access_token(claims)
        } else {
            Introspection::default()
        });
    }
    let info = db
        .read_quick(move |conn| revocation::inspect_refresh_token(conn, &token))
        .await?;
    Ok(
        info.map_or_else(Introspection::default, |info| Introspection {
            active: true,
            scope: Some(CUSTOMER_SCOPE.to_owned()),
            client_id: Some(info.client_id),
            sub: Some(info.customer_reference),
            exp: Some(info.expires_at.and_utc().timestamp()),
            iat: Some(info.issued_at.and_utc().timestamp()),
            token_type: Some("refresh_token"),
        }),
    )
}

/// Introspection is for confidential clients that hold the introspection scope. A request
/// without client credentials is the public storefront client's, which has authenticated
/// nothing: that is 401 `invalid_client` (RFC 7662 §2.1, checklist B30; the metadata offers no
/// `none` method here), not the 403 of an authenticated client lacking the scope.
pub fn ensure_may_introspect(client: &Client) -> Result<(), OAuthError> {
    if client.auth_method() == AuthMethod::None {
        return Err(OAuthError::invalid_client());
    }
    if client.has_scope(INTROSPECT_SCOPE) {
        Ok(())
    } else {
        Err(OAuthError::new(
            ErrorCode::InsufficientScope,
            "The client may not introspect tokens.",
        ))
    }
}

pub const INTROSPECT_SCOPE: &str = "tokens:introspect";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_granted_as_asked_or_refused_whole() {
        let allowed = ["customers:read", "customers:write"];
        let grant = |requested| granted_scope(requested, allowed.iter().copied());
        assert_eq!(grant(None).expect("all"), "customers:read customers:write");
        assert_eq!(
            grant(Some("customers:read")).expect("one"),
            "customers:read"
        );
        assert_eq!(
            grant(Some("customers:read customers:read")).expect("deduplicated"),
            "customers:read"
        );
        assert!(
            grant(Some("customers:read admin")).is_err(),
            "never silently dropped"
        );
        assert!(grant(Some(" ")).is_err());
    }
}
