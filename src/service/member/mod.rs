//! Members (会员): one per buyer per store, created by order imports. Tiers by the store's
//! thresholds, the points ledger, RFM segments, repurchase
//!, tags and notes, and buyers' phone numbers kept encrypted.
//!
//! Aggregates (tiers, segments, counts) are computed in SQL over the orders, never by loading
//! the rows into the server.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{member, member_tag, points_entry, store, tier_change};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{Access, Permission, Role, StoreScope};
use crate::db;
use crate::domain::text;
use crate::error::{AppError, ErrorCode, UserError};
use crate::service::kernel::approval_queue::{self as queue, PointsAdjust as PointsRequest};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::{ServiceCtx, kernel::audit, now};

// ---------------------------------------------------------------------------------------------
// Tiers

/// One tier of a store's tier list (`TIER_CONFIG`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierDef {
    pub code: String,
    pub name: String,
    pub min_spend_fen: i64,
    pub min_purchases: i64,
    /// `ANY` (either threshold) or `ALL` (both).
    #[serde(rename = "match")]
    pub match_rule: String,
    pub price_rate_bp: i32,
    pub points_multiplier_bp: i32,
}

impl TierDef {
    /// A threshold of 0 is no condition; a tier without conditions needs one purchase (no
    /// member holds a tier without buying).
    fn holds(&self, spend: i64, purchases: i64) -> bool {
        let mut conditions = Vec::with_capacity(2);
        if self.min_spend_fen > 0 {
            conditions.push(spend >= self.min_spend_fen);
        }
        if self.min_purchases > 0 {
            conditions.push(purchases >= self.min_purchases);
        }
        if conditions.is_empty() {
            return purchases >= 1;
        }
        if self.match_rule == "ALL" {
            conditions.iter().all(|c| *c)
        } else {
            conditions.iter().any(|c| *c)
        }
    }
}

/// The store's tiers, lowest first.
pub fn tiers(store: &store::Model) -> Vec<TierDef> {
    serde_json::from_str(&store.tiers_json).unwrap_or_default()
}

/// The tier the rule gives for a net spend and purchase count: the highest that holds.
pub fn tier_for(tiers: &[TierDef], spend: i64, purchases: i64) -> Option<&TierDef> {
    tiers.iter().rev().find(|t| t.holds(spend, purchases))
}

fn rank(tiers: &[TierDef], code: Option<&str>) -> i64 {
    code.and_then(|c| tiers.iter().position(|t| t.code == c))
        .map_or(-1, |i| i as i64)
}

/// Points multiplier of a tier (10,000 bp = ×1 below the lowest tier).
pub fn multiplier_bp(tiers: &[TierDef], code: Option<&str>) -> i32 {
    code.and_then(|c| tiers.iter().find(|t| t.code == c))
        .map_or(10_000, |t| t.points_multiplier_bp)
}

/// Why a tier changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierCause {
    OrderPaid,
    Refund,
    DailyReeval,
    Manual,
}

