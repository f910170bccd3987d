//! The password policy (CONTRACT §3 item 9): Spryker's request rules (`901`) and its Zed rules
//! (`421`, `422`), shared by registration, password change and password reset.

use utoipa::openapi::schema::Object;

use super::MAX_PASSWORD_BYTES;
use crate::error::Code;
use crate::settings::PasswordPolicy;
use crate::validation::{schema, Rule, Validator};

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

/// A new password as JSON Schema (the OpenAPI document): the `901` rules, the character
/// classes and the run rule as a pattern. The byte limit shows as a length (a character is at
/// least one byte); the byte count itself and the common-password list are beyond a schema.
pub fn new_password_schema(policy: &PasswordPolicy) -> Object {
    let rules = password_rules(policy);
    let mut object = schema::string(&rules).build();
    let mut lookaheads = String::new();
    // Unicode's Uppercase and Lowercase properties are what `char::is_uppercase` and
    // `char::is_lowercase` test.
    let classes = [
        (policy.require_upper, "\\p{Uppercase}".to_owned()),
        (policy.require_lower, "\\p{Lowercase}".to_owned()),
        (policy.require_digit, "[0-9]".to_owned()),
        (policy.require_special, special_class()),
    ];
    for (required, class) in classes {
        if required {
            lookaheads.push_str(&format!("(?=[\\s\\S]*{class})"));
        }
    }
    if policy.max_repeat > 0 {
        let repeat = policy.max_repeat;
        lookaheads.push_str(&format!("(?![\\s\\S]*([\\s\\S])\\1{{{repeat}}})"));
    }
    if let Some(pattern) = object.pattern.take() {
        object.pattern = Some(format!("^{lookaheads}{}", pattern.trim_start_matches('^')));
    }
    object.description = Some(describe(policy));
    object
}

/// `confirmPassword` as JSON Schema: its length rules; that it equals the new password is
/// beyond a schema.
pub fn confirm_schema(policy: &PasswordPolicy, equals: &str) -> Object {
    let mut object = schema::string(&confirm_rules(policy)).build();
    object.description = Some(format!("Must equal `{equals}`."));
    object
}

/// [`SPECIAL`] as an ECMA-262 character class.
fn special_class() -> String {
    let mut class = String::from("[");
    for c in SPECIAL.chars() {
        if "\\]-[^".contains(c) {
            class.push('\\');
        }
        class.push(c);
    }
    class.push(']');
    class
}

fn describe(policy: &PasswordPolicy) -> String {
    let mut needs = Vec::new();
    for (required, what) in [
        (policy.require_upper, "an upper-case letter"),
        (policy.require_lower, "a lower-case letter"),
        (policy.require_digit, "a digit (0-9)"),
        (
            policy.require_special,
            "one of `!@#$%^&*()_-+=[]{}|;:<>.,/?\\~`",
        ),
    ] {
        if required {
            needs.push(what);
        }
    }
    let mut text = format!(
        "The default policy: at least {} characters and at most {MAX_PASSWORD_BYTES} bytes of UTF-8",
        policy.min_length
    );
    if !needs.is_empty() {
        text.push_str(&format!("; {}", needs.join(", ")));
    }
    if policy.max_repeat > 0 {
        text.push_str(&format!(
            "; no character more than {} times in a row",
            policy.max_repeat
        ));
    }
    if policy.deny_common {
        text.push_str("; not on the bundled list of common passwords");
    }
    text.push('.');
    text
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
    fn the_schema_states_the_default_policy() {
        let object = new_password_schema(&PasswordPolicy::default());
        let pattern = object.pattern.unwrap_or_default();
        assert!(
            pattern.starts_with("^(?=[\\s\\S]*\\p{Uppercase})"),
            "{pattern}"
        );
        assert!(
            pattern.contains("(?![\\s\\S]*([\\s\\S])\\1{2})"),
            "{pattern}"
        );
        assert!(
            pattern.contains("[!@#$%\\^&*()_\\-+=\\[\\]{}|;:<>.,/?\\\\~]"),
            "{pattern}"
        );
        assert_eq!((object.min_length, object.max_length), (Some(12), Some(72)));
    }

    /// The schema accepts a password exactly when the `901` rules and the run rule do (the
    /// common-password list and the byte count are beyond a schema; none of these is common).
    #[test]
    fn the_schema_accepts_exactly_the_passwords_the_rules_accept() {
        let policy = PasswordPolicy::default();
        let schema = serde_json::to_value(new_password_schema(&policy)).expect("serializes");
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles");
        for password in [
            "Kx9!vTq2#mWz",
            "kx9!vtq2#mwz",
            "KX9!VTQ2#MWZ",
            "Kxa!vTqb#mWz",
            "Kx9avTq2bmWz",
            "Kx9!vTq2#mW",
            "Kx9!vvvTq2#mW",
            "Kx9!vvTq2#mWz",
            "Ⓚx9!vTq2#mWzq",
            "Éx9!vTq2#mWzq",
            "Kx9!vTq2#mWz\u{0}",
            "Kx9!vTq2#mWz\n",
            "  Kx9!vTq2#m ",
            "Kx9!vTq2#mWz😀😀",
        ] {
            let attributes = serde_json::json!({ "password": password });
            let map = attributes.as_object().expect("object");
            let mut v = Validator::new(map);
            let valid = validate_new(&mut v, "password", &policy, true);
            let accepted = v.finish().is_ok()
                && valid.flatten().is_some()
                && !policy_violations(password, &policy).contains(&Code::PasswordSequence);
            let value = serde_json::Value::from(password);
            assert_eq!(validator.is_valid(&value), accepted, "{password:?}");
        }
    }

    #[test]
    fn character_classes_are_checked() {
        let policy = PasswordPolicy::default();
        assert!(character_class_violation("alllowercase1!", &policy).is_some());
        assert!(character_class_violation("Aa1!€€", &policy).is_none());
    }
}
