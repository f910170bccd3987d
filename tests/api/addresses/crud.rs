//! Create, read, change and delete (reference §2.6, §3.2; CONTRACT §3 items 5, 12, 24).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{
    assert_address_not_found, assert_only_error, collection, create, create_id, document, errors,
    id, item, list, patch, post, valid, valid_with, ATTRIBUTES,
};
use crate::helpers::spawn_app;

#[tokio::test]
async fn post_answers_201_with_location_equal_to_links_self_and_spryker_attributes() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = post(&app, &customer, valid()).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let data = &response.body["data"];
    assert_eq!(data["type"], "addresses");
    let uuid = uuid::Uuid::parse_str(data["id"].as_str().expect("id")).expect("a UUID");
    assert_eq!(uuid.get_version(), Some(uuid::Version::Random), "{uuid}");
    let self_link = format!(
        "{}/customers/{}/addresses/{uuid}",
        app.address, customer.reference
    );
    assert_eq!(data["links"]["self"], json!(self_link));
    assert_eq!(response.header("location"), Some(self_link.as_str()));
    assert!(
        response.body.get("links").is_none(),
        "a single resource has no top-level links"
    );

    let attributes = data["attributes"].as_object().expect("attributes");
    let keys: Vec<&str> = attributes.keys().map(String::as_str).collect();
    assert_eq!(keys, ATTRIBUTES, "Spryker's order");
    let expected = json!({
        "salutation": "Mr", "firstName": "Spencor", "lastName": "Hopkin",
        "address1": "Third, 33, 11", "address2": "b", "address3": "aaa",
        "zipCode": "12312", "city": "Berlin", "country": "Germany", "iso2Code": "DE",
        "company": "Spryker", "phone": "22111-3-4-5",
        // The first address becomes both defaults (reference §3.3).
        "isDefaultShipping": true, "isDefaultBilling": true
    });
    assert_eq!(data["attributes"], expected);
}

#[tokio::test]
async fn country_codes_are_case_insensitive_stored_upper_case_and_named_in_english() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    for (code, iso2, name) in [
        ("at", "AT", "Austria"),
        ("De", "DE", "Germany"),
        ("fr", "FR", "France"),
    ] {
        let created = create(&app, &customer, valid_with(&[("iso2Code", json!(code))])).await;
        assert_eq!(created["attributes"]["iso2Code"], json!(iso2), "{code}");
        assert_eq!(created["attributes"]["country"], json!(name), "{code}");
        let fetched = app
            .get(&item(&customer.reference, &id(&created)))
            .bearer(&customer.access_token)
            .send()
            .await;
        assert_eq!(fetched.body["data"]["attributes"]["iso2Code"], json!(iso2));
    }
}

#[tokio::test]
async fn optional_attributes_may_be_left_out_or_null_and_extra_attributes_change_nothing() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let mut attributes = valid();
    let map = attributes.as_object_mut().expect("object");
    map.remove("address3");
    map.remove("phone");
    map.insert("company".into(), Value::Null);
    // Spryker accepts these as extra fields; neither renames the country nor moves the address.
    map.insert("country".into(), json!("Narnia"));
    map.insert("customer_reference".into(), json!("DE--999"));

    let created = create(&app, &customer, attributes).await;

    let attributes = &created["attributes"];
    for absent in ["address3", "company", "phone"] {
        assert_eq!(attributes[absent], Value::Null, "{absent}");
    }
    assert_eq!(attributes["country"], "Germany");
    assert_eq!(list(&app, &customer).await, vec![created]);
}

#[tokio::test]
async fn the_collection_is_empty_at_first_then_lists_the_addresses_oldest_first() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = collection(&customer.reference);

    let empty = app.get(&path).bearer(&customer.access_token).send().await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    assert_eq!(empty.body["data"], json!([]));
    let self_link = format!("{}{path}", app.address);
    assert_eq!(empty.body["links"]["self"], json!(self_link));

    let cities = ["Berlin", "Hamburg", "Munich"];
    let mut created = Vec::new();
    for city in cities {
        created.push(create(&app, &customer, valid_with(&[("city", json!(city))])).await);
    }

    let full = app.get(&path).bearer(&customer.access_token).send().await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.body["links"]["self"], json!(self_link));
    assert_eq!(full.header("cache-control"), Some("no-store"));
    // The later addresses asked for no default, so every POST answer is still current.
    assert_eq!(full.body["data"], json!(created), "oldest first");
}

