//! Customer input parsed once into typed values (reference §2.1, §2.4): after `parse_*`
//! nothing downstream validates again.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::choices::{GENDERS, SALUTATIONS};
use crate::credentials::policy::{confirm_rules, policy_violations, validate_new};
use crate::error::{ApiError, Code};
use crate::settings::PasswordPolicy;
use crate::validation::{parse_date, Rule, Validator};

const NAME_MAX: usize = 100;
/// Names go into emails: plain text, not blank even when only invisible characters.
pub const NAME_RULES: &[Rule] = &[Rule::NotBlank, Rule::MaxChars(NAME_MAX), Rule::PlainText];
/// Spryker's Zed limit (`417`), checked after these rules.
pub const EMAIL_MAX: usize = 100;
pub const EMAIL_RULES: &[Rule] = &[Rule::NotBlank, Rule::Email];
pub const GENDER_RULES: &[Rule] = &[Rule::NotBlank, Rule::Choice(GENDERS)];
pub const SALUTATION_RULES: &[Rule] = &[Rule::NotBlank, Rule::Choice(SALUTATIONS)];
pub const DATE_RULES: &[Rule] = &[Rule::Date];
/// `registrationKey`.
pub const KEY_RULES: &[Rule] = &[Rule::NotBlank];

/// `{store}--{n}` (CONTRACT §3 item 11). Opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerReference(pub String);

impl CustomerReference {
    pub fn new(store: &str, n: i64) -> Self {
        Self(format!("{store}--{n}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address that passed Symfony's and Spryker's checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(pub(crate) String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key uniqueness is checked on: emails compare case-insensitively, stored as given.
    pub fn normalized(&self) -> String {
        normalize_email(&self.0)
    }
}

pub fn normalize_email(email: &str) -> String {
    email.to_lowercase()
}

/// A name as the partner API's case-insensitive prefix search (`filter[q]`) compares it.
pub fn normalize_name(name: &str) -> String {
    name.to_lowercase()
}

/// Spryker's Zed email checks after request validation: format (`416`) and length (`417`).
pub fn zed_email_errors(email: &str) -> Vec<Code> {
    let mut codes = Vec::new();
    let local = email.split_once('@').map_or("", |(l, _)| l);
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") || local.len() > 64 {
        codes.push(Code::InvalidEmailFormat);
    }
    if email.chars().count() > EMAIL_MAX {
        codes.push(Code::EmailTooLong);
    }
    codes
}

#[derive(Debug, Clone)]
pub struct Registration {
    pub email: Email,
    pub gender: String,
    pub salutation: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub password: String,
}

/// `POST /customers` attributes, in Spryker's order (reference §2.1): `901` for every
/// violation, then `413` terms, `406` mismatch, then the password policy and email rules
/// together.
pub fn parse_registration(
    attrs: &Map<String, Value>,
    policy: &PasswordPolicy,
) -> Result<Registration, ApiError> {
    let mut v = Validator::new(attrs);
    let email = v.required("email", EMAIL_RULES);
    let gender = v.required("gender", GENDER_RULES);
    let salutation = v.required("salutation", SALUTATION_RULES);
    let first_name = v.required("firstName", NAME_RULES);
    let last_name = v.required("lastName", NAME_RULES);
    let password = validate_new(&mut v, "password", policy, true);
    let confirm = v.required("confirmPassword", &confirm_rules(policy));
    let terms = v.required_true("acceptedTerms");
    let date_of_birth = v.optional("dateOfBirth", DATE_RULES);
    v.finish()?;

    let (
        Some(Some(email)),
        Some(Some(gender)),
        Some(Some(salutation)),
        Some(Some(first_name)),
        Some(Some(last_name)),
    ) = (email, gender, salutation, first_name, last_name)
    else {
        return Err(ApiError::internal("validated registration lacks a field"));
    };
    let (Some(Some(password)), Some(Some(confirm)), Some(terms)) = (password, confirm, terms)
    else {
        return Err(ApiError::internal(
            "validated registration lacks a password",
        ));
    };
    if terms != Some(true) {
        return Err(ApiError::Domain(Code::TermsNotAccepted));
    }
    if password != confirm {
        return Err(ApiError::Domain(Code::PasswordsDoNotMatch));
    }
    let mut codes = policy_violations(&password, policy);
    codes.extend(zed_email_errors(&email));
    if !codes.is_empty() {
        return Err(ApiError::Domains(codes));
    }
    Ok(Registration {
        email: Email(email),
        gender,
        salutation,
        first_name,
        last_name,
        date_of_birth: date_of_birth.flatten().as_deref().and_then(parse_date),
        password,
    })
}

/// What a PATCH may change; `None` leaves a field as it is (JSON:API: missing attributes keep
/// their values).
#[derive(Debug, Clone, Default)]
pub struct CustomerChanges {
    pub email: Option<Email>,
    pub gender: Option<String>,
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<Option<NaiveDate>>,
}

/// `PATCH /customers/{ref}` attributes (reference §2.4). `password`/`confirmPassword` are
/// validated but never applied: this resource cannot change the password.
pub fn parse_changes(
    attrs: &Map<String, Value>,
    policy: &PasswordPolicy,
) -> Result<CustomerChanges, ApiError> {
    let mut v = Validator::new(attrs);
    let email = v.optional("email", EMAIL_RULES);
    let gender = v.optional("gender", GENDER_RULES);
    let salutation = v.optional("salutation", SALUTATION_RULES);
    let first_name = v.optional("firstName", NAME_RULES);
    let last_name = v.optional("lastName", NAME_RULES);
    let date_of_birth = v.optional("dateOfBirth", DATE_RULES);
    let password = validate_new(&mut v, "password", policy, false);
    let confirm = v.optional("confirmPassword", &confirm_rules(policy));
    v.finish()?;
    if let Some(Some(password)) = &password {
        if confirm.flatten().as_deref() != Some(password.as_str()) {
            return Err(ApiError::Domain(Code::PasswordsDoNotMatch));
        }
    }
    let email = email.flatten();
    if let Some(email) = &email {
        let codes = zed_email_errors(email);
        if !codes.is_empty() {
            return Err(ApiError::Domains(codes));
        }
    }
    Ok(CustomerChanges {
        email: email.map(Email),
        gender: gender.flatten(),
        salutation: salutation.flatten(),
        first_name: first_name.flatten(),
        last_name: last_name.flatten(),
        date_of_birth: date_of_birth.map(|d| d.as_deref().and_then(parse_date)),
    })
}

/// `POST /customer-confirmation` (reference §2.10): `registrationKey`, NotBlank (which pre-empts
/// Spryker's `424`).
pub fn parse_confirmation(attrs: &Map<String, Value>) -> Result<String, ApiError> {
    let mut v = Validator::new(attrs);
    let key = v.required("registrationKey", KEY_RULES);
    v.finish()?;
    let Some(Some(key)) = key else {
        return Err(ApiError::internal("validated confirmation lacks the key"));
    };
    Ok(key)
}
