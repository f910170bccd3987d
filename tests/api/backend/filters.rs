//! Filters of `GET /backend/customers` (issue 15 item 2; checklist A44): `filter[email]`
//! exact and case-insensitive, `filter[q]` a case-insensitive prefix of first name, last name
//! or email, `filter[status]`, `filter[group]`, `filter[createdAt][gte|lt]`,
//! `filter[updatedAt][gte]` (the sync); alone and combined; unknown filters and bad values 400.

use std::collections::BTreeSet;

use chrono::{NaiveDateTime, SecondsFormat};
use serde_json::json;

use super::{
    admin, assert_bad_parameter, attributes, create, created, customer_document, customer_path,
    fetch, get, id_of, listed, new_group, patch, storefront_login, CUSTOMERS,
};
use crate::helpers::{spawn_app, spawn_app_with, TestApp, PASSWORD};

/// Query parameters of one case.
type Params<'a> = Vec<(&'a str, &'a str)>;

fn set(ids: Vec<String>) -> BTreeSet<String> {
    ids.into_iter().collect()
}

fn refs(references: &[&String]) -> BTreeSet<String> {
    references.iter().map(|r| (*r).clone()).collect()
}

/// Creates a customer with these names and email; returns its reference.
async fn person(app: &TestApp, token: &str, first: &str, last: &str, email: &str) -> String {
    id_of(&created(app, token, email, first, last).await)
}

#[tokio::test]
async fn filter_email_matches_the_whole_address_whatever_its_case() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let sonia = person(&app, &token, "Sonia", "Wagner", "Sonia.Wagner@Example.com").await;
    person(&app, &token, "Sonja", "Wagner", "sonia.wagner@example.org").await;

    let cases: &[(&str, &[&String])] = &[
        ("sonia.wagner@example.com", &[&sonia]),
        ("SONIA.WAGNER@EXAMPLE.COM", &[&sonia]),
        ("Sonia.Wagner@Example.com", &[&sonia]),
        ("sonia.wagner@example", &[]),
        ("sonia", &[]),
        ("onia.wagner@example.com", &[]),
        ("sonia.wagner@example.com ", &[]),
    ];
    for (email, expected) in cases {
        let found = listed(&app, &token, &[("filter[email]", email)]).await;
        assert_eq!(set(found), refs(expected), "filter[email]={email:?}");
    }
}

#[tokio::test]
async fn filter_q_is_a_case_insensitive_prefix_of_first_name_last_name_or_email() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let amelie = person(&app, &token, "Amelie", "Zander", "mz@one.example").await;
    let amsel = person(&app, &token, "Bert", "Amsel", "bx@two.example").await;
    let amy = person(&app, &token, "Carl", "Berg", "amy@three.example").await;
    let ostlund = person(&app, &token, "Dora", "Östlund", "dd@four.example").await;

    let cases: &[(&str, &[&String])] = &[
        ("am", &[&amelie, &amsel, &amy]),
        ("AM", &[&amelie, &amsel, &amy]),
        ("aMe", &[&amelie]),
        ("amelie", &[&amelie]),
        ("zan", &[&amelie]),
        ("ZANDER", &[&amelie]),
        ("amy@three.example", &[&amy]),
        ("AMY@", &[&amy]),
        ("bx", &[&amsel]),
        ("be", &[&amsel, &amy]),
        ("öst", &[&ostlund]),
        ("ÖST", &[&ostlund]),
        // A prefix, not a substring.
        ("el", &[]),
        ("mel", &[]),
        ("example", &[]),
        // Nothing is a pattern.
        ("%", &[]),
        ("_m", &[]),
        ("a*", &[]),
    ];
    for (q, expected) in cases {
        let found = listed(&app, &token, &[("filter[q]", q)]).await;
        assert_eq!(set(found), refs(expected), "filter[q]={q:?}");
    }
}

#[tokio::test]
async fn filter_status_selects_each_of_the_four_states() {
    let app = spawn_app_with(&[("GLUE_DOUBLE_OPT_IN", "true")]).await;
    let token = admin(&app).await;
    let active = person(&app, &token, "Active", "One", "active@example.com").await;
    let blocked = person(&app, &token, "Blocked", "One", "blocked@example.com").await;
    let gone = person(&app, &token, "Gone", "One", "gone@example.com").await;
    let unconfirmed = app.register("unconfirmed@example.com", PASSWORD).await;
    let block = patch(&app, &token, &blocked, json!({"status": "blocked"}), None).await;
    assert_eq!(block.status.as_u16(), 200, "{}", block.text);
    let delete = app
        .delete(&customer_path(&gone))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(delete.status.as_u16(), 204, "{}", delete.text);

    for (status, reference) in [
        ("active", &active),
        ("blocked", &blocked),
        ("anonymized", &gone),
        ("unconfirmed", &unconfirmed),
    ] {
        let found = listed(&app, &token, &[("filter[status]", status)]).await;
        assert_eq!(
            found,
            std::slice::from_ref(reference),
            "filter[status]={status}"
        );
        let resource = fetch(&app, &token, reference).await;
        assert_eq!(resource["attributes"]["status"], status, "{resource}");
    }
    let everyone = listed(&app, &token, &[]).await;
    assert_eq!(everyone.len(), 4, "no filter: every state");
}

