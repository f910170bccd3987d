//! Offset paging of `GET /backend/customers` (issue 15 item 2; checklist A42, A43):
//! `page[offset]` + `page[limit]` (default 20, at most 500) with `links.self/first/prev/next/
//! last` and `meta.page.total`; every bad value a 400 naming its parameter.

use std::collections::HashMap;

use serde_json::json;

use super::{admin, assert_bad_parameter, follow, get, ids, link, list, seed, CUSTOMERS};
use crate::helpers::{spawn_app, TestApp, TestResponse};

/// The path and the query parameters of a link of this app.
fn parts(app: &TestApp, url: &str) -> (String, HashMap<String, String>) {
    let rest = url
        .strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("an absolute link of this app: {url}"));
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let params = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    (path.to_owned(), params)
}

/// The `page[offset]` of a paging link (which always names `page[limit]` too).
fn offset_of(app: &TestApp, response: &TestResponse, name: &str, limit: u64) -> Option<u64> {
    let url = link(response, name)?;
    let (path, params) = parts(app, &url);
    assert_eq!(path, CUSTOMERS, "{name}: {url}");
    assert_eq!(
        params.get("page[limit]"),
        Some(&limit.to_string()),
        "{name}: {url}"
    );
    Some(
        params
            .get("page[offset]")
            .unwrap_or_else(|| panic!("{name} names its offset: {url}"))
            .parse()
            .expect("a number"),
    )
}

#[tokio::test]
async fn seven_customers_in_pages_of_three_have_first_prev_next_last_links_and_a_total() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let all = seed(&app, &token, 7).await;

    // (offset, the page's rows, prev, next)
    let pages = [
        (0, &all[0..3], None, Some(3)),
        (3, &all[3..6], Some(0), Some(6)),
        (6, &all[6..7], Some(3), None),
    ];
    for (offset, rows, prev, next) in pages {
        let text = offset.to_string();
        let page = list(
            &app,
            &token,
            &[("page[offset]", &text), ("page[limit]", "3")],
        )
        .await;

        assert_eq!(ids(&page), rows, "offset {offset}");
        assert_eq!(offset_of(&app, &page, "self", 3), Some(offset));
        assert_eq!(
            offset_of(&app, &page, "first", 3),
            Some(0),
            "offset {offset}"
        );
        assert_eq!(offset_of(&app, &page, "prev", 3), prev, "offset {offset}");
        assert_eq!(offset_of(&app, &page, "next", 3), next, "offset {offset}");
        assert_eq!(
            offset_of(&app, &page, "last", 3),
            Some(6),
            "offset {offset}"
        );
        assert_eq!(
            page.body["meta"]["page"],
            json!({"total": 7, "offset": offset, "limit": 3}),
            "offset {offset}"
        );
    }
}

#[tokio::test]
async fn following_next_from_the_first_page_visits_every_customer_once_in_order() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let all = seed(&app, &token, 7).await;

    let mut page = list(&app, &token, &[("page[limit]", "2")]).await;
    let mut seen = ids(&page);
    let mut pages = 1;
    while let Some(next) = link(&page, "next") {
        page = follow(&app, &token, &next).await;
        seen.extend(ids(&page));
        pages += 1;
    }

    assert_eq!(seen, all);
    assert_eq!(pages, 4);
    let last = follow(&app, &token, &link(&page, "last").expect("last")).await;
    assert_eq!(ids(&last), ids(&page), "last names the page next ended on");
}

#[tokio::test]
async fn paging_links_keep_the_filters_and_the_sort() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let all = seed(&app, &token, 5).await;
    let params = [
        ("filter[q]", "first"),
        ("sort", "-createdAt"),
        ("page[limit]", "2"),
    ];

    let first = list(&app, &token, &params).await;
    let next = link(&first, "next").expect("a next page");
    let (_, kept) = parts(&app, &next);
    let second = follow(&app, &token, &next).await;

    assert_eq!(
        kept.get("filter[q]").map(String::as_str),
        Some("first"),
        "{next}"
    );
    assert_eq!(
        kept.get("sort").map(String::as_str),
        Some("-createdAt"),
        "{next}"
    );
    let newest_first: Vec<String> = all.iter().rev().cloned().collect();
    assert_eq!(ids(&first), newest_first[0..2]);
    assert_eq!(ids(&second), newest_first[2..4]);
    assert_eq!(second.body["meta"]["page"]["total"], json!(5));
}

#[tokio::test]
async fn the_default_page_holds_twenty_and_a_limit_of_500_is_accepted() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let all = seed(&app, &token, 21).await;

    let default = list(&app, &token, &[]).await;
    let largest = list(&app, &token, &[("page[limit]", "500")]).await;

    assert_eq!(ids(&default), all[0..20]);
    assert_eq!(
        default.body["meta"]["page"],
        json!({"total": 21, "offset": 0, "limit": 20})
    );
    assert_eq!(offset_of(&app, &default, "next", 20), Some(20));
    assert_eq!(offset_of(&app, &default, "last", 20), Some(20));
    assert_eq!(ids(&largest), all);
    assert_eq!(link(&largest, "next"), None);
}

