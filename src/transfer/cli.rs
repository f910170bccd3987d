//! `glue-customers import` and `export` on the command line: arguments, the progress spinner
//! (on a terminal only), the report, exit codes (0 done, 1 a file or database error, 2 usage).
//!
//! ```text
//! import FILE [--format csv|jsonl] [--json]
//! export [FILE] [--with-password-hashes]
//! ```

use std::fs::OpenOptions;
use std::io::{self, BufWriter, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use super::fields::{self, ImportRow};
use super::report::Report;
use super::source::{Format, Source};
use super::write::{write_batch, Rules, WriteError};
use super::{export, BATCH};
use crate::db::Db;
use crate::error::ApiError;
use crate::settings::Settings;

pub const USAGE: &str = "usage: glue-customers import FILE [--format csv|jsonl] [--json] | \
glue-customers export [FILE] [--with-password-hashes]";

/// How often a batch that met a concurrent insert of one of its emails is tried.
const ATTEMPTS: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("{0}\n{USAGE}")]
    Usage(String),
    #[error("{0}")]
    File(String),
    #[error("database: {0}")]
    Db(String),
    #[error("settings: {0}")]
    Settings(String),
}

impl From<io::Error> for TransferError {
    fn from(err: io::Error) -> Self {
        Self::File(err.to_string())
    }
}

impl From<ApiError> for TransferError {
    fn from(err: ApiError) -> Self {
        Self::Db(cause(err))
    }
}

