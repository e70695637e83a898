//! Orders imported from the marketplaces and what they do: stock through the
//! ledger (SALE on payment, RETURN when a paid line is refunded before shipping), points
//!, member aggregates and tiers.
//!
//! The import validates every row first; any error rejects the file with each bad row and
//! column, and nothing is written. Re-importing an order updates its status and times and
//! nothing else; stock and points effects happen once per line and order, whatever is
//! re-imported. Writes are batched in one transaction.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use entity::{inventory_movement, member, order_line, sales_order, sku, store};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;

use crate::auth::{Permission, StoreScope};
use crate::db;
use crate::domain::Fen;
use crate::domain::order_status::{OrderStatus, Stage, can_reach};
use crate::domain::rfm::points_earned;
use crate::error::AppError;
use crate::service::catalog::import::{Errors, Progress, RowError};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::member::{self as members, PointsBook, TierCause};
use crate::service::{ServiceCtx, catalog, kernel::audit, now};

/// The columns, in the documented order (`refunded_amount` may follow as an optional column).
pub const COLUMNS: [&str; 14] = [
    "order_no",
    "buyer_ref",
    "buyer_nick",
    "buyer_phone",
    "status",
    "created_at",
    "paid_at",
    "consulted",
    "sku_code",
    "quantity",
    "unit_price",
    "discount",
    "paid_amount",
    "channel",
];
/// Optional column: the amount refunded on the line (PARTIALLY_REFUNDED orders).
pub const OPTIONAL_COLUMNS: [&str; 1] = ["refunded_amount"];
/// Most data rows (order lines) per file.
pub const MAX_ROWS: usize = 2_000_000;
/// Most lines per order.
pub const MAX_LINES: usize = 200;
/// Rows per multi-row INSERT of narrow tables (lines, movements, points): ≤ 30,000 bound values,
/// under SQLite's limit of 32,766 and PostgreSQL's 65,535.
const CHUNK: usize = 2000;
/// Changed orders from which an import refreshes PostgreSQL's planner statistics.
const BULK: usize = 10_000;
/// Rows per INSERT of the wide tables (members, orders: about 22 columns).
const WIDE_CHUNK: usize = 1000;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub rows: usize,
    pub orders_created: usize,
    pub orders_updated: usize,
    pub orders_unchanged: usize,
    pub members_created: usize,
    pub sale_movements: usize,
    pub return_movements: usize,
    pub oversold_lines: usize,
    pub tier_changes: usize,
}

/// Import result: a report, or the rows at fault (nothing written).
#[derive(Debug)]
pub enum Outcome {
    Imported(Report),
    Rejected {
        errors: Vec<RowError>,
        total_errors: usize,
    },
}

#[derive(Debug, Clone)]
struct Row {
    line: usize,
    order_no: String,
    buyer_ref: String,
    buyer_nick: String,
    buyer_phone: Option<String>,
    status: OrderStatus,
    ordered_at: DateTime<Utc>,
    paid_at: Option<DateTime<Utc>>,
    consulted: bool,
    sku_code: String,
    quantity: i64,
    unit_price: i64,
    discount: i64,
    paid: i64,
    channel: Option<String>,
    refunded: Option<i64>,
}

/// `2026-11-11T00:00:05+08:00`, or a local `2026-11-11 00:00:05` in the store's time zone (as
/// platform exports write it).
fn parse_time(raw: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
    .and_then(|n| tz.from_local_datetime(&n).earliest())
    .map(|t| t.with_timezone(&Utc))
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "n" | "否" => Some(false),
        "1" | "true" | "yes" | "y" | "是" => Some(true),
        _ => None,
    }
}

fn stage_str(s: Stage) -> &'static str {
    match s {
        Stage::Unpaid => "UNPAID",
        Stage::Paid => "PAID",
        Stage::Shipped => "SHIPPED",
        Stage::Completed => "COMPLETED",
    }
}

fn parse_stage(s: &str) -> Stage {
    match s {
        "PAID" => Stage::Paid,
        "SHIPPED" => Stage::Shipped,
        "COMPLETED" => Stage::Completed,
        _ => Stage::Unpaid,
    }
}

/// The stage an order reaches with `status`, from `old`.
fn next_stage(old: Stage, status: OrderStatus) -> Stage {
    let s = match status {
        OrderStatus::Created | OrderStatus::Cancelled | OrderStatus::ClosedUnpaid => Stage::Unpaid,
        OrderStatus::Paid | OrderStatus::Refunded | OrderStatus::PartiallyRefunded => Stage::Paid,
        OrderStatus::Shipped => Stage::Shipped,
        OrderStatus::Completed => Stage::Completed,
    };
    old.max(s)
}

