//! Promotions, coupon templates, issued coupons, the price quote and the price guard over the
//! pricing engine. One `Promotion` interface with one type per kind; one create input with one
//! kind-specific part.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Interface, Object, SimpleObject};
use entity::{coupon, promotion};

use super::catalog::{Product, Sku};
use super::loaders::{self, Loaders};
use super::members::{Member, MemberSegment};
use super::mutation::split;
use super::pagination::connection;
use super::scalars::{Date, DateTime, Money};
use super::types::{StaffMember, Store, UserErrorObject, staff_member, store_by_id};
use super::{decode_id, decode_opt_id, found, svc};
use crate::domain::{Fen, GlobalId, NodeType};
use crate::engine::{self, ItemMode, ReductionForm, Rule, Threshold, Tier};
use crate::error::{AppError, ErrorCode, GqlResultExt, UserError};
use crate::service::kernel::page::Window;
use crate::service::promotion::coupon::{self as coupons, State};
use crate::service::promotion::quote::{self, GuardReport, Priced};
use crate::service::promotion::{
    self as promos, Channel, Control, CouponTerms, Spec, Status, Validity, effective_status,
};

fn gid(t: NodeType, id: i64) -> ID {
    ID(GlobalId::new(t, id).encode())
}

fn money(v: i64) -> Money {
    Money(Fen(v))
}

/// Promotion tools (营销工具).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
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

impl From<engine::Kind> for PromotionKind {
    fn from(k: engine::Kind) -> Self {
        use engine::Kind as K;
        match k {
            K::ItemDiscount => Self::ItemDiscount,
            K::FullReduction => Self::FullReduction,
            K::FullDiscount => Self::FullDiscount,
            K::NthItem => Self::NthItem,
            K::Bundle => Self::Bundle,
            K::Gift => Self::Gift,
            K::FreeShipping => Self::FreeShipping,
            K::Coupon => Self::Coupon,
            K::MemberPrice => Self::MemberPrice,
        }
    }
}

impl From<PromotionKind> for engine::Kind {
    fn from(k: PromotionKind) -> Self {
        use PromotionKind as K;
        match k {
            K::ItemDiscount => Self::ItemDiscount,
            K::FullReduction => Self::FullReduction,
            K::FullDiscount => Self::FullDiscount,
            K::NthItem => Self::NthItem,
            K::Bundle => Self::Bundle,
            K::Gift => Self::Gift,
            K::FreeShipping => Self::FreeShipping,
            K::Coupon => Self::Coupon,
            K::MemberPrice => Self::MemberPrice,
        }
    }
}

/// Lifecycle states. Time-driven changes read correctly before the scheduler
/// writes them: a SCHEDULED promotion whose start has passed reads ACTIVE, one past its end ENDED.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
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

impl From<Status> for PromotionStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Draft => Self::Draft,
            Status::PendingApproval => Self::PendingApproval,
            Status::Scheduled => Self::Scheduled,
            Status::Active => Self::Active,
            Status::Paused => Self::Paused,
            Status::Ended => Self::Ended,
            Status::Cancelled => Self::Cancelled,
        }
    }
}

