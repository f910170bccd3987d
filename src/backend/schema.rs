//! The partner API's customers in the OpenAPI document (documentation only; parsing is in
//! `domain` and `listing`): attributes built from the rule lists the parsers check, the `group`
//! and `addresses` relationships, compound and paged documents, and the filters' values.

use serde_json::{json, Value};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{
    KnownFormat, Object, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::domain;
use super::listing::{timestamp_pattern, ListQuery};
use super::resource::PartnerCustomerAttributes;
use crate::addresses::resource::{AddressAttributes, Addresses};
use crate::credentials::policy;
use crate::customers::domain as storefront;
use crate::customers::model::Status;
use crate::customers::resource::Customers;
use crate::groups::resource::{CustomerGroups, GroupAttributes};
use crate::jsonapi::openapi::{
    null_only, FilterSchemas, JsonApiVersion, PageLinks, PageMeta, SelfLink,
};
use crate::settings::PasswordPolicy;
use crate::validation::schema;

const PLAIN: &str = "Plain text: no control or bidirectional-override characters.";

/// `email`: the storefront's rules, then Spryker's Zed checks (`416`, `417`).
fn email() -> Object {
    schema::string(storefront::EMAIL_RULES)
        .pattern(Some(schema::email(true)))
        .max_length(Some(storefront::EMAIL_MAX))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .examples(["sonia@example.com"])
        .build()
}

fn gender() -> Object {
    schema::string(storefront::GENDER_RULES).build()
}

fn salutation() -> Object {
    schema::string(storefront::SALUTATION_RULES).build()
}

fn name() -> Object {
    schema::string(storefront::NAME_RULES)
        .description(Some(PLAIN))
        .build()
}

fn date_of_birth() -> Object {
    schema::string(storefront::DATE_RULES)
        .examples(["1990-05-17"])
        .build()
}

fn accepted_marketing() -> Object {
    schema::boolean()
        .description(Some(
            "Consent to marketing email; `null` or absent: `false` on create, unchanged on PATCH.",
        ))
        .build()
}

fn password() -> Object {
    let mut object = policy::new_password_schema(&PasswordPolicy::default());
    object.description = Some(format!(
        "Hashed by the service; with `confirmPassword`; never with `passwordHash` (422 `901`). {}",
        object.description.unwrap_or_default()
    ));
    object
}

fn confirm_password() -> Object {
    policy::confirm_schema(&PasswordPolicy::default(), "password")
}

fn password_hash() -> Object {
    schema::string(domain::PASSWORD_HASH_RULES)
        .pattern(Some(domain::BCRYPT_PATTERN))
        .description(Some(
            "A bcrypt hash from another system (`$2a$`, `$2b$`, `$2y$`, cost 04-31), kept as it is \
             and rehashed at the configured cost at the first login; never with `password` (422 `901`).",
        ))
        .examples(["$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"])
        .build()
}

fn status_write() -> Object {
    schema::string(domain::STATUS_RULES)
        .description(Some(
            "`blocked` ends every session at once and refuses logins; `active` lifts the block.",
        ))
        .build()
}

/// `If-Match` of PATCH and DELETE (RFC 9110 §13.1.1).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct Precondition {
    /// `*` or a comma-separated list of strong ETags, one of which must be the customer's
    /// current one (412 otherwise, a value that is no list of ETags included); left out: the
    /// change applies unconditionally.
    #[param(
        rename = "If-Match",
        required = false,
        example = "\"5d41402abc4b2a76b9719d911017c592\""
    )]
    if_match: String,
}

