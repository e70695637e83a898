//! Order import, first pass: read and validate every row; nothing is written.

use super::*;

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
pub(crate) const CHUNK: usize = 2000;
/// Changed orders from which an import refreshes PostgreSQL's planner statistics.
pub(crate) const BULK: usize = 10_000;
/// Rows per INSERT of the wide tables (members, orders: about 22 columns).
pub(crate) const WIDE_CHUNK: usize = 1000;

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

/// Import result: the report, or the rows at fault (nothing written).
pub type Outcome = crate::service::kernel::csv_file::Outcome<Report>;

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) line: usize,
    pub(crate) order_no: String,
    pub(crate) buyer_ref: String,
    pub(crate) buyer_nick: String,
    pub(crate) buyer_phone: Option<String>,
    pub(crate) status: OrderStatus,
    pub(crate) ordered_at: DateTime<Utc>,
    pub(crate) paid_at: Option<DateTime<Utc>>,
    pub(crate) consulted: bool,
    pub(crate) sku_code: String,
    pub(crate) quantity: i64,
    pub(crate) unit_price: i64,
    pub(crate) discount: i64,
    pub(crate) paid: i64,
    pub(crate) channel: Option<String>,
    pub(crate) refunded: Option<i64>,
}

/// `2026-11-11T00:00:05+08:00`, or a local `2026-11-11 00:00:05` in the store's time zone (as
/// platform exports write it).
pub(crate) fn parse_time(raw: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
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

pub(crate) fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "n" | "否" => Some(false),
        "1" | "true" | "yes" | "y" | "是" => Some(true),
        _ => None,
    }
}

pub(crate) fn stage_str(s: Stage) -> &'static str {
    match s {
        Stage::Unpaid => "UNPAID",
        Stage::Paid => "PAID",
        Stage::Shipped => "SHIPPED",
        Stage::Completed => "COMPLETED",
    }
}

/// The stored status of an order; an unknown value is an internal error naming the order.
pub fn stored_status(o: &sales_order::Model) -> Result<OrderStatus, AppError> {
    OrderStatus::parse(&o.status).ok_or_else(|| {
        AppError::unreadable("order", o.id, format!("unknown status {:?}", o.status))
    })
}

/// The stored status and stage of an order; unknown values are an internal error naming the
/// order, never a default.
pub(crate) fn stored_state(o: &sales_order::Model) -> Result<(OrderStatus, Stage), AppError> {
    let status = stored_status(o)?;
    let stage = match o.stage.as_str() {
        "UNPAID" => Stage::Unpaid,
        "PAID" => Stage::Paid,
        "SHIPPED" => Stage::Shipped,
        "COMPLETED" => Stage::Completed,
        other => {
            return Err(AppError::unreadable(
                "order",
                o.id,
                format!("unknown stage {other:?}"),
            ));
        }
    };
    Ok((status, stage))
}

/// The stage an order reaches with `status`, from `old`.
pub(crate) fn next_stage(old: Stage, status: OrderStatus) -> Stage {
    let s = match status {
        OrderStatus::Created | OrderStatus::Cancelled | OrderStatus::ClosedUnpaid => Stage::Unpaid,
        OrderStatus::Paid | OrderStatus::Refunded | OrderStatus::PartiallyRefunded => Stage::Paid,
        OrderStatus::Shipped => Stage::Shipped,
        OrderStatus::Completed => Stage::Completed,
    };
    old.max(s)
}

/// Parses and checks each row on its own.
pub(crate) fn parse(
    reader: impl Read,
    tz: chrono_tz::Tz,
    errors: &mut Errors,
    progress: &Progress,
) -> Vec<Row> {
    let Some(file) = CsvFile::open(reader, &COLUMNS, &OPTIONAL_COLUMNS, errors) else {
        return Vec::new();
    };
    let limits = Limits {
        max_rows: MAX_ROWS,
        progress_every: 20_000,
    };
    file.rows(limits, errors, progress, |c, errors| row(c, tz, errors))
}

/// An amount in fen from 0 to ¥1,000,000,000.
fn money(raw: &str) -> Option<i64> {
    Fen::parse(raw.trim())
        .map(|f| f.0)
        .filter(|f| (0..=100_000_000_000).contains(f))
}