#[tokio::test]
async fn filter_group_selects_the_members_of_a_group() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let vip = new_group(&app, &token, "VIP").await;
    let plain = person(&app, &token, "Plain", "One", "plain@example.com").await;
    let member = create(
        &app,
        &token,
        &customer_document(
            attributes("vip@example.com", "Very", "Important"),
            Some(&vip),
        ),
    )
    .await;
    assert_eq!(member.status.as_u16(), 201, "{}", member.text);
    let member = id_of(&member.body["data"]);
    let default = super::default_group(&app, &token).await;

    assert_eq!(
        listed(&app, &token, &[("filter[group]", &vip)]).await,
        [member]
    );
    assert_eq!(
        listed(&app, &token, &[("filter[group]", &default)]).await,
        [plain]
    );
    let unknown = listed(&app, &token, &[("filter[group]", "no-such-group")]).await;
    assert!(
        unknown.is_empty(),
        "an unknown group has no members: {unknown:?}"
    );
}

/// A timestamp as the API shows it, as RFC 3339 in UTC and with another offset.
fn rfc3339_forms(shown: &str) -> [String; 3] {
    let at = NaiveDateTime::parse_from_str(shown, "%Y-%m-%d %H:%M:%S%.f").expect("a timestamp");
    let utc = at.and_utc();
    let berlin = utc.with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).expect("offset"));
    [
        shown.to_owned(),
        utc.to_rfc3339_opts(SecondsFormat::Micros, true),
        berlin.to_rfc3339_opts(SecondsFormat::Micros, false),
    ]
}

#[tokio::test]
async fn filter_created_at_gte_and_lt_bound_a_window_in_either_timestamp_form() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let mut rows = Vec::new();
    for i in 0..4 {
        rows.push(created(&app, &token, &format!("w{i}@example.com"), "Window", "Row").await);
    }
    let reference = |i: usize| id_of(&rows[i]);
    let shown = |i: usize| {
        rows[i]["attributes"]["createdAt"]
            .as_str()
            .expect("createdAt")
            .to_owned()
    };

    for (second, third) in rfc3339_forms(&shown(1))
        .into_iter()
        .zip(rfc3339_forms(&shown(3)))
    {
        let from = listed(&app, &token, &[("filter[createdAt][gte]", &second)]).await;
        let before = listed(&app, &token, &[("filter[createdAt][lt]", &second)]).await;
        let window = listed(
            &app,
            &token,
            &[
                ("filter[createdAt][gte]", &second),
                ("filter[createdAt][lt]", &third),
            ],
        )
        .await;

        assert_eq!(
            from,
            [reference(1), reference(2), reference(3)],
            "gte {second}"
        );
        assert_eq!(before, [reference(0)], "lt {second}");
        assert_eq!(
            window,
            [reference(1), reference(2)],
            "gte {second}, lt {third}"
        );
    }
}

#[tokio::test]
async fn filter_updated_at_gte_returns_only_what_changed_since_the_last_sync() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let mut references = Vec::new();
    for i in 0..4 {
        references.push(person(&app, &token, "Sync", "Row", &format!("s{i}@example.com")).await);
    }
    let shopper = &references[3];
    let first_sync = listed(&app, &token, &[]).await;
    assert_eq!(first_sync.len(), 4);
    let last_sync = chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let nothing = listed(&app, &token, &[("filter[updatedAt][gte]", &last_sync)]).await;
    let changed = patch(
        &app,
        &token,
        &references[1],
        json!({"firstName": "Changed"}),
        None,
    )
    .await;
    assert_eq!(changed.status.as_u16(), 200, "{}", changed.text);
    let one = listed(&app, &token, &[("filter[updatedAt][gte]", &last_sync)]).await;
    // The shopper changes their own name on the storefront.
    let (access, _) = storefront_login(&app, "s3@example.com", PASSWORD).await;
    let own = app
        .patch(
            &format!("/customers/{shopper}"),
            &json!({"data": {"type": "customers", "id": shopper, "attributes": {"lastName": "Renamed"}}}),
        )
        .bearer(&access)
        .send()
        .await;
    assert_eq!(own.status.as_u16(), 200, "{}", own.text);
    let two = listed(
        &app,
        &token,
        &[
            ("filter[updatedAt][gte]", &last_sync),
            ("sort", "updatedAt"),
        ],
    )
    .await;

    assert!(nothing.is_empty(), "nothing changed yet: {nothing:?}");
    assert_eq!(one, [references[1].clone()]);
    assert_eq!(two, [references[1].clone(), shopper.clone()]);
}

