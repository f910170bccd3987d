//! Client-secret guessing at `/token` (RFC 6749 §2.3.1, checklist C5): failed client
//! authentications are counted per client id and per address; at the limit the client (or the
//! address) gets 429 `invalid_client` with `Retry-After`, even for the right secret, until the
//! block ends.

use std::collections::BTreeMap;
use std::sync::Arc;

use glue_customers::clients::model::AuthMethod;
use reqwest::Method;

use super::{address, app_with, assert_retry_after, registered, Endpoint, Limits};
use crate::helpers::{TestApp, TestResponse, PASSWORD};
use crate::oauth::{
    assert_invalid_client, assert_oauth_error, assert_token_answer, basic, encode, partner,
    Registered, CLIENT_TOKEN_TTL, FORM, STOREFRONT,
};

/// A client_credentials request by `client` presenting `secret` its registered way, from `from`.
async fn client_token(
    app: &TestApp,
    client: &Registered,
    method: AuthMethod,
    secret: &str,
    from: &str,
) -> TestResponse {
    let request = app
        .request(Method::POST, "/token")
        .header("content-type", FORM)
        .header("x-forwarded-for", from);
    match method {
        AuthMethod::Post => {
            let body = encode(&[
                ("grant_type", "client_credentials"),
                ("client_id", &client.id),
                ("client_secret", secret),
            ]);
            request.raw_body(body).send().await
        }
        _ => {
            request
                .header("authorization", &basic(&client.id, secret))
                .raw_body("grant_type=client_credentials")
                .send()
                .await
        }
    }
}

#[track_caller]
fn assert_client_blocked(response: &TestResponse, limits: Limits) {
    assert_oauth_error(response, 429, "invalid_client");
    assert_retry_after(response, limits);
}

#[tokio::test]
async fn guessing_a_partner_secret_blocks_the_client_even_for_the_right_secret_until_the_block_ends(
) {
    let limits = Limits::SHORT;
    let app = app_with(limits, &[]).await;
    let methods = [AuthMethod::Basic, AuthMethod::Post];
    let mut partners = Vec::new();

    for (n, method) in methods.into_iter().enumerate() {
        let acme = partner(&app, &["customers:read"], method).await;
        // Each guess from another address: only the client's own counter can block.
        for guess in 0..limits.max_failures as usize {
            let from = address(n * 20 + guess);
            let wrong = client_token(&app, &acme, method, &format!("guess-{guess}"), &from).await;
            assert_invalid_client(&wrong);
            assert!(wrong.header("retry-after").is_none(), "{method:?}");
        }
        let from = address(n * 20 + 10);
        let right = client_token(&app, &acme, method, acme.secret(), &from).await;
        assert_client_blocked(&right, limits);
        partners.push((n, method, acme));
    }

    limits.wait_out().await;

    for (n, method, acme) in partners {
        let from = address(n * 20 + 11);
        let right = client_token(&app, &acme, method, acme.secret(), &from).await;
        assert_token_answer(&right, CLIENT_TOKEN_TTL, "customers:read");
    }
}

#[tokio::test]
async fn a_partner_that_authenticates_clears_its_counter() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let mut from = (0..).map(address);

    for _round in 0..2 {
        for _ in 0..limits.max_failures - 1 {
            let at = from.next().expect("address");
            assert_invalid_client(&client_token(&app, &acme, AuthMethod::Basic, "nope", &at).await);
        }
        let at = from.next().expect("address");
        let right = client_token(&app, &acme, AuthMethod::Basic, acme.secret(), &at).await;
        assert_token_answer(&right, CLIENT_TOKEN_TTL, "customers:read");
    }
}

#[tokio::test]
async fn guessing_secrets_of_many_clients_from_one_address_blocks_that_address() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    let attacker = "203.0.113.7";
    let neighbour = "203.0.113.8";

    // One guess per client id: no client's own counter gets near the limit.
    for n in 0..limits.max_failures {
        let victim = partner(&app, &["customers:read"], AuthMethod::Basic).await;
        let wrong =
            client_token(&app, &victim, AuthMethod::Basic, &format!("g{n}"), attacker).await;
        assert_invalid_client(&wrong);
    }

    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;
    let blocked = client_token(&app, &acme, AuthMethod::Basic, acme.secret(), attacker).await;
    assert_client_blocked(&blocked, limits);

    let right = client_token(&app, &acme, AuthMethod::Basic, acme.secret(), neighbour).await;
    assert_token_answer(&right, CLIENT_TOKEN_TTL, "customers:read");
}

/// Guesses sent at once get no more tries than guesses sent one by one.
#[tokio::test]
async fn wrong_secrets_sent_at_once_get_no_more_tries_than_the_limit() {
    let limits = Limits::LONG;
    // The default pool: as many transactions at once as in production.
    let app = Arc::new(app_with(limits, &[("GLUE_DB_POOL_SIZE", "8")]).await);
    let acme = partner(&app, &["customers:read"], AuthMethod::Basic).await;

    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..32 {
        let (app, acme) = (Arc::clone(&app), acme.clone());
        guesses.spawn(async move {
            let guess = format!("guess-{n}");
            client_token(&app, &acme, AuthMethod::Basic, &guess, &address(n)).await
        });
    }
    let responses = guesses.join_all().await;

    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for response in &responses {
        *statuses.entry(response.status.as_u16()).or_default() += 1;
    }
    let checked = statuses.get(&401).copied().unwrap_or(0);
    assert!(
        checked <= limits.max_failures as usize,
        "{checked} of {} simultaneous guesses were checked against the secret (limit {}); \
         statuses: {statuses:?}",
        responses.len(),
        limits.max_failures
    );
    let right = client_token(&app, &acme, AuthMethod::Basic, acme.secret(), &address(99)).await;
    assert_client_blocked(&right, limits);
}

/// The storefront client is public: it has no secret to guess. Counting "wrong secrets" against
/// its id lets anyone lock every shopper out of the password grant with a handful of requests
/// (the lockout DoS checklist C5 warns about), and no success ever clears that counter.
#[tokio::test]
async fn secrets_sent_for_the_public_storefront_client_do_not_lock_every_shopper_out_of_token() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    let shopper = registered(&app).await;

    // Someone else, from another address each time, sends the storefront's id with a secret.
    for n in 0..limits.max_failures as usize {
        let body = encode(&[
            ("grant_type", "password"),
            ("username", "someone@example.com"),
            ("password", "whatever"),
            ("client_id", STOREFRONT),
            ("client_secret", &format!("guess-{n}")),
        ]);
        let response = app
            .request(Method::POST, "/token")
            .header("content-type", FORM)
            .header("x-forwarded-for", &address(n))
            .raw_body(body)
            .send()
            .await;
        assert_invalid_client(&response);
    }

    // A shopper elsewhere logs in through the storefront as usual.
    let response = Endpoint::Token
        .login(&app, &shopper, PASSWORD, Some("203.0.113.50"))
        .await;
    Endpoint::Token.assert_granted(&response);
}
