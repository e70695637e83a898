//! Issued coupons: `CLAIMED → USED → CLAIMED` again when the order is cancelled
//! before payment (or EXPIRED if its validity has passed), EXPIRED, INVALIDATED. Issuing never
//! goes past the template's total quantity or per-buyer limit, also under concurrent requests:
//! the template's counter moves by a guarded UPDATE that holds its row until commit.

use crate::service::kernel::scope::InScope;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{coupon, member, member_tag, promotion, store};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    FromQueryResult, QueryFilter, QuerySelect, Set,
};
use serde_json::json;

use crate::auth::{Permission, Staff};
use crate::db;
use crate::domain::rfm::Segment;
use crate::engine::{Audience, Buyer, Kind};
use crate::error::{AppError, ErrorCode};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::kernel::write::write;
use crate::service::promotion::{Status, Validity, effective_status};
use crate::service::{ServiceCtx, kernel::audit};

/// Stored coupon states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Claimed,
    Used,
    Expired,
    Invalidated,
}

impl State {
    pub const ALL: [State; 4] = [Self::Claimed, Self::Used, Self::Expired, Self::Invalidated];
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "CLAIMED",
            Self::Used => "USED",
            Self::Expired => "EXPIRED",
            Self::Invalidated => "INVALIDATED",
        }
    }
    /// The stored state of `c`; an unknown value is an internal error naming the row.
    pub fn of(c: &coupon::Model) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == c.status)
            .ok_or_else(|| {
                AppError::unreadable("coupon", c.id, format!("unknown state {:?}", c.status))
            })
    }
}

/// The state now: a CLAIMED coupon past its validity reads EXPIRED.
pub fn effective_state(c: &coupon::Model, at: DateTime<Utc>) -> Result<State, AppError> {
    Ok(match State::of(c)? {
        State::Claimed if c.valid_until <= at => State::Expired,
        s => s,
    })
}

/// Whom to issue to.
#[derive(Debug, Clone)]
pub enum Recipients {
    Members(Vec<i64>),
    Segment(Segment),
}

/// `couponIssue`.
#[derive(Debug, Clone)]
pub struct Issue {
    pub template_id: i64,
    pub to: Recipients,
    /// Makes the call idempotent: the same key returns the coupons it issued before.
    pub client_key: String,
}

