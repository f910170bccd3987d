//! Builds the HTTP server from typed settings: database, token keys, routes, middleware.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpMessage, HttpServer};
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::tokens::{KeyError, TokenKeys};
use crate::db::{Db, DbError};
use crate::jsonapi::{error_documents, negotiate, not_found};
use crate::openapi::ApiDoc;
use crate::settings::Settings;
use crate::{auth, customers, ops};

/// What every handler can reach: the pool, the token keys, the settings.
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub settings: Settings,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub fn build(mut settings: Settings) -> Result<Self, StartupError> {
        let listen_address = settings.listen.clone();
        let listen_error = |source| StartupError::Listen {
            address: listen_address.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.listen).map_err(listen_error)?;
        let address = listener.local_addr().map_err(listen_error)?;
        // Port 0 (tests) picks a free port; links derived from the listen address follow it.
        let implicit = format!("http://{}", settings.listen);
        if settings.public_url == implicit {
            settings.public_url = format!("http://{address}");
        }
        if settings.jwt_issuer == implicit {
            settings.jwt_issuer = settings.public_url.clone();
        }
        let db = Db::connect(&settings.database_url, settings.db_pool_size)?;
        let keys = TokenKeys::load_or_create(&settings)?;
        let workers = settings.workers;
        tracing::info!(%address, backend = settings.database_url.backend_name(), "listening");
        let state = web::Data::new(AppState { db, keys, settings });
        let openapi = ApiDoc::openapi();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(negotiate))
                .wrap(error_documents())
                .wrap(from_fn(request_id_header))
                .wrap(TracingLogger::default())
                .configure(customers::configure)
                .configure(auth::configure)
                .configure(ops::configure)
                .service(web::redirect("/docs", "/docs/"))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi.clone()))
                .default_service(web::to(not_found))
        })
        .workers(workers)
        .shutdown_timeout(30)
        .listen(listener)
        .map_err(listen_error)?
        .run();
        Ok(Self {
            port: address.port(),
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere (tests).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM/SIGINT; in-flight requests finish first (up to 30 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Echoes the request id of the log span as `X-Request-Id`, so a client can quote it.
async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut res = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}
