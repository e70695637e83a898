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
