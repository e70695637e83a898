use super::*;

#[derive(Default)]
pub struct StoreQuery;

#[Object]
impl StoreQuery {
    /// One store. NOT_FOUND when it does not exist or is not assigned to the viewer.
    async fn store(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the store.")] id: ID,
    ) -> async_graphql::Result<Store> {
        let id = decode_id(&id, NodeType::Store, "id").gql()?;
        service::store::get(svc(ctx)?, id).await.map(Store).gql()
    }

    /// The viewer's stores (directors: all), keyset-paginated.
    #[graphql(
        complexity = "crate::graphql::kernel::cost::page_cost(first, last, child_complexity)"
    )]
    async fn stores(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<StoreFilter>,
        #[graphql(desc = "Ordering (default ID).", default)] sort_key: StoreSortKeys,
        #[graphql(desc = "Reverse the ordering.", default)] reverse: bool,
    ) -> async_graphql::Result<StoreConnection> {
        let filter = filter.unwrap_or_default();
        let sort = match sort_key {
            StoreSortKeys::Id => service::store::SortKey::Id,
            StoreSortKeys::Name => service::store::SortKey::Name,
            StoreSortKeys::CreatedAt => service::store::SortKey::CreatedAt,
            StoreSortKeys::UpdatedAt => service::store::SortKey::UpdatedAt,
        };
        let f = service::store::Filter {
            platform: filter.platform.map(|p| p.as_str().to_owned()),
            name_contains: filter.name_contains,
        };
        service::store::list(
            svc(ctx)?,
            f,
            sort,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            reverse,
        )
        .await
        .map(StoreConnection)
        .gql()
    }
}
