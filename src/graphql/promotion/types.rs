use super::*;

pub(crate) fn money(v: i64) -> Money {
    Money(Fen(v))
}

/// Promotion tools (营销工具).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "engine::Kind")]
pub enum PromotionKind {
    /// 单品宝: an item-level price per product or SKU (level 1).
    ItemDiscount,
    /// 满减: money off at a threshold (store level 2a, or 跨店满减 at level 3).
    FullReduction,
    /// 满件折 / 满元折: a percentage off at a threshold (level 2a).
    FullDiscount,
    /// 第二件X折 / 买2送1 (level 2a).
    NthItem,
    /// 搭配宝: bundle prices for a main item with companions (level 2a).
    Bundle,
    /// 满赠: a gift SKU at ¥0 while gift stock lasts.
    Gift,
    /// 包邮: free shipping rules.
    FreeShipping,
    /// 优惠券 template: store coupon (2b) or item coupon (2c).
    Coupon,
    /// Member price: the store tier discount (2d) or the 88VIP extra rate (level 4).
    MemberPrice,
}

/// Lifecycle states. Time-driven changes read correctly before the scheduler
/// writes them: a SCHEDULED promotion whose start has passed reads ACTIVE, one past its end ENDED.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "Status")]
pub enum PromotionStatus {
    /// Being written; not in force.
    Draft,
    /// Submitted; waits for an approver (it is in `approvalRequests`).
    PendingApproval,
    /// Approved; starts at `startAt`.
    Scheduled,
    /// In force.
    Active,
    /// Paused by staff; resumes only before its end.
    Paused,
    /// Over (on time, or early with `endedEarly`).
    Ended,
    /// Cancelled; coupon templates invalidate their unused coupons.
    Cancelled,
}

/// Stacking levels, applied in this order.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "engine::Level")]
pub enum PromotionLevel {
    /// 1 单品级: one item-level price per SKU, the lowest; never stacked.
    Item,
    /// 2 店铺级: one 2a activity per line (BUNDLE > NTH_ITEM > 满减 family), one store coupon per
    /// order, one item coupon per product, the tier discount per line.
    Store,
    /// 3 跨店级 / 平台级: 跨店满减, threshold on the item-level amounts, deducted after level 2.
    CrossStore,
    /// 4 会员: 88VIP on the item-level amount of opted-in items.
    Member,
}

/// Who pays for a discount. Margin figures deduct only the merchant's part.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Funder {
    /// The store pays all of it (store tools, 88VIP, most 跨店满减).
    Merchant,
    /// The platform pays (官方立减, platform coupons).
    Platform,
    /// The brand pays.
    Brand,
    /// Shared; `merchantShareBp` is the store's part.
    CoFunded,
}

/// Who funds a promotion's discounts.
#[derive(SimpleObject)]
pub struct Funding {
    /// The funder.
    pub funder: Funder,
    /// The merchant's share in basis points (10000 = all of it).
    pub merchant_share_bp: i32,
}

impl From<engine::Funder> for Funding {
    fn from(f: engine::Funder) -> Self {
        match f {
            engine::Funder::Merchant => Self {
                funder: Funder::Merchant,
                merchant_share_bp: 10_000,
            },
            engine::Funder::Platform => Self {
                funder: Funder::Platform,
                merchant_share_bp: 0,
            },
            engine::Funder::Brand => Self {
                funder: Funder::Brand,
                merchant_share_bp: 0,
            },
            engine::Funder::CoFunded { merchant_bp } => Self {
                funder: Funder::CoFunded,
                merchant_share_bp: merchant_bp as i32,
            },
        }
    }
}

/// Which items a tool covers.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum ScopeMode {
    /// The whole store (default).
    #[default]
    Store,
    /// Only the named products and SKUs.
    Only,
    /// Everything except the named products and SKUs.
    Except,
}

/// A promotion's scope (items under an item-level price take part unless excluded).
pub struct PromotionScope(pub(crate) engine::Scope);

