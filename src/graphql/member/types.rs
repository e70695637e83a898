use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

pub(crate) fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

pub(crate) async fn member_of(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Member>> {
    let l = ctx.data::<Loaders>()?;
    Ok(l.members()
        .load_one(id)
        .await
        .map_err(loaders::gql_err)?
        .map(Member))
}

/// RFM segments, from the recency, frequency and monetary scores (1–5 each); the first
/// match wins in this order.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "Segment")]
pub enum MemberSegment {
    /// 高价值: R ≥ 4, F ≥ 4, M ≥ 4.
    HighValue,
    /// 忠诚: F ≥ 4, R ≥ 3.
    Loyal,
    /// 流失预警: R ≤ 2 and (F ≥ 3 or M ≥ 4).
    AtRisk,
    /// 新客: first-ever purchase ≤ 30 days before asOf and 1 purchase in the window.
    New,
    /// 潜力: R ≥ 4, F ≤ 3.
    Potential,
    /// 已流失: R = 1 (no purchase for more than 180 days).
    Lost,
    /// 沉睡: the rest.
    Hibernating,
}

/// A store's tier (会员等级), lowest first in lists.
#[derive(SimpleObject, Clone)]
pub struct MemberTier {
    /// Code, e.g. `VIP2`.
    pub code: String,
    /// Name shown to buyers, e.g. 高级会员.
    pub name: String,
    /// Net spend (paid − refunded) in the basis window that qualifies; 0 = no spend condition.
    pub min_spend: Money,
    /// Purchases (one per buyer per paid day) in the basis window that qualify; 0 = no
    /// purchase condition. A tier without conditions needs one purchase.
    pub min_purchases: i32,
    /// `ANY`: either threshold qualifies; `ALL`: both are needed.
    pub r#match: String,
    /// Tier discount as a 折 pay rate in basis points (9.8折 = 9800).
    pub price_rate_bp: i32,
    /// Points multiplier in basis points (×1.5 = 15000).
    pub points_multiplier_bp: i32,
}

impl From<&members::TierDef> for MemberTier {
    fn from(t: &members::TierDef) -> Self {
        Self {
            code: t.code.clone(),
            name: t.name.clone(),
            min_spend: Money(Fen(t.min_spend_fen)),
            min_purchases: t.min_purchases as i32,
            r#match: t.match_rule.clone(),
            price_rate_bp: t.price_rate_bp,
            points_multiplier_bp: t.points_multiplier_bp,
        }
    }
}

/// A store's membership settings: tiers, the basis they are reached on, the protection
/// period and points per yuan.
#[derive(SimpleObject)]
pub struct StoreMembership {
    /// Tiers, lowest first.
    pub tiers: Vec<MemberTier>,
    /// `ROLLING_12M` (net spend and purchases of the last 365 days) or `LIFETIME`.
    pub tier_basis: String,
    /// 保级期: days after an upgrade during which no downgrade applies.
    pub tier_protection_days: i32,
    /// Points earned per yuan paid (before the tier multiplier).
    pub points_per_yuan: i32,
    /// Category repurchase cycle in days (churn flag).
    pub repurchase_cycle_days: i32,
}

impl StoreMembership {
    pub fn of(s: &entity::store::Model) -> Result<Self, AppError> {
        Ok(Self {
            tiers: members::tiers(s)?.iter().map(Into::into).collect(),
            tier_basis: s.tier_basis.clone(),
            tier_protection_days: s.tier_protection_days,
            points_per_yuan: s.points_per_yuan,
            repurchase_cycle_days: s.repurchase_cycle_days,
        })
    }
}

/// A buyer of one store (会员), created or matched by order imports on the platform's buyer
/// reference. The phone is shown in full only to viewers with MEMBER_PII_VIEW (directors);
/// everyone else sees it masked (`138****5678`).
#[derive(Clone)]
pub struct Member(pub member::Model);

impl From<member::Model> for Member {
    fn from(m: member::Model) -> Self {
        Self(m)
    }
}

/// A buyer of one store (会员), created or matched by order imports on the platform's buyer
/// reference. The phone is shown in full only to viewers with MEMBER_PII_VIEW (directors);
/// everyone else sees it masked (`138****5678`).
#[relay_pages]
#[Object]
impl Member {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::Member, self.0.id)
    }
    /// The store.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        store_by_id(ctx, self.0.store_id).await
    }
    /// The platform's buyer reference (OAID / open buyer id), unique in the store.
    async fn buyer_ref(&self) -> &str {
        &self.0.buyer_ref
    }
    /// Marketplace nickname (public handle, possibly already masked by the platform).
    async fn nick(&self) -> &str {
        &self.0.nick
    }
    /// Phone: in full with MEMBER_PII_VIEW, else masked (`138****5678`); null when unknown.
    /// Specialists may reveal one with `memberPiiReveal`.
    async fn phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(members::phone_for(svc(ctx)?, &self.0))
    }
    /// Current tier; null below the lowest tier.
    async fn tier(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MemberTier>> {
        let Some(code) = &self.0.tier else {
            return Ok(None);
        };
        let l = ctx.data::<Loaders>()?;
        let tiers = (l.store_tiers(self.0.store_id).await).map_err(loaders::gql_err)?;
        Ok(tiers.and_then(|t| t.iter().find(|t| &t.code == code).map(Into::into)))
    }
    /// No downgrade before this instant (保级期 after an upgrade, or a director's manual tier).
    async fn tier_protected_until(&self) -> Option<DateTime> {
        self.0.tier_protected_until.map(Into::into)
    }
    /// Points balance; always equals the sum of the ledger and is never below 0.
    async fn points(&self) -> i64 {
        self.0.points_balance
    }
    /// Points still owed from refunds that found too small a balance; repaid from later
    /// earnings.
    async fn points_deficit(&self) -> i64 {
        self.0.points_deficit
    }
    /// Tags (标签), in name order.
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let l = ctx.data::<Loaders>()?;
        Ok(l.member_tags()
            .load_one(self.0.id)
            .await
            .map_err(loaders::gql_err)?
            .unwrap_or_default())
    }
    /// Internal note of the ops team.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// First order's time (any status).
    async fn first_order_at(&self) -> DateTime {
        self.0.first_order_at.into()
    }
    /// Latest order's time (any status).
    async fn last_order_at(&self) -> DateTime {
        self.0.last_order_at.into()
    }
    /// Orders paid (refunded ones included).
    async fn paid_order_count(&self) -> i64 {
        self.0.paid_order_count
    }
    /// Purchases over the member's lifetime: paid orders not fully refunded, one per paid day
    /// (several paid orders of one buyer on one day, store time, are one purchase: a split
    /// basket is not a repurchase).
    async fn purchase_count(&self) -> i64 {
        self.0.purchase_count
    }
    /// Net paid over the member's lifetime: Σ (paid − refunded).
    async fn total_paid(&self) -> Money {
        Money(Fen(self.0.total_paid_fen))
    }
    /// RFM scores and segment as of a day (default today in the store's time zone); null when
    /// the member has no purchase by then.
    async fn rfm(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Calendar day in the store's time zone; default today.")] as_of: Option<
            Date,
        >,
    ) -> async_graphql::Result<Option<MemberRfm>> {
        let l = ctx.data::<Loaders>()?;
        let day = match as_of {
            Some(d) => members::epoch_day(d.0),
            None => {
                let Some(store) = store_by_id(ctx, self.0.store_id).await? else {
                    return Ok(None);
                };
                members::epoch_day(store_svc::today(&store.0, svc(ctx)?.now()).gql()?)
            }
        };
        Ok(l.rfm()
            .load_one((self.0.store_id, day, self.0.id))
            .await
            .map_err(loaders::gql_err)?
            .map(|r| MemberRfm { row: r, day }))
    }
    /// The member's orders, newest first.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
    ) -> async_graphql::Result<OrderConnection> {
        let filter = orders::OrderFilter {
            member_id: Some(self.0.id),
            ..Default::default()
        };
        let w = page.window();
        orders::list(svc(ctx)?, filter, orders::OrderSort::CreatedAt, w, false)
            .await
            .map(OrderConnection)
            .gql()
    }
    /// The points ledger, newest first.
    async fn points_ledger(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
    ) -> async_graphql::Result<PointsEntryConnection> {
        let w = page.window();
        members::points_ledger(svc(ctx)?, self.0.id, w, false)
            .await
            .map(PointsEntryConnection)
            .gql()
    }
    /// Tier changes with their causes, newest first (at most 100).
    async fn tier_changes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TierChange>> {
        Ok(members::tier_changes(svc(ctx)?, self.0.id)
            .await
            .gql()?
            .into_iter()
            .map(TierChange)
            .collect())
    }
}

