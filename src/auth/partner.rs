//! `AuthenticatedPartner<S>`: a partner's client_credentials token that carries the scope `S`
//! names, for the partner API under `/backend`. No token: 401; a bad, expired or revoked one, or
//! one whose client was deleted: 401 `001`; a customer's token or one without the scope: 403
//! with `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` (RFC 6750 §3.1).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use super::extractor::{bearer_token, INVALID};
use crate::clients::model::Client;
use crate::clients::repo as clients_repo;
use crate::error::ApiError;
use crate::state::AppState;

/// Names the scope a route needs.
pub trait RequiredScope {
    const SCOPE: &'static str;
}

pub struct ReadCustomers;
impl RequiredScope for ReadCustomers {
    const SCOPE: &'static str = "customers:read";
}

pub struct WriteCustomers;
impl RequiredScope for WriteCustomers {
    const SCOPE: &'static str = "customers:write";
}

pub struct WriteGroups;
impl RequiredScope for WriteGroups {
    const SCOPE: &'static str = "customer-groups:write";
}

/// The partner client behind a live client_credentials token with the scope `S`.
#[derive(Debug, Clone)]
pub struct AuthenticatedPartner<S> {
    pub client: Client,
    scope: PhantomData<S>,
}

impl<S: RequiredScope + 'static> FromRequest for AuthenticatedPartner<S> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token?.ok_or(ApiError::PartnerTokenMissing)?;
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let claims = state.keys.verify(&token).ok_or(INVALID)?;
            let insufficient = ApiError::InsufficientScope { scope: S::SCOPE };
            // A customer's token (a login session) never acts as a partner.
            if claims.sid.is_some() {
                return Err(insufficient);
            }
            let (client_id, jti) = (claims.client_id.clone(), claims.jti.clone());
            let client = state
                .db
                .read_quick(move |conn| {
                    Ok(clients_repo::find_live_client_token(
                        conn, &client_id, &jti,
                    )?)
                })
                .await?
                .ok_or(INVALID)?;
            if !claims.scope.split(' ').any(|s| s == S::SCOPE) {
                return Err(insufficient);
            }
            Ok(Self {
                client,
                scope: PhantomData,
            })
        })
    }
}
