//! Request documents whose resource object is wrong (CONTRACT §3 items 3, 21, 22): `type`
//! and `id`, a missing resource id in the path, extra top-level members, and where the
//! resulting errors point.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{
    assert_error_source, assert_framework_error, assert_nothing_was_created, get_own, own_path,
    registration_document,
};
use crate::helpers::{registration, spawn_app, JSON_API, PASSWORD};

const EMAIL: &str = "sonia@example.com";

/// A registration document for [`EMAIL`] whose resource object has these members besides
/// `attributes` (which comes last).
fn registration_with(mut data: Value) -> Value {
    data["attributes"] = registration(EMAIL, PASSWORD);
    json!({ "data": data })
}

/// The registrations refused with `Invalid type.`.
fn type_missing_or_empty() -> [(&'static str, Value); 2] {
    [
        ("type missing", registration_with(json!({}))),
        ("type empty", registration_with(json!({"type": ""}))),
    ]
}

/// A customers PATCH document: this `type` and `id`, a new `firstName`.
fn patch_document(resource_type: &str, id: &str, first_name: &str) -> Value {
    json!({"data": {"type": resource_type, "id": id, "attributes": {"firstName": first_name}}})
}

#[tokio::test]
async fn missing_or_empty_type_gets_400_invalid_type() {
    let app = spawn_app().await;
    for (case, body) in type_missing_or_empty() {
        let response = app.post("/customers", &body).send().await;
        assert_framework_error(&response, 400, "Invalid type.", case);
    }
    assert_nothing_was_created(&app, EMAIL, "after Invalid type.").await;
}

#[tokio::test]
async fn type_of_another_resource_on_post_gets_409() {
    let app = spawn_app().await;
    let body = registration_with(json!({"type": "addresses"}));

    let response = app.post("/customers", &body).send().await;

    let source = json!({"pointer": "/data/type"});
    assert_error_source(&response, 409, source, "type addresses");
    assert_nothing_was_created(&app, EMAIL, "409").await;
}

#[tokio::test]
async fn client_generated_id_on_post_gets_403_and_creates_nothing() {
    let app = spawn_app().await;
    for id in ["550e8400-e29b-41d4-a716-446655440000", "DE--1"] {
        let mut body = registration_document(EMAIL);
        body["data"]["id"] = json!(id);

        let response = app.post("/customers", &body).send().await;

        assert_error_source(&response, 403, json!({"pointer": "/data/id"}), id);
    }
    assert_nothing_was_created(&app, EMAIL, "client-generated id").await;
}

#[tokio::test]
async fn patch_with_another_customers_id_or_type_gets_409_and_changes_nothing() {
    let app = spawn_app().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let path = own_path(&alice);
    let cases = [
        (
            "id of another customer",
            patch_document("customers", &bob.reference, "Mallory"),
            "/data/id",
        ),
        (
            "type of another resource",
            patch_document("addresses", &alice.reference, "Mallory"),
            "/data/type",
        ),
    ];
    for (case, body, pointer) in cases {
        let response = app
            .patch(&path, &body)
            .bearer(&alice.access_token)
            .send()
            .await;
        assert_error_source(&response, 409, json!({ "pointer": pointer }), case);
    }
    for (who, customer) in [("alice", &alice), ("bob", &bob)] {
        let response = get_own(&app, customer, "").await;
        assert_eq!(response.status, StatusCode::OK, "{who}: {}", response.text);
        assert_eq!(
            response.body["data"]["attributes"]["firstName"],
            json!("Sonia"),
            "{who} unchanged"
        );
    }

    // The matching id is fine: the 409 is about the mismatch.
    let matching = patch_document("customers", &alice.reference, "Alice");
    let response = app
        .patch(&path, &matching)
        .bearer(&alice.access_token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        response.body["data"]["attributes"]["firstName"],
        json!("Alice")
    );
}

#[tokio::test]
async fn patch_and_delete_without_a_resource_id_get_400_resource_id_is_not_specified() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let body = json!({"data": {"type": "customers", "attributes": {"firstName": "Mallory"}}});
    for (token, with) in [
        (None, "without token"),
        (Some(customer.access_token.as_str()), "with token"),
    ] {
        let cases = [
            ("PATCH /customers/", app.patch("/customers/", &body)),
            ("DELETE /customers/", app.delete("/customers/")),
            ("DELETE /refresh-tokens/", app.delete("/refresh-tokens/")),
        ];
        for (case, mut request) in cases {
            if let Some(token) = token {
                request = request.bearer(token);
            }
            let response = request.send().await;
            let case = format!("{case} ({with})");
            assert_framework_error(&response, 400, "Resource id is not specified.", &case);
        }
    }
}

#[tokio::test]
async fn extra_top_level_members_are_ignored() {
    let app = spawn_app().await;
    let cases = [
        ("meta", json!({})),
        ("foo", json!(1)),
        ("jsonapi", json!({"version": "1.1"})),
    ];
    for (n, (member, value)) in cases.into_iter().enumerate() {
        let mut body = registration_document(&format!("extra-{n}@example.com"));
        body[member] = value;

        let response = app.post("/customers", &body).send().await;

        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{member}: {}",
            response.text
        );
        assert_eq!(response.header("content-type"), Some(JSON_API), "{member}");
    }
}

/// JSON:API §error-objects: `source.pointer` "MUST point to a value in the request document
/// that exists" (requirements A62).
#[tokio::test]
async fn error_pointers_point_at_values_that_exist_in_the_request() {
    let app = spawn_app().await;
    let cases = type_missing_or_empty().into_iter().chain([
        (
            "type addresses",
            registration_with(json!({"type": "addresses"})),
        ),
        (
            "client id",
            registration_with(json!({"type": "customers", "id": "x"})),
        ),
    ]);
    for (case, body) in cases {
        let response = app.post("/customers", &body).send().await;
        assert!(
            response.status.is_client_error(),
            "{case}: {}",
            response.text
        );
        for error in response.body["errors"].as_array().expect("errors") {
            if let Some(pointer) = error["source"]["pointer"].as_str() {
                assert!(
                    body.pointer(pointer).is_some(),
                    "{case}: source.pointer {pointer} does not exist in the request {body}"
                );
            }
        }
    }
}
