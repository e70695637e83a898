//! Promotion rules as the engine reads them: kinds, levels, scope, audience, funder and the
//! kind-specific parameters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Buyer, item_unit_price};

/// The promotion tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    ItemDiscount,
    FullReduction,
    FullDiscount,
    NthItem,
    Bundle,
    Gift,
    FreeShipping,
    Coupon,
    MemberPrice,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Self::ItemDiscount,
        Self::FullReduction,
        Self::FullDiscount,
        Self::NthItem,
        Self::Bundle,
        Self::Gift,
        Self::FreeShipping,
        Self::Coupon,
        Self::MemberPrice,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ItemDiscount => "ITEM_DISCOUNT",
            Self::FullReduction => "FULL_REDUCTION",
            Self::FullDiscount => "FULL_DISCOUNT",
            Self::NthItem => "NTH_ITEM",
            Self::Bundle => "BUNDLE",
            Self::Gift => "GIFT",
            Self::FreeShipping => "FREE_SHIPPING",
            Self::Coupon => "COUPON",
            Self::MemberPrice => "MEMBER_PRICE",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Stacking levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Item,
    Store,
    CrossStore,
    Member,
}

/// Who pays for a discount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Funder {
    Merchant,
    Platform,
    Brand,
    /// Co-funded; the merchant's share in bp.
    CoFunded {
        merchant_bp: i64,
    },
}

impl Funder {
    /// The merchant's part of `amount` (half-up for co-funded).
    pub fn merchant_part(self, amount: i64) -> i64 {
        match self {
            Self::Merchant => amount,
            Self::Platform | Self::Brand => 0,
            Self::CoFunded { merchant_bp } => super::round_half_up(amount, merchant_bp, 10_000),
        }
    }
}

/// Which items a promotion covers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Scope {
    /// The whole store.
    #[default]
    Store,
    /// Only the named products and SKUs.
    Only { products: Vec<i64>, skus: Vec<i64> },
    /// Everything except the named products and SKUs.
    Except { products: Vec<i64>, skus: Vec<i64> },
}

impl Scope {
    pub fn covers(&self, product: i64, sku: i64) -> bool {
        match self {
            Self::Store => true,
            Self::Only { products, skus } => products.contains(&product) || skus.contains(&sku),
            Self::Except { products, skus } => !products.contains(&product) && !skus.contains(&sku),
        }
    }
}

/// Who may get a promotion.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Audience {
    #[default]
    All,
    /// Buyers without a paid order in the store (新客).
    NewCustomers,
    /// Members of this tier (1 = lowest) or above.
    TierAtLeast(i64),
    /// Members carrying the tag.
    Tag(String),
    /// Members in the RFM segment (code as `MemberSegment`).
    Segment(String),
}

impl Audience {
    pub fn includes(&self, b: &Buyer) -> bool {
        match self {
            Self::All => true,
            Self::NewCustomers => b.is_new,
            Self::TierAtLeast(n) => b.member && b.tier_rank.is_some_and(|t| t >= *n),
            Self::Tag(t) => b.member && b.tags.iter().any(|x| x == t),
            Self::Segment(s) => b.member && b.segment.as_deref() == Some(s),
        }
    }
}

/// 单品宝 modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemMode {
    /// 打折: the buyer pays this rate (bp).
    Percent(i64),
    /// 减钱: minus this much per unit.
    Minus(i64),
    /// 促销价: this price per unit.
    Fixed(i64),
}

/// 单品宝 rounding (after a percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    /// 不取整.
    None,
    /// 抹分: down to 10 fen.
    DropFen,
    /// 抹角: down to a whole yuan.
    DropJiao,
}

/// What a threshold counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Threshold {
    /// Money (fen) of the eligible lines' basis.
    Amount,
    /// Units (件).
    Pieces,
}

/// One tier: threshold (fen or units) and value (fen off, or pay rate in bp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub threshold: i64,
    pub value: i64,
}

