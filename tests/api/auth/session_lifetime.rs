//! Sessions have an absolute lifetime beside the sliding refresh-token lifetime: rotation
//! never carries a session past it, and no token issued in it outlives it.

use std::time::Duration;

use reqwest::StatusCode;

use super::forge::claims_of;
use super::{
    assert_failed_to_refresh, assert_invalid_token, get_own, refresh_succeeds, token_pair,
};
use crate::helpers::spawn_app_with;

#[tokio::test]
async fn rotation_never_extends_a_session_past_its_absolute_lifetime() {
    let app = spawn_app_with(&[
        ("GLUE_SESSION_LIFETIME", "3"),
        ("GLUE_ACCESS_TOKEN_TTL", "3600"),
        ("GLUE_REFRESH_TOKEN_TTL", "3600"),
    ])
    .await;
    let customer = app.customer().await;
    let login = claims_of(&customer.access_token);
    let session_end = login["iat"].as_i64().expect("iat") + 3;
    assert!(
        login["exp"].as_i64().expect("exp") <= session_end,
        "the access token ends with the session: {login}"
    );

    let rotated = refresh_succeeds(&app, &customer.refresh_token).await;
    let expires_in = rotated.body["data"]["attributes"]["expiresIn"]
        .as_i64()
        .expect("expiresIn");
    assert!((0..=3).contains(&expires_in), "expiresIn {expires_in}");
    let (access, refresh) = token_pair(&rotated);
    assert!(claims_of(&access)["exp"].as_i64().expect("exp") <= session_end);
    assert_eq!(
        get_own(&app, &customer, &access).await.status,
        StatusCode::OK
    );

    // Past the session's end: the freshly rotated refresh token (valid for an hour on its own)
    // and every access token are refused.
    let now = chrono::Utc::now().timestamp();
    tokio::time::sleep(Duration::from_millis(
        ((session_end - now + 1).max(0) * 1000) as u64,
    ))
    .await;
    assert_failed_to_refresh(&super::refresh(&app, &refresh).await);
    assert_invalid_token(&get_own(&app, &customer, &access).await);
}

#[tokio::test]
async fn by_default_sessions_last_ninety_days_and_tokens_keep_their_own_lifetimes() {
    let app = spawn_app_with(&[]).await;
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);
    let lifetime = claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat");
    assert_eq!(lifetime, super::ACCESS_TOKEN_TTL);
    let reference = customer.reference.clone();
    let (created, ends): (chrono::NaiveDateTime, chrono::NaiveDateTime) = app
        .db()
        .read(move |conn| {
            use diesel::prelude::*;
            use glue_customers::db::schema::{customers, sessions};
            Ok(sessions::table
                .inner_join(customers::table)
                .filter(customers::customer_reference.eq(&reference))
                .select((sessions::created_at, sessions::expires_at))
                .first(conn)?)
        })
        .await
        .expect("session row");
    assert_eq!((ends - created).num_days(), 90);
}
