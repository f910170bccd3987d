//! Anonymization ends everything (CONTRACT §3 items 13, 18).

use serde_json::json;

use super::forge::claims_of;
use super::{
    assert_failed_to_authenticate, assert_forgery_refused, assert_invalid_token, assert_no_content,
    assert_refresh_refused, assert_token_refused, get_collection, logged_in, second_session,
    NOBODY,
};
use crate::helpers::{spawn_app, PASSWORD};

fn reference_number(reference: &str) -> u64 {
    reference
        .rsplit_once("--")
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("a reference of the form STORE--n: {reference}"))
}

#[tokio::test]
async fn anonymizing_ends_every_token_and_login_but_keeps_the_reference_taken() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let (second_access, second_refresh) = second_session(&app, &customer).await;

    let response = app
        .delete(&format!("/customers/{}", customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_no_content(&response);

    assert_token_refused(&app, &customer, &customer.access_token).await;
    assert_token_refused(&app, &customer, &second_access).await;
    assert_invalid_token(&get_collection(&app, &customer.access_token).await);
    assert_refresh_refused(&app, &customer.refresh_token).await;
    assert_refresh_refused(&app, &second_refresh).await;
    // A token forged with the server's key for the old session fails too.
    let old_claims = claims_of(&customer.access_token);
    assert_forgery_refused(&app, &customer, &old_claims, "the old session").await;

    let old_login = app.login(&customer.email, &customer.password).await;
    assert_failed_to_authenticate(&old_login);
    let unknown = app.login(NOBODY, PASSWORD).await;
    assert_eq!(old_login.body, unknown.body);

    // The email is free again, the reference is not: the next registration gets the next one.
    let new_reference = app.register(&customer.email, PASSWORD).await;
    assert_ne!(new_reference, customer.reference);
    assert_eq!(
        reference_number(&new_reference),
        reference_number(&customer.reference) + 1
    );
    let (access_token, _) = logged_in(&app, &customer.email, PASSWORD).await;
    assert_eq!(claims_of(&access_token)["sub"], json!(new_reference));
}

/// Logins racing an anonymization (CONTRACT §3 item 13): whichever wins, once the DELETE has
/// answered, no refresh token from any of those logins works any more.
#[tokio::test]
async fn logins_racing_an_anonymization_do_not_outlive_it() {
    let app = std::sync::Arc::new(spawn_app().await);
    let customer = app.customer().await;
    let logins: Vec<_> = (0..8)
        .map(|_| {
            let (app, email) = (app.clone(), customer.email.clone());
            tokio::spawn(async move { app.login(&email, PASSWORD).await })
        })
        .collect();
    let deleted = app
        .delete(&format!("/customers/{}", customer.reference))
        .bearer(&customer.access_token)
        .send()
        .await;
    assert_no_content(&deleted);
    let mut refresh_tokens = vec![customer.refresh_token.clone()];
    for login in logins {
        let response = login.await.expect("join");
        if let Some(token) = response.body["data"]["attributes"]["refreshToken"].as_str() {
            refresh_tokens.push(token.to_owned());
        }
    }
    for token in &refresh_tokens {
        assert_refresh_refused(&app, token).await;
    }
}