/// The shapes of 满减.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReductionForm {
    /// 满X减Y, one or more tiers; the highest tier met applies.
    Tiers(Vec<Tier>),
    /// 每满X减Y, optionally capped.
    PerEach {
        every: i64,
        off: i64,
        cap: Option<i64>,
    },
}

/// A 搭配宝 member with its bundle unit price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleMember {
    pub sku_id: i64,
    pub price: i64,
}

/// Kind-specific parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    ItemDiscount {
        mode: ItemMode,
        rounding: Rounding,
        per_buyer_limit: Option<i64>,
    },
    FullReduction {
        on: Threshold,
        form: ReductionForm,
        /// 跨店满减 (level 3) rather than a store 满减 (level 2a).
        cross_store: bool,
    },
    FullDiscount {
        on: Threshold,
        tiers: Vec<Tier>,
    },
    NthItem {
        /// Every nth unit: 2 for 第二件X折, 3 for 买2送1.
        nth: i64,
        rate_bp: i64,
    },
    Bundle {
        fixed: bool,
        main_sku: i64,
        members: Vec<BundleMember>,
    },
    Gift {
        on: Threshold,
        threshold: i64,
        gift_sku: i64,
        stock_left: i64,
    },
    FreeShipping {
        /// None: 全店包邮.
        on: Option<Threshold>,
        threshold: i64,
        excluded_regions: Vec<String>,
    },
    Coupon {
        /// 商品券 (true) or 店铺券.
        item: bool,
        /// 平台券 (品类券, 购物津贴, 消费券): level 3, one per order, after 跨店满减.
        #[serde(default)]
        platform: bool,
        face: i64,
        threshold: i64,
        stackable_with_store_activity: bool,
    },
    MemberPrice {
        /// None: the store tier discount (level 2d); Some: the 88VIP rate (level 4).
        vip88_bp: Option<i64>,
    },
}

impl Rule {
    /// Whether the tool with this scope touches an item: bundles cover their members, every
    /// other tool its scope.
    pub fn covers(&self, scope: &Scope, product: i64, sku: i64) -> bool {
        match self {
            Self::Bundle { members, .. } => members.iter().any(|m| m.sku_id == sku),
            _ => scope.covers(product, sku),
        }
    }

    /// The stacking level the tool applies at.
    pub fn level(&self) -> Level {
        match self {
            Self::ItemDiscount { .. } => Level::Item,
            Self::FullReduction {
                cross_store: true, ..
            }
            | Self::Coupon { platform: true, .. } => Level::CrossStore,
            Self::MemberPrice { vip88_bp: Some(_) } => Level::Member,
            _ => Level::Store,
        }
    }
    pub fn kind(&self) -> Kind {
        match self {
            Self::ItemDiscount { .. } => Kind::ItemDiscount,
            Self::FullReduction { .. } => Kind::FullReduction,
            Self::FullDiscount { .. } => Kind::FullDiscount,
            Self::NthItem { .. } => Kind::NthItem,
            Self::Bundle { .. } => Kind::Bundle,
            Self::Gift { .. } => Kind::Gift,
            Self::FreeShipping { .. } => Kind::FreeShipping,
            Self::Coupon { .. } => Kind::Coupon,
            Self::MemberPrice { .. } => Kind::MemberPrice,
        }
    }
}

/// A promotion as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promo {
    pub id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub funder: Funder,
    pub scope: Scope,
    pub audience: Audience,
    pub rule: Rule,
}

