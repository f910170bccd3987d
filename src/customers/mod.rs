//! The `customers` resource (reference §2.1-§2.5).

pub mod choices;
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
        web::resource("/customers")
            .route(web::post().to(handlers::create_customer))
            .route(get().to(handlers::list_customers))
            .default_service(web::to(method_not_allowed(&["GET", "POST"]))),
    )
    .service(
        web::resource("/customer-confirmation")
            .route(web::post().to(handlers::confirm_customer))
            .default_service(web::to(method_not_allowed(&["POST"]))),
    )
    .service(
        web::resource("/customers/")
            .route(web::patch().to(missing_id))
            .route(web::delete().to(missing_id))
            .default_service(web::to(method_not_allowed(&["PATCH", "DELETE"]))),
    )
    .service(
        web::resource("/customers/{customerReference}")
            .route(get().to(handlers::get_customer))
            .route(web::patch().to(handlers::update_customer))
            .route(web::delete().to(handlers::delete_customer))
            .default_service(web::to(method_not_allowed(&["GET", "PATCH", "DELETE"]))),
    );
}
