//! Output types. Each wraps an entity model; sensitive fields are masked here with
//! `viewer.can(...)`-style checks, never hidden from the schema.

use async_graphql::{Context, Enum, ID, Interface, Json, Object, SimpleObject};
use entity::{audit_log, staff, store};

use super::scalars::{Date, DateTime, Money};
use super::{loaders, svc};
use crate::auth::{Access, Permission, Role, Staff};
use crate::domain::{GlobalId, NodeType};
use crate::error::{ErrorCode, GqlResultExt, UserError};
use crate::service;

/// A marketplace a store sells on.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// 天猫 Tmall.
    Tmall,
    /// 淘宝 Taobao.
    Taobao,
    /// 京东 JD.
    Jd,
    /// 抖音 Douyin.
    Douyin,
    /// 拼多多 Pinduoduo.
    Pinduoduo,
    /// The merchant's own site or mini-program.
    OwnSite,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tmall => "TMALL",
            Self::Taobao => "TAOBAO",
            Self::Jd => "JD",
            Self::Douyin => "DOUYIN",
            Self::Pinduoduo => "PINDUODUO",
            Self::OwnSite => "OWN_SITE",
        }
    }

    fn from_db(s: &str) -> Self {
        match s {
            "TAOBAO" => Self::Taobao,
            "JD" => Self::Jd,
            "DOUYIN" => Self::Douyin,
            "PINDUODUO" => Self::Pinduoduo,
            "OWN_SITE" => Self::OwnSite,
            _ => Self::Tmall,
        }
    }
}

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Store(Store),
    StaffMember(StaffMember),
    AuditLogEntry(AuditLogEntry),
    Category(super::catalog::Category),
    Product(super::catalog::Product),
    Sku(super::catalog::Sku),
    InventoryMovement(super::catalog::InventoryMovement),
    ApprovalRequest(super::pricing::ApprovalRequest),
    PriceChange(super::pricing::PriceChange),
    ComplianceAllowlistEntry(super::catalog::ComplianceAllowlistEntry),
    Member(super::members::Member),
    Order(super::members::Order),
    OrderLine(super::members::OrderLine),
    PointsEntry(super::members::PointsEntry),
    TierChange(super::members::TierChange),
    ItemDiscountPromotion(super::promotions::ItemDiscountPromotion),
    FullReductionPromotion(super::promotions::FullReductionPromotion),
    FullDiscountPromotion(super::promotions::FullDiscountPromotion),
    NthItemPromotion(super::promotions::NthItemPromotion),
    BundlePromotion(super::promotions::BundlePromotion),
    GiftPromotion(super::promotions::GiftPromotion),
    FreeShippingPromotion(super::promotions::FreeShippingPromotion),
    CouponTemplate(super::promotions::CouponTemplate),
    MemberPricePromotion(super::promotions::MemberPricePromotion),
    Coupon(super::promotions::Coupon),
}

/// A validation or business-rule refusal of a mutation. Nothing was changed.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "UserError")]
pub struct UserErrorObject {
    /// Path to the input field at fault, e.g. `["input", "name"]`.
    pub field: Option<Vec<String>>,
    /// Stable code.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
}

impl From<UserError> for UserErrorObject {
    fn from(e: UserError) -> Self {
        Self {
            field: (!e.field.is_empty()).then_some(e.field),
            code: e.code,
            message: e.message,
        }
    }
}

/// A shop on one marketplace (店铺). Every business row belongs to a store; specialists and
/// assistants see only the stores assigned to them.
#[derive(Clone)]
pub struct Store(pub store::Model);

impl From<store::Model> for Store {
    fn from(m: store::Model) -> Self {
        Self(m)
    }
}