#[tokio::test]
async fn filters_combine_with_each_other_and_with_sort() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let vip = new_group(&app, &token, "VIP").await;
    let in_vip = |email: &str, first: &str| {
        customer_document(attributes(email, first, "Anders"), Some(&vip))
    };
    let mut vips = Vec::new();
    for (email, first) in [
        ("ann@example.com", "Ann"),
        ("anton@example.com", "Anton"),
        ("bob@example.com", "Bob"),
    ] {
        let response = create(&app, &token, &in_vip(email, first)).await;
        assert_eq!(response.status.as_u16(), 201, "{}", response.text);
        vips.push(id_of(&response.body["data"]));
    }
    let outsider = person(&app, &token, "Anna", "Anders", "anna@example.com").await;
    let block = patch(&app, &token, &vips[1], json!({"status": "blocked"}), None).await;
    assert_eq!(block.status.as_u16(), 200, "{}", block.text);
    let created_anton = fetch(&app, &token, &vips[1]).await["attributes"]["createdAt"]
        .as_str()
        .expect("createdAt")
        .to_owned();

    let cases: Vec<(Params, Vec<&String>)> = vec![
        (
            vec![("filter[q]", "an"), ("filter[group]", &vip)],
            vec![&vips[0], &vips[1], &vips[2]],
        ),
        (
            vec![("filter[q]", "ann"), ("filter[group]", &vip)],
            vec![&vips[0]],
        ),
        (
            vec![("filter[q]", "an"), ("filter[status]", "active")],
            vec![&vips[0], &vips[2], &outsider],
        ),
        (
            vec![
                ("filter[q]", "an"),
                ("filter[status]", "blocked"),
                ("filter[group]", &vip),
            ],
            vec![&vips[1]],
        ),
        (
            vec![
                ("filter[email]", "ANNA@example.com"),
                ("filter[q]", "anders"),
            ],
            vec![&outsider],
        ),
        (
            vec![
                ("filter[email]", "anna@example.com"),
                ("filter[group]", &vip),
            ],
            vec![],
        ),
        (
            vec![
                ("filter[group]", &vip),
                ("filter[createdAt][gte]", &created_anton),
                ("sort", "-email"),
            ],
            vec![&vips[2], &vips[1]],
        ),
        (
            vec![
                ("filter[q]", "an"),
                ("filter[createdAt][lt]", &created_anton),
                ("sort", "-createdAt"),
            ],
            vec![&vips[0]],
        ),
    ];
    for (params, expected) in cases {
        let found = listed(&app, &token, &params).await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        if params.iter().any(|(name, _)| *name == "sort") {
            assert_eq!(found, expected, "{params:?}");
        } else {
            assert_eq!(set(found), set(expected), "{params:?}");
        }
    }
}

#[tokio::test]
async fn unknown_filters_and_bad_filter_values_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    let token = admin(&app).await;

    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("filter[nope]", "x")], "filter[nope]"),
        (&[("filter[firstName]", "Ann")], "filter[firstName]"),
        (
            &[("filter[createdAt]", "2026-01-01T00:00:00Z")],
            "filter[createdAt]",
        ),
        (
            &[("filter[createdAt][gt]", "2026-01-01T00:00:00Z")],
            "filter[createdAt][gt]",
        ),
        (
            &[("filter[updatedAt][lt]", "2026-01-01T00:00:00Z")],
            "filter[updatedAt][lt]",
        ),
        (&[("filter[status]", "deleted")], "filter[status]"),
        (&[("filter[status]", "Active")], "filter[status]"),
        (&[("filter[status]", "")], "filter[status]"),
        (
            &[("filter[createdAt][gte]", "yesterday")],
            "filter[createdAt][gte]",
        ),
        (
            &[("filter[createdAt][gte]", "2026-13-01T00:00:00Z")],
            "filter[createdAt][gte]",
        ),
        (
            &[("filter[createdAt][lt]", "2026-01-01")],
            "filter[createdAt][lt]",
        ),
        (&[("filter[createdAt][lt]", "")], "filter[createdAt][lt]"),
        (
            &[("filter[updatedAt][gte]", "1767225600")],
            "filter[updatedAt][gte]",
        ),
        (
            &[("filter[updatedAt][gte]", "2026-01-01T00:00:00")],
            "filter[updatedAt][gte]",
        ),
        (&[("filter", "x")], "filter"),
        (&[("fooBar", "1")], "fooBar"),
        (
            &[
                ("filter[status]", "active"),
                ("filter[q]", "a"),
                ("filter[status]", "blocked"),
            ],
            "filter[status]",
        ),
    ];
    for (params, parameter) in cases {
        let response = get(&app, &token, CUSTOMERS, params).await;
        assert_bad_parameter(&response, parameter, &format!("{params:?}"));
    }
}
