//! Price history: every list-price change of a SKU.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub sku_id: i64,
    pub old_price_fen: i64,
    pub new_price_fen: i64,
    pub reason: String,
    /// Who asked for the change (the requester when it went through approval).
    pub changed_by: Option<i64>,
    /// Who approved it, when it needed approval.
    pub approved_by: Option<i64>,
    pub approval_request_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
