use super::*;

#[derive(Default)]
pub struct PricingQuery;

#[Object]
impl PricingQuery {
    /// Price changes of a SKU or a store, newest first.
    async fn price_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this SKU.")] sku_id: Option<ID>,
        #[graphql(desc = "Only this store.")] store_id: Option<ID>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
    ) -> async_graphql::Result<PriceChangeConnection> {
        let sku = decode_opt_id(&sku_id, NodeType::Sku, "skuId")?;
        let store = decode_opt_id(&store_id, NodeType::Store, "storeId")?;
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
