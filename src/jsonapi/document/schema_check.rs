//! The JSON:API 1.1 response schema for unit tests, with `format` checked: links must be valid
//! URIs (CONTRACT §3 item 25), which a plain validator would only annotate.

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text = include_str!("../../../tests/api/jsonapi-schema-1.1.json");
        let schema: Value = serde_json::from_str(text).expect("schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles")
    })
}

/// Serializes `document`, asserts that it is a valid JSON:API 1.1 response and returns it.
#[track_caller]
pub(super) fn assert_valid(document: &impl Serialize) -> Value {
    let value = serde_json::to_value(document).expect("document serializes");
    let errors: Vec<String> = validator()
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "not a valid JSON:API document: {errors:?}\n{value:#}"
    );
    value
}

#[test]
fn the_check_refuses_raw_brackets_in_links_and_empty_relationship_objects() {
    let raw_brackets = serde_json::json!({
        "data": [],
        "links": {"self": "http://localhost/customers?page[limit]=1"},
    });
    assert!(!validator().is_valid(&raw_brackets));
    let empty_relationship = serde_json::json!({
        "data": {"type": "customers", "id": "DE--1", "relationships": {"addresses": {}}},
    });
    assert!(!validator().is_valid(&empty_relationship));
}
