//! Counters live in the database (CONTRACT §3 item 16): two instances on one database enforce
//! one limit, whichever of them the failures reach. Runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use super::{address, app_with, registered, unknown_email, Endpoint, Limits, WRONG};
use crate::helpers::{TestApp, PASSWORD};

/// Two instances with the same limits on one database (the first one's).
async fn two_instances(limits: Limits) -> (TestApp, TestApp) {
    let first = app_with(limits, &[]).await;
    let second = app_with(limits, &[("DATABASE_URL", first.database_url.as_str())]).await;
    assert_ne!(first.address, second.address);
    (first, second)
}

#[tokio::test]
async fn failures_spread_over_two_instances_block_the_account_on_both() {
    let limits = Limits::LONG;
    let (first, second) = two_instances(limits).await;
    let instances = [&first, &second];
    let email = registered(&first).await;

    // Alternating instances and endpoints, from another address each time.
    for n in 0..limits.max_failures as usize {
        let (app, endpoint) = (instances[n % 2], Endpoint::BOTH[n / 2 % 2]);
        let response = endpoint.login(app, &email, WRONG, Some(&address(n))).await;
        endpoint.assert_refused(&response);
    }

    for app in instances {
        for endpoint in Endpoint::BOTH {
            let right = endpoint
                .login(app, &email, PASSWORD, Some(&address(50)))
                .await;
            endpoint.assert_blocked(&right, limits);
        }
    }
}

#[tokio::test]
async fn failures_from_one_address_spread_over_two_instances_block_it_on_both() {
    let limits = Limits::LONG;
    let (first, second) = two_instances(limits).await;
    let instances = [&first, &second];
    let attacker = "203.0.113.7";

    for n in 0..limits.max_failures as usize {
        let (app, endpoint) = (instances[n % 2], Endpoint::BOTH[n / 2 % 2]);
        let response = endpoint
            .login(app, &unknown_email(), WRONG, Some(attacker))
            .await;
        endpoint.assert_refused(&response);
    }

    let fresh = registered(&second).await;
    for app in instances {
        for endpoint in Endpoint::BOTH {
            let blocked = endpoint.login(app, &fresh, PASSWORD, Some(attacker)).await;
            endpoint.assert_blocked(&blocked, limits);
        }
    }
    let elsewhere = Endpoint::AccessTokens
        .login(&first, &fresh, PASSWORD, Some("203.0.113.8"))
        .await;
    Endpoint::AccessTokens.assert_granted(&elsewhere);
}

#[tokio::test]
async fn a_block_reached_on_one_instance_ends_on_both() {
    let limits = Limits::SHORT;
    let (first, second) = two_instances(limits).await;
    let email = registered(&first).await;

    for n in 0..limits.max_failures as usize {
        let app = [&first, &second][n % 2];
        let response = Endpoint::Token
            .login(app, &email, WRONG, Some(&address(n)))
            .await;
        Endpoint::Token.assert_refused(&response);
    }
    let blocked = Endpoint::AccessTokens
        .login(&second, &email, PASSWORD, Some(&address(9)))
        .await;
    Endpoint::AccessTokens.assert_blocked(&blocked, limits);

    limits.wait_out().await;

    for (app, endpoint) in [(&first, Endpoint::AccessTokens), (&second, Endpoint::Token)] {
        let right = endpoint
            .login(app, &email, PASSWORD, Some(&address(10)))
            .await;
        endpoint.assert_granted(&right);
    }
}
