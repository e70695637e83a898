//! Reading promotions in scope: one, by ids, filtered keyset pages.

use super::*;
use crate::service::kernel::scope::InScope;

/// `promotion(id)` (PROMO_VIEW).
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, None)?;
    in_scope(&ctx.db, staff, id, false).await
}

/// Sort keys of `promotions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    StartAt,
    EndAt,
}

/// Filters of `promotions`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub store_id: Option<i64>,
    pub kinds: Vec<Kind>,
    /// Effective states.
    pub statuses: Vec<Status>,
    /// In force at this instant (approved, not paused, window holds it).
    pub active_at: Option<DateTime<Utc>>,
    pub product_id: Option<i64>,
    pub sku_id: Option<i64>,
}

/// SQL for "effectively in `s` now".
pub(crate) fn status_condition(s: Status, at: DateTime<Utc>) -> Condition {
    use promotion::Column as C;
    let running = [
        Status::Scheduled.as_str(),
        Status::Active.as_str(),
        Status::Paused.as_str(),
    ];
    match s {
        Status::Draft | Status::PendingApproval | Status::Cancelled => {
            Condition::all().add(C::Status.eq(s.as_str()))
        }
        Status::Ended => Condition::any()
            .add(C::Status.eq(Status::Ended.as_str()))
            .add(
                Condition::all()
                    .add(C::Status.is_in(running))
                    .add(C::LiveEndAt.lte(at)),
            ),
        Status::Scheduled => Condition::all()
            .add(C::Status.eq(Status::Scheduled.as_str()))
            .add(C::LiveStartAt.gt(at)),
        Status::Active => Condition::all()
            .add(C::Status.is_in([Status::Scheduled.as_str(), Status::Active.as_str()]))
            .add(C::LiveStartAt.lte(at))
            .add(C::LiveEndAt.gt(at)),
        Status::Paused => Condition::all()
            .add(C::Status.eq(Status::Paused.as_str()))
            .add(C::LiveEndAt.gt(at)),
    }
}

/// `promotions` (PROMO_VIEW), inside the viewer's stores.
#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: &ServiceCtx,
    filter: &Filter,
    sort: SortKey,
    args: &PageArgs,
) -> Result<Page<promotion::Entity>, AppError> {
    use promotion::Column as C;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, filter.store_id)?;
    let mut q = promotion::Entity::find().in_scope(staff);
    if let Some(s) = filter.store_id {
        q = q.filter(C::StoreId.eq(s));
    }
    if !filter.kinds.is_empty() {
        q = q.filter(C::Kind.is_in(filter.kinds.iter().map(|k| k.as_str())));
    }
    let at = ctx.now();
    if !filter.statuses.is_empty() {
        let mut any = Condition::any();
        for s in &filter.statuses {
            any = any.add(status_condition(*s, at));
        }
        q = q.filter(any);
    }
    if let Some(t) = filter.active_at {
        q = q
            .filter(C::Status.is_in([Status::Scheduled.as_str(), Status::Active.as_str()]))
            .filter(C::LiveStartAt.lte(t))
            .filter(C::LiveEndAt.gt(t));
    }
    if filter.product_id.is_some() || filter.sku_id.is_some() {
        // The SKU's product counts for a SKU filter.
        let product = match (filter.product_id, filter.sku_id) {
            (Some(p), _) => Some(p),
            (None, Some(s)) => {
                sku::Entity::find_by_id(s)
                    .select_only()
                    .column(sku::Column::ProductId)
                    .into_tuple::<i64>()
                    .one(&ctx.db)
                    .await?
            }
            _ => None,
        };
        let mut named = Condition::any();
        if let Some(p) = product {
            named = named.add(target::Column::ProductId.eq(p));
        }
        if let Some(s) = filter.sku_id {
            named = named.add(target::Column::SkuId.eq(s));
        }
        let targets = |excluded: bool| {
            sea_orm::sea_query::Query::select()
                .column(target::Column::PromotionId)
                .from(target::Entity)
                .cond_where(named.clone())
                .and_where(target::Column::Excluded.eq(excluded))
                .to_owned()
        };
        q = q.filter(
            Condition::any()
                .add(C::ScopeMode.eq("STORE"))
                .add(C::Id.in_subquery(targets(false)))
                .add(
                    Condition::all()
                        .add(C::ScopeMode.eq("EXCEPT"))
                        .add(C::Id.not_in_subquery(targets(true))),
                ),
        );
    }
    let spec: page::SortSpec<'_, promotion::Entity, C> = match sort {
        SortKey::Id => ("ID", C::Id, |m| CursorKey::Int(m.id)),
        SortKey::StartAt => ("START_AT", C::StartAt, |m| CursorKey::Time(m.start_at)),
        SortKey::EndAt => ("END_AT", C::EndAt, |m| CursorKey::Time(m.end_at)),
    };
    page::fetch(&ctx.db, q, spec, C::Id, |m| m.id, args).await
}
