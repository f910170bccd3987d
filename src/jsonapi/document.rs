//! JSON:API 1.1 documents: success documents with resources, and error documents.

mod error;
mod paging;
mod relationship;
mod resource;
#[cfg(test)]
mod schema_check;

use std::collections::HashSet;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::NaiveDateTime;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

pub use error::{ErrorDocument, ErrorObject, ErrorSource};
pub use paging::{CursorPaging, OffsetPaging, TopLevelLinks};
pub use relationship::{
    Linkage, Relationship, RelationshipLinks, Relationships, ResourceIdentifier,
};
pub use resource::{Links, Resource};

use super::query::QueryParams;
use super::MEDIA_TYPE;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct JsonApiObject {
    version: &'static str,
}

pub const JSONAPI: JsonApiObject = JsonApiObject { version: "1.1" };

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PrimaryData {
    Single(Box<Resource>),
    Many(Vec<Resource>),
}

impl PrimaryData {
    fn resources(&self) -> &[Resource] {
        match self {
            PrimaryData::Single(resource) => std::slice::from_ref(resource),
            PrimaryData::Many(resources) => resources,
        }
    }

    fn resources_mut(&mut self) -> &mut [Resource] {
        match self {
            PrimaryData::Single(resource) => std::slice::from_mut(resource),
            PrimaryData::Many(resources) => resources,
        }
    }
}

/// A success document. Built with `single`/`collection`, then the `with_*` methods in any order.
#[derive(Debug, Serialize)]
pub struct Document {
    jsonapi: JsonApiObject,
    data: PrimaryData,
    // JSON:API 1.1: a request that asked for `include` gets the member, `[]` when nothing
    // matched; without `with_included` (no include asked for) there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    included: Option<Vec<Resource>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<TopLevelLinks>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    meta: Map<String, Value>,
    /// The request's sparse fieldsets, kept so that resources included after `with_query` are
    /// cut as well: the builder methods then work in any order.
    #[serde(skip)]
    fieldsets: Option<QueryParams>,
}

impl Document {
    pub fn single(resource: Resource) -> Self {
        Self::new(PrimaryData::Single(Box::new(resource)), None)
    }

    /// A collection; JSON:API wants its own `links.self` (reference §1.2).
    pub fn collection(resources: Vec<Resource>, self_link: String) -> Self {
        let links = TopLevelLinks::self_only(self_link);
        Self::new(PrimaryData::Many(resources), Some(links))
    }

    /// One page of a collection, with links from `OffsetPaging::links` or `CursorPaging::links`.
    pub fn paged_collection(resources: Vec<Resource>, links: TopLevelLinks) -> Self {
        Self::new(PrimaryData::Many(resources), Some(links))
    }

    fn new(data: PrimaryData, links: Option<TopLevelLinks>) -> Self {
        Self {
            jsonapi: JSONAPI,
            data,
            included: None,
            links,
            meta: Map::new(),
            fieldsets: None,
        }
    }

    /// Applies sparse fieldsets to primary and included resources, including those added later.
    pub fn with_query(mut self, query: &QueryParams) -> Self {
        for resource in self.data.resources_mut() {
            resource.apply_fields(query);
        }
        for resource in self.included.iter_mut().flatten() {
            resource.apply_fields(query);
        }
        self.fieldsets = Some(query.clone());
        self
    }

