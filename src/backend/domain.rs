//! Partner input parsed once: a new customer (the storefront's rules, without terms, with an
//! optional password, an optional imported bcrypt hash, or neither: an invitation) and changes
//! (the storefront's editable attributes plus marketing consent and the block).

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::credentials::policy::{confirm_rules, policy_violations, validate_new};
use crate::customers::domain::{
    parse_changes, zed_email_errors, CustomerChanges, Email, DATE_RULES, EMAIL_RULES, GENDER_RULES,
    NAME_RULES, SALUTATION_RULES,
};
use crate::error::ApiError;
use crate::settings::PasswordPolicy;
use crate::validation::{parse_date, Rule, Validator};

/// How a partner-created customer will log in.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A password the partner set (hashed by the service at the configured cost).
    Password(String),
    /// A bcrypt hash from another system; upgraded to the configured cost at the first login.
    Hash(String),
    /// Neither: the customer is invited by email to choose one.
    Invite,
}

#[derive(Debug, Clone)]
pub struct NewPartnerCustomer {
    pub email: Email,
    pub gender: String,
    pub salutation: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub accepted_marketing: bool,
    pub credential: Credential,
    /// Created blocked (`status: blocked`), e.g. when moving a blocked shopper from another
    /// shop.
    pub blocked: bool,
}

const NOT_A_BCRYPT_HASH: &str =
    "This value is not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 characters after it).";
const PASSWORD_AND_HASH: &str = "Send a password or a passwordHash, not both.";
const PASSWORD_NOT_HERE: &str =
    "A partner cannot change a password: the customer resets it (POST /customer-forgotten-password).";

/// `passwordHash` on create.
pub const PASSWORD_HASH_RULES: &[Rule] = &[Rule::NotBlank, Rule::Check(hash_check)];
/// The block as a partner sets it: unconfirmed and anonymized are states, not settings.
pub const STATUS_CHOICES: &[&str] = &["active", "blocked"];
pub const STATUS_RULES: &[Rule] = &[Rule::NotBlank, Rule::Choice(STATUS_CHOICES)];
/// Attributes a partner's PATCH refuses whatever their value.
pub const PASSWORD_FIELDS: &[&str] = &["password", "confirmPassword", "passwordHash"];

/// [`is_bcrypt_hash`] as an ECMA-262 pattern, for the OpenAPI document.
pub const BCRYPT_PATTERN: &str = r"^\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$";

/// `$2a$`/`$2b$`/`$2y$`, a two-digit cost 04-31, `$`, 22 characters of salt and 31 of hash in
/// bcrypt's base64 alphabet.
pub fn is_bcrypt_hash(text: &str) -> bool {
    let bytes = text.as_bytes();
    let prefix_ok = bytes.len() == 60
        && text.starts_with("$2")
        && matches!(bytes[2], b'a' | b'b' | b'y')
        && bytes[3] == b'$'
        && bytes[6] == b'$';
    let cost_ok = text
        .get(4..6)
        .and_then(|c| c.parse::<u32>().ok())
        .is_some_and(|c| (4..=31).contains(&c) && bytes[4].is_ascii_digit());
    let body_ok = bytes[7.min(bytes.len())..]
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'/');
    prefix_ok && cost_ok && body_ok
}

fn hash_check(text: &str) -> Option<std::borrow::Cow<'static, str>> {
    (!text.is_empty() && !is_bcrypt_hash(text)).then_some(NOT_A_BCRYPT_HASH.into())
}

