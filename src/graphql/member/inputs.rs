use super::*;

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

impl MemberFilter {
    /// The service's filter, with global IDs decoded (BAD_USER_INPUT naming the field).
    pub(crate) fn into_service(self) -> async_graphql::Result<members::MemberFilter> {
        Ok(members::MemberFilter {
            store_id: decode_opt_id(&self.store_id, NodeType::Store, "filter.storeId")?,
            tier: self.tier,
            segment: self.segment.map(Into::into),
            segment_as_of: self.segment_as_of.map(|d| d.0),
            tag: self.tag,
            last_order_from: self.last_order_from.map(|d| d.0),
            last_order_to: self.last_order_to.map(|d| d.0),
            min_spend_fen: self.min_total_paid.map(|m| m.0.0),
            max_spend_fen: self.max_total_paid.map(|m| m.0.0),
            phone: self.phone,
            nick_contains: self.nick_contains,
        })
    }
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

pub(crate) fn points_payload(
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

pub(crate) fn member_payload(
    res: Result<member::Model, AppError>,
) -> async_graphql::Result<MemberPayload> {
    let (m, user_errors) = split(res)?;
    Ok(MemberPayload {
        member: m.map(Member),
        user_errors,
    })
}
