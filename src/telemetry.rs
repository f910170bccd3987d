//! Structured logs through `tracing`: JSON lines by default, `RUST_LOG` filters. Every request
//! leaves one line when its answer is ready (method, route, status, `request_id`, duration);
//! client errors add no warning of their own (a client must not be able to fill the logs with
//! warnings), server errors are logged at ERROR with their cause by `ApiError`.
//!
//! A request's line names its route template, never the raw target: paths carry secrets
//! (`DELETE /refresh-tokens/{token}`) and query strings carry anything. Values the client
//! chose (the user agent) are escaped, so that they cannot end the line or forge another.

use std::io::IsTerminal;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing::{Instrument, Level};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

use crate::net::service_client_ip;
use crate::text::escape_controls;
use uuid::Uuid;

/// Installs the global subscriber once; later calls do nothing (tests call it per app).
pub fn init(default_filter: &str, json: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if json {
        registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init()
    } else {
        // Colour codes only for a terminal: in a file they are noise, and escapes in logs are
        // exactly what a reader must be able to trust are ours.
        let ansi = std::io::stdout().is_terminal();
        registry.with(fmt::layer().with_ansi(ansi)).try_init()
    };
}

/// A request's id: in its log lines, and answered as `X-Request-Id` so a client can quote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub Uuid);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One log line per request, written when the answer is ready: method, route template,
/// status, client address (from [`crate::net`]: the peer, unless a trusted proxy forwarded the
/// request), user agent (escaped) and duration. Whatever the request logs on its way (a server
/// error's cause) carries the same `request_id`, through a span that holds only that id: a
/// span whose fields are recorded several times would be formatted several times, which cost
/// more than the rest of a `/health` answer.
pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = RequestId(uuid::Builder::from_random_bytes(rand::random()).into_uuid());
    req.extensions_mut().insert(id);
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id);
    let logged = tracing::enabled!(Level::INFO).then(|| RequestLine::of(&req));
    let outcome = next.call(req).instrument(span.clone()).await;
    if let Some(line) = logged {
        let status = match &outcome {
            Ok(res) => res.status(),
            Err(err) => err.as_response_error().status_code(),
        };
        span.in_scope(|| line.write(status.as_u16(), started.elapsed()));
    }
    let mut res = outcome?;
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}

/// What the log line says of the request, taken before the request goes on.
struct RequestLine {
    method: Method,
    route: String,
    client: Option<IpAddr>,
    user_agent: Option<String>,
}

impl RequestLine {
    fn of(request: &ServiceRequest) -> Self {
        Self {
            method: request.method().clone(),
            // The route template, never the raw target: paths carry secrets
            // (`DELETE /refresh-tokens/{token}`) and query strings carry anything.
            route: request.match_pattern().unwrap_or_else(|| "default".into()),
            client: service_client_ip(request),
            user_agent: request
                .headers()
                .get(header::USER_AGENT)
                .map(|v| escape_controls(&String::from_utf8_lossy(v.as_bytes())).into_owned()),
        }
    }

    fn write(self, status: u16, elapsed: Duration) {
        tracing::info!(
            http.method = %self.method,
            http.route = %self.route,
            http.status_code = status,
            http.client_ip = self.client.map(|ip| ip.to_string()).unwrap_or_default(),
            http.user_agent = self.user_agent.as_deref().unwrap_or(""),
            elapsed_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
    }
}
