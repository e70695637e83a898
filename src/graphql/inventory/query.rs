use super::*;

#[derive(Default)]
pub struct InventoryQuery;

#[Object]
impl InventoryQuery {
    /// Active SKUs of a store whose available stock is at or below their threshold.
    #[graphql(
        complexity = "crate::graphql::kernel::cost::page_cost(first, last, child_complexity)"
    )]
    async fn low_stock_skus(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters: the store.")] filter: LowStockFilter,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
    ) -> async_graphql::Result<SkuConnection> {
        let store = decode_id(&filter.store_id, NodeType::Store, "filter.storeId").gql()?;
        cat::low_stock_skus(
            svc(ctx)?,
            store,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
        )
        .await
        .map(SkuConnection)
        .gql()
    }

    /// The stock ledger, newest first.
    #[graphql(
        complexity = "crate::graphql::kernel::cost::page_cost(first, last, child_complexity)"
    )]
    async fn inventory_movements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<InventoryMovementFilter>,
        #[graphql(desc = "Oldest first instead.", default)] reverse: bool,
    ) -> async_graphql::Result<InventoryMovementConnection> {
        let f = filter.unwrap_or_default();
        let filter = inventory::MovementFilter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            sku_id: decode_opt_id(&f.sku_id, NodeType::Sku, "filter.skuId")?,
            kind: f.kind.map(Into::into),
        };
        inventory::movements(
            svc(ctx)?,
            filter,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            reverse,
        )
        .await
        .map(InventoryMovementConnection)
        .gql()
    }
}
