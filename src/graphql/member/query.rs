use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

#[derive(Default)]
pub struct MemberQuery;

#[relay_pages]
#[Object]
impl MemberQuery {
    /// Members of the viewer's stores (MEMBER_VIEW).
    async fn members(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
        #[graphql(desc = "Filters.")] filter: Option<MemberFilter>,
        #[graphql(desc = "Ordering (default ID).")] sort_key: Option<MemberSortKey>,
        #[graphql(desc = "Descending instead of ascending.", default)] reverse: bool,
    ) -> async_graphql::Result<MemberConnection> {
        let filter = filter.unwrap_or_default().into_service()?;
        let w = page.window();
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
}
