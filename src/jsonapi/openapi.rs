//! Shapes of JSON:API documents for the OpenAPI document only (the server builds documents
//! with `Document`/`ErrorDocument`).
#![allow(dead_code)]

use utoipa::ToSchema;

#[derive(ToSchema)]
pub struct JsonApiVersion {
    #[schema(example = "1.1")]
    version: String,
}

#[derive(ToSchema)]
pub struct SelfLink {
    #[schema(rename = "self", example = "http://127.0.0.1:8080/customers/DE--1")]
    self_: String,
}

/// A request document: `{"data": {"type": ..., "attributes": {...}}}`.
#[derive(ToSchema)]
pub struct RequestDocument<A: ToSchema> {
    data: RequestResource<A>,
}

#[derive(ToSchema)]
pub struct RequestResource<A: ToSchema> {
    #[schema(rename = "type")]
    kind: String,
    /// Refused on create (403); must match the URL on update (409).
    id: Option<String>,
    attributes: A,
}

#[derive(ToSchema)]
pub struct ResourceObject<A: ToSchema> {
    #[schema(rename = "type")]
    kind: String,
    id: String,
    attributes: A,
    links: SelfLink,
}

#[derive(ToSchema)]
pub struct SingleDocument<A: ToSchema> {
    jsonapi: JsonApiVersion,
    data: ResourceObject<A>,
}

#[derive(ToSchema)]
pub struct CollectionDocument<A: ToSchema> {
    jsonapi: JsonApiVersion,
    data: Vec<ResourceObject<A>>,
    links: SelfLink,
}

#[derive(ToSchema)]
pub struct ErrorSourceObject {
    pointer: Option<String>,
    parameter: Option<String>,
    header: Option<String>,
}

#[derive(ToSchema)]
pub struct ErrorObjectDoc {
    #[schema(example = "901")]
    code: Option<String>,
    #[schema(example = "422")]
    status: String,
    #[schema(example = "email => This value is not a valid email address.")]
    detail: String,
    source: Option<ErrorSourceObject>,
}

/// Every error, including framework errors, is a JSON:API error document.
#[derive(ToSchema)]
pub struct ErrorDocumentDoc {
    jsonapi: JsonApiVersion,
    errors: Vec<ErrorObjectDoc>,
}
