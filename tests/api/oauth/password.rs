//! The password grant of the storefront client (RFC 6749 §4.3; checklist B2, B5, B7, B8, C1,
//! C2): what it issues, what the token opens, and failures that tell nothing apart.

use oauth2::TokenResponse as _;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{
    assert_bearer, assert_oauth_error, assert_serves, assert_token_answer, claims, encode,
    refresh_of, shopper, OAuth, Registered, ACCESS_TOKEN_TTL, FORM, STOREFRONT,
};
use crate::helpers::{spawn_app, spawn_app_with, TestApp, TestResponse, PASSWORD};

const WRONG_PASSWORD: &str = "Wrong!Passw0rd";

/// Everything but `Date` and the request id, which differ between any two answers.
fn comparable_headers(response: &TestResponse) -> BTreeMap<String, String> {
    response
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
        .map(|(name, value)| {
            let value = value.to_str().unwrap_or("<binary>").to_owned();
            (name.as_str().to_owned(), value)
        })
        .collect()
}

/// Confirms a registration the way the emailed key would (double opt-in apps).
async fn confirm(app: &TestApp, reference: &str) {
    let key_hash = app
        .customer_row(reference)
        .await
        .registration_key_hash
        .expect("an unconfirmed account has a key");
    let confirmed = app
        .db()
        .write(move |conn| {
            let now = glue_customers::db::now();
            Ok(glue_customers::customers::repo::confirm_registration(
                conn, &key_hash, now,
            )?)
        })
        .await
        .expect("confirm");
    assert!(confirmed);
}

#[tokio::test]
async fn the_password_grant_issues_an_uncached_bearer_pair_for_the_customer_scope() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);

    let tokens = oauth.log_in(&email).await;

    let response = oauth.last();
    assert_token_answer(&response, ACCESS_TOKEN_TTL, "customer");
    assert!(
        response.body["refresh_token"].is_string(),
        "{}",
        response.text
    );
    assert_bearer(&tokens, "customer");
    assert_eq!(
        tokens.expires_in(),
        Some(Duration::from_secs(ACCESS_TOKEN_TTL))
    );
    assert!(refresh_of(&tokens).len() >= 43, "at least 256 bits");
    let claims = claims(tokens.access_token().secret());
    assert_eq!(claims["sub"], json!(reference));
    assert_eq!(claims["client_id"], STOREFRONT);
    assert_eq!(claims["scope"], "customer");
    assert_eq!(claims["iss"], json!(app.address));
    assert!(
        claims["sid"].is_string(),
        "a customer token names its session"
    );
}

#[tokio::test]
async fn a_password_grant_access_token_opens_the_customers_own_resource() {
    let app = spawn_app().await;
    let (email, reference) = shopper(&app).await;
    let oauth = OAuth::new(&app);

    let tokens = oauth.log_in(&email).await;

    assert_serves(&app, &reference, tokens.access_token().secret()).await;
}

#[tokio::test]
async fn the_client_id_may_be_left_out_and_a_utf8_charset_may_be_named() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let body = encode(&[
        ("grant_type", "password"),
        ("username", &email),
        ("password", PASSWORD),
    ]);

    for content_type in [FORM, "application/x-www-form-urlencoded; charset=UTF-8"] {
        let response = oauth
            .form("/token", &body)
            .header("content-type", content_type)
            .send()
            .await;

        assert_token_answer(&response, ACCESS_TOKEN_TTL, "customer");
        let token = response.body["access_token"].as_str().expect("token");
        assert_eq!(claims(token)["client_id"], STOREFRONT, "{content_type}");
    }
}

#[tokio::test]
async fn unknown_parameters_are_ignored() {
    let app = spawn_app().await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let username = oauth2::ResourceOwnerUsername::new(email);
    let password = oauth2::ResourceOwnerPassword::new(PASSWORD.to_owned());

    let result = oauth
        .client(&Registered::storefront())
        .exchange_password(&username, &password)
        .add_extra_param("foo", "bar")
        .add_extra_param("nonce", "ignored")
        .request_async(&oauth.wire)
        .await;

    assert!(result.is_ok(), "{result:?}");
    assert_token_answer(&oauth.last(), ACCESS_TOKEN_TTL, "customer");
}

#[tokio::test]
async fn unknown_email_wrong_password_and_unconfirmed_account_get_byte_identical_answers() {
    let app = spawn_app_with(&[("GLUE_DOUBLE_OPT_IN", "true")]).await;
    let confirmed = "confirmed@example.com";
    let reference = app.register(confirmed, PASSWORD).await;
    confirm(&app, &reference).await;
    app.register("unconfirmed@example.com", PASSWORD).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    // The confirmed account logs in: the failures below are not a broken setup.
    assert!(oauth
        .password(&storefront, confirmed, PASSWORD)
        .await
        .is_ok());

    let mut answers = Vec::new();
    for (what, username, password) in [
        ("unknown email", "nobody-here@example.com", PASSWORD),
        ("wrong password", confirmed, WRONG_PASSWORD),
        ("unconfirmed account", "unconfirmed@example.com", PASSWORD),
        (
            "unconfirmed account, wrong password",
            "unconfirmed@example.com",
            WRONG_PASSWORD,
        ),
    ] {
        let result = oauth.password(&storefront, username, password).await;
        assert!(result.is_err(), "{what}: {result:?}");
        let response = oauth.last();
        assert_oauth_error(&response, 400, "invalid_grant");
        answers.push((what, response));
    }

    let (first, reference_answer) = &answers[0];
    for (what, answer) in &answers[1..] {
        assert_eq!(answer.status, reference_answer.status, "{what} vs {first}");
        assert_eq!(answer.text, reference_answer.text, "{what} vs {first}");
        assert_eq!(
            comparable_headers(answer),
            comparable_headers(reference_answer),
            "{what} vs {first}"
        );
    }
}

/// Checklist C2: an unknown email costs the same bcrypt work as a wrong password. At cost 10 a
/// verification takes tens of milliseconds, so a skipped one would show.
#[tokio::test]
async fn unknown_emails_take_as_long_as_wrong_passwords() {
    // 19 failed logins from one address: above the brute-force limit being introduced
    // (`GLUE_LOGIN_MAX_FAILURES`, default 10; ignored by a build without it).
    let app = spawn_app_with(&[
        ("GLUE_BCRYPT_COST", "10"),
        ("GLUE_LOGIN_MAX_FAILURES", "1000"),
    ])
    .await;
    let (email, _) = shopper(&app).await;
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let timed = |username: String| {
        let (oauth, storefront) = (&oauth, &storefront);
        async move {
            let start = Instant::now();
            let result = oauth.password(storefront, &username, WRONG_PASSWORD).await;
            assert!(result.is_err());
            start.elapsed()
        }
    };
    // Warm-up: the dummy hash is made on first use.
    timed("nobody@example.com".to_owned()).await;

    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    for i in 0..9 {
        unknown.push(timed(format!("nobody-{i}@example.com")).await);
        wrong.push(timed(email.clone()).await);
    }

    let median = |mut samples: Vec<Duration>| {
        samples.sort();
        samples[samples.len() / 2]
    };
    let (unknown, wrong) = (median(unknown), median(wrong));
    let allowed = Duration::from_millis(20).max(wrong * 15 / 100);
    assert!(
        unknown.abs_diff(wrong) < allowed,
        "median unknown email {unknown:?} vs wrong password {wrong:?} (allowed {allowed:?})"
    );
}
