//! Registration (`POST /customers`) and `PATCH /customers/{ref}` validation: every `901` with
//! Symfony's message and its `source.pointer`, Spryker's order of errors (reference §1.6, §2.1,
//! §2.4, §3.7, §4), the password policy and its 72-byte limit (CONTRACT §3 items 8, 9),
//! duplicate emails (item 14), mass assignment and verbatim storage of hostile strings.

use reqwest::StatusCode;
use serde_json::{json, Map, Value};

use crate::helpers::{
    registration, spawn_app, spawn_app_with, Customer, TestApp, TestResponse, PASSWORD,
};

const EMAIL: &str = "sonia@example.com";

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

const EMAIL_TAKEN: &str = "If this email address is already in use, you will receive a password reset link. \
     Otherwise you must first validate your e-mail address to finish registration. Please check your e-mail.";
const TERMS: &str = "Terms and Conditions was not accepted.";
const MISMATCH: &str =
    "Value in field password should be identical to value in the confirmPassword field.";
const SEQUENCE: &str = "The password contains sequence of the same character.";
const COMMON: &str = "The password is listed as common.";
const EMAIL_FORMAT: &str = "Invalid Email address format.";
const EMAIL_TOO_LONG: &str = "Email is too long. It should have 100 characters or less.";

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

/// Asserts an error document with exactly these errors, in this order.
#[track_caller]
fn assert_errors(case: &str, response: &TestResponse, status: u16, expected: &[Expected]) {
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
        expected.len(),
        "{case}: number of errors: {}",
        response.text
    );
    for (index, (actual, want)) in errors.iter().zip(expected).enumerate() {
        check_error(case, index, actual, want, &response.text);
    }
}

/// Asserts an error document with exactly these errors, in any order.
#[track_caller]
fn assert_errors_unordered(
    case: &str,
    response: &TestResponse,
    status: u16,
    expected: &[Expected],
) {
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
        expected.len(),
        "{case}: number of errors: {}",
        response.text
    );
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

async fn patch_customer(app: &TestApp, customer: &Customer, attributes: Value) -> TestResponse {
    let body =
        json!({"data": {"type": "customers", "id": customer.reference, "attributes": attributes}});
    app.patch(&format!("/customers/{}", customer.reference), &body)
        .bearer(&customer.access_token)
        .send()
        .await
}