pub fn parse_new(
    attrs: &Map<String, Value>,
    policy: &PasswordPolicy,
) -> Result<NewPartnerCustomer, ApiError> {
    let mut v = Validator::new(attrs);
    let email = v.required("email", EMAIL_RULES);
    let gender = v.required("gender", GENDER_RULES);
    let salutation = v.required("salutation", SALUTATION_RULES);
    let first_name = v.required("firstName", NAME_RULES);
    let last_name = v.required("lastName", NAME_RULES);
    let password = validate_new(&mut v, "password", policy, false);
    let confirm = v.optional("confirmPassword", &confirm_rules(policy));
    let hash = v.optional("passwordHash", PASSWORD_HASH_RULES);
    let date_of_birth = v.optional("dateOfBirth", DATE_RULES);
    let marketing = v.boolean("acceptedMarketing", false);
    let status = v.optional("status", STATUS_RULES);
    let (password, hash) = (password.flatten(), hash.flatten());
    if password.is_some() && hash.is_some() {
        v.violation("passwordHash", PASSWORD_AND_HASH);
    }
    v.finish()?;
    let (Some(Some(email)), Some(Some(gender)), Some(Some(salutation))) =
        (email, gender, salutation)
    else {
        return Err(ApiError::internal(
            "validated partner customer lacks a field",
        ));
    };
    let (Some(Some(first_name)), Some(Some(last_name))) = (first_name, last_name) else {
        return Err(ApiError::internal(
            "validated partner customer lacks a name",
        ));
    };
    let mut codes = zed_email_errors(&email);
    let credential = match (password, hash) {
        (Some(password), _) => {
            if confirm.flatten().as_deref() != Some(password.as_str()) {
                return Err(ApiError::Domain(crate::error::Code::PasswordsDoNotMatch));
            }
            codes.extend(policy_violations(&password, policy));
            Credential::Password(password)
        }
        (None, Some(hash)) => Credential::Hash(hash),
        (None, None) => Credential::Invite,
    };
    if !codes.is_empty() {
        return Err(ApiError::Domains(codes));
    }
    Ok(NewPartnerCustomer {
        email: Email(email),
        gender,
        salutation,
        first_name,
        last_name,
        date_of_birth: date_of_birth.flatten().as_deref().and_then(parse_date),
        accepted_marketing: marketing.flatten().unwrap_or(false),
        credential,
        blocked: status.flatten().as_deref() == Some("blocked"),
    })
}

/// The block as a partner sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    Blocked,
    Active,
}

#[derive(Debug, Clone, Default)]
pub struct PartnerChanges {
    pub customer: CustomerChanges,
    pub accepted_marketing: Option<bool>,
    pub block: Option<Block>,
}

/// The storefront's editable attributes (its rules), then `acceptedMarketing` and `status`
/// (`active` or `blocked`; unconfirmed and anonymized are states, not settings).
pub fn parse_partner_changes(
    attrs: &Map<String, Value>,
    policy: &PasswordPolicy,
) -> Result<PartnerChanges, ApiError> {
    // The storefront's PATCH validates a password and ignores it (Spryker); a partner would
    // take a 200 for a changed password, so it is refused first: passwords change by the
    // customer's own reset (or an invitation), never by a partner's PATCH.
    let mut refused = Validator::new(attrs);
    for &field in PASSWORD_FIELDS {
        if attrs.contains_key(field) {
            refused.violation(field, PASSWORD_NOT_HERE);
        }
    }
    refused.finish()?;
    let customer = parse_changes(attrs, policy)?;
    let mut v = Validator::new(attrs);
    let marketing = v.boolean("acceptedMarketing", false);
    let status = v.optional("status", STATUS_RULES);
    v.finish()?;
    Ok(PartnerChanges {
        customer,
        accepted_marketing: marketing.flatten(),
        block: status.flatten().map(|s| {
            if s == "blocked" {
                Block::Blocked
            } else {
                Block::Active
            }
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::is_bcrypt_hash;

    #[test]
    fn bcrypt_hashes_are_recognised_by_shape() {
        let evershop = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
        assert!(is_bcrypt_hash(evershop));
        assert!(is_bcrypt_hash(&evershop.replacen("$2a$", "$2y$", 1)));
        assert!(is_bcrypt_hash(&evershop.replacen("$2a$10", "$2b$04", 1)));
        for bad in [
            "",
            "password",
            &evershop.replacen("$2a$10", "$2a$03", 1),
            &evershop.replacen("$2a$10", "$2a$32", 1),
            &evershop.replacen("$2a$", "$2x$", 1),
            &evershop[..59],
            &format!("{evershop}x"),
            &evershop.replacen('N', "!", 1),
        ] {
            assert!(!is_bcrypt_hash(bad), "{bad}");
        }
    }
}
