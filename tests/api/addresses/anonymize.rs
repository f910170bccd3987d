//! `DELETE /customers/{ref}` wipes the customer's addresses too (reference §3.4, CONTRACT §3
//! item 13): the rows stay without personal data, another customer's stay as they were.

use diesel::prelude::*;
use glue_customers::addresses::model::Address;
use glue_customers::db::schema::addresses;
use reqwest::StatusCode;
use serde_json::json;

use super::{create, item, list, patch, valid, valid_with};
use crate::helpers::{spawn_app, Customer, TestApp};

/// Personal data in the addresses below, none of which may survive anonymization.
const PERSONAL: [&str; 9] = [
    "Quaxworth",
    "Zebulon",
    "Gruenspan",
    "Hinterhof",
    "Seitenfluegel",
    "Kleinmachnow",
    "98765",
    "Quaxworth Holding",
    "+49 30 5550123",
];

fn personal_address(city: &str) -> serde_json::Value {
    valid_with(&[
        ("salutation", json!("Dr")),
        ("firstName", json!("Zebulon")),
        ("lastName", json!("Quaxworth")),
        ("address1", json!("Gruenspanweg 7")),
        ("address2", json!("Hinterhof")),
        ("address3", json!("Seitenfluegel")),
        ("zipCode", json!("98765")),
        ("city", json!(city)),
        ("company", json!("Quaxworth Holding")),
        ("phone", json!("+49 30 5550123")),
        ("iso2Code", json!("AT")),
    ])
}

/// Every address row of a customer, oldest first.
async fn rows(app: &TestApp, customer: &Customer) -> Vec<Address> {
    let customer_id = app.customer_row(&customer.reference).await.id;
    app.db()
        .read(move |conn| {
            Ok(addresses::table
                .filter(addresses::customer_id.eq(customer_id))
                .order(addresses::id)
                .select(Address::as_select())
                .load(conn)?)
        })
        .await
        .expect("address rows")
}

async fn anonymize(app: &TestApp, customer: &Customer) {
    let response = app
        .delete(&format!("/customers/{}", customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);
}

#[tokio::test]
async fn anonymization_wipes_every_address_of_the_customer_and_only_those() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let neighbour = app.customer().await;
    create(&app, &customer, personal_address("Kleinmachnow")).await;
    create(&app, &customer, personal_address("Kleinmachnow")).await;
    let neighbours = create(&app, &neighbour, valid()).await;
    let neighbour_rows = rows(&app, &neighbour).await;
    assert_eq!(rows(&app, &customer).await.len(), 2);

    anonymize(&app, &customer).await;

    let wiped = rows(&app, &customer).await;
    assert_eq!(wiped.len(), 2, "the rows stay (reference §3.4)");
    for row in &wiped {
        let personal = [
            ("salutation", &row.salutation),
            ("first_name", &row.first_name),
            ("last_name", &row.last_name),
            ("address1", &row.address1),
            ("address2", &row.address2),
            ("address3", &row.address3),
            ("zip_code", &row.zip_code),
            ("city", &row.city),
            ("company", &row.company),
            ("phone", &row.phone),
        ];
        for (column, value) in personal {
            assert_eq!(value, &None, "{column} of address {}", row.uuid);
        }
        assert!(row.anonymized_at.is_some(), "anonymized_at of {}", row.uuid);
        let debug = format!("{row:?}");
        for needle in PERSONAL {
            assert!(!debug.contains(needle), "`{needle}` left in {debug}");
        }
    }

    // The neighbour's address is exactly as it was, and still served.
    let after = rows(&app, &neighbour).await;
    assert_eq!(format!("{after:?}"), format!("{neighbour_rows:?}"));
    assert!(after.iter().all(|row| row.anonymized_at.is_none()));
    assert_eq!(list(&app, &neighbour).await, vec![neighbours]);

    // The anonymized customer's token no longer opens the address book.
    app.get(&super::collection(&customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await
        .assert_error(401, Some("001"));
}

/// On SQLite the data lives in files the service owns: neither an address's current values nor
/// an older version of them, nor a deleted address, stays in the file or its WAL.
#[tokio::test]
async fn on_sqlite_no_address_data_stays_on_disk_after_anonymization() {
    let app = spawn_app().await;
    let Some(path) = app.database_url.strip_prefix("sqlite://") else {
        return; // PostgreSQL: its files belong to its server.
    };
    let files = ["", "-wal", "-shm"].map(|suffix| format!("{path}{suffix}"));
    let found = |needle: &str| {
        files.iter().any(|file| {
            let bytes = std::fs::read(file).unwrap_or_default();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
    };
    let customer = app.customer().await;
    let kept = super::id(&create(&app, &customer, personal_address("Kleinmachnow")).await);
    let gone = super::id(&create(&app, &customer, personal_address("Kleinmachnow")).await);
    // An older version of an address, and a deleted one.
    let moved = patch(&app, &customer, &kept, json!({"city": "Wusterhausen"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    let deleted = app
        .delete(&item(&customer.reference, &gone))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(found("Wusterhausen"), "the scan finds data that is there");

    anonymize(&app, &customer).await;

    for needle in PERSONAL.iter().chain(&["Wusterhausen"]) {
        assert!(
            !found(needle),
            "`{needle}` is still on disk after anonymization"
        );
    }
}