#[tokio::test]
async fn an_offset_past_the_end_is_an_empty_page_that_still_counts_the_total() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    seed(&app, &token, 3).await;

    let beyond = list(
        &app,
        &token,
        &[("page[offset]", "10"), ("page[limit]", "2")],
    )
    .await;
    let nothing = list(&app, &token, &[("filter[email]", "nobody@example.com")]).await;

    assert_eq!(beyond.body["data"], json!([]));
    assert_eq!(beyond.body["meta"]["page"]["total"], json!(3));
    assert_eq!(link(&beyond, "next"), None);
    assert_eq!(offset_of(&app, &beyond, "last", 2), Some(2));
    assert_eq!(nothing.body["data"], json!([]));
    assert_eq!(nothing.body["meta"]["page"]["total"], json!(0));
    assert_eq!(offset_of(&app, &nothing, "first", 20), Some(0));
    assert_eq!(offset_of(&app, &nothing, "last", 20), Some(0));
    assert_eq!(
        (link(&nothing, "prev"), link(&nothing, "next")),
        (None, None)
    );
}

#[tokio::test]
async fn bad_paging_values_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    seed(&app, &token, 3).await;
    let keyset = list(
        &app,
        &token,
        &[("page[after]", ""), ("page[limit]", "1"), ("sort", "email")],
    )
    .await;
    let email_cursor = link(&keyset, "next").expect("a next page");
    let (_, next) = parts(&app, &email_cursor);
    let cursor = next["page[after]"].clone();

    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("page[limit]", "0")], "page[limit]"),
        (&[("page[limit]", "501")], "page[limit]"),
        (&[("page[limit]", "-1")], "page[limit]"),
        (&[("page[limit]", "ten")], "page[limit]"),
        (&[("page[limit]", "")], "page[limit]"),
        (&[("page[offset]", "-1")], "page[offset]"),
        (&[("page[offset]", "1.5")], "page[offset]"),
        (&[("page[offset]", "99999999999999999999")], "page[offset]"),
        (&[("page[number]", "2")], "page[number]"),
        (&[("page[after]", "garbage")], "page[after]"),
        (
            &[("page[after]", "eyJub3QiOiJhIGN1cnNvciJ9")],
            "page[after]",
        ),
        (&[("page[after]", ""), ("page[offset]", "0")], "page[after]"),
        (
            &[("page[after]", ""), ("sort", "createdAt,email")],
            "page[after]",
        ),
        (&[("page[after]", ""), ("sort", "lastName")], "page[after]"),
        (&[("page[after]", ""), ("sort", "-lastName")], "page[after]"),
        // A cursor made under one sort is no place in another.
        (&[("page[after]", &cursor)], "page[after]"),
        (
            &[("page[after]", &cursor), ("sort", "-email")],
            "page[after]",
        ),
        (
            &[("page[after]", &cursor), ("sort", "createdAt")],
            "page[after]",
        ),
    ];
    for (params, parameter) in cases {
        let response = get(&app, &token, CUSTOMERS, params).await;
        assert_bad_parameter(&response, parameter, &format!("{params:?}"));
    }
    let twice = app
        .get(&format!("{CUSTOMERS}?page%5Blimit%5D=2&page%5Blimit%5D=3"))
        .bearer(&token)
        .send()
        .await;
    assert_bad_parameter(&twice, "page[limit]", "page[limit] twice");
    let same_sort = get(
        &app,
        &token,
        CUSTOMERS,
        &[("page[after]", &cursor), ("sort", "email")],
    )
    .await;
    assert_eq!(same_sort.status.as_u16(), 200, "{}", same_sort.text);
}

/// The document allows any `page[offset]` up to 2^64 - 1; SQL skips at most 2^63 - 1 rows. An
/// offset between the two is past the end like any other: an empty page, not a 400.
#[tokio::test]
async fn an_offset_beyond_what_sql_can_skip_is_an_empty_page_too() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    seed(&app, &token, 2).await;

    for offset in [
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
    ] {
        let page = list(
            &app,
            &token,
            &[("page[offset]", offset), ("page[limit]", "2")],
        )
        .await;

        assert_eq!(page.body["data"], json!([]), "{offset}");
        assert_eq!(page.body["meta"]["page"]["total"], json!(2), "{offset}");
        assert_eq!(
            page.body["meta"]["page"]["offset"].to_string(),
            offset,
            "as asked for"
        );
        assert_eq!(link(&page, "next"), None, "{offset}");
        assert_eq!(offset_of(&app, &page, "last", 2), Some(0), "{offset}");
    }
}
