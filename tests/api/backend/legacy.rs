//! Data written before this version: migration 000006 filled the lower-case names `filter[q]`
//! searches with SQL `lower()`, which leaves non-ASCII letters as they are on SQLite. The next
//! start recomputes them once with the service's own rule.

use super::{admin, created, id_of, listed};
use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn names_lower_cased_by_the_migration_are_recomputed_at_the_next_start() {
    let first = spawn_app().await;
    let token = admin(&first).await;
    let reference = id_of(&created(&first, &token, "oe@example.com", "Örjan", "Östlund").await);
    // As the migration left a customer registered before it: `lower()` of ASCII only, and no
    // record that the recomputation ran.
    let stale = format!(
        "UPDATE customers SET first_name_normalized = 'Örjan', \
         last_name_normalized = 'Östlund' WHERE customer_reference = '{reference}'"
    );
    first
        .db()
        .write(move |conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(stale.as_str()).execute(conn)?;
            diesel::sql_query("DELETE FROM sequences WHERE name = 'task:normalized-names'")
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("make the row stale");
    assert!(listed(&first, &token, &[("filter[q]", "öst")])
        .await
        .is_empty());

    // Another start on the same database.
    let second = spawn_app_with(&[("DATABASE_URL", first.database_url.as_str())]).await;
    let token = admin(&second).await;

    for q in ["öst", "ÖST", "örj"] {
        assert_eq!(
            listed(&second, &token, &[("filter[q]", q)]).await,
            vec![reference.clone()],
            "filter[q]={q}"
        );
    }
}
