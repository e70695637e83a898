use super::*;

#[derive(Default)]
pub struct PricingQuery;

#[Object]
impl PricingQuery {
    /// Price changes of a SKU or a store, newest first.
    #[graphql(
        complexity = "crate::graphql::kernel::cost::page_cost(first, last, child_complexity)"
    )]
    async fn price_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<PriceHistoryFilter>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
    ) -> async_graphql::Result<PriceChangeConnection> {
        let f = filter.unwrap_or_default();
        let sku = decode_opt_id(&f.sku_id, NodeType::Sku, "filter.skuId")?;
        let store = decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?;
        pricing::history(
            svc(ctx)?,
            sku,
            store,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
        )
        .await
        .map(PriceChangeConnection)
        .gql()
    }
}
