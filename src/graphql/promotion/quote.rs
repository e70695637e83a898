use super::*;

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
pub struct GiftLine(pub(crate) engine::GiftLine);

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
pub struct PriceQuote(pub(crate) Priced);

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
pub struct PriceGuardReport(pub(crate) GuardReport);

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

#[derive(Default)]
pub struct QuoteQuery;

#[Object]
impl QuoteQuery {
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
        let req = (|| -> Result<quote_svc::QuoteRequest, AppError> {
            Ok(quote_svc::QuoteRequest {
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
        quote_svc::quote(svc(ctx)?, req).await.map(PriceQuote).gql()
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
        quote_svc::guard(svc(ctx)?, store, skus, at.map(|d| d.0))
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
        let r = quote_svc::lowest_paid_price(svc(ctx)?, sku, days, at.map(|d| d.0))
            .await
            .gql()?;
        Ok(r.map(|r| LowestPaidPrice {
            price: money(r.price),
            date: Date(quote_svc::day_date(r.day)),
            from_before_window: r.from_before_window,
        }))
    }
}
