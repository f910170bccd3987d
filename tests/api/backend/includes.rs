//! `include=group,addresses` and sparse fieldsets on partner customers (issue 15 item 2;
//! checklist A.5, A.6): full linkage, and `included` holding exactly the linked resources,
//! each once across the page.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{
    admin, assert_bad_parameter, attributes, create, customer_document, customer_path, get, id_of,
    list, new_group, storefront_login, CUSTOMERS,
};
use crate::helpers::{spawn_app, TestApp, TestResponse, PASSWORD};

type Key = (String, String);

/// Creates a customer in `group` with `addresses` addresses (added on the storefront).
async fn customer(
    app: &TestApp,
    token: &str,
    email: &str,
    group: &str,
    addresses: usize,
) -> String {
    let response = create(
        app,
        token,
        &customer_document(attributes(email, "In", "Cluded"), Some(group)),
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let reference = id_of(&response.body["data"]);
    let (access, _) = storefront_login(app, email, PASSWORD).await;
    for i in 0..addresses {
        let address = json!({"data": {"type": "addresses", "attributes": {
            "salutation": "Mr", "firstName": "Spencor", "lastName": "Hopkin",
            "address1": format!("Street {i}"), "address2": "1", "zipCode": "12312",
            "city": format!("City {i}"), "iso2Code": "DE",
            "isDefaultShipping": false, "isDefaultBilling": false}}});
        let added = app
            .post(&format!("/customers/{reference}/addresses"), &address)
            .bearer(&access)
            .send()
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    }
    reference
}

/// Every resource identifier in the primary data's relationships.
fn linked(data: &[Value]) -> Vec<Key> {
    let mut keys = Vec::new();
    for resource in data {
        for relationship in resource["relationships"]
            .as_object()
            .into_iter()
            .flat_map(|r| r.values())
        {
            let identifiers = match &relationship["data"] {
                Value::Array(many) => many.clone(),
                Value::Null => Vec::new(),
                one => vec![one.clone()],
            };
            for identifier in identifiers {
                keys.push(key(&identifier));
            }
        }
    }
    keys
}

fn key(resource: &Value) -> Key {
    (
        resource["type"].as_str().expect("type").to_owned(),
        resource["id"].as_str().expect("id").to_owned(),
    )
}

/// `included` is exactly the set of linked resources, each once, and every one has attributes.
#[track_caller]
fn assert_included_matches_linkage(response: &TestResponse, data: &[Value]) -> BTreeSet<Key> {
    let included: Vec<Key> = response.body["included"]
        .as_array()
        .unwrap_or_else(|| panic!("included: {}", response.text))
        .iter()
        .map(key)
        .collect();
    let unique: BTreeSet<Key> = included.iter().cloned().collect();
    assert_eq!(unique.len(), included.len(), "each once: {included:?}");
    assert_eq!(
        unique,
        linked(data).into_iter().collect(),
        "{}",
        response.text
    );
    unique
}

fn kinds(keys: &BTreeSet<Key>, kind: &str) -> usize {
    keys.iter().filter(|(t, _)| t == kind).count()
}

#[tokio::test]
async fn include_group_and_addresses_links_exactly_what_is_included_each_once_across_the_page() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let vip = new_group(&app, &token, "VIP").await;
    let default = super::default_group(&app, &token).await;
    let a = customer(&app, &token, "a@example.com", &vip, 2).await;
    let b = customer(&app, &token, "b@example.com", &vip, 1).await;
    let c = customer(&app, &token, "c@example.com", &default, 0).await;

    let page = list(&app, &token, &[("include", "group,addresses")]).await;

    let data = page.body["data"].as_array().expect("data").clone();
    assert_eq!(
        data.iter().map(id_of).collect::<Vec<_>>(),
        [a.clone(), b.clone(), c.clone()]
    );
    let included = assert_included_matches_linkage(&page, &data);
    assert_eq!(
        (
            kinds(&included, "customer-groups"),
            kinds(&included, "addresses")
        ),
        (2, 3)
    );
    let addresses = |i: usize| {
        data[i]["relationships"]["addresses"]["data"]
            .as_array()
            .map(Vec::len)
    };
    assert_eq!(
        (addresses(0), addresses(1), addresses(2)),
        (Some(2), Some(1), Some(0))
    );
    for resource in page.body["included"].as_array().expect("included") {
        assert!(resource["attributes"].is_object(), "{resource}");
    }

    // A page of two includes what those two link to, nothing of the third.
    let first_two = list(
        &app,
        &token,
        &[("include", "group,addresses"), ("page[limit]", "2")],
    )
    .await;
    let data = first_two.body["data"].as_array().expect("data").clone();
    let included = assert_included_matches_linkage(&first_two, &data);
    assert_eq!(
        (
            kinds(&included, "customer-groups"),
            kinds(&included, "addresses")
        ),
        (1, 3)
    );
    let last = list(
        &app,
        &token,
        &[
            ("include", "group,addresses"),
            ("page[after]", ""),
            ("sort", "-createdAt"),
            ("page[limit]", "1"),
        ],
    )
    .await;
    let data = last.body["data"].as_array().expect("data").clone();
    let included = assert_included_matches_linkage(&last, &data);
    assert_eq!(
        included,
        BTreeSet::from([("customer-groups".to_owned(), default)])
    );
}

