use super::*;

/// One change of a SKU's list price (price history).
#[derive(Clone)]
pub struct PriceChange(pub price_change::Model);

/// One change of a SKU's list price (price history).
#[Object]
impl PriceChange {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::PriceChange, self.0.id).encode())
    }
    /// Price before.
    async fn old_price(&self) -> Money {
        self.0.old_price_fen.into()
    }
    /// Price after.
    async fn new_price(&self) -> Money {
        self.0.new_price_fen.into()
    }
    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Who changed it (the requester, when it went through approval).
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.changed_by).await
    }
    /// Who approved it, when it needed approval.
    async fn approved_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.approved_by).await
    }
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        let l = ctx.data::<loaders::Loaders>()?;
        Ok(l.skus()
            .load_one(self.0.sku_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Sku))
    }
    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

impl From<price_change::Model> for PriceChange {
    fn from(m: price_change::Model) -> Self {
        Self(m)
    }
}

crate::graphql::kernel::relay::connection!(
    PriceChangeConnection,
    PriceChangeEdge,
    PriceChange,
    entity::price_change::Entity,
    "price changes"
);
