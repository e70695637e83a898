use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

#[derive(Default)]
pub struct PromotionQuery;

#[relay_pages]
#[Object]
impl PromotionQuery {
    /// Promotions and coupon templates (PROMO_VIEW), inside the viewer's stores.
    async fn promotions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<PromotionFilter>,
        #[graphql(desc = "Ordering (default ID).")] sort_key: Option<PromotionSortKeys>,
        #[graphql(desc = "Descending.", default)] reverse: bool,
        page: RelayPage,
    ) -> async_graphql::Result<PromotionConnection> {
        let f = filter.unwrap_or_default();
        let filter = promos::Filter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            kinds: f
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: f
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            active_at: f.active_at.map(|d| d.0),
            product_id: decode_opt_id(&f.product_id, NodeType::Product, "filter.productId")?,
            sku_id: decode_opt_id(&f.sku_id, NodeType::Sku, "filter.skuId")?,
        };
        let sort = match sort_key.unwrap_or_default() {
            PromotionSortKeys::Id => (promos::SortKey::Id, "ID"),
            PromotionSortKeys::StartAt => (promos::SortKey::StartAt, "START_AT"),
            PromotionSortKeys::EndAt => (promos::SortKey::EndAt, "END_AT"),
        };
        let w = page.window();
        let args = crate::service::kernel::page::PageArgs::parse(w, reverse, sort.1).gql()?;
        promos::list(svc(ctx)?, &filter, sort.0, &args)
            .await
            .map(PromotionConnection)
            .gql()
    }

    /// Only coupon templates (PROMO_VIEW): `promotions` with kind COUPON.
    async fn coupon_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<CouponTemplateFilter>,
        page: RelayPage,
    ) -> async_graphql::Result<PromotionConnection> {
        let f = filter.unwrap_or_default();
        let filter = promos::Filter {
            store_id: decode_opt_id(&f.store_id, NodeType::Store, "filter.storeId")?,
            kinds: vec![engine::Kind::Coupon],
            statuses: f
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            ..Default::default()
        };
        let w = page.window();
        let args = crate::service::kernel::page::PageArgs::parse(w, false, "ID").gql()?;
        promos::list(svc(ctx)?, &filter, promos::SortKey::Id, &args)
            .await
            .map(PromotionConnection)
            .gql()
    }

    /// One promotion (PROMO_VIEW); null when absent or in another store.
    async fn promotion(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Option<Promotion>> {
        let id = decode_id(&id, NodeType::Promotion, "id").gql()?;
        found(promos::get(svc(ctx)?, id).await)?
            .map(Promotion::try_from)
            .transpose()
    }
}
