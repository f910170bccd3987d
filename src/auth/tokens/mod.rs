//! Access tokens (JWT, RS256; CONTRACT §3 item 17): signed with the first configured key,
//! verified with whichever configured key the token's `kid` names, so that keys can rotate
//! without ending the tokens already out.

mod files;
mod header;
mod key;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Mutex;

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::credentials::keys;
use crate::settings::TokenSettings;
use key::KeyPair;

pub use files::create_key_file;

/// The scope of a storefront customer's token (Spryker: `customer`).
pub const CUSTOMER_SCOPE: &str = "customer";

/// Seconds of clock difference between instances that a fresh token tolerates.
const CLOCK_SKEW: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("JWT key file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("JWT key: {0}")]
    Key(String),
}

/// The claims of an access token. `sid` (OpenID Connect's session id) names the login session:
/// a customer token is valid only while that session is (CONTRACT §3 item 18).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub scope: String,
    /// The OAuth client the token was issued to.
    pub client_id: String,
    /// The login session (customer tokens only); client_credentials tokens have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// What an access token is issued for.
#[derive(Debug, Clone, Copy)]
pub struct AccessGrant<'a> {
    pub subject: &'a str,
    pub session_id: Option<&'a str>,
    pub client_id: &'a str,
    pub scope: &'a str,
    /// seconds
    pub lifetime: i64,
    /// Unix time the token must not outlive (a session's end), if any
    pub not_after: Option<i64>,
}

#[derive(Debug)]
pub struct IssuedAccessToken {
    pub token: String,
    pub jti: String,
    pub expires_in: i64,
}

/// The signing key, the keys that only verify, and the validation rules, built once at start-up.
pub struct TokenKeys {
    signing: KeyPair,
    /// Keys rotated out of signing: their tokens stay valid until they expire or the key is
    /// removed from the configuration.
    verify_only: Vec<KeyPair>,
    validation: Validation,
    issuer: String,
    audience: String,
    /// Tokens whose signature and claims checked out, by the SHA-256 of the whole token. A
    /// token's signature never changes its verdict, so an RSA verification per request (a fifth
    /// of an authenticated read) is done once per token; its time window is checked on every
    /// use, and revocation is not the signature's business: the session or deny-list lookup
    /// still runs on every request, so a revoked token is refused at once as before.
    verified: Mutex<HashMap<[u8; 32], Claims>>,
}

/// Tokens remembered as verified at most; the memory is then cleared (a few hundred KB).
const VERIFIED_CAPACITY: usize = 2_048;

impl TokenKeys {
    /// Reads the RSA private keys (PKCS#8 or PKCS#1 PEM) of `settings.key_files`, the first of
    /// which signs. A single configured file is created (a new 2048-bit key) when missing.
    pub fn load_or_create(settings: &TokenSettings) -> Result<Self, KeyError> {
        let pems = files::read_key_files(&settings.key_files)?;
        Self::from_labelled(pems, settings)
    }

    /// Keys given as PEM text, the signing key first (tests, tools).
    pub fn from_pems<S: AsRef<str>>(
        pems: &[S],
        settings: &TokenSettings,
    ) -> Result<Self, KeyError> {
        let labelled = pems
            .iter()
            .enumerate()
            .map(|(i, pem)| (format!("key #{}", i + 1), pem.as_ref().to_owned()))
            .collect();
        Self::from_labelled(labelled, settings)
    }

