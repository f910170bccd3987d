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

/// Runs `work` (bcrypt) on the blocking pool, at most one at a time per core, the others
/// waiting in arrival order without a thread. Unbounded, sixteen concurrent logins on two cores
/// were sixteen threads sharing them: each took eight times as long, all finished in the same
/// instant, and under a flood of logins the blocking pool would grow to its limit. One per
/// core keeps every core hashing and each hash as quick as it can be.
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    static HASHERS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    let hashers = HASHERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    });
    let permit = hashers.acquire().await.map_err(ApiError::internal)?;
    Ok(actix_web::web::block(move || {
        // Held until the hash is done, even when the request is dropped meanwhile.
        let _permit = permit;
        work()
    })
    .await?)
}

/// [`hash`] on the blocking pool: bcrypt must never run on the async executor.
pub async fn hash_blocking(password: String, cost: u32) -> Result<String, ApiError> {
    on_hashing_thread(move || hash(&password, cost)).await?
}

/// Verifies `password` against `stored`, taking at least as long as a verify at the configured
/// `cost` whatever happens, so that timing tells nothing about the account (CONTRACT §3 item
/// 16): no account verifies against a dummy hash of `cost`; a wrong password against a hash
/// made at a lower cost is padded with dummy verifies at each cost between the two, which
/// add up to exactly the difference (bcrypt's work doubles with each step of cost).
pub fn verify(password: &str, stored: Option<&str>, cost: u32) -> bool {
    // bcrypt would read only the first 72 bytes, so a stored 72-byte password would also
    // match itself followed by anything. No password that long was ever accepted.
    let stored = stored.filter(|_| password.len() <= MAX_PASSWORD_BYTES);
    let Some(hash) = stored else {
        let _ = bcrypt::verify(password, dummy_hash(cost));
        return false;
    };
    if bcrypt::verify(password, hash).unwrap_or(false) {
        return true;
    }
    match stored_cost(hash) {
        Some(stored_cost) if stored_cost < cost => {
            tracing::debug!(
                stored_cost,
                configured_cost = cost,
                "failed login against a cheaper hash, padded to the configured cost"
            );
            for step in stored_cost..cost {
                let _ = bcrypt::verify(password, dummy_hash(step));
            }
        }
        Some(_) => {}
        // Not a bcrypt hash at all (verify failed at once): do the whole configured work.
        None => {
            let _ = bcrypt::verify(password, dummy_hash(cost));
        }
    }
    false
}

/// The outcome of checking a login password.
pub struct LoginCheck {
    pub verified: bool,
    /// A new hash at the configured cost, when the stored one was made at another.
    pub rehash: Option<String>,
}

/// [`verify`], and when it matches a hash of another cost than configured, a new hash of the
/// same password at the configured cost (CONTRACT §3 item 8): up after a cost increase, down
/// after a decrease, so that every account converges on the configured cost. A failed login
/// never re-hashes. Blocking: call it on the blocking pool.
pub fn check_login(password: &str, stored: Option<&str>, cost: u32) -> LoginCheck {
    let verified = verify(password, stored, cost);
    let rehash = match stored {
        Some(hash) if verified && needs_rehash(hash, cost) => self::hash(password, cost).ok(),
        _ => None,
    };
    LoginCheck { verified, rehash }
}

/// [`verify`] on the blocking pool.
pub async fn verify_blocking(
    password: String,
    stored: Option<String>,
    cost: u32,
) -> Result<bool, ApiError> {
    on_hashing_thread(move || verify(&password, stored.as_deref(), cost)).await
}

/// [`check_login`] on the blocking pool.
pub async fn check_login_blocking(
    password: String,
    stored: Option<String>,
    cost: u32,
) -> Result<LoginCheck, ApiError> {
    on_hashing_thread(move || check_login(&password, stored.as_deref(), cost)).await
}

/// True when the stored hash was made with another cost than configured.
pub fn needs_rehash(stored: &str, cost: u32) -> bool {
    stored_cost(stored) != Some(cost)
}

fn stored_cost(hash: &str) -> Option<u32> {
    hash.parse::<bcrypt::HashParts>()
        .ok()
        .map(|parts| parts.get_cost())
}

/// A hash of a fixed password at `cost` (4-31), made once per process and cost.
fn dummy_hash(cost: u32) -> &'static str {
    const COSTS: usize = 32;
    static DUMMIES: [OnceLock<String>; COSTS] = [const { OnceLock::new() }; COSTS];
    let index = (cost as usize).clamp(4, COSTS - 1);
    DUMMIES[index]
        .get_or_init(|| bcrypt::hash("dummy password for timing", index as u32).unwrap_or_default())
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
        let h5 = hash("Kx9!vTq2#mWz", 5).expect("hash");
        assert!(
            needs_rehash(&h5, 4),
            "a costlier hash is re-hashed down too"
        );
    }
}
