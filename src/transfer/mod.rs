//! `glue-customers import` and `export`: move a whole customer base in and out as CSV or JSON
//! lines (issue 15, item 6).
//!
//! Both stream: the import reads one row at a time and writes batches of [`BATCH`] rows, one
//! transaction each, so memory stays flat whatever the file's size and an interrupted import
//! keeps every batch committed before it (running it again finds them unchanged); the export
//! pages through the customers by id (keyset), one batch at a time.
//!
//! The fields, the same in both directions (JSON lines; CSV has no `addresses`):
//! `email`, `firstName`, `lastName`, `salutation`, `gender`, `dateOfBirth`, `passwordHash`,
//! `group` (a group's name), `acceptedMarketing`, `createdAt`, `status`, `addresses`; the export
//! adds `customerReference` and `updatedAt`, which the import accepts and ignores.

mod addresses;
pub mod cli;
mod export;
mod fields;
mod report;
mod source;
mod write;

/// Rows per transaction: big enough that a transaction's cost is spread thin, small enough
/// that a batch holds its locks (SQLite's one writer) for a moment only.
pub const BATCH: usize = 1000;
