//! Address input parsed once (reference §2.6), fields in the reference's order: `901` for every
//! violation, with Symfony's messages. After parsing nothing validates again.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::customers::choices::SALUTATIONS;
use crate::error::ApiError;
use crate::validation::{Rule, Validator};

const NAME_MAX: usize = 100;
const LINE_MAX: usize = 255;
const ZIP_MAX: usize = 15;
const CITY_MIN: usize = 3;
const NOT_A_COUNTRY: &str = "This value is not a valid country.";

/// Names and address lines go onto labels and into emails: plain text only.
pub const NAME_RULES: &[Rule] = &[Rule::NotBlank, Rule::MaxChars(NAME_MAX), Rule::PlainText];
pub const LINE_RULES: &[Rule] = &[Rule::NotBlank, Rule::MaxChars(LINE_MAX), Rule::PlainText];
pub const OPTIONAL_LINE_RULES: &[Rule] = &[Rule::MaxChars(LINE_MAX), Rule::PlainText];
pub const ZIP_RULES: &[Rule] = &[Rule::NotBlank, Rule::MaxChars(ZIP_MAX), Rule::PlainText];
pub const CITY_RULES: &[Rule] = &[
    Rule::NotBlank,
    Rule::MinChars(CITY_MIN),
    Rule::MaxChars(LINE_MAX),
    Rule::PlainText,
];
pub const ISO2_RULES: &[Rule] = &[
    Rule::NotBlank,
    Rule::MaxChars(2),
    Rule::Check(country_check),
];
pub const SALUTATION_RULES: &[Rule] = &[Rule::NotBlank, Rule::Choice(SALUTATIONS)];

/// An ISO 3166-1 alpha-2 code (case-insensitive), with its English name (CONTRACT §3 item 12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub iso2: String,
}

impl Country {
    pub fn parse(code: &str) -> Option<Self> {
        let upper = code.to_ascii_uppercase();
        isocountry::CountryCode::for_alpha2(&upper)
            .ok()
            .map(|_| Self { iso2: upper })
    }
}

/// The English name of a stored code ("Germany" for "DE").
pub fn country_name(iso2: &str) -> Option<&'static str> {
    isocountry::CountryCode::for_alpha2(iso2)
        .ok()
        .map(|c| c.name())
}

/// [`country_check`] as a pattern: every ISO 3166-1 alpha-2 code, in either case, grouped by
/// its first letter (`^(?:[Aa][DdEe...]|[Bb][...]|...)$`).
pub fn country_pattern() -> String {
    let mut groups: BTreeMap<char, BTreeSet<char>> = BTreeMap::new();
    for code in isocountry::CountryCode::iter() {
        let mut letters = code.alpha2().chars();
        if let (Some(first), Some(second)) = (letters.next(), letters.next()) {
            groups.entry(first).or_default().insert(second);
        }
    }
    let either = |c: &char| format!("{c}{}", c.to_ascii_lowercase());
    let alternatives: Vec<String> = groups
        .iter()
        .map(|(first, seconds)| {
            let seconds: String = seconds.iter().map(either).collect();
            format!("[{}][{seconds}]", either(first))
        })
        .collect();
    format!("^(?:{})$", alternatives.join("|"))
}

/// Like Symfony's `Country`, an empty value is NotBlank's business, not a second error.
fn country_check(value: &str) -> Option<Cow<'static, str>> {
    if value.is_empty() {
        return None;
    }
    Country::parse(value)
        .is_none()
        .then_some(Cow::Borrowed(NOT_A_COUNTRY))
}

/// The attributes of an address. On a new address every required one is `Some`; on a change,
/// `None` means "not sent" and `Some(None)` "set to null" (optional fields only).
#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub address3: Option<Option<String>>,
    pub zip_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<Country>,
    pub company: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    /// `true` makes this address the default; `false` or null never clears one (§3.3).
    pub default_shipping: bool,
    pub default_billing: bool,
}

/// `POST` (every field required but address3, company, phone) or `PATCH` (only what is sent).
pub fn parse(attrs: &Map<String, Value>, creating: bool) -> Result<AddressInput, ApiError> {
    let mut v = Validator::new(attrs);
    let field = |v: &mut Validator<'_>, name: &str, rules: &[Rule]| {
        let value = if creating {
            v.required(name, rules)
        } else {
            v.optional(name, rules)
        };
        value.flatten()
    };
    let salutation = field(&mut v, "salutation", SALUTATION_RULES);
    let first_name = field(&mut v, "firstName", NAME_RULES);
    let last_name = field(&mut v, "lastName", NAME_RULES);
    let address1 = field(&mut v, "address1", LINE_RULES);
    let address2 = field(&mut v, "address2", LINE_RULES);
    let address3 = v.optional("address3", OPTIONAL_LINE_RULES);
    let zip_code = field(&mut v, "zipCode", ZIP_RULES);
    let city = field(&mut v, "city", CITY_RULES);
    let phone = v.optional("phone", OPTIONAL_LINE_RULES);
    let iso2 = field(&mut v, "iso2Code", ISO2_RULES);
    let company = v.optional("company", OPTIONAL_LINE_RULES);
    let default_shipping = v.boolean("isDefaultShipping", creating);
    let default_billing = v.boolean("isDefaultBilling", creating);
    v.finish()?;
    Ok(AddressInput {
        salutation,
        first_name,
        last_name,
        address1,
        address2,
        address3,
        zip_code,
        city,
        country: iso2.as_deref().and_then(Country::parse),
        company,
        phone,
        default_shipping: default_shipping.flatten().unwrap_or(false),
        default_billing: default_billing.flatten().unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_country_pattern_names_every_code_in_either_case() {
        let pattern = country_pattern();
        assert!(pattern.starts_with("^(?:[Aa][Dd"), "{pattern}");
        let body = pattern.trim_start_matches("^(?:").trim_end_matches(")$");
        let mut named = 0;
        for group in body.split('|') {
            let (first, seconds) = group.split_at(4);
            let upper: Vec<char> = seconds.chars().filter(char::is_ascii_uppercase).collect();
            for second in &upper {
                let code = format!("{}{second}", &first[1..2]);
                assert!(Country::parse(&code).is_some(), "{code}");
                assert!(seconds.contains(second.to_ascii_lowercase()), "{code}");
            }
            named += upper.len();
        }
        assert_eq!(named, isocountry::CountryCode::iter().count());
    }
}
