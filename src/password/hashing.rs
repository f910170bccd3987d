//! bcrypt hashing that never truncates (CONTRACT §3 item 8). Blocking: call it on the
//! blocking pool, never on the async executor.

use std::sync::OnceLock;

use super::MAX_PASSWORD_BYTES;
use crate::error::ApiError;

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

/// [`check_login`] on the blocking pool.
pub async fn check_login_blocking(
    password: String,
    stored: Option<String>,
    cost: u32,
) -> Result<LoginCheck, ApiError> {
    Ok(actix_web::web::block(move || check_login(&password, stored.as_deref(), cost)).await?)
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

#[cfg(test)]
mod tests {
    use super::*;

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
