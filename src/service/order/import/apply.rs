//! Order import, second pass: write orders, lines, stock movements, points and tiers in one transaction.

use super::check::{check_stored, group_orders, sku_ids, stored_orders};
use super::*;
use crate::service::kernel::write::write;

/// A sealed phone: cipher, lookup hash, masked form.
type SealedPhone = (String, String, String);

/// Imports an order CSV into `store_id` as the context's viewer (ORDER_IMPORT).
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn import(
    ctx: &ServiceCtx,
    store_id: i64,
    reader: impl Read + Send + 'static,
    progress: Progress,
) -> Result<Outcome, AppError> {
    let (staff, store) =
        crate::service::kernel::scope::acting_in_store(ctx, Permission::OrderImport, store_id)
            .await?;
    let tz = crate::service::store::tz(&store)?;
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
    let orders = group_orders(&rows, &mut errors);
    let sku_ids = sku_ids(&ctx.db, store_id, &rows, &mut errors).await?;
    let existing = stored_orders(&ctx.db, store_id, &orders).await?;
    check_stored(&orders, &existing, &mut errors)?;
    if errors.total > 0 {
        return Ok(Outcome::Rejected {
            total_errors: errors.total,
            errors: errors.list,
        });
    }
    drop(errors);

    let report = write(ctx, staff, async |txn| {
    let mut w = Writer {
        txn,
        ctx,
        store: &store,
        tz,
        at: ctx.now(),
        progress: &progress,
        report: Report {
            rows: rows.len(),
            ..Default::default()
        },
    };
    progress("members", 0, 0);
    let member_of = w.members(&orders).await?;
    let rates = points_rates(&store, &member_of)?;
    let mut fx = Effects {
        stock: StockBook {
            skus: locked_skus(w.txn, &sku_ids).await?,
            movements: Vec::new(),
            touched: HashSet::new(),
            actor: staff.actor_id(),
            at: w.at,
            sales: 0,
            returns: 0,
        },
        points: opening_points(store_id, w.at, &member_of),
        rates: &rates,
    };
    progress("orders", 0, orders.len() as u64);
    let (known, fresh): (Vec<&FileOrder<'_>>, Vec<&FileOrder<'_>>) =
        (orders.iter()).partition(|o| existing.contains_key(&o.head().order_no));
    w.report.orders_created = fresh.len();
    let mut done = 0u64;
    for part in fresh.chunks(WIDE_CHUNK) {
        w.insert_orders(part, &member_of, &sku_ids, &mut fx).await?;
        done += part.len() as u64;
        progress("orders", done, orders.len() as u64);
    }
    w.update_orders(&known, &existing, &mut fx).await?;
    w.write_stock(&fx.stock).await?;
    progress("members", 0, 0);
    let member_ids: Vec<i64> = member_of.values().map(|m| m.id).collect();
    w.write_points(&fx.points, &member_ids).await?;

    let report = w.report;
    let entry = audit::Entry {
        action: "orders.import", target_type: "Store", target_id: Some(store_id), store_id: Some(store_id),
        after: Some(json!({
            "rows": report.rows, "ordersCreated": report.orders_created, "ordersUpdated": report.orders_updated,
            "ordersUnchanged": report.orders_unchanged, "membersCreated": report.members_created,
            "saleMovements": report.sale_movements, "returnMovements": report.return_movements,
            "oversoldLines": report.oversold_lines, "tierChanges": report.tier_changes,
        })),
        ..Default::default()
    };
    Ok((report, entry))
    })
    .await?;
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

/// Points rates per member: points per yuan × the tier multiplier at payment, and the multiplier.
fn points_rates(
    store: &store::Model,
    member_of: &HashMap<String, member::Model>,
) -> Result<HashMap<i64, (i64, i32)>, AppError> {
    let defs = members::tiers(store)?;
    let rates = (member_of.values())
        .map(|m| {
            let mult = members::multiplier_bp(&defs, m.tier.as_deref());
            let rate = i64::from(store.points_per_yuan) * i64::from(mult);
            (m.id, (rate, mult))
        })
        .collect::<HashMap<_, _>>();
    Ok(rates)
}

/// The points book, opened on the members' current balances.
fn opening_points(
    store_id: i64,
    at: DateTime<Utc>,
    member_of: &HashMap<String, member::Model>,
) -> PointsBook {
    let mut points = PointsBook::new(store_id, at);
    points.states = (member_of.values())
        .map(|m| {
            let state = members::PointsState {
                balance: m.points_balance,
                deficit: m.points_deficit,
            };
            (m.id, state)
        })
        .collect();
    points
}

/// The rows' SKUs, under the write lock.
async fn locked_skus(
    txn: &DatabaseTransaction,
    sku_ids: &HashMap<String, i64>,
) -> Result<HashMap<i64, sku::Model>, AppError> {
    let mut skus = HashMap::new();
    let ids: Vec<i64> = sku_ids.values().copied().collect();
    for part in ids.chunks(CHUNK) {
        for s in sku::Entity::find()
            .filter(sku::Column::Id.is_in(part.to_vec()))
            .lock_exclusive()
            .all(txn)
            .await?
        {
            skus.insert(s.id, s);
        }
    }
    Ok(skus)
}

/// The write pass: one transaction, batched statements, a running report.
struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    ctx: &'a ServiceCtx,
    store: &'a store::Model,
    tz: chrono_tz::Tz,
    at: DateTime<Utc>,
    progress: &'a Progress,
    report: Report,
}