#[tokio::test]
async fn each_include_alone_and_one_customer_with_both() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let vip = new_group(&app, &token, "VIP").await;
    let reference = customer(&app, &token, "a@example.com", &vip, 2).await;

    for (include, groups, addresses) in [
        ("group", 1, 0),
        ("addresses", 0, 2),
        ("group,addresses", 1, 2),
        ("addresses,group", 1, 2),
    ] {
        let page = list(&app, &token, &[("include", include)]).await;
        let data = page.body["data"].as_array().expect("data").clone();
        let included: Vec<Key> = page.body["included"]
            .as_array()
            .expect("included")
            .iter()
            .map(key)
            .collect();
        let set: BTreeSet<Key> = included.iter().cloned().collect();
        assert_eq!(
            (
                kinds(&set, "customer-groups"),
                kinds(&set, "addresses"),
                set.len()
            ),
            (groups, addresses, included.len()),
            "include={include}"
        );
        assert!(
            set.is_subset(&linked(&data).into_iter().collect()),
            "include={include}"
        );

        let one = get(
            &app,
            &token,
            &customer_path(&reference),
            &[("include", include)],
        )
        .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.text);
        let single = vec![one.body["data"].clone()];
        let set: BTreeSet<Key> = one.body["included"]
            .as_array()
            .expect("included")
            .iter()
            .map(key)
            .collect();
        assert!(
            set.is_subset(&linked(&single).into_iter().collect()),
            "include={include}: {}",
            one.text
        );
        assert_eq!(set.len(), groups + addresses, "include={include}");
    }
    let plain = list(&app, &token, &[]).await;
    assert!(
        plain.body.get("included").is_none(),
        "nothing asked, nothing included: {}",
        plain.text
    );
    assert_eq!(
        plain.body["data"][0]["relationships"]["group"]["data"],
        json!({"type": "customer-groups", "id": vip})
    );
}

#[tokio::test]
async fn sparse_fieldsets_apply_to_customers_groups_and_addresses() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let vip = new_group(&app, &token, "VIP").await;
    customer(&app, &token, "a@example.com", &vip, 1).await;

    let page = list(
        &app,
        &token,
        &[
            ("include", "group,addresses"),
            ("fields[customers]", "email,status,group,addresses"),
            ("fields[customer-groups]", "name"),
            ("fields[addresses]", "city"),
        ],
    )
    .await;

    let customer = &page.body["data"][0];
    assert_eq!(
        customer["attributes"],
        json!({"email": "a@example.com", "status": "active"})
    );
    for resource in page.body["included"].as_array().expect("included") {
        let names: Vec<&String> = resource["attributes"]
            .as_object()
            .expect("attributes")
            .keys()
            .collect();
        match resource["type"].as_str() {
            Some("customer-groups") => assert_eq!(names, ["name"], "{resource}"),
            Some("addresses") => assert_eq!(names, ["city"], "{resource}"),
            other => panic!("unexpected {other:?}"),
        }
    }
    let only_email = list(&app, &token, &[("fields[customers]", "email")]).await;
    assert_eq!(
        only_email.body["data"][0]["attributes"],
        json!({"email": "a@example.com"})
    );
}

#[tokio::test]
async fn an_unknown_include_or_field_is_400_naming_the_parameter() {
    let app = spawn_app().await;
    let token = admin(&app).await;

    for (params, parameter) in [
        (&[("include", "orders")][..], "include"),
        (&[("include", "group.members")], "include"),
        (&[("fields[customers]", "password")], "fields[customers]"),
        (
            &[("fields[customers]", "passwordHash")],
            "fields[customers]",
        ),
        (
            &[("fields[customer-groups]", "members")],
            "fields[customer-groups]",
        ),
        (&[("fields[orders]", "id")], "fields[orders]"),
    ] {
        let response = get(&app, &token, CUSTOMERS, params).await;
        assert_bad_parameter(&response, parameter, &format!("{params:?}"));
    }
}
