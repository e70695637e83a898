use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

/// Issued coupon states: CLAIMED → USED (locked to an order) → CLAIMED again if that order is
/// cancelled before payment; EXPIRED after validity; INVALIDATED when the template is cancelled.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "State")]
pub enum CouponState {
    /// Held by the member, usable inside its validity.
    Claimed,
    /// Locked to an order (`orderRef`); back to CLAIMED if that order is cancelled before
    /// payment and the coupon is still valid.
    Used,
    /// Validity over.
    Expired,
    /// Its template was cancelled.
    Invalidated,
}

/// A coupon issued to a member.
pub struct Coupon(pub coupon_row::Model);

impl From<coupon_row::Model> for Coupon {
    fn from(m: coupon_row::Model) -> Self {
        Self(m)
    }
}

/// A coupon issued to a member.
#[Object]
impl Coupon {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::Coupon, self.0.id)
    }
    /// The code a quote or redemption names.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The state now (a CLAIMED coupon past its validity reads EXPIRED).
    async fn state(&self, ctx: &Context<'_>) -> async_graphql::Result<CouponState> {
        coupons::effective_state(&self.0, svc(ctx)?.now())
            .map(Into::into)
            .gql()
    }
    /// Usable from.
    async fn valid_from(&self) -> DateTime {
        DateTime(self.0.valid_from)
    }
    /// Usable until (exclusive).
    async fn valid_until(&self) -> DateTime {
        DateTime(self.0.valid_until)
    }
    /// When it was issued.
    async fn claimed_at(&self) -> DateTime {
        DateTime(self.0.claimed_at)
    }
    /// When it was locked to an order.
    async fn used_at(&self) -> Option<DateTime> {
        self.0.used_at.map(DateTime)
    }
    /// The order it is locked to.
    async fn order_ref(&self) -> Option<&str> {
        self.0.order_ref.as_deref()
    }
    /// The template.
    async fn template(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Promotion>> {
        let l = ctx.data::<Loaders>()?;
        l.promotions()
            .load_one(self.0.template_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Promotion::try_from)
            .transpose()
    }
    /// The member holding it.
    async fn member(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        let l = ctx.data::<Loaders>()?;
        Ok(l.members()
            .load_one(self.0.member_id)
            .await
            .map_err(loaders::gql_err)?
            .map(Member))
    }
}

connection!(
    CouponConnection,
    CouponEdge,
    Coupon,
    coupon_row::Entity,
    "issued coupons"
);

// ---------------------------------------------------------------- quote output

/// Why a coupon was not used in a quote.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "engine::CouponReject")]
pub enum CouponRejectReason {
    /// Another store coupon gave more (one per order).
    OneStoreCouponPerOrder,
    /// Another item coupon gave more on that product (one per product).
    OneItemCouponPerProduct,
    /// Another platform coupon gave more (one per order).
    OnePlatformCouponPerOrder,
    /// The eligible lines' item-level amounts stay below its threshold.
    ThresholdNotMet,
    /// No line it may apply to (scope, audience, stackability), unknown code, or already used.
    NotApplicable,
    /// Outside its validity at the quote's time.
    NotValidAtTime,
    /// The quote's member does not hold it.
    NotOwned,
    /// Picked from the member's wallet, another coupon was better.
    NotBest,
}

/// `couponIssue`: to members, or to every member of an RFM segment.
#[derive(InputObject)]
pub struct CouponIssueInput {
    /// The coupon template (ACTIVE, claim window open).
    pub template_id: ID,
    /// Members to issue to (one coupon each).
    pub member_ids: Option<Vec<ID>>,
    /// Or: every member in this RFM segment today.
    pub segment: Option<MemberSegment>,
    /// Idempotency key (1–64 characters): repeating the call with the same key returns the
    /// coupons it issued and issues nothing more.
    pub client_key: String,
}

/// Result of `couponIssue`.
#[derive(SimpleObject)]
pub struct CouponIssuePayload {
    /// The coupons issued under this key (also those of an earlier identical call).
    pub coupons: Vec<Coupon>,
    /// Why it was refused (nothing issued).
    pub user_errors: Vec<UserErrorObject>,
}