/// A shop on one marketplace (店铺). Every business row belongs to a store; specialists and
/// assistants see only the stores assigned to them.
#[Object]
impl Store {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::Store, self.0.id).encode())
    }
    /// Store name, unique in the company (1–60 characters).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Marketplace.
    async fn platform(&self) -> Platform {
        Platform::from_db(&self.0.platform)
    }
    /// IANA time zone in which calendar days (and daily KPIs) are cut. Default Asia/Shanghai.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Today's calendar day in the store's time zone.
    async fn today(&self) -> Date {
        Date(crate::service::store::today(&self.0))
    }
    /// Approval limits and options. Changed by directors only.
    async fn settings(&self) -> StoreSettings {
        StoreSettings(self.0.clone())
    }
    /// Membership settings: tiers, basis, protection period, points.
    async fn membership(&self) -> super::members::StoreMembership {
        super::members::StoreMembership::of(&self.0)
    }
    /// When the store was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When the store was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A store's limits and options. Rates are basis points (1/10,000).
pub struct StoreSettings(store::Model);

/// A store's limits and options. Rates are basis points (1/10,000).
#[Object]
impl StoreSettings {
    /// Largest refund a specialist may approve alone (default ¥2,000.00).
    async fn refund_approval_limit_specialist(&self) -> Money {
        self.0.refund_limit_specialist_fen.into()
    }
    /// Largest refund an assistant may approve alone, only 未发货仅退款 or 7天无理由 with goods
    /// received (default ¥200.00).
    async fn refund_approval_limit_assistant(&self) -> Money {
        self.0.refund_limit_assistant_fen.into()
    }
    /// Largest price cut per change a specialist may make, in bp of the old price (default
    /// 2000 = 20%: `(old − new) × 10000 ≤ 2000 × old`).
    async fn price_cut_limit_bp(&self) -> i32 {
        self.0.price_cut_limit_bp
    }
    /// A specialist's new price must be at least this share of the highest list price of the
    /// last 30 days, in bp (default 6000 = 60%).
    async fn price_recent_high_min_bp(&self) -> i32 {
        self.0.price_recent_high_min_bp
    }
    /// Deepest promotion a specialist may approve, as discount depth in bp (default 3000 = 30%
    /// off). Deeper ones need a director (deep-discount rate).
    async fn promotion_depth_limit_bp(&self) -> i32 {
        self.0.promo_depth_limit_bp
    }
    /// Largest coupon face value a specialist may approve per template, `face × quantity`
    /// (default ¥20,000.00).
    async fn coupon_face_value_limit(&self) -> Money {
        self.0.coupon_face_value_limit_fen.into()
    }
    /// Largest campaign budget a specialist may approve, per campaign per calendar month
    /// (default ¥5,000.00).
    async fn campaign_budget_limit(&self) -> Money {
        self.0.campaign_budget_limit_fen.into()
    }
    /// Largest manual points adjustment a specialist may make, absolute (default 500).
    async fn points_adjust_limit(&self) -> i32 {
        self.0.points_adjust_limit
    }
    /// Minimum margin in bp (default 0 = not below cost). Minimum-margin price =
    /// `cost / (1 − minMarginBp / 10000)`, rounded up to the fen.
    async fn min_margin_bp(&self) -> i32 {
        self.0.min_margin_bp
    }
    /// Whether this store's specialists see unit cost, margin and profit (COST_VIEW and
    /// PROFIT_VIEW). Never granted to assistants. Default false.
    async fn specialist_cost_view(&self) -> bool {
        self.0.specialist_cost_view
    }
    /// Member PII reveals allowed per staff member per day (default 20).
    async fn pii_reveals_per_day(&self) -> i32 {
        self.0.pii_reveals_per_day
    }
    /// Days after which a pending approval request expires (default 7).
    async fn approval_expiry_days(&self) -> i32 {
        self.0.approval_expiry_days
    }
    /// Shipping template (运费模板): the first unit's fee, paid when no 包邮 rule applies or
    /// the region is excluded (default ¥10.00).
    async fn shipping_first_fee(&self) -> Money {
        self.0.shipping_first_fen.into()
    }
    /// Shipping template: each further unit's fee (default ¥2.00).
    async fn shipping_extra_fee(&self) -> Money {
        self.0.shipping_extra_fen.into()
    }
}

/// A staff member (员工): director, specialist or assistant. Directors see everyone; others
/// see the staff of their own stores and the directors, without usernames or login state.
#[derive(Clone)]
pub struct StaffMember(pub staff::Model);

impl From<staff::Model> for StaffMember {
    fn from(m: staff::Model) -> Self {
        Self(m)
    }
}

