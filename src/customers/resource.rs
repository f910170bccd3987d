//! The `customers` resource on the wire (reference §2.1 response attributes, in Spryker's
//! order) and the shapes the OpenAPI document shows.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use super::choices::{Gender, Salutation};
use super::model::Customer;
use crate::addresses::resource::FIELDS as ADDRESS_FIELDS;
use crate::jsonapi::{QueryParams, QuerySpec, QuerySpecOf, Resource, ResourceKind, Timestamp};

pub const TYPE: &str = "customers";

pub struct Customers;

impl ResourceKind for Customers {
    const TYPE: &'static str = TYPE;
}

pub const FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "gender",
    "dateOfBirth",
    "salutation",
    "createdAt",
    "updatedAt",
];

pub struct CustomerConfirmations;

impl ResourceKind for CustomerConfirmations {
    const TYPE: &'static str = "customer-confirmation";
}

/// `POST /customer-confirmation` attributes (documentation; parsing is in `domain`).
#[derive(ToSchema)]
#[schema(as = CustomerConfirmationAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ConfirmationDoc {
    /// The key from the confirmation email's link (`token`).
    registration_key: String,
}

/// What `fields[customers]` may name: the attributes and the `addresses` relationship.
const FIELDSET: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "gender",
    "dateOfBirth",
    "salutation",
    "createdAt",
    "updatedAt",
    "addresses",
];

/// `include=addresses`, `fields[customers]`, `fields[addresses]` (reference §1.7).
pub struct CustomerQuery;

impl QuerySpecOf for CustomerQuery {
    const SPEC: QuerySpec = QuerySpec {
        include: &["addresses"],
        fields: &[(TYPE, FIELDSET), ("addresses", ADDRESS_FIELDS)],
        ..QuerySpec::NONE
    };
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAttributes {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    // Not `required`: a sparse fieldset (`fields[customers]`) may leave any attribute out.
    #[schema(required = false)]
    pub email: String,
    #[schema(example = "Female")]
    pub gender: Option<String>,
    #[schema(value_type = Option<String>, format = Date, example = "1990-05-17")]
    pub date_of_birth: Option<NaiveDate>,
    #[schema(example = "Mrs")]
    pub salutation: Option<String>,
    #[serde(serialize_with = "Timestamp::serialize")]
    #[schema(value_type = String, required = false, example = "2026-11-23 08:15:02.694668")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "Timestamp::serialize")]
    #[schema(value_type = String, required = false, example = "2026-11-23 08:15:02.694668")]
    pub updated_at: NaiveDateTime,
}

impl From<&Customer> for CustomerAttributes {
    fn from(c: &Customer) -> Self {
        Self {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            gender: c.gender.clone(),
            date_of_birth: c.date_of_birth,
            salutation: c.salutation.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The resource object; `links.self` echoes the request's query (reference §1.2).
pub fn customer_resource(customer: &Customer, public_url: &str, query: &QueryParams) -> Resource {
    let self_link = query.link(format!(
        "{public_url}/{TYPE}/{}",
        customer.customer_reference
    ));
    Resource::new(
        TYPE,
        customer.customer_reference.clone(),
        &CustomerAttributes::from(customer),
        self_link,
    )
}

/// `POST /customers` attributes (documentation; parsing is in `domain`, whose rules these
/// limits repeat: 12 characters minimum, 72 bytes maximum, at least one upper-case letter,
/// lower-case letter, digit and special character, no run of three, not a common password).
#[derive(ToSchema)]
#[schema(as = CustomerRegistrationAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RegistrationDoc {
    #[schema(example = "sonia@example.com", format = Email, max_length = 100)]
    email: String,
    gender: Gender,
    salutation: Salutation,
    #[schema(example = "Sonia", min_length = 1, max_length = 100)]
    first_name: String,
    #[schema(example = "Wagner", min_length = 1, max_length = 100)]
    last_name: String,
    #[schema(example = "change-Me-2026!", min_length = 12, max_length = 72)]
    password: String,
    #[schema(example = "change-Me-2026!", min_length = 12, max_length = 72)]
    confirm_password: String,
    /// Must be `true`.
    accepted_terms: bool,
    #[schema(format = Date)]
    date_of_birth: Option<String>,
}

/// `PATCH /customers/{ref}` attributes (documentation): every attribute optional.
#[derive(ToSchema)]
#[schema(as = CustomerUpdateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UpdateDoc {
    #[schema(format = Email, max_length = 100)]
    email: Option<String>,
    gender: Option<Gender>,
    salutation: Option<Salutation>,
    #[schema(min_length = 1, max_length = 100)]
    first_name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    last_name: Option<String>,
    #[schema(format = Date)]
    date_of_birth: Option<String>,
    /// Accepted and ignored, as Spryker does: it is validated like a new password but never
    /// applied. Change a password with `PATCH /customer-password/{customerReference}`.
    #[schema(min_length = 12, max_length = 72)]
    password: Option<String>,
    /// Accepted and ignored with `password`; must equal it when both are sent.
    #[schema(min_length = 12, max_length = 72)]
    confirm_password: Option<String>,
}
