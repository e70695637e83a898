//! Prices, floor prices, costs, price history and the approval-request queue in GraphQL.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use entity::{approval_request, price_change};

use super::catalog::Sku;
use super::mutation::split;
use super::scalars::{DateTime, Money};
use super::types::{StaffMember, Store, UserErrorObject, staff_member, store_by_id};
use super::{decode_id, decode_opt_id, loaders, svc};
use crate::domain::{GlobalId, NodeType};
use crate::error::{AppError, GqlResultExt};
use crate::service::approval::{self, Kind, Status};
use crate::service::kernel::page::Window;
use crate::service::pricing;

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

/// One change of a SKU's list price (price history).
#[derive(Clone)]
pub struct PriceChange(pub price_change::Model);

/// One change of a SKU's list price (price history).
#[Object]
impl PriceChange {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::PriceChange, self.0.id).encode())
    }
    /// Price before.
    async fn old_price(&self) -> Money {
        self.0.old_price_fen.into()
    }
    /// Price after.
    async fn new_price(&self) -> Money {
        self.0.new_price_fen.into()
    }
    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Who changed it (the requester, when it went through approval).
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.changed_by).await
    }
    /// Who approved it, when it needed approval.
    async fn approved_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.approved_by).await
    }
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        let l = ctx.data::<loaders::Loaders>()?;
        Ok(l.skus
            .load_one(self.0.sku_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Sku))
    }
    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

impl From<approval_request::Model> for ApprovalRequest {
    fn from(m: approval_request::Model) -> Self {
        Self(m)
    }
}
impl From<price_change::Model> for PriceChange {
    fn from(m: price_change::Model) -> Self {
        Self(m)
    }
}

super::pagination::connection!(
    ApprovalRequestConnection,
    ApprovalRequestEdge,
    ApprovalRequest,
    entity::approval_request::Entity,
    "approval requests"
);
super::pagination::connection!(
    PriceChangeConnection,
    PriceChangeEdge,
    PriceChange,
    entity::price_change::Entity,
    "price changes"
);

/// Filters of `approvalRequests`.
#[derive(InputObject, Default)]
pub struct ApprovalRequestFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only this state.
    pub status: Option<ApprovalRequestStatus>,
    /// Only this kind.
    pub kind: Option<ApprovalRequestKind>,
    /// Only requests the viewer may resolve.
    #[graphql(default)]
    pub resolvable_by_me: bool,
}

#[derive(Default)]
pub struct PricingQuery;

/// Price history and approval reads.
#[Object]
impl PricingQuery {
    /// The approval queue of the viewer's stores, newest first.
    async fn approval_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<ApprovalRequestFilter>,
    ) -> async_graphql::Result<ApprovalRequestConnection> {
        let f = filter.unwrap_or_default();
        let filter = approval::Filter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            status: f.status.map(Into::into),
            kind: f.kind.map(Into::into),
            resolvable_by_me: f.resolvable_by_me,
        };
        approval::list(
            svc(ctx)?,
            filter,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
        )
        .await
        .map(ApprovalRequestConnection)
        .gql()
    }

    /// Price changes of a SKU or a store, newest first.
    async fn price_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this SKU.")] sku_id: Option<ID>,
        #[graphql(desc = "Only this store.")] store_id: Option<ID>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
    ) -> async_graphql::Result<PriceChangeConnection> {
        let sku = decode_opt_id(&sku_id, NodeType::Sku, "skuId")?;
        let store = decode_opt_id(&store_id, NodeType::Store, "storeId")?;
        pricing::history(
            svc(ctx)?,
            sku,
            store,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
        )
        .await
        .map(PriceChangeConnection)
        .gql()
    }
}

/// Input of `skuPriceChange`.
#[derive(InputObject)]
pub struct SkuPriceChangeInput {
    /// The SKU.
    pub sku_id: ID,
    /// New list price.
    pub price: Money,
    /// Why (kept in the price history).
    pub reason: String,
    /// Beyond the caller's limits: file an approval request instead of being refused with
    /// APPROVAL_REQUIRED.
    #[graphql(default)]
    pub request_approval: bool,
}