/// A store by id through the request's loader; `None` outside the viewer's stores.
pub async fn store_by_id(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Store>> {
    let l = ctx.data::<loaders::Loaders>()?;
    Ok(l.stores
        .load_one(id)
        .await
        .map_err(loaders::gql_err)?
        .map(Store))
}

/// A staff member by id through the request's loader; `None` when absent or not visible.
pub async fn staff_member(
    ctx: &Context<'_>,
    id: Option<i64>,
) -> async_graphql::Result<Option<StaffMember>> {
    let Some(id) = id else { return Ok(None) };
    let l = ctx.data::<loaders::Loaders>()?;
    Ok(l.staff
        .load_one(id)
        .await
        .map_err(loaders::gql_err)?
        .map(StaffMember))
}

fn viewer_staff<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Staff> {
    svc(ctx)?.viewer.staff_pending_password().gql()
}

/// A staff member (员工): director, specialist or assistant. Directors see everyone; others
/// see the staff of their own stores and the directors, without usernames or login state.
#[Object]
impl StaffMember {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::StaffMember, self.0.id).encode())
    }
    /// Login name. `null` unless the viewer is a director or this is the viewer.
    async fn username(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let viewer = viewer_staff(ctx)?;
        Ok(service::account::staff::sees_login_state(viewer, self.0.id)
            .then(|| self.0.username.clone()))
    }
    /// Name shown to colleagues.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Staff level.
    async fn role(&self) -> Role {
        service::account::auth::role_of(&self.0)
    }
    /// Whether the account may log in.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Assigned stores (directors: none, they see every store). Only stores the viewer sees
    /// are listed.
    async fn stores(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Store>> {
        let loaders = ctx.data::<loaders::Loaders>()?;
        let ids = loaders
            .staff_stores
            .load_one(self.0.id)
            .await
            .map_err(loaders::gql_err)?
            .unwrap_or_default();
        let stores = loaders
            .stores
            .load_many(ids.iter().copied())
            .await
            .map_err(loaders::gql_err)?;
        Ok(ids
            .iter()
            .filter_map(|id| stores.get(id).cloned().map(Store))
            .collect())
    }
    /// Last successful login. `null` unless the viewer is a director or this is the viewer.
    async fn last_login_at(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DateTime>> {
        let viewer = viewer_staff(ctx)?;
        Ok(
            if service::account::staff::sees_login_state(viewer, self.0.id) {
                self.0.last_login_at.map(Into::into)
            } else {
                None
            },
        )
    }
    /// Whether the account still has to replace a one-time password. `null` unless the viewer
    /// is a director or this is the viewer.
    async fn must_change_password(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        let viewer = viewer_staff(ctx)?;
        Ok(service::account::staff::sees_login_state(viewer, self.0.id)
            .then_some(self.0.must_change_password))
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When the account was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// One permission with the level of access the viewer's role grants.
#[derive(SimpleObject, Debug, Clone)]
pub struct PermissionGrant {
    /// The permission code.
    pub permission: Permission,
    /// What the role may do with it.
    pub access: Access,
}

/// One row of the role → permission matrix.
#[derive(SimpleObject, Debug, Clone)]
pub struct PermissionMatrixRow {
    /// The permission code.
    pub permission: Permission,
    /// 运营总监.
    pub director: Access,
    /// 运营专员.
    pub specialist: Access,
    /// 运营助理.
    pub assistant: Access,
}

/// The logged-in staff member.
pub struct Viewer {
    pub staff: Staff,
    pub model: staff::Model,
}

/// The logged-in staff member.
#[Object(name = "Viewer")]
impl Viewer {
    /// Global ID of the staff member.
    async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::StaffMember, self.staff.id).encode())
    }
    /// Login name.
    async fn username(&self) -> &str {
        &self.model.username
    }
    /// Name shown to colleagues.
    async fn display_name(&self) -> &str {
        &self.model.display_name
    }
    /// Staff level.
    async fn role(&self) -> Role {
        self.staff.role
    }
    /// Permissions the role holds outright or within limits (the ✓ and ≤X cells of the matrix).
    /// Store-granted ones (a specialist's cost view) show under `permissionGrants`.
    async fn permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| matches!(self.staff.access(*p), Access::Full | Access::Limited))
            .collect()
    }
    /// Every permission with the access level the role has.
    async fn permission_grants(&self) -> Vec<PermissionGrant> {
        Permission::ALL
            .into_iter()
            .map(|p| PermissionGrant {
                permission: p,
                access: self.staff.access(p),
            })
            .collect()
    }
    /// Stores the viewer works in: all stores for a director, the assigned ones otherwise.
    async fn stores(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Store>> {
        let svc = svc(ctx)?;
        Ok(service::store::for_staff(&svc.db, &self.staff)
            .await
            .gql()?
            .into_iter()
            .map(Store)
            .collect())
    }
    /// True after first start or a password reset: every other operation answers FORBIDDEN
    /// until `passwordChange` succeeds.
    async fn must_change_password(&self) -> bool {
        self.model.must_change_password
    }
    /// Last successful login (this one included).
    async fn last_login_at(&self) -> Option<DateTime> {
        self.model.last_login_at.map(Into::into)
    }
}

