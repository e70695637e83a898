use super::*;

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

/// The kind-specific parts of a create or an update input; exactly one may be given. Flattened
/// into both inputs (not a type of the schema of its own).
#[derive(InputObject)]
#[graphql(name = "PromotionKindParts")]
pub struct KindParts {
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
    /// The kind-specific part (its fields appear here, inline).
    #[graphql(flatten)]
    pub parts: KindParts,
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
    /// The kind-specific part (its fields appear here, inline).
    #[graphql(flatten)]
    pub parts: KindParts,
}

/// Result of the promotion mutations.
#[derive(SimpleObject)]
pub struct PromotionPayload {
    /// The promotion after the change; null when refused.
    pub promotion: Option<Promotion>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

pub(crate) fn promotion_payload(
    res: Result<promotion::Model, AppError>,
) -> async_graphql::Result<PromotionPayload> {
    let (m, user_errors) = split(res)?;
    Ok(PromotionPayload {
        promotion: m.map(Promotion::try_from).transpose()?,
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

/// Filters of `couponTemplates`.
#[derive(InputObject, Default)]
pub struct CouponTemplateFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only these states (as read now).
    pub statuses: Option<Vec<PromotionStatus>>,
}