/// Facts about members that audiences test.
pub async fn buyers(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    members: &[member::Model],
    today: NaiveDate,
) -> Result<BTreeMap<i64, Buyer>, AppError> {
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let mut tags: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for part in ids.chunks(500) {
        for t in member_tag::Entity::find()
            .filter(member_tag::Column::MemberId.is_in(part.to_vec()))
            .all(conn)
            .await?
        {
            tags.entry(t.member_id).or_default().push(t.tag);
        }
    }
    let segments: BTreeMap<i64, String> =
        crate::service::member::rfm_of(conn, store.id, today, &ids)
            .await?
            .into_iter()
            .map(|r| (r.member_id, r.segment))
            .collect();
    let tiers = crate::service::member::tiers(store)?;
    Ok(members
        .iter()
        .map(|m| {
            let tier = m
                .tier
                .as_deref()
                .and_then(|c| tiers.iter().position(|t| t.code == c));
            (
                m.id,
                Buyer {
                    member: true,
                    is_new: m.paid_order_count == 0,
                    tier_rank: tier.map(|i| i as i64 + 1),
                    tier_price_bp: tier.map(|i| i64::from(tiers[i].price_rate_bp)),
                    tags: tags.remove(&m.id).unwrap_or_default(),
                    segment: segments.get(&m.id).cloned(),
                    vip88: false,
                    prior_units: BTreeMap::new(),
                },
            )
        })
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct IdRow {
    member_id: i64,
}

fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..16)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `couponIssue` (PROMO_CONTROL): issues one coupon to each recipient from an ACTIVE template
/// inside its claim window. Refused whole (nothing issued) past the total quantity
/// (COUPON_QUANTITY_EXCEEDED), past a member's per-buyer limit (COUPON_PER_BUYER_LIMIT) or for a
/// member outside the template's audience. A repeat with the same client key answers the first
/// call's coupons and issues nothing more.
#[tracing::instrument(skip_all)]
pub async fn issue(ctx: &ServiceCtx, input: Issue) -> Result<Vec<coupon::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoControl, None)?;
    let key = input.client_key.trim();
    if key.is_empty() || key.chars().count() > 64 {
        return Err(AppError::invalid(
            &["input", "clientKey"],
            ErrorCode::Invalid,
            "the client key is 1–64 characters",
        ));
    }
    write(ctx, staff, async |txn| {
        // The template row is locked before the idempotency and per-buyer checks: concurrent
        // issues of one template queue, so a retry with the same client key sees the first
        // call's coupons and answers like it.
        let template = promotion::Entity::find_by_id(input.template_id)
            .lock_exclusive()
            .one(txn)
            .await?
            .filter(|t| staff.sees_store(t.store_id) && t.kind == Kind::Coupon.as_str())
            .ok_or(AppError::not_found("coupon template"))?;
        staff.require(Permission::PromoControl, Some(template.store_id))?;
        let store = crate::service::store::load(txn, template.store_id).await?;
        let today = crate::service::store::today(&store, ctx.now())?;
        let ids = recipients(txn, &store, &input.to, today).await?;
        if ids.is_empty() || ids.len() > 10_000 {
            return Err(AppError::invalid(
                &["input", "memberIds"],
                ErrorCode::Invalid,
                "issue to 1–10,000 members at a time",
            ));
        }
        // Idempotency: coupons already issued under this key are returned as they are.
        let mut existing = issued_under(txn, template.id, key, &ids).await?;
        let done: BTreeSet<i64> = existing.iter().map(|c| c.member_id).collect();
        let todo: Vec<i64> = ids.iter().copied().filter(|i| !done.contains(i)).collect();
        if todo.is_empty() {
            existing.sort_by_key(|c| c.id);
            return Ok((existing, None));
        }
        let at = ctx.now();
        let spec = issuable(&template, at)?;
        let terms = spec
            .coupon
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("coupon template without terms"))?;
        check_recipients(txn, &store, &spec.audience, &todo, today).await?;
        let n = todo.len() as i64;
        take_quantity(txn, &template, n, terms.total_quantity).await?;
        check_per_buyer(txn, template.id, &todo, terms.per_buyer_limit).await?;
        let (valid_from, valid_until) = match terms.validity {
            Validity::Absolute { start, end } => (start, end),
            Validity::Relative { days } => (
                at,
                std::cmp::Ord::min(
                    at + Duration::days(days),
                    template.live_end_at.unwrap_or(template.end_at),
                ),
            ),
        };
        let rows: Vec<coupon::ActiveModel> = todo
            .iter()
            .map(|&member_id| coupon::ActiveModel {
                store_id: Set(store.id),
                template_id: Set(template.id),
                member_id: Set(member_id),
                code: Set(new_code()),
                status: Set(State::Claimed.as_str().to_owned()),
                valid_from: Set(valid_from),
                valid_until: Set(valid_until),
                claimed_at: Set(at),
                used_at: Set(None),
                order_ref: Set(None),
                client_key: Set(key.to_owned()),
                issued_by: Set(staff.actor_id()),
                updated_at: Set(at),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(500) {
            coupon::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
        }
        let mut issued = issued_under(txn, template.id, key, &todo).await?;
        let entry = audit::Entry {
            action: "coupon.issue", target_type: "Promotion", target_id: Some(template.id), store_id: Some(store.id),
            after: Some(json!({ "issued": issued.len(), "clientKey": key, "issuedCount": template.issued_count + n })),
            ..Default::default()
        };
        issued.extend(existing);
        issued.sort_by_key(|c| c.id);
        Ok((issued, Some(entry)))
    })
    .await
}

/// The members to issue to, sorted and without repeats: the given ids, or the members of an RFM
/// segment on `today`.
async fn recipients(
    txn: &DatabaseTransaction,
    store: &store::Model,
    to: &Recipients,
    today: NaiveDate,
) -> Result<Vec<i64>, AppError> {
    Ok(match to {
        Recipients::Members(ids) => {
            let mut v = ids.clone();
            v.sort_unstable();
            v.dedup();
            v
        }
        Recipients::Segment(seg) => {
            let (sql, mut values) =
                crate::service::member::rfm_sql(store.id, crate::service::member::epoch_day(today));
            values.push(seg.as_str().into());
            IdRow::find_by_statement(db::raw(
                txn.get_database_backend(),
                &format!("SELECT member_id FROM ({sql}) rfm WHERE segment = ? ORDER BY member_id"),
                values,
            ))
            .all(txn)
            .await?
            .into_iter()
            .map(|r| r.member_id)
            .collect()
        }
    })
}

/// The coupons of `template_id` issued under `key` to `members`.
async fn issued_under(
    txn: &DatabaseTransaction,
    template_id: i64,
    key: &str,
    members: &[i64],
) -> Result<Vec<coupon::Model>, AppError> {
    let mut out = Vec::new();
    for part in members.chunks(500) {
        out.extend(
            coupon::Entity::find()
                .filter(coupon::Column::TemplateId.eq(template_id))
                .filter(coupon::Column::ClientKey.eq(key))
                .filter(coupon::Column::MemberId.is_in(part.to_vec()))
                .all(txn)
                .await?,
        );
    }
    Ok(out)
}

