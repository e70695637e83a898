use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};
use crate::service::kernel::scope::viewable;

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
        let filter = filter.unwrap_or_default().into_service()?;
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
        Ok(found(viewable::<entity::sales_order::Entity>(svc(ctx)?, id).await)?.map(Order))
    }
}
