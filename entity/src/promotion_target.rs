//! The products and SKUs a promotion's scope names (included, or excluded for "all except").
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion_target")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub promotion_id: i64,
    pub store_id: i64,
    pub product_id: Option<i64>,
    pub sku_id: Option<i64>,
    pub excluded: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
