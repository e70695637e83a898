//! The shape every CSV import shares: a header checked against the documented columns, rows read
//! one by one with their line numbers, each cell checked with the one rule for client text, and
//! row errors collected (the first 1,000 kept, all counted) so a file is refused whole, with every
//! bad row and column, before anything is written.

use std::collections::HashMap;
use std::io::Read;

use crate::domain::text;

/// Most row errors reported (the rest are counted).
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// One bad cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line number in the file (the header is line 1).
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// Row errors collected while validating a file (the first 1,000 kept, all counted).
#[derive(Default)]
pub struct Errors {
    pub list: Vec<RowError>,
    pub total: usize,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, row: usize, column: &str, message: impl Into<String>) {
        self.total += 1;
        if self.list.len() < MAX_REPORTED_ERRORS {
            self.list.push(RowError {
                row,
                column: column.to_owned(),
                message: message.into(),
            });
        }
    }
}

/// Progress callback: `(phase, done, total)`.
/// What an import ends in: its report (`R`), or the rows at fault, at most
/// [`MAX_REPORTED_ERRORS`] of `total_errors`, with nothing written.
#[derive(Debug)]
pub enum Outcome<R> {
    Imported(R),
    Rejected {
        errors: Vec<RowError>,
        total_errors: usize,
    },
}

pub type Progress = std::sync::Arc<dyn Fn(&str, u64, u64) + Send + Sync>;

/// A progress callback that ignores progress.
pub fn no_progress() -> Progress {
    std::sync::Arc::new(|_, _, _| {})
}

/// How many rows a file may hold and how often reading reports progress.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_rows: usize,
    pub progress_every: usize,
}

/// A CSV file whose header has been checked.
pub struct CsvFile<R: Read> {
    csv: csv::Reader<R>,
    index: HashMap<&'static str, usize>,
    width: usize,
}

impl<R: Read> CsvFile<R> {
    /// Opens a CSV file and checks its header (line 1): every `required` column present, nothing
    /// but `required` and `optional` columns, a UTF-8 byte-order mark tolerated. `None` with the
    /// errors added when the file cannot be read row by row.
    pub fn open(
        reader: R,
        required: &[&'static str],
        optional: &[&'static str],
        errors: &mut Errors,
    ) -> Option<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::None)
            .from_reader(reader);
        let headers: Vec<String> = match csv.headers() {
            Ok(h) => h
                .iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_owned())
                .collect(),
            Err(e) => {
                errors.add(1, "header", format!("the file is not CSV: {e}"));
                return None;
            }
        };
        let before = errors.total;
        let mut index = HashMap::new();
        for col in required.iter().chain(optional) {
            match headers.iter().position(|h| h == col) {
                Some(i) => {
                    index.insert(*col, i);
                }
                None if required.contains(col) => errors.add(1, col, "missing column"),
                None => {}
            }
        }
        for h in &headers {
            if !required.contains(&h.as_str()) && !optional.contains(&h.as_str()) {
                errors.add(1, h, "unknown column");
            }
        }
        (errors.total == before).then_some(Self {
            csv,
            index,
            width: headers.len(),
        })
    }

    /// Reads every data row and hands each readable one (the header's width, every cell clean)
    /// to `parse`; keeps what it returns when it added no error for that row. A row past
    /// `max_rows` is an error and ends the reading.
    pub fn rows<T>(
        mut self,
        limits: Limits,
        errors: &mut Errors,
        progress: &Progress,
        mut parse: impl FnMut(&Cells<'_>, &mut Errors) -> T,
    ) -> Vec<T> {
        let mut rows = Vec::new();
        for (i, record) in self.csv.records().enumerate() {
            let line = i + 2;
            if i >= limits.max_rows {
                let max = limits.max_rows;
                errors.add(line, "row", format!("at most {max} rows per file"));
                break;
            }
            if i % limits.progress_every == 0 {
                progress("validating", i as u64, 0);
            }
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    errors.add(line, "row", format!("unreadable row: {e}"));
                    continue;
                }
            };
            if record.len() != self.width {
                let (width, found) = (self.width, record.len());
                errors.add(
                    line,
                    "row",
                    format!("expected {width} fields, found {found}"),
                );
                continue;
            }
            let cells = Cells {
                line,
                record: &record,
                index: &self.index,
            };
            if !cells.clean(errors) {
                continue;
            }
            let before = errors.total;
            let row = parse(&cells, errors);
            if errors.total == before {
                rows.push(row);
            }
        }
        rows
    }
}

/// The cells of one data row, by column name.
pub struct Cells<'a> {
    /// Line number in the file (the header is line 1).
    pub line: usize,
    record: &'a csv::StringRecord,
    index: &'a HashMap<&'static str, usize>,
}

impl<'a> Cells<'a> {
    /// The raw cell of `col` ("" when the file has no such column).
    pub fn get(&self, col: &str) -> &'a str {
        (self.index.get(col))
            .and_then(|at| self.record.get(*at))
            .unwrap_or("")
    }

    /// The trimmed cell of `col`, `None` when empty.
    pub fn optional(&self, col: &str) -> Option<&'a str> {
        Some(self.get(col).trim()).filter(|v| !v.is_empty())
    }

    /// The trimmed cell of `col`, at most `max` characters without control characters and, when
    /// `required`, not empty; otherwise an error on `col`.
    pub fn text(&self, errors: &mut Errors, col: &str, max: usize, required: bool) -> String {
        let v = self.get(col).trim();
        if (required && v.is_empty()) || v.chars().count() > max || v.chars().any(char::is_control)
        {
            let min = u8::from(required);
            let message =
                format!("{col} must be {min} to {max} characters without control characters");
            errors.add(self.line, col, message);
        }
        v.to_owned()
    }

    /// Checks every cell with the one rule for client text ([`text::check`]: no NUL or other
    /// control characters but tab and line breaks, no bidirectional overrides); each refused cell
    /// is an error naming its column. Returns whether the row is clean.
    fn clean(&self, errors: &mut Errors) -> bool {
        let mut clean = true;
        for (col, at) in self.index {
            if let Err(why) = text::check(self.record.get(*at).unwrap_or("")) {
                errors.add(self.line, col, format!("{col} {why}"));
                clean = false;
            }
        }
        clean
    }
}