/// `POST /backend/customers` attributes: the storefront's registration without terms, plus
/// `acceptedMarketing`, `status`, and a `password` or a `passwordHash` or neither (an
/// invitation): never both (422 `901`).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct CreateFields {
    #[schema(schema_with = email)]
    email: String,
    #[schema(schema_with = gender)]
    gender: String,
    #[schema(schema_with = salutation)]
    salutation: String,
    #[schema(schema_with = name)]
    first_name: String,
    #[schema(schema_with = name)]
    last_name: String,
    #[schema(schema_with = date_of_birth)]
    date_of_birth: Option<String>,
    #[schema(schema_with = accepted_marketing)]
    accepted_marketing: Option<bool>,
    #[schema(schema_with = status_write)]
    status: Option<String>,
    #[schema(schema_with = password)]
    password: Option<String>,
    #[schema(schema_with = confirm_password)]
    confirm_password: Option<String>,
    #[schema(schema_with = password_hash)]
    password_hash: Option<String>,
}

/// `PATCH /backend/customers/{ref}` attributes: every one optional; the storefront's rules,
/// plus `acceptedMarketing` and `status`. `password`, `confirmPassword` and `passwordHash`
/// are refused whatever their value (422 `901`): a partner never changes a password.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
struct UpdateFields {
    #[schema(schema_with = email)]
    email: Option<String>,
    #[schema(schema_with = gender)]
    gender: Option<String>,
    #[schema(schema_with = salutation)]
    salutation: Option<String>,
    #[schema(schema_with = name)]
    first_name: Option<String>,
    #[schema(schema_with = name)]
    last_name: Option<String>,
    #[schema(schema_with = date_of_birth)]
    date_of_birth: Option<String>,
    #[schema(schema_with = accepted_marketing)]
    accepted_marketing: Option<bool>,
    #[schema(schema_with = status_write)]
    status: Option<String>,
}

/// The derived object of `T` with `extra` members (keywords utoipa's model lacks).
fn object_with<T: PartialSchema>(extra: Value) -> RefOr<Schema> {
    match T::schema() {
        RefOr::T(Schema::Object(mut object)) => {
            if let Value::Object(members) = extra {
                object.extensions = Some(Extensions::from_iter(members));
            }
            object.into()
        }
        other => other,
    }
}

/// [`CreateFields`] with the rule between attributes that JSON Schema can state and
/// schemathesis can generate from.
pub struct CreateAttributes;

impl PartialSchema for CreateAttributes {
    fn schema() -> RefOr<Schema> {
        // A password needs its confirmation (`406` otherwise; that the two are equal is beyond
        // a schema). That a password and a hash exclude each other (`901`) is stated in words:
        // schemathesis makes no valid body at all under `not: {required: [...]}`.
        object_with::<CreateFields>(json!({
            "dependentRequired": {"password": ["confirmPassword"]},
        }))
    }
}

impl ToSchema for CreateAttributes {
    fn name() -> std::borrow::Cow<'static, str> {
        "PartnerCustomerCreateAttributes".into()
    }
}

/// [`UpdateFields`], refusing the password attributes: present at all, they are a `901` (a
/// partner never changes a password; the customer resets it).
pub struct UpdateAttributes;

impl PartialSchema for UpdateAttributes {
    fn schema() -> RefOr<Schema> {
        let present: Vec<Value> = domain::PASSWORD_FIELDS
            .iter()
            .map(|field| json!({"required": [field]}))
            .collect();
        object_with::<UpdateFields>(json!({"not": {"anyOf": present}}))
    }
}

impl ToSchema for UpdateAttributes {
    fn name() -> std::borrow::Cow<'static, str> {
        "PartnerCustomerUpdateAttributes".into()
    }
}

