//! Pause, resume, end and cancel, and the scheduler tick.

use super::*;
use crate::service::kernel::write::{write, write_as_system};

/// Lifecycle actions of PROMO_CONTROL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    End,
    Cancel,
}

/// `promotionPause` / `promotionResume` / `promotionEnd` / `promotionCancel` (PROMO_CONTROL).
/// Resume re-runs the activation checks (a director's approved floor break of this version
/// stands). Cancelling a coupon template with claimed coupons needs PROMO_CANCEL_ISSUED
/// (director) and invalidates the unused ones.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn control(
    ctx: &ServiceCtx,
    id: i64,
    action: Control,
) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoControl, None)?;
    write(ctx, staff, async |txn| {
        let before = in_scope(txn, staff, id, true).await?;
        staff.require(Permission::PromoControl, Some(before.store_id))?;
        let at = ctx.now();
        let status = effective_status(&before, at)?;
        let (to, verb) = match (action, status) {
            (Control::Pause, Status::Active) => (Status::Paused, "paused"),
            (Control::Resume, Status::Paused) => (Status::Active, "resumed"),
            (Control::End, Status::Active | Status::Paused) => (Status::Ended, "ended"),
            (Control::Cancel, Status::Scheduled | Status::Active | Status::Paused) => {
                (Status::Cancelled, "cancelled")
            }
            (Control::Pause, _) => return Err(transition_error(&before, "paused", ctx.now())),
            (Control::Resume, _) => return Err(transition_error(&before, "resumed", ctx.now())),
            (Control::End, _) => return Err(transition_error(&before, "ended", ctx.now())),
            (Control::Cancel, _) => return Err(transition_error(&before, "cancelled", ctx.now())),
        };
        if action == Control::Resume {
            let live = live_promo(&before)?
                .ok_or_else(|| anyhow::anyhow!("approved promotion without its version"))?;
            let catalog = Catalog::load(txn, before.store_id).await?;
            activation_checks(
                txn,
                &before,
                &catalog,
                &live,
                before.floor_break_approved || staff.role == Role::Director,
                crate::service::catalog::cost_visible(staff, &catalog.store),
                ctx.now(),
            )
            .await?;
        }
        let mut invalidated = 0;
        if action == Control::Cancel && before.kind == Kind::Coupon.as_str() {
            let claimed = coupon_row::Entity::find()
                .filter(coupon_row::Column::TemplateId.eq(before.id))
                .count(txn)
                .await?;
            if claimed > 0 {
                staff.require(Permission::PromoCancelIssued, Some(before.store_id))?;
            }
            invalidated = coupon_row::Entity::update_many()
                .col_expr(
                    coupon_row::Column::Status,
                    Expr::value(crate::service::promotion::coupon::State::Invalidated.as_str()),
                )
                .col_expr(coupon_row::Column::UpdatedAt, Expr::value(at))
                .filter(coupon_row::Column::TemplateId.eq(before.id))
                .filter(
                    coupon_row::Column::Status
                        .eq(crate::service::promotion::coupon::State::Claimed.as_str()),
                )
                .exec(txn)
                .await?
                .rows_affected;
        }
        let mut am: promotion::ActiveModel = before.clone().into();
        am.status = Set(to.as_str().to_owned());
        am.updated_at = Set(at);
        if action == Control::End {
            am.ended_early = Set(true);
            am.live_end_at = Set(Some(at));
        }
        let m = am.update(txn).await?;
        let action_name = match action {
            Control::Pause => "promotion.pause",
            Control::Resume => "promotion.resume",
            Control::End => "promotion.end",
            Control::Cancel => "promotion.cancel",
        };
        let entry = audit::Entry {
            action: action_name,
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "status": status.as_str() })),
            after: Some(
                json!({ "status": m.status, "couponsInvalidated": invalidated, "verb": verb }),
            ),
            ..Default::default()
        };
        Ok((m, entry))
    })
    .await
}

/// Writes the transitions due at `at` (run by the scheduler; reads already derive them).
/// Returns how many promotions changed.
pub async fn tick(
    db: &sea_orm::DatabaseConnection,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<u64, AppError> {
    write_as_system(db, at, async |txn| {
        let ended = promotion::Entity::update_many()
            .col_expr(
                promotion::Column::Status,
                Expr::value(Status::Ended.as_str()),
            )
            .col_expr(promotion::Column::UpdatedAt, Expr::value(at))
            .filter(promotion::Column::Status.is_in([
                Status::Scheduled.as_str(),
                Status::Active.as_str(),
                Status::Paused.as_str(),
            ]))
            .filter(promotion::Column::LiveEndAt.lte(at))
            .exec(txn)
            .await?
            .rows_affected;
        let started = promotion::Entity::update_many()
            .col_expr(
                promotion::Column::Status,
                Expr::value(Status::Active.as_str()),
            )
            .col_expr(promotion::Column::UpdatedAt, Expr::value(at))
            .filter(promotion::Column::Status.eq(Status::Scheduled.as_str()))
            .filter(promotion::Column::LiveStartAt.lte(at))
            .exec(txn)
            .await?
            .rows_affected;
        Ok((ended + started, None))
    })
    .await
}
