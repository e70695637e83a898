//! Product import, checks: rows against each other, then against what the store holds. Every
//! problem is collected with its line and column; nothing is written here.

use super::*;

/// Rows grouped by `product_ref`, in ref order.
pub(super) type Groups<'a> = BTreeMap<&'a str, Vec<&'a Row>>;

/// What the store holds before the import, read once.
pub(super) struct Stored {
    /// Categories by path.
    pub(super) categories: HashMap<String, category::Model>,
    /// Ids of categories that have children (not leaves).
    pub(super) parents: HashSet<i64>,
    /// Imported products by `external_ref`.
    pub(super) products: HashMap<String, product::Model>,
    /// SKUs by code.
    pub(super) skus: HashMap<String, sku::Model>,
}

impl Stored {
    pub(super) async fn load(db: &impl ConnectionTrait, store_id: i64) -> Result<Self, AppError> {
        let categories: HashMap<String, category::Model> = category::Entity::find()
            .filter(category::Column::StoreId.eq(store_id))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.path.clone(), c))
            .collect();
        let parents = categories.values().filter_map(|c| c.parent_id).collect();
        let products = product::Entity::find()
            .filter(product::Column::StoreId.eq(store_id))
            .filter(product::Column::ExternalRef.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .filter_map(|p| p.external_ref.clone().map(|r| (r, p)))
            .collect();
        let skus = sku::Entity::find()
            .filter(sku::Column::StoreId.eq(store_id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect();
        Ok(Self {
            categories,
            parents,
            products,
            skus,
        })
    }

    /// The attribute definitions of the stored category at `path` (none for a new path).
    pub(super) fn defs(&self, path: &str) -> Result<Vec<AttributeDef>, AppError> {
        match self.categories.get(path) {
            Some(c) => catalog::parse_defs(&c.sales_attributes_json, c.id),
            None => Ok(Vec::new()),
        }
    }
}

/// Groups the rows by product and checks them against each other: SKU codes unique in the file,
/// one title, category and status per product, the same attribute names on every SKU of a product,
/// no combination twice, at most the SKU limit.
pub(super) fn group_rows<'a>(rows: &'a [Row], errors: &mut Errors) -> Groups<'a> {
    let mut products: Groups<'a> = BTreeMap::new();
    let mut codes: HashMap<&str, usize> = HashMap::new();
    for row in rows {
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
        check_group(group, errors);
    }
    products
}

