//! SKU list prices within each role's limits, floor prices,
//! costs, and the price history.

use crate::service::kernel::scope::InScope;
use chrono::{DateTime, Duration, Utc};
use entity::{price_change, sku, store};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;

use crate::auth::{Access, Permission, Role, Staff};
use crate::domain::{Fen, text};
use crate::error::{AppError, ErrorCode, UserError};
use crate::service::kernel::approval_queue::{self as queue, PriceChange};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::kernel::write::write;
use crate::service::{ServiceCtx, catalog, kernel::audit};

/// Highest price accepted, ¥10,000,000.00.
pub const MAX_PRICE_FEN: i64 = 1_000_000_000;

/// Input of `skuPriceChange`.
#[derive(Debug, Clone)]
pub struct PriceChangeInput {
    pub sku_id: i64,
    pub new_price_fen: i64,
    pub reason: String,
    pub request_approval: bool,
}

/// Outcome of a price change: the SKU and the change, or the approval request.
pub type PriceOutcome = queue::Outcome<(sku::Model, price_change::Model)>;

/// Minimum-margin price: `cost / (1 − minMarginBp / 10000)`, rounded up to the fen.
pub fn min_margin_price(cost_fen: i64, min_margin_bp: i32) -> i64 {
    let denom = 10_000 - i128::from(min_margin_bp);
    if denom <= 0 {
        return i64::MAX;
    }
    let num = i128::from(cost_fen) * 10_000;
    ((num + denom - 1) / denom) as i64
}

/// Highest list price of the last 30 days: the current price or any price changed away from
/// within the window.
async fn high_30d(
    conn: &impl ConnectionTrait,
    sku: &sku::Model,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    let since = at - Duration::days(30);
    let max_old: Option<i64> = price_change::Entity::find()
        .select_only()
        .column_as(price_change::Column::OldPriceFen.max(), "m")
        .filter(price_change::Column::SkuId.eq(sku.id))
        .filter(price_change::Column::CreatedAt.gte(since))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    Ok(max_old.map_or(sku.price_fen, |m| m.max(sku.price_fen)))
}

/// What a viewer without cost view is told when a change breaks the cost or minimum-margin
/// bound: that a limit is broken, never which one (the wording would give the cost away).
pub const HIDDEN_LIMIT: &str = "the price breaks one of the store's price limits";

/// The specialist's limits a change breaks, each naming the limit and the value. Without
/// `sees_cost` the cost and minimum-margin bounds are reported as [`HIDDEN_LIMIT`] only.
pub fn specialist_breaches(
    sku: &sku::Model,
    store: &store::Model,
    new: i64,
    high30: i64,
    sees_cost: bool,
) -> Vec<String> {
    let old = i128::from(sku.price_fen);
    let new_w = i128::from(new);
    let mut out = Vec::new();
    if new_w < old && (old - new_w) * 10_000 > i128::from(store.price_cut_limit_bp) * old {
        out.push(format!(
            "the cut from ¥{} to ¥{} is more than the store's limit of {}% per change",
            Fen(sku.price_fen),
            Fen(new),
            f64::from(store.price_cut_limit_bp) / 100.0
        ));
    }
    if new_w * 10_000 < i128::from(store.price_recent_high_min_bp) * i128::from(high30) {
        out.push(format!(
            "¥{} is below {}% of the 30-day high list price ¥{}",
            Fen(new),
            f64::from(store.price_recent_high_min_bp) / 100.0,
            Fen(high30)
        ));
    }
    if let Some(floor) = sku.floor_price_fen.filter(|f| new < *f) {
        out.push(format!(
            "¥{} is below the floor price (破价线) ¥{}",
            Fen(new),
            Fen(floor)
        ));
    }
    if let Some(cost) = sku.cost_fen {
        let below_min_margin =
            store.min_margin_bp > 0 && new < min_margin_price(cost, store.min_margin_bp);
        if !sees_cost {
            if new < cost || below_min_margin {
                out.push(HIDDEN_LIMIT.to_owned());
            }
        } else if new < cost {
            out.push(format!("¥{} is below cost", Fen(new)));
        } else if below_min_margin {
            out.push(format!("¥{} is below the minimum-margin price", Fen(new)));
        }
    }
    out
}

