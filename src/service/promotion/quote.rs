//! `priceQuote`, `priceGuard` and `lowestPaidPrice`: the service loads everything the pricing
//! engine needs in a fixed number of statements, then the pure engine computes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::{coupon, member, promotion, sku, store};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};

use crate::auth::Permission;
use crate::db;
use crate::engine::guard::{self, Finding, GuardInput};
use crate::engine::{
    self, Buyer, CartLine, CouponOffer, CouponOutcome, CouponReject, Promo, QuoteInput, Rule,
    ShippingTemplate,
};
use crate::error::{AppError, ErrorCode, UserError};
use crate::service::ServiceCtx;
use crate::service::promotion::coupon::{State, effective_state};
use crate::service::promotion::{Catalog, Status, deepest_tier_bp, live_promo, live_promos};

/// The most lines a quote takes.
pub const MAX_LINES: usize = 200;

/// `priceQuote`'s request.
#[derive(Debug, Clone)]
pub struct QuoteRequest {
    pub store_id: i64,
    pub lines: Vec<CartLine>,
    pub member_id: Option<i64>,
    pub vip88: bool,
    /// Named coupon codes; None: the member's own valid coupons are candidates.
    pub coupon_codes: Option<Vec<String>>,
    pub region: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// A priced cart and what the resolvers need around it.
#[derive(Debug, Clone)]
pub struct Priced {
    pub store: store::Model,
    pub at: DateTime<Utc>,
    pub quote: engine::Quote,
    /// The SKUs quoted (and gift SKUs), by id.
    pub skus: BTreeMap<i64, sku::Model>,
    /// Promotion names by id, for the breakdown.
    pub promotions: BTreeMap<i64, promotion::Model>,
    /// Whether the viewer may see cost-based flags.
    pub cost_visible: bool,
}

fn line_error(i: usize, code: ErrorCode, msg: String) -> UserError {
    let idx = i.to_string();
    UserError::new(&["input", "lines", &idx, "skuId"], code, msg)
}

/// Approved promotions of a store whose version in force holds `at` (paused ones excluded).
async fn live_at(
    conn: &impl ConnectionTrait,
    store_id: i64,
    at: DateTime<Utc>,
) -> Result<Vec<promotion::Model>, AppError> {
    Ok(promotion::Entity::find()
        .filter(promotion::Column::StoreId.eq(store_id))
        .filter(
            promotion::Column::Status.is_in([Status::Scheduled.as_str(), Status::Active.as_str()]),
        )
        .filter(promotion::Column::LiveStartAt.lte(at))
        .filter(promotion::Column::LiveEndAt.gt(at))
        .all(conn)
        .await?)
}

/// `priceQuote` (PROMO_VIEW): what the cart costs at `at` (default now) under every promotion in
/// force, line by line.
#[tracing::instrument(skip_all)]
pub async fn quote(ctx: &ServiceCtx, req: QuoteRequest) -> Result<Priced, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, Some(req.store_id))?;
    check_lines(&req)?;
    let db = &ctx.db;
    let store = crate::service::store::load(db, req.store_id).await?;
    let at = req.at.unwrap_or_else(|| ctx.now());
    let promos = live_at(db, store.id, at).await?;
    let mut engine_promos: Vec<Promo> = live_promos(&promos)?;
    let skus = quoted_skus(db, &store, &req, &engine_promos).await?;
    // Gifts stop when the gift SKU's available stock runs out.
    for p in &mut engine_promos {
        if let Rule::Gift {
            gift_sku,
            ref mut stock_left,
            ..
        } = p.rule
        {
            *stock_left = skus.get(&gift_sku).map_or(0, |s| s.on_hand - s.reserved);
        }
    }
    let items: Vec<engine::Item> = skus
        .values()
        .map(|s| engine::Item {
            sku_id: s.id,
            product_id: s.product_id,
            list_price: s.price_fen,
            floor: s.floor_price_fen,
            cost: s.cost_fen,
            min_margin_price: s
                .cost_fen
                .map(|c| crate::service::promotion::min_margin_price(c, store.min_margin_bp)),
        })
        .collect();
    let member = quote_member(db, &store, req.member_id).await?;
    let mut buyer = match &member {
        Some(m) => crate::service::promotion::coupon::buyers(
            db,
            &store,
            std::slice::from_ref(m),
            crate::service::store::today(&store, ctx.now())?,
        )
        .await?
        .remove(&m.id)
        .unwrap_or_default(),
        None => Buyer {
            is_new: true,
            ..Buyer::default()
        },
    };
    buyer.vip88 = req.vip88;
    if let Some(m) = &member {
        buyer.prior_units = prior_units(db, m.id, &engine_promos, &skus, at).await?;
    }
    let (coupons, templates) = coupons_for(db, &store, &req, member.as_ref(), at).await?;
    let (offers, unusable) = coupon_offers(&coupons, &templates, member.as_ref(), &req, at)?;
    let mut quote = engine::quote(&QuoteInput {
        items: &items,
        lines: &req.lines,
        promotions: &engine_promos,
        buyer: &buyer,
        coupons: &offers,
        coupons_named: req.coupon_codes.is_some(),
        region: req.region.as_deref(),
        shipping: ShippingTemplate {
            first: store.shipping_first_fen,
            extra: store.shipping_extra_fen,
        },
        at,
    })
    .map_err(|e| match e {
        engine::QuoteError::UnknownSku(s) => AppError::invalid(
            &["input", "lines"],
            ErrorCode::NotFound,
            format!("SKU {s} is not a SKU of this store"),
        ),
        engine::QuoteError::BadQuantity(q) => AppError::invalid(
            &["input", "lines"],
            ErrorCode::Invalid,
            format!("quantity {q} is out of range"),
        ),
    })?;
    quote.coupons.extend(unusable);
    let mut all_promos: BTreeMap<i64, promotion::Model> =
        promos.into_iter().map(|p| (p.id, p)).collect();
    all_promos.extend(templates);
    let cost_visible = staff.can(Permission::CostView, store.id, store.specialist_cost_view);
    Ok(Priced {
        store,
        at,
        quote,
        skus,
        promotions: all_promos,
        cost_visible,
    })
}

