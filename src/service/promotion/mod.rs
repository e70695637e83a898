//! Promotions and coupon templates: drafts, the lifecycle
//! `DRAFT → PENDING_APPROVAL → SCHEDULED → ACTIVE → ENDED` (with PAUSED and CANCELLED), approval
//! within the approver's limits and the four-eyes rule, and the activation checks (overlap,
//! floors, Advertising-Law terms). Every promotion keeps its working version and, once approved,
//! the version in force; depth, scope, audience, funder or dates of an approved promotion change
//! only through a new approval.

pub mod coupon;
pub mod quote;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::{coupon as coupon_row, product, promotion, promotion_target as target, sku, store};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{Access, Permission, Role, Staff, StoreScope};
use crate::db;
use crate::domain::text;
use crate::engine::guard::{self, GuardInput};
use crate::engine::{
    self, Audience, DepthFacts, Funder, Item, Kind, Level, Promo, ReductionForm, Rule, Scope,
    Threshold,
};
use crate::error::{AppError, ErrorCode, UserError};
use crate::service::kernel::approval_queue as queue;
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::{ServiceCtx, kernel::audit, now};

/// Stored (and effective) states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    PendingApproval,
    Scheduled,
    Active,
    Paused,
    Ended,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::Draft,
        Self::PendingApproval,
        Self::Scheduled,
        Self::Active,
        Self::Paused,
        Self::Ended,
        Self::Cancelled,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::PendingApproval => "PENDING_APPROVAL",
            Self::Scheduled => "SCHEDULED",
            Self::Active => "ACTIVE",
            Self::Paused => "PAUSED",
            Self::Ended => "ENDED",
            Self::Cancelled => "CANCELLED",
        }
    }
    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(Self::Draft)
    }
}

/// The state a promotion is in now: a SCHEDULED one whose window has opened reads ACTIVE, and
/// one past its end reads ENDED, before the scheduler writes it.
pub fn effective_status(m: &promotion::Model, at: DateTime<Utc>) -> Status {
    let stored = Status::parse(&m.status);
    let (Some(start), Some(end)) = (m.live_start_at, m.live_end_at) else {
        return stored;
    };
    match stored {
        Status::Scheduled | Status::Active | Status::Paused if end <= at => Status::Ended,
        Status::Scheduled if start <= at => Status::Active,
        s => s,
    }
}

/// How issued coupons are valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Validity {
    /// From `start` to `end`.
    Absolute {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// For this many days after the claim (never past the template's end).
    Relative { days: i64 },
}

/// Where a coupon can be claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    Public,
    PrivateLink,
    CsOnly,
    Live,
}

/// A COUPON template's issuing terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponTerms {
    pub total_quantity: i64,
    pub per_buyer_limit: i64,
    pub claim_start: DateTime<Utc>,
    pub claim_end: DateTime<Utc>,
    pub validity: Validity,
    pub channel: Channel,
}

/// What a promotion does: everything whose change needs a new approval besides the dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    pub scope: Scope,
    pub audience: Audience,
    pub funder: Funder,
    pub rule: Rule,
    #[serde(default)]
    pub coupon: Option<CouponTerms>,
}

impl Spec {
    pub fn parse(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }

    /// The engine's promotion for this spec over a window.
    pub fn promo(self, id: i64, start: DateTime<Utc>, end: DateTime<Utc>) -> Promo {
        Promo {
            id,
            start,
            end,
            funder: self.funder,
            scope: self.scope,
            audience: self.audience,
            rule: self.rule,
        }
    }

    /// Whether the spec covers an item, whatever the window.
    fn covers(&self, item: &Item) -> bool {
        self.rule.covers(&self.scope, item.product_id, item.sku_id)
    }
}

/// The working version of a model (what an editor sees).
pub fn working_spec(m: &promotion::Model) -> Option<Spec> {
    Spec::parse(&m.spec_json)
}

/// The engine's view of the version in force (None before approval).
pub fn live_promo(m: &promotion::Model) -> Option<Promo> {
    let spec = Spec::parse(m.live_json.as_deref()?)?;
    Some(spec.promo(m.id, m.live_start_at?, m.live_end_at?))
}

/// A new promotion.
#[derive(Debug, Clone)]
pub struct Draft {
    pub store_id: i64,
    pub name: String,
    pub copy: Option<String>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub spec: Spec,
}

/// `promotionUpdate`: only the given parts change.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub id: i64,
    pub name: Option<String>,
    /// `Some(None)` clears the copy.
    pub copy: Option<Option<String>>,
    pub start_at: Option<DateTime<Utc>>,
    pub end_at: Option<DateTime<Utc>>,
    pub scope: Option<Scope>,
    pub audience: Option<Audience>,
    pub funder: Option<Funder>,
    /// The kind-specific part (same kind).
    pub rule: Option<Rule>,
    pub coupon: Option<CouponTerms>,
}

const MAX_WINDOW_DAYS: i64 = 366;
const ITEM_DISCOUNT_MAX_DAYS: i64 = 180;
const MAX_FEN: i64 = 10_000_000_000;

fn err(field: &[&str], code: ErrorCode, msg: impl Into<String>) -> UserError {
    UserError::new(field, code, msg)
}

