//! Keyset paging for deep sync (issue 15 item 2): `page[after]=` starts, `links.next` carries
//! an opaque cursor until the end; stable while rows are inserted or changed between pages
//! (none skipped, none repeated); no `last`, no `prev`, no total.

use std::collections::HashSet;

use diesel::prelude::*;
use glue_customers::db::schema::customers;
use serde_json::{json, Value};

use super::{admin, attributes, created, follow, ids, link, list, listed, patch, seed};
use crate::helpers::{spawn_app, TestApp, TestResponse};

/// Follows `links.next` from `first` to the end, running `between(page number)` after each
/// page; returns every row seen, in order, and the pages.
async fn walk<F, Fut>(
    app: &TestApp,
    token: &str,
    first: TestResponse,
    mut between: F,
) -> (Vec<String>, Vec<TestResponse>)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut page = first;
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        seen.extend(ids(&page));
        between(pages.len()).await;
        let next = link(&page, "next");
        pages.push(page);
        match next {
            Some(url) => page = follow(app, token, &url).await,
            None => return (seen, pages),
        }
        assert!(pages.len() < 50, "paging does not end");
    }
}

/// Ten customers whose emails sort in another order than they were created in.
async fn shuffled(app: &TestApp, token: &str) -> Vec<String> {
    let mut references = Vec::new();
    for i in 0..10 {
        let email = format!("k{:02}@example.com", (i * 7) % 10);
        let data = created(
            app,
            token,
            &email,
            &format!("First{i}"),
            &format!("Last{i}"),
        )
        .await;
        references.push(super::id_of(&data));
    }
    references
}

#[tokio::test]
async fn keyset_paging_visits_every_row_once_while_rows_are_inserted_and_changed_between_pages() {
    // (sort, whether each of the rows inserted during the walk lies ahead of the cursor)
    let cases: [(&str, [bool; 3]); 5] = [
        ("", [true, true, true]),
        ("createdAt", [true, true, true]),
        ("-createdAt", [false, false, false]),
        ("email", [false, true, true]),
        ("-email", [true, false, false]),
    ];
    for (sort, ahead) in cases {
        let app = spawn_app().await;
        let token = admin(&app).await;
        let original = shuffled(&app, &token).await;
        let mut params = vec![("page[after]", ""), ("page[limit]", "3")];
        if !sort.is_empty() {
            params.push(("sort", sort));
        }
        let first = list(&app, &token, &params).await;
        let visited: HashSet<String> = ids(&first).into_iter().collect();
        let unvisited = original.iter().find(|r| !visited.contains(*r)).cloned();
        let inserted = std::cell::RefCell::new(Vec::new());

        let (seen, pages) = walk(&app, &token, first, |page| {
            let (app, token, inserted) = (&app, &token, &inserted);
            let (unvisited, visited) = (unvisited.clone(), visited.clone());
            async move {
                let emails: &[&str] = match page {
                    0 => &["a-early@example.com", "z-late@example.com"],
                    1 => &["z-later@example.com"],
                    _ => &[],
                };
                for email in emails {
                    let data = created(app, token, email, "New", "Row").await;
                    inserted.borrow_mut().push(super::id_of(&data));
                }
                if page == 0 {
                    // One row ahead and one behind change; neither moves in these orders.
                    let ahead = unvisited.expect("rows beyond the first page");
                    let behind = visited.iter().next().expect("a visited row").clone();
                    for reference in [ahead, behind] {
                        let changed = patch(
                            app,
                            token,
                            &reference,
                            json!({"firstName": "Changed"}),
                            None,
                        )
                        .await;
                        assert_eq!(changed.status.as_u16(), 200, "{}", changed.text);
                    }
                }
            }
        })
        .await;

        let inserted = inserted.into_inner();
        let mut unique = HashSet::new();
        for id in &seen {
            assert!(
                unique.insert(id),
                "sort {sort:?}: {id} seen twice in {seen:?}"
            );
        }
        for reference in &original {
            assert!(
                unique.contains(reference),
                "sort {sort:?}: {reference} skipped"
            );
        }
        for (reference, ahead) in inserted.iter().zip(ahead) {
            assert_eq!(
                unique.contains(reference),
                ahead,
                "sort {sort:?}: inserted {reference}"
            );
        }
        // In the order of the sort, as an offset listing shows it now.
        let mut everything = vec![("page[limit]", "500")];
        if !sort.is_empty() {
            everything.push(("sort", sort));
        }
        let now: Vec<String> = listed(&app, &token, &everything)
            .await
            .into_iter()
            .filter(|id| unique.contains(id))
            .collect();
        assert_eq!(seen, now, "sort {sort:?}");
        for page in &pages {
            assert_eq!(link(page, "prev"), None, "sort {sort:?}");
            assert_eq!(link(page, "last"), None, "sort {sort:?}");
            assert!(link(page, "first").is_some(), "sort {sort:?}");
            assert!(
                page.body["meta"]["page"].get("total").is_none(),
                "{}",
                page.text
            );
        }
    }
}

