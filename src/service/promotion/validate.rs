//! Checks of a promotion draft: rules, window, coupon terms, references, item prices, texts.

use super::*;
use crate::service::kernel::scope::StoreOwned;

pub(crate) const MAX_WINDOW_DAYS: i64 = 366;
pub(crate) const ITEM_DISCOUNT_MAX_DAYS: i64 = 180;
pub(crate) const MAX_FEN: i64 = 10_000_000_000;

pub(crate) fn err(field: &[&str], code: ErrorCode, msg: impl Into<String>) -> UserError {
    UserError::new(field, code, msg)
}

/// Checks a rule's numbers.
pub(crate) fn validate_rule(rule: &Rule, errors: &mut Vec<UserError>) {
    let mut bad = Bad(errors);
    match rule {
        Rule::ItemDiscount {
            mode,
            per_buyer_limit,
            ..
        } => item_discount(mode, *per_buyer_limit, &mut bad),
        Rule::FullReduction { on, form, .. } => full_reduction(*on, form, &mut bad),
        Rule::FullDiscount { on, tiers } => full_discount(*on, tiers, &mut bad),
        Rule::NthItem { nth, rate_bp } => {
            if !(2..=3).contains(nth) {
                bad.add("nthItem", "nth", "nth is 2 (第二件X折) or 3 (买2送1)");
            }
            if !(0..=9_900).contains(rate_bp) || rate_bp % 100 != 0 {
                bad.add(
                    "nthItem",
                    "rateBp",
                    "the rate is 0 (free) to 9900 bp in steps of 100",
                );
            }
        }
        Rule::Bundle {
            main_sku, members, ..
        } => bundle(*main_sku, members, &mut bad),
        Rule::Gift { on, threshold, .. } => {
            let ok = match on {
                Threshold::Amount => (0..=MAX_FEN).contains(threshold),
                Threshold::Pieces => (0..=10_000).contains(threshold),
            };
            if !ok {
                bad.add("gift", "threshold", "the threshold must be 0 or positive");
            }
        }
        Rule::FreeShipping {
            on,
            threshold,
            excluded_regions,
        } => {
            if on.is_some() && !(1..=MAX_FEN).contains(threshold) {
                bad.add(
                    "freeShipping",
                    "threshold",
                    "满X元 / 满N件 needs a positive threshold",
                );
            }
            if excluded_regions.len() > 50
                || excluded_regions
                    .iter()
                    .any(|r| text::is_blank(r) || r.chars().count() > 20)
            {
                bad.add(
                    "freeShipping",
                    "excludedRegions",
                    "up to 50 region names of 1–20 characters",
                );
            }
        }
        Rule::Coupon {
            face, threshold, ..
        } => {
            if !money_ok(*face) || *threshold < 0 || (*threshold > 0 && face >= threshold) {
                bad.add(
                    "coupon",
                    "faceValue",
                    "a coupon needs a positive face value below its threshold (or no threshold)",
                );
            }
        }
        Rule::MemberPrice { vip88_bp } => {
            if vip88_bp.is_some_and(|bp| !(5_000..=9_900).contains(&bp)) {
                bad.add(
                    "memberPrice",
                    "vip88RateBp",
                    "the 88VIP rate is 5000–9900 bp (5折–9.9折)",
                );
            }
        }
    }
}

/// Collects INVALID errors on `input.<part>.<field>`.
struct Bad<'a>(&'a mut Vec<UserError>);

impl Bad<'_> {
    fn add(&mut self, part: &str, field: &str, msg: &str) {
        self.0
            .push(err(&["input", part, field], ErrorCode::Invalid, msg));
    }
}

/// An amount of 1 fen to the most a promotion handles.
fn money_ok(v: i64) -> bool {
    (1..=MAX_FEN).contains(&v)
}