/// Checks a rule's numbers.
fn validate_rule(rule: &Rule, errors: &mut Vec<UserError>) {
    let bad = |errors: &mut Vec<UserError>, part: &str, field: &str, msg: &str| {
        errors.push(err(&["input", part, field], ErrorCode::Invalid, msg));
    };
    let money_ok = |v: i64| (1..=MAX_FEN).contains(&v);
    match rule {
        Rule::ItemDiscount {
            mode,
            per_buyer_limit,
            ..
        } => {
            match mode {
                engine::ItemMode::Percent(bp) if !(100..=9_900).contains(bp) || bp % 100 != 0 => {
                    bad(
                        errors,
                        "itemDiscount",
                        "rateBp",
                        "a 折 is 0.1–9.9 with one decimal: 100–9900 bp in steps of 100",
                    )
                }
                engine::ItemMode::Minus(y) | engine::ItemMode::Fixed(y) if !money_ok(*y) => bad(
                    errors,
                    "itemDiscount",
                    "amount",
                    "the amount must be positive",
                ),
                _ => {}
            }
            if per_buyer_limit.is_some_and(|l| !(1..=10_000).contains(&l)) {
                bad(
                    errors,
                    "itemDiscount",
                    "perBuyerLimit",
                    "a per-buyer limit is 1–10,000 units",
                );
            }
        }
        Rule::FullReduction { on, form, .. } => match form {
            ReductionForm::Tiers(tiers) => {
                if tiers.is_empty() || tiers.len() > 10 {
                    bad(errors, "fullReduction", "tiers", "give 1–10 tiers");
                }
                for w in tiers.windows(2) {
                    if w[1].threshold <= w[0].threshold || w[1].value <= w[0].value {
                        bad(
                            errors,
                            "fullReduction",
                            "tiers",
                            "tiers rise strictly in threshold and discount",
                        );
                        break;
                    }
                }
                for t in tiers {
                    let ok = match on {
                        Threshold::Amount => money_ok(t.value) && t.value < t.threshold,
                        Threshold::Pieces => {
                            money_ok(t.value) && (1..=10_000).contains(&t.threshold)
                        }
                    };
                    if !ok {
                        bad(
                            errors,
                            "fullReduction",
                            "tiers",
                            "each tier needs 0 < Y < X (amount) or N ≥ 1 pieces and Y > 0",
                        );
                        break;
                    }
                }
            }
            ReductionForm::PerEach { every, off, cap } => {
                let ok = match on {
                    Threshold::Amount => money_ok(*off) && off < every,
                    Threshold::Pieces => money_ok(*off) && (1..=10_000).contains(every),
                };
                if !ok {
                    bad(
                        errors,
                        "fullReduction",
                        "perEach",
                        "每满X减Y needs 0 < Y < X",
                    );
                }
                if cap.is_some_and(|c| c < *off) {
                    bad(errors, "fullReduction", "cap", "the cap must be at least Y");
                }
            }
        },
        Rule::FullDiscount { on, tiers } => {
            if tiers.is_empty() || tiers.len() > 10 {
                bad(errors, "fullDiscount", "tiers", "give 1–10 tiers");
            }
            for w in tiers.windows(2) {
                if w[1].threshold <= w[0].threshold || w[1].value >= w[0].value {
                    bad(
                        errors,
                        "fullDiscount",
                        "tiers",
                        "tiers rise strictly in threshold and in depth",
                    );
                    break;
                }
            }
            for t in tiers {
                let threshold_ok = match on {
                    Threshold::Amount => money_ok(t.threshold),
                    Threshold::Pieces => (1..=10_000).contains(&t.threshold),
                };
                if !threshold_ok || !(100..=9_900).contains(&t.value) || t.value % 100 != 0 {
                    bad(
                        errors,
                        "fullDiscount",
                        "tiers",
                        "each tier needs a positive threshold and a 折 of 0.1–9.9 (100–9900 bp, steps of 100)",
                    );
                    break;
                }
            }
        }
        Rule::NthItem { nth, rate_bp } => {
            if !(2..=3).contains(nth) {
                bad(
                    errors,
                    "nthItem",
                    "nth",
                    "nth is 2 (第二件X折) or 3 (买2送1)",
                );
            }
            if !(0..=9_900).contains(rate_bp) || rate_bp % 100 != 0 {
                bad(
                    errors,
                    "nthItem",
                    "rateBp",
                    "the rate is 0 (free) to 9900 bp in steps of 100",
                );
            }
        }
        Rule::Bundle {
            main_sku, members, ..
        } => {
            if members.len() < 2 || members.len() > 9 {
                bad(
                    errors,
                    "bundle",
                    "members",
                    "a bundle is the main item plus 1–8 companions",
                );
            }
            if !members.iter().any(|m| m.sku_id == *main_sku) {
                bad(
                    errors,
                    "bundle",
                    "mainSkuId",
                    "the main SKU must be one of the members",
                );
            }
            let mut ids: Vec<i64> = members.iter().map(|m| m.sku_id).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.len() != members.len() {
                bad(errors, "bundle", "members", "each SKU appears once");
            }
            if members.iter().any(|m| !money_ok(m.price)) {
                bad(
                    errors,
                    "bundle",
                    "members",
                    "bundle prices must be positive",
                );
            }
        }
        Rule::Gift { on, threshold, .. } => {
            let ok = match on {
                Threshold::Amount => (0..=MAX_FEN).contains(threshold),
                Threshold::Pieces => (0..=10_000).contains(threshold),
            };
            if !ok {
                bad(
                    errors,
                    "gift",
                    "threshold",
                    "the threshold must be 0 or positive",
                );
            }
        }
        Rule::FreeShipping {
            on,
            threshold,
            excluded_regions,
        } => {
            if on.is_some() && !(1..=MAX_FEN).contains(threshold) {
                bad(
                    errors,
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
                bad(
                    errors,
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
                bad(
                    errors,
                    "coupon",
                    "faceValue",
                    "a coupon needs a positive face value below its threshold (or no threshold)",
                );
            }
        }
        Rule::MemberPrice { vip88_bp } => {
            if vip88_bp.is_some_and(|bp| !(5_000..=9_900).contains(&bp)) {
                bad(
                    errors,
                    "memberPrice",
                    "vip88RateBp",
                    "the 88VIP rate is 5000–9900 bp (5折–9.9折)",
                );
            }
        }
    }
}

fn validate_window(
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

fn validate_coupon(
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

fn scope_ids(scope: &Scope) -> (&[i64], &[i64]) {
    match scope {
        Scope::Store => (&[], &[]),
        Scope::Only { products, skus } | Scope::Except { products, skus } => (products, skus),
    }
}

/// SKU ids a rule names outside its scope (bundle members, the gift).
fn rule_skus(rule: &Rule) -> Vec<i64> {
    match rule {
        Rule::Bundle { members, .. } => members.iter().map(|m| m.sku_id).collect(),
        Rule::Gift { gift_sku, .. } => vec![*gift_sku],
        _ => Vec::new(),
    }
}

/// Everything named must be a product or SKU of the store.
async fn validate_refs(
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
    if !all_skus.is_empty() {
        let found: Vec<i64> = sku::Entity::find()
            .select_only()
            .column(sku::Column::Id)
            .filter(sku::Column::StoreId.eq(store_id))
            .filter(sku::Column::Id.is_in(all_skus.clone()))
            .into_tuple()
            .all(conn)
            .await?;
        if let Some(missing) = all_skus.iter().find(|s| !found.contains(s)) {
            errors.push(err(
                &["input", "scope", "skuIds"],
                ErrorCode::NotFound,
                format!("SKU {missing} is not a SKU of this store"),
            ));
        }
    }
    if !products.is_empty() {
        let found: Vec<i64> = product::Entity::find()
            .select_only()
            .column(product::Column::Id)
            .filter(product::Column::StoreId.eq(store_id))
            .filter(product::Column::Id.is_in(products.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        if let Some(missing) = products.iter().find(|s| !found.contains(s)) {
            errors.push(err(
                &["input", "scope", "productIds"],
                ErrorCode::NotFound,
                format!("product {missing} is not a product of this store"),
            ));
        }
    }
    Ok(())
}

/// A store and its SKUs as the engine sees them, loaded once per mutation.
pub struct Catalog {
    pub store: store::Model,
    pub items: Vec<Item>,
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
        Ok(Self { store, items })
    }
}

/// A 单品宝 price must be above ¥0 and at most the list price for every SKU it covers.
async fn validate_item_prices(
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

fn funder_columns(f: Funder) -> (&'static str, i32) {
    match f {
        Funder::Merchant => ("MERCHANT", 10_000),
        Funder::Platform => ("PLATFORM", 0),
        Funder::Brand => ("BRAND", 0),
        Funder::CoFunded { merchant_bp } => ("CO_FUNDED", merchant_bp as i32),
    }
}

fn scope_mode(s: &Scope) -> &'static str {
    match s {
        Scope::Store => "STORE",
        Scope::Only { .. } => "ONLY",
        Scope::Except { .. } => "EXCEPT",
    }
}

async fn write_targets(
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

fn snapshot(m: &promotion::Model) -> serde_json::Value {
    json!({
        "kind": m.kind, "name": m.name, "status": m.status, "version": m.version,
        "startAt": m.start_at, "endAt": m.end_at,
        "spec": serde_json::from_str::<serde_json::Value>(&m.spec_json).unwrap_or_default(),
    })
}

fn check_texts(name: &str, copy: Option<&str>, allowed: &[String]) -> Result<(), AppError> {
    crate::service::compliance::refuse_blocked(&crate::service::compliance::field_hits(
        &[("name", Some(name)), ("copy", copy)],
        allowed,
    ))
}

fn clean_name(name: &str) -> Result<String, AppError> {
    text::required(name, &["input", "name"], "name", 80).map_err(|e| AppError::Invalid(vec![e]))
}

fn clean_copy(copy: Option<&str>) -> Result<Option<String>, AppError> {
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

/// `promotionCreate` (PROMO_EDIT): a DRAFT.
pub async fn create(ctx: &ServiceCtx, d: Draft) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoEdit, Some(d.store_id))?;
    let name = clean_name(&d.name)?;
    let copy = clean_copy(d.copy.as_deref())?;
    let mut errors = Vec::new();
    let kind = d.spec.rule.kind();
    validate_rule(&d.spec.rule, &mut errors);
    validate_window(kind, d.start_at, d.end_at, &mut errors);
    validate_coupon(&d.spec, d.start_at, d.end_at, &mut errors);
    validate_funder(d.spec.funder, &mut errors);
    let txn = db::begin_write(&ctx.db).await?;
    let catalog = Catalog::load(&txn, d.store_id).await?;
    validate_refs(&txn, d.store_id, &d.spec, &mut errors).await?;
    if errors.is_empty() {
        validate_item_prices(&txn, &catalog, &d.spec, &mut errors).await?;
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let at = now();
    let (funder, share) = funder_columns(d.spec.funder);
    let m = promotion::ActiveModel {
        store_id: Set(d.store_id),
        kind: Set(kind.as_str().to_owned()),
        name: Set(name),
        copy: Set(copy),
        status: Set(Status::Draft.as_str().to_owned()),
        start_at: Set(d.start_at),
        end_at: Set(d.end_at),
        live_start_at: Set(None),
        live_end_at: Set(None),
        funder: Set(funder.to_owned()),
        merchant_share_bp: Set(share),
        level: Set(level_str(d.spec.rule.level()).to_owned()),
        scope_mode: Set(scope_mode(&d.spec.scope).to_owned()),
        spec_json: Set(serde_json::to_string(&d.spec).map_err(anyhow::Error::from)?),
        live_json: Set(None),
        depth_bp: Set(depth_bp(depth(&catalog, &d.spec))),
        version: Set(1),
        approved_version: Set(None),
        revision_pending: Set(false),
        floor_break_approved: Set(false),
        total_quantity: Set(d.spec.coupon.as_ref().map(|c| c.total_quantity)),
        issued_count: Set(0),
        self_approved: Set(false),
        ended_early: Set(false),
        created_by: Set(staff.id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    write_targets(&txn, &m, &d.spec).await?;
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "promotion.create",
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            after: Some(snapshot(&m)),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

fn validate_funder(f: Funder, errors: &mut Vec<UserError>) {
    if let Funder::CoFunded { merchant_bp } = f
        && !(1..=9_999).contains(&merchant_bp)
    {
        errors.push(err(
            &["input", "funding", "merchantShareBp"],
            ErrorCode::Invalid,
            "a co-funded discount gives the merchant a share of 1–9999 bp",
        ));
    }
}

/// `cost / (1 − minMarginBp / 10000)`, rounded up to the fen.
pub fn min_margin_price(cost: i64, min_margin_bp: i32) -> i64 {
    let keep = 10_000 - i128::from(min_margin_bp.clamp(0, 9_999));
    i64::try_from((i128::from(cost) * 10_000 + keep - 1) / keep).unwrap_or(i64::MAX)
}

/// The deepest tier price rate of the store (bp), if any tier discounts.
pub fn deepest_tier_bp(store: &store::Model) -> Option<i64> {
    crate::service::member::tiers(store)
        .iter()
        .map(|t| i64::from(t.price_rate_bp))
        .filter(|&bp| bp < 10_000)
        .min()
}

/// Effective depth of a spec over the store's SKUs.
fn depth(catalog: &Catalog, spec: &Spec) -> engine::Ratio {
    let covered: Vec<&Item> = catalog.items.iter().filter(|i| spec.covers(i)).collect();
    let list_of = |sku: i64| {
        catalog
            .items
            .iter()
            .find(|i| i.sku_id == sku)
            .map_or(0, |i| i.list_price)
    };
    let facts = DepthFacts {
        lists_in_scope: match &spec.rule {
            // One set, in `members` order.
            Rule::Bundle { members, .. } => members.iter().map(|m| list_of(m.sku_id)).collect(),
            _ => covered.iter().map(|i| i.list_price).collect(),
        },
        gift_list_price: match spec.rule {
            Rule::Gift { gift_sku, .. } => list_of(gift_sku),
            _ => 0,
        },
        deepest_tier_bp: deepest_tier_bp(&catalog.store).unwrap_or(10_000),
    };
    engine::depth(&spec.rule, &facts)
}

fn depth_bp(ratio: engine::Ratio) -> i32 {
    ratio.bp().try_into().unwrap_or(i32::MAX)
}

/// A promotion inside the viewer's stores, else NOT_FOUND.
async fn in_scope(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
    lock: bool,
) -> Result<promotion::Model, AppError> {
    let mut q = promotion::Entity::find_by_id(id);
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await?
        .filter(|m| staff.sees_store(m.store_id))
        .ok_or(AppError::not_found("promotion"))
}

fn transition_error(m: &promotion::Model, action: &str) -> AppError {
    AppError::invalid(
        &["input", "id"],
        ErrorCode::InvalidStateTransition,
        format!(
            "a {} promotion cannot be {action}",
            effective_status(m, now()).as_str()
        ),
    )
}

/// `promotionUpdate` (PROMO_EDIT; assistants only drafts). Drafts change freely. Of an approved
/// promotion the name and copy change at once (the copy is checked again), while dates, scope,
/// audience, funder or the kind-specific part make a new version that waits for approval; the
/// approved version stays in force meanwhile.
pub async fn update(ctx: &ServiceCtx, p: Patch) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoEdit, None)?;
    let txn = db::begin_write(&ctx.db).await?;
    let before = in_scope(&txn, staff, p.id, true).await?;
    let access = staff.require(Permission::PromoEdit, Some(before.store_id))?;
    let status = effective_status(&before, now());
    let editable = match status {
        Status::Draft => true,
        Status::Scheduled | Status::Active | Status::Paused => !before.revision_pending,
        _ => false,
    };
    if !editable {
        return Err(transition_error(
            &before,
            "edited (withdraw or wait for the decision)",
        ));
    }
    if access == Access::Limited && status != Status::Draft {
        return Err(AppError::Forbidden(crate::error::ForbiddenReason::Other(
            "assistants edit drafts only",
        )));
    }
    let mut spec =
        working_spec(&before).ok_or_else(|| anyhow::anyhow!("unreadable promotion spec"))?;
    let old_spec = spec.clone();
    if let Some(s) = p.scope {
        spec.scope = s;
    }
    if let Some(a) = p.audience {
        spec.audience = a;
    }
    if let Some(f) = p.funder {
        spec.funder = f;
    }
    if let Some(r) = p.rule {
        if r.kind() != spec.rule.kind() {
            return Err(AppError::invalid(
                &["input"],
                ErrorCode::Invalid,
                format!(
                    "this promotion is a {}; its kind cannot change",
                    spec.rule.kind().as_str()
                ),
            ));
        }
        spec.rule = r;
    }
    if let Some(c) = p.coupon {
        spec.coupon = Some(c);
    }
    let start = p.start_at.unwrap_or(before.start_at);
    let end = p.end_at.unwrap_or(before.end_at);
    let name = match &p.name {
        Some(n) => clean_name(n)?,
        None => before.name.clone(),
    };
    let copy = match &p.copy {
        Some(c) => clean_copy(c.as_deref())?,
        None => before.copy.clone(),
    };
    let mut errors = Vec::new();
    validate_rule(&spec.rule, &mut errors);
    validate_window(spec.rule.kind(), start, end, &mut errors);
    validate_coupon(&spec, start, end, &mut errors);
    validate_funder(spec.funder, &mut errors);
    let catalog = Catalog::load(&txn, before.store_id).await?;
    validate_refs(&txn, before.store_id, &spec, &mut errors).await?;
    if errors.is_empty() {
        validate_item_prices(&txn, &catalog, &spec, &mut errors).await?;
    }
    if let (Some(c), true) = (&spec.coupon, status != Status::Draft)
        && c.total_quantity < before.issued_count
    {
        errors.push(err(
            &["input", "coupon", "totalQuantity"],
            ErrorCode::Invalid,
            format!("{} coupons are already issued", before.issued_count),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let material = spec != old_spec || start != before.start_at || end != before.end_at;
    let mut am: promotion::ActiveModel = before.clone().into();
    am.name = Set(name);
    am.copy = Set(copy);
    am.updated_at = Set(now());
    if material {
        let (funder, share) = funder_columns(spec.funder);
        am.spec_json = Set(serde_json::to_string(&spec).map_err(anyhow::Error::from)?);
        am.start_at = Set(start);
        am.end_at = Set(end);
        am.funder = Set(funder.to_owned());
        am.merchant_share_bp = Set(share);
        am.scope_mode = Set(scope_mode(&spec.scope).to_owned());
        am.total_quantity = Set(spec.coupon.as_ref().map(|c| c.total_quantity));
        am.depth_bp = Set(depth_bp(depth(&catalog, &spec)));
        if status != Status::Draft {
            am.version = Set(before.version + 1);
            am.revision_pending = Set(true);
            am.floor_break_approved = Set(false);
            mark_submitted(&mut am, staff.id);
        }
    }
    let m = am.update(&txn).await?;
    if material {
        write_targets(&txn, &m, &spec).await?;
        if status != Status::Draft {
            // The new version waits in the approval queue like a submission.
            file_review(&txn, ctx, staff, &m, &catalog, &spec).await?;
        }
    } else if status != Status::Draft {
        let allowed = crate::service::compliance::phrases(&txn, m.store_id).await?;
        check_texts(&m.name, m.copy.as_deref(), &allowed)?;
    }
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "promotion.update",
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&m)),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

fn mark_submitted(am: &mut promotion::ActiveModel, by: i64) {
    am.submitted_by = Set(Some(by));
    am.submitted_at = Set(Some(now()));
    am.reject_reason = Set(None);
}

/// What the approver must be: a specialist within the store's limits, else a director.
fn approver_role(catalog: &Catalog, spec: &Spec) -> (Role, Vec<String>) {
    let store = &catalog.store;
    let depth = depth(catalog, spec);
    let mut beyond = Vec::new();
    if !depth.at_most_bp(i64::from(store.promo_depth_limit_bp)) {
        beyond.push(format!(
            "depth {:.2}% exceeds the specialist limit of {:.2}%",
            depth.bp() as f64 / 100.0,
            f64::from(store.promo_depth_limit_bp) / 100.0
        ));
    }
    if let (Rule::Coupon { face, .. }, Some(terms)) = (&spec.rule, &spec.coupon) {
        let issued = i128::from(*face) * i128::from(terms.total_quantity);
        if issued > i128::from(store.coupon_face_value_limit_fen) {
            beyond.push(format!(
                "face value issued ¥{} exceeds the specialist limit of ¥{}",
                crate::domain::money::Fen(i64::try_from(issued).unwrap_or(i64::MAX)),
                crate::domain::money::Fen(store.coupon_face_value_limit_fen)
            ));
        }
    }
    let role = if beyond.is_empty() {
        Role::Specialist
    } else {
        Role::Director
    };
    (role, beyond)
}

async fn file_review(
    conn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    m: &promotion::Model,
    catalog: &Catalog,
    spec: &Spec,
) -> Result<(), AppError> {
    let (role, beyond) = approver_role(catalog, spec);
    queue::close_subject(
        conn,
        queue::Kind::PromotionReview,
        m.id,
        queue::Status::Cancelled,
        staff.id,
        Some("superseded".into()),
    )
    .await?;
    queue::file(
        conn,
        ctx,
        staff,
        queue::NewRequest {
            store_id: m.store_id,
            subject_type: "Promotion",
            subject_id: m.id,
            payload: queue::Payload::PromotionReview(queue::PromotionReview {
                version: m.version,
                kind: m.kind.clone(),
                depth_bp: m.depth_bp,
                beyond_specialist_limits: beyond,
            }),
            reason: None,
            approver_role: role,
        },
    )
    .await?;
    Ok(())
}

/// `promotionSubmit` (PROMO_EDIT): DRAFT → PENDING_APPROVAL, refused while a BLOCK term is in
/// the name or copy or the window has already ended. Files the request in the approval queue
/// with the approver level it needs.
pub async fn submit(ctx: &ServiceCtx, id: i64) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoEdit, None)?;
    let txn = db::begin_write(&ctx.db).await?;
    let before = in_scope(&txn, staff, id, true).await?;
    staff.require(Permission::PromoEdit, Some(before.store_id))?;
    if Status::parse(&before.status) != Status::Draft {
        return Err(transition_error(&before, "submitted"));
    }
    let allowed = crate::service::compliance::phrases(&txn, before.store_id).await?;
    check_texts(&before.name, before.copy.as_deref(), &allowed)?;
    if before.end_at <= now() {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::Invalid,
            "the promotion's window has already ended; change the dates first",
        ));
    }
    let spec = working_spec(&before).ok_or_else(|| anyhow::anyhow!("unreadable promotion spec"))?;
    let mut am: promotion::ActiveModel = before.clone().into();
    am.status = Set(Status::PendingApproval.as_str().to_owned());
    am.updated_at = Set(now());
    mark_submitted(&mut am, staff.id);
    let m = am.update(&txn).await?;
    let catalog = Catalog::load(&txn, m.store_id).await?;
    file_review(&txn, ctx, staff, &m, &catalog, &spec).await?;
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "promotion.submit",
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "status": before.status })),
            after: Some(json!({ "status": m.status, "version": m.version })),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Approved promotions of the store whose window overlaps `[start, end)`, other than `except`.
async fn approved_overlapping(
    conn: &impl ConnectionTrait,
    store_id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: i64,
) -> Result<Vec<promotion::Model>, AppError> {
    Ok(promotion::Entity::find()
        .filter(promotion::Column::StoreId.eq(store_id))
        .filter(promotion::Column::Id.ne(except))
        .filter(promotion::Column::Status.is_in([
            Status::Scheduled.as_str(),
            Status::Active.as_str(),
            Status::Paused.as_str(),
        ]))
        .filter(promotion::Column::LiveStartAt.lt(end))
        .filter(promotion::Column::LiveEndAt.gt(start))
        .all(conn)
        .await?)
}

/// Which tools may not overlap on one item.
fn exclusive_group(rule: &Rule) -> Option<u8> {
    match rule {
        Rule::ItemDiscount { .. } => Some(0),
        Rule::FullReduction {
            cross_store: true, ..
        } => Some(1),
        Rule::FullReduction { .. } | Rule::FullDiscount { .. } => Some(2),
        Rule::NthItem { .. } => Some(3),
        Rule::Bundle { .. } => Some(4),
        Rule::MemberPrice { vip88_bp: None } => Some(5),
        Rule::MemberPrice { vip88_bp: Some(_) } => Some(6),
        _ => None,
    }
}

/// The activation checks for the working version of `m`: overlap, floors
/// (unless `director_override`), Advertising-Law terms, a window not yet over. Returns whether a
/// floor break was approved by override.
async fn activation_checks(
    conn: &impl ConnectionTrait,
    m: &promotion::Model,
    catalog: &Catalog,
    candidate: &Promo,
    director_override: bool,
    sees_cost: bool,
) -> Result<bool, AppError> {
    let allowed = crate::service::compliance::phrases(conn, m.store_id).await?;
    check_texts(&m.name, m.copy.as_deref(), &allowed)?;
    if candidate.end <= now() {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::Invalid,
            "the promotion's window has already ended",
        ));
    }
    let others =
        approved_overlapping(conn, m.store_id, candidate.start, candidate.end, m.id).await?;
    let covered: Vec<&Item> = catalog
        .items
        .iter()
        .filter(|i| candidate.covers(i.product_id, i.sku_id))
        .collect();
    if let Some(group) = exclusive_group(&candidate.rule) {
        for o in &others {
            let Some(op) = live_promo(o) else { continue };
            if exclusive_group(&op.rule) == Some(group)
                && let Some(hit) = covered.iter().find(|i| op.covers(i.product_id, i.sku_id))
            {
                let codes = sku_codes(conn, &[hit.sku_id]).await?;
                return Err(AppError::invalid(
                    &["input", "id"],
                    ErrorCode::PromotionOverlap,
                    format!(
                        "SKU {} is already under 《{}》 (promotion {}) in an overlapping window",
                        code_of(&codes, hit.sku_id),
                        o.name,
                        o.id
                    ),
                ));
            }
        }
    }
    let mut live: Vec<Promo> = others.iter().filter_map(live_promo).collect();
    live.push(candidate.clone());
    let targets: Vec<i64> = covered.iter().map(|i| i.sku_id).collect();
    let findings = guard::guard(
        &GuardInput {
            items: &catalog.items,
            promotions: &live,
            deepest_tier_bp: deepest_tier_bp(&catalog.store),
            at: None,
        },
        &targets,
    );
    let breaks: Vec<&guard::Finding> = findings.iter().filter(|f| f.breaks()).collect();
    if breaks.is_empty() {
        return Ok(false);
    }
    if director_override {
        return Ok(true);
    }
    let shown: Vec<i64> = breaks.iter().take(10).map(|f| f.sku_id).collect();
    let codes = sku_codes(conn, &shown).await?;
    let list: Vec<String> = breaks
        .iter()
        .take(10)
        .map(|f| {
            format!(
                "SKU {} can reach ¥{}{}",
                code_of(&codes, f.sku_id),
                crate::domain::money::Fen(f.reachable),
                if f.below_floor {
                    " (below its floor)"
                } else if sees_cost {
                    " (below cost or minimum margin)"
                } else {
                    // Which hidden bound would give the cost away.
                    " (below one of its price limits)"
                }
            )
        })
        .collect();
    Err(AppError::invalid(
        &["input", "id"],
        ErrorCode::PriceBelowFloor,
        format!(
            "{} SKU(s) would sell below floor, cost or minimum margin: {}; only a director may approve this",
            breaks.len(),
            list.join("; ")
        ),
    ))
}

/// Codes of some SKUs, for messages.
async fn sku_codes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, AppError> {
    Ok(sku::Entity::find()
        .select_only()
        .columns([sku::Column::Id, sku::Column::Code])
        .filter(sku::Column::Id.is_in(ids.to_vec()))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

fn code_of(codes: &BTreeMap<i64, String>, id: i64) -> String {
    codes.get(&id).cloned().unwrap_or_else(|| id.to_string())
}

/// `promotionApprove` (PROMO_APPROVE): a pending promotion (or pending new version) becomes
/// SCHEDULED, or ACTIVE when its start has passed. Specialists approve within the store's depth
/// and coupon face-value limits and never their own submission; beyond the limits the request
/// waits for a director (APPROVAL_REQUIRED). A director may approve their own submission (audited
/// `selfApproved`) and a floor break (recorded on this version).
pub async fn approve(ctx: &ServiceCtx, id: i64) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let txn = db::begin_write(&ctx.db).await?;
    let m = apply_approved(&txn, ctx, staff, id).await?;
    txn.commit().await?;
    Ok(m)
}

/// Approves a promotion on the caller's transaction: `promotionApprove`, or its request
/// approved in the approval queue (the same checks; the promotion closes the request).
pub async fn apply_approved(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
) -> Result<promotion::Model, AppError> {
    staff.require(Permission::PromoApprove, None)?;
    queue::lock_pending_of(txn, queue::Kind::PromotionReview, id).await?;
    let before = in_scope(txn, staff, id, true).await?;
    let access = staff.require(Permission::PromoApprove, Some(before.store_id))?;
    let stored = Status::parse(&before.status);
    if stored != Status::PendingApproval && !before.revision_pending {
        return Err(transition_error(&before, "approved"));
    }
    let self_approval = before.submitted_by == Some(staff.id);
    if self_approval && staff.role != Role::Director {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::FourEyes,
            "you cannot approve your own submission",
        ));
    }
    let spec = working_spec(&before).ok_or_else(|| anyhow::anyhow!("unreadable promotion spec"))?;
    let catalog = Catalog::load(txn, before.store_id).await?;
    if access == Access::Limited {
        let (role, beyond) = approver_role(&catalog, &spec);
        if role == Role::Director {
            return Err(AppError::invalid(
                &["input", "id"],
                ErrorCode::ApprovalRequired,
                format!(
                    "{}; a director must approve it (it waits in the approval queue)",
                    beyond.join("; ")
                ),
            ));
        }
    }
    let candidate = spec.promo(before.id, before.start_at, before.end_at);
    let floor_break = activation_checks(
        txn,
        &before,
        &catalog,
        &candidate,
        staff.role == Role::Director,
        crate::service::catalog::cost_visible(staff, &catalog.store),
    )
    .await?;
    let at = now();
    let status = match stored {
        Status::PendingApproval if before.start_at <= at => Status::Active,
        Status::PendingApproval => Status::Scheduled,
        // A new version of a running promotion keeps its state (a paused one stays paused).
        Status::Paused => Status::Paused,
        _ if before.start_at <= at => Status::Active,
        _ => Status::Scheduled,
    };
    let mut am: promotion::ActiveModel = before.clone().into();
    am.status = Set(status.as_str().to_owned());
    am.live_json = Set(Some(before.spec_json.clone()));
    am.live_start_at = Set(Some(before.start_at));
    am.live_end_at = Set(Some(before.end_at));
    am.approved_version = Set(Some(before.version));
    am.revision_pending = Set(false);
    am.floor_break_approved = Set(floor_break);
    am.approved_by = Set(Some(staff.id));
    am.approved_at = Set(Some(at));
    am.self_approved = Set(self_approval);
    am.updated_at = Set(at);
    let m = am.update(txn).await?;
    queue::close_subject(
        txn,
        queue::Kind::PromotionReview,
        m.id,
        queue::Status::Approved,
        staff.id,
        None,
    )
    .await?;
    audit::record_as(txn, ctx, staff, audit::Entry {
        action: "promotion.approve", target_type: "Promotion", target_id: Some(m.id), store_id: Some(m.store_id),
        before: Some(json!({ "status": before.status })),
        after: Some(json!({ "status": m.status, "version": m.version, "depthBp": m.depth_bp, "floorBreakApproved": floor_break, "submittedBy": before.submitted_by })),
        self_approved: self_approval,
    }).await?;
    Ok(m)
}