fn check_group(group: &[&Row], errors: &mut Errors) {
    let first = group[0];
    let mut names: Vec<&String> = first.attrs.iter().map(|(k, _)| k).collect();
    names.sort();
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
        mine.sort();
        if mine != names {
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

/// Checks of the grouped rows against what is stored and what the viewer may change.
pub(super) struct Checker<'a> {
    pub(super) staff: &'a Staff,
    pub(super) store: &'a store::Model,
    pub(super) sees_cost: bool,
    pub(super) stored: &'a Stored,
    /// Stored SKU codes by (product, attributes key).
    stored_attrs: HashMap<(i64, &'a str), &'a str>,
    pub(super) errors: Errors,
    /// Category paths the import creates (leaves; their ancestors are created as needed).
    pub(super) new_leaf_paths: HashSet<String>,
    /// Price changes refused for the viewer's role (recorded even though nothing is imported).
    pub(super) refused_prices: Vec<serde_json::Value>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(
        staff: &'a Staff,
        store: &'a store::Model,
        stored: &'a Stored,
        errors: Errors,
    ) -> Self {
        Self {
            staff,
            store,
            sees_cost: catalog::cost_visible(staff, store),
            stored,
            stored_attrs: stored
                .skus
                .values()
                .map(|s| ((s.product_id, s.attributes_key.as_str()), s.code.as_str()))
                .collect(),
            errors,
            new_leaf_paths: HashSet::new(),
            refused_prices: Vec::new(),
        }
    }

    pub(super) async fn check(
        &mut self,
        db: &impl ConnectionTrait,
        products: &Groups<'_>,
    ) -> Result<(), AppError> {
        for (pref, group) in products {
            let first = group[0];
            self.category(db, group).await?;
            let stored_product = self.stored.products.get(*pref);
            if let Some(p) = stored_product {
                self.product(p, first)?;
            }
            let defs = self.stored.defs(&first.category_path)?;
            for row in group {
                self.sku(stored_product.map(|p| p.id), &defs, row);
            }
        }
        Ok(())
    }

    /// The category path: a stored leaf whose sales attributes the rows respect, or a new path
    /// that does not run below a stored leaf holding products.
    async fn category(
        &mut self,
        db: &impl ConnectionTrait,
        group: &[&Row],
    ) -> Result<(), AppError> {
        let first = group[0];
        let (categories, parents) = (&self.stored.categories, &self.stored.parents);
        match categories.get(&first.category_path) {
            Some(c) if parents.contains(&c.id) => {
                self.errors.add(
                    first.line,
                    "category_path",
                    format!("{} is not a leaf category", c.path),
                );
            }
            Some(c) => {
                let defs = catalog::parse_defs(&c.sales_attributes_json, c.id)?;
                for row in group {
                    for (k, v) in &row.attrs {
                        match defs.iter().find(|d| &d.name == k) {
                            None if !defs.is_empty() => self.errors.add(
                                row.line,
                                "sales_attrs",
                                format!("{k} is not a sales attribute of {}", c.path),
                            ),
                            Some(d) if !d.values.is_empty() && !d.values.contains(v) => {
                                self.errors.add(
                                    row.line,
                                    "sales_attrs",
                                    format!("{v} is not an allowed value of {k}"),
                                )
                            }
                            _ => {}
                        }
                    }
                }
            }
            None => {
                let segments: Vec<&str> = first.category_path.split('/').collect();
                for n in 1..segments.len() {
                    let Some(c) = categories.get(&segments[..n].join("/")) else {
                        continue;
                    };
                    let holds_products = !parents.contains(&c.id)
                        && product::Entity::find()
                            .filter(product::Column::CategoryId.eq(c.id))
                            .one(db)
                            .await?
                            .is_some();
                    if holds_products {
                        self.errors.add(
                            first.line,
                            "category_path",
                            format!("{} holds products and cannot get sub-categories", c.path),
                        );
                    }
                }
                self.new_leaf_paths.insert(first.category_path.clone());
            }
        }
        Ok(())
    }

    /// A stored product keeps its category, moves only to or from the shelf, and keeps its listed
    /// title unless the viewer reviews products.
    fn product(&mut self, p: &product::Model, first: &Row) -> Result<(), AppError> {
        let from = ProductStatus::of(p)?;
        let cat_path = self
            .stored
            .categories
            .values()
            .find(|c| c.id == p.category_id)
            .map(|c| c.path.as_str());
        if cat_path != Some(first.category_path.as_str()) {
            self.errors.add(
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
                self.errors.add(
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
            && self.staff.require(Permission::ProductReview, None).is_err()
        {
            self.errors.add(
                first.line,
                "title",
                "changing a listed product's title needs PRODUCT_REVIEW",
            );
        }
        Ok(())
    }

    /// A row's SKU: a new one may not repeat a stored SKU's attributes; a stored one stays with its
    /// product and attributes, and its price, stock and cost change only as the viewer may.
    fn sku(&mut self, stored_product: Option<i64>, defs: &[AttributeDef], row: &Row) {
        let Some(s) = self.stored.skus.get(&row.sku_code) else {
            // The unique index on (product, attributes) would refuse a twin.
            let Some(pid) = stored_product else {
                return;
            };
            let k = key(&ordered(&row.attrs, defs));
            if let Some(twin) = self.stored_attrs.get(&(pid, k.as_str())) {
                self.errors.add(
                    row.line,
                    "sales_attrs",
                    format!("the product already has SKU {twin} with these sales attributes"),
                );
            }
            return;
        };
        if stored_product != Some(s.product_id) {
            self.errors.add(
                row.line,
                "sku_code",
                "this sku_code belongs to another product of the store",
            );
            return;
        }
        if s.attributes_key != key(&ordered(&row.attrs, defs)) {
            self.errors.add(
                row.line,
                "sales_attrs",
                "differs from the stored SKU's attributes",
            );
        }
        if row.price != s.price_fen {
            self.price(s, row);
        }
        if let Some(stock) = row.stock.filter(|st| *st != s.on_hand) {
            if self.staff.access(Permission::StockAdjust) != Access::Full {
                self.errors.add(
                    row.line,
                    "stock",
                    "changing the stock of an existing SKU is a stocktake and needs STOCK_ADJUST",
                );
            } else if stock < s.reserved {
                self.errors.add(
                    row.line,
                    "stock",
                    format!("below the {} units reserved", s.reserved),
                );
            }
        }
        if row.cost.is_some()
            && row.cost != s.cost_fen
            && self.staff.require(Permission::CostEdit, None).is_err()
        {
            self.errors.add(row.line, "cost", "a cost needs COST_EDIT");
        }
    }

    /// A price change by import applies directly or is refused (it never files an approval).
    fn price(&mut self, s: &sku::Model, row: &Row) {
        let breaches = match self.staff.role {
            Role::Director => Vec::new(),
            Role::Specialist => {
                pricing::specialist_breaches(s, self.store, row.price, s.price_fen, self.sees_cost)
            }
            Role::Assistant => vec!["assistants may only request price changes".to_owned()],
        };
        if !breaches.is_empty() {
            self.refused_prices
                .push(json!({ "skuId": s.id, "triedPriceFen": row.price }));
            self.errors.add(
                row.line,
                "price",
                format!("approval required: {}", breaches.join("; ")),
            );
        }
    }
}
