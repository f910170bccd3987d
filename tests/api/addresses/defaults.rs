//! The default shipping and billing addresses (reference §3.3), scenario by scenario: an
//! address becomes a default when asked or when the customer has none; `false` never clears
//! one; deleting a default leaves it unset; concurrent creation keeps exactly one of each.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use super::{create, flagged, flags, id, item, patch, post, valid_with};
use crate::helpers::{spawn_app, Customer, TestApp};

/// `(id, isDefaultShipping, isDefaultBilling)`
fn row(id: &str, shipping: bool, billing: bool) -> (String, bool, bool) {
    (id.to_owned(), shipping, billing)
}

async fn create_flagged(
    app: &TestApp,
    customer: &Customer,
    shipping: bool,
    billing: bool,
) -> String {
    id(&create(app, customer, flagged(shipping, billing)).await)
}

async fn delete(app: &TestApp, customer: &Customer, uuid: &str) {
    let response = app
        .delete(&item(&customer.reference, uuid))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
}

/// PATCHes and returns the answer's `(isDefaultShipping, isDefaultBilling)`.
async fn patch_flags(
    app: &TestApp,
    customer: &Customer,
    uuid: &str,
    attributes: serde_json::Value,
) -> (bool, bool) {
    let response = patch(app, customer, uuid, attributes).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let attributes = &response.body["data"]["attributes"];
    (
        attributes["isDefaultShipping"] == json!(true),
        attributes["isDefaultBilling"] == json!(true),
    )
}

#[tokio::test]
async fn the_first_address_becomes_both_defaults_even_when_asking_for_neither() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let first = create(&app, &customer, flagged(false, false)).await;
    assert_eq!(first["attributes"]["isDefaultShipping"], true);
    assert_eq!(first["attributes"]["isDefaultBilling"], true);
    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&id(&first), true, true)]
    );
}

#[tokio::test]
async fn a_second_address_asking_for_shipping_takes_only_the_shipping_default() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let first = create_flagged(&app, &customer, false, false).await;

    let second = create(&app, &customer, flagged(true, false)).await;

    assert_eq!(second["attributes"]["isDefaultShipping"], true);
    assert_eq!(second["attributes"]["isDefaultBilling"], false);
    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&first, false, true), row(&id(&second), true, false)]
    );
}

#[tokio::test]
async fn false_never_clears_a_default() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let first = create_flagged(&app, &customer, true, true).await;
    let second = create_flagged(&app, &customer, false, false).await;

    let answered = patch_flags(&app, &customer, &first, flagged(false, false)).await;
    assert_eq!(answered, (true, true), "the default stays the default");
    let answered = patch_flags(
        &app,
        &customer,
        &first,
        json!({"isDefaultShipping": false, "city": "Hamburg"}),
    )
    .await;
    assert_eq!(answered, (true, true));
    let answered = patch_flags(&app, &customer, &second, flagged(false, false)).await;
    assert_eq!(answered, (false, false));

    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&first, true, true), row(&second, false, false)]
    );
}

#[tokio::test]
async fn true_on_patch_moves_the_default_one_kind_at_a_time() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let first = create_flagged(&app, &customer, false, false).await;
    let second = create_flagged(&app, &customer, false, false).await;

    let answered = patch_flags(&app, &customer, &second, json!({"isDefaultBilling": true})).await;
    assert_eq!(answered, (false, true));
    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&first, true, false), row(&second, false, true)]
    );

    let answered = patch_flags(&app, &customer, &second, json!({"isDefaultShipping": true})).await;
    assert_eq!(answered, (true, true));
    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&first, false, false), row(&second, true, true)]
    );

    // And back, both at once.
    let answered = patch_flags(&app, &customer, &first, flagged(true, true)).await;
    assert_eq!(answered, (true, true));
    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&first, true, true), row(&second, false, false)]
    );
}

