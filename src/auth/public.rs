//! `PublicCaller`: a public resource (registration, login, refresh, confirmation, forgotten and
//! restored passwords) needs no token, but one that is sent must be good (reference §1.5,
//! CONTRACT §3 item 6): a bad, expired, revoked or tampered bearer token is 401 `001` there as
//! anywhere, as Spryker answers. No `Authorization` header, or another scheme: nothing to check.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::extractor::INVALID;
use super::repo;
use crate::clients::repo as clients_repo;
use crate::db::now;
use crate::error::ApiError;
use crate::state::AppState;

/// Whoever calls a public resource: anyone, unless a bearer token says otherwise.
#[derive(Debug, Clone, Copy)]
pub struct PublicCaller;

/// The credentials of an `Authorization: Bearer ...` header (scheme case-insensitive), if the
/// request has one; an unreadable header value counts as a bad token.
fn presented_bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| INVALID)?;
    let value = value.trim_start();
    let Some((scheme, rest)) = value.split_once(char::is_whitespace) else {
        // A lone `Bearer` is a bearer header without a token.
        return if value.eq_ignore_ascii_case("bearer") {
            Err(INVALID)
        } else {
            Ok(None)
        };
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = rest.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(INVALID);
    }
    Ok(Some(token.to_owned()))
}

impl FromRequest for PublicCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = presented_bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let Some(token) = token? else {
                return Ok(PublicCaller);
            };
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let claims = state.keys.verify(&token).ok_or(INVALID)?;
            // A customer's token lives as long as its login session; a partner's until it is
            // revoked or its client deleted.
            let live = state
                .db
                .read_quick(move |conn| match &claims.sid {
                    Some(sid) => {
                        Ok(repo::find_live_session(conn, sid, &claims.sub, now())?.is_some())
                    }
                    None => Ok(clients_repo::find_live_client_token(
                        conn,
                        &claims.client_id,
                        &claims.jti,
                    )?
                    .is_some()),
                })
                .await?;
            if live {
                Ok(PublicCaller)
            } else {
                Err(INVALID)
            }
        })
    }
}
