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
/// Most data rows per file.
pub const MAX_ROWS: usize = 500_000;
/// Rows per multi-row INSERT: about 30,000 bound values, under SQLite's limit of 32,766 and
/// PostgreSQL's 65,535.
pub(crate) const CHUNK: usize = 2000;
pub(crate) const PRODUCT_CHUNK: usize = 1000;

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

/// Import result: the report, or the rows at fault (nothing written).
pub type Outcome = crate::service::kernel::csv_file::Outcome<Report>;

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

/// Parses and checks each row on its own.
pub(crate) fn parse(
    reader: impl Read,
    platform: &str,
    allowed: &[String],
    staff: &Staff,
    errors: &mut Errors,
    progress: &Progress,
) -> Vec<Row> {
    let Some(file) = CsvFile::open(reader, &COLUMNS, &[], errors) else {
        return Vec::new();
    };
    let rules = RowRules {
        platform,
        allowed,
        title_rule: catalog::title_rule(platform),
        can_cost: staff.require(Permission::CostEdit, None).is_ok(),
        can_shelve: staff.require(Permission::ProductShelve, None).is_ok(),
    };
    let limits = Limits {
        max_rows: MAX_ROWS,
        progress_every: 10_000,
    };
    file.rows(limits, errors, progress, |c, errors| rules.row(c, errors))
}

/// What a row is checked against: the platform's title rule, the store's allowed phrases and the
/// viewer's permissions.
struct RowRules<'a> {
    platform: &'a str,
    allowed: &'a [String],
    /// Title limit and whether CJK characters count double.
    title_rule: (usize, bool),
    can_cost: bool,
    can_shelve: bool,
}

impl RowRules<'_> {
    fn row(&self, c: &Cells<'_>, errors: &mut Errors) -> Row {
        let line = c.line;
        let product_ref = c.get("product_ref").trim().to_owned();
        if product_ref.is_empty() || product_ref.chars().count() > 64 {
            errors.add(line, "product_ref", "product_ref must be 1–64 characters");
        }
        let title = c.get("title").to_owned();
        self.title(line, &title, errors);
        let category_path = c
            .get("category_path")
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
        let status = self.status(line, c.get("status"), &title, errors);
        let sku_code = c.get("sku_code").trim().to_owned();
        if sku_code.is_empty()
            || sku_code.len() > 64
            || !sku_code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            errors.add(line, "sku_code", "sku_code is 1–64 of A-Z a-z 0-9 - _ .");
        }
        let attrs = parse_attrs(c.get("sales_attrs")).unwrap_or_else(|e| {
            errors.add(line, "sales_attrs", e);
            Vec::new()
        });
        let price =
            Fen::parse(c.get("price").trim()).filter(|f| f.0 > 0 && f.0 <= pricing::MAX_PRICE_FEN);
        if price.is_none() {
            errors.add(
                line,
                "price",
                "price must be a positive amount with at most two decimals, e.g. 199.00",
            );
        }
        Row {
            line,
            product_ref,
            title,
            category_path: category_path.join("/"),
            status: status.unwrap_or(ProductStatus::Draft),
            sku_code,
            attrs,
            price: price.map_or(0, |p| p.0),
            cost: self.cost(line, c.optional("cost"), errors),
            stock: stock(line, c.optional("stock"), errors),
        }
    }

    fn title(&self, line: usize, title: &str, errors: &mut Errors) {
        let (limit, double) = self.title_rule;
        let title_len = compliance::title_length(title, double);
        if text::is_blank(title) {
            errors.add(line, "title", "title must not be blank");
        } else if title_len > limit {
            let platform = self.platform;
            errors.add(
                line,
                "title",
                format!("title counts {title_len} on {platform}; the limit is {limit}"),
            );
        }
    }

    /// The status; a shelf status needs PRODUCT_SHELVE, and a listed title no blocked term.
    fn status(
        &self,
        line: usize,
        raw: &str,
        title: &str,
        errors: &mut Errors,
    ) -> Option<ProductStatus> {
        let status = parse_status(raw);
        match status {
            None => errors.add(
                line,
                "status",
                "status must be DRAFT, ON_SHELF or OFF_SHELF",
            ),
            Some(s) if s != ProductStatus::Draft && !self.can_shelve => errors.add(
                line,
                "status",
                "setting a shelf status needs PRODUCT_SHELVE",
            ),
            Some(ProductStatus::OnShelf) => {
                let blocked: Vec<String> = compliance::check(title, self.allowed)
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
        status
    }

    fn cost(&self, line: usize, raw: Option<&str>, errors: &mut Errors) -> Option<i64> {
        let c = Fen::parse(raw?).filter(|f| f.0 >= 0 && f.0 <= pricing::MAX_PRICE_FEN);
        if c.is_none() {
            errors.add(
                line,
                "cost",
                "cost must be an amount with at most two decimals",
            );
        } else if !self.can_cost {
            errors.add(
                line,
                "cost",
                "a cost needs COST_EDIT (directors); leave it empty",
            );
        }
        c.map(|f| f.0)
    }
}

fn stock(line: usize, raw: Option<&str>, errors: &mut Errors) -> Option<i64> {
    let s = (raw?.parse::<i64>().ok()).filter(|s| (0..=1_000_000_000).contains(s));
    if s.is_none() {
        errors.add(
            line,
            "stock",
            "stock must be a whole number from 0 to 1,000,000,000",
        );
    }
    s
}

/// Canonical combination key (same form as SKUs generated in the app).
pub(crate) fn key(attrs: &[(String, String)]) -> String {
    catalog::attributes_key(attrs)
}
