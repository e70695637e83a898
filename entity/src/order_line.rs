//! One line of an order: a SKU, quantity and amounts, and what the stock ledger did for it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub store_id: i64,
    pub line_no: i32,
    pub sku_id: i64,
    pub quantity: i64,
    pub unit_price_fen: i64,
    pub discount_fen: i64,
    pub paid_fen: i64,
    pub refunded_fen: i64,
    /// Units taken from stock by the SALE movement (at most once).
    pub sold_units: i64,
    /// Units the SALE could not take (超卖).
    pub oversold_units: i64,
    /// Units given back by the RETURN movement (at most once).
    pub returned_units: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
