//! The points ledger: earning, adjustments, redemptions and their cancellation.

use super::*;
use crate::service::kernel::write::write;

// ---------------------------------------------------------------------------------------------
// Points

/// Ledger entry kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointsKind {
    Earn,
    Reverse,
    Redeem,
    RedeemCancel,
    Adjust,
    Expire,
}

impl PointsKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Earn => "EARN",
            Self::Reverse => "REVERSE",
            Self::Redeem => "REDEEM",
            Self::RedeemCancel => "REDEEM_CANCEL",
            Self::Adjust => "ADJUST",
            Self::Expire => "EXPIRE",
        }
    }
}

/// A member's points as the ledger stands, for writing entries in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct PointsState {
    pub balance: i64,
    pub deficit: i64,
}

/// Builds ledger entries in order, keeping balance ≥ 0 and the deficit.
pub struct PointsBook {
    pub store_id: i64,
    pub states: HashMap<i64, PointsState>,
    pub entries: Vec<points_entry::ActiveModel>,
    pub at: DateTime<Utc>,
}

impl PointsBook {
    pub fn new(store_id: i64, at: DateTime<Utc>) -> Self {
        Self {
            store_id,
            states: HashMap::new(),
            entries: Vec::new(),
            at,
        }
    }

    pub(crate) fn push(
        &mut self,
        member_id: i64,
        kind: PointsKind,
        amount: i64,
        multiplier: Option<i32>,
        reason: Option<String>,
        order_id: Option<i64>,
    ) {
        let s = self.states.entry(member_id).or_default();
        s.balance += amount;
        self.entries.push(points_entry::ActiveModel {
            store_id: Set(self.store_id),
            member_id: Set(member_id),
            kind: Set(kind.as_str().to_owned()),
            amount: Set(amount),
            balance_after: Set(s.balance),
            deficit_after: Set(s.deficit),
            multiplier_bp: Set(multiplier),
            reason: Set(reason),
            order_id: Set(order_id),
            actor_id: Set(None),
            created_at: Set(self.at),
            ..Default::default()
        });
    }

    /// EARN on payment, then repays an outstanding deficit from it.
    pub fn earn(&mut self, member_id: i64, points: i64, multiplier: i32, order_id: i64) {
        if points <= 0 {
            return;
        }
        self.push(
            member_id,
            PointsKind::Earn,
            points,
            Some(multiplier),
            None,
            Some(order_id),
        );
        let s = *self.states.entry(member_id).or_default();
        let repay = s.deficit.min(s.balance);
        if repay > 0 {
            if let Some(st) = self.states.get_mut(&member_id) {
                st.deficit -= repay;
            }
            self.push(
                member_id,
                PointsKind::Reverse,
                -repay,
                None,
                Some("deficit repayment".into()),
                Some(order_id),
            );
        }
    }

    /// REVERSE on a refund: takes at most the balance; the rest becomes the deficit.
    pub fn reverse(&mut self, member_id: i64, points: i64, order_id: i64) {
        if points <= 0 {
            return;
        }
        let s = *self.states.entry(member_id).or_default();
        let take = points.min(s.balance);
        if let Some(st) = self.states.get_mut(&member_id) {
            st.deficit += points - take;
        }
        self.push(
            member_id,
            PointsKind::Reverse,
            -take,
            None,
            Some("refund".into()),
            Some(order_id),
        );
    }
}

/// Input of `memberPointsAdjust`.
#[derive(Debug, Clone)]
pub struct PointsAdjust {
    pub member_id: i64,
    pub amount: i64,
    pub reason: String,
    pub request_approval: bool,
}

/// Outcome of a points adjustment: the member and the entry, or the approval request.
pub type AdjustOutcome = queue::Outcome<(member::Model, points_entry::Model)>;

