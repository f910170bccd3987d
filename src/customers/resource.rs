//! The `customers` resource on the wire (reference §2.1 response attributes, in Spryker's
//! order) and the shapes the OpenAPI document shows.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use utoipa::openapi::schema::{KnownFormat, Object, SchemaFormat};

use super::domain;
use super::model::Customer;
use crate::addresses::resource::FIELDS as ADDRESS_FIELDS;
use crate::credentials::policy;
use crate::jsonapi::openapi::type_schema;
use crate::jsonapi::{QueryParams, QuerySpec, QuerySpecOf, Resource, ResourceKind, Timestamp};
use crate::settings::PasswordPolicy;
use crate::validation::schema;

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

type_schema!(Customers, CustomerConfirmations);

/// `POST /customer-confirmation` attributes (documentation; parsing is in `domain`).
#[derive(ToSchema)]
#[schema(as = CustomerConfirmationAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ConfirmationDoc {
    #[schema(schema_with = key_schema)]
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

/// `POST /customers` attributes (documentation; parsing is in `domain`, whose rule lists the
/// schemas below are built from).
#[derive(ToSchema)]
#[schema(as = CustomerRegistrationAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RegistrationDoc {
    #[schema(schema_with = email_schema)]
    email: String,
    #[schema(schema_with = gender_schema)]
    gender: String,
    #[schema(schema_with = salutation_schema)]
    salutation: String,
    #[schema(schema_with = name_schema)]
    first_name: String,
    #[schema(schema_with = name_schema)]
    last_name: String,
    #[schema(schema_with = password_schema)]
    password: String,
    #[schema(schema_with = confirm_schema)]
    confirm_password: String,
    #[schema(schema_with = schema::must_be_true)]
    accepted_terms: bool,
    #[schema(schema_with = date_schema)]
    date_of_birth: Option<String>,
}

/// `PATCH /customers/{ref}` attributes (documentation): every attribute optional; those sent
/// are checked as on registration.
#[derive(ToSchema)]
#[schema(as = CustomerUpdateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UpdateDoc {
    #[schema(schema_with = email_schema)]
    email: Option<String>,
    #[schema(schema_with = gender_schema)]
    gender: Option<String>,
    #[schema(schema_with = salutation_schema)]
    salutation: Option<String>,
    #[schema(schema_with = name_schema)]
    first_name: Option<String>,
    #[schema(schema_with = name_schema)]
    last_name: Option<String>,
    #[schema(schema_with = date_schema)]
    date_of_birth: Option<String>,
    /// Accepted and ignored, as Spryker does: it is validated like a new password but never
    /// applied. Change a password with `PATCH /customer-password/{customerReference}`.
    #[schema(schema_with = ignored_password_schema)]
    password: Option<String>,
    #[schema(schema_with = confirm_schema)]
    confirm_password: Option<String>,
}

/// `email`: the validator's rules, then Spryker's Zed checks (`416`, `417`).
fn email_schema() -> Object {
    schema::string(domain::EMAIL_RULES)
        .pattern(Some(schema::email(true)))
        .max_length(Some(domain::EMAIL_MAX))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .examples(["sonia@example.com"])
        .build()
}

fn gender_schema() -> Object {
    schema::string(domain::GENDER_RULES).build()
}

fn salutation_schema() -> Object {
    schema::string(domain::SALUTATION_RULES).build()
}

fn name_schema() -> Object {
    schema::string(domain::NAME_RULES)
        .description(Some(
            "Plain text: no control or bidirectional-override characters.",
        ))
        .build()
}

fn date_schema() -> Object {
    schema::string(domain::DATE_RULES)
        .examples(["1990-05-17"])
        .build()
}

fn password_schema() -> Object {
    policy::new_password_schema(&PasswordPolicy::default())
}

fn ignored_password_schema() -> Object {
    let mut object = password_schema();
    object.description = Some(format!(
        "Accepted and ignored, as Spryker does: validated like a new password, never applied; \
         when sent, `confirmPassword` must equal it. {}",
        object.description.unwrap_or_default()
    ));
    object
}

fn confirm_schema() -> Object {
    policy::confirm_schema(&PasswordPolicy::default(), "password")
}

fn key_schema() -> Object {
    schema::string(domain::KEY_RULES)
        .description(Some(
            "The key from the confirmation email's link (`token`).",
        ))
        .build()
}
