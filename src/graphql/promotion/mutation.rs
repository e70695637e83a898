use super::*;

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
}

/// The lifecycle mutations: one service call on one promotion.
pub(crate) enum Lifecycle<'a> {
    Submit,
    Approve,
    Reject(&'a str),
    Withdraw,
    Control(Control),
}

pub(crate) async fn lifecycle(
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