/// `memberPointsAdjust` (POINTS_ADJUST): directors any amount; specialists up to the store's
/// limit (default 500 points either way), beyond it APPROVAL_REQUIRED or, with
/// `request_approval`, an approval request for a director. The balance never goes below 0.
#[tracing::instrument(skip_all)]
pub async fn points_adjust(
    ctx: &ServiceCtx,
    input: PointsAdjust,
) -> Result<AdjustOutcome, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PointsAdjust, None)?;
    let reason = text::required(&input.reason, &["input", "reason"], "reason", 400)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if input.amount == 0 || input.amount.abs() > 100_000_000 {
        return Err(AppError::invalid(
            &["input", "amount"],
            ErrorCode::Invalid,
            "the amount must be non-zero and at most 100,000,000 points either way",
        ));
    }
    write(ctx, staff, async |txn| {
    let m = member_in_scope(txn, staff, input.member_id).await?;
    let access = staff.require(Permission::PointsAdjust, Some(m.store_id))?;
    let store = crate::service::store::load(txn, m.store_id).await?;
    if access == Access::Limited && input.amount.abs() > i64::from(store.points_adjust_limit) {
        if !input.request_approval {
            return Err(AppError::invalid(
                &["input", "amount"],
                ErrorCode::ApprovalRequired,
                format!(
                    "adjustments above {} points need a director's approval (requested {}); send requestApproval: true",
                    store.points_adjust_limit,
                    input.amount.abs()
                ),
            ));
        }
        check_balance(&m, input.amount)?;
        let request = queue::file(
            txn,
            ctx,
            staff,
            queue::NewRequest {
                store_id: m.store_id,
                subject_type: "Member",
                subject_id: m.id,
                payload: queue::Payload::PointsAdjust(PointsRequest {
                    amount: input.amount,
                }),
                reason: Some(reason),
                approver_role: Role::Director,
            },
        )
        .await?;
        return Ok((AdjustOutcome::Requested(request), None));
    }
    let (after, entry) =
        apply_adjust(txn, &m, input.amount, reason, staff.actor_id(), ctx.now()).await?;
    let audited = Some(audit::Entry {
        action: "member.pointsAdjust", target_type: "Member", target_id: Some(m.id), store_id: Some(m.store_id),
        before: Some(json!({ "points": m.points_balance })),
        after: Some(json!({ "points": after.points_balance, "amount": input.amount, "reason": entry.reason })),
        ..Default::default()
    });
    Ok((AdjustOutcome::Applied((after, entry)), audited))
})
.await
}

pub(crate) fn check_balance(m: &member::Model, amount: i64) -> Result<(), AppError> {
    if m.points_balance + amount < 0 {
        return Err(AppError::invalid(
            &["input", "amount"],
            ErrorCode::PointsInsufficient,
            format!(
                "the member has {} points; an adjustment of {amount} would go below zero",
                m.points_balance
            ),
        ));
    }
    Ok(())
}