fn item_discount(mode: &engine::ItemMode, per_buyer_limit: Option<i64>, bad: &mut Bad<'_>) {
    match mode {
        engine::ItemMode::Percent(bp) if !(100..=9_900).contains(bp) || bp % 100 != 0 => bad.add(
            "itemDiscount",
            "rateBp",
            "a 折 is 0.1–9.9 with one decimal: 100–9900 bp in steps of 100",
        ),
        engine::ItemMode::Minus(y) | engine::ItemMode::Fixed(y) if !money_ok(*y) => {
            bad.add("itemDiscount", "amount", "the amount must be positive")
        }
        _ => {}
    }
    if per_buyer_limit.is_some_and(|l| !(1..=10_000).contains(&l)) {
        bad.add(
            "itemDiscount",
            "perBuyerLimit",
            "a per-buyer limit is 1–10,000 units",
        );
    }
}

fn full_reduction(on: Threshold, form: &ReductionForm, bad: &mut Bad<'_>) {
    match form {
        ReductionForm::Tiers(tiers) => {
            if tiers.is_empty() || tiers.len() > 10 {
                bad.add("fullReduction", "tiers", "give 1–10 tiers");
            }
            if tiers
                .windows(2)
                .any(|w| w[1].threshold <= w[0].threshold || w[1].value <= w[0].value)
            {
                bad.add(
                    "fullReduction",
                    "tiers",
                    "tiers rise strictly in threshold and discount",
                );
            }
            let tier_ok = |t: &&engine::Tier| match on {
                Threshold::Amount => money_ok(t.value) && t.value < t.threshold,
                Threshold::Pieces => money_ok(t.value) && (1..=10_000).contains(&t.threshold),
            };
            if !tiers.iter().all(|t| tier_ok(&t)) {
                bad.add(
                    "fullReduction",
                    "tiers",
                    "each tier needs 0 < Y < X (amount) or N ≥ 1 pieces and Y > 0",
                );
            }
        }
        ReductionForm::PerEach { every, off, cap } => {
            let ok = match on {
                Threshold::Amount => money_ok(*off) && off < every,
                Threshold::Pieces => money_ok(*off) && (1..=10_000).contains(every),
            };
            if !ok {
                bad.add("fullReduction", "perEach", "每满X减Y needs 0 < Y < X");
            }
            if cap.is_some_and(|c| c < *off) {
                bad.add("fullReduction", "cap", "the cap must be at least Y");
            }
        }
    }
}

fn full_discount(on: Threshold, tiers: &[engine::Tier], bad: &mut Bad<'_>) {
    if tiers.is_empty() || tiers.len() > 10 {
        bad.add("fullDiscount", "tiers", "give 1–10 tiers");
    }
    if tiers
        .windows(2)
        .any(|w| w[1].threshold <= w[0].threshold || w[1].value >= w[0].value)
    {
        bad.add(
            "fullDiscount",
            "tiers",
            "tiers rise strictly in threshold and in depth",
        );
    }
    let tier_ok = |t: &engine::Tier| {
        let threshold_ok = match on {
            Threshold::Amount => money_ok(t.threshold),
            Threshold::Pieces => (1..=10_000).contains(&t.threshold),
        };
        threshold_ok && (100..=9_900).contains(&t.value) && t.value % 100 == 0
    };
    if !tiers.iter().all(tier_ok) {
        bad.add(
            "fullDiscount",
            "tiers",
            "each tier needs a positive threshold and a 折 of 0.1–9.9 (100–9900 bp, steps of 100)",
        );
    }
}

