//! `glue-customers import FILE`: the report line by line for CSV and JSON lines with good and
//! bad rows, upserts by email that change nothing the second time, groups, addresses, and the
//! exit codes of usage and file errors.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{
    address, count, counts, create_group, export, import, json_lines, row, rows, write_file,
};
use crate::helpers::{spawn_app, PASSWORD};

const NOT_A_TIME: &str =
    "This value is not a valid time (RFC 3339, or YYYY-MM-DD HH:MM:SS in UTC).";

/// The exported customer with this email.
fn exported(lines: &[Value], email: &str) -> Value {
    lines
        .iter()
        .find(|line| line["email"] == email)
        .unwrap_or_else(|| panic!("{email} in the export"))
        .clone()
}

#[tokio::test]
async fn a_csv_import_reports_each_rejected_row_with_its_line_and_reason() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_file(
        &dir,
        "customers.csv",
        "email,firstName,lastName,salutation,gender,dateOfBirth,group,acceptedMarketing,createdAt\n\
         anna@example.com,Anna,Berg,Ms,Female,1990-05-17,,true,2020-01-02 03:04:05\n\
         not-an-email,Bo,Bell,Mr,,,,,\n\
         carl@example.com,\"Carl\nSecond\",Cole,,,,,,\n\
         dora@example.com,Dora,Dahl,Sir,,,,,\n\
         ,Eve,Eck,,,,,,\n\
         fred@example.com,Fred,Fox,Mr,Male,1985-02-30,,maybe,yesterday\n\
         gina@example.com,Gina\n\
         Hans@Example.com,Hans,Hall,Dr,,,,false,2021-06-07T08:09:10+02:00\n\
         ida@example.com,Ida,,,,,Platinum,,\n\
         jo..e@example.com,Jo,,,,,,,\n",
    );

    let run = import(&app, &file, &[]);

    let mut expected = counts(10, 2, 0, 0, 8);
    expected.extend(
        [
            "line 3: email: This value is not a valid email address.",
            "line 4: firstName: This value contains characters that are not allowed.",
            "line 6: salutation: The value you selected is not a valid choice.",
            "line 7: email: This value should not be blank.",
            &format!(
                "line 8: dateOfBirth: This value is not a valid date.; acceptedMarketing: This \
                 value should be of type bool.; createdAt: {NOT_A_TIME}"
            ),
            "line 9: expected 9 fields, found 2",
            "line 11: group: there is no customer group named \"Platinum\".",
            "line 12: email: This value is not a valid email address.",
        ]
        .map(str::to_owned),
    );
    assert_eq!(run.report(), expected);
    let lines = export(&app, false);
    assert_eq!(lines.len(), 2, "only the good rows are in");
    let anna = exported(&lines, "anna@example.com");
    assert_eq!(
        (
            &anna["firstName"],
            &anna["lastName"],
            &anna["salutation"],
            &anna["gender"],
            &anna["dateOfBirth"],
            &anna["group"],
            &anna["acceptedMarketing"],
            &anna["status"],
            &anna["createdAt"],
        ),
        (
            &json!("Anna"),
            &json!("Berg"),
            &json!("Ms"),
            &json!("Female"),
            &json!("1990-05-17"),
            &json!("Default"),
            &json!(true),
            &json!("active"),
            &json!("2020-01-02T03:04:05.000000Z"),
        )
    );
    let hans = exported(&lines, "Hans@Example.com");
    assert_eq!(hans["createdAt"], "2021-06-07T06:09:10.000000Z", "as UTC");
    assert_eq!(hans["acceptedMarketing"], false);
    assert!(hans["lastName"] == "Hall" && hans["salutation"] == "Dr");
}