impl From<PromotionStatus> for Status {
    fn from(s: PromotionStatus) -> Self {
        match s {
            PromotionStatus::Draft => Self::Draft,
            PromotionStatus::PendingApproval => Self::PendingApproval,
            PromotionStatus::Scheduled => Self::Scheduled,
            PromotionStatus::Active => Self::Active,
            PromotionStatus::Paused => Self::Paused,
            PromotionStatus::Ended => Self::Ended,
            PromotionStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// Stacking levels, applied in this order.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
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

impl From<engine::Level> for PromotionLevel {
    fn from(l: engine::Level) -> Self {
        match l {
            engine::Level::Item => Self::Item,
            engine::Level::Store => Self::Store,
            engine::Level::CrossStore => Self::CrossStore,
            engine::Level::Member => Self::Member,
        }
    }
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
pub struct PromotionScope(engine::Scope);

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
            .products
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
            .skus
            .load_many(ids.iter().copied())
            .await
            .map_err(loaders::gql_err)?;
        Ok(ids
            .iter()
            .filter_map(|i| map.get(i).cloned().map(Sku))
            .collect())
    }
}

fn ids_of(s: &engine::Scope) -> (Vec<i64>, Vec<i64>) {
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
pub enum ThresholdUnit {
    /// Money (满X元), on the item-level amounts of the eligible lines (default).
    #[default]
    Amount,
    /// Units (满N件).
    Pieces,
}

impl From<Threshold> for ThresholdUnit {
    fn from(t: Threshold) -> Self {
        match t {
            Threshold::Amount => Self::Amount,
            Threshold::Pieces => Self::Pieces,
        }
    }
}

impl From<ThresholdUnit> for Threshold {
    fn from(t: ThresholdUnit) -> Self {
        match t {
            ThresholdUnit::Amount => Self::Amount,
            ThresholdUnit::Pieces => Self::Pieces,
        }
    }
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

impl From<Channel> for CouponChannel {
    fn from(c: Channel) -> Self {
        match c {
            Channel::Public => Self::Public,
            Channel::PrivateLink => Self::PrivateLink,
            Channel::CsOnly => Self::CsOnly,
            Channel::Live => Self::Live,
        }
    }
}

impl From<CouponChannel> for Channel {
    fn from(c: CouponChannel) -> Self {
        match c {
            CouponChannel::Public => Self::Public,
            CouponChannel::PrivateLink => Self::PrivateLink,
            CouponChannel::CsOnly => Self::CsOnly,
            CouponChannel::Live => Self::Live,
        }
    }
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

/// A 搭配宝 member.
pub struct BundleMember(engine::BundleMember);

/// A 搭配宝 member.
#[Object]
impl BundleMember {
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        sku_of(ctx, self.0.sku_id).await
    }
    /// 搭配价: in a complete set each unit pays min(item-level price, this).
    async fn bundle_price(&self) -> Money {
        money(self.0.price)
    }
}

async fn sku_of(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Sku>> {
    let l = ctx.data::<Loaders>()?;
    Ok(l.skus
        .load_one(id)
        .await
        .map_err(loaders::gql_err)?
        .map(Sku))
}

fn split_threshold(on: Threshold, v: i64) -> (Option<Money>, Option<i32>) {
    match on {
        Threshold::Amount => (Some(money(v)), None),
        Threshold::Pieces => (None, Some(v as i32)),
    }
}

/// A promotion row with its working spec parsed once.
#[derive(Clone)]
pub struct Row {
    m: Arc<promotion::Model>,
    spec: Arc<Spec>,
}

impl Row {
    fn new(m: promotion::Model) -> Self {
        let spec = promos::working_spec(&m).unwrap_or(Spec {
            scope: engine::Scope::Store,
            audience: engine::Audience::All,
            funder: engine::Funder::Merchant,
            rule: Rule::FreeShipping {
                on: None,
                threshold: 0,
                excluded_regions: Vec::new(),
            },
            coupon: None,
        });
        Self {
            m: Arc::new(m),
            spec: Arc::new(spec),
        }
    }
}

/// Generates one promotion type: the common fields of the `Promotion` interface, then the
/// kind-specific ones.
macro_rules! promotion_type {
    ($name:ident, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        pub struct $name(pub Row);

        #[doc = $doc]
        #[Object]
        impl $name {
            /// Opaque global ID.
            pub async fn id(&self) -> ID {
                gid(NodeType::Promotion, self.0.m.id)
            }
            /// The tool.
            async fn kind(&self) -> PromotionKind {
                self.0.spec.rule.kind().into()
            }
            /// The stacking level it applies at.
            async fn level(&self) -> PromotionLevel {
                self.0.spec.rule.level().into()
            }
            /// Internal name (checked for Advertising-Law terms at submit and activation).
            async fn name(&self) -> &str {
                &self.0.m.name
            }
            /// Buyer-facing copy, checked like the name.
            async fn copy(&self) -> Option<&str> {
                self.0.m.copy.as_deref()
            }
            /// The state now (time-driven changes read correctly before the scheduler runs).
            async fn status(&self) -> PromotionStatus {
                effective_status(&self.0.m, crate::service::now()).into()
            }
            /// Start of the working version's window (inclusive).
            async fn start_at(&self) -> DateTime {
                DateTime(self.0.m.start_at)
            }
            /// End of the working version's window (exclusive).
            async fn end_at(&self) -> DateTime {
                DateTime(self.0.m.end_at)
            }
            /// Start of the approved version's window (what is in force); null before approval.
            async fn live_start_at(&self) -> Option<DateTime> {
                self.0.m.live_start_at.map(DateTime)
            }
            /// End of the approved version's window; null before approval.
            async fn live_end_at(&self) -> Option<DateTime> {
                self.0.m.live_end_at.map(DateTime)
            }
            /// Who funds the discounts.
            async fn funding(&self) -> Funding {
                self.0.spec.funder.into()
            }
            /// Which items it covers.
            async fn scope(&self) -> PromotionScope {
                PromotionScope(self.0.spec.scope.clone())
            }
            /// Who may get it.
            async fn audience(&self) -> PromotionAudience {
                (&self.0.spec.audience).into()
            }
            /// Effective discount depth from the parameters alone, in bp (1200 = 12%), compared
            /// with the specialist's limit: item prices max(1 − promotion price / list price) over
            /// the SKUs; 满减 max(Y / X) over the tiers (每满 Y / X; by pieces Y / (N × the lowest
            /// list price in scope)); 满折 and member prices 1 − rate; 第二件 (1 − rate) / 2; bundles
            /// 1 − Σ bundle prices / Σ list prices; coupons face / max(threshold, lowest list price
            /// in scope); gifts gift list price / max(threshold, lowest list price in scope);
            /// free shipping 0.
            async fn depth_bp(&self) -> i32 {
                self.0.m.depth_bp
            }
            /// Version of the working parameters (a change of depth, scope, audience, funder or
            /// dates after approval makes a new one).
            async fn version(&self) -> i32 {
                self.0.m.version
            }
            /// The version in force; null before the first approval.
            async fn approved_version(&self) -> Option<i32> {
                self.0.m.approved_version
            }
            /// A new version waits for approval while the approved one stays in force.
            async fn has_pending_revision(&self) -> bool {
                self.0.m.revision_pending
            }
            /// A director approved this version although it lets a SKU sell below its floor,
            /// cost or minimum-margin price.
            async fn floor_break_approved(&self) -> bool {
                self.0.m.floor_break_approved
            }
            /// Why the last submission was rejected.
            async fn reject_reason(&self) -> Option<&str> {
                self.0.m.reject_reason.as_deref()
            }
            /// Ended by staff before its end.
            async fn ended_early(&self) -> bool {
                self.0.m.ended_early
            }
            /// Who submitted the current version.
            async fn submitted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
                staff_member(ctx, self.0.m.submitted_by).await
            }
            /// Who approved the version in force.
            async fn approved_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
                staff_member(ctx, self.0.m.approved_by).await
            }
            /// The approver approved their own submission (directors only; audited).
            async fn self_approved(&self) -> bool {
                self.0.m.self_approved
            }
            /// The store.
            async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
                store_by_id(ctx, self.0.m.store_id).await
            }
            /// Who created it.
            async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
                staff_member(ctx, Some(self.0.m.created_by)).await
            }
            /// When it was created.
            async fn created_at(&self) -> DateTime {
                DateTime(self.0.m.created_at)
            }
            /// When it last changed.
            async fn updated_at(&self) -> DateTime {
                DateTime(self.0.m.updated_at)
            }
            $($extra)*
        }
    };
}

promotion_type!(
    ItemDiscountPromotion,
    "单品宝: an item-level price per product or SKU. At most one item-level price per SKU in any window (PROMOTION_OVERLAP at approval). Units beyond the per-buyer limit pay the list price.",
    {
        /// How the price is set.
        async fn mode(&self) -> Option<ItemDiscountMode> {
            match self.0.spec.rule {
                Rule::ItemDiscount {
                    mode: ItemMode::Percent(_),
                    ..
                } => Some(ItemDiscountMode::Percent),
                Rule::ItemDiscount {
                    mode: ItemMode::Minus(_),
                    ..
                } => Some(ItemDiscountMode::Minus),
                Rule::ItemDiscount {
                    mode: ItemMode::Fixed(_),
                    ..
                } => Some(ItemDiscountMode::FixedPrice),
                _ => None,
            }
        }
        /// PERCENT: the pay rate in bp (8.5折 = 8500).
        async fn rate_bp(&self) -> Option<i32> {
            match self.0.spec.rule {
                Rule::ItemDiscount {
                    mode: ItemMode::Percent(bp),
                    ..
                } => Some(bp as i32),
                _ => None,
            }
        }
        /// MINUS: off per unit; FIXED_PRICE: the unit price.
        async fn amount(&self) -> Option<Money> {
            match self.0.spec.rule {
                Rule::ItemDiscount {
                    mode: ItemMode::Minus(v) | ItemMode::Fixed(v),
                    ..
                } => Some(money(v)),
                _ => None,
            }
        }
        /// Rounding after a percent (抹分 / 抹角).
        async fn rounding(&self) -> PriceRounding {
            match self.0.spec.rule {
                Rule::ItemDiscount {
                    rounding: engine::Rounding::DropFen,
                    ..
                } => PriceRounding::DropFen,
                Rule::ItemDiscount {
                    rounding: engine::Rounding::DropJiao,
                    ..
                } => PriceRounding::DropJiao,
                _ => PriceRounding::None,
            }
        }
        /// 限购: units per order at the promotion price; null = no limit.
        async fn per_buyer_limit(&self) -> Option<i32> {
            match self.0.spec.rule {
                Rule::ItemDiscount {
                    per_buyer_limit, ..
                } => per_buyer_limit.map(|l| l as i32),
                _ => None,
            }
        }
    }
);

promotion_type!(
    FullReductionPromotion,
    "满减: single tier or 阶梯满减 (the highest tier met; tiers never add up), or 每满X减Y (floor(basis / X) × Y, optionally capped); on money or units (满件减). The threshold is tested on the item-level amounts of the eligible lines; the discount is allocated to them by largest remainder. With crossStore it is a 跨店满减 at level 3.",
    {
        /// What the threshold counts.
        async fn unit(&self) -> ThresholdUnit {
            match self.0.spec.rule {
                Rule::FullReduction { on, .. } => on.into(),
                _ => ThresholdUnit::Amount,
            }
        }
        /// 跨店满减 (level 3, tied to a platform event) rather than a store 满减 (level 2a).
        async fn cross_store(&self) -> bool {
            matches!(
                self.0.spec.rule,
                Rule::FullReduction {
                    cross_store: true,
                    ..
                }
            )
        }
        /// The tiers (empty for 每满).
        async fn tiers(&self) -> Vec<FullReductionTier> {
            match &self.0.spec.rule {
                Rule::FullReduction {
                    on,
                    form: ReductionForm::Tiers(tiers),
                    ..
                } => tiers
                    .iter()
                    .map(|t| {
                        let (threshold, pieces) = split_threshold(*on, t.threshold);
                        FullReductionTier {
                            threshold,
                            pieces,
                            amount_off: money(t.value),
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
        /// 每满X减Y; null for tiers.
        async fn per_each(&self) -> Option<PerEachReduction> {
            match &self.0.spec.rule {
                Rule::FullReduction {
                    on,
                    form: ReductionForm::PerEach { every, off, cap },
                    ..
                } => {
                    let (every, every_pieces) = split_threshold(*on, *every);
                    Some(PerEachReduction {
                        every,
                        every_pieces,
                        amount_off: money(*off),
                        cap: cap.map(money),
                    })
                }
                _ => None,
            }
        }
    }
);

promotion_type!(
    FullDiscountPromotion,
    "满件折 / 满元折: the highest tier met takes its rate off the eligible lines' item-level amounts, half-up once, allocated by largest remainder.",
    {
        /// What the threshold counts.
        async fn unit(&self) -> ThresholdUnit {
            match self.0.spec.rule {
                Rule::FullDiscount { on, .. } => on.into(),
                _ => ThresholdUnit::Amount,
            }
        }
        /// The tiers, rising.
        async fn tiers(&self) -> Vec<FullDiscountTier> {
            match &self.0.spec.rule {
                Rule::FullDiscount { on, tiers } => tiers
                    .iter()
                    .map(|t| {
                        let (threshold, pieces) = split_threshold(*on, t.threshold);
                        FullDiscountTier {
                            threshold,
                            pieces,
                            rate_bp: t.value as i32,
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
    }
);

promotion_type!(
    NthItemPromotion,
    "第二件X折 / 第二件0元 / 买2送1: over units of the same product (any SKUs), the floor(q / nth) cheapest units by item-level price (then SKU id) are discounted: round(Σ their prices × (10000 − rate) / 10000), shared over their lines by largest remainder.",
    {
        /// Every nth unit: 2 (第二件) or 3 (买2送1).
        async fn nth(&self) -> i32 {
            match self.0.spec.rule {
                Rule::NthItem { nth, .. } => nth as i32,
                _ => 2,
            }
        }
        /// The discounted units' pay rate in bp (第二件半价 = 5000, 0 = free).
        async fn rate_bp(&self) -> i32 {
            match self.0.spec.rule {
                Rule::NthItem { rate_bp, .. } => rate_bp as i32,
                _ => 0,
            }
        }
    }
);

promotion_type!(
    BundlePromotion,
    "搭配宝: a main item with 1–8 companions. Per complete set each unit pays min(item-level price, its bundle price); fixed bundles need every companion, pick-your-own at least one. A line with a unit in a set takes no other 2a activity.",
    {
        /// 固定搭配 (all companions) rather than 自选搭配.
        async fn fixed(&self) -> bool {
            matches!(self.0.spec.rule, Rule::Bundle { fixed: true, .. })
        }
        /// The main item.
        async fn main_sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
            match self.0.spec.rule {
                Rule::Bundle { main_sku, .. } => sku_of(ctx, main_sku).await,
                _ => Ok(None),
            }
        }
        /// Every member (main item included) with its bundle price.
        async fn members(&self) -> Vec<BundleMember> {
            match &self.0.spec.rule {
                Rule::Bundle { members, .. } => members.iter().copied().map(BundleMember).collect(),
                _ => Vec::new(),
            }
        }
    }
);

promotion_type!(
    GiftPromotion,
    "满赠: when the eligible lines reach the threshold (0 = any eligible item bought), the order gets the gift SKU at ¥0, once per order, while its available stock lasts.",
    {
        /// What the threshold counts.
        async fn unit(&self) -> ThresholdUnit {
            match self.0.spec.rule {
                Rule::Gift { on, .. } => on.into(),
                _ => ThresholdUnit::Amount,
            }
        }
        /// Threshold in money (AMOUNT).
        async fn threshold(&self) -> Option<Money> {
            match self.0.spec.rule {
                Rule::Gift { on, threshold, .. } => split_threshold(on, threshold).0,
                _ => None,
            }
        }
        /// Threshold in units (PIECES).
        async fn pieces(&self) -> Option<i32> {
            match self.0.spec.rule {
                Rule::Gift { on, threshold, .. } => split_threshold(on, threshold).1,
                _ => None,
            }
        }
        /// The gift.
        async fn gift_sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
            match self.0.spec.rule {
                Rule::Gift { gift_sku, .. } => sku_of(ctx, gift_sku).await,
                _ => Ok(None),
            }
        }
    }
);

promotion_type!(
    FreeShippingPromotion,
    "包邮: 全店包邮 (no threshold), 满X元包邮 (on the eligible lines' net after store-level discounts) or 满N件包邮. Buyers in excluded regions pay the store's shipping template (first unit + each extra). Shipping never counts toward thresholds.",
    {
        /// What the threshold counts; null = 全店包邮.
        async fn unit(&self) -> Option<ThresholdUnit> {
            match self.0.spec.rule {
                Rule::FreeShipping { on, .. } => on.map(Into::into),
                _ => None,
            }
        }
        /// Threshold in money (AMOUNT).
        async fn threshold(&self) -> Option<Money> {
            match self.0.spec.rule {
                Rule::FreeShipping {
                    on: Some(on),
                    threshold,
                    ..
                } => split_threshold(on, threshold).0,
                _ => None,
            }
        }
        /// Threshold in units (PIECES).
        async fn pieces(&self) -> Option<i32> {
            match self.0.spec.rule {
                Rule::FreeShipping {
                    on: Some(on),
                    threshold,
                    ..
                } => split_threshold(on, threshold).1,
                _ => None,
            }
        }
        /// Regions that pay the shipping template (e.g. 新疆, 西藏).
        async fn excluded_regions(&self) -> Vec<String> {
            match &self.0.spec.rule {
                Rule::FreeShipping {
                    excluded_regions, ..
                } => excluded_regions.clone(),
                _ => Vec::new(),
            }
        }
    }
);

promotion_type!(
    CouponTemplate,
    "优惠券 template: a store coupon (one per order, level 2b) or item coupon (one per product, 2c); face value below the threshold (or no threshold, 0). ACTIVE = claimable inside the claim window; PAUSED and ENDED stop issuing while issued coupons stay valid; CANCELLED invalidates unused ones (with claimed coupons it needs PROMO_CANCEL_ISSUED). Never issued past totalQuantity or perBuyerLimit.",
    {
        /// Store or item coupon.
        async fn coupon_type(&self) -> CouponType {
            match self.0.spec.rule {
                Rule::Coupon { item: true, .. } => CouponType::Item,
                _ => CouponType::Store,
            }
        }
        /// Face value.
        async fn face_value(&self) -> Money {
            match self.0.spec.rule {
                Rule::Coupon { face, .. } => money(face),
                _ => money(0),
            }
        }
        /// Threshold on the eligible lines' item-level amounts; "0.00" = none.
        async fn threshold(&self) -> Money {
            match self.0.spec.rule {
                Rule::Coupon { threshold, .. } => money(threshold),
                _ => money(0),
            }
        }
        /// Whether it also applies to lines that took a 2a activity (满减, 第二件, bundle).
        async fn stackable_with_store_activity(&self) -> bool {
            matches!(
                self.0.spec.rule,
                Rule::Coupon {
                    stackable_with_store_activity: true,
                    ..
                }
            )
        }
        /// Coupons that may be issued in all.
        async fn total_quantity(&self) -> i64 {
            self.0.spec.coupon.as_ref().map_or(0, |c| c.total_quantity)
        }
        /// Coupons issued so far.
        async fn issued_count(&self) -> i64 {
            self.0.m.issued_count
        }
        /// Coupons one member may hold.
        async fn per_buyer_limit(&self) -> i64 {
            self.0.spec.coupon.as_ref().map_or(0, |c| c.per_buyer_limit)
        }
        /// Face value × total quantity (the specialist's limit is ¥20,000 by default).
        async fn face_value_issued(&self) -> Money {
            match (&self.0.spec.rule, &self.0.spec.coupon) {
                (Rule::Coupon { face, .. }, Some(c)) => {
                    money(face.saturating_mul(c.total_quantity))
                }
                _ => money(0),
            }
        }
        /// Claim window start.
        async fn claim_start(&self) -> Option<DateTime> {
            self.0.spec.coupon.as_ref().map(|c| DateTime(c.claim_start))
        }
        /// Claim window end.
        async fn claim_end(&self) -> Option<DateTime> {
            self.0.spec.coupon.as_ref().map(|c| DateTime(c.claim_end))
        }
        /// Absolute validity start (null for relative validity).
        async fn valid_from(&self) -> Option<DateTime> {
            match self.0.spec.coupon.as_ref().map(|c| c.validity) {
                Some(Validity::Absolute { start, .. }) => Some(DateTime(start)),
                _ => None,
            }
        }
        /// Absolute validity end (null for relative validity).
        async fn valid_until(&self) -> Option<DateTime> {
            match self.0.spec.coupon.as_ref().map(|c| c.validity) {
                Some(Validity::Absolute { end, .. }) => Some(DateTime(end)),
                _ => None,
            }
        }
        /// Relative validity: days after the claim, never past the template's end.
        async fn valid_days(&self) -> Option<i32> {
            match self.0.spec.coupon.as_ref().map(|c| c.validity) {
                Some(Validity::Relative { days }) => Some(days as i32),
                _ => None,
            }
        }
        /// Where it is handed out.
        async fn channel(&self) -> CouponChannel {
            self.0
                .spec
                .coupon
                .as_ref()
                .map_or(CouponChannel::Public, |c| c.channel.into())
        }
    }
);

promotion_type!(
    MemberPricePromotion,
    "Member price: without a rate, the store tier discount (店铺会员折扣): the member's tier priceRateBp on the covered lines' item-level amounts, half-up per line (level 2d). With vip88RateBp, the 88VIP extra rate on opted-in (covered) items for buyers the quote marks as 88VIP (level 4). Both are merchant-funded.",
    {
        /// The 88VIP pay rate in bp (95折 = 9500); null = the store tier discount.
        async fn vip88_rate_bp(&self) -> Option<i32> {
            match self.0.spec.rule {
                Rule::MemberPrice { vip88_bp } => vip88_bp.map(|b| b as i32),
                _ => None,
            }
        }
    }
);

/// A promotion of any kind. Query the kind-specific fields with fragments.
#[expect(
    clippy::duplicated_attributes,
    reason = "several interface fields share a type"
)]
#[derive(Interface)]
#[graphql(
    field(name = "id", ty = "ID", desc = "Opaque global ID."),
    field(name = "kind", ty = "PromotionKind", desc = "The tool."),
    field(
        name = "level",
        ty = "PromotionLevel",
        desc = "The stacking level it applies at."
    ),
    field(name = "name", ty = "&str", desc = "Internal name."),
    field(name = "copy", ty = "Option<&str>", desc = "Buyer-facing copy."),
    field(name = "status", ty = "PromotionStatus", desc = "The state now."),
    field(
        name = "start_at",
        ty = "DateTime",
        desc = "Start of the working version's window."
    ),
    field(
        name = "end_at",
        ty = "DateTime",
        desc = "End of the working version's window."
    ),
    field(
        name = "live_start_at",
        ty = "Option<DateTime>",
        desc = "Start of the approved version's window."
    ),
    field(
        name = "live_end_at",
        ty = "Option<DateTime>",
        desc = "End of the approved version's window."
    ),
    field(name = "funding", ty = "Funding", desc = "Who funds the discounts."),
    field(name = "scope", ty = "PromotionScope", desc = "Which items it covers."),
    field(name = "audience", ty = "PromotionAudience", desc = "Who may get it."),
    field(
        name = "depth_bp",
        ty = "i32",
        desc = "Effective discount depth in bp."
    ),
    field(
        name = "version",
        ty = "i32",
        desc = "Version of the working parameters."
    ),
    field(
        name = "approved_version",
        ty = "Option<i32>",
        desc = "The version in force."
    ),
    field(
        name = "has_pending_revision",
        ty = "bool",
        desc = "A new version waits for approval."
    ),
    field(name = "store", ty = "Option<Store>", desc = "The store."),
    field(
        name = "floor_break_approved",
        ty = "bool",
        desc = "A director approved this version although it breaks a floor, cost or minimum-margin price."
    ),
    field(
        name = "reject_reason",
        ty = "Option<&str>",
        desc = "Why the last submission was rejected."
    ),
    field(
        name = "ended_early",
        ty = "bool",
        desc = "Ended by staff before its end."
    ),
    field(
        name = "submitted_by",
        ty = "Option<StaffMember>",
        desc = "Who submitted the current version."
    ),
    field(
        name = "approved_by",
        ty = "Option<StaffMember>",
        desc = "Who approved the version in force."
    ),
    field(
        name = "self_approved",
        ty = "bool",
        desc = "The approver approved their own submission (directors only)."
    ),
    field(
        name = "created_by",
        ty = "Option<StaffMember>",
        desc = "Who created it."
    ),
    field(name = "created_at", ty = "DateTime", desc = "When it was created."),
    field(name = "updated_at", ty = "DateTime", desc = "When it last changed.")
)]
pub enum Promotion {
    ItemDiscount(ItemDiscountPromotion),
    FullReduction(FullReductionPromotion),
    FullDiscount(FullDiscountPromotion),
    NthItem(NthItemPromotion),
    Bundle(BundlePromotion),
    Gift(GiftPromotion),
    FreeShipping(FreeShippingPromotion),
    Coupon(CouponTemplate),
    MemberPrice(MemberPricePromotion),
}

impl From<promotion::Model> for Promotion {
    fn from(m: promotion::Model) -> Self {
        let row = Row::new(m);
        match row.spec.rule.kind() {
            engine::Kind::ItemDiscount => Self::ItemDiscount(ItemDiscountPromotion(row)),
            engine::Kind::FullReduction => Self::FullReduction(FullReductionPromotion(row)),
            engine::Kind::FullDiscount => Self::FullDiscount(FullDiscountPromotion(row)),
            engine::Kind::NthItem => Self::NthItem(NthItemPromotion(row)),
            engine::Kind::Bundle => Self::Bundle(BundlePromotion(row)),
            engine::Kind::Gift => Self::Gift(GiftPromotion(row)),
            engine::Kind::FreeShipping => Self::FreeShipping(FreeShippingPromotion(row)),
            engine::Kind::Coupon => Self::Coupon(CouponTemplate(row)),
            engine::Kind::MemberPrice => Self::MemberPrice(MemberPricePromotion(row)),
        }
    }
}

impl Promotion {
    /// The node form of a promotion.
    pub fn node(m: promotion::Model) -> super::types::Node {
        use super::types::Node;
        match Self::from(m) {
            Self::ItemDiscount(p) => Node::ItemDiscountPromotion(p),
            Self::FullReduction(p) => Node::FullReductionPromotion(p),
            Self::FullDiscount(p) => Node::FullDiscountPromotion(p),
            Self::NthItem(p) => Node::NthItemPromotion(p),
            Self::Bundle(p) => Node::BundlePromotion(p),
            Self::Gift(p) => Node::GiftPromotion(p),
            Self::FreeShipping(p) => Node::FreeShippingPromotion(p),
            Self::Coupon(p) => Node::CouponTemplate(p),
            Self::MemberPrice(p) => Node::MemberPricePromotion(p),
        }
    }
}

connection!(
    PromotionConnection,
    PromotionEdge,
    Promotion,
    promotion::Entity,
    "promotions"
);

/// Issued coupon states: CLAIMED → USED (locked to an order) → CLAIMED again if that order is
/// cancelled before payment; EXPIRED after validity; INVALIDATED when the template is cancelled.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CouponState {
    /// Held by the member, usable inside its validity.
    Claimed,
    /// Locked to an order (`orderRef`); back to CLAIMED if that order is cancelled before
    /// payment and the coupon is still valid.
    Used,
    /// Validity over.
    Expired,
    /// Its template was cancelled.
    Invalidated,
}

impl From<State> for CouponState {
    fn from(s: State) -> Self {
        match s {
            State::Claimed => Self::Claimed,
            State::Used => Self::Used,
            State::Expired => Self::Expired,
            State::Invalidated => Self::Invalidated,
        }
    }
}

impl From<CouponState> for State {
    fn from(s: CouponState) -> Self {
        match s {
            CouponState::Claimed => Self::Claimed,
            CouponState::Used => Self::Used,
            CouponState::Expired => Self::Expired,
            CouponState::Invalidated => Self::Invalidated,
        }
    }
}

/// A coupon issued to a member.
pub struct Coupon(pub coupon::Model);

impl From<coupon::Model> for Coupon {
    fn from(m: coupon::Model) -> Self {
        Self(m)
    }
}

/// A coupon issued to a member.
#[Object]
impl Coupon {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::Coupon, self.0.id)
    }
    /// The code a quote or redemption names.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The state now (a CLAIMED coupon past its validity reads EXPIRED).
    async fn state(&self) -> CouponState {
        coupons::effective_state(&self.0, crate::service::now()).into()
    }
    /// Usable from.
    async fn valid_from(&self) -> DateTime {
        DateTime(self.0.valid_from)
    }
    /// Usable until (exclusive).
    async fn valid_until(&self) -> DateTime {
        DateTime(self.0.valid_until)
    }
    /// When it was issued.
    async fn claimed_at(&self) -> DateTime {
        DateTime(self.0.claimed_at)
    }
    /// When it was locked to an order.
    async fn used_at(&self) -> Option<DateTime> {
        self.0.used_at.map(DateTime)
    }
    /// The order it is locked to.
    async fn order_ref(&self) -> Option<&str> {
        self.0.order_ref.as_deref()
    }
    /// The template.
    async fn template(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Promotion>> {
        let l = ctx.data::<Loaders>()?;
        Ok(l.promotions
            .load_one(self.0.template_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Promotion::from))
    }
    /// The member holding it.
    async fn member(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        let l = ctx.data::<Loaders>()?;
        Ok(l.members
            .load_one(self.0.member_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Member))
    }
}

connection!(
    CouponConnection,
    CouponEdge,
    Coupon,
    coupon::Entity,
    "issued coupons"
);

// ---------------------------------------------------------------- quote output

/// Why a coupon was not used in a quote.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CouponRejectReason {
    /// Another store coupon gave more (one per order).
    OneStoreCouponPerOrder,
    /// Another item coupon gave more on that product (one per product).
    OneItemCouponPerProduct,
    /// Another platform coupon gave more (one per order).
    OnePlatformCouponPerOrder,
    /// The eligible lines' item-level amounts stay below its threshold.
    ThresholdNotMet,
    /// No line it may apply to (scope, audience, stackability), unknown code, or already used.
    NotApplicable,
    /// Outside its validity at the quote's time.
    NotValidAtTime,
    /// The quote's member does not hold it.
    NotOwned,
    /// Picked from the member's wallet, another coupon was better.
    NotBest,
}

impl From<engine::CouponReject> for CouponRejectReason {
    fn from(r: engine::CouponReject) -> Self {
        use engine::CouponReject as R;
        match r {
            R::OneStoreCouponPerOrder => Self::OneStoreCouponPerOrder,
            R::OneItemCouponPerProduct => Self::OneItemCouponPerProduct,
            R::OnePlatformCouponPerOrder => Self::OnePlatformCouponPerOrder,
            R::ThresholdNotMet => Self::ThresholdNotMet,
            R::NotApplicable => Self::NotApplicable,
            R::NotValidAtTime => Self::NotValidAtTime,
            R::NotOwned => Self::NotOwned,
            R::NotBest => Self::NotBest,
        }
    }
}

/// One discount a line took.
pub struct DiscountShare {
    share: engine::Share,
    name: String,
}

/// One discount a line took.
#[Object]
impl DiscountShare {
    /// The promotion (or coupon template) that gave it.
    async fn promotion_id(&self) -> ID {
        gid(NodeType::Promotion, self.share.promotion_id)
    }
    /// Its name.
    async fn promotion_name(&self) -> &str {
        &self.name
    }
    /// The tool.
    async fn kind(&self) -> PromotionKind {
        self.share.kind.into()
    }
    /// The stacking level.
    async fn level(&self) -> PromotionLevel {
        self.share.level.into()
    }
    /// Who funds it.
    async fn funding(&self) -> Funding {
        self.share.funder.into()
    }
    /// This line's share, in fen-exact largest-remainder allocation.
    async fn amount(&self) -> Money {
        money(self.share.amount)
    }
    /// What the merchant pays of it.
    async fn merchant_amount(&self) -> Money {
        money(self.share.merchant_amount())
    }
    /// The coupon code, for coupon shares.
    async fn coupon_code(&self) -> Option<&str> {
        self.share.coupon_code.as_deref()
    }
}

/// One priced line (lines of one SKU are merged; lines come in SKU order).
pub struct QuoteLine {
    line: engine::QuoteLine,
    names: Arc<std::collections::BTreeMap<i64, String>>,
    cost_visible: bool,
}

/// One priced line (lines of one SKU are merged; lines come in SKU order).
#[Object]
impl QuoteLine {
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        sku_of(ctx, self.line.sku_id).await
    }
    /// Units.
    async fn quantity(&self) -> i64 {
        self.line.quantity
    }
    /// 一口价 per unit.
    async fn list_price(&self) -> Money {
        money(self.line.list_price)
    }
    /// 单品优惠价 per unit: the lowest item-level price whose audience includes the buyer (the
    /// list price without one).
    async fn item_price(&self) -> Money {
        money(self.line.unit_price)
    }
    /// The promotion that set the item-level price.
    async fn item_promotion_id(&self) -> Option<ID> {
        self.line
            .item_promotion
            .map(|p| gid(NodeType::Promotion, p))
    }
    /// Item-level amount: item price × units within 限购 + list price × the rest. The threshold
    /// basis of every later level (bundle units at bundle price).
    async fn item_amount(&self) -> Money {
        money(self.line.item_amount)
    }
    /// Every discount share, in stacking order.
    async fn discounts(&self) -> Vec<DiscountShare> {
        self.line
            .shares
            .iter()
            .map(|s| DiscountShare {
                share: s.clone(),
                name: self.names.get(&s.promotion_id).cloned().unwrap_or_default(),
            })
            .collect()
    }
    /// What the line pays (never below 0).
    async fn net(&self) -> Money {
        money(self.line.net)
    }
    /// 到手价 per unit: net / units, half-up.
    async fn unit_net(&self) -> Money {
        money(engine::round_half_up(self.line.net, 1, self.line.quantity))
    }
    /// Net below the SKU's floor × units (破价).
    async fn below_floor(&self) -> bool {
        self.line.below_floor
    }
    /// Net below cost × units; null without COST_VIEW.
    async fn below_cost(&self) -> Option<bool> {
        self.cost_visible.then_some(self.line.below_cost)
    }
    /// Net below the minimum-margin price × units; null without COST_VIEW.
    async fn below_min_margin(&self) -> Option<bool> {
        self.cost_visible.then_some(self.line.below_min_margin)
    }
}

/// Discount totals by stacking level.
#[derive(SimpleObject)]
pub struct QuoteTotals {
    /// Σ list price × units.
    pub list_amount: Money,
    /// Level 1: item-level prices.
    pub item_discount: Money,
    /// Level 2: store activities, store and item coupons, tier discount.
    pub store_discount: Money,
    /// Level 3: 跨店满减.
    pub cross_store_discount: Money,
    /// Level 4: 88VIP.
    pub member_discount: Money,
    /// All discounts.
    pub total_discount: Money,
    /// What the merchant funds of them.
    pub merchant_funded: Money,
}

/// A ¥0 gift added by a 满赠.
pub struct GiftLine(engine::GiftLine);

/// A ¥0 gift added by a 满赠.
#[Object]
impl GiftLine {
    /// The 满赠 promotion.
    async fn promotion_id(&self) -> ID {
        gid(NodeType::Promotion, self.0.promotion_id)
    }
    /// The gift.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        sku_of(ctx, self.0.sku_id).await
    }
    /// Units (one per activity per order).
    async fn quantity(&self) -> i64 {
        self.0.quantity
    }
}

