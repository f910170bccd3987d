//! Error documents (JSON:API 1.1 "Error Objects").

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

use super::{json_api_response, JsonApiObject, JSONAPI};

/// `source` of an error object: exactly one of pointer, parameter, header.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub enum ErrorSource {
    #[serde(rename = "pointer")]
    Pointer(String),
    #[serde(rename = "parameter")]
    Parameter(String),
    #[serde(rename = "header")]
    Header(String),
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorObject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(serialize_with = "status_as_string")]
    pub status: StatusCode,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<ErrorSource>,
}

fn status_as_string<S: serde::Serializer>(status: &StatusCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(status.as_str())
}

impl ErrorObject {
    pub fn new(status: StatusCode, code: Option<&'static str>, detail: String) -> Self {
        Self {
            code,
            status,
            detail,
            source: None,
        }
    }

    pub fn with_source(mut self, source: ErrorSource) -> Self {
        self.source = Some(source);
        self
    }
}

#[derive(Debug, Serialize)]
pub struct ErrorDocument {
    jsonapi: JsonApiObject,
    errors: Vec<ErrorObject>,
}

impl ErrorDocument {
    pub fn new(errors: Vec<ErrorObject>) -> Self {
        Self {
            jsonapi: JSONAPI,
            errors,
        }
    }

    /// The document for a bare HTTP status (framework errors without a domain code).
    pub fn for_status(status: StatusCode) -> Self {
        let detail = status.canonical_reason().unwrap_or("Error").to_owned();
        Self::new(vec![ErrorObject::new(status, None, detail)])
    }

    pub fn into_response(self, status: StatusCode) -> HttpResponse {
        json_api_response(status, &self)
    }
}
