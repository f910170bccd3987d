//! The JSON:API 1.1 layer: documents, negotiation, the body extractor, query parameters and the
//! framework-level answers (404, 405, error documents for everything actix answers on its own).

mod body;
mod document;
mod media;
pub mod openapi;
mod query;
mod routing;

pub use body::{
    body_timeout, declared_length, read_body, JsonApiBody, JsonApiConfig, ResourceKind, BODY_LIMIT,
};
pub use document::{
    json_api_response, no_content, CursorPaging, Document, ErrorDocument, ErrorObject, ErrorSource,
    Linkage, Links, OffsetPaging, Relationship, RelationshipLinks, Relationships, Resource,
    ResourceIdentifier, Timestamp, TopLevelLinks,
};
pub use media::{negotiate, MEDIA_TYPE};
pub use query::{
    JsonApiQuery, NoQuery, Page, PageSpec, QueryParams, QuerySpec, QuerySpecOf, SortField,
};
pub use routing::{error_documents, get, method_not_allowed, missing_id, not_found};
