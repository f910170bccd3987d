//! Customer groups (issue 15 item 5): `/backend/customer-groups` GET/POST and GET/PATCH/DELETE
//! one; unique names; exactly one default group, which new customers join; a customer's
//! `relationships.group` on create and PATCH; deleting the default group or one with
//! customers: 409.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{
    admin, attributes, create, customer_document, customer_path, default_group, get, group_path,
    id_of, listed, new_group, CUSTOMER_GROUPS,
};
use crate::helpers::{spawn_app, TestApp, TestResponse, PASSWORD};

async fn post_group(app: &TestApp, token: &str, attributes: Value) -> TestResponse {
    app.post(
        CUSTOMER_GROUPS,
        &json!({"data": {"type": "customer-groups", "attributes": attributes}}),
    )
    .bearer(token)
    .send()
    .await
}

async fn patch_group(app: &TestApp, token: &str, id: &str, attributes: Value) -> TestResponse {
    app.patch(
        &group_path(id),
        &json!({"data": {"type": "customer-groups", "id": id, "attributes": attributes}}),
    )
    .bearer(token)
    .send()
    .await
}

async fn delete_group(app: &TestApp, token: &str, id: &str) -> TestResponse {
    app.delete(&group_path(id)).bearer(token).send().await
}

/// `PATCH /backend/customers/{reference}` of the group relationship only.
async fn move_to(app: &TestApp, token: &str, reference: &str, group: Value) -> TestResponse {
    let document = json!({"data": {"type": "customers", "id": reference, "attributes": {},
        "relationships": {"group": {"data": group}}}});
    app.patch(&customer_path(reference), &document)
        .bearer(token)
        .send()
        .await
}

fn group_of(customer: &Value) -> Value {
    customer["relationships"]["group"]["data"].clone()
}

fn linkage(id: &str) -> Value {
    json!({"type": "customer-groups", "id": id})
}

#[tokio::test]
async fn a_group_is_created_read_changed_and_deleted() {
    let app = spawn_app().await;
    let token = admin(&app).await;

    let created = post_group(
        &app,
        &token,
        json!({"name": "Wholesale", "description": "B2B buyers"}),
    )
    .await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let data = &created.body["data"];
    let id = id_of(data);
    assert_eq!(data["type"], "customer-groups");
    assert_eq!(
        data["attributes"],
        json!({"name": "Wholesale", "description": "B2B buyers", "isDefault": false})
    );
    assert_eq!(created.header("location"), data["links"]["self"].as_str());
    let one = get(&app, &token, &group_path(&id), &[]).await;
    assert_eq!(one.body["data"], *data);
    let all = get(&app, &token, CUSTOMER_GROUPS, &[]).await;
    let names: Vec<&Value> = all.body["data"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| &g["attributes"]["name"])
        .collect();
    assert_eq!(names, [&json!("Default"), &json!("Wholesale")]);

    let renamed = patch_group(&app, &token, &id, json!({"name": "Trade"})).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(
        renamed.body["data"]["attributes"]["description"], "B2B buyers",
        "untouched"
    );
    let cleared = patch_group(&app, &token, &id, json!({"description": null})).await;
    assert_eq!(
        cleared.body["data"]["attributes"],
        json!({"name": "Trade", "description": null, "isDefault": false})
    );

    let deleted = delete_group(&app, &token, &id).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    for response in [
        get(&app, &token, &group_path(&id), &[]).await,
        patch_group(&app, &token, &id, json!({"name": "Ghost"})).await,
        delete_group(&app, &token, &id).await,
    ] {
        response.assert_error(404, None);
    }
}

#[tokio::test]
async fn group_names_are_unique_and_validated() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let vip = new_group(&app, &token, "VIP").await;
    let other = new_group(&app, &token, "Other").await;

    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": "VIP"}), "name"),
        (json!({"name": "Default"}), "name"),
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (
            json!({"name": "Fine", "description": "d".repeat(256)}),
            "description",
        ),
        (json!({"name": "Fine", "isDefault": false}), "isDefault"),
    ];
    for (attributes, field) in cases {
        let response = post_group(&app, &token, attributes.clone()).await;
        response.assert_error(422, Some("901"));
        assert_eq!(
            response.error("source")["pointer"],
            json!(format!("/data/attributes/{field}")),
            "{attributes}"
        );
    }
    patch_group(&app, &token, &other, json!({"name": "VIP"}))
        .await
        .assert_error(422, Some("901"));
    let same = patch_group(
        &app,
        &token,
        &vip,
        json!({"name": "VIP", "description": "kept"}),
    )
    .await;
    assert_eq!(
        same.status,
        StatusCode::OK,
        "its own name is no conflict: {}",
        same.text
    );
    let all = get(&app, &token, CUSTOMER_GROUPS, &[]).await;
    assert_eq!(
        all.body["data"].as_array().map(Vec::len),
        Some(3),
        "nothing created: {}",
        all.text
    );
}

