//! Promotions and coupon templates: one row per tool, with the working version
//! (`spec_json`, `start_at`/`end_at`) and, once approved, the version in force (`live_json`,
//! `live_start_at`/`live_end_at`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    /// `ITEM_DISCOUNT`, `FULL_REDUCTION`, … (`engine::Kind`).
    pub kind: String,
    pub name: String,
    /// Buyer-facing copy (checked for Advertising-Law terms).
    pub copy: Option<String>,
    /// Stored state; reads derive the effective one from the clock.
    pub status: String,
    pub start_at: DateTimeUtc,
    pub end_at: DateTimeUtc,
    pub live_start_at: Option<DateTimeUtc>,
    pub live_end_at: Option<DateTimeUtc>,
    /// `MERCHANT`, `PLATFORM`, `BRAND`, `CO_FUNDED`.
    pub funder: String,
    pub merchant_share_bp: i32,
    /// `ITEM`, `STORE`, `CROSS_STORE`, `MEMBER`.
    pub level: String,
    /// `STORE`, `ONLY`, `EXCEPT` (working version).
    pub scope_mode: String,
    pub spec_json: String,
    pub live_json: Option<String>,
    pub depth_bp: i32,
    pub version: i32,
    pub approved_version: Option<i32>,
    pub revision_pending: bool,
    pub floor_break_approved: bool,
    pub total_quantity: Option<i64>,
    pub issued_count: i64,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<DateTimeUtc>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    pub self_approved: bool,
    pub reject_reason: Option<String>,
    pub ended_early: bool,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
