//! The listing lifecycle: submit, review, shelve, take off, archive.

use super::*;
use crate::service::kernel::write::write;

/// Lifecycle actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Submit,
    Approve { list_now: bool },
    SendBack { reason: String },
    PutOnShelf,
    TakeOffShelf { reason: String },
    Archive,
}

pub const OFF_SHELF_REASONS: [&str; 4] = ["MANUAL", "SOLD_OUT", "PLATFORM_VIOLATION", "SEASON_END"];

/// Applies a lifecycle action; invalid transitions and compliance blocks are userErrors.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn product_transition(
    ctx: &ServiceCtx,
    id: i64,
    action: Transition,
) -> Result<product::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        transition_in(txn, ctx, staff, id, action).await
    })
    .await
}

/// A decision on a product's review, taken from the approval queue.
pub enum Review {
    Approve,
    SendBack { reason: String },
}

/// Applies a review decided in the approval queue, on the queue's transaction (the same checks
/// as `productApprove` / `productSendBack`; the product's transition closes the request).
/// Returns the product and the audit entry the queue records.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn apply_review(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
    review: Review,
) -> Result<(product::Model, audit::Entry), AppError> {
    let action = match review {
        Review::Approve => Transition::Approve { list_now: true },
        Review::SendBack { reason } => Transition::SendBack { reason },
    };
    transition_in(txn, ctx, staff, id, action).await
}

/// One lifecycle action on `txn`: the product after it and its audit entry.
pub(crate) async fn transition_in(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
    action: Transition,
) -> Result<(product::Model, audit::Entry), AppError> {
    if matches!(
        action,
        Transition::Approve { .. } | Transition::SendBack { .. }
    ) {
        queue::lock_pending_of(txn, queue::Kind::ProductReview, id).await?;
    }
    let before = product_for_update(txn, staff, id).await?;
    let from = effective_status(&before, ctx.now())?;
    let (permission, allowed_from, action_name) = action.rule();
    staff.require(permission, Some(before.store_id))?;
    let allowed = crate::service::compliance::phrases(txn, before.store_id).await?;
    if !allowed_from.contains(&from) {
        return Err(invalid(
            &["input", "id"],
            ErrorCode::InvalidStateTransition,
            format!(
                "a product in {} cannot be {}",
                from.as_str(),
                action_name.trim_start_matches("product.").replace('_', " ")
            ),
        ));
    }
    let mut m: product::ActiveModel = before.clone().into();
    let at = ctx.now();
    let self_approved = change(txn, staff, &before, &action, &allowed, &mut m, at).await?;
    m.updated_at = Set(at);
    let model = m.update(txn).await?;
    sync_queue(txn, ctx, staff, &model, &action).await?;
    let entry = audit::Entry {
        action: action_name,
        target_type: "Product",
        target_id: Some(id),
        store_id: Some(model.store_id),
        before: Some(json!({ "status": before.status })),
        after: Some(json!({ "status": model.status, "reason": model.status_reason })),
        self_approved,
    };
    Ok((model, entry))
}

impl Transition {
    /// The permission, the states it may start from and its audit action name.
    fn rule(&self) -> (Permission, &'static [ProductStatus], &'static str) {
        use ProductStatus::*;
        match self {
            Transition::Submit => (Permission::ProductSubmit, &[Draft], "product.submit"),
            Transition::Approve { .. } => (
                Permission::ProductReview,
                &[PendingReview],
                "product.approve",
            ),
            Transition::SendBack { .. } => (
                Permission::ProductReview,
                &[PendingReview],
                "product.send_back",
            ),
            Transition::PutOnShelf => (Permission::ProductShelve, &[OffShelf], "product.on_shelf"),
            Transition::TakeOffShelf { .. } => {
                (Permission::ProductShelve, &[OnShelf], "product.off_shelf")
            }
            Transition::Archive => (
                Permission::ProductArchive,
                &[Draft, OffShelf],
                "product.archive",
            ),
        }
    }
}