#[tokio::test]
async fn there_is_one_default_group_and_new_customers_join_it() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let first_default = default_group(&app, &token).await;
    let by_partner = create(
        &app,
        &token,
        &customer_document(attributes("p@example.com", "Pa", "Rtner"), None),
    )
    .await;
    let by_storefront = app.register("s@example.com", PASSWORD).await;
    let members = listed(&app, &token, &[("filter[group]", &first_default)]).await;
    assert_eq!(
        members,
        [id_of(&by_partner.body["data"]), by_storefront.clone()]
    );
    assert_eq!(group_of(&by_partner.body["data"]), linkage(&first_default));

    let retail = post_group(&app, &token, json!({"name": "Retail", "isDefault": true})).await;
    assert_eq!(retail.status, StatusCode::CREATED, "{}", retail.text);
    let retail = id_of(&retail.body["data"]);

    assert_eq!(default_group(&app, &token).await, retail);
    let old = get(&app, &token, &group_path(&first_default), &[]).await;
    assert_eq!(old.body["data"]["attributes"]["isDefault"], false);
    let later = create(
        &app,
        &token,
        &customer_document(attributes("l@example.com", "La", "Ter"), None),
    )
    .await;
    assert_eq!(group_of(&later.body["data"]), linkage(&retail));
    let registered_later = app.register("r@example.com", PASSWORD).await;
    assert_eq!(
        listed(&app, &token, &[("filter[group]", &retail)]).await,
        [id_of(&later.body["data"]), registered_later]
    );

    let back = patch_group(&app, &token, &first_default, json!({"isDefault": true})).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert_eq!(default_group(&app, &token).await, first_default);
    let not_default = patch_group(&app, &token, &first_default, json!({"isDefault": false})).await;
    not_default.assert_error(422, Some("901"));
    assert_eq!(
        default_group(&app, &token).await,
        first_default,
        "there is always one"
    );
}

#[tokio::test]
async fn the_group_relationship_places_a_customer_on_create_and_moves_it_on_patch() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let (vip, trade) = (
        new_group(&app, &token, "VIP").await,
        new_group(&app, &token, "Trade").await,
    );
    let created = create(
        &app,
        &token,
        &customer_document(attributes("m@example.com", "Mo", "Ver"), Some(&vip)),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let reference = id_of(&created.body["data"]);
    assert_eq!(group_of(&created.body["data"]), linkage(&vip));

    let moved = move_to(&app, &token, &reference, linkage(&trade)).await;

    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(group_of(&moved.body["data"]), linkage(&trade));
    assert!(listed(&app, &token, &[("filter[group]", &vip)])
        .await
        .is_empty());
    assert_eq!(
        listed(&app, &token, &[("filter[group]", &trade)]).await,
        std::slice::from_ref(&reference)
    );
    let untouched = super::patch(
        &app,
        &token,
        &reference,
        json!({"firstName": "Still"}),
        None,
    )
    .await;
    assert_eq!(
        group_of(&untouched.body["data"]),
        linkage(&trade),
        "no relationship: no move"
    );
    let none = move_to(&app, &token, &reference, Value::Null).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.text);
    assert_eq!(group_of(&none.body["data"]), Value::Null);
    assert_eq!(
        delete_group(&app, &token, &trade).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_group_relationship_to_no_such_group_is_404_and_a_malformed_one_400() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let vip = new_group(&app, &token, "VIP").await;
    let created = create(
        &app,
        &token,
        &customer_document(attributes("m@example.com", "Mo", "Ver"), Some(&vip)),
    )
    .await;
    let reference = id_of(&created.body["data"]);

    // JSON:API: a request that references a related resource that does not exist is a 404.
    let unknown_create = create(
        &app,
        &token,
        &customer_document(
            attributes("n@example.com", "No", "Group"),
            Some("no-such-group"),
        ),
    )
    .await;
    let unknown_move = move_to(&app, &token, &reference, linkage("no-such-group")).await;
    let wrong_type = move_to(
        &app,
        &token,
        &reference,
        json!({"type": "addresses", "id": vip}),
    )
    .await;

    unknown_create.assert_error(404, None);
    unknown_move.assert_error(404, None);
    wrong_type.assert_error(400, None);
    assert_eq!(
        wrong_type.error("source")["pointer"],
        json!("/data/relationships/group/data")
    );
    assert_eq!(
        listed(&app, &token, &[]).await,
        std::slice::from_ref(&reference),
        "nothing created"
    );
    assert_eq!(
        listed(&app, &token, &[("filter[group]", &vip)]).await,
        [reference],
        "not moved"
    );
}

