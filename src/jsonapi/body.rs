//! The request-body extractor: size limit, UTF-8, JSON syntax, then the JSON:API document
//! shape (reference §1.4, CONTRACT §3 items 21 and 24). Attribute validation (`901`) happens
//! later, per resource, once authentication has run (reference §1.5).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Bodies larger than this get 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What the JSON:API layer needs from the settings, registered as app data by `startup`.
#[derive(Debug, Clone, Copy)]
pub struct JsonApiConfig {
    /// How long a request body may take to arrive once the headers are in (then 408).
    pub body_timeout: Duration,
}

impl Default for JsonApiConfig {
    fn default() -> Self {
        Self {
            body_timeout: Duration::from_secs(10),
        }
    }
}

/// Names the `type` an endpoint accepts.
pub trait ResourceKind {
    const TYPE: &'static str;
}

/// A request document's primary resource: its optional `id` and its raw attributes.
#[derive(Debug)]
pub struct JsonApiBody<K> {
    pub id: Option<String>,
    pub attributes: Map<String, Value>,
    /// Each relationship's `data` (a resource identifier, null, or an array of them).
    pub relationships: Map<String, Value>,
    kind: PhantomData<K>,
}

impl<K> JsonApiBody<K> {
    /// A to-one relationship `name` of type `kind`: `None` when not sent, `Some(None)` for
    /// `data: null`, `Some(Some(id))` for an identifier. A wrong shape or type is a 400
    /// pointing at it.
    pub fn to_one(&self, name: &str, kind: &str) -> Result<Option<Option<String>>, ApiError> {
        let Some(data) = self.relationships.get(name) else {
            return Ok(None);
        };
        let bad = || ApiError::BadRelationship {
            pointer: format!("/data/relationships/{name}/data"),
        };
        match data {
            Value::Null => Ok(Some(None)),
            Value::Object(identifier) => {
                let right_type = identifier.get("type").and_then(Value::as_str) == Some(kind);
                match identifier.get("id").and_then(Value::as_str) {
                    Some(id) if right_type => Ok(Some(Some(id.to_owned()))),
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }

    /// JSON:API §crud-updating: an `id` in a PATCH body must match the URL (409 otherwise).
    /// A missing `id` is tolerated: Spryker clients do not send it (reference §2).
    pub fn ensure_id_matches(&self, url_id: &str) -> Result<(), ApiError> {
        match &self.id {
            Some(id) if id != url_id => Err(ApiError::IdConflict),
            _ => Ok(()),
        }
    }
}

impl<K: ResourceKind + 'static> FromRequest for JsonApiBody<K> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let method = req.method().clone();
        let declared = declared_length(req);
        let timeout = body_timeout(req);
        let payload = payload.take();
        Box::pin(async move {
            let bytes = read_body(payload, declared, timeout).await?;
            parse_document(&bytes, &method, K::TYPE)
        })
    }
}

/// A request body of at most [`BODY_LIMIT`] bytes (413 beyond, whether declared or sent),
/// arriving within `timeout` of the headers (408 after). Shared with the OAuth endpoints,
/// which answer the same failures in their own error format.
pub async fn read_body(
    mut payload: Payload,
    declared: Option<usize>,
    timeout: Duration,
) -> Result<Vec<u8>, ApiError> {
    if declared.is_some_and(|len| len > BODY_LIMIT) {
        return Err(ApiError::PayloadTooLarge);
    }
    // actix times out slow headers, not slow bodies: without this a client that announces a
    // body and never sends it holds a connection forever.
    let read = async {
        let mut bytes = Vec::new();
        while let Some(chunk) = payload.next().await {
            let chunk =
                chunk.map_err(|_| ApiError::MalformedBody("Request body could not be read."))?;
            if bytes.len() + chunk.len() > BODY_LIMIT {
                return Err(ApiError::PayloadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    };
    actix_web::rt::time::timeout(timeout, read)
        .await
        .map_err(|_| ApiError::BodyTimeout)?
}

/// The `Content-Length` a request declares, if it is a number.
pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}

/// The body timeout the app registered (or the default).
pub fn body_timeout(req: &HttpRequest) -> Duration {
    req.app_data::<JsonApiConfig>()
        .copied()
        .unwrap_or_default()
        .body_timeout
}

fn parse_document<K>(
    bytes: &[u8],
    method: &Method,
    expected: &'static str,
) -> Result<JsonApiBody<K>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::PostDataInvalid);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::MalformedBody("Request body is not valid UTF-8."))?;
    let document: Value = serde_json::from_str(text)
        .map_err(|_| ApiError::MalformedBody("Request body is not valid JSON."))?;
    // serde_json keeps the last of two equal member names; a proxy or another parser may keep
    // the first. Refusing them leaves no room for such disagreements (requirements C14).
    serde_json::from_str::<NoDuplicateMembers>(text)
        .map_err(|_| ApiError::MalformedBody("Request body has a duplicate member name."))?;
    let Value::Object(mut top) = document else {
        return Err(ApiError::PostDataInvalid);
    };
    let Some(Value::Object(mut data)) = top.remove("data") else {
        return Err(ApiError::PostDataInvalid);
    };
    // CONTRACT §3 item 24: empty or missing type keeps Spryker's 400; another type is a 409.
    match data.get("type") {
        Some(Value::String(kind)) if kind == expected => {}
        Some(Value::String(kind)) if !kind.is_empty() => {
            return Err(ApiError::TypeConflict { expected })
        }
        // A JSON:API pointer must name a member that exists (CONTRACT §3 item 2).
        Some(_) => {
            return Err(ApiError::InvalidType {
                pointer: "/data/type",
            })
        }
        None => return Err(ApiError::InvalidType { pointer: "/data" }),
    }
    let id = match data.remove("id") {
        None | Some(Value::Null) => None,
        Some(_) if method == Method::POST => return Err(ApiError::ClientGeneratedId),
        Some(Value::String(id)) => Some(id),
        Some(_) => return Err(ApiError::PostDataInvalid),
    };
    let relationships = match data.remove("relationships") {
        None => Map::new(),
        Some(Value::Object(relationships)) => relationships
            .into_iter()
            .map(|(name, rel)| match rel {
                Value::Object(mut rel) => rel
                    .remove("data")
                    .map(|data| (name, data))
                    .ok_or(ApiError::PostDataInvalid),
                _ => Err(ApiError::PostDataInvalid),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ApiError::PostDataInvalid),
    };
    let Some(Value::Object(attributes)) = data.remove("attributes") else {
        return Err(ApiError::PostDataInvalid);
    };
    Ok(JsonApiBody {
        id,
        attributes,
        relationships,
        kind: PhantomData,
    })
}

/// Walks a JSON text and fails on an object with two equal member names.
struct NoDuplicateMembers;

impl<'de> serde::Deserialize<'de> for NoDuplicateMembers {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoDuplicateMembers)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateMembers {
    type Value = NoDuplicateMembers;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicateMembers>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(serde::de::Error::custom("duplicate member name"));
            }
            map.next_value::<NoDuplicateMembers>()?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str, method: Method) -> Result<JsonApiBody<()>, ApiError> {
        parse_document(body.as_bytes(), &method, "customers")
    }

    #[test]
    fn shape_errors_follow_spryker_and_json_api() {
        type Case = (&'static str, fn(&ApiError) -> bool);
        let cases: &[Case] = &[
            ("", |e| matches!(e, ApiError::PostDataInvalid)),
            ("[]", |e| matches!(e, ApiError::PostDataInvalid)),
            ("{\"data\":[]}", |e| matches!(e, ApiError::PostDataInvalid)),
            ("{\"data\":{\"type\":\"customers\"}}", |e| {
                matches!(e, ApiError::PostDataInvalid)
            }),
            ("{\"data\":{\"attributes\":{}}}", |e| {
                matches!(e, ApiError::InvalidType { .. })
            }),
            ("{\"data\":{\"type\":\"\",\"attributes\":{}}}", |e| {
                matches!(e, ApiError::InvalidType { .. })
            }),
            (
                "{\"data\":{\"type\":\"addresses\",\"attributes\":{}}}",
                |e| matches!(e, ApiError::TypeConflict { .. }),
            ),
            (
                "{\"data\":{\"type\":\"customers\",\"id\":\"x\",\"attributes\":{}}}",
                |e| matches!(e, ApiError::ClientGeneratedId),
            ),
            ("{\"data\":", |e| matches!(e, ApiError::MalformedBody(_))),
            ("{\"data\":{}} trailing", |e| {
                matches!(e, ApiError::MalformedBody(_))
            }),
            (
                "{\"data\":{\"type\":\"customers\",\"attributes\":{\"a\":1,\"a\":2}}}",
                |e| {
                    matches!(
                        e,
                        ApiError::MalformedBody("Request body has a duplicate member name.")
                    )
                },
            ),
        ];
        for (body, expected) in cases {
            let err = parse(body, Method::POST).expect_err(body);
            assert!(expected(&err), "{body}: {err:?}");
        }
    }

    #[test]
    fn deep_nesting_is_a_400_not_a_crash() {
        let body = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            parse(&body, Method::POST),
            Err(ApiError::MalformedBody(_))
        ));
    }

    #[test]
    fn extra_top_level_members_are_ignored() {
        let body = r#"{"meta":{},"foo":1,"data":{"type":"customers","attributes":{"a":1}}}"#;
        let doc = parse(body, Method::POST).expect("valid");
        assert_eq!(doc.attributes.len(), 1);
    }
}