/// `promotionReject` (PROMO_APPROVE, with a reason): a pending promotion goes back to DRAFT; a
/// pending new version is dropped and the approved one stays in force.
pub async fn reject(ctx: &ServiceCtx, id: i64, reason: &str) -> Result<promotion::Model, AppError> {
    back_to_draft(ctx, id, Some(reason)).await
}

/// Rejects a promotion on the caller's transaction (its request rejected in the approval
/// queue; the same checks as `promotionReject`).
pub async fn apply_rejected(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
    reason: &str,
) -> Result<promotion::Model, AppError> {
    back_to_draft_in(txn, ctx, staff, id, Some(reason)).await
}

/// `promotionWithdraw` (PROMO_EDIT, the submitter or a director): the submitter takes a pending
/// promotion back to DRAFT (a pending new version is dropped).
pub async fn withdraw(ctx: &ServiceCtx, id: i64) -> Result<promotion::Model, AppError> {
    back_to_draft(ctx, id, None).await
}

/// Rejection (with a reason) or withdrawal (without).
async fn back_to_draft(
    ctx: &ServiceCtx,
    id: i64,
    reason: Option<&str>,
) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let txn = db::begin_write(&ctx.db).await?;
    let m = back_to_draft_in(&txn, ctx, staff, id, reason).await?;
    txn.commit().await?;
    Ok(m)
}