impl TierCause {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OrderPaid => "ORDER_PAID",
            Self::Refund => "REFUND",
            Self::DailyReeval => "DAILY_REEVAL",
            Self::Manual => "MANUAL",
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct TierBasisRow {
    id: i64,
    tier: Option<String>,
    tier_protected_until: Option<DateTime<Utc>>,
    tier_locked_until: Option<DateTime<Utc>>,
    spend: i64,
    purchases: i64,
}

/// Re-evaluates the tiers of the store's members (all of them, or `only`): net spend and
/// purchases in the basis window are summed in SQL; upgrades apply at once (and start the
/// protection period), downgrades only after it (保级期); a manual tier holds until its lock
/// ends. Each change is recorded. `event` is the cause of upgrades (downgrades of an order
/// event are REFUND). Returns how many tiers changed.
pub async fn reevaluate_tiers(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    only: Option<&[i64]>,
    event: TierCause,
) -> Result<usize, AppError> {
    let defs = tiers(store);
    let at = now();
    let since = if store.tier_basis == "LIFETIME" {
        DateTime::<Utc>::MIN_UTC
    } else {
        at - Duration::days(365)
    };
    let sql = "SELECT m.id AS id, m.tier AS tier, m.tier_protected_until AS tier_protected_until, \
         m.tier_locked_until AS tier_locked_until, \
         CAST(COALESCE(SUM(o.paid_fen - o.refunded_fen), 0) AS BIGINT) AS spend, \
         COUNT(DISTINCT CASE WHEN o.status <> 'REFUNDED' THEN o.paid_day END) AS purchases \
         FROM member m LEFT JOIN sales_order o ON o.member_id = m.id AND o.paid_at IS NOT NULL AND o.paid_at >= ? \
         WHERE m.store_id = ? {only} \
         GROUP BY m.id, m.tier, m.tier_protected_until, m.tier_locked_until";
    let mut changed = 0;
    let chunks: Vec<Option<&[i64]>> = match only {
        None => vec![None],
        Some(ids) => ids.chunks(1000).map(Some).collect(),
    };
    for chunk in chunks {
        let (filter, mut values): (String, Vec<sea_orm::Value>) = match chunk {
            None => (String::new(), Vec::new()),
            Some(ids) => (
                format!("AND m.id IN ({})", vec!["?"; ids.len()].join(",")),
                ids.iter().map(|i| (*i).into()).collect(),
            ),
        };
        let mut all: Vec<sea_orm::Value> = vec![since.into(), store.id.into()];
        all.append(&mut values);
        let rows = TierBasisRow::find_by_statement(db::raw(
            conn.get_database_backend(),
            &sql.replace("{only}", &filter),
            all,
        ))
        .all(conn)
        .await?;
        let mut groups: HashMap<(Option<String>, bool), Vec<i64>> = HashMap::new();
        let mut log = Vec::new();
        for r in rows {
            let target = tier_for(&defs, r.spend, r.purchases).map(|t| t.code.clone());
            if target == r.tier || r.tier_locked_until.is_some_and(|l| l > at) {
                continue;
            }
            let up = rank(&defs, target.as_deref()) > rank(&defs, r.tier.as_deref());
            if !up && r.tier_protected_until.is_some_and(|p| p > at) {
                continue;
            }
            let cause = match (up, event) {
                (_, TierCause::DailyReeval) => TierCause::DailyReeval,
                (true, _) => TierCause::OrderPaid,
                (false, _) => TierCause::Refund,
            };
            log.push(tier_change::ActiveModel {
                store_id: Set(store.id),
                member_id: Set(r.id),
                from_tier: Set(r.tier.clone()),
                to_tier: Set(target.clone()),
                cause: Set(cause.as_str().to_owned()),
                reason: Set(None),
                actor_id: Set(None),
                created_at: Set(at),
                ..Default::default()
            });
            groups.entry((target, up)).or_default().push(r.id);
        }
        changed += log.len();
        for part in log.chunks(2000) {
            tier_change::Entity::insert_many(part.to_vec())
                .exec(conn)
                .await?;
        }
        let protect = at + Duration::days(i64::from(store.tier_protection_days));
        for ((target, up), ids) in groups {
            for part in ids.chunks(1000) {
                let mut q = member::Entity::update_many()
                    .col_expr(member::Column::Tier, Expr::value(target.clone()))
                    .col_expr(member::Column::UpdatedAt, Expr::value(at));
                if up {
                    q = q.col_expr(member::Column::TierProtectedUntil, Expr::value(protect));
                }
                q.filter(member::Column::Id.is_in(part.to_vec()))
                    .exec(conn)
                    .await?;
            }
        }
    }
    Ok(changed)
}

/// The daily job: re-evaluates every store's tiers (rolling windows move, protection ends).
pub async fn daily_tier_job(db: &sea_orm::DatabaseConnection) -> Result<usize, AppError> {
    let mut changed = 0;
    for s in store::Entity::find().all(db).await? {
        let txn = db::begin_write(db).await?;
        changed += reevaluate_tiers(&txn, &s, None, TierCause::DailyReeval).await?;
        txn.commit().await?;
    }
    Ok(changed)
}

/// Runs the daily tier job once per UTC day: the server that claims the day (one conditional
/// write of `app_setting`) runs it; the others skip. Returns the changes when it ran.
pub async fn daily_tier_job_if_due(
    db: &sea_orm::DatabaseConnection,
) -> Result<Option<usize>, AppError> {
    use entity::app_setting;
    const KEY: &str = "daily_tier_job";
    let today = now().date_naive().to_string();
    let txn = db::begin_write(db).await?;
    db::lock(&txn, KEY).await?;
    let row = app_setting::Entity::find_by_id(KEY.to_owned())
        .one(&txn)
        .await?;
    if row.as_ref().is_some_and(|r| r.value == today) {
        return Ok(None);
    }
    let value = app_setting::ActiveModel {
        key: Set(KEY.to_owned()),
        value: Set(today),
        updated_at: Set(now()),
    };
    if row.is_some() {
        value.update(&txn).await?;
    } else {
        value.insert(&txn).await?;
    }
    txn.commit().await?;
    daily_tier_job(db).await.map(Some)
}

/// Recomputes members' order aggregates and points balance from the orders and the ledger
/// (set-based, in SQL).
pub async fn refresh_aggregates(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<(), AppError> {
    let at = now();
    for part in ids.chunks(1000) {
        let sql = format!(
            "UPDATE member SET \
             paid_order_count = (SELECT COUNT(*) FROM sales_order o WHERE o.member_id = member.id AND o.paid_at IS NOT NULL), \
             purchase_count = (SELECT COUNT(DISTINCT o.paid_day) FROM sales_order o WHERE o.member_id = member.id AND o.paid_at IS NOT NULL AND o.status <> 'REFUNDED'), \
             total_paid_fen = (SELECT CAST(COALESCE(SUM(o.paid_fen - o.refunded_fen), 0) AS BIGINT) FROM sales_order o WHERE o.member_id = member.id AND o.paid_at IS NOT NULL), \
             first_order_at = COALESCE((SELECT MIN(o.ordered_at) FROM sales_order o WHERE o.member_id = member.id), first_order_at), \
             last_order_at = COALESCE((SELECT MAX(o.ordered_at) FROM sales_order o WHERE o.member_id = member.id), last_order_at), \
             points_balance = COALESCE((SELECT p.balance_after FROM points_entry p WHERE p.member_id = member.id ORDER BY p.id DESC LIMIT 1), 0), \
             points_deficit = COALESCE((SELECT p.deficit_after FROM points_entry p WHERE p.member_id = member.id ORDER BY p.id DESC LIMIT 1), 0), \
             updated_at = ? \
             WHERE id IN ({})",
            vec!["?"; part.len()].join(",")
        );
        let mut values: Vec<sea_orm::Value> = vec![at.into()];
        values.extend(part.iter().map(|i| sea_orm::Value::from(*i)));
        conn.execute_raw(db::raw(conn.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

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

    fn push(
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

/// Outcome of a points adjustment.
pub enum AdjustOutcome {
    Applied(member::Model, points_entry::Model),
    Requested(entity::approval_request::Model),
}

/// `memberPointsAdjust` (POINTS_ADJUST): directors any amount; specialists up to the store's
/// limit (default 500 points either way), beyond it APPROVAL_REQUIRED or, with
/// `request_approval`, an approval request for a director. The balance never goes below 0.
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
    let txn = db::begin_write(&ctx.db).await?;
    let m = member_in_scope(&txn, staff, input.member_id).await?;
    let access = staff.require(Permission::PointsAdjust, Some(m.store_id))?;
    let store = crate::service::store::load(&txn, m.store_id).await?;
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
            &txn,
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
        txn.commit().await?;
        return Ok(AdjustOutcome::Requested(request));
    }
    let (after, entry) = apply_adjust(&txn, &m, input.amount, reason, staff.actor_id()).await?;
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "member.pointsAdjust", target_type: "Member", target_id: Some(m.id), store_id: Some(m.store_id),
        before: Some(json!({ "points": m.points_balance })),
        after: Some(json!({ "points": after.points_balance, "amount": input.amount, "reason": entry.reason })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    Ok(AdjustOutcome::Applied(after, entry))
}

fn check_balance(m: &member::Model, amount: i64) -> Result<(), AppError> {
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
) -> Result<(member::Model, points_entry::Model), AppError> {
    write_entry(txn, m, PointsKind::Adjust, amount, reason, actor_id).await
}

/// Applies a points adjustment approved in the approval queue, on its transaction (refused
/// below zero as a direct one). Returns what was applied.
pub async fn apply_approved(
    txn: &impl ConnectionTrait,
    r: &entity::approval_request::Model,
    p: &PointsRequest,
) -> Result<serde_json::Value, AppError> {
    let m = member::Entity::find_by_id(r.subject_id)
        .one(txn)
        .await?
        .ok_or(AppError::not_found("member"))?;
    let reason = r.reason.clone().unwrap_or_default();
    let (after, _) = apply_adjust(txn, &m, p.amount, reason, Some(r.requested_by)).await?;
    Ok(json!({ "memberId": after.id, "amount": p.amount, "points": after.points_balance }))
}

/// Writes one ledger entry and the member's new balance under the write lock; refuses to go
/// below zero (POINTS_INSUFFICIENT).
async fn write_entry(
    txn: &impl ConnectionTrait,
    m: &member::Model,
    kind: PointsKind,
    amount: i64,
    reason: String,
    actor_id: Option<i64>,
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
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut am: member::ActiveModel = m.into();
    am.points_balance = Set(balance);
    am.updated_at = Set(now());
    Ok((am.update(txn).await?, entry))
}

/// `memberPointsRedeem` (MEMBER_EDIT): records what a member redeemed points for (a gift, a
/// coupon) as a REDEEM entry; the balance never goes below 0.
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
    let txn = db::begin_write(&ctx.db).await?;
    let m = member_in_scope(&txn, staff, member_id).await?;
    let (after, entry) = write_entry(
        &txn,
        &m,
        PointsKind::Redeem,
        -points,
        item,
        staff.actor_id(),
    )
    .await?;
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "member.pointsRedeem", target_type: "Member", target_id: Some(m.id), store_id: Some(m.store_id),
        before: Some(json!({ "points": m.points_balance })),
        after: Some(json!({ "points": after.points_balance, "redeemed": points, "item": entry.reason, "entryId": entry.id })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    Ok((after, entry))
}

/// `memberPointsRedeemCancel` (MEMBER_EDIT): gives a redemption's points back, once.
pub async fn points_redeem_cancel(
    ctx: &ServiceCtx,
    entry_id: i64,
) -> Result<(member::Model, points_entry::Model), AppError> {
    use sea_orm::PaginatorTrait;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberEdit, None)?;
    let txn = db::begin_write(&ctx.db).await?;
    let redeem = points_entry::Entity::find_by_id(entry_id)
        .one(&txn)
        .await?
        .filter(|e| staff.sees_store(e.store_id))
        .ok_or(AppError::not_found("points entry"))?;
    // The member's row lock, taken before the check, makes "once" hold under concurrency: a
    // second cancel waits here and then sees the first one's entry.
    let m = member_for_update(&txn, staff, redeem.member_id).await?;
    let reference = format!("cancels #{}", redeem.id);
    let cancelled = points_entry::Entity::find()
        .filter(points_entry::Column::MemberId.eq(redeem.member_id))
        .filter(points_entry::Column::Kind.eq(PointsKind::RedeemCancel.as_str()))
        .filter(points_entry::Column::Reason.eq(reference.clone()))
        .count(&txn)
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
        &txn,
        &m,
        PointsKind::RedeemCancel,
        -redeem.amount,
        reference,
        staff.actor_id(),
    )
    .await?;
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "member.pointsRedeemCancel",
            target_type: "Member",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "points": m.points_balance })),
            after: Some(json!({ "points": after.points_balance, "cancelledEntryId": redeem.id })),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok((after, entry))
}

// ---------------------------------------------------------------------------------------------
// Members: lookups, edits

/// A member inside the viewer's stores, else NOT_FOUND.
pub async fn member_in_scope(
    conn: &impl ConnectionTrait,
    staff: &crate::auth::Staff,
    id: i64,
) -> Result<member::Model, AppError> {
    member::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|m| staff.sees_store(m.store_id))
        .ok_or(AppError::not_found("member"))
}