    /// Makes a compound document. JSON:API 1.1 ("Compound Documents") allows one resource
    /// object per `type` and `id` in the whole document, so a resource already in `data` or
    /// `included` is skipped (the first one wins) and the order of first appearance is kept.
    /// Each included resource must be reached through some relationship linkage ("full
    /// linkage"): the caller includes only what its relationships point at.
    pub fn with_included(mut self, resources: Vec<Resource>) -> Self {
        if self.included.is_none() {
            self.included = Some(Vec::new());
        }
        let mut present: HashSet<(&'static str, String)> = self
            .data
            .resources()
            .iter()
            .chain(self.included.iter().flatten())
            .map(|r| (r.kind, r.id.clone()))
            .collect();
        for mut resource in resources {
            if !present.insert((resource.kind, resource.id.clone())) {
                continue;
            }
            if let Some(query) = &self.fieldsets {
                resource.apply_fields(query);
            }
            self.included.get_or_insert_with(Vec::new).push(resource);
        }
        self
    }

    /// Replaces the top-level links (e.g. with `OffsetPaging::links()`).
    pub fn with_links(mut self, links: TopLevelLinks) -> Self {
        self.links = Some(links);
        self
    }

    /// Merges members into the top-level `meta`; a member given again replaces the earlier one.
    pub fn with_meta(mut self, meta: Map<String, Value>) -> Self {
        self.meta.extend(meta);
        self
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::schema_check::assert_valid;
    use super::*;
    use crate::jsonapi::QuerySpec;

    const SPEC: QuerySpec = QuerySpec {
        include: &["addresses"],
        fields: &[
            ("customers", &["email", "addresses"]),
            ("addresses", &["city", "zipCode"]),
        ],
        ..QuerySpec::NONE
    };

    fn address(id: &str) -> Resource {
        Resource::new(
            "addresses",
            id.into(),
            &json!({"city": "Berlin", "zipCode": "10115", "street": "Julie-Wolfthorn-Str."}),
            format!("http://localhost/addresses/{id}"),
        )
    }

    fn customer(reference: &str, address_ids: &[&str]) -> Resource {
        let targets = address_ids
            .iter()
            .map(|id| ResourceIdentifier::new("addresses", *id))
            .collect();
        Resource::new(
            "customers",
            reference.into(),
            &json!({"email": format!("{reference}@example.com"), "firstName": "Ada"}),
            format!("http://localhost/customers/{reference}"),
        )
        .with_relationship("addresses", Relationship::to_many(targets))
    }

    fn identities(resources: &Value) -> Vec<(String, String)> {
        resources
            .as_array()
            .map(|rs| {
                rs.iter()
                    .map(|r| (r["type"].to_string(), r["id"].to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn collection_keeps_its_exact_shape_for_current_callers() {
        let document = Document::collection(
            vec![Resource::new(
                "customers",
                "DE--1".into(),
                &json!({}),
                "http://h/customers/DE--1".into(),
            )],
            "http://h/customers".into(),
        );
        assert_eq!(
            serde_json::to_string(&document).expect("serializes"),
            r#"{"jsonapi":{"version":"1.1"},"data":[{"type":"customers","id":"DE--1","attributes":{},"links":{"self":"http://h/customers/DE--1"}}],"links":{"self":"http://h/customers"}}"#
        );
        assert_valid(&document);
    }

    #[test]
    fn an_address_referenced_by_two_customers_is_included_once() {
        let document = Document::collection(
            vec![
                customer("DE--1", &["a-1", "a-2"]),
                customer("DE--2", &["a-2"]),
            ],
            "http://localhost/customers?include=addresses".into(),
        )
        .with_included(vec![address("a-1"), address("a-2")])
        .with_included(vec![address("a-2")]);
        let value = assert_valid(&document);
        assert_eq!(
            identities(&value["included"]),
            [
                ("\"addresses\"".into(), "\"a-1\"".into()),
                ("\"addresses\"".into(), "\"a-2\"".into())
            ]
        );
    }

    #[test]
    fn a_primary_resource_never_appears_in_included() {
        // Same id, different type: a different resource, so it stays.
        let same_id_other_type =
            Resource::new("addresses", "DE--1".into(), &json!({}), "http://h/a".into());
        let document = Document::single(customer("DE--1", &[])).with_included(vec![
            customer("DE--1", &[]),
            same_id_other_type,
            customer("DE--2", &[]),
        ]);
        let value = assert_valid(&document);
        assert_eq!(
            identities(&value["included"]),
            [
                ("\"addresses\"".into(), "\"DE--1\"".into()),
                ("\"customers\"".into(), "\"DE--2\"".into())
            ]
        );
    }

    #[test]
    fn an_include_that_matched_nothing_is_an_empty_included_and_none_asked_is_no_member() {
        let value = assert_valid(&Document::single(address("a-1")));
        assert!(value.get("included").is_none(), "{value}");
        let value = assert_valid(&Document::single(address("a-1")).with_included(Vec::new()));
        assert_eq!(value["included"], serde_json::json!([]), "{value}");
        let value =
            assert_valid(&Document::single(address("a-1")).with_included(vec![address("a-1")]));
        assert_eq!(value["included"], serde_json::json!([]), "{value}");
    }

    #[test]
    fn sparse_fieldsets_cut_included_resources_whichever_order_the_builders_run() {
        let query = QueryParams::parse("fields[addresses]=city&fields[customers]=email", &SPEC)
            .expect("valid query");
        let primary = || vec![customer("DE--1", &["a-1"])];
        let query_first = Document::collection(primary(), "http://localhost/customers".into())
            .with_query(&query)
            .with_included(vec![address("a-1")]);
        let query_last = Document::collection(primary(), "http://localhost/customers".into())
            .with_included(vec![address("a-1")])
            .with_query(&query);
        for document in [query_first, query_last] {
            let value = assert_valid(&document);
            assert_eq!(
                value["included"][0]["attributes"],
                json!({"city": "Berlin"})
            );
            assert_eq!(
                value["data"][0]["attributes"],
                json!({"email": "DE--1@example.com"})
            );
            // `addresses` is not in fields[customers], so the relationship goes too.
            assert!(value["data"][0].get("relationships").is_none(), "{value}");
        }
    }

    #[test]
    fn a_fieldset_naming_a_relationship_keeps_its_linkage_beside_included() {
        let query = QueryParams::parse("fields[customers]=addresses", &SPEC).expect("valid query");
        let document = Document::single(customer("DE--1", &["a-1"]))
            .with_included(vec![address("a-1")])
            .with_query(&query);
        let value = assert_valid(&document);
        assert_eq!(value["data"]["attributes"], json!({}));
        assert_eq!(
            value["data"]["relationships"],
            json!({"addresses": {"data": [{"type": "addresses", "id": "a-1"}]}})
        );
        assert_eq!(value["included"][0]["id"], "a-1");
    }

    #[test]
    fn meta_members_merge_with_paging_meta() {
        let paging = OffsetPaging {
            base_url: "http://localhost/customers",
            kept_query: "",
            offset: 0,
            limit: 10,
            total: 1,
        };
        let mut extra = Map::new();
        extra.insert("generatedBy".into(), json!("glue-customers"));
        let document = Document::paged_collection(vec![customer("DE--1", &[])], paging.links())
            .with_meta(paging.meta())
            .with_meta(extra);
        let value = assert_valid(&document);
        assert_eq!(
            value["meta"],
            json!({"page": {"total": 1, "offset": 0, "limit": 10}, "generatedBy": "glue-customers"})
        );
        assert_eq!(
            value["links"],
            json!({
                "self": "http://localhost/customers?page%5Boffset%5D=0&page%5Blimit%5D=10",
                "first": "http://localhost/customers?page%5Boffset%5D=0&page%5Blimit%5D=10",
                "last": "http://localhost/customers?page%5Boffset%5D=0&page%5Blimit%5D=10",
            })
        );
    }
}
