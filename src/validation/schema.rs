//! The validation rules as JSON Schema, for the OpenAPI document: built from the same [`Rule`]
//! lists the parsers check, so that the document states what the service accepts, no more and
//! no less. Patterns are ECMA-262 regular expressions, as JSON Schema requires, written with
//! `\uXXXX` escapes only (every class below lies in the Basic Multilingual Plane).

use std::fmt::Write;

use serde_json::Value;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type};

use super::Rule;

/// Inclusive code-point ranges.
type Ranges = &'static [(u32, u32)];

/// `char::is_control`: C0, DEL and C1 (the NUL a validator refuses everywhere is among them).
const CONTROLS: Ranges = &[(0x00, 0x1F), (0x7F, 0x9F)];
/// `text::is_bidi_control`.
const BIDI: Ranges = &[(0x202A, 0x202E), (0x2066, 0x2069)];
/// `char::is_whitespace` (Unicode `White_Space`).
const WHITESPACE: Ranges = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
];
/// `text::is_invisible`.
const INVISIBLE: Ranges = &[
    (0xAD, 0xAD),
    (0x34F, 0x34F),
    (0x61C, 0x61C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x2060, 0x2064),
    (0x206A, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
];
const NUL: Ranges = &[(0, 0)];

/// The WHATWG "valid e-mail address" grammar with a dot required in the domain, as
/// [`super::is_html5_email`] checks it.
const EMAIL_LOCAL: &str = "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+";
const EMAIL_LABEL: &str = "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?";

/// The body of a character class (`[^...]` takes it) holding every range of `sets`.
fn class(sets: &[Ranges]) -> String {
    let mut out = String::new();
    for (low, high) in sets.iter().flat_map(|set| set.iter()) {
        let _ = write!(out, "\\u{low:04X}");
        if high != low {
            let _ = write!(out, "-\\u{high:04X}");
        }
    }
    out
}

/// Strings of characters outside `refused`, with at least one that is not blank when
/// `visible`: the NotBlank and PlainText rules (and the NUL refused everywhere) as a pattern.
fn text_pattern(refused: &[Ranges], visible: bool) -> String {
    let allowed = format!("[^{}]", class(refused));
    if !visible {
        return format!("^{allowed}*$");
    }
    let mut blank = refused.to_vec();
    blank.extend([WHITESPACE, INVISIBLE]);
    format!("^{allowed}*[^{}]{allowed}*$", class(&blank))
}

/// The pattern of a string that passes NotBlank (`visible`) and, with `plain`, PlainText.
pub fn text(visible: bool, plain: bool) -> String {
    if plain {
        text_pattern(&[CONTROLS, BIDI], visible)
    } else {
        text_pattern(&[NUL], visible)
    }
}

/// [`Rule::Email`]; with `dot_atom`, also the local-part rules Spryker's Zed layer adds (no
/// leading, trailing or double dot, at most 64 characters).
pub fn email(dot_atom: bool) -> String {
    let domain = format!("{EMAIL_LABEL}(?:\\.{EMAIL_LABEL})+");
    if dot_atom {
        let atom = EMAIL_LOCAL.replacen('.', "", 1);
        format!("^(?=[^@]{{1,64}}@){atom}(?:\\.{atom})*@{domain}$")
    } else {
        format!("^{EMAIL_LOCAL}@{domain}$")
    }
}

/// `const`, which utoipa's schema model lacks: written as the one extension of the object.
pub fn with_const(mut object: Object, value: Value) -> Object {
    object.extensions = Some(Extensions::from_iter([("const", value)]));
    object
}

/// A string attribute checked by `rules`: `null` is allowed unless NotBlank is among them
/// (the validator lets `null` through every other rule). Callers add what a [`Rule::Check`]
/// or a later (Zed) check adds.
pub fn string(rules: &[Rule]) -> ObjectBuilder {
    let visible = rules.iter().any(|r| matches!(r, Rule::NotBlank));
    let plain = rules.iter().any(|r| matches!(r, Rule::PlainText));
    let schema_type = if visible {
        SchemaType::Type(Type::String)
    } else {
        SchemaType::from_iter([Type::String, Type::Null])
    };
    let mut builder = ObjectBuilder::new()
        .schema_type(schema_type)
        .pattern(Some(text(visible, plain)));
    let mut min = usize::from(visible);
    let choice = rules.iter().any(|r| matches!(r, Rule::Choice(_)));
    for rule in rules {
        builder = match rule {
            Rule::Choice(options) => builder.pattern(None::<String>).enum_values(Some(
                options
                    .iter()
                    .map(|o| Value::from(*o))
                    .chain((!visible).then_some(Value::Null)),
            )),
            Rule::Email => builder.pattern(Some(email(false))),
            Rule::MinChars(n) => {
                min = min.max(*n);
                builder
            }
            // A character is at least one byte: the byte limit bounds the characters too.
            Rule::MaxChars(n) | Rule::MaxBytes(n) => builder.max_length(Some(*n)),
            // `parse_date`: RFC 3339 full-date, whose year 0000 the validator refuses.
            Rule::Date => builder
                .pattern(Some("^(?!0000)"))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            Rule::NotBlank | Rule::PlainText | Rule::Check(_) => builder,
        };
    }
    // A choice names its values; a length would only repeat them.
    builder.min_length((min > 0 && !choice).then_some(min))
}

/// A boolean attribute ([`super::Validator::boolean`]): `null` counts as absent.
pub fn boolean() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Boolean, Type::Null]))
}

