//! Hostile input: mass assignment of server values and strings stored verbatim.

use serde_json::json;

use super::{access_token, assert_created, assert_login_refused, fetch, with_all, EMAIL};
use crate::helpers::{registration, spawn_app, spawn_app_with, CUSTOMER_ATTRIBUTES, PASSWORD};

#[tokio::test]
async fn extra_attributes_cannot_set_server_values() {
    let app = spawn_app().await;
    let planted = "2000-01-01 00:00:00.000000";
    let attributes = with_all(
        EMAIL,
        &[
            ("customerReference", json!("DE--999")),
            ("id", json!("DE--999")),
            ("idCustomer", json!(999)),
            ("id_customer", json!(999)),
            ("createdAt", json!(planted)),
            ("updatedAt", json!(planted)),
            ("registered", json!(true)),
            ("registeredAt", json!(planted)),
            ("anonymizedAt", json!(planted)),
            ("passwordHash", json!("$2b$04$abcdefghijklmnopqrstuv")),
            ("emailNormalized", json!("victim@example.com")),
        ],
    );
    let response = app.register_with(attributes).await;
    assert_created("planted server values", &response);
    let data = &response.body["data"];
    assert_eq!(data["id"], json!("DE--1"));
    let keys: Vec<&str> = data["attributes"]
        .as_object()
        .expect("attributes")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, CUSTOMER_ATTRIBUTES);
    let now = chrono::Utc::now().naive_utc();
    for field in ["createdAt", "updatedAt"] {
        let value = data["attributes"][field].as_str().expect("timestamp");
        let parsed = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S%.6f")
            .expect("Spryker timestamp");
        assert!(
            (now - parsed).num_minutes().abs() < 10,
            "{field} is the server's: {value}"
        );
    }

    let token = access_token(&app, EMAIL, PASSWORD).await;
    let fetched = fetch(&app, "DE--1", &token).await;
    assert_eq!(fetched["attributes"], data["attributes"]);
    let victim = app
        .register_with(registration("victim@example.com", PASSWORD))
        .await;
    assert_created("emailNormalized was not stored", &victim);
    assert_eq!(victim.body["data"]["id"], json!("DE--2"));
}

#[tokio::test]
async fn extra_attributes_cannot_confirm_a_registration() {
    let app = spawn_app_with(&[("GLUE_DOUBLE_OPT_IN", "true")]).await;
    let attributes = with_all(
        EMAIL,
        &[
            ("registered", json!(true)),
            ("registeredAt", json!("2000-01-01 00:00:00.000000")),
            ("isConfirmed", json!(true)),
        ],
    );
    let response = app.register_with(attributes).await;
    assert_created("planted confirmation", &response);
    assert_login_refused(&app, EMAIL, PASSWORD).await;
}

#[tokio::test]
async fn hostile_strings_are_stored_verbatim() {
    let app = spawn_app().await;
    let values = [
        "Robert'); DROP TABLE customers;--",
        "<script>alert(1)</script>",
        "😀 Zoë",
        "{{7*7}}",
    ];
    for (n, value) in values.iter().enumerate() {
        let email = format!("o'neil+{n}@example.com");
        let attributes = with_all(
            &email,
            &[("firstName", json!(value)), ("lastName", json!(value))],
        );
        let response = app.register_with(attributes).await;
        assert_created(&format!("{value:?}"), &response);
        let reference = response.body["data"]["id"].as_str().expect("id").to_owned();
        assert_eq!(
            response.body["data"]["attributes"]["firstName"],
            json!(value),
            "{value:?} in the 201"
        );

        let token = access_token(&app, &email, PASSWORD).await;
        let fetched = fetch(&app, &reference, &token).await;
        let attributes = &fetched["attributes"];
        for field in ["firstName", "lastName"] {
            let stored = attributes[field].as_str().expect("string");
            assert_eq!(
                stored.as_bytes(),
                value.as_bytes(),
                "{value:?}: {field} byte-identical"
            );
        }
        assert_eq!(
            attributes["email"],
            json!(email),
            "{value:?}: email verbatim"
        );
    }
}
