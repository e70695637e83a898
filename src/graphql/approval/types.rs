use super::*;

/// What an approval request asks for.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "Kind")]
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

/// State of an approval request. A pending request expires after the store's
/// `approvalExpiryDays` (default 7).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "Status")]
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
    async fn kind(&self) -> async_graphql::Result<Option<ApprovalRequestKind>> {
        queue::stored_kind(&self.0).map(|k| Some(k.into())).gql()
    }
    /// Current state (a pending request past its expiry reads EXPIRED).
    async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<ApprovalRequestStatus> {
        queue::effective_status(&self.0, svc(ctx)?.now())
            .map(Into::into)
            .gql()
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
    /// The action as requested, one type per kind.
    async fn payload(&self) -> async_graphql::Result<ApprovalRequestAction> {
        queue::Payload::of(&self.0).map(Into::into).gql()
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

/// A list-price change waiting for approval.
#[derive(SimpleObject)]
pub struct PriceChangeAction {
    /// The price asked for.
    pub new_price: Money,
    /// The list price when it was asked for.
    pub old_price: Money,
    /// The requester's reason, recorded in the price history.
    pub reason: String,
    /// The limits the change breaks, as the requester was told (a bound the requester may not
    /// see is named only as "one of the store's price limits").
    pub breaches: Vec<String>,
}

/// What a stock request does.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum StockRequestChange {
    /// 盘点: on hand becomes the counted quantity.
    Stocktake,
    /// A signed correction of on hand.
    Adjust,
}

/// A stock adjustment or stocktake waiting for approval.
#[derive(SimpleObject)]
pub struct StockAdjustAction {
    /// Stocktake or adjustment.
    pub change: StockRequestChange,
    /// The counted quantity (stocktake) or the signed correction (adjustment).
    pub quantity: i64,
    /// The requester's reference (e.g. a count sheet number).
    pub reference: Option<String>,
}

/// A points adjustment beyond the store's limit, waiting for a director.
#[derive(SimpleObject)]
pub struct PointsAdjustAction {
    /// Signed points to add (negative: deduct).
    pub amount: i64,
}

/// A product waiting for review before it may be listed.
#[derive(SimpleObject)]
pub struct ProductReviewAction {
    /// The product's title when it was submitted.
    pub title: String,
}

/// A promotion version waiting for approval.
#[derive(SimpleObject)]
pub struct PromotionReviewAction {
    /// The version submitted.
    pub version: i32,
    /// The promotion's kind (stored name, e.g. `ITEM_DISCOUNT`).
    pub kind: String,
    /// Effective discount depth in basis points (100 bp = 1%).
    pub depth_bp: i32,
    /// The specialist limits this version goes beyond; non-empty means only a director may
    /// approve it.
    pub beyond_specialist_limits: Vec<String>,
}

/// The action an approval request asks for, one type per kind.
#[derive(Union)]
pub enum ApprovalRequestAction {
    PriceChange(PriceChangeAction),
    StockAdjust(StockAdjustAction),
    PointsAdjust(PointsAdjustAction),
    ProductReview(ProductReviewAction),
    PromotionReview(PromotionReviewAction),
}

impl From<queue::Payload> for ApprovalRequestAction {
    fn from(p: queue::Payload) -> Self {
        use queue::Payload as P;
        match p {
            P::PriceChange(p) => Self::PriceChange(PriceChangeAction {
                new_price: p.new_price_fen.into(),
                old_price: p.old_price_fen.into(),
                reason: p.reason,
                breaches: p.breaches,
            }),
            P::StockAdjust(p) => Self::StockAdjust(StockAdjustAction {
                change: match p.change {
                    queue::StockChange::Stocktake => StockRequestChange::Stocktake,
                    queue::StockChange::Adjust => StockRequestChange::Adjust,
                },
                quantity: p.quantity,
                reference: p.reference,
            }),
            P::PointsAdjust(p) => Self::PointsAdjust(PointsAdjustAction { amount: p.amount }),
            P::ProductReview(p) => Self::ProductReview(ProductReviewAction { title: p.title }),
            P::PromotionReview(p) => Self::PromotionReview(PromotionReviewAction {
                version: p.version,
                kind: p.kind,
                depth_bp: p.depth_bp,
                beyond_specialist_limits: p.beyond_specialist_limits,
            }),
        }
    }
}
