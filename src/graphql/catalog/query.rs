use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};
use crate::service::kernel::scope::viewable;

#[derive(Default)]
pub struct CatalogQuery;

#[relay_pages]
#[Object]
impl CatalogQuery {
    /// One category.
    async fn category(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Category> {
        let id = decode_id(&id, NodeType::Category, "id").gql()?;
        cat::category_get(svc(ctx)?, id).await.map(Category).gql()
    }

    /// A store's categories in tree order (by path).
    async fn categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters: the store, and optionally a parent.")] filter: CategoryFilter,
        page: RelayPage,
    ) -> async_graphql::Result<CategoryConnection> {
        let store = decode_id(&filter.store_id, NodeType::Store, "filter.storeId").gql()?;
        let parent = decode_opt_id(&filter.parent_id, NodeType::Category, "filter.parentId")?;
        cat::category_list(svc(ctx)?, store, parent, page.window())
            .await
            .map(CategoryConnection)
            .gql()
    }

    /// One product.
    async fn product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Product> {
        let id = decode_id(&id, NodeType::Product, "id").gql()?;
        viewable::<entity::product::Entity>(svc(ctx)?, id)
            .await
            .map(Product)
            .gql()
    }

    /// Products of the viewer's stores.
    async fn products(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
        #[graphql(desc = "Filters.")] filter: Option<ProductFilter>,
        #[graphql(desc = "Ordering (default UPDATED_AT).", default)] sort_key: ProductSortKeys,
        #[graphql(desc = "Reverse the ordering.", default)] reverse: bool,
    ) -> async_graphql::Result<ProductConnection> {
        let f = filter.unwrap_or_default();
        let filter = cat::ProductFilter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            category_id: decode_opt_id(&f.category_id, NodeType::Category, "filter.categoryId")?,
            status: f.status.map(Into::into),
            title_contains: f.title_contains,
            price_min_fen: f.price_min.map(|m| m.0.0),
            price_max_fen: f.price_max.map(|m| m.0.0),
            low_stock: f.low_stock,
        };
        let sort = match sort_key {
            ProductSortKeys::UpdatedAt => cat::ProductSort::UpdatedAt,
            ProductSortKeys::CreatedAt => cat::ProductSort::CreatedAt,
            ProductSortKeys::Title => cat::ProductSort::Title,
            ProductSortKeys::Price => cat::ProductSort::Price,
            ProductSortKeys::Stock => cat::ProductSort::Stock,
        };
        cat::product_list(svc(ctx)?, filter, sort, page.window(), reverse)
            .await
            .map(ProductConnection)
            .gql()
    }

    /// A SKU by its code (商家编码) in a store.
    async fn sku_by_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
        #[graphql(desc = "SKU code.")] code: String,
    ) -> async_graphql::Result<Sku> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        cat::sku_by_code(svc(ctx)?, store, &code)
            .await
            .map(Sku)
            .gql()
    }
}