/// [`member_in_scope`] with the row locked until the transaction ends (PostgreSQL; SQLite's
/// write transactions are serial anyway): the check-then-write of every "once" or "at most N"
/// rule on a member comes after this.
pub async fn member_for_update(
    conn: &impl ConnectionTrait,
    staff: &crate::auth::Staff,
    id: i64,
) -> Result<member::Model, AppError> {
    member::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|m| staff.sees_store(m.store_id))
        .ok_or(AppError::not_found("member"))
}

/// `member(id)` (MEMBER_VIEW).
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<member::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, None)?;
    member_in_scope(&ctx.db, staff, id).await
}

/// The phone as the viewer may see it: in full with MEMBER_PII_VIEW, else masked.
pub fn phone_for(ctx: &ServiceCtx, m: &member::Model) -> Option<String> {
    let full = ctx
        .viewer
        .staff()
        .is_ok_and(|s| s.can(Permission::MemberPiiView, m.store_id, false));
    if full && let Some(c) = &m.phone_cipher {
        return match ctx.pii.decrypt(c) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::error!(member.id = m.id, error = %e, "phone does not decrypt");
                m.phone_masked.clone()
            }
        };
    }
    m.phone_masked.clone()
}

/// `memberPiiReveal` (specialists; directors see it anyway): the full phone once, with a reason,
/// audited, at most the store's daily number of reveals per staff member (RATE_LIMITED).
pub async fn pii_reveal(
    ctx: &ServiceCtx,
    id: i64,
    reason: &str,
) -> Result<Option<String>, AppError> {
    use sea_orm::PaginatorTrait;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, None)?;
    let reason = text::required(reason, &["input", "reason"], "reason", 400)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let txn = db::begin_write(&ctx.db).await?;
    let m = member_in_scope(&txn, staff, id).await?;
    match staff.role {
        Role::Director | Role::Specialist => {}
        Role::Assistant => return Err(AppError::forbidden(Permission::MemberPiiView)),
    }
    let store = crate::service::store::load(&txn, m.store_id).await?;
    // The viewer's own staff row, locked before counting, so concurrent reveals queue and the
    // daily limit holds exactly.
    entity::staff::Entity::find_by_id(staff.id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let since = now() - Duration::hours(24);
    let used = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::ActorId.eq(staff.id))
        .filter(entity::audit_log::Column::Action.eq("member.piiReveal"))
        .filter(entity::audit_log::Column::CreatedAt.gt(since))
        .count(&txn)
        .await?;
    if staff.role == Role::Specialist && used >= store.pii_reveals_per_day.max(0) as u64 {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    let phone = match &m.phone_cipher {
        Some(c) => Some(
            ctx.pii
                .decrypt(c)
                .map_err(|e| AppError::Internal(e.into()))?,
        ),
        None => None,
    };
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "member.piiReveal",
            target_type: "Member",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            after: Some(json!({ "field": "phone", "reason": reason })),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(phone)
}

