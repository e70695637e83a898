//! Reading products in scope: one, by ids, filtered keyset pages.

use super::*;
use crate::service::kernel::scope::InScope;

/// Products by id within scope (loader).
#[tracing::instrument(skip_all)]
pub async fn products_by_ids(
    ctx: &ServiceCtx,
    ids: &[i64],
) -> Result<Vec<product::Model>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    crate::service::kernel::scope::by_ids_in_scope::<product::Entity>(&ctx.db, staff, ids).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSort {
    UpdatedAt,
    CreatedAt,
    Title,
    Price,
    Stock,
}

impl ProductSort {
    /// The ordering's name inside cursors: fixed, so renaming a variant cannot break the
    /// cursors clients hold.
    pub const fn cursor_name(self) -> &'static str {
        match self {
            Self::UpdatedAt => "UpdatedAt",
            Self::CreatedAt => "CreatedAt",
            Self::Title => "Title",
            Self::Price => "Price",
            Self::Stock => "Stock",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub store_id: Option<i64>,
    pub category_id: Option<i64>,
    pub status: Option<ProductStatus>,
    pub title_contains: Option<String>,
    pub price_min_fen: Option<i64>,
    pub price_max_fen: Option<i64>,
    pub low_stock: Option<bool>,
}

/// `products`.
#[tracing::instrument(skip_all)]
pub async fn product_list(
    ctx: &ServiceCtx,
    filter: ProductFilter,
    sort: ProductSort,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<product::Entity>, AppError> {
    use sea_orm::sea_query::{Expr, Query};
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, filter.store_id)?;
    let sort_name = sort.cursor_name();
    let args = PageArgs::parse(window, reverse, sort_name)?;
    let mut q = product::Entity::find().in_scope(staff);
    if let Some(s) = filter.store_id {
        q = q.filter(product::Column::StoreId.eq(s))
    }
    if let Some(c) = filter.category_id {
        q = q.filter(product::Column::CategoryId.eq(c))
    }
    if let Some(s) = filter.status {
        // Scheduled products whose time has come read as ON_SHELF.
        let due = Condition::all()
            .add(product::Column::Status.eq(ProductStatus::OffShelf.as_str()))
            .add(product::Column::ScheduledOnShelfAt.lte(ctx.now()));
        q = match s {
            ProductStatus::OnShelf => q.filter(
                Condition::any()
                    .add(product::Column::Status.eq(s.as_str()))
                    .add(due),
            ),
            ProductStatus::OffShelf => q
                .filter(product::Column::Status.eq(s.as_str()))
                .filter(due.not()),
            _ => q.filter(product::Column::Status.eq(s.as_str())),
        };
    }
    if let Some(t) = filter.title_contains.filter(|t| !t.trim().is_empty()) {
        q = q.filter(
            sea_orm::sea_query::Expr::col(product::Column::Title)
                .like(LikeExpr::new(crate::service::store::like_pattern(t.trim())).escape('\\')),
        );
    }
    // A price range matches products with an active SKU priced inside it.
    if filter.price_min_fen.is_some() || filter.price_max_fen.is_some() {
        let mut sub = Query::select();
        sub.column(sku::Column::ProductId)
            .from(sku::Entity)
            .and_where(sku::Column::Active.eq(true));
        if let Some(min) = filter.price_min_fen {
            sub.and_where(sku::Column::PriceFen.gte(min));
        }
        if let Some(max) = filter.price_max_fen {
            sub.and_where(sku::Column::PriceFen.lte(max));
        }
        q = q.filter(product::Column::Id.in_subquery(sub.to_owned()));
    }
    if let Some(low) = filter.low_stock {
        let sub = Query::select()
            .column(sku::Column::ProductId)
            .from(sku::Entity)
            .and_where(sku::Column::Active.eq(true))
            .and_where(Expr::cust("on_hand - reserved <= low_stock_threshold"))
            .to_owned();
        q = q.filter(if low {
            product::Column::Id.in_subquery(sub)
        } else {
            product::Column::Id.not_in_subquery(sub)
        });
    }
    let key: page::SortSpec<'_, product::Entity, product::Column> = match sort {
        ProductSort::UpdatedAt => (sort_name, product::Column::UpdatedAt, |m| {
            CursorKey::Time(m.updated_at)
        }),
        ProductSort::CreatedAt => (sort_name, product::Column::CreatedAt, |m| {
            CursorKey::Time(m.created_at)
        }),
        ProductSort::Title => (sort_name, product::Column::Title, |m| {
            CursorKey::Text(m.title.clone())
        }),
        ProductSort::Price => (sort_name, product::Column::MinPriceFen, |m| {
            CursorKey::Int(m.min_price_fen.unwrap_or(i64::MAX))
        }),
        ProductSort::Stock => (sort_name, product::Column::TotalAvailable, |m| {
            CursorKey::Int(m.total_available)
        }),
    };
    if sort == ProductSort::Price {
        // Products without SKUs have no price; they are left out of a price ordering.
        q = q.filter(product::Column::MinPriceFen.is_not_null());
    }
    page::fetch(&ctx.db, q, key, product::Column::Id, |m| m.id, &args).await
}
