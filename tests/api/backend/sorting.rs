//! `sort` on `GET /backend/customers` (issue 15 item 2; checklist A40, A41): `createdAt`,
//! `updatedAt`, `lastName`, `email`, ascending or `-` descending, several keys in the order
//! given; anything else a 400 naming `sort`.

use serde_json::json;

use super::{
    admin, assert_bad_parameter, created, customer_path, get, id_of, listed, patch, CUSTOMERS,
};
use crate::helpers::spawn_app;

#[tokio::test]
async fn each_key_sorts_ascending_and_descending() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    // Created in this order; last names and emails in mixed case, sorted case-insensitively.
    let people = [
        ("Carla", "clark", "Delta@example.com"),
        ("Anna", "Brown", "alpha@example.com"),
        ("Bea", "adams", "charlie@example.com"),
        ("Dora", "Dubois", "Bravo@example.com"),
    ];
    let mut r = Vec::new();
    for (first, last, email) in people {
        r.push(id_of(&created(&app, &token, email, first, last).await));
    }
    // Changed after creation: updatedAt order 1, 3, 2, 0.
    for i in [2, 0] {
        let changed = patch(&app, &token, &r[i], json!({"firstName": "Changed"}), None).await;
        assert_eq!(changed.status.as_u16(), 200, "{}", changed.text);
    }

    let cases: [(&str, [usize; 4]); 8] = [
        ("createdAt", [0, 1, 2, 3]),
        ("-createdAt", [3, 2, 1, 0]),
        ("updatedAt", [1, 3, 2, 0]),
        ("-updatedAt", [0, 2, 3, 1]),
        ("lastName", [2, 1, 0, 3]),
        ("-lastName", [3, 0, 1, 2]),
        ("email", [1, 3, 2, 0]),
        ("-email", [0, 2, 3, 1]),
    ];
    for (sort, order) in cases {
        let expected: Vec<String> = order.iter().map(|i| r[*i].clone()).collect();
        assert_eq!(
            listed(&app, &token, &[("sort", sort)]).await,
            expected,
            "sort={sort}"
        );
    }
    // Without a sort: the order of creation.
    assert_eq!(listed(&app, &token, &[]).await, r);
}

#[tokio::test]
async fn several_keys_apply_in_the_order_given() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let mut r = Vec::new();
    for (last, email) in [
        ("Meyer", "m2@example.com"),
        ("Adler", "a1@example.com"),
        ("meyer", "m1@example.com"),
        ("Meyer", "m3@example.com"),
        ("Adler", "a2@example.com"),
    ] {
        r.push(id_of(&created(&app, &token, email, "Same", last).await));
    }
    let order =
        |indexes: &[usize]| -> Vec<String> { indexes.iter().map(|i| r[*i].clone()).collect() };

    let cases: [(&str, Vec<String>); 5] = [
        ("lastName,-createdAt", order(&[4, 1, 3, 2, 0])),
        ("lastName,createdAt", order(&[1, 4, 0, 2, 3])),
        ("lastName,email", order(&[1, 4, 2, 0, 3])),
        ("-lastName,email", order(&[2, 0, 3, 1, 4])),
        ("-createdAt,lastName", order(&[4, 3, 2, 1, 0])),
    ];
    for (sort, expected) in cases {
        assert_eq!(
            listed(&app, &token, &[("sort", sort)]).await,
            expected,
            "sort={sort}"
        );
    }
}

#[tokio::test]
async fn customers_without_a_last_name_sort_after_the_others_on_every_database() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let mut r = Vec::new();
    for (last, email) in [
        ("Berg", "b@example.com"),
        ("Gone", "g@example.com"),
        ("Adler", "a@example.com"),
    ] {
        r.push(id_of(&created(&app, &token, email, "Some", last).await));
    }
    // Anonymized: no last name any more.
    let delete = app
        .delete(&customer_path(&r[1]))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(delete.status.as_u16(), 204, "{}", delete.text);

    let ascending = listed(&app, &token, &[("sort", "lastName")]).await;
    let descending = listed(&app, &token, &[("sort", "-lastName")]).await;

    assert_eq!(ascending, [r[2].clone(), r[0].clone(), r[1].clone()]);
    assert_eq!(descending, [r[1].clone(), r[0].clone(), r[2].clone()]);
}

#[tokio::test]
async fn an_unsupported_sort_is_400_naming_sort() {
    let app = spawn_app().await;
    let token = admin(&app).await;

    for sort in [
        "firstName",
        "id",
        "status",
        "customerReference",
        "",
        "createdAt,",
        "createdAt,,email",
        "+email",
        "--email",
        "email desc",
        "Email",
        "created_at",
    ] {
        let response = get(&app, &token, CUSTOMERS, &[("sort", sort)]).await;
        assert_bad_parameter(&response, "sort", &format!("sort={sort:?}"));
    }
}