/// Input of `memberUpdate`; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct MemberUpdate {
    pub id: i64,
    pub nick: Option<String>,
    /// `Some("")` clears the note.
    pub note: Option<String>,
    pub tags: Option<Vec<String>>,
}

fn clean_tags(tags: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for (i, t) in tags.iter().enumerate() {
        let idx = i.to_string();
        let t = text::required(t, &["input", "tags", &idx], "a tag", 20)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > 20 {
        return Err(AppError::invalid(
            &["input", "tags"],
            ErrorCode::Invalid,
            "a member has at most 20 tags",
        ));
    }
    Ok(out)
}

/// The member's tags, in name order.
pub async fn tags_of(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for t in member_tag::Entity::find()
        .filter(member_tag::Column::MemberId.is_in(ids.to_vec()))
        .all(conn)
        .await?
    {
        out.entry(t.member_id).or_default().push(t.tag);
    }
    for v in out.values_mut() {
        v.sort();
    }
    Ok(out)
}

async fn replace_tags(
    conn: &impl ConnectionTrait,
    m: &member::Model,
    tags: &[String],
) -> Result<(), AppError> {
    member_tag::Entity::delete_many()
        .filter(member_tag::Column::MemberId.eq(m.id))
        .exec(conn)
        .await?;
    if !tags.is_empty() {
        member_tag::Entity::insert_many(tags.iter().map(|t| member_tag::ActiveModel {
            member_id: Set(m.id),
            tag: Set(t.clone()),
            store_id: Set(m.store_id),
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// `memberUpdate` (MEMBER_EDIT): nickname (directors and specialists), note and tags (everyone
/// with MEMBER_EDIT).
pub async fn update(ctx: &ServiceCtx, input: MemberUpdate) -> Result<member::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let access = staff.require(Permission::MemberEdit, None)?;
    if input.nick.is_some() && access == Access::Limited {
        return Err(AppError::Forbidden(crate::error::ForbiddenReason::Other(
            "assistants may edit members' tags and notes, not nicknames",
        )));
    }
    let nick = input
        .nick
        .as_deref()
        .map(|n| text::required(n, &["input", "nick"], "nick", 64))
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let note = match input.note.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(n) => Some(Some(
            text::required(n, &["input", "note"], "note", 1000)
                .map_err(|e| AppError::Invalid(vec![e]))?,
        )),
    };
    let tags = input.tags.as_deref().map(clean_tags).transpose()?;
    let txn = db::begin_write(&ctx.db).await?;
    let m = member_for_update(&txn, staff, input.id).await?;
    let before_tags = tags_of(&txn, &[m.id])
        .await?
        .remove(&m.id)
        .unwrap_or_default();
    let mut am: member::ActiveModel = m.clone().into();
    if let Some(n) = &nick {
        am.nick = Set(n.clone());
    }
    if let Some(n) = &note {
        am.note = Set(n.clone());
    }
    am.updated_at = Set(now());
    let after = am.update(&txn).await?;
    if let Some(t) = &tags {
        replace_tags(&txn, &m, t).await?;
    }
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "member.update", target_type: "Member", target_id: Some(m.id), store_id: Some(m.store_id),
        before: Some(json!({ "nick": m.nick, "note": m.note.is_some(), "tags": before_tags })),
        after: Some(json!({ "nick": after.nick, "note": after.note.is_some(), "tags": tags.unwrap_or(before_tags) })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    Ok(after)
}

/// `memberTagsSet` (MEMBER_EDIT): adds and removes tags on many members of one store at once.
pub async fn tags_set(
    ctx: &ServiceCtx,
    ids: &[i64],
    add: &[String],
    remove: &[String],
) -> Result<Vec<member::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberEdit, None)?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(AppError::invalid(
            &["input", "memberIds"],
            ErrorCode::Invalid,
            "give 1 to 100 members",
        ));
    }
    let add = clean_tags(add)?;
    let remove = clean_tags(remove)?;
    if add.is_empty() && remove.is_empty() {
        return Err(AppError::invalid(
            &["input", "add"],
            ErrorCode::Blank,
            "give tags to add or to remove",
        ));
    }
    let txn = db::begin_write(&ctx.db).await?;
    // Lock the members in id order (no deadlock between overlapping calls) before reading
    // their tags: concurrent edits of one member queue instead of overwriting each other.
    // One statement; a member outside the viewer's stores is as missing as one that is not.
    use sea_orm::QueryOrder;
    let members: Vec<member::Model> = member::Entity::find()
        .filter(member::Column::Id.is_in(ids.to_vec()))
        .order_by_asc(member::Column::Id)
        .lock_exclusive()
        .all(&txn)
        .await?
        .into_iter()
        .filter(|m| staff.sees_store(m.store_id))
        .collect();
    if ids.iter().any(|id| !members.iter().any(|m| m.id == *id)) {
        return Err(AppError::not_found("member"));
    }
    let member_ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let current = tags_of(&txn, &member_ids).await?;
    for m in &members {
        let i = ids.iter().position(|id| *id == m.id).unwrap_or_default();
        let mut tags = current.get(&m.id).cloned().unwrap_or_default();
        tags.retain(|t| !remove.contains(t));
        for t in &add {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        if tags.len() > 20 {
            return Err(AppError::invalid(
                &["input", "memberIds", &i.to_string()],
                ErrorCode::Invalid,
                "a member has at most 20 tags",
            ));
        }
        replace_tags(&txn, m, &tags).await?;
        audit::record_as(
            &txn,
            ctx,
            staff,
            audit::Entry {
                action: "member.tagsSet",
                target_type: "Member",
                target_id: Some(m.id),
                store_id: Some(m.store_id),
                before: Some(json!({ "tags": current.get(&m.id).cloned().unwrap_or_default() })),
                after: Some(json!({ "tags": tags })),
                ..Default::default()
            },
        )
        .await?;
    }
    txn.commit().await?;
    // Answer in the order asked.
    Ok(ids
        .iter()
        .filter_map(|id| members.iter().find(|m| m.id == *id).cloned())
        .collect())
}

/// `memberTierSet` (TIER_CONFIG): a director sets a tier by hand with a reason; it holds for
/// one protection period.
pub async fn tier_set(
    ctx: &ServiceCtx,
    id: i64,
    tier: Option<&str>,
    reason: &str,
) -> Result<member::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::TierConfig, None)?;
    let reason = text::required(reason, &["input", "reason"], "reason", 400)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let txn = db::begin_write(&ctx.db).await?;
    let m = member_in_scope(&txn, staff, id).await?;
    let store = crate::service::store::load(&txn, m.store_id).await?;
    let defs = tiers(&store);
    if let Some(t) = tier
        && !defs.iter().any(|d| d.code == t)
    {
        return Err(AppError::invalid(
            &["input", "tier"],
            ErrorCode::Invalid,
            format!(
                "no tier {t} in this store (tiers: {})",
                defs.iter()
                    .map(|d| d.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let at = now();
    let until = at + Duration::days(i64::from(store.tier_protection_days.max(1)));
    tier_change::ActiveModel {
        store_id: Set(m.store_id),
        member_id: Set(m.id),
        from_tier: Set(m.tier.clone()),
        to_tier: Set(tier.map(str::to_owned)),
        cause: Set(TierCause::Manual.as_str().to_owned()),
        reason: Set(Some(reason.clone())),
        actor_id: Set(staff.actor_id()),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut am: member::ActiveModel = m.clone().into();
    am.tier = Set(tier.map(str::to_owned));
    am.tier_locked_until = Set(Some(until));
    am.tier_protected_until = Set(Some(until));
    am.updated_at = Set(at);
    let after = am.update(&txn).await?;
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "member.tierSet",
            target_type: "Member",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "tier": m.tier })),
            after: Some(json!({ "tier": after.tier, "reason": reason, "until": until })),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// `storeTiersSet` (TIER_CONFIG): replaces a store's tier list and basis, then re-evaluates
/// every member at once.
pub async fn store_tiers_set(
    ctx: &ServiceCtx,
    store_id: i64,
    defs: Vec<TierDef>,
    basis: Option<&str>,
    points_per_yuan: Option<i32>,
) -> Result<store::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::TierConfig, Some(store_id))?;
    let mut errors = Vec::new();
    if defs.is_empty() || defs.len() > 10 {
        errors.push(UserError::new(
            &["input", "tiers"],
            ErrorCode::Invalid,
            "give 1 to 10 tiers",
        ));
    }
    for (i, d) in defs.iter().enumerate() {
        let idx = i.to_string();
        let f = |name: &str| vec!["input".to_owned(), "tiers".into(), idx.clone(), name.into()];
        let bad = |name: &str, msg: &str| UserError {
            field: f(name),
            code: ErrorCode::Invalid,
            message: msg.to_owned(),
        };
        if d.code.is_empty()
            || d.code.len() > 16
            || !d
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            errors.push(bad("code", "a code is 1–16 letters, digits or _"));
        }
        if defs[..i].iter().any(|o| o.code == d.code) {
            errors.push(bad("code", "codes must differ"));
        }
        if text::is_blank(&d.name) || d.name.chars().count() > 20 {
            errors.push(bad("name", "a name is 1–20 characters"));
        }
        if d.min_spend_fen < 0 || d.min_purchases < 0 {
            errors.push(bad("minSpend", "thresholds must not be negative"));
        }
        if !(100..=10_000).contains(&d.price_rate_bp) {
            errors.push(bad(
                "priceRate",
                "the tier discount is 0.1–10折 (100–10000 bp)",
            ));
        }
        if !(0..=100_000).contains(&d.points_multiplier_bp) {
            errors.push(bad(
                "pointsMultiplier",
                "the points multiplier is 0–10× (0–100000 bp)",
            ));
        }
        if i > 0 {
            let p = &defs[i - 1];
            if d.min_spend_fen < p.min_spend_fen || d.min_purchases < p.min_purchases {
                errors.push(bad(
                    "minSpend",
                    "each tier's thresholds must be at least the previous tier's",
                ));
            }
        }
    }
    if let Some(b) = basis
        && b != "ROLLING_12M"
        && b != "LIFETIME"
    {
        errors.push(UserError::new(
            &["input", "basis"],
            ErrorCode::Invalid,
            "ROLLING_12M or LIFETIME",
        ));
    }
    if let Some(p) = points_per_yuan
        && !(0..=100).contains(&p)
    {
        errors.push(UserError::new(
            &["input", "pointsPerYuan"],
            ErrorCode::Invalid,
            "0 to 100 points per yuan",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let txn = db::begin_write(&ctx.db).await?;
    let s = crate::service::store::load(&txn, store_id).await?;
    let mut am: store::ActiveModel = s.clone().into();
    am.tiers_json = Set(serde_json::to_string(&defs).map_err(|e| AppError::Internal(e.into()))?);
    if let Some(b) = basis {
        am.tier_basis = Set(b.to_owned());
    }
    if let Some(p) = points_per_yuan {
        am.points_per_yuan = Set(p);
    }
    am.updated_at = Set(now());
    let after = am.update(&txn).await?;
    let changed = reevaluate_tiers(&txn, &after, None, TierCause::DailyReeval).await?;
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "store.tiersSet", target_type: "Store", target_id: Some(s.id), store_id: Some(s.id),
        before: serde_json::from_str(&s.tiers_json).ok(),
        after: Some(json!({ "tiers": defs, "basis": after.tier_basis, "pointsPerYuan": after.points_per_yuan, "membersChanged": changed })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------------
// Lists

/// Sort keys of `members`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberSort {
    Id,
    LastOrderAt,
    TotalPaid,
    Points,
}

/// Filters of `members`.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    pub store_id: Option<i64>,
    pub tier: Option<String>,
    /// Requires `store_id`; as of `segment_as_of` (default: today in the store's time zone).
    pub segment: Option<Segment>,
    pub segment_as_of: Option<NaiveDate>,
    pub tag: Option<String>,
    pub last_order_from: Option<DateTime<Utc>>,
    pub last_order_to: Option<DateTime<Utc>>,
    pub min_spend_fen: Option<i64>,
    pub max_spend_fen: Option<i64>,
    pub phone: Option<String>,
    pub nick_contains: Option<String>,
}

/// `members` (MEMBER_VIEW).
pub async fn list(
    ctx: &ServiceCtx,
    filter: MemberFilter,
    sort: MemberSort,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<member::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, filter.store_id)?;
    let name = match sort {
        MemberSort::Id => "ID",
        MemberSort::LastOrderAt => "LAST_ORDER_AT",
        MemberSort::TotalPaid => "TOTAL_PAID",
        MemberSort::Points => "POINTS",
    };
    let args = PageArgs::parse(window, reverse, name)?;
    let mut q = member::Entity::find();
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(member::Column::StoreId.is_in(stores));
    }
    if let Some(s) = filter.store_id {
        q = q.filter(member::Column::StoreId.eq(s));
    }
    if let Some(t) = &filter.tier {
        q = q.filter(member::Column::Tier.eq(t.clone()));
    }
    if let Some(t) = &filter.tag {
        q = q.filter(
            member::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(member_tag::Column::MemberId)
                    .from(member_tag::Entity)
                    .and_where(member_tag::Column::Tag.eq(t.trim()))
                    .to_owned(),
            ),
        );
    }
    if let Some(v) = filter.last_order_from {
        q = q.filter(member::Column::LastOrderAt.gte(v));
    }
    if let Some(v) = filter.last_order_to {
        q = q.filter(member::Column::LastOrderAt.lt(v));
    }
    if let Some(v) = filter.min_spend_fen {
        q = q.filter(member::Column::TotalPaidFen.gte(v));
    }
    if let Some(v) = filter.max_spend_fen {
        q = q.filter(member::Column::TotalPaidFen.lte(v));
    }
    if let Some(p) = &filter.phone {
        let Some(n) = crate::domain::pii::normalise_phone(p) else {
            return Err(AppError::invalid(
                &["filter", "phone"],
                ErrorCode::Invalid,
                "not a phone number",
            ));
        };
        q = q.filter(member::Column::PhoneHash.eq(ctx.pii.lookup_hash(&n)));
    }
    if let Some(n) = filter
        .nick_contains
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        use sea_orm::sea_query::ExprTrait;
        q = q.filter(
            Expr::col(member::Column::Nick)
                .like(LikeExpr::new(crate::service::store::like_pattern(n.trim())).escape('\\')),
        );
    }
    if let Some(seg) = filter.segment {
        let Some(store_id) = filter.store_id else {
            return Err(AppError::invalid(
                &["filter", "storeId"],
                ErrorCode::BadUserInput,
                "a segment filter needs a store: segments are computed per store",
            ));
        };
        let s = crate::service::store::load(&ctx.db, store_id).await?;
        let as_of = filter
            .segment_as_of
            .unwrap_or_else(|| crate::service::store::today(&s));
        let (sql, mut values) = rfm_sql(store_id, epoch_day(as_of));
        values.push(seg.as_str().into());
        q = q.filter(db::cust(
            ctx.db.get_database_backend(),
            &format!("member.id IN (SELECT member_id FROM ({sql}) rfm WHERE segment = ?)"),
            values,
        ));
    }
    match sort {
        MemberSort::Id => {
            page::fetch(
                &ctx.db,
                q,
                ("ID", member::Column::Id, |m| CursorKey::Int(m.id)),
                member::Column::Id,
                |m| m.id,
                &args,
            )
            .await
        }
        MemberSort::LastOrderAt => {
            page::fetch(
                &ctx.db,
                q,
                ("LAST_ORDER_AT", member::Column::LastOrderAt, |m| {
                    CursorKey::Time(m.last_order_at)
                }),
                member::Column::Id,
                |m| m.id,
                &args,
            )
            .await
        }
        MemberSort::TotalPaid => {
            page::fetch(
                &ctx.db,
                q,
                ("TOTAL_PAID", member::Column::TotalPaidFen, |m| {
                    CursorKey::Int(m.total_paid_fen)
                }),
                member::Column::Id,
                |m| m.id,
                &args,
            )
            .await
        }
        MemberSort::Points => {
            page::fetch(
                &ctx.db,
                q,
                ("POINTS", member::Column::PointsBalance, |m| {
                    CursorKey::Int(m.points_balance)
                }),
                member::Column::Id,
                |m| m.id,
                &args,
            )
            .await
        }
    }
}

/// A member's points ledger, newest first unless `reverse`.
pub async fn points_ledger(
    ctx: &ServiceCtx,
    member_id: i64,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<points_entry::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, None)?;
    member_in_scope(&ctx.db, staff, member_id).await?;
    let args = PageArgs::parse(window, !reverse, "ID")?;
    let q = points_entry::Entity::find().filter(points_entry::Column::MemberId.eq(member_id));
    page::fetch(
        &ctx.db,
        q,
        ("ID", points_entry::Column::Id, |m| CursorKey::Int(m.id)),
        points_entry::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}

/// `node(id:)` of a points entry (MEMBER_VIEW, the member's store).
pub async fn points_entry_get(ctx: &ServiceCtx, id: i64) -> Result<points_entry::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, None)?;
    points_entry::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .filter(|e| staff.sees_store(e.store_id))
        .ok_or(AppError::not_found("points entry"))
}

