//! Which errors are reported and in which order: the resource's field order, every failing
//! constraint of a field, and Spryker's precedence of `901` over the domain errors.

use serde_json::{json, Value};

use super::{
    assert_errors, assert_errors_unordered, assert_login_refused, assert_only_error,
    common_password, email_too_long, invalid_email_format, password_mismatch,
    same_character_sequence, terms_not_accepted, violation, violation_starting, with, with_all,
    with_passwords, Expected, CHARACTER_CLASSES, COMMON_PASSWORD, EMAIL, FIELDS, MISSING,
    NAME_TOO_LONG, NOT_AN_EMAIL, NOT_A_CHOICE, NOT_BLANK, NOT_TRUE, OTHER_PASSWORD,
    PASSWORD_TOO_SHORT, SEQUENCE_PASSWORD,
};
use crate::helpers::{registration, spawn_app, PASSWORD};

#[tokio::test]
async fn all_violations_are_reported_in_field_order() {
    let app = spawn_app().await;
    // Sent in reverse order; the answer follows the resource's field order.
    let attributes = json!({
        "acceptedTerms": false,
        "password": "Kx9!vTq2#mW",
        "lastName": "x".repeat(101),
        "firstName": "",
        "salutation": "Sir",
        "gender": "Other",
        "email": "not-an-email"
    });
    let response = app.register_with(attributes).await;
    assert_errors(
        "every field invalid",
        &response,
        422,
        &[
            violation("email", NOT_AN_EMAIL),
            violation("gender", NOT_A_CHOICE),
            violation("salutation", NOT_A_CHOICE),
            violation("firstName", NOT_BLANK),
            violation("lastName", NAME_TOO_LONG),
            violation("password", PASSWORD_TOO_SHORT),
            violation("confirmPassword", MISSING),
            violation("acceptedTerms", NOT_TRUE),
        ],
    );

    let response = app.register_with(json!({})).await;
    let every_field_missing: Vec<Expected> = FIELDS
        .iter()
        .map(|field| violation(field, MISSING))
        .collect();
    assert_errors("empty attributes", &response, 422, &every_field_missing);
}

/// Reference §1.6: "constraints in list order"; Symfony runs every constraint of a field, so
/// a short password that also lacks character classes fails Length *and* Regex.
#[tokio::test]
async fn every_failing_constraint_of_a_field_is_reported() {
    let app = spawn_app().await;
    let response = app
        .register_with(with_passwords(EMAIL, "abcdefg", PASSWORD))
        .await;
    assert_errors(
        "password \"abcdefg\": too short and no upper/digit/special",
        &response,
        422,
        &[
            violation("password", PASSWORD_TOO_SHORT),
            violation_starting("password", CHARACTER_CLASSES),
        ],
    );
}

#[tokio::test]
async fn errors_win_in_sprykers_order() {
    let app = spawn_app().await;
    app.register("taken@example.com", PASSWORD).await;
    let long_email = format!("{}@{}.example.com", "a".repeat(60), "b".repeat(40));
    assert!(long_email.len() > 100 && long_email.split_once('@').expect("@").0.len() <= 64);

    // Each answers only its error, with the error's status.
    let mut cases: Vec<(&str, Value, Expected)> = vec![
        (
            "901 beats 413, 406, policy and duplicate email",
            with_all(
                "taken@example.com",
                &[
                    ("firstName", json!("")),
                    ("acceptedTerms", Value::Null),
                    ("password", json!(COMMON_PASSWORD)),
                    ("confirmPassword", json!("Password1234?")),
                ],
            ),
            violation("firstName", NOT_BLANK),
        ),
        (
            "901 beats email format and sequence",
            with_all(
                "a..b@example.com",
                &[
                    ("lastName", json!("x".repeat(101))),
                    ("password", json!(SEQUENCE_PASSWORD)),
                    ("confirmPassword", json!(SEQUENCE_PASSWORD)),
                ],
            ),
            violation("lastName", NAME_TOO_LONG),
        ),
        (
            "acceptedTerms null: 413 even with mismatched, common password and bad email",
            with_all(
                "a..b@example.com",
                &[
                    ("acceptedTerms", Value::Null),
                    ("password", json!(COMMON_PASSWORD)),
                    ("confirmPassword", json!(OTHER_PASSWORD)),
                ],
            ),
            terms_not_accepted(),
        ),
        (
            "acceptedTerms null: 413 before duplicate email",
            with("taken@example.com", "acceptedTerms", Some(Value::Null)),
            terms_not_accepted(),
        ),
        (
            "mismatch: 406 before the policy and email format",
            with_passwords("a..b@example.com", COMMON_PASSWORD, "Password1234?"),
            password_mismatch(),
        ),
        (
            "mismatch: 406 before duplicate email",
            with(
                "taken@example.com",
                "confirmPassword",
                Some(json!(OTHER_PASSWORD)),
            ),
            password_mismatch(),
        ),
        (
            "sequence of three: 421",
            with_passwords(EMAIL, SEQUENCE_PASSWORD, SEQUENCE_PASSWORD),
            same_character_sequence(),
        ),
        (
            "common password: 422",
            with_passwords(EMAIL, COMMON_PASSWORD, COMMON_PASSWORD),
            common_password(),
        ),
    ];
    for (case, email) in [
        ("\"..\" in the local part: 416", "a..b@example.com"),
        ("local part starting with a dot: 416", ".ab@example.com"),
        ("local part ending with a dot: 416", "ab.@example.com"),
    ] {
        cases.push((case, registration(email, PASSWORD), invalid_email_format()));
    }
    cases.push((
        "email over 100 characters: 417",
        registration(&long_email, PASSWORD),
        email_too_long(),
    ));
    for (case, attributes, expected) in cases {
        let response = app.register_with(attributes).await;
        assert_only_error(case, &response, expected);
    }

    // Zed returns its errors together; mixed statuses answer 400 (JSON:API).
    let together: [(&str, Value, [Expected; 2]); 2] = [
        (
            "common password and \"..\" email",
            with_passwords("a..b@example.com", COMMON_PASSWORD, COMMON_PASSWORD),
            [common_password(), invalid_email_format()],
        ),
        (
            "sequence and email over 100 characters",
            with_passwords(&long_email, SEQUENCE_PASSWORD, SEQUENCE_PASSWORD),
            [same_character_sequence(), email_too_long()],
        ),
    ];
    for (case, attributes, expected) in together {
        let response = app.register_with(attributes).await;
        assert_errors_unordered(case, &response, 400, &expected);
    }

    // Nothing above created an account for these addresses.
    for email in ["a..b@example.com", EMAIL] {
        assert_login_refused(&app, email, PASSWORD).await;
    }
}
