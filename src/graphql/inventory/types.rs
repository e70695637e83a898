use super::*;

/// Kind of a stock movement: every change of on-hand or reserved units is one movement.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "MovementKind")]
pub enum InventoryMovementKind {
    /// 入库: on hand + q.
    Restock,
    /// 调整: on hand ± q, never below reserved; with a reason.
    Adjustment,
    /// 盘点: on hand := counted; quantity = counted − previous on hand.
    Stocktake,
    /// 预占: reserved + q, only when available ≥ q.
    Reservation,
    /// 释放: reserved − q.
    Release,
    /// 销售出库: on hand − q at payment.
    Sale,
    /// 退货入库: on hand + q for sellable returns.
    Return,
}

/// One entry of the stock ledger. A SKU's on-hand and reserved figures always equal the sum
/// of its movements.
#[derive(Clone)]
pub struct InventoryMovement(pub inventory_movement::Model);

/// One entry of the stock ledger. A SKU's on-hand and reserved figures always equal the sum
/// of its movements.
#[Object]
impl InventoryMovement {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::InventoryMovement, self.0.id)
    }
    /// Kind.
    async fn kind(&self) -> InventoryMovementKind {
        match self.0.kind.as_str() {
            "ADJUSTMENT" => InventoryMovementKind::Adjustment,
            "STOCKTAKE" => InventoryMovementKind::Stocktake,
            "RESERVATION" => InventoryMovementKind::Reservation,
            "RELEASE" => InventoryMovementKind::Release,
            "SALE" => InventoryMovementKind::Sale,
            "RETURN" => InventoryMovementKind::Return,
            _ => InventoryMovementKind::Restock,
        }
    }
    /// Signed quantity: change of on hand (RESTOCK, ADJUSTMENT, STOCKTAKE, SALE, RETURN) or of
    /// reserved (RESERVATION positive, RELEASE negative).
    async fn quantity(&self) -> i64 {
        self.0.quantity
    }
    /// On hand after the movement.
    async fn on_hand_after(&self) -> i64 {
        self.0.on_hand_after
    }
    /// Reserved after the movement.
    async fn reserved_after(&self) -> i64 {
        self.0.reserved_after
    }
    /// Why.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// External reference (inbound note, order number, …).
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    /// Who made it.
    async fn actor(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::account::StaffMember>> {
        crate::graphql::account::staff_member(ctx, self.0.actor_id).await
    }
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        let l = ctx.data::<crate::graphql::kernel::loaders::Loaders>()?;
        let sku = l.skus().load_one(self.0.sku_id).await;
        Ok(sku
            .map_err(crate::graphql::kernel::loaders::gql_err)?
            .map(Sku))
    }
    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

crate::graphql::kernel::relay::connection!(
    InventoryMovementConnection,
    InventoryMovementEdge,
    InventoryMovement,
    entity::inventory_movement::Entity,
    "stock movements"
);

impl From<inventory_movement::Model> for InventoryMovement {
    fn from(m: inventory_movement::Model) -> Self {
        Self(m)
    }
}