/// Sets the new state on `m` (with the action's own checks); returns whether a director
/// approved their own submission.
async fn change(
    txn: &impl ConnectionTrait,
    staff: &Staff,
    before: &product::Model,
    action: &Transition,
    allowed: &[String],
    m: &mut product::ActiveModel,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, AppError> {
    use ProductStatus::*;
    let id = before.id;
    let mut self_approved = false;
    match action {
        Transition::Submit => {
            refuse_blocked(before, allowed)?;
            let skus = sku::Entity::find()
                .filter(sku::Column::ProductId.eq(id))
                .filter(sku::Column::Active.eq(true))
                .count(txn)
                .await?;
            if skus == 0 {
                return Err(invalid(
                    &["input", "id"],
                    ErrorCode::Invalid,
                    "generate at least one SKU before submitting",
                ));
            }
            m.status = Set(PendingReview.as_str().into());
            m.submitted_by = Set(Some(staff.id));
            m.submitted_at = Set(Some(at));
            m.status_reason = Set(None);
        }
        Transition::Approve { list_now } => {
            if before.submitted_by == Some(staff.id) {
                if staff.role == Role::Director {
                    self_approved = true;
                } else {
                    return Err(invalid(
                        &["input", "id"],
                        ErrorCode::FourEyes,
                        "you cannot approve your own submission; another specialist or a director must",
                    ));
                }
            }
            refuse_blocked(before, allowed)?;
            let scheduled = before.scheduled_on_shelf_at.is_some_and(|t| t > at);
            m.status = Set(if *list_now && !scheduled {
                OnShelf
            } else {
                OffShelf
            }
            .as_str()
            .into());
            m.reviewed_by = Set(Some(staff.id));
            m.status_reason = Set(None);
        }
        Transition::SendBack { reason } => {
            let reason = text::required(reason, &["input", "reason"], "reason", 400)
                .map_err(|e| AppError::Invalid(vec![e]))?;
            m.status = Set(Draft.as_str().into());
            m.status_reason = Set(Some(reason));
            m.reviewed_by = Set(Some(staff.id));
        }
        Transition::PutOnShelf => {
            refuse_blocked(before, allowed)?;
            m.status = Set(OnShelf.as_str().into());
            m.status_reason = Set(None);
        }
        Transition::TakeOffShelf { reason } => {
            if !OFF_SHELF_REASONS.contains(&reason.as_str()) {
                return Err(invalid(
                    &["input", "reason"],
                    ErrorCode::Invalid,
                    "reason must be MANUAL, SOLD_OUT, PLATFORM_VIOLATION or SEASON_END",
                ));
            }
            m.status = Set(OffShelf.as_str().into());
            m.status_reason = Set(Some(reason.clone()));
            m.scheduled_on_shelf_at = Set(None);
        }
        Transition::Archive => {
            m.status = Set(Archived.as_str().into());
        }
    }
    Ok(self_approved)
}

/// Products in review sit in the shared approval queue: submitting files the request, approving
/// or sending back closes it.
async fn sync_queue(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    model: &product::Model,
    action: &Transition,
) -> Result<(), AppError> {
    match action {
        Transition::Submit => {
            queue::file(
                txn,
                ctx,
                staff,
                queue::NewRequest {
                    store_id: model.store_id,
                    subject_type: "Product",
                    subject_id: model.id,
                    payload: queue::Payload::ProductReview(queue::ProductReview {
                        title: model.title.clone(),
                    }),
                    reason: None,
                    approver_role: Role::Specialist,
                },
            )
            .await?;
        }
        Transition::Approve { .. } => {
            let approved = queue::Status::Approved;
            queue::close_subject(
                txn,
                queue::Kind::ProductReview,
                model.id,
                approved,
                staff.id,
                ctx.now(),
                None,
            )
            .await?;
        }
        Transition::SendBack { reason } => {
            let rejected = queue::Status::Rejected;
            let note = Some(reason.clone());
            queue::close_subject(
                txn,
                queue::Kind::ProductReview,
                model.id,
                rejected,
                staff.id,
                ctx.now(),
                note,
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}
