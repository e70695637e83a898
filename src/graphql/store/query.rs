use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

#[derive(Default)]
pub struct StoreQuery;

#[relay_pages]
#[Object]
impl StoreQuery {
    /// One store. NOT_FOUND when it does not exist or is not assigned to the viewer.
    async fn store(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the store.")] id: ID,
    ) -> async_graphql::Result<Store> {
        let id = decode_id(&id, NodeType::Store, "id").gql()?;
        service::store::get(svc(ctx)?, id)
            .await
            .map(Store::from)
            .gql()
    }

    /// The viewer's stores (directors: all), keyset-paginated.
    async fn stores(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
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
        service::store::list(svc(ctx)?, f, sort, page.window(), reverse)
            .await
            .map(StoreConnection)
            .gql()
    }
}
