//! `glue-customers export [FILE]`: JSON lines that an import into an empty database turns back
//! into the same customers, without password hashes unless asked for.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{address, counts, create_group, export, glue, import, json_lines, row, write_file};
use crate::helpers::{spawn_app, PASSWORD};

/// What the export writes of a customer that another database gives other values.
const VOLATILE: [&str; 2] = ["customerReference", "updatedAt"];

fn without_volatile(lines: &[Value]) -> Vec<Value> {
    lines
        .iter()
        .map(|line| {
            let mut line = line.clone();
            for name in VOLATILE {
                line.as_object_mut().expect("an object").remove(name);
            }
            line
        })
        .collect()
}

#[tokio::test]
async fn an_export_imported_into_a_fresh_database_reproduces_the_customers() {
    let source = spawn_app().await;
    create_group(&source, "Gold");
    // One who registered on the storefront, the others imported with every field.
    source.register("shopper@example.com", PASSWORD).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut shipping = address("Hamburg");
    shipping["isDefaultShipping"] = json!(true);
    shipping["address3"] = json!("Hinterhaus");
    let file = write_file(
        &dir,
        "seed.jsonl",
        &json_lines(&[
            json!({"email": "Anna@Example.com", "firstName": "Anna", "lastName": "Berg",
                   "salutation": "Ms", "gender": "Female", "dateOfBirth": "1990-05-17",
                   "group": "Gold", "acceptedMarketing": true,
                   "createdAt": "2019-04-05T06:07:08.123456Z",
                   "passwordHash": bcrypt::hash("An0ther!secret", 4).expect("hash"),
                   "addresses": [address("Berlin"), shipping]}),
            json!({"email": "bo@example.com", "status": "blocked"}),
            json!({"email": "cleo@example.com", "firstName": "Cleo",
                   "createdAt": "2018-01-01 00:00:00"}),
        ]),
    );
    assert_eq!(import(&source, &file, &[]).counts(), counts(3, 3, 0, 0, 0));
    let dump = dir.path().join("dump.jsonl");
    let dump_path = dump.to_str().expect("UTF-8");

    let run = glue(&source, &["export", dump_path, "--with-password-hashes"]);
    let target = spawn_app().await;
    create_group(&target, "Gold");
    let imported = import(&target, &dump, &[]);

    assert_eq!(
        run.report(),
        [format!("exported 4 customers to {dump_path}")]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dump).expect("dump").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "personal data: the owner's alone");
    }
    assert_eq!(imported.counts(), counts(4, 4, 0, 0, 0));
    let original: Vec<Value> = std::fs::read_to_string(&dump)
        .expect("dump")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    let copy = export(&target, true);
    assert_eq!(without_volatile(&copy), without_volatile(&original));
    assert_eq!(
        original[1]["addresses"][1]["isDefaultShipping"], true,
        "the seed's flags"
    );
    assert_eq!(original[2]["status"], "blocked");
    let login = target.login("shopper@example.com", PASSWORD).await;
    assert_eq!(
        login.status,
        StatusCode::CREATED,
        "the password moved: {}",
        login.text
    );
    assert_eq!(import(&target, &dump, &[]).counts(), counts(4, 0, 0, 4, 0));
}

#[tokio::test]
async fn the_export_leaves_out_password_hashes_unless_asked_and_anonymized_customers_always() {
    let app = spawn_app().await;
    let gone = app.customer().await;
    let deleted = app
        .delete(&format!("/customers/{}", gone.reference))
        .bearer(&gone.access_token)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    let dir = tempfile::tempdir().expect("temp dir");
    let hash = bcrypt::hash(PASSWORD, 4).expect("hash");
    let file = write_file(
        &dir,
        "people.csv",
        &format!("email,passwordHash\nwith@example.com,{hash}\nwithout@example.com,\n"),
    );
    assert_eq!(import(&app, &file, &[]).counts(), counts(2, 2, 0, 0, 0));

    let plain = export(&app, false);
    let with_hashes = export(&app, true);

    let emails = |lines: &[Value]| -> Vec<String> {
        lines
            .iter()
            .map(|l| l["email"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(emails(&plain), ["with@example.com", "without@example.com"]);
    assert!(
        plain.iter().all(|line| line.get("passwordHash").is_none()),
        "{plain:?}"
    );
    assert_eq!(emails(&with_hashes), emails(&plain));
    assert_eq!(with_hashes[0]["passwordHash"], json!(hash));
    assert_eq!(with_hashes[1]["passwordHash"], Value::Null);
    assert_eq!(
        row(&app, "with@example.com").password_hash.as_deref(),
        Some(hash.as_str())
    );
}