#[tokio::test]
async fn each_invalid_field_is_a_901_with_symfonys_message_and_a_pointer() {
    let app = spawn_app().await;
    let name_101 = "x".repeat(101);
    let umlauts_101 = "ö".repeat(101);
    let fields = [
        "email",
        "gender",
        "salutation",
        "firstName",
        "lastName",
        "password",
        "confirmPassword",
        "acceptedTerms",
    ];
    let mut cases: Vec<(String, &str, Option<Value>, Vec<Expected>)> = Vec::new();
    for field in fields {
        cases.push((
            format!("{field} missing"),
            field,
            None,
            vec![violation(field, MISSING)],
        ));
    }
    for field in ["email", "firstName", "lastName"] {
        cases.push((
            format!("{field} blank"),
            field,
            Some(json!("")),
            vec![violation(field, NOT_BLANK)],
        ));
    }
    for field in ["gender", "salutation"] {
        cases.push((
            format!("{field} blank fails NotBlank and Choice"),
            field,
            Some(json!("")),
            vec![violation(field, NOT_BLANK), violation(field, NOT_A_CHOICE)],
        ));
    }
    for field in ["password", "confirmPassword"] {
        // Symfony's Length (5.0+) checks "" too; Regex skips it.
        cases.push((
            format!("{field} blank fails NotBlank and Length"),
            field,
            Some(json!("")),
            vec![
                violation(field, NOT_BLANK),
                violation(field, PASSWORD_TOO_SHORT),
            ],
        ));
    }
    cases.push((
        "acceptedTerms blank".into(),
        "acceptedTerms",
        Some(json!("")),
        vec![violation("acceptedTerms", NOT_TRUE)],
    ));
    for field in [
        "email",
        "gender",
        "salutation",
        "firstName",
        "lastName",
        "password",
        "confirmPassword",
    ] {
        cases.push((
            format!("{field} null"),
            field,
            Some(Value::Null),
            vec![violation(field, NOT_BLANK)],
        ));
    }
    let choices = [
        ("gender", "Other"),
        ("gender", "female"),
        ("salutation", "Sir"),
        ("salutation", "mrs"),
        ("salutation", "n/a"),
    ];
    for (field, value) in choices {
        cases.push((
            format!("{field} {value:?}"),
            field,
            Some(json!(value)),
            vec![violation(field, NOT_A_CHOICE)],
        ));
    }
    for value in [
        "not-an-email",
        "a@b",
        "a b@example.com",
        "sonia@",
        "@example.com",
    ] {
        cases.push((
            format!("email {value:?}"),
            "email",
            Some(json!(value)),
            vec![violation("email", NOT_AN_EMAIL)],
        ));
    }
    for field in ["firstName", "lastName"] {
        cases.push((
            format!("{field} of 101 chars"),
            field,
            Some(json!(name_101)),
            vec![violation(field, NAME_TOO_LONG)],
        ));
        cases.push((
            format!("{field} of 101 two-byte chars"),
            field,
            Some(json!(umlauts_101)),
            vec![violation(field, NAME_TOO_LONG)],
        ));
    }
    cases.push((
        "password of 11 chars".into(),
        "password",
        Some(json!("Kx9!vTq2#mW")),
        vec![violation("password", PASSWORD_TOO_SHORT)],
    ));
    cases.push((
        "confirmPassword of 11 chars".into(),
        "confirmPassword",
        Some(json!("Kx9!vTq2#mW")),
        vec![violation("confirmPassword", PASSWORD_TOO_SHORT)],
    ));
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
    for value in [json!(false), json!("true"), json!(0)] {
        cases.push((
            format!("acceptedTerms {value}"),
            "acceptedTerms",
            Some(value),
            vec![violation("acceptedTerms", NOT_TRUE)],
        ));
    }
    let non_strings = [
        ("email", json!(5)),
        ("gender", json!(true)),
        ("salutation", json!(["Mrs"])),
        ("firstName", json!({"first": "Sonia"})),
        ("lastName", json!(42)),
        ("password", json!(123_456_789_012_345_u64)),
        ("confirmPassword", json!(false)),
        ("dateOfBirth", json!(19_900_517)),
    ];
    for (field, value) in non_strings {
        cases.push((
            format!("{field} {value}"),
            field,
            Some(value),
            vec![violation(field, NOT_A_STRING)],
        ));
    }
    for value in [
        "1990-13-01",
        "1990-02-30",
        "17.05.1990",
        "1990-5-17",
        "not a date",
        "1990-05-17T00:00:00",
    ] {
        cases.push((
            format!("dateOfBirth {value:?}"),
            "dateOfBirth",
            Some(json!(value)),
            vec![violation("dateOfBirth", NOT_A_DATE)],
        ));
    }

    for (case, field, value, expected) in &cases {
        let response = app.register_with(with(EMAIL, field, value.clone())).await;
        assert_errors(case, &response, 422, expected);
    }

    // None of them created anything: the email is free and the first reference unused.
    let response = app.register_with(registration(EMAIL, PASSWORD)).await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "after the invalid requests: {}",
        response.text
    );
    assert_eq!(
        response.body["data"]["id"],
        json!("DE--1"),
        "{}",
        response.text
    );
}

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
    let every_field_missing: Vec<Expected> = [
        "email",
        "gender",
        "salutation",
        "firstName",
        "lastName",
        "password",
        "confirmPassword",
        "acceptedTerms",
    ]
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
        .register_with(with_all(
            EMAIL,
            &[
                ("password", json!("abcdefg")),
                ("confirmPassword", json!(PASSWORD)),
            ],
        ))
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

    let cases: Vec<(&str, Value, u16, Vec<Expected>)> = vec![
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
            422,
            vec![violation("firstName", NOT_BLANK)],
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
            422,
            vec![violation("lastName", NAME_TOO_LONG)],
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
            400,
            vec![domain(400, "413", TERMS)],
        ),
        (
            "acceptedTerms null: 413 before duplicate email",
            with("taken@example.com", "acceptedTerms", Some(Value::Null)),
            400,
            vec![domain(400, "413", TERMS)],
        ),
        (
            "mismatch: 406 before the policy and email format",
            with_all(
                "a..b@example.com",
                &[
                    ("password", json!(COMMON_PASSWORD)),
                    ("confirmPassword", json!("Password1234?")),
                ],
            ),
            422,
            vec![domain(422, "406", MISMATCH)],
        ),
        (
            "mismatch: 406 before duplicate email",
            with(
                "taken@example.com",
                "confirmPassword",
                Some(json!(OTHER_PASSWORD)),
            ),
            422,
            vec![domain(422, "406", MISMATCH)],
        ),
        (
            "sequence of three: 421",
            with_all(
                EMAIL,
                &[
                    ("password", json!(SEQUENCE_PASSWORD)),
                    ("confirmPassword", json!(SEQUENCE_PASSWORD)),
                ],
            ),
            400,
            vec![domain(400, "421", SEQUENCE)],
        ),
        (
            "common password: 422",
            with_all(
                EMAIL,
                &[
                    ("password", json!(COMMON_PASSWORD)),
                    ("confirmPassword", json!(COMMON_PASSWORD)),
                ],
            ),
            400,
            vec![domain(400, "422", COMMON)],
        ),
        (
            "\"..\" in the local part: 416",
            registration("a..b@example.com", PASSWORD),
            422,
            vec![domain(422, "416", EMAIL_FORMAT)],
        ),
        (
            "local part starting with a dot: 416",
            registration(".ab@example.com", PASSWORD),
            422,
            vec![domain(422, "416", EMAIL_FORMAT)],
        ),
        (
            "local part ending with a dot: 416",
            registration("ab.@example.com", PASSWORD),
            422,
            vec![domain(422, "416", EMAIL_FORMAT)],
        ),
        (
            "email over 100 characters: 417",
            registration(&long_email, PASSWORD),
            422,
            vec![domain(422, "417", EMAIL_TOO_LONG)],
        ),
    ];
    for (case, attributes, status, expected) in &cases {
        let response = app.register_with(attributes.clone()).await;
        assert_errors(case, &response, *status, expected);
    }

    // Zed returns its errors together; mixed statuses answer 400 (JSON:API).
    let together: Vec<(&str, Value, Vec<Expected>)> = vec![
        (
            "common password and \"..\" email",
            with_all(
                "a..b@example.com",
                &[
                    ("password", json!(COMMON_PASSWORD)),
                    ("confirmPassword", json!(COMMON_PASSWORD)),
                ],
            ),
            vec![domain(400, "422", COMMON), domain(422, "416", EMAIL_FORMAT)],
        ),
        (
            "sequence and email over 100 characters",
            with_all(
                &long_email,
                &[
                    ("password", json!(SEQUENCE_PASSWORD)),
                    ("confirmPassword", json!(SEQUENCE_PASSWORD)),
                ],
            ),
            vec![
                domain(400, "421", SEQUENCE),
                domain(422, "417", EMAIL_TOO_LONG),
            ],
        ),
    ];
    for (case, attributes, expected) in &together {
        let response = app.register_with(attributes.clone()).await;
        assert_errors_unordered(case, &response, 400, expected);
    }

    // Nothing above created an account for these addresses.
    for email in ["a..b@example.com", EMAIL] {
        let login = app.login(email, PASSWORD).await;
        login.assert_error(401, Some("003"));
    }
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
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "100-character email and names: {}",
        response.text
    );
    let created = &response.body["data"]["attributes"];
    assert_eq!(created["email"], json!(email));
    assert_eq!(created["firstName"], json!(first_name));
    assert_eq!(created["lastName"], json!(last_name));
    assert_eq!(created["dateOfBirth"], Value::Null);
}

