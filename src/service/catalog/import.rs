//! Bulk product import (one CSV row per SKU): every row is validated first; any error rejects the
//! whole file with each bad row and column, and nothing is written. Re-importing the same file
//! changes nothing (products match by `product_ref`, SKUs by `sku_code`). Writes are batched in one
//! transaction, so 100,000 rows take seconds, not minutes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use entity::{category, inventory_movement, price_change, product, sku, store};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::auth::{Access, Permission, Role, Staff};
use crate::db;
use crate::domain::{Fen, compliance, text};
use crate::error::AppError;
use crate::service::catalog::{self, AttributeDef, ProductStatus};
use crate::service::{ServiceCtx, kernel::audit, now, pricing};

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
const CHUNK: usize = 2000;
const PRODUCT_CHUNK: usize = 1000;

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
struct Row {
    line: usize,
    product_ref: String,
    title: String,
    category_path: String,
    status: ProductStatus,
    sku_code: String,
    attrs: Vec<(String, String)>,
    price: i64,
    cost: Option<i64>,
    stock: Option<i64>,
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

fn parse_attrs(raw: &str) -> Result<Vec<(String, String)>, String> {
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

fn parse_status(raw: &str) -> Option<ProductStatus> {
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
fn parse(
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
fn key(attrs: &[(String, String)]) -> String {
    catalog::attributes_key(attrs)
}

/// Imports a CSV file into `store_id` as the context's viewer.
pub async fn import(
    ctx: &ServiceCtx,
    store_id: i64,
    reader: impl Read + Send + 'static,
    progress: Progress,
) -> Result<Outcome, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductEditDraft, Some(store_id))?;
    let store = store::Entity::find_by_id(store_id)
        .one(&ctx.db)
        .await?
        .ok_or(AppError::not_found("store"))?;
    let sees_cost = catalog::cost_visible(staff, &store);
    let allowed = crate::service::compliance::phrases(&ctx.db, store_id).await?;
    // Parsing is CPU work: off the async executor.
    let (platform, parser, parse_progress) =
        (store.platform.clone(), staff.clone(), progress.clone());
    let (rows, mut errors) = tokio::task::spawn_blocking(move || {
        let mut errors = Errors {
            list: Vec::new(),
            total: 0,
        };
        let rows = parse(
            reader,
            &platform,
            &allowed,
            &parser,
            &mut errors,
            &parse_progress,
        );
        (rows, errors)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    if errors.total == 0 && rows.is_empty() {
        errors.add(2, "row", "the file has no data rows");
    }

    // Cross-row checks.
    let mut products: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    let mut codes: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        if let Some(first) = codes.insert(&row.sku_code, row.line) {
            errors.add(
                row.line,
                "sku_code",
                format!("sku_code also on line {first}"),
            );
        }
        products.entry(&row.product_ref).or_default().push(row);
    }
    for group in products.values() {
        let first = group[0];
        let names: Vec<&String> = first.attrs.iter().map(|(k, _)| k).collect();
        let mut combos = HashSet::new();
        for row in group {
            for (col, same) in [
                ("title", row.title == first.title),
                ("category_path", row.category_path == first.category_path),
                ("status", row.status == first.status),
            ] {
                if !same {
                    errors.add(
                        row.line,
                        col,
                        format!("differs from line {} of the same product_ref", first.line),
                    );
                }
            }
            let mut mine: Vec<&String> = row.attrs.iter().map(|(k, _)| k).collect();
            let mut theirs = names.clone();
            mine.sort();
            theirs.sort();
            if mine != theirs {
                errors.add(
                    row.line,
                    "sales_attrs",
                    format!("uses other attribute names than line {}", first.line),
                );
            }
            let mut sorted = row.attrs.clone();
            sorted.sort();
            if !combos.insert(sorted) {
                errors.add(
                    row.line,
                    "sales_attrs",
                    "the same combination appears twice in this product",
                );
            }
        }
        if group.len() > catalog::MAX_SKUS {
            errors.add(
                first.line,
                "product_ref",
                format!("a product may have at most {} SKUs", catalog::MAX_SKUS),
            );
        }
    }

    // Checks against what is stored.
    progress("checking", 0, rows.len() as u64);
    let categories: HashMap<String, category::Model> = category::Entity::find()
        .filter(category::Column::StoreId.eq(store_id))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|c| (c.path.clone(), c))
        .collect();
    let parents: HashSet<i64> = categories.values().filter_map(|c| c.parent_id).collect();
    let existing_products: HashMap<String, product::Model> = product::Entity::find()
        .filter(product::Column::StoreId.eq(store_id))
        .filter(product::Column::ExternalRef.is_not_null())
        .all(&ctx.db)
        .await?
        .into_iter()
        .filter_map(|p| p.external_ref.clone().map(|r| (r, p)))
        .collect();
    let existing_skus: HashMap<String, sku::Model> = sku::Entity::find()
        .filter(sku::Column::StoreId.eq(store_id))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let stored_attrs: HashMap<(i64, &str), &str> = existing_skus
        .values()
        .map(|s| ((s.product_id, s.attributes_key.as_str()), s.code.as_str()))
        .collect();
    let mut new_leaf_paths: HashSet<&str> = HashSet::new();
    let mut refused_prices: Vec<serde_json::Value> = Vec::new();
    for (pref, group) in &products {
        let first = group[0];
        match categories.get(&first.category_path) {
            Some(c) if parents.contains(&c.id) => {
                errors.add(
                    first.line,
                    "category_path",
                    format!("{} is not a leaf category", c.path),
                );
            }
            Some(c) => {
                let defs = catalog::parse_defs(&c.sales_attributes_json);
                for row in group {
                    for (k, v) in &row.attrs {
                        match defs.iter().find(|d| &d.name == k) {
                            None if !defs.is_empty() => errors.add(
                                row.line,
                                "sales_attrs",
                                format!("{k} is not a sales attribute of {}", c.path),
                            ),
                            Some(d) if !d.values.is_empty() && !d.values.contains(v) => errors.add(
                                row.line,
                                "sales_attrs",
                                format!("{v} is not an allowed value of {k}"),
                            ),
                            _ => {}
                        }
                    }
                }
            }
            None => {
                // A new path may not run below an existing leaf that holds products.
                let segments: Vec<&str> = first.category_path.split('/').collect();
                for n in 1..segments.len() {
                    let Some(c) = categories.get(&segments[..n].join("/")) else {
                        continue;
                    };
                    let holds_products = !parents.contains(&c.id)
                        && product::Entity::find()
                            .filter(product::Column::CategoryId.eq(c.id))
                            .one(&ctx.db)
                            .await?
                            .is_some();
                    if holds_products {
                        errors.add(
                            first.line,
                            "category_path",
                            format!("{} holds products and cannot get sub-categories", c.path),
                        );
                    }
                }
                new_leaf_paths.insert(first.category_path.as_str());
            }
        }
        if let Some(p) = existing_products.get(*pref) {
            let from = ProductStatus::parse(&p.status);
            let cat_path = categories
                .values()
                .find(|c| c.id == p.category_id)
                .map(|c| c.path.as_str());
            if cat_path != Some(first.category_path.as_str()) {
                errors.add(
                    first.line,
                    "category_path",
                    "an imported product keeps its category; change it in the app",
                );
            }
            if from != first.status {
                let ok = matches!(
                    (from, first.status),
                    (
                        ProductStatus::Draft | ProductStatus::OffShelf,
                        ProductStatus::OnShelf
                    ) | (
                        ProductStatus::Draft | ProductStatus::OnShelf,
                        ProductStatus::OffShelf
                    )
                );
                if !ok {
                    errors.add(
                        first.line,
                        "status",
                        format!(
                            "a product in {} cannot be set to {} by import",
                            from.as_str(),
                            first.status.as_str()
                        ),
                    );
                }
            }
            if p.title != first.title
                && from != ProductStatus::Draft
                && staff.require(Permission::ProductReview, None).is_err()
            {
                errors.add(
                    first.line,
                    "title",
                    "changing a listed product's title needs PRODUCT_REVIEW",
                );
            }
            if from != ProductStatus::Draft && first.status == ProductStatus::OnShelf {
                // Listed content must stay clean (checked in parse for the new title).
            }
        }
        let stored_product = existing_products.get(*pref).map(|p| p.id);
        let defs = categories
            .get(&first.category_path)
            .map(|c| catalog::parse_defs(&c.sales_attributes_json))
            .unwrap_or_default();
        for row in group {
            let Some(s) = existing_skus.get(&row.sku_code) else {
                // A new SKU of a stored product may not repeat the sales attributes of one of
                // its stored SKUs (the unique index on (product, attributes) would refuse it).
                let Some(pid) = stored_product else {
                    continue;
                };
                let k = key(&ordered(&row.attrs, &defs));
                if let Some(twin) = stored_attrs.get(&(pid, k.as_str())) {
                    errors.add(
                        row.line,
                        "sales_attrs",
                        format!("the product already has SKU {twin} with these sales attributes"),
                    );
                }
                continue;
            };
            let owner = stored_product;
            if owner != Some(s.product_id) {
                errors.add(
                    row.line,
                    "sku_code",
                    "this sku_code belongs to another product of the store",
                );
                continue;
            }
            if s.attributes_key != key(&ordered(&row.attrs, &defs)) {
                errors.add(
                    row.line,
                    "sales_attrs",
                    "differs from the stored SKU's attributes",
                );
            }
            if row.price != s.price_fen {
                let breaches = match staff.role {
                    Role::Director => Vec::new(),
                    Role::Specialist => {
                        pricing::specialist_breaches(s, &store, row.price, s.price_fen, sees_cost)
                    }
                    Role::Assistant => vec!["assistants may only request price changes".to_owned()],
                };
                if !breaches.is_empty() {
                    refused_prices.push(json!({ "skuId": s.id, "triedPriceFen": row.price }));
                    errors.add(
                        row.line,
                        "price",
                        format!("approval required: {}", breaches.join("; ")),
                    );
                }
            }
            if let Some(stock) = row.stock.filter(|st| *st != s.on_hand) {
                if staff.access(Permission::StockAdjust) != Access::Full {
                    errors.add(row.line, "stock", "changing the stock of an existing SKU is a stocktake and needs STOCK_ADJUST");
                } else if stock < s.reserved {
                    errors.add(
                        row.line,
                        "stock",
                        format!("below the {} units reserved", s.reserved),
                    );
                }
            }
            if row.cost.is_some()
                && row.cost != s.cost_fen
                && staff.require(Permission::CostEdit, None).is_err()
            {
                errors.add(row.line, "cost", "a cost needs COST_EDIT");
            }
        }
    }
    if errors.total > 0 {
        if !refused_prices.is_empty() {
            // Refused price changes are recorded even though the file is not imported: probing
            // a hidden bound by import shows in the audit log as by skuPriceChange.
            pricing::record_refusals(ctx, staff, store_id, &refused_prices).await?;
        }
        let mut list = errors.list;
        list.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
        return Ok(Outcome::Rejected {
            errors: list,
            total_errors: errors.total,
        });
    }

    // Write everything in one transaction.
    let txn = db::begin_write(&ctx.db).await?;
    let at = now();
    let mut report = Report {
        rows: rows.len(),
        ..Default::default()
    };
    let mut category_ids: HashMap<String, i64> =
        categories.iter().map(|(p, c)| (p.clone(), c.id)).collect();
    let mut leaf_attrs: HashMap<&str, Vec<AttributeDef>> = HashMap::new();
    for group in products.values() {
        let path = group[0].category_path.as_str();
        if !new_leaf_paths.contains(path) {
            continue;
        }
        let defs = leaf_attrs.entry(path).or_default();
        for row in group {
            for (k, v) in &row.attrs {
                match defs.iter_mut().find(|d| &d.name == k) {
                    Some(d) if !d.values.contains(v) => d.values.push(v.clone()),
                    Some(_) => {}
                    None => defs.push(AttributeDef {
                        name: k.clone(),
                        required: false,
                        values: vec![v.clone()],
                    }),
                }
            }
        }
    }
    let mut new_paths: Vec<&str> = new_leaf_paths.iter().copied().collect();
    new_paths.sort_unstable();
    for path in new_paths {
        let segments: Vec<&str> = path.split('/').collect();
        for n in 1..=segments.len() {
            let prefix = segments[..n].join("/");
            if category_ids.contains_key(&prefix) {
                continue;
            }
            let parent = (n > 1)
                .then(|| category_ids.get(&segments[..n - 1].join("/")).copied())
                .flatten();
            let sales = if n == segments.len() {
                leaf_attrs.get(path).cloned().unwrap_or_default()
            } else {
                Vec::new()
            };
            let c = category::ActiveModel {
                store_id: Set(store_id),
                parent_id: Set(parent),
                name: Set(segments[n - 1].to_owned()),
                path: Set(prefix.clone()),
                depth: Set(n as i32),
                key_attributes_json: Set("[]".into()),
                sales_attributes_json: Set(
                    serde_json::to_string(&sales).unwrap_or_else(|_| "[]".into())
                ),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            category_ids.insert(prefix, c.id);
            report.categories_created += 1;
        }
    }

    // Products: insert the new ones with their totals, update the changed ones.
    let mut new_products = Vec::new();
    for (pref, group) in &products {
        let first = group[0];
        if let Some(p) = existing_products.get(*pref) {
            if p.title != first.title || p.status != first.status.as_str() {
                let mut m: product::ActiveModel = p.clone().into();
                m.title = Set(first.title.clone());
                m.status = Set(first.status.as_str().into());
                m.status_reason = Set(None);
                m.updated_at = Set(at);
                m.update(&txn).await?;
                report.products_updated += 1;
            }
            continue;
        }
        let prices: Vec<i64> = group.iter().map(|r| r.price).collect();
        let stock: i64 = group.iter().map(|r| r.stock.unwrap_or(0)).sum();
        new_products.push(product::ActiveModel {
            store_id: Set(store_id),
            category_id: Set(category_ids
                .get(&first.category_path)
                .copied()
                .unwrap_or_default()),
            title: Set(first.title.clone()),
            subtitle: Set(None),
            description: Set(None),
            key_attributes_json: Set("{}".into()),
            images_json: Set("[]".into()),
            video_url: Set(None),
            status: Set(first.status.as_str().into()),
            status_reason: Set(None),
            scheduled_on_shelf_at: Set(None),
            submitted_by: Set(None),
            submitted_at: Set(None),
            reviewed_by: Set(staff
                .actor_id()
                .filter(|_| first.status != ProductStatus::Draft)),
            min_price_fen: Set(prices.iter().min().copied()),
            max_price_fen: Set(prices.iter().max().copied()),
            total_on_hand: Set(stock),
            total_available: Set(stock),
            created_by: Set(staff.actor_id()),
            external_ref: Set(Some((*pref).to_owned())),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        });
    }
    report.products_created = new_products.len();
    let total_new = new_products.len() as u64;
    let mut done = 0u64;
    let mut iter = new_products.into_iter().peekable();
    while iter.peek().is_some() {
        let chunk: Vec<_> = iter.by_ref().take(PRODUCT_CHUNK).collect();
        done += chunk.len() as u64;
        product::Entity::insert_many(chunk).exec(&txn).await?;
        progress("writing products", done, total_new);
    }
    let mut product_ids: HashMap<String, i64> = existing_products
        .iter()
        .map(|(r, p)| (r.clone(), p.id))
        .collect();
    let refs: Vec<String> = products
        .keys()
        .filter(|r| !product_ids.contains_key(**r))
        .map(|r| (*r).to_owned())
        .collect();
    for chunk in refs.chunks(CHUNK) {
        for p in product::Entity::find()
            .filter(product::Column::StoreId.eq(store_id))
            .filter(product::Column::ExternalRef.is_in(chunk.iter().cloned()))
            .all(&txn)
            .await?
        {
            if let Some(r) = p.external_ref {
                product_ids.insert(r, p.id);
            }
        }
    }

    // SKUs.
    let mut new_skus = Vec::new();
    let mut touched_existing: HashSet<i64> = HashSet::new();
    let mut price_changes = Vec::new();
    let mut movements = Vec::new();
    for row in &rows {
        let product_id = product_ids
            .get(&row.product_ref)
            .copied()
            .unwrap_or_default();
        match existing_skus.get(&row.sku_code) {
            None => {
                let defs = match categories.get(&row.category_path) {
                    Some(c) => catalog::parse_defs(&c.sales_attributes_json),
                    None => leaf_attrs
                        .get(row.category_path.as_str())
                        .cloned()
                        .unwrap_or_default(),
                };
                let attrs = ordered(&row.attrs, &defs);
                let stock = row.stock.unwrap_or(0);
                new_skus.push(sku::ActiveModel {
                    store_id: Set(store_id),
                    product_id: Set(product_id),
                    code: Set(row.sku_code.clone()),
                    attributes_json: Set(serde_json::to_string(
                        &attrs
                            .iter()
                            .map(|(k, v)| json!({ "name": k, "value": v }))
                            .collect::<Vec<_>>(),
                    )
                    .unwrap_or_else(|_| "[]".into())),
                    attributes_key: Set(key(&attrs)),
                    price_fen: Set(row.price),
                    cost_fen: Set(row.cost),
                    floor_price_fen: Set(None),
                    on_hand: Set(stock),
                    reserved: Set(0),
                    low_stock_threshold: Set(0),
                    active: Set(true),
                    created_at: Set(at),
                    updated_at: Set(at),
                    ..Default::default()
                });
            }
            Some(s) => {
                let stock_changes = row.stock.is_some_and(|st| st != s.on_hand);
                let cost_changes = row.cost.is_some() && row.cost != s.cost_fen;
                if row.price == s.price_fen && !stock_changes && !cost_changes {
                    report.rows_unchanged += 1;
                    continue;
                }
                let mut m: sku::ActiveModel = s.clone().into();
                if row.price != s.price_fen {
                    m.price_fen = Set(row.price);
                    price_changes.push(price_change::ActiveModel {
                        store_id: Set(store_id),
                        sku_id: Set(s.id),
                        old_price_fen: Set(s.price_fen),
                        new_price_fen: Set(row.price),
                        reason: Set(format!("import line {}", row.line)),
                        changed_by: Set(staff.actor_id()),
                        approved_by: Set(None),
                        approval_request_id: Set(None),
                        created_at: Set(at),
                        ..Default::default()
                    });
                }
                if cost_changes {
                    m.cost_fen = Set(row.cost);
                }
                if let Some(stock) = row.stock.filter(|_| stock_changes) {
                    m.on_hand = Set(stock);
                    movements.push(inventory_movement::ActiveModel {
                        store_id: Set(store_id),
                        sku_id: Set(s.id),
                        kind: Set("STOCKTAKE".into()),
                        quantity: Set(stock - s.on_hand),
                        on_hand_after: Set(stock),
                        reserved_after: Set(s.reserved),
                        reason: Set(Some(format!("import line {}", row.line))),
                        reference: Set(None),
                        actor_id: Set(staff.actor_id()),
                        created_at: Set(at),
                        ..Default::default()
                    });
                }
                m.updated_at = Set(at);
                m.update(&txn).await?;
                touched_existing.insert(s.product_id);
                report.skus_updated += 1;
            }
        }
    }
    report.skus_created = new_skus.len();
    let total_new = new_skus.len() as u64;
    let mut done = 0u64;
    let mut restocked: Vec<(String, i64)> = Vec::new();
    for chunk in new_skus.chunks(CHUNK) {
        for s in chunk {
            if let (sea_orm::ActiveValue::Set(code), sea_orm::ActiveValue::Set(stock)) =
                (&s.code, &s.on_hand)
                && *stock > 0
            {
                restocked.push((code.clone(), *stock));
            }
        }
        sku::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        done += chunk.len() as u64;
        progress("writing SKUs", done, total_new);
    }
    // Opening stock of new SKUs is a RESTOCK in the ledger.
    for chunk in restocked.chunks(CHUNK) {
        let ids: HashMap<String, i64> = sku::Entity::find()
            .filter(sku::Column::StoreId.eq(store_id))
            .filter(sku::Column::Code.is_in(chunk.iter().map(|(c, _)| c.clone())))
            .all(&txn)
            .await?
            .into_iter()
            .map(|s| (s.code, s.id))
            .collect();
        for (code, stock) in chunk {
            movements.push(inventory_movement::ActiveModel {
                store_id: Set(store_id),
                sku_id: Set(ids.get(code).copied().unwrap_or_default()),
                kind: Set("RESTOCK".into()),
                quantity: Set(*stock),
                on_hand_after: Set(*stock),
                reserved_after: Set(0),
                reason: Set(Some("import".into())),
                reference: Set(None),
                actor_id: Set(staff.actor_id()),
                created_at: Set(at),
                ..Default::default()
            });
        }
    }
    for chunk in movements.chunks(CHUNK) {
        inventory_movement::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for chunk in price_changes.chunks(CHUNK) {
        price_change::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for product_id in touched_existing {
        catalog::refresh_product_totals(&txn, product_id).await?;
    }
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "product.import", target_type: "Store", target_id: Some(store_id), store_id: Some(store_id),
        after: Some(json!({
            "rows": report.rows, "categoriesCreated": report.categories_created, "productsCreated": report.products_created,
            "productsUpdated": report.products_updated, "skusCreated": report.skus_created, "skusUpdated": report.skus_updated,
            "rowsUnchanged": report.rows_unchanged,
        })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    if report.skus_created + report.skus_updated >= 10_000 {
        db::analyze_after_bulk(
            &ctx.db,
            &[
                "product",
                "sku",
                "inventory_movement",
                "price_change",
                "category",
            ],
        )
        .await;
    }
    progress("done", report.rows as u64, report.rows as u64);
    Ok(Outcome::Imported(report))
}

/// A row's attributes in the category's attribute order (as SKUs generated in the app).
fn ordered(attrs: &[(String, String)], defs: &[AttributeDef]) -> Vec<(String, String)> {
    let mut out = attrs.to_vec();
    out.sort_by_key(|(k, _)| defs.iter().position(|d| &d.name == k).unwrap_or(usize::MAX));
    out
}
