//! A bearer token sent to a public resource must be good (reference §1.5, CONTRACT §3 item 6):
//! registration, login, refresh, confirmation, forgotten and restored passwords answer 401 `001`
//! with `WWW-Authenticate` to a garbage, tampered, expired or revoked token, and as usual to a
//! request without one (or with a good one).

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::assert_invalid_token;
use super::forge::{claims_of, server_signed, with_payload};
use crate::helpers::{registration, spawn_app, TestApp, TestResponse, PASSWORD};

/// The public resources, each with a request that succeeds (or fails as usual) without a token.
#[derive(Debug, Clone, Copy)]
enum Public {
    Registration,
    Login,
    Refresh,
    Confirmation,
    ForgottenPassword,
    RestorePassword,
}

const ALL: [Public; 6] = [
    Public::Registration,
    Public::Login,
    Public::Refresh,
    Public::Confirmation,
    Public::ForgottenPassword,
    Public::RestorePassword,
];

impl Public {
    /// Sends the usual request, with `Authorization: Bearer <bearer>` when given.
    async fn send(self, app: &TestApp, bearer: Option<&str>) -> TestResponse {
        let (method_patch, path, document) = self.request(app).await;
        let request = if method_patch {
            app.patch(&path, &document)
        } else {
            app.post(&path, &document)
        };
        match bearer {
            Some(token) => request.bearer(token).send().await,
            None => request.send().await,
        }
    }

    /// Sends the usual request with this `Authorization` header.
    async fn send_with_header(self, app: &TestApp, authorization: &str) -> TestResponse {
        let (_, path, document) = self.request(app).await;
        app.post(&path, &document)
            .header("Authorization", authorization)
            .send()
            .await
    }

    async fn request(self, app: &TestApp) -> (bool, String, Value) {
        let doc = |kind: &str, attributes: Value| json!({"data": {"type": kind, "attributes": attributes}});
        match self {
            Self::Registration => {
                let email = format!("new-{}@example.com", uuid::Uuid::new_v4().simple());
                (
                    false,
                    "/customers".into(),
                    doc("customers", registration(&email, PASSWORD)),
                )
            }
            Self::Login => {
                let customer = app.customer().await;
                (
                    false,
                    "/access-tokens".into(),
                    doc(
                        "access-tokens",
                        json!({"username": customer.email, "password": PASSWORD}),
                    ),
                )
            }
            Self::Refresh => {
                let customer = app.customer().await;
                (
                    false,
                    "/refresh-tokens".into(),
                    doc(
                        "refresh-tokens",
                        json!({"refreshToken": customer.refresh_token}),
                    ),
                )
            }
            Self::Confirmation => (
                false,
                "/customer-confirmation".into(),
                doc(
                    "customer-confirmation",
                    json!({"registrationKey": "no-such-key"}),
                ),
            ),
            Self::ForgottenPassword => (
                false,
                "/customer-forgotten-password".into(),
                doc(
                    "customer-forgotten-password",
                    json!({"email": "someone@example.com"}),
                ),
            ),
            Self::RestorePassword => (
                true,
                "/customer-restore-password/mine".into(),
                json!({"data": {"type": "customer-restore-password", "id": "mine",
                    "attributes": {"restorePasswordKey": "no-such-key",
                        "password": PASSWORD, "confirmPassword": PASSWORD}}}),
            ),
        }
    }

    /// The answer without a token (or with a good one).
    fn assert_usual(self, response: &TestResponse) {
        match self {
            Self::Registration | Self::Login | Self::Refresh => {
                assert_eq!(
                    response.status,
                    StatusCode::CREATED,
                    "{self:?}: {}",
                    response.text
                )
            }
            Self::ForgottenPassword => assert_eq!(
                response.status,
                StatusCode::NO_CONTENT,
                "{self:?}: {}",
                response.text
            ),
            Self::Confirmation => response.assert_error(422, Some("423")),
            Self::RestorePassword => response.assert_error(422, Some("415")),
        }
    }
}

/// Bad tokens of every kind, made on `app`: garbage, tampered, expired, revoked.
async fn bad_tokens(app: &TestApp) -> Vec<(&'static str, String)> {
    let customer = app.customer().await;
    let claims = claims_of(&customer.access_token);

    let mut tampered = claims.clone();
    tampered["sub"] = json!("DE--999999");
    let mut expired = claims.clone();
    let now = chrono::Utc::now().timestamp();
    expired["iat"] = json!(now - 3_600);
    expired["nbf"] = json!(now - 3_600);
    expired["exp"] = json!(now - 1);

    // A token the customer revoked by ending its session.
    let revoked = app.customer().await;
    let response = app
        .delete("/refresh-tokens/mine")
        .bearer(&revoked.access_token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);

    vec![
        ("garbage", "not-a-token".to_owned()),
        ("empty segments", "..".to_owned()),
        ("tampered", with_payload(&customer.access_token, &tampered)),
        ("expired", server_signed(&expired)),
        ("revoked", revoked.access_token),
    ]
}

#[tokio::test]
async fn every_public_resource_refuses_a_bad_bearer_token_with_401_001() {
    let app = spawn_app().await;
    let tokens = bad_tokens(&app).await;
    for resource in ALL {
        for (what, token) in &tokens {
            let response = resource.send(&app, Some(token)).await;
            assert_eq!(
                response.status,
                StatusCode::UNAUTHORIZED,
                "{resource:?} with a {what} token: {}",
                response.text
            );
            assert_invalid_token(&response);
        }
    }
}

#[tokio::test]
async fn without_a_token_or_with_a_good_one_public_resources_answer_as_usual() {
    let app = spawn_app().await;
    let good = app.customer().await.access_token;
    for resource in ALL {
        resource.assert_usual(&resource.send(&app, None).await);
        resource.assert_usual(&resource.send(&app, Some(&good)).await);
    }
}

#[tokio::test]
async fn a_refused_registration_with_a_bad_token_creates_no_account() {
    let app = spawn_app().await;
    let email = format!("new-{}@example.com", uuid::Uuid::new_v4().simple());
    let response = app
        .post(
            "/customers",
            &json!({"data": {"type": "customers", "attributes": registration(&email, PASSWORD)}}),
        )
        .bearer("not-a-token")
        .send()
        .await;
    assert_invalid_token(&response);

    // The email is still free: the registration was never made.
    let attributes = registration(&email, PASSWORD);
    let again = app.register_with(attributes).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
}

#[tokio::test]
async fn other_authorization_schemes_are_not_bearer_tokens_and_change_nothing() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/customer-forgotten-password",
            &json!({"data": {"type": "customer-forgotten-password",
                "attributes": {"email": "someone@example.com"}}}),
        )
        .header("Authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.text);

    // `Bearer` alone is a bearer header without its token.
    let response = Public::ForgottenPassword
        .send_with_header(&app, "Bearer")
        .await;
    assert_invalid_token(&response);
}
