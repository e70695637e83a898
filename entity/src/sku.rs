//! SKUs: one combination of sales-attribute values of a product, with price, cost and stock.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sku")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub product_id: i64,
    /// 商家编码 (outer_id), unique in the store.
    pub code: String,
    /// JSON object `{attribute: value}` of sales attributes.
    pub attributes_json: String,
    /// Canonical `k=v;k=v` form, unique per product.
    pub attributes_key: String,
    pub price_fen: i64,
    pub cost_fen: Option<i64>,
    pub floor_price_fen: Option<i64>,
    pub on_hand: i64,
    pub reserved: i64,
    pub low_stock_threshold: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
