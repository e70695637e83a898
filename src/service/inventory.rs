//! The stock ledger (DOMAIN.md §7.5): every change is a movement; `available = on_hand −
//! reserved`; nothing goes below zero, also under concurrent requests (each change is one
//! conditional UPDATE, so two writers cannot both take the last unit).

use entity::{inventory_movement, sku};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::page::{self, CursorKey, Page, PageArgs};
use super::{ServiceCtx, audit, catalog, now};
use crate::auth::{Access, Permission, StoreScope};
use crate::db;
use crate::domain::text;
use crate::error::{AppError, ErrorCode};

/// Movement kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementKind {
    Restock,
    Adjustment,
    Stocktake,
    Reservation,
    Release,
    Sale,
    Return,
}

impl MovementKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Restock => "RESTOCK",
            Self::Adjustment => "ADJUSTMENT",
            Self::Stocktake => "STOCKTAKE",
            Self::Reservation => "RESERVATION",
            Self::Release => "RELEASE",
            Self::Sale => "SALE",
            Self::Return => "RETURN",
        }
    }
}

/// A requested stock change.
#[derive(Debug, Clone)]
pub enum Change {
    /// Inbound: on_hand + q (q > 0).
    Restock(i64),
    /// on_hand ± q (q ≠ 0), never below reserved; a reason is required.
    Adjust(i64),
    /// on_hand := counted (≥ reserved).
    Stocktake(i64),
    /// reserved + q, only if available ≥ q.
    Reserve(i64),
    /// reserved − q, only if reserved ≥ q.
    Release(i64),
}

/// Input of a stock mutation.
#[derive(Debug, Clone)]
pub struct StockInput {
    pub sku_id: i64,
    pub change: Change,
    pub reason: Option<String>,
    pub reference: Option<String>,
}

fn bad(field: &str, code: ErrorCode, msg: impl Into<String>) -> AppError {
    AppError::invalid(&["input", field], code, msg)
}