/// What happened to one coupon.
#[derive(SimpleObject)]
pub struct QuoteCoupon {
    /// The code.
    pub code: String,
    /// Its template, when the code is known.
    pub template_id: Option<ID>,
    /// Applied (amount > 0) or not.
    pub applied: bool,
    /// The discount it gave.
    pub amount: Money,
    /// Why it was not used.
    pub rejected_reason: Option<CouponRejectReason>,
}

/// The priced cart: every line's list price, item-level price, discount shares and net, the
/// totals by level, shipping, gifts, coupons and the payable, to the fen.
pub struct PriceQuote(Priced);

/// The priced cart: every line's list price, item-level price, discount shares and net, the
/// totals by level, shipping, gifts, coupons and the payable, to the fen.
#[Object]
impl PriceQuote {
    /// The instant priced.
    async fn at(&self) -> DateTime {
        DateTime(self.0.at)
    }
    /// The lines, merged per SKU, in SKU order.
    async fn lines(&self) -> Vec<QuoteLine> {
        let names: Arc<std::collections::BTreeMap<i64, String>> = Arc::new(
            self.0
                .promotions
                .iter()
                .map(|(id, p)| (*id, p.name.clone()))
                .collect(),
        );
        self.0
            .quote
            .lines
            .iter()
            .map(|l| QuoteLine {
                line: l.clone(),
                names: names.clone(),
                cost_visible: self.0.cost_visible,
            })
            .collect()
    }
    /// Discount totals by level.
    async fn totals(&self) -> QuoteTotals {
        let t = self.0.quote.totals;
        QuoteTotals {
            list_amount: money(t.list),
            item_discount: money(t.item),
            store_discount: money(t.store),
            cross_store_discount: money(t.cross_store),
            member_discount: money(t.member),
            total_discount: money(t.item + t.store + t.cross_store + t.member),
            merchant_funded: money(t.merchant_funded),
        }
    }
    /// Shipping: 0 when a 包邮 rule is met and the region is not excluded, else the store's
    /// template (first unit + each extra unit).
    async fn shipping(&self) -> Money {
        money(self.0.quote.shipping)
    }
    /// The 包邮 promotion that made shipping free.
    async fn free_shipping_promotion_id(&self) -> Option<ID> {
        self.0
            .quote
            .free_shipping_promotion
            .map(|p| gid(NodeType::Promotion, p))
    }
    /// Gifts added at ¥0.
    async fn gifts(&self) -> Vec<GiftLine> {
        self.0.quote.gifts.iter().cloned().map(GiftLine).collect()
    }
    /// Coupons applied or rejected with the reason.
    async fn coupons(&self) -> Vec<QuoteCoupon> {
        self.0
            .quote
            .coupons
            .iter()
            .map(|c| QuoteCoupon {
                code: c.code.clone(),
                template_id: (c.template_id > 0).then(|| gid(NodeType::Promotion, c.template_id)),
                applied: c.rejected.is_none() && c.amount > 0,
                amount: money(c.amount),
                rejected_reason: c.rejected.map(Into::into),
            })
            .collect()
    }
    /// Σ line net + shipping.
    async fn payable(&self) -> Money {
        money(self.0.quote.payable)
    }
    /// Some line sells below its floor.
    async fn below_floor(&self) -> bool {
        self.0.quote.lines.iter().any(|l| l.below_floor)
    }
}

