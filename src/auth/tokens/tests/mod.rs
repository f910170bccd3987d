//! Keys, `kid`, rotation, header rules and lifetimes of access tokens: the shared fixtures.

mod key_sets;
mod verification;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use rand::rngs::OsRng;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::*;
use crate::settings::TokenSettings;

const ISSUER: &str = "https://issuer.test";

/// Three PKCS#8 PEMs, made once (RSA key generation is slow): `[old, new, other]`.
fn pems() -> &'static [String; 3] {
    static PEMS: OnceLock<[String; 3]> = OnceLock::new();
    PEMS.get_or_init(|| std::array::from_fn(|_| new_pem(2048)))
}

fn new_pem(bits: usize) -> String {
    let key = RsaPrivateKey::new(&mut OsRng, bits).expect("generate RSA key");
    key.to_pkcs8_pem(LineEnding::LF).expect("PEM").to_string()
}

fn old() -> &'static str {
    &pems()[0]
}

fn new() -> &'static str {
    &pems()[1]
}

fn settings() -> TokenSettings {
    TokenSettings {
        key_files: Vec::new(),
        issuer: ISSUER.to_owned(),
        audience: "frontend".to_owned(),
        access_ttl: 600,
        refresh_ttl: 3_600,
        session_lifetime: 86_400,
    }
}

fn keys(pems: &[&str]) -> TokenKeys {
    TokenKeys::from_pems(pems, &settings()).expect("valid keys")
}

fn grant(lifetime: i64, not_after: Option<i64>) -> AccessGrant<'static> {
    AccessGrant {
        subject: "DE--1",
        session_id: Some("session-1"),
        client_id: "frontend",
        scope: CUSTOMER_SCOPE,
        lifetime,
        not_after,
    }
}

fn issue(keys: &TokenKeys) -> String {
    keys.issue(&grant(600, None)).expect("issue").token
}

fn segment_json(segment: &str) -> Value {
    let bytes = URL_SAFE_NO_PAD.decode(segment).expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

/// (header, claims) of a token, unverified.
fn parts(token: &str) -> (Value, Value) {
    let segments: Vec<&str> = token.split('.').collect();
    (segment_json(segments[0]), segment_json(segments[1]))
}

/// A compact JWS of exactly this header and these claims, signed by `key` under `alg`.
fn forge(header: &Value, claims: &Value, key: &EncodingKey, alg: Algorithm) -> String {
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("JSON"));
    let input = format!("{}.{}", encode(header), encode(claims));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).expect("sign");
    format!("{input}.{signature}")
}

fn rs256(header: &Value, claims: &Value, pem: &str) -> String {
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("RSA PEM");
    forge(header, claims, &key, Algorithm::RS256)
}

/// RFC 7638 computed here from the key's own n and e, apart from the code under test.
fn expected_thumbprint(pem: &str) -> String {
    let key = RsaPrivateKey::from_pkcs8_pem(pem).expect("PKCS#8");
    let b64 = |n: &rsa::BigUint| URL_SAFE_NO_PAD.encode(n.to_bytes_be());
    let members: BTreeMap<&str, String> = [
        ("kty", "RSA".to_owned()),
        ("n", b64(key.n())),
        ("e", b64(key.e())),
    ]
    .into_iter()
    .collect();
    let canonical = serde_json::to_string(&members).expect("JSON");
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}