/// 1 to the most lines, each with a quantity in range.
fn check_lines(req: &QuoteRequest) -> Result<(), AppError> {
    if req.lines.is_empty() || req.lines.len() > MAX_LINES {
        return Err(AppError::invalid(
            &["input", "lines"],
            ErrorCode::Invalid,
            format!("a quote has 1–{MAX_LINES} lines"),
        ));
    }
    let mut errors = Vec::new();
    for (i, l) in req.lines.iter().enumerate() {
        if !(1..=engine::MAX_QUANTITY).contains(&l.quantity) {
            let idx = i.to_string();
            errors.push(UserError::new(
                &["input", "lines", &idx, "quantity"],
                ErrorCode::Invalid,
                format!("the quantity is 1–{}", engine::MAX_QUANTITY),
            ));
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(AppError::Invalid(errors)),
    }
}

/// The quoted lines' SKUs and the gift SKUs of the promotions in force, by id; a line whose SKU
/// is not the store's is an error.
async fn quoted_skus(
    db: &impl ConnectionTrait,
    store: &store::Model,
    req: &QuoteRequest,
    promos: &[Promo],
) -> Result<BTreeMap<i64, sku::Model>, AppError> {
    let gift_skus = promos.iter().filter_map(|p| match p.rule {
        Rule::Gift { gift_sku, .. } => Some(gift_sku),
        _ => None,
    });
    let mut wanted: Vec<i64> = req.lines.iter().map(|l| l.sku_id).collect();
    wanted.extend(gift_skus);
    wanted.sort_unstable();
    wanted.dedup();
    let skus: BTreeMap<i64, sku::Model> = sku::Entity::find()
        .filter(sku::Column::StoreId.eq(store.id))
        .filter(sku::Column::Id.is_in(wanted))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let errors: Vec<UserError> = (req.lines.iter().enumerate())
        .filter(|(_, l)| !skus.contains_key(&l.sku_id))
        .map(|(i, l)| {
            let message = format!("SKU {} is not a SKU of this store", l.sku_id);
            line_error(i, ErrorCode::NotFound, message)
        })
        .collect();
    match errors.is_empty() {
        true => Ok(skus),
        false => Err(AppError::Invalid(errors)),
    }
}

/// The quoted member, when one is named: a member of the store.
async fn quote_member(
    db: &impl ConnectionTrait,
    store: &store::Model,
    member_id: Option<i64>,
) -> Result<Option<member::Model>, AppError> {
    let Some(id) = member_id else {
        return Ok(None);
    };
    let m = member::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| m.store_id == store.id)
        .ok_or_else(|| {
            AppError::invalid(
                &["input", "memberId"],
                ErrorCode::NotFound,
                "no such member in this store",
            )
        })?;
    Ok(Some(m))
}

