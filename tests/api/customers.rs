//! `/customers`: registration, validation in Spryker's order, reading, updating, anonymizing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{registration, spawn_app, CUSTOMER_ATTRIBUTES, PASSWORD};

#[tokio::test]
async fn registration_answers_201_with_the_customer_and_no_password() {
    let app = spawn_app().await;
    let mut attributes = registration("sonia@example.com", PASSWORD);
    attributes["dateOfBirth"] = json!("1990-05-17");
    let response = app.register_with(attributes).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let data = &response.body["data"];
    assert_eq!(data["type"], "customers");
    assert_eq!(data["id"], "DE--1");
    let self_link = format!("{}/customers/DE--1", app.address);
    assert_eq!(data["links"]["self"], json!(self_link));
    assert_eq!(response.header("location"), Some(self_link.as_str()));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let attributes = data["attributes"].as_object().expect("attributes");
    let keys: Vec<&str> = attributes.keys().map(String::as_str).collect();
    assert_eq!(keys, CUSTOMER_ATTRIBUTES);
    assert_eq!(attributes["email"], "sonia@example.com");
    assert_eq!(attributes["dateOfBirth"], "1990-05-17");
    let created = attributes["createdAt"].as_str().expect("createdAt");
    assert!(
        chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%d %H:%M:%S%.6f").is_ok()
            && created.len() == 26,
        "{created}"
    );
    assert!(
        !response.text.contains(PASSWORD)
            && !response.text.contains("$2b$")
            && !response.text.contains("assword")
    );
}

#[tokio::test]
async fn customer_references_count_up_per_store() {
    let app = crate::helpers::spawn_app_with(&[("GLUE_STORE", "AT")]).await;
    let first = app.register("a@example.com", PASSWORD).await;
    let second = app.register("b@example.com", PASSWORD).await;
    assert_eq!((first.as_str(), second.as_str()), ("AT--1", "AT--2"));
}

#[tokio::test]
async fn get_own_customer_returns_it_and_get_collection_returns_a_collection_of_one() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let single = app
        .get(&format!("/customers/{}", customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(single.status, StatusCode::OK, "{}", single.text);
    assert_eq!(single.body["data"]["id"], json!(customer.reference));
    assert_eq!(
        single.body["data"]["attributes"]["email"],
        json!(customer.email)
    );
    assert!(
        single.body.get("links").is_none(),
        "single resources have no top-level links"
    );

    let collection = app
        .get("/customers")
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(collection.status, StatusCode::OK);
    let data = collection.body["data"].as_array().expect("collection");
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], json!(customer.reference));
    assert_eq!(
        collection.body["links"]["self"],
        json!(format!("{}/customers", app.address))
    );
}

#[tokio::test]
async fn foreign_or_unknown_references_are_not_found_on_get_and_forbidden_on_patch_and_delete() {
    let app = spawn_app().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let patch = json!({"data": {"type": "customers", "attributes": {"firstName": "Mallory"}}});

    for reference in [bob.reference.as_str(), "DE--999", "mine"] {
        let path = format!("/customers/{reference}");
        let get = app.get(&path).bearer(&alice.access_token).send().await;
        get.assert_error(404, Some("402"));
        assert_eq!(get.error("detail"), "Customer not found.");

        let patched = app
            .patch(&path, &patch)
            .bearer(&alice.access_token)
            .send()
            .await;
        patched.assert_error(403, Some("411"));
        assert_eq!(patched.error("detail"), "Unauthorized request.");

        let deleted = app.delete(&path).bearer(&alice.access_token).send().await;
        deleted.assert_error(403, Some("411"));
    }

    // Bob is untouched and can still use his account.
    let bob_now = app
        .get(&format!("/customers/{}", bob.reference))
        .bearer(&bob.access_token)
        .send()
        .await;
    assert_eq!(bob_now.status, StatusCode::OK);
    assert_eq!(bob_now.body["data"]["attributes"]["firstName"], "Sonia");
}

#[tokio::test]
async fn protected_resources_without_a_token_answer_403_002() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = format!("/customers/{}", customer.reference);
    let body = json!({"data": {"type": "customers", "attributes": {"firstName": "X"}}});
    for response in [
        app.get("/customers").send().await,
        app.get(&path).send().await,
        app.patch(&path, &body).send().await,
        app.delete(&path).send().await,
    ] {
        response.assert_error(403, Some("002"));
        assert_eq!(response.error("detail"), "Missing access token.");
    }
}

