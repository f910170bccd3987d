//! The password policy (CONTRACT §3 item 9): Spryker's request rules (`901`) and its Zed rules
//! (`421`, `422`), shared by registration, password change and password reset.

use super::MAX_PASSWORD_BYTES;
use crate::error::Code;
use crate::settings::PasswordPolicy;
use crate::validation::{Rule, Validator};

/// Spryker's special characters (reference §2.1, R1).
const SPECIAL: &str = "!@#$%^&*()_-+=[]{}|;:<>.,/?\\~";

/// Spryker's M1 message, without its clause against non-Latin characters: we accept any
/// Unicode character, and only these count as special.
const CHARACTER_CLASSES: &str = "Your password must include at least one uppercase letter, one lowercase letter, \
     one number, and one special character from the following list: !@#$%^&*()_-+=[]{}|;:<>.,/?\\~.";

/// The `901` length rules on a new password (characters and bytes); the character classes
/// follow as [`character_class_violation`].
pub fn password_rules(policy: &PasswordPolicy) -> Vec<Rule> {
    confirm_rules(policy)
}

/// The `901` rules on `confirmPassword`: Spryker checks only its length.
pub fn confirm_rules(policy: &PasswordPolicy) -> Vec<Rule> {
    let mut rules = vec![Rule::NotBlank];
    if policy.min_length > 0 {
        rules.push(Rule::MinChars(policy.min_length));
    }
    rules.push(Rule::MaxBytes(MAX_PASSWORD_BYTES));
    rules
}

/// The character-class rule, as a `901` message (Spryker's R1/M1).
pub fn character_class_violation(password: &str, policy: &PasswordPolicy) -> Option<&'static str> {
    let missing = (policy.require_upper && !password.chars().any(char::is_uppercase))
        || (policy.require_lower && !password.chars().any(char::is_lowercase))
        || (policy.require_digit && !password.chars().any(|c| c.is_ascii_digit()))
        || (policy.require_special && !password.chars().any(|c| SPECIAL.contains(c)));
    missing.then_some(CHARACTER_CLASSES)
}

/// A new password attribute (`password`, `newPassword`): the `901` length rules, then the
/// character classes. `Some(Some(pw))` when present and valid.
pub fn validate_new(
    v: &mut Validator<'_>,
    field: &str,
    policy: &PasswordPolicy,
    required: bool,
) -> Option<Option<String>> {
    let rules = password_rules(policy);
    let value = if required {
        v.required(field, &rules)
    } else {
        v.optional(field, &rules)
    };
    // Symfony checks every constraint of a field (reference §1.6): the character classes are
    // reported even when the length already failed. An empty string is NotBlank's business.
    let text = v.string(field).filter(|s| !s.is_empty());
    if let Some(message) = text.and_then(|pw| character_class_violation(pw, policy)) {
        v.violation(field, message);
        return None;
    }
    value
}

/// The rules Spryker checks after request validation (Zed policy, reference §3.7): a run of
/// the same character (`421`) and the common-password list (`422`).
pub fn policy_violations(password: &str, policy: &PasswordPolicy) -> Vec<Code> {
    let mut codes = Vec::new();
    if policy.deny_common && is_common(password) {
        codes.push(Code::PasswordCommon);
    }
    if policy.max_repeat > 0 && longest_run(password) > policy.max_repeat {
        codes.push(Code::PasswordSequence);
    }
    codes
}

fn longest_run(password: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    let mut previous = None;
    for c in password.chars() {
        run = if Some(c) == previous { run + 1 } else { 1 };
        previous = Some(c);
        longest = longest.max(run);
    }
    longest
}

/// The bundled list (about 100,000 leaked passwords, shipped with the `passwords` crate; no
/// network at run time). Decorations that a policy forces on a common password do not make it
/// uncommon: `Password1234!` is `password1234` with a capital and a `!`.
fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let stripped = lower.trim_end_matches(|c: char| !c.is_alphanumeric());
    [password, lower.as_str(), stripped]
        .iter()
        .any(|candidate| {
            !candidate.is_empty() && passwords::analyzer::is_common_password(candidate)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_three_are_refused_runs_of_two_are_fine() {
        let policy = PasswordPolicy::default();
        assert!(policy_violations("Abcdeeef1234!x", &policy).contains(&Code::PasswordSequence));
        assert!(!policy_violations("Abcdeef1234!xY", &policy).contains(&Code::PasswordSequence));
    }

    #[test]
    fn decorated_common_passwords_are_still_common() {
        let policy = PasswordPolicy::default();
        assert_eq!(
            policy_violations("Password1234!", &policy),
            vec![Code::PasswordCommon]
        );
        assert!(policy_violations("Kx9!vTq2#mWz", &policy).is_empty());
    }

    #[test]
    fn character_classes_are_checked() {
        let policy = PasswordPolicy::default();
        assert!(character_class_violation("alllowercase1!", &policy).is_some());
        assert!(character_class_violation("Aa1!€€", &policy).is_none());
    }
}