/// `node(id:)` of a tier change (MEMBER_VIEW, the member's store).
pub async fn tier_change_get(ctx: &ServiceCtx, id: i64) -> Result<tier_change::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, None)?;
    tier_change::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .filter(|e| staff.sees_store(e.store_id))
        .ok_or(AppError::not_found("tier change"))
}

/// Members by id within the viewer's stores (loader).
pub async fn by_ids(ctx: &ServiceCtx, ids: &[i64]) -> Result<Vec<member::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, None)?;
    let mut q = member::Entity::find().filter(member::Column::Id.is_in(ids.to_vec()));
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(member::Column::StoreId.is_in(stores));
    }
    Ok(q.all(&ctx.db).await?)
}

/// A member's tier changes, newest first.
pub async fn tier_changes(
    ctx: &ServiceCtx,
    member_id: i64,
) -> Result<Vec<tier_change::Model>, AppError> {
    use sea_orm::QueryOrder;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, None)?;
    member_in_scope(&ctx.db, staff, member_id).await?;
    Ok(tier_change::Entity::find()
        .filter(tier_change::Column::MemberId.eq(member_id))
        .order_by_desc(tier_change::Column::Id)
        .limit(100)
        .all(&ctx.db)
        .await?)
}

// ---------------------------------------------------------------------------------------------
// Days, RFM, repurchase

