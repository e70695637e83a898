//! Members, orders, points, tiers and RFM segments.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{member, order_line, points_entry, sales_order, tier_change};

use super::catalog::Sku;
use super::loaders::{self, Loaders};
use super::mutation::split;
use super::pagination::connection;
use super::pricing::ApprovalRequest;
use super::scalars::{Date, DateTime, Money};
use super::types::{StaffMember, Store, UserErrorObject, staff_member, store_by_id};
use super::{decode_id, decode_opt_id, found, svc};
use crate::domain::order_status::OrderStatus as Status;
use crate::domain::{Fen, GlobalId, NodeType};
use crate::error::{AppError, GqlResultExt};
use crate::service::kernel::page::Window;
use crate::service::member::{self as members, Segment};
use crate::service::order as orders;
use crate::service::store as store_svc;

fn gid(t: NodeType, id: i64) -> ID {
    ID(GlobalId::new(t, id).encode())
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

async fn member_of(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Member>> {
    let l = ctx.data::<Loaders>()?;
    Ok(l.members
        .load_one(id)
        .await
        .map_err(loaders::gql_err)?
        .map(Member))
}

/// Order statuses; an imported order only moves forward. Final: CANCELLED, CLOSED_UNPAID, REFUNDED.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderStatus {
    /// Placed, not paid (等待买家付款).
    Created,
    /// Paid, waiting to ship (等待卖家发货).
    Paid,
    /// Shipped (卖家已发货 / 等待买家确认收货).
    Shipped,
    /// Completed (交易成功).
    Completed,
    /// Cancelled by buyer or seller before payment.
    Cancelled,
    /// Closed unpaid (timeout).
    ClosedUnpaid,
    /// Every line refunded (交易关闭).
    Refunded,
    /// Some lines or part of the amount refunded; the order keeps its fulfilment stage.
    PartiallyRefunded,
}

impl From<Status> for OrderStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Created => Self::Created,
            Status::Paid => Self::Paid,
            Status::Shipped => Self::Shipped,
            Status::Completed => Self::Completed,
            Status::Cancelled => Self::Cancelled,
            Status::ClosedUnpaid => Self::ClosedUnpaid,
            Status::Refunded => Self::Refunded,
            Status::PartiallyRefunded => Self::PartiallyRefunded,
        }
    }
}

impl From<OrderStatus> for Status {
    fn from(s: OrderStatus) -> Self {
        match s {
            OrderStatus::Created => Self::Created,
            OrderStatus::Paid => Self::Paid,
            OrderStatus::Shipped => Self::Shipped,
            OrderStatus::Completed => Self::Completed,
            OrderStatus::Cancelled => Self::Cancelled,
            OrderStatus::ClosedUnpaid => Self::ClosedUnpaid,
            OrderStatus::Refunded => Self::Refunded,
            OrderStatus::PartiallyRefunded => Self::PartiallyRefunded,
        }
    }
}

/// RFM segments, from the recency, frequency and monetary scores (1–5 each); the first
/// match wins in this order.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
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

impl From<Segment> for MemberSegment {
    fn from(s: Segment) -> Self {
        match s {
            Segment::HighValue => Self::HighValue,
            Segment::Loyal => Self::Loyal,
            Segment::AtRisk => Self::AtRisk,
            Segment::New => Self::New,
            Segment::Potential => Self::Potential,
            Segment::Lost => Self::Lost,
            Segment::Hibernating => Self::Hibernating,
        }
    }
}