/// Applies one stock change as a movement. Permissions: restock STOCK_RESTOCK; adjustment,
/// stocktake, reservation and release STOCK_ADJUST (assistants may only request counts).
pub async fn apply(
    ctx: &ServiceCtx,
    input: StockInput,
) -> Result<(sku::Model, inventory_movement::Model), AppError> {
    let staff = ctx.viewer.staff()?;
    let reason = match &input.reason {
        Some(r) if !r.trim().is_empty() => Some(
            text::required(r, &["input", "reason"], "reason", 400)
                .map_err(|e| AppError::Invalid(vec![e]))?,
        ),
        _ => None,
    };
    let reference = match &input.reference {
        Some(r) if !r.trim().is_empty() => Some(
            text::required(r, &["input", "reference"], "reference", 128)
                .map_err(|e| AppError::Invalid(vec![e]))?,
        ),
        _ => None,
    };
    let txn = db::begin_write(&ctx.db).await?;
    let current = catalog::sku_in_scope(&txn, staff, input.sku_id).await?;
    let permission = match input.change {
        Change::Restock(_) => Permission::StockRestock,
        _ => Permission::StockAdjust,
    };
    if staff.access(permission) == Access::RequestOnly && staff.sees_store(current.store_id) {
        return Err(AppError::Forbidden(crate::error::ForbiddenReason::Other(
            "assistants may only request adjustments and stocktakes; ask a specialist or director",
        )));
    }
    staff.require(permission, Some(current.store_id))?;
    let backend = txn.get_database_backend();
    let (kind, quantity, sql, values): (MovementKind, i64, &str, Vec<sea_orm::Value>) = match input
        .change
    {
        Change::Restock(q) => {
            if q <= 0 || q > 1_000_000_000 {
                return Err(bad(
                    "quantity",
                    ErrorCode::Invalid,
                    "quantity must be between 1 and 1,000,000,000",
                ));
            }
            (
                MovementKind::Restock,
                q,
                "UPDATE sku SET on_hand = on_hand + ? WHERE id = ?",
                vec![q.into(), current.id.into()],
            )
        }
        Change::Adjust(q) => {
            if q == 0 || q.abs() > 1_000_000_000 {
                return Err(bad(
                    "delta",
                    ErrorCode::Invalid,
                    "delta must be non-zero and at most 1,000,000,000 either way",
                ));
            }
            if reason.is_none() {
                return Err(bad(
                    "reason",
                    ErrorCode::Blank,
                    "an adjustment needs a reason",
                ));
            }
            (
                MovementKind::Adjustment,
                q,
                "UPDATE sku SET on_hand = on_hand + ? WHERE id = ? AND on_hand + ? >= reserved",
                vec![q.into(), current.id.into(), q.into()],
            )
        }
        Change::Stocktake(counted) => {
            if !(0..=1_000_000_000).contains(&counted) {
                return Err(bad(
                    "counted",
                    ErrorCode::Invalid,
                    "counted must be between 0 and 1,000,000,000",
                ));
            }
            // The quantity is fixed from the row as it is when the update runs.
            (
                MovementKind::Stocktake,
                counted,
                "UPDATE sku SET on_hand = ? WHERE id = ? AND reserved <= ?",
                vec![counted.into(), current.id.into(), counted.into()],
            )
        }
        Change::Reserve(q) => {
            if q <= 0 || q > 1_000_000_000 {
                return Err(bad(
                    "quantity",
                    ErrorCode::Invalid,
                    "quantity must be between 1 and 1,000,000,000",
                ));
            }
            (
                MovementKind::Reservation,
                q,
                "UPDATE sku SET reserved = reserved + ? WHERE id = ? AND on_hand - reserved >= ?",
                vec![q.into(), current.id.into(), q.into()],
            )
        }
        Change::Release(q) => {
            if q <= 0 || q > 1_000_000_000 {
                return Err(bad(
                    "quantity",
                    ErrorCode::Invalid,
                    "quantity must be between 1 and 1,000,000,000",
                ));
            }
            (
                MovementKind::Release,
                -q,
                "UPDATE sku SET reserved = reserved - ? WHERE id = ? AND reserved >= ?",
                vec![q.into(), current.id.into(), q.into()],
            )
        }
    };
    // For a stocktake the movement records counted − on_hand before the update.
    let before = if kind == MovementKind::Stocktake {
        Some(
            sku::Entity::find_by_id(current.id)
                .one(&txn)
                .await?
                .ok_or(AppError::not_found("SKU"))?,
        )
    } else {
        None
    };
    let affected = txn
        .execute_raw(db::raw(backend, sql, values))
        .await?
        .rows_affected();
    if affected != 1 {
        let (field, msg) = match kind {
            MovementKind::Reservation => ("quantity", "not enough available stock".to_owned()),
            MovementKind::Release => (
                "quantity",
                "cannot release more than is reserved".to_owned(),
            ),
            MovementKind::Stocktake => (
                "counted",
                "the count is below the reserved stock".to_owned(),
            ),
            _ => (
                "delta",
                "stock would fall below the reserved quantity".to_owned(),
            ),
        };
        return Err(bad(field, ErrorCode::StockInsufficient, msg));
    }
    let after = sku::Entity::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("SKU"))?;
    let quantity = match before {
        Some(b) => quantity - b.on_hand,
        None => quantity,
    };
    let movement = inventory_movement::ActiveModel {
        store_id: Set(after.store_id),
        sku_id: Set(after.id),
        kind: Set(kind.as_str().to_owned()),
        quantity: Set(quantity),
        on_hand_after: Set(after.on_hand),
        reserved_after: Set(after.reserved),
        reason: Set(reason),
        reference: Set(reference),
        actor_id: Set(Some(staff.id)),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    catalog::refresh_product_totals(&txn, after.product_id).await?;
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "stock.movement", target_type: "Sku", target_id: Some(after.id), store_id: Some(after.store_id),
        after: Some(json!({ "kind": kind.as_str(), "quantity": quantity, "onHand": after.on_hand, "reserved": after.reserved })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    Ok((after, movement))
}

/// One movement in the viewer's scope.
pub async fn movement_get(
    ctx: &ServiceCtx,
    id: i64,
) -> Result<inventory_movement::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, None)?;
    inventory_movement::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .filter(|m| staff.sees_store(m.store_id))
        .ok_or(AppError::not_found("inventory movement"))
}

/// Filters of `inventoryMovements`.
#[derive(Debug, Clone, Default)]
pub struct MovementFilter {
    pub store_id: Option<i64>,
    pub sku_id: Option<i64>,
    pub kind: Option<MovementKind>,
}

/// `inventoryMovements`, newest first unless `reverse`.
pub async fn movements(
    ctx: &ServiceCtx,
    filter: MovementFilter,
    first: Option<i32>,
    after: Option<&str>,
    reverse: bool,
) -> Result<Page<inventory_movement::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, filter.store_id)?;
    let args = PageArgs::parse(first, after, !reverse, "ID")?;
    let mut q = inventory_movement::Entity::find();
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(inventory_movement::Column::StoreId.is_in(stores));
    }
    if let Some(s) = filter.store_id {
        q = q.filter(inventory_movement::Column::StoreId.eq(s))
    }
    if let Some(s) = filter.sku_id {
        q = q.filter(inventory_movement::Column::SkuId.eq(s))
    }
    if let Some(k) = filter.kind {
        q = q.filter(inventory_movement::Column::Kind.eq(k.as_str()))
    }
    page::fetch(
        &ctx.db,
        q,
        ("ID", inventory_movement::Column::Id, |m| {
            CursorKey::Int(m.id)
        }),
        inventory_movement::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}
