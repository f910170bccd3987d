//! What SQLite needs beyond a connection: a database file and directory only the service's
//! user can read (the file holds password hashes and personal data), WAL mode set once, the
//! pragmas every connection needs, and a checkpoint that leaves no deleted data in the WAL.

use std::io::ErrorKind;
use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};

use super::DbError;

/// Every pooled connection: the busy timeout first (the others may need a lock), foreign keys
/// (off by default in SQLite), `synchronous = NORMAL` (durable at each checkpoint, safe in WAL
/// mode), and `secure_delete`, which overwrites deleted content with zeros so that an
/// anonymized customer's data does not linger in free space.
pub fn connection_pragmas(busy_timeout: Duration) -> String {
    format!(
        "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; \
         PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;",
        busy_timeout.as_millis()
    )
}

/// Creates the directory (0700) and the file (0600) when they do not exist yet; SQLite gives
/// its `-wal` and `-shm` files the database file's permissions. Existing ones are left as the
/// operator set them.
pub fn prepare_file(path: &Path) -> Result<(), DbError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    match private_file(path) {
        Err(err) if err.kind() != ErrorKind::AlreadyExists => Err(err.into()),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Switches the file to WAL (readers beside the writer). The mode is stored in the file, so
/// this runs once per start on one connection, not on every pooled one: several connections
/// switching at once fail with "database is locked" instead of waiting. Instances starting
/// together retry.
pub fn enable_wal(path: &Path) -> Result<(), DbError> {
    let mut attempts = 0;
    loop {
        let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
        let result = conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;");
        match result {
            Ok(()) => return Ok(()),
            Err(_) if attempts < 50 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(err) => return Err(err.into()),
        }
    }
}

#[derive(QueryableByName)]
struct CheckpointResult {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

/// Copies the WAL into the database file and truncates it to nothing, so that the old versions
/// of pages it held (an anonymized customer's name and email) are gone from disk. False when
/// readers kept it from finishing; the next checkpoint catches up.
pub fn checkpoint(conn: &mut SqliteConnection) -> Result<bool, DbError> {
    let result: CheckpointResult =
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(conn)?;
    Ok(result.busy == 0)
}
