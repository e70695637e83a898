//! The stock ledger: every change is a movement; `available = on_hand −
//! reserved`; nothing goes below zero, also under concurrent requests (each change is one
//! conditional UPDATE, so two writers cannot both take the last unit).

use crate::service::kernel::scope::InScope;
use entity::{inventory_movement, sku};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::auth::{Access, Permission};
use crate::db;
use crate::domain::text;
use crate::error::{AppError, ErrorCode};
use crate::service::kernel::approval_queue::{self as queue, StockAdjust, StockChange};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::kernel::write::write;
use crate::service::{ServiceCtx, catalog, kernel::audit};

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

/// Whether an assistant may only request this change (STOCK_ADJUST is "req" for them).
pub fn needs_request(staff: &crate::auth::Staff, change: &Change) -> bool {
    !matches!(change, Change::Restock(_))
        && staff.access(Permission::StockAdjust) == Access::RequestOnly
}

/// Validated reason and reference of a stock input.
fn texts(input: &StockInput) -> Result<(Option<String>, Option<String>), AppError> {
    let clean = |v: &Option<String>, field: &str, max: usize| -> Result<Option<String>, AppError> {
        match v {
            Some(r) if !r.trim().is_empty() => Ok(Some(
                text::required(r, &["input", field], field, max)
                    .map_err(|e| AppError::Invalid(vec![e]))?,
            )),
            _ => Ok(None),
        }
    };
    Ok((
        clean(&input.reason, "reason", 400)?,
        clean(&input.reference, "reference", 128)?,
    ))
}

/// Outcome of a stock mutation: the SKU and its movement, or the approval request.
pub type StockOutcome = queue::Outcome<(sku::Model, inventory_movement::Model)>;

/// Applies one stock change as a movement. Permissions: restock STOCK_RESTOCK; adjustment,
/// stocktake, reservation and release STOCK_ADJUST. Assistants may only request adjustments
/// and stocktakes: `APPROVAL_REQUIRED`, or with `request_approval` an approval request that a
/// specialist or director of the store resolves.
#[tracing::instrument(skip_all)]
pub async fn apply(
    ctx: &ServiceCtx,
    input: StockInput,
    request_approval: bool,
) -> Result<StockOutcome, AppError> {
    let staff = ctx.viewer.staff()?;
    let (reason, reference) = texts(&input)?;
    write(ctx, staff, async |txn| {
    let current = catalog::sku_in_scope(txn, staff, input.sku_id).await?;
    if needs_request(staff, &input.change) {
        if !matches!(input.change, Change::Adjust(_) | Change::Stocktake(_)) {
            return Err(AppError::forbidden(Permission::StockAdjust));
        }
        validate(&input.change, reason.as_deref())?;
        if !request_approval {
            return Err(AppError::invalid(
                &["input"],
                ErrorCode::ApprovalRequired,
                "assistants may only request adjustments and stocktakes (STOCK_ADJUST); send requestApproval: true",
            ));
        }
        let (change, quantity) = match input.change {
            Change::Adjust(q) => (StockChange::Adjust, q),
            Change::Stocktake(c) => (StockChange::Stocktake, c),
            _ => (StockChange::Stocktake, 0),
        };
        let payload = queue::Payload::StockAdjust(StockAdjust {
            change,
            quantity,
            reference: reference.clone(),
        });
        let request = queue::file(
            txn,
            ctx,
            staff,
            queue::NewRequest {
                store_id: current.store_id,
                subject_type: "Sku",
                subject_id: current.id,
                payload,
                reason: reason.clone(),
                approver_role: crate::auth::Role::Specialist,
            },
        )
        .await?;
        return Ok((StockOutcome::Requested(request), None));
    }
    let permission = match input.change {
        Change::Restock(_) => Permission::StockRestock,
        _ => Permission::StockAdjust,
    };
    staff.require(permission, Some(current.store_id))?;
    let (after, movement) = apply_change(
        txn,
        &current,
        &input.change,
        reason,
        reference,
        Some(staff.id),
        ctx.now(),
    )
    .await?;
    let audited = Some(audit::Entry {
        action: "stock.movement", target_type: "Sku", target_id: Some(after.id), store_id: Some(after.store_id),
        after: Some(json!({ "kind": movement.kind, "quantity": movement.quantity, "onHand": after.on_hand, "reserved": after.reserved })),
        ..Default::default()
    });
Ok((StockOutcome::Applied((after, movement)), audited))
})
.await
}

/// Checks quantities and the reason rule of a change.
pub fn validate(change: &Change, reason: Option<&str>) -> Result<(), AppError> {
    const MAX: i64 = 1_000_000_000;
    match *change {
        Change::Restock(q) | Change::Reserve(q) | Change::Release(q) if q <= 0 || q > MAX => {
            Err(bad(
                "quantity",
                ErrorCode::Invalid,
                "quantity must be between 1 and 1,000,000,000",
            ))
        }
        Change::Adjust(q) if q == 0 || q.abs() > MAX => Err(bad(
            "quantity",
            ErrorCode::Invalid,
            "an adjustment must be non-zero and at most 1,000,000,000 either way",
        )),
        Change::Adjust(_) if reason.is_none() => Err(bad(
            "reason",
            ErrorCode::Blank,
            "an adjustment needs a reason",
        )),
        Change::Stocktake(c) if !(0..=MAX).contains(&c) => Err(bad(
            "quantity",
            ErrorCode::Invalid,
            "the count must be between 0 and 1,000,000,000",
        )),
        _ => Ok(()),
    }
}

