//! The per-account counter (CONTRACT §3 item 16, checklist C5): failures within the window block
//! the account on `/access-tokens` and `/token` alike, even for the right password, until the
//! block ends; a success clears it. Every attempt here comes from another address, so that only
//! the account's counter can block.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use glue_customers::lockout::{self, LockoutRules};

use super::{address, app_with, registered, unknown_email, Endpoint, Limits, WRONG};
use crate::helpers::PASSWORD;

#[tokio::test]
async fn after_the_limit_of_failures_even_the_right_password_gets_429_with_retry_after() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;

    for (n, endpoint) in Endpoint::BOTH.into_iter().enumerate() {
        let email = registered(&app).await;
        for attempt in 0..limits.max_failures as usize {
            let from = address(n * 20 + attempt);
            let response = endpoint.login(&app, &email, WRONG, Some(&from)).await;
            endpoint.assert_refused(&response);
        }

        let from = address(n * 20 + 10);
        let right = endpoint.login(&app, &email, PASSWORD, Some(&from)).await;
        endpoint.assert_blocked_until(&right, limits);
        let wrong = endpoint.login(&app, &email, WRONG, Some(&from)).await;
        endpoint.assert_blocked_until(&wrong, limits);
    }
}

#[tokio::test]
async fn one_failure_short_of_the_limit_the_right_password_still_logs_in() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;

    for (n, endpoint) in Endpoint::BOTH.into_iter().enumerate() {
        let email = registered(&app).await;
        for attempt in 0..limits.max_failures as usize - 1 {
            let from = address(n * 20 + attempt);
            endpoint.assert_refused(&endpoint.login(&app, &email, WRONG, Some(&from)).await);
        }
        let from = address(n * 20 + 10);
        endpoint.assert_granted(&endpoint.login(&app, &email, PASSWORD, Some(&from)).await);
    }
}

#[tokio::test]
async fn the_block_ends_after_its_duration_and_then_counting_starts_afresh() {
    let limits = Limits::SHORT;
    let app = app_with(limits, &[]).await;
    let mut blocked = Vec::new();
    for (n, endpoint) in Endpoint::BOTH.into_iter().enumerate() {
        let email = registered(&app).await;
        for attempt in 0..limits.max_failures as usize {
            let from = address(n * 20 + attempt);
            endpoint.assert_refused(&endpoint.login(&app, &email, WRONG, Some(&from)).await);
        }
        let from = address(n * 20 + 10);
        let right = endpoint.login(&app, &email, PASSWORD, Some(&from)).await;
        endpoint.assert_blocked(&right, limits);
        blocked.push((n, endpoint, email));
    }

    limits.wait_out().await;

    for (n, endpoint, email) in blocked {
        let from = address(n * 20 + 11);
        // One failure after the block is one, not the limit plus one.
        endpoint.assert_refused(&endpoint.login(&app, &email, WRONG, Some(&from)).await);
        endpoint.assert_granted(&endpoint.login(&app, &email, PASSWORD, Some(&from)).await);
    }
}

#[tokio::test]
async fn failures_older_than_the_window_no_longer_count() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[("GLUE_LOGIN_FAILURE_WINDOW", "2")]).await;
    let email = registered(&app).await;
    let endpoint = Endpoint::AccessTokens;
    let fail = |n: usize| {
        let (app, email) = (&app, &email);
        async move {
            let response = endpoint.login(app, email, WRONG, Some(&address(n))).await;
            endpoint.assert_refused(&response);
        }
    };

    fail(1).await;
    fail(2).await;
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
    fail(3).await;
    fail(4).await;

    let right = endpoint
        .login(&app, &email, PASSWORD, Some(&address(5)))
        .await;
    endpoint.assert_granted(&right);
}

#[tokio::test]
async fn a_successful_login_clears_the_account_counter() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;

    for (n, endpoint) in Endpoint::BOTH.into_iter().enumerate() {
        let email = registered(&app).await;
        let mut from = (0..).map(|i| address(n * 50 + i));
        // Twice one failure short of the limit, with a success between: without the reset
        // the second run would reach the limit and the last login would be blocked.
        for _round in 0..2 {
            for _ in 0..limits.max_failures - 1 {
                let at = from.next().expect("address");
                endpoint.assert_refused(&endpoint.login(&app, &email, WRONG, Some(&at)).await);
            }
            let at = from.next().expect("address");
            endpoint.assert_granted(&endpoint.login(&app, &email, PASSWORD, Some(&at)).await);
        }
    }
}

#[tokio::test]
async fn logging_in_successfully_again_and_again_never_blocks() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    let email = registered(&app).await;

    // Twice the limit of successes, on both endpoints, from one address and from many.
    for n in 0..2 * limits.max_failures as usize {
        let endpoint = Endpoint::BOTH[n % 2];
        let from = if n < limits.max_failures as usize {
            address(0)
        } else {
            address(n)
        };
        let response = endpoint.login(&app, &email, PASSWORD, Some(&from)).await;
        endpoint.assert_granted(&response);
    }
    // And a wrong password after them is one failure, not a block.
    let wrong = Endpoint::AccessTokens
        .login(&app, &email, WRONG, Some(&address(0)))
        .await;
    Endpoint::AccessTokens.assert_refused(&wrong);
}

