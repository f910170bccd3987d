//! `/customers`: registration, validation in Spryker's order, reading, updating, anonymizing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{registration, spawn_app, PASSWORD};

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
    assert_eq!(
        keys,
        ["firstName", "lastName", "email", "gender", "dateOfBirth", "salutation", "createdAt", "updatedAt"]
    );
    assert_eq!(attributes["email"], "sonia@example.com");
    assert_eq!(attributes["dateOfBirth"], "1990-05-17");
    let created = attributes["createdAt"].as_str().expect("createdAt");
    assert!(
        chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%d %H:%M:%S%.6f").is_ok() && created.len() == 26,
        "{created}"
    );
    assert!(!response.text.contains(PASSWORD) && !response.text.contains("$2b$") && !response.text.contains("assword"));
}

#[tokio::test]
async fn customer_references_count_up_per_store() {
    let app = crate::helpers::spawn_app_with(&[("GLUE_STORE", "AT")]).await;
    let first = app.register("a@example.com", PASSWORD).await;
    let second = app.register("b@example.com", PASSWORD).await;
    assert_eq!((first.as_str(), second.as_str()), ("AT--1", "AT--2"));
}
