//! Product import, first pass: read and validate every row; nothing is written.

use super::*;

/// The columns, in the documented order.
pub const COLUMNS: [&str; 9] = [
    "product_ref",
    "title",
    "category_path",
    "status",
    "sku_code",
    "sales_attrs",
    "price",
    "cost",
    "stock",
];
/// Most row errors reported (the rest are counted).
pub const MAX_REPORTED_ERRORS: usize = 1000;
/// Most data rows per file.
pub const MAX_ROWS: usize = 500_000;
/// Rows per multi-row INSERT: about 30,000 bound values, under SQLite's limit of 32,766 and
/// PostgreSQL's 65,535.
pub(crate) const CHUNK: usize = 2000;
pub(crate) const PRODUCT_CHUNK: usize = 1000;

/// One bad cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line number in the file (the header is line 1).
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub rows: usize,
    pub categories_created: usize,
    pub products_created: usize,
    pub products_updated: usize,
    pub skus_created: usize,
    pub skus_updated: usize,
    pub rows_unchanged: usize,
}

/// Import result: a report, or the rows at fault (nothing written).
#[derive(Debug)]
pub enum Outcome {
    Imported(Report),
    Rejected {
        errors: Vec<RowError>,
        total_errors: usize,
    },
}

/// Progress callback: `(phase, done, total)`.
pub type Progress = std::sync::Arc<dyn Fn(&str, u64, u64) + Send + Sync>;

/// A progress callback that ignores progress.
pub fn no_progress() -> Progress {
    std::sync::Arc::new(|_, _, _| {})
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) line: usize,
    pub(crate) product_ref: String,
    pub(crate) title: String,
    pub(crate) category_path: String,
    pub(crate) status: ProductStatus,
    pub(crate) sku_code: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) price: i64,
    pub(crate) cost: Option<i64>,
    pub(crate) stock: Option<i64>,
}

/// Row errors collected while validating a file (the first 1,000 kept, all counted).
pub struct Errors {
    pub list: Vec<RowError>,
    pub total: usize,
}

impl Default for Errors {
    fn default() -> Self {
        Self::new()
    }
}

