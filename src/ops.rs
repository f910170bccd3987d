//! Liveness and readiness for orchestrators (plain JSON, not JSON:API resources).

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::jsonapi::{get, method_not_allowed};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    status: &'static str,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/health")
            .route(get().to(health))
            .default_service(web::to(method_not_allowed(&["GET"]))),
    )
    .service(
        web::resource("/ready")
            .route(get().to(ready))
            .default_service(web::to(method_not_allowed(&["GET"]))),
    );
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Seconds a probe should wait after a 503, as the API's own 503s say.
const RETRY_AFTER: &str = "5";

/// The database answers.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database does not answer; `Retry-After` says when to ask again", body = Health),
    ))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(Health { status: "ok" }),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .insert_header((actix_web::http::header::RETRY_AFTER, RETRY_AFTER))
                .json(Health {
                    status: "unavailable",
                })
        }
    }
}