async fn back_to_draft_in(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
    reason: Option<&str>,
) -> Result<promotion::Model, AppError> {
    let permission = if reason.is_some() {
        Permission::PromoApprove
    } else {
        Permission::PromoEdit
    };
    staff.require(permission, None)?;
    let reason = reason
        .map(|r| {
            text::required(r, &["input", "reason"], "reason", 400)
                .map_err(|e| AppError::Invalid(vec![e]))
        })
        .transpose()?;
    queue::lock_pending_of(txn, queue::Kind::PromotionReview, id).await?;
    let before = in_scope(txn, staff, id, true).await?;
    staff.require(permission, Some(before.store_id))?;
    let stored = Status::parse(&before.status);
    let verb = if reason.is_some() {
        "rejected"
    } else {
        "withdrawn"
    };
    if stored != Status::PendingApproval && !before.revision_pending {
        return Err(transition_error(&before, verb));
    }
    let own = before.submitted_by == Some(staff.id);
    if reason.is_some() && own && staff.role != Role::Director {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::FourEyes,
            "you cannot decide on your own submission",
        ));
    }
    if reason.is_none() && !own && staff.role != Role::Director {
        return Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::Invalid,
            "only the submitter (or a director) withdraws a submission",
        ));
    }
    let mut am: promotion::ActiveModel = before.clone().into();
    am.reject_reason = Set(reason.clone());
    am.updated_at = Set(now());
    let mut restored = None;
    if stored == Status::PendingApproval {
        am.status = Set(Status::Draft.as_str().to_owned());
    } else {
        // Back to the version in force.
        let live = before
            .live_json
            .clone()
            .unwrap_or_else(|| before.spec_json.clone());
        let spec =
            Spec::parse(&live).ok_or_else(|| anyhow::anyhow!("unreadable promotion spec"))?;
        let (funder, share) = funder_columns(spec.funder);
        am.spec_json = Set(live);
        am.start_at = Set(before.live_start_at.unwrap_or(before.start_at));
        am.end_at = Set(before.live_end_at.unwrap_or(before.end_at));
        am.funder = Set(funder.to_owned());
        am.merchant_share_bp = Set(share);
        am.scope_mode = Set(scope_mode(&spec.scope).to_owned());
        am.total_quantity = Set(spec.coupon.as_ref().map(|c| c.total_quantity));
        am.version = Set(before.approved_version.unwrap_or(before.version));
        am.revision_pending = Set(false);
        let catalog = Catalog::load(txn, before.store_id).await?;
        am.depth_bp = Set(depth_bp(depth(&catalog, &spec)));
        restored = Some(spec);
    }
    let m = am.update(txn).await?;
    if let Some(spec) = restored {
        write_targets(txn, &m, &spec).await?;
    }
    let closed = if reason.is_some() {
        queue::Status::Rejected
    } else {
        queue::Status::Cancelled
    };
    queue::close_subject(
        txn,
        queue::Kind::PromotionReview,
        m.id,
        closed,
        staff.id,
        reason.clone(),
    )
    .await?;
    audit::record_as(
        txn,
        ctx,
        staff,
        audit::Entry {
            action: if reason.is_some() {
                "promotion.reject"
            } else {
                "promotion.withdraw"
            },
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "status": before.status, "version": before.version })),
            after: Some(json!({ "status": m.status, "version": m.version, "reason": reason })),
            ..Default::default()
        },
    )
    .await?;
    Ok(m)
}