/// One tool in the price guard's worst-case combination.
pub struct GuardComponent {
    c: engine::guard::Component,
    name: String,
}

/// One tool in the price guard's worst-case combination.
#[Object]
impl GuardComponent {
    /// The promotion.
    async fn promotion_id(&self) -> ID {
        gid(NodeType::Promotion, self.c.promotion_id)
    }
    /// Its name.
    async fn promotion_name(&self) -> &str {
        &self.name
    }
    /// The tool.
    async fn kind(&self) -> PromotionKind {
        self.c.kind.into()
    }
    /// Its level.
    async fn level(&self) -> PromotionLevel {
        self.c.level.into()
    }
    /// The most it can take off the item-level price, in bp.
    async fn rate_bp(&self) -> i64 {
        self.c.rate_bp
    }
}

/// A SKU whose lowest reachable price (every promotion in force stacked, best coupons) breaks
/// a line: its floor (破价线), cost or minimum-margin price.
pub struct PriceGuardFinding {
    f: engine::guard::Finding,
    code: String,
    names: Arc<std::collections::BTreeMap<i64, String>>,
    cost_visible: bool,
}

/// A SKU whose lowest reachable price (every promotion in force stacked, best coupons) breaks
/// a line: its floor (破价线), cost or minimum-margin price.
#[Object]
impl PriceGuardFinding {
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        sku_of(ctx, self.f.sku_id).await
    }
    /// Its code.
    async fn sku_code(&self) -> &str {
        &self.code
    }
    /// List price.
    async fn list_price(&self) -> Money {
        money(self.f.list_price)
    }
    /// The lowest item-level price over all audiences.
    async fn item_price(&self) -> Money {
        money(self.f.item_price)
    }
    /// The promotion setting it.
    async fn item_promotion_id(&self) -> Option<ID> {
        self.f.item_promotion.map(|p| gid(NodeType::Promotion, p))
    }
    /// The lowest unit price a buyer can reach: max(0, p − ceil(p × Σ rates)), a conservative bound.
    async fn reachable_price(&self) -> Money {
        money(self.f.reachable)
    }
    /// The combination that reaches it (the largest tool of each exclusive kind).
    async fn combination(&self) -> Vec<GuardComponent> {
        self.f
            .components
            .iter()
            .map(|c| GuardComponent {
                c: *c,
                name: self.names.get(&c.promotion_id).cloned().unwrap_or_default(),
            })
            .collect()
    }
    /// Below the floor (破价线).
    async fn below_floor(&self) -> bool {
        self.f.below_floor
    }
    /// Below cost; null without COST_VIEW.
    async fn below_cost(&self) -> Option<bool> {
        self.cost_visible.then_some(self.f.below_cost)
    }
    /// Below the minimum-margin price; null without COST_VIEW.
    async fn below_min_margin(&self) -> Option<bool> {
        self.cost_visible.then_some(self.f.below_min_margin)
    }
}

/// The price guard's report.
pub struct PriceGuardReport(GuardReport);

