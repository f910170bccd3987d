//! Sparse fieldsets (CONTRACT §3 items 23, 25): `fields[customers]`, in either spelling of
//! the brackets.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::get_own_ok;
use crate::helpers::spawn_app;

/// The names of the primary resource's attributes.
fn attribute_names(document: &Value) -> BTreeSet<&str> {
    document["data"]["attributes"]
        .as_object()
        .expect("attributes")
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn sparse_fieldset_keeps_only_the_named_attributes() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = get_own_ok(&app, &customer, "?fields[customers]=firstName,email").await;

    assert_eq!(
        attribute_names(&response.body),
        BTreeSet::from(["email", "firstName"]),
        "{}",
        response.text
    );
    let attributes = &response.body["data"]["attributes"];
    assert_eq!(attributes["firstName"], json!("Sonia"));
    assert_eq!(attributes["email"], json!(customer.email));
    assert!(
        response.body["data"].get("relationships").is_none(),
        "{}",
        response.text
    );
}

#[tokio::test]
async fn empty_sparse_fieldset_returns_no_attributes() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = get_own_ok(&app, &customer, "?fields[customers]=").await;

    let data = &response.body["data"];
    assert_eq!(data["type"], json!("customers"));
    assert_eq!(data["id"], json!(customer.reference));
    assert!(
        data.get("attributes").is_none_or(|a| a == &json!({})),
        "attributes: {}",
        response.text
    );
    assert!(
        data.get("relationships").is_none_or(|r| r == &json!({})),
        "{}",
        response.text
    );
}

#[tokio::test]
async fn encoded_and_unencoded_brackets_give_identical_documents_with_a_percent_encoded_self_link()
{
    let app = spawn_app().await;
    let customer = app.customer().await;

    let unencoded = get_own_ok(&app, &customer, "?fields[customers]=firstName").await;
    let encoded = get_own_ok(&app, &customer, "?fields%5Bcustomers%5D=firstName").await;

    for (case, response) in [("unencoded", &unencoded), ("encoded", &encoded)] {
        let names = attribute_names(&response.body);
        assert_eq!(names, BTreeSet::from(["firstName"]), "{case}");
    }
    assert_eq!(
        unencoded.body, encoded.body,
        "both spellings are the same request"
    );

    let self_link = unencoded.body["data"]["links"]["self"]
        .as_str()
        .expect("links.self");
    let expected = format!(
        "{}/customers/{}?fields%5Bcustomers%5D=firstName",
        app.address, customer.reference
    );
    assert_eq!(
        self_link, expected,
        "links.self percent-encodes the brackets"
    );

    let path = self_link
        .strip_prefix(&app.address)
        .expect("links.self on this server");
    let followed = app.get(path).bearer(&customer.access_token).send().await;
    assert_eq!(followed.status, StatusCode::OK, "{}", followed.text);
    assert_eq!(
        followed.body, unencoded.body,
        "GETting links.self returns an equal document"
    );
}
