//! Submission, approval and rejection, with the activation checks.

use super::*;
use crate::service::kernel::write::write;

/// `promotionSubmit` (PROMO_EDIT): DRAFT → PENDING_APPROVAL, refused while a BLOCK term is in
/// the name or copy or the window has already ended. Files the request in the approval queue
/// with the approver level it needs.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn submit(ctx: &ServiceCtx, id: i64) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoEdit, None)?;
    write(ctx, staff, async |txn| {
        let before = in_scope(txn, staff, id, true).await?;
        staff.require(Permission::PromoEdit, Some(before.store_id))?;
        if Status::of(&before)? != Status::Draft {
            return Err(transition_error(&before, "submitted", ctx.now()));
        }
        let allowed = crate::service::compliance::phrases(txn, before.store_id).await?;
        check_texts(&before.name, before.copy.as_deref(), &allowed)?;
        if before.end_at <= ctx.now() {
            return Err(AppError::invalid(
                &["input", "id"],
                ErrorCode::Invalid,
                "the promotion's window has already ended; change the dates first",
            ));
        }
        let spec = working_spec(&before)?;
        let mut am: promotion::ActiveModel = before.clone().into();
        am.status = Set(Status::PendingApproval.as_str().to_owned());
        am.updated_at = Set(ctx.now());
        mark_submitted(&mut am, staff.id, ctx.now());
        let m = am.update(txn).await?;
        let catalog = Catalog::load(txn, m.store_id).await?;
        file_review(txn, ctx, staff, &m, &catalog, &spec).await?;
        let entry = audit::Entry {
            action: "promotion.submit",
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "status": before.status })),
            after: Some(json!({ "status": m.status, "version": m.version })),
            ..Default::default()
        };
        Ok((m, entry))
    })
    .await
}

/// Approved promotions of the store whose window overlaps `[start, end)`, other than `except`.
pub(crate) async fn approved_overlapping(
    conn: &impl ConnectionTrait,
    store_id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: i64,
) -> Result<Vec<promotion::Model>, AppError> {
    Ok(promotion::Entity::find()
        .filter(promotion::Column::StoreId.eq(store_id))
        .filter(promotion::Column::Id.ne(except))
        .filter(promotion::Column::Status.is_in([
            Status::Scheduled.as_str(),
            Status::Active.as_str(),
            Status::Paused.as_str(),
        ]))
        .filter(promotion::Column::LiveStartAt.lt(end))
        .filter(promotion::Column::LiveEndAt.gt(start))
        .all(conn)
        .await?)
}

/// Which tools may not overlap on one item.
pub(crate) fn exclusive_group(rule: &Rule) -> Option<u8> {
    match rule {
        Rule::ItemDiscount { .. } => Some(0),
        Rule::FullReduction {
            cross_store: true, ..
        } => Some(1),
        Rule::FullReduction { .. } | Rule::FullDiscount { .. } => Some(2),
        Rule::NthItem { .. } => Some(3),
        Rule::Bundle { .. } => Some(4),
        Rule::MemberPrice { vip88_bp: None } => Some(5),
        Rule::MemberPrice { vip88_bp: Some(_) } => Some(6),
        _ => None,
    }
}

