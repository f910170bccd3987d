//! The one error type. Every variant states its HTTP status and its Spryker `code`; the
//! JSON:API error document is rendered in one place (`impl ResponseError`).

use std::borrow::Cow;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::jsonapi::{ErrorDocument, ErrorObject, ErrorSource};
use crate::text::escape_controls;

/// Spryker's domain error codes (reference §4). Status, code and detail are fixed per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    InvalidAccessToken,
    MissingAccessToken,
    FailedToAuthenticate,
    FailedToRefresh,
    SimultaneousAuthentication,
    EmailAlreadyUsed,
    CustomerNotFound,
    AddressNotFound,
    PasswordsDoNotMatch,
    NewPasswordsDoNotMatch,
    CustomerSaveFailed,
    UnauthorizedRequest,
    TermsNotAccepted,
    InvalidEmailFormat,
    EmailTooLong,
    PasswordTooShort,
    PasswordTooLong,
    PasswordCharacterSet,
    PasswordSequence,
    PasswordCommon,
    PasswordChangeFailed,
    InvalidPassword,
    RestoreKeyInvalid,
    ConfirmationKeyInvalid,
}

impl Code {
    pub fn status(self) -> StatusCode {
        use Code::*;
        match self {
            InvalidAccessToken | FailedToAuthenticate | FailedToRefresh => StatusCode::UNAUTHORIZED,
            MissingAccessToken | UnauthorizedRequest => StatusCode::FORBIDDEN,
            CustomerNotFound | AddressNotFound => StatusCode::NOT_FOUND,
            RestoreKeyInvalid | ConfirmationKeyInvalid => StatusCode::UNPROCESSABLE_ENTITY,
            PasswordChangeFailed | InvalidPassword => StatusCode::BAD_REQUEST,
            EmailAlreadyUsed
            | PasswordsDoNotMatch
            | NewPasswordsDoNotMatch
            | InvalidEmailFormat
            | EmailTooLong => StatusCode::UNPROCESSABLE_ENTITY,
            SimultaneousAuthentication
            | CustomerSaveFailed
            | TermsNotAccepted
            | PasswordTooShort
            | PasswordTooLong
            | PasswordCharacterSet
            | PasswordSequence
            | PasswordCommon => StatusCode::BAD_REQUEST,
        }
    }

    pub fn code(self) -> &'static str {
        use Code::*;
        match self {
            InvalidAccessToken => "001",
            MissingAccessToken => "002",
            FailedToAuthenticate => "003",
            FailedToRefresh => "004",
            SimultaneousAuthentication => "005",
            EmailAlreadyUsed => "400",
            CustomerNotFound => "402",
            AddressNotFound => "404",
            PasswordsDoNotMatch | NewPasswordsDoNotMatch => "406",
            PasswordChangeFailed => "407",
            InvalidPassword => "408",
            CustomerSaveFailed => "410",
            UnauthorizedRequest => "411",
            TermsNotAccepted => "413",
            RestoreKeyInvalid => "415",
            InvalidEmailFormat => "416",
            EmailTooLong => "417",
            PasswordTooShort => "418",
            PasswordTooLong => "419",
            PasswordCharacterSet => "420",
            PasswordSequence => "421",
            PasswordCommon => "422",
            ConfirmationKeyInvalid => "423",
        }
    }

    pub fn detail(self) -> &'static str {
        use Code::*;
        match self {
            InvalidAccessToken => "Invalid access token.",
            MissingAccessToken => "Missing access token.",
            FailedToAuthenticate => "Failed to authenticate user.",
            FailedToRefresh => "Failed to refresh token.",
            SimultaneousAuthentication => {
                "Headers request error. A user can't act as logged and not logged user at the same time."
            }
            EmailAlreadyUsed => {
                "If this email address is already in use, you will receive a password reset link. \
                 Otherwise you must first validate your e-mail address to finish registration. \
                 Please check your e-mail."
            }
            CustomerNotFound => "Customer not found.",
            AddressNotFound => "Address was not found.",
            PasswordsDoNotMatch => {
                "Value in field password should be identical to value in the confirmPassword field."
            }
            NewPasswordsDoNotMatch => {
                "Value in field newPassword should be identical to value in the confirmPassword field."
            }
            CustomerSaveFailed => "Failed to save customer.",
            UnauthorizedRequest => "Unauthorized request.",
            TermsNotAccepted => "Terms and Conditions was not accepted.",
            InvalidEmailFormat => "Invalid Email address format.",
            EmailTooLong => "Email is too long. It should have 100 characters or less.",
            PasswordTooShort => "The password is too short.",
            PasswordTooLong => "The password is too long.",
            PasswordCharacterSet => "The password character set is invalid.",
            PasswordSequence => "The password contains sequence of the same character.",
            PasswordCommon => "The password is listed as common.",
            PasswordChangeFailed => "Failed to change password.",
            // Spryker's text has no full stop (reference §4).
            InvalidPassword => "Invalid password",
            RestoreKeyInvalid => "Restore password key is not valid.",
            ConfirmationKeyInvalid => {
                "This email confirmation code is invalid or has been already used."
            }
        }
    }
}