/// Parses and checks each row on its own.
fn parse(
    reader: impl Read,
    tz: chrono_tz::Tz,
    errors: &mut Errors,
    progress: &Progress,
) -> Vec<Row> {
    let Some((mut csv, index, width)) =
        crate::service::catalog::import::open_csv(reader, &COLUMNS, &OPTIONAL_COLUMNS, errors)
    else {
        return Vec::new();
    };
    let refunded_col = index.get(OPTIONAL_COLUMNS[0]).copied();
    let money = |raw: &str| {
        Fen::parse(raw.trim())
            .map(|f| f.0)
            .filter(|f| (0..=100_000_000_000).contains(f))
    };
    let mut rows = Vec::new();
    for (i, record) in csv.records().enumerate() {
        let line = i + 2;
        if i >= MAX_ROWS {
            errors.add(line, "row", format!("at most {MAX_ROWS} rows per file"));
            break;
        }
        if i % 20_000 == 0 {
            progress("validating", i as u64, 0);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.add(line, "row", format!("unreadable row: {e}"));
                continue;
            }
        };
        if record.len() != width {
            errors.add(
                line,
                "row",
                format!("expected {width} fields, found {}", record.len()),
            );
            continue;
        }
        if !crate::service::catalog::import::clean_cells(&record, &index, line, errors) {
            continue;
        }
        let get = |c: &str| record.get(index[c]).unwrap_or("");
        let before = errors.total;
        let text = |errors: &mut Errors, col: &str, max: usize, required: bool| -> String {
            let v = get(col).trim();
            if (required && v.is_empty())
                || v.chars().count() > max
                || v.chars().any(char::is_control)
            {
                errors.add(
                    line,
                    col,
                    format!(
                        "{col} must be {} to {max} characters without control characters",
                        u8::from(required)
                    ),
                );
            }
            v.to_owned()
        };
        let order_no = text(errors, "order_no", 64, true);
        let buyer_ref = text(errors, "buyer_ref", 64, true);
        let buyer_nick = text(errors, "buyer_nick", 64, false);
        let phone_raw = get("buyer_phone").trim();
        let buyer_phone = if phone_raw.is_empty() {
            None
        } else if crate::domain::pii::normalise_phone(phone_raw).is_some() {
            Some(phone_raw.to_owned())
        } else {
            // The value itself is personal data: never echoed in the message.
            errors.add(
                line,
                "buyer_phone",
                "buyer_phone is not a phone number (6–15 digits)",
            );
            None
        };
        let status = OrderStatus::parse(get("status"));
        if status.is_none() {
            errors.add(
                line,
                "status",
                "status must be one of CREATED PAID SHIPPED COMPLETED CANCELLED CLOSED_UNPAID REFUNDED PARTIALLY_REFUNDED",
            );
        }
        let ordered_at = parse_time(get("created_at"), tz);
        if ordered_at.is_none() {
            errors.add(
                line,
                "created_at",
                "created_at must be a time such as 2026-11-11 00:00:05 (store time) or RFC 3339",
            );
        }
        let paid_raw = get("paid_at").trim();
        let paid_at = if paid_raw.is_empty() {
            None
        } else {
            let t = parse_time(paid_raw, tz);
            if t.is_none() {
                errors.add(
                    line,
                    "paid_at",
                    "paid_at must be a time such as 2026-11-11 00:00:05 (store time) or RFC 3339",
                );
            }
            t
        };
        if let Some(s) = status {
            if s.is_paid() && paid_raw.is_empty() {
                errors.add(
                    line,
                    "paid_at",
                    format!("a {} order needs paid_at", s.as_str()),
                );
            }
            if !s.is_paid() && !paid_raw.is_empty() {
                errors.add(
                    line,
                    "paid_at",
                    format!("a {} order was never paid; leave paid_at empty", s.as_str()),
                );
            }
        }
        if let (Some(o), Some(p)) = (ordered_at, paid_at)
            && p < o
        {
            errors.add(line, "paid_at", "paid_at is before created_at");
        }
        let consulted = parse_bool(get("consulted"));
        if consulted.is_none() {
            errors.add(
                line,
                "consulted",
                "consulted must be true or false (1/0, yes/no, 是/否)",
            );
        }
        let sku_code = text(errors, "sku_code", 64, true);
        let quantity = get("quantity")
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|q| (1..=100_000).contains(q));
        if quantity.is_none() {
            errors.add(
                line,
                "quantity",
                "quantity must be a whole number from 1 to 100,000",
            );
        }
        let unit_price = money(get("unit_price"));
        if unit_price.is_none() {
            errors.add(
                line,
                "unit_price",
                "unit_price must be an amount ≥ 0 with at most two decimals, e.g. 199.00",
            );
        }
        let discount = if get("discount").trim().is_empty() {
            Some(0)
        } else {
            money(get("discount"))
        };
        if discount.is_none() {
            errors.add(
                line,
                "discount",
                "discount must be an amount ≥ 0 with at most two decimals",
            );
        }
        let paid = money(get("paid_amount"));
        if paid.is_none() {
            errors.add(
                line,
                "paid_amount",
                "paid_amount must be an amount ≥ 0 with at most two decimals",
            );
        }
        if let (Some(q), Some(u), Some(d), Some(p)) = (quantity, unit_price, discount, paid) {
            let gross = u.saturating_mul(q);
            if gross - d != p {
                errors.add(
                    line,
                    "paid_amount",
                    format!(
                        "paid_amount {} does not add up: unit_price × quantity − discount = {}",
                        Fen(p),
                        Fen(gross - d)
                    ),
                );
            }
        }
        let channel = text(errors, "channel", 64, false);
        let refunded = match refunded_col.map(|c| record.get(c).unwrap_or("").trim()) {
            None | Some("") => None,
            Some(raw) => {
                let r = money(raw);
                match (r, paid, status) {
                    (None, _, _) => errors.add(
                        line,
                        "refunded_amount",
                        "refunded_amount must be an amount ≥ 0 with at most two decimals",
                    ),
                    (Some(r), Some(p), _) if r > p => errors.add(
                        line,
                        "refunded_amount",
                        "refunded_amount exceeds the line's paid_amount",
                    ),
                    (Some(r), _, Some(s)) if r > 0 && !s.is_paid() => errors.add(
                        line,
                        "refunded_amount",
                        "an unpaid order has nothing refunded",
                    ),
                    (Some(r), Some(p), Some(OrderStatus::Refunded)) if r != p => errors.add(
                        line,
                        "refunded_amount",
                        "a REFUNDED order refunds every line in full",
                    ),
                    _ => {}
                }
                r
            }
        };
        if errors.total == before {
            rows.push(Row {
                line,
                order_no,
                buyer_ref,
                buyer_nick,
                buyer_phone,
                status: status.unwrap_or(OrderStatus::Created),
                ordered_at: ordered_at.unwrap_or_default(),
                paid_at,
                consulted: consulted.unwrap_or(false),
                sku_code,
                quantity: quantity.unwrap_or(0),
                unit_price: unit_price.unwrap_or(0),
                discount: discount.unwrap_or(0),
                paid: paid.unwrap_or(0),
                channel: (!channel.is_empty()).then_some(channel),
                refunded,
            });
        }
    }
    rows
}

