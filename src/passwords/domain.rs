//! Password resource input parsed once (reference §2.7-§2.9), in Spryker's order: the `901`
//! request validation here; the checks Spryker runs later (ownership, mismatch, current
//! password, policy, key) follow in the handlers and services, in the reference's order.

use serde_json::{Map, Value};

use crate::credentials::policy::{confirm_rules, policy_violations, validate_new};
use crate::customers::domain::normalize_email;
use crate::error::{ApiError, Code};
use crate::settings::PasswordPolicy;
use crate::validation::{Rule, Validator};

/// reference §2.8: `email` (NotBlank, Email, at most 255 characters).
pub const FORGOTTEN_EMAIL_RULES: &[Rule] = &[Rule::NotBlank, Rule::Email, Rule::MaxChars(255)];
/// `restorePasswordKey`, and the current `password` of a change.
pub const NOT_BLANK: &[Rule] = &[Rule::NotBlank];

/// The normalized email of a forgotten-password request.
pub fn parse_forgotten(attrs: &Map<String, Value>) -> Result<String, ApiError> {
    let mut v = Validator::new(attrs);
    let email = v.required("email", FORGOTTEN_EMAIL_RULES);
    v.finish()?;
    let Some(Some(email)) = email else {
        return Err(ApiError::internal("validated request lacks the email"));
    };
    Ok(normalize_email(&email))
}

/// `PATCH /customer-restore-password/{anyId}`, after every check that needs no database.
pub struct Restore {
    pub key: String,
    pub password: String,
}

/// reference §2.9: `901`, then `406` on a mismatch, then the policy (`418`-`422`); the key is
/// looked up afterwards.
pub fn parse_restore(
    attrs: &Map<String, Value>,
    policy: &PasswordPolicy,
) -> Result<Restore, ApiError> {
    let mut v = Validator::new(attrs);
    let key = v.required("restorePasswordKey", NOT_BLANK);
    let password = validate_new(&mut v, "password", policy, true);
    let confirm = v.required("confirmPassword", &confirm_rules(policy));
    v.finish()?;
    let (Some(Some(key)), Some(Some(password)), Some(Some(confirm))) = (key, password, confirm)
    else {
        return Err(ApiError::internal("validated restore lacks a field"));
    };
    if password != confirm {
        return Err(ApiError::Domain(Code::PasswordsDoNotMatch));
    }
    let codes = policy_violations(&password, policy);
    if !codes.is_empty() {
        return Err(ApiError::Domains(codes));
    }
    Ok(Restore { key, password })
}

/// `PATCH /customer-password/{ref}` attributes that passed the `901` rules.
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    confirm: String,
}

impl PasswordChange {
    /// reference §2.7, after the ownership check: `406` when the two new ones differ.
    pub fn ensure_confirmed(&self) -> Result<(), ApiError> {
        if self.new == self.confirm {
            Ok(())
        } else {
            Err(ApiError::Domain(Code::NewPasswordsDoNotMatch))
        }
    }

    /// reference §2.7, after the current password: the policy (`418`-`422`).
    pub fn ensure_policy(&self, policy: &PasswordPolicy) -> Result<(), ApiError> {
        let codes = policy_violations(&self.new, policy);
        if codes.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Domains(codes))
        }
    }
}

/// reference §2.7: `password` (the current one) NotBlank, `newPassword` the new-password rules,
/// `confirmPassword` its length rules.
pub fn parse_change(
    attrs: &Map<String, Value>,
    policy: &PasswordPolicy,
) -> Result<PasswordChange, ApiError> {
    let mut v = Validator::new(attrs);
    let current = v.required("password", NOT_BLANK);
    let new = validate_new(&mut v, "newPassword", policy, true);
    let confirm = v.required("confirmPassword", &confirm_rules(policy));
    v.finish()?;
    let (Some(Some(current)), Some(Some(new)), Some(Some(confirm))) = (current, new, confirm)
    else {
        return Err(ApiError::internal(
            "validated password change lacks a field",
        ));
    };
    Ok(PasswordChange {
        current,
        new,
        confirm,
    })
}
