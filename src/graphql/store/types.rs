use super::*;

/// A marketplace a store sells on.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// 天猫 Tmall.
    Tmall,
    /// 淘宝 Taobao.
    Taobao,
    /// 京东 JD.
    Jd,
    /// 抖音 Douyin.
    Douyin,
    /// 拼多多 Pinduoduo.
    Pinduoduo,
    /// The merchant's own site or mini-program.
    OwnSite,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tmall => "TMALL",
            Self::Taobao => "TAOBAO",
            Self::Jd => "JD",
            Self::Douyin => "DOUYIN",
            Self::Pinduoduo => "PINDUODUO",
            Self::OwnSite => "OWN_SITE",
        }
    }

    fn from_db(s: &str) -> Self {
        match s {
            "TAOBAO" => Self::Taobao,
            "JD" => Self::Jd,
            "DOUYIN" => Self::Douyin,
            "PINDUODUO" => Self::Pinduoduo,
            "OWN_SITE" => Self::OwnSite,
            _ => Self::Tmall,
        }
    }
}

/// A shop on one marketplace (店铺). Every business row belongs to a store; specialists and
/// assistants see only the stores assigned to them.
#[derive(Clone)]
pub struct Store(pub std::sync::Arc<store::Model>);

impl From<store::Model> for Store {
    fn from(m: store::Model) -> Self {
        Self(std::sync::Arc::new(m))
    }
}

/// A shop on one marketplace (店铺). Every business row belongs to a store; specialists and
/// assistants see only the stores assigned to them.
#[Object]
impl Store {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::Store, self.0.id).encode())
    }
    /// Store name, unique in the company (1–60 characters).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Marketplace.
    async fn platform(&self) -> Platform {
        Platform::from_db(&self.0.platform)
    }
    /// IANA time zone in which calendar days (and daily KPIs) are cut. Default Asia/Shanghai.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Today's calendar day in the store's time zone.
    async fn today(&self, ctx: &Context<'_>) -> async_graphql::Result<Date> {
        Ok(Date(
            crate::service::store::today(&self.0, svc(ctx)?.now()).gql()?,
        ))
    }
    /// Approval limits and options. Changed by directors only.
    async fn settings(&self) -> StoreSettings {
        StoreSettings((*self.0).clone())
    }
    /// Membership settings: tiers, basis, protection period, points.
    async fn membership(&self) -> async_graphql::Result<crate::graphql::member::StoreMembership> {
        crate::graphql::member::StoreMembership::of(&self.0).gql()
    }
    /// When the store was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When the store was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A store's limits and options. Rates are basis points (1/10,000).
pub struct StoreSettings(pub(crate) store::Model);

/// A store's limits and options. Rates are basis points (1/10,000).
#[Object]
impl StoreSettings {
    /// Largest refund a specialist may approve alone (default ¥2,000.00).
    async fn refund_approval_limit_specialist(&self) -> Money {
        self.0.refund_limit_specialist_fen.into()
    }
    /// Largest refund an assistant may approve alone, only 未发货仅退款 or 7天无理由 with goods
    /// received (default ¥200.00).
    async fn refund_approval_limit_assistant(&self) -> Money {
        self.0.refund_limit_assistant_fen.into()
    }
    /// Largest price cut per change a specialist may make, in bp of the old price (default
    /// 2000 = 20%: `(old − new) × 10000 ≤ 2000 × old`).
    async fn price_cut_limit_bp(&self) -> i32 {
        self.0.price_cut_limit_bp
    }
    /// A specialist's new price must be at least this share of the highest list price of the
    /// last 30 days, in bp (default 6000 = 60%).
    async fn price_recent_high_min_bp(&self) -> i32 {
        self.0.price_recent_high_min_bp
    }
    /// Deepest promotion a specialist may approve, as discount depth in bp (default 3000 = 30%
    /// off). Deeper ones need a director (deep-discount rate).
    async fn promotion_depth_limit_bp(&self) -> i32 {
        self.0.promo_depth_limit_bp
    }
    /// Largest coupon face value a specialist may approve per template, `face × quantity`
    /// (default ¥20,000.00).
    async fn coupon_face_value_limit(&self) -> Money {
        self.0.coupon_face_value_limit_fen.into()
    }
    /// Largest campaign budget a specialist may approve, per campaign per calendar month
    /// (default ¥5,000.00).
    async fn campaign_budget_limit(&self) -> Money {
        self.0.campaign_budget_limit_fen.into()
    }
    /// Largest manual points adjustment a specialist may make, absolute (default 500).
    async fn points_adjust_limit(&self) -> i32 {
        self.0.points_adjust_limit
    }
    /// Minimum margin in bp (default 0 = not below cost). Minimum-margin price =
    /// `cost / (1 − minMarginBp / 10000)`, rounded up to the fen.
    async fn min_margin_bp(&self) -> i32 {
        self.0.min_margin_bp
    }
    /// Whether this store's specialists see unit cost, margin and profit (COST_VIEW and
    /// PROFIT_VIEW). Never granted to assistants. Default false.
    async fn specialist_cost_view(&self) -> bool {
        self.0.specialist_cost_view
    }
    /// Member PII reveals allowed per staff member per day (default 20).
    async fn pii_reveals_per_day(&self) -> i32 {
        self.0.pii_reveals_per_day
    }
    /// Days after which a pending approval request expires (default 7).
    async fn approval_expiry_days(&self) -> i32 {
        self.0.approval_expiry_days
    }
    /// Shipping template (运费模板): the first unit's fee, paid when no 包邮 rule applies or
    /// the region is excluded (default ¥10.00).
    async fn shipping_first_fee(&self) -> Money {
        self.0.shipping_first_fen.into()
    }
    /// Shipping template: each further unit's fee (default ¥2.00).
    async fn shipping_extra_fee(&self) -> Money {
        self.0.shipping_extra_fen.into()
    }
}

/// A store by id through the request's loader; `None` outside the viewer's stores.
pub async fn store_by_id(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Store>> {
    let l = ctx.data::<loaders::Loaders>()?;
    Ok(l.stores()
        .load_one(id)
        .await
        .map_err(loaders::gql_err)?
        .map(Store))
}

crate::graphql::kernel::relay::connection!(
    StoreConnection,
    StoreEdge,
    Store,
    entity::store::Entity,
    "stores"
);