    /// `pems` are (where the key came from, its PEM); the label names the key in errors.
    fn from_labelled(
        pems: Vec<(String, String)>,
        settings: &TokenSettings,
    ) -> Result<Self, KeyError> {
        let mut loaded: Vec<(String, KeyPair)> = Vec::with_capacity(pems.len());
        for (label, pem) in pems {
            let key = KeyPair::from_pem(&pem).map_err(|reason| KeyError::File {
                path: label.clone(),
                reason,
            })?;
            // The same key twice is a botched rotation (the new key never copied in): refuse
            // to start rather than sign with a key the operator believes retired.
            if let Some((first, _)) = loaded.iter().find(|(_, k)| k.kid == key.kid) {
                return Err(KeyError::File {
                    path: label,
                    reason: format!("holds the same key as {first}"),
                });
            }
            loaded.push((label, key));
        }
        let mut keys = loaded.into_iter().map(|(_, key)| key);
        let signing = keys
            .next()
            .ok_or_else(|| KeyError::Key("no key configured".to_owned()))?;
        let verify_only: Vec<KeyPair> = keys.collect();
        tracing::info!(
            signing = %signing.kid,
            verify_only = ?verify_only.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(),
            "access-token keys loaded"
        );
        Ok(Self {
            signing,
            verify_only,
            validation: validation(settings),
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// The `kid` new tokens carry.
    pub fn signing_kid(&self) -> &str {
        &self.signing.kid
    }

    /// A signed access token for `grant`, valid for its lifetime but never past its
    /// `not_after`.
    pub fn issue(&self, grant: &AccessGrant<'_>) -> Result<IssuedAccessToken, KeyError> {
        let now = chrono::Utc::now().timestamp();
        let mut exp = now.saturating_add(grant.lifetime);
        if let Some(end) = grant.not_after {
            exp = exp.min(end);
        }
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: grant.subject.to_owned(),
            iat: now,
            // Back-dated so that another instance whose clock is a little behind accepts the
            // token at once (validation itself allows no leeway).
            nbf: now - CLOCK_SKEW,
            exp,
            jti: keys::random_hex(16),
            scope: grant.scope.to_owned(),
            client_id: grant.client_id.to_owned(),
            sid: grant.session_id.map(str::to_owned),
        };
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some("JWT".to_owned());
        header.kid = Some(self.signing.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.signing.encoding)
            .map_err(|e| KeyError::Key(e.to_string()))?;
        Ok(IssuedAccessToken {
            token,
            jti: claims.jti,
            expires_in: (exp - now).max(0),
        })
    }

    /// The claims of a well-signed, current token; `None` for anything else. The header is
    /// judged first, and only the key its `kid` names is tried: a token never picks its key
    /// by any other means, nor has several keys tried on it.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = chrono::Utc::now().timestamp();
        let remembered = self.remembered().get(&digest).cloned();
        if let Some(claims) = remembered {
            // The window jsonwebtoken checks (no leeway): not before `nbf`, not after `exp`.
            return (claims.nbf <= now && now <= claims.exp).then_some(claims);
        }
        let kid = header::acceptable_kid(token)?;
        let key = self.all().find(|key| key.kid == kid)?;
        let claims = jsonwebtoken::decode::<Claims>(token, &key.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)?;
        let mut remembered = self.remembered();
        if remembered.len() >= VERIFIED_CAPACITY {
            remembered.clear();
        }
        remembered.insert(digest, claims.clone());
        Some(claims)
    }

    /// A poisoned lock only means a panic elsewhere; the map itself is always whole.
    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Claims>> {
        self.verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The public keys as a JWK Set (RFC 7517 §5), signing key first, for
    /// `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self.all().map(KeyPair::public_jwk).collect();
        json!({ "keys": keys })
    }

    fn all(&self) -> impl Iterator<Item = &KeyPair> {
        std::iter::once(&self.signing).chain(&self.verify_only)
    }
}

fn validation(settings: &TokenSettings) -> Validation {
    // Only RS256 (RFC 8725 §3.1); `header::acceptable_kid` has refused the rest already.
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[settings.issuer.as_str()]);
    validation.set_audience(&[settings.audience.as_str()]);
    // jsonwebtoken checks the presence of these spec claims only; `iat`, `jti`, `scope` and
    // `client_id` are required by `Claims` itself, which has no default for them.
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = 0;
    validation
}