/// Writes an ADJUST entry (no permission checks; also used when an approval is granted).
pub async fn apply_adjust(
    txn: &impl ConnectionTrait,
    m: &member::Model,
    amount: i64,
    reason: String,
    actor_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(member::Model, points_entry::Model), AppError> {
    write_entry(txn, m, PointsKind::Adjust, amount, reason, actor_id, at).await
}

/// Applies a points adjustment approved in the approval queue, on its transaction (refused
/// below zero as a direct one). Returns what was applied.
pub async fn apply_approved(
    txn: &impl ConnectionTrait,
    r: &entity::approval_request::Model,
    p: &PointsRequest,
    at: DateTime<Utc>,
) -> Result<serde_json::Value, AppError> {
    let m = member::Entity::find_by_id(r.subject_id)
        .one(txn)
        .await?
        .ok_or(AppError::not_found("member"))?;
    let reason = r.reason.clone().unwrap_or_default();
    let (after, _) = apply_adjust(txn, &m, p.amount, reason, Some(r.requested_by), at).await?;
    Ok(json!({ "memberId": after.id, "amount": p.amount, "points": after.points_balance }))
}

/// Writes one ledger entry and the member's new balance under the write lock; refuses to go
/// below zero (POINTS_INSUFFICIENT).
pub(crate) async fn write_entry(
    txn: &impl ConnectionTrait,
    m: &member::Model,
    kind: PointsKind,
    amount: i64,
    reason: String,
    actor_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(member::Model, points_entry::Model), AppError> {
    // Re-read under the write lock: the balance may have moved since the request.
    let m = member::Entity::find_by_id(m.id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AppError::not_found("member"))?;
    check_balance(&m, amount)?;
    let balance = m.points_balance + amount;
    let entry = points_entry::ActiveModel {
        store_id: Set(m.store_id),
        member_id: Set(m.id),
        kind: Set(kind.as_str().to_owned()),
        amount: Set(amount),
        balance_after: Set(balance),
        deficit_after: Set(m.points_deficit),
        multiplier_bp: Set(None),
        reason: Set(Some(reason)),
        order_id: Set(None),
        actor_id: Set(actor_id),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut am: member::ActiveModel = m.into();
    am.points_balance = Set(balance);
    am.updated_at = Set(at);
    Ok((am.update(txn).await?, entry))
}

/// `memberPointsRedeem` (MEMBER_EDIT): records what a member redeemed points for (a gift, a
/// coupon) as a REDEEM entry; the balance never goes below 0.
#[tracing::instrument(skip_all, fields(subject.id = member_id))]
pub async fn points_redeem(
    ctx: &ServiceCtx,
    member_id: i64,
    points: i64,
    item: &str,
) -> Result<(member::Model, points_entry::Model), AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberEdit, None)?;
    let item = text::required(item, &["input", "item"], "item", 200)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if !(1..=100_000_000).contains(&points) {
        return Err(AppError::invalid(
            &["input", "points"],
            ErrorCode::Invalid,
            "points must be between 1 and 100,000,000",
        ));
    }
    write(ctx, staff, async |txn| {
        let m = member_in_scope(txn, staff, member_id).await?;
        let (after, entry) = write_entry(
            txn,
            &m,
            PointsKind::Redeem,
            -points,
            item,
            staff.actor_id(),
            ctx.now(),
        )
        .await?;
        let record = audit::Entry {
            action: "member.pointsRedeem", target_type: "Member", target_id: Some(m.id), store_id: Some(m.store_id),
            before: Some(json!({ "points": m.points_balance })),
            after: Some(json!({ "points": after.points_balance, "redeemed": points, "item": entry.reason, "entryId": entry.id })),
            ..Default::default()
        };
        Ok(((after, entry), record))
    })
    .await
}

/// `memberPointsRedeemCancel` (MEMBER_EDIT): gives a redemption's points back, once.
#[tracing::instrument(skip_all, fields(subject.id = entry_id))]
pub async fn points_redeem_cancel(
    ctx: &ServiceCtx,
    entry_id: i64,
) -> Result<(member::Model, points_entry::Model), AppError> {
    use sea_orm::PaginatorTrait;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberEdit, None)?;
    write(ctx, staff, async |txn| {
        let redeem = crate::service::kernel::scope::get_in_scope::<points_entry::Entity>(
            txn, staff, entry_id, false,
        )
        .await?;
        // The member's row lock, taken before the check, makes "once" hold under concurrency: a
        // second cancel waits here and then sees the first one's entry.
        let m = member_for_update(txn, staff, redeem.member_id).await?;
        let reference = format!("cancels #{}", redeem.id);
        let cancelled = points_entry::Entity::find()
            .filter(points_entry::Column::MemberId.eq(redeem.member_id))
            .filter(points_entry::Column::Kind.eq(PointsKind::RedeemCancel.as_str()))
            .filter(points_entry::Column::Reason.eq(reference.clone()))
            .count(txn)
            .await?
            > 0;
        if redeem.kind != PointsKind::Redeem.as_str() || cancelled {
            return Err(AppError::invalid(
                &["input", "entryId"],
                ErrorCode::InvalidStateTransition,
                "only a redemption not cancelled yet can be cancelled",
            ));
        }
        let (after, entry) = write_entry(
            txn,
            &m,
            PointsKind::RedeemCancel,
            -redeem.amount,
            reference,
            staff.actor_id(),
            ctx.now(),
        )
        .await?;
        let record = audit::Entry {
            action: "member.pointsRedeemCancel",
            target_type: "Member",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "points": m.points_balance })),
            after: Some(json!({ "points": after.points_balance, "cancelledEntryId": redeem.id })),
            ..Default::default()
        };
        Ok(((after, entry), record))
    })
    .await
}
