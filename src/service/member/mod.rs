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

use crate::auth::{Access, Permission, Role};
use crate::db;
use crate::domain::text;
use crate::error::{AppError, ErrorCode, UserError};
use crate::service::kernel::approval_queue::{self as queue, PointsAdjust as PointsRequest};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::kernel::write::write;
use crate::service::{ServiceCtx, kernel::audit};

mod points;
mod profile;
mod read;
mod segments;
mod tier;

pub use points::*;
pub use profile::*;
pub use read::*;
pub use segments::*;
pub use tier::*;

// ---------------------------------------------------------------------------------------------
// Members: lookups, edits

/// A member inside the viewer's stores, else NOT_FOUND.
pub async fn member_in_scope(
    conn: &impl ConnectionTrait,
    staff: &crate::auth::Staff,
    id: i64,
) -> Result<member::Model, AppError> {
    crate::service::kernel::scope::get_in_scope::<member::Entity>(conn, staff, id, false).await
}

/// [`member_in_scope`] with the row locked until the transaction ends (PostgreSQL; SQLite's
/// write transactions are serial anyway): the check-then-write of every "once" or "at most N"
/// rule on a member comes after this.
pub async fn member_for_update(
    conn: &impl ConnectionTrait,
    staff: &crate::auth::Staff,
    id: i64,
) -> Result<member::Model, AppError> {
    crate::service::kernel::scope::get_in_scope::<member::Entity>(conn, staff, id, true).await
}

/// `member(id)` (MEMBER_VIEW).
#[tracing::instrument(skip_all, fields(subject.id = id))]
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
#[tracing::instrument(skip_all, fields(subject.id = id))]
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
    write(ctx, staff, async |txn| {
        let m = member_in_scope(txn, staff, id).await?;
        match staff.role {
            Role::Director | Role::Specialist => {}
            Role::Assistant => return Err(AppError::forbidden(Permission::MemberPiiView)),
        }
        let store = crate::service::store::load(txn, m.store_id).await?;
        // The viewer's own staff row, locked before counting, so concurrent reveals queue and the
        // daily limit holds exactly.
        entity::staff::Entity::find_by_id(staff.id)
            .lock_exclusive()
            .one(txn)
            .await?;
        let since = ctx.now() - Duration::hours(24);
        let used = entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::ActorId.eq(staff.id))
            .filter(entity::audit_log::Column::Action.eq("member.piiReveal"))
            .filter(entity::audit_log::Column::CreatedAt.gt(since))
            .count(txn)
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
        let entry = audit::Entry {
            action: "member.piiReveal",
            target_type: "Member",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            after: Some(json!({ "field": "phone", "reason": reason })),
            ..Default::default()
        };
        Ok((phone, entry))
    })
    .await
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
        let mut b = PointsBook::new(1, chrono::Utc::now());
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