/// A member's RFM figures as of a day: window = the 365 days ending on it.
pub struct MemberRfm {
    row: members::RfmRow,
    day: i32,
}

/// A member's RFM figures as of a day: window = the 365 days ending on it.
#[Object]
impl MemberRfm {
    /// The day.
    async fn as_of(&self) -> Date {
        Date(members::day_date(self.day))
    }
    /// Days from the last purchase day to asOf.
    async fn days_since_last_purchase(&self) -> i64 {
        self.row.days_since
    }
    /// Purchases in the window.
    async fn purchases(&self) -> i64 {
        self.row.purchases
    }
    /// Net paid in the window.
    async fn net_spend(&self) -> Money {
        Money(Fen(self.row.monetary))
    }
    /// R score 1–5: 5 if ≤ 30 days, 4 ≤ 60, 3 ≤ 90, 2 ≤ 180, else 1.
    async fn recency_score(&self) -> i64 {
        self.row.r
    }
    /// F score 1–5: 5 if ≥ 10 purchases, 4 ≥ 6, 3 ≥ 3, 2 = 2, else 1.
    async fn frequency_score(&self) -> i64 {
        self.row.f
    }
    /// M score 1–5: `ceil(5k/n)` among members with a purchase in the window (k = how many
    /// spent at most as much); 1 without a purchase in the window.
    async fn monetary_score(&self) -> i64 {
        self.row.m
    }
    /// The segment.
    async fn segment(&self) -> Option<MemberSegment> {
        Segment::parse(&self.row.segment).map(Into::into)
    }
}

