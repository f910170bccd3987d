//! The password's length: at most 72 UTF-8 bytes (bcrypt's limit, CONTRACT §3 items 8, 9), at
//! least 12 characters, and never a silent truncation.

use serde_json::{json, Value};

use super::{
    access_token, assert_created, assert_errors, assert_login_refused, check_error, error_objects,
    violation, violation_starting, with_passwords, Expected, CHARACTER_CLASSES, EMAIL,
    PASSWORD_TOO_LONG, PASSWORD_TOO_SHORT,
};
use crate::helpers::{registration, spawn_app, TestResponse, PASSWORD};

/// "Aa1!" + 17 × "€a": satisfies the policy, 38 characters, 72 UTF-8 bytes.
fn password_of_72_bytes() -> String {
    let password = format!("Aa1!{}", "€a".repeat(17));
    assert_eq!(password.len(), 72);
    assert_eq!(password.chars().count(), 38);
    password
}

/// The errors whose pointer is `/data/attributes/<field>`.
fn errors_on<'a>(response: &'a TestResponse, field: &str) -> Vec<&'a Value> {
    let pointer = json!(format!("/data/attributes/{field}"));
    response.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter(|e| e["source"]["pointer"] == pointer)
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts a 422 whose first error on `password` is `want`; returns the errors on `password`.
#[track_caller]
fn password_errors<'a>(case: &str, response: &'a TestResponse, want: &Expected) -> Vec<&'a Value> {
    assert_eq!(response.status.as_u16(), 422, "{case}: {}", response.text);
    let on_password = errors_on(response, "password");
    assert!(!on_password.is_empty(), "{case}: {}", response.text);
    check_error(case, 0, on_password[0], want, &response.text);
    on_password
}

#[tokio::test]
async fn a_valid_password_of_exactly_72_bytes_is_accepted_and_logs_in() {
    let app = spawn_app().await;
    let at_limit = password_of_72_bytes();
    let response = app
        .register_with(registration("bytes72@example.com", &at_limit))
        .await;
    assert_created("72-byte password", &response);
    access_token(&app, "bytes72@example.com", &at_limit).await;
    assert_login_refused(&app, "bytes72@example.com", &at_limit[..71]).await;
}

#[tokio::test]
async fn a_valid_password_of_73_bytes_is_a_901_and_creates_nothing() {
    let app = spawn_app().await;
    let over_limit = format!("{}b", password_of_72_bytes());
    assert_eq!(over_limit.len(), 73);
    let response = app
        .register_with(registration("bytes73@example.com", &over_limit))
        .await;
    let case = "73-byte password";
    let too_long = violation("password", PASSWORD_TOO_LONG);
    let on_password = password_errors(case, &response, &too_long);
    assert_eq!(on_password.len(), 1, "{case}: {}", response.text);
    response.assert_error(422, Some("901"));
    assert!(
        error_objects(case, &response)
            .iter()
            .all(|e| e["code"] == json!("901")),
        "{case}: only 901s: {}",
        response.text
    );
    assert_login_refused(&app, "bytes73@example.com", &over_limit).await;
    // Nothing was created: the address is still free.
    app.register("bytes73@example.com", PASSWORD).await;
}

/// CONTRACT §3 item 8: a string of `€` only illustrates the byte count.
#[tokio::test]
async fn euro_signs_are_three_bytes_each() {
    let app = spawn_app().await;

    // 24 × "€" is 72 bytes: not too long, but no upper, lower, digit or special.
    let euros_72 = "€".repeat(24);
    assert_eq!(euros_72.len(), 72);
    let response = app
        .register_with(registration("euro24@example.com", &euros_72))
        .await;
    let case = "24 × €";
    password_errors(
        case,
        &response,
        &violation_starting("password", CHARACTER_CLASSES),
    );
    assert!(
        !response.text.contains("too long"),
        "{case}: 72 bytes is not too long: {}",
        response.text
    );

    // 25 × "€" is 75 bytes: too long, whatever else.
    let euros_75 = "€".repeat(25);
    assert_eq!(euros_75.len(), 75);
    let response = app
        .register_with(registration("euro25@example.com", &euros_75))
        .await;
    password_errors(
        "25 × €",
        &response,
        &violation("password", PASSWORD_TOO_LONG),
    );
}

#[tokio::test]
async fn the_12_character_minimum_counts_characters_not_bytes() {
    let app = spawn_app().await;
    let short_in_chars = "Aa1!€b€c€d€";
    assert_eq!(
        (short_in_chars.chars().count(), short_in_chars.len()),
        (11, 19)
    );
    let response = app
        .register_with(with_passwords(
            "short@example.com",
            short_in_chars,
            PASSWORD,
        ))
        .await;
    assert_errors(
        "11 characters, 19 bytes",
        &response,
        422,
        &[violation("password", PASSWORD_TOO_SHORT)],
    );
    let twelve_chars = "Aa1!€b€c€d€e";
    let response = app
        .register_with(registration("twelve@example.com", twelve_chars))
        .await;
    assert_created("12 characters", &response);
    access_token(&app, "twelve@example.com", twelve_chars).await;
}

#[tokio::test]
async fn a_megabyte_password_is_refused_without_a_500() {
    let app = spawn_app().await;
    // Refused by size or by validation, never a 500 (send() checks that).
    let huge = format!("Aa1!{}", "xy".repeat(500_000));
    let response = app
        .register_with(with_passwords("huge@example.com", &huge, PASSWORD))
        .await;
    let status = response.status.as_u16();
    assert!(
        status == 413 || status == 422,
        "1 MB password: {status} {}",
        response.text
    );
    response.assert_error(status, None);
    if status == 422 {
        let first = &response.body["errors"][0];
        check_error(
            "1 MB password",
            0,
            first,
            &violation("password", PASSWORD_TOO_LONG),
            &response.text,
        );
    }
    // Nothing was created: the address is still free.
    app.register("huge@example.com", PASSWORD).await;
}

/// bcrypt reads 72 bytes: without a guard, a 72-byte password followed by anything would
/// log in too (OWASP: never truncate silently).
#[tokio::test]
async fn a_72_byte_password_followed_by_more_bytes_does_not_log_in() {
    let app = spawn_app().await;
    let password = password_of_72_bytes();
    app.register(EMAIL, &password).await;
    assert_login_refused(&app, EMAIL, &format!("{password}garbage")).await;
    access_token(&app, EMAIL, &password).await;
}