fn bundle(main_sku: i64, members: &[engine::BundleMember], bad: &mut Bad<'_>) {
    if members.len() < 2 || members.len() > 9 {
        bad.add(
            "bundle",
            "members",
            "a bundle is the main item plus 1–8 companions",
        );
    }
    if !members.iter().any(|m| m.sku_id == main_sku) {
        bad.add(
            "bundle",
            "mainSkuId",
            "the main SKU must be one of the members",
        );
    }
    let mut ids: Vec<i64> = members.iter().map(|m| m.sku_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != members.len() {
        bad.add("bundle", "members", "each SKU appears once");
    }
    if members.iter().any(|m| !money_ok(m.price)) {
        bad.add("bundle", "members", "bundle prices must be positive");
    }
}

pub(crate) fn validate_window(
    kind: Kind,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    errors: &mut Vec<UserError>,
) {
    if end <= start {
        errors.push(err(
            &["input", "endAt"],
            ErrorCode::Invalid,
            "the end must be after the start",
        ));
    } else {
        let max = if kind == Kind::ItemDiscount {
            ITEM_DISCOUNT_MAX_DAYS
        } else {
            MAX_WINDOW_DAYS
        };
        if end - start > Duration::days(max) {
            errors.push(err(
                &["input", "endAt"],
                ErrorCode::Invalid,
                format!("a {} runs at most {max} days", kind.as_str()),
            ));
        }
    }
}

pub(crate) fn validate_coupon(
    spec: &Spec,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    errors: &mut Vec<UserError>,
) {
    let is_coupon = matches!(spec.rule, Rule::Coupon { .. });
    match (&spec.coupon, is_coupon) {
        (None, true) => errors.push(err(
            &["input", "coupon"],
            ErrorCode::Invalid,
            "a coupon template needs its issuing terms",
        )),
        (Some(_), false) => errors.push(err(
            &["input", "coupon"],
            ErrorCode::Invalid,
            "issuing terms belong to coupon templates only",
        )),
        (Some(t), true) => {
            if !(1..=10_000_000).contains(&t.total_quantity) {
                errors.push(err(
                    &["input", "coupon", "totalQuantity"],
                    ErrorCode::Invalid,
                    "the total quantity is 1–10,000,000",
                ));
            }
            if !(1..=100).contains(&t.per_buyer_limit) {
                errors.push(err(
                    &["input", "coupon", "perBuyerLimit"],
                    ErrorCode::Invalid,
                    "the per-buyer limit is 1–100",
                ));
            }
            if t.claim_end <= t.claim_start || t.claim_start < start || t.claim_end > end {
                errors.push(err(
                    &["input", "coupon", "claimEnd"],
                    ErrorCode::Invalid,
                    "the claim window must be a non-empty part of the template's dates",
                ));
            }
            match t.validity {
                Validity::Absolute { start: s, end: e } if e <= s || s < start || e > end => errors
                    .push(err(
                        &["input", "coupon", "validity"],
                        ErrorCode::Invalid,
                        "absolute validity must be a non-empty part of the template's dates",
                    )),
                Validity::Relative { days } if !(1..=366).contains(&days) => errors.push(err(
                    &["input", "coupon", "validity"],
                    ErrorCode::Invalid,
                    "relative validity is 1–366 days after the claim",
                )),
                _ => {}
            }
        }
        (None, false) => {}
    }
}

pub(crate) fn scope_ids(scope: &Scope) -> (&[i64], &[i64]) {
    match scope {
        Scope::Store => (&[], &[]),
        Scope::Only { products, skus } | Scope::Except { products, skus } => (products, skus),
    }
}

/// SKU ids a rule names outside its scope (bundle members, the gift).
pub(crate) fn rule_skus(rule: &Rule) -> Vec<i64> {
    match rule {
        Rule::Bundle { members, .. } => members.iter().map(|m| m.sku_id).collect(),
        Rule::Gift { gift_sku, .. } => vec![*gift_sku],
        _ => Vec::new(),
    }
}

/// Everything named must be a product or SKU of the store.
pub(crate) async fn validate_refs(
    conn: &impl ConnectionTrait,
    store_id: i64,
    spec: &Spec,
    errors: &mut Vec<UserError>,
) -> Result<(), AppError> {
    let (products, skus) = scope_ids(&spec.scope);
    if products.len() + skus.len() > 1_000 {
        errors.push(err(
            &["input", "scope"],
            ErrorCode::Invalid,
            "a scope names at most 1,000 products and SKUs",
        ));
        return Ok(());
    }
    if matches!(spec.scope, Scope::Only { .. }) && products.is_empty() && skus.is_empty() {
        errors.push(err(
            &["input", "scope"],
            ErrorCode::Invalid,
            "an item scope names at least one product or SKU",
        ));
    }
    let mut all_skus: Vec<i64> = skus.to_vec();
    all_skus.extend(rule_skus(&spec.rule));
    all_skus.sort_unstable();
    all_skus.dedup();
    if let Some(missing) = first_missing::<sku::Entity>(conn, store_id, &all_skus).await? {
        errors.push(err(
            &["input", "scope", "skuIds"],
            ErrorCode::NotFound,
            format!("SKU {missing} is not a SKU of this store"),
        ));
    }
    if let Some(missing) = first_missing::<product::Entity>(conn, store_id, products).await? {
        errors.push(err(
            &["input", "scope", "productIds"],
            ErrorCode::NotFound,
            format!("product {missing} is not a product of this store"),
        ));
    }
    Ok(())
}

/// The first of `ids` that is not a row of `store_id` (one statement; none for no ids).
async fn first_missing<E: StoreOwned>(
    conn: &impl ConnectionTrait,
    store_id: i64,
    ids: &[i64],
) -> Result<Option<i64>, AppError> {
    if ids.is_empty() {
        return Ok(None);
    }
    let found: Vec<i64> = E::find()
        .select_only()
        .column(E::id_column())
        .filter(E::store_column().eq(store_id))
        .filter(E::id_column().is_in(ids.to_vec()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.iter().find(|i| !found.contains(i)).copied())
}

/// A store and its SKUs as the engine sees them, loaded once per mutation.
pub struct Catalog {
    pub store: store::Model,
    pub items: Vec<Item>,
    /// The deepest tier price rate of the store (bp), if any tier discounts.
    pub deepest_tier_bp: Option<i64>,
}

impl Catalog {
    /// The store and every SKU of it (list price, floor, cost, minimum-margin price), in one
    /// narrow query.
    pub async fn load(conn: &impl ConnectionTrait, store_id: i64) -> Result<Self, AppError> {
        let store = crate::service::store::load(conn, store_id).await?;
        type SkuRow = (i64, i64, i64, Option<i64>, Option<i64>);
        let rows: Vec<SkuRow> = sku::Entity::find()
            .select_only()
            .columns([
                sku::Column::Id,
                sku::Column::ProductId,
                sku::Column::PriceFen,
                sku::Column::FloorPriceFen,
                sku::Column::CostFen,
            ])
            .filter(sku::Column::StoreId.eq(store.id))
            .into_tuple()
            .all(conn)
            .await?;
        let items = rows
            .into_iter()
            .map(|(id, product, price, floor, cost)| Item {
                sku_id: id,
                product_id: product,
                list_price: price,
                floor,
                cost,
                min_margin_price: cost.map(|c| min_margin_price(c, store.min_margin_bp)),
            })
            .collect();
        let deepest_tier_bp = crate::service::promotion::deepest_tier_bp(&store)?;
        Ok(Self {
            store,
            items,
            deepest_tier_bp,
        })
    }
}

/// A 单品宝 price must be above ¥0 and at most the list price for every SKU it covers.
pub(crate) async fn validate_item_prices(
    conn: &impl ConnectionTrait,
    catalog: &Catalog,
    spec: &Spec,
    errors: &mut Vec<UserError>,
) -> Result<(), AppError> {
    let Rule::ItemDiscount { mode, rounding, .. } = spec.rule else {
        return Ok(());
    };
    let bad = catalog.items.iter().filter(|i| spec.covers(i)).find(|i| {
        engine::item_unit_price(mode, rounding, i.list_price) == 0
            || matches!(mode, engine::ItemMode::Fixed(y) if y > i.list_price)
    });
    if let Some(item) = bad {
        let codes = sku_codes(conn, &[item.sku_id]).await?;
        errors.push(err(
            &["input", "itemDiscount"],
            ErrorCode::Invalid,
            format!(
                "the promotion price of SKU {} (list ¥{}) must be above ¥0 and at most its list price",
                code_of(&codes, item.sku_id),
                crate::domain::money::Fen(item.list_price)
            ),
        ));
    }
    Ok(())
}

pub const fn level_str(l: Level) -> &'static str {
    match l {
        Level::Item => "ITEM",
        Level::Store => "STORE",
        Level::CrossStore => "CROSS_STORE",
        Level::Member => "MEMBER",
    }
}

pub(crate) fn funder_columns(f: Funder) -> (&'static str, i32) {
    match f {
        Funder::Merchant => ("MERCHANT", 10_000),
        Funder::Platform => ("PLATFORM", 0),
        Funder::Brand => ("BRAND", 0),
        Funder::CoFunded { merchant_bp } => ("CO_FUNDED", merchant_bp as i32),
    }
}

pub(crate) fn scope_mode(s: &Scope) -> &'static str {
    match s {
        Scope::Store => "STORE",
        Scope::Only { .. } => "ONLY",
        Scope::Except { .. } => "EXCEPT",
    }
}

