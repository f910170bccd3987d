//! Query parameters (CONTRACT §3 item 23): what is refused, and which parameter the error
//! names; an empty `include`; well-formed pagination.

use serde_json::json;

use super::{assert_error_document, get_own, get_own_ok};
use crate::helpers::{spawn_app, JSON_API};

#[tokio::test]
async fn unsupported_or_malformed_query_parameters_get_400_naming_the_parameter() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    let fields: &[&str] = &["fields[customers]"];
    let cases: &[(&str, &[&str])] = &[
        ("include=address", &["include"]),
        ("include=addresses.customer", &["include"]),
        ("include=wishlists", &["include"]),
        ("sort=firstName", &["sort"]),
        ("sort=-createdAt", &["sort"]),
        ("fields[customers]=password", fields),
        ("fields[customers]=firstName,password", fields),
        ("fields%5Bcustomers%5D=password", fields),
        ("fields[orders]=x", &["fields[orders]"]),
        ("page[limit]=0", &["page[limit]"]),
        ("page[limit]=abc", &["page[limit]"]),
        ("page[limit]=-1", &["page[limit]"]),
        ("page[offset]=-1&page[limit]=10", &["page[offset]"]),
        ("page[offset]=1", &["page[offset]", "page[limit]"]),
        ("page[size]=10", &["page[size]"]),
        ("filter[email]=x", &["filter[email]"]),
        ("foo=1", &["foo"]),
        ("fooBar=1", &["fooBar"]),
        ("fields[customers]=email&fields[customers]=email", fields),
        (
            "fields[customers]=email&fields%5Bcustomers%5D=firstName",
            fields,
        ),
    ];
    for (query, parameters) in cases {
        let response = get_own(&app, &customer, &format!("?{query}")).await;
        let error = assert_error_document(&response, 400, query);
        let parameter = error["source"]["parameter"]
            .as_str()
            .unwrap_or_else(|| panic!("{query}: no source.parameter: {}", response.text));
        assert!(
            parameters.contains(&parameter),
            "{query}: source.parameter {parameter}, expected one of {parameters:?}"
        );
    }
}

#[tokio::test]
async fn empty_include_includes_nothing() {
    let app = spawn_app().await;
    let customer = app.customer().await;

    let response = get_own_ok(&app, &customer, "?include=").await;

    assert_eq!(response.header("content-type"), Some(JSON_API));
    assert!(
        response
            .body
            .get("included")
            .is_none_or(|i| i == &json!([])),
        "included: {}",
        response.text
    );
}

#[tokio::test]
async fn well_formed_pagination_is_accepted() {
    let app = spawn_app().await;
    let customer = app.customer().await;
    for query in ["?page[offset]=0&page[limit]=10", "?page%5Blimit%5D=10"] {
        let response = get_own_ok(&app, &customer, query).await;
        assert_eq!(
            response.body["data"]["id"],
            json!(customer.reference),
            "{query}"
        );
    }
}
