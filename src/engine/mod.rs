//! The pricing engine: a pure, deterministic function of (promotions, prices,
//! cart, buyer, coupons, region, time), in fen. No database access, no clock, no I/O: the service
//! loads everything first and the engine only computes, so a quote costs a fixed number of SQL
//! statements and the rules are tested here without a server.

pub mod alloc;
pub mod guard;
pub mod rules;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use alloc::{Slot, allocate};
pub use rules::*;

mod coupons;
mod quote;
mod shipping;

use coupons::*;
pub use quote::*;
use shipping::*;

/// A SKU as the engine needs it.
#[derive(Debug, Clone)]
pub struct Item {
    pub sku_id: i64,
    pub product_id: i64,
    /// 一口价, the list price per unit.
    pub list_price: i64,
    /// 最低售价 (破价线) per unit, if set.
    pub floor: Option<i64>,
    pub cost: Option<i64>,
    /// The minimum-margin price per unit (`cost / (1 − minMarginBp/10000)`, rounded up), if any.
    pub min_margin_price: Option<i64>,
}

/// One line of the cart.
#[derive(Debug, Clone, Copy)]
pub struct CartLine {
    pub sku_id: i64,
    pub quantity: i64,
}

/// What the store knows about the buyer.
#[derive(Debug, Clone, Default)]
pub struct Buyer {
    /// A member of the store (a quote may be for an anonymous buyer).
    pub member: bool,
    /// No paid order in the store yet (新客).
    pub is_new: bool,
    /// The member's tier (1 = lowest), if any.
    pub tier_rank: Option<i64>,
    /// The tier's price rate (bp), if the tier has a member discount.
    pub tier_price_bp: Option<i64>,
    pub tags: Vec<String>,
    /// The member's RFM segment code.
    pub segment: Option<String>,
    /// The buyer holds 88VIP (the platform knows; the quote input says so).
    pub vip88: bool,
    /// Units the buyer already bought under each limited item-level promotion (by id): they count
    /// against its 限购.
    pub prior_units: BTreeMap<i64, i64>,
}

/// A coupon offered to the quote: an issued coupon, or (for a template the buyer could use) the
/// template itself.
#[derive(Debug, Clone)]
pub struct CouponOffer {
    pub code: String,
    pub template: Promo,
    /// The buyer holds this coupon (CLAIMED).
    pub owned: bool,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}

/// The 运费模板: first unit plus each extra unit.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShippingTemplate {
    pub first: i64,
    pub extra: i64,
}

/// Everything a quote needs.
#[derive(Debug, Clone)]
pub struct QuoteInput<'a> {
    pub items: &'a [Item],
    pub lines: &'a [CartLine],
    /// Approved promotions of the store (stored SCHEDULED or ACTIVE); the engine keeps those whose
    /// window holds `at` and whose audience includes the buyer.
    pub promotions: &'a [Promo],
    pub buyer: &'a Buyer,
    pub coupons: &'a [CouponOffer],
    /// Whether the buyer named the coupons (then every unused one gets a reason) or the engine
    /// picked from the buyer's wallet.
    pub coupons_named: bool,
    pub region: Option<&'a str>,
    pub shipping: ShippingTemplate,
    pub at: DateTime<Utc>,
}

/// One discount taken by one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub promotion_id: i64,
    pub kind: Kind,
    pub level: Level,
    pub funder: Funder,
    pub amount: i64,
    /// The coupon that gave it, for coupon shares.
    pub coupon_code: Option<String>,
}

impl Share {
    /// What the merchant pays of this share (platform and brand money excluded).
    pub fn merchant_amount(&self) -> i64 {
        self.funder.merchant_part(self.amount)
    }
}

/// One priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteLine {
    pub sku_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub list_price: i64,
    /// The item-level unit price (单品优惠价), the list price without one.
    pub unit_price: i64,
    pub item_promotion: Option<i64>,
    /// `unit × units within 限购 + list × the rest`: the threshold basis of every later level.
    pub item_amount: i64,
    /// The threshold basis after bundles.
    pub basis: i64,
    pub shares: Vec<Share>,
    pub net: i64,
    pub below_floor: bool,
    pub below_cost: bool,
    pub below_min_margin: bool,
}

impl QuoteLine {
    fn take(&mut self, share: Share) {
        self.net -= share.amount;
        if share.amount > 0 {
            self.shares.push(share);
        }
    }
    fn room(&self) -> i64 {
        self.net
    }
}

/// A ¥0 gift line added by a 满赠 activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftLine {
    pub promotion_id: i64,
    pub sku_id: i64,
    pub quantity: i64,
}

/// Why a coupon was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponReject {
    OneStoreCouponPerOrder,
    OneItemCouponPerProduct,
    OnePlatformCouponPerOrder,
    ThresholdNotMet,
    NotApplicable,
    NotValidAtTime,
    NotOwned,
    NotBest,
}

impl CouponReject {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OneStoreCouponPerOrder => "ONE_STORE_COUPON_PER_ORDER",
            Self::OneItemCouponPerProduct => "ONE_ITEM_COUPON_PER_PRODUCT",
            Self::OnePlatformCouponPerOrder => "ONE_PLATFORM_COUPON_PER_ORDER",
            Self::ThresholdNotMet => "THRESHOLD_NOT_MET",
            Self::NotApplicable => "NOT_APPLICABLE",
            Self::NotValidAtTime => "NOT_VALID_AT_TIME",
            Self::NotOwned => "NOT_OWNED",
            Self::NotBest => "NOT_BEST",
        }
    }
}

/// What happened to one offered coupon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponOutcome {
    pub code: String,
    pub template_id: i64,
    /// The discount it gave, when applied.
    pub amount: i64,
    pub rejected: Option<CouponReject>,
}

/// Discount totals per stacking level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub list: i64,
    pub item: i64,
    pub store: i64,
    pub cross_store: i64,
    pub member: i64,
    /// What the merchant funds of all discounts.
    pub merchant_funded: i64,
}

/// The priced order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub totals: Totals,
    pub shipping: i64,
    pub free_shipping_promotion: Option<i64>,
    pub gifts: Vec<GiftLine>,
    pub coupons: Vec<CouponOutcome>,
    /// Σ line net + shipping.
    pub payable: i64,
}

/// Why a quote cannot be computed (the service turns these into userErrors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteError {
    UnknownSku(i64),
    BadQuantity(i64),
}

/// `round(a × r / d)`, half-up, for non-negative values.
pub fn round_half_up(a: i64, r: i64, d: i64) -> i64 {
    let (a, r, d) = (i128::from(a), i128::from(r), i128::from(d));
    if d == 0 {
        return 0;
    }
    i64::try_from((2 * a * r + d) / (2 * d)).unwrap_or(i64::MAX)
}
