//! One import row parsed once, with the storefront's rules (its validator and messages): after
//! [`parse`] nothing validates again. A row that fails gets one reason naming every field at
//! fault, `email: This value is not a valid email address.; salutation: ...`.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

use crate::addresses::domain::{self as address_domain, AddressInput};
use crate::backend::domain::is_bcrypt_hash;
use crate::customers::choices::{GENDERS, SALUTATIONS};
use crate::customers::domain::{normalize_email, zed_email_errors, NAME_RULES};
use crate::error::{ApiError, Code, Violation};
use crate::validation::{is_html5_email, parse_date, Rule, Validator, NOT_AN_EMAIL};

/// The columns a CSV file may have.
pub const CSV_COLUMNS: &[&str] = &[
    "email",
    "firstName",
    "lastName",
    "salutation",
    "gender",
    "dateOfBirth",
    "passwordHash",
    "group",
    "acceptedMarketing",
    "createdAt",
    "status",
];
/// What the export writes besides the fields: accepted and ignored, so that an export can be
/// imported as it is (the reference comes from the target's sequence, `updatedAt` is the
/// import's own time).
pub const EXTRA_COLUMNS: &[&str] = &["customerReference", "updatedAt"];
const ADDRESSES: &str = "addresses";
const ADDRESS_FIELDS: &[&str] = &[
    "salutation",
    "firstName",
    "lastName",
    "address1",
    "address2",
    "address3",
    "zipCode",
    "city",
    "iso2Code",
    "company",
    "phone",
    "isDefaultBilling",
    "isDefaultShipping",
];
/// `unconfirmed` is what the export writes for a customer who never confirmed; imported
/// customers are confirmed at once, so only the block is taken from `status`.
const STATUSES: &[&str] = &["active", "blocked", "unconfirmed"];
const EMAIL_MAX: usize = 100;
const GROUP_MAX: usize = 100;
const NOT_EXPECTED: &str = "This field was not expected.";
const NOT_A_BCRYPT_HASH: &str =
    "This value is not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 characters after it).";
const NOT_A_TIME: &str =
    "This value is not a valid time (RFC 3339, or YYYY-MM-DD HH:MM:SS in UTC).";
const NOT_A_LIST: &str = "This value should be of type array.";
const NOT_AN_OBJECT: &str = "This value should be of type object.";

const EMAIL_RULES: &[Rule] = &[
    Rule::NotBlank,
    Rule::Email,
    Rule::MaxChars(EMAIL_MAX),
    Rule::PlainText,
    Rule::Check(zed_email_check),
];

/// A valid row. `None` fields were empty or absent: a new customer gets no value, an existing
/// one keeps the value it has.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub line: u64,
    pub email: String,
    pub email_normalized: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub salutation: Option<String>,
    pub gender: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub password_hash: Option<String>,
    pub group: Option<String>,
    pub accepted_marketing: Option<bool>,
    pub created_at: Option<NaiveDateTime>,
    /// `Some(true)` blocks, `Some(false)` lifts a block.
    pub blocked: Option<bool>,
    pub addresses: Vec<AddressInput>,
}

/// Parses a row's fields; `Err` is the reason it is rejected.
pub fn parse(line: u64, mut fields: Map<String, Value>) -> Result<ImportRow, String> {
    // Empty and null mean "no value" (a CSV file cannot tell them apart), except for the
    // email, which is required and gets NotBlank's message.
    fields.retain(|name, value| {
        name == "email" || !(value.is_null() || value.as_str().is_some_and(str::is_empty))
    });
    // CSV has only strings: `true`/`false` as JSON has them.
    let flag = fields
        .get("acceptedMarketing")
        .and_then(Value::as_str)
        .and_then(parse_bool);
    if let Some(flag) = flag {
        fields.insert("acceptedMarketing".to_owned(), Value::Bool(flag));
    }
    let mut v = Validator::new(&fields);
    let email = v.required("email", EMAIL_RULES);
    let first_name = v.optional("firstName", NAME_RULES);
    let last_name = v.optional("lastName", NAME_RULES);
    let salutation = v.optional("salutation", &[Rule::Choice(SALUTATIONS)]);
    let gender = v.optional("gender", &[Rule::Choice(GENDERS)]);
    let date_of_birth = v.optional("dateOfBirth", &[Rule::Date]);
    let password_hash = v.optional("passwordHash", &[Rule::Check(hash_check)]);
    let group_rules = [Rule::NotBlank, Rule::MaxChars(GROUP_MAX), Rule::PlainText];
    let group = v.optional("group", &group_rules);
    let accepted_marketing = v.boolean("acceptedMarketing", false);
    let created_at = v.optional("createdAt", &[Rule::Check(time_check)]);
    let status = v.optional("status", &[Rule::Choice(STATUSES)]);
    for name in fields.keys() {
        let known = CSV_COLUMNS.contains(&name.as_str())
            || EXTRA_COLUMNS.contains(&name.as_str())
            || name == ADDRESSES;
        if !known {
            v.violation(&crate::text::escape_controls(name), NOT_EXPECTED);
        }
    }
    let addresses = addresses(&fields);
    let mut reasons = violations(v.finish());
    let addresses = match addresses {
        Ok(addresses) => addresses,
        Err(more) => {
            reasons.extend(more);
            Vec::new()
        }
    };
    let Some(Some(email)) = email.filter(|_| reasons.is_empty()) else {
        return Err(join(reasons));
    };
    Ok(ImportRow {
        line,
        email_normalized: normalize_email(&email),
        email,
        first_name: first_name.flatten(),
        last_name: last_name.flatten(),
        salutation: salutation.flatten(),
        gender: gender.flatten(),
        date_of_birth: date_of_birth.flatten().as_deref().and_then(parse_date),
        password_hash: password_hash.flatten(),
        group: group.flatten(),
        accepted_marketing: accepted_marketing.flatten(),
        created_at: created_at.flatten().as_deref().and_then(parse_time),
        blocked: status.flatten().map(|s| s == "blocked"),
        addresses,
    })
}

