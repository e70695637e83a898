use super::*;

/// Input of `skuPriceChange`.
#[derive(InputObject)]
pub struct SkuPriceChangeInput {
    /// The SKU.
    pub sku_id: ID,
    /// New list price.
    pub price: Money,
    /// Why (kept in the price history).
    pub reason: String,
    /// Beyond the caller's limits: file an approval request instead of being refused with
    /// APPROVAL_REQUIRED.
    #[graphql(default)]
    pub request_approval: bool,
}

/// Result of `skuPriceChange`.
#[derive(SimpleObject)]
pub struct SkuPriceChangePayload {
    /// The SKU after the change; null when refused or filed for approval.
    pub sku: Option<Sku>,
    /// The price-history entry written.
    pub price_change: Option<PriceChange>,
    /// The approval request filed instead.
    pub approval_request: Option<ApprovalRequest>,
    /// Why the change was refused (e.g. APPROVAL_REQUIRED naming the limit and the value).
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of `skuUpdate`; omitted fields are unchanged.
#[derive(InputObject)]
pub struct SkuUpdateInput {
    /// The SKU.
    pub id: ID,
    /// Unit cost (COST_EDIT: directors).
    pub cost: Option<Money>,
    /// Floor price, 破价线 (PRICE_FLOOR_SET: directors).
    pub floor_price: Option<Money>,
    /// Remove the floor price (PRICE_FLOOR_SET).
    #[graphql(default)]
    pub clear_floor_price: bool,
    /// Low-stock threshold (PRODUCT_EDIT_DRAFT).
    pub low_stock_threshold: Option<i32>,
    /// Sell the SKU or not (PRODUCT_EDIT_DRAFT).
    pub active: Option<bool>,
}

/// Result of `skuUpdate`.
#[derive(SimpleObject)]
pub struct SkuPayload {
    /// The SKU as saved; null when refused.
    pub sku: Option<Sku>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

/// Filters of `priceHistory`.
#[derive(InputObject, Default)]
pub struct PriceHistoryFilter {
    /// Only this SKU.
    pub sku_id: Option<ID>,
    /// Only this store.
    pub store_id: Option<ID>,
}