/// Lifecycle actions of PROMO_CONTROL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    End,
    Cancel,
}

/// `promotionPause` / `promotionResume` / `promotionEnd` / `promotionCancel` (PROMO_CONTROL).
/// Resume re-runs the activation checks (a director's approved floor break of this version
/// stands). Cancelling a coupon template with claimed coupons needs PROMO_CANCEL_ISSUED
/// (director) and invalidates the unused ones.
pub async fn control(
    ctx: &ServiceCtx,
    id: i64,
    action: Control,
) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoControl, None)?;
    let txn = db::begin_write(&ctx.db).await?;
    let before = in_scope(&txn, staff, id, true).await?;
    staff.require(Permission::PromoControl, Some(before.store_id))?;
    let at = now();
    let status = effective_status(&before, at);
    let (to, verb) = match (action, status) {
        (Control::Pause, Status::Active) => (Status::Paused, "paused"),
        (Control::Resume, Status::Paused) => (Status::Active, "resumed"),
        (Control::End, Status::Active | Status::Paused) => (Status::Ended, "ended"),
        (Control::Cancel, Status::Scheduled | Status::Active | Status::Paused) => {
            (Status::Cancelled, "cancelled")
        }
        (Control::Pause, _) => return Err(transition_error(&before, "paused")),
        (Control::Resume, _) => return Err(transition_error(&before, "resumed")),
        (Control::End, _) => return Err(transition_error(&before, "ended")),
        (Control::Cancel, _) => return Err(transition_error(&before, "cancelled")),
    };
    if action == Control::Resume {
        let live = live_promo(&before)
            .ok_or_else(|| anyhow::anyhow!("approved promotion without its version"))?;
        let catalog = Catalog::load(&txn, before.store_id).await?;
        activation_checks(
            &txn,
            &before,
            &catalog,
            &live,
            before.floor_break_approved || staff.role == Role::Director,
            crate::service::catalog::cost_visible(staff, &catalog.store),
        )
        .await?;
    }
    let mut invalidated = 0;
    if action == Control::Cancel && before.kind == Kind::Coupon.as_str() {
        let claimed = coupon_row::Entity::find()
            .filter(coupon_row::Column::TemplateId.eq(before.id))
            .count(&txn)
            .await?;
        if claimed > 0 {
            staff.require(Permission::PromoCancelIssued, Some(before.store_id))?;
        }
        invalidated = coupon_row::Entity::update_many()
            .col_expr(
                coupon_row::Column::Status,
                Expr::value(crate::service::promotion::coupon::State::Invalidated.as_str()),
            )
            .col_expr(coupon_row::Column::UpdatedAt, Expr::value(at))
            .filter(coupon_row::Column::TemplateId.eq(before.id))
            .filter(
                coupon_row::Column::Status
                    .eq(crate::service::promotion::coupon::State::Claimed.as_str()),
            )
            .exec(&txn)
            .await?
            .rows_affected;
    }
    let mut am: promotion::ActiveModel = before.clone().into();
    am.status = Set(to.as_str().to_owned());
    am.updated_at = Set(at);
    if action == Control::End {
        am.ended_early = Set(true);
        am.live_end_at = Set(Some(at));
    }
    let m = am.update(&txn).await?;
    let action_name = match action {
        Control::Pause => "promotion.pause",
        Control::Resume => "promotion.resume",
        Control::End => "promotion.end",
        Control::Cancel => "promotion.cancel",
    };
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: action_name,
            target_type: "Promotion",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "status": status.as_str() })),
            after: Some(
                json!({ "status": m.status, "couponsInvalidated": invalidated, "verb": verb }),
            ),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Writes the time-driven transitions (run by the scheduler; reads already derive them).
