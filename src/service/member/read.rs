//! Reading members in scope: filtered keyset pages, the points ledger, tier history.

use super::*;

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
#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: &ServiceCtx,
    filter: MemberFilter,
    sort: MemberSort,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<member::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, filter.store_id)?;
    let spec: page::SortSpec<'_, member::Entity, member::Column> = match sort {
        MemberSort::Id => ("ID", member::Column::Id, |m| CursorKey::Int(m.id)),
        MemberSort::LastOrderAt => ("LAST_ORDER_AT", member::Column::LastOrderAt, |m| {
            CursorKey::Time(m.last_order_at)
        }),
        MemberSort::TotalPaid => ("TOTAL_PAID", member::Column::TotalPaidFen, |m| {
            CursorKey::Int(m.total_paid_fen)
        }),
        MemberSort::Points => ("POINTS", member::Column::PointsBalance, |m| {
            CursorKey::Int(m.points_balance)
        }),
    };
    let args = PageArgs::parse(window, reverse, spec.0)?;
    let q = filtered(ctx, staff, filter).await?;
    page::fetch(&ctx.db, q, spec, member::Column::Id, |m| m.id, &args).await
}

/// The members `filter` selects, in the viewer's stores.
async fn filtered(
    ctx: &ServiceCtx,
    staff: &crate::auth::Staff,
    filter: MemberFilter,
) -> Result<sea_orm::Select<member::Entity>, AppError> {
    use crate::service::kernel::scope::InScope;
    let mut q = member::Entity::find().in_scope(staff);
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
        let as_of = match filter.segment_as_of {
            Some(d) => d,
            None => crate::service::store::today(&s, ctx.now())?,
        };
        let (sql, mut values) = rfm_sql(store_id, epoch_day(as_of));
        values.push(seg.as_str().into());
        q = q.filter(db::cust(
            ctx.db.get_database_backend(),
            &format!("member.id IN (SELECT member_id FROM ({sql}) rfm WHERE segment = ?)"),
            values,
        ));
    }
    Ok(q)
}

/// A member's points ledger, newest first unless `reverse`.
#[tracing::instrument(skip_all, fields(subject.id = member_id))]
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

/// A member's tier changes, newest first.
#[tracing::instrument(skip_all, fields(subject.id = member_id))]
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
