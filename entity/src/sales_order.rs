//! An order imported from the marketplace (one parent order, its lines in `order_line`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub order_no: String,
    pub member_id: i64,
    /// `CREATED PAID SHIPPED COMPLETED CANCELLED CLOSED_UNPAID REFUNDED PARTIALLY_REFUNDED`.
    pub status: String,
    /// Furthest fulfilment stage reached: `UNPAID PAID SHIPPED COMPLETED`.
    pub stage: String,
    pub ordered_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    /// Calendar day of payment in the store's time zone, as days since 1970-01-01.
    pub paid_day: Option<i32>,
    pub consulted: bool,
    pub channel: Option<String>,
    pub item_total_fen: i64,
    pub discount_fen: i64,
    pub paid_fen: i64,
    pub refunded_fen: i64,
    pub line_count: i32,
    pub oversold_units: i64,
    /// Points the payment earned.
    pub points_earned: i64,
    /// Points per yuan × the tier multiplier (bp) at payment: earned = floor(paid fen × rate / 1,000,000).
    pub points_rate: Option<i64>,
    pub imported_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
