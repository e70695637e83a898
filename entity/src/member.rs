//! A buyer of one store (会员), matched on order import by the platform's buyer reference.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    /// The platform's buyer reference (OAID or open buyer id), unique in the store.
    pub buyer_ref: String,
    pub nick: String,
    /// AES-GCM ciphertext of the normalised phone (nonce ‖ ciphertext, base64).
    pub phone_cipher: Option<String>,
    /// HMAC-SHA256 of the normalised phone (hex), for exact lookup and de-duplication.
    pub phone_hash: Option<String>,
    /// The masked form everyone may see (`138****5678`).
    pub phone_masked: Option<String>,
    /// Tier code from the store's tier list; null below the lowest tier.
    pub tier: Option<String>,
    /// No downgrade before this instant (保级期 after an upgrade).
    pub tier_protected_until: Option<DateTimeUtc>,
    /// A director's manual tier holds until this instant.
    pub tier_locked_until: Option<DateTimeUtc>,
    pub points_balance: i64,
    pub points_deficit: i64,
    pub note: Option<String>,
    pub first_order_at: DateTimeUtc,
    pub last_order_at: DateTimeUtc,
    pub paid_order_count: i64,
    pub purchase_count: i64,
    /// Net paid (paid − refunded) over all orders, fen.
    pub total_paid_fen: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
