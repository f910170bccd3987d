//! OAuth 2.0 error responses (RFC 6749 §5.2, RFC 7009 §2.2.1): `{"error", "error_description"}`
//! as plain JSON, never a JSON:API document, with `Cache-Control: no-store` and
//! `Pragma: no-cache` like every answer of the token endpoints.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use serde::Serialize;

use crate::error::ApiError;

/// The `realm` of the Basic challenge on `invalid_client`.
const REALM: &str = r#"Basic realm="glue-customers""#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    /// Introspection by a client without the introspection scope (RFC 6750 §3.1's name).
    InsufficientScope,
    ServerError,
    TemporarilyUnavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InsufficientScope => "insufficient_scope",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

/// One OAuth error; `status` is 400 unless the code or the case says otherwise.
#[derive(Debug, thiserror::Error)]
#[error("{}: {description}", code.as_str())]
pub struct OAuthError {
    pub code: ErrorCode,
    /// ASCII without `"` or `\` (RFC 6749 §5.2): only our own fixed texts go here.
    pub description: &'static str,
    status: Option<StatusCode>,
    /// Seconds for `Retry-After` (a brute-force block).
    retry_after: Option<i64>,
}

impl OAuthError {
    pub const fn new(code: ErrorCode, description: &'static str) -> Self {
        Self {
            code,
            description,
            status: None,
            retry_after: None,
        }
    }

    /// 429 while a brute-force block lasts (CONTRACT §3 item 16), in the code of what failed
    /// too often (`invalid_grant` for passwords, `invalid_client` for client secrets).
    pub fn too_many_attempts(code: ErrorCode, retry_after: i64) -> Self {
        Self {
            code,
            description: "Too many failed attempts; retry later.",
            status: Some(StatusCode::TOO_MANY_REQUESTS),
            retry_after: Some(retry_after),
        }
    }

    pub fn invalid_request(description: &'static str) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    /// Unknown client, wrong secret, wrong method: one answer for all (RFC 6749 §5.2).
    pub fn invalid_client() -> Self {
        Self::new(ErrorCode::InvalidClient, "Client authentication failed.")
    }

    pub fn invalid_grant(description: &'static str) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    pub fn invalid_scope() -> Self {
        Self::new(
            ErrorCode::InvalidScope,
            "The requested scope is unknown or not allowed for this client.",
        )
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// The headers every token-endpoint answer carries (RFC 6749 §5.1, B8).
pub fn no_store(builder: &mut HttpResponseBuilder) -> &mut HttpResponseBuilder {
    builder
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .insert_header((header::PRAGMA, HeaderValue::from_static("no-cache")))
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.status.unwrap_or(match self.code {
            ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        })
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        no_store(&mut builder);
        // A 401 names the scheme to use (RFC 9110 §15.5.2): Basic, as RFC 6749 §5.2 asks when
        // the client tried Basic, and the one we recommend when it tried the body.
        if self.code == ErrorCode::InvalidClient {
            builder.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM)));
        }
        if let Some(seconds) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        builder.json(Body {
            error: self.code.as_str(),
            error_description: self.description,
        })
    }
}

/// Failures below the OAuth layer keep their meaning: an oversized body is a 413, a slow one a
/// 408, a database outage a 503, everything unexpected a 500 whose cause is only logged.
impl From<ApiError> for OAuthError {
    fn from(err: ApiError) -> Self {
        match err {
            ApiError::PayloadTooLarge => {
                Self::invalid_request("Request body is larger than 1 MiB.")
                    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
            }
            ApiError::BodyTimeout => {
                Self::invalid_request("The request body did not arrive in time.")
                    .with_status(StatusCode::REQUEST_TIMEOUT)
            }
            ApiError::MalformedBody(_) => {
                Self::invalid_request("The request body could not be read.")
            }
            ApiError::TooManyAttempts { retry_after } => {
                Self::too_many_attempts(ErrorCode::InvalidGrant, retry_after)
            }
            ApiError::Unavailable(cause) => {
                tracing::error!(error.cause = %cause, "token endpoint: service unavailable");
                Self::new(
                    ErrorCode::TemporarilyUnavailable,
                    "The service is temporarily unavailable.",
                )
            }
            other => {
                tracing::error!(error.cause = %other, "token endpoint failed");
                Self::new(ErrorCode::ServerError, "Internal server error.")
            }
        }
    }
}