#[tokio::test]
async fn a_json_lines_import_reports_each_rejected_row_with_its_line_and_reason() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bad_country = address("Berlin");
    bad_country["iso2Code"] = json!("XX");
    let rows = [
        json!({"email": "ida@example.com", "firstName": "Ida", "lastName": "Iver",
               "salutation": "Mrs", "acceptedMarketing": true, "addresses": [address("Berlin")]})
        .to_string(),
        String::new(),
        "not json".to_owned(),
        "[1, 2]".to_owned(),
        json!({"email": "kim@example.com", "passwordHash": "$2a$10$tooshort"}).to_string(),
        json!({"email": "lea@example.com", "nickname": "Lea"}).to_string(),
        json!({"email": "max@example.com", "addresses": [bad_country]}).to_string(),
        json!({"email": "ned@example.com", "createdAt": "2020-13-01T00:00:00Z"}).to_string(),
        json!({"email": "oda@example.com", "acceptedMarketing": "yes", "firstName": null,
               "salutation": ""})
        .to_string(),
        json!({"email": "pia@example.com", "addresses": {"city": "Berlin"}}).to_string(),
        json!({"email": "quinn@example.com", "status": "blocked"}).to_string(),
    ];
    let file = write_file(&dir, "customers.jsonl", &(rows.join("\n") + "\n"));

    let run = import(&app, &file, &[]);

    let report = run.report();
    assert_eq!(
        report[..5],
        counts(10, 2, 0, 0, 8),
        "a blank line is no row"
    );
    assert!(
        report[5].starts_with("line 3: not valid JSON ("),
        "{}",
        report[5]
    );
    assert_eq!(
        report[6..],
        [
            "line 4: not a JSON object",
            "line 5: passwordHash: This value is not a bcrypt hash ($2a$, $2b$ or $2y$, cost \
             04-31, 53 characters after it).",
            "line 6: nickname: This field was not expected.",
            "line 7: addresses[0].iso2Code: This value is not a valid country.",
            &format!("line 8: createdAt: {NOT_A_TIME}"),
            "line 9: acceptedMarketing: This value should be of type bool.",
            "line 10: addresses: This value should be of type array.",
        ]
    );
    let lines = export(&app, false);
    let ida = exported(&lines, "ida@example.com");
    assert_eq!(ida["addresses"][0]["city"], "Berlin");
    assert_eq!(ida["status"], "active", "confirmed at once");
    assert_eq!(exported(&lines, "quinn@example.com")["status"], "blocked");
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing_and_says_unchanged() {
    let app = spawn_app().await;
    create_group(&app, "Gold");
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = write_file(
        &dir,
        "customers.csv",
        "email,firstName,lastName,group,acceptedMarketing,createdAt\n\
         anna@example.com,Anna,Berg,Gold,true,2020-01-02 03:04:05\n\
         bo@example.com,Bo,Bell,,false,\n\
         bad,,,,,\n",
    );
    let jsonl = write_file(
        &dir,
        "more.jsonl",
        &json_lines(&[json!({"email": "cleo@example.com", "status": "blocked",
                             "addresses": [address("Berlin"), address("Hamburg")]})]),
    );
    assert_eq!(import(&app, &csv, &[]).counts(), counts(3, 2, 0, 0, 1));
    assert_eq!(import(&app, &jsonl, &[]).counts(), counts(1, 1, 0, 0, 0));
    let before = rows(&app);

    let again_csv = import(&app, &csv, &[]);
    let again_jsonl = import(&app, &jsonl, &[]);

    assert_eq!(
        again_csv.report(),
        [
            counts(3, 0, 0, 2, 1),
            vec!["line 4: email: This value is not a valid email address.".to_owned()]
        ]
        .concat()
    );
    assert_eq!(again_jsonl.counts(), counts(1, 0, 0, 1, 0));
    let after = rows(&app);
    assert_eq!(after.len(), 3);
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(new.updated_at, old.updated_at, "{} untouched", old.email);
        assert_eq!(new.customer_reference, old.customer_reference);
    }
    let cleo = exported(&export(&app, false), "cleo@example.com");
    assert_eq!(
        cleo["addresses"].as_array().map(Vec::len),
        Some(2),
        "not added twice"
    );
}

