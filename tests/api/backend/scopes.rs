//! Who may call what (issue 15 item 1; checklist B32-B34): reads need `customers:read`,
//! customer changes `customers:write`, group changes `customer-groups:write`; no token is a
//! 401 with a bare challenge, a customer's token or one without the scope a 403
//! `insufficient_scope` naming the scope, a revoked token or one of a deleted client a 401
//! `001`.

use glue_customers::clients::model::AuthMethod;
use glue_customers::clients::service as clients_service;
use glue_customers::error::ApiError;
use oauth2::{AccessToken, StandardRevocableToken};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{
    admin, attributes, customer_document, customer_path, group_path, new_group, seed, token_with,
    CUSTOMERS, CUSTOMER_GROUPS, GROUPS, READ, WRITE,
};
use crate::helpers::{spawn_app, TestApp, TestResponse};
use crate::oauth::{partner, OAuth, STOREFRONT};

/// One route of the partner API, with a body that would succeed and the scope it needs.
struct Route {
    method: Method,
    path: String,
    body: Option<Value>,
    scope: &'static str,
    success: StatusCode,
}

impl Route {
    async fn send(&self, app: &TestApp, token: Option<&str>) -> TestResponse {
        let mut request = app.request(self.method.clone(), &self.path);
        if let Some(body) = &self.body {
            request = request.json(body);
        }
        if let Some(token) = token {
            request = request.bearer(token);
        }
        request.send().await
    }

    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every route, over a customer for each change and two groups (one to change, one to
/// delete), made with an all-scopes token.
async fn routes(app: &TestApp) -> Vec<Route> {
    let token = admin(app).await;
    let customers = seed(app, &token, 2).await;
    let (kept, doomed) = (
        new_group(app, &token, "Kept").await,
        new_group(app, &token, "Doomed").await,
    );
    let route = |method: Method, path: String, body: Option<Value>, scope, success| Route {
        method,
        path,
        body,
        scope,
        success,
    };
    let customer_patch = json!({"data": {"type": "customers", "id": customers[0], "attributes": {"firstName": "Changed"}}});
    let group_patch = json!({"data": {"type": "customer-groups", "id": kept, "attributes": {"description": "Changed"}}});
    let group_post = json!({"data": {"type": "customer-groups", "attributes": {"name": "New"}}});
    let customer_post = customer_document(attributes("new@example.com", "New", "Customer"), None);
    vec![
        route(Method::GET, CUSTOMERS.into(), None, READ, StatusCode::OK),
        route(
            Method::GET,
            customer_path(&customers[0]),
            None,
            READ,
            StatusCode::OK,
        ),
        route(
            Method::POST,
            CUSTOMERS.into(),
            Some(customer_post),
            WRITE,
            StatusCode::CREATED,
        ),
        route(
            Method::PATCH,
            customer_path(&customers[0]),
            Some(customer_patch),
            WRITE,
            StatusCode::OK,
        ),
        route(
            Method::DELETE,
            customer_path(&customers[1]),
            None,
            WRITE,
            StatusCode::NO_CONTENT,
        ),
        route(
            Method::GET,
            CUSTOMER_GROUPS.into(),
            None,
            READ,
            StatusCode::OK,
        ),
        route(Method::GET, group_path(&kept), None, READ, StatusCode::OK),
        route(
            Method::POST,
            CUSTOMER_GROUPS.into(),
            Some(group_post),
            GROUPS,
            StatusCode::CREATED,
        ),
        route(
            Method::PATCH,
            group_path(&kept),
            Some(group_patch),
            GROUPS,
            StatusCode::OK,
        ),
        route(
            Method::DELETE,
            group_path(&doomed),
            None,
            GROUPS,
            StatusCode::NO_CONTENT,
        ),
    ]
}

/// A 403 with `WWW-Authenticate: Bearer realm=..., error="insufficient_scope", scope="..."`
/// and a JSON:API error.
#[track_caller]
fn assert_insufficient_scope(response: &TestResponse, scope: &str, what: &str) {
    assert_eq!(
        response.status,
        StatusCode::FORBIDDEN,
        "{what}: {}",
        response.text
    );
    response.assert_error(403, None);
    let challenge = response.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer realm=\""),
        "{what}: {challenge}"
    );
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{what}: {challenge}"
    );
    assert!(
        challenge.contains(&format!(r#"scope="{scope}""#)),
        "{what}: {challenge}"
    );
}

/// A 401 `001` with `error="invalid_token"`.
#[track_caller]
fn assert_invalid_token(response: &TestResponse, what: &str) {
    assert_eq!(
        response.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        response.text
    );
    response.assert_error(401, Some("001"));
    let challenge = response.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{what}: {challenge}"
    );
}

#[tokio::test]
async fn each_route_opens_to_its_scope_and_answers_insufficient_scope_to_the_others() {
    let app = spawn_app().await;
    let routes = routes(&app).await;
    let mut tokens = Vec::new();
    for scope in [READ, WRITE, GROUPS, "tokens:introspect"] {
        tokens.push((scope, token_with(&app, &[scope]).await));
    }

    for route in &routes {
        // The refusals first: the one allowed call may delete what it names.
        for (scope, token) in tokens.iter().filter(|(s, _)| *s != route.scope) {
            let response = route.send(&app, Some(token)).await;
            assert_insufficient_scope(
                &response,
                route.scope,
                &format!("{} with {scope}", route.name()),
            );
        }
        let (_, allowed) = tokens
            .iter()
            .find(|(s, _)| *s == route.scope)
            .expect("a token of the route's scope");
        let response = route.send(&app, Some(allowed)).await;
        assert_eq!(
            response.status,
            route.success,
            "{}: {}",
            route.name(),
            response.text
        );
    }
}

