//! A shop on one marketplace, with the limits that later capabilities enforce.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "store")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// `TMALL`, `TAOBAO`, `JD`, `DOUYIN`, `PINDUODUO`, `OWN_SITE`.
    pub platform: String,
    /// IANA time zone name; calendar days are cut in it.
    pub time_zone: String,
    pub refund_limit_specialist_fen: i64,
    pub refund_limit_assistant_fen: i64,
    pub price_cut_limit_bp: i32,
    pub price_recent_high_min_bp: i32,
    pub promo_depth_limit_bp: i32,
    pub coupon_face_value_limit_fen: i64,
    pub campaign_budget_limit_fen: i64,
    pub points_adjust_limit: i32,
    pub min_margin_bp: i32,
    pub specialist_cost_view: bool,
    pub pii_reveals_per_day: i32,
    pub approval_expiry_days: i32,
    /// JSON list of tiers, lowest first.
    pub tiers_json: String,
    /// `ROLLING_12M` or `LIFETIME`.
    pub tier_basis: String,
    pub tier_protection_days: i32,
    pub points_per_yuan: i32,
    pub repurchase_cycle_days: i32,
    pub shipping_first_fen: i64,
    pub shipping_extra_fen: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