/// Coupons to try: the named codes, or the member's own valid ones; with their templates.
async fn coupons_for(
    db: &impl ConnectionTrait,
    store: &store::Model,
    req: &QuoteRequest,
    member: Option<&member::Model>,
    at: DateTime<Utc>,
) -> Result<(Vec<coupon::Model>, BTreeMap<i64, promotion::Model>), AppError> {
    let coupons: Vec<coupon::Model> = match (&req.coupon_codes, member) {
        (Some(codes), _) => {
            let codes: Vec<String> = codes.iter().map(|c| c.trim().to_uppercase()).collect();
            if codes.len() > 20 {
                return Err(AppError::invalid(
                    &["input", "couponCodes"],
                    ErrorCode::Invalid,
                    "name at most 20 coupons",
                ));
            }
            coupon::Entity::find()
                .filter(coupon::Column::StoreId.eq(store.id))
                .filter(coupon::Column::Code.is_in(codes))
                .all(db)
                .await?
        }
        (None, Some(m)) => {
            coupon::Entity::find()
                .filter(coupon::Column::MemberId.eq(m.id))
                .filter(coupon::Column::Status.eq(State::Claimed.as_str()))
                .filter(coupon::Column::ValidUntil.gt(at))
                .filter(coupon::Column::ValidFrom.lte(at))
                .all(db)
                .await?
        }
        (None, None) => Vec::new(),
    };
    let template_ids: Vec<i64> = coupons.iter().map(|c| c.template_id).collect();
    if template_ids.is_empty() {
        return Ok((coupons, BTreeMap::new()));
    }
    let templates = promotion::Entity::find()
        .filter(promotion::Column::Id.is_in(template_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    Ok((coupons, templates))
}

/// The coupons the engine may apply (in code order, so the result never depends on the
/// database's row order) and the ones it may not (no live template, used or invalidated, or a
/// named code that does not exist).
fn coupon_offers(
    coupons: &[coupon::Model],
    templates: &BTreeMap<i64, promotion::Model>,
    member: Option<&member::Model>,
    req: &QuoteRequest,
    at: DateTime<Utc>,
) -> Result<(Vec<CouponOffer>, Vec<CouponOutcome>), AppError> {
    let not_applicable = |code: String, template_id: i64| CouponOutcome {
        code,
        template_id,
        amount: 0,
        rejected: Some(CouponReject::NotApplicable),
    };
    let mut offers = Vec::new();
    let mut unusable: Vec<CouponOutcome> = Vec::new();
    for c in coupons {
        let template = templates
            .get(&c.template_id)
            .map(live_promo)
            .transpose()?
            .flatten();
        match (template, effective_state(c, at)?) {
            (Some(t), State::Claimed | State::Expired) => offers.push(CouponOffer {
                code: c.code.clone(),
                template: t,
                owned: member.is_some_and(|m| m.id == c.member_id),
                valid_from: c.valid_from,
                valid_until: c.valid_until,
            }),
            _ => unusable.push(not_applicable(c.code.clone(), c.template_id)),
        }
    }
    offers.sort_by(|a, b| a.code.cmp(&b.code));
    for code in req.coupon_codes.iter().flatten() {
        let code = code.trim().to_uppercase();
        if !coupons.iter().any(|c| c.code == code) {
            unusable.push(not_applicable(code, 0));
        }
    }
    Ok((offers, unusable))
}

#[derive(Debug, FromQueryResult)]
struct BoughtRow {
    sku_id: i64,
    quantity: i64,
    paid_at: DateTime<Utc>,
}

/// Units the member already bought (paid orders) of the quoted SKUs under each item-level
/// promotion with a 限购, inside its window before `at`: they count against the limit. One
/// statement, only when such a promotion is in force.
async fn prior_units(
    db: &impl ConnectionTrait,
    member_id: i64,
    promos: &[Promo],
    skus: &BTreeMap<i64, sku::Model>,
    at: DateTime<Utc>,
) -> Result<BTreeMap<i64, i64>, AppError> {
    let limited: Vec<&Promo> = promos
        .iter()
        .filter(|p| {
            matches!(
                p.rule,
                Rule::ItemDiscount {
                    per_buyer_limit: Some(_),
                    ..
                }
            ) && skus.values().any(|s| p.covers(s.product_id, s.id))
        })
        .collect();
    let Some(since) = limited.iter().map(|p| p.start).min() else {
        return Ok(BTreeMap::new());
    };
    let ids: Vec<i64> = skus.keys().copied().collect();
    let mut values: Vec<sea_orm::Value> = vec![member_id.into(), since.into(), at.into()];
    values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    let rows = BoughtRow::find_by_statement(db::raw(
        db.get_database_backend(),
        &format!(
            "SELECT l.sku_id AS sku_id, l.quantity AS quantity, o.paid_at AS paid_at \
             FROM sales_order o JOIN order_line l ON l.order_id = o.id \
             WHERE o.member_id = ? AND o.paid_at >= ? AND o.paid_at < ? AND l.sku_id IN ({})",
            vec!["?"; ids.len()].join(",")
        ),
        values,
    ))
    .all(db)
    .await?;
    let mut out = BTreeMap::new();
    for p in limited {
        let units: i64 = rows
            .iter()
            .filter(|r| {
                r.paid_at >= p.start
                    && skus
                        .get(&r.sku_id)
                        .is_some_and(|s| p.covers(s.product_id, s.id))
            })
            .map(|r| r.quantity)
            .sum();
        if units > 0 {
            out.insert(p.id, units);
        }
    }
    Ok(out)
}

/// `priceGuard`'s answer.
#[derive(Debug, Clone)]
pub struct GuardReport {
    pub store: store::Model,
    pub at: DateTime<Utc>,
    pub checked: usize,
    /// SKUs whose reachable price breaks a line, lowest reachable price first.
    pub findings: Vec<Finding>,
    pub skus: BTreeMap<i64, (String, i64)>,
    pub promotions: BTreeMap<i64, promotion::Model>,
    pub cost_visible: bool,
}

/// `priceGuard` (PROMO_VIEW): for each SKU (all of the store's by default), the lowest unit price
/// a buyer can reach at `at` with the promotions in force (paused coupon templates included:
/// their issued coupons stay valid), reported when it is below the floor, or, for viewers with
/// cost view, below cost or the minimum-margin price.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn guard(
    ctx: &ServiceCtx,
    store_id: i64,
    sku_ids: Option<Vec<i64>>,
    at: Option<DateTime<Utc>>,
) -> Result<GuardReport, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, Some(store_id))?;
    let db = &ctx.db;
    let Catalog { store, items, .. } = Catalog::load(db, store_id).await?;
    let at = at.unwrap_or_else(|| ctx.now());
    let promos: Vec<promotion::Model> = promotion::Entity::find()
        .filter(promotion::Column::StoreId.eq(store.id))
        .filter(
            sea_orm::Condition::any()
                .add(
                    promotion::Column::Status
                        .is_in([Status::Scheduled.as_str(), Status::Active.as_str()]),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(promotion::Column::Status.eq(Status::Paused.as_str()))
                        .add(promotion::Column::Kind.eq(engine::Kind::Coupon.as_str())),
                ),
        )
        .filter(promotion::Column::LiveStartAt.lte(at))
        .filter(promotion::Column::LiveEndAt.gt(at))
        .all(db)
        .await?;
    let engine_promos: Vec<Promo> = live_promos(&promos)?;
    let targets: Vec<i64> = match &sku_ids {
        Some(ids) => {
            if ids.len() > 100_000 {
                return Err(AppError::invalid(
                    &["skuIds"],
                    ErrorCode::Invalid,
                    "at most 100,000 SKUs",
                ));
            }
            if let Some(missing) = ids
                .iter()
                .find(|i| !items.iter().any(|it| it.sku_id == **i))
            {
                return Err(AppError::invalid(
                    &["skuIds"],
                    ErrorCode::NotFound,
                    format!("SKU {missing} is not a SKU of this store"),
                ));
            }
            ids.clone()
        }
        None => items.iter().map(|i| i.sku_id).collect(),
    };
    let cost_visible = staff.can(Permission::CostView, store.id, store.specialist_cost_view);
    let mut findings: Vec<Finding> = guard::guard(
        &GuardInput {
            items: &items,
            promotions: &engine_promos,
            deepest_tier_bp: deepest_tier_bp(&store)?,
            at: Some(at),
        },
        &targets,
    )
    .into_iter()
    .filter(|f| f.below_floor || (cost_visible && (f.below_cost || f.below_min_margin)))
    .collect();
    findings.sort_by_key(|f| (f.reachable, f.sku_id));
    let ids: Vec<i64> = findings.iter().map(|f| f.sku_id).collect();
    let mut skus = BTreeMap::new();
    for part in ids.chunks(1_000) {
        let rows: Vec<(i64, String, i64)> = sku::Entity::find()
            .select_only()
            .columns([sku::Column::Id, sku::Column::Code, sku::Column::ProductId])
            .filter(sku::Column::Id.is_in(part.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        skus.extend(
            rows.into_iter()
                .map(|(id, code, product)| (id, (code, product))),
        );
    }
    Ok(GuardReport {
        store,
        at,
        checked: targets.len(),
        findings,
        skus,
        promotions: promos.into_iter().map(|p| (p.id, p)).collect(),
        cost_visible,
    })
}

/// `lowestPaidPrice`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowestPaid {
    /// Per-unit paid price (line paid / quantity, half-up).
    pub price: i64,
    /// The store-local day it was paid on (epoch day).
    pub day: i32,
    /// Found only before the window (no paid line inside it).
    pub from_before_window: bool,
}

