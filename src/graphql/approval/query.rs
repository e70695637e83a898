use super::*;

#[derive(Default)]
pub struct ApprovalQuery;

#[Object]
impl ApprovalQuery {
    /// The approval queue of the viewer's stores, newest first.
    #[graphql(
        complexity = "crate::graphql::kernel::cost::page_cost(first, last, child_complexity)"
    )]
    async fn approval_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<ApprovalRequestFilter>,
    ) -> async_graphql::Result<ApprovalRequestConnection> {
        let f = filter.unwrap_or_default();
        let filter = approval::Filter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            status: f.status.map(Into::into),
            kind: f.kind.map(Into::into),
            resolvable_by_me: f.resolvable_by_me,
        };
        approval::list(
            svc(ctx)?,
            filter,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
        )
        .await
        .map(ApprovalRequestConnection)
        .gql()
    }
}
