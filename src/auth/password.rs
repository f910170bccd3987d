//! Password hashing (bcrypt, never truncating) and the password policy (CONTRACT §3 items 8-9).

use std::sync::OnceLock;

use crate::error::{ApiError, Code};
use crate::settings::PasswordPolicy;
use crate::validation::Rule;

/// bcrypt reads at most this many bytes.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// Spryker's special characters (reference §2.1, R1).
const SPECIAL: &str = "!@#$%^&*()_-+=[]{}|;:<>.,/?\\~";

/// Spryker's M1 message, without its clause against non-Latin characters: we accept any
/// Unicode character, and only these count as special.
const CHARACTER_CLASSES: &str = "Your password must include at least one uppercase letter, one lowercase letter, \
     one number, and one special character from the following list: !@#$%^&*()_-+=[]{}|;:<>.,/?\\~.";

pub fn hash(password: &str, cost: u32) -> Result<String, ApiError> {
    // The policy refuses > 72 bytes before we get here; this makes sure nothing is truncated.
    // (bcrypt's `non_truncating_hash` counts a terminating NUL and so refuses exactly 72 bytes,
    // which bcrypt itself reads in full.)
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::internal(
            "password longer than 72 bytes reached hashing",
        ));
    }
    bcrypt::hash(password, cost).map_err(ApiError::internal)
}

/// [`hash`] on the blocking pool: bcrypt must never run on the async executor.
pub async fn hash_blocking(password: String, cost: u32) -> Result<String, ApiError> {
    actix_web::web::block(move || hash(&password, cost)).await?
}

/// Verifies `password` against `stored`, or against a dummy hash of the same cost when there is
/// no account, so that unknown emails take as long as wrong passwords (CONTRACT §3 item 16).
pub fn verify(password: &str, stored: Option<&str>, cost: u32) -> bool {
    // bcrypt would read only the first 72 bytes, so a stored 72-byte password would also
    // match itself followed by anything. No password that long was ever accepted.
    let stored = stored.filter(|_| password.len() <= MAX_PASSWORD_BYTES);
    match stored {
        Some(hash) => bcrypt::verify(password, hash).unwrap_or(false),
        None => {
            let _ = bcrypt::verify(password, dummy_hash(cost));
            false
        }
    }
}

/// The outcome of checking a login password.
pub struct LoginCheck {
    pub verified: bool,
    /// A new hash at the configured cost, when the stored one was cheaper.
    pub rehash: Option<String>,
}

/// [`verify`], and when it matches a hash of a lower cost than configured, a new hash of the
/// same password (CONTRACT §3 item 8). Blocking: call it on the blocking pool.
pub fn check_login(password: &str, stored: Option<&str>, cost: u32) -> LoginCheck {
    let verified = verify(password, stored, cost);
    let rehash = match stored {
        Some(hash) if verified && needs_rehash(hash, cost) => self::hash(password, cost).ok(),
        _ => None,
    };
    LoginCheck { verified, rehash }
}

/// True when the stored hash was made with a lower cost than configured (CONTRACT §3 item 8).
pub fn needs_rehash(stored: &str, cost: u32) -> bool {
    stored
        .parse::<bcrypt::HashParts>()
        .map_or(true, |parts| parts.get_cost() < cost)
}

fn dummy_hash(cost: u32) -> &'static str {
    static DUMMY: OnceLock<(u32, String)> = OnceLock::new();
    let (made_with, hash) = DUMMY.get_or_init(|| {
        let hash = bcrypt::hash("dummy password for timing", cost).unwrap_or_default();
        (cost, hash)
    });
    debug_assert_eq!(*made_with, cost, "one cost per process");
    hash
}

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

    #[test]
    fn hashes_do_not_truncate() {
        assert!(hash(&"a".repeat(73), 4).is_err());
        let exactly_72 = format!("Aa1!{}", "€a".repeat(17));
        assert_eq!(exactly_72.len(), 72);
        let h = hash(&exactly_72, 4).expect("72 bytes hash");
        assert!(verify(&exactly_72, Some(&h), 4));
        assert!(!verify(&exactly_72[..71], Some(&h), 4));
        assert!(
            !verify(&format!("{exactly_72}x"), Some(&h), 4),
            "no truncation at verify"
        );
        let h = hash("Kx9!vTq2#mWz", 4).expect("hash");
        assert!(verify("Kx9!vTq2#mWz", Some(&h), 4));
        assert!(!verify("Kx9!vTq2#mWZ", Some(&h), 4));
        assert!(needs_rehash(&h, 5));
        assert!(!needs_rehash(&h, 4));
    }
}
