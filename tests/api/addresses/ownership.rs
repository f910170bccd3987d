//! One's own address book only (reference §1.5, §2.6; requirements C11): another reference is
//! 403 `411` on every verb, another customer's address under one's own reference is as absent
//! as an unknown one (404 `404`), validation comes before the ownership check, and no token is
//! 403 `002`.

use reqwest::StatusCode;
use serde_json::json;

use super::{
    assert_address_not_found, assert_only_error, assert_unauthorized, assert_violations,
    collection, create, document, item, list, valid,
};
use crate::helpers::{spawn_app, TestResponse};

#[tokio::test]
async fn another_reference_is_403_411_on_every_verb_even_with_that_customers_address() {
    let app = spawn_app().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let bobs = create(&app, &bob, valid()).await;
    let bobs_id = super::id(&bobs);
    let alices_id = super::id(&create(&app, &alice, valid()).await);
    let change = document(json!({"city": "Mallorytown"}));

    for reference in [bob.reference.as_str(), "DE--999", "mine", "DE--0"] {
        let own_list = collection(reference);
        let token = &alice.access_token;
        let mut responses: Vec<(String, TestResponse)> = vec![
            (
                format!("GET {own_list}"),
                app.get(&own_list).bearer(token).send().await,
            ),
            (
                format!("POST {own_list}"),
                app.post(&own_list, &document(valid()))
                    .bearer(token)
                    .send()
                    .await,
            ),
        ];
        // Bob's address, Alice's own address and an unknown one under the foreign reference.
        for uuid in [
            bobs_id.as_str(),
            alices_id.as_str(),
            "0c6f1c5e-9f57-4a4e-8d1c-000000000000",
        ] {
            let path = item(reference, uuid);
            responses.push((
                format!("GET {path}"),
                app.get(&path).bearer(token).send().await,
            ));
            responses.push((
                format!("PATCH {path}"),
                app.patch(&path, &change).bearer(token).send().await,
            ));
            responses.push((
                format!("DELETE {path}"),
                app.delete(&path).bearer(token).send().await,
            ));
        }
        for (case, response) in &responses {
            assert_unauthorized(case, response);
        }
    }

    // Bob's address book is as it was, and Alice's too.
    assert_eq!(list(&app, &bob).await, vec![bobs]);
    assert_eq!(list(&app, &alice).await.len(), 1);
}

#[tokio::test]
async fn another_customers_address_under_ones_own_reference_is_not_found_like_an_unknown_one() {
    let app = spawn_app().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let bobs = create(&app, &bob, valid()).await;
    let bobs_id = super::id(&bobs);
    create(&app, &alice, valid()).await;
    let change = document(json!({"city": "Mallorytown", "isDefaultBilling": true}));

    let mut bodies = Vec::new();
    for uuid in [
        bobs_id.as_str(),
        "0c6f1c5e-9f57-4a4e-8d1c-000000000000",
        "not-a-uuid",
        "1",
        // A NUL, which PostgreSQL refuses in text: still "not found", never a 500.
        "x%00y",
        &bobs_id.to_uppercase(),
    ] {
        let path = item(&alice.reference, uuid);
        let token = &alice.access_token;
        for (verb, response) in [
            ("GET", app.get(&path).bearer(token).send().await),
            (
                "PATCH",
                app.patch(&path, &change).bearer(token).send().await,
            ),
            ("DELETE", app.delete(&path).bearer(token).send().await),
        ] {
            assert_address_not_found(&format!("{verb} {path}"), &response);
            bodies.push(response.body);
        }
    }
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "one body for every address that is not one's own: {bodies:?}"
    );

    assert_eq!(
        list(&app, &bob).await,
        vec![bobs],
        "Bob's address untouched"
    );
}

#[tokio::test]
async fn an_invalid_body_is_a_422_before_the_reference_is_checked() {
    let app = spawn_app().await;
    let alice = app.customer().await;
    let bob = app.customer().await;
    let bobs_id = super::id(&create(&app, &bob, valid()).await);
    let mut invalid = valid();
    invalid["firstName"] = json!("");
    invalid
        .as_object_mut()
        .expect("object")
        .remove("isDefaultBilling");

    let posted = app
        .post(&collection(&bob.reference), &super::document(invalid))
        .bearer(&alice.access_token)
        .send()
        .await;
    assert_violations(
        "POST to Bob's addresses",
        &posted,
        &[
            ("firstName", "This value should not be blank."),
            ("isDefaultBilling", "This field is missing."),
        ],
    );

    let patched = app
        .patch(
            &item(&bob.reference, &bobs_id),
            &document(json!({"zipCode": null})),
        )
        .bearer(&alice.access_token)
        .send()
        .await;
    assert_violations(
        "PATCH of Bob's address",
        &patched,
        &[("zipCode", "This value should not be blank.")],
    );
    assert_eq!(list(&app, &bob).await.len(), 1);
}

#[tokio::test]
async fn without_a_token_every_verb_is_403_002() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let uuid = super::id(&create(&app, &customer, valid()).await);
    let own_list = collection(&customer.reference);
    let path = item(&customer.reference, &uuid);
    let change = document(json!({"city": "Hamburg"}));
    let mut invalid = valid();
    invalid["city"] = json!("");

    for (case, response) in [
        ("GET list", app.get(&own_list).send().await),
        ("POST", app.post(&own_list, &document(valid())).send().await),
        (
            "POST invalid",
            app.post(&own_list, &document(invalid)).send().await,
        ),
        ("GET one", app.get(&path).send().await),
        ("PATCH", app.patch(&path, &change).send().await),
        ("DELETE", app.delete(&path).send().await),
    ] {
        assert_only_error(case, &response, 403, "002", "Missing access token.");
    }

    // An invalid token is 401 `001`.
    let response = app.get(&own_list).bearer("not-a-jwt").send().await;
    response.assert_error(401, Some("001"));

    let addresses = list(&app, &customer).await;
    assert_eq!(addresses.len(), 1, "nothing created or deleted");
    assert_eq!(addresses[0]["attributes"]["city"], "Berlin");
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}