/// `true` and nothing else ([`super::Validator::required_true`]: `null` passes the `901` rules
/// and is then refused as terms not accepted).
pub fn must_be_true() -> Object {
    with_const(
        ObjectBuilder::new().schema_type(Type::Boolean).build(),
        Value::Bool(true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{is_bidi_control, is_blank, is_control, is_invisible};

    fn within(sets: &[Ranges], c: char) -> bool {
        let c = u32::from(c);
        sets.iter()
            .flat_map(|s| s.iter())
            .any(|&(low, high)| (low..=high).contains(&c))
    }

    /// The ranges are the character predicates, code point for code point.
    #[test]
    fn ranges_are_the_predicates_of_the_validator() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(within(&[CONTROLS], c), is_control(c), "{c:?}");
            assert_eq!(within(&[BIDI], c), is_bidi_control(c), "{c:?}");
            assert_eq!(within(&[WHITESPACE], c), c.is_whitespace(), "{c:?}");
            assert_eq!(within(&[INVISIBLE], c), is_invisible(c), "{c:?}");
            assert_eq!(
                within(&[WHITESPACE, INVISIBLE], c),
                is_blank(&c.to_string()),
                "{c:?}"
            );
        }
    }

    /// The schema of `rules` accepts a value exactly when the validator does.
    fn assert_agrees(rules: &[Rule], values: &[Value]) {
        let schema = serde_json::to_value(string(rules).build()).expect("schema serializes");
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles");
        for value in values {
            let attributes = serde_json::json!({ "field": value });
            let map = attributes.as_object().expect("object");
            let mut v = super::super::Validator::new(map);
            v.optional("field", rules);
            let accepted = v.finish().is_ok();
            assert_eq!(validator.is_valid(value), accepted, "{rules:?} {value:?}");
        }
    }

    #[test]
    fn schemas_accept_exactly_what_the_validator_accepts() {
        let texts: Vec<Value> = [
            "Sonia",
            " x ",
            "",
            " ",
            "\u{200B}",
            "\u{200B}a",
            "a\nb",
            "\tx",
            "x\u{0}",
            "\u{0}",
            "a\u{202E}b",
            "\u{85}x",
            "\u{3000}",
            "日本",
            "😀",
            "ab",
            "abc",
            "a\u{7f}",
        ]
        .iter()
        .map(|s| Value::from(*s))
        .chain([Value::Null, Value::from(1), Value::from(true)])
        .collect();
        let plain = [Rule::NotBlank, Rule::MaxChars(4), Rule::PlainText];
        assert_agrees(&plain, &texts);
        assert_agrees(&[Rule::MinChars(3), Rule::PlainText], &texts);
        assert_agrees(&[Rule::NotBlank], &texts);
        assert_agrees(&[Rule::NotBlank, Rule::Choice(&["Mr", "Ms"])], &texts);
        let emails: Vec<Value> = [
            "a@b.co",
            "a@b",
            "first.last+tag@sub.example.com",
            ".a@b.co",
            "a..b@c.de",
            "a@-b.com",
            "a b@c.de",
            "ü@c.de",
            "a@c..de",
            "a@b.c-",
            "@b.co",
            "a@b.co ",
        ]
        .iter()
        .map(|s| Value::from(*s))
        .collect();
        assert_agrees(&[Rule::NotBlank, Rule::Email], &emails);
        let dates: Vec<Value> = [
            "1990-05-17",
            "2020-02-29",
            "2021-02-29",
            "0000-01-01",
            "0001-01-01",
            "1990-5-17",
            "1990-05-17 ",
            "+990-05-17",
        ]
        .iter()
        .map(|s| Value::from(*s))
        .chain([Value::Null])
        .collect();
        assert_agrees(&[Rule::Date], &dates);
    }

    #[test]
    fn patterns_read_as_intended() {
        assert_eq!(text(false, false), "^[^\\u0000]*$");
        assert!(text(true, true).starts_with("^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-"));
        assert!(email(true).starts_with("^(?=[^@]{1,64}@)[a-zA-Z0-9!#"));
    }
}
