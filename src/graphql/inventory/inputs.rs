use super::*;

/// Filters of `inventoryMovements`.
#[derive(InputObject, Default)]
pub struct InventoryMovementFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only this SKU.
    pub sku_id: Option<ID>,
    /// Only this kind.
    pub kind: Option<InventoryMovementKind>,
}

/// Input of the stock mutations.
#[derive(InputObject)]
pub struct StockChangeInput {
    /// The SKU.
    pub sku_id: ID,
    /// Units: restocked, reserved or released (positive); the change for `stockAdjust`
    /// (non-zero, signed); the counted stock for `stockTake`.
    pub quantity: i64,
    /// Why (required for adjustments).
    pub reason: Option<String>,
    /// External reference (inbound note, order number, …).
    pub reference: Option<String>,
    /// Assistants: file an approval request for an adjustment or stocktake instead of being
    /// refused with APPROVAL_REQUIRED.
    #[graphql(default)]
    pub request_approval: bool,
}

/// Result of stock mutations.
#[derive(SimpleObject)]
pub struct StockChangePayload {
    /// The SKU after the change.
    pub sku: Option<Sku>,
    /// The ledger entry written.
    pub movement: Option<InventoryMovement>,
    /// The approval request filed instead (assistants with `requestApproval`).
    pub approval_request: Option<crate::graphql::approval::ApprovalRequest>,
    /// Why the change was refused (e.g. STOCK_INSUFFICIENT); empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

/// Filters of `lowStockSkus`.
#[derive(InputObject)]
pub struct LowStockFilter {
    /// The store (its low-stock threshold applies).
    pub store_id: ID,
}