/// One order of the file: its rows, in file order.
struct FileOrder<'a> {
    rows: Vec<&'a Row>,
}

impl FileOrder<'_> {
    fn head(&self) -> &Row {
        self.rows[0]
    }
    fn paid(&self) -> i64 {
        self.rows.iter().map(|r| r.paid).sum()
    }
    /// Refunded per line as the file states it (`None`: not stated).
    fn refunds(&self) -> Vec<Option<i64>> {
        let status = self.head().status;
        self.rows
            .iter()
            .map(|r| {
                if status == OrderStatus::Refunded {
                    Some(r.paid)
                } else {
                    r.refunded
                }
            })
            .collect()
    }
}

/// A line's state while effects are applied.
#[derive(Debug, Clone)]
struct LineState {
    id: Option<i64>,
    line_no: i32,
    sku_id: i64,
    quantity: i64,
    paid: i64,
    refunded: i64,
    sold: i64,
    oversold: i64,
    returned: i64,
    changed: bool,
}

/// What the stock ledger does during one import.
struct StockBook {
    skus: HashMap<i64, sku::Model>,
    movements: Vec<inventory_movement::ActiveModel>,
    touched: HashSet<i64>,
    actor: Option<i64>,
    sales: usize,
    returns: usize,
}

impl StockBook {
    fn movement(
        &mut self,
        sku_id: i64,
        kind: &str,
        quantity: i64,
        reason: &str,
        reference: String,
    ) {
        let Some(s) = self.skus.get_mut(&sku_id) else {
            return;
        };
        s.on_hand += quantity;
        self.touched.insert(sku_id);
        self.movements.push(inventory_movement::ActiveModel {
            store_id: Set(s.store_id),
            sku_id: Set(sku_id),
            kind: Set(kind.to_owned()),
            quantity: Set(quantity),
            on_hand_after: Set(s.on_hand),
            reserved_after: Set(s.reserved),
            reason: Set(Some(reason.to_owned())),
            reference: Set(Some(reference)),
            actor_id: Set(self.actor),
            created_at: Set(now()),
            ..Default::default()
        });
    }

    /// SALE: takes what is available (an import is never refused for stock); the rest is
    /// oversold (超卖).
    fn sell(&mut self, order_no: &str, l: &mut LineState) {
        if l.sold + l.oversold > 0 {
            return;
        }
        let available = self
            .skus
            .get(&l.sku_id)
            .map_or(0, |s| (s.on_hand - s.reserved).max(0));
        let take = l.quantity.min(available);
        l.sold = take;
        l.oversold = l.quantity - take;
        l.changed = true;
        if take > 0 {
            self.sales += 1;
            self.movement(
                l.sku_id,
                "SALE",
                -take,
                "order paid",
                format!("order {order_no} line {}", l.line_no),
            );
        }
    }

    /// RETURN of the units the SALE took, once.
    fn give_back(&mut self, order_no: &str, l: &mut LineState) {
        let q = l.sold - l.returned;
        if q <= 0 {
            return;
        }
        l.returned = l.sold;
        l.changed = true;
        self.returns += 1;
        self.movement(
            l.sku_id,
            "RETURN",
            q,
            "refunded before shipping",
            format!("order {order_no} line {}", l.line_no),
        );
    }
}

