//! Product categories: a tree per store with attribute definitions.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "category")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// Names from the root, joined by `/`, e.g. `女装/连衣裙`; unique per store.
    pub path: String,
    pub depth: i32,
    /// JSON list of key-attribute definitions `{name, required, values}`.
    pub key_attributes_json: String,
    /// JSON list of sales-attribute definitions `{name, values}`.
    pub sales_attributes_json: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