#[tokio::test]
async fn refused_changes_change_nothing() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let reference = seed(&app, &token, 1).await.remove(0);
    let reader = token_with(&app, &[READ, GROUPS]).await;

    let patch = super::patch(
        &app,
        &reader,
        &reference,
        json!({"firstName": "Mallory"}),
        None,
    )
    .await;
    let delete = app
        .delete(&customer_path(&reference))
        .bearer(&reader)
        .send()
        .await;

    assert_insufficient_scope(&patch, WRITE, "PATCH");
    assert_insufficient_scope(&delete, WRITE, "DELETE");
    let row = app.customer_row(&reference).await;
    assert_eq!(row.first_name.as_deref(), Some("First0"));
    assert!(row.anonymized_at.is_none());
}

#[tokio::test]
async fn without_a_token_every_route_is_401_with_a_bare_bearer_challenge() {
    let app = spawn_app().await;

    for route in routes(&app).await {
        let response = route.send(&app, None).await;

        response.assert_error(401, None);
        let challenge = response.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer realm=\""),
            "{}: {challenge}",
            route.name()
        );
        assert!(
            !challenge.contains("error="),
            "{}: {challenge}",
            route.name()
        );
    }
}

#[tokio::test]
async fn a_customer_token_is_refused_with_insufficient_scope_on_every_route() {
    let app = spawn_app().await;
    let shopper = app.customer().await;

    for route in routes(&app).await {
        let response = route.send(&app, Some(&shopper.access_token)).await;

        assert_insufficient_scope(&response, route.scope, &route.name());
        assert!(
            !response.text.contains("@example.com"),
            "{}: no customer data",
            route.name()
        );
    }
}

#[tokio::test]
async fn a_partner_token_revoked_at_the_revocation_endpoint_is_401_001_at_once() {
    let app = spawn_app().await;
    let acme = partner(&app, &[READ], AuthMethod::Basic).await;
    let oauth = OAuth::new(&app);
    let token = oauth.partner_token(&acme).await;
    let other = oauth.partner_token(&acme).await;
    let reads = |token: String| {
        let app = &app;
        async move { app.get(CUSTOMERS).bearer(&token).send().await }
    };
    assert_eq!(reads(token.clone()).await.status, StatusCode::OK);

    let revocation = StandardRevocableToken::AccessToken(AccessToken::new(token.clone()));
    oauth.revoke(&acme, revocation).await.expect("revoked");

    assert_invalid_token(&reads(token).await, "the revoked token");
    assert_eq!(
        reads(other).await.status,
        StatusCode::OK,
        "the client's other token lives on"
    );
}

#[tokio::test]
async fn the_tokens_of_a_deleted_client_are_401_001() {
    let app = spawn_app().await;
    let acme = partner(&app, &[READ, WRITE], AuthMethod::Post).await;
    let token = OAuth::new(&app).partner_token(&acme).await;
    assert_eq!(
        app.get(CUSTOMERS).bearer(&token).send().await.status,
        StatusCode::OK
    );

    let id = acme.id.clone();
    app.db()
        .write(move |conn| {
            clients_service::delete(conn, &id, STOREFRONT).map_err(ApiError::internal)
        })
        .await
        .expect("client deleted");

    for path in [CUSTOMERS.to_owned(), CUSTOMER_GROUPS.to_owned()] {
        let response = app.get(&path).bearer(&token).send().await;
        assert_invalid_token(&response, &path);
    }
    let create = app
        .post(
            CUSTOMERS,
            &customer_document(attributes("x@example.com", "X", "Y"), None),
        )
        .bearer(&token)
        .send()
        .await;
    assert_invalid_token(&create, "POST");
}

#[tokio::test]
async fn a_partner_gets_only_the_scopes_it_was_registered_with() {
    let app = spawn_app().await;
    let reader = partner(&app, &[READ], AuthMethod::Basic).await;
    let oauth = OAuth::new(&app);

    let asked = oauth.client_credentials(&reader, &[READ, WRITE]).await;

    assert_eq!(crate::oauth::error_code(asked), "invalid_scope");
    let token = oauth.partner_token(&reader).await;
    let create = app
        .post(
            CUSTOMERS,
            &customer_document(attributes("x@example.com", "X", "Y"), None),
        )
        .bearer(&token)
        .send()
        .await;
    assert_insufficient_scope(&create, WRITE, "POST with a read-only partner");
}

#[tokio::test]
async fn a_malformed_or_forged_token_is_401_001() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    // One character of the signature changed.
    let at = token.rfind('.').expect("a JWS") + 10;
    let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);

    for (what, token) in [("garbage", "not.a.jwt".to_owned()), ("tampered", forged)] {
        let response = app.get(CUSTOMERS).bearer(&token).send().await;
        assert_invalid_token(&response, what);
    }
}
