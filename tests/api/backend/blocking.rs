//! Blocking a customer (issue 15 item 3): `PATCH status: blocked` ends every session at once
//! (access tokens 401 `001`, refresh tokens 401 `004`), and a login then answers exactly like a
//! wrong password, on `/access-tokens` and on `/token`; `status: active` lifts the block.

use reqwest::StatusCode;
use serde_json::json;

use super::{
    admin, attributes, create, created, customer_document, fetch, id_of, listed, patch,
    storefront_login,
};
use crate::helpers::{spawn_app, TestApp, TestResponse, PASSWORD};
use crate::oauth::{error_code, OAuth, Registered};

const EMAIL: &str = "blocked@example.com";
const WRONG: &str = "Wrong!Password-77";

async fn refresh(app: &TestApp, token: &str) -> TestResponse {
    app.post(
        "/refresh-tokens",
        &json!({"data": {"type": "refresh-tokens", "attributes": {"refreshToken": token}}}),
    )
    .send()
    .await
}

async fn own(app: &TestApp, reference: &str, access: &str) -> TestResponse {
    app.get(&format!("/customers/{reference}"))
        .bearer(access)
        .send()
        .await
}

/// Status, content type, challenge and body: everything a client could tell apart.
fn observable(response: &TestResponse) -> (StatusCode, Option<String>, Option<String>, String) {
    (
        response.status,
        response.header("content-type").map(str::to_owned),
        response.header("www-authenticate").map(str::to_owned),
        response.text.clone(),
    )
}

#[tokio::test]
async fn blocking_ends_every_session_at_once_and_login_answers_like_a_wrong_password() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, EMAIL, "Bernd", "Block").await);
    let sessions = [
        storefront_login(&app, EMAIL, PASSWORD).await,
        storefront_login(&app, EMAIL, PASSWORD).await,
    ];
    let oauth = OAuth::new(&app);
    let storefront = Registered::storefront();
    let grant = oauth.log_in(EMAIL).await;
    let grant_refresh = crate::oauth::refresh_of(&grant);
    let wrong = app.login(EMAIL, WRONG).await;
    let wrong_grant = error_code(oauth.password(&storefront, EMAIL, WRONG).await);
    let wrong_grant_answer = oauth.last();

    let response = patch(&app, &token, &reference, json!({"status": "blocked"}), None).await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.body["data"]["attributes"]["status"], "blocked");
    for (access, refresh_token) in &sessions {
        own(&app, &reference, access)
            .await
            .assert_error(401, Some("001"));
        refresh(&app, refresh_token)
            .await
            .assert_error(401, Some("004"));
    }
    assert_eq!(
        error_code(oauth.refresh(&storefront, &grant_refresh).await),
        "invalid_grant"
    );
    let blocked = app.login(EMAIL, PASSWORD).await;
    assert_eq!(
        observable(&blocked),
        observable(&wrong),
        "like a wrong password"
    );
    blocked.assert_error(401, Some("003"));
    let blocked_grant = error_code(oauth.password(&storefront, EMAIL, PASSWORD).await);
    assert_eq!(blocked_grant, wrong_grant);
    assert_eq!(oauth.last().text, wrong_grant_answer.text);
    assert_eq!(
        fetch(&app, &token, &reference).await["attributes"]["status"],
        "blocked"
    );
    assert_eq!(
        listed(&app, &token, &[("filter[status]", "blocked")]).await,
        [reference]
    );
}

#[tokio::test]
async fn status_active_lifts_the_block_but_the_old_sessions_stay_ended() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, EMAIL, "Bernd", "Block").await);
    let (access, refresh_token) = storefront_login(&app, EMAIL, PASSWORD).await;
    let blocked = patch(&app, &token, &reference, json!({"status": "blocked"}), None).await;
    assert_eq!(blocked.status, StatusCode::OK, "{}", blocked.text);
    // Blocking a blocked customer changes nothing.
    let again = patch(&app, &token, &reference, json!({"status": "blocked"}), None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["data"]["attributes"]["status"], "blocked");

    let lifted = patch(&app, &token, &reference, json!({"status": "active"}), None).await;

    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.text);
    assert_eq!(lifted.body["data"]["attributes"]["status"], "active");
    let (fresh, _) = storefront_login(&app, EMAIL, PASSWORD).await;
    assert_eq!(own(&app, &reference, &fresh).await.status, StatusCode::OK);
    own(&app, &reference, &access)
        .await
        .assert_error(401, Some("001"));
    refresh(&app, &refresh_token)
        .await
        .assert_error(401, Some("004"));
    assert!(listed(&app, &token, &[("filter[status]", "blocked")])
        .await
        .is_empty());
}

#[tokio::test]
async fn a_blocked_customer_keeps_their_data_and_other_changes_still_apply() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = id_of(&created(&app, &token, EMAIL, "Bernd", "Block").await);

    let both = patch(
        &app,
        &token,
        &reference,
        json!({"status": "blocked", "lastName": "Blocked"}),
        None,
    )
    .await;

    assert_eq!(both.status, StatusCode::OK, "{}", both.text);
    let attributes = &both.body["data"]["attributes"];
    assert_eq!(
        (
            attributes["status"].as_str(),
            attributes["lastName"].as_str()
        ),
        (Some("blocked"), Some("Blocked"))
    );
    assert_eq!(attributes["email"], EMAIL);
    let renamed = patch(
        &app,
        &token,
        &reference,
        json!({"firstName": "Still"}),
        None,
    )
    .await;
    assert_eq!(
        renamed.body["data"]["attributes"]["status"], "blocked",
        "{}",
        renamed.text
    );
    app.login(EMAIL, PASSWORD)
        .await
        .assert_error(401, Some("003"));
}

#[tokio::test]
async fn a_customer_created_blocked_is_blocked_from_the_start() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let mut attributes = attributes("blocked-early@example.com", "Bea", "Early");
    attributes["status"] = json!("blocked");

    let response = create(&app, &token, &customer_document(attributes, None)).await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(response.body["data"]["attributes"]["status"], "blocked");
    app.login("blocked-early@example.com", PASSWORD)
        .await
        .assert_error(401, Some("003"));
    // Lifted, the same password logs in.
    let reference = id_of(&response.body["data"]);
    let lifted = patch(&app, &token, &reference, json!({"status": "active"}), None).await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.text);
    let login = app.login("blocked-early@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
}
