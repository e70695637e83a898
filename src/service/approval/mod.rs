//! Deciding on approval requests: actions beyond the actor's limit wait in the queue for a
//! resolver. This module sits above the capabilities: approving dispatches the typed payload to
//! the capability's `apply_approved`, which re-runs the action's checks (except the limit that
//! caused the request) inside the one transaction that marks the request approved. Capabilities
//! file and close requests through `kernel::approval_queue` and never import this module.

use crate::service::kernel::scope::InScope;
use entity::approval_request;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use serde_json::json;

use crate::auth::{Role, Staff};
use crate::domain::text;
use crate::error::{AppError, ErrorCode};
use crate::service::kernel::approval_queue::{Kind, Payload, Status, effective_status};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::kernel::write::{write, write_as_system};
use crate::service::{ServiceCtx, catalog, inventory, kernel::audit, member, pricing, promotion};

async fn pending_for_update(
    txn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<approval_request::Model, AppError> {
    let r = crate::service::kernel::scope::get_in_scope::<approval_request::Entity>(
        txn, staff, id, true,
    )
    .await?;
    match effective_status(&r, at)? {
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

/// `approvalRequestApprove`: applies the original action through its capability, in the one
/// transaction that marks the request approved. If a check now fails nothing is applied, the
/// userErrors are returned and the request stays PENDING.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn approve(
    ctx: &ServiceCtx,
    id: i64,
    note_in: Option<&str>,
) -> Result<approval_request::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let note = note(note_in, false)?;
    write(ctx, staff, async |txn| {
        let r = pending_for_update(txn, staff, id, ctx.now()).await?;
        check_resolver(staff, &r)?;
        let at = ctx.now();
        let applied = match Payload::of(&r)? {
            // An object's review is applied by the object's own transition, which closes the
            // request; its audit row is the transition's.
            Payload::ProductReview(_) => {
                let review = catalog::Review::Approve;
                let (_, entry) = catalog::apply_review(txn, ctx, staff, r.subject_id, review).await?;
                return Ok((reread(txn, id).await?, entry));
            }
            Payload::PromotionReview(_) => {
                let (_, entry) = promotion::apply_approved(txn, ctx, staff, r.subject_id).await?;
                return Ok((reread(txn, id).await?, entry));
            }
            Payload::PriceChange(p) => pricing::apply_approved(txn, &r, staff, &p, at).await?,
            Payload::StockAdjust(p) => inventory::apply_approved(txn, &r, &p, at).await?,
            Payload::PointsAdjust(p) => member::apply_approved(txn, &r, &p, at).await?,
        };
        let resolved = resolve(txn, r, Status::Approved, staff.id, at, note).await?;
        let entry = audit::Entry {
            action: "approval.approve", target_type: "ApprovalRequest", target_id: Some(resolved.id), store_id: Some(resolved.store_id),
            after: Some(json!({ "kind": resolved.kind, "requestedBy": resolved.requested_by, "approvedBy": staff.id, "applied": applied })),
            self_approved: resolved.requested_by == staff.id,
            ..Default::default()
        };
        Ok((resolved, entry))
    })
    .await
}

async fn reread(txn: &impl ConnectionTrait, id: i64) -> Result<approval_request::Model, AppError> {
    approval_request::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::not_found("approval request"))
}

async fn resolve(
    txn: &impl ConnectionTrait,
    r: approval_request::Model,
    status: Status,
    by: i64,
    at: chrono::DateTime<chrono::Utc>,
    note: Option<String>,
) -> Result<approval_request::Model, AppError> {
    let mut m: approval_request::ActiveModel = r.into();
    m.status = Set(status.as_str().to_owned());
    m.resolved_by = Set(Some(by));
    m.resolved_at = Set(Some(at));
    m.note = Set(note);
    Ok(m.update(txn).await?)
}

/// Marks pending requests expired at `at` as EXPIRED (run by the scheduler; reads already
/// derive it). Returns how many.
pub async fn expire_due(
    db: &sea_orm::DatabaseConnection,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<u64, AppError> {
    use sea_orm::sea_query::Expr;
    write_as_system(db, at, async |txn| {
        let res = approval_request::Entity::update_many()
            .col_expr(
                approval_request::Column::Status,
                Expr::value(Status::Expired.as_str()),
            )
            .col_expr(approval_request::Column::ResolvedAt, Expr::value(at))
            .filter(approval_request::Column::Status.eq(Status::Pending.as_str()))
            .filter(approval_request::Column::ExpiresAt.lte(at))
            .exec(txn)
            .await?;
        Ok((res.rows_affected, None))
    })
    .await
}

/// `approvalRequestReject`: with a note; nothing is applied.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn reject(
    ctx: &ServiceCtx,
    id: i64,
    note_in: Option<&str>,
) -> Result<approval_request::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let note = note(note_in, true)?;
    write(ctx, staff, async |txn| {
        let r = pending_for_update(txn, staff, id, ctx.now()).await?;
        check_resolver(staff, &r)?;
        match Kind::parse(&r.kind) {
            Some(Kind::ProductReview) => {
                let reason = note.unwrap_or_default();
                let review = catalog::Review::SendBack { reason };
                let (_, entry) =
                    catalog::apply_review(txn, ctx, staff, r.subject_id, review).await?;
                return Ok((reread(txn, id).await?, entry));
            }
            Some(Kind::PromotionReview) => {
                let reason = note.unwrap_or_default();
                let (_, entry) =
                    promotion::apply_rejected(txn, ctx, staff, r.subject_id, &reason).await?;
                return Ok((reread(txn, id).await?, entry));
            }
            _ => {}
        }
        let resolved = resolve(txn, r, Status::Rejected, staff.id, ctx.now(), note).await?;
        let entry = audit::Entry {
            action: "approval.reject",
            target_type: "ApprovalRequest",
            target_id: Some(resolved.id),
            store_id: Some(resolved.store_id),
            after: Some(json!({ "kind": resolved.kind, "note": resolved.note })),
            ..Default::default()
        };
        Ok((resolved, entry))
    })
    .await
}

/// `approvalRequestCancel`: only the requester, while pending.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn cancel(ctx: &ServiceCtx, id: i64) -> Result<approval_request::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        let r = pending_for_update(txn, staff, id, ctx.now()).await?;
        if r.requested_by != staff.id {
            return Err(AppError::Forbidden(crate::error::ForbiddenReason::Other(
                "only the requester may cancel a request",
            )));
        }
        let resolved = resolve(txn, r, Status::Cancelled, staff.id, ctx.now(), None).await?;
        let entry = audit::Entry {
            action: "approval.cancel",
            target_type: "ApprovalRequest",
            target_id: Some(resolved.id),
            store_id: Some(resolved.store_id),
            ..Default::default()
        };
        Ok((resolved, entry))
    })
    .await
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
#[tracing::instrument(skip_all)]
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
    let mut q = approval_request::Entity::find().in_scope(staff);
    if let Some(s) = filter.store_id {
        q = q.filter(approval_request::Column::StoreId.eq(s))
    }
    if let Some(k) = filter.kind {
        q = q.filter(approval_request::Column::Kind.eq(k.as_str()))
    }
    let at = ctx.now();
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
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<approval_request::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    crate::service::kernel::scope::get_in_scope::<approval_request::Entity>(
        &ctx.db, staff, id, false,
    )
    .await
}