/// Kinds of points-ledger entries; the balance is the sum of the ledger and never below 0.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum PointsEntryKind {
    /// Earned on payment: floor(paid fen × points per yuan × tier multiplier bp / 1,000,000).
    Earn,
    /// Taken back on a refund (at most the balance; the rest becomes the deficit), or a deficit
    /// repayment after an EARN.
    Reverse,
    /// Redeemed.
    Redeem,
    /// A redemption cancelled.
    RedeemCancel,
    /// Adjusted by hand with a reason.
    Adjust,
    /// Expired.
    Expire,
}

/// One change of a member's points.
#[derive(Clone)]
pub struct PointsEntry(pub points_entry::Model);

impl From<points_entry::Model> for PointsEntry {
    fn from(m: points_entry::Model) -> Self {
        Self(m)
    }
}

/// One change of a member's points.
#[Object]
impl PointsEntry {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::PointsEntry, self.0.id)
    }
    /// Kind.
    async fn kind(&self) -> Option<PointsEntryKind> {
        Some(match self.0.kind.as_str() {
            "EARN" => PointsEntryKind::Earn,
            "REVERSE" => PointsEntryKind::Reverse,
            "REDEEM" => PointsEntryKind::Redeem,
            "REDEEM_CANCEL" => PointsEntryKind::RedeemCancel,
            "ADJUST" => PointsEntryKind::Adjust,
            "EXPIRE" => PointsEntryKind::Expire,
            _ => return None,
        })
    }
    /// Points added (positive) or taken (negative).
    async fn amount(&self) -> i64 {
        self.0.amount
    }
    /// Balance after this entry.
    async fn balance_after(&self) -> i64 {
        self.0.balance_after
    }
    /// Deficit after this entry.
    async fn deficit_after(&self) -> i64 {
        self.0.deficit_after
    }
    /// Tier multiplier (bp) of an EARN.
    async fn multiplier_bp(&self) -> Option<i32> {
        self.0.multiplier_bp
    }
    /// Why.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The order it refers to.
    async fn order(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Order>> {
        let Some(id) = self.0.order_id else {
            return Ok(None);
        };
        let l = ctx.data::<Loaders>()?;
        let order = l.orders().load_one(id).await.map_err(loaders::gql_err)?;
        Ok(order.map(Order))
    }
    /// Who adjusted it; null for the system.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.actor_id).await
    }
    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// Causes of a tier change.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TierChangeCause {
    /// An order was paid (upgrade).
    OrderPaid,
    /// A refund lowered net spend or purchases.
    Refund,
    /// The daily re-evaluation (rolling window moved, protection ended, tiers reconfigured).
    DailyReeval,
    /// Set by a director with a reason.
    Manual,
}

/// A change of a member's tier.
#[derive(Clone)]
pub struct TierChange(pub tier_change::Model);

/// A change of a member's tier.
#[Object]
impl TierChange {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::TierChange, self.0.id)
    }
    /// Tier code before; null below the lowest tier.
    async fn from_tier(&self) -> Option<&str> {
        self.0.from_tier.as_deref()
    }
    /// Tier code after.
    async fn to_tier(&self) -> Option<&str> {
        self.0.to_tier.as_deref()
    }
    /// Cause.
    async fn cause(&self) -> Option<TierChangeCause> {
        Some(match self.0.cause.as_str() {
            "ORDER_PAID" => TierChangeCause::OrderPaid,
            "REFUND" => TierChangeCause::Refund,
            "DAILY_REEVAL" => TierChangeCause::DailyReeval,
            "MANUAL" => TierChangeCause::Manual,
            _ => return None,
        })
    }
    /// A director's reason (manual changes).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// Who; null for the system.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.actor_id).await
    }
    /// When.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

connection!(
    MemberConnection,
    MemberEdge,
    Member,
    entity::member::Entity,
    "members"
);

connection!(
    PointsEntryConnection,
    PointsEntryEdge,
    PointsEntry,
    entity::points_entry::Entity,
    "points-ledger entries"
);