#[tokio::test]
async fn access_tokens_and_token_share_one_counter_per_account() {
    use Endpoint::{AccessTokens as A, Token as T};
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;

    // (failures in this order, where the right password is then tried, whether it is blocked)
    let cases: [(&[Endpoint], Endpoint, bool); 4] = [
        (&[A, T, A], T, true),
        (&[T, A, T], A, true),
        (&[A, T], A, false),
        (&[T, A], T, false),
    ];
    for (n, (failures, then, blocked)) in cases.into_iter().enumerate() {
        let email = registered(&app).await;
        for (i, endpoint) in failures.iter().enumerate() {
            let from = address(n * 20 + i);
            endpoint.assert_refused(&endpoint.login(&app, &email, WRONG, Some(&from)).await);
        }
        let right = then
            .login(&app, &email, PASSWORD, Some(&address(n * 20 + 10)))
            .await;
        if blocked {
            then.assert_blocked(&right, limits);
        } else {
            then.assert_granted(&right);
        }
    }

    // A success on one endpoint clears the counter the other one fills.
    let email = registered(&app).await;
    let at = |i: usize| address(200 + i);
    A.assert_refused(&A.login(&app, &email, WRONG, Some(&at(0))).await);
    A.assert_refused(&A.login(&app, &email, WRONG, Some(&at(1))).await);
    T.assert_granted(&T.login(&app, &email, PASSWORD, Some(&at(2))).await);
    A.assert_refused(&A.login(&app, &email, WRONG, Some(&at(3))).await);
    A.assert_refused(&A.login(&app, &email, WRONG, Some(&at(4))).await);
    A.assert_granted(&A.login(&app, &email, PASSWORD, Some(&at(5))).await);
}

#[tokio::test]
async fn failures_count_against_the_account_whatever_the_case_of_the_email() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    let email = registered(&app).await;
    let variants = [
        email.to_uppercase(),
        email
            .replacen("shopper", "Shopper", 1)
            .replace("example.com", "Example.COM"),
        email.clone(),
    ];

    for (n, variant) in variants.iter().enumerate() {
        let endpoint = Endpoint::BOTH[n % 2];
        let response = endpoint
            .login(&app, variant, WRONG, Some(&address(n)))
            .await;
        endpoint.assert_refused(&response);
    }

    for endpoint in Endpoint::BOTH {
        let right = endpoint
            .login(&app, &email, PASSWORD, Some(&address(9)))
            .await;
        endpoint.assert_blocked(&right, limits);
    }
}

/// Guesses sent at once must not get more tries than guesses sent one by one: each attempt
/// that is let through to the password check may be the one that finds the password.
#[tokio::test]
async fn wrong_passwords_sent_at_once_get_no_more_tries_than_the_limit() {
    let limits = Limits::LONG;
    // The default pool: as many transactions at once as in production.
    let app = Arc::new(app_with(limits, &[("GLUE_DB_POOL_SIZE", "8")]).await);
    let endpoint = Endpoint::AccessTokens;
    let email = registered(&app).await;

    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..32 {
        let (app, email) = (Arc::clone(&app), email.clone());
        attempts.spawn(async move { endpoint.login(&app, &email, WRONG, Some(&address(n))).await });
    }
    let responses = attempts.join_all().await;

    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for response in &responses {
        *statuses.entry(response.status.as_u16()).or_default() += 1;
    }
    let checked = statuses.get(&401).copied().unwrap_or(0);
    assert!(
        checked <= limits.max_failures as usize,
        "{checked} of {} simultaneous guesses were checked against the password (limit {}); \
         statuses: {statuses:?}",
        responses.len(),
        limits.max_failures
    );
    let right = endpoint
        .login(&app, &email, PASSWORD, Some(&address(99)))
        .await;
    endpoint.assert_blocked(&right, limits);
}

/// The worker's housekeeping (on this instance or another) drops counters whose window has
/// passed. One may pass while a login's password check runs; the login must still succeed.
#[tokio::test]
async fn a_login_succeeds_when_housekeeping_drops_its_counters_meanwhile() {
    let window = Duration::from_secs(1);
    let limits = Limits::LONG;
    // The customer's hash is made at cost 14 by one instance; the other, at the test cost,
    // checks it at cost 14 all the same (about a second), and an unknown email in a moment.
    let slow = app_with(
        limits,
        &[
            ("GLUE_LOGIN_FAILURE_WINDOW", "1"),
            ("GLUE_BCRYPT_COST", "14"),
        ],
    )
    .await;
    let email = registered(&slow).await;
    let app = Arc::new(
        app_with(
            limits,
            &[
                ("GLUE_LOGIN_FAILURE_WINDOW", "1"),
                ("DATABASE_URL", slow.database_url.as_str()),
            ],
        )
        .await,
    );
    let endpoint = Endpoint::AccessTokens;
    let from = address(7);

    // A failure from the address opens its window...
    let opened = Instant::now();
    let wrong = endpoint
        .login(&app, &unknown_email(), WRONG, Some(&from))
        .await;
    endpoint.assert_refused(&wrong);
    tokio::time::sleep((window * 6 / 10).saturating_sub(opened.elapsed())).await;

    // ...a login from it starts inside the window and is still checking the password when the
    // window closes...
    let login = {
        let (app, email, from) = (Arc::clone(&app), email.clone(), from.clone());
        tokio::spawn(async move { endpoint.login(&app, &email, PASSWORD, Some(&from)).await })
    };
    tokio::time::sleep((window * 12 / 10).saturating_sub(opened.elapsed())).await;
    assert!(
        !login.is_finished(),
        "the password check ended before the window did: the test proves nothing"
    );
    // ...and housekeeping runs.
    let rules = LockoutRules {
        max_failures: limits.max_failures as i32,
        window: window.as_secs() as i64,
        block: limits.block as i64,
    };
    let swept = app
        .db()
        .write(move |conn| lockout::forget_stale(conn, rules, glue_customers::db::now()))
        .await
        .expect("housekeeping");
    assert!(swept >= 1, "the address's counter was stale");

    let response = login.await.expect("login task");
    endpoint.assert_granted(&response);
}