#[derive(Debug, FromQueryResult)]
struct PaidRow {
    paid_fen: i64,
    quantity: i64,
    paid_day: i32,
}

/// `lowestPaidPrice(sku, days, at)` (PROMO_VIEW): the lowest per-unit paid price of the SKU's
/// lines of paid orders in the `days` full days before `at`'s day (store time), ¥0 gift lines
/// excluded; with none, the last one before the window. None without any.
#[tracing::instrument(skip_all, fields(subject.id = sku_id))]
pub async fn lowest_paid_price(
    ctx: &ServiceCtx,
    sku_id: i64,
    days: i32,
    at: Option<DateTime<Utc>>,
) -> Result<Option<LowestPaid>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, None)?;
    if !(1..=365).contains(&days) {
        return Err(AppError::invalid(
            &["days"],
            ErrorCode::Invalid,
            "days is 1–365",
        ));
    }
    let db = &ctx.db;
    let s = crate::service::kernel::scope::get_in_scope::<sku::Entity>(db, staff, sku_id, false)
        .await?;
    let store = crate::service::store::load(db, s.store_id).await?;
    let at = at.unwrap_or_else(|| ctx.now());
    let day = crate::service::member::epoch_day(
        at.with_timezone(&crate::service::store::tz(&store)?)
            .date_naive(),
    );
    let (from, to) = (day - days, day - 1);
    let sql = "SELECT l.paid_fen AS paid_fen, l.quantity AS quantity, o.paid_day AS paid_day \
               FROM order_line l JOIN sales_order o ON o.id = l.order_id \
               WHERE l.sku_id = ? AND l.paid_fen > 0 AND l.quantity > 0 AND o.paid_day IS NOT NULL AND ";
    let rows = PaidRow::find_by_statement(db::raw(
        db.get_database_backend(),
        &format!("{sql} o.paid_day BETWEEN ? AND ?"),
        vec![s.id.into(), from.into(), to.into()],
    ))
    .all(db)
    .await?;
    let lowest = |rows: &[PaidRow]| {
        rows.iter()
            .map(|r| (engine::round_half_up(r.paid_fen, 1, r.quantity), r.paid_day))
            .min_by_key(|&(p, d)| (p, std::cmp::Reverse(d)))
    };
    if let Some((price, day)) = lowest(&rows) {
        return Ok(Some(LowestPaid {
            price,
            day,
            from_before_window: false,
        }));
    }
    let before = PaidRow::find_by_statement(db::raw(
        db.get_database_backend(),
        &format!("{sql} o.paid_day = (SELECT MAX(o2.paid_day) FROM order_line l2 JOIN sales_order o2 ON o2.id = l2.order_id WHERE l2.sku_id = ? AND l2.paid_fen > 0 AND o2.paid_day < ?)"),
        vec![s.id.into(), s.id.into(), from.into()],
    ))
    .all(db)
    .await?;
    Ok(lowest(&before).map(|(price, day)| LowestPaid {
        price,
        day,
        from_before_window: true,
    }))
}

/// A day as a date (for the GraphQL layer).
pub fn day_date(day: i32) -> chrono::NaiveDate {
    crate::service::member::day_date(day)
}
