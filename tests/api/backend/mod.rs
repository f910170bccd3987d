//! The partner API under `/backend` (issue 15) as an integration partner meets it: real
//! client_credentials tokens from `/token` through the oauth2 crate, then customers listed,
//! paged (offset and keyset), filtered, sorted, created, changed, blocked and anonymized, and
//! customer groups.
//!
//! This file holds what the topics share: tokens, request helpers and readers of documents.

mod blocking;
mod concurrency;
mod create;
mod crud;
mod filters;
mod groups;
mod includes;
mod keyset;
mod legacy;
mod paging;
mod scopes;
mod sorting;

use glue_customers::clients::model::AuthMethod;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestResponse, PASSWORD};
use crate::oauth::{partner, OAuth};

pub const READ: &str = "customers:read";
pub const WRITE: &str = "customers:write";
pub const GROUPS: &str = "customer-groups:write";
pub const CUSTOMERS: &str = "/backend/customers";
pub const CUSTOMER_GROUPS: &str = "/backend/customer-groups";

/// A client_credentials token, from `/token` through the oauth2 crate, of a new partner client
/// registered with `scopes`.
pub async fn token_with(app: &TestApp, scopes: &[&str]) -> String {
    let client = partner(app, scopes, AuthMethod::Basic).await;
    OAuth::new(app).partner_token(&client).await
}

/// A token of a partner with every partner-API scope.
pub async fn admin(app: &TestApp) -> String {
    token_with(app, &[READ, WRITE, GROUPS]).await
}

/// `/backend/customers/{reference}`.
pub fn customer_path(reference: &str) -> String {
    format!("{CUSTOMERS}/{reference}")
}

/// `/backend/customer-groups/{id}`.
pub fn group_path(id: &str) -> String {
    format!("{CUSTOMER_GROUPS}/{id}")
}

/// Valid create attributes with a password.
pub fn attributes(email: &str, first_name: &str, last_name: &str) -> Value {
    json!({
        "email": email,
        "gender": "Female",
        "salutation": "Ms",
        "firstName": first_name,
        "lastName": last_name,
        "password": PASSWORD,
        "confirmPassword": PASSWORD
    })
}

/// A `customers` document with these attributes (and a `group` relationship when given).
pub fn customer_document(attributes: Value, group: Option<&str>) -> Value {
    let mut data = json!({"type": "customers", "attributes": attributes});
    if let Some(id) = group {
        data["relationships"] = json!({"group": {"data": {"type": "customer-groups", "id": id}}});
    }
    json!({ "data": data })
}

/// `POST /backend/customers`.
pub async fn create(app: &TestApp, token: &str, document: &Value) -> TestResponse {
    app.post(CUSTOMERS, document).bearer(token).send().await
}

/// Creates a customer with a password; returns the resource.
pub async fn created(app: &TestApp, token: &str, email: &str, first: &str, last: &str) -> Value {
    let response = create(
        app,
        token,
        &customer_document(attributes(email, first, last), None),
    )
    .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    response.body["data"].clone()
}

/// Creates `count` customers `c0@example.com`, ... (first name `First{i}`, last name
/// `Last{i}`); returns their references in creation order.
pub async fn seed(app: &TestApp, token: &str, count: usize) -> Vec<String> {
    let mut references = Vec::new();
    for i in 0..count {
        let data = created(
            app,
            token,
            &format!("c{i}@example.com"),
            &format!("First{i}"),
            &format!("Last{i}"),
        )
        .await;
        references.push(id_of(&data));
    }
    references
}

pub fn id_of(resource: &Value) -> String {
    resource["id"].as_str().expect("an id").to_owned()
}

/// `a=b&c=d`, percent-encoded (brackets too, as a careful client does).
pub fn encode(params: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// `GET path?params` with `token`.
pub async fn get(app: &TestApp, token: &str, path: &str, params: &[(&str, &str)]) -> TestResponse {
    let url = if params.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", encode(params))
    };
    app.get(&url).bearer(token).send().await
}

/// `GET /backend/customers?params`, which must answer 200.
pub async fn list(app: &TestApp, token: &str, params: &[(&str, &str)]) -> TestResponse {
    let response = get(app, token, CUSTOMERS, params).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{params:?}: {}",
        response.text
    );
    response
}

/// The ids of a collection's `data`, in order.
pub fn ids(response: &TestResponse) -> Vec<String> {
    response.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a collection: {}", response.text))
        .iter()
        .map(id_of)
        .collect()
}

/// The ids `GET /backend/customers?params` answers.
pub async fn listed(app: &TestApp, token: &str, params: &[(&str, &str)]) -> Vec<String> {
    ids(&list(app, token, params).await)
}

/// A top-level link, if present and not null.
pub fn link(response: &TestResponse, name: &str) -> Option<String> {
    response.body["links"][name].as_str().map(str::to_owned)
}

/// Follows an absolute link of this app with `token`.
pub async fn follow(app: &TestApp, token: &str, url: &str) -> TestResponse {
    let path = url
        .strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("a link of this app: {url}"));
    let response = app.get(path).bearer(token).send().await;
    assert_eq!(response.status, StatusCode::OK, "{url}: {}", response.text);
    response
}

/// A 400 naming `parameter` in `source.parameter`.
#[track_caller]
pub fn assert_bad_parameter(response: &TestResponse, parameter: &str, what: &str) {
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{what}: {}",
        response.text
    );
    response.assert_error(400, None);
    assert_eq!(
        response.error("source")["parameter"],
        json!(parameter),
        "{what}: {}",
        response.text
    );
}

/// `PATCH /backend/customers/{reference}` with these attributes (and `If-Match` if given).
pub async fn patch(
    app: &TestApp,
    token: &str,
    reference: &str,
    attributes: Value,
    if_match: Option<&str>,
) -> TestResponse {
    let document =
        json!({"data": {"type": "customers", "id": reference, "attributes": attributes}});
    let mut request = app
        .patch(&customer_path(reference), &document)
        .bearer(token);
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    request.send().await
}

/// `GET /backend/customers/{reference}`, which must answer 200; the resource.
pub async fn fetch(app: &TestApp, token: &str, reference: &str) -> Value {
    let response = app
        .get(&customer_path(reference))
        .bearer(token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    response.body["data"].clone()
}

/// The id of the default customer group.
pub async fn default_group(app: &TestApp, token: &str) -> String {
    let response = get(app, token, CUSTOMER_GROUPS, &[]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let defaults: Vec<String> = response.body["data"]
        .as_array()
        .expect("groups")
        .iter()
        .filter(|g| g["attributes"]["isDefault"] == json!(true))
        .map(id_of)
        .collect();
    assert_eq!(defaults.len(), 1, "one default group: {}", response.text);
    defaults[0].clone()
}

/// Creates a group; returns its id.
pub async fn new_group(app: &TestApp, token: &str, name: &str) -> String {
    let response = app
        .post(
            CUSTOMER_GROUPS,
            &json!({"data": {"type": "customer-groups", "attributes": {"name": name}}}),
        )
        .bearer(token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    id_of(&response.body["data"])
}

/// The storefront login's access and refresh tokens.
pub async fn storefront_login(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let login = app.login(email, password).await;
    assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
    let attributes = &login.body["data"]["attributes"];
    let token = |name: &str| attributes[name].as_str().expect(name).to_owned();
    (token("accessToken"), token("refreshToken"))
}
