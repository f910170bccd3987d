//! Password hashing cost and the password policy (CONTRACT §3 items 8-9).

use super::source::Source;
use super::SettingsError;

#[derive(Debug, Clone)]
pub struct PasswordSettings {
    /// bcrypt cost of new hashes; cheaper hashes are re-hashed at the next login.
    pub bcrypt_cost: u32,
    pub policy: PasswordPolicy,
}

/// Spryker suite values, each rule configurable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub require_upper: bool,
    pub require_lower: bool,
    pub require_digit: bool,
    pub require_special: bool,
    /// The longest run of one repeated character that is allowed (2: `aa` is fine, `aaa` is not).
    /// 0 switches the rule off.
    pub max_repeat: usize,
    pub deny_common: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 12,
            require_upper: true,
            require_lower: true,
            require_digit: true,
            require_special: true,
            max_repeat: 2,
            deny_common: true,
        }
    }
}

impl PasswordSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        let d = PasswordPolicy::default();
        Ok(Self {
            bcrypt_cost: src.number("GLUE_BCRYPT_COST", 12, 4..=31)?,
            policy: PasswordPolicy {
                // bcrypt reads 72 bytes: a longer minimum could never be met.
                min_length: src.number("GLUE_PASSWORD_MIN_LENGTH", d.min_length, 0..=72)?,
                require_upper: src.boolean("GLUE_PASSWORD_REQUIRE_UPPER", d.require_upper)?,
                require_lower: src.boolean("GLUE_PASSWORD_REQUIRE_LOWER", d.require_lower)?,
                require_digit: src.boolean("GLUE_PASSWORD_REQUIRE_DIGIT", d.require_digit)?,
                require_special: src.boolean("GLUE_PASSWORD_REQUIRE_SPECIAL", d.require_special)?,
                max_repeat: src.number("GLUE_PASSWORD_MAX_REPEAT", d.max_repeat, 0..=72)?,
                deny_common: src.boolean("GLUE_PASSWORD_DENY_COMMON", d.deny_common)?,
            },
        })
    }
}