/// One `901` violation: the attribute's JSON pointer and Symfony's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub message: Cow<'static, str>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{}", .0.detail())]
    Domain(Code),
    /// Several domain errors reported together (Spryker's Zed validation returns them at once).
    #[error("{} errors", .0.len())]
    Domains(Vec<Code>),
    #[error("validation failed")]
    Validation(Vec<Violation>),
    #[error("not found")]
    NotFound,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("not acceptable")]
    NotAcceptable,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("request body timed out")]
    BodyTimeout,
    #[error("malformed request body: {0}")]
    MalformedBody(&'static str),
    /// `pointer` names the member that is wrong: `/data/type`, or `/data` when it is missing.
    #[error("Invalid type.")]
    InvalidType { pointer: &'static str },
    #[error("type conflict")]
    TypeConflict { expected: &'static str },
    #[error("id conflict")]
    IdConflict,
    #[error("client-generated id")]
    ClientGeneratedId,
    #[error("Post data is invalid.")]
    PostDataInvalid,
    #[error("Resource id is not specified.")]
    ResourceIdNotSpecified,
    /// The customer has as many addresses as allowed (`GLUE_MAX_ADDRESSES`).
    #[error("address limit {max} reached")]
    AddressLimit { max: i64 },
    /// Too many failed logins for the account or from the address (reference §2.11, `4401`).
    #[error("too many failed attempts; retry in {retry_after} s")]
    TooManyAttempts { retry_after: i64 },
    /// A relationship in a request document that is not a resource identifier of the right type.
    #[error("bad relationship at {pointer}")]
    BadRelationship { pointer: String },
    /// The request conflicts with the resource's state (409), e.g. a group that has members.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The partner API without a bearer token (RFC 6750 §3.1: 401 without an error code).
    #[error("missing access token")]
    PartnerTokenMissing,
    /// A resource changed since the client read it (`If-Match`, RFC 9110 §13.1.1).
    #[error("precondition failed")]
    PreconditionFailed,
    /// A valid token that does not carry the scope the resource needs (RFC 6750 §3.1).
    #[error("insufficient scope: {scope} needed")]
    InsufficientScope { scope: &'static str },
    #[error("bad query parameter {parameter}: {detail}")]
    Query { parameter: String, detail: String },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// The database refused a transaction for concurrent ones (PostgreSQL SQLSTATE 40001 under
    /// serializable isolation, 40P01 deadlock): the database layer retries it; when the
    /// retries run out, a 503 the client may retry too.
    #[error("transaction conflict: {0}")]
    Contention(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn internal(err: impl std::fmt::Display) -> Self {
        Self::Internal(err.to_string())
    }

    /// A bad query parameter. Both strings may quote the client's input, and both reach the
    /// logs: control characters are escaped so that they cannot forge a log line.
    pub fn query(parameter: impl AsRef<str>, detail: impl AsRef<str>) -> Self {
        Self::Query {
            parameter: escape_controls(parameter.as_ref()).into_owned(),
            detail: escape_controls(detail.as_ref()).into_owned(),
        }
    }

    fn objects(&self) -> Vec<ErrorObject> {
        let plain =
            |status: StatusCode, detail: &str| ErrorObject::new(status, None, detail.to_owned());
        let header = |status: StatusCode, detail: &str, name: &str| {
            plain(status, detail).with_source(ErrorSource::Header(name.to_owned()))
        };
        match self {
            Self::Domain(code) => vec![code_object(*code)],
            Self::Domains(codes) => codes.iter().map(|c| code_object(*c)).collect(),
            Self::Validation(violations) => violations
                .iter()
                .map(|v| {
                    ErrorObject::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some("901"),
                        format!("{} => {}", v.field, v.message),
                    )
                    .with_source(ErrorSource::Pointer(format!("/data/attributes/{}", v.field)))
                })
                .collect(),
            Self::NotFound => vec![plain(StatusCode::NOT_FOUND, "Not Found")],
            Self::UnsupportedMediaType => vec![header(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type. Send application/vnd.api+json without media type parameters \
                 other than ext or profile.",
                "Content-Type",
            )],
            Self::NotAcceptable => vec![header(
                StatusCode::NOT_ACCEPTABLE,
                "Not acceptable. Accept application/vnd.api+json without media type parameters.",
                "Accept",
            )],
            Self::PayloadTooLarge => vec![plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body is larger than 1 MiB.",
            )],
            Self::BodyTimeout => vec![plain(
                StatusCode::REQUEST_TIMEOUT,
                "The request body did not arrive in time.",
            )],
            Self::MalformedBody(detail) => vec![plain(StatusCode::BAD_REQUEST, detail)],
            Self::InvalidType { pointer } => vec![plain(StatusCode::BAD_REQUEST, "Invalid type.")
                .with_source(ErrorSource::Pointer((*pointer).to_owned()))],
            Self::TypeConflict { expected } => vec![plain(
                StatusCode::CONFLICT,
                &format!("Resource type does not match this endpoint; expected `{expected}`."),
            )
            .with_source(ErrorSource::Pointer("/data/type".to_owned()))],
            Self::IdConflict => vec![plain(
                StatusCode::CONFLICT,
                "Resource id does not match the id in the URL.",
            )
            .with_source(ErrorSource::Pointer("/data/id".to_owned()))],
            Self::ClientGeneratedId => vec![plain(
                StatusCode::FORBIDDEN,
                "Client-generated ids are not supported.",
            )
            .with_source(ErrorSource::Pointer("/data/id".to_owned()))],
            Self::PostDataInvalid => vec![plain(StatusCode::BAD_REQUEST, "Post data is invalid.")],
            Self::ResourceIdNotSpecified => {
                vec![plain(StatusCode::BAD_REQUEST, "Resource id is not specified.")]
            }
            Self::AddressLimit { max } => vec![plain(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("A customer can have at most {max} addresses; delete one to add another."),
            )],
            Self::TooManyAttempts { retry_after } => vec![ErrorObject::new(
                StatusCode::TOO_MANY_REQUESTS,
                Some("4401"),
                format!(
                    "Too many failed login attempts. Please wait {} minutes before trying again.",
                    (retry_after + 59) / 60
                ),
            )],
            Self::BadRelationship { pointer } => vec![plain(
                StatusCode::BAD_REQUEST,
                "The relationship must be null or a resource identifier of the right type.",
            )
            .with_source(ErrorSource::Pointer(pointer.clone()))],
            Self::Conflict(detail) => vec![plain(StatusCode::CONFLICT, detail)],
            Self::PartnerTokenMissing => vec![plain(
                StatusCode::UNAUTHORIZED,
                "Missing access token: the partner API needs a client_credentials token.",
            )],
            Self::PreconditionFailed => vec![plain(
                StatusCode::PRECONDITION_FAILED,
                "The resource has changed since it was read (If-Match does not match its ETag).",
            )],
            Self::InsufficientScope { scope } => vec![plain(
                StatusCode::FORBIDDEN,
                &format!("The access token does not grant this resource: it needs the scope `{scope}`."),
            )],
            Self::Query { parameter, detail } => vec![plain(StatusCode::BAD_REQUEST, detail)
                .with_source(ErrorSource::Parameter(parameter.clone()))],
            Self::Unavailable(_) | Self::Contention(_) => {
                vec![plain(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")]
            }
            Self::Internal(_) => vec![plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")],
        }
    }
}

fn code_object(code: Code) -> ErrorObject {
    ErrorObject::new(code.status(), Some(code.code()), code.detail().to_owned())
}

/// The status of a response carrying several errors: theirs if they agree, else the most
/// generally applicable one (JSON:API: 400 for mixed 4xx, 500 if any 5xx).
fn combined_status(objects: &[ErrorObject]) -> StatusCode {
    let first = objects
        .first()
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, |o| o.status);
    if objects.iter().all(|o| o.status == first) {
        first
    } else if objects.iter().any(|o| o.status.is_server_error()) {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        combined_status(&self.objects())
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) | Self::Unavailable(cause) | Self::Contention(cause) => {
                tracing::error!(error.cause = %cause, "request failed")
            }
            _ => tracing::debug!(error = %self, "request rejected"),
        }
        let objects = self.objects();
        let mut response = ErrorDocument::new(objects).into_response(self.status_code());
        let challenge = match self {
            Self::Domain(Code::InvalidAccessToken) => {
                Some(format!(r#"{REALM}, error="invalid_token""#))
            }
            Self::Domain(Code::FailedToAuthenticate) | Self::PartnerTokenMissing => {
                Some(REALM.to_owned())
            }
            Self::InsufficientScope { scope } => Some(format!(
                r#"{REALM}, error="insufficient_scope", scope="{scope}""#
            )),
            _ => None,
        };
        if let Some(value) = challenge.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        if let Self::Unavailable(_) | Self::Contention(_) = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_UNAVAILABLE),
            );
        }
        if let Self::TooManyAttempts { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        response
    }
}

/// Seconds a client should wait after a 503 (a database restart takes about this long).
const RETRY_UNAVAILABLE: &str = "5";

/// The realm of every bearer challenge.
const REALM: &str = r#"Bearer realm="Access to shop API""#;

/// A database that went away (a restart, a terminated connection, SQLite locked past its busy
/// timeout) is a 503 the client may retry, not a 500: nothing of the request was committed.
impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &err {
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::Unavailable(format!("database connection lost: {err}")),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::Contention(err.to_string())
            }
            Error::DatabaseError(_, info) if info.message().contains("deadlock detected") => {
                Self::Contention(err.to_string())
            }
            Error::DatabaseError(_, info) if database_gone(info.message()) => {
                Self::Unavailable(format!("database busy or gone: {err}"))
            }
            _ => Self::Internal(format!("database: {err}")),
        }
    }
}

/// Messages of SQLite and PostgreSQL (libpq) that say the database is busy or away rather than
/// that the statement was wrong.
fn database_gone(message: &str) -> bool {
    const GONE: &[&str] = &[
        "database is locked",
        "terminating connection",
        "server closed the connection",
        "connection has been closed",
        "no connection to the server",
        "could not receive data from server",
        "could not send data to server",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
    ];
    GONE.iter().any(|gone| message.contains(gone))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(format!("database pool: {err}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Internal(format!("blocking pool: {err}"))
    }
}