fn row(c: &Cells<'_>, tz: chrono_tz::Tz, errors: &mut Errors) -> Row {
    let line = c.line;
    let order_no = c.text(errors, "order_no", 64, true);
    let buyer_ref = c.text(errors, "buyer_ref", 64, true);
    let buyer_nick = c.text(errors, "buyer_nick", 64, false);
    let buyer_phone = c.optional("buyer_phone").and_then(|raw| {
        if crate::domain::pii::normalise_phone(raw).is_some() {
            return Some(raw.to_owned());
        }
        // The value itself is personal data: never echoed in the message.
        errors.add(
            line,
            "buyer_phone",
            "buyer_phone is not a phone number (6–15 digits)",
        );
        None
    });
    let status = OrderStatus::parse(c.get("status"));
    if status.is_none() {
        errors.add(
            line,
            "status",
            "status must be one of CREATED PAID SHIPPED COMPLETED CANCELLED CLOSED_UNPAID REFUNDED PARTIALLY_REFUNDED",
        );
    }
    let (ordered_at, paid_at) = times(c, tz, status, errors);
    let consulted = parse_bool(c.get("consulted"));
    if consulted.is_none() {
        errors.add(
            line,
            "consulted",
            "consulted must be true or false (1/0, yes/no, 是/否)",
        );
    }
    let sku_code = c.text(errors, "sku_code", 64, true);
    let amounts = amounts(c, errors);
    let channel = c.text(errors, "channel", 64, false);
    let refunded = c
        .optional(OPTIONAL_COLUMNS[0])
        .and_then(|raw| refunded(line, raw, amounts.paid, status, errors));
    Row {
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
        quantity: amounts.quantity.unwrap_or(0),
        unit_price: amounts.unit_price.unwrap_or(0),
        discount: amounts.discount.unwrap_or(0),
        paid: amounts.paid.unwrap_or(0),
        channel: (!channel.is_empty()).then_some(channel),
        refunded,
    }
}

/// Creation and payment times: paid orders have a payment time no earlier than creation, unpaid
/// ones none.
fn times(
    c: &Cells<'_>,
    tz: chrono_tz::Tz,
    status: Option<OrderStatus>,
    errors: &mut Errors,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let line = c.line;
    const FORMAT: &str = "must be a time such as 2026-11-11 00:00:05 (store time) or RFC 3339";
    let ordered_at = parse_time(c.get("created_at"), tz);
    if ordered_at.is_none() {
        errors.add(line, "created_at", format!("created_at {FORMAT}"));
    }
    let paid_raw = c.optional("paid_at");
    let paid_at = paid_raw.and_then(|raw| {
        let t = parse_time(raw, tz);
        if t.is_none() {
            errors.add(line, "paid_at", format!("paid_at {FORMAT}"));
        }
        t
    });
    if let Some(s) = status {
        if s.is_paid() && paid_raw.is_none() {
            errors.add(
                line,
                "paid_at",
                format!("a {} order needs paid_at", s.as_str()),
            );
        }
        if !s.is_paid() && paid_raw.is_some() {
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
    (ordered_at, paid_at)
}

/// A line's quantity and amounts, as far as they parse.
struct Amounts {
    quantity: Option<i64>,
    unit_price: Option<i64>,
    discount: Option<i64>,
    paid: Option<i64>,
}

/// Quantity, unit price, discount and paid amount; the paid amount must add up.
fn amounts(c: &Cells<'_>, errors: &mut Errors) -> Amounts {
    let line = c.line;
    let quantity =
        (c.get("quantity").trim().parse::<i64>().ok()).filter(|q| (1..=100_000).contains(q));
    if quantity.is_none() {
        errors.add(
            line,
            "quantity",
            "quantity must be a whole number from 1 to 100,000",
        );
    }
    let unit_price = money(c.get("unit_price"));
    if unit_price.is_none() {
        errors.add(
            line,
            "unit_price",
            "unit_price must be an amount ≥ 0 with at most two decimals, e.g. 199.00",
        );
    }
    let discount = c.optional("discount").map_or(Some(0), money);
    if discount.is_none() {
        errors.add(
            line,
            "discount",
            "discount must be an amount ≥ 0 with at most two decimals",
        );
    }
    let paid = money(c.get("paid_amount"));
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
    Amounts {
        quantity,
        unit_price,
        discount,
        paid,
    }
}

/// The amount refunded on the line: at most what it paid, nothing on an unpaid order, all of it
/// on a REFUNDED one.
fn refunded(
    line: usize,
    raw: &str,
    paid: Option<i64>,
    status: Option<OrderStatus>,
    errors: &mut Errors,
) -> Option<i64> {
    let r = money(raw);
    let col = "refunded_amount";
    match (r, paid, status) {
        (None, _, _) => errors.add(
            line,
            col,
            "refunded_amount must be an amount ≥ 0 with at most two decimals",
        ),
        (Some(r), Some(p), _) if r > p => {
            errors.add(line, col, "refunded_amount exceeds the line's paid_amount")
        }
        (Some(r), _, Some(s)) if r > 0 && !s.is_paid() => {
            errors.add(line, col, "an unpaid order has nothing refunded")
        }
        (Some(r), Some(p), Some(OrderStatus::Refunded)) if r != p => {
            errors.add(line, col, "a REFUNDED order refunds every line in full")
        }
        _ => {}
    }
    r
}
