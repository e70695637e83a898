use super::*;

pub(crate) async fn stock(
    ctx: &Context<'_>,
    input: StockChangeInput,
    change: fn(i64) -> Change,
) -> async_graphql::Result<StockChangePayload> {
    let svc = svc(ctx)?;
    let res = match decode_id(&input.sku_id, NodeType::Sku, "input.skuId") {
        Ok(id) => {
            inventory::apply(
                svc,
                inventory::StockInput {
                    sku_id: id,
                    change: change(input.quantity),
                    reason: input.reason,
                    reference: input.reference,
                },
                input.request_approval,
            )
            .await
        }
        Err(e) => Err(e),
    };
    let (applied, approval_request, user_errors) = split_outcome(res)?;
    let (sku, movement) = applied.unzip();
    let (sku, movement) = (sku.map(Sku), movement.map(InventoryMovement));
    Ok(StockChangePayload {
        sku,
        movement,
        approval_request,
        user_errors,
    })
}

#[derive(Default)]
pub struct InventoryMutation;

#[Object]
impl InventoryMutation {
    /// Inbound stock: on hand + quantity (STOCK_RESTOCK, assistants too).
    async fn stock_restock(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Restock).await
    }

    /// Adjustment: on hand ± quantity with a reason, never below reserved (STOCK_ADJUST).
    async fn stock_adjust(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Adjust).await
    }

    /// Stocktake: on hand := the counted quantity, not below reserved (STOCK_ADJUST).
    async fn stock_take(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Stocktake).await
    }

    /// Reserves stock (e.g. an order placed in 拍下减库存 mode, a gift hold): only when available
    /// ≥ quantity, else STOCK_INSUFFICIENT — also under concurrent requests (STOCK_ADJUST).
    async fn stock_reserve(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Reserve).await
    }

    /// Releases reserved stock (STOCK_ADJUST).
    async fn stock_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StockChangeInput,
    ) -> async_graphql::Result<StockChangePayload> {
        stock(ctx, input, Change::Release).await
    }
}
