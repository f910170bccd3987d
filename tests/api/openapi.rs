//! The OpenAPI document stays true to the code: the committed file is what the annotations
//! generate, the server serves it, and its paths and methods are exactly the routes.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::spawn_app;

fn committed() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json exists");
    serde_json::from_str(&text).expect("committed document is JSON")
}

#[test]
fn committed_document_matches_the_code() {
    let generated = glue_customers::openapi::document_json().expect("generate");
    let committed_text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json exists");
    assert!(
        generated == committed_text,
        "openapi/openapi.json is stale: run `make openapi` and commit the result"
    );
    assert_eq!(committed()["openapi"], "3.1.0");
}

#[tokio::test]
async fn server_serves_the_committed_document_and_an_offline_docs_page() {
    let app = spawn_app().await;
    let served: Value = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(served, committed());

    let redirect = app.get("/docs").send().await;
    assert!(redirect.status.is_redirection(), "{}", redirect.status);
    let page = app
        .client
        .get(format!("{}/docs/", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("swagger-ui"), "{html}");
    // Nothing from a CDN: every script and stylesheet is served by us.
    for needle in [
        "src=\"http",
        "href=\"http",
        "//cdn",
        "unpkg.com",
        "jsdelivr",
    ] {
        assert!(!html.contains(needle), "docs page loads {needle}");
    }
    let init = app
        .client
        .get(format!("{}/docs/swagger-initializer.js", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(init.status(), StatusCode::OK);
    assert!(init.text().await.expect("js").contains("/openapi.json"));
}

/// For every documented path, the server's `Allow` (from a 405) lists exactly the documented
/// methods: an undocumented route or a documented route that does not exist both fail here.
#[tokio::test]
async fn documented_methods_are_exactly_the_routed_methods() {
    let app = spawn_app().await;
    let document = committed();
    let paths = document["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    for (path, item) in paths {
        let documented: BTreeSet<String> = item
            .as_object()
            .expect("path item")
            .keys()
            .filter(|k| ["get", "post", "patch", "delete", "put"].contains(&k.as_str()))
            .map(|k| k.to_uppercase())
            .collect();
        let concrete = path.replace(['{', '}'], "");
        let response = app.request(Method::PUT, &concrete).send().await;
        assert_eq!(
            response.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "PUT {concrete}"
        );
        let allowed: BTreeSet<String> = response
            .header("allow")
            .expect("Allow header")
            .split(',')
            .map(|m| m.trim().to_owned())
            .filter(|m| m != "OPTIONS")
            .collect();
        // Every GET route answers HEAD as well.
        let mut expected = documented.clone();
        if documented.contains("GET") {
            expected.insert("HEAD".to_owned());
        }
        assert_eq!(allowed, expected, "{path}");
    }
}

/// Follows a `$ref` within the document.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(
                document,
                document.pointer(pointer).expect("reference resolves"),
            )
        }
        None => schema,
    }
}

/// The `data.type` of every request and 2xx response document of `operation`: each must be a
/// `const`. Returns how many documents there were.
fn assert_documents_name_their_type(document: &Value, label: &str, operation: &Value) -> usize {
    let bodies = operation["requestBody"]["content"]
        .as_object()
        .into_iter()
        .flatten()
        .chain(
            operation["responses"]
                .as_object()
                .expect("responses")
                .iter()
                .filter(|(status, _)| status.starts_with('2'))
                .flat_map(|(_, r)| r["content"].as_object().into_iter().flatten()),
        );
    let mut checked = 0;
    for (_, media) in bodies {
        let document_schema = resolve(document, &media["schema"]);
        let data = resolve(document, &document_schema["properties"]["data"]);
        let resource = match data["items"].is_object() {
            true => resolve(document, &data["items"]),
            false => data,
        };
        let kind = &resource["properties"]["type"];
        assert!(kind["const"].is_string(), "{label}: data.type {kind}");
        checked += 1;
    }
    checked
}

/// Every storefront request and response document names its one resource type as a `const`,
/// and every operation states the answers its security can produce: 401 `001` for a bad token
/// everywhere, 403 `002` without one where a token is required.
#[test]
fn storefront_documents_name_their_type_and_operations_their_security_answers() {
    let document = committed();
    let paths = document["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, item) in paths {
        let storefront = path.starts_with("/customer") || path.contains("-tokens");
        if !storefront {
            continue;
        }
        for (method, operation) in item.as_object().expect("path item") {
            let label = format!("{method} {path}");
            checked += assert_documents_name_their_type(&document, &label, operation);
            let responses = &operation["responses"];
            assert!(responses["401"].is_object(), "{label}: no 401");
            let required = operation["security"]
                .as_array()
                .expect("security")
                .iter()
                .all(|s| s.as_object().is_some_and(|s| !s.is_empty()));
            if required {
                let forbidden = responses["403"]["description"].as_str().unwrap_or_default();
                assert!(forbidden.contains("(002)"), "{label}: 403 {forbidden}");
            }
        }
    }
    assert!(checked >= 20, "{checked} documents checked");
}

