//! Spryker's address validation (reference §1.6, §2.6; CONTRACT §3 item 12): every `901` with
//! Symfony's message and its `source.pointer`, the inclusive limits, plain text only.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{assert_violations, create, create_id, list, patch, post, valid, valid_with};
use crate::helpers::spawn_app;

const MISSING: &str = "This field is missing.";
const NOT_BLANK: &str = "This value should not be blank.";
const NOT_A_CHOICE: &str = "The value you selected is not a valid choice.";
const NOT_A_STRING: &str = "This value should be of type string.";
const NOT_A_BOOL: &str = "This value should be of type bool.";
const NOT_A_COUNTRY: &str = "This value is not a valid country.";
const NOT_PLAIN_TEXT: &str = "This value contains characters that are not allowed.";
const HAS_NUL: &str = "This value should not contain NUL characters.";
const CITY_TOO_SHORT: &str = "This value is too short. It should have 3 characters or more.";
const CODE_TOO_LONG: &str = "This value is too long. It should have 2 characters or less.";

/// Every attribute required on `POST`, in the order the errors come.
const REQUIRED: [&str; 10] = [
    "salutation",
    "firstName",
    "lastName",
    "address1",
    "address2",
    "zipCode",
    "city",
    "iso2Code",
    "isDefaultShipping",
    "isDefaultBilling",
];
/// The required strings (NotBlank).
const NOT_BLANK_FIELDS: [&str; 8] = [
    "salutation",
    "firstName",
    "lastName",
    "address1",
    "address2",
    "zipCode",
    "city",
    "iso2Code",
];

fn too_long(max: usize) -> String {
    format!("This value is too long. It should have {max} characters or less.")
}

/// One case: its name, the field, its value (removed when `None`), the expected messages.
type Case = (String, &'static str, Option<Value>, Vec<String>);

fn case(field: &'static str, value: Option<Value>, messages: &[&str]) -> Case {
    let name = match &value {
        None => format!("{field} missing"),
        Some(value) => format!("{field} = {value}"),
    };
    let messages = messages.iter().map(|m| (*m).to_owned()).collect();
    (name, field, value, messages)
}

fn post_cases() -> Vec<Case> {
    let mut cases: Vec<Case> = REQUIRED
        .iter()
        .map(|&field| case(field, None, &[MISSING]))
        .collect();
    for field in NOT_BLANK_FIELDS {
        cases.push(case(field, Some(Value::Null), &[NOT_BLANK]));
    }
    for field in ["firstName", "lastName", "address1", "address2", "zipCode"] {
        cases.push(case(field, Some(json!("")), &[NOT_BLANK]));
        cases.push(case(field, Some(json!("   ")), &[NOT_BLANK]));
    }
    cases.push(case(
        "salutation",
        Some(json!("")),
        &[NOT_BLANK, NOT_A_CHOICE],
    ));
    cases.push(case("city", Some(json!("")), &[NOT_BLANK, CITY_TOO_SHORT]));
    cases.push(case("city", Some(json!("   ")), &[NOT_BLANK]));
    // Invisible characters alone are as blank as spaces.
    cases.push(case(
        "address1",
        Some(json!("\u{200B}\u{FEFF}")),
        &[NOT_BLANK],
    ));

    let long = |n: usize| Some(json!("x".repeat(n)));
    let (name_101, line_256, zip_16) = (too_long(100), too_long(255), too_long(15));
    for field in ["firstName", "lastName"] {
        cases.push(case(field, long(101), &[&name_101]));
        cases.push(case(field, Some(json!("ö".repeat(101))), &[&name_101]));
    }
    for field in [
        "address1", "address2", "address3", "company", "phone", "city",
    ] {
        cases.push(case(field, long(256), &[&line_256]));
    }
    cases.push(case("zipCode", long(16), &[&zip_16]));
    cases.push(case("city", Some(json!("Ay")), &[CITY_TOO_SHORT]));

    for value in ["Sir", "mr", "MRS", "Herr"] {
        cases.push(case("salutation", Some(json!(value)), &[NOT_A_CHOICE]));
    }
    cases.push(case(
        "iso2Code",
        Some(json!("DEU")),
        &[CODE_TOO_LONG, NOT_A_COUNTRY],
    ));
    for value in ["ZZ", "XK", "D", "1A", "EU", "D\n"] {
        cases.push(case("iso2Code", Some(json!(value)), &[NOT_A_COUNTRY]));
    }
    for field in ["isDefaultShipping", "isDefaultBilling"] {
        for value in [json!("true"), json!(1), json!(""), json!([true])] {
            cases.push(case(field, Some(value), &[NOT_A_BOOL]));
        }
    }
    for (field, value) in [
        ("salutation", json!(1)),
        ("firstName", json!(42)),
        ("lastName", json!({"last": "Hopkin"})),
        ("address1", json!(["Third", "33"])),
        ("address3", json!(false)),
        ("zipCode", json!(12312)),
        ("city", json!(["Berlin"])),
        ("iso2Code", json!(49)),
        ("company", json!(true)),
        ("phone", json!(221_113_456)),
    ] {
        cases.push(case(field, Some(value), &[NOT_A_STRING]));
    }
    // Names and address lines end up on labels and in emails: plain text only.
    for (field, value) in [
        ("firstName", "Spen\ncor"),
        ("lastName", "\u{202E}nikpoH"),
        ("address1", "Third 33\r\nBcc: x@evil.example"),
        ("address2", "b\u{1b}[31m"),
        ("address3", "a\u{7f}"),
        ("zipCode", "123\t12"),
        ("city", "Ber\u{85}lin"),
        ("company", "Acme\u{2066}x\u{2069}"),
        ("phone", "22111\r\n"),
    ] {
        cases.push(case(field, Some(json!(value)), &[NOT_PLAIN_TEXT]));
    }
    for field in ["firstName", "address1", "city", "phone"] {
        cases.push(case(field, Some(json!("Ber\u{0}lin")), &[HAS_NUL]));
    }
    cases
}

#[tokio::test]
async fn each_invalid_attribute_on_post_is_a_901_with_symfonys_message_and_a_pointer() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    for (name, field, value, messages) in post_cases() {
        let mut attributes = valid();
        let map = attributes.as_object_mut().expect("object");
        match value {
            Some(value) => map.insert(field.to_owned(), value),
            None => map.remove(field),
        };
        let response = post(&app, &customer, attributes).await;
        let expected: Vec<(&str, &str)> = messages.iter().map(|m| (field, m.as_str())).collect();
        assert_violations(&name, &response, &expected);
    }

    assert!(
        list(&app, &customer).await.is_empty(),
        "nothing was created"
    );
}

