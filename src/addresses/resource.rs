//! The `addresses` resource on the wire (reference §2.6: attributes in Spryker's order), the
//! `addresses` relationship of a customer with its `included` resources (reference §1.7), and
//! the shapes the OpenAPI document shows.

use serde::Serialize;
use utoipa::ToSchema;

use super::domain::country_name;
use super::service::AddressView;
use crate::customers::choices::Salutation;
use crate::jsonapi::{
    QueryParams, QuerySpec, QuerySpecOf, Relationship, RelationshipLinks, Resource,
    ResourceIdentifier, ResourceKind,
};

pub const TYPE: &str = "addresses";

pub struct Addresses;

impl ResourceKind for Addresses {
    const TYPE: &'static str = TYPE;
}

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
    #[schema(example = "DE")]
    pub iso2_code: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub is_default_shipping: bool,
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

/// `POST` attributes (documentation; parsing is in `domain`).
#[derive(ToSchema)]
#[schema(as = AddressCreateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct CreateDoc {
    salutation: Salutation,
    #[schema(min_length = 1, max_length = 100)]
    first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    last_name: String,
    #[schema(min_length = 1, max_length = 255)]
    address1: String,
    #[schema(min_length = 1, max_length = 255)]
    address2: String,
    #[schema(max_length = 255)]
    address3: Option<String>,
    #[schema(min_length = 1, max_length = 15)]
    zip_code: String,
    #[schema(min_length = 3, max_length = 255)]
    city: String,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "DE", min_length = 2, max_length = 2)]
    iso2_code: String,
    #[schema(max_length = 255)]
    company: Option<String>,
    #[schema(max_length = 255)]
    phone: Option<String>,
    /// Required; `true` makes it the default shipping address (the first address always is).
    is_default_shipping: bool,
    /// Required; `true` makes it the default billing address (the first address always is).
    is_default_billing: bool,
}

/// `PATCH` attributes: every one optional; only those sent change.
#[derive(ToSchema)]
#[schema(as = AddressUpdateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UpdateDoc {
    salutation: Option<Salutation>,
    #[schema(max_length = 100)]
    first_name: Option<String>,
    #[schema(max_length = 100)]
    last_name: Option<String>,
    #[schema(max_length = 255)]
    address1: Option<String>,
    #[schema(max_length = 255)]
    address2: Option<String>,
    #[schema(max_length = 255)]
    address3: Option<String>,
    #[schema(max_length = 15)]
    zip_code: Option<String>,
    #[schema(min_length = 3, max_length = 255)]
    city: Option<String>,
    #[schema(example = "DE", min_length = 2, max_length = 2)]
    iso2_code: Option<String>,
    #[schema(max_length = 255)]
    company: Option<String>,
    #[schema(max_length = 255)]
    phone: Option<String>,
    is_default_shipping: Option<bool>,
    is_default_billing: Option<bool>,
}
