//! The body of a token-endpoint request: `application/x-www-form-urlencoded` (a `charset`
//! parameter of UTF-8 allowed), at most 1 MiB, each parameter at most once; a parameter sent
//! without a value counts as absent (RFC 6749 §3.2, §4.3.2, Appendix B; checklist B2-B6).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use super::error::OAuthError;
use crate::jsonapi::{body_timeout, declared_length, read_body};

/// Parameters that are credentials, refused in the URL (RFC 6749 §2.3.1, B6).
const SECRET_PARAMETERS: &[&str] = &["client_secret", "password", "refresh_token", "token"];

#[derive(Debug)]
pub struct TokenForm {
    pairs: Vec<(String, String)>,
}

impl TokenForm {
    /// The value of `name`, if sent with a value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// [`get`](Self::get), or `invalid_request` naming nothing more than that it is missing.
    pub fn require(&self, name: &str, missing: &'static str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(missing))
    }

    fn parse(body: &[u8]) -> Result<Self, OAuthError> {
        let text = std::str::from_utf8(body)
            .map_err(|_| OAuthError::invalid_request("The request body is not UTF-8."))?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect();
        for (i, (name, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(OAuthError::invalid_request(
                    "A parameter is included more than once.",
                ));
            }
        }
        Ok(Self { pairs })
    }
}

/// `application/x-www-form-urlencoded`, optionally with `charset=utf-8`; nothing else.
fn is_form(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
        && parts.all(|param| {
            param.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("charset")
                    && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            })
        })
}

impl FromRequest for TokenForm {
    type Error = OAuthError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, OAuthError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let secret_in_url = form_urlencoded::parse(req.query_string().as_bytes())
            .any(|(name, _)| SECRET_PARAMETERS.contains(&name.as_ref()));
        let (declared, timeout) = (declared_length(req), body_timeout(req));
        let payload = payload.take();
        Box::pin(async move {
            if secret_in_url {
                return Err(OAuthError::invalid_request(
                    "Credentials must not be sent in the URL.",
                ));
            }
            if !content_type.as_deref().is_some_and(is_form) {
                return Err(OAuthError::invalid_request(
                    "The request body must be application/x-www-form-urlencoded.",
                ));
            }
            let body = read_body(payload, declared, timeout).await?;
            Self::parse(&body)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_utf8_charset_may_follow_the_form_media_type() {
        for ok in [
            "application/x-www-form-urlencoded",
            "Application/X-WWW-Form-Urlencoded",
            "application/x-www-form-urlencoded; charset=UTF-8",
            "application/x-www-form-urlencoded;charset=\"utf-8\"",
        ] {
            assert!(is_form(ok), "{ok}");
        }
        for bad in [
            "application/json",
            "multipart/form-data",
            "application/x-www-form-urlencoded; charset=latin1",
            "application/x-www-form-urlencoded; boundary=x",
            "application/x-www-form-urlencodedx",
        ] {
            assert!(!is_form(bad), "{bad}");
        }
    }

    #[test]
    fn repeated_parameters_are_refused_and_empty_ones_are_absent() {
        assert!(TokenForm::parse(b"grant_type=password&grant_type=password").is_err());
        let form = TokenForm::parse(b"grant_type=password&username=&foo=bar").expect("valid");
        assert_eq!(form.get("grant_type"), Some("password"));
        assert_eq!(form.get("username"), None);
        assert_eq!(form.get("foo"), Some("bar"));
    }
}
