//! Order import, second pass: write orders, lines, stock movements, points and tiers in one transaction.

use super::*;

/// Imports an order CSV into `store_id` as the context's viewer (ORDER_IMPORT).
#[tracing::instrument(skip_all, fields(store.id = store_id))]
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
        let (status, stage) = stored_state(old)?;
        let mut st = OrderState {
            id: old.id,
            order_no: old.order_no.clone(),
            member_id: old.member_id,
            status,
            stage,
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