/// Days since 1970-01-01 of a calendar day.
pub fn epoch_day(d: NaiveDate) -> i32 {
    (d - NaiveDate::default()).num_days() as i32
}

/// The calendar day of an epoch-day number.
pub fn day_date(day: i32) -> NaiveDate {
    NaiveDate::default() + Duration::days(i64::from(day))
}

pub use crate::domain::rfm::Segment;

/// The RFM query of a store as of an epoch day: one row per member with a purchase up to that
/// day (`member_id, days_since, purchases, monetary, r, f, m, segment`). Purchases are paid
/// orders not fully refunded, one per member per paid day; the window is the 365 days
/// ending on the day; M is `ceil(5k/n)` over members with a purchase in the window, where k
/// counts those who spent at most as much (ties share a score).
pub fn rfm_sql(store_id: i64, day: i32) -> (String, Vec<sea_orm::Value>) {
    let window_start = day - 364;
    // p: per member (a purchase = a distinct paid day); w: M ranks among members with a purchase
    // in the window (k: how many spent at most as much, n: how many); s: scores. One pass over
    // the orders, in member order through a covering index (measured: two-level aggregation per
    // member-day was 2–3× slower on both databases). `+paid_day` keeps SQLite from choosing the
    // paid-day index, which would need a sort for the grouping; a NULL day fails `<=` anyway.
    let sql = "WITH p AS (SELECT o.member_id AS member_id, MAX(o.paid_day) AS last_day, MIN(o.paid_day) AS first_day, \
                 COUNT(DISTINCT CASE WHEN o.paid_day >= ? THEN o.paid_day END) AS purchases, \
                 CAST(SUM(CASE WHEN o.paid_day >= ? THEN o.paid_fen - o.refunded_fen ELSE 0 END) AS BIGINT) AS monetary \
               FROM sales_order o \
               WHERE o.store_id = ? AND +o.paid_day <= ? AND o.status <> 'REFUNDED' \
               GROUP BY o.member_id), \
         w AS (SELECT member_id, last_day, first_day, purchases, monetary, \
                 COUNT(*) OVER (PARTITION BY CASE WHEN purchases > 0 THEN 1 ELSE 0 END ORDER BY monetary) AS k, \
                 COUNT(*) OVER (PARTITION BY CASE WHEN purchases > 0 THEN 1 ELSE 0 END) AS n \
               FROM p), \
         s AS (SELECT member_id, ? - last_day AS days_since, ? - first_day AS first_days, \
                 CAST(purchases AS BIGINT) AS purchases, monetary, \
                 CAST(CASE WHEN ? - last_day <= 30 THEN 5 WHEN ? - last_day <= 60 THEN 4 \
                      WHEN ? - last_day <= 90 THEN 3 WHEN ? - last_day <= 180 THEN 2 ELSE 1 END AS BIGINT) AS r, \
                 CAST(CASE WHEN purchases >= 10 THEN 5 WHEN purchases >= 6 THEN 4 \
                      WHEN purchases >= 3 THEN 3 WHEN purchases = 2 THEN 2 ELSE 1 END AS BIGINT) AS f, \
                 CAST(CASE WHEN purchases > 0 THEN (5 * k + n - 1) / n ELSE 1 END AS BIGINT) AS m \
               FROM w) \
         SELECT member_id, days_since, purchases, monetary, r, f, m, \
           CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'HIGH_VALUE' \
                WHEN f >= 4 AND r >= 3 THEN 'LOYAL' \
                WHEN r <= 2 AND (f >= 3 OR m >= 4) THEN 'AT_RISK' \
                WHEN first_days <= 30 AND purchases = 1 THEN 'NEW' \
                WHEN r >= 4 AND f <= 3 THEN 'POTENTIAL' \
                WHEN r = 1 THEN 'LOST' \
                ELSE 'HIBERNATING' END AS segment \
         FROM s"
        .to_owned();
    let d = i64::from(day);
    let ws = i64::from(window_start);
    let values: Vec<sea_orm::Value> = vec![
        ws.into(),
        ws.into(),
        store_id.into(),
        d.into(),
        d.into(),
        d.into(),
        d.into(),
        d.into(),
        d.into(),
        d.into(),
    ];
    (sql, values)
}

