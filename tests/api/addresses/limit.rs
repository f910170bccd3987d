//! `GLUE_MAX_ADDRESSES`: a customer's address book has a size limit, answered with a 422 that
//! says so, which holds when the addresses arrive all at once.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use super::{create, errors, id, item, list, post, valid, valid_with};
use crate::helpers::spawn_app_with;

#[tokio::test]
async fn the_address_after_the_limit_is_a_422_and_is_not_created() {
    let app = spawn_app_with(&[("GLUE_MAX_ADDRESSES", "3")]).await;
    let customer = app.customer().await;
    let other = app.customer().await;
    for n in 0..3 {
        create(
            &app,
            &customer,
            valid_with(&[("address3", json!(format!("n{n}")))]),
        )
        .await;
    }

    let fourth = post(&app, &customer, valid_with(&[("address3", json!("n3"))])).await;

    let errors = errors("fourth address", &fourth, 422);
    assert_eq!(errors.len(), 1, "{}", fourth.text);
    let detail = errors[0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("at most 3 addresses"),
        "the detail names the limit: {detail}"
    );
    assert_ne!(errors[0]["code"], json!("901"), "not a validation error");
    let markers: Vec<_> = list(&app, &customer)
        .await
        .iter()
        .map(|a| a["attributes"]["address3"].clone())
        .collect();
    assert_eq!(markers, vec![json!("n0"), json!("n1"), json!("n2")]);

    // The limit is per customer, and deleting an address makes room again.
    create(&app, &other, valid()).await;
    let first = id(&list(&app, &customer).await[0]);
    let deleted = app
        .delete(&item(&customer.reference, &first))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    create(&app, &customer, valid()).await;
    assert_eq!(list(&app, &customer).await.len(), 3);
}

#[tokio::test]
async fn addresses_sent_at_once_never_exceed_the_limit() {
    let app = spawn_app_with(&[("GLUE_MAX_ADDRESSES", "5")]).await;
    let customer = app.customer().await;

    let requests = (0..8).map(|_| post(&app, &customer, valid()));
    let responses = join_all(requests).await;

    let created = responses
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused = responses
        .iter()
        .filter(|r| r.status == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((created, refused), (5, 3), "{responses:#?}");
    assert_eq!(list(&app, &customer).await.len(), 5);
}