/// A `customer-groups` resource identifier, or `null` (no group).
fn group_linkage(nullable: bool) -> Object {
    let kind = if nullable {
        SchemaType::from_iter([Type::Object, Type::Null])
    } else {
        SchemaType::Type(Type::Object)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .property("type", CustomerGroups::schema())
        .property("id", ObjectBuilder::new().schema_type(Type::String))
        .required("type")
        .required("id")
        .build()
}

/// `relationships` of a request: `group` names the customer's group, `null` none; an id of
/// no group is 404. Other relationships are ignored, but each must be an object with `data`.
fn request_relationships() -> Object {
    let group = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("data", group_linkage(true))
        .required("data")
        .description(Some(
            "The customer's group: its identifier (404 when there is no such group) or `null` for none; left out: the default group on create, unchanged on PATCH.",
        ));
    let any = ObjectBuilder::new()
        .schema_type(Type::Object)
        .required("data");
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("group", group)
        .additional_properties(Some(any))
        .build()
}

/// `POST /backend/customers`.
#[derive(ToSchema)]
#[schema(as = PartnerCustomerCreateDocument)]
#[allow(dead_code)]
pub struct CreateDocument {
    data: NewCustomer,
}

#[derive(ToSchema)]
#[schema(as = PartnerCustomerCreateResource)]
#[allow(dead_code)]
struct NewCustomer {
    #[schema(rename = "type", inline)]
    kind: Customers,
    #[schema(schema_with = null_only)]
    id: Option<()>,
    attributes: CreateAttributes,
    #[schema(schema_with = request_relationships)]
    relationships: Option<()>,
}

/// `PATCH /backend/customers/{ref}`.
#[derive(ToSchema)]
#[schema(as = PartnerCustomerUpdateDocument)]
#[allow(dead_code)]
pub struct UpdateDocument {
    data: ChangedCustomer,
}

#[derive(ToSchema)]
#[schema(as = PartnerCustomerUpdateResource)]
#[allow(dead_code)]
struct ChangedCustomer {
    #[schema(rename = "type", inline)]
    kind: Customers,
    /// May be left out; when sent, the reference in the URL (409 otherwise).
    id: Option<String>,
    attributes: UpdateAttributes,
    #[schema(schema_with = request_relationships)]
    relationships: Option<()>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct RelatedLink {
    related: String,
}

fn group_data() -> Object {
    group_linkage(true)
}

/// `group`: always there (unless a sparse fieldset leaves it out), `null` for no group;
/// `links.related` when there is one.
#[derive(ToSchema)]
#[schema(as = PartnerCustomerGroupRelationship)]
#[allow(dead_code)]
struct GroupRelationship {
    #[schema(schema_with = group_data)]
    data: (),
    #[schema(required = false)]
    links: RelatedLink,
}

fn uuid() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("uuid".to_owned())))
        .build()
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct AddressIdentifier {
    #[schema(rename = "type", inline)]
    kind: Addresses,
    #[schema(schema_with = uuid)]
    id: String,
}

/// `addresses`: with `include=addresses` only.
#[derive(ToSchema)]
#[schema(as = PartnerCustomerAddressesRelationship)]
#[allow(dead_code)]
struct AddressesRelationship {
    data: Vec<AddressIdentifier>,
    links: RelatedLink,
}

#[derive(ToSchema)]
#[schema(as = PartnerCustomerRelationships)]
#[allow(dead_code)]
struct Relationships {
    #[schema(required = false)]
    group: GroupRelationship,
    #[schema(required = false)]
    addresses: AddressesRelationship,
}

/// A customer as partners see it (`fields[customers]` may leave out any attribute and
/// relationship).
#[derive(ToSchema)]
#[schema(as = PartnerCustomerResource)]
#[allow(dead_code)]
struct CustomerObject {
    #[schema(rename = "type", inline)]
    kind: Customers,
    #[schema(example = "DE--1")]
    id: String,
    attributes: PartnerCustomerAttributes,
    #[schema(required = false)]
    relationships: Relationships,
    links: SelfLink,
}

#[derive(ToSchema)]
#[schema(as = PartnerIncludedGroup)]
#[allow(dead_code)]
struct GroupObject {
    #[schema(rename = "type", inline)]
    kind: CustomerGroups,
    id: String,
    attributes: GroupAttributes,
    links: SelfLink,
}

