//! The rows of an import file, one at a time: CSV with a header row, or JSON lines. Each row
//! is a JSON object (CSV cells become strings) with the line it starts on, or the reason it
//! cannot be read; only an I/O error ends the reading.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde_json::{Map, Value};

use super::fields::{CSV_COLUMNS, EXTRA_COLUMNS};

/// A JSON line longer than this is rejected unread, so that one bad line cannot fill memory.
const MAX_LINE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "csv" => Some(Self::Csv),
            "jsonl" | "ndjson" => Some(Self::JsonLines),
            _ => None,
        }
    }

    /// By the file's extension (case-insensitive).
    pub fn of_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Self::parse(&extension)
    }
}

/// One row: the line it starts on and its fields, or why they cannot be read.
pub struct RawRow {
    pub line: u64,
    pub fields: Result<Map<String, Value>, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("the CSV header: {0}")]
    Header(String),
}

pub enum Source {
    Csv {
        reader: csv::Reader<BufReader<File>>,
        columns: Vec<String>,
        record: csv::ByteRecord,
    },
    JsonLines {
        reader: BufReader<File>,
        line: u64,
        buffer: Vec<u8>,
    },
}

impl Source {
    pub fn open(path: &Path, format: Format) -> Result<Self, SourceError> {
        let file = BufReader::new(File::open(path)?);
        match format {
            Format::Csv => {
                // Flexible: a row with too few or too many cells is that row's rejection, not
                // the end of the import. Records end at LF only: with CR as a terminator too,
                // the csv crate counts the lines of a CRLF file one short (the CR of a CRLF is
                // taken off the last cell instead).
                let mut reader = csv::ReaderBuilder::new()
                    .flexible(true)
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_reader(file);
                let columns = header(reader.byte_headers()?)?;
                Ok(Self::Csv {
                    reader,
                    columns,
                    record: csv::ByteRecord::new(),
                })
            }
            Format::JsonLines => Ok(Self::JsonLines {
                reader: file,
                line: 0,
                buffer: Vec::new(),
            }),
        }
    }

    /// The next row, `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<RawRow>, SourceError> {
        match self {
            Self::Csv {
                reader,
                columns,
                record,
            } => {
                loop {
                    if columns.is_empty() || !reader.read_byte_record(record)? {
                        return Ok(None);
                    }
                    // A blank line of a CRLF file (csv skips those of an LF file itself).
                    if record.len() == 1 && matches!(&record[0], b"" | b"\r") {
                        continue;
                    }
                    let line = record.position().map_or(0, csv::Position::line);
                    return Ok(Some(RawRow {
                        line,
                        fields: csv_fields(columns, record),
                    }));
                }
            }
            Self::JsonLines {
                reader,
                line,
                buffer,
            } => loop {
                buffer.clear();
                *line += 1;
                let Some(complete) = read_line(reader, buffer)? else {
                    return Ok(None);
                };
                if !complete {
                    let reason = format!("the line is longer than {MAX_LINE_BYTES} bytes");
                    return Ok(Some(RawRow {
                        line: *line,
                        fields: Err(reason),
                    }));
                }
                // Blank lines (a trailing newline, a gap) are no rows.
                if buffer.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                // A byte-order mark before the first line is no part of the JSON.
                let text = match buffer.strip_prefix(b"\xEF\xBB\xBF") {
                    Some(rest) if *line == 1 => rest,
                    _ => &buffer[..],
                };
                return Ok(Some(RawRow {
                    line: *line,
                    fields: json_fields(text),
                }));
            },
        }
    }
}

/// The column names: known ones only, each once, `email` among them. An empty file has none.
fn header(record: &csv::ByteRecord) -> Result<Vec<String>, SourceError> {
    let mut columns: Vec<String> = Vec::with_capacity(record.len());
    for (i, cell) in record.iter().enumerate() {
        let name = std::str::from_utf8(cell)
            .map_err(|_| SourceError::Header("it is not valid UTF-8".to_owned()))?;
        // A spreadsheet's byte-order mark before the first name is no part of it.
        let name = if i == 0 {
            name.trim_start_matches('\u{feff}')
        } else {
            name
        };
        let name = name.trim();
        if !CSV_COLUMNS.contains(&name) && !EXTRA_COLUMNS.contains(&name) {
            return Err(SourceError::Header(format!(
                "unknown column `{}` (known: {})",
                crate::text::escape_controls(name),
                CSV_COLUMNS.join(", ")
            )));
        }
        if columns.iter().any(|c| c == name) {
            return Err(SourceError::Header(format!(
                "column `{name}` appears twice"
            )));
        }
        columns.push(name.to_owned());
    }
    if !columns.is_empty() && !columns.iter().any(|c| c == "email") {
        return Err(SourceError::Header(
            "the column `email` is missing".to_owned(),
        ));
    }
    Ok(columns)
}

