//! The password resources (reference §2.7-§2.9): change one's password, ask for a reset
//! email, restore with its key. Builds on customers, auth (sessions end), credentials and mail.

pub mod domain;
pub mod handlers;
pub mod repo;
pub mod resource;
pub mod service;

use actix_web::web;

use crate::jsonapi::{method_not_allowed, missing_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/customer-password/")
            .route(web::patch().to(missing_id))
            .default_service(web::to(method_not_allowed(&["PATCH"]))),
    )
    .service(
        web::resource("/customer-password/{customerReference}")
            .route(web::patch().to(handlers::change_password))
            .default_service(web::to(method_not_allowed(&["PATCH"]))),
    )
    .service(
        web::resource("/customer-forgotten-password")
            .route(web::post().to(handlers::request_password_reset))
            .default_service(web::to(method_not_allowed(&["POST"]))),
    )
    .service(
        web::resource("/customer-restore-password/")
            .route(web::patch().to(missing_id))
            .default_service(web::to(method_not_allowed(&["PATCH"]))),
    )
    .service(
        web::resource("/customer-restore-password/{anyId}")
            .route(web::patch().to(handlers::restore_password))
            .default_service(web::to(method_not_allowed(&["PATCH"]))),
    );
}
