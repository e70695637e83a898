//! A change of a member's tier, with its cause.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tier_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub member_id: i64,
    pub from_tier: Option<String>,
    pub to_tier: Option<String>,
    /// `ORDER_PAID REFUND DAILY_REEVAL MANUAL`.
    pub cause: String,
    pub reason: Option<String>,
    pub actor_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