fn csv_fields(columns: &[String], record: &csv::ByteRecord) -> Result<Map<String, Value>, String> {
    if record.len() != columns.len() {
        return Err(format!(
            "expected {} fields, found {}",
            columns.len(),
            record.len()
        ));
    }
    let mut fields = Map::new();
    let last = columns.len() - 1;
    for (i, (name, cell)) in columns.iter().zip(record.iter()).enumerate() {
        let cell = match cell.strip_suffix(b"\r") {
            Some(cell) if i == last => cell,
            _ => cell,
        };
        let text = std::str::from_utf8(cell).map_err(|_| format!("{name}: not valid UTF-8"))?;
        fields.insert(name.clone(), Value::String(text.to_owned()));
    }
    Ok(fields)
}

fn json_fields(line: &[u8]) -> Result<Map<String, Value>, String> {
    let text = std::str::from_utf8(line).map_err(|_| "not valid UTF-8".to_owned())?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err("not a JSON object".to_owned()),
        Err(err) => Err(format!("not valid JSON ({err})")),
    }
}

/// Reads one line into `buffer` (without its end). `None` at the end of the file; `false`
/// when the line was longer than [`MAX_LINE_BYTES`]: the rest of it is skipped unread.
fn read_line(reader: &mut BufReader<File>, buffer: &mut Vec<u8>) -> io::Result<Option<bool>> {
    let limit = MAX_LINE_BYTES as u64 + 1;
    let read = reader.by_ref().take(limit).read_until(b'\n', buffer)?;
    if read == 0 {
        return Ok(None);
    }
    if buffer.last() == Some(&b'\n') {
        buffer.pop();
        if buffer.last() == Some(&b'\r') {
            buffer.pop();
        }
        return Ok(Some(true));
    }
    if buffer.len() <= MAX_LINE_BYTES {
        return Ok(Some(true)); // the last line, without a newline
    }
    skip_rest_of_line(reader)?;
    buffer.clear();
    Ok(Some(false))
}

fn skip_rest_of_line(reader: &mut BufReader<File>) -> io::Result<()> {
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(());
        }
        match available.iter().position(|b| *b == b'\n') {
            Some(at) => {
                reader.consume(at + 1);
                return Ok(());
            }
            None => {
                let length = available.len();
                reader.consume(length);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(format: Format, contents: &[u8]) -> Vec<RawRow> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rows");
        std::fs::write(&path, contents).expect("write");
        let mut source = Source::open(&path, format).expect("open");
        let mut rows = Vec::new();
        while let Some(row) = source.next_row().expect("read") {
            rows.push(row);
        }
        rows
    }

    #[test]
    fn a_too_long_json_line_is_one_rejected_row_and_reading_goes_on() {
        let mut contents = b"\xEF\xBB\xBF{\"email\":\"a@example.com\"}\n".to_vec();
        contents.extend(vec![b' '; MAX_LINE_BYTES + 10]);
        contents.extend(b"\n\n{\"email\":\"b@example.com\"}");
        let rows = rows(Format::JsonLines, &contents);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0].fields.as_ref().map(|f| f["email"].clone()),
            Ok("a@example.com".into())
        );
        assert_eq!((rows[1].line, rows[1].fields.is_err()), (2, true));
        assert_eq!(rows[2].line, 4, "the blank line 3 is no row");
        assert!(rows[2].fields.is_ok());
    }

    #[test]
    fn a_spreadsheet_csv_with_a_byte_order_mark_and_crlf_reads_its_header_and_lines() {
        let contents = b"\xEF\xBB\xBFemail ,firstName\r\na@example.com,Anna\r\n\r\n\
                         b@example.com,\"B\r\nB\"\r\nc@example.com,\"C\"\r\n\r\n";
        let seen: Vec<(u64, Option<String>)> = rows(Format::Csv, contents)
            .iter()
            .map(|row| {
                let name = row.fields.as_ref().ok().map(|f| f["firstName"].as_str());
                (row.line, name.flatten().map(str::to_owned))
            })
            .collect();
        assert_eq!(
            seen,
            [
                (2, Some("Anna".to_owned())),
                (4, Some("B\r\nB".to_owned())),
                (6, Some("C".to_owned()))
            ]
        );
    }

    #[test]
    fn an_empty_file_has_no_rows() {
        assert!(rows(Format::Csv, b"").is_empty());
        assert!(rows(Format::JsonLines, b"").is_empty());
    }
}
