//! What an import did, as the operator reads it: the counts, then each rejection with its
//! line; or the same as one JSON object (`--json`).

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Rejection {
    pub line: u64,
    pub reason: String,
}

/// The counts of one batch or of the whole import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// New customers.
    pub imported: u64,
    /// Existing customers (by email) of which at least one value changed.
    pub updated: u64,
    /// Existing customers the row would not change.
    pub unchanged: u64,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.imported += other.imported;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// Rejections are kept until the end (the report lists them after the counts): memory grows
/// with the rejected rows only, a few dozen bytes each.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub read: u64,
    #[serde(flatten)]
    pub counts: Counts,
    pub rejected: u64,
    pub rejections: Vec<Rejection>,
}

impl Report {
    pub fn reject(&mut self, line: u64, reason: String) {
        self.rejected += 1;
        self.rejections.push(Rejection { line, reason });
    }

    /// The report as printed: counts, then `line N: reason` in line order.
    pub fn render(&mut self, json: bool) -> String {
        // Rows rejected while writing (an unknown group) are found after the rows of their
        // batch that failed to parse.
        self.rejections.sort_by_key(|r| r.line);
        if json {
            return serde_json::to_string(self).unwrap_or_default();
        }
        let mut lines = vec![
            format!("rows read: {}", self.read),
            format!("imported:  {}", self.counts.imported),
            format!("updated:   {}", self.counts.updated),
            format!("unchanged: {}", self.counts.unchanged),
            format!("rejected:  {}", self.rejected),
        ];
        lines.extend(
            self.rejections
                .iter()
                .map(|r| format!("line {}: {}", r.line, r.reason)),
        );
        lines.join("\n")
    }
}