impl From<MemberSegment> for Segment {
    fn from(s: MemberSegment) -> Self {
        match s {
            MemberSegment::HighValue => Self::HighValue,
            MemberSegment::Loyal => Self::Loyal,
            MemberSegment::AtRisk => Self::AtRisk,
            MemberSegment::New => Self::New,
            MemberSegment::Potential => Self::Potential,
            MemberSegment::Lost => Self::Lost,
            MemberSegment::Hibernating => Self::Hibernating,
        }
    }
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
    pub fn of(s: &entity::store::Model) -> Self {
        Self {
            tiers: members::tiers(s).iter().map(Into::into).collect(),
            tier_basis: s.tier_basis.clone(),
            tier_protection_days: s.tier_protection_days,
            points_per_yuan: s.points_per_yuan,
            repurchase_cycle_days: s.repurchase_cycle_days,
        }
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
        let store = store_by_id(ctx, self.0.store_id).await?;
        Ok(store.and_then(|s| {
            members::tiers(&s.0)
                .iter()
                .find(|t| &t.code == code)
                .map(Into::into)
        }))
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
        Ok(l.member_tags
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
                members::epoch_day(store_svc::today(&store.0))
            }
        };
        Ok(l.rfm
            .load_one((self.0.store_id, day, self.0.id))
            .await
            .map_err(loaders::gql_err)?
            .map(|r| MemberRfm { row: r, day }))
    }
    /// The member's orders, newest first.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<OrderConnection> {
        let filter = orders::OrderFilter {
            member_id: Some(self.0.id),
            ..Default::default()
        };
        let w = Window {
            first,
            after: after.as_deref(),
            last: None,
            before: None,
        };
        orders::list(svc(ctx)?, filter, orders::OrderSort::CreatedAt, w, false)
            .await
            .map(OrderConnection)
            .gql()
    }
    /// The points ledger, newest first.
    async fn points_ledger(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<PointsEntryConnection> {
        let w = Window {
            first,
            after: after.as_deref(),
            last: None,
            before: None,
        };
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

/// An order imported from the marketplace (one parent order). Amounts are the platform's.
#[derive(Clone)]
pub struct Order(pub sales_order::Model);

impl From<sales_order::Model> for Order {
    fn from(m: sales_order::Model) -> Self {
        Self(m)
    }
}

/// An order imported from the marketplace (one parent order). Amounts are the platform's.
#[Object]
impl Order {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::Order, self.0.id)
    }
    /// The platform's order number (订单号), unique in the store.
    async fn order_no(&self) -> &str {
        &self.0.order_no
    }
    /// The store.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        store_by_id(ctx, self.0.store_id).await
    }
    /// The buyer.
    async fn member(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        member_of(ctx, self.0.member_id).await
    }
    /// Status.
    async fn status(&self) -> Option<OrderStatus> {
        Status::parse(&self.0.status).map(Into::into)
    }
    /// When the buyer placed it (下单时间).
    async fn created_at(&self) -> DateTime {
        self.0.ordered_at.into()
    }
    /// When it was paid; null if never.
    async fn paid_at(&self) -> Option<DateTime> {
        self.0.paid_at.map(Into::into)
    }
    /// Whether the buyer talked to customer service before ordering (询单), rather than
    /// ordering silently (静默下单).
    async fn consulted(&self) -> bool {
        self.0.consulted
    }
    /// Traffic source or campaign code; null when the export had none.
    async fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }
    /// Σ unit price × quantity.
    async fn item_total(&self) -> Money {
        Money(Fen(self.0.item_total_fen))
    }
    /// Σ line discounts.
    async fn discount(&self) -> Money {
        Money(Fen(self.0.discount_fen))
    }
    /// What the buyer paid: Σ line paid amounts.
    async fn paid_amount(&self) -> Money {
        Money(Fen(self.0.paid_fen))
    }
    /// What was refunded.
    async fn refunded_amount(&self) -> Money {
        Money(Fen(self.0.refunded_fen))
    }
    /// Units the SALE could not take from stock (超卖: restock, split-ship or refund).
    async fn oversold_units(&self) -> i64 {
        self.0.oversold_units
    }
    /// Points the payment earned.
    async fn points_earned(&self) -> i64 {
        self.0.points_earned
    }
    /// The lines, in order.
    async fn lines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OrderLine>> {
        let l = ctx.data::<Loaders>()?;
        Ok(l.order_lines
            .load_one(self.0.id)
            .await
            .map_err(loaders::gql_err)?
            .unwrap_or_default()
            .into_iter()
            .map(OrderLine)
            .collect())
    }
    /// When it was first imported.
    async fn imported_at(&self) -> DateTime {
        self.0.imported_at.into()
    }
    /// When an import last changed it.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// One line of an order, with what the stock ledger did for it.
#[derive(Clone)]
pub struct OrderLine(pub order_line::Model);

/// One line of an order, with what the stock ledger did for it.
#[Object]
impl OrderLine {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::OrderLine, self.0.id)
    }
    /// Position in the order, from 1.
    async fn line_no(&self) -> i32 {
        self.0.line_no
    }
    /// The SKU.
    async fn sku(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Sku>> {
        let l = ctx.data::<Loaders>()?;
        Ok(l.skus
            .load_one(self.0.sku_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Sku))
    }
    /// Units.
    async fn quantity(&self) -> i64 {
        self.0.quantity
    }
    /// Unit price.
    async fn unit_price(&self) -> Money {
        Money(Fen(self.0.unit_price_fen))
    }
    /// The line's share of item- and order-level discounts.
    async fn discount(&self) -> Money {
        Money(Fen(self.0.discount_fen))
    }
    /// Paid: unit price × quantity − discount.
    async fn paid_amount(&self) -> Money {
        Money(Fen(self.0.paid_fen))
    }
    /// Refunded on this line.
    async fn refunded_amount(&self) -> Money {
        Money(Fen(self.0.refunded_fen))
    }
    /// Units taken from stock by the SALE movement (once).
    async fn sold_units(&self) -> i64 {
        self.0.sold_units
    }
    /// Units the SALE could not take (超卖).
    async fn oversold_units(&self) -> i64 {
        self.0.oversold_units
    }
    /// Units given back by the RETURN movement (once).
    async fn returned_units(&self) -> i64 {
        self.0.returned_units
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
        match self.0.order_id {
            Some(id) => Ok(found(orders::get(svc(ctx)?, id).await)?.map(Order)),
            None => Ok(None),
        }
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
    OrderConnection,
    OrderEdge,
    Order,
    entity::sales_order::Entity,
    "orders"
);
connection!(
    PointsEntryConnection,
    PointsEntryEdge,
    PointsEntry,
    entity::points_entry::Entity,
    "points-ledger entries"
);

/// Sort keys of `members`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MemberSortKey {
    /// Creation order.
    Id,
    /// Latest order time.
    LastOrderAt,
    /// Lifetime net paid.
    TotalPaid,
    /// Points balance.
    Points,
}