pub(crate) async fn write_targets(
    conn: &impl ConnectionTrait,
    m: &promotion::Model,
    spec: &Spec,
) -> Result<(), AppError> {
    target::Entity::delete_many()
        .filter(target::Column::PromotionId.eq(m.id))
        .exec(conn)
        .await?;
    let excluded = matches!(spec.scope, Scope::Except { .. });
    let (products, skus) = scope_ids(&spec.scope);
    let mut rows: Vec<target::ActiveModel> = Vec::new();
    let row = |product: Option<i64>, sku: Option<i64>, excluded: bool| target::ActiveModel {
        promotion_id: Set(m.id),
        store_id: Set(m.store_id),
        product_id: Set(product),
        sku_id: Set(sku),
        excluded: Set(excluded),
        ..Default::default()
    };
    rows.extend(products.iter().map(|&p| row(Some(p), None, excluded)));
    rows.extend(skus.iter().map(|&s| row(None, Some(s), excluded)));
    if let Rule::Bundle { members, .. } = &spec.rule {
        rows.extend(members.iter().map(|b| row(None, Some(b.sku_id), false)));
    }
    for chunk in rows.chunks(500) {
        target::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Audit snapshot of a promotion; an unreadable stored spec is an internal error naming it.
pub(crate) fn snapshot(m: &promotion::Model) -> Result<serde_json::Value, AppError> {
    let spec: serde_json::Value = serde_json::from_str(&m.spec_json)
        .map_err(|e| AppError::unreadable("promotion", m.id, format!("spec JSON: {e}")))?;
    Ok(json!({
        "kind": m.kind, "name": m.name, "status": m.status, "version": m.version,
        "startAt": m.start_at, "endAt": m.end_at, "spec": spec,
    }))
}

pub(crate) fn check_texts(
    name: &str,
    copy: Option<&str>,
    allowed: &[String],
) -> Result<(), AppError> {
    crate::service::compliance::refuse_blocked(&crate::service::compliance::field_hits(
        &[("name", Some(name)), ("copy", copy)],
        allowed,
    ))
}

pub(crate) fn clean_name(name: &str) -> Result<String, AppError> {
    text::required(name, &["input", "name"], "name", 80).map_err(|e| AppError::Invalid(vec![e]))
}

pub(crate) fn clean_copy(copy: Option<&str>) -> Result<Option<String>, AppError> {
    match copy.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) if c.chars().count() > 500 => Err(AppError::invalid(
            &["input", "copy"],
            ErrorCode::TooLong,
            "the copy is at most 500 characters",
        )),
        Some(c) => Ok(Some(c.to_owned())),
        None => Ok(None),
    }
}
