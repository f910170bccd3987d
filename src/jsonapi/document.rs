//! JSON:API 1.1 documents: success documents with resources, and error documents.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::NaiveDateTime;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::query::QueryParams;
use super::MEDIA_TYPE;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct JsonApiObject {
    version: &'static str,
}

pub const JSONAPI: JsonApiObject = JsonApiObject { version: "1.1" };

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: String,
}

/// A resource object. Attributes come from a typed struct and are held as a map so that
/// sparse fieldsets (`fields[type]=a,b`) can be applied uniformly.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub attributes: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationships: Option<Map<String, Value>>,
    pub links: Links,
}

impl Resource {
    /// `attributes` must serialize to a JSON object (every `*Attributes` struct does).
    pub fn new(
        kind: &'static str,
        id: String,
        attributes: &impl Serialize,
        self_link: String,
    ) -> Self {
        let attributes = match serde_json::to_value(attributes) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        Self {
            kind,
            id,
            attributes,
            relationships: None,
            links: Links { self_: self_link },
        }
    }

    /// Keeps only the attributes named by `fields[<type>]`, if the client sent it.
    fn apply_fields(&mut self, query: &QueryParams) {
        if let Some(fields) = query.fields_for(self.kind) {
            self.attributes
                .retain(|name, _| fields.iter().any(|f| f == name));
            if let Some(relationships) = self.relationships.as_mut() {
                relationships.retain(|name, _| fields.iter().any(|f| f == name));
                if relationships.is_empty() {
                    self.relationships = None;
                }
            }
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PrimaryData {
    Single(Box<Resource>),
    Many(Vec<Resource>),
}

#[derive(Debug, Serialize)]
pub struct Document {
    jsonapi: JsonApiObject,
    data: PrimaryData,
    #[serde(skip_serializing_if = "Option::is_none")]
    included: Option<Vec<Resource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<Links>,
}

impl Document {
    pub fn single(resource: Resource) -> Self {
        Self {
            jsonapi: JSONAPI,
            data: PrimaryData::Single(Box::new(resource)),
            included: None,
            links: None,
        }
    }

    /// A collection; JSON:API wants its own `links.self` (reference §1.2).
    pub fn collection(resources: Vec<Resource>, self_link: String) -> Self {
        Self {
            jsonapi: JSONAPI,
            data: PrimaryData::Many(resources),
            included: None,
            links: Some(Links { self_: self_link }),
        }
    }

    /// Applies sparse fieldsets to primary and included resources.
    pub fn with_query(mut self, query: &QueryParams) -> Self {
        match &mut self.data {
            PrimaryData::Single(r) => r.apply_fields(query),
            PrimaryData::Many(rs) => rs.iter_mut().for_each(|r| r.apply_fields(query)),
        }
        if let Some(included) = self.included.as_mut() {
            included.iter_mut().for_each(|r| r.apply_fields(query));
        }
        self
    }

    pub fn into_response(self, status: StatusCode) -> HttpResponse {
        json_api_response(status, &self)
    }
}

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

/// 204 for a successful DELETE: no body, and not cacheable either.
pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .finish()
}

/// Serializes a document with the JSON:API media type. Every JSON:API response says
/// `Cache-Control: no-store`: they carry customer data or tokens (CONTRACT §3 item 22).
pub fn json_api_response(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE)))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .body(bytes),
        Err(err) => {
            tracing::error!(error = %err, "could not serialize a response document");
            HttpResponse::InternalServerError()
                .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE)))
                .body(
                    r#"{"jsonapi":{"version":"1.1"},"errors":[{"status":"500","detail":"Internal Server Error"}]}"#,
                )
        }
    }
}

/// Spryker's timestamp format, `YYYY-MM-DD HH:MM:SS.ffffff` in UTC (CONTRACT §3 item 7).
pub struct Timestamp;

impl Timestamp {
    pub const FORMAT: &'static str = "%Y-%m-%d %H:%M:%S%.6f";

    pub fn serialize<S: Serializer>(value: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&value.format(Self::FORMAT))
    }
}
