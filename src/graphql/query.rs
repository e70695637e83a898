//! Query root.

use async_graphql::{Context, Enum, ID, InputObject, Object};

use super::scalars::DateTime;
use super::types::{
    AuditLogEntry, AuditLogEntryConnection, Node, PermissionMatrixRow, Platform, StaffMember,
    StaffMemberConnection, Store, StoreConnection, Viewer,
};
use super::{catalog, decode_id, decode_opt_id, found, loaders, svc};
use crate::auth::{Role, matrix};
use crate::domain::{GlobalId, NodeType};
use crate::error::{AppError, ErrorCode, GqlResultExt};
use crate::service;
use crate::service::kernel::page::Window;

#[derive(Default)]
pub struct Query;

/// Orderings of `stores`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreSortKeys {
    /// Creation order (default).
    #[default]
    Id,
    /// By name.
    Name,
    /// By creation time.
    CreatedAt,
    /// By last change.
    UpdatedAt,
}

/// Filters of `stores`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct StoreFilter {
    /// Only stores on this marketplace.
    pub platform: Option<Platform>,
    /// Only stores whose name contains this text.
    pub name_contains: Option<String>,
}

/// Orderings of `staffMembers`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum StaffMemberSortKeys {
    /// Creation order (default).
    #[default]
    Id,
    /// By display name.
    DisplayName,
    /// By creation time.
    CreatedAt,
}

/// Filters of `staffMembers`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct StaffMemberFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) accounts.
    pub active: Option<bool>,
    /// Only staff assigned to this store.
    pub store_id: Option<ID>,
    /// Display name or username contains this text.
    pub search: Option<String>,
}

/// Filters of `auditLog`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Only entries of this store.
    pub store_id: Option<ID>,
    /// Only entries by this staff member.
    pub actor_id: Option<ID>,
    /// Only this action, e.g. `store.update`.
    pub action: Option<String>,
    /// Only entries about this object (global ID of a store or staff member).
    pub target_id: Option<ID>,
    /// Only entries at or after this time.
    pub created_after: Option<DateTime>,
    /// Only entries before this time.
    pub created_before: Option<DateTime>,
}

async fn resolve_node(ctx: &Context<'_>, gid: GlobalId) -> async_graphql::Result<Option<Node>> {
    let svc = svc(ctx)?;
    svc.viewer.staff().gql()?;
    let loaders = ctx.data::<loaders::Loaders>()?;
    let node = match gid.node_type {
        NodeType::Store => loaders
            .stores
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(|m| Node::Store(Store(m))),
        NodeType::StaffMember => loaders
            .staff
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(|m| Node::StaffMember(StaffMember(m))),
        NodeType::AuditLogEntry => found(service::kernel::audit::get(svc, gid.id).await)?
            .map(|m| Node::AuditLogEntry(AuditLogEntry(m))),
        NodeType::Category => loaders
            .categories
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(|m| Node::Category(catalog::Category(m))),
        NodeType::Product => loaders
            .products
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(|m| Node::Product(catalog::Product(m))),
        NodeType::Sku => {
            found(service::catalog::sku_get(svc, gid.id).await)?.map(|m| Node::Sku(catalog::Sku(m)))
        }
        NodeType::InventoryMovement => found(service::inventory::movement_get(svc, gid.id).await)?
            .map(|m| Node::InventoryMovement(catalog::InventoryMovement(m))),
        NodeType::ApprovalRequest => found(service::approval::get(svc, gid.id).await)?
            .map(|m| Node::ApprovalRequest(super::pricing::ApprovalRequest(m))),
        NodeType::ComplianceAllowlistEntry => found(service::compliance::get(svc, gid.id).await)?
            .map(|m| Node::ComplianceAllowlistEntry(catalog::ComplianceAllowlistEntry(m))),
        NodeType::PriceChange => found(service::pricing::change_get(svc, gid.id).await)?
            .map(|m| Node::PriceChange(super::pricing::PriceChange(m))),
        NodeType::Member => found(service::member::get(svc, gid.id).await)?
            .map(|m| Node::Member(super::members::Member(m))),
        NodeType::Order => found(service::order::get(svc, gid.id).await)?
            .map(|m| Node::Order(super::members::Order(m))),
        NodeType::OrderLine => found(service::order::line_get(svc, gid.id).await)?
            .map(|m| Node::OrderLine(super::members::OrderLine(m))),
        NodeType::PointsEntry => found(service::member::points_entry_get(svc, gid.id).await)?
            .map(|m| Node::PointsEntry(super::members::PointsEntry(m))),
        NodeType::TierChange => found(service::member::tier_change_get(svc, gid.id).await)?
            .map(|m| Node::TierChange(super::members::TierChange(m))),
        NodeType::Promotion => loaders
            .promotions
            .load_one(gid.id)
            .await
            .map_err(loaders::gql_err)?
            .map(super::promotions::Promotion::node),
        NodeType::Coupon => service::promotion::coupon::by_ids(svc, &[gid.id])
            .await
            .gql()?
            .into_iter()
            .next()
            .map(|m| Node::Coupon(super::promotions::Coupon(m))),
    };
    Ok(node)
}

