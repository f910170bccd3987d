//! The address book, `/customers/{ref}/addresses[/{uuid}]` (reference §1.5-§1.7, §2.6,
//! §3.2-§3.4; CONTRACT §3 items 12, 13, 23): create, read, change and delete, Spryker's
//! validation, the default shipping and billing addresses, ownership, `include=addresses` with
//! sparse fieldsets, the address limit and anonymization.
//!
//! This file holds what the topics share: valid attributes, paths and request helpers.

mod anonymize;
mod crud;
mod defaults;
mod include;
mod limit;
mod ownership;
mod validation;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{Customer, TestApp, TestResponse};

/// The attributes of an `addresses` resource, in Spryker's order (reference §2.6).
const ATTRIBUTES: [&str; 14] = [
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

/// Valid `POST` attributes (the sample of Spryker's documentation, with a company), neither
/// flag set.
fn valid() -> Value {
    json!({
        "salutation": "Mr",
        "firstName": "Spencor",
        "lastName": "Hopkin",
        "address1": "Third, 33, 11",
        "address2": "b",
        "address3": "aaa",
        "zipCode": "12312",
        "city": "Berlin",
        "iso2Code": "DE",
        "company": "Spryker",
        "phone": "22111-3-4-5",
        "isDefaultShipping": false,
        "isDefaultBilling": false
    })
}

/// Valid attributes with these changes.
fn valid_with(changes: &[(&str, Value)]) -> Value {
    let mut attributes = valid();
    for (field, value) in changes {
        attributes[*field] = value.clone();
    }
    attributes
}

/// Valid attributes with these flags.
fn flagged(shipping: bool, billing: bool) -> Value {
    valid_with(&[
        ("isDefaultShipping", json!(shipping)),
        ("isDefaultBilling", json!(billing)),
    ])
}

/// A request document of type `addresses`.
fn document(attributes: Value) -> Value {
    json!({"data": {"type": "addresses", "attributes": attributes}})
}

/// `/customers/{ref}/addresses`
fn collection(reference: &str) -> String {
    format!("/customers/{reference}/addresses")
}

/// `/customers/{ref}/addresses/{uuid}`
fn item(reference: &str, uuid: &str) -> String {
    format!("/customers/{reference}/addresses/{uuid}")
}

/// `POST` these attributes to the customer's own address book.
async fn post(app: &TestApp, customer: &Customer, attributes: Value) -> TestResponse {
    app.post(&collection(&customer.reference), &document(attributes))
        .bearer(&customer.access_token)
        .send()
        .await
}

/// Creates an address; returns its resource object.
async fn create(app: &TestApp, customer: &Customer, attributes: Value) -> Value {
    let response = post(app, customer, attributes).await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "POST address: {}",
        response.text
    );
    response.body["data"].clone()
}

/// Creates an address with valid attributes; returns its id.
async fn create_id(app: &TestApp, customer: &Customer) -> String {
    id(&create(app, customer, valid()).await)
}

/// The `id` of a resource object.
fn id(resource: &Value) -> String {
    resource["id"].as_str().expect("resource id").to_owned()
}

/// `PATCH` these attributes onto one of the customer's addresses.
async fn patch(app: &TestApp, customer: &Customer, uuid: &str, attributes: Value) -> TestResponse {
    app.patch(&item(&customer.reference, uuid), &document(attributes))
        .bearer(&customer.access_token)
        .send()
        .await
}

/// `GET` the customer's own address book; returns its resource objects.
async fn list(app: &TestApp, customer: &Customer) -> Vec<Value> {
    let response = app
        .get(&collection(&customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "GET addresses: {}",
        response.text
    );
    response.body["data"]
        .as_array()
        .expect("a collection")
        .clone()
}

/// `(id, isDefaultShipping, isDefaultBilling)` of every address, oldest first.
async fn flags(app: &TestApp, customer: &Customer) -> Vec<(String, bool, bool)> {
    list(app, customer)
        .await
        .iter()
        .map(|address| {
            let attributes = &address["attributes"];
            (
                id(address),
                attributes["isDefaultShipping"] == json!(true),
                attributes["isDefaultBilling"] == json!(true),
            )
        })
        .collect()
}

/// The error objects of an error document with this status.
#[track_caller]
fn errors(case: &str, response: &TestResponse, status: u16) -> Vec<Value> {
    assert_eq!(
        response.status.as_u16(),
        status,
        "{case}: {}",
        response.text
    );
    response.assert_error(status, None);
    response.body["errors"]
        .as_array()
        .expect("errors array")
        .clone()
}

/// Asserts exactly these `901`s, in this order: `field => message` with the field's pointer.
#[track_caller]
fn assert_violations(case: &str, response: &TestResponse, expected: &[(&str, &str)]) {
    let errors = errors(case, response, 422);
    let actual: Vec<(String, String, String, String)> = errors
        .iter()
        .map(|e| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                text(&e["code"]),
                text(&e["status"]),
                text(&e["detail"]),
                text(&e["source"]["pointer"]),
            )
        })
        .collect();
    let wanted: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(field, message)| {
            (
                "901".to_owned(),
                "422".to_owned(),
                format!("{field} => {message}"),
                format!("/data/attributes/{field}"),
            )
        })
        .collect();
    assert_eq!(actual, wanted, "{case}: {}", response.text);
}

/// Asserts a single error with this status, code and detail.
#[track_caller]
fn assert_only_error(case: &str, response: &TestResponse, status: u16, code: &str, detail: &str) {
    let errors = errors(case, response, status);
    assert_eq!(errors.len(), 1, "{case}: {}", response.text);
    assert_eq!(errors[0]["code"], json!(code), "{case}: {}", response.text);
    assert_eq!(
        errors[0]["detail"],
        json!(detail),
        "{case}: {}",
        response.text
    );
}

/// 404 `404`, the answer for any address that is not one of the customer's own.
#[track_caller]
fn assert_address_not_found(case: &str, response: &TestResponse) {
    assert_only_error(case, response, 404, "404", "Address was not found.");
}

/// 403 `411`, the answer for any reference that is not the token owner's.
#[track_caller]
fn assert_unauthorized(case: &str, response: &TestResponse) {
    assert_only_error(case, response, 403, "411", "Unauthorized request.");
}
