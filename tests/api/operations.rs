//! Operations: liveness, readiness, and the real binary: first start with the defaults, and a
//! graceful stop on SIGTERM that finishes the request in flight.

use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::binary::Binary;
use crate::helpers::{registration, spawn_app, PASSWORD};

#[tokio::test]
async fn health_and_ready_answer_200() {
    let app = spawn_app().await;
    for path in ["/health", "/ready"] {
        let response = app.get(path).send().await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.body, json!({"status": "ok"}), "{path}");
    }
}

/// The binary in a fresh working directory with no settings but a port and a cost.
async fn start_binary(cost: &str) -> (Binary, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let binary = Binary::start(dir.path(), &[("GLUE_BCRYPT_COST", cost)]).await;
    (binary, dir)
}

fn register_request(
    client: &reqwest::Client,
    address: &str,
    email: &str,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{address}/customers"))
        .header("content-type", "application/vnd.api+json")
        .body(
            json!({"data": {"type": "customers", "attributes": registration(email, PASSWORD)}})
                .to_string(),
        )
}

#[tokio::test]
async fn first_start_creates_and_migrates_the_default_sqlite_database_and_key() {
    let (server, dir) = start_binary("4").await;
    let client = reqwest::Client::new();
    let response = register_request(&client, &server.address, "first@example.com")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(
        dir.path().join("var/glue.db").is_file(),
        "default database var/glue.db"
    );
    assert!(
        dir.path().join("var/jwt-private.pem").is_file(),
        "signing key under var/"
    );
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_then_stops() {
    // A high bcrypt cost keeps the registration in flight for a while.
    let (mut server, _dir) = start_binary("14").await;
    let client = reqwest::Client::new();
    let in_flight =
        tokio::spawn(register_request(&client, &server.address, "late@example.com").send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.terminate();

    let response = in_flight
        .await
        .expect("join")
        .expect("the request in flight is answered");
    assert_eq!(response.status(), StatusCode::CREATED);
    let (exit, _) = server.wait().await;
    assert!(exit.success(), "exit status {exit:?}");
    let after = reqwest::Client::new()
        .get(format!("{}/health", server.address))
        .send()
        .await;
    assert!(after.is_err(), "the server no longer accepts connections");
}

/// Several instances starting together on a fresh database: every one migrates (or finds the
/// work done) and starts; none fails on a half-created schema.
#[tokio::test]
async fn instances_starting_together_on_a_fresh_database_all_start() {
    for round in 0..3 {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, _guard) = crate::helpers::fresh_database(dir.path());
        let url = glue_customers::settings::DatabaseUrl::parse(&url).expect("url");
        let starts: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || glue_customers::db::Db::connect(&url, 1).map(|_| ()))
            })
            .collect();
        for start in starts {
            let result = start.join().expect("thread");
            assert!(result.is_ok(), "round {round}: {:?}", result.err());
        }
    }
}

/// Two instances on one database with the same key and public URL accept each other's tokens
/// (the scale-out setting the README describes).
#[tokio::test]
async fn an_instance_accepts_tokens_another_instance_issued() {
    let first =
        crate::helpers::spawn_app_with(&[("GLUE_PUBLIC_URL", "https://shop.example")]).await;
    let second = crate::helpers::spawn_app_with(&[
        ("GLUE_PUBLIC_URL", "https://shop.example"),
        ("DATABASE_URL", first.database_url.as_str()),
    ])
    .await;
    let customer = first.customer().await;
    let path = format!("/customers/{}", customer.reference);
    let read = second
        .get(&path)
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);

    let refreshed = second
        .post(
            "/refresh-tokens",
            &json!({"data": {"type": "refresh-tokens", "attributes": {"refreshToken": customer.refresh_token}}}),
        )
        .send()
        .await;
    assert_eq!(refreshed.status, StatusCode::CREATED, "{}", refreshed.text);
    let token = refreshed.body["data"]["attributes"]["accessToken"]
        .as_str()
        .expect("token");
    assert_eq!(
        first.get(&path).bearer(token).send().await.status,
        StatusCode::OK
    );
}

#[test]
fn the_migrate_subcommand_creates_and_migrates_the_database_then_exits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let status = Command::new(env!("CARGO_BIN_EXE_glue-customers"))
        .arg("migrate")
        .current_dir(dir.path())
        .env_clear()
        .env("RUST_LOG", "warn")
        .status()
        .expect("run migrate");
    assert!(status.success());
    // Opened directly, not through Db::connect (which would migrate by itself).
    use diesel::{Connection, RunQueryDsl};
    let path = dir.path().join("var/glue.db");
    let mut conn =
        diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("open the file");
    diesel::sql_query("SELECT customer_reference, email_normalized FROM customers")
        .execute(&mut conn)
        .expect("the customers table exists");
    diesel::sql_query("SELECT token_hash FROM refresh_tokens")
        .execute(&mut conn)
        .expect("the refresh_tokens table exists");

    let unknown = Command::new(env!("CARGO_BIN_EXE_glue-customers"))
        .arg("frobnicate")
        .current_dir(dir.path())
        .env_clear()
        .status()
        .expect("run");
    assert_eq!(
        unknown.code(),
        Some(2),
        "an unknown subcommand is a usage error"
    );
}