impl Errors {
    pub fn new() -> Self {
        Self {
            list: Vec::new(),
            total: 0,
        }
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

pub(crate) fn parse_attrs(raw: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once(':').or_else(|| part.split_once('：')) else {
            return Err(format!("\"{part}\" is not name:value"));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty()
            || v.is_empty()
            || k.chars().count() > 20
            || v.chars().count() > 40
            || v.contains('=')
        {
            return Err(format!(
                "\"{part}\": names are 1–20 and values 1–40 characters"
            ));
        }
        if out.iter().any(|(n, _)| n == k) {
            return Err(format!("{k} appears twice"));
        }
        out.push((k.to_owned(), v.to_owned()));
    }
    Ok(out)
}

pub(crate) fn parse_status(raw: &str) -> Option<ProductStatus> {
    match raw.trim().to_ascii_uppercase().as_str() {
        "" | "DRAFT" => Some(ProductStatus::Draft),
        "ON_SHELF" => Some(ProductStatus::OnShelf),
        "OFF_SHELF" => Some(ProductStatus::OffShelf),
        _ => None,
    }
}

/// Opens a CSV file and checks its header (line 1): every `required` column present, nothing
/// but `required` and `optional` columns, a UTF-8 byte-order mark tolerated. Returns the reader,
/// each present column's position and the number of columns; `None` with the errors added when
/// the file cannot be read row by row.
pub fn open_csv<R: Read>(
    reader: R,
    required: &[&'static str],
    optional: &[&'static str],
    errors: &mut Errors,
) -> Option<(csv::Reader<R>, HashMap<&'static str, usize>, usize)> {
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
    (errors.total == before).then_some((csv, index, headers.len()))
}

/// Checks every cell of a row with the one rule for client text ([`text::check`]: no NUL or
/// other control characters but tab and line breaks, no bidirectional overrides); each refused
/// cell is a row error naming its column. Returns whether the row is clean.
pub fn clean_cells(
    record: &csv::StringRecord,
    index: &HashMap<&'static str, usize>,
    line: usize,
    errors: &mut Errors,
) -> bool {
    let mut clean = true;
    for (col, at) in index {
        if let Err(why) = text::check(record.get(*at).unwrap_or("")) {
            errors.add(line, col, format!("{col} {why}"));
            clean = false;
        }
    }
    clean
}

/// Parses and checks each row on its own.
pub(crate) fn parse(
    reader: impl Read,
    platform: &str,
    allowed: &[String],
    staff: &Staff,
    errors: &mut Errors,
    progress: &Progress,
) -> Vec<Row> {
    let Some((mut csv, index, width)) = open_csv(reader, &COLUMNS, &[], errors) else {
        return Vec::new();
    };
    let (limit, double) = catalog::title_rule(platform);
    let can_cost = staff.require(Permission::CostEdit, None).is_ok();
    let can_shelve = staff.require(Permission::ProductShelve, None).is_ok();
    let mut rows = Vec::new();
    for (i, record) in csv.records().enumerate() {
        let line = i + 2;
        if i >= MAX_ROWS {
            errors.add(line, "row", format!("at most {MAX_ROWS} rows per file"));
            break;
        }
        if i % 10_000 == 0 {
            progress("validating", i as u64, 0);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.add(line, "row", format!("unreadable row: {e}"));
                continue;
            }
        };
        if record.len() != width {
            errors.add(
                line,
                "row",
                format!("expected {width} fields, found {}", record.len()),
            );
            continue;
        }
        if !clean_cells(&record, &index, line, errors) {
            continue;
        }
        let get = |c: &str| record.get(index[c]).unwrap_or("");
        let before = errors.total;
        let product_ref = get("product_ref").trim().to_owned();
        if product_ref.is_empty() || product_ref.chars().count() > 64 {
            errors.add(line, "product_ref", "product_ref must be 1–64 characters");
        }
        let title = get("title").to_owned();
        let title_len = compliance::title_length(&title, double);
        if text::is_blank(&title) {
            errors.add(line, "title", "title must not be blank");
        } else if title_len > limit {
            errors.add(
                line,
                "title",
                format!("title counts {title_len} on {platform}; the limit is {limit}"),
            );
        }
        let category_path = get("category_path")
            .split('/')
            .map(str::trim)
            .collect::<Vec<_>>();
        if category_path
            .iter()
            .any(|s| s.is_empty() || s.chars().count() > 40)
            || category_path.len() > 5
        {
            errors.add(
                line,
                "category_path",
                "category_path is 1–5 names of 1–40 characters joined by '/'",
            );
        }
        let status = parse_status(get("status"));
        match status {
            None => errors.add(
                line,
                "status",
                "status must be DRAFT, ON_SHELF or OFF_SHELF",
            ),
            Some(s) if s != ProductStatus::Draft && !can_shelve => errors.add(
                line,
                "status",
                "setting a shelf status needs PRODUCT_SHELVE",
            ),
            Some(ProductStatus::OnShelf) => {
                let blocked: Vec<String> = compliance::check(&title, allowed)
                    .into_iter()
                    .filter(|h| h.severity == compliance::Severity::Block)
                    .map(|h| h.term)
                    .collect();
                if !blocked.is_empty() {
                    errors.add(
                        line,
                        "title",
                        format!(
                            "Advertising-Law terms must be removed before listing: {}",
                            blocked.join("、")
                        ),
                    );
                }
            }
            _ => {}
        }
        let sku_code = get("sku_code").trim().to_owned();
        if sku_code.is_empty()
            || sku_code.len() > 64
            || !sku_code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            errors.add(line, "sku_code", "sku_code is 1–64 of A-Z a-z 0-9 - _ .");
        }
        let attrs = parse_attrs(get("sales_attrs")).unwrap_or_else(|e| {
            errors.add(line, "sales_attrs", e);
            Vec::new()
        });
        let price =
            Fen::parse(get("price").trim()).filter(|f| f.0 > 0 && f.0 <= pricing::MAX_PRICE_FEN);
        if price.is_none() {
            errors.add(
                line,
                "price",
                "price must be a positive amount with at most two decimals, e.g. 199.00",
            );
        }
        let cost_raw = get("cost").trim();
        let cost = if cost_raw.is_empty() {
            None
        } else {
            let c = Fen::parse(cost_raw).filter(|f| f.0 >= 0 && f.0 <= pricing::MAX_PRICE_FEN);
            if c.is_none() {
                errors.add(
                    line,
                    "cost",
                    "cost must be an amount with at most two decimals",
                );
            } else if !can_cost {
                errors.add(
                    line,
                    "cost",
                    "a cost needs COST_EDIT (directors); leave it empty",
                );
            }
            c.map(|f| f.0)
        };
        let stock_raw = get("stock").trim();
        let stock = if stock_raw.is_empty() {
            None
        } else {
            let s = stock_raw
                .parse::<i64>()
                .ok()
                .filter(|s| (0..=1_000_000_000).contains(s));
            if s.is_none() {
                errors.add(
                    line,
                    "stock",
                    "stock must be a whole number from 0 to 1,000,000,000",
                );
            }
            s
        };
        if errors.total == before {
            rows.push(Row {
                line,
                product_ref,
                title,
                category_path: category_path.join("/"),
                status: status.unwrap_or(ProductStatus::Draft),
                sku_code,
                attrs,
                price: price.map_or(0, |p| p.0),
                cost,
                stock,
            });
        }
    }
    rows
}

/// Canonical combination key (same form as SKUs generated in the app).
pub(crate) fn key(attrs: &[(String, String)]) -> String {
    catalog::attributes_key(attrs)
}