/// `skuPriceChange`: directors change any price; specialists within the store's limits; beyond a
/// limit (and always for assistants) the change is refused with APPROVAL_REQUIRED, or filed as an
/// approval request when asked.
#[tracing::instrument(skip_all)]
pub async fn change_price(
    ctx: &ServiceCtx,
    input: PriceChangeInput,
) -> Result<PriceOutcome, AppError> {
    let staff = ctx.viewer.staff()?;
    let reason = text::required(&input.reason, &["input", "reason"], "reason", 400)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if input.new_price_fen <= 0 || input.new_price_fen > MAX_PRICE_FEN {
        return Err(AppError::invalid(
            &["input", "price"],
            ErrorCode::Invalid,
            "price must be between ¥0.01 and ¥10,000,000.00",
        ));
    }
    write(ctx, staff, async |txn| {
        let sku = catalog::sku_in_scope(txn, staff, input.sku_id).await?;
        let access = staff.access(Permission::PriceChange);
        if access == Access::None || access == Access::Masked || access == Access::StoreGrant {
            return Err(AppError::forbidden(Permission::PriceChange));
        }
        if input.new_price_fen == sku.price_fen {
            return Err(AppError::invalid(
                &["input", "price"],
                ErrorCode::Invalid,
                "the price is unchanged",
            ));
        }
        let store = store::Entity::find_by_id(sku.store_id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("store"))?;
        let high30 = high_30d(txn, &sku, ctx.now()).await?;
        let sees_cost = catalog::cost_visible(staff, &store);
        let spec = specialist_breaches(&sku, &store, input.new_price_fen, high30, sees_cost);
        let breaches = breaches_for(staff.role, &spec);
        if !breaches.is_empty() {
            if !input.request_approval {
                let message = format!(
                    "approval required: {}; send requestApproval: true to ask for it",
                    breaches.join("; ")
                );
                // Nothing else was written: the refusal's audit row is all this commits.
                let after = json!({ "triedPriceFen": input.new_price_fen, "answer": message });
                let before = json!({ "priceFen": sku.price_fen });
                let refused = refused_entry(("Sku", sku.id), sku.store_id, Some(before), after);
                let error =
                    UserError::new(&["input", "price"], ErrorCode::ApprovalRequired, message);
                return Ok((Err(error), Some(refused)));
            }
            // An assistant's change within a specialist's limits may be resolved by a specialist.
            let approver_role = if staff.role == Role::Assistant && spec.is_empty() {
                Role::Specialist
            } else {
                Role::Director
            };
            let payload = queue::Payload::PriceChange(PriceChange {
                new_price_fen: input.new_price_fen,
                old_price_fen: sku.price_fen,
                reason: reason.clone(),
                breaches,
            });
            let request = queue::file(
                txn,
                ctx,
                staff,
                queue::NewRequest {
                    store_id: sku.store_id,
                    subject_type: "Sku",
                    subject_id: sku.id,
                    payload,
                    reason: Some(reason),
                    approver_role,
                },
            )
            .await?;
            return Ok((Ok(PriceOutcome::Requested(request)), None));
        }
        let change = apply_price(
            txn,
            &sku,
            input.new_price_fen,
            reason,
            Some(staff.id),
            None,
            None,
            ctx.now(),
        )
        .await?;
        let after = sku::Entity::find_by_id(sku.id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("SKU"))?;
        let audited = Some(audit::Entry {
            action: "sku.price_change",
            target_type: "Sku",
            target_id: Some(sku.id),
            store_id: Some(sku.store_id),
            before: Some(json!({ "priceFen": change.old_price_fen })),
            after: Some(json!({ "priceFen": change.new_price_fen, "reason": change.reason })),
            self_approved: false,
        });
        Ok((Ok(PriceOutcome::Applied((after, change))), audited))
    })
    .await?
    .map_err(|refused| AppError::Invalid(vec![refused]))
}

/// What a role is told stands between it and the change: nothing for a director, the specialist
/// limits broken for a specialist; an assistant needs approval anyway and is not even told of a
/// bound it may not see.
fn breaches_for(role: Role, specialist: &[String]) -> Vec<String> {
    match role {
        Role::Director => Vec::new(),
        Role::Specialist => specialist.to_vec(),
        Role::Assistant => std::iter::once("assistants may only request price changes".to_owned())
            .chain(specialist.iter().filter(|b| *b != HIDDEN_LIMIT).cloned())
            .collect(),
    }
}

