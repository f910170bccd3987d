//! Imported customers log in with their old passwords: a `$2a$10$` hash as EverShop writes it
//! works and is re-hashed at the configured cost (4 in tests) at the first login; a second
//! import never puts the old hash back; a customer imported as blocked cannot log in.

use reqwest::StatusCode;
use serde_json::json;

use super::{counts, import, json_lines, row, write_file};
use crate::helpers::{spawn_app, PASSWORD};

/// A hash as another shop (EverShop, PHP's `password_hash`) writes it: `$2a$`, cost 10.
fn foreign_hash(password: &str) -> String {
    bcrypt::hash_with_result(password, 10)
        .expect("hash")
        .format_for_version(bcrypt::Version::TwoA)
}

#[tokio::test]
async fn an_imported_2a_cost_10_hash_logs_in_and_is_rehashed_at_the_configured_cost() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let hash = foreign_hash(PASSWORD);
    assert!(hash.starts_with("$2a$10$"));
    let file = write_file(
        &dir,
        "shop.csv",
        &format!("email,firstName,passwordHash\nmigrated@example.com,Mia,{hash}\n"),
    );
    assert_eq!(import(&app, &file, &[]).counts(), counts(1, 1, 0, 0, 0));
    assert_eq!(
        row(&app, "migrated@example.com").password_hash,
        Some(hash.clone())
    );

    let wrong = app.login("migrated@example.com", "Wrong-password-1").await;
    let login = app.login("migrated@example.com", PASSWORD).await;

    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.text);
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    let upgraded = row(&app, "migrated@example.com")
        .password_hash
        .expect("a hash");
    assert!(upgraded.starts_with("$2b$04$"), "{upgraded}");
    assert!(bcrypt::verify(PASSWORD, &upgraded).expect("verify"));

    // The same file again: the customer's own (upgraded) hash wins over the file's.
    assert_eq!(import(&app, &file, &[]).counts(), counts(1, 0, 0, 1, 0));
    assert_eq!(
        row(&app, "migrated@example.com").password_hash,
        Some(upgraded)
    );
    let again = app.login("migrated@example.com", PASSWORD).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
}

#[tokio::test]
async fn a_customer_imported_as_blocked_is_answered_like_a_wrong_password_until_unblocked() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let hash = bcrypt::hash(PASSWORD, 4).expect("hash");
    let customer =
        |status: &str| json!({"email": "held@example.com", "passwordHash": hash, "status": status});
    let blocked = write_file(&dir, "blocked.jsonl", &json_lines(&[customer("blocked")]));
    let active = write_file(&dir, "active.jsonl", &json_lines(&[customer("active")]));
    assert_eq!(import(&app, &blocked, &[]).counts(), counts(1, 1, 0, 0, 0));

    let refused = app.login("held@example.com", PASSWORD).await;
    let wrong = app.login("held@example.com", "Wrong-password-1").await;

    assert_eq!(refused.status, wrong.status, "{}", refused.text);
    assert_eq!(refused.body, wrong.body);
    assert_eq!(import(&app, &active, &[]).counts(), counts(1, 0, 1, 0, 0));
    let login = app.login("held@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
}
