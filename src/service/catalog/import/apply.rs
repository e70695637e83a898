//! Product import, second pass: write the validated rows in batches, in one transaction.

use super::check::{Checker, Groups, Stored, group_rows};
use super::*;
use crate::service::kernel::write::write;

/// Imports a CSV file into `store_id` as the context's viewer.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn import(
    ctx: &ServiceCtx,
    store_id: i64,
    reader: impl Read + Send + 'static,
    progress: Progress,
) -> Result<Outcome, AppError> {
    let (staff, store) =
        crate::service::kernel::scope::acting_in_store(ctx, Permission::ProductEditDraft, store_id)
            .await?;
    let (rows, mut errors) = parse_off_thread(ctx, staff, &store, reader, &progress).await?;
    if errors.total == 0 && rows.is_empty() {
        errors.add(2, "row", "the file has no data rows");
    }
    let products = group_rows(&rows, &mut errors);

    progress("checking", 0, rows.len() as u64);
    let stored = Stored::load(&ctx.db, store_id).await?;
    let mut checker = Checker::new(staff, &store, &stored, errors);
    checker.check(&ctx.db, &products).await?;
    let Checker {
        errors,
        new_leaf_paths,
        refused_prices,
        ..
    } = checker;
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

    let report = write(ctx, staff, async |txn| {
    let mut writer = Writer {
        txn,
        staff,
        store_id,
        at: ctx.now(),
        stored: &stored,
        progress: &progress,
        report: Report {
            rows: rows.len(),
            ..Default::default()
        },
    };
    let leaf_attrs = new_leaf_attrs(&products, &new_leaf_paths);
    let category_ids = writer.categories(&new_leaf_paths, &leaf_attrs).await?;
    let product_ids = writer.products(&products, &category_ids).await?;
    writer.skus(&rows, &product_ids, &leaf_attrs).await?;
    let report = writer.report;
    let entry = audit::Entry {
        action: "product.import", target_type: "Store", target_id: Some(store_id), store_id: Some(store_id),
        after: Some(json!({
            "rows": report.rows, "categoriesCreated": report.categories_created, "productsCreated": report.products_created,
            "productsUpdated": report.products_updated, "skusCreated": report.skus_created, "skusUpdated": report.skus_updated,
            "rowsUnchanged": report.rows_unchanged,
        })),
        ..Default::default()
    };
    Ok((report, entry))
    })
    .await?;
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

/// Parses the file on a blocking thread (CSV parsing is CPU work, kept off the async executor).
async fn parse_off_thread(
    ctx: &ServiceCtx,
    staff: &Staff,
    store: &store::Model,
    reader: impl Read + Send + 'static,
    progress: &Progress,
) -> Result<(Vec<Row>, Errors), AppError> {
    let allowed = crate::service::compliance::phrases(&ctx.db, store.id).await?;
    let (platform, parser, progress) = (store.platform.clone(), staff.clone(), progress.clone());
    tokio::task::spawn_blocking(move || {
        let mut errors = Errors::new();
        let rows = parse(reader, &platform, &allowed, &parser, &mut errors, &progress);
        (rows, errors)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// The sales attributes of each new leaf category: the names and values its rows use.
fn new_leaf_attrs(
    products: &Groups<'_>,
    new_leaf_paths: &HashSet<String>,
) -> HashMap<String, Vec<AttributeDef>> {
    let mut leaf_attrs: HashMap<String, Vec<AttributeDef>> = HashMap::new();
    for group in products.values() {
        let path = &group[0].category_path;
        if !new_leaf_paths.contains(path) {
            continue;
        }
        let defs = leaf_attrs.entry(path.clone()).or_default();
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
    leaf_attrs
}

/// The write pass: one transaction, batched inserts, a running report.
struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    staff: &'a Staff,
    store_id: i64,
    at: chrono::DateTime<chrono::Utc>,
    stored: &'a Stored,
    progress: &'a Progress,
    report: Report,
}

impl Writer<'_> {
    /// Creates the new category paths (each missing ancestor too); returns every path's id.
    async fn categories(
        &mut self,
        new_leaf_paths: &HashSet<String>,
        leaf_attrs: &HashMap<String, Vec<AttributeDef>>,
    ) -> Result<HashMap<String, i64>, AppError> {
        let mut category_ids: HashMap<String, i64> = (self.stored.categories.iter())
            .map(|(p, c)| (p.clone(), c.id))
            .collect();
        let mut new_paths: Vec<&String> = new_leaf_paths.iter().collect();
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
                let sales = match n == segments.len() {
                    true => leaf_attrs.get(path).cloned().unwrap_or_default(),
                    false => Vec::new(),
                };
                let c = category::ActiveModel {
                    store_id: Set(self.store_id),
                    parent_id: Set(parent),
                    name: Set(segments[n - 1].to_owned()),
                    path: Set(prefix.clone()),
                    depth: Set(n as i32),
                    key_attributes_json: Set("[]".into()),
                    sales_attributes_json: Set(
                        serde_json::to_string(&sales).unwrap_or_else(|_| "[]".into())
                    ),
                    created_at: Set(self.at),
                    updated_at: Set(self.at),
                    ..Default::default()
                }
                .insert(self.txn)
                .await?;
                category_ids.insert(prefix, c.id);
                self.report.categories_created += 1;
            }
        }
        Ok(category_ids)
    }

    /// Inserts the new products with their totals and updates the changed ones; returns every
    /// product's id by `product_ref`.
    async fn products(
        &mut self,
        products: &Groups<'_>,
        category_ids: &HashMap<String, i64>,
    ) -> Result<HashMap<String, i64>, AppError> {
        let mut new_products = Vec::new();
        for (pref, group) in products {
            let first = group[0];
            match self.stored.products.get(*pref) {
                Some(p) => self.update_product(p, first).await?,
                None => new_products.push(self.new_product(pref, group, category_ids)),
            }
        }
        self.report.products_created = new_products.len();
        let total_new = new_products.len() as u64;
        let mut done = 0u64;
        let mut iter = new_products.into_iter().peekable();
        while iter.peek().is_some() {
            let chunk: Vec<_> = iter.by_ref().take(PRODUCT_CHUNK).collect();
            done += chunk.len() as u64;
            product::Entity::insert_many(chunk).exec(self.txn).await?;
            (self.progress)("writing products", done, total_new);
        }
        let mut product_ids: HashMap<String, i64> = (self.stored.products.iter())
            .map(|(r, p)| (r.clone(), p.id))
            .collect();
        let refs: Vec<String> = products
            .keys()
            .filter(|r| !product_ids.contains_key(**r))
            .map(|r| (*r).to_owned())
            .collect();
        for chunk in refs.chunks(CHUNK) {
            for p in product::Entity::find()
                .filter(product::Column::StoreId.eq(self.store_id))
                .filter(product::Column::ExternalRef.is_in(chunk.iter().cloned()))
                .all(self.txn)
                .await?
            {
                if let Some(r) = p.external_ref {
                    product_ids.insert(r, p.id);
                }
            }
        }
        Ok(product_ids)
    }

    async fn update_product(&mut self, p: &product::Model, first: &Row) -> Result<(), AppError> {
        if p.title == first.title && p.status == first.status.as_str() {
            return Ok(());
        }
        let mut m: product::ActiveModel = p.clone().into();
        m.title = Set(first.title.clone());
        m.status = Set(first.status.as_str().into());
        m.status_reason = Set(None);
        m.updated_at = Set(self.at);
        m.update(self.txn).await?;
        self.report.products_updated += 1;
        Ok(())
    }

    fn new_product(
        &self,
        pref: &str,
        group: &[&Row],
        category_ids: &HashMap<String, i64>,
    ) -> product::ActiveModel {
        let first = group[0];
        let prices: Vec<i64> = group.iter().map(|r| r.price).collect();
        let stock: i64 = group.iter().map(|r| r.stock.unwrap_or(0)).sum();
        product::ActiveModel {
            store_id: Set(self.store_id),
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
            reviewed_by: Set(self
                .staff
                .actor_id()
                .filter(|_| first.status != ProductStatus::Draft)),
            min_price_fen: Set(prices.iter().min().copied()),
            max_price_fen: Set(prices.iter().max().copied()),
            total_on_hand: Set(stock),
            total_available: Set(stock),
            created_by: Set(self.staff.actor_id()),
            external_ref: Set(Some(pref.to_owned())),
            created_at: Set(self.at),
            updated_at: Set(self.at),
            ..Default::default()
        }
    }

    /// Inserts the new SKUs (opening stock as a RESTOCK movement) and updates the changed ones
    /// (price history, STOCKTAKE movements), then refreshes the touched products' totals.
    async fn skus(
        &mut self,
        rows: &[Row],
        product_ids: &HashMap<String, i64>,
        leaf_attrs: &HashMap<String, Vec<AttributeDef>>,
    ) -> Result<(), AppError> {
        let mut new_skus = Vec::new();
        let mut ledger = Ledger::default();
        for row in rows {
            match self.stored.skus.get(&row.sku_code) {
                None => {
                    let product_id = product_ids.get(&row.product_ref).copied();
                    let defs = match self.stored.categories.contains_key(&row.category_path) {
                        true => self.stored.defs(&row.category_path)?,
                        false => leaf_attrs
                            .get(&row.category_path)
                            .cloned()
                            .unwrap_or_default(),
                    };
                    new_skus.push(self.new_sku(row, product_id.unwrap_or_default(), &defs));
                }
                Some(s) => self.update_sku(s, row, &mut ledger).await?,
            }
        }
        self.insert_new_skus(new_skus, &mut ledger).await?;
        for chunk in ledger.movements.chunks(CHUNK) {
            inventory_movement::Entity::insert_many(chunk.to_vec())
                .exec(self.txn)
                .await?;
        }
        for chunk in ledger.price_changes.chunks(CHUNK) {
            price_change::Entity::insert_many(chunk.to_vec())
                .exec(self.txn)
                .await?;
        }
        for product_id in ledger.touched_products {
            catalog::refresh_product_totals(self.txn, product_id).await?;
        }
        Ok(())
    }

    fn new_sku(&self, row: &Row, product_id: i64, defs: &[AttributeDef]) -> sku::ActiveModel {
        let attrs = ordered(&row.attrs, defs);
        sku::ActiveModel {
            store_id: Set(self.store_id),
            product_id: Set(product_id),
            code: Set(row.sku_code.clone()),
            attributes_json: Set(catalog::attributes_json(&attrs)),
            attributes_key: Set(key(&attrs)),
            price_fen: Set(row.price),
            cost_fen: Set(row.cost),
            floor_price_fen: Set(None),
            on_hand: Set(row.stock.unwrap_or(0)),
            reserved: Set(0),
            low_stock_threshold: Set(0),
            active: Set(true),
            created_at: Set(self.at),
            updated_at: Set(self.at),
            ..Default::default()
        }
    }

    async fn update_sku(
        &mut self,
        s: &sku::Model,
        row: &Row,
        ledger: &mut Ledger,
    ) -> Result<(), AppError> {
        let stock_changes = row.stock.is_some_and(|st| st != s.on_hand);
        let cost_changes = row.cost.is_some() && row.cost != s.cost_fen;
        if row.price == s.price_fen && !stock_changes && !cost_changes {
            self.report.rows_unchanged += 1;
            return Ok(());
        }
        let mut m: sku::ActiveModel = s.clone().into();
        if row.price != s.price_fen {
            m.price_fen = Set(row.price);
            ledger.price_changes.push(price_change::ActiveModel {
                store_id: Set(self.store_id),
                sku_id: Set(s.id),
                old_price_fen: Set(s.price_fen),
                new_price_fen: Set(row.price),
                reason: Set(format!("import line {}", row.line)),
                changed_by: Set(self.staff.actor_id()),
                approved_by: Set(None),
                approval_request_id: Set(None),
                created_at: Set(self.at),
                ..Default::default()
            });
        }
        if cost_changes {
            m.cost_fen = Set(row.cost);
        }
        if let Some(stock) = row.stock.filter(|_| stock_changes) {
            m.on_hand = Set(stock);
            ledger.movements.push(self.movement(
                s.id,
                ("STOCKTAKE", stock - s.on_hand),
                (stock, s.reserved),
                format!("import line {}", row.line),
            ));
        }
        m.updated_at = Set(self.at);
        m.update(self.txn).await?;
        ledger.touched_products.insert(s.product_id);
        self.report.skus_updated += 1;
        Ok(())
    }

    async fn insert_new_skus(
        &mut self,
        new_skus: Vec<sku::ActiveModel>,
        ledger: &mut Ledger,
    ) -> Result<(), AppError> {
        self.report.skus_created = new_skus.len();
        let total_new = new_skus.len() as u64;
        let mut done = 0u64;
        let mut restocked: Vec<(String, i64)> = Vec::new();
        for chunk in new_skus.chunks(CHUNK) {
            for s in chunk {
                if let (Set(code), Set(stock)) = (&s.code, &s.on_hand)
                    && *stock > 0
                {
                    restocked.push((code.clone(), *stock));
                }
            }
            sku::Entity::insert_many(chunk.to_vec())
                .exec(self.txn)
                .await?;
            done += chunk.len() as u64;
            (self.progress)("writing SKUs", done, total_new);
        }
        // Opening stock of new SKUs is a RESTOCK in the ledger.
        for chunk in restocked.chunks(CHUNK) {
            let ids: HashMap<String, i64> = sku::Entity::find()
                .filter(sku::Column::StoreId.eq(self.store_id))
                .filter(sku::Column::Code.is_in(chunk.iter().map(|(c, _)| c.clone())))
                .all(self.txn)
                .await?
                .into_iter()
                .map(|s| (s.code, s.id))
                .collect();
            for (code, stock) in chunk {
                let id = ids.get(code).copied().unwrap_or_default();
                ledger.movements.push(self.movement(
                    id,
                    ("RESTOCK", *stock),
                    (*stock, 0),
                    "import".into(),
                ));
            }
        }
        Ok(())
    }

    /// A ledger row: `(kind, quantity)`, `(on hand after, reserved after)`.
    fn movement(
        &self,
        sku_id: i64,
        (kind, quantity): (&str, i64),
        (on_hand_after, reserved_after): (i64, i64),
        reason: String,
    ) -> inventory_movement::ActiveModel {
        inventory_movement::ActiveModel {
            store_id: Set(self.store_id),
            sku_id: Set(sku_id),
            kind: Set(kind.into()),
            quantity: Set(quantity),
            on_hand_after: Set(on_hand_after),
            reserved_after: Set(reserved_after),
            reason: Set(Some(reason)),
            reference: Set(None),
            actor_id: Set(self.staff.actor_id()),
            created_at: Set(self.at),
            ..Default::default()
        }
    }
}

/// Rows the SKU pass adds to the ledgers.
#[derive(Default)]
struct Ledger {
    movements: Vec<inventory_movement::ActiveModel>,
    price_changes: Vec<price_change::ActiveModel>,
    touched_products: HashSet<i64>,
}

/// A row's attributes in the category's attribute order (as SKUs generated in the app).
pub(crate) fn ordered(attrs: &[(String, String)], defs: &[AttributeDef]) -> Vec<(String, String)> {
    let mut out = attrs.to_vec();
    out.sort_by_key(|(k, _)| defs.iter().position(|d| &d.name == k).unwrap_or(usize::MAX));
    out
}
