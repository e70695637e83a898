use super::*;

/// A 搭配宝 member.
pub struct BundleMember(pub(crate) engine::BundleMember);

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

pub(crate) async fn sku_of(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Sku>> {
    let l = ctx.data::<Loaders>()?;
    Ok(l.skus()
        .load_one(id)
        .await
        .map_err(loaders::gql_err)?
        .map(Sku))
}

pub(crate) fn split_threshold(on: Threshold, v: i64) -> (Option<Money>, Option<i32>) {
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
    /// Reads the working spec once; an unreadable one is an internal error naming the row.
    fn new(m: promotion::Model) -> Result<Self, AppError> {
        let spec = promos::working_spec(&m)?;
        Ok(Self {
            m: Arc::new(m),
            spec: Arc::new(spec),
        })
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
            async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<PromotionStatus> {
                effective_status(&self.0.m, svc(ctx)?.now()).map(Into::into).gql()
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

impl TryFrom<promotion::Model> for Promotion {
    type Error = async_graphql::Error;

    fn try_from(m: promotion::Model) -> async_graphql::Result<Self> {
        let row = Row::new(m).gql()?;
        Ok(match row.spec.rule.kind() {
            engine::Kind::ItemDiscount => Self::ItemDiscount(ItemDiscountPromotion(row)),
            engine::Kind::FullReduction => Self::FullReduction(FullReductionPromotion(row)),
            engine::Kind::FullDiscount => Self::FullDiscount(FullDiscountPromotion(row)),
            engine::Kind::NthItem => Self::NthItem(NthItemPromotion(row)),
            engine::Kind::Bundle => Self::Bundle(BundlePromotion(row)),
            engine::Kind::Gift => Self::Gift(GiftPromotion(row)),
            engine::Kind::FreeShipping => Self::FreeShipping(FreeShippingPromotion(row)),
            engine::Kind::Coupon => Self::Coupon(CouponTemplate(row)),
            engine::Kind::MemberPrice => Self::MemberPrice(MemberPricePromotion(row)),
        })
    }
}

impl Promotion {
    /// The node form of a promotion.
    pub fn node(m: promotion::Model) -> async_graphql::Result<crate::graphql::kernel::Node> {
        use crate::graphql::kernel::Node;
        Ok(match Self::try_from(m)? {
            Self::ItemDiscount(p) => Node::ItemDiscountPromotion(p),
            Self::FullReduction(p) => Node::FullReductionPromotion(p),
            Self::FullDiscount(p) => Node::FullDiscountPromotion(p),
            Self::NthItem(p) => Node::NthItemPromotion(p),
            Self::Bundle(p) => Node::BundlePromotion(p),
            Self::Gift(p) => Node::GiftPromotion(p),
            Self::FreeShipping(p) => Node::FreeShippingPromotion(p),
            Self::Coupon(p) => Node::CouponTemplate(p),
            Self::MemberPrice(p) => Node::MemberPricePromotion(p),
        })
    }
}

connection!(
    PromotionConnection,
    PromotionEdge,
    Promotion,
    promotion::Entity,
    "promotions"
);
