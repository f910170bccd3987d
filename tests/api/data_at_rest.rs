//! What the SQLite files on disk hold (issue: data at rest): private permissions, and no
//! personal data of an anonymized customer, in the database file or its WAL. (PostgreSQL's
//! files belong to its server; see the README.)

use std::path::Path;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app_with, TestApp, PASSWORD};

/// An app on a SQLite file in a directory that does not exist yet.
async fn app_in(dir: &Path) -> TestApp {
    let url = format!("sqlite://{}", dir.join("data/glue.db").display());
    spawn_app_with(&[("DATABASE_URL", url.as_str())]).await
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_file_its_wal_and_its_directory_are_readable_by_the_service_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = app_in(dir.path()).await;
    app.customer().await;

    let data = dir.path().join("data");
    assert_eq!(mode(&data), 0o700, "directory");
    for file in ["glue.db", "glue.db-wal", "glue.db-shm"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
}

#[tokio::test]
async fn anonymization_leaves_no_personal_data_in_the_database_file_or_its_wal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = app_in(dir.path()).await;
    let email = "zebulon.quaxworth@example.com";
    let mut attributes = crate::helpers::registration(email, PASSWORD);
    attributes["firstName"] = json!("Zebulon");
    attributes["lastName"] = json!("Quaxworth");
    let reference = app.register_with(attributes).await.body["data"]["id"]
        .as_str()
        .expect("registered")
        .to_owned();
    let login = app.login(email, PASSWORD).await;
    let token = login.body["data"]["attributes"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let path = format!("/customers/{reference}");
    // An older version of the row, too.
    let renamed = app
        .patch(
            &path,
            &json!({"data": {"type": "customers", "attributes": {"firstName": "Xanthippe"}}}),
        )
        .bearer(&token)
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    let files = ["glue.db", "glue.db-wal", "glue.db-shm"].map(|f| dir.path().join("data").join(f));
    let found = |needle: &str| {
        files.iter().any(|file| {
            let bytes = std::fs::read(file).unwrap_or_default();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
    };
    assert!(found("Quaxworth"), "the scan finds data that is there");

    let deleted = app.delete(&path).bearer(&token).send().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    for needle in ["zebulon.quaxworth", "Zebulon", "Quaxworth", "Xanthippe"] {
        assert!(
            !found(needle),
            "`{needle}` is still on disk after anonymization"
        );
    }
}
