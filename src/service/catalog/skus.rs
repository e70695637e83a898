//! SKUs: generation from sales attributes, lookups and low stock.

use super::*;
use crate::service::kernel::scope::InScope;
use crate::service::kernel::write::write;
use sea_orm::DatabaseTransaction;
use std::collections::HashSet;

// ---------------------------------------------------------------------------------------------
// SKUs

/// Input of `skusGenerate`.
#[derive(Debug, Clone)]
pub struct SkusGenerate {
    pub product_id: i64,
    /// Chosen sales attributes and their values, in display order.
    pub attributes: Vec<(String, Vec<String>)>,
    pub price_fen: i64,
    pub cost_fen: Option<i64>,
    pub low_stock_threshold: i32,
    pub code_prefix: Option<String>,
}

/// Canonical key of a combination: `k=v;k=v` in attribute order of the category.
pub fn attributes_key(combo: &[(String, String)]) -> String {
    combo
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The stored form of a combination: `[{"name": k, "value": v}, …]` in attribute order.
pub fn attributes_json(combo: &[(String, String)]) -> String {
    let attributes: Vec<_> = (combo.iter())
        .map(|(k, v)| json!({ "name": k, "value": v }))
        .collect();
    serde_json::to_string(&attributes).unwrap_or_else(|_| "[]".into())
}

/// A SKU's stored sales attributes as `(name, value)` pairs, in order; an unreadable value is
/// an internal error naming the SKU.
pub fn attributes_of(s: &sku::Model) -> Result<Vec<(String, String)>, AppError> {
    #[derive(serde::Deserialize)]
    struct Stored {
        name: String,
        value: String,
    }
    serde_json::from_str::<Vec<Stored>>(&s.attributes_json)
        .map(|v| v.into_iter().map(|a| (a.name, a.value)).collect())
        .map_err(|e| AppError::unreadable("SKU", s.id, format!("attributes JSON: {e}")))
}

pub(crate) fn cartesian(attrs: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut out: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (name, values) in attrs {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push((name.clone(), v.clone()));
                    next
                })
            })
            .collect();
    }
    out
}

/// Recomputes a product's price range and stock totals from its SKUs (same transaction).
pub async fn refresh_product_totals(
    conn: &impl ConnectionTrait,
    product_id: i64,
) -> Result<(), AppError> {
    let stmt = db::raw(
        conn.get_database_backend(),
        "UPDATE product SET \
           min_price_fen = (SELECT MIN(price_fen) FROM sku WHERE product_id = ? AND active = ?), \
           max_price_fen = (SELECT MAX(price_fen) FROM sku WHERE product_id = ? AND active = ?), \
           total_on_hand = (SELECT COALESCE(SUM(on_hand), 0) FROM sku WHERE product_id = ?), \
           total_available = (SELECT COALESCE(SUM(on_hand - reserved), 0) FROM sku WHERE product_id = ?) \
         WHERE id = ?",
        vec![
            product_id.into(),
            true.into(),
            product_id.into(),
            true.into(),
            product_id.into(),
            product_id.into(),
            product_id.into(),
        ],
    );
    conn.execute_raw(stmt).await?;
    Ok(())
}

/// `skusGenerate`: the Cartesian product of the chosen sales-attribute values; existing
/// combinations are kept, none is duplicated. Without attributes: the one default SKU.
#[tracing::instrument(skip_all)]
pub async fn skus_generate(
    ctx: &ServiceCtx,
    input: SkusGenerate,
) -> Result<(product::Model, Vec<sku::Model>), AppError> {
    let staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        let product = product_for_update(txn, staff, input.product_id).await?;
        require_content_edit(staff, &product, "productId")?;
        if input.cost_fen.is_some() {
            staff.require(Permission::CostEdit, Some(product.store_id))?;
        }
        let prefix = check_generate(&input, &product)?;
        let cat = category::Entity::find_by_id(product.category_id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("category"))?;
        let defs = parse_defs(&cat.sales_attributes_json, cat.id)?;
        let chosen = chosen_values(&input.attributes, &defs, &cat)?;
        let combos = cartesian(&chosen);
        let existing: HashMap<String, sku::Model> = sku::Entity::find()
            .filter(sku::Column::ProductId.eq(product.id))
            .all(txn)
            .await?
            .into_iter()
            .map(|s| (s.attributes_key.clone(), s))
            .collect();
        let new: Vec<&Vec<(String, String)>> = combos
            .iter()
            .filter(|c| !existing.contains_key(&attributes_key(c)))
            .collect();
        let wanted: HashSet<String> = combos.iter().map(|c| attributes_key(c)).collect();
        let retired = retire_unchosen(txn, &existing, &wanted, ctx.now()).await?;
        let kept = existing.len() - retired.removed.len();
        if kept + new.len() > MAX_SKUS {
            return Err(invalid(
                &["input", "attributes"],
                ErrorCode::TooLong,
                format!("a product may have at most {MAX_SKUS} SKUs"),
            ));
        }
        // Codes continue after the highest number used so far, so a removed code is never reused.
        let used = existing
            .values()
            .filter_map(|s| {
                s.code
                    .rsplit_once('-')
                    .and_then(|(_, n)| n.parse::<usize>().ok())
            })
            .max()
            .unwrap_or(0)
            .max(existing.len());
        let at = ctx.now();
        let mut created = Vec::new();
        for (next, combo) in (used + 1..).zip(new) {
            let code = format!("{prefix}-{next:03}");
            created.push(insert_generated(txn, &product, &input, code, combo, at).await?);
        }
        refresh_product_totals(txn, product.id).await?;
        let product = product::Entity::find_by_id(product.id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("product"))?;
        let entry = audit::Entry {
            action: "sku.generate", target_type: "Product", target_id: Some(product.id), store_id: Some(product.store_id),
            after: Some(json!({
                "created": created.iter().map(|s| &s.code).collect::<Vec<_>>(),
                "kept": kept, "removed": retired.removed.len(), "deactivated": retired.deactivated.len(),
                "reactivated": retired.reactivated.len(),
            })),
            ..Default::default()
        };
        Ok(((product, created), entry))
    })
    .await
}

