//! Products (商品) and their listing state; price range and stock totals are kept in step with
//! the SKUs for filtering and sorting.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    pub category_id: i64,
    pub title: String,
    pub subtitle: Option<String>,
    pub description: Option<String>,
    /// JSON object `{attribute: value}` of key attributes.
    pub key_attributes_json: String,
    /// JSON list of image URLs; the first is the main image.
    pub images_json: String,
    pub video_url: Option<String>,
    /// `DRAFT`, `PENDING_REVIEW`, `ON_SHELF`, `OFF_SHELF`, `ARCHIVED`.
    pub status: String,
    pub status_reason: Option<String>,
    pub scheduled_on_shelf_at: Option<DateTimeUtc>,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<i64>,
    pub min_price_fen: Option<i64>,
    pub max_price_fen: Option<i64>,
    pub total_on_hand: i64,
    pub total_available: i64,
    pub created_by: Option<i64>,
    /// The import file's `product_ref`, unique per store (imports match products by it).
    pub external_ref: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
