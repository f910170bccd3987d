//! The command line itself: `--json`, exit codes, and the terminal. On a terminal the import
//! shows a spinner with the count on stderr (the length of a stream is not known) and clears it
//! before the report; off a terminal it prints the report alone (every test checks that stderr
//! stays empty).

use std::process::Command;

use serde_json::{json, Value};

use super::{count, counts, glue, import, write_file};
use crate::helpers::spawn_app;

#[tokio::test]
async fn on_a_terminal_the_import_shows_a_spinner_with_the_count_then_the_report() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let rows: String = (0..3000).map(|i| format!("tty{i}@example.com\n")).collect();
    let file = write_file(&dir, "people.csv", &format!("email\n{rows}"));
    // util-linux `script` runs the command on a pseudo-terminal and copies what it shows.
    let line = format!(
        "{} import {}",
        env!("CARGO_BIN_EXE_glue-customers"),
        file.display()
    );
    let output = Command::new("script")
        .args(["--quiet", "--return", "--command", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .env("TERM", "xterm")
        .output()
        .expect("util-linux `script` (bsdutils) is installed");

    let shown = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains(" rows, "),
        "a spinner with the count: {shown}"
    );
    let report = shown.rsplit("\u{1b}[2K").next().unwrap_or_default();
    assert!(
        report.starts_with("rows read: 3000\r\nimported:  3000\r\n"),
        "the spinner is cleared before the report: {report:?}"
    );
    assert_eq!(count(&app), 3000);
}

#[tokio::test]
async fn the_report_is_one_json_object_with_json() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_file(&dir, "people.csv", "email\nanna@example.com\nnope\n");

    let run = import(&app, &file, &["--json"]);

    let report = run.report();
    assert_eq!(report.len(), 1, "one line");
    let report: Value = serde_json::from_str(report[0]).expect("JSON");
    assert_eq!(
        report,
        json!({"read": 2, "imported": 1, "updated": 0, "unchanged": 0, "rejected": 1,
               "rejections": [{"line": 3, "reason": "email: This value is not a valid email address."}]})
    );
}

#[tokio::test]
async fn usage_errors_exit_2_and_file_errors_exit_1_with_nothing_imported() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let people = write_file(&dir, "people.txt", "email\nanna@example.com\n");
    let typo = write_file(&dir, "typo.csv", "email,firstname\nanna@example.com,Anna\n");
    let missing = dir.path().join("missing.csv");
    let path = |p: &std::path::Path| p.to_str().expect("UTF-8").to_owned();

    for (args, code, message) in [
        (
            vec!["import".to_owned()],
            2,
            "import needs a FILE".to_owned(),
        ),
        (
            vec!["import".to_owned(), path(&people)],
            2,
            "cannot tell the format".to_owned(),
        ),
        (
            vec![
                "import".to_owned(),
                path(&people),
                "--format".to_owned(),
                "xml".to_owned(),
            ],
            2,
            "--format xml: csv or jsonl".to_owned(),
        ),
        (
            vec!["export".to_owned(), "--json".to_owned()],
            2,
            "unknown option --json for export".to_owned(),
        ),
        (
            vec!["import".to_owned(), path(&missing)],
            1,
            format!("{}: ", path(&missing)),
        ),
        (
            vec!["import".to_owned(), path(&typo)],
            1,
            "unknown column `firstname` (known: email, firstName,".to_owned(),
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = glue(&app, &args);
        assert_eq!(run.code, Some(code), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(&message), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        if code == 2 {
            assert!(
                run.stderr.contains("usage: glue-customers import FILE"),
                "{args:?}"
            );
        }
    }
    let formatted = import(&app, &people, &["--format", "csv"]);
    assert_eq!(
        formatted.counts(),
        counts(1, 1, 0, 0, 0),
        "--format overrides the extension"
    );
}