/// The activation checks for the working version of `m`: overlap, floors
/// (unless `director_override`), Advertising-Law terms, a window not yet over at `at`. Returns whether a
/// floor break was approved by override.
pub(crate) async fn activation_checks(
    conn: &impl ConnectionTrait,
    m: &promotion::Model,
    catalog: &Catalog,
    candidate: &Promo,
    director_override: bool,
    sees_cost: bool,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let allowed = crate::service::compliance::phrases(conn, m.store_id).await?;
    check_texts(&m.name, m.copy.as_deref(), &allowed)?;
    if candidate.end <= at {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::Invalid,
            "the promotion's window has already ended",
        ));
    }
    let others =
        approved_overlapping(conn, m.store_id, candidate.start, candidate.end, m.id).await?;
    let covered: Vec<&Item> = catalog
        .items
        .iter()
        .filter(|i| candidate.covers(i.product_id, i.sku_id))
        .collect();
    if let Some(group) = exclusive_group(&candidate.rule) {
        for o in &others {
            let Some(op) = live_promo(o)? else { continue };
            if exclusive_group(&op.rule) == Some(group)
                && let Some(hit) = covered.iter().find(|i| op.covers(i.product_id, i.sku_id))
            {
                let codes = sku_codes(conn, &[hit.sku_id]).await?;
                return Err(AppError::invalid(
                    &["input", "id"],
                    ErrorCode::PromotionOverlap,
                    format!(
                        "SKU {} is already under 《{}》 (promotion {}) in an overlapping window",
                        code_of(&codes, hit.sku_id),
                        o.name,
                        o.id
                    ),
                ));
            }
        }
    }
    let mut live: Vec<Promo> = live_promos(&others)?;
    live.push(candidate.clone());
    let targets: Vec<i64> = covered.iter().map(|i| i.sku_id).collect();
    let findings = guard::guard(
        &GuardInput {
            items: &catalog.items,
            promotions: &live,
            deepest_tier_bp: catalog.deepest_tier_bp,
            at: None,
        },
        &targets,
    );
    let breaks: Vec<&guard::Finding> = findings.iter().filter(|f| f.breaks()).collect();
    if breaks.is_empty() {
        return Ok(false);
    }
    if director_override {
        return Ok(true);
    }
    let shown: Vec<i64> = breaks.iter().take(10).map(|f| f.sku_id).collect();
    let codes = sku_codes(conn, &shown).await?;
    let list: Vec<String> = breaks
        .iter()
        .take(10)
        .map(|f| {
            format!(
                "SKU {} can reach ¥{}{}",
                code_of(&codes, f.sku_id),
                crate::domain::money::Fen(f.reachable),
                if f.below_floor {
                    " (below its floor)"
                } else if sees_cost {
                    " (below cost or minimum margin)"
                } else {
                    // Which hidden bound would give the cost away.
                    " (below one of its price limits)"
                }
            )
        })
        .collect();
    Err(AppError::invalid(
        &["input", "id"],
        ErrorCode::PriceBelowFloor,
        format!(
            "{} SKU(s) would sell below floor, cost or minimum margin: {}; only a director may approve this",
            breaks.len(),
            list.join("; ")
        ),
    ))
}

/// Codes of some SKUs, for messages.
pub(crate) async fn sku_codes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, AppError> {
    Ok(sku::Entity::find()
        .select_only()
        .columns([sku::Column::Id, sku::Column::Code])
        .filter(sku::Column::Id.is_in(ids.to_vec()))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

pub(crate) fn code_of(codes: &BTreeMap<i64, String>, id: i64) -> String {
    codes.get(&id).cloned().unwrap_or_else(|| id.to_string())
}

/// `promotionApprove` (PROMO_APPROVE): a pending promotion (or pending new version) becomes
/// SCHEDULED, or ACTIVE when its start has passed. Specialists approve within the store's depth
/// and coupon face-value limits and never their own submission; beyond the limits the request
/// waits for a director (APPROVAL_REQUIRED). A director may approve their own submission (audited
/// `selfApproved`) and a floor break (recorded on this version).
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn approve(ctx: &ServiceCtx, id: i64) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        approve_in(txn, ctx, staff, id).await
    })
    .await
}

/// Approves a promotion on the approval queue's transaction (its request approved there; the
/// same checks as `promotionApprove`; the promotion closes the request).
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn apply_approved(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
) -> Result<(promotion::Model, audit::Entry), AppError> {
    approve_in(txn, ctx, staff, id).await
}

