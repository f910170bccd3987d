//! The partner API under `/backend` (issue: partner API): integration partners, authenticated as
//! confidential OAuth clients with scopes, list, search, sync and manage customers and groups.

pub mod domain;
pub mod handlers;
mod includes;
pub mod listing;
pub mod repo;
pub mod resource;
pub mod schema;
pub mod service;

use actix_web::web;

use crate::groups::handlers as groups;
use crate::jsonapi::{get, method_not_allowed, missing_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/backend/customers")
            .route(get().to(handlers::list_customers))
            .route(web::post().to(handlers::create_customer))
            .default_service(web::to(method_not_allowed(&["GET", "POST"]))),
    )
    .service(
        web::resource("/backend/customers/")
            .route(web::patch().to(missing_id))
            .route(web::delete().to(missing_id))
            .default_service(web::to(method_not_allowed(&["PATCH", "DELETE"]))),
    )
    .service(
        web::resource("/backend/customers/{customerReference}")
            .route(get().to(handlers::get_customer))
            .route(web::patch().to(handlers::update_customer))
            .route(web::delete().to(handlers::delete_customer))
            .default_service(web::to(method_not_allowed(&["GET", "PATCH", "DELETE"]))),
    )
    .service(
        web::resource("/backend/customer-groups")
            .route(get().to(groups::list_groups))
            .route(web::post().to(groups::create_group))
            .default_service(web::to(method_not_allowed(&["GET", "POST"]))),
    )
    .service(
        web::resource("/backend/customer-groups/{groupId}")
            .route(get().to(groups::get_group))
            .route(web::patch().to(groups::update_group))
            .route(web::delete().to(groups::delete_group))
            .default_service(web::to(method_not_allowed(&["GET", "PATCH", "DELETE"]))),
    );
}
