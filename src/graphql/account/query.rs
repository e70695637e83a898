use super::*;
use crate::graphql::kernel::{RelayPage, relay_pages};

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
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
}

#[derive(Default)]
pub struct StaffQuery;

#[relay_pages]
#[Object]
impl StaffQuery {
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
        page: RelayPage,
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
        service::account::staff::list(svc(ctx)?, f, sort, page.window(), reverse)
            .await
            .map(StaffMemberConnection)
            .gql()
    }
}

#[derive(Default)]
pub struct MatrixQuery;

#[Object]
impl MatrixQuery {
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
