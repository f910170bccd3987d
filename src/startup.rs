//! Builds the HTTP server from typed settings: database, token keys, routes, middleware.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpServer};

use crate::auth::tokens::{KeyError, TokenKeys};
use crate::background::{Background, Jobs};
use crate::cors::{self, CorsPolicy};
use crate::db::{Db, DbError};
use crate::jsonapi::{error_documents, negotiate, not_found, JsonApiConfig};
use crate::lockout::LockoutRules;
use crate::mail::worker::Delivery;
use crate::mail::{MailContext, TransportError};
use crate::settings::Settings;
use crate::state::AppState;
use crate::telemetry;
use crate::{addresses, auth, backend, clients, customers, groups, oauth, openapi, ops, passwords};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Mail(#[from] TransportError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
}

pub struct Application {
    port: u16,
    server: Server,
    background: Background,
}

impl Application {
    pub fn build(mut settings: Settings) -> Result<Self, StartupError> {
        let listen_address = settings.server.listen.clone();
        let listen_error = |source| StartupError::Listen {
            address: listen_address.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.server.listen).map_err(listen_error)?;
        let address = listener.local_addr().map_err(listen_error)?;
        // Port 0 (tests) picks a free port; links derived from the listen address follow it.
        let implicit = settings.server.implicit_public_url();
        if settings.server.public_url == implicit {
            settings.server.public_url = format!("http://{address}");
        }
        if settings.tokens.issuer == implicit {
            settings.tokens.issuer = settings.server.public_url.clone();
        }
        let db = Db::open(&settings.database)?;
        let keys = TokenKeys::load_or_create(&settings.tokens)?;
        let storefront = settings.oauth.storefront_client_id.clone();
        db.run_now(|conn| {
            clients::service::ensure_storefront(conn, &storefront)?;
            groups::service::ensure_default(conn).map(|_| ())
        })
        .map_err(|e| StartupError::Db(DbError::Setup(e.to_string())))?;
        let renormalized = customers::service::renormalize_names_once(&db)
            .map_err(|e| StartupError::Db(DbError::Setup(e.to_string())))?;
        if renormalized > 0 {
            tracing::info!(customers = renormalized, "lower-case names recomputed");
        }
        let workers = settings.server.workers;
        let jsonapi = JsonApiConfig {
            body_timeout: Duration::from_secs(settings.limits.body_timeout),
        };
        let trusted_proxies = settings.server.trusted_proxies.clone();
        let cors = CorsPolicy::new(settings.server.cors_allowed_origins.clone());
        let mail = MailContext::new(&settings.mail, &settings.limits);
        let background = Background::start(Jobs {
            db: db.clone(),
            delivery: Delivery::new(db.clone(), &settings.mail)?,
            mail: mail.clone(),
            reset_throttle: settings.limits.forgotten_password_throttle,
            lockout: LockoutRules::new(&settings.limits),
            poll_interval: Duration::from_millis(settings.mail.poll_interval_ms),
        });
        let backend = settings.database.url.backend_name();
        tracing::info!(%address, backend, "listening");
        let state = web::Data::new(AppState {
            db,
            keys,
            settings,
            mail,
            background: background.waker(),
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(jsonapi)
                .app_data(trusted_proxies.clone())
                .app_data(cors.clone())
                .wrap(from_fn(negotiate))
                .wrap(error_documents())
                .wrap(from_fn(cors::cors))
                .wrap(from_fn(common_headers))
                .wrap(from_fn(telemetry::request_log))
                .configure(customers::configure)
                .configure(addresses::configure)
                .configure(backend::configure)
                .configure(auth::configure)
                .configure(passwords::configure)
                .configure(oauth::configure)
                .configure(ops::configure)
                .configure(openapi::configure)
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
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere (tests).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM/SIGINT; in-flight requests finish first (up to 30 s), then the
    /// background worker finishes the email in hand and stops.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.background.stop().await;
        served
    }
}

/// `X-Content-Type-Options: nosniff` on every answer: no browser second-guesses our types.
async fn common_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}
