//! Orders imported from the marketplaces and what they do: stock through the
//! ledger (SALE on payment, RETURN when a paid line is refunded before shipping), points
//!, member aggregates and tiers.
//!
//! The import validates every row first; any error rejects the file with each bad row and
//! column, and nothing is written. Re-importing an order updates its status and times and
//! nothing else; stock and points effects happen once per line and order, whatever is
//! re-imported. Writes are batched in one transaction.

use crate::service::kernel::scope::InScope;
use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use entity::{inventory_movement, member, order_line, sales_order, sku, store};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use serde_json::json;

use crate::auth::Permission;
use crate::db;
use crate::domain::Fen;
use crate::domain::order_status::{OrderStatus, Stage, can_reach};
use crate::domain::rfm::points_earned;
use crate::error::AppError;
use crate::service::kernel::csv_file::{Cells, CsvFile, Errors, Limits, Progress};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::member::{self as members, PointsBook, TierCause};
use crate::service::{ServiceCtx, catalog, kernel::audit};

mod import;

pub use import::*;

// ---------------------------------------------------------------------------------------------
// Reading

/// Sort keys of `orders`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSort {
    CreatedAt,
    PaidAt,
    Amount,
}

/// Filters of `orders`.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub store_id: Option<i64>,
    pub statuses: Vec<OrderStatus>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub member_id: Option<i64>,
    pub consulted: Option<bool>,
    pub channel: Option<String>,
    pub order_no: Option<String>,
    pub oversold: Option<bool>,
}

/// `orders` (ORDER_VIEW), newest first unless `reverse`. Sorting by PAID_AT lists paid orders.
#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: &ServiceCtx,
    filter: OrderFilter,
    sort: OrderSort,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<sales_order::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::OrderView, filter.store_id)?;
    let spec: page::SortSpec<'_, sales_order::Entity, sales_order::Column> = match sort {
        OrderSort::CreatedAt => ("CREATED_AT", sales_order::Column::OrderedAt, |o| {
            CursorKey::Time(o.ordered_at)
        }),
        // Only paid orders are listed by payment time, so the key is always there.
        OrderSort::PaidAt => ("PAID_AT", sales_order::Column::PaidAt, |o| {
            CursorKey::Time(o.paid_at.unwrap_or_default())
        }),
        OrderSort::Amount => ("AMOUNT", sales_order::Column::PaidFen, |o| {
            CursorKey::Int(o.paid_fen)
        }),
    };
    let args = PageArgs::parse(window, !reverse, spec.0)?;
    let mut q = sales_order::Entity::find().in_scope(staff);
    if let Some(s) = filter.store_id {
        q = q.filter(sales_order::Column::StoreId.eq(s));
    }
    if !filter.statuses.is_empty() {
        q = q.filter(sales_order::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(v) = filter.created_from {
        q = q.filter(sales_order::Column::OrderedAt.gte(v));
    }
    if let Some(v) = filter.created_to {
        q = q.filter(sales_order::Column::OrderedAt.lt(v));
    }
    if let Some(m) = filter.member_id {
        q = q.filter(sales_order::Column::MemberId.eq(m));
    }
    if let Some(c) = filter.consulted {
        q = q.filter(sales_order::Column::Consulted.eq(c));
    }
    if let Some(c) = &filter.channel {
        q = q.filter(sales_order::Column::Channel.eq(c.trim()));
    }
    if let Some(n) = &filter.order_no {
        q = q.filter(sales_order::Column::OrderNo.eq(n.trim()));
    }
    match filter.oversold {
        Some(true) => q = q.filter(sales_order::Column::OversoldUnits.gt(0)),
        Some(false) => q = q.filter(sales_order::Column::OversoldUnits.eq(0)),
        None => {}
    }
    if sort == OrderSort::PaidAt {
        q = q.filter(sales_order::Column::PaidAt.is_not_null());
    }
    page::fetch(&ctx.db, q, spec, sales_order::Column::Id, |o| o.id, &args).await
}

/// Lines of orders (for the loader), by order id, in line order.
pub async fn lines_of(
    conn: &impl ConnectionTrait,
    order_ids: &[i64],
) -> Result<HashMap<i64, Vec<order_line::Model>>, AppError> {
    use sea_orm::QueryOrder;
    let mut out: HashMap<i64, Vec<order_line::Model>> = HashMap::new();
    for l in order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(order_ids.to_vec()))
        .order_by_asc(order_line::Column::OrderId)
        .order_by_asc(order_line::Column::LineNo)
        .all(conn)
        .await?
    {
        out.entry(l.order_id).or_default().push(l);
    }
    Ok(out)
}
