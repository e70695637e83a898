use super::*;

/// Order statuses; an imported order only moves forward. Final: CANCELLED, CLOSED_UNPAID, REFUNDED.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "Status")]
pub enum OrderStatus {
    /// Placed, not paid (等待买家付款).
    Created,
    /// Paid, waiting to ship (等待卖家发货).
    Paid,
    /// Shipped (卖家已发货 / 等待买家确认收货).
    Shipped,
    /// Completed (交易成功).
    Completed,
    /// Cancelled by buyer or seller before payment.
    Cancelled,
    /// Closed unpaid (timeout).
    ClosedUnpaid,
    /// Every line refunded (交易关闭).
    Refunded,
    /// Some lines or part of the amount refunded; the order keeps its fulfilment stage.
    PartiallyRefunded,
}

/// An order imported from the marketplace (one parent order). Amounts are the platform's.
#[derive(Clone)]
pub struct Order(pub sales_order::Model);

impl From<sales_order::Model> for Order {
    fn from(m: sales_order::Model) -> Self {
        Self(m)
    }
}

/// An order imported from the marketplace (one parent order). Amounts are the platform's.
#[Object]
impl Order {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::Order, self.0.id)
    }
    /// The platform's order number (订单号), unique in the store.
    async fn order_no(&self) -> &str {
        &self.0.order_no
    }
    /// The store.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        store_by_id(ctx, self.0.store_id).await
    }
    /// The buyer.
    async fn member(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        member_of(ctx, self.0.member_id).await
    }
    /// Status.
    async fn status(&self) -> async_graphql::Result<Option<OrderStatus>> {
        let status = crate::service::order::stored_status(&self.0);
        status.map(|s| Some(s.into())).gql()
    }
    /// When the buyer placed it (下单时间).
    async fn created_at(&self) -> DateTime {
        self.0.ordered_at.into()
    }
    /// When it was paid; null if never.
    async fn paid_at(&self) -> Option<DateTime> {
        self.0.paid_at.map(Into::into)
    }
    /// Whether the buyer talked to customer service before ordering (询单), rather than
    /// ordering silently (静默下单).
    async fn consulted(&self) -> bool {
        self.0.consulted
    }
    /// Traffic source or campaign code; null when the export had none.
    async fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }
    /// Σ unit price × quantity.
    async fn item_total(&self) -> Money {
        Money(Fen(self.0.item_total_fen))
    }
    /// Σ line discounts.
    async fn discount(&self) -> Money {
        Money(Fen(self.0.discount_fen))
    }
    /// What the buyer paid: Σ line paid amounts.
    async fn paid_amount(&self) -> Money {
        Money(Fen(self.0.paid_fen))
    }
    /// What was refunded.
    async fn refunded_amount(&self) -> Money {
        Money(Fen(self.0.refunded_fen))
    }
    /// Units the SALE could not take from stock (超卖: restock, split-ship or refund).
    async fn oversold_units(&self) -> i64 {
        self.0.oversold_units
    }
    /// Points the payment earned.
    async fn points_earned(&self) -> i64 {
        self.0.points_earned
    }
    /// The lines, in order.
    async fn lines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OrderLine>> {
        let l = ctx.data::<Loaders>()?;
        Ok(l.order_lines()
            .load_one(self.0.id)
            .await
            .map_err(loaders::gql_err)?
            .unwrap_or_default()
            .into_iter()
            .map(OrderLine)
            .collect())
    }
    /// When it was first imported.
    async fn imported_at(&self) -> DateTime {
        self.0.imported_at.into()
    }
    /// When an import last changed it.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// One line of an order, with what the stock ledger did for it.
#[derive(Clone)]
pub struct OrderLine(pub order_line::Model);

/// One line of an order, with what the stock ledger did for it.
#[Object]
impl OrderLine {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::OrderLine, self.0.id)
    }
    /// Position in the order, from 1.
    async fn line_no(&self) -> i32 {
        self.0.line_no
    }
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        let l = ctx.data::<Loaders>()?;
        Ok(l.skus()
            .load_one(self.0.sku_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Sku))
    }
    /// Units.
    async fn quantity(&self) -> i64 {
        self.0.quantity
    }
    /// Unit price.
    async fn unit_price(&self) -> Money {
        Money(Fen(self.0.unit_price_fen))
    }
    /// The line's share of item- and order-level discounts.
    async fn discount(&self) -> Money {
        Money(Fen(self.0.discount_fen))
    }
    /// Paid: unit price × quantity − discount.
    async fn paid_amount(&self) -> Money {
        Money(Fen(self.0.paid_fen))
    }
    /// Refunded on this line.
    async fn refunded_amount(&self) -> Money {
        Money(Fen(self.0.refunded_fen))
    }
    /// Units taken from stock by the SALE movement (once).
    async fn sold_units(&self) -> i64 {
        self.0.sold_units
    }
    /// Units the SALE could not take (超卖).
    async fn oversold_units(&self) -> i64 {
        self.0.oversold_units
    }
    /// Units given back by the RETURN movement (once).
    async fn returned_units(&self) -> i64 {
        self.0.returned_units
    }
}

connection!(
    OrderConnection,
    OrderEdge,
    Order,
    entity::sales_order::Entity,
    "orders"
);
