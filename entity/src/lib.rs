//! sea-orm entities of Zhanggui, one module per table. No GraphQL derives live here: the
//! server wraps these models in its own output types so that fields can be masked.

pub mod app_lock;
pub mod app_setting;
pub mod approval_request;
pub mod audit_log;
pub mod category;
pub mod compliance_allowlist;
pub mod coupon;
pub mod inventory_movement;
pub mod login_throttle;
pub mod member;
pub mod member_tag;
pub mod order_line;
pub mod points_entry;
pub mod price_change;
pub mod product;
pub mod promotion;
pub mod promotion_target;
pub mod refresh_token;
pub mod sales_order;
pub mod sku;
pub mod staff;
pub mod staff_store;
pub mod store;
pub mod tier_change;

pub mod prelude {
    pub use super::app_lock::Entity as AppLock;
    pub use super::app_setting::Entity as AppSetting;
    pub use super::approval_request::Entity as ApprovalRequest;
    pub use super::audit_log::Entity as AuditLog;
    pub use super::category::Entity as Category;
    pub use super::compliance_allowlist::Entity as ComplianceAllowlist;
    pub use super::coupon::Entity as Coupon;
    pub use super::inventory_movement::Entity as InventoryMovement;
    pub use super::login_throttle::Entity as LoginThrottle;
    pub use super::member::Entity as Member;
    pub use super::member_tag::Entity as MemberTag;
    pub use super::order_line::Entity as OrderLine;
    pub use super::points_entry::Entity as PointsEntry;
    pub use super::price_change::Entity as PriceChange;
    pub use super::product::Entity as Product;
    pub use super::promotion::Entity as Promotion;
    pub use super::promotion_target::Entity as PromotionTarget;
    pub use super::refresh_token::Entity as RefreshToken;
    pub use super::sales_order::Entity as SalesOrder;
    pub use super::sku::Entity as Sku;
    pub use super::staff::Entity as Staff;
    pub use super::staff_store::Entity as StaffStore;
    pub use super::store::Entity as Store;
    pub use super::tier_change::Entity as TierChange;
}