#[tokio::test]
async fn a_sync_by_updated_at_delivers_a_row_changed_after_its_page_again_at_the_end() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let all = seed(&app, &token, 6).await;
    let first = list(
        &app,
        &token,
        &[
            ("page[after]", ""),
            ("page[limit]", "2"),
            ("sort", "updatedAt"),
        ],
    )
    .await;
    let delivered = ids(&first)[0].clone();

    let (seen, pages) = walk(&app, &token, first, |page| {
        let (app, token, delivered) = (&app, &token, delivered.clone());
        async move {
            if page == 0 {
                let changed =
                    patch(app, token, &delivered, json!({"lastName": "Moved"}), None).await;
                assert_eq!(changed.status.as_u16(), 200, "{}", changed.text);
            }
        }
    })
    .await;

    let mut expected = all.clone();
    expected.push(delivered.clone());
    assert_eq!(seen, expected);
    let last_page = pages
        .iter()
        .rev()
        .find(|p| !ids(p).is_empty())
        .expect("rows");
    let resource: &Value = last_page.body["data"]
        .as_array()
        .and_then(|rows| rows.last())
        .expect("a last row");
    assert_eq!(resource["attributes"]["lastName"], "Moved");
}

#[tokio::test]
async fn rows_with_the_same_timestamp_are_ordered_by_id_and_none_is_lost() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let all = seed(&app, &token, 5).await;
    let instant = chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
        .and_then(|d| d.and_hms_micro_opt(9, 30, 0, 123_456))
        .expect("a time");
    app.db()
        .write(move |conn| {
            diesel::update(customers::table)
                .set((
                    customers::created_at.eq(instant),
                    customers::updated_at.eq(instant),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("timestamps set");

    for (sort, reversed) in [
        ("createdAt", false),
        ("-createdAt", true),
        ("updatedAt", false),
        ("-updatedAt", true),
    ] {
        let first = list(
            &app,
            &token,
            &[("page[after]", ""), ("page[limit]", "2"), ("sort", sort)],
        )
        .await;
        let (seen, _) = walk(&app, &token, first, |_| async {}).await;

        let mut expected = all.clone();
        if reversed {
            expected.reverse();
        }
        assert_eq!(seen, expected, "sort {sort}");
    }
}

#[tokio::test]
async fn a_full_last_page_links_to_an_empty_one_that_ends_the_walk() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let all = seed(&app, &token, 6).await;
    let first = list(&app, &token, &[("page[after]", ""), ("page[limit]", "3")]).await;

    let (seen, pages) = walk(&app, &token, first, |_| async {}).await;

    assert_eq!(seen, all);
    let sizes: Vec<usize> = pages.iter().map(|p| ids(p).len()).collect();
    assert!(sizes == [3, 3] || sizes == [3, 3, 0], "{sizes:?}");
    assert_eq!(link(pages.last().expect("a page"), "next"), None);
}

#[tokio::test]
async fn keyset_links_keep_the_filters_and_the_walk_stays_inside_them() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    seed(&app, &token, 3).await;
    let mut wanted = Vec::new();
    for i in 0..5 {
        let email = format!("wanted{i}@partner.example");
        wanted.push(super::id_of(
            &created(&app, &token, &email, "Wanted", "Row").await,
        ));
    }
    seed_more(&app, &token).await;
    let first = list(
        &app,
        &token,
        &[
            ("filter[q]", "wanted"),
            ("page[after]", ""),
            ("page[limit]", "2"),
        ],
    )
    .await;
    let next = link(&first, "next").expect("a next page");
    assert!(next.contains("filter%5Bq%5D=wanted"), "{next}");

    let (seen, _) = walk(&app, &token, first, |_| async {}).await;

    assert_eq!(seen, wanted);
}

async fn seed_more(app: &TestApp, token: &str) {
    let response = super::create(
        app,
        token,
        &super::customer_document(attributes("later@example.com", "Later", "Row"), None),
    )
    .await;
    assert_eq!(response.status.as_u16(), 201, "{}", response.text);
}

/// A cursor as the server encodes one: base64url (no padding) of its JSON.
fn forged(json: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

#[tokio::test]
async fn a_forged_cursor_is_400_naming_page_after_never_a_500() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    seed(&app, &token, 2).await;

    for (cursor, sort) in [
        (
            r#"{"key":"CreatedAt","descending":false,"value":"yesterday","id":1}"#,
            "createdAt",
        ),
        (
            r#"{"key":"CreatedAt","descending":false,"value":null,"id":1}"#,
            "createdAt",
        ),
        (
            r#"{"key":"UpdatedAt","descending":true,"value":"2026-13-01 00:00:00","id":1}"#,
            "-updatedAt",
        ),
        (
            r#"{"key":"Email","descending":false,"value":null,"id":1}"#,
            "email",
        ),
        (
            r#"{"key":"Email","descending":false,"value":"a@example.com","id":"one"}"#,
            "email",
        ),
        (
            r#"{"key":"Nope","descending":false,"value":"x","id":1}"#,
            "email",
        ),
    ] {
        let response = super::get(
            &app,
            &token,
            super::CUSTOMERS,
            &[("page[after]", &forged(cursor)), ("sort", sort)],
        )
        .await;
        super::assert_bad_parameter(&response, "page[after]", cursor);
    }
    // A well-formed one is simply a place in the order.
    let from = forged(r#"{"key":"Email","descending":false,"value":"c0@example.com","id":1}"#);
    let after = listed(&app, &token, &[("page[after]", &from), ("sort", "email")]).await;
    assert_eq!(after.len(), 1, "{after:?}");
}