#[tokio::test]
async fn a_changed_row_updates_only_that_customer_and_an_email_in_another_case_is_the_same() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let header = "email,firstName,lastName,acceptedMarketing\n";
    let first = write_file(
        &dir,
        "first.csv",
        &format!("{header}anna@example.com,Anna,Berg,false\nbo@example.com,Bo,Bell,false\ncleo@example.com,Cleo,Cole,\n"),
    );
    assert_eq!(import(&app, &first, &[]).counts(), counts(3, 3, 0, 0, 0));
    let before: HashMap<String, _> = rows(&app)
        .into_iter()
        .map(|c| (c.email_normalized.clone(), c))
        .collect();
    // Bo marries; Cleo's empty cells say nothing (they clear nothing); Anna's address is
    // written in capitals this time.
    let second = write_file(
        &dir,
        "second.csv",
        &format!("{header}ANNA@EXAMPLE.COM,Anna,Berg,false\nbo@example.com,Bo,Brandt,true\ncleo@example.com,,,\n"),
    );

    let run = import(&app, &second, &[]);

    assert_eq!(run.counts(), counts(3, 0, 2, 1, 0));
    assert_eq!(count(&app), 3, "no customer twice");
    let bo = row(&app, "bo@example.com");
    assert_eq!(bo.last_name.as_deref(), Some("Brandt"));
    assert!(bo.accepted_marketing);
    assert!(bo.updated_at > before["bo@example.com"].updated_at);
    let anna = row(&app, "anna@example.com");
    assert_eq!(anna.email, "ANNA@EXAMPLE.COM", "stored as given");
    assert_eq!(
        anna.customer_reference,
        before["anna@example.com"].customer_reference
    );
    let cleo = row(&app, "cleo@example.com");
    assert_eq!(cleo.updated_at, before["cleo@example.com"].updated_at);
    assert_eq!(cleo.first_name.as_deref(), Some("Cleo"));
}

