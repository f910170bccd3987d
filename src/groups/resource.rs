//! The `customer-groups` resource on the wire, and the shapes the OpenAPI document shows.

use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::schema::Object;
use utoipa::ToSchema;

use super::model::Group;
use super::service;
use crate::jsonapi::openapi::type_schema;
use crate::jsonapi::{Resource, ResourceKind};
use crate::validation::schema;

pub const TYPE: &str = "customer-groups";

pub struct CustomerGroups;

impl ResourceKind for CustomerGroups {
    const TYPE: &'static str = TYPE;
}

type_schema!(CustomerGroups);

/// A group's attributes. None is `required`: a sparse fieldset (`fields[customer-groups]`) may
/// leave any out.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupAttributes {
    #[schema(example = "Wholesale", required = false)]
    pub name: String,
    pub description: Option<String>,
    /// New customers join the default group; there is always exactly one.
    #[schema(required = false)]
    pub is_default: bool,
}

pub fn group_resource(group: &Group, public_url: &str) -> Resource {
    Resource::new(
        TYPE,
        group.key.clone(),
        &GroupAttributes {
            name: group.name.clone(),
            description: group.description.clone(),
            is_default: group.is_default,
        },
        format!("{public_url}/backend/{TYPE}/{}", group.key),
    )
}

/// `POST /backend/customer-groups` attributes (documentation; parsing is in `service`, whose
/// rule lists the schemas below are built from).
#[derive(ToSchema)]
#[schema(as = CustomerGroupCreateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct CreateDoc {
    #[schema(schema_with = name_schema)]
    name: String,
    #[schema(schema_with = description_schema)]
    description: Option<String>,
    #[schema(schema_with = default_schema)]
    is_default: Option<bool>,
}

/// `PATCH /backend/customer-groups/{groupId}` attributes: every one optional; only those sent
/// change, checked as on `POST`.
#[derive(ToSchema)]
#[schema(as = CustomerGroupUpdateAttributes, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UpdateDoc {
    #[schema(schema_with = name_schema)]
    name: Option<String>,
    #[schema(schema_with = description_schema)]
    description: Option<String>,
    #[schema(schema_with = default_schema)]
    is_default: Option<bool>,
}

const PLAIN: &str = "Plain text: no control or bidirectional-override characters.";

fn name_schema() -> Object {
    schema::string(service::NAME_RULES)
        .description(Some(format!(
            "Unique among the groups (422 for a name in use). {PLAIN}"
        )))
        .examples(["Wholesale"])
        .build()
}

fn description_schema() -> Object {
    schema::string(service::DESCRIPTION_RULES)
        .description(Some(format!("`null` clears it. {PLAIN}")))
        .build()
}

/// `true` makes the group the default one; `false` is refused (there is always a default
/// group: make another one the default instead).
fn default_schema() -> Object {
    schema::boolean()
        .enum_values(Some([Value::Bool(true), Value::Null]))
        .description(Some(
            "`true` makes this the default group (the one new customers join); `false` is refused \
             (422): make another group the default instead. `null` changes nothing.",
        ))
        .build()
}
