//! The approval-request queue: actions beyond the actor's limit wait here for
//! a resolver. Approving re-runs the action's checks (except the limit that caused the request)
//! and applies it in one transaction, recording requester and approver.

use chrono::Duration;
use entity::{approval_request, sku};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use serde_json::{Value, json};

use crate::auth::{Role, Staff, StoreScope};
use crate::db;
use crate::domain::text;
use crate::error::{AppError, ErrorCode};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::{ServiceCtx, inventory, kernel::audit, now, pricing};

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A product in PENDING_REVIEW (resolved by approving or sending back the product).
    ProductReview,
    PriceChange,
    StockAdjust,
    Refund,
    PointsAdjust,
    CampaignBudget,
    /// A promotion (or a new version of one) in PENDING_APPROVAL, resolved by approving or
    /// rejecting the promotion.
    PromotionReview,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProductReview => "PRODUCT_REVIEW",
            Self::PriceChange => "PRICE_CHANGE",
            Self::StockAdjust => "STOCK_ADJUST",
            Self::Refund => "REFUND",
            Self::PointsAdjust => "POINTS_ADJUST",
            Self::CampaignBudget => "CAMPAIGN_BUDGET",
            Self::PromotionReview => "PROMOTION_REVIEW",
        }
    }
    pub const ALL: [Kind; 7] = [
        Self::ProductReview,
        Self::PromotionReview,
        Self::PriceChange,
        Self::StockAdjust,
        Self::Refund,
        Self::PointsAdjust,
        Self::CampaignBudget,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// States of a request. A PENDING request past its expiry reads as EXPIRED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved,
    Rejected,
    Expired,
    Cancelled,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Expired => "EXPIRED",
            Self::Cancelled => "CANCELLED",
        }
    }
}

/// The effective status of a request now.
pub fn effective_status(r: &approval_request::Model) -> Status {
    match r.status.as_str() {
        "APPROVED" => Status::Approved,
        "REJECTED" => Status::Rejected,
        "CANCELLED" => Status::Cancelled,
        "EXPIRED" => Status::Expired,
        _ if r.expires_at <= now() => Status::Expired,
        _ => Status::Pending,
    }
}

/// A request to file.
pub struct NewRequest {
    pub store_id: i64,
    pub kind: Kind,
    pub subject_type: &'static str,
    pub subject_id: i64,
    pub payload: Value,
    pub reason: Option<String>,
    /// Lowest role that may resolve it.
    pub approver_role: Role,
}

/// Files a request on the caller's transaction (with its audit row).
pub async fn file(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    req: NewRequest,
) -> Result<approval_request::Model, AppError> {
    let store = crate::service::store::load(txn, req.store_id).await?;
    let at = now();
    let model = approval_request::ActiveModel {
        store_id: Set(req.store_id),
        kind: Set(req.kind.as_str().to_owned()),
        subject_type: Set(req.subject_type.to_owned()),
        subject_id: Set(req.subject_id),
        payload_json: Set(req.payload.to_string()),
        reason: Set(req.reason),
        status: Set(Status::Pending.as_str().to_owned()),
        approver_role: Set(req.approver_role.as_str().to_owned()),
        requested_by: Set(staff.id),
        requested_at: Set(at),
        // An object's own pending state does not expire; action requests do.
        expires_at: Set(
            if matches!(req.kind, Kind::ProductReview | Kind::PromotionReview) {
                at + Duration::days(3650)
            } else {
                at + Duration::days(i64::from(store.approval_expiry_days))
            },
        ),
        resolved_by: Set(None),
        resolved_at: Set(None),
        note: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record_as(txn, ctx, staff, audit::Entry {
        action: "approval.request", target_type: "ApprovalRequest", target_id: Some(model.id), store_id: Some(model.store_id),
        after: Some(json!({ "kind": model.kind, "subjectType": model.subject_type, "subjectId": model.subject_id, "payload": req.payload, "approverRole": model.approver_role })),
        ..Default::default()
    }).await?;
    Ok(model)
}

/// A stored payload that cannot be read is an internal error naming the request, never a
/// default (a missing price must not become ¥0).
fn unreadable(r: &approval_request::Model, what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!(
        "approval request {} ({}): unreadable payload: {what}",
        r.id,
        r.kind
    ))
}

fn stored_payload(r: &approval_request::Model) -> Result<Value, AppError> {
    serde_json::from_str(&r.payload_json).map_err(|e| unreadable(r, &e.to_string()))
}

