//! OAuth 2.0 endpoints (CONTRACT §3 item 20): `POST /token` with the password, refresh_token
//! and client_credentials grants, revocation (RFC 7009), introspection (RFC 7662), server
//! metadata (RFC 8414) and the JWK set. Builds on auth (customer sessions) and clients.

mod client_auth;
mod error;
mod form;
pub mod handlers;
pub mod metadata;
pub mod service;

pub use error::{ErrorCode, OAuthError};

use actix_web::web;

use crate::jsonapi::{get, method_not_allowed};

pub fn configure(cfg: &mut web::ServiceConfig) {
    for (path, route) in [
        ("/token", web::post().to(handlers::token)),
        ("/token/revoke", web::post().to(handlers::revoke)),
        ("/token/introspect", web::post().to(handlers::introspect)),
    ] {
        cfg.service(
            web::resource(path)
                .route(route)
                .default_service(web::to(handlers::method_not_allowed)),
        );
    }
    cfg.service(
        web::resource("/.well-known/oauth-authorization-server")
            .route(get().to(handlers::metadata))
            .default_service(web::to(method_not_allowed(&["GET"]))),
    )
    .service(
        web::resource("/.well-known/jwks.json")
            .route(get().to(handlers::jwks))
            .default_service(web::to(method_not_allowed(&["GET"]))),
    );
}
