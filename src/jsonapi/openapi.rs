//! Shapes of JSON:API documents for the OpenAPI document only (the server builds documents
//! with `Document`/`ErrorDocument`), and the query parameters of a [`QuerySpec`] as OpenAPI
//! parameters.
//!
//! Documents name their resource type as a second type parameter, a [`ResourceKind`] marker
//! given a schema by [`type_schema!`]: `data.type` is then a `const` of that one type.
//! Without it (the default, [`AnyType`]), `type` is any string.
#![allow(dead_code)]

use std::borrow::Cow;
use std::marker::PhantomData;

use serde_json::Value;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, Required};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::query::{JsonApiQuery, QuerySpec, QuerySpecOf};

/// A string schema whose only value is `kind` (`const`, which utoipa's model lacks, is its one
/// extension).
pub fn type_const(kind: &str) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new().schema_type(Type::String).build();
    object.extensions = Some(Extensions::from_iter([("const", Value::from(kind))]));
    object.into()
}

/// Gives resource-kind markers the schema of their `type`: `type_schema!(Customers, ...)`.
macro_rules! type_schema {
    ($($kind:ty),+ $(,)?) => {$(
        impl utoipa::PartialSchema for $kind {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::jsonapi::openapi::type_const(<$kind as $crate::jsonapi::ResourceKind>::TYPE)
            }
        }
        impl utoipa::ToSchema for $kind {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(<$kind as $crate::jsonapi::ResourceKind>::TYPE)
            }
        }
    )+};
}
pub(crate) use type_schema;

/// The type of documents whose annotation names none: any non-empty string.
pub struct AnyType;

impl PartialSchema for AnyType {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .into()
    }
}

impl ToSchema for AnyType {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ResourceType")
    }
}

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

/// `data.id` of a create request: absent or `null`.
pub fn null_only() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Null)
        .description(Some(
            "Client-generated ids are refused (403): absent or `null`.",
        ))
}

/// A create request (`POST`): `{"data": {"type": ..., "attributes": {...}}}`. Another `type`
/// is refused (409).
#[derive(ToSchema)]
pub struct CreateDocument<A: ToSchema, K: ToSchema = AnyType> {
    data: NewResource<A, K>,
}

#[derive(ToSchema)]
pub struct NewResource<A: ToSchema, K: ToSchema = AnyType> {
    #[schema(rename = "type", inline)]
    kind: K,
    #[schema(schema_with = null_only)]
    id: Option<()>,
    attributes: A,
}

/// An update request (`PATCH`): `{"data": {"type": ..., "id": ..., "attributes": {...}}}`.
/// Another `type` is refused (409).
#[derive(ToSchema)]
pub struct RequestDocument<A: ToSchema, K: ToSchema = AnyType> {
    data: RequestResource<A, K>,
}

#[derive(ToSchema)]
pub struct RequestResource<A: ToSchema, K: ToSchema = AnyType> {
    #[schema(rename = "type", inline)]
    kind: K,
    /// May be left out. Where the URL names the resource, an id sent must be that one (409).
    id: Option<String>,
    attributes: A,
}

#[derive(ToSchema)]
pub struct ResourceObject<A: ToSchema, K: ToSchema = AnyType> {
    #[schema(rename = "type", inline)]
    kind: K,
    id: String,
    attributes: A,
    links: SelfLink,
}

#[derive(ToSchema)]
pub struct SingleDocument<A: ToSchema, K: ToSchema = AnyType> {
    jsonapi: JsonApiVersion,
    data: ResourceObject<A, K>,
}

#[derive(ToSchema)]
pub struct CollectionDocument<A: ToSchema, K: ToSchema = AnyType> {
    jsonapi: JsonApiVersion,
    data: Vec<ResourceObject<A, K>>,
    links: SelfLink,
}

/// The top-level links of one page of a collection: `self` and `first` always, `prev` and
/// `next` when there is such a page, `last` with offset paging (keyset paging has none).
#[derive(ToSchema)]
pub struct PageLinks {
    #[schema(rename = "self")]
    self_: String,
    first: String,
    #[schema(required = false)]
    prev: String,
    #[schema(required = false)]
    next: String,
    #[schema(required = false)]
    last: String,
}

/// `meta` of an offset-paged collection.
#[derive(ToSchema)]
pub struct PageMeta {
    page: PageCounts,
}

