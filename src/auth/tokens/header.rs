//! The JOSE header of a presented token, judged before any key is touched.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

/// Members that carry a key or say where to fetch one (RFC 7515 §4.1.2-4.1.6): honouring them
/// would let the token choose the key that verifies it, so a token naming one is refused
/// rather than trusted or ignored (checklist C10). `crit` lists extensions the recipient must
/// understand; we understand none, so RFC 7515 §4.1.11 says reject.
const FORBIDDEN: [&str; 5] = ["jwk", "jku", "x5u", "x5c", "crit"];

/// The `kid` of a compact JWS whose header is acceptable: `alg` exactly `RS256` (RFC 8725
/// §3.1: `none` in any spelling, HS256 keyed with the public key and every other algorithm
/// are out), a string `kid`, none of the [`FORBIDDEN`] members. `None` for anything else.
pub(super) fn acceptable_kid(token: &str) -> Option<String> {
    let mut segments = token.split('.');
    let header = segments.next()?;
    if segments.count() != 2 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(header).ok()?;
    let Value::Object(members) = serde_json::from_slice(&bytes).ok()? else {
        return None;
    };
    if members.get("alg").and_then(Value::as_str) != Some("RS256") {
        return None;
    }
    if FORBIDDEN.iter().any(|member| members.contains_key(*member)) {
        return None;
    }
    members.get("kid")?.as_str().map(str::to_owned)
}