/// `couponRedeem`.
#[derive(InputObject)]
pub struct CouponRedeemInput {
    /// The coupon code.
    pub code: String,
    /// The order it is used on (order number).
    pub order_ref: String,
}

/// `couponRelease`.
#[derive(InputObject)]
pub struct CouponReleaseInput {
    /// The coupon code.
    pub code: String,
}

/// Result of `couponRedeem` / `couponRelease`.
#[derive(SimpleObject)]
pub struct CouponPayload {
    /// The coupon after the change.
    pub coupon: Option<Coupon>,
    /// Why it was refused.
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(Default)]
pub struct CouponQuery;

#[relay_pages]
#[Object]
impl CouponQuery {
    /// Issued coupons (PROMO_VIEW), inside the viewer's stores, in issue order.
    async fn coupons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<CouponFilter>,
        #[graphql(desc = "Descending.", default)] reverse: bool,
        page: RelayPage,
    ) -> async_graphql::Result<CouponConnection> {
        let f = filter.unwrap_or_default();
        let filter = coupons::Filter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            template_id: decode_opt_id(&f.template_id, NodeType::Promotion, "filter.templateId")?,
            member_id: decode_opt_id(&f.member_id, NodeType::Member, "filter.memberId")?,
            states: f
                .states
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        let w = page.window();
        let args = crate::service::kernel::page::PageArgs::parse(w, reverse, "ID").gql()?;
        coupons::list(svc(ctx)?, &filter, &args)
            .await
            .map(CouponConnection)
            .gql()
    }
}

#[derive(Default)]
pub struct CouponMutation;

#[Object]
impl CouponMutation {
    /// Issues coupons (PROMO_CONTROL) from an ACTIVE template inside its claim window, one per
    /// member, to the members named or to a whole RFM segment. Refused whole, nothing issued,
    /// past the total quantity (COUPON_QUANTITY_EXCEEDED), past a member's per-buyer limit
    /// (COUPON_PER_BUYER_LIMIT) or for a member outside the audience; safe under concurrent
    /// calls. Idempotent per `clientKey`.
    async fn coupon_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CouponIssueInput,
    ) -> async_graphql::Result<CouponIssuePayload> {
        let req = (|| -> Result<coupons::Issue, AppError> {
            let template_id =
                decode_id(&input.template_id, NodeType::Promotion, "input.templateId")?;
            let to = match (&input.member_ids, input.segment) {
                (Some(ids), None) => coupons::Recipients::Members(decode_ids(
                    ids,
                    NodeType::Member,
                    "input.memberIds",
                )?),
                (None, Some(s)) => coupons::Recipients::Segment(s.into()),
                _ => {
                    return Err(AppError::invalid(
                        &["input"],
                        ErrorCode::Invalid,
                        "give memberIds or segment",
                    ));
                }
            };
            Ok(coupons::Issue {
                template_id,
                to,
                client_key: input.client_key.clone(),
            })
        })();
        let res = match req {
            Ok(r) => coupons::issue(svc(ctx)?, r).await,
            Err(e) => Err(e),
        };
        let (v, user_errors) = split(res)?;
        Ok(CouponIssuePayload {
            coupons: v.unwrap_or_default().into_iter().map(Coupon).collect(),
            user_errors,
        })
    }

    /// Locks a CLAIMED coupon valid now to an order (PROMO_CONTROL): USED.
    async fn coupon_redeem(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CouponRedeemInput,
    ) -> async_graphql::Result<CouponPayload> {
        let (c, user_errors) =
            split(coupons::redeem(svc(ctx)?, &input.code, &input.order_ref).await)?;
        Ok(CouponPayload {
            coupon: c.map(Coupon),
            user_errors,
        })
    }

    /// Releases a USED coupon whose order was cancelled before payment (PROMO_CONTROL): CLAIMED
    /// again, or EXPIRED if its validity has passed. A coupon of an order refunded after payment
    /// is not returned.
    async fn coupon_release(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CouponReleaseInput,
    ) -> async_graphql::Result<CouponPayload> {
        let (c, user_errors) = split(coupons::release(svc(ctx)?, &input.code).await)?;
        Ok(CouponPayload {
            coupon: c.map(Coupon),
            user_errors,
        })
    }
}