/// Result of `skuPriceChange`.
#[derive(SimpleObject)]
pub struct SkuPriceChangePayload {
    /// The SKU after the change; null when refused or filed for approval.
    pub sku: Option<Sku>,
    /// The price-history entry written.
    pub price_change: Option<PriceChange>,
    /// The approval request filed instead.
    pub approval_request: Option<ApprovalRequest>,
    /// Why the change was refused (e.g. APPROVAL_REQUIRED naming the limit and the value).
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of `skuUpdate`; omitted fields are unchanged.
#[derive(InputObject)]
pub struct SkuUpdateInput {
    /// The SKU.
    pub id: ID,
    /// Unit cost (COST_EDIT: directors).
    pub cost: Option<Money>,
    /// Floor price, 破价线 (PRICE_FLOOR_SET: directors).
    pub floor_price: Option<Money>,
    /// Remove the floor price (PRICE_FLOOR_SET).
    #[graphql(default)]
    pub clear_floor_price: bool,
    /// Low-stock threshold (PRODUCT_EDIT_DRAFT).
    pub low_stock_threshold: Option<i32>,
    /// Sell the SKU or not (PRODUCT_EDIT_DRAFT).
    pub active: Option<bool>,
}

/// Result of `skuUpdate`.
#[derive(SimpleObject)]
pub struct SkuPayload {
    /// The SKU as saved; null when refused.
    pub sku: Option<Sku>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of the approval-request mutations.
#[derive(InputObject)]
pub struct ApprovalRequestResolveInput {
    /// The request.
    pub id: ID,
    /// Note (required to reject).
    pub note: Option<String>,
}

/// Result of the approval-request mutations.
#[derive(SimpleObject)]
pub struct ApprovalRequestPayload {
    /// The request after the change; null when refused.
    pub approval_request: Option<ApprovalRequest>,
    /// Why it was refused (if approving fails a re-run check, the request stays PENDING).
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(Default)]
pub struct PricingMutation;

fn request_payload(
    res: Result<approval_request::Model, AppError>,
) -> async_graphql::Result<ApprovalRequestPayload> {
    let (r, user_errors) = split(res)?;
    Ok(ApprovalRequestPayload {
        approval_request: r.map(ApprovalRequest),
        user_errors,
    })
}

/// Price and approval changes.
#[Object]
impl PricingMutation {
    /// Changes a SKU's list price with a reason, recorded in the price history. Directors: any
    /// price. Specialists: a cut of at most the store's limit per change (default 20%), not
    /// below 60% of the 30-day high, the floor price, cost or the minimum-margin price.
    /// Assistants: request only. Beyond a limit: APPROVAL_REQUIRED, or an approval request with
    /// `requestApproval: true`.
    async fn sku_price_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SkuPriceChangeInput,
    ) -> async_graphql::Result<SkuPriceChangePayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.sku_id, NodeType::Sku, "input.skuId") {
            Ok(id) => {
                pricing::change_price(
                    svc,
                    pricing::PriceChangeInput {
                        sku_id: id,
                        new_price_fen: input.price.0.0,
                        reason: input.reason,
                        request_approval: input.request_approval,
                    },
                )
                .await
            }
            Err(e) => Err(e),
        };
        let (v, user_errors) = split(res)?;
        Ok(match v {
            Some(pricing::PriceOutcome::Changed(s, c)) => SkuPriceChangePayload {
                sku: Some(Sku(s)),
                price_change: Some(PriceChange(c)),
                approval_request: None,
                user_errors,
            },
            Some(pricing::PriceOutcome::Requested(r)) => SkuPriceChangePayload {
                sku: None,
                price_change: None,
                approval_request: Some(ApprovalRequest(r)),
                user_errors,
            },
            None => SkuPriceChangePayload {
                sku: None,
                price_change: None,
                approval_request: None,
                user_errors,
            },
        })
    }

    /// Sets a SKU's cost (COST_EDIT), floor price (PRICE_FLOOR_SET), low-stock threshold or
    /// active flag.
    async fn sku_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SkuUpdateInput,
    ) -> async_graphql::Result<SkuPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::Sku, "input.id") {
            Ok(id) => {
                let floor = if input.clear_floor_price {
                    Some(None)
                } else {
                    input.floor_price.map(|f| Some(f.0.0))
                };
                let cmd = pricing::SkuUpdate {
                    cost_fen: input.cost.map(|c| c.0.0),
                    floor_price_fen: floor,
                    low_stock_threshold: input.low_stock_threshold,
                    active: input.active,
                };
                pricing::sku_update(svc, id, cmd).await
            }
            Err(e) => Err(e),
        };
        let (s, user_errors) = split(res)?;
        Ok(SkuPayload {
            sku: s.map(Sku),
            user_errors,
        })
    }

    /// Approves a pending request and applies its action in one transaction, recording
    /// requester and approver. Checks are re-run (except the limit that caused the request);
    /// if one fails nothing is applied and the request stays PENDING.
    async fn approval_request_approve(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ApprovalRequestResolveInput,
    ) -> async_graphql::Result<ApprovalRequestPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::ApprovalRequest, "input.id") {
            Ok(id) => approval::approve(svc, id, input.note.as_deref()).await,
            Err(e) => Err(e),
        };
        request_payload(res)
    }

    /// Rejects a pending request with a note; nothing is applied.
    async fn approval_request_reject(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ApprovalRequestResolveInput,
    ) -> async_graphql::Result<ApprovalRequestPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::ApprovalRequest, "input.id") {
            Ok(id) => approval::reject(svc, id, input.note.as_deref()).await,
            Err(e) => Err(e),
        };
        request_payload(res)
    }

    /// Withdraws one's own pending request.
    async fn approval_request_cancel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ApprovalRequestResolveInput,
    ) -> async_graphql::Result<ApprovalRequestPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::ApprovalRequest, "input.id") {
            Ok(id) => approval::cancel(svc, id).await,
            Err(e) => Err(e),
        };
        request_payload(res)
    }
}