#[tokio::test]
async fn an_empty_post_names_every_missing_attribute_in_order() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = post(&app, &customer, json!({})).await;

    let expected: Vec<(&str, &str)> = REQUIRED.iter().map(|f| (*f, MISSING)).collect();
    assert_violations("empty attributes", &response, &expected);

    // Several wrong attributes at once: every one reported, in the resource's order.
    let attributes = valid_with(&[
        ("isDefaultBilling", json!("no")),
        ("city", json!("B")),
        ("firstName", json!("")),
        ("salutation", json!("Sir")),
    ]);
    let response = post(&app, &customer, attributes).await;
    assert_violations(
        "several at once",
        &response,
        &[
            ("salutation", NOT_A_CHOICE),
            ("firstName", NOT_BLANK),
            ("city", CITY_TOO_SHORT),
            ("isDefaultBilling", NOT_A_BOOL),
        ],
    );
}

/// Symfony's `Country` constraint skips the empty string as its `Email` does (reference §1.6
/// lists only `Choice` as failing beside `NotBlank` for `""`): a blank code is one violation.
#[tokio::test]
async fn a_blank_country_code_is_reported_once_as_blank() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let response = post(&app, &customer, valid_with(&[("iso2Code", json!(""))])).await;
    assert_violations("iso2Code blank", &response, &[("iso2Code", NOT_BLANK)]);
}

