//! Attribute validation with Spryker's semantics (reference §1.6): Symfony constraints checked
//! field by field in the order the resource declares them, every violation reported as a `901`
//! with Symfony's message and a `source.pointer`. Returns typed values so that nothing
//! downstream validates again.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::error::{ApiError, Violation};
use crate::text::{is_bidi_control, is_blank, is_control};

pub mod schema;

pub const NOT_BLANK: &str = "This value should not be blank.";
pub const MISSING: &str = "This field is missing.";
pub const NOT_A_CHOICE: &str = "The value you selected is not a valid choice.";
pub const NOT_AN_EMAIL: &str = "This value is not a valid email address.";
pub const NOT_TRUE: &str = "This value should be true.";
pub const NOT_A_DATE: &str = "This value is not a valid date.";
pub const NOT_A_STRING: &str = "This value should be of type string.";
pub const NOT_A_BOOL: &str = "This value should be of type bool.";
/// PostgreSQL cannot store NUL in text; no attribute has a use for it.
pub const HAS_NUL: &str = "This value should not contain NUL characters.";
pub const NOT_PLAIN_TEXT: &str = "This value contains characters that are not allowed.";

/// Constraints on a string attribute, in the order they are checked.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    NotBlank,
    Choice(&'static [&'static str]),
    Email,
    MinChars(usize),
    MaxChars(usize),
    /// bcrypt reads 72 bytes: a longer password is refused, never truncated (CONTRACT §3 item 8).
    MaxBytes(usize),
    Date,
    /// Text a person reads (names, later address lines, which go into emails): no control
    /// characters (CR, LF and TAB included) and no bidirectional overrides.
    PlainText,
    /// A custom check: returns the message when the value fails it.
    Check(fn(&str) -> Option<Cow<'static, str>>),
}

pub struct Validator<'a> {
    attributes: &'a Map<String, Value>,
    violations: Vec<Violation>,
}

impl<'a> Validator<'a> {
    pub fn new(attributes: &'a Map<String, Value>) -> Self {
        Self {
            attributes,
            violations: Vec::new(),
        }
    }

    pub fn violation(&mut self, field: &str, message: impl Into<Cow<'static, str>>) {
        self.violations.push(Violation {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// A required string: `Some` only when present and every rule passed. `null` is kept as
    /// `Some(None)` when NotBlank is not among the rules.
    pub fn required(&mut self, field: &str, rules: &[Rule]) -> Option<Option<String>> {
        if !self.attributes.contains_key(field) {
            self.violation(field, MISSING);
            return None;
        }
        self.optional(field, rules)
    }

    /// An optional string: `None` when absent, `Some(None)` for an explicit null that the
    /// rules allow, `Some(Some(s))` for a valid value. Invalid values record violations.
    pub fn optional(&mut self, field: &str, rules: &[Rule]) -> Option<Option<String>> {
        let value = self.attributes.get(field)?;
        let text = match value {
            Value::Null => None,
            Value::String(s) => Some(s.as_str()),
            _ => {
                self.violation(field, NOT_A_STRING);
                return None;
            }
        };
        let before = self.violations.len();
        if text.is_some_and(|s| s.contains('\0')) {
            self.violation(field, HAS_NUL);
            return None;
        }
        for rule in rules {
            if let Some(message) = check(rule, text) {
                self.violation(field, message);
            }
        }
        (self.violations.len() == before).then(|| text.map(str::to_owned))
    }

    /// The raw string value of a field, if it is one.
    pub fn string(&self, field: &str) -> Option<&'a str> {
        self.attributes.get(field).and_then(Value::as_str)
    }

    /// Symfony `IsTrue` (null passes, as in Spryker: the controller then answers `413`).
    pub fn required_true(&mut self, field: &str) -> Option<Option<bool>> {
        match self.attributes.get(field) {
            None => {
                self.violation(field, MISSING);
                None
            }
            Some(Value::Null) => Some(None),
            Some(Value::Bool(true)) => Some(Some(true)),
            Some(_) => {
                self.violation(field, NOT_TRUE);
                None
            }
        }
    }

    /// Symfony `Type(bool)`; `required` adds `This field is missing.` when absent.
    pub fn boolean(&mut self, field: &str, required: bool) -> Option<Option<bool>> {
        match self.attributes.get(field) {
            None if required => {
                self.violation(field, MISSING);
                None
            }
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::Bool(b)) => Some(Some(*b)),
            Some(_) => {
                self.violation(field, NOT_A_BOOL);
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.violations))
        }
    }
}