#[derive(ToSchema)]
#[schema(as = PartnerIncludedAddress)]
#[allow(dead_code)]
struct AddressObject {
    #[schema(rename = "type", inline)]
    kind: Addresses,
    #[schema(schema_with = uuid)]
    id: String,
    attributes: AddressAttributes,
    links: SelfLink,
}

/// What `include=group,addresses` adds: each group and address once.
struct Included;

impl PartialSchema for Included {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Ref::from_schema_name(GroupObject::name()))
            .item(Ref::from_schema_name(AddressObject::name()))
            .into()
    }
}

impl ToSchema for Included {
    fn name() -> std::borrow::Cow<'static, str> {
        "PartnerIncludedResource".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((GroupObject::name().into(), GroupObject::schema()));
        GroupObject::schemas(schemas);
        schemas.push((AddressObject::name().into(), AddressObject::schema()));
        AddressObject::schemas(schemas);
    }
}

/// One customer; `included` when `include` was sent (`[]` when nothing matched).
#[derive(ToSchema)]
#[schema(as = PartnerCustomerDocument)]
#[allow(dead_code)]
pub struct CustomerDocument {
    jsonapi: JsonApiVersion,
    data: CustomerObject,
    #[schema(required = false)]
    included: Vec<Included>,
}

/// A page of customers: paging links, and `meta.page` with offset paging.
#[derive(ToSchema)]
#[schema(as = PartnerCustomerCollection)]
#[allow(dead_code)]
pub struct CustomerCollection {
    jsonapi: JsonApiVersion,
    data: Vec<CustomerObject>,
    #[schema(required = false)]
    included: Vec<Included>,
    links: PageLinks,
    #[schema(required = false)]
    meta: PageMeta,
}

/// Read attributes: the four states a customer can be in.
pub fn status_read() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(Status::ALL.iter().copied()))
        .examples(["active"])
        .build()
}

/// Timestamps as the service writes them (`Timestamp::FORMAT`, UTC).
pub fn timestamp() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(
            "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}$",
        ))
        .examples(["2026-11-23 08:15:02.694668"])
        .build()
}

/// [`timestamp`] or `null`.
pub fn optional_timestamp() -> Object {
    let mut object = timestamp();
    object.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    object
}

/// Text filters: any text but NUL (400 naming the filter); empty: no filter.
fn text_filter(description: &str) -> (Object, String) {
    let object = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(schema::text(false, false)))
        .build();
    (object, description.to_owned())
}

fn timestamp_filter(description: &str) -> (Object, String) {
    let object = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(timestamp_pattern()))
        .examples(["2026-11-29T08:00:00Z", "2026-11-29 08:00:00.123456"])
        .build();
    let text = format!(
        "{description}: an RFC 3339 date-time (`T`, `t` or a space before the time; `Z`, `z` or \
         `+hh:mm`/`-hh:mm`), or the form the service answers (`2026-11-29 08:00:00.123456`, UTC); \
         at most nine decimals, no leap second."
    );
    (object, text)
}