#[derive(ToSchema)]
pub struct PageCounts {
    /// Resources the filters select, on every page together.
    total: u64,
    offset: u64,
    #[schema(minimum = 1)]
    limit: u64,
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

/// `params(JsonApiQuery<Spec>)` in a handler's annotation: the query parameters its spec
/// accepts, each with the values [`QueryParams::parse`](super::QueryParams::parse) allows.
impl<S: QuerySpecOf> IntoParams for JsonApiQuery<S> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        spec_parameters(&S::SPEC, &|_| None)
    }
}

/// The values a spec's filters take, where they are narrower than any string.
pub trait FilterSchemas: QuerySpecOf {
    /// The schema of `filter[name]` and what it selects; `None`: any string.
    fn filter(name: &str) -> Option<(Object, String)>;
}

/// `params(FilteredQuery<Spec>)` in a handler's annotation: the query parameters of
/// `JsonApiQuery<Spec>`, with each filter's values as [`FilterSchemas`] states them.
pub struct FilteredQuery<S>(PhantomData<S>);

impl<S: FilterSchemas> IntoParams for FilteredQuery<S> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        spec_parameters(&S::SPEC, &S::filter)
    }
}

type FilterSchema<'a> = &'a dyn Fn(&str) -> Option<(Object, String)>;

fn spec_parameters(spec: &QuerySpec, filter: FilterSchema<'_>) -> Vec<Parameter> {
    let mut parameters = Vec::new();
    if !spec.include.is_empty() {
        parameters.push(list(
            "include",
            &alternatives(spec.include),
            true,
            &format!(
                "Relationships to include, comma-separated: {}; empty: none.",
                names(spec.include)
            ),
        ));
    }
    for (kind, fields) in spec.fields {
        parameters.push(list(
            &format!("fields[{kind}]"),
            &alternatives(fields),
            true,
            &format!(
                "Sparse fieldset: the members of `{kind}` to answer, comma-separated: {}; empty: none.",
                names(fields)
            ),
        ));
    }
    if !spec.sort.is_empty() {
        parameters.push(list(
            "sort",
            &format!("-?{}", alternatives(spec.sort)),
            false,
            &format!(
                "Sort keys, comma-separated, each of {} (`-` before one sorts descending).",
                names(spec.sort)
            ),
        ));
    }
    for name in spec.filter {
        let (schema, description) = filter(name).unwrap_or_else(|| {
            let any = ObjectBuilder::new().schema_type(Type::String).build();
            (any, "Filter.".to_owned())
        });
        parameters.push(query(
            &format!("filter[{name}]"),
            schema.into(),
            &description,
        ));
    }
    if let Some(paging) = spec.page {
        let offset = integer(0, u64::MAX).into();
        parameters.push(query("page[offset]", offset, "Resources to skip."));
        let limit = integer(1, paging.max_limit)
            .default(Some(Value::from(paging.default_limit)))
            .into();
        parameters.push(query("page[limit]", limit, "Page size."));
        if paging.cursor {
            let cursor = ObjectBuilder::new().schema_type(Type::String).into();
            let text = "Keyset paging: the cursor of the last resource seen (empty: from the start); not with `page[offset]`.";
            parameters.push(query("page[after]", cursor, text));
        }
    }
    parameters
}

fn integer(min: u64, max: u64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min))
        .maximum(Some(max))
}

fn query(name: &str, schema: RefOr<Schema>, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// A comma-separated list of items matching `item` (a regular expression), possibly empty.
/// A pattern rather than an array: `include=` (no item) and `include=,` (an empty item) differ.
fn list(name: &str, item: &str, empty: bool, description: &str) -> Parameter {
    let list = format!("{item}(?:,{item})*");
    let pattern = if empty {
        format!("^(?:{list})?$")
    } else {
        format!("^{list}$")
    };
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .into();
    query(name, schema, description)
}

/// `(?:a|b|c)`, each name escaped.
fn alternatives(values: &[&str]) -> String {
    let escaped: Vec<String> = values.iter().map(|v| escape(v)).collect();
    format!("(?:{})", escaped.join("|"))
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        // ECMA-262's syntax characters: in Unicode mode nothing else may be escaped.
        if "\\^$.|?*+()[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `` `a`, `b`, `c` `` for descriptions.
fn names(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    quoted.join(", ")
}
