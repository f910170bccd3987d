//! `glue-customers import` and `export` (issue 15, item 6): the real binary against a running
//! app's database, as an operator runs it: files with good and bad rows, the report line by
//! line, re-imports, logins with imported hashes, the round trip, a 20,000-row file.
//!
//! This file holds what the topics share: running the binary, writing files, reading rows.

mod cli;
mod export;
mod import;
mod passwords;
mod scale;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use glue_customers::customers::model::Customer;
use glue_customers::db::schema::customers;
use serde_json::Value;

use crate::helpers::TestApp;

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The report's lines; the run must have succeeded and printed nothing else.
    #[track_caller]
    pub fn report(&self) -> Vec<&str> {
        assert_eq!(self.code, Some(0), "stderr: {}", self.stderr);
        assert_eq!(self.stderr, "", "nothing but the report off a terminal");
        self.stdout.lines().collect()
    }

    /// The first lines of the report: the counts.
    #[track_caller]
    pub fn counts(&self) -> Vec<&str> {
        self.report().into_iter().take(5).collect()
    }

    /// Exported JSON lines.
    #[track_caller]
    pub fn json_lines(&self) -> Vec<Value> {
        self.report()
            .into_iter()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }
}

/// The five counts as the report prints them.
pub fn counts(
    read: u64,
    imported: u64,
    updated: u64,
    unchanged: u64,
    rejected: u64,
) -> Vec<String> {
    vec![
        format!("rows read: {read}"),
        format!("imported:  {imported}"),
        format!("updated:   {updated}"),
        format!("unchanged: {unchanged}"),
        format!("rejected:  {rejected}"),
    ]
}

/// `glue-customers ARGS` with nothing but `PATH` and the app's `DATABASE_URL`, stdin and
/// stderr not terminals.
pub fn command(app: &TestApp, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_glue-customers"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .stdin(Stdio::null());
    command
}

pub fn glue(app: &TestApp, args: &[&str]) -> Run {
    let output = command(app, args).output().expect("run the binary");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `import FILE ARGS`.
pub fn import(app: &TestApp, file: &Path, args: &[&str]) -> Run {
    let file = file.to_str().expect("a UTF-8 path");
    glue(app, &[&["import", file], args].concat())
}

/// `import FILE` started in the background.
pub fn spawn_import(app: &TestApp, file: &Path) -> Child {
    command(app, &["import", file.to_str().expect("a UTF-8 path")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary")
}

/// `export [--with-password-hashes]` to stdout.
pub fn export(app: &TestApp, with_password_hashes: bool) -> Vec<Value> {
    let args: &[&str] = if with_password_hashes {
        &["export", "--with-password-hashes"]
    } else {
        &["export"]
    };
    glue(app, args).json_lines()
}

pub fn write_file(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write the import file");
    path
}

/// One JSON line per value.
pub fn json_lines(rows: &[Value]) -> String {
    rows.iter().map(|row| format!("{row}\n")).collect()
}

/// A customer group, as a partner would have created it.
pub fn create_group(app: &TestApp, name: &str) {
    let name = name.to_owned();
    app.db()
        .run_now(move |conn| {
            let key = uuid::Uuid::new_v4().to_string();
            let now = glue_customers::db::now();
            glue_customers::groups::repo::insert(conn, &key, &name, None, false, now)?;
            Ok(())
        })
        .expect("create a group");
}

/// Every customer row, in id order.
pub fn rows(app: &TestApp) -> Vec<Customer> {
    use diesel::prelude::*;
    app.db()
        .run_now(|conn| {
            Ok(customers::table
                .order(customers::id)
                .select(Customer::as_select())
                .load(conn)?)
        })
        .expect("read customers")
}

pub fn row(app: &TestApp, email: &str) -> Customer {
    let email = email.to_lowercase();
    app.db()
        .run_now(|conn| {
            Ok(glue_customers::customers::repo::find_by_email(
                conn, &email,
            )?)
        })
        .expect("read a customer")
        .unwrap_or_else(|| panic!("a customer with email {email}"))
}

pub fn count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    app.db()
        .run_now(|conn| Ok(customers::table.count().get_result(conn)?))
        .expect("count customers")
}

/// A valid address as the storefront takes it.
pub fn address(city: &str) -> Value {
    serde_json::json!({
        "salutation": "Ms",
        "firstName": "Anna",
        "lastName": "Berg",
        "address1": "Julie-Wolfthorn-Straße",
        "address2": "1",
        "zipCode": "10115",
        "city": city,
        "iso2Code": "DE",
        "company": "Spryker",
        "phone": "+49 30 1234567",
    })
}
