//! Relationships of a resource object (JSON:API 1.1 "Relationships"): resource linkage and links.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// A resource identifier object. `type` + `id` is also what makes a resource unique within a
/// document (JSON:API 1.1 "Compound Documents"), so compound documents deduplicate on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ResourceIdentifier {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
}

impl ResourceIdentifier {
    pub fn new(kind: &'static str, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

/// Resource linkage: `null` or one identifier for a to-one relationship, an array (possibly
/// empty) for a to-many one. The two empty cases differ on the wire, hence two variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Linkage {
    ToOne(Option<ResourceIdentifier>),
    ToMany(Vec<ResourceIdentifier>),
}

/// The `links` of a relationship. Only built with at least one link: an empty links object
/// would satisfy the schema's "links, data or meta" rule while telling the client nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelationshipLinks {
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    self_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    related: Option<String>,
}

impl RelationshipLinks {
    /// `self` is the relationship URL (the linkage itself); `related` the related resource(s).
    pub fn self_and_related(self_url: String, related_url: String) -> Self {
        Self {
            self_: Some(self_url),
            related: Some(related_url),
        }
    }

    pub fn self_only(self_url: String) -> Self {
        Self {
            self_: Some(self_url),
            related: None,
        }
    }

    pub fn related_only(related_url: String) -> Self {
        Self {
            self_: None,
            related: Some(related_url),
        }
    }

    pub fn self_link(&self) -> Option<&str> {
        self.self_.as_deref()
    }

    pub fn related_link(&self) -> Option<&str> {
        self.related.as_deref()
    }
}

/// A relationship object. Every constructor sets `data` or `links`, so the object always
/// carries one of the members JSON:API 1.1 "Relationships" requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relationship {
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<RelationshipLinks>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Linkage>,
}

impl Relationship {
    /// `None` is an empty to-one relationship and serializes as `"data": null`.
    pub fn to_one(target: Option<ResourceIdentifier>) -> Self {
        Self {
            links: None,
            data: Some(Linkage::ToOne(target)),
        }
    }

    /// An empty `targets` serializes as `"data": []`.
    pub fn to_many(targets: Vec<ResourceIdentifier>) -> Self {
        Self {
            links: None,
            data: Some(Linkage::ToMany(targets)),
        }
    }

    /// Links without linkage: for relationships the client was not asked to `include`, where
    /// loading the targets just to list their ids would cost a query for nothing.
    pub fn from_links(links: RelationshipLinks) -> Self {
        Self {
            links: Some(links),
            data: None,
        }
    }

    pub fn with_links(mut self, links: RelationshipLinks) -> Self {
        self.links = Some(links);
        self
    }

    pub fn links(&self) -> Option<&RelationshipLinks> {
        self.links.as_ref()
    }

    pub fn data(&self) -> Option<&Linkage> {
        self.data.as_ref()
    }
}

/// The `relationships` member, in insertion order: a list rather than a map so that the order
/// on the wire is the order the resource module chose, whatever serde_json's map features are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relationships(Vec<(String, Relationship)>);

impl Relationships {
    /// Adds a relationship, or replaces the one of the same name where it stands: a member
    /// name may appear only once in a JSON object.
    pub fn insert(&mut self, name: String, relationship: Relationship) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => *existing = relationship,
            None => self.0.push((name, relationship)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Relationship> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, r)| r)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Relationship)> {
        self.0.iter().map(|(n, r)| (n.as_str(), r))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.0.retain(|(name, _)| keep(name));
    }
}

impl Serialize for Relationships {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, relationship) in &self.0 {
            map.serialize_entry(name, relationship)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::schema_check::assert_valid;
    use super::super::{Document, Resource};
    use super::*;

    fn customer() -> Resource {
        Resource::new(
            "customers",
            "DE--1".into(),
            &json!({"email": "a@b.c"}),
            "http://localhost/customers/DE--1".into(),
        )
    }

    fn relationships_of(document: &Value) -> &Value {
        &document["data"]["relationships"]
    }

    #[test]
    fn to_one_null_and_to_many_empty_relationships_serialize_validly() {
        let resource = customer()
            .with_relationship("defaultBillingAddress", Relationship::to_one(None))
            .with_relationship("addresses", Relationship::to_many(Vec::new()));
        let document = assert_valid(&Document::single(resource));
        assert_eq!(
            relationships_of(&document),
            &json!({
                "defaultBillingAddress": {"data": null},
                "addresses": {"data": []},
            })
        );
    }

    #[test]
    fn linkage_and_links_serialize_as_json_api_requires() {
        let address = ResourceIdentifier::new("addresses", "a-1");
        let resource = customer()
            .with_relationship(
                "defaultShippingAddress",
                Relationship::to_one(Some(address.clone())),
            )
            .with_relationship(
                "addresses",
                Relationship::to_many(vec![address]).with_links(
                    RelationshipLinks::self_and_related(
                        "http://localhost/customers/DE--1/relationships/addresses".into(),
                        "http://localhost/customers/DE--1/addresses".into(),
                    ),
                ),
            )
            .with_relationship(
                "wishlists",
                Relationship::from_links(RelationshipLinks::related_only(
                    "http://localhost/customers/DE--1/wishlists".into(),
                )),
            );
        let document = assert_valid(&Document::single(resource));
        assert_eq!(
            relationships_of(&document),
            &json!({
                "defaultShippingAddress": {"data": {"type": "addresses", "id": "a-1"}},
                "addresses": {
                    "links": {
                        "self": "http://localhost/customers/DE--1/relationships/addresses",
                        "related": "http://localhost/customers/DE--1/addresses",
                    },
                    "data": [{"type": "addresses", "id": "a-1"}],
                },
                "wishlists": {"links": {"related": "http://localhost/customers/DE--1/wishlists"}},
            })
        );
    }

    #[test]
    fn relationships_keep_insertion_order_and_replace_in_place() {
        let mut relationships = Relationships::default();
        for name in ["zeta", "alpha", "mu"] {
            relationships.insert(name.into(), Relationship::to_many(Vec::new()));
        }
        relationships.insert("alpha".into(), Relationship::to_one(None));
        let names: Vec<&str> = relationships.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["zeta", "alpha", "mu"]);
        assert_eq!(
            relationships.get("alpha").and_then(Relationship::data),
            Some(&Linkage::ToOne(None))
        );
        let text = serde_json::to_string(&relationships).expect("serializes");
        assert_eq!(
            text,
            r#"{"zeta":{"data":[]},"alpha":{"data":null},"mu":{"data":[]}}"#
        );
    }
}