/// Returns how many promotions changed.
pub async fn tick(db: &sea_orm::DatabaseConnection) -> Result<u64, AppError> {
    let at = now();
    let txn = db::begin_write(db).await?;
    let ended = promotion::Entity::update_many()
        .col_expr(
            promotion::Column::Status,
            Expr::value(Status::Ended.as_str()),
        )
        .col_expr(promotion::Column::UpdatedAt, Expr::value(at))
        .filter(promotion::Column::Status.is_in([
            Status::Scheduled.as_str(),
            Status::Active.as_str(),
            Status::Paused.as_str(),
        ]))
        .filter(promotion::Column::LiveEndAt.lte(at))
        .exec(&txn)
        .await?
        .rows_affected;
    let started = promotion::Entity::update_many()
        .col_expr(
            promotion::Column::Status,
            Expr::value(Status::Active.as_str()),
        )
        .col_expr(promotion::Column::UpdatedAt, Expr::value(at))
        .filter(promotion::Column::Status.eq(Status::Scheduled.as_str()))
        .filter(promotion::Column::LiveStartAt.lte(at))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(ended + started)
}

/// `promotion(id)` (PROMO_VIEW).
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<promotion::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, None)?;
    in_scope(&ctx.db, staff, id, false).await
}

/// Promotions by id inside the viewer's stores (loaders, `node`).
pub async fn by_ids(ctx: &ServiceCtx, ids: &[i64]) -> Result<Vec<promotion::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, None)?;
    let mut q = promotion::Entity::find().filter(promotion::Column::Id.is_in(ids.to_vec()));
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(promotion::Column::StoreId.is_in(stores));
    }
    Ok(q.all(&ctx.db).await?)
}