#[tokio::test]
async fn deleting_the_default_leaves_it_unset_and_the_next_new_address_takes_it() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let first = create_flagged(&app, &customer, false, false).await;
    let second = create_flagged(&app, &customer, false, false).await;

    delete(&app, &customer, &first).await;
    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&second, false, false)],
        "no address is promoted"
    );

    let third = create(&app, &customer, flagged(false, false)).await;
    assert_eq!(
        (
            &third["attributes"]["isDefaultShipping"],
            &third["attributes"]["isDefaultBilling"]
        ),
        (&json!(true), &json!(true)),
        "there was no default, so the new address is both"
    );
    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&second, false, false), row(&id(&third), true, true)]
    );
}

#[tokio::test]
async fn deleting_only_the_shipping_default_leaves_the_billing_default_alone() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let first = create_flagged(&app, &customer, false, false).await;
    let second = create_flagged(&app, &customer, true, false).await;

    delete(&app, &customer, &second).await;
    assert_eq!(flags(&app, &customer).await, vec![row(&first, false, true)]);

    let third = create_flagged(&app, &customer, false, false).await;
    assert_eq!(
        flags(&app, &customer).await,
        vec![row(&first, false, true), row(&third, true, false)],
        "the new address takes the free shipping default only"
    );
}

/// reference §3.3: the rule applies "on create and on update", so with no default set any
/// change to an address makes it the default.
#[tokio::test]
async fn a_change_while_no_default_is_set_makes_the_changed_address_the_default() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let first = create_flagged(&app, &customer, false, false).await;
    let second = create_flagged(&app, &customer, false, false).await;
    delete(&app, &customer, &first).await;

    let answered = patch_flags(&app, &customer, &second, json!({"city": "Hamburg"})).await;

    assert_eq!(answered, (true, true));
    assert_eq!(flags(&app, &customer).await, vec![row(&second, true, true)]);
}

#[tokio::test]
async fn concurrent_creation_leaves_exactly_one_default_of_each_kind() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    // Address n asks for shipping when n is even and for billing when n is a multiple of 3;
    // `address3` tells them apart.
    let asks = |n: usize| (n % 2 == 0, n % 3 == 0);
    let requests = (0..8).map(|n| {
        let (shipping, billing) = asks(n);
        let attributes = valid_with(&[
            ("address3", json!(format!("n{n}"))),
            ("isDefaultShipping", json!(shipping)),
            ("isDefaultBilling", json!(billing)),
        ]);
        post(&app, &customer, attributes)
    });
    for response in join_all(requests).await {
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    }

    let addresses = super::list(&app, &customer).await;
    assert_eq!(addresses.len(), 8);
    let numbers: Vec<usize> = addresses
        .iter()
        .map(|a| {
            let marker = a["attributes"]["address3"].as_str().expect("address3");
            marker[1..].parse().expect("a number")
        })
        .collect();
    let holders = |flag: &str| -> Vec<usize> {
        addresses
            .iter()
            .zip(&numbers)
            .filter(|(a, _)| a["attributes"][flag] == json!(true))
            .map(|(_, n)| *n)
            .collect()
    };
    // In the order the server created them (oldest first), the default is the last one that
    // asked for it, or the very first address if none asked after it.
    let expected = |wants: fn((bool, bool)) -> bool| -> Vec<usize> {
        let last = numbers
            .iter()
            .enumerate()
            .rfind(|(position, n)| *position == 0 || wants(asks(**n)))
            .map(|(_, n)| *n);
        last.into_iter().collect()
    };
    assert_eq!(
        holders("isDefaultShipping"),
        expected(|(s, _)| s),
        "{numbers:?}"
    );
    assert_eq!(
        holders("isDefaultBilling"),
        expected(|(_, b)| b),
        "{numbers:?}"
    );
}

#[tokio::test]
async fn concurrent_creation_asking_for_both_defaults_leaves_one_of_each() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let requests = (0..8).map(|_| post(&app, &customer, flagged(true, true)));
    for response in join_all(requests).await {
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    }
    let rows = flags(&app, &customer).await;
    assert_eq!(rows.len(), 8);
    let last = rows
        .last()
        .map(|(id, _, _)| id.clone())
        .expect("eight rows");
    let defaults: Vec<_> = rows.iter().filter(|(_, s, b)| *s || *b).cloned().collect();
    assert_eq!(
        defaults,
        vec![row(&last, true, true)],
        "the newest asked last"
    );
}
