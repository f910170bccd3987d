//! Structured logs through `tracing`: JSON lines by default, `RUST_LOG` filters. Every request
//! leaves one line when its span closes (method, route, status, `request_id`, duration);
//! client errors add no warning of their own (a client must not be able to fill the logs with
//! warnings), server errors are logged at ERROR with their cause by `ApiError`.

use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

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
        registry
            .with(fmt::layer().with_span_events(FmtSpan::CLOSE))
            .try_init()
    };
}