#[tokio::test]
async fn a_duplicate_email_is_refused_in_any_case_and_the_first_account_is_unaffected() {
    let app = spawn_app().await;
    let reference = app.register(EMAIL, PASSWORD).await;

    for email in [EMAIL, "Sonia@Example.COM", "SONIA@EXAMPLE.COM"] {
        let attributes = with_all(
            email,
            &[
                ("firstName", json!("Mallory")),
                ("password", json!(OTHER_PASSWORD)),
                ("confirmPassword", json!(OTHER_PASSWORD)),
            ],
        );
        let response = app.register_with(attributes).await;
        assert_errors(
            &format!("duplicate {email}"),
            &response,
            422,
            &[domain(422, "400", EMAIL_TAKEN)],
        );
    }

    let token = access_token(&app, EMAIL, PASSWORD).await;
    let customer = fetch(&app, &reference, &token).await;
    assert_eq!(customer["attributes"]["email"], json!(EMAIL));
    assert_eq!(customer["attributes"]["firstName"], json!("Sonia"));
    app.login(EMAIL, OTHER_PASSWORD)
        .await
        .assert_error(401, Some("003"));
}

#[tokio::test]
async fn emails_are_stored_as_given() {
    let app = spawn_app().await;
    let email = "Mixed.Case+Tag@Example.COM";
    let response = app.register_with(registration(email, PASSWORD)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(response.body["data"]["attributes"]["email"], json!(email));
    let duplicate = app
        .register_with(registration("mixed.case+tag@example.com", PASSWORD))
        .await;
    assert_errors(
        "lower-case duplicate",
        &duplicate,
        422,
        &[domain(422, "400", EMAIL_TAKEN)],
    );
}

/// "Aa1!" + 17 × "€a": satisfies the policy, 38 characters, 72 UTF-8 bytes.
fn password_of_72_bytes() -> String {
    let password = format!("Aa1!{}", "€a".repeat(17));
    assert_eq!(password.len(), 72);
    assert_eq!(password.chars().count(), 38);
    password
}

#[tokio::test]
async fn a_valid_password_of_exactly_72_bytes_is_accepted_and_logs_in() {
    let app = spawn_app().await;
    let at_limit = password_of_72_bytes();
    let response = app
        .register_with(registration("bytes72@example.com", &at_limit))
        .await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "72-byte password: {}",
        response.text
    );
    access_token(&app, "bytes72@example.com", &at_limit).await;
    let shorter = &at_limit[..71];
    app.login("bytes72@example.com", shorter)
        .await
        .assert_error(401, Some("003"));
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
    assert_eq!(response.status.as_u16(), 422, "{case}: {}", response.text);
    response.assert_error(422, Some("901"));
    let on_password = errors_on(&response, "password");
    assert_eq!(on_password.len(), 1, "{case}: {}", response.text);
    check_error(
        case,
        0,
        on_password[0],
        &violation("password", PASSWORD_TOO_LONG),
        &response.text,
    );
    assert!(
        error_objects(case, &response)
            .iter()
            .all(|e| e["code"] == json!("901")),
        "{case}: only 901s: {}",
        response.text
    );
    app.login("bytes73@example.com", &over_limit)
        .await
        .assert_error(401, Some("003"));
    // Nothing was created: the address is still free.
    let response = app
        .register_with(registration("bytes73@example.com", PASSWORD))
        .await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "after the 73-byte attempt: {}",
        response.text
    );
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
    assert_eq!(response.status.as_u16(), 422, "{case}: {}", response.text);
    let on_password = errors_on(&response, "password");
    assert!(!on_password.is_empty(), "{case}: {}", response.text);
    check_error(
        case,
        0,
        on_password[0],
        &violation_starting("password", CHARACTER_CLASSES),
        &response.text,
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
    let case = "25 × €";
    assert_eq!(response.status.as_u16(), 422, "{case}: {}", response.text);
    let on_password = errors_on(&response, "password");
    assert!(!on_password.is_empty(), "{case}: {}", response.text);
    check_error(
        case,
        0,
        on_password[0],
        &violation("password", PASSWORD_TOO_LONG),
        &response.text,
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
        .register_with(with_all(
            "short@example.com",
            &[
                ("password", json!(short_in_chars)),
                ("confirmPassword", json!(PASSWORD)),
            ],
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
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "12 characters: {}",
        response.text
    );
    access_token(&app, "twelve@example.com", twelve_chars).await;
}

#[tokio::test]
async fn a_megabyte_password_is_refused_without_a_500() {
    let app = spawn_app().await;
    // Refused by size or by validation, never a 500 (send() checks that).
    let huge = format!("Aa1!{}", "xy".repeat(500_000));
    let response = app
        .register_with(with_all(
            "huge@example.com",
            &[
                ("password", json!(huge)),
                ("confirmPassword", json!(PASSWORD)),
            ],
        ))
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
    let response = app
        .register_with(registration("huge@example.com", PASSWORD))
        .await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "after the 1 MB attempt: {}",
        response.text
    );
}

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
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let data = &response.body["data"];
    assert_eq!(data["id"], json!("DE--1"));
    let keys: Vec<&str> = data["attributes"]
        .as_object()
        .expect("attributes")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "firstName",
            "lastName",
            "email",
            "gender",
            "dateOfBirth",
            "salutation",
            "createdAt",
            "updatedAt"
        ]
    );
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
    assert_eq!(
        victim.status,
        StatusCode::CREATED,
        "emailNormalized was not stored: {}",
        victim.text
    );
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
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    app.login(EMAIL, PASSWORD)
        .await
        .assert_error(401, Some("003"));
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
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{value:?}: {}",
            response.text
        );
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

