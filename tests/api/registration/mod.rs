//! Registration (`POST /customers`) and `PATCH /customers/{ref}` validation: every `901` with
//! Symfony's message and its `source.pointer`, Spryker's order of errors (reference §1.6, §2.1,
//! §2.4, §3.7, §4), the password policy and its 72-byte limit (CONTRACT §3 items 8, 9),
//! duplicate emails (item 14), mass assignment and verbatim storage of hostile strings.
//!
//! This file holds what the topics share: the messages, the expected-error model and the
//! request helpers.

mod duplicates;
mod field_rules;
mod hostile_input;
mod order;
mod password_bytes;
mod patch;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{registration, TestApp, TestResponse, PASSWORD};

const EMAIL: &str = "sonia@example.com";

/// Every registration field, in the resource's order.
const FIELDS: [&str; 8] = [
    "email",
    "gender",
    "salutation",
    "firstName",
    "lastName",
    "password",
    "confirmPassword",
    "acceptedTerms",
];

const MISSING: &str = "This field is missing.";
const NOT_BLANK: &str = "This value should not be blank.";
const NOT_A_CHOICE: &str = "The value you selected is not a valid choice.";
const NOT_AN_EMAIL: &str = "This value is not a valid email address.";
const NOT_TRUE: &str = "This value should be true.";
const NOT_A_STRING: &str = "This value should be of type string.";
const NOT_A_DATE: &str = "This value is not a valid date.";
const NAME_TOO_LONG: &str = "This value is too long. It should have 100 characters or less.";
const PASSWORD_TOO_SHORT: &str = "This value is too short. It should have 12 characters or more.";
const PASSWORD_TOO_LONG: &str = "This value is too long. It should have 72 bytes or less.";
/// Spryker's M1 (reference §2.1); the server may leave out the clause on non-Latin characters.
const CHARACTER_CLASSES: &str = "Your password must include at least one uppercase letter";

/// Satisfies every rule of the policy and differs from [`PASSWORD`].
const OTHER_PASSWORD: &str = "Nw7$kLp3@xYq";
/// Satisfies the 901 rules but repeats `e` three times (code 421).
const SEQUENCE_PASSWORD: &str = "Abcdeee1234!x";
/// Satisfies the 901 rules but is `password1234` decorated (code 422).
const COMMON_PASSWORD: &str = "Password1234!";

/// One expected error object.
struct Expected {
    status: u16,
    code: &'static str,
    detail: String,
    /// `detail` is only the beginning of the actual detail.
    prefix: bool,
    /// Checked when given (always for `901`).
    pointer: Option<String>,
}

fn violation(field: &str, message: &str) -> Expected {
    Expected {
        status: 422,
        code: "901",
        detail: format!("{field} => {message}"),
        prefix: false,
        pointer: Some(format!("/data/attributes/{field}")),
    }
}

fn violation_starting(field: &str, message: &str) -> Expected {
    Expected {
        prefix: true,
        ..violation(field, message)
    }
}

fn domain(status: u16, code: &'static str, detail: &str) -> Expected {
    Expected {
        status,
        code,
        detail: detail.to_owned(),
        prefix: false,
        pointer: None,
    }
}

// Spryker's domain errors (reference §2.4), each with its status and code.

fn email_taken() -> Expected {
    domain(
        422,
        "400",
        "If this email address is already in use, you will receive a password reset link. \
         Otherwise you must first validate your e-mail address to finish registration. \
         Please check your e-mail.",
    )
}

fn terms_not_accepted() -> Expected {
    domain(400, "413", "Terms and Conditions was not accepted.")
}

fn password_mismatch() -> Expected {
    domain(
        422,
        "406",
        "Value in field password should be identical to value in the confirmPassword field.",
    )
}

fn same_character_sequence() -> Expected {
    domain(
        400,
        "421",
        "The password contains sequence of the same character.",
    )
}

fn common_password() -> Expected {
    domain(400, "422", "The password is listed as common.")
}

fn invalid_email_format() -> Expected {
    domain(422, "416", "Invalid Email address format.")
}

fn email_too_long() -> Expected {
    domain(
        422,
        "417",
        "Email is too long. It should have 100 characters or less.",
    )
}

fn error_objects<'a>(case: &str, response: &'a TestResponse) -> &'a Vec<Value> {
    response.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{case}: no errors array: {}", response.text))
}