fn payload_int(r: &approval_request::Model, payload: &Value, key: &str) -> Result<i64, AppError> {
    payload[key]
        .as_i64()
        .ok_or_else(|| unreadable(r, &format!("no integer `{key}`")))
}

fn payload_str<'a>(
    r: &approval_request::Model,
    payload: &'a Value,
    key: &str,
) -> Result<&'a str, AppError> {
    payload[key]
        .as_str()
        .ok_or_else(|| unreadable(r, &format!("no text `{key}`")))
}

async fn pending_for_update(
    txn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
) -> Result<approval_request::Model, AppError> {
    use sea_orm::QuerySelect;
    let r = approval_request::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .filter(|r| staff.sees_store(r.store_id))
        .ok_or(AppError::not_found("approval request"))?;
    match effective_status(&r) {
        Status::Pending => Ok(r),
        s => Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::InvalidStateTransition,
            format!("the request is {}, not pending", s.as_str()),
        )),
    }
}

/// Whether `staff` may resolve `r`: a director of the store, or a specialist of the store when
/// the request lies within a specialist's limits; never the requester.
fn check_resolver(staff: &Staff, r: &approval_request::Model) -> Result<(), AppError> {
    // Four-eyes: nobody but a director resolves their own request (audited as self-approved).
    if r.requested_by == staff.id && staff.role != Role::Director {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::FourEyes,
            "you cannot resolve your own request",
        ));
    }
    let allowed = match staff.role {
        Role::Director => true,
        Role::Specialist => r.approver_role == Role::Specialist.as_str(),
        Role::Assistant => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(crate::error::ForbiddenReason::Other(
            "this request needs a resolver of a higher level",
        )))
    }
}

fn note(n: Option<&str>, required: bool) -> Result<Option<String>, AppError> {
    match n {
        Some(t) if !t.trim().is_empty() => Ok(Some(
            text::required(t, &["input", "note"], "note", 400)
                .map_err(|e| AppError::Invalid(vec![e]))?,
        )),
        _ if required => Err(AppError::invalid(
            &["input", "note"],
            ErrorCode::Blank,
            "a rejection needs a note",
        )),
        _ => Ok(None),
    }
}

/// `approvalRequestApprove`: applies the original action. If a check now fails nothing is
/// applied, the userErrors are returned and the request stays PENDING.
pub async fn approve(
    ctx: &ServiceCtx,
    id: i64,
    note_in: Option<&str>,
) -> Result<approval_request::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let note = note(note_in, false)?;
    let txn = db::begin_write(&ctx.db).await?;
    let r = pending_for_update(&txn, staff, id).await?;
    check_resolver(staff, &r)?;
    if Kind::parse(&r.kind) == Some(Kind::ProductReview) {
        // The product's own transition applies it (and closes this request).
        txn.rollback().await?;
        crate::service::catalog::product_transition(
            ctx,
            r.subject_id,
            crate::service::catalog::Transition::Approve { list_now: true },
        )
        .await?;
        return get(ctx, id).await;
    }
    if Kind::parse(&r.kind) == Some(Kind::PromotionReview) {
        txn.rollback().await?;
        crate::service::promotion::approve(ctx, r.subject_id).await?;
        return get(ctx, id).await;
    }
    let payload = stored_payload(&r)?;
    let applied = match Kind::parse(&r.kind) {
        Some(Kind::PriceChange) => {
            let sku = sku::Entity::find_by_id(r.subject_id)
                .one(&txn)
                .await?
                .ok_or(AppError::not_found("SKU"))?;
            let new_price = payload_int(&r, &payload, "newPriceFen")?;
            let reason = payload_str(&r, &payload, "reason")?.to_owned();
            let change = pricing::apply_price(
                &txn,
                &sku,
                new_price,
                reason,
                Some(r.requested_by),
                Some(staff.id),
                Some(r.id),
            )
            .await?;
            json!({ "skuId": sku.id, "oldPriceFen": change.old_price_fen, "newPriceFen": change.new_price_fen })
        }
        Some(Kind::StockAdjust) => {
            let sku = sku::Entity::find_by_id(r.subject_id)
                .one(&txn)
                .await?
                .ok_or(AppError::not_found("SKU"))?;
            let q = payload_int(&r, &payload, "quantity")?;
            let change = match payload_str(&r, &payload, "change")? {
                "STOCKTAKE" => inventory::Change::Stocktake(q),
                "ADJUST" => inventory::Change::Adjust(q),
                other => return Err(unreadable(&r, &format!("unknown change {other:?}"))),
            };
            let reference = payload["reference"].as_str().map(str::to_owned);
            let (after, movement) = inventory::apply_change(
                &txn,
                &sku,
                &change,
                r.reason.clone(),
                reference,
                Some(r.requested_by),
            )
            .await?;
            json!({ "skuId": after.id, "movement": movement.kind, "quantity": movement.quantity, "onHand": after.on_hand })
        }
        Some(Kind::PointsAdjust) => {
            let m = entity::member::Entity::find_by_id(r.subject_id)
                .one(&txn)
                .await?
                .ok_or(AppError::not_found("member"))?;
            let amount = payload_int(&r, &payload, "amount")?;
            let (after, _) = crate::service::member::apply_adjust(
                &txn,
                &m,
                amount,
                r.reason.clone().unwrap_or_default(),
                Some(r.requested_by),
            )
            .await?;
            json!({ "memberId": after.id, "amount": amount, "points": after.points_balance })
        }
        _ => {
            return Err(AppError::invalid(
                &["input", "id"],
                ErrorCode::Invalid,
                "this kind of request cannot be applied yet",
            ));
        }
    };
    let resolved = resolve(&txn, r, Status::Approved, staff.id, note).await?;
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "approval.approve", target_type: "ApprovalRequest", target_id: Some(resolved.id), store_id: Some(resolved.store_id),
        after: Some(json!({ "kind": resolved.kind, "requestedBy": resolved.requested_by, "approvedBy": staff.id, "applied": applied })),
        self_approved: resolved.requested_by == staff.id,
        ..Default::default()
    }).await?;
    txn.commit().await?;
    Ok(resolved)
}

