//! The address book (reference §2.6, §3.3): `/customers/{ref}/addresses[/{uuid}]`, and the
//! `addresses` relationship of customers. Builds on customers and auth.

pub mod domain;
pub mod handlers;
pub mod model;
pub mod repo;
pub mod resource;
pub mod service;

use actix_web::web;

use crate::jsonapi::{get, method_not_allowed, missing_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/customers/{customerReference}/addresses")
            .route(get().to(handlers::list_addresses))
            .route(web::post().to(handlers::create_address))
            .default_service(web::to(method_not_allowed(&["GET", "POST"]))),
    )
    .service(
        web::resource("/customers/{customerReference}/addresses/")
            .route(web::patch().to(missing_id))
            .route(web::delete().to(missing_id))
            .default_service(web::to(method_not_allowed(&["PATCH", "DELETE"]))),
    )
    .service(
        web::resource("/customers/{customerReference}/addresses/{addressUuid}")
            .route(get().to(handlers::get_address))
            .route(web::patch().to(handlers::update_address))
            .route(web::delete().to(handlers::delete_address))
            .default_service(web::to(method_not_allowed(&["GET", "PATCH", "DELETE"]))),
    );
}