/// Every refused price change leaves an audit row `sku.price_change_refused` (the price tried
/// and the answer given, nothing more), committed although the change is refused (with nothing
/// else), so that probing a hidden bound shows in the audit log.
async fn record_refused(
    ctx: &ServiceCtx,
    staff: &Staff,
    target: (&'static str, i64),
    store_id: i64,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), AppError> {
    write(ctx, staff, async |_txn| {
        Ok(((), refused_entry(target, store_id, before, after)))
    })
    .await
}

/// The audit entry of a refused price change.
fn refused_entry(
    target: (&'static str, i64),
    store_id: i64,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> audit::Entry {
    audit::Entry {
        action: "sku.price_change_refused",
        target_type: target.0,
        target_id: Some(target.1),
        store_id: Some(store_id),
        before,
        after: Some(after),
        self_approved: false,
    }
}

/// The price changes of a refused import: one row for the store, with how many SKUs and the
/// first 50 with the price tried.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn record_refusals(
    ctx: &ServiceCtx,
    staff: &Staff,
    store_id: i64,
    tried: &[serde_json::Value],
) -> Result<(), AppError> {
    let after = json!({ "via": "productsImport", "skus": tried.len(), "tried": &tried[..tried.len().min(50)] });
    record_refused(ctx, staff, ("Store", store_id), store_id, None, after).await
}

/// Sets a SKU's price and records it in the history (no permission checks; same transaction).
pub async fn apply_price(
    txn: &impl ConnectionTrait,
    sku: &sku::Model,
    new_price_fen: i64,
    reason: String,
    changed_by: Option<i64>,
    approved_by: Option<i64>,
    request_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<price_change::Model, AppError> {
    if new_price_fen <= 0 || new_price_fen > MAX_PRICE_FEN {
        return Err(AppError::invalid(
            &["input", "price"],
            ErrorCode::Invalid,
            "price must be between ¥0.01 and ¥10,000,000.00",
        ));
    }
    let current = sku::Entity::find_by_id(sku.id)
        .one(txn)
        .await?
        .ok_or(AppError::not_found("SKU"))?;
    let mut m: sku::ActiveModel = current.clone().into();
    m.price_fen = Set(new_price_fen);
    m.updated_at = Set(at);
    m.update(txn).await?;
    let change = price_change::ActiveModel {
        store_id: Set(current.store_id),
        sku_id: Set(current.id),
        old_price_fen: Set(current.price_fen),
        new_price_fen: Set(new_price_fen),
        reason: Set(reason),
        changed_by: Set(changed_by),
        approved_by: Set(approved_by),
        approval_request_id: Set(request_id),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    catalog::refresh_product_totals(txn, current.product_id).await?;
    Ok(change)
}

/// Input of `skuUpdate`; `None` keeps the value. `floor_price_fen: Some(None)` clears the floor.
#[derive(Debug, Clone, Default)]
pub struct SkuUpdate {
    pub cost_fen: Option<i64>,
    pub floor_price_fen: Option<Option<i64>>,
    pub low_stock_threshold: Option<i32>,
    pub active: Option<bool>,
}

/// `skuUpdate`: cost needs COST_EDIT, the floor price PRICE_FLOOR_SET (directors); threshold
/// and active flag PRODUCT_EDIT_DRAFT (drafts) or PRODUCT_REVIEW (listed products).
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn sku_update(
    ctx: &ServiceCtx,
    id: i64,
    input: SkuUpdate,
) -> Result<sku::Model, AppError> {
    let staff: &Staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        let before = catalog::sku_in_scope(txn, staff, id).await?;
        if input.cost_fen.is_some() {
            staff.require(Permission::CostEdit, Some(before.store_id))?;
        }
        if input.floor_price_fen.is_some() {
            staff.require(Permission::PriceFloorSet, Some(before.store_id))?;
        }
        if input.low_stock_threshold.is_some() || input.active.is_some() {
            staff.require(Permission::ProductEditDraft, Some(before.store_id))?;
        }
        if input
            .cost_fen
            .is_some_and(|c| !(0..=MAX_PRICE_FEN).contains(&c))
        {
            return Err(AppError::invalid(
                &["input", "cost"],
                ErrorCode::Invalid,
                "cost must be between ¥0.00 and ¥10,000,000.00",
            ));
        }
        if input
            .floor_price_fen
            .flatten()
            .is_some_and(|f| !(1..=MAX_PRICE_FEN).contains(&f))
        {
            return Err(AppError::invalid(
                &["input", "floorPrice"],
                ErrorCode::Invalid,
                "floorPrice must be between ¥0.01 and ¥10,000,000.00",
            ));
        }
        if input
            .low_stock_threshold
            .is_some_and(|t| !(0..=1_000_000).contains(&t))
        {
            return Err(AppError::invalid(
                &["input", "lowStockThreshold"],
                ErrorCode::Invalid,
                "lowStockThreshold must be between 0 and 1,000,000",
            ));
        }
        let mut m: sku::ActiveModel = before.clone().into();
        if let Some(c) = input.cost_fen {
            m.cost_fen = Set(Some(c))
        }
        if let Some(f) = input.floor_price_fen {
            m.floor_price_fen = Set(f)
        }
        if let Some(t) = input.low_stock_threshold {
            m.low_stock_threshold = Set(t)
        }
        if let Some(a) = input.active {
            m.active = Set(a)
        }
        m.updated_at = Set(ctx.now());
        let after = m.update(txn).await?;
        catalog::refresh_product_totals(txn, after.product_id).await?;
        // Cost is business-confidential: the audit records that it changed, not the value, so
        // specialists reading the log do not learn it.
        let entry = audit::Entry {
            action: "sku.update", target_type: "Sku", target_id: Some(id), store_id: Some(after.store_id),
            before: Some(json!({ "floorPriceFen": before.floor_price_fen, "lowStockThreshold": before.low_stock_threshold, "active": before.active })),
            after: Some(json!({ "floorPriceFen": after.floor_price_fen, "lowStockThreshold": after.low_stock_threshold, "active": after.active, "costChanged": input.cost_fen.is_some() })),
            ..Default::default()
        };
        Ok((after, entry))
    })
    .await
}

/// One price change in scope.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn change_get(ctx: &ServiceCtx, id: i64) -> Result<price_change::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    crate::service::kernel::scope::get_in_scope::<price_change::Entity>(&ctx.db, staff, id, false)
        .await
}

/// `priceHistory`: changes of one SKU or of a store, newest first.
#[tracing::instrument(skip_all, fields(store.id = store_id, subject.id = sku_id))]
pub async fn history(
    ctx: &ServiceCtx,
    sku_id: Option<i64>,
    store_id: Option<i64>,
    window: page::Window<'_>,
) -> Result<Page<price_change::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, store_id)?;
    let args = PageArgs::parse(window, true, "ID")?;
    let mut q = price_change::Entity::find().in_scope(staff);
    if let Some(s) = sku_id {
        q = q.filter(price_change::Column::SkuId.eq(s))
    }
    if let Some(s) = store_id {
        q = q.filter(price_change::Column::StoreId.eq(s))
    }
    page::fetch(
        &ctx.db,
        q,
        ("ID", price_change::Column::Id, |m| CursorKey::Int(m.id)),
        price_change::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}

/// Applies a price change approved in the approval queue, on its transaction: the same checks
/// as a direct change except the limit that caused the request. Returns what was applied.
pub async fn apply_approved(
    txn: &impl ConnectionTrait,
    r: &entity::approval_request::Model,
    approver: &Staff,
    p: &PriceChange,
    at: DateTime<Utc>,
) -> Result<serde_json::Value, AppError> {
    let sku = sku::Entity::find_by_id(r.subject_id)
        .one(txn)
        .await?
        .ok_or(AppError::not_found("SKU"))?;
    let change = apply_price(
        txn,
        &sku,
        p.new_price_fen,
        p.reason.clone(),
        Some(r.requested_by),
        Some(approver.id),
        Some(r.id),
        at,
    )
    .await?;
    Ok(
        json!({ "skuId": sku.id, "oldPriceFen": change.old_price_fen, "newPriceFen": change.new_price_fen }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_margin_price_rounds_up_to_the_fen() {
        assert_eq!(min_margin_price(10_000, 0), 10_000);
        assert_eq!(min_margin_price(10_000, 2_000), 12_500);
        assert_eq!(min_margin_price(9_999, 3_000), 14_285); // 142.842… → 142.85
    }
}
