//! A 20,000-row file: imported in batches of 1,000 rows, one transaction each, so that an
//! import killed midway keeps whole batches and a second run finishes it. The import rate is
//! printed (`--nocapture`), never asserted: speed belongs to the benchmarks.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{count, counts, export, import, spawn_import};
use crate::helpers::{spawn_app, TestApp};

const ROWS: u64 = 20_000;
const BATCH: i64 = 1_000;

/// A generated CSV file of `ROWS` customers, written row by row.
fn generated_file(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("customers.csv");
    let file = std::fs::File::create(&path).expect("create");
    let mut out = std::io::BufWriter::new(file);
    writeln!(
        out,
        "email,firstName,lastName,salutation,acceptedMarketing,createdAt"
    )
    .expect("write");
    for i in 0..ROWS {
        let salutation = ["Mr", "Mrs", "Ms", "Dr"][(i % 4) as usize];
        writeln!(
            out,
            "customer{i}@example.com,First{i},Last{i},{salutation},{},2020-01-01 00:00:{:02}",
            i % 2 == 0,
            i % 60
        )
        .expect("write");
    }
    out.flush().expect("flush");
    path
}

/// Imports the file and prints the rate; returns the run.
fn timed_import(app: &TestApp, file: &std::path::Path, what: &str) -> super::Run {
    let started = Instant::now();
    let run = import(app, file, &[]);
    let elapsed = started.elapsed();
    println!(
        "{what}: {ROWS} rows in {:.2} s, {:.0} rows/s ({})",
        elapsed.as_secs_f64(),
        ROWS as f64 / elapsed.as_secs_f64(),
        if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    run
}

#[tokio::test]
async fn a_20000_row_file_imports_in_batches_and_exports_back_whole() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = generated_file(&dir);

    let first = timed_import(&app, &file, "import");
    let second = timed_import(&app, &file, "re-import");

    assert_eq!(first.report(), counts(ROWS, ROWS, 0, 0, 0));
    assert_eq!(second.report(), counts(ROWS, 0, 0, ROWS, 0));
    assert_eq!(count(&app), ROWS as i64);
    let lines = export(&app, false);
    let emails: HashSet<&str> = lines.iter().filter_map(|l| l["email"].as_str()).collect();
    assert_eq!(
        lines.len() as u64,
        ROWS,
        "every customer once, across the export's batches"
    );
    assert_eq!(emails.len() as u64, ROWS);
    assert_eq!(lines[0]["email"], "customer0@example.com", "in id order");
    assert_eq!(
        lines[lines.len() - 1]["email"],
        format!("customer{}@example.com", ROWS - 1)
    );
}

#[tokio::test]
async fn an_import_killed_midway_keeps_whole_batches_and_a_second_run_finishes_it() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = generated_file(&dir);
    let db = app.db();
    let committed = || {
        use diesel::prelude::*;
        use glue_customers::db::schema::customers;
        db.run_now(|conn| Ok(customers::table.count().get_result::<i64>(conn)?))
            .expect("count")
    };

    let mut child = spawn_import(&app, &file);
    let deadline = Instant::now() + Duration::from_secs(120);
    while committed() < BATCH && child.try_wait().expect("poll").is_none() {
        assert!(Instant::now() < deadline, "no batch committed");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    let kept = committed();

    assert_eq!(kept % BATCH, 0, "whole batches only: {kept}");
    assert!(kept >= BATCH, "{kept}");
    let rest = import(&app, &file, &[]);
    let kept = kept as u64;
    assert_eq!(rest.report(), counts(ROWS, ROWS - kept, 0, kept, 0));
    assert_eq!(count(&app), ROWS as i64);
}