/// The approval on `txn`: the promotion after it and its audit entry.
async fn approve_in(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
) -> Result<(promotion::Model, audit::Entry), AppError> {
    staff.require(Permission::PromoApprove, None)?;
    queue::lock_pending_of(txn, queue::Kind::PromotionReview, id).await?;
    let before = in_scope(txn, staff, id, true).await?;
    let access = staff.require(Permission::PromoApprove, Some(before.store_id))?;
    let stored = Status::of(&before)?;
    if stored != Status::PendingApproval && !before.revision_pending {
        return Err(transition_error(&before, "approved", ctx.now()));
    }
    let self_approval = before.submitted_by == Some(staff.id);
    if self_approval && staff.role != Role::Director {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::FourEyes,
            "you cannot approve your own submission",
        ));
    }
    let spec = working_spec(&before)?;
    let catalog = Catalog::load(txn, before.store_id).await?;
    if access == Access::Limited {
        let (role, beyond) = approver_role(&catalog, &spec);
        if role == Role::Director {
            return Err(AppError::invalid(
                &["input", "id"],
                ErrorCode::ApprovalRequired,
                format!(
                    "{}; a director must approve it (it waits in the approval queue)",
                    beyond.join("; ")
                ),
            ));
        }
    }
    let candidate = spec.promo(before.id, before.start_at, before.end_at);
    let floor_break = activation_checks(
        txn,
        &before,
        &catalog,
        &candidate,
        staff.role == Role::Director,
        crate::service::catalog::cost_visible(staff, &catalog.store),
        ctx.now(),
    )
    .await?;
    let at = ctx.now();
    let status = match stored {
        Status::PendingApproval if before.start_at <= at => Status::Active,
        Status::PendingApproval => Status::Scheduled,
        // A new version of a running promotion keeps its state (a paused one stays paused).
        Status::Paused => Status::Paused,
        _ if before.start_at <= at => Status::Active,
        _ => Status::Scheduled,
    };
    let mut am: promotion::ActiveModel = before.clone().into();
    am.status = Set(status.as_str().to_owned());
    am.live_json = Set(Some(before.spec_json.clone()));
    am.live_start_at = Set(Some(before.start_at));
    am.live_end_at = Set(Some(before.end_at));
    am.approved_version = Set(Some(before.version));
    am.revision_pending = Set(false);
    am.floor_break_approved = Set(floor_break);
    am.approved_by = Set(Some(staff.id));
    am.approved_at = Set(Some(at));
    am.self_approved = Set(self_approval);
    am.updated_at = Set(at);
    let m = am.update(txn).await?;
    queue::close_subject(
        txn,
        queue::Kind::PromotionReview,
        m.id,
        queue::Status::Approved,
        staff.id,
        ctx.now(),
        None,
    )
    .await?;
    let entry = audit::Entry {
        action: "promotion.approve",
        target_type: "Promotion",
        target_id: Some(m.id),
        store_id: Some(m.store_id),
        before: Some(json!({ "status": before.status })),
        after: Some(
            json!({ "status": m.status, "version": m.version, "depthBp": m.depth_bp, "floorBreakApproved": floor_break, "submittedBy": before.submitted_by }),
        ),
        self_approved: self_approval,
    };
    Ok((m, entry))
}

/// `promotionReject` (PROMO_APPROVE, with a reason): a pending promotion goes back to DRAFT; a
/// pending new version is dropped and the approved one stays in force.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn reject(ctx: &ServiceCtx, id: i64, reason: &str) -> Result<promotion::Model, AppError> {
    back_to_draft(ctx, id, Some(reason)).await
}

/// Rejects a promotion on the caller's transaction (its request rejected in the approval
/// queue; the same checks as `promotionReject`).
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn apply_rejected(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
    reason: &str,
) -> Result<(promotion::Model, audit::Entry), AppError> {
    back_to_draft_in(txn, ctx, staff, id, Some(reason)).await
}

/// `promotionWithdraw` (PROMO_EDIT, the submitter or a director): the submitter takes a pending
/// promotion back to DRAFT (a pending new version is dropped).
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn withdraw(ctx: &ServiceCtx, id: i64) -> Result<promotion::Model, AppError> {
    back_to_draft(ctx, id, None).await
}