#[tokio::test]
async fn get_one_answers_the_address_as_a_single_resource() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    create_id(&app, &customer).await;
    let second = create(&app, &customer, valid_with(&[("city", json!("Bremen"))])).await;

    let response = app
        .get(&item(&customer.reference, &id(&second)))
        .bearer(&customer.access_token)
        .send()
        .await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.body["data"], second);
    assert!(response.body.get("links").is_none());
}

#[tokio::test]
async fn patch_changes_only_the_attributes_sent() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let before = create(&app, &customer, valid()).await;
    let uuid = id(&before);

    let changes =
        json!({"city": "Hamburg", "address3": null, "iso2Code": "at", "salutation": "Dr"});
    let patched = patch(&app, &customer, &uuid, changes).await;

    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    let after = &patched.body["data"]["attributes"];
    assert_eq!(after["city"], "Hamburg");
    assert_eq!(after["address3"], Value::Null);
    assert_eq!(after["salutation"], "Dr");
    assert_eq!(
        (&after["iso2Code"], &after["country"]),
        (&json!("AT"), &json!("Austria"))
    );
    for unchanged in [
        "firstName",
        "lastName",
        "address1",
        "address2",
        "zipCode",
        "company",
        "phone",
        "isDefaultShipping",
        "isDefaultBilling",
    ] {
        assert_eq!(
            after[unchanged], before["attributes"][unchanged],
            "{unchanged} must keep its value"
        );
    }
    assert_eq!(patched.body["data"]["links"], before["links"]);
    assert_eq!(
        list(&app, &customer).await,
        vec![patched.body["data"].clone()],
        "the PATCH answer is what is stored"
    );

    // An empty change changes nothing.
    let nothing = patch(&app, &customer, &uuid, json!({})).await;
    assert_eq!(nothing.status, StatusCode::OK, "{}", nothing.text);
    assert_eq!(nothing.body["data"], patched.body["data"]);
}

#[tokio::test]
async fn patch_with_the_url_id_is_fine_and_with_another_id_is_a_409() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let uuid = create_id(&app, &customer).await;
    let other = create_id(&app, &customer).await;
    let path = item(&customer.reference, &uuid);
    let body =
        |id: &str| json!({"data": {"type": "addresses", "id": id, "attributes": {"city": "Bonn"}}});

    let same = app
        .patch(&path, &body(&uuid))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.text);

    let conflict = app
        .patch(&path, &body(&other))
        .bearer(&customer.access_token)
        .send()
        .await;
    let errors = errors("id mismatch", &conflict, 409);
    assert_eq!(errors[0]["source"]["pointer"], "/data/id");
    let cities: Vec<Value> = list(&app, &customer)
        .await
        .iter()
        .map(|a| a["attributes"]["city"].clone())
        .collect();
    assert_eq!(
        cities,
        vec![json!("Bonn"), json!("Berlin")],
        "only the first PATCH"
    );
}

#[tokio::test]
async fn delete_answers_204_and_the_address_is_gone() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let uuid = create_id(&app, &customer).await;
    let kept = create_id(&app, &customer).await;
    let path = item(&customer.reference, &uuid);

    let deleted = app
        .delete(&path)
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert!(deleted.text.is_empty(), "204 has no body");

    let get = app.get(&path).bearer(&customer.access_token).send().await;
    assert_address_not_found("GET after DELETE", &get);
    let again = app
        .delete(&path)
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_address_not_found("DELETE again", &again);
    let patched = patch(&app, &customer, &uuid, json!({"city": "Bonn"})).await;
    assert_address_not_found("PATCH after DELETE", &patched);
    let ids: Vec<String> = list(&app, &customer).await.iter().map(id).collect();
    assert_eq!(ids, vec![kept]);
}