/// The ledger core, without permission checks: one conditional UPDATE (so concurrent writers
/// cannot overdraw), the movement row, and the product totals — all on `txn`.
pub async fn apply_change(
    txn: &impl ConnectionTrait,
    current: &sku::Model,
    change: &Change,
    reason: Option<String>,
    reference: Option<String>,
    actor_id: Option<i64>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(sku::Model, inventory_movement::Model), AppError> {
    validate(change, reason.as_deref())?;
    let backend = txn.get_database_backend();
    let id = current.id;
    let (kind, quantity, sql, values): (MovementKind, i64, &str, Vec<sea_orm::Value>) =
        match *change {
            Change::Restock(q) => (
                MovementKind::Restock,
                q,
                "UPDATE sku SET on_hand = on_hand + ? WHERE id = ?",
                vec![q.into(), id.into()],
            ),
            Change::Adjust(q) => (
                MovementKind::Adjustment,
                q,
                "UPDATE sku SET on_hand = on_hand + ? WHERE id = ? AND on_hand + ? >= reserved",
                vec![q.into(), id.into(), q.into()],
            ),
            Change::Stocktake(c) => (
                MovementKind::Stocktake,
                c,
                "UPDATE sku SET on_hand = ? WHERE id = ? AND reserved <= ?",
                vec![c.into(), id.into(), c.into()],
            ),
            Change::Reserve(q) => (
                MovementKind::Reservation,
                q,
                "UPDATE sku SET reserved = reserved + ? WHERE id = ? AND on_hand - reserved >= ?",
                vec![q.into(), id.into(), q.into()],
            ),
            Change::Release(q) => (
                MovementKind::Release,
                -q,
                "UPDATE sku SET reserved = reserved - ? WHERE id = ? AND reserved >= ?",
                vec![q.into(), id.into(), q.into()],
            ),
        };
    // A stocktake records counted − on hand as it was just before (the row is ours under the
    // write lock of this transaction).
    let before = if kind == MovementKind::Stocktake {
        Some(
            sku::Entity::find_by_id(id)
                .one(txn)
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
        let msg = match kind {
            MovementKind::Reservation => "not enough available stock",
            MovementKind::Release => "cannot release more than is reserved",
            MovementKind::Stocktake => "the count is below the reserved stock",
            _ => "stock would fall below the reserved quantity",
        };
        return Err(bad("quantity", ErrorCode::StockInsufficient, msg));
    }
    let after = sku::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::not_found("SKU"))?;
    let quantity = before.map_or(quantity, |b| quantity - b.on_hand);
    let movement = inventory_movement::ActiveModel {
        store_id: Set(after.store_id),
        sku_id: Set(after.id),
        kind: Set(kind.as_str().to_owned()),
        quantity: Set(quantity),
        on_hand_after: Set(after.on_hand),
        reserved_after: Set(after.reserved),
        reason: Set(reason),
        reference: Set(reference),
        actor_id: Set(actor_id),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    catalog::refresh_product_totals(txn, after.product_id).await?;
    Ok((after, movement))
}

/// Filters of `inventoryMovements`.
#[derive(Debug, Clone, Default)]
pub struct MovementFilter {
    pub store_id: Option<i64>,
    pub sku_id: Option<i64>,
    pub kind: Option<MovementKind>,
}

/// `inventoryMovements`, newest first unless `reverse`.
#[tracing::instrument(skip_all)]
pub async fn movements(
    ctx: &ServiceCtx,
    filter: MovementFilter,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<inventory_movement::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, filter.store_id)?;
    let args = PageArgs::parse(window, !reverse, "ID")?;
    let mut q = inventory_movement::Entity::find().in_scope(staff);
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

/// Applies a stock request approved in the approval queue, on its transaction (the same
/// validation as a direct change). Returns what was applied.
pub async fn apply_approved(
    txn: &impl ConnectionTrait,
    r: &entity::approval_request::Model,
    p: &StockAdjust,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<serde_json::Value, AppError> {
    let sku = sku::Entity::find_by_id(r.subject_id)
        .one(txn)
        .await?
        .ok_or(AppError::not_found("SKU"))?;
    let change = match p.change {
        StockChange::Stocktake => Change::Stocktake(p.quantity),
        StockChange::Adjust => Change::Adjust(p.quantity),
    };
    let reason = r.reason.clone();
    let reference = p.reference.clone();
    let (after, movement) = apply_change(
        txn,
        &sku,
        &change,
        reason,
        reference,
        Some(r.requested_by),
        at,
    )
    .await?;
    Ok(
        json!({ "skuId": after.id, "movement": movement.kind, "quantity": movement.quantity, "onHand": after.on_hand }),
    )
}
