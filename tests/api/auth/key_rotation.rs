//! Rotating the signing key (`GLUE_JWT_KEY_FILE` as a list, CONTRACT §3 item 17): instances on
//! one database, started with different key lists, accept exactly the tokens whose `kid` they
//! hold a key for.

use serde_json::json;

use super::forge::{jwt_parts, kid_of};
use super::{assert_token_accepted, assert_token_refused, second_session};
use crate::helpers::{key_file, signing_key_pem, spawn_app_with, TestApp};

/// The same issuer everywhere, so that only the keys differ between instances.
const ISSUER: &str = "https://shop.example";

fn path_of(name: &str) -> String {
    key_file(name).display().to_string()
}

async fn instance(keys: &str, database_url: Option<&str>) -> TestApp {
    let mut settings = vec![("GLUE_JWT_KEY_FILE", keys), ("GLUE_JWT_ISSUER", ISSUER)];
    settings.extend(database_url.map(|url| ("DATABASE_URL", url)));
    spawn_app_with(&settings).await
}

fn kid_in(token: &str) -> serde_json::Value {
    jwt_parts(token).0["kid"].clone()
}

#[tokio::test]
async fn a_new_signing_key_keeps_old_tokens_valid_until_the_old_key_is_removed() {
    let (server, second) = (path_of("server"), path_of("second"));
    let second_kid = json!(kid_of(
        &std::fs::read_to_string(key_file("second")).expect("read key")
    ));
    let a = instance(&server, None).await;
    let customer = a.customer().await;
    let before = customer.access_token.clone();
    assert_eq!(kid_in(&before), json!(kid_of(&signing_key_pem())));

    // B signs with the second key and still verifies with the server's.
    let rotated = format!("{second},{server}");
    let b = instance(&rotated, Some(&a.database_url)).await;
    assert_token_accepted(&b, &customer, &before).await;
    let (after, _) = second_session(&b, &customer).await;
    assert_eq!(kid_in(&after), second_kid);
    assert_token_accepted(&b, &customer, &after).await;
    // A does not know the second key yet.
    assert_token_refused(&a, &customer, &after).await;

    // C has dropped the server key: its tokens are over, the second key's are not.
    let c = instance(&second, Some(&a.database_url)).await;
    assert_token_refused(&c, &customer, &before).await;
    assert_token_accepted(&c, &customer, &after).await;
    assert_token_accepted(&a, &customer, &before).await;
}
