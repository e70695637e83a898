use super::*;

/// A staff member (员工): director, specialist or assistant. Directors see everyone; others
/// see the staff of their own stores and the directors, without usernames or login state.
#[derive(Clone)]
pub struct StaffMember(pub staff::Model);

impl From<staff::Model> for StaffMember {
    fn from(m: staff::Model) -> Self {
        Self(m)
    }
}

/// A staff member by id through the request's loader; `None` when absent or not visible.
pub async fn staff_member(
    ctx: &Context<'_>,
    id: Option<i64>,
) -> async_graphql::Result<Option<StaffMember>> {
    let Some(id) = id else { return Ok(None) };
    let l = ctx.data::<loaders::Loaders>()?;
    Ok(l.staff()
        .load_one(id)
        .await
        .map_err(loaders::gql_err)?
        .map(StaffMember))
}

pub(crate) fn viewer_staff<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Staff> {
    svc(ctx)?.viewer.staff_pending_password().gql()
}

/// A staff member (员工): director, specialist or assistant. Directors see everyone; others
/// see the staff of their own stores and the directors, without usernames or login state.
#[Object]
impl StaffMember {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::StaffMember, self.0.id).encode())
    }
    /// Login name. `null` unless the viewer is a director or this is the viewer.
    async fn username(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let viewer = viewer_staff(ctx)?;
        Ok(service::account::staff::sees_login_state(viewer, self.0.id)
            .then(|| self.0.username.clone()))
    }
    /// Name shown to colleagues.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Staff level.
    async fn role(&self) -> Role {
        service::account::auth::role_of(&self.0)
    }
    /// Whether the account may log in.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Assigned stores (directors: none, they see every store). Only stores the viewer sees
    /// are listed.
    async fn stores(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Store>> {
        let loaders = ctx.data::<loaders::Loaders>()?;
        let ids = loaders
            .staff_stores()
            .load_one(self.0.id)
            .await
            .map_err(loaders::gql_err)?
            .unwrap_or_default();
        let stores = loaders
            .stores()
            .load_many(ids.iter().copied())
            .await
            .map_err(loaders::gql_err)?;
        Ok(ids
            .iter()
            .filter_map(|id| stores.get(id).cloned().map(Store))
            .collect())
    }
    /// Last successful login. `null` unless the viewer is a director or this is the viewer.
    async fn last_login_at(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DateTime>> {
        let viewer = viewer_staff(ctx)?;
        Ok(
            if service::account::staff::sees_login_state(viewer, self.0.id) {
                self.0.last_login_at.map(Into::into)
            } else {
                None
            },
        )
    }
    /// Whether the account still has to replace a one-time password. `null` unless the viewer
    /// is a director or this is the viewer.
    async fn must_change_password(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        let viewer = viewer_staff(ctx)?;
        Ok(service::account::staff::sees_login_state(viewer, self.0.id)
            .then_some(self.0.must_change_password))
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When the account was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// One permission with the level of access the viewer's role grants.
#[derive(SimpleObject, Debug, Clone)]
pub struct PermissionGrant {
    /// The permission code.
    pub permission: Permission,
    /// What the role may do with it.
    pub access: Access,
}

/// One row of the role → permission matrix.
#[derive(SimpleObject, Debug, Clone)]
pub struct PermissionMatrixRow {
    /// The permission code.
    pub permission: Permission,
    /// 运营总监.
    pub director: Access,
    /// 运营专员.
    pub specialist: Access,
    /// 运营助理.
    pub assistant: Access,
}

/// The logged-in staff member.
pub struct Viewer {
    pub staff: Staff,
    pub model: staff::Model,
}

/// The logged-in staff member.
#[Object(name = "Viewer")]
impl Viewer {
    /// Global ID of the staff member.
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::StaffMember, self.staff.id).encode())
    }
    /// Login name.
    async fn username(&self) -> &str {
        &self.model.username
    }
    /// Name shown to colleagues.
    async fn display_name(&self) -> &str {
        &self.model.display_name
    }
    /// Staff level.
    async fn role(&self) -> Role {
        self.staff.role
    }
    /// Permissions the role holds outright or within limits (the ✓ and ≤X cells of the matrix).
    /// Store-granted ones (a specialist's cost view) show under `permissionGrants`.
    async fn permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| matches!(self.staff.access(*p), Access::Full | Access::Limited))
            .collect()
    }
    /// Every permission with the access level the role has.
    async fn permission_grants(&self) -> Vec<PermissionGrant> {
        Permission::ALL
            .into_iter()
            .map(|p| PermissionGrant {
                permission: p,
                access: self.staff.access(p),
            })
            .collect()
    }
    /// Stores the viewer works in: all stores for a director, the assigned ones otherwise.
    async fn stores(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Store>> {
        let svc = svc(ctx)?;
        Ok(service::store::for_staff(&svc.db, &self.staff)
            .await
            .gql()?
            .into_iter()
            .map(Store::from)
            .collect())
    }
    /// True after first start or a password reset: every other operation answers FORBIDDEN
    /// until `passwordChange` succeeds.
    async fn must_change_password(&self) -> bool {
        self.model.must_change_password
    }
    /// Last successful login (this one included).
    async fn last_login_at(&self) -> Option<DateTime> {
        self.model.last_login_at.map(Into::into)
    }
}

crate::graphql::kernel::relay::connection!(
    StaffMemberConnection,
    StaffMemberEdge,
    StaffMember,
    entity::staff::Entity,
    "staff members"
);
