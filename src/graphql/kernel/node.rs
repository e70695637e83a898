use super::*;
use crate::service::kernel::scope::{viewable, viewable_by_ids};

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Store(Store),
    StaffMember(StaffMember),
    AuditLogEntry(AuditLogEntry),
    Category(crate::graphql::catalog::Category),
    Product(crate::graphql::catalog::Product),
    Sku(crate::graphql::catalog::Sku),
    InventoryMovement(crate::graphql::inventory::InventoryMovement),
    ApprovalRequest(crate::graphql::approval::ApprovalRequest),
    PriceChange(crate::graphql::pricing::PriceChange),
    ComplianceAllowlistEntry(crate::graphql::compliance::ComplianceAllowlistEntry),
    Member(crate::graphql::member::Member),
    Order(crate::graphql::order::Order),
    OrderLine(crate::graphql::order::OrderLine),
    PointsEntry(crate::graphql::member::PointsEntry),
    TierChange(crate::graphql::member::TierChange),
    ItemDiscountPromotion(crate::graphql::promotion::ItemDiscountPromotion),
    FullReductionPromotion(crate::graphql::promotion::FullReductionPromotion),
    FullDiscountPromotion(crate::graphql::promotion::FullDiscountPromotion),
    NthItemPromotion(crate::graphql::promotion::NthItemPromotion),
    BundlePromotion(crate::graphql::promotion::BundlePromotion),
    GiftPromotion(crate::graphql::promotion::GiftPromotion),
    FreeShippingPromotion(crate::graphql::promotion::FreeShippingPromotion),
    CouponTemplate(crate::graphql::promotion::CouponTemplate),
    MemberPricePromotion(crate::graphql::promotion::MemberPricePromotion),
    Coupon(crate::graphql::promotion::Coupon),
}

pub(crate) async fn resolve_node(
    ctx: &Context<'_>,
    gid: GlobalId,
) -> async_graphql::Result<Option<Node>> {
    let svc = svc(ctx)?;
    svc.viewer.staff().gql()?;
    let loaders = ctx.data::<loaders::Loaders>()?;
    let node = match gid.node_type {
        NodeType::Store => loaders
            .stores()
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(|m| Node::Store(Store(m))),
        NodeType::StaffMember => loaders
            .staff()
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(|m| Node::StaffMember(StaffMember(m))),
        NodeType::AuditLogEntry => found(service::kernel::audit::get(svc, gid.id).await)?
            .map(|m| Node::AuditLogEntry(AuditLogEntry(m))),
        NodeType::Category => loaders
            .categories()
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(|m| Node::Category(catalog::Category(m))),
        NodeType::Product => loaders
            .products()
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(|m| Node::Product(catalog::Product(m))),
        NodeType::Sku => {
            found(service::catalog::sku_get(svc, gid.id).await)?.map(|m| Node::Sku(catalog::Sku(m)))
        }
        NodeType::InventoryMovement => {
            found(viewable::<entity::inventory_movement::Entity>(svc, gid.id).await)?
                .map(|m| Node::InventoryMovement(crate::graphql::inventory::InventoryMovement(m)))
        }
        NodeType::ApprovalRequest => found(service::approval::get(svc, gid.id).await)?
            .map(|m| Node::ApprovalRequest(crate::graphql::approval::ApprovalRequest(m))),
        NodeType::ComplianceAllowlistEntry => found(service::compliance::get(svc, gid.id).await)?
            .map(|m| {
                Node::ComplianceAllowlistEntry(
                    crate::graphql::compliance::ComplianceAllowlistEntry(m),
                )
            }),
        NodeType::PriceChange => found(service::pricing::change_get(svc, gid.id).await)?
            .map(|m| Node::PriceChange(crate::graphql::pricing::PriceChange(m))),
        NodeType::Member => found(service::member::get(svc, gid.id).await)?
            .map(|m| Node::Member(crate::graphql::member::Member(m))),
        NodeType::Order => found(viewable::<entity::sales_order::Entity>(svc, gid.id).await)?
            .map(|m| Node::Order(crate::graphql::order::Order(m))),
        NodeType::OrderLine => found(viewable::<entity::order_line::Entity>(svc, gid.id).await)?
            .map(|m| Node::OrderLine(crate::graphql::order::OrderLine(m))),
        NodeType::PointsEntry => {
            found(viewable::<entity::points_entry::Entity>(svc, gid.id).await)?
                .map(|m| Node::PointsEntry(crate::graphql::member::PointsEntry(m)))
        }
        NodeType::TierChange => found(viewable::<entity::tier_change::Entity>(svc, gid.id).await)?
            .map(|m| Node::TierChange(crate::graphql::member::TierChange(m))),
        NodeType::Promotion => loaders
            .promotions()
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(crate::graphql::promotion::Promotion::node)
            .transpose()?,
        NodeType::Coupon => viewable_by_ids::<entity::coupon::Entity>(svc, &[gid.id])
            .await
            .gql()?
            .into_iter()
            .next()
            .map(|m| Node::Coupon(crate::graphql::promotion::Coupon(m))),
    };
    Ok(node)
}

pub(crate) fn not_found() -> AppError {
    AppError::not_found("node")
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by global ID, with the same permission and store checks as the typed
    /// queries: an object outside the viewer's stores is NOT_FOUND. A malformed ID is
    /// BAD_USER_INPUT.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        let gid = GlobalId::decode(&id)
            .ok_or_else(|| AppError::invalid(&["id"], ErrorCode::BadUserInput, "malformed ID"))
            .gql()?;
        match resolve_node(ctx, gid).await? {
            Some(n) => Ok(Some(n)),
            None => Err(not_found()).gql(),
        }
    }

    /// Several objects by global ID (at most 100), in the order given; `null` for each ID that
    /// does not exist or lies outside the viewer's stores.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global IDs, at most 100.")] ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > 100 {
            return Err(AppError::invalid(
                &["ids"],
                ErrorCode::BadUserInput,
                "at most 100 ids",
            ))
            .gql();
        }
        let gids = ids
            .iter()
            .map(|id| GlobalId::decode(id))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| AppError::invalid(&["ids"], ErrorCode::BadUserInput, "malformed ID"))
            .gql()?;
        let futures = gids.into_iter().map(|g| resolve_node(ctx, g));
        futures_util::future::join_all(futures)
            .await
            .into_iter()
            .collect()
    }
}
