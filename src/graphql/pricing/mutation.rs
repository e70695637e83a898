use super::*;

#[derive(Default)]
pub struct PricingMutation;

#[Object]
impl PricingMutation {
    /// Changes a SKU's list price with a reason, recorded in the price history. Directors: any
    /// price. Specialists: a cut of at most the store's limit per change (default 20%), not
    /// below 60% of the 30-day high, the floor price, cost or the minimum-margin price.
    /// Assistants: request only. Beyond a limit: APPROVAL_REQUIRED, or an approval request with
    /// `requestApproval: true`.
    async fn sku_price_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SkuPriceChangeInput,
    ) -> async_graphql::Result<SkuPriceChangePayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.sku_id, NodeType::Sku, "input.skuId") {
            Ok(id) => {
                pricing::change_price(
                    svc,
                    pricing::PriceChangeInput {
                        sku_id: id,
                        new_price_fen: input.price.0.0,
                        reason: input.reason,
                        request_approval: input.request_approval,
                    },
                )
                .await
            }
            Err(e) => Err(e),
        };
        let (applied, approval_request, user_errors) = split_outcome(res)?;
        let (sku, change) = applied.unzip();
        Ok(SkuPriceChangePayload {
            sku: sku.map(Sku),
            price_change: change.map(PriceChange),
            approval_request,
            user_errors,
        })
    }

    /// Sets a SKU's cost (COST_EDIT), floor price (PRICE_FLOOR_SET), low-stock threshold or
    /// active flag.
    async fn sku_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SkuUpdateInput,
    ) -> async_graphql::Result<SkuPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::Sku, "input.id") {
            Ok(id) => {
                let floor = if input.clear_floor_price {
                    Some(None)
                } else {
                    input.floor_price.map(|f| Some(f.0.0))
                };
                let cmd = pricing::SkuUpdate {
                    cost_fen: input.cost.map(|c| c.0.0),
                    floor_price_fen: floor,
                    low_stock_threshold: input.low_stock_threshold,
                    active: input.active,
                };
                pricing::sku_update(svc, id, cmd).await
            }
            Err(e) => Err(e),
        };
        let (s, user_errors) = split(res)?;
        Ok(SkuPayload {
            sku: s.map(Sku),
            user_errors,
        })
    }
}
