//! A customer as partners see it (type `customers`, id = customerReference as on the
//! storefront): the storefront attributes plus `status`, `acceptedMarketing`, `confirmedAt`,
//! `lastLoginAt`; relationships `group` and (when included) `addresses`; and an `ETag` over
//! exactly what the partner sees.

use chrono::NaiveDateTime;
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::schema;
use crate::customers::model::Customer;
use crate::jsonapi::{Relationship, RelationshipLinks, Resource, ResourceIdentifier, Timestamp};

pub const TYPE: &str = "customers";
pub const GROUP_TYPE: &str = "customer-groups";

fn optional_timestamp<S: Serializer>(
    value: &Option<NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(at) => Timestamp::serialize(at, s),
        None => s.serialize_none(),
    }
}

/// A partner's view of a customer's attributes. None is `required`: a sparse fieldset
/// (`fields[customers]`) may leave any out.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerCustomerAttributes {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// An anonymized customer's is a placeholder of the service.
    #[schema(required = false)]
    pub email: String,
    #[schema(example = "Female")]
    pub gender: Option<String>,
    #[schema(value_type = Option<String>, format = Date, example = "1990-05-17")]
    pub date_of_birth: Option<chrono::NaiveDate>,
    #[schema(example = "Ms")]
    pub salutation: Option<String>,
    #[schema(schema_with = schema::status_read, required = false)]
    pub status: &'static str,
    #[schema(required = false)]
    pub accepted_marketing: bool,
    #[serde(serialize_with = "Timestamp::serialize")]
    #[schema(schema_with = schema::timestamp, required = false)]
    pub created_at: NaiveDateTime,
    /// Changes to the customer's data (not logins).
    #[serde(serialize_with = "Timestamp::serialize")]
    #[schema(schema_with = schema::timestamp, required = false)]
    pub updated_at: NaiveDateTime,
    /// When the email address was confirmed (or the account made confirmed).
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(schema_with = schema::optional_timestamp, required = false)]
    pub confirmed_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "optional_timestamp")]
    #[schema(schema_with = schema::optional_timestamp, required = false)]
    pub last_login_at: Option<NaiveDateTime>,
}

impl From<&Customer> for PartnerCustomerAttributes {
    fn from(c: &Customer) -> Self {
        Self {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            gender: c.gender.clone(),
            date_of_birth: c.date_of_birth,
            salutation: c.salutation.clone(),
            status: c.status().as_str(),
            accepted_marketing: c.accepted_marketing,
            created_at: c.created_at,
            updated_at: c.updated_at,
            confirmed_at: c.registered_at,
            last_login_at: c.last_login_at,
        }
    }
}

pub fn self_url(public_url: &str, reference: &str) -> String {
    format!("{public_url}/backend/{TYPE}/{reference}")
}

pub fn group_url(public_url: &str, key: &str) -> String {
    format!("{public_url}/backend/{GROUP_TYPE}/{key}")
}

/// The resource with its `group` relationship (null when in none).
pub fn partner_resource(
    customer: &Customer,
    group_key: Option<&str>,
    public_url: &str,
) -> Resource {
    let reference = &customer.customer_reference;
    let group = Relationship::to_one(group_key.map(|k| ResourceIdentifier::new(GROUP_TYPE, k)));
    let group = match group_key {
        Some(key) => group.with_links(RelationshipLinks::related_only(group_url(public_url, key))),
        None => group,
    };
    Resource::new(
        TYPE,
        reference.clone(),
        &PartnerCustomerAttributes::from(customer),
        self_url(public_url, reference),
    )
    .with_relationship("group", group)
}

/// A strong ETag over what a partner sees of the customer: any change to it, a login included
/// (`lastLoginAt`), gives another.
pub fn etag(customer: &Customer, group_key: Option<&str>) -> String {
    let attributes =
        serde_json::to_vec(&PartnerCustomerAttributes::from(customer)).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(customer.customer_reference.as_bytes());
    hasher.update(&attributes);
    hasher.update(group_key.unwrap_or("").as_bytes());
    let digest = hasher.finalize();
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// `If-Match` (RFC 9110 §13.1.1): `*` or a list of strong ETags, one of which must be current.
pub fn if_match_allows(header: Option<&str>, current: &str) -> bool {
    match header {
        None => true,
        Some(value) => value
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag == current),
    }
}

#[cfg(test)]
mod tests {
    use super::if_match_allows;

    #[test]
    fn if_match_takes_star_or_the_current_tag_among_several() {
        assert!(if_match_allows(None, "\"a\""));
        assert!(if_match_allows(Some("*"), "\"a\""));
        assert!(if_match_allows(Some("\"b\", \"a\""), "\"a\""));
        assert!(!if_match_allows(Some("\"b\""), "\"a\""));
        assert!(
            !if_match_allows(Some("W/\"a\""), "\"a\""),
            "a weak tag never matches"
        );
    }
}
