//! Who is asking: roles, permissions, the viewer, tokens and passwords.

pub mod cache;
pub mod jwt;
pub mod matrix;
pub mod password;

pub use matrix::Access;

use crate::error::{AppError, ForbiddenReason};

/// Staff level: director (运营总监), specialist (运营专员), assistant (运营助理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Role {
    /// 运营总监 — owns the stores' P&L, approves beyond limits, manages staff; sees every store.
    Director,
    /// 运营专员 — runs assigned stores within policy limits.
    Specialist,
    /// 运营助理 — executes in assigned stores: data entry, drafts, restocks, CS records.
    Assistant,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Director => "DIRECTOR",
            Self::Specialist => "SPECIALIST",
            Self::Assistant => "ASSISTANT",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "DIRECTOR" => Some(Self::Director),
            "SPECIALIST" => Some(Self::Specialist),
            "ASSISTANT" => Some(Self::Assistant),
            _ => None,
        }
    }
}

macro_rules! permissions {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, )*) => {
        /// A permission code of the role → permission matrix (`permissionMatrix`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
        pub enum Permission {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Permission {
            pub const ALL: [Permission; 45] = [$(Permission::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Permission::$variant => $code, )*
                }
            }
        }
    };
}

permissions! {
    /// Staff, roles, store assignments, password resets.
    UserManage = "USER_MANAGE",
    /// Stores and their settings (limits, tiers basis, points, service hours, attribution), targets.
    StoreSettings = "STORE_SETTINGS",
    /// Audit log: directors all, specialists their own stores' entries.
    AuditView = "AUDIT_VIEW",
    /// Products, SKUs, stock.
    ProductView = "PRODUCT_VIEW",
    /// Create and edit drafts, generate SKUs.
    ProductEditDraft = "PRODUCT_EDIT_DRAFT",
    /// Submit a draft for review.
    ProductSubmit = "PRODUCT_SUBMIT",
    /// Approve or send back; edit content past DRAFT (not one's own submissions).
    ProductReview = "PRODUCT_REVIEW",
    /// Put on / take off the shelf, schedule.
    ProductShelve = "PRODUCT_SHELVE",
    /// Archive products.
    ProductArchive = "PRODUCT_ARCHIVE",
    /// Unit cost, margin, gross profit, 保本ROI (specialists only where the store grants it).
    CostView = "COST_VIEW",
    /// Edit unit cost.
    CostEdit = "COST_EDIT",
    /// Change a SKU price within policy (specialist: ≤ store cut limit; assistant: request only).
    PriceChange = "PRICE_CHANGE",
    /// Price below floor, cost or minimum-margin price, or beyond the cut limits.
    PriceChangeDeep = "PRICE_CHANGE_DEEP",
    /// Set the per-SKU floor price (破价线).
    PriceFloorSet = "PRICE_FLOOR_SET",
    /// Inbound stock (restock).
    StockRestock = "STOCK_RESTOCK",
    /// Stock adjustment and stocktake (assistant: request only).
    StockAdjust = "STOCK_ADJUST",
    /// Promotions, coupons, events.
    PromoView = "PROMO_VIEW",
    /// Create, edit, submit promotion and coupon drafts.
    PromoEdit = "PROMO_EDIT",
    /// Approve a promotion (specialist up to the store's depth and coupon-value limits).
    PromoApprove = "PROMO_APPROVE",
    /// Pause, resume, end early, cancel; issue coupons to members.
    PromoControl = "PROMO_CONTROL",
    /// Cancel a coupon template with claimed coupons.
    PromoCancelIssued = "PROMO_CANCEL_ISSUED",
    /// 双11 / 618 sign-up and event prices.
    EventRegister = "EVENT_REGISTER",
    /// Internal approval of an event plan and prices.
    EventApprove = "EVENT_APPROVE",
    /// Campaigns, spend, ROI.
    CampaignView = "CAMPAIGN_VIEW",
    /// Create, edit, submit, pause campaigns within the approved budget.
    CampaignEdit = "CAMPAIGN_EDIT",
    /// Approve a campaign budget or a raise (specialist ≤ store limit per month).
    CampaignBudgetApprove = "CAMPAIGN_BUDGET_APPROVE",
    /// Record daily performance and spend.
    CampaignSpendRecord = "CAMPAIGN_SPEND_RECORD",
    /// KOL records, samples, contracts (assistant: view only, fees masked).
    KolManage = "KOL_MANAGE",
    /// Members, tiers, points, segments.
    MemberView = "MEMBER_VIEW",
    /// Full phone, name, address of members (others see them masked).
    MemberPiiView = "MEMBER_PII_VIEW",
    /// Member tags, notes, nickname (assistant: tags and notes).
    MemberEdit = "MEMBER_EDIT",
    /// Manual points adjustment (specialist ≤ store limit).
    PointsAdjust = "POINTS_ADJUST",
    /// Tier thresholds and discounts, manual tier.
    TierConfig = "TIER_CONFIG",
    /// Orders and lines (assistant: buyer fields masked).
    OrderView = "ORDER_VIEW",
    /// Import orders.
    OrderImport = "ORDER_IMPORT",
    /// Agree to / confirm a refund (specialist and assistant up to store limits).
    RefundApprove = "REFUND_APPROVE",
    /// Refuse a refund.
    RefundRefuse = "REFUND_REFUSE",
    /// Complaints and platform disputes.
    ComplaintHandle = "COMPLAINT_HANDLE",
    /// Reply to reviews.
    ReviewReply = "REVIEW_REPLY",
    /// CS records and tickets (assistant: own and assigned).
    CsRecordEdit = "CS_RECORD_EDIT",
    /// Per-agent CS metrics and rankings (assistant: own figures).
    CsMetricsView = "CS_METRICS_VIEW",
    /// Shop KPIs.
    KpiView = "KPI_VIEW",
    /// Gross profit, net margin after ads and discounts, 保本ROI.
    ProfitView = "PROFIT_VIEW",
    /// CSV / Excel exports (specialist: PII masked).
    DataExport = "DATA_EXPORT",
    /// Allow-list phrases for the compliance check.
    ComplianceAllowlist = "COMPLIANCE_ALLOWLIST",
}

