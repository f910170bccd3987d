//! One RSA key pair: its `kid`, its jsonwebtoken keys and its public JWK.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used" with RS256.
const MIN_BITS: usize = 2048;

pub(super) struct KeyPair {
    /// The RFC 7638 thumbprint: derived from the key itself, so every instance holding the
    /// same PEM names it the same way without any configuration.
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// Modulus and public exponent, big-endian without leading zero bytes.
    n: Vec<u8>,
    e: Vec<u8>,
}

impl KeyPair {
    /// A private key in PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|e| format!("not an RSA private key in PEM: {e}"))?;
        let bits = private.n().bits();
        if bits < MIN_BITS {
            return Err(format!(
                "a {bits}-bit RSA key is too short; RS256 needs {MIN_BITS} bits or more"
            ));
        }
        let der = private.to_pkcs1_der().map_err(|e| e.to_string())?;
        let (n, e) = (private.n().to_bytes_be(), private.e().to_bytes_be());
        Ok(Self {
            kid: thumbprint(&n, &e),
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
            n,
            e,
        })
    }

    /// The public half as a JWK (RFC 7517 §4, RFC 7518 §6.3.1).
    pub fn public_jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "e": URL_SAFE_NO_PAD.encode(&self.e),
        })
    }
}

/// RFC 7638 §3: SHA-256 over the required members in lexicographic order without whitespace,
/// base64url without padding. The members' values are base64url, which needs no JSON escaping.
pub(super) fn thumbprint(n: &[u8], e: &[u8]) -> String {
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(e),
        URL_SAFE_NO_PAD.encode(n)
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}
