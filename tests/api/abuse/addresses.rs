//! The per-address counter (CONTRACT §3 item 16, §5 `GLUE_TRUSTED_PROXIES`): failures for many
//! emails from one client address block that address, and only that one; the address is the
//! right-most untrusted `X-Forwarded-For` entry behind a trusted proxy, and the peer otherwise.

use super::{app_exposed, app_with, registered, unknown_email, Endpoint, Limits, WRONG};
use crate::helpers::{TestApp, PASSWORD};

const ATTACKER: &str = "203.0.113.7";
const NEIGHBOUR: &str = "203.0.113.8";

/// `limits.max_failures` failed logins from `from`, each for another unknown email, spread over
/// both endpoints.
async fn fail_from(app: &TestApp, limits: Limits, from: &str) {
    for n in 0..limits.max_failures as usize {
        let endpoint = Endpoint::BOTH[n % 2];
        let response = endpoint
            .login(app, &unknown_email(), WRONG, Some(from))
            .await;
        endpoint.assert_refused(&response);
    }
}

#[tokio::test]
async fn failures_for_many_emails_from_one_address_block_it_but_not_its_neighbour() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    fail_from(&app, limits, ATTACKER).await;

    for endpoint in Endpoint::BOTH {
        // An account that never failed, with its right password: the address is blocked.
        let fresh = registered(&app).await;
        let blocked = endpoint.login(&app, &fresh, PASSWORD, Some(ATTACKER)).await;
        endpoint.assert_blocked(&blocked, limits);

        // The next address is another client: refused for a wrong password, let in for the
        // right one.
        let wrong = endpoint
            .login(&app, &unknown_email(), WRONG, Some(NEIGHBOUR))
            .await;
        endpoint.assert_refused(&wrong);
        let right = endpoint
            .login(&app, &fresh, PASSWORD, Some(NEIGHBOUR))
            .await;
        endpoint.assert_granted(&right);
    }
}

#[tokio::test]
async fn the_right_most_untrusted_forwarded_address_is_the_one_counted() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    fail_from(&app, limits, ATTACKER).await;

    // (X-Forwarded-For as the proxy passes it on, whether its client is the blocked one)
    let cases = [
        ("203.0.113.7", true),
        // The client wrote the left entry; the proxy appended the address it saw.
        ("6.6.6.6, 203.0.113.7", true),
        ("203.0.113.8, 203.0.113.7", true),
        // A trusted proxy in the chain is skipped.
        ("203.0.113.7, 127.0.0.1", true),
        // The blocked address forged on the left by another client changes nothing.
        ("203.0.113.7, 203.0.113.8", false),
        ("203.0.113.8", false),
    ];
    for (forwarded, blocked) in cases {
        for endpoint in Endpoint::BOTH {
            let fresh = registered(&app).await;
            let response = endpoint
                .login(&app, &fresh, PASSWORD, Some(forwarded))
                .await;
            if blocked {
                endpoint.assert_blocked(&response, limits);
            } else {
                endpoint.assert_granted(&response);
            }
        }
    }
}

#[tokio::test]
async fn without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_address_block() {
    let limits = Limits::LONG;
    let app = app_exposed(limits, &[]).await;

    // Every failure claims another address; all come from 127.0.0.1.
    for n in 0..limits.max_failures as usize {
        let endpoint = Endpoint::BOTH[n % 2];
        let claimed = format!("203.0.113.{}", n + 1);
        let response = endpoint
            .login(&app, &unknown_email(), WRONG, Some(&claimed))
            .await;
        endpoint.assert_refused(&response);
    }

    for endpoint in Endpoint::BOTH {
        let fresh = registered(&app).await;
        for claimed in [Some("203.0.113.99"), Some("10.0.0.1, 203.0.113.98"), None] {
            let response = endpoint.login(&app, &fresh, PASSWORD, claimed).await;
            endpoint.assert_blocked(&response, limits);
        }
    }
}

#[tokio::test]
async fn a_success_from_an_address_does_not_clear_its_counter() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    let shopper = registered(&app).await;

    for endpoint in Endpoint::BOTH {
        let from = match endpoint {
            Endpoint::AccessTokens => "203.0.113.20",
            Endpoint::Token => "203.0.113.21",
        };
        for _ in 0..limits.max_failures - 1 {
            let wrong = endpoint
                .login(&app, &unknown_email(), WRONG, Some(from))
                .await;
            endpoint.assert_refused(&wrong);
        }
        let success = endpoint.login(&app, &shopper, PASSWORD, Some(from)).await;
        endpoint.assert_granted(&success);
        // This failure reaches the limit only if the success above left the counter alone.
        let last = endpoint
            .login(&app, &unknown_email(), WRONG, Some(from))
            .await;
        endpoint.assert_refused(&last);

        let after = endpoint.login(&app, &shopper, PASSWORD, Some(from)).await;
        endpoint.assert_blocked(&after, limits);
    }
}

/// Many shoppers behind one address (an office, a mobile carrier's NAT) log in all day: their
/// successes must not count towards the address's limit.
#[tokio::test]
async fn successful_logins_of_many_shoppers_from_one_address_never_block_it() {
    let limits = Limits::LONG;
    let app = app_with(limits, &[]).await;
    let office = "203.0.113.30";

    for n in 0..2 * limits.max_failures as usize {
        let endpoint = Endpoint::BOTH[n % 2];
        let shopper = registered(&app).await;
        let response = endpoint.login(&app, &shopper, PASSWORD, Some(office)).await;
        endpoint.assert_granted(&response);
    }
    for endpoint in Endpoint::BOTH {
        let wrong = endpoint
            .login(&app, &unknown_email(), WRONG, Some(office))
            .await;
        endpoint.assert_refused(&wrong);
    }
}