impl Writer<'_> {
    /// Members matched by buyer_ref, created when new; nick and phone follow the latest order of
    /// the file. Returns every buyer's member.
    async fn members(
        &mut self,
        orders: &[FileOrder<'_>],
    ) -> Result<HashMap<String, member::Model>, AppError> {
        let mut member_of: HashMap<String, member::Model> = HashMap::new();
        let refs: Vec<String> = (orders.iter())
            .map(|o| o.head().buyer_ref.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for part in refs.chunks(CHUNK) {
            for m in member::Entity::find()
                .filter(member::Column::StoreId.eq(self.store.id))
                .filter(member::Column::BuyerRef.is_in(part.to_vec()))
                .all(self.txn)
                .await?
            {
                member_of.insert(m.buyer_ref.clone(), m);
            }
        }
        let mut latest: HashMap<&str, &Row> = HashMap::new();
        for o in orders {
            let h = o.head();
            latest.insert(&h.buyer_ref, h);
        }
        let mut new_members = Vec::new();
        for (buyer, h) in &latest {
            let sealed = h
                .buyer_phone
                .as_deref()
                .and_then(|p| self.ctx.pii.seal_phone(p));
            match member_of.get(*buyer) {
                None => new_members.push(self.new_member(buyer, h, sealed)),
                Some(m) => self.update_member(m, h, sealed).await?,
            }
        }
        self.report.members_created = new_members.len();
        // RETURNING gives the new ids without looking the rows up again.
        for part in new_members.chunks(WIDE_CHUNK) {
            for m in member::Entity::insert_many(part.to_vec())
                .exec_with_returning(self.txn)
                .await?
            {
                member_of.insert(m.buyer_ref.clone(), m);
            }
        }
        Ok(member_of)
    }

    fn new_member(&self, buyer: &str, h: &Row, sealed: Option<SealedPhone>) -> member::ActiveModel {
        let (cipher, hash, masked) = match sealed {
            Some((c, h, m)) => (Some(c), Some(h), Some(m)),
            None => (None, None, None),
        };
        member::ActiveModel {
            store_id: Set(self.store.id),
            buyer_ref: Set(buyer.to_owned()),
            nick: Set(h.buyer_nick.clone()),
            phone_cipher: Set(cipher),
            phone_hash: Set(hash),
            phone_masked: Set(masked),
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
            created_at: Set(self.at),
            updated_at: Set(self.at),
            ..Default::default()
        }
    }

    async fn update_member(
        &self,
        m: &member::Model,
        h: &Row,
        sealed: Option<SealedPhone>,
    ) -> Result<(), AppError> {
        let nick_changed = !h.buyer_nick.is_empty() && h.buyer_nick != m.nick;
        let phone_changed = (sealed.as_ref()).is_some_and(|s| Some(&s.1) != m.phone_hash.as_ref());
        if !nick_changed && !phone_changed {
            return Ok(());
        }
        let mut am: member::ActiveModel = m.clone().into();
        if nick_changed {
            am.nick = Set(h.buyer_nick.clone());
        }
        if let Some(s) = sealed.filter(|_| phone_changed) {
            am.phone_cipher = Set(Some(s.0));
            am.phone_hash = Set(Some(s.1));
            am.phone_masked = Set(Some(s.2));
        }
        am.updated_at = Set(self.at);
        am.update(self.txn).await?;
        Ok(())
    }

    /// New orders: effects first (so each order is inserted once, as it ends up), then the orders
    /// with RETURNING, then their lines; points entries get the new ids.
    async fn insert_orders(
        &mut self,
        part: &[&FileOrder<'_>],
        member_of: &HashMap<String, member::Model>,
        sku_ids: &HashMap<String, i64>,
        fx: &mut Effects<'_>,
    ) -> Result<(), AppError> {
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
                lines: (o.rows.iter().enumerate())
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
            advance(&mut st, h.status, &o.refunds(), fx);
            self.report.oversold_lines += st.lines.iter().filter(|l| l.oversold > 0).count();
            states.push(st);
        }
        let models: Vec<sales_order::ActiveModel> = (part.iter().zip(&states))
            .map(|(o, st)| self.new_order(o, st))
            .collect();
        let ids: HashMap<String, i64> = sales_order::Entity::insert_many(models)
            .exec_with_returning(self.txn)
            .await?
            .into_iter()
            .map(|o| (o.order_no, o.id))
            .collect();
        let real = |placeholder: i64| -> Option<i64> {
            let k = usize::try_from(-placeholder - 1).ok()?;
            ids.get(&part.get(k)?.head().order_no).copied()
        };
        for e in &mut fx.points.entries[first_entry..] {
            if let Set(Some(id)) = e.order_id
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
            lines.extend(
                st.lines
                    .iter()
                    .zip(&o.rows)
                    .map(|(l, r)| self.new_line(order_id, l, r)),
            );
        }
        for chunk in lines.chunks(CHUNK) {
            order_line::Entity::insert_many(chunk.to_vec())
                .exec(self.txn)
                .await?;
        }
        Ok(())
    }

    fn paid_day(&self, h: &Row) -> Option<i32> {
        (h.paid_at).map(|p| members::epoch_day(p.with_timezone(&self.tz).date_naive()))
    }

    fn new_order(&self, o: &FileOrder<'_>, st: &OrderState) -> sales_order::ActiveModel {
        let h = o.head();
        sales_order::ActiveModel {
            store_id: Set(self.store.id),
            order_no: Set(h.order_no.clone()),
            member_id: Set(st.member_id),
            status: Set(st.status.as_str().to_owned()),
            stage: Set(stage_str(st.stage).to_owned()),
            ordered_at: Set(h.ordered_at),
            paid_at: Set(h.paid_at),
            paid_day: Set(self.paid_day(h)),
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
            imported_at: Set(self.at),
            updated_at: Set(self.at),
            ..Default::default()
        }
    }

    fn new_line(&self, order_id: i64, l: &LineState, r: &Row) -> order_line::ActiveModel {
        order_line::ActiveModel {
            order_id: Set(order_id),
            store_id: Set(self.store.id),
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
        }
    }

    /// Stored orders: status and times, and the effects of the move.
    async fn update_orders(
        &mut self,
        known: &[&FileOrder<'_>],
        existing: &HashMap<String, sales_order::Model>,
        fx: &mut Effects<'_>,
    ) -> Result<(), AppError> {
        let known_ids: Vec<i64> = (known.iter())
            .map(|o| existing[&o.head().order_no].id)
            .collect();
        let mut stored_lines: HashMap<i64, Vec<order_line::Model>> = HashMap::new();
        for part in known_ids.chunks(CHUNK) {
            for l in order_line::Entity::find()
                .filter(order_line::Column::OrderId.is_in(part.to_vec()))
                .all(self.txn)
                .await?
            {
                stored_lines.entry(l.order_id).or_default().push(l);
            }
        }
        for o in known {
            let old = &existing[&o.head().order_no];
            let mut lines = stored_lines.remove(&old.id).unwrap_or_default();
            lines.sort_by_key(|l| l.line_no);
            self.update_order(o, old, &lines, fx).await?;
        }
        Ok(())
    }

    async fn update_order(
        &mut self,
        o: &FileOrder<'_>,
        old: &sales_order::Model,
        lines: &[order_line::Model],
        fx: &mut Effects<'_>,
    ) -> Result<(), AppError> {
        let h = o.head();
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
            lines: (lines.iter())
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
        advance(&mut st, h.status, &o.refunds(), fx);
        let refunded: i64 = st.lines.iter().map(|l| l.refunded).sum();
        let oversold: i64 = st.lines.iter().map(|l| l.oversold).sum();
        let same = st.status.as_str() == old.status
            && stage_str(st.stage) == old.stage
            && refunded == old.refunded_fen
            && h.ordered_at == old.ordered_at
            && h.paid_at == old.paid_at
            && st.points_rate == old.points_rate;
        if same {
            self.report.orders_unchanged += 1;
            return Ok(());
        }
        self.report.orders_updated += 1;
        self.report.oversold_lines += (st.lines.iter())
            .filter(|l| l.changed && l.oversold > 0)
            .count();
        let mut am: sales_order::ActiveModel = old.clone().into();
        am.status = Set(st.status.as_str().to_owned());
        am.stage = Set(stage_str(st.stage).to_owned());
        am.ordered_at = Set(h.ordered_at);
        am.paid_at = Set(h.paid_at);
        am.paid_day = Set(self.paid_day(h));
        am.refunded_fen = Set(refunded);
        am.oversold_units = Set(oversold);
        am.points_earned = Set(st.points_earned);
        am.points_rate = Set(st.points_rate);
        am.updated_at = Set(self.at);
        am.update(self.txn).await?;
        for l in st.lines.iter().filter(|l| l.changed) {
            if let Some(id) = l.id {
                order_line::Entity::update_many()
                    .col_expr(order_line::Column::RefundedFen, Expr::value(l.refunded))
                    .col_expr(order_line::Column::SoldUnits, Expr::value(l.sold))
                    .col_expr(order_line::Column::OversoldUnits, Expr::value(l.oversold))
                    .col_expr(order_line::Column::ReturnedUnits, Expr::value(l.returned))
                    .filter(order_line::Column::Id.eq(id))
                    .exec(self.txn)
                    .await?;
            }
        }
        Ok(())
    }

    /// The stock ledger: movements, then each SKU's new figure and its product's totals.
    async fn write_stock(&mut self, stock: &StockBook) -> Result<(), AppError> {
        (self.progress)("stock", 0, stock.movements.len() as u64);
        self.report.sale_movements = stock.sales;
        self.report.return_movements = stock.returns;
        for chunk in stock.movements.chunks(CHUNK) {
            inventory_movement::Entity::insert_many(chunk.to_vec())
                .exec(self.txn)
                .await?;
        }
        let mut products = HashSet::new();
        for id in &stock.touched {
            let s = &stock.skus[id];
            sku::Entity::update_many()
                .col_expr(sku::Column::OnHand, Expr::value(s.on_hand))
                .col_expr(sku::Column::UpdatedAt, Expr::value(self.at))
                .filter(sku::Column::Id.eq(s.id))
                .exec(self.txn)
                .await?;
            products.insert(s.product_id);
        }
        for p in products {
            catalog::refresh_product_totals(self.txn, p).await?;
        }
        Ok(())
    }

    /// Points, then members' figures and tiers, in SQL.
    async fn write_points(
        &mut self,
        points: &PointsBook,
        member_ids: &[i64],
    ) -> Result<(), AppError> {
        for chunk in points.entries.chunks(CHUNK) {
            entity::points_entry::Entity::insert_many(chunk.to_vec())
                .exec(self.txn)
                .await?;
        }
        members::refresh_aggregates(self.txn, member_ids, self.at).await?;
        self.report.tier_changes = members::reevaluate_tiers(
            self.txn,
            self.store,
            Some(member_ids),
            TierCause::OrderPaid,
            self.at,
        )
        .await?;
        Ok(())
    }
}