/// Price, cost and threshold of generated SKUs; returns the code prefix (`P<product id>` unless
/// given).
fn check_generate(input: &SkusGenerate, product: &product::Model) -> Result<String, AppError> {
    if input.price_fen <= 0 {
        return Err(invalid(
            &["input", "price"],
            ErrorCode::Invalid,
            "price must be positive",
        ));
    }
    if input.cost_fen.is_some_and(|c| c < 0) {
        return Err(invalid(
            &["input", "cost"],
            ErrorCode::Invalid,
            "cost must not be negative",
        ));
    }
    if input.low_stock_threshold < 0 {
        return Err(invalid(
            &["input", "lowStockThreshold"],
            ErrorCode::Invalid,
            "lowStockThreshold must not be negative",
        ));
    }
    let Some(p) = &input.code_prefix else {
        return Ok(format!("P{}", product.id));
    };
    let p = text::required(p, &["input", "codePrefix"], "code prefix", 40)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if !p
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(invalid(
            &["input", "codePrefix"],
            ErrorCode::Invalid,
            "codePrefix may use only A-Z, a-z, 0-9, '-', '_' and '.'",
        ));
    }
    Ok(p)
}

/// The chosen values per sales attribute, validated against the category and in its order.
fn chosen_values(
    attributes: &[(String, Vec<String>)],
    defs: &[AttributeDef],
    cat: &category::Model,
) -> Result<Vec<(String, Vec<String>)>, AppError> {
    let bad = |code, message: String| invalid(&["input", "attributes"], code, message);
    let mut chosen: Vec<(String, Vec<String>)> = Vec::new();
    for (name, values) in attributes {
        let Some(def) = defs.iter().find(|d| &d.name == name) else {
            let message = format!("{name} is not a sales attribute of {}", cat.path);
            return Err(bad(ErrorCode::Invalid, message));
        };
        if values.is_empty() {
            let message = format!("choose at least one value of {name}");
            return Err(bad(ErrorCode::Blank, message));
        }
        let mut vs: Vec<String> = Vec::new();
        for v in values {
            let v = v.trim().to_owned();
            if !def.values.is_empty() && !def.values.contains(&v) {
                let message = format!("{v} is not an allowed value of {name}");
                return Err(bad(ErrorCode::Invalid, message));
            }
            if v.is_empty() || v.chars().count() > 40 || v.contains([':', ';', '=']) {
                let message =
                    format!("values of {name} must be 1–40 characters without ':', ';' or '='");
                return Err(bad(ErrorCode::Invalid, message));
            }
            if !vs.contains(&v) {
                vs.push(v);
            }
        }
        if chosen.iter().any(|(n, _)| n == name) {
            return Err(bad(ErrorCode::Taken, format!("{name} is chosen twice")));
        }
        chosen.push((name.clone(), vs));
    }
    chosen.sort_by_key(|(n, _)| defs.iter().position(|d| &d.name == n));
    Ok(chosen)
}

/// What happened to the stored SKUs whose combination is no longer chosen (or chosen again).
struct Retired {
    removed: Vec<i64>,
    deactivated: Vec<i64>,
    reactivated: Vec<i64>,
}

