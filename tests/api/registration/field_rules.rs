//! The rules of each field on their own: every `901`, the inclusive limits, NUL characters.

use serde_json::{json, Value};

use super::{
    assert_created, assert_errors, violation, violation_starting, with, with_all, Expected,
    CHARACTER_CLASSES, EMAIL, FIELDS, MISSING, NAME_TOO_LONG, NOT_AN_EMAIL, NOT_A_CHOICE,
    NOT_A_DATE, NOT_A_STRING, NOT_BLANK, NOT_TRUE, PASSWORD_TOO_SHORT,
};
use crate::helpers::{registration, spawn_app, PASSWORD};

/// One request: its name, the field, the field's value (removed when `None`), the errors.
type Case = (String, &'static str, Option<Value>, Vec<Expected>);

/// A case whose errors are `901`s on `field` with these messages, in this order.
fn case(name: String, field: &'static str, value: Option<Value>, messages: &[&str]) -> Case {
    let expected = messages
        .iter()
        .map(|message| violation(field, message))
        .collect();
    (name, field, value, expected)
}

fn strings(values: &[&str]) -> Vec<Value> {
    values.iter().map(|value| json!(value)).collect()
}

#[tokio::test]
async fn each_invalid_field_is_a_901_with_symfonys_message_and_a_pointer() {
    let app = spawn_app().await;
    let mut cases: Vec<Case> = FIELDS
        .iter()
        .map(|&field| case(format!("{field} missing"), field, None, &[MISSING]))
        .collect();

    let blank: [(&[&'static str], &[&str]); 4] = [
        (&["email", "firstName", "lastName"], &[NOT_BLANK]),
        (&["gender", "salutation"], &[NOT_BLANK, NOT_A_CHOICE]),
        // Symfony's Length (5.0+) checks "" too; Regex skips it.
        (
            &["password", "confirmPassword"],
            &[NOT_BLANK, PASSWORD_TOO_SHORT],
        ),
        (&["acceptedTerms"], &[NOT_TRUE]),
    ];
    for (fields, messages) in blank {
        for &field in fields {
            let name = format!("{field} blank");
            cases.push(case(name, field, Some(json!("")), messages));
        }
    }
    // Every field but acceptedTerms.
    for &field in &FIELDS[..7] {
        let name = format!("{field} null");
        cases.push(case(name, field, Some(Value::Null), &[NOT_BLANK]));
    }

    let name_101 = "x".repeat(101);
    let umlauts_101 = "ö".repeat(101);
    for field in ["firstName", "lastName"] {
        for (length, value) in [
            ("101 chars", &name_101),
            ("101 two-byte chars", &umlauts_101),
        ] {
            let name = format!("{field} of {length}");
            cases.push(case(name, field, Some(json!(value)), &[NAME_TOO_LONG]));
        }
    }
    for field in ["password", "confirmPassword"] {
        let name = format!("{field} of 11 chars");
        let value = Some(json!("Kx9!vTq2#mW"));
        cases.push(case(name, field, value, &[PASSWORD_TOO_SHORT]));
    }
    for (name, value) in [
        ("no uppercase", "kx9!vtq2#mwz"),
        ("no lowercase", "KX9!VTQ2#MWZ"),
        ("no digit", "Kx!vTq#mWz@b"),
        ("no special", "Kx9vTq2mWzAb"),
        ("space is not special", "Kx9 vTq2 mWz"),
    ] {
        cases.push((
            format!("password with {name}"),
            "password",
            Some(json!(value)),
            vec![violation_starting("password", CHARACTER_CLASSES)],
        ));
    }

    // Wrong values, each case named after its field and value.
    let wrong_values: [(&'static str, Vec<Value>, &str); 13] = [
        ("gender", strings(&["Other", "female"]), NOT_A_CHOICE),
        ("salutation", strings(&["Sir", "mrs", "n/a"]), NOT_A_CHOICE),
        (
            "email",
            strings(&[
                "not-an-email",
                "a@b",
                "a b@example.com",
                "sonia@",
                "@example.com",
            ]),
            NOT_AN_EMAIL,
        ),
        (
            "acceptedTerms",
            vec![json!(false), json!("true"), json!(0)],
            NOT_TRUE,
        ),
        ("email", vec![json!(5)], NOT_A_STRING),
        ("gender", vec![json!(true)], NOT_A_STRING),
        ("salutation", vec![json!(["Mrs"])], NOT_A_STRING),
        ("firstName", vec![json!({"first": "Sonia"})], NOT_A_STRING),
        ("lastName", vec![json!(42)], NOT_A_STRING),
        (
            "password",
            vec![json!(123_456_789_012_345_u64)],
            NOT_A_STRING,
        ),
        ("confirmPassword", vec![json!(false)], NOT_A_STRING),
        ("dateOfBirth", vec![json!(19_900_517)], NOT_A_STRING),
        (
            "dateOfBirth",
            strings(&[
                "1990-13-01",
                "1990-02-30",
                "17.05.1990",
                "1990-5-17",
                "not a date",
                "1990-05-17T00:00:00",
            ]),
            NOT_A_DATE,
        ),
    ];
    for (field, values, message) in wrong_values {
        for value in values {
            cases.push(case(
                format!("{field} {value}"),
                field,
                Some(value),
                &[message],
            ));
        }
    }

    for (case, field, value, expected) in &cases {
        let response = app.register_with(with(EMAIL, field, value.clone())).await;
        assert_errors(case, &response, 422, expected);
    }

    // None of them created anything: the email is free and the first reference unused.
    assert_eq!(
        app.register(EMAIL, PASSWORD).await,
        "DE--1",
        "after the invalid requests"
    );
}

#[tokio::test]
async fn limits_are_inclusive() {
    let app = spawn_app().await;
    // 100 characters in all, 60 in the local part.
    let email = format!("{}@{}.example.com", "a".repeat(60), "b".repeat(27));
    assert_eq!(email.chars().count(), 100);
    let first_name = "ö".repeat(100);
    let last_name = "x".repeat(100);
    let attributes = with_all(
        &email,
        &[
            ("firstName", json!(first_name)),
            ("lastName", json!(last_name)),
            ("dateOfBirth", Value::Null),
        ],
    );
    let response = app.register_with(attributes).await;
    assert_created("100-character email and names", &response);
    let created = &response.body["data"]["attributes"];
    assert_eq!(created["email"], json!(email));
    assert_eq!(created["firstName"], json!(first_name));
    assert_eq!(created["lastName"], json!(last_name));
    assert_eq!(created["dateOfBirth"], Value::Null);
}

/// PostgreSQL cannot store NUL in text: a NUL anywhere in a stored attribute is a 901, never
/// a 500, on both backends.
#[tokio::test]
async fn a_nul_character_in_an_attribute_is_a_901() {
    let app = spawn_app().await;
    for field in ["firstName", "lastName", "email"] {
        let mut attributes = registration(EMAIL, PASSWORD);
        attributes[field] = json!("So\u{0}nia@example.com");
        let response = app.register_with(attributes).await;
        response.assert_error(422, Some("901"));
        assert_eq!(
            response.error("source")["pointer"],
            json!(format!("/data/attributes/{field}")),
            "{field}"
        );
    }
    assert_eq!(
        app.register(EMAIL, PASSWORD).await,
        "DE--1",
        "nothing was created before"
    );
}

/// Names go into emails and onto screens: control characters and bidirectional overrides are
/// refused, invisible characters alone are blank, and ordinary Unicode names are welcome. On
/// registration and on PATCH alike.
#[tokio::test]
async fn names_refuse_control_and_bidi_characters_and_invisible_only_is_blank() {
    const NOT_ALLOWED: &str = "This value contains characters that are not allowed.";
    let app = spawn_app().await;
    let refused: &[(&str, &[&str])] = &[
        ("Sonia\r\nBcc: x@evil.example", &[NOT_ALLOWED]),
        ("Son\tia", &[NOT_ALLOWED]),
        ("Sonia\u{1b}[31m", &[NOT_ALLOWED]),
        ("Sonia\u{85}", &[NOT_ALLOWED]),
        ("Sonia\u{7f}", &[NOT_ALLOWED]),
        ("\u{202E}ainoS", &[NOT_ALLOWED]),
        ("Sonia\u{2066}x\u{2069}", &[NOT_ALLOWED]),
        ("\u{200B}\u{200B}", &[NOT_BLANK]),
        ("\u{FEFF} \u{2060}", &[NOT_BLANK]),
        ("\t", &[NOT_BLANK, NOT_ALLOWED]),
    ];
    for field in ["firstName", "lastName"] {
        for (value, messages) in refused {
            let name = format!("{field} {value:?}");
            let response = app
                .register_with(with(EMAIL, field, Some(json!(value))))
                .await;
            let expected: Vec<Expected> = messages.iter().map(|m| violation(field, m)).collect();
            assert_errors(&name, &response, 422, &expected);
        }
    }
    let customer = app.customer().await;
    let path = format!("/customers/{}", customer.reference);
    for field in ["firstName", "lastName"] {
        let body = json!({"data": {"type": "customers", "attributes": {field: "Sonia\nX"}}});
        let response = app
            .patch(&path, &body)
            .bearer(&customer.access_token)
            .send()
            .await;
        assert_errors(
            &format!("PATCH {field}"),
            &response,
            422,
            &[violation(field, NOT_ALLOWED)],
        );
    }
    for (first, last) in [
        ("Zoë", "O'Brien-Ñúñez"),
        ("李", "Đặng"),
        ("Ana María", "da Silva"),
    ] {
        let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
        let attributes = with_all(
            &email,
            &[("firstName", json!(first)), ("lastName", json!(last))],
        );
        assert_created(
            &format!("{first} {last}"),
            &app.register_with(attributes).await,
        );
    }
}