/// Every partner document names its resource type as a `const`; every partner operation names
/// the one scope it needs in `security` and in its 403 (insufficient_scope, with the challenge
/// that names it), answers 401 with a bearer challenge, and 503; a customer's single answers
/// carry its `ETag`, and its changes take `If-Match`.
#[test]
fn partner_documents_name_their_type_and_operations_their_scope() {
    let document = committed();
    let paths = document["paths"].as_object().expect("paths");
    let (mut documents, mut operations) = (0, 0);
    for (path, item) in paths.iter().filter(|(p, _)| p.starts_with("/backend/")) {
        for (method, operation) in item.as_object().expect("path item") {
            let label = format!("{method} {path}");
            documents += assert_documents_name_their_type(&document, &label, operation);
            let security = operation["security"].as_array().expect("security");
            assert_eq!(security.len(), 1, "{label}: {security:?}");
            let scopes = security[0]["bearer"].as_array().expect("bearer scopes");
            assert_eq!(scopes.len(), 1, "{label}: {scopes:?}");
            let scope = scopes[0].as_str().expect("a scope");
            let responses = &operation["responses"];
            assert!(
                responses["401"]["headers"]["WWW-Authenticate"].is_object(),
                "{label}: 401 without a challenge"
            );
            let forbidden = &responses["403"];
            let description = forbidden["description"].as_str().unwrap_or_default();
            assert!(
                description.contains("insufficient_scope") && description.contains(scope),
                "{label}: 403 {description}"
            );
            let challenge = forbidden["headers"]["WWW-Authenticate"]["description"]
                .as_str()
                .unwrap_or_default();
            assert!(
                challenge.contains(&format!("scope=\"{scope}\"")),
                "{label}: {challenge}"
            );
            assert!(responses["503"].is_object(), "{label}: no 503");
            if path == "/backend/customers/{customerReference}"
                || label == "post /backend/customers"
            {
                for (status, response) in responses.as_object().expect("responses") {
                    if status.starts_with('2') && status != "204" {
                        assert!(
                            response["headers"]["ETag"].is_object(),
                            "{label}: {status} without ETag"
                        );
                    }
                }
            }
            if path == "/backend/customers/{customerReference}" && method != "get" {
                let takes_if_match = operation["parameters"]
                    .as_array()
                    .expect("parameters")
                    .iter()
                    .any(|p| p["name"] == "If-Match" && p["in"] == "header");
                assert!(takes_if_match, "{label}: no If-Match");
                assert!(responses["412"].is_object(), "{label}: no 412");
            }
            operations += 1;
        }
    }
    assert_eq!(operations, 10, "partner operations");
    assert_eq!(documents, 12, "partner documents checked");
}

/// The listing documents each filter with the values it takes, named as the handler's spec
/// names them.
#[test]
fn the_partner_listing_documents_every_filter_with_its_values() {
    let document = committed();
    let parameters = document["paths"]["/backend/customers"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let schema_of = |name: &str| {
        parameters
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["schema"].clone())
            .unwrap_or_else(|| panic!("{name} is documented"))
    };
    use glue_customers::backend::listing::ListQuery;
    use glue_customers::jsonapi::QuerySpecOf;
    for name in ListQuery::SPEC.filter {
        let schema = schema_of(&format!("filter[{name}]"));
        assert!(
            schema["pattern"].is_string() || schema["enum"].is_array(),
            "filter[{name}]: {schema}"
        );
    }
    assert_eq!(
        schema_of("filter[status]")["enum"],
        serde_json::json!(["active", "blocked", "unconfirmed", "anonymized"])
    );
    assert_eq!(schema_of("page[limit]")["maximum"], 500);
    assert!(schema_of("page[after]").is_object());
}

/// OpenAPI: an `operationId` names one operation (tools key cases and reports on it).
#[test]
fn operation_ids_are_unique() {
    let document = committed();
    let mut seen = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if let Some(id) = operation["operationId"].as_str() {
                assert!(seen.insert(id.to_owned()), "{method} {path}: {id} twice");
            }
        }
    }
    assert!(seen.len() >= 30, "{}", seen.len());
}
