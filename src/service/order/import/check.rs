//! Order import, checks: rows of one order against each other, SKUs, and the stored orders the
//! file moves. Every problem is collected with its line and column; nothing is written here.

use super::*;

/// Groups the rows into orders (first-appearance order) and checks each order's rows agree on the
/// order-level fields, stay within the line limit and state a partial refund that is partial.
pub(crate) fn group_orders<'a>(rows: &'a [Row], errors: &mut Errors) -> Vec<FileOrder<'a>> {
    let mut order_index: HashMap<&str, usize> = HashMap::new();
    let mut orders: Vec<FileOrder<'a>> = Vec::new();
    for row in rows {
        match order_index.get(row.order_no.as_str()) {
            Some(&i) => orders[i].rows.push(row),
            None => {
                order_index.insert(&row.order_no, orders.len());
                orders.push(FileOrder { rows: vec![row] });
            }
        }
    }
    for o in &orders {
        check_order(o, errors);
    }
    orders
}

fn check_order(o: &FileOrder<'_>, errors: &mut Errors) {
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

/// The store's SKUs the rows name, by code; a code the store lacks is a row error.
pub(crate) async fn sku_ids(
    db: &impl ConnectionTrait,
    store_id: i64,
    rows: &[Row],
    errors: &mut Errors,
) -> Result<HashMap<String, i64>, AppError> {
    let mut sku_ids: HashMap<String, i64> = HashMap::new();
    let codes: Vec<String> = (rows.iter())
        .map(|r| r.sku_code.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for part in codes.chunks(CHUNK) {
        for s in sku::Entity::find()
            .filter(sku::Column::StoreId.eq(store_id))
            .filter(sku::Column::Code.is_in(part.to_vec()))
            .all(db)
            .await?
        {
            sku_ids.insert(s.code, s.id);
        }
    }
    for r in rows {
        if !sku_ids.contains_key(&r.sku_code) {
            errors.add(
                r.line,
                "sku_code",
                format!("no SKU {} in this store", r.sku_code),
            );
        }
    }
    Ok(sku_ids)
}

/// The stored orders the file names, by order number.
pub(crate) async fn stored_orders(
    db: &impl ConnectionTrait,
    store_id: i64,
    orders: &[FileOrder<'_>],
) -> Result<HashMap<String, sales_order::Model>, AppError> {
    let mut existing = HashMap::new();
    let numbers: Vec<String> = orders.iter().map(|o| o.head().order_no.clone()).collect();
    for part in numbers.chunks(CHUNK) {
        for o in sales_order::Entity::find()
            .filter(sales_order::Column::StoreId.eq(store_id))
            .filter(sales_order::Column::OrderNo.is_in(part.to_vec()))
            .all(db)
            .await?
        {
            existing.insert(o.order_no.clone(), o);
        }
    }
    Ok(existing)
}

/// A stored order moves only to a reachable status, its refunds never shrink, and its line count
/// stays.
pub(crate) fn check_stored(
    orders: &[FileOrder<'_>],
    existing: &HashMap<String, sales_order::Model>,
    errors: &mut Errors,
) -> Result<(), AppError> {
    for o in orders {
        let h = o.head();
        let Some(old) = existing.get(&h.order_no) else {
            continue;
        };
        let (from, stage) = stored_state(old)?;
        if !can_reach(from, stage, h.status) {
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
    Ok(())
}