/// The live spec of a template that can issue now: ACTIVE, inside its claim window.
fn issuable(
    template: &promotion::Model,
    at: DateTime<Utc>,
) -> Result<crate::service::promotion::Spec, AppError> {
    let status = effective_status(template, at)?;
    if status != Status::Active {
        return Err(AppError::invalid(
            &["input", "templateId"],
            ErrorCode::InvalidStateTransition,
            format!(
                "coupons are issued from ACTIVE templates; this one is {}",
                status.as_str()
            ),
        ));
    }
    let live = template
        .live_json
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("approved template {} without its version", template.id))?;
    let spec = crate::service::promotion::live_spec(template, live)?;
    let terms = spec
        .coupon
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("coupon template without terms"))?;
    if at < terms.claim_start || at >= terms.claim_end {
        return Err(AppError::invalid(
            &["input", "templateId"],
            ErrorCode::Invalid,
            "the template's claim window is not open",
        ));
    }
    Ok(spec)
}

/// Every recipient is a member of the template's store and inside its audience.
async fn check_recipients(
    txn: &DatabaseTransaction,
    store: &store::Model,
    audience: &Audience,
    todo: &[i64],
    today: NaiveDate,
) -> Result<(), AppError> {
    let mut members = Vec::new();
    for part in todo.chunks(500) {
        members.extend(
            member::Entity::find()
                .filter(member::Column::StoreId.eq(store.id))
                .filter(member::Column::Id.is_in(part.to_vec()))
                .all(txn)
                .await?,
        );
    }
    if let Some(missing) = todo.iter().find(|i| !members.iter().any(|m| m.id == **i)) {
        return Err(AppError::invalid(
            &["input", "memberIds"],
            ErrorCode::NotFound,
            format!("member {missing} is not a member of the template's store"),
        ));
    }
    if *audience != Audience::All {
        let facts = buyers(txn, store, &members, today).await?;
        if let Some(out) = members
            .iter()
            .find(|m| !facts.get(&m.id).is_some_and(|b| audience.includes(b)))
        {
            return Err(AppError::invalid(
                &["input", "memberIds"],
                ErrorCode::Invalid,
                format!("member {} is outside the coupon's audience", out.id),
            ));
        }
    }
    Ok(())
}

/// The guarded counter: `n` more coupons issued only while the total stays within `total`; holds
/// the template row until commit, so concurrent issues queue.
async fn take_quantity(
    txn: &DatabaseTransaction,
    template: &promotion::Model,
    n: i64,
    total: i64,
) -> Result<(), AppError> {
    let moved = promotion::Entity::update_many()
        .col_expr(
            promotion::Column::IssuedCount,
            Expr::col(promotion::Column::IssuedCount).add(n),
        )
        .filter(promotion::Column::Id.eq(template.id))
        .filter(Expr::col(promotion::Column::IssuedCount).add(n).lte(total))
        .exec(txn)
        .await?
        .rows_affected;
    if moved == 0 {
        return Err(AppError::invalid(
            &["input", "templateId"],
            ErrorCode::CouponQuantityExceeded,
            format!("not enough coupons left for {n} recipient(s) (total {total})"),
        ));
    }
    Ok(())
}

/// No recipient already holds `limit` coupons of the template.
async fn check_per_buyer(
    txn: &DatabaseTransaction,
    template_id: i64,
    todo: &[i64],
    limit: i64,
) -> Result<(), AppError> {
    #[derive(FromQueryResult)]
    struct Held {
        member_id: i64,
        held: i64,
    }
    for part in todo.chunks(500) {
        let held = Held::find_by_statement(db::raw(
            txn.get_database_backend(),
            &format!(
                "SELECT member_id, COUNT(*) AS held FROM coupon WHERE template_id = ? AND member_id IN ({}) GROUP BY member_id",
                vec!["?"; part.len()].join(",")
            ),
            std::iter::once(template_id.into())
                .chain(part.iter().map(|i| sea_orm::Value::from(*i)))
                .collect(),
        ))
        .all(txn)
        .await?;
        if let Some(h) = held.iter().find(|h| h.held >= limit) {
            return Err(AppError::invalid(
                &["input", "memberIds"],
                ErrorCode::CouponPerBuyerLimit,
                format!(
                    "member {} already holds {} of this coupon (limit {limit})",
                    h.member_id, h.held
                ),
            ));
        }
    }
    Ok(())
}

async fn by_code_for_update(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    code: &str,
) -> Result<coupon::Model, AppError> {
    // Locked before the caller checks its state: of concurrent redeems or releases of one coupon
    // exactly one sees the state it needs.
    coupon::Entity::find()
        .filter(coupon::Column::Code.eq(code.trim().to_uppercase()))
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|c| staff.sees_store(c.store_id))
        .ok_or(AppError::not_found("coupon"))
}