#[tokio::test]
async fn patch_and_delete_without_an_address_id_are_a_400() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    create_id(&app, &customer).await;
    let path = format!("{}/", collection(&customer.reference));
    let body = document(json!({"city": "Bonn"}));

    let patched = app
        .patch(&path, &body)
        .bearer(&customer.access_token)
        .send()
        .await;
    let deleted = app
        .delete(&path)
        .bearer(&customer.access_token)
        .send()
        .await;

    for (case, response) in [("PATCH", &patched), ("DELETE", &deleted)] {
        let errors = errors(case, response, 400);
        assert_eq!(errors.len(), 1, "{case}");
        assert_eq!(
            errors[0]["detail"], "Resource id is not specified.",
            "{case}"
        );
    }
    assert_eq!(list(&app, &customer).await.len(), 1, "nothing deleted");
}

#[tokio::test]
async fn unsupported_methods_answer_405_with_allow() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let uuid = create_id(&app, &customer).await;
    let base = collection(&customer.reference);
    let cases = [
        (Method::PUT, base.clone(), "GET, HEAD, POST, OPTIONS"),
        (Method::PATCH, base.clone(), "GET, HEAD, POST, OPTIONS"),
        (Method::DELETE, base.clone(), "GET, HEAD, POST, OPTIONS"),
        (
            Method::PUT,
            item(&customer.reference, &uuid),
            "GET, HEAD, PATCH, DELETE, OPTIONS",
        ),
        (
            Method::POST,
            item(&customer.reference, &uuid),
            "GET, HEAD, PATCH, DELETE, OPTIONS",
        ),
    ];
    for (method, path, allow) in cases {
        let case = format!("{method} {path}");
        let response = app
            .request(method, &path)
            .bearer(&customer.access_token)
            .json(&document(valid()))
            .send()
            .await;
        errors(&case, &response, 405);
        let methods = |list: &str| {
            let mut methods: Vec<String> = list.split(',').map(|m| m.trim().to_owned()).collect();
            methods.sort();
            methods
        };
        let header = response.header("allow").unwrap_or_default();
        assert_eq!(methods(header), methods(allow), "{case}: Allow {header}");
    }
    assert_eq!(list(&app, &customer).await.len(), 1, "nothing changed");
}

#[tokio::test]
async fn a_client_generated_id_is_a_403_and_another_type_a_409_and_nothing_is_created() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = collection(&customer.reference);
    let client_id = uuid::Uuid::new_v4().to_string();
    let with_id = json!({"data": {"type": "addresses", "id": client_id, "attributes": valid()}});
    let response = app
        .post(&path, &with_id)
        .bearer(&customer.access_token)
        .send()
        .await;
    let errors_403 = errors("client-generated id", &response, 403);
    assert_eq!(errors_403[0]["source"]["pointer"], "/data/id");

    for kind in ["customers", "address"] {
        let wrong = json!({"data": {"type": kind, "attributes": valid()}});
        let response = app
            .post(&path, &wrong)
            .bearer(&customer.access_token)
            .send()
            .await;
        let errors_409 = errors(kind, &response, 409);
        assert_eq!(errors_409[0]["source"]["pointer"], "/data/type", "{kind}");
    }
    let uuid = create_id(&app, &customer).await;
    let wrong_patch = json!({"data": {"type": "customers", "attributes": {"city": "Bonn"}}});
    let response = app
        .patch(&item(&customer.reference, &uuid), &wrong_patch)
        .bearer(&customer.access_token)
        .send()
        .await;
    errors("PATCH of type customers", &response, 409);

    let addresses = list(&app, &customer).await;
    assert_eq!(addresses.len(), 1, "only the valid POST created an address");
    assert_eq!(addresses[0]["attributes"]["city"], "Berlin");
    assert_only_error(
        "unknown uuid",
        &app.get(&item(&customer.reference, &client_id))
            .bearer(&customer.access_token)
            .send()
            .await,
        404,
        "404",
        "Address was not found.",
    );
}