fn not_found() -> AppError {
    AppError::not_found("node")
}

/// Accounts, stores, staff, audit log and global-ID reads.
#[Object(name = "CoreQuery")]
impl Query {
    /// The logged-in staff member. Works while a password change is pending.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        let svc = svc(ctx)?;
        let staff = svc.viewer.staff_pending_password().gql()?.clone();
        let (model, _) = service::account::auth::load_staff(&svc.db, staff.id)
            .await
            .gql()?
            .ok_or_else(|| AppError::Unauthenticated("the account is no longer active"))
            .gql()?;
        Ok(Viewer { staff, model })
    }

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

    /// One staff member. NOT_FOUND when outside the viewer's visibility.
    async fn staff_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the staff member.")] id: ID,
    ) -> async_graphql::Result<StaffMember> {
        let id = decode_id(&id, NodeType::StaffMember, "id").gql()?;
        service::account::staff::get(svc(ctx)?, id)
            .await
            .map(StaffMember)
            .gql()
    }

    /// Staff members: directors see all; specialists and assistants see the staff of their own
    /// stores and the directors, without usernames or login state.
    async fn staff_members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<StaffMemberFilter>,
        #[graphql(desc = "Ordering (default ID).", default)] sort_key: StaffMemberSortKeys,
        #[graphql(desc = "Reverse the ordering.", default)] reverse: bool,
    ) -> async_graphql::Result<StaffMemberConnection> {
        let filter = filter.unwrap_or_default();
        let store_id = decode_opt_id(&filter.store_id, NodeType::Store, "filter.storeId")?;
        let f = service::account::staff::Filter {
            role: filter.role,
            active: filter.active,
            store_id,
            search: filter.search,
        };
        let sort = match sort_key {
            StaffMemberSortKeys::Id => service::account::staff::SortKey::Id,
            StaffMemberSortKeys::DisplayName => service::account::staff::SortKey::DisplayName,
            StaffMemberSortKeys::CreatedAt => service::account::staff::SortKey::CreatedAt,
        };
        service::account::staff::list(
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
        .map(StaffMemberConnection)
        .gql()
    }

    /// The audit log, newest first (AUDIT_VIEW): directors see every entry; specialists the
    /// entries of their own stores, with personal data masked; assistants are FORBIDDEN.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Cursor before which the page ends.")] before: Option<String>,
        #[graphql(desc = "Filters.")] filter: Option<AuditLogFilter>,
        #[graphql(desc = "Oldest first instead.", default)] reverse: bool,
    ) -> async_graphql::Result<AuditLogEntryConnection> {
        let filter = filter.unwrap_or_default();
        let store_id = decode_opt_id(&filter.store_id, NodeType::Store, "filter.storeId")?;
        let actor_id = decode_opt_id(&filter.actor_id, NodeType::StaffMember, "filter.actorId")?;
        let target = match &filter.target_id {
            Some(id) => Some(
                GlobalId::decode(id)
                    .ok_or_else(|| {
                        AppError::invalid(
                            &["filter", "targetId"],
                            ErrorCode::BadUserInput,
                            "malformed ID",
                        )
                    })
                    .gql()?,
            ),
            None => None,
        };
        let f = service::kernel::audit::Filter {
            store_id,
            actor_id,
            action: filter.action,
            target_type: target.map(|g| g.node_type.name().to_owned()),
            target_id: target.map(|g| g.id),
            created_after: filter.created_after.map(|t| t.0),
            created_before: filter.created_before.map(|t| t.0),
        };
        service::kernel::audit::list(
            svc(ctx)?,
            f,
            Window {
                first,
                after: after.as_deref(),
                last,
                before: before.as_deref(),
            },
            reverse,
        )
        .await
        .map(AuditLogEntryConnection)
        .gql()
    }

    /// The role → permission matrix, for front-ends that adapt to the role.
    async fn permission_matrix(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<PermissionMatrixRow>> {
        svc(ctx)?.viewer.staff_pending_password().gql()?;
        Ok(matrix::MATRIX
            .iter()
            .map(
                |&(permission, director, specialist, assistant)| PermissionMatrixRow {
                    permission,
                    director,
                    specialist,
                    assistant,
                },
            )
            .collect())
    }
}