/// Sort keys of `promotions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    StartAt,
    EndAt,
}

/// Filters of `promotions`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub store_id: Option<i64>,
    pub kinds: Vec<Kind>,
    /// Effective states.
    pub statuses: Vec<Status>,
    /// In force at this instant (approved, not paused, window holds it).
    pub active_at: Option<DateTime<Utc>>,
    pub product_id: Option<i64>,
    pub sku_id: Option<i64>,
}

/// SQL for "effectively in `s` now".
fn status_condition(s: Status, at: DateTime<Utc>) -> Condition {
    use promotion::Column as C;
    let running = [
        Status::Scheduled.as_str(),
        Status::Active.as_str(),
        Status::Paused.as_str(),
    ];
    match s {
        Status::Draft | Status::PendingApproval | Status::Cancelled => {
            Condition::all().add(C::Status.eq(s.as_str()))
        }
        Status::Ended => Condition::any()
            .add(C::Status.eq(Status::Ended.as_str()))
            .add(
                Condition::all()
                    .add(C::Status.is_in(running))
                    .add(C::LiveEndAt.lte(at)),
            ),
        Status::Scheduled => Condition::all()
            .add(C::Status.eq(Status::Scheduled.as_str()))
            .add(C::LiveStartAt.gt(at)),
        Status::Active => Condition::all()
            .add(C::Status.is_in([Status::Scheduled.as_str(), Status::Active.as_str()]))
            .add(C::LiveStartAt.lte(at))
            .add(C::LiveEndAt.gt(at)),
        Status::Paused => Condition::all()
            .add(C::Status.eq(Status::Paused.as_str()))
            .add(C::LiveEndAt.gt(at)),
    }
}

