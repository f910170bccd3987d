//! `include=addresses` and sparse fieldsets (reference §1.7; requirements A.4-A.6; CONTRACT §3
//! item 23): full linkage, each included address once, the relationship's `related` link,
//! `fields[customers]` naming the relationship, `fields[addresses]` everywhere addresses appear.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{collection, create, document, id, item, list, valid, valid_with};
use crate::helpers::{spawn_app, Customer, TestApp, TestResponse};

async fn get(app: &TestApp, customer: &Customer, path: &str) -> TestResponse {
    app.get(path).bearer(&customer.access_token).send().await
}

async fn get_ok(app: &TestApp, customer: &Customer, path: &str) -> Value {
    let response = get(app, customer, path).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.text);
    response.body
}

/// A customer with two addresses, and another customer with one (never to be included).
async fn two_addresses(app: &TestApp) -> (Customer, Vec<Value>) {
    let customer = app.customer().await;
    create(app, &customer, valid()).await;
    create(app, &customer, valid_with(&[("city", json!("Hamburg"))])).await;
    let stranger = app.customer().await;
    create(app, &stranger, valid()).await;
    let addresses = list(app, &customer).await;
    (customer, addresses)
}

/// Asserts the customer resource links exactly `addresses`, and `included` holds exactly them.
#[track_caller]
fn assert_linked(app: &TestApp, body: &Value, customer_resource: &Value, addresses: &[Value]) {
    let reference = customer_resource["id"].as_str().expect("reference");
    let relationship = &customer_resource["relationships"]["addresses"];
    let identifiers: Vec<Value> = addresses
        .iter()
        .map(|a| json!({"type": "addresses", "id": a["id"]}))
        .collect();
    assert_eq!(relationship["data"], json!(identifiers), "{body:#}");
    assert_eq!(
        relationship["links"]["related"],
        json!(format!("{}/customers/{reference}/addresses", app.address))
    );
    // Each included once, as full resources with their own `links.self`, as the address
    // routes show them.
    assert_eq!(body["included"], json!(addresses), "{body:#}");
}

#[tokio::test]
async fn include_addresses_on_the_customer_links_exactly_the_included_addresses() {
    let app = spawn_app().await;
    let (customer, addresses) = two_addresses(&app).await;
    let path = format!("/customers/{}?include=addresses", customer.reference);

    let body = get_ok(&app, &customer, &path).await;

    assert_linked(&app, &body, &body["data"], &addresses);
    // The related link works and answers the same addresses.
    let related = body["data"]["relationships"]["addresses"]["links"]["related"]
        .as_str()
        .expect("related link");
    let path = related.strip_prefix(&app.address).expect("own host");
    assert_eq!(
        get_ok(&app, &customer, path).await["data"],
        json!(addresses)
    );
}

#[tokio::test]
async fn include_addresses_on_the_customers_collection_links_exactly_the_included_addresses() {
    let app = spawn_app().await;
    let (customer, addresses) = two_addresses(&app).await;

    let body = get_ok(&app, &customer, "/customers?include=addresses").await;

    let data = body["data"].as_array().expect("collection");
    assert_eq!(data.len(), 1);
    assert_linked(&app, &body, &data[0], &addresses);
}

#[tokio::test]
async fn without_include_or_with_an_empty_one_nothing_is_included() {
    let app = spawn_app().await;
    let (customer, _) = two_addresses(&app).await;
    let own = format!("/customers/{}", customer.reference);
    for path in [
        own.clone(),
        format!("{own}?include="),
        "/customers".to_owned(),
        "/customers?include=".to_owned(),
    ] {
        let body = get_ok(&app, &customer, &path).await;
        let resource = if body["data"].is_array() {
            body["data"][0].clone()
        } else {
            body["data"].clone()
        };
        assert!(resource.get("relationships").is_none(), "{path}: {body:#}");
        assert!(
            body.get("included").is_none() || body["included"] == json!([]),
            "{path}: {body:#}"
        );
    }
}

/// JSON:API 1.1 "Inclusion of Related Resources": when a client asks for `include`, the
/// response MUST have an `included` member, even if it is an empty array (requirements A28).
#[tokio::test]
async fn include_addresses_without_addresses_answers_empty_linkage_and_an_empty_included() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = format!("/customers/{}?include=addresses", customer.reference);

    let body = get_ok(&app, &customer, &path).await;

    assert_eq!(
        body["data"]["relationships"]["addresses"]["data"],
        json!([]),
        "{body:#}"
    );
    assert_eq!(body.get("included"), Some(&json!([])), "{body:#}");
}

