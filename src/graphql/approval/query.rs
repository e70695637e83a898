use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

#[derive(Default)]
pub struct ApprovalQuery;

#[relay_pages]
#[Object]
impl ApprovalQuery {
    /// The approval queue of the viewer's stores, newest first.
    async fn approval_requests(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
        #[graphql(desc = "Filters.")] filter: Option<ApprovalRequestFilter>,
    ) -> async_graphql::Result<ApprovalRequestConnection> {
        let f = filter.unwrap_or_default();
        let filter = approval::Filter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            status: f.status.map(Into::into),
            kind: f.kind.map(Into::into),
            resolvable_by_me: f.resolvable_by_me,
        };
        approval::list(svc(ctx)?, filter, page.window())
            .await
            .map(ApprovalRequestConnection)
            .gql()
    }
}
