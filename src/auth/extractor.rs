//! `AuthenticatedCustomer`: the bearer token turned into a customer, or `002` (no token) /
//! `001` (anything wrong with it) (CONTRACT §3 item 6).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::repo;
use super::tokens::CUSTOMER_SCOPE;
use crate::customers::model::Customer;
use crate::db::now;
use crate::error::{ApiError, Code};
use crate::state::AppState;

/// The customer behind a live access token, as loaded with the session check.
#[derive(Debug, Clone)]
pub struct AuthenticatedCustomer {
    pub customer: Customer,
    pub session_id: String,
}

impl AuthenticatedCustomer {
    pub fn id(&self) -> i32 {
        self.customer.id
    }

    pub fn reference(&self) -> &str {
        &self.customer.customer_reference
    }
}

pub(super) const INVALID: ApiError = ApiError::Domain(Code::InvalidAccessToken);

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
pub(super) fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| INVALID)?;
    let mut parts = value.split_whitespace();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(scheme), Some(token), None) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(Some(token.to_owned()))
        }
        _ => Err(INVALID),
    }
}

impl FromRequest for AuthenticatedCustomer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token?.ok_or(ApiError::Domain(Code::MissingAccessToken))?;
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let claims = state.keys.verify(&token).ok_or(INVALID)?;
            // A valid token of a partner client (client_credentials: no login session, no
            // customer scope) names no customer: it is refused as too weak, not as invalid.
            if !claims.scope.split(' ').any(|s| s == CUSTOMER_SCOPE) {
                return Err(ApiError::InsufficientScope {
                    scope: CUSTOMER_SCOPE,
                });
            }
            // A customer token always names its login session.
            let sid = claims.sid.ok_or(INVALID)?;
            let (session_id, sub) = (sid.clone(), claims.sub);
            let customer = state
                .db
                .read_quick(move |conn| Ok(repo::find_live_session(conn, &sid, &sub, now())?))
                .await?
                .ok_or(INVALID)?;
            Ok(AuthenticatedCustomer {
                customer,
                session_id,
            })
        })
    }
}
