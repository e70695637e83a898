use super::*;

/// Sort keys of `orders`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderSortKey {
    /// Order time.
    CreatedAt,
    /// Payment time (lists paid orders only).
    PaidAt,
    /// Paid amount.
    Amount,
}

/// Filters of `orders`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct OrderFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only these statuses.
    pub statuses: Option<Vec<OrderStatus>>,
    /// Ordered at or after this instant.
    pub created_from: Option<DateTime>,
    /// Ordered before this instant.
    pub created_to: Option<DateTime>,
    /// Only this member's orders.
    pub member_id: Option<ID>,
    /// Only consulted (询单) or only silent (静默) orders.
    pub consulted: Option<bool>,
    /// Only this channel code.
    pub channel: Option<String>,
    /// Only this order number.
    pub order_no: Option<String>,
    /// Only orders with (true) or without (false) oversold units.
    pub oversold: Option<bool>,
}

impl OrderFilter {
    /// The service's filter, with global IDs decoded (BAD_USER_INPUT naming the field).
    pub(crate) fn into_service(self) -> async_graphql::Result<orders::OrderFilter> {
        Ok(orders::OrderFilter {
            store_id: decode_opt_id(&self.store_id, NodeType::Store, "filter.storeId")?,
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            created_from: self.created_from.map(|d| d.0),
            created_to: self.created_to.map(|d| d.0),
            member_id: decode_opt_id(&self.member_id, NodeType::Member, "filter.memberId")?,
            consulted: self.consulted,
            channel: self.channel,
            order_no: self.order_no,
            oversold: self.oversold,
        })
    }
}