#[tokio::test]
async fn patch_changes_only_the_attributes_sent() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = format!("/customers/{}", customer.reference);
    let before = app.get(&path).bearer(&customer.access_token).send().await;

    let body = json!({"data": {"type": "customers", "id": customer.reference,
        "attributes": {"firstName": "Zoë", "dateOfBirth": "1985-02-28", "salutation": "Dr"}}});
    let patched = app
        .patch(&path, &body)
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);

    let after = app.get(&path).bearer(&customer.access_token).send().await;
    let (old, new) = (
        &before.body["data"]["attributes"],
        &after.body["data"]["attributes"],
    );
    assert_eq!(new["firstName"], "Zoë");
    assert_eq!(new["salutation"], "Dr");
    assert_eq!(new["dateOfBirth"], "1985-02-28");
    for unchanged in ["lastName", "email", "gender", "createdAt"] {
        assert_eq!(
            new[unchanged], old[unchanged],
            "{unchanged} must keep its value"
        );
    }
    assert_ne!(new["updatedAt"], old["updatedAt"]);
    assert_eq!(
        patched.body["data"], after.body["data"],
        "PATCH answers the updated resource"
    );

    // An explicit null for an optional attribute clears it; omission never does.
    let clear = json!({"data": {"type": "customers", "attributes": {"dateOfBirth": null}}});
    let cleared = app
        .patch(&path, &clear)
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(
        cleared.body["data"]["attributes"]["dateOfBirth"],
        Value::Null
    );
    assert_eq!(cleared.body["data"]["attributes"]["firstName"], "Zoë");
}

#[tokio::test]
async fn patch_can_change_the_email_used_to_log_in() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let path = format!("/customers/{}", customer.reference);
    let body =
        json!({"data": {"type": "customers", "attributes": {"email": "new.address@example.com"}}});
    let patched = app
        .patch(&path, &body)
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);

    assert_eq!(
        app.login("new.address@example.com", PASSWORD).await.status,
        StatusCode::CREATED
    );
    app.login(&customer.email, PASSWORD)
        .await
        .assert_error(401, Some("003"));
}

#[tokio::test]
async fn anonymize_keeps_the_reference_wipes_personal_data_and_revokes_every_token() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let second_login = app.login(&customer.email, PASSWORD).await;
    let second_token = second_login.body["data"]["attributes"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let path = format!("/customers/{}", customer.reference);

    let deleted = app
        .delete(&path)
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.text.is_empty(), "204 has no body");

    for token in [&customer.access_token, &second_token] {
        app.get(&path)
            .bearer(token)
            .send()
            .await
            .assert_error(401, Some("001"));
    }
    app.login(&customer.email, PASSWORD)
        .await
        .assert_error(401, Some("003"));

    let row = app.customer_row(&customer.reference).await;
    assert!(row.anonymized_at.is_some());
    assert_ne!(row.email, customer.email);
    assert!(row.first_name.is_none() && row.last_name.is_none() && row.salutation.is_none());
    assert!(row.gender.is_none() && row.date_of_birth.is_none() && row.password_hash.is_none());

    // The email is free again, and the new account gets a new reference.
    let again = app.register(&customer.email, PASSWORD).await;
    assert_ne!(again, customer.reference);
}

#[tokio::test]
async fn location_is_the_links_self_of_the_created_resource_even_with_a_query() {
    let app = spawn_app().await;
    let body = json!({"data": {"type": "customers", "attributes": registration("q@example.com", PASSWORD)}});
    let response = app
        .post("/customers?fields%5Bcustomers%5D=email", &body)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let self_link = response.body["data"]["links"]["self"]
        .as_str()
        .expect("self link");
    assert!(
        self_link.ends_with("/customers/DE--1?fields%5Bcustomers%5D=email"),
        "{self_link}"
    );
    assert_eq!(response.header("location"), Some(self_link));
}

#[tokio::test]
async fn dates_of_birth_must_be_exactly_yyyy_mm_dd() {
    let app = spawn_app().await;
    for bad in [
        "-001-01-01",
        "+999-01-01",
        " 2020-1-01",
        "0000-01-01",
        "2020-02-30",
    ] {
        let mut attributes = registration("d@example.com", PASSWORD);
        attributes["dateOfBirth"] = json!(bad);
        let response = app.register_with(attributes).await;
        response.assert_error(422, Some("901"));
        assert_eq!(
            response.error("detail"),
            "dateOfBirth => This value is not a valid date.",
            "{bad}"
        );
    }
}

#[tokio::test]
async fn the_empty_id_path_answers_options_and_405_with_its_methods() {
    let app = spawn_app().await;
    let options = app
        .request(reqwest::Method::OPTIONS, "/customers/")
        .send()
        .await;
    assert_eq!(options.status, StatusCode::NO_CONTENT);
    assert_eq!(options.header("allow"), Some("PATCH, DELETE, OPTIONS"));
    let get = app.get("/customers/").send().await;
    get.assert_error(405, None);
    assert_eq!(get.header("allow"), Some("PATCH, DELETE, OPTIONS"));
}
