//! Abuse resistance (CONTRACT §3 items 14-16; checklist C1-C5): brute-force lockout per account,
//! per client address and per OAuth client, shared by `/access-tokens` and `/token` and by every
//! instance on one database, and answers (and their timing) that do not tell whether an account
//! exists.

mod addresses;
mod clients;
mod enumeration;
mod instances;
mod lockout;
mod timing;

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::helpers::{spawn_app_with, TestApp, TestResponse, PASSWORD};
use crate::oauth::{assert_oauth_error, encode, FORM};

/// A wrong password that satisfies the password policy.
pub const WRONG: &str = "Wrong-Passw0rd!";

/// `GLUE_TRUSTED_PROXIES` for tests that speak for many clients: the test process (the peer,
/// 127.0.0.1) is the proxy, and `X-Forwarded-For` names the client.
pub const BEHIND_PROXY: (&str, &str) = ("GLUE_TRUSTED_PROXIES", "127.0.0.1/32");

/// Thresholds as a test configures them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_failures: u32,
    /// Seconds.
    pub block: u64,
}

impl Limits {
    /// Three failures block for five minutes: the block outlasts any test.
    pub const LONG: Limits = Limits {
        max_failures: 3,
        block: 300,
    };
    /// Three failures block for two seconds: a test can wait for the end.
    pub const SHORT: Limits = Limits {
        max_failures: 3,
        block: 2,
    };

    /// Sleeps until a block that began now has ended.
    pub async fn wait_out(self) {
        tokio::time::sleep(Duration::from_millis(self.block * 1000 + 600)).await;
    }
}

/// An app with these limits behind a trusted proxy (see [`BEHIND_PROXY`]), plus `extra`.
pub async fn app_with(limits: Limits, extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![BEHIND_PROXY];
    settings.extend_from_slice(extra);
    app_exposed(limits, &settings).await
}

/// An app with these limits that trusts no proxy: `X-Forwarded-For` is ignored and every
/// request comes from 127.0.0.1.
pub async fn app_exposed(limits: Limits, extra: &[(&str, &str)]) -> TestApp {
    let max = limits.max_failures.to_string();
    let block = limits.block.to_string();
    let mut settings = vec![
        ("GLUE_LOGIN_MAX_FAILURES", max.as_str()),
        ("GLUE_LOGIN_BLOCK_DURATION", block.as_str()),
    ];
    settings.extend_from_slice(extra);
    spawn_app_with(&settings).await
}

/// A client address from TEST-NET-2; `n` tells them apart.
pub fn address(n: usize) -> String {
    format!("198.51.100.{}", n % 250 + 1)
}

/// An email no account has.
pub fn unknown_email() -> String {
    format!("nobody-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// Registers a customer (confirmed unless double opt-in is on); returns the email.
pub async fn registered(app: &TestApp) -> String {
    let email = format!("shopper-{}@example.com", uuid::Uuid::new_v4().simple());
    app.register(&email, PASSWORD).await;
    email
}

/// The two ways to log in with email and password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /access-tokens` (JSON:API, reference §2.11).
    AccessTokens,
    /// `POST /token` with `grant_type=password`, as the storefront client (RFC 6749 §4.3).
    Token,
}

impl Endpoint {
    pub const BOTH: [Endpoint; 2] = [Endpoint::AccessTokens, Endpoint::Token];

    /// A login, from `from` (an `X-Forwarded-For` value) if given.
    pub async fn login(
        self,
        app: &TestApp,
        email: &str,
        password: &str,
        from: Option<&str>,
    ) -> TestResponse {
        let request = match self {
            Endpoint::AccessTokens => app.post(
                "/access-tokens",
                &serde_json::json!({"data": {"type": "access-tokens",
                    "attributes": {"username": email, "password": password}}}),
            ),
            Endpoint::Token => app
                .request(Method::POST, "/token")
                .header("content-type", FORM)
                .raw_body(encode(&[
                    ("grant_type", "password"),
                    ("username", email),
                    ("password", password),
                ])),
        };
        match from {
            Some(from) => request.header("x-forwarded-for", from).send().await,
            None => request.send().await,
        }
    }

    /// Refused as bad credentials: 401 `003`, or 400 `invalid_grant`.
    #[track_caller]
    pub fn assert_refused(self, response: &TestResponse) {
        match self {
            Endpoint::AccessTokens => response.assert_error(401, Some("003")),
            Endpoint::Token => assert_oauth_error(response, 400, "invalid_grant"),
        }
        assert!(
            response.header("retry-after").is_none(),
            "{self:?}: a plain refusal is no block"
        );
    }

    /// Blocked: 429 `4401`, or 429 `invalid_grant`; a `Retry-After`, if any, within the block.
    /// (That it is there at all is the business of one test, so that its absence fails that
    /// one and not every test that blocks something.)
    #[track_caller]
    pub fn assert_blocked(self, response: &TestResponse, limits: Limits) {
        match self {
            Endpoint::AccessTokens => response.assert_error(429, Some("4401")),
            Endpoint::Token => assert_oauth_error(response, 429, "invalid_grant"),
        }
        if response.header("retry-after").is_some() {
            assert_retry_after(response, limits);
        }
    }

    /// Blocked, and `Retry-After` says when to try again.
    #[track_caller]
    pub fn assert_blocked_until(self, response: &TestResponse, limits: Limits) -> u64 {
        self.assert_blocked(response, limits);
        assert_retry_after(response, limits)
    }

    /// Tokens issued: 201, or 200.
    #[track_caller]
    pub fn assert_granted(self, response: &TestResponse) {
        let expected = match self {
            Endpoint::AccessTokens => StatusCode::CREATED,
            Endpoint::Token => StatusCode::OK,
        };
        assert_eq!(response.status, expected, "{self:?}: {}", response.text);
    }
}

/// `Retry-After` is a whole number of seconds (RFC 9110 §10.2.3), at least 1 and at most the
/// block.
#[track_caller]
pub fn assert_retry_after(response: &TestResponse, limits: Limits) -> u64 {
    let value = response.header("retry-after").unwrap_or_else(|| {
        panic!(
            "a 429 says when to try again (Retry-After); headers: {:?}",
            response.headers
        )
    });
    let seconds: u64 = value
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After in seconds, got {value:?}"));
    assert!(
        (1..=limits.block).contains(&seconds),
        "Retry-After {seconds} s, block {} s",
        limits.block
    );
    seconds
}

/// Status, body and the headers a client could compare: all but `date` and `x-request-id`,
/// sorted; `retry-after` only as present or absent when `ignore_retry_value`.
pub fn comparable(
    response: &TestResponse,
    ignore_retry_value: bool,
) -> (StatusCode, String, Vec<(String, String)>) {
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|(name, _)| !["date", "x-request-id"].contains(&name.as_str()))
        .map(|(name, value)| {
            let value = if ignore_retry_value && name.as_str() == "retry-after" {
                "<seconds>".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.to_string(), value)
        })
        .collect();
    headers.sort();
    (response.status, response.text.clone(), headers)
}

/// Asserts that every answer in `cases` is the same as the first, byte for byte.
#[track_caller]
pub fn assert_all_identical<N: AsRef<str>>(
    what: &str,
    cases: &[(N, TestResponse)],
    ignore_retry_value: bool,
) {
    let (first_name, first) = &cases[0];
    let first_name = first_name.as_ref();
    let expected = comparable(first, ignore_retry_value);
    for (name, response) in &cases[1..] {
        assert_eq!(
            comparable(response, ignore_retry_value),
            expected,
            "{what}: `{}` answers unlike `{first_name}`",
            name.as_ref()
        );
    }
}