/// The `addresses` list: each object with the storefront's address rules (`POST`: every
/// required attribute present).
fn addresses(fields: &Map<String, Value>) -> Result<Vec<AddressInput>, Vec<String>> {
    let items = match fields.get(ADDRESSES) {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(vec![format!("{ADDRESSES}: {NOT_A_LIST}")]),
    };
    let mut parsed = Vec::with_capacity(items.len());
    let mut reasons = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("{ADDRESSES}[{i}]");
        let Value::Object(attributes) = item else {
            reasons.push(format!("{prefix}: {NOT_AN_OBJECT}"));
            continue;
        };
        let mut attributes = attributes.clone();
        for name in attributes.keys() {
            if !ADDRESS_FIELDS.contains(&name.as_str()) {
                let name = crate::text::escape_controls(name);
                reasons.push(format!("{prefix}.{name}: {NOT_EXPECTED}"));
            }
        }
        // The storefront requires the two flags on a new address; here they are optional
        // (the first address is the default when none is flagged).
        for flag in ["isDefaultBilling", "isDefaultShipping"] {
            if attributes.get(flag).is_none_or(Value::is_null) {
                attributes.insert(flag.to_owned(), Value::Bool(false));
            }
        }
        match address_domain::parse(&attributes, true) {
            Ok(address) => parsed.push(address),
            Err(err) => reasons.extend(
                violations(Err(err))
                    .into_iter()
                    .map(|reason| format!("{prefix}.{reason}")),
            ),
        }
    }
    if reasons.is_empty() {
        Ok(parsed)
    } else {
        Err(reasons)
    }
}

/// `field: message` for each violation.
fn violations(result: Result<(), ApiError>) -> Vec<String> {
    match result {
        Ok(()) => Vec::new(),
        Err(ApiError::Validation(violations)) => violations
            .into_iter()
            .map(|Violation { field, message }| format!("{field}: {message}"))
            .collect(),
        Err(other) => vec![other.to_string()],
    }
}

fn join(reasons: Vec<String>) -> String {
    reasons.join("; ")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Spryker's Zed checks on the local part, as the storefront applies them after Symfony's.
fn zed_email_check(email: &str) -> Option<Cow<'static, str>> {
    (is_html5_email(email) && zed_email_errors(email).contains(&Code::InvalidEmailFormat))
        .then_some(NOT_AN_EMAIL.into())
}

fn hash_check(text: &str) -> Option<Cow<'static, str>> {
    (!is_bcrypt_hash(text)).then_some(NOT_A_BCRYPT_HASH.into())
}

fn time_check(text: &str) -> Option<Cow<'static, str>> {
    parse_time(text).is_none().then_some(NOT_A_TIME.into())
}

/// RFC 3339 (any offset, stored as UTC) or `YYYY-MM-DD HH:MM:SS[.ffffff]` taken as UTC (the
/// API's own format).
pub fn parse_time(text: &str) -> Option<NaiveDateTime> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.naive_utc());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn row(value: Value) -> Result<ImportRow, String> {
        let Value::Object(fields) = value else {
            panic!("an object")
        };
        parse(2, fields)
    }

    #[test]
    fn times_are_rfc_3339_or_the_plain_utc_form() {
        let expected = NaiveDateTime::parse_from_str("2021-03-04 05:06:07", "%Y-%m-%d %H:%M:%S");
        assert_eq!(parse_time("2021-03-04T05:06:07Z"), expected.ok());
        assert_eq!(parse_time("2021-03-04T07:06:07+02:00"), expected.ok());
        assert_eq!(parse_time("2021-03-04 05:06:07"), expected.ok());
        assert!(parse_time("2021-03-04").is_none());
        assert!(parse_time("04.03.2021 05:06").is_none());
    }

    #[test]
    fn every_fault_of_a_row_is_named_in_one_reason() {
        let reason = row(json!({"email": "nope", "salutation": "Sir", "colour": "red"}))
            .expect_err("rejected");
        assert_eq!(
            reason,
            "email: This value is not a valid email address.; salutation: The value you \
             selected is not a valid choice.; colour: This field was not expected."
        );
    }

    #[test]
    fn empty_values_are_absent_and_csv_booleans_are_read() {
        let parsed = row(
            json!({"email": "A@Example.com", "firstName": "", "salutation": "",
                                "acceptedMarketing": "TRUE"}),
        )
        .expect("valid");
        assert_eq!(parsed.email_normalized, "a@example.com");
        assert_eq!(parsed.first_name, None);
        assert_eq!(parsed.accepted_marketing, Some(true));
    }
}