fn check_error(case: &str, index: usize, actual: &Value, want: &Expected, text: &str) {
    assert_eq!(
        actual["status"],
        json!(want.status.to_string()),
        "{case}: error {index} status: {text}"
    );
    assert_eq!(
        actual["code"],
        json!(want.code),
        "{case}: error {index} code: {text}"
    );
    let detail = actual["detail"].as_str().unwrap_or_default();
    if want.prefix {
        assert!(
            detail.starts_with(&want.detail),
            "{case}: error {index} detail should start with {:?}: {text}",
            want.detail
        );
    } else {
        assert_eq!(detail, want.detail, "{case}: error {index} detail: {text}");
    }
    if let Some(pointer) = &want.pointer {
        assert_eq!(
            actual["source"]["pointer"],
            json!(pointer),
            "{case}: error {index} pointer: {text}"
        );
    }
}

/// Asserts an error document with this status and exactly `count` errors; returns them.
#[track_caller]
fn error_document<'a>(
    case: &str,
    response: &'a TestResponse,
    status: u16,
    count: usize,
) -> &'a Vec<Value> {
    assert_eq!(
        response.status.as_u16(),
        status,
        "{case}: {}",
        response.text
    );
    response.assert_error(status, None);
    let errors = error_objects(case, response);
    assert_eq!(
        errors.len(),
        count,
        "{case}: number of errors: {}",
        response.text
    );
    errors
}

/// Asserts an error document with exactly these errors, in this order.
#[track_caller]
fn assert_errors(case: &str, response: &TestResponse, status: u16, expected: &[Expected]) {
    let errors = error_document(case, response, status, expected.len());
    for (index, (actual, want)) in errors.iter().zip(expected).enumerate() {
        check_error(case, index, actual, want, &response.text);
    }
}

/// Asserts an error document with exactly this one error, answered with its status.
#[track_caller]
fn assert_only_error(case: &str, response: &TestResponse, want: Expected) {
    assert_errors(case, response, want.status, &[want]);
}

/// Asserts an error document with exactly these errors, in any order.
#[track_caller]
fn assert_errors_unordered(
    case: &str,
    response: &TestResponse,
    status: u16,
    expected: &[Expected],
) {
    let errors = error_document(case, response, status, expected.len());
    for want in expected {
        let actual = errors
            .iter()
            .find(|e| e["code"] == json!(want.code))
            .unwrap_or_else(|| {
                panic!(
                    "{case}: no error with code {}: {}",
                    want.code, response.text
                )
            });
        check_error(case, 0, actual, want, &response.text);
    }
}

#[track_caller]
fn assert_created(case: &str, response: &TestResponse) {
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{case}: {}",
        response.text
    );
}

/// Valid attributes for `email` with `field` set to `value`, or removed when `value` is `None`.
fn with(email: &str, field: &str, value: Option<Value>) -> Value {
    let mut attributes = registration(email, PASSWORD);
    let map = attributes
        .as_object_mut()
        .expect("registration attributes are an object");
    match value {
        Some(value) => {
            map.insert(field.to_owned(), value);
        }
        None => {
            map.remove(field);
        }
    }
    attributes
}

/// Valid attributes with several fields replaced.
fn with_all(email: &str, changes: &[(&str, Value)]) -> Value {
    let mut attributes = registration(email, PASSWORD);
    let map = attributes
        .as_object_mut()
        .expect("registration attributes are an object");
    for (field, value) in changes {
        map.insert((*field).to_owned(), value.clone());
    }
    attributes
}

/// Valid attributes with this `password` and `confirmPassword`.
fn with_passwords(email: &str, password: &str, confirm: &str) -> Value {
    with_all(
        email,
        &[
            ("password", json!(password)),
            ("confirmPassword", json!(confirm)),
        ],
    )
}

async fn access_token(app: &TestApp, email: &str, password: &str) -> String {
    let login = app.login(email, password).await;
    assert_eq!(
        login.status,
        StatusCode::CREATED,
        "login of {email}: {}",
        login.text
    );
    login.body["data"]["attributes"]["accessToken"]
        .as_str()
        .expect("login answers an access token")
        .to_owned()
}

/// The login is refused as invalid credentials (`401`, code `003`).
async fn assert_login_refused(app: &TestApp, email: &str, password: &str) {
    app.login(email, password)
        .await
        .assert_error(401, Some("003"));
}

/// `GET /customers/{reference}`: the resource object.
async fn fetch(app: &TestApp, reference: &str, token: &str) -> Value {
    let response = app
        .get(&format!("/customers/{reference}"))
        .bearer(token)
        .send()
        .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "GET /customers/{reference}: {}",
        response.text
    );
    response.body["data"].clone()
}