/// What went wrong in the database, as the operator needs it (the whole cause).
fn cause(err: ApiError) -> String {
    match err {
        ApiError::Internal(cause) | ApiError::Unavailable(cause) => cause,
        other => other.to_string(),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Import {
        path: PathBuf,
        format: Format,
        json: bool,
    },
    Export {
        path: Option<PathBuf>,
        with_password_hashes: bool,
    },
}

/// Runs `import ...` or `export ...`: prints, and answers the exit code.
pub fn main(command: &str, args: &[String]) -> ExitCode {
    let result = parse(command, args).and_then(|command| {
        if command == Command::Help {
            println!("{USAGE}");
            return Ok(());
        }
        let settings = Settings::load().map_err(|e| TransferError::Settings(e.to_string()))?;
        run(command, &settings)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err @ TransferError::Usage(_)) => {
            eprintln!("glue-customers: {err}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("glue-customers: {err}");
            ExitCode::FAILURE
        }
    }
}

fn parse(command: &str, args: &[String]) -> Result<Command, TransferError> {
    let usage = |message: String| Err(TransferError::Usage(message));
    let mut positional = Vec::new();
    let (mut format, mut json, mut with_password_hashes) = (None, false, false);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match (command, arg.as_str()) {
            (_, "-h" | "--help") => return Ok(Command::Help),
            ("import", "--json") => json = true,
            ("import", "--format") => {
                let Some(name) = iter.next() else {
                    return usage("--format needs a value: csv or jsonl".to_owned());
                };
                let Some(parsed) = Format::parse(name) else {
                    return usage(format!("--format {name}: csv or jsonl"));
                };
                format = Some(parsed);
            }
            ("export", "--with-password-hashes") => with_password_hashes = true,
            (_, option) if option.starts_with("--") => {
                return usage(format!("unknown option {option} for {command}"));
            }
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    if positional.len() > 1 {
        return usage(format!("{command} takes one file"));
    }
    let path = positional.pop();
    if command == "export" {
        return Ok(Command::Export {
            path,
            with_password_hashes,
        });
    }
    let Some(path) = path else {
        return usage("import needs a FILE".to_owned());
    };
    let Some(format) = format.or_else(|| Format::of_path(&path)) else {
        return usage(format!(
            "cannot tell the format of {} by its extension (.csv, .jsonl, .ndjson): \
             give --format csv|jsonl",
            path.display()
        ));
    };
    Ok(Command::Import { path, format, json })
}

fn run(command: Command, settings: &Settings) -> Result<(), TransferError> {
    match command {
        Command::Help => Ok(()),
        Command::Import { path, format, json } => import(&path, format, json, settings),
        Command::Export {
            path,
            with_password_hashes,
        } => export_to(path.as_deref(), with_password_hashes, settings),
    }
}

fn connect(settings: &Settings) -> Result<Db, TransferError> {
    Db::connect(&settings.database.url, 1).map_err(|e| TransferError::Db(e.to_string()))
}

/// A spinner with the count on a terminal (the length is not known in advance); nothing
/// otherwise, so that a script's output holds the report alone.
fn progress(unit: &'static str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    let template = "{spinner} {human_pos} {msg}, {rate}/s, {elapsed}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        // indicatif's own `{per_sec}` shows four decimals: whole rows are enough.
        let rate = |state: &ProgressState, out: &mut dyn std::fmt::Write| {
            let _ = write!(out, "{:.0}", state.per_sec());
        };
        bar.set_style(style.with_key("rate", rate));
    }
    bar.set_message(unit);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn import(
    path: &Path,
    format: Format,
    json: bool,
    settings: &Settings,
) -> Result<(), TransferError> {
    let mut source = Source::open(path, format)
        .map_err(|e| TransferError::File(format!("{}: {e}", path.display())))?;
    let db = connect(settings)?;
    db.run_now(crate::groups::service::ensure_default)?;
    let rules = Rules {
        store: &settings.accounts.store,
        max_addresses: settings.limits.max_addresses,
    };
    let progress = progress("rows");
    let mut report = Report::default();
    let outcome = read_all(&mut source, &db, &rules, &mut report, &progress).map_err(|e| match e {
        TransferError::File(message) => {
            TransferError::File(format!("{}: {message}", path.display()))
        }
        other => other,
    });
    progress.finish_and_clear();
    let wrote = report.counts.imported + report.counts.updated > 0;
    let outcome = outcome.and_then(|()| {
        if wrote {
            db.refresh_statistics(&["customers", "addresses"])?;
        }
        Ok(())
    });
    // Also after an error: what was committed is worth knowing.
    println!("{}", report.render(json));
    outcome
}

fn read_all(
    source: &mut Source,
    db: &Db,
    rules: &Rules<'_>,
    report: &mut Report,
    progress: &ProgressBar,
) -> Result<(), TransferError> {
    let mut batch: Vec<ImportRow> = Vec::with_capacity(BATCH);
    loop {
        let raw = match source.next_row() {
            Ok(Some(raw)) => raw,
            Ok(None) => break,
            Err(err) => {
                // The rows read before the error are good: keep them.
                flush(db, &mut batch, rules, report)?;
                return Err(TransferError::File(err.to_string()));
            }
        };
        report.read += 1;
        progress.inc(1);
        match raw.fields.and_then(|f| fields::parse(raw.line, f)) {
            Ok(row) => batch.push(row),
            Err(reason) => report.reject(raw.line, reason),
        }
        if batch.len() >= BATCH {
            flush(db, &mut batch, rules, report)?;
        }
    }
    flush(db, &mut batch, rules, report)
}

/// Writes the batch in one transaction. A batch that failed changed nothing: the error says
/// from which line on the file is to be imported again (or all of it: what is in is unchanged).
fn flush(
    db: &Db,
    batch: &mut Vec<ImportRow>,
    rules: &Rules<'_>,
    report: &mut Report,
) -> Result<(), TransferError> {
    let Some(first_line) = batch.first().map(|row| row.line) else {
        return Ok(());
    };
    let mut attempt = 0;
    let outcome = loop {
        attempt += 1;
        let mut conflict = false;
        let result = db.run_now(|conn| {
            write_batch(conn, batch, rules).map_err(|err| {
                conflict = err.is_conflict();
                match err {
                    WriteError::Api(err) => err,
                    WriteError::Query(err) => err.into(),
                }
            })
        });
        match result {
            Ok(outcome) => break outcome,
            Err(_) if conflict && attempt < ATTEMPTS => continue,
            Err(err) => {
                return Err(TransferError::Db(format!(
                    "{} (the rows from line {first_line} on were not written; the \
                     rows before are: run the import again to finish it)",
                    cause(err)
                )));
            }
        }
    };
    report.counts.add(&outcome.counts);
    for rejection in outcome.rejections {
        report.reject(rejection.line, rejection.reason);
    }
    batch.clear();
    Ok(())
}

fn export_to(
    path: Option<&Path>,
    with_password_hashes: bool,
    settings: &Settings,
) -> Result<(), TransferError> {
    let db = connect(settings)?;
    let progress = progress("customers");
    let result = match path {
        Some(path) => create_private(path)
            .and_then(|file| {
                let mut out = BufWriter::new(file);
                export::export(&db, &mut out, with_password_hashes, &progress)
            })
            .map_err(|e| match e {
                TransferError::File(message) => {
                    TransferError::File(format!("{}: {message}", path.display()))
                }
                other => other,
            }),
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            export::export(&db, &mut out, with_password_hashes, &progress)
        }
    };
    progress.finish_and_clear();
    let written = result?;
    if let Some(path) = path {
        println!("exported {written} customers to {}", path.display());
    }
    Ok(())
}

/// The file is readable by its owner only: it holds personal data, perhaps password hashes.
fn create_private(path: &Path) -> Result<std::fs::File, TransferError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    Ok(options.open(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_format_comes_from_the_option_or_the_extension() {
        let parsed = parse("import", &args(&["people.CSV", "--json"])).expect("valid");
        assert_eq!(
            parsed,
            Command::Import {
                path: "people.CSV".into(),
                format: Format::Csv,
                json: true
            }
        );
        let parsed = parse("import", &args(&["--format", "jsonl", "dump.txt"])).expect("valid");
        assert!(matches!(
            parsed,
            Command::Import {
                format: Format::JsonLines,
                ..
            }
        ));
        for bad in [
            &["dump.txt"][..],
            &[],
            &["a.csv", "b.csv"],
            &["a.csv", "--format", "xml"],
            &["a.csv", "--with-password-hashes"],
        ] {
            assert!(
                matches!(parse("import", &args(bad)), Err(TransferError::Usage(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            parse("export", &args(&["--json"])),
            Err(TransferError::Usage(_))
        ));
    }
}