impl FilterSchemas for ListQuery {
    fn filter(name: &str) -> Option<(Object, String)> {
        Some(match name {
            "email" => text_filter("An email address, whole, in any case."),
            "q" => text_filter(
                "A prefix of the first name, last name or email, in any case (names compared as \
                 the service normalizes them).",
            ),
            "group" => text_filter("A customer group's id: its members (none for an unknown id)."),
            "status" => {
                let object = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(Status::ALL.iter().copied()))
                    .build();
                (object, "Customers in this state.".to_owned())
            }
            "createdAt][gte" => timestamp_filter("Created at or after"),
            "createdAt][lt" => timestamp_filter("Created before"),
            "updatedAt][gte" => timestamp_filter(
                "Changed at or after (what changed since the last sync; logins do not count)",
            ),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonapi::QuerySpecOf;

    #[test]
    fn every_filter_of_the_listing_has_a_schema() {
        for name in ListQuery::SPEC.filter {
            assert!(ListQuery::filter(name).is_some(), "{name}");
        }
    }

    fn matcher(pattern: &str) -> jsonschema::Validator {
        jsonschema::options()
            .build(&json!({"type": "string", "pattern": pattern}))
            .expect("pattern compiles")
    }

    #[test]
    fn the_bcrypt_pattern_is_the_check() {
        let pattern = matcher(domain::BCRYPT_PATTERN);
        let hash = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
        let mut values = vec![
            hash.to_owned(),
            hash.replacen("$2a$", "$2y$", 1),
            hash.replacen("$2a$10", "$2b$04", 1),
            hash.replacen("$2a$10", "$2b$31", 1),
            hash.replacen("$2a$10", "$2b$32", 1),
            hash.replacen("$2a$10", "$2b$03", 1),
            hash.replacen("$2a$10", "$2b$+9", 1),
            hash.replacen("$2a$", "$2x$", 1),
            hash.replacen('N', "é", 1),
            hash.replacen('N', "!", 1),
            hash[..59].to_owned(),
            format!("{hash}x"),
            format!("{hash}\n"),
            String::new(),
        ];
        values.extend((0..=99).map(|cost| hash.replacen("10", &format!("{cost:02}"), 1)));
        for value in values {
            assert_eq!(
                pattern.is_valid(&json!(value)),
                domain::is_bcrypt_hash(&value),
                "{value}"
            );
        }
    }

    #[test]
    fn the_timestamp_pattern_is_the_parser() {
        let pattern = matcher(&timestamp_pattern());
        let mut values = Vec::new();
        for year in [
            "0000", "0001", "0004", "1900", "1996", "2000", "2024", "2026", "2100", "9999",
        ] {
            for month in 0..=13 {
                for day in [0, 1, 9, 10, 19, 20, 28, 29, 30, 31, 32] {
                    values.push(format!("{year}-{month:02}-{day:02}T00:00:00Z"));
                }
            }
        }
        let date = "2026-11-29";
        for time in [
            "00:00:00",
            "23:59:59",
            "24:00:00",
            "12:60:00",
            "12:00:60",
            "1:00:00",
            "12:00",
            "12:00:00.1",
            "12:00:00.123456789",
            "12:00:00.1234567890",
            "12:00:00.",
            "12:00:00,5",
        ] {
            for separator in ["T", "t", " ", "", "x", "  "] {
                for offset in [
                    "",
                    "Z",
                    "z",
                    "+00:00",
                    "-00:00",
                    "+23:59",
                    "-23:59",
                    "+24:00",
                    "+01:60",
                    "+0100",
                    "+01",
                    "\u{2212}01:00",
                    " Z",
                    "UTC",
                    "Z ",
                ] {
                    values.push(format!("{date}{separator}{time}{offset}"));
                }
            }
        }
        values.extend(
            [
                "",
                "yesterday",
                "1767225600",
                "2026-01-01",
                "+2026-01-01T00:00:00Z",
                "202-01-01T00:00:00Z",
                "20260-01-01T00:00:00Z",
                "2026-1-01 00:00:00",
                "２０２６-01-01T00:00:00Z",
                "2026-01-01T00:00:00Zé",
            ]
            .map(str::to_owned),
        );
        let mut accepted = 0;
        for value in &values {
            let parsed = super::super::listing::parse_timestamp(value);
            assert_eq!(
                pattern.is_valid(&json!(value)),
                parsed.is_some(),
                "{value:?}"
            );
            accepted += usize::from(parsed.is_some());
        }
        assert!(accepted > 1000, "{accepted} of {}", values.len());
        let utc = super::super::listing::parse_timestamp("2026-11-29 08:00:00.5");
        let berlin = super::super::listing::parse_timestamp("2026-11-29t09:00:00.5+01:00");
        assert_eq!(utc, berlin);
        assert!(utc.is_some());
    }
}