#[tokio::test]
async fn an_unsupported_include_is_a_400_naming_the_include_parameter() {
    let app = spawn_app().await;
    let (customer, addresses) = two_addresses(&app).await;
    let own = format!("/customers/{}", customer.reference);
    let address = item(&customer.reference, &id(&addresses[0]));
    let mut paths = Vec::new();
    for value in [
        "foo",
        "address",
        "addresses.customer",
        "addresses,foo",
        "Addresses",
    ] {
        paths.push(format!("{own}?include={value}"));
        paths.push(format!("/customers?include={value}"));
    }
    // The address routes have no relationships to include at all (requirements A33).
    paths.push(format!(
        "{}?include=addresses",
        collection(&customer.reference)
    ));
    paths.push(format!("{address}?include=addresses"));

    for path in paths {
        let response = get(&app, &customer, &path).await;
        response.assert_error(400, None);
        assert_eq!(
            response.error("source")["parameter"],
            "include",
            "{path}: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn fields_customers_keeps_the_relationship_only_when_it_names_it() {
    let app = spawn_app().await;
    let (customer, addresses) = two_addresses(&app).await;
    let own = format!("/customers/{}", customer.reference);

    let body = get_ok(
        &app,
        &customer,
        &format!("{own}?include=addresses&fields[customers]=email"),
    )
    .await;
    assert_eq!(
        body["data"]["attributes"],
        json!({"email": customer.email}),
        "{body:#}"
    );
    assert!(body["data"].get("relationships").is_none(), "{body:#}");

    let body = get_ok(
        &app,
        &customer,
        &format!("{own}?include=addresses&fields[customers]=email,addresses"),
    )
    .await;
    assert_eq!(body["data"]["attributes"], json!({"email": customer.email}));
    assert_linked(&app, &body, &body["data"], &addresses);
}

#[tokio::test]
async fn fields_addresses_cuts_included_addresses_and_the_address_routes_alike() {
    let app = spawn_app().await;
    let (customer, addresses) = two_addresses(&app).await;
    let uuid = id(&addresses[1]);
    let token = &customer.access_token;
    let cities: Vec<Value> = addresses
        .iter()
        .map(|a| json!({"city": a["attributes"]["city"]}))
        .collect();

    let body = get_ok(
        &app,
        &customer,
        &format!(
            "/customers/{}?include=addresses&fields[addresses]=city",
            customer.reference
        ),
    )
    .await;
    let included: Vec<Value> = body["included"]
        .as_array()
        .expect("included")
        .iter()
        .map(|a| a["attributes"].clone())
        .collect();
    assert_eq!(included, cities);
    assert_eq!(body["data"]["attributes"]["email"], json!(customer.email));

    let list_path = format!("{}?fields[addresses]=city", collection(&customer.reference));
    let body = get_ok(&app, &customer, &list_path).await;
    let listed: Vec<Value> = body["data"]
        .as_array()
        .expect("collection")
        .iter()
        .map(|a| a["attributes"].clone())
        .collect();
    assert_eq!(listed, cities);
    assert_eq!(
        body["links"]["self"],
        json!(format!(
            "{}{}?fields%5Baddresses%5D=city",
            app.address,
            collection(&customer.reference)
        ))
    );

    let one = get_ok(
        &app,
        &customer,
        &format!(
            "{}?fields[addresses]=city",
            item(&customer.reference, &uuid)
        ),
    )
    .await;
    assert_eq!(one["data"]["attributes"], cities[1]);

    let query = "?fields[addresses]=city,isDefaultBilling";
    let posted = app
        .post(
            &format!("{}{query}", collection(&customer.reference)),
            &document(valid()),
        )
        .bearer(token)
        .send()
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.text);
    assert_eq!(
        posted.body["data"]["attributes"],
        json!({"city": "Berlin", "isDefaultBilling": false})
    );
    assert_eq!(
        posted.header("location"),
        posted.body["data"]["links"]["self"].as_str()
    );
    let patched = app
        .patch(
            &format!("{}{query}", item(&customer.reference, &uuid)),
            &document(json!({"city": "Bremen"})),
        )
        .bearer(token)
        .send()
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(
        patched.body["data"]["attributes"],
        json!({"city": "Bremen", "isDefaultBilling": false})
    );

    // An empty fieldset leaves no attributes (requirements A37).
    let body = get_ok(
        &app,
        &customer,
        &format!("{}?fields[addresses]=", collection(&customer.reference)),
    )
    .await;
    for address in body["data"].as_array().expect("collection") {
        let attributes = address.get("attributes");
        assert!(
            attributes.is_none() || attributes == Some(&json!({})),
            "{address}"
        );
    }
}

#[tokio::test]
async fn an_unknown_field_in_a_fieldset_is_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    let (customer, addresses) = two_addresses(&app).await;
    let own = format!("/customers/{}", customer.reference);
    let list_path = collection(&customer.reference);
    let one = item(&customer.reference, &id(&addresses[0]));
    let cases = [
        (
            format!("{own}?include=addresses&fields[addresses]=nope"),
            "fields[addresses]",
        ),
        (
            "/customers?fields[addresses]=city,uuid".to_owned(),
            "fields[addresses]",
        ),
        (
            format!("{list_path}?fields[addresses]=customerReference"),
            "fields[addresses]",
        ),
        (
            format!("{one}?fields[addresses]=city,id"),
            "fields[addresses]",
        ),
        (
            format!("{list_path}?fields[customers]=email"),
            "fields[customers]",
        ),
        (
            format!("{own}?fields[customers]=email,address"),
            "fields[customers]",
        ),
    ];
    for (path, parameter) in cases {
        let response = get(&app, &customer, &path).await;
        response.assert_error(400, None);
        assert_eq!(
            response.error("source")["parameter"],
            parameter,
            "{path}: {}",
            response.text
        );
    }
}