impl Promo {
    /// The window holds `at` (start inclusive, end exclusive).
    pub fn active_at(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
    pub fn covers(&self, product: i64, sku: i64) -> bool {
        self.rule.covers(&self.scope, product, sku)
    }
    pub fn is_store_full_family(&self) -> bool {
        matches!(
            self.rule,
            Rule::FullReduction {
                cross_store: false,
                ..
            } | Rule::FullDiscount { .. }
        )
    }
    pub fn is_cross_store(&self) -> bool {
        matches!(
            self.rule,
            Rule::FullReduction {
                cross_store: true,
                ..
            }
        )
    }
    pub fn level(&self) -> Level {
        self.rule.level()
    }
    pub(super) fn share(&self, level: Level, amount: i64, code: Option<String>) -> super::Share {
        super::Share {
            promotion_id: self.id,
            kind: self.rule.kind(),
            level,
            funder: self.funder,
            amount,
            coupon_code: code,
        }
    }
}

/// An exact non-negative fraction.
#[derive(Debug, Clone, Copy)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl Ratio {
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    pub fn new(num: i64, den: i64) -> Self {
        if den <= 0 || num <= 0 {
            return Self::ZERO;
        }
        Self {
            num: i128::from(num),
            den: i128::from(den),
        }
    }
    /// `self ≤ bp / 10000`, compared exactly.
    pub fn at_most_bp(self, bp: i64) -> bool {
        self.num * 10_000 <= i128::from(bp) * self.den
    }
    /// In bp, rounded half-up (for display).
    pub fn bp(self) -> i64 {
        i64::try_from((2 * self.num * 10_000 + self.den) / (2 * self.den)).unwrap_or(i64::MAX)
    }
    pub fn max(self, other: Ratio) -> Ratio {
        if other.num * self.den > self.num * other.den {
            other
        } else {
            self
        }
    }
}

/// What depth needs besides the rule.
#[derive(Debug, Clone, Default)]
pub struct DepthFacts {
    /// List prices of the SKUs in scope (for BUNDLE: of one set, in `members` order).
    pub lists_in_scope: Vec<i64>,
    /// A GIFT's gift SKU list price.
    pub gift_list_price: i64,
    /// The deepest store tier price rate (bp), for the store tier MEMBER_PRICE.
    pub deepest_tier_bp: i64,
}

/// Effective discount depth of a rule from its parameters alone.
pub fn depth(rule: &Rule, facts: &DepthFacts) -> Ratio {
    let lists_in_scope = &facts.lists_in_scope;
    let lowest = lists_in_scope.iter().copied().min().unwrap_or(0);
    match rule {
        Rule::ItemDiscount { mode, rounding, .. } => lists_in_scope
            .iter()
            .map(|&l| Ratio::new(l - item_unit_price(*mode, *rounding, l), l))
            .fold(Ratio::ZERO, Ratio::max),
        Rule::FullReduction { on, form, .. } => match form {
            ReductionForm::Tiers(tiers) => tiers
                .iter()
                .map(|t| match on {
                    Threshold::Amount => Ratio::new(t.value, t.threshold),
                    Threshold::Pieces => Ratio::new(t.value, t.threshold * lowest),
                })
                .fold(Ratio::ZERO, Ratio::max),
            ReductionForm::PerEach { every, off, .. } => match on {
                Threshold::Amount => Ratio::new(*off, *every),
                Threshold::Pieces => Ratio::new(*off, every * lowest),
            },
        },
        Rule::FullDiscount { tiers, .. } => tiers
            .iter()
            .map(|t| Ratio::new(10_000 - t.value, 10_000))
            .fold(Ratio::ZERO, Ratio::max),
        Rule::NthItem { rate_bp, .. } => Ratio::new(10_000 - rate_bp, 20_000),
        Rule::Bundle { members, .. } => {
            // Σ bundle prices over Σ list prices of one set; lists follow `members` order.
            let list: i64 = lists_in_scope.iter().sum();
            let bundle: i64 = members.iter().map(|m| m.price).sum();
            Ratio::new(list - bundle, list)
        }
        Rule::Coupon {
            face, threshold, ..
        } => Ratio::new(*face, (*threshold).max(lowest)),
        Rule::Gift { on, threshold, .. } => {
            let threshold = match on {
                Threshold::Amount => *threshold,
                Threshold::Pieces => threshold * lowest,
            };
            Ratio::new(facts.gift_list_price, threshold.max(lowest))
        }
        Rule::FreeShipping { .. } => Ratio::ZERO,
        Rule::MemberPrice { vip88_bp } => {
            Ratio::new(10_000 - vip88_bp.unwrap_or(facts.deepest_tier_bp), 10_000)
        }
    }
}