/// The price guard's report.
#[Object]
impl PriceGuardReport {
    /// The instant checked.
    async fn at(&self) -> DateTime {
        DateTime(self.0.at)
    }
    /// SKUs checked.
    async fn checked_count(&self) -> i64 {
        self.0.checked as i64
    }
    /// SKUs whose reachable price breaks the floor (or, with COST_VIEW, cost or minimum margin),
    /// lowest reachable price first.
    async fn findings(&self) -> Vec<PriceGuardFinding> {
        let names: Arc<std::collections::BTreeMap<i64, String>> = Arc::new(
            self.0
                .promotions
                .iter()
                .map(|(id, p)| (*id, p.name.clone()))
                .collect(),
        );
        self.0
            .findings
            .iter()
            .map(|f| PriceGuardFinding {
                f: f.clone(),
                code: self
                    .0
                    .skus
                    .get(&f.sku_id)
                    .map(|s| s.0.clone())
                    .unwrap_or_default(),
                names: names.clone(),
                cost_visible: self.0.cost_visible,
            })
            .collect()
    }
}

/// The lowest paid unit price of a SKU in a window (the reference price of promotion and
/// platform-event rules).
#[derive(SimpleObject)]
pub struct LowestPaidPrice {
    /// Per-unit paid price (line paid / units, half-up).
    pub price: Money,
    /// The store-local day it was paid.
    pub date: Date,
    /// No paid line in the window: this is the last one before it.
    pub from_before_window: bool,
}

// ---------------------------------------------------------------- inputs

/// Scope of a promotion.
#[derive(InputObject, Default)]
pub struct PromotionScopeInput {
    /// Whole store (default), only the named items, or all except them.
    #[graphql(default)]
    pub mode: ScopeMode,
    /// Products named.
    #[graphql(default)]
    pub product_ids: Vec<ID>,
    /// SKUs named.
    #[graphql(default)]
    pub sku_ids: Vec<ID>,
}

/// Audience of a promotion.
#[derive(InputObject, Default)]
pub struct PromotionAudienceInput {
    /// The kind (default ALL).
    #[graphql(default)]
    pub kind: AudienceKind,
    /// TIER_AT_LEAST: the lowest tier rank (1 = the store's first tier).
    pub tier_rank: Option<i32>,
    /// TAG: the tag.
    pub tag: Option<String>,
    /// SEGMENT: the RFM segment.
    pub segment: Option<MemberSegment>,
}

/// Who funds the discounts.
#[derive(InputObject)]
pub struct FundingInput {
    /// The funder.
    pub funder: Funder,
    /// CO_FUNDED: the merchant's share in bp (1–9999).
    pub merchant_share_bp: Option<i32>,
}

/// 单品宝 parameters.
#[derive(InputObject)]
pub struct ItemDiscountInput {
    /// How the price is set.
    pub mode: ItemDiscountMode,
    /// PERCENT: the pay rate in bp, 0.1–9.9折 in steps of 0.1 (100–9900, multiples of 100).
    pub rate_bp: Option<i32>,
    /// MINUS: off per unit; FIXED_PRICE: the unit price. The result must be > 0 and ≤ list price.
    pub amount: Option<Money>,
    /// Rounding after a percent (default NONE).
    #[graphql(default)]
    pub rounding: PriceRounding,
    /// 限购: units per order at the promotion price (1–10,000); units beyond pay list price.
    pub per_buyer_limit: Option<i32>,
}

/// A 满减 tier: give `threshold` (AMOUNT) or `pieces` (PIECES).
#[derive(InputObject)]
pub struct FullReductionTierInput {
    /// Money threshold X.
    pub threshold: Option<Money>,
    /// Unit threshold N.
    pub pieces: Option<i32>,
    /// Y, below X for money thresholds.
    pub amount_off: Money,
}

/// 每满X减Y.
#[derive(InputObject)]
pub struct PerEachInput {
    /// X in money (AMOUNT).
    pub every: Option<Money>,
    /// X in units (PIECES).
    pub every_pieces: Option<i32>,
    /// Y (below X for money).
    pub amount_off: Money,
    /// 封顶 (≥ Y); omit for 上不封顶.
    pub cap: Option<Money>,
}

/// 满减 parameters: `tiers` or `perEach`.
#[derive(InputObject)]
pub struct FullReductionInput {
    /// What thresholds count (default AMOUNT).
    #[graphql(default)]
    pub unit: ThresholdUnit,
    /// One or more tiers, rising strictly in threshold and discount.
    pub tiers: Option<Vec<FullReductionTierInput>>,
    /// 每满X减Y instead of tiers.
    pub per_each: Option<PerEachInput>,
    /// 跨店满减 (level 3) rather than a store 满减.
    #[graphql(default)]
    pub cross_store: bool,
}

/// A 满折 tier.
#[derive(InputObject)]
pub struct FullDiscountTierInput {
    /// Money threshold (AMOUNT).
    pub threshold: Option<Money>,
    /// Unit threshold (PIECES).
    pub pieces: Option<i32>,
    /// The pay rate in bp (9折 = 9000; 100–9900, multiples of 100).
    pub rate_bp: i32,
}

/// 满件折 / 满元折 parameters.
#[derive(InputObject)]
pub struct FullDiscountInput {
    /// What thresholds count (default AMOUNT).
    #[graphql(default)]
    pub unit: ThresholdUnit,
    /// Tiers rising in threshold and depth.
    pub tiers: Vec<FullDiscountTierInput>,
}

/// 第二件X折 parameters.
#[derive(InputObject)]
pub struct NthItemInput {
    /// 2 (第二件, default) or 3 (买2送1 with rateBp 0).
    #[graphql(default = 2)]
    pub nth: i32,
    /// The discounted unit's pay rate in bp (第二件半价 = 5000; 0 = free).
    pub rate_bp: i32,
}

/// A bundle member.
#[derive(InputObject)]
pub struct BundleMemberInput {
    /// The SKU.
    pub sku_id: ID,
    /// Its 搭配价.
    pub bundle_price: Money,
}

/// 搭配宝 parameters.
#[derive(InputObject)]
pub struct BundleInput {
    /// 固定搭配 (true) or 自选搭配.
    pub fixed: bool,
    /// The main item (one of `members`).
    pub main_sku_id: ID,
    /// The main item and 1–8 companions with their bundle prices.
    pub members: Vec<BundleMemberInput>,
}

/// 满赠 parameters.
#[derive(InputObject)]
pub struct GiftInput {
    /// What the threshold counts (default AMOUNT).
    #[graphql(default)]
    pub unit: ThresholdUnit,
    /// Money threshold (AMOUNT); omit or "0" for any eligible item bought.
    pub threshold: Option<Money>,
    /// Unit threshold (PIECES).
    pub pieces: Option<i32>,
    /// The gift SKU.
    pub gift_sku_id: ID,
}

/// 包邮 parameters.
#[derive(InputObject)]
pub struct FreeShippingInput {
    /// What the threshold counts; omit for 全店包邮.
    pub unit: Option<ThresholdUnit>,
    /// 满X元 (AMOUNT).
    pub threshold: Option<Money>,
    /// 满N件 (PIECES).
    pub pieces: Option<i32>,
    /// Regions that pay the shipping template.
    #[graphql(default)]
    pub excluded_regions: Vec<String>,
}

/// Coupon template parameters.
#[derive(InputObject)]
pub struct CouponTemplateInput {
    /// Store or item coupon.
    pub coupon_type: CouponType,
    /// Face value, below the threshold when there is one.
    pub face_value: Money,
    /// Threshold; "0" or omitted = none.
    pub threshold: Option<Money>,
    /// Also on lines that took a 2a activity (default true).
    #[graphql(default = true)]
    pub stackable_with_store_activity: bool,
    /// Coupons that may be issued in all (1–10,000,000).
    pub total_quantity: i64,
    /// Coupons one member may hold (default 1).
    #[graphql(default = 1)]
    pub per_buyer_limit: i64,
    /// Claim window start (default: the template's start).
    pub claim_start: Option<DateTime>,
    /// Claim window end (default: the template's end).
    pub claim_end: Option<DateTime>,
    /// Absolute validity start (with `validUntil`).
    pub valid_from: Option<DateTime>,
    /// Absolute validity end.
    pub valid_until: Option<DateTime>,
    /// Relative validity: days after the claim (1–366), never past the template's end.
    pub valid_days: Option<i32>,
    /// Where it is handed out (default PUBLIC).
    #[graphql(default)]
    pub channel: CouponChannel,
}

/// Member price parameters.
#[derive(InputObject, Default)]
pub struct MemberPriceInput {
    /// The 88VIP pay rate in bp (95折 = 9500); omit for the store tier discount.
    pub vip88_rate_bp: Option<i32>,
}

/// `promotionCreate`: the common part plus exactly one kind-specific part, which sets the kind.
#[derive(InputObject)]
pub struct PromotionCreateInput {
    /// The store.
    pub store_id: ID,
    /// Internal name, 1–80 characters (no Advertising-Law BLOCK terms at submit).
    pub name: String,
    /// Buyer-facing copy, up to 500 characters.
    pub copy: Option<String>,
    /// Window start (inclusive).
    pub start_at: DateTime,
    /// Window end (exclusive); at most 180 days for ITEM_DISCOUNT, 366 otherwise.
    pub end_at: DateTime,
    /// Which items (default: the whole store).
    pub scope: Option<PromotionScopeInput>,
    /// Who (default: everyone).
    pub audience: Option<PromotionAudienceInput>,
    /// Who funds it (default: the merchant).
    pub funding: Option<FundingInput>,
    /// ITEM_DISCOUNT part.
    pub item_discount: Option<ItemDiscountInput>,
    /// FULL_REDUCTION part.
    pub full_reduction: Option<FullReductionInput>,
    /// FULL_DISCOUNT part.
    pub full_discount: Option<FullDiscountInput>,
    /// NTH_ITEM part.
    pub nth_item: Option<NthItemInput>,
    /// BUNDLE part.
    pub bundle: Option<BundleInput>,
    /// GIFT part.
    pub gift: Option<GiftInput>,
    /// FREE_SHIPPING part.
    pub free_shipping: Option<FreeShippingInput>,
    /// COUPON part.
    pub coupon: Option<CouponTemplateInput>,
    /// MEMBER_PRICE part.
    pub member_price: Option<MemberPriceInput>,
}

/// `promotionUpdate`: only what is given changes. The kind-specific part, if given, must be of
/// the promotion's kind and replaces the old one whole.
#[derive(InputObject)]
pub struct PromotionUpdateInput {
    /// The promotion.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New copy ("" clears it).
    pub copy: Option<String>,
    /// New start.
    pub start_at: Option<DateTime>,
    /// New end.
    pub end_at: Option<DateTime>,
    /// New scope.
    pub scope: Option<PromotionScopeInput>,
    /// New audience.
    pub audience: Option<PromotionAudienceInput>,
    /// New funding.
    pub funding: Option<FundingInput>,
    /// ITEM_DISCOUNT part.
    pub item_discount: Option<ItemDiscountInput>,
    /// FULL_REDUCTION part.
    pub full_reduction: Option<FullReductionInput>,
    /// FULL_DISCOUNT part.
    pub full_discount: Option<FullDiscountInput>,
    /// NTH_ITEM part.
    pub nth_item: Option<NthItemInput>,
    /// BUNDLE part.
    pub bundle: Option<BundleInput>,
    /// GIFT part.
    pub gift: Option<GiftInput>,
    /// FREE_SHIPPING part.
    pub free_shipping: Option<FreeShippingInput>,
    /// COUPON part.
    pub coupon: Option<CouponTemplateInput>,
    /// MEMBER_PRICE part.
    pub member_price: Option<MemberPriceInput>,
}

fn bad(field: &[&str], msg: &str) -> UserError {
    UserError::new(field, ErrorCode::Invalid, msg)
}