/// Filters of `members`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct MemberFilter {
    /// Only this store (required with `segment`).
    pub store_id: Option<ID>,
    /// Only this tier code (e.g. `VIP2`).
    pub tier: Option<String>,
    /// Only this RFM segment as of `segmentAsOf` (needs `storeId`).
    pub segment: Option<MemberSegment>,
    /// The day segments are computed for (store time zone); default today.
    pub segment_as_of: Option<Date>,
    /// Only members with this tag.
    pub tag: Option<String>,
    /// Latest order at or after this instant.
    pub last_order_from: Option<DateTime>,
    /// Latest order before this instant.
    pub last_order_to: Option<DateTime>,
    /// Lifetime net paid at least this.
    pub min_total_paid: Option<Money>,
    /// Lifetime net paid at most this.
    pub max_total_paid: Option<Money>,
    /// Exactly this phone number (matched by keyed hash; the number is never stored in clear).
    pub phone: Option<String>,
    /// Nickname contains this text.
    pub nick_contains: Option<String>,
}

/// Sort keys of `orders`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderSortKey {
    /// Order time.
    CreatedAt,
    /// Payment time (lists paid orders only).
    PaidAt,
    /// Paid amount.
    Amount,
}

/// Filters of `orders`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct OrderFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only these statuses.
    pub statuses: Option<Vec<OrderStatus>>,
    /// Ordered at or after this instant.
    pub created_from: Option<DateTime>,
    /// Ordered before this instant.
    pub created_to: Option<DateTime>,
    /// Only this member's orders.
    pub member_id: Option<ID>,
    /// Only consulted (询单) or only silent (静默) orders.
    pub consulted: Option<bool>,
    /// Only this channel code.
    pub channel: Option<String>,
    /// Only this order number.
    pub order_no: Option<String>,
    /// Only orders with (true) or without (false) oversold units.
    pub oversold: Option<bool>,
}

/// One RFM segment's figures.
pub struct SegmentFigures {
    row: members::SegmentRow,
    store_id: i64,
    as_of: chrono::NaiveDate,
    total_members: i64,
    total_spend: i64,
}

/// One RFM segment's figures.
#[Object]
impl SegmentFigures {
    /// The segment.
    async fn segment(&self) -> Option<MemberSegment> {
        Segment::parse(&self.row.segment).map(Into::into)
    }
    /// Members in it.
    async fn member_count(&self) -> i64 {
        self.row.members
    }
    /// Its share of members with a purchase (fraction; null when there are none).
    async fn member_share(&self) -> Option<f64> {
        ratio(self.row.members, self.total_members)
    }
    /// Its members' net spend in the window.
    async fn net_spend(&self) -> Money {
        Money(Fen(self.row.monetary))
    }
    /// Share of revenue: its net spend / all members' net spend in the window (fraction; null
    /// when nothing was spent).
    async fn revenue_share(&self) -> Option<f64> {
        ratio(self.row.monetary, self.total_spend)
    }
    /// Its members.
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Ordering (default ID).")] sort_key: Option<MemberSortKey>,
        #[graphql(desc = "Descending instead of ascending.", default)] reverse: bool,
    ) -> async_graphql::Result<MemberConnection> {
        let Some(seg) = Segment::parse(&self.row.segment) else {
            return Err(AppError::not_found("segment")).gql();
        };
        let filter = members::MemberFilter {
            store_id: Some(self.store_id),
            segment: Some(seg),
            segment_as_of: Some(self.as_of),
            ..Default::default()
        };
        let w = Window {
            first,
            after: after.as_deref(),
            last: None,
            before: None,
        };
        members::list(svc(ctx)?, filter, sort(sort_key), w, reverse)
            .await
            .map(MemberConnection)
            .gql()
    }
}

