use super::*;

/// One audit-log entry: who did what to which object, with the state before and after.
/// Written by every mutation inside its transaction; never editable.
#[derive(Clone)]
pub struct AuditLogEntry(pub audit_log::Model);

impl From<audit_log::Model> for AuditLogEntry {
    fn from(m: audit_log::Model) -> Self {
        Self(m)
    }
}

/// A stored before/after state, masked for `role`; unreadable JSON is an internal error naming
/// the row, never `null`.
pub(crate) fn parse_json(
    row: &audit_log::Model,
    raw: &Option<String>,
    role: Role,
) -> async_graphql::Result<Option<Json<serde_json::Value>>> {
    let Some(s) = raw.as_deref() else {
        return Ok(None);
    };
    let value: serde_json::Value = serde_json::from_str(s)
        .map_err(|e| AppError::unreadable("audit_log", row.id, format!("state JSON: {e}")))
        .gql()?;
    Ok(Some(Json(service::kernel::audit::mask_personal(
        value, role,
    ))))
}

/// One audit-log entry: who did what to which object, with the state before and after.
/// Written by every mutation inside its transaction; never editable.
#[Object]
impl AuditLogEntry {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ID(GlobalId::new(NodeType::AuditLogEntry, self.0.id).encode())
    }
    /// When it happened.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// Who acted; `null` for the system (first start, command line) or a staff member the
    /// viewer cannot see.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StaffMember>> {
        staff_member(ctx, self.0.actor_id).await
    }
    /// The actor's role at the time.
    async fn actor_role(&self) -> Option<Role> {
        self.0.actor_role.as_deref().and_then(Role::parse)
    }
    /// Dotted action name, e.g. `store.create`, `staff.update`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Type of the object acted on, e.g. `Store`.
    async fn target_type(&self) -> &str {
        &self.0.target_type
    }
    /// Global ID of the object acted on, when it has one.
    async fn target_id(&self) -> Option<ID> {
        let node_type = match self.0.target_type.as_str() {
            "Store" => NodeType::Store,
            "StaffMember" => NodeType::StaffMember,
            _ => return None,
        };
        self.0
            .target_id
            .map(|id| ID(GlobalId::new(node_type, id).encode()))
    }
    /// The store the action belongs to, if any.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Store>> {
        match self.0.store_id {
            Some(id) => store_by_id(ctx, id).await,
            None => Ok(None),
        }
    }
    /// State before the change (JSON). Personal data is masked (`"***"`) for non-directors.
    async fn before(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Json<serde_json::Value>>> {
        parse_json(&self.0, &self.0.before_json, viewer_staff(ctx)?.role)
    }
    /// State after the change (JSON). Personal data is masked (`"***"`) for non-directors.
    async fn after(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Json<serde_json::Value>>> {
        parse_json(&self.0, &self.0.after_json, viewer_staff(ctx)?.role)
    }
    /// True when a director approved their own submission (the one exception to four-eyes,
    /// always audited).
    async fn self_approved(&self) -> bool {
        self.0.self_approved
    }
    /// Request id of the HTTP request that made the change (matches the server log).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

crate::graphql::kernel::relay::connection!(
    AuditLogEntryConnection,
    AuditLogEntryEdge,
    AuditLogEntry,
    entity::audit_log::Entity,
    "audit-log entries"
);

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

#[derive(Default)]
pub struct AuditQuery;

#[relay_pages]
#[Object]
impl AuditQuery {
    /// The audit log, newest first (AUDIT_VIEW): directors see every entry; specialists the
    /// entries of their own stores, with personal data masked; assistants are FORBIDDEN.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        page: RelayPage,
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
        service::kernel::audit::list(svc(ctx)?, f, page.window(), reverse)
            .await
            .map(AuditLogEntryConnection)
            .gql()
    }
}
