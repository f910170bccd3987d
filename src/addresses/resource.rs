//! The `addresses` resource on the wire (reference §2.6: attributes in Spryker's order), the
//! `addresses` relationship of a customer with its `included` resources (reference §1.7), and
//! the shapes the OpenAPI document shows.

use serde::Serialize;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::domain::{self, country_name};
use super::service::AddressView;
use crate::jsonapi::openapi::type_schema;
use crate::jsonapi::{
    QueryParams, QuerySpec, QuerySpecOf, Relationship, RelationshipLinks, Resource,
    ResourceIdentifier, ResourceKind,
};
use crate::validation::schema;

pub const TYPE: &str = "addresses";

pub struct Addresses;

impl ResourceKind for Addresses {
    const TYPE: &'static str = TYPE;
}

type_schema!(Addresses);

/// The id of an address in a URL: a random UUID the service assigned (CONTRACT §3 item 12).
pub struct AddressId;

impl PartialSchema for AddressId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("uuid".to_owned())))
            .into()
    }
}

impl ToSchema for AddressId {}

pub const FIELDS: &[&str] = &[
    "salutation",
    "firstName",
    "lastName",
    "address1",
    "address2",
    "address3",
    "zipCode",
    "city",
    "country",
    "iso2Code",
    "company",
    "phone",
    "isDefaultShipping",
    "isDefaultBilling",
];

/// `fields[addresses]` on the address routes.
pub struct AddressQuery;

impl QuerySpecOf for AddressQuery {
    const SPEC: QuerySpec = QuerySpec {
        fields: &[(TYPE, FIELDS)],
        ..QuerySpec::NONE
    };
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddressAttributes {
    #[schema(example = "Mrs")]
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub address3: Option<String>,
    pub zip_code: Option<String>,
    pub city: Option<String>,
    /// The English name of `iso2Code`.
    #[schema(example = "Germany")]
    pub country: Option<String>,
    // Not `required`: a sparse fieldset (`fields[addresses]`) may leave any attribute out.
    #[schema(example = "DE", required = false)]
    pub iso2_code: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    #[schema(required = false)]
    pub is_default_shipping: bool,
    #[schema(required = false)]
    pub is_default_billing: bool,
}

impl From<&AddressView> for AddressAttributes {
    fn from(view: &AddressView) -> Self {
        let a = &view.address;
        Self {
            salutation: a.salutation.clone(),
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            address1: a.address1.clone(),
            address2: a.address2.clone(),
            address3: a.address3.clone(),
            zip_code: a.zip_code.clone(),
            city: a.city.clone(),
            country: country_name(&a.iso2_code).map(str::to_owned),
            iso2_code: a.iso2_code.clone(),
            company: a.company.clone(),
            phone: a.phone.clone(),
            is_default_shipping: view.default_shipping,
            is_default_billing: view.default_billing,
        }
    }
}

/// `{public}/customers/{ref}/addresses`
pub fn collection_url(public_url: &str, reference: &str) -> String {
    format!("{public_url}/customers/{reference}/{TYPE}")
}

/// The resource object; `links.self` is the address's own URL.
pub fn address_resource(view: &AddressView, public_url: &str, reference: &str) -> Resource {
    let self_link = format!(
        "{}/{}",
        collection_url(public_url, reference),
        view.address.uuid
    );
    Resource::new(
        TYPE,
        view.address.uuid.clone(),
        &AddressAttributes::from(view),
        self_link,
    )
}

/// reference §1.7: `include=addresses` on a customer: the relationship with full linkage and
/// a `related` link, and the address resources for `included`.
pub fn with_addresses(
    customer: Resource,
    addresses: &[AddressView],
    public_url: &str,
) -> (Resource, Vec<Resource>) {
    let reference = customer.id.clone();
    let identifiers = addresses
        .iter()
        .map(|a| ResourceIdentifier::new(TYPE, a.address.uuid.clone()))
        .collect();
    let relationship = Relationship::to_many(identifiers).with_links(
        RelationshipLinks::related_only(collection_url(public_url, &reference)),
    );
    let included = addresses
        .iter()
        .map(|a| address_resource(a, public_url, &reference))
        .collect();
    (customer.with_relationship(TYPE, relationship), included)
}

/// True when the request asked for the customers' addresses.
pub fn wanted(query: &QueryParams) -> bool {
    query.includes(TYPE)
}

/// `POST` attributes (documentation; parsing is in `domain`, whose rule lists the schemas
/// below are built from).
#[derive(ToSchema)]
#[schema(as = AddressCreateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct CreateDoc {
    #[schema(schema_with = salutation_schema)]
    salutation: String,
    #[schema(schema_with = name_schema)]
    first_name: String,
    #[schema(schema_with = name_schema)]
    last_name: String,
    #[schema(schema_with = line_schema)]
    address1: String,
    #[schema(schema_with = line_schema)]
    address2: String,
    #[schema(schema_with = optional_line_schema)]
    address3: Option<String>,
    #[schema(schema_with = zip_schema)]
    zip_code: String,
    #[schema(schema_with = city_schema)]
    city: String,
    #[schema(schema_with = country_schema)]
    iso2_code: String,
    #[schema(schema_with = optional_line_schema)]
    company: Option<String>,
    #[schema(schema_with = optional_line_schema)]
    phone: Option<String>,
    #[schema(schema_with = default_schema)]
    is_default_shipping: bool,
    #[schema(schema_with = default_schema)]
    is_default_billing: bool,
}

