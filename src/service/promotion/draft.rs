//! Drafts: creation, edits (new versions of approved promotions) and filing the review.

use super::*;
use crate::service::kernel::write::write;

/// `promotionCreate` (PROMO_EDIT): a DRAFT.
#[tracing::instrument(skip_all)]
pub async fn create(ctx: &ServiceCtx, d: Draft) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoEdit, Some(d.store_id))?;
    let name = clean_name(&d.name)?;
    let copy = clean_copy(d.copy.as_deref())?;
    let mut errors = Vec::new();
    let kind = d.spec.rule.kind();
    validate_rule(&d.spec.rule, &mut errors);
    validate_window(kind, d.start_at, d.end_at, &mut errors);
    validate_coupon(&d.spec, d.start_at, d.end_at, &mut errors);
    validate_funder(d.spec.funder, &mut errors);
    write(ctx, staff, async |txn| {
        let catalog = Catalog::load(txn, d.store_id).await?;
        validate_refs(txn, d.store_id, &d.spec, &mut errors).await?;
        if errors.is_empty() {
            validate_item_prices(txn, &catalog, &d.spec, &mut errors).await?;
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let at = ctx.now();
        let (funder, share) = funder_columns(d.spec.funder);
        let m = promotion::ActiveModel {
            store_id: Set(d.store_id),
            kind: Set(kind.as_str().to_owned()),
            name: Set(name),
            copy: Set(copy),
            status: Set(Status::Draft.as_str().to_owned()),
            start_at: Set(d.start_at),
            end_at: Set(d.end_at),
            live_start_at: Set(None),
            live_end_at: Set(None),
            funder: Set(funder.to_owned()),
            merchant_share_bp: Set(share),
            level: Set(level_str(d.spec.rule.level()).to_owned()),
            scope_mode: Set(scope_mode(&d.spec.scope).to_owned()),
            spec_json: Set(serde_json::to_string(&d.spec).map_err(anyhow::Error::from)?),
            live_json: Set(None),
            depth_bp: Set(depth_bp(depth(&catalog, &d.spec))),
            version: Set(1),
            approved_version: Set(None),
            revision_pending: Set(false),
            floor_break_approved: Set(false),
            total_quantity: Set(d.spec.coupon.as_ref().map(|c| c.total_quantity)),
            issued_count: Set(0),
            self_approved: Set(false),
            ended_early: Set(false),
            created_by: Set(staff.id),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        write_targets(txn, &m, &d.spec).await?;
        let entry = audit::Entry {
            action: "promotion.create",
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            after: Some(snapshot(&m)?),
            ..Default::default()
        };
        Ok((m, entry))
    })
    .await
}

pub(crate) fn validate_funder(f: Funder, errors: &mut Vec<UserError>) {
    if let Funder::CoFunded { merchant_bp } = f
        && !(1..=9_999).contains(&merchant_bp)
    {
        errors.push(err(
            &["input", "funding", "merchantShareBp"],
            ErrorCode::Invalid,
            "a co-funded discount gives the merchant a share of 1–9999 bp",
        ));
    }
}

/// `cost / (1 − minMarginBp / 10000)`, rounded up to the fen.
pub fn min_margin_price(cost: i64, min_margin_bp: i32) -> i64 {
    let keep = 10_000 - i128::from(min_margin_bp.clamp(0, 9_999));
    i64::try_from((i128::from(cost) * 10_000 + keep - 1) / keep).unwrap_or(i64::MAX)
}

/// The deepest tier price rate of the store (bp), if any tier discounts.
pub fn deepest_tier_bp(store: &store::Model) -> Result<Option<i64>, AppError> {
    Ok(crate::service::member::tiers(store)?
        .iter()
        .map(|t| i64::from(t.price_rate_bp))
        .filter(|&bp| bp < 10_000)
        .min())
}

/// Effective depth of a spec over the store's SKUs.
pub(crate) fn depth(catalog: &Catalog, spec: &Spec) -> engine::Ratio {
    let covered: Vec<&Item> = catalog.items.iter().filter(|i| spec.covers(i)).collect();
    let list_of = |sku: i64| {
        catalog
            .items
            .iter()
            .find(|i| i.sku_id == sku)
            .map_or(0, |i| i.list_price)
    };
    let facts = DepthFacts {
        lists_in_scope: match &spec.rule {
            // One set, in `members` order.
            Rule::Bundle { members, .. } => members.iter().map(|m| list_of(m.sku_id)).collect(),
            _ => covered.iter().map(|i| i.list_price).collect(),
        },
        gift_list_price: match spec.rule {
            Rule::Gift { gift_sku, .. } => list_of(gift_sku),
            _ => 0,
        },
        deepest_tier_bp: catalog.deepest_tier_bp.unwrap_or(10_000),
    };
    engine::depth(&spec.rule, &facts)
}

pub(crate) fn depth_bp(ratio: engine::Ratio) -> i32 {
    ratio.bp().try_into().unwrap_or(i32::MAX)
}

/// A promotion inside the viewer's stores, else NOT_FOUND.
pub(crate) async fn in_scope(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
    lock: bool,
) -> Result<promotion::Model, AppError> {
    let mut q = promotion::Entity::find_by_id(id);
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await?
        .filter(|m| staff.sees_store(m.store_id))
        .ok_or(AppError::not_found("promotion"))
}

pub(crate) fn transition_error(m: &promotion::Model, action: &str, at: DateTime<Utc>) -> AppError {
    match effective_status(m, at) {
        Ok(status) => AppError::invalid(
            &["input", "id"],
            ErrorCode::InvalidStateTransition,
            format!("a {} promotion cannot be {action}", status.as_str()),
        ),
        Err(unreadable) => unreadable,
    }
}

/// `promotionUpdate` (PROMO_EDIT; assistants only drafts). Drafts change freely. Of an approved
/// promotion the name and copy change at once (the copy is checked again), while dates, scope,
/// audience, funder or the kind-specific part make a new version that waits for approval; the
/// approved version stays in force meanwhile.
#[tracing::instrument(skip_all)]
pub async fn update(ctx: &ServiceCtx, mut p: Patch) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoEdit, None)?;
    write(ctx, staff, async |txn| {
        let before = in_scope(txn, staff, p.id, true).await?;
        let access = staff.require(Permission::PromoEdit, Some(before.store_id))?;
        let status = effective_status(&before, ctx.now())?;
        let editable = match status {
            Status::Draft => true,
            Status::Scheduled | Status::Active | Status::Paused => !before.revision_pending,
            _ => false,
        };
        if !editable {
            return Err(transition_error(
                &before,
                "edited (withdraw or wait for the decision)",
                ctx.now(),
            ));
        }
        if access == Access::Limited && status != Status::Draft {
            return Err(AppError::Forbidden(crate::error::ForbiddenReason::Other(
                "assistants edit drafts only",
            )));
        }
        let old_spec = working_spec(&before)?;
        let spec = patched(old_spec.clone(), &mut p)?;
        let start = p.start_at.unwrap_or(before.start_at);
        let end = p.end_at.unwrap_or(before.end_at);
        let name = match &p.name {
            Some(n) => clean_name(n)?,
            None => before.name.clone(),
        };
        let copy = match &p.copy {
            Some(c) => clean_copy(c.as_deref())?,
            None => before.copy.clone(),
        };
        let mut errors = Vec::new();
        validate_rule(&spec.rule, &mut errors);
        validate_window(spec.rule.kind(), start, end, &mut errors);
        validate_coupon(&spec, start, end, &mut errors);
        validate_funder(spec.funder, &mut errors);
        let catalog = Catalog::load(txn, before.store_id).await?;
        validate_refs(txn, before.store_id, &spec, &mut errors).await?;
        if errors.is_empty() {
            validate_item_prices(txn, &catalog, &spec, &mut errors).await?;
        }
        if let (Some(c), true) = (&spec.coupon, status != Status::Draft)
            && c.total_quantity < before.issued_count
        {
            errors.push(err(
                &["input", "coupon", "totalQuantity"],
                ErrorCode::Invalid,
                format!("{} coupons are already issued", before.issued_count),
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let material = spec != old_spec || start != before.start_at || end != before.end_at;
        let mut am: promotion::ActiveModel = before.clone().into();
        am.name = Set(name);
        am.copy = Set(copy);
        am.updated_at = Set(ctx.now());
        if material {
            let (funder, share) = funder_columns(spec.funder);
            am.spec_json = Set(serde_json::to_string(&spec).map_err(anyhow::Error::from)?);
            am.start_at = Set(start);
            am.end_at = Set(end);
            am.funder = Set(funder.to_owned());
            am.merchant_share_bp = Set(share);
            am.scope_mode = Set(scope_mode(&spec.scope).to_owned());
            am.total_quantity = Set(spec.coupon.as_ref().map(|c| c.total_quantity));
            am.depth_bp = Set(depth_bp(depth(&catalog, &spec)));
            if status != Status::Draft {
                am.version = Set(before.version + 1);
                am.revision_pending = Set(true);
                am.floor_break_approved = Set(false);
                mark_submitted(&mut am, staff.id, ctx.now());
            }
        }
        let m = am.update(txn).await?;
        if material {
            write_targets(txn, &m, &spec).await?;
            if status != Status::Draft {
                // The new version waits in the approval queue like a submission.
                file_review(txn, ctx, staff, &m, &catalog, &spec).await?;
            }
        } else if status != Status::Draft {
            let allowed = crate::service::compliance::phrases(txn, m.store_id).await?;
            check_texts(&m.name, m.copy.as_deref(), &allowed)?;
        }
        let entry = audit::Entry {
            action: "promotion.update",
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(snapshot(&before)?),
            after: Some(snapshot(&m)?),
            ..Default::default()
        };
        Ok((m, entry))
    })
    .await
}

/// The working spec with the patch's parts applied (taken out of the patch); the kind of a
/// promotion never changes.
fn patched(mut spec: Spec, p: &mut Patch) -> Result<Spec, AppError> {
    if let Some(s) = p.scope.take() {
        spec.scope = s;
    }
    if let Some(a) = p.audience.take() {
        spec.audience = a;
    }
    if let Some(f) = p.funder.take() {
        spec.funder = f;
    }
    if let Some(r) = p.rule.take() {
        if r.kind() != spec.rule.kind() {
            return Err(AppError::invalid(
                &["input"],
                ErrorCode::Invalid,
                format!(
                    "this promotion is a {}; its kind cannot change",
                    spec.rule.kind().as_str()
                ),
            ));
        }
        spec.rule = r;
    }
    if let Some(c) = p.coupon.take() {
        spec.coupon = Some(c);
    }
    Ok(spec)
}

pub(crate) fn mark_submitted(am: &mut promotion::ActiveModel, by: i64, at: DateTime<Utc>) {
    am.submitted_by = Set(Some(by));
    am.submitted_at = Set(Some(at));
    am.reject_reason = Set(None);
}

/// What the approver must be: a specialist within the store's limits, else a director.
pub(crate) fn approver_role(catalog: &Catalog, spec: &Spec) -> (Role, Vec<String>) {
    let store = &catalog.store;
    let depth = depth(catalog, spec);
    let mut beyond = Vec::new();
    if !depth.at_most_bp(i64::from(store.promo_depth_limit_bp)) {
        beyond.push(format!(
            "depth {:.2}% exceeds the specialist limit of {:.2}%",
            depth.bp() as f64 / 100.0,
            f64::from(store.promo_depth_limit_bp) / 100.0
        ));
    }
    if let (Rule::Coupon { face, .. }, Some(terms)) = (&spec.rule, &spec.coupon) {
        let issued = i128::from(*face) * i128::from(terms.total_quantity);
        if issued > i128::from(store.coupon_face_value_limit_fen) {
            beyond.push(format!(
                "face value issued ¥{} exceeds the specialist limit of ¥{}",
                crate::domain::money::Fen(i64::try_from(issued).unwrap_or(i64::MAX)),
                crate::domain::money::Fen(store.coupon_face_value_limit_fen)
            ));
        }
    }
    let role = if beyond.is_empty() {
        Role::Specialist
    } else {
        Role::Director
    };
    (role, beyond)
}

pub(crate) async fn file_review(
    conn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    m: &promotion::Model,
    catalog: &Catalog,
    spec: &Spec,
) -> Result<(), AppError> {
    let (role, beyond) = approver_role(catalog, spec);
    queue::close_subject(
        conn,
        queue::Kind::PromotionReview,
        m.id,
        queue::Status::Cancelled,
        staff.id,
        ctx.now(),
        Some("superseded".into()),
    )
    .await?;
    queue::file(
        conn,
        ctx,
        staff,
        queue::NewRequest {
            store_id: m.store_id,
            subject_type: "Promotion",
            subject_id: m.id,
            payload: queue::Payload::PromotionReview(queue::PromotionReview {
                version: m.version,
                kind: m.kind.clone(),
                depth_bp: m.depth_bp,
                beyond_specialist_limits: beyond,
            }),
            reason: None,
            approver_role: role,
        },
    )
    .await?;
    Ok(())
}