/// An order's state while effects are applied.
struct OrderState {
    id: i64,
    order_no: String,
    member_id: i64,
    status: OrderStatus,
    stage: Stage,
    paid: i64,
    points_earned: i64,
    points_rate: Option<i64>,
    lines: Vec<LineState>,
}

struct Effects<'a> {
    stock: StockBook,
    points: PointsBook,
    /// Per member: points per yuan × tier multiplier, and the multiplier (bp).
    rates: &'a HashMap<i64, (i64, i32)>,
}

/// Moves an order to `status` with the file's refunds and applies what that does, once:
/// payment → SALE per line and EARN; more refunded → REVERSE, and RETURN of fully refunded
/// lines when nothing was shipped.
fn advance(o: &mut OrderState, status: OrderStatus, refunds: &[Option<i64>], fx: &mut Effects<'_>) {
    let was_paid = o.status.is_paid();
    if status.is_paid() && !was_paid {
        for l in &mut o.lines {
            fx.stock.sell(&o.order_no, l);
        }
        let (rate, multiplier) = fx
            .rates
            .get(&o.member_id)
            .copied()
            .unwrap_or((10_000, 10_000));
        let earned = points_earned(o.paid, 1, rate);
        o.points_earned = earned;
        o.points_rate = Some(rate);
        fx.points.earn(o.member_id, earned, multiplier, o.id);
    }
    let old_refunded: i64 = o.lines.iter().map(|l| l.refunded).sum();
    for (l, r) in o.lines.iter_mut().zip(refunds) {
        if let Some(r) = r
            && *r > l.refunded
        {
            l.refunded = *r;
            l.changed = true;
        }
    }
    o.stage = next_stage(o.stage, status);
    o.status = status;
    let new_refunded: i64 = o.lines.iter().map(|l| l.refunded).sum();
    if new_refunded > old_refunded && status.is_paid() {
        if let Some(rate) = o.points_rate {
            let before = points_earned(o.paid - old_refunded, 1, rate);
            let after = points_earned(o.paid - new_refunded, 1, rate);
            fx.points
                .reverse(o.member_id, (before - after).min(o.points_earned), o.id);
        }
        if o.stage < Stage::Shipped {
            let all = status == OrderStatus::Refunded;
            for l in &mut o.lines {
                if all || (l.paid > 0 && l.refunded >= l.paid) {
                    fx.stock.give_back(&o.order_no, l);
                }
            }
        }
    }
}