/// `PATCH` attributes: every one optional; only those sent change, checked as on `POST`.
#[derive(ToSchema)]
#[schema(as = AddressUpdateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UpdateDoc {
    #[schema(schema_with = salutation_schema)]
    salutation: Option<String>,
    #[schema(schema_with = name_schema)]
    first_name: Option<String>,
    #[schema(schema_with = name_schema)]
    last_name: Option<String>,
    #[schema(schema_with = line_schema)]
    address1: Option<String>,
    #[schema(schema_with = line_schema)]
    address2: Option<String>,
    #[schema(schema_with = optional_line_schema)]
    address3: Option<String>,
    #[schema(schema_with = zip_schema)]
    zip_code: Option<String>,
    #[schema(schema_with = city_schema)]
    city: Option<String>,
    #[schema(schema_with = country_schema)]
    iso2_code: Option<String>,
    #[schema(schema_with = optional_line_schema)]
    company: Option<String>,
    #[schema(schema_with = optional_line_schema)]
    phone: Option<String>,
    #[schema(schema_with = default_schema)]
    is_default_shipping: Option<bool>,
    #[schema(schema_with = default_schema)]
    is_default_billing: Option<bool>,
}

const PLAIN: &str = "Plain text: no control or bidirectional-override characters.";

fn salutation_schema() -> Object {
    schema::string(domain::SALUTATION_RULES).build()
}

fn name_schema() -> Object {
    schema::string(domain::NAME_RULES)
        .description(Some(PLAIN))
        .build()
}

fn line_schema() -> Object {
    schema::string(domain::LINE_RULES)
        .description(Some(PLAIN))
        .build()
}

fn optional_line_schema() -> Object {
    schema::string(domain::OPTIONAL_LINE_RULES)
        .description(Some(PLAIN))
        .build()
}

fn zip_schema() -> Object {
    schema::string(domain::ZIP_RULES)
        .description(Some(PLAIN))
        .build()
}

fn city_schema() -> Object {
    schema::string(domain::CITY_RULES)
        .description(Some(PLAIN))
        .build()
}

fn country_schema() -> Object {
    schema::string(domain::ISO2_RULES)
        .pattern(Some(domain::country_pattern()))
        .description(Some(
            "ISO 3166-1 alpha-2, either case (stored in upper case); `country` in the answer is its English name.",
        ))
        .examples(["DE"])
        .build()
}

fn default_schema() -> Object {
    schema::boolean()
        .description(Some(
            "`true` makes it the default address of its kind (the first address always is); `false` or `null` leaves the default where it is.",
        ))
        .build()
}
