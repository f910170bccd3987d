//! Many writers at once on two instances of one database (issue 16 item 5): parallel
//! registrations, logins, profile and address writes see no error and lose no write. Run by the
//! PostgreSQL suite under `default_transaction_isolation = serializable` too (`make
//! test-serializable`), where the database refuses conflicting transactions (SQLSTATE 40001)
//! and the service retries them.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{registration, spawn_app_with, TestApp, PASSWORD};

const SHOPPERS: usize = 12;
const ADDRESSES_EACH: usize = 3;

async fn two_instances() -> (Arc<TestApp>, Arc<TestApp>) {
    // One issuer, as instances behind one load balancer have: a token of either works on both.
    let settings = [
        ("GLUE_DB_POOL_SIZE", "4"),
        ("GLUE_WORKERS", "2"),
        ("GLUE_JWT_ISSUER", "http://shop.test"),
    ];
    let first = spawn_app_with(&settings).await;
    let mut second_settings = settings.to_vec();
    second_settings.push(("DATABASE_URL", first.database_url.as_str()));
    let second = spawn_app_with(&second_settings).await;
    (Arc::new(first), Arc::new(second))
}

fn address(city: &str, default: bool) -> Value {
    json!({"data": {"type": "addresses", "attributes": {
        "salutation": "Ms", "firstName": "Ada", "lastName": "Byron",
        "address1": "Street 1", "address2": "2", "zipCode": "10115", "city": city,
        "iso2Code": "DE", "isDefaultShipping": default, "isDefaultBilling": default
    }}})
}

#[track_caller]
fn assert_status(status: StatusCode, expected: StatusCode, what: &str, text: &str) {
    assert_eq!(status, expected, "{what}: {text}");
}

/// One shopper's life, spread over both instances: register on one, log in on the other,
/// change the name, add addresses on alternating instances. Returns what it wrote.
async fn shopper(n: usize, apps: [Arc<TestApp>; 2]) -> (String, String, String, Vec<String>) {
    let email = format!("busy-{n}-{}@example.com", uuid::Uuid::new_v4().simple());
    let registered = apps[n % 2]
        .register_with(registration(&email, PASSWORD))
        .await;
    assert_status(
        registered.status,
        StatusCode::CREATED,
        "register",
        &registered.text,
    );
    let reference = registered.body["data"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let login = apps[(n + 1) % 2].login(&email, PASSWORD).await;
    assert_status(login.status, StatusCode::CREATED, "login", &login.text);
    let token = login.body["data"]["attributes"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();

    let last_name = format!("Writer{n}");
    let patch = apps[n % 2]
        .patch(
            &format!("/customers/{reference}"),
            &json!({"data": {"type": "customers", "id": reference,
                "attributes": {"lastName": last_name}}}),
        )
        .bearer(&token)
        .send()
        .await;
    assert_status(patch.status, StatusCode::OK, "patch", &patch.text);

    let mut cities = Vec::new();
    for a in 0..ADDRESSES_EACH {
        let city = format!("City {n}-{a}");
        let created = apps[(n + a) % 2]
            .post(
                &format!("/customers/{reference}/addresses"),
                &address(&city, a % 2 == 0),
            )
            .bearer(&token)
            .send()
            .await;
        assert_status(
            created.status,
            StatusCode::CREATED,
            "address",
            &created.text,
        );
        cities.push(city);
    }
    (reference, token, last_name, cities)
}

#[tokio::test]
async fn parallel_writers_on_two_instances_see_no_error_and_lose_no_write() {
    let (first, second) = two_instances().await;
    let mut tasks = Vec::new();
    for n in 0..SHOPPERS {
        tasks.push(tokio::spawn(shopper(n, [first.clone(), second.clone()])));
    }
    let mut references = Vec::new();
    for task in tasks {
        let (reference, token, last_name, mut cities) = task.await.expect("shopper task");
        // Every write is there, read through either instance.
        let read = second
            .get(&format!("/customers/{reference}?include=addresses"))
            .bearer(&token)
            .send()
            .await;
        assert_status(read.status, StatusCode::OK, "read", &read.text);
        assert_eq!(
            read.body["data"]["attributes"]["lastName"],
            json!(last_name)
        );
        let included = read.body["included"].as_array().expect("included");
        let mut found: Vec<String> = included
            .iter()
            .map(|a| a["attributes"]["city"].as_str().expect("city").to_owned())
            .collect();
        found.sort();
        cities.sort();
        assert_eq!(found, cities, "{reference}'s addresses");
        // One default of each kind: the last flagged address.
        for flag in ["isDefaultShipping", "isDefaultBilling"] {
            let defaults = included
                .iter()
                .filter(|a| a["attributes"][flag] == json!(true))
                .count();
            assert_eq!(defaults, 1, "{reference}: {flag}");
        }
        references.push(reference);
    }
    references.sort();
    references.dedup();
    assert_eq!(references.len(), SHOPPERS, "every reference is unique");
}

#[tokio::test]
async fn one_customer_writing_addresses_from_both_instances_at_once_keeps_them_all() {
    const WRITES: usize = 12;
    let (first, second) = two_instances().await;
    let customer = Arc::new(first.customer().await);
    let mut tasks = Vec::new();
    for n in 0..WRITES {
        let app = if n % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let customer = customer.clone();
        tasks.push(tokio::spawn(async move {
            let response = app
                .post(
                    &format!("/customers/{}/addresses", customer.reference),
                    &address(&format!("Town {n}"), true),
                )
                .bearer(&customer.access_token)
                .send()
                .await;
            (response.status, response.text)
        }));
    }
    for task in tasks {
        let (status, text) = task.await.expect("address task");
        assert_status(status, StatusCode::CREATED, "address", &text);
    }
    let list = first
        .get(&format!("/customers/{}/addresses", customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_status(list.status, StatusCode::OK, "list", &list.text);
    let addresses = list.body["data"].as_array().expect("data");
    assert_eq!(addresses.len(), WRITES, "{}", list.text);
    for flag in ["isDefaultShipping", "isDefaultBilling"] {
        let defaults = addresses
            .iter()
            .filter(|a| a["attributes"][flag] == json!(true))
            .count();
        assert_eq!(defaults, 1, "exactly one default ({flag}): {}", list.text);
    }
}