fn amount_or_pieces(
    unit: ThresholdUnit,
    amount: Option<Money>,
    pieces: Option<i32>,
    field: &[&str],
) -> Result<i64, UserError> {
    match (unit, amount, pieces) {
        (ThresholdUnit::Amount, Some(m), None) => Ok(m.0.0),
        (ThresholdUnit::Pieces, None, Some(p)) => Ok(i64::from(p)),
        (ThresholdUnit::Amount, _, _) => Err(bad(
            field,
            "give the money threshold (and no pieces) for AMOUNT",
        )),
        (ThresholdUnit::Pieces, _, _) => Err(bad(
            field,
            "give pieces (and no money threshold) for PIECES",
        )),
    }
}

fn decode_ids(ids: &[ID], t: NodeType, field: &'static str) -> Result<Vec<i64>, AppError> {
    let mut out: Vec<i64> = ids
        .iter()
        .map(|i| decode_id(i, t, field))
        .collect::<Result<_, _>>()?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn scope_of(s: Option<PromotionScopeInput>) -> Result<engine::Scope, AppError> {
    let Some(s) = s else {
        return Ok(engine::Scope::Store);
    };
    let products = decode_ids(&s.product_ids, NodeType::Product, "input.scope.productIds")?;
    let skus = decode_ids(&s.sku_ids, NodeType::Sku, "input.scope.skuIds")?;
    Ok(match s.mode {
        ScopeMode::Store if products.is_empty() && skus.is_empty() => engine::Scope::Store,
        ScopeMode::Store => {
            return Err(AppError::invalid(
                &["input", "scope"],
                ErrorCode::Invalid,
                "a whole-store scope names no items",
            ));
        }
        ScopeMode::Only => engine::Scope::Only { products, skus },
        ScopeMode::Except => engine::Scope::Except { products, skus },
    })
}

fn audience_of(a: Option<PromotionAudienceInput>) -> Result<engine::Audience, AppError> {
    let Some(a) = a else {
        return Ok(engine::Audience::All);
    };
    let need = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(AppError::invalid(
                &["input", "audience"],
                ErrorCode::Invalid,
                format!("this audience needs {what}"),
            ))
        }
    };
    Ok(match a.kind {
        AudienceKind::All => engine::Audience::All,
        AudienceKind::NewCustomers => engine::Audience::NewCustomers,
        AudienceKind::TierAtLeast => {
            need(
                a.tier_rank.is_some_and(|r| (1..=10).contains(&r)),
                "a tier rank of 1–10",
            )?;
            engine::Audience::TierAtLeast(i64::from(a.tier_rank.unwrap_or(1)))
        }
        AudienceKind::Tag => {
            let tag = a.tag.map(|t| t.trim().to_owned()).unwrap_or_default();
            need(
                !tag.is_empty() && tag.chars().count() <= 20,
                "a tag of 1–20 characters",
            )?;
            engine::Audience::Tag(tag)
        }
        AudienceKind::Segment => {
            need(a.segment.is_some(), "a segment")?;
            let seg: crate::domain::rfm::Segment =
                a.segment.unwrap_or(MemberSegment::HighValue).into();
            engine::Audience::Segment(seg.as_str().to_owned())
        }
    })
}

fn funder_of(f: Option<FundingInput>) -> engine::Funder {
    match f {
        None => engine::Funder::Merchant,
        Some(f) => match f.funder {
            Funder::Merchant => engine::Funder::Merchant,
            Funder::Platform => engine::Funder::Platform,
            Funder::Brand => engine::Funder::Brand,
            Funder::CoFunded => engine::Funder::CoFunded {
                merchant_bp: i64::from(f.merchant_share_bp.unwrap_or(0)),
            },
        },
    }
}

/// The kind-specific part as a rule (and coupon terms), given the window for coupon defaults.
fn rule_of(
    item_discount: Option<ItemDiscountInput>,
    full_reduction: Option<FullReductionInput>,
    full_discount: Option<FullDiscountInput>,
    nth_item: Option<NthItemInput>,
    bundle: Option<BundleInput>,
    gift: Option<GiftInput>,
    free_shipping: Option<FreeShippingInput>,
    coupon: Option<CouponTemplateInput>,
    member_price: Option<MemberPriceInput>,
    window: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
) -> Result<Option<(Rule, Option<CouponTerms>)>, AppError> {
    let given = [
        item_discount.is_some(),
        full_reduction.is_some(),
        full_discount.is_some(),
        nth_item.is_some(),
        bundle.is_some(),
        gift.is_some(),
        free_shipping.is_some(),
        coupon.is_some(),
        member_price.is_some(),
    ]
    .iter()
    .filter(|g| **g)
    .count();
    if given == 0 {
        return Ok(None);
    }
    if given > 1 {
        return Err(AppError::invalid(
            &["input"],
            ErrorCode::Invalid,
            "give exactly one kind-specific part",
        ));
    }
    let inv = |e: UserError| AppError::Invalid(vec![e]);
    if let Some(d) = item_discount {
        let mode = match d.mode {
            ItemDiscountMode::Percent => {
                ItemMode::Percent(i64::from(d.rate_bp.ok_or_else(|| {
                    inv(bad(
                        &["input", "itemDiscount", "rateBp"],
                        "PERCENT needs rateBp",
                    ))
                })?))
            }
            ItemDiscountMode::Minus => ItemMode::Minus(
                d.amount
                    .ok_or_else(|| {
                        inv(bad(
                            &["input", "itemDiscount", "amount"],
                            "MINUS needs amount",
                        ))
                    })?
                    .0
                    .0,
            ),
            ItemDiscountMode::FixedPrice => ItemMode::Fixed(
                d.amount
                    .ok_or_else(|| {
                        inv(bad(
                            &["input", "itemDiscount", "amount"],
                            "FIXED_PRICE needs amount",
                        ))
                    })?
                    .0
                    .0,
            ),
        };
        let rounding = match d.rounding {
            PriceRounding::None => engine::Rounding::None,
            PriceRounding::DropFen => engine::Rounding::DropFen,
            PriceRounding::DropJiao => engine::Rounding::DropJiao,
        };
        return Ok(Some((
            Rule::ItemDiscount {
                mode,
                rounding,
                per_buyer_limit: d.per_buyer_limit.map(i64::from),
            },
            None,
        )));
    }
    if let Some(r) = full_reduction {
        let form = match (r.tiers, r.per_each) {
            (Some(tiers), None) => ReductionForm::Tiers(
                tiers
                    .into_iter()
                    .map(|t| {
                        Ok(Tier {
                            threshold: amount_or_pieces(
                                r.unit,
                                t.threshold,
                                t.pieces,
                                &["input", "fullReduction", "tiers"],
                            )?,
                            value: t.amount_off.0.0,
                        })
                    })
                    .collect::<Result<_, UserError>>()
                    .map_err(inv)?,
            ),
            (None, Some(p)) => ReductionForm::PerEach {
                every: amount_or_pieces(
                    r.unit,
                    p.every,
                    p.every_pieces,
                    &["input", "fullReduction", "perEach"],
                )
                .map_err(inv)?,
                off: p.amount_off.0.0,
                cap: p.cap.map(|c| c.0.0),
            },
            _ => {
                return Err(inv(bad(
                    &["input", "fullReduction"],
                    "give tiers or perEach",
                )));
            }
        };
        return Ok(Some((
            Rule::FullReduction {
                on: r.unit.into(),
                form,
                cross_store: r.cross_store,
            },
            None,
        )));
    }
    if let Some(d) = full_discount {
        let tiers = d
            .tiers
            .into_iter()
            .map(|t| {
                Ok(Tier {
                    threshold: amount_or_pieces(
                        d.unit,
                        t.threshold,
                        t.pieces,
                        &["input", "fullDiscount", "tiers"],
                    )?,
                    value: i64::from(t.rate_bp),
                })
            })
            .collect::<Result<_, UserError>>()
            .map_err(inv)?;
        return Ok(Some((
            Rule::FullDiscount {
                on: d.unit.into(),
                tiers,
            },
            None,
        )));
    }
    if let Some(n) = nth_item {
        return Ok(Some((
            Rule::NthItem {
                nth: i64::from(n.nth),
                rate_bp: i64::from(n.rate_bp),
            },
            None,
        )));
    }
    if let Some(b) = bundle {
        let main_sku = decode_id(&b.main_sku_id, NodeType::Sku, "input.bundle.mainSkuId")?;
        let members = b
            .members
            .iter()
            .map(|m| {
                Ok(engine::BundleMember {
                    sku_id: decode_id(&m.sku_id, NodeType::Sku, "input.bundle.members")?,
                    price: m.bundle_price.0.0,
                })
            })
            .collect::<Result<_, AppError>>()?;
        return Ok(Some((
            Rule::Bundle {
                fixed: b.fixed,
                main_sku,
                members,
            },
            None,
        )));
    }
    if let Some(g) = gift {
        let threshold = match (g.unit, g.threshold, g.pieces) {
            (ThresholdUnit::Amount, None, None) => 0,
            (u, a, p) => amount_or_pieces(u, a, p, &["input", "gift", "threshold"]).map_err(inv)?,
        };
        let gift_sku = decode_id(&g.gift_sku_id, NodeType::Sku, "input.gift.giftSkuId")?;
        return Ok(Some((
            Rule::Gift {
                on: g.unit.into(),
                threshold,
                gift_sku,
                stock_left: 0,
            },
            None,
        )));
    }
    if let Some(f) = free_shipping {
        let threshold = match f.unit {
            None => 0,
            Some(u) => amount_or_pieces(
                u,
                f.threshold,
                f.pieces,
                &["input", "freeShipping", "threshold"],
            )
            .map_err(inv)?,
        };
        let regions = f
            .excluded_regions
            .iter()
            .map(|r| r.trim().to_owned())
            .collect();
        return Ok(Some((
            Rule::FreeShipping {
                on: f.unit.map(Into::into),
                threshold,
                excluded_regions: regions,
            },
            None,
        )));
    }
    if let Some(c) = coupon {
        let validity = match (c.valid_from, c.valid_until, c.valid_days) {
            (Some(s), Some(e), None) => Validity::Absolute {
                start: s.0,
                end: e.0,
            },
            (None, None, Some(d)) => Validity::Relative { days: i64::from(d) },
            (None, None, None) => Validity::Absolute {
                start: window.0,
                end: window.1,
            },
            _ => {
                return Err(inv(bad(
                    &["input", "coupon", "validity"],
                    "give validFrom and validUntil, or validDays",
                )));
            }
        };
        let terms = CouponTerms {
            total_quantity: c.total_quantity,
            per_buyer_limit: c.per_buyer_limit,
            claim_start: c.claim_start.map_or(window.0, |d| d.0),
            claim_end: c.claim_end.map_or(window.1, |d| d.0),
            validity,
            channel: c.channel.into(),
        };
        let rule = Rule::Coupon {
            item: c.coupon_type == CouponType::Item,
            platform: c.coupon_type == CouponType::Platform,
            face: c.face_value.0.0,
            threshold: c.threshold.map_or(0, |t| t.0.0),
            stackable_with_store_activity: c.stackable_with_store_activity,
        };
        return Ok(Some((rule, Some(terms))));
    }
    let m = member_price.unwrap_or_default();
    Ok(Some((
        Rule::MemberPrice {
            vip88_bp: m.vip88_rate_bp.map(i64::from),
        },
        None,
    )))
}