/// `couponRedeem` (PROMO_CONTROL): a CLAIMED coupon valid now is locked to an order (USED).
#[tracing::instrument(skip_all)]
pub async fn redeem(
    ctx: &ServiceCtx,
    code: &str,
    order_ref: &str,
) -> Result<coupon::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoControl, None)?;
    let order_ref =
        crate::domain::text::required(order_ref, &["input", "orderRef"], "order reference", 64)
            .map_err(|e| AppError::Invalid(vec![e]))?;
    write(ctx, staff, async |txn| {
        let c = by_code_for_update(txn, staff, code).await?;
        staff.require(Permission::PromoControl, Some(c.store_id))?;
        let at = ctx.now();
        let state = effective_state(&c, at)?;
        if state != State::Claimed || at < c.valid_from {
            return Err(AppError::invalid(
                &["input", "code"],
                ErrorCode::InvalidStateTransition,
                format!(
                    "the coupon is {} (valid {} – {})",
                    state.as_str(),
                    c.valid_from,
                    c.valid_until
                ),
            ));
        }
        let mut am: coupon::ActiveModel = c.clone().into();
        am.status = Set(State::Used.as_str().to_owned());
        am.used_at = Set(Some(at));
        am.order_ref = Set(Some(order_ref.clone()));
        am.updated_at = Set(at);
        let m = am.update(txn).await?;
        let entry = audit::Entry {
            action: "coupon.redeem",
            target_type: "Coupon",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            after: Some(json!({ "status": m.status, "orderRef": order_ref })),
            ..Default::default()
        };
        Ok((m, entry))
    })
    .await
}

/// `couponRelease` (PROMO_CONTROL): the order a USED coupon was locked to was cancelled before
/// payment; the coupon is CLAIMED again, or EXPIRED if its validity has passed. (A coupon of an
/// order refunded after payment is not returned.)
#[tracing::instrument(skip_all)]
pub async fn release(ctx: &ServiceCtx, code: &str) -> Result<coupon::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoControl, None)?;
    write(ctx, staff, async |txn| {
        let c = by_code_for_update(txn, staff, code).await?;
        staff.require(Permission::PromoControl, Some(c.store_id))?;
        if State::of(&c)? != State::Used {
            return Err(AppError::invalid(
                &["input", "code"],
                ErrorCode::InvalidStateTransition,
                format!(
                    "only a USED coupon is released; this one is {}",
                    effective_state(&c, ctx.now())?.as_str()
                ),
            ));
        }
        let at = ctx.now();
        let to = if c.valid_until > at {
            State::Claimed
        } else {
            State::Expired
        };
        let mut am: coupon::ActiveModel = c.clone().into();
        am.status = Set(to.as_str().to_owned());
        am.used_at = Set(None);
        am.order_ref = Set(None);
        am.updated_at = Set(at);
        let m = am.update(txn).await?;
        let entry = audit::Entry {
            action: "coupon.release",
            target_type: "Coupon",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "status": c.status, "orderRef": c.order_ref })),
            after: Some(json!({ "status": m.status })),
            ..Default::default()
        };
        Ok((m, entry))
    })
    .await
}

/// Filters of `coupons`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub store_id: Option<i64>,
    pub template_id: Option<i64>,
    pub member_id: Option<i64>,
    /// Effective states.
    pub states: Vec<State>,
}

/// `coupons` (PROMO_VIEW), newest first unless reversed, inside the viewer's stores.
#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: &ServiceCtx,
    f: &Filter,
    args: &PageArgs,
) -> Result<Page<coupon::Entity>, AppError> {
    use coupon::Column as C;
    use sea_orm::Condition;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, f.store_id)?;
    let mut q = coupon::Entity::find().in_scope(staff);
    if let Some(s) = f.store_id {
        q = q.filter(C::StoreId.eq(s));
    }
    if let Some(t) = f.template_id {
        q = q.filter(C::TemplateId.eq(t));
    }
    if let Some(m) = f.member_id {
        q = q.filter(C::MemberId.eq(m));
    }
    if !f.states.is_empty() {
        let at = ctx.now();
        let mut any = Condition::any();
        for s in &f.states {
            any = any.add(match s {
                State::Claimed => Condition::all()
                    .add(C::Status.eq("CLAIMED"))
                    .add(C::ValidUntil.gt(at)),
                State::Expired => Condition::any().add(C::Status.eq("EXPIRED")).add(
                    Condition::all()
                        .add(C::Status.eq("CLAIMED"))
                        .add(C::ValidUntil.lte(at)),
                ),
                other => Condition::all().add(C::Status.eq(other.as_str())),
            });
        }
        q = q.filter(any);
    }
    page::fetch(
        &ctx.db,
        q,
        ("ID", C::Id, |m| CursorKey::Int(m.id)),
        C::Id,
        |m| m.id,
        args,
    )
    .await
}
