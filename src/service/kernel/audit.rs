//! The audit log: written by every mutation inside its transaction, read per AUDIT_VIEW.

use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use crate::auth::{Permission, Role, Staff, StoreScope};
use crate::error::AppError;
use crate::service::ServiceCtx;
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};

/// One audit row to write.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: Option<i64>,
    pub store_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub self_approved: bool,
}

/// Writes an audit row on `conn` (the mutation's transaction), stamped `at`. `actor` is `None`
/// for the system.
pub async fn record(
    conn: &impl ConnectionTrait,
    at: DateTime<Utc>,
    actor: Option<&Staff>,
    request_id: Option<&str>,
    entry: Entry,
) -> Result<(), AppError> {
    let actor = actor.filter(|a| a.actor_id().is_some());
    audit_log::ActiveModel {
        created_at: Set(at),
        actor_id: Set(actor.map(|a| a.id)),
        actor_role: Set(actor.map(|a| a.role.as_str().to_owned())),
        action: Set(entry.action.to_owned()),
        target_type: Set(entry.target_type.to_owned()),
        target_id: Set(entry.target_id),
        store_id: Set(entry.store_id),
        before_json: Set(entry.before.map(|v| v.to_string())),
        after_json: Set(entry.after.map(|v| v.to_string())),
        request_id: Set(request_id.map(str::to_owned)),
        self_approved: Set(entry.self_approved),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Writes an audit row as the context's viewer.
pub async fn record_as(
    conn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    actor: &Staff,
    entry: Entry,
) -> Result<(), AppError> {
    record(
        conn,
        ctx.now(),
        Some(actor),
        ctx.request_id.as_deref(),
        entry,
    )
    .await
}

/// Filters of `auditLog`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub store_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

/// Lists audit entries, newest first unless `reverse`. Directors see all entries; specialists
/// only entries of their own stores; assistants none (FORBIDDEN).
pub async fn list(
    ctx: &ServiceCtx,
    filter: Filter,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<audit_log::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::AuditView, None)?;
    let args = PageArgs::parse(window, !reverse, "ID")?;
    let mut q = audit_log::Entity::find();
    if let StoreScope::Only(ids) = staff.scope() {
        q = q.filter(audit_log::Column::StoreId.is_in(ids));
    }
    if let Some(s) = filter.store_id {
        q = q.filter(audit_log::Column::StoreId.eq(s));
    }
    if let Some(a) = filter.actor_id {
        q = q.filter(audit_log::Column::ActorId.eq(a));
    }
    if let Some(a) = filter.action {
        q = q.filter(audit_log::Column::Action.eq(a));
    }
    if let Some(t) = filter.target_type {
        q = q.filter(audit_log::Column::TargetType.eq(t));
    }
    if let Some(t) = filter.target_id {
        q = q.filter(audit_log::Column::TargetId.eq(t));
    }
    if let Some(t) = filter.created_after {
        q = q.filter(audit_log::Column::CreatedAt.gte(t));
    }
    if let Some(t) = filter.created_before {
        q = q.filter(audit_log::Column::CreatedAt.lt(t));
    }
    page::fetch(
        &ctx.db,
        q,
        ("ID", audit_log::Column::Id, |m| CursorKey::Int(m.id)),
        audit_log::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}

/// Looks up one entry within the viewer's scope.
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<audit_log::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::AuditView, None)?;
    let row = audit_log::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .ok_or(AppError::not_found("audit log entry"))?;
    let visible = staff.role == Role::Director || row.store_id.is_some_and(|s| staff.sees_store(s));
    if visible {
        Ok(row)
    } else {
        Err(AppError::not_found("audit log entry"))
    }
}

/// Keys whose values are personal data, masked for viewers other than directors.
const PERSONAL_KEYS: [&str; 7] = [
    "username",
    "displayName",
    "phone",
    "name",
    "realName",
    "address",
    "buyerNick",
];

/// Masks personal data in a before/after document for non-directors.
pub fn mask_personal(value: Value, viewer_role: Role) -> Value {
    if viewer_role == Role::Director {
        return value;
    }
    fn walk(v: Value, parent_is_store: bool) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        // A store's name is business data, not personal data.
                        let personal = PERSONAL_KEYS.contains(&k.as_str())
                            && !(parent_is_store && k == "name");
                        if personal && !v.is_null() {
                            (k, Value::String("***".into()))
                        } else {
                            (k, walk(v, false))
                        }
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|i| walk(i, false)).collect())
            }
            other => other,
        }
    }
    let is_store = value.get("platform").is_some();
    walk(value, is_store)
}