async fn resolve(
    txn: &impl ConnectionTrait,
    r: approval_request::Model,
    status: Status,
    by: i64,
    note: Option<String>,
) -> Result<approval_request::Model, AppError> {
    let mut m: approval_request::ActiveModel = r.into();
    m.status = Set(status.as_str().to_owned());
    m.resolved_by = Set(Some(by));
    m.resolved_at = Set(Some(now()));
    m.note = Set(note);
    Ok(m.update(txn).await?)
}

/// Marks pending requests past their expiry as EXPIRED (run by the scheduler; reads already
/// derive it). Returns how many.
pub async fn expire_due(db: &sea_orm::DatabaseConnection) -> Result<u64, AppError> {
    use sea_orm::sea_query::Expr;
    let txn = db::begin_write(db).await?;
    let res = approval_request::Entity::update_many()
        .col_expr(
            approval_request::Column::Status,
            Expr::value(Status::Expired.as_str()),
        )
        .col_expr(approval_request::Column::ResolvedAt, Expr::value(now()))
        .filter(approval_request::Column::Status.eq(Status::Pending.as_str()))
        .filter(approval_request::Column::ExpiresAt.lte(now()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(res.rows_affected)
}

/// Closes the pending review request of a product (approved, or rejected = sent back).
pub async fn close_product_review(
    txn: &impl ConnectionTrait,
    product_id: i64,
    approved: bool,
    by: i64,
    note: Option<String>,
) -> Result<(), AppError> {
    let status = if approved {
        Status::Approved
    } else {
        Status::Rejected
    };
    close_subject(txn, Kind::ProductReview, product_id, status, by, note).await
}

/// Closes the pending request of kind `kind` about `subject_id` (an object's own review).
pub async fn close_subject(
    txn: &impl ConnectionTrait,
    kind: Kind,
    subject_id: i64,
    status: Status,
    by: i64,
    note: Option<String>,
) -> Result<(), AppError> {
    use sea_orm::sea_query::Expr;
    approval_request::Entity::update_many()
        .col_expr(
            approval_request::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(approval_request::Column::ResolvedBy, Expr::value(by))
        .col_expr(approval_request::Column::ResolvedAt, Expr::value(now()))
        .col_expr(approval_request::Column::Note, Expr::value(note))
        .filter(approval_request::Column::Kind.eq(kind.as_str()))
        .filter(approval_request::Column::SubjectId.eq(subject_id))
        .filter(approval_request::Column::Status.eq(Status::Pending.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// `approvalRequestReject`: with a note; nothing is applied.
pub async fn reject(
    ctx: &ServiceCtx,
    id: i64,
    note_in: Option<&str>,
) -> Result<approval_request::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let note = note(note_in, true)?;
    let txn = db::begin_write(&ctx.db).await?;
    let r = pending_for_update(&txn, staff, id).await?;
    check_resolver(staff, &r)?;
    if Kind::parse(&r.kind) == Some(Kind::ProductReview) {
        txn.rollback().await?;
        let reason = note.unwrap_or_default();
        crate::service::catalog::product_transition(
            ctx,
            r.subject_id,
            crate::service::catalog::Transition::SendBack { reason },
        )
        .await?;
        return get(ctx, id).await;
    }
    if Kind::parse(&r.kind) == Some(Kind::PromotionReview) {
        txn.rollback().await?;
        crate::service::promotion::reject(ctx, r.subject_id, &note.unwrap_or_default()).await?;
        return get(ctx, id).await;
    }
    let resolved = resolve(&txn, r, Status::Rejected, staff.id, note).await?;
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "approval.reject",
            target_type: "ApprovalRequest",
            target_id: Some(resolved.id),
            store_id: Some(resolved.store_id),
            after: Some(json!({ "kind": resolved.kind, "note": resolved.note })),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(resolved)
}

/// `approvalRequestCancel`: only the requester, while pending.
pub async fn cancel(ctx: &ServiceCtx, id: i64) -> Result<approval_request::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let txn = db::begin_write(&ctx.db).await?;
    let r = pending_for_update(&txn, staff, id).await?;
    if r.requested_by != staff.id {
        return Err(AppError::Forbidden(crate::error::ForbiddenReason::Other(
            "only the requester may cancel a request",
        )));
    }
    let resolved = resolve(&txn, r, Status::Cancelled, staff.id, None).await?;
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "approval.cancel",
            target_type: "ApprovalRequest",
            target_id: Some(resolved.id),
            store_id: Some(resolved.store_id),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(resolved)
}

/// Filters of `approvalRequests`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub store_id: Option<i64>,
    pub status: Option<Status>,
    pub kind: Option<Kind>,
    /// Only requests this viewer may resolve.
    pub resolvable_by_me: bool,
}

/// `approvalRequests`: the queue of the viewer's stores, newest first.
pub async fn list(
    ctx: &ServiceCtx,
    filter: Filter,
    window: page::Window<'_>,
) -> Result<Page<approval_request::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    if let Some(s) = filter.store_id
        && !staff.sees_store(s)
    {
        return Err(AppError::not_found("store"));
    }
    let args = PageArgs::parse(window, true, "ID")?;
    let mut q = approval_request::Entity::find();
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(approval_request::Column::StoreId.is_in(stores));
    }
    if let Some(s) = filter.store_id {
        q = q.filter(approval_request::Column::StoreId.eq(s))
    }
    if let Some(k) = filter.kind {
        q = q.filter(approval_request::Column::Kind.eq(k.as_str()))
    }
    let at = now();
    match filter.status {
        Some(Status::Pending) => {
            q = q
                .filter(approval_request::Column::Status.eq("PENDING"))
                .filter(approval_request::Column::ExpiresAt.gt(at));
        }
        Some(Status::Expired) => {
            q = q.filter(
                Condition::any()
                    .add(approval_request::Column::Status.eq("EXPIRED"))
                    .add(
                        Condition::all()
                            .add(approval_request::Column::Status.eq("PENDING"))
                            .add(approval_request::Column::ExpiresAt.lte(at)),
                    ),
            );
        }
        Some(s) => q = q.filter(approval_request::Column::Status.eq(s.as_str())),
        None => {}
    }
    if filter.resolvable_by_me {
        q = q.filter(approval_request::Column::RequestedBy.ne(staff.id));
        match staff.role {
            Role::Director => {}
            Role::Specialist => {
                q = q.filter(approval_request::Column::ApproverRole.eq(Role::Specialist.as_str()))
            }
            Role::Assistant => q = q.filter(approval_request::Column::Id.eq(-1)),
        }
    }
    page::fetch(
        &ctx.db,
        q,
        ("ID", approval_request::Column::Id, |m| CursorKey::Int(m.id)),
        approval_request::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}

/// One request in scope.
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<approval_request::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    approval_request::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .filter(|r| staff.sees_store(r.store_id))
        .ok_or(AppError::not_found("approval request"))
}
