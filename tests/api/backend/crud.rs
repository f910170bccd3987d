//! Reading, changing and anonymizing one customer as a partner (issue 15 item 3): PATCH of
//! every partner-editable attribute with the storefront's rules and unique emails; DELETE
//! anonymizes exactly as the storefront's DELETE; unknown customers are 404 `402`; a NUL in an
//! id or a text filter is a client error, never a 500 (PostgreSQL refuses NUL in text).

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{
    admin, assert_bad_parameter, created, customer_path, fetch, get, id_of, patch,
    storefront_login, CUSTOMERS,
};
use crate::helpers::{spawn_app, PASSWORD};

#[tokio::test]
async fn an_unknown_customer_is_404_402_for_every_method() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let path = customer_path("DE--999");

    let read = app.get(&path).bearer(&token).send().await;
    let change = patch(&app, &token, "DE--999", json!({"firstName": "X"}), None).await;
    let delete = app.delete(&path).bearer(&token).send().await;

    for response in [read, change, delete] {
        response.assert_error(404, Some("402"));
    }
}

#[tokio::test]
async fn patch_changes_the_partner_editable_attributes_and_keeps_emails_unique() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "old@example.com", "Old", "Name").await);
    created(&app, &token, "other@example.com", "Other", "Customer").await;

    let changes = json!({
        "email": "New.Address@Example.com", "firstName": "New", "lastName": "Surname",
        "salutation": "Dr", "gender": "Male", "dateOfBirth": "1985-12-24", "acceptedMarketing": true
    });
    let response = patch(&app, &token, &reference, changes.clone(), None).await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    for (name, value) in changes.as_object().expect("changes") {
        assert_eq!(&response.body["data"]["attributes"][name], value, "{name}");
    }
    assert_eq!(
        fetch(&app, &token, &reference).await["attributes"]["email"],
        "New.Address@Example.com"
    );
    storefront_login(&app, "new.address@example.com", PASSWORD).await;
    app.login("old@example.com", PASSWORD)
        .await
        .assert_error(401, Some("003"));

    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"email": "OTHER@example.com"}), 422, "400"),
        (json!({"email": "not-an-email"}), 422, "901"),
        (json!({"firstName": ""}), 422, "901"),
        (json!({"status": "anonymized"}), 422, "901"),
        (json!({"status": "unconfirmed"}), 422, "901"),
        (json!({"acceptedMarketing": "no"}), 422, "901"),
    ];
    for (attributes, status, code) in cases {
        let response = patch(&app, &token, &reference, attributes.clone(), None).await;
        response.assert_error(status, Some(code));
        assert_eq!(
            fetch(&app, &token, &reference).await["attributes"]["firstName"],
            "New",
            "{attributes}: nothing changed"
        );
    }
    // The email of the customer itself in another case is no conflict.
    let same = patch(
        &app,
        &token,
        &reference,
        json!({"email": "NEW.address@example.com"}),
        None,
    )
    .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.text);
    let wrong_id = app
        .patch(
            &customer_path(&reference),
            &json!({"data": {"type": "customers", "id": "DE--999", "attributes": {"firstName": "X"}}}),
        )
        .bearer(&token)
        .send()
        .await;
    wrong_id.assert_error(409, None);
}

#[tokio::test]
async fn delete_anonymizes_like_the_storefront_and_ends_every_session() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "leaving@example.com", "Lea", "Ving").await);
    let (access, refresh) = storefront_login(&app, "leaving@example.com", PASSWORD).await;

    let response = app
        .delete(&customer_path(&reference))
        .bearer(&token)
        .send()
        .await;

    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
    assert!(response.text.is_empty());
    let gone = fetch(&app, &token, &reference).await;
    let attributes = &gone["attributes"];
    assert_eq!(attributes["status"], "anonymized");
    for name in [
        "firstName",
        "lastName",
        "salutation",
        "gender",
        "dateOfBirth",
    ] {
        assert_eq!(attributes[name], Value::Null, "{name}: {gone}");
    }
    assert!(!gone.to_string().contains("leaving@example.com"), "{gone}");
    let own = app
        .get(&format!("/customers/{reference}"))
        .bearer(&access)
        .send()
        .await;
    own.assert_error(401, Some("001"));
    let refreshed = app
        .post(
            "/refresh-tokens",
            &json!({"data": {"type": "refresh-tokens", "attributes": {"refreshToken": refresh}}}),
        )
        .send()
        .await;
    refreshed.assert_error(401, Some("004"));
    app.login("leaving@example.com", PASSWORD)
        .await
        .assert_error(401, Some("003"));
    let changed = patch(&app, &token, &reference, json!({"firstName": "Back"}), None).await;
    assert!(changed.status.is_client_error(), "{}", changed.text);
    assert_eq!(
        fetch(&app, &token, &reference).await["attributes"]["firstName"],
        Value::Null
    );
    // The address is free again.
    created(&app, &token, "leaving@example.com", "Lea", "Again").await;
}

#[tokio::test]
async fn a_nul_in_a_path_id_is_a_client_error_never_a_500() {
    let app = spawn_app().await;
    let token = admin(&app).await;

    for path in [
        "/backend/customers/DE--1%00",
        "/backend/customer-groups/x%00y",
    ] {
        let response = app.get(path).bearer(&token).send().await;
        response.assert_error(404, None);
        let change = app.delete(path).bearer(&token).send().await;
        change.assert_error(404, None);
    }
}

#[tokio::test]
async fn a_nul_in_a_text_filter_is_400_naming_it_never_a_500() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    created(&app, &token, "nul@example.com", "Nul", "Byte").await;

    for name in ["filter[q]", "filter[email]", "filter[group]"] {
        let response = get(&app, &token, CUSTOMERS, &[(name, "nu\u{0}l")]).await;
        assert_bad_parameter(&response, name, name);
    }
}

#[tokio::test]
async fn a_partner_cannot_change_a_password_and_is_told_so() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "keeps@example.com", "Kee", "Ps").await);
    let before = fetch(&app, &token, &reference).await;
    let hash = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

    for (field, value) in [
        ("password", json!("Another-Pass-2026!")),
        ("confirmPassword", json!("Another-Pass-2026!")),
        ("passwordHash", json!(hash)),
    ] {
        let mut attributes = json!({"firstName": "Changed"});
        attributes[field] = value;
        let response = patch(&app, &token, &reference, attributes, None).await;
        response.assert_error(422, Some("901"));
        assert_eq!(
            response.error("source")["pointer"],
            format!("/data/attributes/{field}"),
            "{}",
            response.text
        );
    }
    // Nothing changed: the name stays, the old password still logs in.
    assert_eq!(fetch(&app, &token, &reference).await, before);
    let login = app.login("keeps@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
}

#[tokio::test]
async fn deleting_an_anonymized_customer_again_is_204_and_changes_nothing() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, "twice@example.com", "Two", "Ce").await);
    let first = app
        .delete(&customer_path(&reference))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(first.status, StatusCode::NO_CONTENT, "{}", first.text);
    let after_first = fetch(&app, &token, &reference).await;

    let second = app
        .delete(&customer_path(&reference))
        .bearer(&token)
        .send()
        .await;

    assert_eq!(second.status, StatusCode::NO_CONTENT, "{}", second.text);
    assert_eq!(fetch(&app, &token, &reference).await, after_first);
}