#[tokio::test]
async fn patch_errors_change_nothing() {
    let app = spawn_app().await;
    app.register("other@example.com", PASSWORD).await;
    let customer = app.customer().await;
    let before = fetch(&app, &customer.reference, &customer.access_token).await;

    let changed = |field: &str, value: Value| -> Value {
        let mut attributes = Map::new();
        attributes.insert("firstName".to_owned(), json!("Changed"));
        attributes.insert("salutation".to_owned(), json!("Dr"));
        attributes.insert(field.to_owned(), value);
        Value::Object(attributes)
    };
    let cases: Vec<(&str, Value, u16, Vec<Expected>)> = vec![
        (
            "invalid email",
            changed("email", json!("not-an-email")),
            422,
            vec![violation("email", NOT_AN_EMAIL)],
        ),
        (
            "gender \"X\"",
            changed("gender", json!("X")),
            422,
            vec![violation("gender", NOT_A_CHOICE)],
        ),
        (
            "lastName null",
            changed("lastName", Value::Null),
            422,
            vec![violation("lastName", NOT_BLANK)],
        ),
        (
            "email blank",
            changed("email", json!("")),
            422,
            vec![violation("email", NOT_BLANK)],
        ),
        (
            "dateOfBirth invalid",
            changed("dateOfBirth", json!("1990-02-30")),
            422,
            vec![violation("dateOfBirth", NOT_A_DATE)],
        ),
        (
            "email of another customer",
            changed("email", json!("other@example.com")),
            422,
            vec![domain(422, "400", EMAIL_TAKEN)],
        ),
        (
            "email of another customer in another case",
            changed("email", json!("OTHER@Example.com")),
            422,
            vec![domain(422, "400", EMAIL_TAKEN)],
        ),
        (
            "\"..\" in the local part",
            changed("email", json!("a..b@example.com")),
            422,
            vec![domain(422, "416", EMAIL_FORMAT)],
        ),
        (
            "password without confirmPassword",
            changed("password", json!(OTHER_PASSWORD)),
            422,
            vec![domain(422, "406", MISMATCH)],
        ),
        (
            "password with a different confirmPassword",
            {
                let mut attributes = changed("password", json!(OTHER_PASSWORD));
                attributes["confirmPassword"] = json!("Nw7$kLp3@xYz");
                attributes
            },
            422,
            vec![domain(422, "406", MISMATCH)],
        ),
    ];
    for (case, attributes, status, expected) in &cases {
        let response = patch_customer(&app, &customer, attributes.clone()).await;
        assert_errors(case, &response, *status, expected);
        let after = fetch(&app, &customer.reference, &customer.access_token).await;
        assert_eq!(after, before, "{case}: a failed PATCH changes nothing");
    }
}

