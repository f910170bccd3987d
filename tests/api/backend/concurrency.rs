//! Optimistic concurrency (issue 15 item 4): every single-customer answer carries an `ETag`;
//! PATCH and DELETE honour `If-Match` (412 with a JSON:API error when the customer changed
//! meanwhile, and nothing changes); `*` matches any; without `If-Match` the change applies.

use reqwest::StatusCode;
use serde_json::json;

use super::{admin, created, customer_path, id_of, patch, storefront_login};
use crate::helpers::{spawn_app, TestApp, TestResponse, PASSWORD};

fn etag(response: &TestResponse) -> String {
    let tag = response
        .header("etag")
        .unwrap_or_else(|| panic!("an ETag: {:?}", response.headers))
        .to_owned();
    assert!(
        tag.starts_with('"') && tag.ends_with('"') && tag.len() > 2,
        "a strong ETag: {tag}"
    );
    tag
}

async fn read(app: &TestApp, token: &str, reference: &str) -> TestResponse {
    let response = app
        .get(&customer_path(reference))
        .bearer(token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    response
}

async fn delete(app: &TestApp, token: &str, reference: &str, if_match: &str) -> TestResponse {
    app.delete(&customer_path(reference))
        .bearer(token)
        .header("if-match", if_match)
        .send()
        .await
}

#[track_caller]
fn assert_precondition_failed(response: &TestResponse, what: &str) {
    assert_eq!(
        response.status,
        StatusCode::PRECONDITION_FAILED,
        "{what}: {}",
        response.text
    );
    response.assert_error(412, None);
}

#[tokio::test]
async fn every_single_customer_answer_has_an_etag_that_changes_with_the_customer() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let response = super::create(
        &app,
        &token,
        &super::customer_document(super::attributes("e@example.com", "Eva", "Tag"), None),
    )
    .await;
    let reference = id_of(&response.body["data"]);
    let on_create = etag(&response);

    let first = etag(&read(&app, &token, &reference).await);
    let again = etag(&read(&app, &token, &reference).await);
    let with_include = app
        .get(&format!("{}?include=group", customer_path(&reference)))
        .bearer(&token)
        .send()
        .await;
    let changed = patch(
        &app,
        &token,
        &reference,
        json!({"firstName": "Evi"}),
        Some(&first),
    )
    .await;

    assert_eq!(on_create, first, "nothing changed since the create");
    assert_eq!(first, again, "a GET changes nothing");
    assert_eq!(
        etag(&with_include),
        first,
        "the ETag is the customer's, whatever is included"
    );
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let after = etag(&changed);
    assert_ne!(after, first);
    assert_eq!(
        etag(&read(&app, &token, &reference).await),
        after,
        "PATCH answers the new one"
    );
}

#[tokio::test]
async fn a_stale_etag_is_412_for_patch_and_delete_and_nothing_changes() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "s@example.com", "Stale", "Tag").await);
    let stale = etag(&read(&app, &token, &reference).await);
    let fresh = patch(
        &app,
        &token,
        &reference,
        json!({"firstName": "Current"}),
        Some(&stale),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text);
    let current = etag(&fresh);

    for tag in [
        stale.clone(),
        "\"nope\"".to_owned(),
        format!("W/{current}"),
        current.trim_matches('"').to_owned(),
    ] {
        let change = patch(
            &app,
            &token,
            &reference,
            json!({"firstName": "Lost"}),
            Some(&tag),
        )
        .await;
        let removal = delete(&app, &token, &reference, &tag).await;

        assert_precondition_failed(&change, &format!("PATCH If-Match: {tag}"));
        assert_precondition_failed(&removal, &format!("DELETE If-Match: {tag}"));
    }
    let now = read(&app, &token, &reference).await;
    assert_eq!(now.body["data"]["attributes"]["firstName"], "Current");
    assert_eq!(now.body["data"]["attributes"]["status"], "active");
    assert_eq!(etag(&now), current);
}