/// One member's RFM figures.
#[derive(Debug, Clone, FromQueryResult)]
pub struct RfmRow {
    pub member_id: i64,
    pub days_since: i64,
    pub purchases: i64,
    pub monetary: i64,
    pub r: i64,
    pub f: i64,
    pub m: i64,
    pub segment: String,
}

/// RFM figures of some members of a store as of a day (members without a purchase by then are
/// absent).
pub async fn rfm_of(
    conn: &impl ConnectionTrait,
    store_id: i64,
    as_of: NaiveDate,
    ids: &[i64],
) -> Result<Vec<RfmRow>, AppError> {
    let (sql, mut values) = rfm_sql(store_id, epoch_day(as_of));
    let mut out = Vec::new();
    for part in ids.chunks(500) {
        let mut v = values.clone();
        v.extend(part.iter().map(|i| sea_orm::Value::from(*i)));
        let q = format!(
            "SELECT * FROM ({sql}) rfm WHERE member_id IN ({})",
            vec!["?"; part.len()].join(",")
        );
        out.extend(
            RfmRow::find_by_statement(db::raw(conn.get_database_backend(), &q, v))
                .all(conn)
                .await?,
        );
    }
    values.clear();
    Ok(out)
}

/// One segment's figures.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SegmentRow {
    pub segment: String,
    pub members: i64,
    pub monetary: i64,
    /// Of them, buyers with a purchase in the window.
    pub buyers: i64,
    /// Of them, buyers with two or more.
    pub repeat_buyers: i64,
}

/// Figures of `memberSegments`.
#[derive(Debug, Clone)]
pub struct SegmentReport {
    pub store_id: i64,
    pub as_of: NaiveDate,
    pub window_start: NaiveDate,
    pub rows: Vec<SegmentRow>,
    pub members: i64,
    pub monetary: i64,
    pub repurchase: Repurchase,
}