fn create_draft(input: PromotionCreateInput) -> Result<promos::Draft, AppError> {
    let store_id = decode_id(&input.store_id, NodeType::Store, "input.storeId")?;
    let window = (input.start_at.0, input.end_at.0);
    let (rule, coupon) = rule_of(
        input.item_discount,
        input.full_reduction,
        input.full_discount,
        input.nth_item,
        input.bundle,
        input.gift,
        input.free_shipping,
        input.coupon,
        input.member_price,
        window,
    )?
    .ok_or_else(|| {
        AppError::invalid(
            &["input"],
            ErrorCode::Invalid,
            "give exactly one kind-specific part (itemDiscount, fullReduction, …)",
        )
    })?;
    Ok(promos::Draft {
        store_id,
        name: input.name,
        copy: input.copy,
        start_at: input.start_at.0,
        end_at: input.end_at.0,
        spec: Spec {
            scope: scope_of(input.scope)?,
            audience: audience_of(input.audience)?,
            funder: funder_of(input.funding),
            rule,
            coupon,
        },
    })
}

fn update_patch(
    input: PromotionUpdateInput,
    current: Option<&promotion::Model>,
) -> Result<promos::Patch, AppError> {
    let id = decode_id(&input.id, NodeType::Promotion, "input.id")?;
    let window = match current {
        Some(m) => (
            input.start_at.as_ref().map_or(m.start_at, |d| d.0),
            input.end_at.as_ref().map_or(m.end_at, |d| d.0),
        ),
        None => (
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
        ),
    };
    let part = rule_of(
        input.item_discount,
        input.full_reduction,
        input.full_discount,
        input.nth_item,
        input.bundle,
        input.gift,
        input.free_shipping,
        input.coupon,
        input.member_price,
        window,
    )?;
    let (rule, coupon) = match part {
        Some((r, c)) => (Some(r), c),
        None => (None, None),
    };
    Ok(promos::Patch {
        id,
        name: input.name,
        copy: input.copy.map(|c| Some(c).filter(|c| !c.trim().is_empty())),
        start_at: input.start_at.map(|d| d.0),
        end_at: input.end_at.map(|d| d.0),
        scope: input.scope.map(|s| scope_of(Some(s))).transpose()?,
        audience: input.audience.map(|a| audience_of(Some(a))).transpose()?,
        funder: input.funding.map(|f| funder_of(Some(f))),
        rule,
        coupon,
    })
}

/// Result of the promotion mutations.
#[derive(SimpleObject)]
pub struct PromotionPayload {
    /// The promotion after the change; null when refused.
    pub promotion: Option<Promotion>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

fn promotion_payload(
    res: Result<promotion::Model, AppError>,
) -> async_graphql::Result<PromotionPayload> {
    let (m, user_errors) = split(res)?;
    Ok(PromotionPayload {
        promotion: m.map(Promotion::from),
        user_errors,
    })
}

/// The promotion a lifecycle mutation acts on.
#[derive(InputObject)]
pub struct PromotionIdInput {
    /// The promotion.
    pub id: ID,
}

/// `promotionReject`.
#[derive(InputObject)]
pub struct PromotionRejectInput {
    /// The promotion.
    pub id: ID,
    /// Why (required; the submitter sees it as `rejectReason`).
    pub reason: String,
}

/// `couponIssue`: to members, or to every member of an RFM segment.
#[derive(InputObject)]
pub struct CouponIssueInput {
    /// The coupon template (ACTIVE, claim window open).
    pub template_id: ID,
    /// Members to issue to (one coupon each).
    pub member_ids: Option<Vec<ID>>,
    /// Or: every member in this RFM segment today.
    pub segment: Option<MemberSegment>,
    /// Idempotency key (1–64 characters): repeating the call with the same key returns the
    /// coupons it issued and issues nothing more.
    pub client_key: String,
}

/// Result of `couponIssue`.
#[derive(SimpleObject)]
pub struct CouponIssuePayload {
    /// The coupons issued under this key (also those of an earlier identical call).
    pub coupons: Vec<Coupon>,
    /// Why it was refused (nothing issued).
    pub user_errors: Vec<UserErrorObject>,
}

/// `couponRedeem`.
#[derive(InputObject)]
pub struct CouponRedeemInput {
    /// The coupon code.
    pub code: String,
    /// The order it is used on (order number).
    pub order_ref: String,
}

/// `couponRelease`.
#[derive(InputObject)]
pub struct CouponReleaseInput {
    /// The coupon code.
    pub code: String,
}

/// Result of `couponRedeem` / `couponRelease`.
#[derive(SimpleObject)]
pub struct CouponPayload {
    /// The coupon after the change.
    pub coupon: Option<Coupon>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

/// One cart line.
#[derive(InputObject)]
pub struct QuoteLineInput {
    /// The SKU.
    pub sku_id: ID,
    /// Units (1–100,000); lines of one SKU are merged.
    pub quantity: i64,
}

/// `priceQuote`.
#[derive(InputObject)]
pub struct PriceQuoteInput {
    /// The store.
    pub store_id: ID,
    /// 1–200 lines.
    pub lines: Vec<QuoteLineInput>,
    /// The buyer, a member of the store (audiences, tier discount, their coupons); omit for an
    /// anonymous new buyer.
    pub member_id: Option<ID>,
    /// The buyer holds 88VIP (the platform knows; say so here).
    #[graphql(default)]
    pub vip88: bool,
    /// Coupon codes to try; each unused one comes back with a reason. Omit to let the engine
    /// pick the best of the member's own valid coupons.
    pub coupon_codes: Option<Vec<String>>,
    /// Shipping region (province, e.g. 新疆) for 包邮 exclusions.
    pub region: Option<String>,
    /// The instant to price at (default now), e.g. a 双11 start to preview event prices.
    pub at: Option<DateTime>,
}

/// Filters of `promotions`; all given conditions hold.
#[derive(InputObject, Default)]
pub struct PromotionFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only these kinds.
    pub kinds: Option<Vec<PromotionKind>>,
    /// Only these states (as read now).
    pub statuses: Option<Vec<PromotionStatus>>,
    /// Only promotions in force at this instant (approved, not paused).
    pub active_at: Option<DateTime>,
    /// Only promotions covering this product.
    pub product_id: Option<ID>,
    /// Only promotions covering this SKU (or its product).
    pub sku_id: Option<ID>,
}

/// Orderings of `promotions`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum PromotionSortKeys {
    /// Creation order (default).
    #[default]
    Id,
    /// By window start.
    StartAt,
    /// By window end.
    EndAt,
}

/// Filters of `coupons`.
#[derive(InputObject, Default)]
pub struct CouponFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only coupons of this template.
    pub template_id: Option<ID>,
    /// Only this member's.
    pub member_id: Option<ID>,
    /// Only these states (as read now).
    pub states: Option<Vec<CouponState>>,
}

#[derive(Default)]
pub struct PromotionQuery;