/// Combinations no longer chosen are removed when nothing refers to them (no stock, no ledger,
/// price history or order lines), otherwise deactivated; chosen again, they are reactivated.
async fn retire_unchosen(
    txn: &DatabaseTransaction,
    existing: &HashMap<String, sku::Model>,
    wanted: &HashSet<String>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Retired, AppError> {
    let mut r = Retired {
        removed: Vec::new(),
        deactivated: Vec::new(),
        reactivated: Vec::new(),
    };
    for s in existing.values() {
        if wanted.contains(&s.attributes_key) {
            if !s.active {
                r.reactivated.push(s.id);
            }
            continue;
        }
        if is_referenced(txn, s).await? {
            if s.active {
                r.deactivated.push(s.id);
            }
        } else {
            r.removed.push(s.id);
        }
    }
    for (ids, active) in [(&r.deactivated, false), (&r.reactivated, true)] {
        if !ids.is_empty() {
            sku::Entity::update_many()
                .col_expr(sku::Column::Active, sea_orm::sea_query::Expr::value(active))
                .col_expr(sku::Column::UpdatedAt, sea_orm::sea_query::Expr::value(at))
                .filter(sku::Column::Id.is_in(ids.iter().copied()))
                .exec(txn)
                .await?;
        }
    }
    if !r.removed.is_empty() {
        sku::Entity::delete_many()
            .filter(sku::Column::Id.is_in(r.removed.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(r)
}

/// Whether anything refers to the SKU: stock, a ledger row, price history or an order line.
async fn is_referenced(txn: &DatabaseTransaction, s: &sku::Model) -> Result<bool, AppError> {
    Ok(s.on_hand != 0
        || s.reserved != 0
        || entity::inventory_movement::Entity::find()
            .filter(entity::inventory_movement::Column::SkuId.eq(s.id))
            .count(txn)
            .await?
            > 0
        || entity::price_change::Entity::find()
            .filter(entity::price_change::Column::SkuId.eq(s.id))
            .count(txn)
            .await?
            > 0
        || entity::order_line::Entity::find()
            .filter(entity::order_line::Column::SkuId.eq(s.id))
            .count(txn)
            .await?
            > 0)
}

async fn insert_generated(
    txn: &DatabaseTransaction,
    product: &product::Model,
    input: &SkusGenerate,
    code: String,
    combo: &[(String, String)],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<sku::Model, AppError> {
    sku::ActiveModel {
        store_id: Set(product.store_id),
        product_id: Set(product.id),
        code: Set(code.clone()),
        attributes_json: Set(attributes_json(combo)),
        attributes_key: Set(attributes_key(combo)),
        price_fen: Set(input.price_fen),
        cost_fen: Set(input.cost_fen),
        floor_price_fen: Set(None),
        on_hand: Set(0),
        reserved: Set(0),
        low_stock_threshold: Set(input.low_stock_threshold),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| {
        on_unique(e, "ux_sku_code", "sku.code", || {
            invalid(
                &["input", "codePrefix"],
                ErrorCode::Taken,
                format!("SKU code {code} is already used in this store"),
            )
        })
    })
}

/// Active and inactive SKUs of each product, within scope (loader).
#[tracing::instrument(skip_all)]
pub async fn skus_by_products(
    ctx: &ServiceCtx,
    product_ids: &[i64],
) -> Result<HashMap<i64, Vec<sku::Model>>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    let q = sku::Entity::find()
        .filter(sku::Column::ProductId.is_in(product_ids.iter().copied()))
        .in_scope(staff)
        .order_by_asc(sku::Column::Id);
    let mut map: HashMap<i64, Vec<sku::Model>> = HashMap::new();
    for s in q.all(&ctx.db).await? {
        map.entry(s.product_id).or_default().push(s);
    }
    Ok(map)
}

/// A SKU in scope.
pub async fn sku_in_scope(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
) -> Result<sku::Model, AppError> {
    crate::service::kernel::scope::get_in_scope::<sku::Entity>(conn, staff, id, false).await
}

/// One SKU by id.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn sku_get(ctx: &ServiceCtx, id: i64) -> Result<sku::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, None)?;
    sku_in_scope(&ctx.db, staff, id).await
}

/// `skuByCode(storeId, code)`.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn sku_by_code(
    ctx: &ServiceCtx,
    store_id: i64,
    code: &str,
) -> Result<sku::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, Some(store_id))?;
    sku::Entity::find()
        .filter(sku::Column::StoreId.eq(store_id))
        .filter(sku::Column::Code.eq(code.trim()))
        .one(&ctx.db)
        .await?
        .ok_or(AppError::not_found("SKU"))
}

/// `lowStockSkus(storeId)`: active SKUs whose available stock is at or below their threshold,
/// lowest available first.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn low_stock_skus(
    ctx: &ServiceCtx,
    store_id: i64,
    window: page::Window<'_>,
) -> Result<Page<sku::Entity>, AppError> {
    use sea_orm::sea_query::Expr;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, Some(store_id))?;
    let args = PageArgs::parse(window, false, "ID")?;
    let q = sku::Entity::find()
        .filter(sku::Column::StoreId.eq(store_id))
        .filter(sku::Column::Active.eq(true))
        .filter(Condition::all().add(Expr::cust("on_hand - reserved <= low_stock_threshold")));
    page::fetch(
        &ctx.db,
        q,
        ("ID", sku::Column::Id, |m| CursorKey::Int(m.id)),
        sku::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}

/// Whether the viewer sees cost in `store` (COST_VIEW; specialists where the store grants it).
pub fn cost_visible(staff: &Staff, store: &store::Model) -> bool {
    staff.can(Permission::CostView, store.id, store.specialist_cost_view)
}
