//! The points ledger: every change of a member's points is one entry.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "points_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub member_id: i64,
    /// `EARN REVERSE REDEEM REDEEM_CANCEL ADJUST EXPIRE`.
    pub kind: String,
    pub amount: i64,
    pub balance_after: i64,
    /// Points a reversal could not take (repaid from later earnings).
    pub deficit_after: i64,
    pub multiplier_bp: Option<i32>,
    pub reason: Option<String>,
    pub order_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
