//! Access tokens (JWT, RS256 by default; CONTRACT §3 item 17) and opaque refresh tokens
//! (CONTRACT §3 item 19).

use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};

use crate::credentials::keys;
use crate::settings::TokenSettings;
use rand::rngs::OsRng;

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
/// the token is valid only while that session is (CONTRACT §3 item 18).
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
    pub sid: String,
}

pub struct IssuedAccessToken {
    pub token: String,
    pub jti: String,
    pub expires_in: i64,
}

/// Signing and verification keys with the validation rules, built once at start-up.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    access_ttl: i64,
}

impl TokenKeys {
    /// Reads the RSA private key (PKCS#8 or PKCS#1 PEM) from the configured file, creating a new
    /// 2048-bit key there on first start when the file does not exist.
    pub fn load_or_create(settings: &TokenSettings) -> Result<Self, KeyError> {
        let path = settings.key_file.as_path();
        let pem = if path.exists() {
            std::fs::read_to_string(path).map_err(|e| file_error(path, e))?
        } else {
            create_key_file(path)?
        };
        Self::from_pem(&pem, settings)
    }

    pub fn from_pem(pem: &str, settings: &TokenSettings) -> Result<Self, KeyError> {
        let encoding =
            EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| KeyError::Key(e.to_string()))?;
        let private = RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| rsa::pkcs1::DecodeRsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|e| KeyError::Key(e.to_string()))?;
        let public_pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Key(e.to_string()))?;
        let decoding = DecodingKey::from_rsa_pem(public_pem.as_bytes())
            .map_err(|e| KeyError::Key(e.to_string()))?;
        // Only RS256 is accepted: `alg: none`, HS256 with the public key and every other
        // algorithm fail (RFC 8725 §3.1).
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_audience(&[settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 0;
        Ok(Self {
            encoding,
            decoding,
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            access_ttl: settings.access_ttl,
        })
    }

    /// A signed access token for `subject` in `session_id`, valid for the configured lifetime
    /// but never past `not_after` (the session's end, a Unix time).
    pub fn issue(
        &self,
        subject: &str,
        session_id: &str,
        scope: &str,
        not_after: i64,
    ) -> Result<IssuedAccessToken, KeyError> {
        let now = chrono::Utc::now().timestamp();
        let exp = (now + self.access_ttl).min(not_after);
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.to_owned(),
            iat: now,
            // Back-dated so that another instance whose clock is a little behind accepts the
            // token at once (validation itself allows no leeway).
            nbf: now - CLOCK_SKEW,
            exp,
            jti: keys::random_hex(16),
            scope: scope.to_owned(),
            sid: session_id.to_owned(),
        };
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some("JWT".to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| KeyError::Key(e.to_string()))?;
        Ok(IssuedAccessToken {
            token,
            jti: claims.jti,
            expires_in: (exp - now).max(0),
        })
    }

    /// The claims of a well-signed, current token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

fn file_error(path: &Path, err: impl std::fmt::Display) -> KeyError {
    KeyError::File {
        path: path.display().to_string(),
        reason: err.to_string(),
    }
}

/// Creates a new 2048-bit RSA key at `path` (mode 0600) and returns its PEM.
pub fn create_key_file(path: &Path) -> Result<String, KeyError> {
    tracing::info!(path = %path.display(), "creating a new RSA key for signing access tokens");
    let key = RsaPrivateKey::new(&mut OsRng, 2048).map_err(|e| KeyError::Key(e.to_string()))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Key(e.to_string()))?
        .to_string();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| file_error(path, e))?;
    }
    write_private(path, &pem).map_err(|e| file_error(path, e))?;
    Ok(pem)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
