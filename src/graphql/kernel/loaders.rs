//! Per-request DataLoaders. Built for each request with that request's viewer, so store scope
//! applies to every batch and no cache is shared across viewers.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{category, product, sku, staff, store};

use crate::error::AppError;
use crate::service::{self, ServiceCtx};

pub struct Loaders {
    pub stores: DataLoader<StoreLoader>,
    pub staff: DataLoader<StaffLoader>,
    pub staff_stores: DataLoader<StaffStoresLoader>,
    pub categories: DataLoader<CategoryLoader>,
    pub products: DataLoader<ProductLoader>,
    pub product_skus: DataLoader<ProductSkusLoader>,
    pub allowlists: DataLoader<AllowlistLoader>,
    pub skus: DataLoader<SkuLoader>,
    pub members: DataLoader<MemberLoader>,
    pub member_tags: DataLoader<MemberTagsLoader>,
    pub order_lines: DataLoader<OrderLinesLoader>,
    pub rfm: DataLoader<RfmLoader>,
    pub promotions: DataLoader<PromotionLoader>,
}

impl Loaders {
    pub fn new(ctx: &ServiceCtx) -> Self {
        Self {
            stores: DataLoader::new(StoreLoader(ctx.clone()), tokio::spawn),
            staff: DataLoader::new(StaffLoader(ctx.clone()), tokio::spawn),
            staff_stores: DataLoader::new(StaffStoresLoader(ctx.clone()), tokio::spawn),
            categories: DataLoader::new(CategoryLoader(ctx.clone()), tokio::spawn),
            products: DataLoader::new(ProductLoader(ctx.clone()), tokio::spawn),
            product_skus: DataLoader::new(ProductSkusLoader(ctx.clone()), tokio::spawn),
            allowlists: DataLoader::new(AllowlistLoader(ctx.clone()), tokio::spawn),
            skus: DataLoader::new(SkuLoader(ctx.clone()), tokio::spawn),
            members: DataLoader::new(MemberLoader(ctx.clone()), tokio::spawn),
            member_tags: DataLoader::new(MemberTagsLoader(ctx.clone()), tokio::spawn),
            order_lines: DataLoader::new(OrderLinesLoader(ctx.clone()), tokio::spawn),
            rfm: DataLoader::new(RfmLoader(ctx.clone()), tokio::spawn),
            promotions: DataLoader::new(PromotionLoader(ctx.clone()), tokio::spawn),
        }
    }
}

/// Stores by id, within the viewer's scope.
pub struct StoreLoader(pub(crate) ServiceCtx);

impl Loader<i64> for StoreLoader {
    type Value = store::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service::store::by_ids(&self.0, keys)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// Promotions and coupon templates by id, within the viewer's stores.
pub struct PromotionLoader(pub(crate) ServiceCtx);

impl Loader<i64> for PromotionLoader {
    type Value = entity::promotion::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service::promotion::by_ids(&self.0, keys)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// Staff members by id, within the viewer's visibility.
pub struct StaffLoader(pub(crate) ServiceCtx);

impl Loader<i64> for StaffLoader {
    type Value = staff::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service::account::staff::by_ids(&self.0, keys)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// Store ids assigned to each staff member (only stores the viewer sees).
pub struct StaffStoresLoader(pub(crate) ServiceCtx);

impl Loader<i64> for StaffStoresLoader {
    type Value = Vec<i64>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::account::staff::store_ids_by_staff(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Categories by id, within the viewer's scope.
pub struct CategoryLoader(pub(crate) ServiceCtx);

impl Loader<i64> for CategoryLoader {
    type Value = category::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service::catalog::categories_by_ids(&self.0, keys)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// Products by id, within the viewer's scope.
pub struct ProductLoader(pub(crate) ServiceCtx);

impl Loader<i64> for ProductLoader {
    type Value = product::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service::catalog::products_by_ids(&self.0, keys)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// SKUs of each product, within the viewer's scope.
pub struct ProductSkusLoader(pub(crate) ServiceCtx);

impl Loader<i64> for ProductSkusLoader {
    type Value = Vec<sku::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::catalog::skus_by_products(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Compliance allow-list phrases of each store.
pub struct AllowlistLoader(pub(crate) ServiceCtx);

impl Loader<i64> for AllowlistLoader {
    type Value = Vec<String>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::compliance::phrases_by_store(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Converts a loader error into a GraphQL error with its code.
pub fn gql_err(e: Arc<AppError>) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    e.as_ref().extend()
}

/// SKUs by id, within the viewer's scope.
pub struct SkuLoader(pub(crate) ServiceCtx);

impl Loader<i64> for SkuLoader {
    type Value = sku::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service::catalog::skus_by_ids(&self.0, keys)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// Members by id, within the viewer's scope.
pub struct MemberLoader(pub(crate) ServiceCtx);

impl Loader<i64> for MemberLoader {
    type Value = entity::member::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service::member::by_ids(&self.0, keys)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// Tags of each member (the member was already loaded in scope).
pub struct MemberTagsLoader(pub(crate) ServiceCtx);

impl Loader<i64> for MemberTagsLoader {
    type Value = Vec<String>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::member::tags_of(&self.0.db, keys)
            .await
            .map_err(Arc::new)
    }
}

/// Lines of each order (the order was already loaded in scope).
pub struct OrderLinesLoader(pub(crate) ServiceCtx);

impl Loader<i64> for OrderLinesLoader {
    type Value = Vec<entity::order_line::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::order::lines_of(&self.0.db, keys)
            .await
            .map_err(Arc::new)
    }
}

/// RFM figures keyed by (store, epoch day, member): one SQL query per store and day.
pub struct RfmLoader(pub(crate) ServiceCtx);

impl Loader<(i64, i32, i64)> for RfmLoader {
    type Value = service::member::RfmRow;
    type Error = Arc<AppError>;

    async fn load(
        &self,
        keys: &[(i64, i32, i64)],
    ) -> Result<HashMap<(i64, i32, i64), Self::Value>, Self::Error> {
        let mut groups: HashMap<(i64, i32), Vec<i64>> = HashMap::new();
        for (s, d, m) in keys {
            groups.entry((*s, *d)).or_default().push(*m);
        }
        let mut out = HashMap::new();
        for ((store, day), ids) in groups {
            let rows =
                service::member::rfm_of(&self.0.db, store, service::member::day_date(day), &ids)
                    .await
                    .map_err(Arc::new)?;
            out.extend(rows.into_iter().map(|r| ((store, day, r.member_id), r)));
        }
        Ok(out)
    }
}
