//! Structured logs through `tracing`: JSON lines by default, `RUST_LOG` filters. Every request
//! leaves one line when its span closes (method, route, status, `request_id`, duration);
//! client errors add no warning of their own (a client must not be able to fill the logs with
//! warnings), server errors are logged at ERROR with their cause by `ApiError`.
//!
//! A request's line names its route template, never the raw target: paths carry secrets
//! (`DELETE /refresh-tokens/{token}`) and query strings carry anything. Values the client
//! chose (the user agent) are escaped, so that they cannot end the line or forge another.

use std::io::IsTerminal;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::HttpMessage;
use tracing::field::Empty;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

use crate::net::service_client_ip;
use crate::text::escape_controls;

/// Installs the global subscriber once; later calls do nothing (tests call it per app).
pub fn init(default_filter: &str, json: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if json {
        registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_span_events(FmtSpan::CLOSE),
            )
            .try_init()
    } else {
        // Colour codes only for a terminal: in a file they are noise, and escapes in logs are
        // exactly what a reader must be able to trust are ours.
        let ansi = std::io::stdout().is_terminal();
        registry
            .with(
                fmt::layer()
                    .with_ansi(ansi)
                    .with_span_events(FmtSpan::CLOSE),
            )
            .try_init()
    };
}

/// The span of one request: what `tracing-actix-web`'s default records, minus the raw target
/// and the `Host` header, with the client address from [`crate::net`] (the peer, unless a
/// trusted proxy forwarded the request).
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let client = service_client_ip(request).map(|ip| ip.to_string());
        let user_agent = request
            .headers()
            .get(header::USER_AGENT)
            .map(|v| escape_controls(&String::from_utf8_lossy(v.as_bytes())).into_owned());
        let request_id = request.extensions().get::<RequestId>().copied();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.client_ip = client.as_deref().unwrap_or(""),
            http.user_agent = user_agent.as_deref().unwrap_or(""),
            http.status_code = Empty,
            otel.status_code = Empty,
            request_id = request_id.map(|id| id.to_string()).unwrap_or_default(),
            exception.message = Empty,
            exception.details = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