#[tokio::test]
async fn customers_join_the_named_group_or_the_default_one_and_an_unknown_name_is_rejected() {
    let app = spawn_app().await;
    create_group(&app, "Gold");
    let dir = tempfile::tempdir().expect("temp dir");
    let first = write_file(
        &dir,
        "first.csv",
        "email,group\nanna@example.com,Gold\nbo@example.com,\ncleo@example.com,Gld\n",
    );
    let run = import(&app, &first, &[]);
    assert_eq!(
        run.report(),
        [
            counts(3, 2, 0, 0, 1),
            vec!["line 4: group: there is no customer group named \"Gld\".".to_owned()]
        ]
        .concat()
    );
    let second = write_file(&dir, "second.csv", "email,group\nbo@example.com,Gold\n");
    assert_eq!(import(&app, &second, &[]).counts(), counts(1, 0, 1, 0, 0));

    let groups: Vec<(String, String)> = export(&app, false)
        .iter()
        .map(|c| {
            (
                c["email"].as_str().unwrap_or_default().to_owned(),
                c["group"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("anna@example.com".to_owned(), "Gold".to_owned()),
            ("bo@example.com".to_owned(), "Gold".to_owned()),
        ]
    );
    let names = app
        .db()
        .run_now(|conn| Ok(glue_customers::groups::repo::list(conn)?))
        .expect("groups")
        .into_iter()
        .map(|g| g.name)
        .collect::<Vec<_>>();
    assert_eq!(names, ["Default", "Gold"], "a typo creates no group");
}

#[tokio::test]
async fn addresses_are_imported_and_the_first_or_the_flagged_one_is_the_default() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let hash = bcrypt::hash(PASSWORD, 4).expect("hash");
    let mut hamburg_shipping = address("Hamburg");
    hamburg_shipping["isDefaultShipping"] = json!(true);
    let file = write_file(
        &dir,
        "addresses.jsonl",
        &json_lines(&[
            json!({"email": "anna@example.com", "passwordHash": hash,
                   "addresses": [address("Berlin"), address("Hamburg")]}),
            json!({"email": "bo@example.com", "passwordHash": hash,
                   "addresses": [address("Berlin"), hamburg_shipping]}),
        ]),
    );
    assert_eq!(import(&app, &file, &[]).counts(), counts(2, 2, 0, 0, 0));

    // (city, isDefaultBilling, isDefaultShipping) as the customer sees the address book.
    let book = |email: &'static str| {
        let app = &app;
        async move {
            let login = app.login(email, PASSWORD).await;
            assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
            let token = login.body["data"]["attributes"]["accessToken"]
                .as_str()
                .expect("token")
                .to_owned();
            let reference = row(app, email).customer_reference;
            let response = app
                .get(&format!("/customers/{reference}/addresses"))
                .bearer(&token)
                .send()
                .await;
            assert_eq!(response.status, StatusCode::OK, "{}", response.text);
            response.body["data"]
                .as_array()
                .expect("addresses")
                .iter()
                .map(|a| {
                    let attributes = &a["attributes"];
                    (
                        attributes["city"].as_str().unwrap_or_default().to_owned(),
                        attributes["isDefaultBilling"] == true,
                        attributes["isDefaultShipping"] == true,
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let berlin = |billing, shipping| ("Berlin".to_owned(), billing, shipping);
    let hamburg = |billing, shipping| ("Hamburg".to_owned(), billing, shipping);
    assert_eq!(
        book("anna@example.com").await,
        [berlin(true, true), hamburg(false, false)]
    );
    assert_eq!(
        book("bo@example.com").await,
        [berlin(true, false), hamburg(false, true)]
    );
    assert_eq!(import(&app, &file, &[]).counts(), counts(2, 0, 0, 2, 0));
    assert_eq!(book("anna@example.com").await.len(), 2);
}

#[tokio::test]
async fn the_same_email_twice_in_one_file_is_one_customer_that_the_later_row_updates() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_file(
        &dir,
        "twice.jsonl",
        &json_lines(&[
            json!({"email": "twin@example.com", "lastName": "Old", "addresses": [address("Berlin")]}),
            json!({"email": "other@example.com"}),
            json!({"email": "TWIN@example.com", "lastName": "New", "addresses": [address("Berlin")]}),
        ]),
    );

    let run = import(&app, &file, &[]);

    assert_eq!(run.counts(), counts(3, 2, 1, 0, 0));
    assert_eq!(count(&app), 2);
    let twin = exported(&export(&app, false), "TWIN@example.com");
    assert_eq!(twin["lastName"], "New");
    assert_eq!(twin["addresses"].as_array().map(Vec::len), Some(1));
}

/// After an import the query planner knows the table: on PostgreSQL the import ends with
/// `VACUUM (ANALYZE)`, so `pg_class.reltuples` (0 or -1 before: never analyzed) counts the rows.
/// Without it the partner's sync and search filters ran as full scans right after a bulk load
/// (about 200 ms at a million customers, `make bench-scale`). SQLite needs no statistics to
/// use its indexes; there the import is checked only.
#[tokio::test]
async fn after_an_import_postgresql_has_planner_statistics_for_the_customers() {
    use diesel::prelude::*;
    use glue_customers::db::DbConnection;

    #[derive(QueryableByName)]
    struct Tuples {
        #[diesel(sql_type = diesel::sql_types::Float)]
        reltuples: f32,
    }

    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut csv = String::from("email,firstName,lastName,salutation\n");
    for i in 0..120 {
        csv.push_str(&format!("stat{i}@example.com,Stat,Row{i},Ms\n"));
    }
    let file = write_file(&dir, "customers.csv", &csv);

    let run = import(&app, &file, &[]);

    assert_eq!(run.counts(), counts(120, 120, 0, 0, 0), "{}", run.stderr);
    let tuples = app
        .db()
        .run_now(|conn| match conn {
            DbConnection::Pg(pg) => Ok(Some(
                diesel::sql_query(
                    "SELECT reltuples FROM pg_class WHERE oid = 'customers'::regclass",
                )
                .get_result::<Tuples>(pg)?
                .reltuples,
            )),
            DbConnection::Sqlite(_) => Ok(None),
        })
        .expect("read the statistics");
    if let Some(tuples) = tuples {
        assert_eq!(tuples, 120.0, "the planner's row count of customers");
    }
}
