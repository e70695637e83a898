use super::*;

#[derive(Default)]
pub struct MemberMutation;

#[Object]
impl MemberMutation {
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
        let (applied, approval_request, user_errors) = split_outcome(res)?;
        let (member, entry) = applied.unzip();
        Ok(MemberPointsAdjustPayload {
            member: member.map(Member),
            points_entry: entry.map(PointsEntry),
            approval_request,
            user_errors,
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
            membership: s.as_ref().map(StoreMembership::of).transpose().gql()?,
            user_errors,
        })
    }
}
