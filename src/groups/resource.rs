//! The `customer-groups` resource on the wire.

use serde::Serialize;
use utoipa::ToSchema;

use super::model::Group;
use crate::jsonapi::{Resource, ResourceKind};

pub const TYPE: &str = "customer-groups";

pub struct CustomerGroups;

impl ResourceKind for CustomerGroups {
    const TYPE: &'static str = TYPE;
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupAttributes {
    #[schema(example = "Wholesale")]
    pub name: String,
    pub description: Option<String>,
    /// New customers join the default group; there is always exactly one.
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