/// `memberSegments(storeId, asOf)` (MEMBER_VIEW): counts and net spend per segment, in SQL.
pub async fn segments(
    ctx: &ServiceCtx,
    store_id: i64,
    as_of: Option<NaiveDate>,
) -> Result<SegmentReport, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, Some(store_id))?;
    let store = crate::service::store::load(&ctx.db, store_id).await?;
    let as_of = as_of.unwrap_or_else(|| crate::service::store::today(&store));
    let (sql, values) = rfm_sql(store_id, epoch_day(as_of));
    let q = format!(
        "SELECT segment, COUNT(*) AS members, CAST(SUM(monetary) AS BIGINT) AS monetary, \
         CAST(SUM(CASE WHEN purchases >= 1 THEN 1 ELSE 0 END) AS BIGINT) AS buyers, \
         CAST(SUM(CASE WHEN purchases >= 2 THEN 1 ELSE 0 END) AS BIGINT) AS repeat_buyers \
         FROM ({sql}) rfm GROUP BY segment"
    );
    let found = SegmentRow::find_by_statement(db::raw(ctx.db.get_database_backend(), &q, values))
        .all(&ctx.db)
        .await?;
    let rows: Vec<SegmentRow> = Segment::ALL
        .iter()
        .map(|s| {
            found
                .iter()
                .find(|r| r.segment == s.as_str())
                .cloned()
                .unwrap_or(SegmentRow {
                    segment: s.as_str().to_owned(),
                    members: 0,
                    monetary: 0,
                    buyers: 0,
                    repeat_buyers: 0,
                })
        })
        .collect();
    let window_start = as_of - Duration::days(364);
    // The window's purchases are the RFM window's: 复购率 comes from the same pass.
    let repurchase = Repurchase {
        buyers: found.iter().map(|r| r.buyers).sum(),
        repeat_buyers: found.iter().map(|r| r.repeat_buyers).sum(),
    };
    Ok(SegmentReport {
        store_id,
        as_of,
        window_start,
        members: rows.iter().map(|r| r.members).sum(),
        monetary: rows.iter().map(|r| r.monetary).sum(),
        rows,
        repurchase,
    })
}

/// Repurchase figures of a window.
#[derive(Debug, Clone, Copy, FromQueryResult)]
pub struct Repurchase {
    /// Buyers with at least one purchase in the window.
    pub buyers: i64,
    /// Buyers with at least two.
    pub repeat_buyers: i64,
}

async fn repurchase_in(
    conn: &impl ConnectionTrait,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Repurchase, AppError> {
    let sql = "SELECT COUNT(*) AS buyers, COALESCE(SUM(CASE WHEN p >= 2 THEN 1 ELSE 0 END), 0) AS repeat_buyers \
         FROM (SELECT member_id, COUNT(DISTINCT paid_day) AS p FROM sales_order \
               WHERE store_id = ? AND paid_day >= ? AND paid_day <= ? AND status <> 'REFUNDED' \
               GROUP BY member_id) b";
    let values: Vec<sea_orm::Value> = vec![
        store_id.into(),
        i64::from(epoch_day(from)).into(),
        i64::from(epoch_day(to)).into(),
    ];
    let row = Repurchase::find_by_statement(db::raw(conn.get_database_backend(), sql, values))
        .one(conn)
        .await?;
    Ok(row.unwrap_or(Repurchase {
        buyers: 0,
        repeat_buyers: 0,
    }))
}

/// `repurchaseRate(storeId, from, to)` (MEMBER_VIEW).
pub async fn repurchase(
    ctx: &ServiceCtx,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Repurchase, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, Some(store_id))?;
    crate::service::store::load(&ctx.db, store_id).await?;
    if to < from || (to - from).num_days() > 3660 {
        return Err(AppError::invalid(
            &["to"],
            ErrorCode::Invalid,
            "the window must end on or after its start and span at most 10 years",
        ));
    }
    repurchase_in(&ctx.db, store_id, from, to).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Vec<TierDef> {
        serde_json::from_str(r#"[{"code":"VIP1","name":"a","minSpendFen":0,"minPurchases":1,"match":"ANY","priceRateBp":9800,"pointsMultiplierBp":10000},{"code":"VIP2","name":"b","minSpendFen":100000,"minPurchases":3,"match":"ANY","priceRateBp":9500,"pointsMultiplierBp":10000},{"code":"VIP3","name":"c","minSpendFen":300000,"minPurchases":6,"match":"ALL","priceRateBp":9200,"pointsMultiplierBp":12000}]"#).expect("tiers")
    }

    #[test]
    fn the_highest_tier_whose_condition_holds_wins() {
        let t = defaults();
        assert_eq!(tier_for(&t, 0, 0), None, "a threshold of 0 is no condition");
        assert_eq!(tier_for(&t, 0, 1).map(|t| t.code.as_str()), Some("VIP1"));
        assert_eq!(
            tier_for(&t, 100_000, 1).map(|t| t.code.as_str()),
            Some("VIP2")
        );
        assert_eq!(
            tier_for(&t, 99_999, 2).map(|t| t.code.as_str()),
            Some("VIP1")
        );
        assert_eq!(
            tier_for(&t, 300_000, 5).map(|t| t.code.as_str()),
            Some("VIP2"),
            "ALL needs both"
        );
        assert_eq!(
            tier_for(&t, 300_000, 6).map(|t| t.code.as_str()),
            Some("VIP3")
        );
    }

    #[test]
    fn a_reversal_beyond_the_balance_becomes_a_deficit_repaid_from_the_next_earning() {
        let mut b = PointsBook::new(1, now());
        b.earn(7, 100, 10_000, 1);
        b.reverse(7, 30, 1);
        assert_eq!(b.states[&7].balance, 70);
        b.reverse(7, 100, 2);
        assert_eq!((b.states[&7].balance, b.states[&7].deficit), (0, 30));
        b.earn(7, 50, 10_000, 3);
        assert_eq!((b.states[&7].balance, b.states[&7].deficit), (20, 0));
        let amounts: Vec<i64> = b.entries.iter().map(|e| *e.amount.as_ref()).collect();
        assert_eq!(amounts, vec![100, -30, -70, 50, -30]);
    }

    #[test]
    fn epoch_days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        assert_eq!(day_date(epoch_day(d)), d);
        assert_eq!(
            epoch_day(NaiveDate::from_ymd_opt(1970, 1, 2).expect("date")),
            1
        );
    }
}