/// Imports an order CSV into `store_id` as the context's viewer (ORDER_IMPORT).
pub async fn import(
    ctx: &ServiceCtx,
    store_id: i64,
    reader: impl Read + Send + 'static,
    progress: Progress,
) -> Result<Outcome, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::OrderImport, Some(store_id))?;
    let store = store::Entity::find_by_id(store_id)
        .one(&ctx.db)
        .await?
        .ok_or(AppError::not_found("store"))?;
    let tz = crate::service::store::tz(&store);
    let parse_progress = progress.clone();
    let (rows, mut errors) = tokio::task::spawn_blocking(move || {
        let mut errors = Errors::new();
        let rows = parse(reader, tz, &mut errors, &parse_progress);
        (rows, errors)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    if errors.total == 0 && rows.is_empty() {
        errors.add(2, "row", "the file has no data rows");
    }

    // Orders of the file, in first-appearance order; order-level fields must agree.
    let mut order_index: HashMap<&str, usize> = HashMap::new();
    let mut orders: Vec<FileOrder<'_>> = Vec::new();
    for row in &rows {
        match order_index.get(row.order_no.as_str()) {
            Some(&i) => orders[i].rows.push(row),
            None => {
                order_index.insert(&row.order_no, orders.len());
                orders.push(FileOrder { rows: vec![row] });
            }
        }
    }
    for o in &orders {
        let h = o.head();
        if o.rows.len() > MAX_LINES {
            errors.add(
                o.rows[MAX_LINES].line,
                "order_no",
                format!("an order has at most {MAX_LINES} lines"),
            );
        }
        for r in &o.rows[1..] {
            for (col, same) in [
                ("buyer_ref", r.buyer_ref == h.buyer_ref),
                ("status", r.status == h.status),
                ("created_at", r.ordered_at == h.ordered_at),
                ("paid_at", r.paid_at == h.paid_at),
                ("consulted", r.consulted == h.consulted),
                ("channel", r.channel == h.channel),
            ] {
                if !same {
                    errors.add(
                        r.line,
                        col,
                        format!("{col} differs from line {} of the same order", h.line),
                    );
                }
            }
        }
        if h.status == OrderStatus::PartiallyRefunded {
            let refunded: i64 = o.rows.iter().filter_map(|r| r.refunded).sum();
            if refunded >= o.paid() && o.paid() > 0 {
                errors.add(
                    h.line,
                    "refunded_amount",
                    "everything is refunded: the status is REFUNDED, not PARTIALLY_REFUNDED",
                );
            }
        }
    }

    // SKUs by code.
    let mut sku_ids: HashMap<String, i64> = HashMap::new();
    let codes: Vec<String> = rows
        .iter()
        .map(|r| r.sku_code.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for part in codes.chunks(CHUNK) {
        for s in sku::Entity::find()
            .filter(sku::Column::StoreId.eq(store_id))
            .filter(sku::Column::Code.is_in(part.to_vec()))
            .all(&ctx.db)
            .await?
        {
            sku_ids.insert(s.code, s.id);
        }
    }
    for r in &rows {
        if !sku_ids.contains_key(&r.sku_code) {
            errors.add(
                r.line,
                "sku_code",
                format!("no SKU {} in this store", r.sku_code),
            );
        }
    }

    // Existing orders: status moves must be reachable; refunds never shrink.
    let mut existing: HashMap<String, sales_order::Model> = HashMap::new();
    let numbers: Vec<String> = orders.iter().map(|o| o.head().order_no.clone()).collect();
    for part in numbers.chunks(CHUNK) {
        for o in sales_order::Entity::find()
            .filter(sales_order::Column::StoreId.eq(store_id))
            .filter(sales_order::Column::OrderNo.is_in(part.to_vec()))
            .all(&ctx.db)
            .await?
        {
            existing.insert(o.order_no.clone(), o);
        }
    }
    for o in &orders {
        let h = o.head();
        if let Some(old) = existing.get(&h.order_no) {
            let from = OrderStatus::parse(&old.status).unwrap_or(OrderStatus::Created);
            if !can_reach(from, parse_stage(&old.stage), h.status) {
                errors.add(
                    h.line,
                    "status",
                    format!(
                        "order {} is {}; it cannot become {}",
                        h.order_no,
                        from.as_str(),
                        h.status.as_str()
                    ),
                );
            }
            let stated = o.refunds();
            if stated.iter().all(Option::is_some)
                && stated.iter().flatten().sum::<i64>() < old.refunded_fen
            {
                errors.add(
                    h.line,
                    "refunded_amount",
                    format!(
                        "order {} has {} refunded already; refunds never shrink",
                        h.order_no,
                        Fen(old.refunded_fen)
                    ),
                );
            }
            if o.rows.len() != old.line_count as usize {
                errors.add(
                    h.line,
                    "order_no",
                    format!(
                        "order {} has {} lines stored, the file gives {}",
                        h.order_no,
                        old.line_count,
                        o.rows.len()
                    ),
                );
            }
        }
    }
    if errors.total > 0 {
        return Ok(Outcome::Rejected {
            total_errors: errors.total,
            errors: errors.list,
        });
    }
    drop(errors);

    let txn = db::begin_write(&ctx.db).await?;
    let mut report = Report {
        rows: rows.len(),
        ..Default::default()
    };
    let at = now();

    // Members: matched by buyer_ref, created when new; nick and phone follow the latest file.
    progress("members", 0, 0);
    let mut member_of: HashMap<String, member::Model> = HashMap::new();
    let refs: Vec<String> = orders
        .iter()
        .map(|o| o.head().buyer_ref.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for part in refs.chunks(CHUNK) {
        for m in member::Entity::find()
            .filter(member::Column::StoreId.eq(store_id))
            .filter(member::Column::BuyerRef.is_in(part.to_vec()))
            .all(&txn)
            .await?
        {
            member_of.insert(m.buyer_ref.clone(), m);
        }
    }
    let mut latest: HashMap<&str, &Row> = HashMap::new();
    for o in &orders {
        let h = o.head();
        latest.insert(&h.buyer_ref, h);
    }
    let mut new_members = Vec::new();
    for (buyer, h) in &latest {
        let sealed = h.buyer_phone.as_deref().and_then(|p| ctx.pii.seal_phone(p));
        match member_of.get(*buyer) {
            None => {
                new_members.push(member::ActiveModel {
                    store_id: Set(store_id),
                    buyer_ref: Set((*buyer).to_owned()),
                    nick: Set(h.buyer_nick.clone()),
                    phone_cipher: Set(sealed.as_ref().map(|s| s.0.clone())),
                    phone_hash: Set(sealed.as_ref().map(|s| s.1.clone())),
                    phone_masked: Set(sealed.as_ref().map(|s| s.2.clone())),
                    tier: Set(None),
                    tier_protected_until: Set(None),
                    tier_locked_until: Set(None),
                    points_balance: Set(0),
                    points_deficit: Set(0),
                    note: Set(None),
                    first_order_at: Set(h.ordered_at),
                    last_order_at: Set(h.ordered_at),
                    paid_order_count: Set(0),
                    purchase_count: Set(0),
                    total_paid_fen: Set(0),
                    created_at: Set(at),
                    updated_at: Set(at),
                    ..Default::default()
                });
            }
            Some(m) => {
                let nick_changed = !h.buyer_nick.is_empty() && h.buyer_nick != m.nick;
                let phone_changed = sealed
                    .as_ref()
                    .is_some_and(|s| Some(&s.1) != m.phone_hash.as_ref());
                if nick_changed || phone_changed {
                    let mut am: member::ActiveModel = m.clone().into();
                    if nick_changed {
                        am.nick = Set(h.buyer_nick.clone());
                    }
                    if let Some(s) = sealed.filter(|_| phone_changed) {
                        am.phone_cipher = Set(Some(s.0));
                        am.phone_hash = Set(Some(s.1));
                        am.phone_masked = Set(Some(s.2));
                    }
                    am.updated_at = Set(at);
                    am.update(&txn).await?;
                }
            }
        }
    }
    report.members_created = new_members.len();
    // RETURNING gives the new ids without looking the rows up again.
    for part in new_members.chunks(WIDE_CHUNK) {
        for m in member::Entity::insert_many(part.to_vec())
            .exec_with_returning(&txn)
            .await?
        {
            member_of.insert(m.buyer_ref.clone(), m);
        }
    }

    // Points rates (points per yuan × the tier multiplier at payment) and current balances.
    let defs = members::tiers(&store);
    let rates: HashMap<i64, (i64, i32)> = member_of
        .values()
        .map(|m| {
            let mult = members::multiplier_bp(&defs, m.tier.as_deref());
            (
                m.id,
                (i64::from(store.points_per_yuan) * i64::from(mult), mult),
            )
        })
        .collect();
    let member_ids: Vec<i64> = member_of.values().map(|m| m.id).collect();
    let mut points = PointsBook::new(store_id, at);
    points.states = member_of
        .values()
        .map(|m| {
            let state = members::PointsState {
                balance: m.points_balance,
                deficit: m.points_deficit,
            };
            (m.id, state)
        })
        .collect();

    // SKUs under the write lock.
    let mut skus = HashMap::new();
    let ids: Vec<i64> = sku_ids.values().copied().collect();
    for part in ids.chunks(CHUNK) {
        for s in sku::Entity::find()
            .filter(sku::Column::Id.is_in(part.to_vec()))
            .lock_exclusive()
            .all(&txn)
            .await?
        {
            skus.insert(s.id, s);
        }
    }
    let mut fx = Effects {
        stock: StockBook {
            skus,
            movements: Vec::new(),
            touched: HashSet::new(),
            actor: staff.actor_id(),
            sales: 0,
            returns: 0,
        },
        points,
        rates: &rates,
    };

    // New orders: effects first (so each order is inserted once, as it ends up), then the
    // orders with RETURNING, then their lines; points entries get the new ids.
    progress("orders", 0, orders.len() as u64);
    let fresh: Vec<&FileOrder<'_>> = orders
        .iter()
        .filter(|o| !existing.contains_key(&o.head().order_no))
        .collect();
    report.orders_created = fresh.len();
    let mut done = 0u64;
    for part in fresh.chunks(WIDE_CHUNK) {
        let first_entry = fx.points.entries.len();
        let mut states = Vec::with_capacity(part.len());
        for (k, o) in part.iter().enumerate() {
            let h = o.head();
            let mut st = OrderState {
                // Until the row exists: −(position in this batch + 1).
                id: -(k as i64) - 1,
                order_no: h.order_no.clone(),
                member_id: member_of[&h.buyer_ref].id,
                status: OrderStatus::Created,
                stage: Stage::Unpaid,
                paid: o.paid(),
                points_earned: 0,
                points_rate: None,
                lines: o
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| LineState {
                        id: None,
                        line_no: i as i32 + 1,
                        sku_id: sku_ids[&r.sku_code],
                        quantity: r.quantity,
                        paid: r.paid,
                        refunded: 0,
                        sold: 0,
                        oversold: 0,
                        returned: 0,
                        changed: false,
                    })
                    .collect(),
            };
            advance(&mut st, h.status, &o.refunds(), &mut fx);
            report.oversold_lines += st.lines.iter().filter(|l| l.oversold > 0).count();
            states.push(st);
        }
        let models: Vec<sales_order::ActiveModel> = part
            .iter()
            .zip(&states)
            .map(|(o, st)| {
                let h = o.head();
                sales_order::ActiveModel {
                    store_id: Set(store_id),
                    order_no: Set(h.order_no.clone()),
                    member_id: Set(st.member_id),
                    status: Set(st.status.as_str().to_owned()),
                    stage: Set(stage_str(st.stage).to_owned()),
                    ordered_at: Set(h.ordered_at),
                    paid_at: Set(h.paid_at),
                    paid_day: Set(h
                        .paid_at
                        .map(|p| members::epoch_day(p.with_timezone(&tz).date_naive()))),
                    consulted: Set(h.consulted),
                    channel: Set(h.channel.clone()),
                    item_total_fen: Set(o.rows.iter().map(|r| r.unit_price * r.quantity).sum()),
                    discount_fen: Set(o.rows.iter().map(|r| r.discount).sum()),
                    paid_fen: Set(st.paid),
                    refunded_fen: Set(st.lines.iter().map(|l| l.refunded).sum()),
                    line_count: Set(o.rows.len() as i32),
                    oversold_units: Set(st.lines.iter().map(|l| l.oversold).sum()),
                    points_earned: Set(st.points_earned),
                    points_rate: Set(st.points_rate),
                    imported_at: Set(at),
                    updated_at: Set(at),
                    ..Default::default()
                }
            })
            .collect();
        let ids: HashMap<String, i64> = sales_order::Entity::insert_many(models)
            .exec_with_returning(&txn)
            .await?
            .into_iter()
            .map(|o| (o.order_no, o.id))
            .collect();
        let real = |placeholder: i64| -> Option<i64> {
            let k = usize::try_from(-placeholder - 1).ok()?;
            ids.get(&part.get(k)?.head().order_no).copied()
        };
        for e in &mut fx.points.entries[first_entry..] {
            if let sea_orm::ActiveValue::Set(Some(id)) = e.order_id
                && id < 0
            {
                e.order_id = Set(real(id));
            }
        }
        let mut lines = Vec::new();
        for (o, st) in part.iter().zip(&states) {
            let order_id = real(st.id).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!(
                    "inserted order {} not returned",
                    st.order_no
                ))
            })?;
            for (l, r) in st.lines.iter().zip(&o.rows) {
                lines.push(order_line::ActiveModel {
                    order_id: Set(order_id),
                    store_id: Set(store_id),
                    line_no: Set(l.line_no),
                    sku_id: Set(l.sku_id),
                    quantity: Set(l.quantity),
                    unit_price_fen: Set(r.unit_price),
                    discount_fen: Set(r.discount),
                    paid_fen: Set(l.paid),
                    refunded_fen: Set(l.refunded),
                    sold_units: Set(l.sold),
                    oversold_units: Set(l.oversold),
                    returned_units: Set(l.returned),
                    ..Default::default()
                });
            }
        }
        for chunk in lines.chunks(CHUNK) {
            order_line::Entity::insert_many(chunk.to_vec())
                .exec(&txn)
                .await?;
        }
        done += part.len() as u64;
        progress("orders", done, orders.len() as u64);
    }

    // Existing orders: status and times, and the effects of the move.
    let known: Vec<&FileOrder<'_>> = orders
        .iter()
        .filter(|o| existing.contains_key(&o.head().order_no))
        .collect();
    let known_ids: Vec<i64> = known
        .iter()
        .map(|o| existing[&o.head().order_no].id)
        .collect();
    let mut stored_lines: HashMap<i64, Vec<order_line::Model>> = HashMap::new();
    for part in known_ids.chunks(CHUNK) {
        for l in order_line::Entity::find()
            .filter(order_line::Column::OrderId.is_in(part.to_vec()))
            .all(&txn)
            .await?
        {
            stored_lines.entry(l.order_id).or_default().push(l);
        }
    }
    for o in known {
        let h = o.head();
        let old = &existing[&h.order_no];
        let mut ls = stored_lines.remove(&old.id).unwrap_or_default();
        ls.sort_by_key(|l| l.line_no);
        let mut st = OrderState {
            id: old.id,
            order_no: old.order_no.clone(),
            member_id: old.member_id,
            status: OrderStatus::parse(&old.status).unwrap_or(OrderStatus::Created),
            stage: parse_stage(&old.stage),
            paid: old.paid_fen,
            points_earned: old.points_earned,
            points_rate: old.points_rate,
            lines: ls
                .iter()
                .map(|l| LineState {
                    id: Some(l.id),
                    line_no: l.line_no,
                    sku_id: l.sku_id,
                    quantity: l.quantity,
                    paid: l.paid_fen,
                    refunded: l.refunded_fen,
                    sold: l.sold_units,
                    oversold: l.oversold_units,
                    returned: l.returned_units,
                    changed: false,
                })
                .collect(),
        };
        advance(&mut st, h.status, &o.refunds(), &mut fx);
        let refunded: i64 = st.lines.iter().map(|l| l.refunded).sum();
        let oversold: i64 = st.lines.iter().map(|l| l.oversold).sum();
        let paid_day = h
            .paid_at
            .map(|p| members::epoch_day(p.with_timezone(&tz).date_naive()));
        let same = st.status.as_str() == old.status
            && stage_str(st.stage) == old.stage
            && refunded == old.refunded_fen
            && h.ordered_at == old.ordered_at
            && h.paid_at == old.paid_at
            && st.points_rate == old.points_rate;
        if same {
            report.orders_unchanged += 1;
            continue;
        }
        report.orders_updated += 1;
        report.oversold_lines += st
            .lines
            .iter()
            .filter(|l| l.changed && l.oversold > 0)
            .count();
        let mut am: sales_order::ActiveModel = old.clone().into();
        am.status = Set(st.status.as_str().to_owned());
        am.stage = Set(stage_str(st.stage).to_owned());
        am.ordered_at = Set(h.ordered_at);
        am.paid_at = Set(h.paid_at);
        am.paid_day = Set(paid_day);
        am.refunded_fen = Set(refunded);
        am.oversold_units = Set(oversold);
        am.points_earned = Set(st.points_earned);
        am.points_rate = Set(st.points_rate);
        am.updated_at = Set(at);
        am.update(&txn).await?;
        for l in st.lines.iter().filter(|l| l.changed) {
            if let Some(id) = l.id {
                order_line::Entity::update_many()
                    .col_expr(order_line::Column::RefundedFen, Expr::value(l.refunded))
                    .col_expr(order_line::Column::SoldUnits, Expr::value(l.sold))
                    .col_expr(order_line::Column::OversoldUnits, Expr::value(l.oversold))
                    .col_expr(order_line::Column::ReturnedUnits, Expr::value(l.returned))
                    .filter(order_line::Column::Id.eq(id))
                    .exec(&txn)
                    .await?;
            }
        }
    }

    // The stock ledger: movements, then each SKU's new figure and its product's totals.
    progress("stock", 0, fx.stock.movements.len() as u64);
    report.sale_movements = fx.stock.sales;
    report.return_movements = fx.stock.returns;
    for chunk in fx.stock.movements.chunks(CHUNK) {
        inventory_movement::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    let mut products = HashSet::new();
    for id in &fx.stock.touched {
        let s = &fx.stock.skus[id];
        sku::Entity::update_many()
            .col_expr(sku::Column::OnHand, Expr::value(s.on_hand))
            .col_expr(sku::Column::UpdatedAt, Expr::value(at))
            .filter(sku::Column::Id.eq(s.id))
            .exec(&txn)
            .await?;
        products.insert(s.product_id);
    }
    for p in products {
        catalog::refresh_product_totals(&txn, p).await?;
    }

    // Points, then members' figures and tiers, in SQL.
    progress("members", 0, 0);
    for chunk in fx.points.entries.chunks(CHUNK) {
        entity::points_entry::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    members::refresh_aggregates(&txn, &member_ids).await?;
    report.tier_changes =
        members::reevaluate_tiers(&txn, &store, Some(&member_ids), TierCause::OrderPaid).await?;

    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "orders.import", target_type: "Store", target_id: Some(store_id), store_id: Some(store_id),
        after: Some(json!({
            "rows": report.rows, "ordersCreated": report.orders_created, "ordersUpdated": report.orders_updated,
            "ordersUnchanged": report.orders_unchanged, "membersCreated": report.members_created,
            "saleMovements": report.sale_movements, "returnMovements": report.return_movements,
            "oversoldLines": report.oversold_lines, "tierChanges": report.tier_changes,
        })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    if report.orders_created + report.orders_updated >= BULK {
        progress("analyzing", 0, 0);
        db::analyze_after_bulk(
            &ctx.db,
            &[
                "sales_order",
                "order_line",
                "member",
                "points_entry",
                "tier_change",
                "inventory_movement",
            ],
        )
        .await;
    }
    progress("done", 1, 1);
    Ok(Outcome::Imported(report))
}

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
pub async fn list(
    ctx: &ServiceCtx,
    filter: OrderFilter,
    sort: OrderSort,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<sales_order::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::OrderView, filter.store_id)?;
    let name = match sort {
        OrderSort::CreatedAt => "CREATED_AT",
        OrderSort::PaidAt => "PAID_AT",
        OrderSort::Amount => "AMOUNT",
    };
    let args = PageArgs::parse(window, !reverse, name)?;
    let mut q = sales_order::Entity::find();
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(sales_order::Column::StoreId.is_in(stores));
    }
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
    match sort {
        OrderSort::CreatedAt => {
            page::fetch(
                &ctx.db,
                q,
                ("CREATED_AT", sales_order::Column::OrderedAt, |o| {
                    CursorKey::Time(o.ordered_at)
                }),
                sales_order::Column::Id,
                |o| o.id,
                &args,
            )
            .await
        }
        OrderSort::PaidAt => {
            let q = q.filter(sales_order::Column::PaidAt.is_not_null());
            page::fetch(
                &ctx.db,
                q,
                ("PAID_AT", sales_order::Column::PaidAt, |o| {
                    CursorKey::Time(o.paid_at.unwrap_or_default())
                }),
                sales_order::Column::Id,
                |o| o.id,
                &args,
            )
            .await
        }
        OrderSort::Amount => {
            page::fetch(
                &ctx.db,
                q,
                ("AMOUNT", sales_order::Column::PaidFen, |o| {
                    CursorKey::Int(o.paid_fen)
                }),
                sales_order::Column::Id,
                |o| o.id,
                &args,
            )
            .await
        }
    }
}

/// `order(id)` (ORDER_VIEW).
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<sales_order::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::OrderView, None)?;
    sales_order::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .filter(|o| staff.sees_store(o.store_id))
        .ok_or(AppError::not_found("order"))
}

/// `node(id:)` of an order line (ORDER_VIEW, the order's store).
pub async fn line_get(ctx: &ServiceCtx, id: i64) -> Result<order_line::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::OrderView, None)?;
    order_line::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .filter(|l| staff.sees_store(l.store_id))
        .ok_or(AppError::not_found("order line"))
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