#[tokio::test]
async fn deleting_the_default_group_or_one_with_customers_is_409() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let default = default_group(&app, &token).await;
    let vip = new_group(&app, &token, "VIP").await;
    let member = create(
        &app,
        &token,
        &customer_document(attributes("v@example.com", "Vi", "Pe"), Some(&vip)),
    )
    .await;
    let member = id_of(&member.body["data"]);

    let with_member = delete_group(&app, &token, &vip).await;
    let the_default = delete_group(&app, &token, &default).await;

    with_member.assert_error(409, None);
    the_default.assert_error(409, None);
    assert_eq!(
        listed(&app, &token, &[("filter[group]", &vip)]).await,
        std::slice::from_ref(&member)
    );
    assert_eq!(default_group(&app, &token).await, default);
    let moved = move_to(&app, &token, &member, linkage(&default)).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(
        delete_group(&app, &token, &vip).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn concurrent_creates_of_one_group_name_make_one_group_and_answer_the_others_422() {
    let app = spawn_app().await;
    let token = admin(&app).await;

    let creates = (0..6).map(|_| {
        let (app, token) = (&app, &token);
        async move { post_group(app, token, json!({"name": "Rush"})).await }
    });
    let answers = futures_util::future::join_all(creates).await;

    let made = answers
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        made,
        1,
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for refused in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
        refused.assert_error(422, Some("901"));
    }
    let all = get(&app, &token, CUSTOMER_GROUPS, &[]).await;
    assert_eq!(
        all.body["data"].as_array().map(Vec::len),
        Some(2),
        "{}",
        all.text
    );
}

#[tokio::test]
async fn a_group_whose_customers_were_all_anonymized_can_be_deleted() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let vip = new_group(&app, &token, "VIP").await;
    let member = create(
        &app,
        &token,
        &customer_document(attributes("v@example.com", "Vi", "Pe"), Some(&vip)),
    )
    .await;
    let member = id_of(&member.body["data"]);
    let gone = app
        .delete(&customer_path(&member))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.text);
    // An anonymized customer can no longer be moved: the group must go without that.
    let moved = move_to(&app, &token, &member, Value::Null).await;
    assert!(moved.status.is_client_error(), "{}", moved.text);

    let deleted = delete_group(&app, &token, &vip).await;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    let anonymized = super::fetch(&app, &token, &member).await;
    assert_eq!(anonymized["attributes"]["status"], "anonymized");
    assert_eq!(group_of(&anonymized), Value::Null);
}

/// PostgreSQL refuses a NUL in text outright: a `group` relationship whose id holds one names
/// no group (404), on either database, never a 500.
#[tokio::test]
async fn a_group_relationship_whose_id_holds_a_nul_is_404() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let created = create(
        &app,
        &token,
        &customer_document(attributes("z@example.com", "Nul", "Id"), None),
    )
    .await;
    let reference = id_of(&created.body["data"]);

    let unknown_create = create(
        &app,
        &token,
        &customer_document(attributes("y@example.com", "Nul", "Id"), Some("a\u{0}b")),
    )
    .await;
    let unknown_move = move_to(&app, &token, &reference, linkage("a\u{0}b")).await;

    unknown_create.assert_error(404, None);
    unknown_move.assert_error(404, None);
    assert_eq!(
        listed(&app, &token, &[]).await,
        std::slice::from_ref(&reference),
        "nothing created"
    );
}
