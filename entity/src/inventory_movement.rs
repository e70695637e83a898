//! The stock ledger: every change of a SKU's stock is one movement.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_movement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub sku_id: i64,
    /// `RESTOCK ADJUSTMENT STOCKTAKE RESERVATION RELEASE SALE RETURN`.
    pub kind: String,
    /// Signed change of on-hand (RESTOCK, ADJUSTMENT, STOCKTAKE, SALE, RETURN) or of reserved
    /// (RESERVATION +, RELEASE −).
    pub quantity: i64,
    pub on_hand_after: i64,
    pub reserved_after: i64,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub actor_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