fn sort(k: Option<MemberSortKey>) -> members::MemberSort {
    match k.unwrap_or(MemberSortKey::Id) {
        MemberSortKey::Id => members::MemberSort::Id,
        MemberSortKey::LastOrderAt => members::MemberSort::LastOrderAt,
        MemberSortKey::TotalPaid => members::MemberSort::TotalPaid,
        MemberSortKey::Points => members::MemberSort::Points,
    }
}

/// Repurchase figures of a window (复购), counted in purchases (a buyer's paid orders of one
/// day are one purchase).
#[derive(SimpleObject)]
pub struct RepurchaseFigures {
    /// First day of the window (store time zone).
    pub from: Date,
    /// Last day of the window.
    pub to: Date,
    /// Buyers with at least one purchase in the window.
    pub buyers: i64,
    /// Buyers with at least two purchases (days) in the window.
    pub repeat_buyers: i64,
    /// 复购率 = repeat buyers / buyers (fraction; null without buyers).
    pub rate: Option<f64>,
}

/// RFM segmentation of a store's members as of a day (window: the 365 days ending on it).
pub struct MemberSegmentReport(members::SegmentReport);

/// RFM segmentation of a store's members as of a day (window: the 365 days ending on it).
#[Object]
impl MemberSegmentReport {
    /// The store.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        store_by_id(ctx, self.0.store_id).await
    }
    /// The day (store time zone).
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// First day of the 365-day window ending on asOf.
    async fn window_start(&self) -> Date {
        Date(self.0.window_start)
    }
    /// Members with at least one purchase by asOf (every one is in exactly one segment).
    async fn member_count(&self) -> i64 {
        self.0.members
    }
    /// Their net spend in the window.
    async fn net_spend(&self) -> Money {
        Money(Fen(self.0.monetary))
    }
    /// The seven segments, in rule order (zero counts included).
    async fn segments(&self) -> Vec<SegmentFigures> {
        self.0
            .rows
            .iter()
            .map(|r| SegmentFigures {
                row: r.clone(),
                store_id: self.0.store_id,
                as_of: self.0.as_of,
                total_members: self.0.members,
                total_spend: self.0.monetary,
            })
            .collect()
    }
    /// Repurchase in the same window.
    async fn repurchase(&self) -> RepurchaseFigures {
        let r = self.0.repurchase;
        RepurchaseFigures {
            from: Date(self.0.window_start),
            to: Date(self.0.as_of),
            buyers: r.buyers,
            repeat_buyers: r.repeat_buyers,
            rate: ratio(r.repeat_buyers, r.buyers),
        }
    }
}

#[derive(Default)]
pub struct MemberQuery;