#[Object]
impl PromotionQuery {
    /// Promotions and coupon templates (PROMO_VIEW), inside the viewer's stores.
    async fn promotions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<PromotionFilter>,
        #[graphql(desc = "Ordering (default ID).")] sort_key: Option<PromotionSortKeys>,
        #[graphql(desc = "Descending.", default)] reverse: bool,
        #[graphql(desc = "Page size (≤ 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (≤ 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> async_graphql::Result<PromotionConnection> {
        let f = filter.unwrap_or_default();
        let filter = promos::Filter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            kinds: f
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: f
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            active_at: f.active_at.map(|d| d.0),
            product_id: decode_opt_id(&f.product_id, NodeType::Product, "filter.productId")?,
            sku_id: decode_opt_id(&f.sku_id, NodeType::Sku, "filter.skuId")?,
        };
        let sort = match sort_key.unwrap_or_default() {
            PromotionSortKeys::Id => (promos::SortKey::Id, "ID"),
            PromotionSortKeys::StartAt => (promos::SortKey::StartAt, "START_AT"),
            PromotionSortKeys::EndAt => (promos::SortKey::EndAt, "END_AT"),
        };
        let w = Window {
            first,
            after: after.as_deref(),
            last,
            before: before.as_deref(),
        };
        let args = crate::service::kernel::page::PageArgs::parse(w, reverse, sort.1).gql()?;
        promos::list(svc(ctx)?, &filter, sort.0, &args)
            .await
            .map(PromotionConnection)
            .gql()
    }

    /// Only coupon templates (PROMO_VIEW): `promotions` with kind COUPON.
    async fn coupon_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this store.")] store_id: Option<ID>,
        #[graphql(desc = "Only these states (as read now).")] statuses: Option<
            Vec<PromotionStatus>,
        >,
        #[graphql(desc = "Page size (≤ 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
    ) -> async_graphql::Result<PromotionConnection> {
        let filter = promos::Filter {
            store_id: decode_opt_id(&store_id, NodeType::Store, "storeId")?,
            kinds: vec![engine::Kind::Coupon],
            statuses: statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            ..Default::default()
        };
        let w = Window {
            first,
            after: after.as_deref(),
            last: None,
            before: None,
        };
        let args = crate::service::kernel::page::PageArgs::parse(w, false, "ID").gql()?;
        promos::list(svc(ctx)?, &filter, promos::SortKey::Id, &args)
            .await
            .map(PromotionConnection)
            .gql()
    }

    /// One promotion (PROMO_VIEW); null when absent or in another store.
    async fn promotion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Option<Promotion>> {
        let id = decode_id(&id, NodeType::Promotion, "id").gql()?;
        Ok(found(promos::get(svc(ctx)?, id).await)?.map(Promotion::from))
    }

    /// Issued coupons (PROMO_VIEW), inside the viewer's stores, in issue order.
    async fn coupons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<CouponFilter>,
        #[graphql(desc = "Descending.", default)] reverse: bool,
        #[graphql(desc = "Page size (≤ 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
    ) -> async_graphql::Result<CouponConnection> {
        let f = filter.unwrap_or_default();
        let filter = coupons::Filter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            template_id: decode_opt_id(&f.template_id, NodeType::Promotion, "filter.templateId")?,
            member_id: decode_opt_id(&f.member_id, NodeType::Member, "filter.memberId")?,
            states: f
                .states
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        let w = Window {
            first,
            after: after.as_deref(),
            last: None,
            before: None,
        };
        let args = crate::service::kernel::page::PageArgs::parse(w, reverse, "ID").gql()?;
        coupons::list(svc(ctx)?, &filter, &args)
            .await
            .map(CouponConnection)
            .gql()
    }

    /// What a cart costs (PROMO_VIEW), to the fen, under every promotion in force at `at`: per
    /// line the list price, the item-level price and its promotion, each discount share with
    /// its promotion, level and funder, and the net; totals by level, shipping, gifts, coupons
    /// applied or rejected with the reason, and the payable. Stacking:
    /// 1 item-level price (the lowest); 2a one activity per line (bundle, else 第二件, else
    /// 满减/满折), 2b one store coupon per order, 2c one item coupon per product, 2d tier
    /// discount; 3 跨店满减; 4 88VIP. Every threshold is tested on the item-level amounts of the
    /// tool's eligible lines; each order-level discount is capped at their remaining net and
    /// allocated to them in fen by largest remainder (ties: larger basis, then lower SKU id), so
    /// shares add up exactly and no line goes below 0. Coupons: best for the buyer (largest
    /// discount, then validity ending first, then lowest id). Percentages round half-up once.
    /// Invalid lines are userErrors-style BAD_USER_INPUT errors.
    async fn price_quote(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cart.")] input: PriceQuoteInput,
    ) -> async_graphql::Result<PriceQuote> {
        let req = (|| -> Result<quote::QuoteRequest, AppError> {
            Ok(quote::QuoteRequest {
                store_id: decode_id(&input.store_id, NodeType::Store, "input.storeId")?,
                lines: input
                    .lines
                    .iter()
                    .map(|l| {
                        Ok(engine::CartLine {
                            sku_id: decode_id(&l.sku_id, NodeType::Sku, "input.lines.skuId")?,
                            quantity: l.quantity,
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
                member_id: input
                    .member_id
                    .as_ref()
                    .map(|m| decode_id(m, NodeType::Member, "input.memberId"))
                    .transpose()?,
                vip88: input.vip88,
                coupon_codes: input.coupon_codes.clone(),
                region: input.region.clone(),
                at: input.at.map(|d| d.0),
            })
        })()
        .gql()?;
        quote::quote(svc(ctx)?, req).await.map(PriceQuote).gql()
    }

    /// Price guard (破价预警, PROMO_VIEW): for each SKU of the store (or those named), the lowest
    /// unit price a buyer can reach at `at` (default now) by legally combining the promotions in
    /// force: the lowest item-level price over all audiences, minus the largest rate of each
    /// exclusive kind (one 2a activity, store coupon, item coupon, tier discount, 跨店满减,
    /// 88VIP), as max(0, p − ceil(p × Σ rates)) — a conservative bound. Reports the SKUs below
    /// their floor, and for viewers with COST_VIEW below cost or the minimum-margin price, with
    /// the combination that gets there.
    async fn price_guard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
        #[graphql(desc = "Only these SKUs (default: all of the store's).")] sku_ids: Option<
            Vec<ID>,
        >,
        #[graphql(desc = "The instant (default now).")] at: Option<DateTime>,
    ) -> async_graphql::Result<PriceGuardReport> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        let skus = sku_ids
            .map(|ids| decode_ids(&ids, NodeType::Sku, "skuIds"))
            .transpose()
            .gql()?;
        quote::guard(svc(ctx)?, store, skus, at.map(|d| d.0))
            .await
            .map(PriceGuardReport)
            .gql()
    }

    /// The lowest per-unit paid price of a SKU (PROMO_VIEW) in the `days` full days before
    /// `at`'s day (store time): the 7-day reference price of the promotion rules and the 30-day
    /// one of platform events. With no paid line in the window, the last one
    /// before it (`fromBeforeWindow`); null without any. ¥0 gift lines are excluded.
    async fn lowest_paid_price(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SKU.")] sku_id: ID,
        #[graphql(desc = "Window in days (1–365), e.g. 7 or 30.")] days: i32,
        #[graphql(desc = "Reference instant (default now).")] at: Option<DateTime>,
    ) -> async_graphql::Result<Option<LowestPaidPrice>> {
        let sku = decode_id(&sku_id, NodeType::Sku, "skuId").gql()?;
        let r = quote::lowest_paid_price(svc(ctx)?, sku, days, at.map(|d| d.0))
            .await
            .gql()?;
        Ok(r.map(|r| LowestPaidPrice {
            price: money(r.price),
            date: Date(quote::day_date(r.day)),
            from_before_window: r.from_before_window,
        }))
    }
}

#[derive(Default)]
pub struct PromotionMutation;

#[Object]
impl PromotionMutation {
    /// Creates a DRAFT (PROMO_EDIT) from the common part and exactly one kind-specific part
    /// (`itemDiscount`, `fullReduction`, `fullDiscount`, `nthItem`, `bundle`, `gift`,
    /// `freeShipping`, `coupon`, `memberPrice`), which sets the kind.
    async fn promotion_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionCreateInput,
    ) -> async_graphql::Result<PromotionPayload> {
        let res = match create_draft(input) {
            Ok(d) => promos::create(svc(ctx)?, d).await,
            Err(e) => Err(e),
        };
        promotion_payload(res)
    }

    /// Edits a promotion (PROMO_EDIT; assistants: drafts only). Drafts change freely. Of an
    /// approved promotion the name and copy change at once; dates, scope, audience, funding or
    /// the kind-specific part make a new version that waits for approval (it is in the approval
    /// queue) while the approved version stays in force.
    async fn promotion_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionUpdateInput,
    ) -> async_graphql::Result<PromotionPayload> {
        let svc = svc(ctx)?;
        let current = match decode_id(&input.id, NodeType::Promotion, "input.id") {
            Ok(id) => found(promos::get(svc, id).await)?,
            Err(_) => None,
        };
        let res = match update_patch(input, current.as_ref()) {
            Ok(p) => promos::update(svc, p).await,
            Err(e) => Err(e),
        };
        promotion_payload(res)
    }

    /// DRAFT → PENDING_APPROVAL (PROMO_EDIT): refused with COMPLIANCE_BLOCKED while the name or
    /// copy holds an Advertising-Law BLOCK term. It enters the approval queue with the level it
    /// needs: a specialist when its depth is within the store's limit (default 30%) and a
    /// coupon's face value issued within the coupon limit (default ¥20,000), else a director.
    async fn promotion_submit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionIdInput,
    ) -> async_graphql::Result<PromotionPayload> {
        lifecycle(ctx, &input.id, Lifecycle::Submit).await
    }

    /// Approves a pending promotion or pending new version (PROMO_APPROVE) → SCHEDULED, or
    /// ACTIVE when its start has passed. Specialists: within the store's depth and coupon
    /// limits (else APPROVAL_REQUIRED) and never their own submission (FOUR_EYES); directors may
    /// approve their own (audited selfApproved). Activation checks: an overlapping item-level
    /// price or same-family activity on a SKU (PROMOTION_OVERLAP, naming it); a reachable price
    /// below a SKU's floor, cost or minimum-margin price (PRICE_BELOW_FLOOR; a director's
    /// approval records the exception on this version); BLOCK terms; a window already over.
    async fn promotion_approve(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionIdInput,
    ) -> async_graphql::Result<PromotionPayload> {
        lifecycle(ctx, &input.id, Lifecycle::Approve).await
    }

    /// Rejects a pending promotion with a reason (PROMO_APPROVE): back to DRAFT; a pending new
    /// version is dropped and the approved one stays in force.
    async fn promotion_reject(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionRejectInput,
    ) -> async_graphql::Result<PromotionPayload> {
        lifecycle(ctx, &input.id, Lifecycle::Reject(&input.reason)).await
    }

    /// The submitter takes a pending promotion back to DRAFT (PROMO_EDIT; directors too); a
    /// pending new version is dropped and the approved one stays in force.
    async fn promotion_withdraw(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionIdInput,
    ) -> async_graphql::Result<PromotionPayload> {
        lifecycle(ctx, &input.id, Lifecycle::Withdraw).await
    }

    /// ACTIVE → PAUSED (PROMO_CONTROL).
    async fn promotion_pause(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionIdInput,
    ) -> async_graphql::Result<PromotionPayload> {
        lifecycle(ctx, &input.id, Lifecycle::Control(Control::Pause)).await
    }

    /// PAUSED → ACTIVE before its end (PROMO_CONTROL); the activation checks run again.
    async fn promotion_resume(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionIdInput,
    ) -> async_graphql::Result<PromotionPayload> {
        lifecycle(ctx, &input.id, Lifecycle::Control(Control::Resume)).await
    }

    /// Ends an ACTIVE or PAUSED promotion now (PROMO_CONTROL; `endedEarly`).
    async fn promotion_end(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionIdInput,
    ) -> async_graphql::Result<PromotionPayload> {
        lifecycle(ctx, &input.id, Lifecycle::Control(Control::End)).await
    }

    /// Cancels a SCHEDULED, ACTIVE or PAUSED promotion (PROMO_CONTROL). A coupon template with
    /// claimed coupons also needs PROMO_CANCEL_ISSUED (director); its unused coupons become
    /// INVALIDATED.
    async fn promotion_cancel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PromotionIdInput,
    ) -> async_graphql::Result<PromotionPayload> {
        lifecycle(ctx, &input.id, Lifecycle::Control(Control::Cancel)).await
    }

    /// Issues coupons (PROMO_CONTROL) from an ACTIVE template inside its claim window, one per
    /// member, to the members named or to a whole RFM segment. Refused whole, nothing issued,
    /// past the total quantity (COUPON_QUANTITY_EXCEEDED), past a member's per-buyer limit
    /// (COUPON_PER_BUYER_LIMIT) or for a member outside the audience; safe under concurrent
    /// calls. Idempotent per `clientKey`.
    async fn coupon_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CouponIssueInput,
    ) -> async_graphql::Result<CouponIssuePayload> {
        let req = (|| -> Result<coupons::Issue, AppError> {
            let template_id =
                decode_id(&input.template_id, NodeType::Promotion, "input.templateId")?;
            let to = match (&input.member_ids, input.segment) {
                (Some(ids), None) => coupons::Recipients::Members(decode_ids(
                    ids,
                    NodeType::Member,
                    "input.memberIds",
                )?),
                (None, Some(s)) => coupons::Recipients::Segment(s.into()),
                _ => {
                    return Err(AppError::invalid(
                        &["input"],
                        ErrorCode::Invalid,
                        "give memberIds or segment",
                    ));
                }
            };
            Ok(coupons::Issue {
                template_id,
                to,
                client_key: input.client_key.clone(),
            })
        })();
        let res = match req {
            Ok(r) => coupons::issue(svc(ctx)?, r).await,
            Err(e) => Err(e),
        };
        let (v, user_errors) = split(res)?;
        Ok(CouponIssuePayload {
            coupons: v.unwrap_or_default().into_iter().map(Coupon).collect(),
            user_errors,
        })
    }

    /// Locks a CLAIMED coupon valid now to an order (PROMO_CONTROL): USED.
    async fn coupon_redeem(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CouponRedeemInput,
    ) -> async_graphql::Result<CouponPayload> {
        let (c, user_errors) =
            split(coupons::redeem(svc(ctx)?, &input.code, &input.order_ref).await)?;
        Ok(CouponPayload {
            coupon: c.map(Coupon),
            user_errors,
        })
    }

    /// Releases a USED coupon whose order was cancelled before payment (PROMO_CONTROL): CLAIMED
    /// again, or EXPIRED if its validity has passed. A coupon of an order refunded after payment
    /// is not returned.
    async fn coupon_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CouponReleaseInput,
    ) -> async_graphql::Result<CouponPayload> {
        let (c, user_errors) = split(coupons::release(svc(ctx)?, &input.code).await)?;
        Ok(CouponPayload {
            coupon: c.map(Coupon),
            user_errors,
        })
    }
}

/// The lifecycle mutations: one service call on one promotion.
enum Lifecycle<'a> {
    Submit,
    Approve,
    Reject(&'a str),
    Withdraw,
    Control(Control),
}

async fn lifecycle(
    ctx: &Context<'_>,
    id: &ID,
    action: Lifecycle<'_>,
) -> async_graphql::Result<PromotionPayload> {
    let res = match decode_id(id, NodeType::Promotion, "input.id") {
        Ok(id) => {
            let svc = svc(ctx)?;
            match action {
                Lifecycle::Submit => promos::submit(svc, id).await,
                Lifecycle::Approve => promos::approve(svc, id).await,
                Lifecycle::Reject(reason) => promos::reject(svc, id, reason).await,
                Lifecycle::Withdraw => promos::withdraw(svc, id).await,
                Lifecycle::Control(c) => promos::control(svc, id, c).await,
            }
        }
        Err(e) => Err(e),
    };
    promotion_payload(res)
}