fn check(rule: &Rule, value: Option<&str>) -> Option<Cow<'static, str>> {
    match (rule, value) {
        (Rule::NotBlank, None) => Some(NOT_BLANK.into()),
        // Invisible characters alone (U+200B and the like) are as blank as spaces.
        (Rule::NotBlank, Some(s)) => is_blank(s).then_some(NOT_BLANK.into()),
        (_, None) => None,
        (Rule::Choice(options), Some(s)) => (!options.contains(&s)).then_some(NOT_A_CHOICE.into()),
        (Rule::Email, Some(s)) => {
            (!s.is_empty() && !is_html5_email(s)).then_some(NOT_AN_EMAIL.into())
        }
        (Rule::MinChars(min), Some(s)) => (s.chars().count() < *min).then(|| {
            format!("This value is too short. It should have {min} characters or more.").into()
        }),
        (Rule::MaxChars(max), Some(s)) => (s.chars().count() > *max).then(|| {
            format!("This value is too long. It should have {max} characters or less.").into()
        }),
        (Rule::MaxBytes(max), Some(s)) => (s.len() > *max)
            .then(|| format!("This value is too long. It should have {max} bytes or less.").into()),
        (Rule::Date, Some(s)) => parse_date(s).is_none().then_some(NOT_A_DATE.into()),
        (Rule::PlainText, Some(s)) => s
            .chars()
            .any(|c| is_control(c) || is_bidi_control(c))
            .then_some(NOT_PLAIN_TEXT.into()),
        (Rule::Check(f), Some(s)) => f(s),
    }
}

/// `YYYY-MM-DD` (Symfony `Date`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    // Exactly four-digit year, two-digit month and day: chrono alone would also take signs,
    // spaces and single digits (`-001-01-01`, ` 2020-1-01`).
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    (shape_ok && !s.starts_with("0000")).then_some(date)
}

/// Symfony's `Email` constraint in its default html5 mode: the WHATWG `valid e-mail address`
/// grammar, which requires a dot in the domain.
pub fn is_html5_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    local_ok && labels.len() >= 2 && labels.iter().all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html5_email_grammar() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.com",
            "o'neil@example.de",
        ] {
            assert!(is_html5_email(ok), "{ok}");
        }
        for bad in [
            "plain", "a@b", "a@-b.com", "a b@c.de", "@c.de", "a@c..de", "ü@c.de",
        ] {
            assert!(!is_html5_email(bad), "{bad}");
        }
    }

    #[test]
    fn dates_are_strictly_yyyy_mm_dd() {
        assert!(parse_date("1990-05-17").is_some());
        for bad in [
            "-001-01-01",
            "+999-01-01",
            " 2020-1-01",
            "0000-01-01",
            "2020-02-30",
            "2020/01/01",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn blank_string_fails_not_blank_and_choice_together() {
        let attrs: Map<String, Value> =
            serde_json::from_str(r#"{"gender":""}"#).expect("valid json");
        let mut v = Validator::new(&attrs);
        v.required(
            "gender",
            &[Rule::NotBlank, Rule::Choice(&["Male", "Female"])],
        );
        match v.finish() {
            Err(ApiError::Validation(list)) => {
                assert_eq!(list.len(), 2);
                assert_eq!(list[0].message, NOT_BLANK);
                assert_eq!(list[1].message, NOT_A_CHOICE);
            }
            other => panic!("{other:?}"),
        }
    }
}