/// Members, orders and segments.
#[Object]
impl MemberQuery {
    /// Members of the viewer's stores (MEMBER_VIEW).
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<MemberFilter>,
        #[graphql(desc = "Ordering (default ID).")] sort_key: Option<MemberSortKey>,
        #[graphql(desc = "Descending instead of ascending.", default)] reverse: bool,
    ) -> async_graphql::Result<MemberConnection> {
        let f = filter.unwrap_or_default();
        let filter = members::MemberFilter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            tier: f.tier,
            segment: f.segment.map(Into::into),
            segment_as_of: f.segment_as_of.map(|d| d.0),
            tag: f.tag,
            last_order_from: f.last_order_from.map(|d| d.0),
            last_order_to: f.last_order_to.map(|d| d.0),
            min_spend_fen: f.min_total_paid.map(|m| m.0.0),
            max_spend_fen: f.max_total_paid.map(|m| m.0.0),
            phone: f.phone,
            nick_contains: f.nick_contains,
        };
        let w = Window {
            first,
            after: after.as_deref(),
            last,
            before: before.as_deref(),
        };
        members::list(svc(ctx)?, filter, sort(sort_key), w, reverse)
            .await
            .map(MemberConnection)
            .gql()
    }

    /// One member; null when it does not exist or lies outside the viewer's stores.
    async fn member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Option<Member>> {
        let id = decode_id(&id, NodeType::Member, "id").gql()?;
        Ok(found(members::get(svc(ctx)?, id).await)?.map(Member))
    }

    /// RFM segments of a store as of a day (default today, store time zone): counts, share of
    /// members and of revenue, and each segment's members; with the window's repurchase rate.
    /// Computed in SQL over the orders.
    async fn member_segments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
        #[graphql(desc = "Calendar day in the store's time zone; default today.")] as_of: Option<
            Date,
        >,
    ) -> async_graphql::Result<MemberSegmentReport> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        members::segments(svc(ctx)?, store, as_of.map(|d| d.0))
            .await
            .map(MemberSegmentReport)
            .gql()
    }

    /// 复购率 of a window: buyers with at least two purchases in it / buyers
    /// with at least one. A purchase is a buyer's paid, not fully refunded orders of one day.
    async fn repurchase_rate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
        #[graphql(desc = "First day (store time zone).")] from: Date,
        #[graphql(desc = "Last day, inclusive.")] to: Date,
    ) -> async_graphql::Result<RepurchaseFigures> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        let r = members::repurchase(svc(ctx)?, store, from.0, to.0)
            .await
            .gql()?;
        Ok(RepurchaseFigures {
            from,
            to,
            buyers: r.buyers,
            repeat_buyers: r.repeat_buyers,
            rate: ratio(r.repeat_buyers, r.buyers),
        })
    }

    /// Orders of the viewer's stores (ORDER_VIEW), newest first unless `reverse`.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<OrderFilter>,
        #[graphql(desc = "Ordering (default CREATED_AT).")] sort_key: Option<OrderSortKey>,
        #[graphql(desc = "Oldest (or smallest) first.", default)] reverse: bool,
    ) -> async_graphql::Result<OrderConnection> {
        let f = filter.unwrap_or_default();
        let filter = orders::OrderFilter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            statuses: f
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            created_from: f.created_from.map(|d| d.0),
            created_to: f.created_to.map(|d| d.0),
            member_id: decode_opt_id(&f.member_id, NodeType::Member, "filter.memberId")?,
            consulted: f.consulted,
            channel: f.channel,
            order_no: f.order_no,
            oversold: f.oversold,
        };
        let sort = match sort_key.unwrap_or(OrderSortKey::CreatedAt) {
            OrderSortKey::CreatedAt => orders::OrderSort::CreatedAt,
            OrderSortKey::PaidAt => orders::OrderSort::PaidAt,
            OrderSortKey::Amount => orders::OrderSort::Amount,
        };
        let w = Window {
            first,
            after: after.as_deref(),
            last,
            before: before.as_deref(),
        };
        orders::list(svc(ctx)?, filter, sort, w, reverse)
            .await
            .map(OrderConnection)
            .gql()
    }

    /// One order with its lines; null when it does not exist or lies outside the viewer's
    /// stores.
    async fn order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Option<Order>> {
        let id = decode_id(&id, NodeType::Order, "id").gql()?;
        Ok(found(orders::get(svc(ctx)?, id).await)?.map(Order))
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// Input of `ordersImport`.
#[derive(InputObject)]
pub struct OrdersImportInput {
    /// The store.
    pub store_id: ID,
    /// The CSV file (GraphQL multipart upload), UTF-8, one row per order line with the columns
    /// `order_no,buyer_ref,buyer_nick,buyer_phone,status,created_at,paid_at,consulted,sku_code,quantity,unit_price,discount,paid_amount,channel`
    /// and optionally `refunded_amount`.
    pub file: async_graphql::Upload,
}

/// What an order import did.
#[derive(SimpleObject)]
pub struct OrderImportReport {
    /// Data rows (order lines) read.
    pub rows: i32,
    /// Orders created.
    pub orders_created: i32,
    /// Existing orders whose status or times changed.
    pub orders_updated: i32,
    /// Existing orders the file left as they were.
    pub orders_unchanged: i32,
    /// Members created for new buyers.
    pub members_created: i32,
    /// SALE movements written (paid lines).
    pub sale_movements: i32,
    /// RETURN movements written (lines refunded before shipping).
    pub return_movements: i32,
    /// Lines the SALE could not fully take from stock (超卖).
    pub oversold_lines: i32,
    /// Members whose tier changed.
    pub tier_changes: i32,
}

/// Result of `ordersImport`.
#[derive(SimpleObject)]
pub struct OrdersImportPayload {
    /// What was imported; null when the file was rejected.
    pub report: Option<OrderImportReport>,
    /// Each bad row and column (at most 1,000); any makes the whole file rejected with nothing
    /// written.
    pub row_errors: Vec<super::catalog::ImportRowError>,
    /// Number of row errors, including those not listed.
    pub total_row_errors: i32,
    /// Why the import was refused as a whole; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of `memberUpdate`; omitted fields stay as they are.
#[derive(InputObject)]
pub struct MemberUpdateInput {
    /// The member.
    pub id: ID,
    /// New nickname (directors and specialists).
    pub nick: Option<String>,
    /// New note; an empty string clears it.
    pub note: Option<String>,
    /// The full tag list (replaces the tags; at most 20 of 1–20 characters).
    pub tags: Option<Vec<String>>,
}

/// A member after a change.
#[derive(SimpleObject)]
pub struct MemberPayload {
    /// The member after the change; null when refused.
    pub member: Option<Member>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of `memberTagsSet`.
#[derive(InputObject)]
pub struct MemberTagsSetInput {
    /// The members (1–100, in the viewer's stores).
    pub member_ids: Vec<ID>,
    /// Tags to add.
    #[graphql(default)]
    pub add: Vec<String>,
    /// Tags to remove.
    #[graphql(default)]
    pub remove: Vec<String>,
}

/// Members after a tag change.
#[derive(SimpleObject)]
pub struct MemberTagsSetPayload {
    /// The members; empty when refused.
    pub members: Vec<Member>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of `memberPointsAdjust`.
#[derive(InputObject)]
pub struct MemberPointsAdjustInput {
    /// The member.
    pub member_id: ID,
    /// Points to add (positive) or take (negative); the balance never goes below 0.
    pub amount: i64,
    /// Why (required, kept in the ledger).
    pub reason: String,
    /// Beyond the caller's limit: file an approval request for a director instead of being
    /// refused with APPROVAL_REQUIRED.
    #[graphql(default)]
    pub request_approval: bool,
}

/// Result of `memberPointsAdjust`.
#[derive(SimpleObject)]
pub struct MemberPointsAdjustPayload {
    /// The member after the adjustment; null when refused or requested.
    pub member: Option<Member>,
    /// The ledger entry written.
    pub points_entry: Option<PointsEntry>,
    /// The approval request filed instead (requestApproval beyond the limit).
    pub approval_request: Option<ApprovalRequest>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of `memberPointsRedeem`.
#[derive(InputObject)]
pub struct MemberPointsRedeemInput {
    /// The member.
    pub member_id: ID,
    /// Points spent (1–100,000,000); the balance never goes below 0.
    pub points: i64,
    /// What they were redeemed for (gift, coupon), 1–200 characters.
    pub item: String,
}

/// Input of `memberPointsRedeemCancel`.
#[derive(InputObject)]
pub struct MemberPointsRedeemCancelInput {
    /// The REDEEM entry to cancel.
    pub entry_id: ID,
}

/// A member and the ledger entry just written.
#[derive(SimpleObject)]
pub struct MemberPointsPayload {
    /// The member after the change; null when refused.
    pub member: Option<Member>,
    /// The ledger entry written.
    pub points_entry: Option<PointsEntry>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

fn points_payload(
    res: Result<(member::Model, points_entry::Model), AppError>,
) -> async_graphql::Result<MemberPointsPayload> {
    let (v, user_errors) = split(res)?;
    let (member, points_entry) = match v {
        Some((m, e)) => (Some(Member(m)), Some(PointsEntry(e))),
        None => (None, None),
    };
    Ok(MemberPointsPayload {
        member,
        points_entry,
        user_errors,
    })
}

/// Input of `memberTierSet`.
#[derive(InputObject)]
pub struct MemberTierSetInput {
    /// The member.
    pub member_id: ID,
    /// Tier code of the store, or null for no tier.
    pub tier: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// Input of `memberPiiReveal`.
#[derive(InputObject)]
pub struct MemberPiiRevealInput {
    /// The member.
    pub member_id: ID,
    /// Why the full number is needed (audited).
    pub reason: String,
}

/// Result of `memberPiiReveal`.
#[derive(SimpleObject)]
pub struct MemberPiiRevealPayload {
    /// The full phone number; null when unknown or refused.
    pub phone: Option<String>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

/// One tier of `storeTiersSet`.
#[derive(InputObject)]
pub struct MemberTierInput {
    /// Code, 1–16 letters, digits or _.
    pub code: String,
    /// Name, 1–20 characters.
    pub name: String,
    /// Net spend in the basis window that qualifies.
    pub min_spend: Money,
    /// Purchases in the basis window that qualify.
    pub min_purchases: i32,
    /// Both thresholds needed (ALL) instead of either (ANY).
    #[graphql(default)]
    pub match_all: bool,
    /// Tier discount as a 折 pay rate in bp (9.8折 = 9800).
    pub price_rate_bp: i32,
    /// Points multiplier in bp (×1 = 10000).
    pub points_multiplier_bp: i32,
}

/// Input of `storeTiersSet`.
#[derive(InputObject)]
pub struct StoreTiersSetInput {
    /// The store.
    pub store_id: ID,
    /// Tiers, lowest first; each at least as demanding as the one before.
    pub tiers: Vec<MemberTierInput>,
    /// `ROLLING_12M` or `LIFETIME`; unchanged when omitted.
    pub tier_basis: Option<String>,
    /// Points per yuan (0–100); unchanged when omitted.
    pub points_per_yuan: Option<i32>,
}

/// A store's membership settings after a change.
#[derive(SimpleObject)]
pub struct StoreTiersSetPayload {
    /// The settings after the change; null when refused.
    pub membership: Option<StoreMembership>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

fn member_payload(res: Result<member::Model, AppError>) -> async_graphql::Result<MemberPayload> {
    let (m, user_errors) = split(res)?;
    Ok(MemberPayload {
        member: m.map(Member),
        user_errors,
    })
}

#[derive(Default)]
pub struct MemberMutation;

/// Orders import and member changes.
#[Object]
impl MemberMutation {
    /// Imports orders from a CSV file (ORDER_IMPORT), one row per order line. Every row is
    /// validated first; any error rejects the whole file and nothing is written. Orders match
    /// by `order_no`: re-importing updates status and times only, and only along the allowed
    /// transitions. Paid orders take stock (SALE, never refused: shortfalls are flagged
    /// oversold), earn points and move tiers; refunds reverse points and, before shipping, give
    /// stock back (RETURN) — each once per line. Times are RFC 3339 or local
    /// `2026-11-11 00:00:05` in the store's time zone; money is decimal.
    async fn orders_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OrdersImportInput,
    ) -> async_graphql::Result<OrdersImportPayload> {
        let svc = svc(ctx)?;
        let rejected = |user_errors: Vec<UserErrorObject>| OrdersImportPayload {
            report: None,
            row_errors: Vec::new(),
            total_row_errors: 0,
            user_errors,
        };
        let store = match decode_id(&input.store_id, NodeType::Store, "input.storeId") {
            Ok(s) => s,
            Err(AppError::Invalid(e)) => {
                return Ok(rejected(e.into_iter().map(Into::into).collect()));
            }
            Err(e) => return Err(e).gql(),
        };
        let upload = input
            .file
            .value(ctx)
            .map_err(|_| {
                AppError::invalid(
                    &["input", "file"],
                    crate::error::ErrorCode::Invalid,
                    "the file could not be read",
                )
            })
            .gql()?;
        let outcome = orders::import(
            svc,
            store,
            upload.into_read(),
            crate::service::catalog::import::no_progress(),
        )
        .await;
        let (v, user_errors) = split(outcome)?;
        Ok(match v {
            Some(orders::Outcome::Imported(r)) => OrdersImportPayload {
                report: Some(OrderImportReport {
                    rows: r.rows as i32,
                    orders_created: r.orders_created as i32,
                    orders_updated: r.orders_updated as i32,
                    orders_unchanged: r.orders_unchanged as i32,
                    members_created: r.members_created as i32,
                    sale_movements: r.sale_movements as i32,
                    return_movements: r.return_movements as i32,
                    oversold_lines: r.oversold_lines as i32,
                    tier_changes: r.tier_changes as i32,
                }),
                row_errors: Vec::new(),
                total_row_errors: 0,
                user_errors,
            },
            Some(orders::Outcome::Rejected {
                errors,
                total_errors,
            }) => OrdersImportPayload {
                report: None,
                row_errors: errors
                    .into_iter()
                    .map(|e| super::catalog::ImportRowError {
                        row: e.row as i32,
                        column: e.column,
                        message: e.message,
                    })
                    .collect(),
                total_row_errors: total_errors as i32,
                user_errors,
            },
            None => rejected(user_errors),
        })
    }

    /// Changes a member's nickname (directors and specialists), note or tags (MEMBER_EDIT).
    async fn member_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MemberUpdateInput,
    ) -> async_graphql::Result<MemberPayload> {
        let res = match decode_id(&input.id, NodeType::Member, "input.id") {
            Ok(id) => {
                members::update(
                    svc(ctx)?,
                    members::MemberUpdate {
                        id,
                        nick: input.nick,
                        note: input.note,
                        tags: input.tags,
                    },
                )
                .await
            }
            Err(e) => Err(e),
        };
        member_payload(res)
    }

    /// Adds and removes tags on up to 100 members at once (MEMBER_EDIT).
    async fn member_tags_set(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MemberTagsSetInput,
    ) -> async_graphql::Result<MemberTagsSetPayload> {
        let ids: Result<Vec<i64>, AppError> = input
            .member_ids
            .iter()
            .map(|i| decode_id(i, NodeType::Member, "input.memberIds"))
            .collect();
        let res = match ids {
            Ok(ids) => members::tags_set(svc(ctx)?, &ids, &input.add, &input.remove).await,
            Err(e) => Err(e),
        };
        let (m, user_errors) = split(res)?;
        Ok(MemberTagsSetPayload {
            members: m.unwrap_or_default().into_iter().map(Member).collect(),
            user_errors,
        })
    }

    /// Adjusts a member's points with a reason (POINTS_ADJUST): directors any amount;
    /// specialists up to the store's limit (default 500 points either way), beyond it
    /// APPROVAL_REQUIRED or, with `requestApproval`, a request for a director. A balance never
    /// goes below 0 (POINTS_INSUFFICIENT).
    async fn member_points_adjust(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MemberPointsAdjustInput,
    ) -> async_graphql::Result<MemberPointsAdjustPayload> {
        let res = match decode_id(&input.member_id, NodeType::Member, "input.memberId") {
            Ok(id) => {
                members::points_adjust(
                    svc(ctx)?,
                    members::PointsAdjust {
                        member_id: id,
                        amount: input.amount,
                        reason: input.reason,
                        request_approval: input.request_approval,
                    },
                )
                .await
            }
            Err(e) => Err(e),
        };
        let (v, user_errors) = split(res)?;
        Ok(match v {
            Some(members::AdjustOutcome::Applied(m, e)) => MemberPointsAdjustPayload {
                member: Some(Member(m)),
                points_entry: Some(PointsEntry(e)),
                approval_request: None,
                user_errors,
            },
            Some(members::AdjustOutcome::Requested(r)) => MemberPointsAdjustPayload {
                member: None,
                points_entry: None,
                approval_request: Some(ApprovalRequest(r)),
                user_errors,
            },
            None => MemberPointsAdjustPayload {
                member: None,
                points_entry: None,
                approval_request: None,
                user_errors,
            },
        })
    }

    /// Records a redemption of points (gift, coupon) as a REDEEM entry (MEMBER_EDIT). The
    /// balance never goes below 0 (POINTS_INSUFFICIENT).
    async fn member_points_redeem(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MemberPointsRedeemInput,
    ) -> async_graphql::Result<MemberPointsPayload> {
        let res = match decode_id(&input.member_id, NodeType::Member, "input.memberId") {
            Ok(id) => members::points_redeem(svc(ctx)?, id, input.points, &input.item).await,
            Err(e) => Err(e),
        };
        points_payload(res)
    }

    /// Cancels a redemption: its points come back as a REDEEM_CANCEL entry, once (MEMBER_EDIT).
    async fn member_points_redeem_cancel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MemberPointsRedeemCancelInput,
    ) -> async_graphql::Result<MemberPointsPayload> {
        let res = match decode_id(&input.entry_id, NodeType::PointsEntry, "input.entryId") {
            Ok(id) => members::points_redeem_cancel(svc(ctx)?, id).await,
            Err(e) => Err(e),
        };
        points_payload(res)
    }

    /// Sets a member's tier by hand with a reason (TIER_CONFIG, directors); it holds for one
    /// protection period, then the daily re-evaluation applies the rule again.
    async fn member_tier_set(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MemberTierSetInput,
    ) -> async_graphql::Result<MemberPayload> {
        let res = match decode_id(&input.member_id, NodeType::Member, "input.memberId") {
            Ok(id) => members::tier_set(svc(ctx)?, id, input.tier.as_deref(), &input.reason).await,
            Err(e) => Err(e),
        };
        member_payload(res)
    }

    /// Shows a member's full phone once, with a reason (specialists; directors see it anyway).
    /// Audited; at most the store's daily number per staff member (default 20), then
    /// RATE_LIMITED. Assistants: FORBIDDEN.
    async fn member_pii_reveal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MemberPiiRevealInput,
    ) -> async_graphql::Result<MemberPiiRevealPayload> {
        let res = match decode_id(&input.member_id, NodeType::Member, "input.memberId") {
            Ok(id) => members::pii_reveal(svc(ctx)?, id, &input.reason).await,
            Err(e) => Err(e),
        };
        let (v, user_errors) = split(res)?;
        Ok(MemberPiiRevealPayload {
            phone: v.flatten(),
            user_errors,
        })
    }

    /// Replaces a store's tiers (and optionally basis and points per yuan), then re-evaluates
    /// every member at once (TIER_CONFIG, directors).
    async fn store_tiers_set(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StoreTiersSetInput,
    ) -> async_graphql::Result<StoreTiersSetPayload> {
        let res = match decode_id(&input.store_id, NodeType::Store, "input.storeId") {
            Ok(id) => {
                let defs = input
                    .tiers
                    .into_iter()
                    .map(|t| members::TierDef {
                        code: t.code.trim().to_owned(),
                        name: t.name.trim().to_owned(),
                        min_spend_fen: t.min_spend.0.0,
                        min_purchases: i64::from(t.min_purchases),
                        match_rule: if t.match_all { "ALL" } else { "ANY" }.to_owned(),
                        price_rate_bp: t.price_rate_bp,
                        points_multiplier_bp: t.points_multiplier_bp,
                    })
                    .collect();
                members::store_tiers_set(
                    svc(ctx)?,
                    id,
                    defs,
                    input.tier_basis.as_deref(),
                    input.points_per_yuan,
                )
                .await
            }
            Err(e) => Err(e),
        };
        let (s, user_errors) = split(res)?;
        Ok(StoreTiersSetPayload {
            membership: s.as_ref().map(StoreMembership::of),
            user_errors,
        })
    }
}
