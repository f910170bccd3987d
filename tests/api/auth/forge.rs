//! Reading and forging JWTs: base64url by hand (the crate is not a dev-dependency), signing
//! with jsonwebtoken. Forged tokens name the server key's `kid` (its RFC 7638 thumbprint,
//! computed here from the PEM), so that only what a test changes can make the server refuse them.

use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use sha2::Digest;

use crate::helpers::signing_key_pem;

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(B64URL[((n >> (18 - 6 * i)) & 0x3f) as usize]));
        }
    }
    out
}

fn b64url_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = B64URL
            .iter()
            .position(|&x| x == c)
            .expect("a base64url character") as u32;
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    out
}

/// The header and payload of a compact JWS, decoded without any verification.
pub(super) fn jwt_parts(token: &str) -> (Value, Value) {
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(segments.len(), 3, "a JWT has three segments: {token}");
    let decode = |segment: &str| -> Value {
        serde_json::from_slice(&b64url_decode(segment)).expect("a JWT segment is base64url JSON")
    };
    (decode(segments[0]), decode(segments[1]))
}

/// The claims of a token the server issued (read, not verified).
pub(super) fn claims_of(access_token: &str) -> Value {
    jwt_parts(access_token).1
}

/// One base64url JSON segment of a compact JWS.
pub(super) fn segment(value: &Value) -> String {
    b64url_encode(&serde_json::to_vec(value).expect("serialize JWT segment"))
}

/// `token` with its payload replaced by `claims`, header and signature kept as they were.
pub(super) fn with_payload(token: &str, claims: &Value) -> String {
    let segments: Vec<&str> = token.split('.').collect();
    format!("{}.{}.{}", segments[0], segment(claims), segments[2])
}

/// A compact JWS with exactly this header and payload, signed with `key` under `algorithm`.
pub(super) fn sign(
    header: &Value,
    claims: &Value,
    key: &EncodingKey,
    algorithm: Algorithm,
) -> String {
    let signing_input = format!("{}.{}", segment(header), segment(claims));
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), key, algorithm)
        .expect("sign the forged token");
    format!("{signing_input}.{signature}")
}

/// Signed under the header `{"alg": <algorithm>, "typ": "JWT", "kid": <the server key's>}`,
/// whatever `key` really is.
pub(super) fn sign_as(claims: &Value, key: &EncodingKey, algorithm: Algorithm) -> String {
    sign(
        &json!({"alg": algorithm, "typ": "JWT", "kid": server_kid()}),
        claims,
        key,
        algorithm,
    )
}

pub(super) fn rsa_key(private_pem: &str) -> EncodingKey {
    EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("an RSA private key PEM")
}

pub(super) fn rs256(claims: &Value, private_pem: &str) -> String {
    sign_as(claims, &rsa_key(private_pem), Algorithm::RS256)
}

/// Signed with the key the server signs with: only the claims decide.
pub(super) fn server_signed(claims: &Value) -> String {
    rs256(claims, &signing_key_pem())
}

/// The public JWK (RFC 7517) of a PKCS#8 private key: `kty`, `n`, `e`, and its `kid`.
pub(super) fn public_jwk(private_pem: &str) -> Value {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::traits::PublicKeyParts;
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem).expect("the test key is PKCS#8");
    let n = b64url_encode(&private.n().to_bytes_be());
    let e = b64url_encode(&private.e().to_bytes_be());
    // RFC 7638 §3.2: the required members, sorted, no whitespace.
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    let kid = b64url_encode(&sha2::Sha256::digest(canonical.as_bytes()));
    json!({"kty": "RSA", "kid": kid, "n": n, "e": e})
}

/// The `kid` of the key the test servers sign with.
pub(super) fn server_kid() -> String {
    kid_of(&signing_key_pem())
}

pub(super) fn kid_of(private_pem: &str) -> String {
    public_jwk(private_pem)["kid"]
        .as_str()
        .expect("kid")
        .to_owned()
}

/// The server's public key as SPKI (`BEGIN PUBLIC KEY`) and PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM.
pub(super) fn server_public_key_pems() -> Vec<String> {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(&signing_key_pem())
        .expect("the test signing key is PKCS#8");
    let public = private.to_public_key();
    vec![
        public.to_public_key_pem(LineEnding::LF).expect("SPKI PEM"),
        public.to_pkcs1_pem(LineEnding::LF).expect("PKCS#1 PEM"),
    ]
}

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