#[tokio::test]
async fn limits_are_inclusive() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let x = |n: usize| json!("x".repeat(n));
    let longest = valid_with(&[
        ("firstName", json!("ö".repeat(100))),
        ("lastName", x(100)),
        ("address1", x(255)),
        ("address2", json!("ß".repeat(255))),
        ("address3", x(255)),
        ("zipCode", json!("1".repeat(15))),
        ("city", x(255)),
        ("company", x(255)),
        ("phone", x(255)),
    ]);
    let shortest = valid_with(&[
        ("firstName", json!("A")),
        ("lastName", json!("B")),
        ("address1", json!("1")),
        ("address2", json!("b")),
        ("zipCode", json!("1")),
        ("city", json!("Ulm")),
    ]);
    let unicode = valid_with(&[
        ("firstName", json!("Zoë")),
        ("lastName", json!("O'Brien-Ñúñez")),
        ("address1", json!("Straße des 17. Juni 135")),
        ("city", json!("Łódź")),
        ("company", json!("李 & Đặng GmbH")),
    ]);
    for (case, attributes) in [
        ("longest", longest),
        ("shortest", shortest),
        ("unicode", unicode),
    ] {
        let created = create(&app, &customer, attributes.clone()).await;
        for (field, value) in attributes.as_object().expect("object") {
            if value.is_string() {
                assert_eq!(&created["attributes"][field], value, "{case}: {field}");
            }
        }
    }
    assert_eq!(list(&app, &customer).await.len(), 3);
}

#[tokio::test]
async fn null_flags_on_post_are_accepted_as_not_asking_for_a_default() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    create_id(&app, &customer).await;
    let attributes = valid_with(&[
        ("isDefaultShipping", Value::Null),
        ("isDefaultBilling", Value::Null),
    ]);
    let created = create(&app, &customer, attributes).await;
    assert_eq!(created["attributes"]["isDefaultShipping"], false);
    assert_eq!(created["attributes"]["isDefaultBilling"], false);
}

#[tokio::test]
async fn patch_validates_what_is_sent_and_null_never_clears_a_required_attribute() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let before = create(&app, &customer, valid()).await;
    let uuid = super::id(&before);

    let mut cases: Vec<Case> = NOT_BLANK_FIELDS
        .iter()
        .map(|&field| case(field, Some(Value::Null), &[NOT_BLANK]))
        .collect();
    let (line_256, zip_16) = (too_long(255), too_long(15));
    cases.extend([
        case("salutation", Some(json!("")), &[NOT_BLANK, NOT_A_CHOICE]),
        case("firstName", Some(json!("")), &[NOT_BLANK]),
        case("city", Some(json!("Ay")), &[CITY_TOO_SHORT]),
        case("address3", Some(json!("x".repeat(256))), &[&line_256]),
        case("zipCode", Some(json!("1".repeat(16))), &[&zip_16]),
        case("iso2Code", Some(json!("ZZ")), &[NOT_A_COUNTRY]),
        case("isDefaultShipping", Some(json!("yes")), &[NOT_A_BOOL]),
        case("isDefaultBilling", Some(json!(0)), &[NOT_A_BOOL]),
        case("lastName", Some(json!("Hop\nkin")), &[NOT_PLAIN_TEXT]),
        case("phone", Some(json!(12)), &[NOT_A_STRING]),
    ]);
    for (name, field, value, messages) in cases {
        let attributes = json!({ field: value.expect("PATCH cases send a value") });
        let response = patch(&app, &customer, &uuid, attributes).await;
        let expected: Vec<(&str, &str)> = messages.iter().map(|m| (field, m.as_str())).collect();
        assert_violations(&format!("PATCH {name}"), &response, &expected);
    }
    // A valid attribute beside an invalid one is not applied either.
    let response = patch(
        &app,
        &customer,
        &uuid,
        json!({"city": "Hamburg", "zipCode": null}),
    )
    .await;
    assert_violations("PATCH half valid", &response, &[("zipCode", NOT_BLANK)]);

    assert_eq!(list(&app, &customer).await, vec![before], "nothing changed");

    // Null optional attributes and flags are fine.
    let cleared = json!({"address3": null, "company": null, "phone": null,
        "isDefaultShipping": null, "isDefaultBilling": null});
    let response = patch(&app, &customer, &uuid, cleared).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let attributes = &response.body["data"]["attributes"];
    for field in ["address3", "company", "phone"] {
        assert_eq!(attributes[field], Value::Null, "{field}");
    }
    assert_eq!(
        attributes["isDefaultShipping"], true,
        "null clears no default"
    );
    assert_eq!(
        attributes["isDefaultBilling"], true,
        "null clears no default"
    );
}