/// A promotion's scope (items under an item-level price take part unless excluded).
#[Object]
impl PromotionScope {
    /// Whole store, named items, or all except the named ones.
    async fn mode(&self) -> ScopeMode {
        match self.0 {
            engine::Scope::Store => ScopeMode::Store,
            engine::Scope::Only { .. } => ScopeMode::Only,
            engine::Scope::Except { .. } => ScopeMode::Except,
        }
    }
    /// The named products (included for ONLY, excluded for EXCEPT).
    async fn products(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Product>> {
        let (ids, _) = ids_of(&self.0);
        let l = ctx.data::<Loaders>()?;
        let map = l
            .products()
            .load_many(ids.iter().copied())
            .await
            .map_err(loaders::gql_err)?;
        Ok(ids
            .iter()
            .filter_map(|i| map.get(i).cloned().map(Product))
            .collect())
    }
    /// The named SKUs (included for ONLY, excluded for EXCEPT).
    async fn skus(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Sku>> {
        let (_, ids) = ids_of(&self.0);
        let l = ctx.data::<Loaders>()?;
        let map = l
            .skus()
            .load_many(ids.iter().copied())
            .await
            .map_err(loaders::gql_err)?;
        Ok(ids
            .iter()
            .filter_map(|i| map.get(i).cloned().map(Sku))
            .collect())
    }
}

pub(crate) fn ids_of(s: &engine::Scope) -> (Vec<i64>, Vec<i64>) {
    match s {
        engine::Scope::Store => (Vec::new(), Vec::new()),
        engine::Scope::Only { products, skus } | engine::Scope::Except { products, skus } => {
            (products.clone(), skus.clone())
        }
    }
}

/// Who may get a promotion.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum AudienceKind {
    /// Every buyer (default).
    #[default]
    All,
    /// Buyers without a paid order in the store (新客).
    NewCustomers,
    /// Members of `tierRank` (1 = the lowest tier) or above.
    TierAtLeast,
    /// Members carrying `tag`.
    Tag,
    /// Members in the RFM `segment`.
    Segment,
}

/// A promotion's audience.
#[derive(SimpleObject)]
pub struct PromotionAudience {
    /// The kind of audience.
    pub kind: AudienceKind,
    /// For TIER_AT_LEAST: the lowest tier rank (1 = the store's first tier).
    pub tier_rank: Option<i32>,
    /// For TAG.
    pub tag: Option<String>,
    /// For SEGMENT.
    pub segment: Option<MemberSegment>,
}

impl From<&engine::Audience> for PromotionAudience {
    fn from(a: &engine::Audience) -> Self {
        let mut out = Self {
            kind: AudienceKind::All,
            tier_rank: None,
            tag: None,
            segment: None,
        };
        match a {
            engine::Audience::All => {}
            engine::Audience::NewCustomers => out.kind = AudienceKind::NewCustomers,
            engine::Audience::TierAtLeast(n) => {
                out.kind = AudienceKind::TierAtLeast;
                out.tier_rank = Some(*n as i32);
            }
            engine::Audience::Tag(t) => {
                out.kind = AudienceKind::Tag;
                out.tag = Some(t.clone());
            }
            engine::Audience::Segment(s) => {
                out.kind = AudienceKind::Segment;
                out.segment = crate::domain::rfm::Segment::parse(s).map(Into::into);
            }
        }
        out
    }
}

/// 单品宝 modes.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ItemDiscountMode {
    /// 打折: the buyer pays `rateBp` of the list price (8.5折 = 8500), per unit half-up, then the
    /// rounding mode.
    Percent,
    /// 减钱: `amount` off per unit.
    Minus,
    /// 促销价: the unit price is `amount`.
    FixedPrice,
}

/// 单品宝 rounding after a percent.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum PriceRounding {
    /// 不取整 (default).
    #[default]
    None,
    /// 抹分: down to 10 fen (¥169.15 → ¥169.10).
    DropFen,
    /// 抹角: down to a whole yuan (¥169.15 → ¥169.00).
    DropJiao,
}

/// What a threshold counts.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
#[graphql(remote = "Threshold")]
pub enum ThresholdUnit {
    /// Money (满X元), on the item-level amounts of the eligible lines (default).
    #[default]
    Amount,
    /// Units (满N件).
    Pieces,
}

/// Coupon types.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CouponType {
    /// 店铺券: whole scope, one per order (level 2b).
    Store,
    /// 商品券: for the items it names, one per product (level 2c).
    Item,
    /// 平台券 (品类券, 购物津贴, 消费券; usually platform- or co-funded): one per order at level
    /// 3, after 跨店满减, threshold on the item-level amounts.
    Platform,
}

/// Where a coupon is handed out.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
#[graphql(remote = "Channel")]
pub enum CouponChannel {
    /// On the store and item pages (default).
    #[default]
    Public,
    /// Through a private link.
    PrivateLink,
    /// Only by customer service.
    CsOnly,
    /// In a live stream (直播专享券).
    Live,
}

/// One tier of a 满减.
#[derive(SimpleObject)]
pub struct FullReductionTier {
    /// Threshold in money (AMOUNT unit).
    pub threshold: Option<Money>,
    /// Threshold in units (PIECES unit).
    pub pieces: Option<i32>,
    /// Money off when this is the highest tier met (tiers never add up).
    pub amount_off: Money,
}

/// 每满X减Y: `floor(basis / X) × Y`, then the cap.
#[derive(SimpleObject)]
pub struct PerEachReduction {
    /// X in money (AMOUNT unit).
    pub every: Option<Money>,
    /// X in units (PIECES unit).
    pub every_pieces: Option<i32>,
    /// Y.
    pub amount_off: Money,
    /// 封顶: the most it takes off; null = 上不封顶.
    pub cap: Option<Money>,
}

/// One tier of a 满折.
#[derive(SimpleObject)]
pub struct FullDiscountTier {
    /// Threshold in money (AMOUNT unit).
    pub threshold: Option<Money>,
    /// Threshold in units (PIECES unit).
    pub pieces: Option<i32>,
    /// The pay rate in bp (9折 = 9000): the discount is `round(basis × (10000 − rate) / 10000)`,
    /// half-up, once.
    pub rate_bp: i32,
}
