use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

#[derive(Default)]
pub struct PricingQuery;

#[relay_pages]
#[Object]
impl PricingQuery {
    /// Price changes of a SKU or a store, newest first.
    async fn price_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<PriceHistoryFilter>,
        page: RelayPage,
    ) -> async_graphql::Result<PriceChangeConnection> {
        let f = filter.unwrap_or_default();
        let sku = decode_opt_id(&f.sku_id, NodeType::Sku, "filter.skuId")?;
        let store = decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?;
        pricing::history(svc(ctx)?, sku, store, page.window())
            .await
            .map(PriceChangeConnection)
            .gql()
    }
}
