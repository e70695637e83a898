use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

#[derive(Default)]
pub struct OrderQuery;

#[relay_pages]
#[Object]
impl OrderQuery {
    /// Orders of the viewer's stores (ORDER_VIEW), newest first unless `reverse`.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
        #[graphql(desc = "Filters.")] filter: Option<OrderFilter>,
        #[graphql(desc = "Ordering (default CREATED_AT).")] sort_key: Option<OrderSortKey>,
        #[graphql(desc = "Oldest (or smallest) first.", default)] reverse: bool,
    ) -> async_graphql::Result<OrderConnection> {
        let f = filter.unwrap_or_default();
        let filter = orders::OrderFilter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            statuses: f
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            created_from: f.created_from.map(|d| d.0),
            created_to: f.created_to.map(|d| d.0),
            member_id: decode_opt_id(&f.member_id, NodeType::Member, "filter.memberId")?,
            consulted: f.consulted,
            channel: f.channel,
            order_no: f.order_no,
            oversold: f.oversold,
        };
        let sort = match sort_key.unwrap_or(OrderSortKey::CreatedAt) {
            OrderSortKey::CreatedAt => orders::OrderSort::CreatedAt,
            OrderSortKey::PaidAt => orders::OrderSort::PaidAt,
            OrderSortKey::Amount => orders::OrderSort::Amount,
        };
        let w = page.window();
        orders::list(svc(ctx)?, filter, sort, w, reverse)
            .await
            .map(OrderConnection)
            .gql()
    }

    /// One order with its lines; null when it does not exist or lies outside the viewer's
    /// stores.
    async fn order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Option<Order>> {
        let id = decode_id(&id, NodeType::Order, "id").gql()?;
        Ok(found(orders::get(svc(ctx)?, id).await)?.map(Order))
    }
}