/// One audit-log entry: who did what to which object, with the state before and after.
/// Written by every mutation inside its transaction; never editable.
#[derive(Clone)]
pub struct AuditLogEntry(pub audit_log::Model);

impl From<audit_log::Model> for AuditLogEntry {
    fn from(m: audit_log::Model) -> Self {
        Self(m)
    }
}

fn parse_json(raw: &Option<String>, role: Role) -> Option<Json<serde_json::Value>> {
    raw.as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .map(|v| Json(service::kernel::audit::mask_personal(v, role)))
}

/// One audit-log entry: who did what to which object, with the state before and after.
/// Written by every mutation inside its transaction; never editable.
#[Object]
impl AuditLogEntry {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::AuditLogEntry, self.0.id).encode())
    }
    /// When it happened.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// Who acted; `null` for the system (first start, command line) or a staff member the
    /// viewer cannot see.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.actor_id).await
    }
    /// The actor's role at the time.
    async fn actor_role(&self) -> Option<Role> {
        self.0.actor_role.as_deref().and_then(Role::parse)
    }
    /// Dotted action name, e.g. `store.create`, `staff.update`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Type of the object acted on, e.g. `Store`.
    async fn target_type(&self) -> &str {
        &self.0.target_type
    }
    /// Global ID of the object acted on, when it has one.
    async fn target_id(&self) -> Option<ID> {
        let node_type = match self.0.target_type.as_str() {
            "Store" => NodeType::Store,
            "StaffMember" => NodeType::StaffMember,
            _ => return None,
        };
        self.0
            .target_id
            .map(|id| ID(GlobalId::new(node_type, id).encode()))
    }
    /// The store the action belongs to, if any.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        match self.0.store_id {
            Some(id) => store_by_id(ctx, id).await,
            None => Ok(None),
        }
    }
    /// State before the change (JSON). Personal data is masked (`"***"`) for non-directors.
    async fn before(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Json<serde_json::Value>>> {
        Ok(parse_json(&self.0.before_json, viewer_staff(ctx)?.role))
    }
    /// State after the change (JSON). Personal data is masked (`"***"`) for non-directors.
    async fn after(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Json<serde_json::Value>>> {
        Ok(parse_json(&self.0.after_json, viewer_staff(ctx)?.role))
    }
    /// True when a director approved their own submission (the one exception to four-eyes,
    /// always audited).
    async fn self_approved(&self) -> bool {
        self.0.self_approved
    }
    /// Request id of the HTTP request that made the change (matches the server log).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

super::pagination::connection!(
    StoreConnection,
    StoreEdge,
    Store,
    entity::store::Entity,
    "stores"
);
super::pagination::connection!(
    StaffMemberConnection,
    StaffMemberEdge,
    StaffMember,
    entity::staff::Entity,
    "staff members"
);
super::pagination::connection!(
    AuditLogEntryConnection,
    AuditLogEntryEdge,
    AuditLogEntry,
    entity::audit_log::Entity,
    "audit-log entries"
);
