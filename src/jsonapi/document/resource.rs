//! Resource objects (JSON:API 1.1 "Resource Objects").

use serde::Serialize;
use serde_json::{Map, Value};

use super::relationship::{Relationship, Relationships, ResourceIdentifier};
use crate::jsonapi::QueryParams;

/// The `links` of a resource object.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: String,
}

/// A resource object. Attributes come from a typed struct and are held as a map so that
/// sparse fieldsets (`fields[type]=a,b`) can be applied uniformly.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub attributes: Map<String, Value>,
    #[serde(skip_serializing_if = "Relationships::is_empty")]
    pub relationships: Relationships,
    pub links: Links,
}

impl Resource {
    /// `attributes` must serialize to a JSON object (every `*Attributes` struct does).
    pub fn new(
        kind: &'static str,
        id: String,
        attributes: &impl Serialize,
        self_link: String,
    ) -> Self {
        let attributes = match serde_json::to_value(attributes) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        Self {
            kind,
            id,
            attributes,
            relationships: Relationships::default(),
            links: Links { self_: self_link },
        }
    }

    /// Adds (or replaces) the relationship `name`.
    pub fn with_relationship(
        mut self,
        name: impl Into<String>,
        relationship: Relationship,
    ) -> Self {
        let name = name.into();
        // JSON:API 1.1 "Fields": attributes and relationships share one namespace, which also
        // holds `type` and `id`; a clash is a bug in the resource module, not a client error.
        debug_assert!(
            name != "type" && name != "id" && !self.attributes.contains_key(&name),
            "relationship `{name}` clashes with a field of `{}`",
            self.kind
        );
        self.relationships.insert(name, relationship);
        self
    }

    /// The resource identifier object that points at this resource.
    pub fn identifier(&self) -> ResourceIdentifier {
        ResourceIdentifier::new(self.kind, self.id.clone())
    }

    /// Keeps only the fields named by `fields[<type>]`, if the client sent it. The list names
    /// attributes and relationships together (JSON:API 1.1 "Fields", "Sparse Fieldsets").
    pub(super) fn apply_fields(&mut self, query: &QueryParams) {
        if let Some(fields) = query.fields_for(self.kind) {
            let listed = |name: &str| fields.iter().any(|f| f == name);
            self.attributes.retain(|name, _| listed(name));
            self.relationships.retain(listed);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::schema_check::assert_valid;
    use super::super::Document;
    use super::*;
    use crate::jsonapi::QuerySpec;

    const SPEC: QuerySpec = QuerySpec {
        include: &["addresses"],
        fields: &[(
            "customers",
            &["email", "firstName", "addresses", "wishlists"],
        )],
        ..QuerySpec::NONE
    };

    fn customer() -> Resource {
        Resource::new(
            "customers",
            "DE--1".into(),
            &json!({"email": "a@b.c", "firstName": "Ada"}),
            "http://localhost/customers/DE--1".into(),
        )
        .with_relationship(
            "addresses",
            Relationship::to_many(vec![ResourceIdentifier::new("addresses", "a-1")]),
        )
        .with_relationship("wishlists", Relationship::to_many(Vec::new()))
    }

    fn cut(raw_query: &str) -> serde_json::Value {
        let query = QueryParams::parse(raw_query, &SPEC).expect("valid query");
        assert_valid(&Document::single(customer()).with_query(&query))
    }

    #[test]
    fn a_resource_without_relationships_has_no_relationships_member() {
        let resource = Resource::new("customers", "DE--1".into(), &json!({}), "http://h/c".into());
        let document = assert_valid(&Document::single(resource));
        assert_eq!(
            document["data"],
            json!({"type": "customers", "id": "DE--1", "attributes": {}, "links": {"self": "http://h/c"}})
        );
    }

    #[test]
    fn sparse_fieldsets_name_attributes_and_relationships_together() {
        let document = cut("fields[customers]=wishlists,email");
        assert_eq!(document["data"]["attributes"], json!({"email": "a@b.c"}));
        assert_eq!(
            document["data"]["relationships"],
            json!({"wishlists": {"data": []}})
        );
    }

    #[test]
    fn a_fieldset_without_relationships_drops_the_relationships_member() {
        let document = cut("fields[customers]=firstName");
        assert_eq!(document["data"]["attributes"], json!({"firstName": "Ada"}));
        assert!(document["data"].get("relationships").is_none());
    }

    #[test]
    fn without_a_fieldset_every_relationship_stays_in_its_order() {
        let document = serde_json::to_string(&Document::single(customer())).expect("serializes");
        let addresses = document.find("\"addresses\"").expect("addresses present");
        let wishlists = document.find("\"wishlists\"").expect("wishlists present");
        assert!(addresses < wishlists, "{document}");
        assert_valid(&Document::single(customer()));
    }
}