#[tokio::test]
async fn if_match_star_or_a_list_holding_the_current_tag_or_no_if_match_lets_the_change_apply() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "a@example.com", "Any", "Tag").await);

    let star = patch(
        &app,
        &token,
        &reference,
        json!({"firstName": "Star"}),
        Some("*"),
    )
    .await;
    let current = etag(&star);
    let list = format!("\"old\", {current}");
    let listed = patch(
        &app,
        &token,
        &reference,
        json!({"firstName": "Listed"}),
        Some(&list),
    )
    .await;
    let unconditional = patch(
        &app,
        &token,
        &reference,
        json!({"firstName": "Plain"}),
        None,
    )
    .await;

    for (what, response) in [
        ("*", &star),
        ("a list", &listed),
        ("no If-Match", &unconditional),
    ] {
        assert_eq!(response.status, StatusCode::OK, "{what}: {}", response.text);
    }
    assert_eq!(
        read(&app, &token, &reference).await.body["data"]["attributes"]["firstName"],
        "Plain"
    );
    let current = etag(&unconditional);
    let removed = delete(&app, &token, &reference, &current).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    let other = id_of(&created(&app, &token, "b@example.com", "Other", "Tag").await);
    assert_eq!(
        delete(&app, &token, &other, "*").await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_shoppers_change_on_the_storefront_makes_the_partners_if_match_fail() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "shopper@example.com", "Sonia", "Wagner").await);
    let (access, _) = storefront_login(&app, "shopper@example.com", PASSWORD).await;
    let partners_copy = read(&app, &token, &reference).await;
    let tag = etag(&partners_copy);

    let own = app
        .patch(
            &format!("/customers/{reference}"),
            &json!({"data": {"type": "customers", "id": reference, "attributes": {"lastName": "Weber"}}}),
        )
        .bearer(&access)
        .send()
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);

    let sync = patch(
        &app,
        &token,
        &reference,
        json!({"lastName": "Wagner-Sync", "firstName": "Sonja"}),
        Some(&tag),
    )
    .await;

    assert_precondition_failed(&sync, "the partner's stale copy");
    let now = read(&app, &token, &reference).await;
    assert_eq!(
        now.body["data"]["attributes"]["lastName"], "Weber",
        "the shopper's change stands"
    );
    assert_eq!(now.body["data"]["attributes"]["firstName"], "Sonia");
    let retried = patch(
        &app,
        &token,
        &reference,
        json!({"firstName": "Sonja"}),
        Some(&etag(&now)),
    )
    .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.text);
    assert_eq!(retried.body["data"]["attributes"]["lastName"], "Weber");
}

#[tokio::test]
async fn of_concurrent_changes_based_on_the_same_etag_exactly_one_applies() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "race@example.com", "Start", "Race").await);
    let tag = etag(&read(&app, &token, &reference).await);

    for round in 0..3 {
        let tag = if round == 0 {
            tag.clone()
        } else {
            etag(&read(&app, &token, &reference).await)
        };
        let changes = (0..6).map(|i| {
            let name = format!("Writer{i}");
            let (app, token, reference, tag) = (&app, &token, &reference, &tag);
            async move {
                let response =
                    patch(app, token, reference, json!({"firstName": name}), Some(tag)).await;
                (name, response)
            }
        });
        let answers = futures_util::future::join_all(changes).await;

        let winners: Vec<&String> = answers
            .iter()
            .filter(|(_, r)| r.status == StatusCode::OK)
            .map(|(name, _)| name)
            .collect();
        for (_, response) in answers.iter().filter(|(_, r)| r.status != StatusCode::OK) {
            assert_precondition_failed(response, "a concurrent writer");
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        let now = read(&app, &token, &reference).await;
        assert_eq!(
            &now.body["data"]["attributes"]["firstName"],
            winners[0].as_str()
        );
    }
}

/// An `If-Match` that is not visible ASCII (obs-text, which HTTP lets through) is no list of
/// ETags: it matches none (412). It once counted as absent, and the change applied.
#[tokio::test]
async fn an_if_match_that_is_not_text_is_412_never_an_unconditional_change() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "o@example.com", "Obs", "Text").await);
    let before = etag(&read(&app, &token, &reference).await);
    let unreadable = reqwest::header::HeaderValue::from_bytes(b"\"\xe9t\xe9\"").expect("obs-text");
    let url = format!("{}{}", app.address, customer_path(&reference));
    let document = json!({"data": {"type": "customers", "id": reference, "attributes": {"firstName": "Lost"}}});

    let change = app
        .client
        .patch(&url)
        .bearer_auth(&token)
        .header("content-type", "application/vnd.api+json")
        .header("if-match", unreadable.clone())
        .body(document.to_string())
        .send()
        .await
        .expect("request");
    let removal = app
        .client
        .delete(&url)
        .bearer_auth(&token)
        .header("if-match", unreadable)
        .send()
        .await
        .expect("request");

    assert_eq!(change.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(removal.status(), StatusCode::PRECONDITION_FAILED);
    let now = read(&app, &token, &reference).await;
    assert_eq!(now.body["data"]["attributes"]["firstName"], "Obs");
    assert_eq!(now.body["data"]["attributes"]["status"], "active");
    assert_eq!(etag(&now), before);
}