/// Rejection (with a reason) or withdrawal (without).
pub(crate) async fn back_to_draft(
    ctx: &ServiceCtx,
    id: i64,
    reason: Option<&str>,
) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        back_to_draft_in(txn, ctx, staff, id, reason).await
    })
    .await
}

pub(crate) async fn back_to_draft_in(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
    reason: Option<&str>,
) -> Result<(promotion::Model, audit::Entry), AppError> {
    let permission = if reason.is_some() {
        Permission::PromoApprove
    } else {
        Permission::PromoEdit
    };
    staff.require(permission, None)?;
    let reason = reason
        .map(|r| {
            text::required(r, &["input", "reason"], "reason", 400)
                .map_err(|e| AppError::Invalid(vec![e]))
        })
        .transpose()?;
    queue::lock_pending_of(txn, queue::Kind::PromotionReview, id).await?;
    let before = in_scope(txn, staff, id, true).await?;
    staff.require(permission, Some(before.store_id))?;
    let stored = Status::of(&before)?;
    let verb = if reason.is_some() {
        "rejected"
    } else {
        "withdrawn"
    };
    if stored != Status::PendingApproval && !before.revision_pending {
        return Err(transition_error(&before, verb, ctx.now()));
    }
    let own = before.submitted_by == Some(staff.id);
    if reason.is_some() && own && staff.role != Role::Director {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::FourEyes,
            "you cannot decide on your own submission",
        ));
    }
    if reason.is_none() && !own && staff.role != Role::Director {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::Invalid,
            "only the submitter (or a director) withdraws a submission",
        ));
    }
    let mut am: promotion::ActiveModel = before.clone().into();
    am.reject_reason = Set(reason.clone());
    am.updated_at = Set(ctx.now());
    let mut restored = None;
    if stored == Status::PendingApproval {
        am.status = Set(Status::Draft.as_str().to_owned());
    } else {
        // Back to the version in force.
        let live = before
            .live_json
            .clone()
            .unwrap_or_else(|| before.spec_json.clone());
        let spec = live_spec(&before, &live)?;
        let (funder, share) = funder_columns(spec.funder);
        am.spec_json = Set(live);
        am.start_at = Set(before.live_start_at.unwrap_or(before.start_at));
        am.end_at = Set(before.live_end_at.unwrap_or(before.end_at));
        am.funder = Set(funder.to_owned());
        am.merchant_share_bp = Set(share);
        am.scope_mode = Set(scope_mode(&spec.scope).to_owned());
        am.total_quantity = Set(spec.coupon.as_ref().map(|c| c.total_quantity));
        am.version = Set(before.approved_version.unwrap_or(before.version));
        am.revision_pending = Set(false);
        let catalog = Catalog::load(txn, before.store_id).await?;
        am.depth_bp = Set(depth_bp(depth(&catalog, &spec)));
        restored = Some(spec);
    }
    let m = am.update(txn).await?;
    if let Some(spec) = restored {
        write_targets(txn, &m, &spec).await?;
    }
    let closed = if reason.is_some() {
        queue::Status::Rejected
    } else {
        queue::Status::Cancelled
    };
    queue::close_subject(
        txn,
        queue::Kind::PromotionReview,
        m.id,
        closed,
        staff.id,
        ctx.now(),
        reason.clone(),
    )
    .await?;
    let entry = audit::Entry {
        action: if reason.is_some() {
            "promotion.reject"
        } else {
            "promotion.withdraw"
        },
        target_type: "Promotion",
        target_id: Some(m.id),
        store_id: Some(m.store_id),
        before: Some(json!({ "status": before.status, "version": before.version })),
        after: Some(json!({ "status": m.status, "version": m.version, "reason": reason })),
        ..Default::default()
    };
    Ok((m, entry))
}