/// An authenticated staff member, as loaded from the database on this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// Assigned store ids (empty for directors, who see every store).
    pub stores: Vec<i64>,
    pub must_change_password: bool,
}

/// Who is making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// No credentials were presented.
    Anonymous,
    /// Credentials were presented but are not valid; never treated as anonymous.
    Invalid,
    Staff(Staff),
}

/// Which stores a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreScope {
    All,
    Only(Vec<i64>),
}

impl StoreScope {
    pub fn contains(&self, store_id: i64) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(&store_id),
        }
    }
}

/// Id of the system actor (command-line imports); never a row of `staff`.
pub const SYSTEM_ACTOR_ID: i64 = 0;

impl Staff {
    /// The system acting with a director's powers (command line), audited without a person.
    pub fn system() -> Self {
        Self {
            id: SYSTEM_ACTOR_ID,
            username: "system".into(),
            role: Role::Director,
            stores: Vec::new(),
            must_change_password: false,
        }
    }

    /// The id to record as actor: `None` for the system.
    pub fn actor_id(&self) -> Option<i64> {
        (self.id != SYSTEM_ACTOR_ID).then_some(self.id)
    }

    pub fn scope(&self) -> StoreScope {
        match self.role {
            Role::Director => StoreScope::All,
            _ => StoreScope::Only(self.stores.clone()),
        }
    }

    pub fn sees_store(&self, store_id: i64) -> bool {
        self.role == Role::Director || self.stores.contains(&store_id)
    }

    pub fn access(&self, permission: Permission) -> Access {
        matrix::access(self.role, permission)
    }

    /// The authoritative check. With a store, a store outside the viewer's scope is NOT_FOUND
    /// (its existence is not revealed); a missing permission is FORBIDDEN. Returns the cell so
    /// the caller can enforce a `Limited` cell's limit.
    pub fn require(
        &self,
        permission: Permission,
        store_id: Option<i64>,
    ) -> Result<Access, AppError> {
        if let Some(store) = store_id
            && !self.sees_store(store)
        {
            return Err(AppError::not_found("store"));
        }
        match self.access(permission) {
            a @ (Access::Full | Access::Limited) => Ok(a),
            _ => Err(AppError::forbidden(permission)),
        }
    }

    /// For field masking: whether the viewer holds `permission` outright or within limits in
    /// `store`. `StoreGrant` cells need the store's flag, passed by the caller.
    pub fn can(&self, permission: Permission, store_id: i64, store_grants: bool) -> bool {
        self.can_regardless_of_store(permission, store_id)
            .unwrap_or(store_grants)
    }

    /// [`Staff::can`] when the answer does not depend on the store's flag; `None` when it does
    /// (a `StoreGrant` cell in a store the viewer sees), so callers load the store only then.
    pub fn can_regardless_of_store(&self, permission: Permission, store_id: i64) -> Option<bool> {
        if !self.sees_store(store_id) {
            return Some(false);
        }
        match self.access(permission) {
            Access::Full | Access::Limited => Some(true),
            Access::StoreGrant => None,
            _ => Some(false),
        }
    }
}

impl Viewer {
    /// The staff member, refusing anonymous and invalid viewers and accounts that must change
    /// their password first.
    pub fn staff(&self) -> Result<&Staff, AppError> {
        let staff = self.staff_pending_password()?;
        if staff.must_change_password {
            return Err(AppError::Forbidden(ForbiddenReason::PasswordChangeRequired));
        }
        Ok(staff)
    }

    /// The staff member even if a password change is pending (viewer, passwordChange, logout).
    pub fn staff_pending_password(&self) -> Result<&Staff, AppError> {
        match self {
            Self::Staff(s) => Ok(s),
            Self::Anonymous => Err(AppError::Unauthenticated("authentication required")),
            Self::Invalid => Err(AppError::Unauthenticated(
                "the access token is invalid or expired",
            )),
        }
    }
}
