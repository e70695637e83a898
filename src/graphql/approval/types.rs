use super::*;

/// What an approval request asks for.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalRequestKind {
    /// A product submitted for review (PENDING_REVIEW): approving lists it, rejecting sends it
    /// back to DRAFT with the note as reason.
    ProductReview,
    /// A SKU price change beyond the requester's limits.
    PriceChange,
    /// A stock adjustment or stocktake requested by an assistant.
    StockAdjust,
    /// A refund beyond the requester's limit.
    Refund,
    /// A points adjustment beyond the requester's limit.
    PointsAdjust,
    /// A campaign budget or raise beyond the requester's limit.
    CampaignBudget,
    /// A promotion or coupon template (or a new version of one) submitted for approval:
    /// approving schedules it, rejecting sends it back to DRAFT (a new version is dropped).
    PromotionReview,
}

impl From<Kind> for ApprovalRequestKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::ProductReview => Self::ProductReview,
            Kind::PriceChange => Self::PriceChange,
            Kind::StockAdjust => Self::StockAdjust,
            Kind::Refund => Self::Refund,
            Kind::PointsAdjust => Self::PointsAdjust,
            Kind::CampaignBudget => Self::CampaignBudget,
            Kind::PromotionReview => Self::PromotionReview,
        }
    }
}

impl From<ApprovalRequestKind> for Kind {
    fn from(k: ApprovalRequestKind) -> Self {
        match k {
            ApprovalRequestKind::ProductReview => Self::ProductReview,
            ApprovalRequestKind::PriceChange => Self::PriceChange,
            ApprovalRequestKind::StockAdjust => Self::StockAdjust,
            ApprovalRequestKind::Refund => Self::Refund,
            ApprovalRequestKind::PointsAdjust => Self::PointsAdjust,
            ApprovalRequestKind::CampaignBudget => Self::CampaignBudget,
            ApprovalRequestKind::PromotionReview => Self::PromotionReview,
        }
    }
}

/// State of an approval request. A pending request expires after the store's
/// `approvalExpiryDays` (default 7).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalRequestStatus {
    /// Waiting for a resolver.
    Pending,
    /// Approved: the action was applied.
    Approved,
    /// Rejected with a note: nothing was applied.
    Rejected,
    /// Not resolved in time: nothing was applied.
    Expired,
    /// Withdrawn by the requester.
    Cancelled,
}

impl From<Status> for ApprovalRequestStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Pending => Self::Pending,
            Status::Approved => Self::Approved,
            Status::Rejected => Self::Rejected,
            Status::Expired => Self::Expired,
            Status::Cancelled => Self::Cancelled,
        }
    }
}

impl From<ApprovalRequestStatus> for Status {
    fn from(s: ApprovalRequestStatus) -> Self {
        match s {
            ApprovalRequestStatus::Pending => Self::Pending,
            ApprovalRequestStatus::Approved => Self::Approved,
            ApprovalRequestStatus::Rejected => Self::Rejected,
            ApprovalRequestStatus::Expired => Self::Expired,
            ApprovalRequestStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// An action beyond its requester's limit, waiting for a resolver: a director
/// of the store, or a specialist when the request lies within a specialist's limits — never the
/// requester.
#[derive(Clone)]
pub struct ApprovalRequest(pub approval_request::Model);

/// An action beyond its requester's limit, waiting for a resolver: a director
/// of the store, or a specialist when the request lies within a specialist's limits — never the
/// requester.
#[Object]
impl ApprovalRequest {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::ApprovalRequest, self.0.id).encode())
    }
    /// What it asks for.
    async fn kind(&self) -> Option<ApprovalRequestKind> {
        Kind::parse(&self.0.kind).map(Into::into)
    }
    /// Current state (a pending request past its expiry reads EXPIRED).
    async fn status(&self) -> ApprovalRequestStatus {
        approval::effective_status(&self.0).into()
    }
    /// Global ID of the object the action applies to (e.g. the SKU).
    async fn subject_id(&self) -> Option<ID> {
        let t = match self.0.subject_type.as_str() {
            "Sku" => NodeType::Sku,
            "Product" => NodeType::Product,
            "Member" => NodeType::Member,
            "Promotion" => NodeType::Promotion,
            _ => return None,
        };
        Some(ID(GlobalId::new(t, self.0.subject_id).encode()))
    }
    /// The action's parameters as requested (JSON), e.g. `{"newPriceFen": 15900, …}` and the
    /// limits it breaks.
    async fn payload(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.payload_json).unwrap_or_default())
    }
    /// The requester's reason.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// Lowest role that may resolve it.
    async fn approver_role(&self) -> Option<crate::auth::Role> {
        crate::auth::Role::parse(&self.0.approver_role)
    }
    /// The store.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        store_by_id(ctx, self.0.store_id).await
    }
    /// Who asked.
    async fn requested_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, Some(self.0.requested_by)).await
    }
    /// When.
    async fn requested_at(&self) -> DateTime {
        self.0.requested_at.into()
    }
    /// When a pending request expires.
    async fn expires_at(&self) -> DateTime {
        self.0.expires_at.into()
    }
    /// Who resolved (approved, rejected) or cancelled it.
    async fn resolved_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.resolved_by).await
    }
    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime> {
        self.0.resolved_at.map(Into::into)
    }
    /// The resolver's note (required for rejections).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

impl From<approval_request::Model> for ApprovalRequest {
    fn from(m: approval_request::Model) -> Self {
        Self(m)
    }
}

crate::graphql::kernel::relay::connection!(
    ApprovalRequestConnection,
    ApprovalRequestEdge,
    ApprovalRequest,
    entity::approval_request::Entity,
    "approval requests"
);
