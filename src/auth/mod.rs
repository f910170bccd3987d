//! Authentication: logins, access and refresh tokens, the
//! `AuthenticatedCustomer` extractor, and the `/access-tokens` and `/refresh-tokens` resources.

mod extractor;
pub mod handlers;
pub mod partner;
mod public;
pub mod repo;
pub mod resource;
pub mod revocation;
pub mod service;
pub mod tokens;

pub use extractor::AuthenticatedCustomer;
pub use partner::{
    AuthenticatedPartner, ReadCustomers, RequiredScope, WriteCustomers, WriteGroups,
};
pub use public::PublicCaller;

use actix_web::web;

use crate::jsonapi::{method_not_allowed, missing_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/access-tokens")
            .route(web::post().to(handlers::create_access_token))
            .default_service(web::to(method_not_allowed(&["POST"]))),
    )
    .service(
        web::resource("/refresh-tokens")
            .route(web::post().to(handlers::create_refresh_token))
            .default_service(web::to(method_not_allowed(&["POST"]))),
    )
    .service(
        web::resource("/refresh-tokens/")
            .route(web::delete().to(missing_id))
            .default_service(web::to(method_not_allowed(&["DELETE"]))),
    )
    .service(
        web::resource("/refresh-tokens/{refreshToken}")
            .route(web::delete().to(handlers::delete_refresh_token))
            .default_service(web::to(method_not_allowed(&["DELETE"]))),
    );
}