/// `promotions` (PROMO_VIEW), inside the viewer's stores.
pub async fn list(
    ctx: &ServiceCtx,
    filter: &Filter,
    sort: SortKey,
    args: &PageArgs,
) -> Result<Page<promotion::Entity>, AppError> {
    use promotion::Column as C;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::PromoView, filter.store_id)?;
    let mut q = promotion::Entity::find();
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(C::StoreId.is_in(stores));
    }
    if let Some(s) = filter.store_id {
        q = q.filter(C::StoreId.eq(s));
    }
    if !filter.kinds.is_empty() {
        q = q.filter(C::Kind.is_in(filter.kinds.iter().map(|k| k.as_str())));
    }
    let at = now();
    if !filter.statuses.is_empty() {
        let mut any = Condition::any();
        for s in &filter.statuses {
            any = any.add(status_condition(*s, at));
        }
        q = q.filter(any);
    }
    if let Some(t) = filter.active_at {
        q = q
            .filter(C::Status.is_in([Status::Scheduled.as_str(), Status::Active.as_str()]))
            .filter(C::LiveStartAt.lte(t))
            .filter(C::LiveEndAt.gt(t));
    }
    if filter.product_id.is_some() || filter.sku_id.is_some() {
        // The SKU's product counts for a SKU filter.
        let product = match (filter.product_id, filter.sku_id) {
            (Some(p), _) => Some(p),
            (None, Some(s)) => {
                sku::Entity::find_by_id(s)
                    .select_only()
                    .column(sku::Column::ProductId)
                    .into_tuple::<i64>()
                    .one(&ctx.db)
                    .await?
            }
            _ => None,
        };
        let mut named = Condition::any();
        if let Some(p) = product {
            named = named.add(target::Column::ProductId.eq(p));
        }
        if let Some(s) = filter.sku_id {
            named = named.add(target::Column::SkuId.eq(s));
        }
        let targets = |excluded: bool| {
            sea_orm::sea_query::Query::select()
                .column(target::Column::PromotionId)
                .from(target::Entity)
                .cond_where(named.clone())
                .and_where(target::Column::Excluded.eq(excluded))
                .to_owned()
        };
        q = q.filter(
            Condition::any()
                .add(C::ScopeMode.eq("STORE"))
                .add(C::Id.in_subquery(targets(false)))
                .add(
                    Condition::all()
                        .add(C::ScopeMode.eq("EXCEPT"))
                        .add(C::Id.not_in_subquery(targets(true))),
                ),
        );
    }
    let spec: page::SortSpec<'_, promotion::Entity, C> = match sort {
        SortKey::Id => ("ID", C::Id, |m| CursorKey::Int(m.id)),
        SortKey::StartAt => ("START_AT", C::StartAt, |m| CursorKey::Time(m.start_at)),
        SortKey::EndAt => ("END_AT", C::EndAt, |m| CursorKey::Time(m.end_at)),
    };
    page::fetch(&ctx.db, q, spec, C::Id, |m| m.id, args).await
}
