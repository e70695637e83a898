//! Coupons issued to members from a COUPON template.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupon")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub template_id: i64,
    pub member_id: i64,
    pub code: String,
    /// Stored state: `CLAIMED`, `USED`, `EXPIRED`, `INVALIDATED` (a CLAIMED coupon past its
    /// validity reads as EXPIRED).
    pub status: String,
    pub valid_from: DateTimeUtc,
    pub valid_until: DateTimeUtc,
    pub claimed_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub order_ref: Option<String>,
    pub client_key: String,
    pub issued_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
