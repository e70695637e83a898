use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

#[derive(Default)]
pub struct InventoryQuery;

#[relay_pages]
#[Object]
impl InventoryQuery {
    /// Active SKUs of a store whose available stock is at or below their threshold.
    async fn low_stock_skus(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters: the store.")] filter: LowStockFilter,
        page: RelayPage,
    ) -> async_graphql::Result<SkuConnection> {
        let store = decode_id(&filter.store_id, NodeType::Store, "filter.storeId").gql()?;
        cat::low_stock_skus(svc(ctx)?, store, page.window())
            .await
            .map(SkuConnection)
            .gql()
    }

    /// The stock ledger, newest first.
    async fn inventory_movements(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
        #[graphql(desc = "Filters.")] filter: Option<InventoryMovementFilter>,
        #[graphql(desc = "Oldest first instead.", default)] reverse: bool,
    ) -> async_graphql::Result<InventoryMovementConnection> {
        let f = filter.unwrap_or_default();
        let filter = inventory::MovementFilter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            sku_id: decode_opt_id(&f.sku_id, NodeType::Sku, "filter.skuId")?,
            kind: f.kind.map(Into::into),
        };
        inventory::movements(svc(ctx)?, filter, page.window(), reverse)
            .await
            .map(InventoryMovementConnection)
            .gql()
    }
}
