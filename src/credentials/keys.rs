//! Opaque secrets handed to a client once and stored only as a hash: refresh tokens, email
//! confirmation keys, password restore keys (CONTRACT §3 items 15 and 19).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits from the OS, base64url without padding (43 characters): safe in a URL.
pub fn new_key() -> String {
    let mut buf = [0u8; 32];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// What the database stores of a key. The key carries 256 random bits, so a fast hash is
/// enough: there is nothing to brute-force, and a lookup by hash stays one indexed query.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// `bytes` random bytes from the OS, hex-encoded (ids: sessions, JWT ids).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_256_bit_url_safe_and_hashed_stably() {
        let key = new_key();
        assert_eq!(key.len(), 43);
        assert!(key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(key, new_key());
        assert_eq!(key_hash(&key), key_hash(&key));
        assert_eq!(key_hash(&key).len(), 64);
    }
}