#[tokio::test]
async fn patch_accepts_ones_own_email_in_another_case() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let upper = customer.email.to_uppercase();
    let response = patch_customer(&app, &customer, json!({"email": upper})).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.body["data"]["attributes"]["email"], json!(upper));
    let fetched = fetch(&app, &customer.reference, &customer.access_token).await;
    assert_eq!(fetched["attributes"]["email"], json!(upper));
}

#[tokio::test]
async fn patch_cannot_change_the_password() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let response = patch_customer(
        &app,
        &customer,
        json!({"password": OTHER_PASSWORD, "confirmPassword": OTHER_PASSWORD}),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert!(!response.text.contains("assword"), "{}", response.text);

    access_token(&app, &customer.email, &customer.password).await;
    app.login(&customer.email, OTHER_PASSWORD)
        .await
        .assert_error(401, Some("003"));
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

/// bcrypt reads 72 bytes: without a guard, a 72-byte password followed by anything would
/// log in too (OWASP: never truncate silently).
#[tokio::test]
async fn a_72_byte_password_followed_by_more_bytes_does_not_log_in() {
    let app = spawn_app().await;
    let password = format!("Aa1!{}", "€a".repeat(17));
    assert_eq!(password.len(), 72);
    app.register(EMAIL, &password).await;
    app.login(EMAIL, &format!("{password}garbage"))
        .await
        .assert_error(401, Some("003"));
    assert_eq!(
        app.login(EMAIL, &password).await.status,
        StatusCode::CREATED
    );
}
