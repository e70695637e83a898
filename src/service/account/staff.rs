//! Staff accounts, roles and store assignments (USER_MANAGE), and what others may see of them.

use std::collections::{BTreeSet, HashMap};

use entity::{staff, staff_store, store};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use serde_json::json;

use crate::auth::{Permission, Role, Staff, StoreScope, password};
use crate::db;
use crate::domain::text;
use crate::error::{AppError, ErrorCode, UserError, on_unique};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::kernel::write::write;
use crate::service::{ServiceCtx, account::auth, kernel::audit};

pub const DISPLAY_NAME_MAX: usize = 40;

/// Input of `staffCreate`.
#[derive(Debug, Clone)]
pub struct CreateInput {
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub store_ids: Vec<i64>,
}

/// Input of `staffUpdate`; `None` keeps the current value. `store_ids` replaces the set.
#[derive(Debug, Clone, Default)]
pub struct UpdateInput {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub store_ids: Option<Vec<i64>>,
    pub active: Option<bool>,
}

/// Audit snapshot of a staff member (never the password hash).
fn snapshot(m: &staff::Model, stores: &[i64]) -> serde_json::Value {
    json!({
        "username": m.username,
        "displayName": m.display_name,
        "role": m.role,
        "active": m.active,
        "storeIds": stores,
    })
}

async fn store_ids_of(conn: &impl ConnectionTrait, staff_id: i64) -> Result<Vec<i64>, AppError> {
    let mut ids: Vec<i64> = staff_store::Entity::find()
        .filter(staff_store::Column::StaffId.eq(staff_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.store_id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// Checks that every store exists; directors take no assignments (they see every store).
async fn validate_stores(
    conn: &impl ConnectionTrait,
    role: Role,
    ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    let set: BTreeSet<i64> = ids.iter().copied().collect();
    if role == Role::Director && !set.is_empty() {
        return Err(AppError::invalid(
            &["input", "storeIds"],
            ErrorCode::Invalid,
            "directors see every store and take no store assignments",
        ));
    }
    if set.len() > 200 {
        return Err(AppError::invalid(
            &["input", "storeIds"],
            ErrorCode::TooLong,
            "at most 200 stores",
        ));
    }
    let found = store::Entity::find()
        .filter(store::Column::Id.is_in(set.iter().copied()))
        .count(conn)
        .await?;
    if found != set.len() as u64 {
        return Err(AppError::invalid(
            &["input", "storeIds"],
            ErrorCode::NotFound,
            "a store in storeIds does not exist",
        ));
    }
    Ok(set.into_iter().collect())
}

async fn replace_stores(
    conn: &impl ConnectionTrait,
    staff_id: i64,
    ids: &[i64],
) -> Result<(), AppError> {
    staff_store::Entity::delete_many()
        .filter(staff_store::Column::StaffId.eq(staff_id))
        .exec(conn)
        .await?;
    if !ids.is_empty() {
        staff_store::Entity::insert_many(ids.iter().map(|s| staff_store::ActiveModel {
            staff_id: Set(staff_id),
            store_id: Set(*s),
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

fn taken() -> AppError {
    AppError::invalid(
        &["input", "username"],
        ErrorCode::Taken,
        "this username is already taken",
    )
}

/// Creates a staff member on `txn` at `at`, returning it with its audit entry. With `password`
/// given (CLI) no change is forced; otherwise a one-time password is generated, returned once,
/// and must be changed at first login.
pub async fn insert(
    txn: &impl ConnectionTrait,
    at: chrono::DateTime<chrono::Utc>,
    input: CreateInput,
    password_hash: String,
    must_change_password: bool,
) -> Result<(staff::Model, audit::Entry), AppError> {
    let mut errors = Vec::new();
    let username = text::username(&input.username, &["input", "username"])
        .map_err(|e| errors.push(e))
        .ok();
    let display_name = match &input.display_name {
        Some(d) => text::required(
            d,
            &["input", "displayName"],
            "display name",
            DISPLAY_NAME_MAX,
        )
        .map_err(|e| errors.push(e))
        .ok(),
        None => username.clone(),
    };
    let (Some(username), Some(display_name)) = (username, display_name) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let stores = validate_stores(txn, input.role, &input.store_ids).await?;
    let exists = staff::Entity::find()
        .filter(staff::Column::Username.eq(username.clone()))
        .count(txn)
        .await?;
    if exists > 0 {
        return Err(taken());
    }
    let model = staff::ActiveModel {
        username: Set(username),
        display_name: Set(display_name),
        role: Set(input.role.as_str().to_owned()),
        password_hash: Set(password_hash),
        must_change_password: Set(must_change_password),
        active: Set(true),
        last_login_at: Set(None),
        password_changed_at: Set(at),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| on_unique(e, "ux_staff_username", "staff.username", taken))?;
    replace_stores(txn, model.id, &stores).await?;
    let entry = audit::Entry {
        action: "staff.create",
        target_type: "StaffMember",
        target_id: Some(model.id),
        after: Some(snapshot(&model, &stores)),
        ..Default::default()
    };
    Ok((model, entry))
}

/// `staffCreate` (USER_MANAGE): returns the member and their one-time password.
#[tracing::instrument(skip_all)]
pub async fn create(
    ctx: &ServiceCtx,
    input: CreateInput,
) -> Result<(staff::Model, String), AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::UserManage, None)?;
    let otp = password::generate_one_time();
    let hash = password::hash(otp.clone()).await?;
    let model = write(ctx, staff, async |txn| {
        insert(txn, ctx.now(), input, hash, true).await
    })
    .await?;
    Ok((model, otp))
}

async fn active_directors(conn: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(staff::Entity::find()
        .filter(staff::Column::Role.eq(Role::Director.as_str()))
        .filter(staff::Column::Active.eq(true))
        .count(conn)
        .await?)
}

/// `staffUpdate` (USER_MANAGE). The last active director can be neither deactivated nor demoted.
/// Deactivation revokes every session at once.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn update(
    ctx: &ServiceCtx,
    id: i64,
    input: UpdateInput,
) -> Result<staff::Model, AppError> {
    let actor = ctx.viewer.staff()?;
    actor.require(Permission::UserManage, None)?;
    let display_name = match &input.display_name {
        Some(d) => Some(
            text::required(
                d,
                &["input", "displayName"],
                "display name",
                DISPLAY_NAME_MAX,
            )
            .map_err(|e| AppError::Invalid(vec![e]))?,
        ),
        None => None,
    };
    let changed = write(ctx, actor, async |txn| {
        // Serialise changes that could remove the last director.
        db::lock(txn, "directors").await?;
        let before = staff::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("staff member"))?;
        let before_stores = store_ids_of(txn, id).await?;
        let old_role = auth::role_of(&before);
        let new_role = input.role.unwrap_or(old_role);
        let stores = match (&input.store_ids, new_role) {
            (Some(ids), role) => Some(validate_stores(txn, role, ids).await?),
            // Becoming a director drops store assignments: directors see every store.
            (None, Role::Director) if old_role != Role::Director => Some(Vec::new()),
            (None, _) => None,
        };
        let mut m: staff::ActiveModel = before.clone().into();
        if let Some(d) = display_name {
            m.display_name = Set(d)
        }
        m.role = Set(new_role.as_str().to_owned());
        if let Some(a) = input.active {
            m.active = Set(a)
        }
        let at = ctx.now();
        m.updated_at = Set(at);
        let deactivated = before.active && input.active == Some(false);
        let demoted = old_role != new_role;
        if deactivated || demoted {
            // Void issued access tokens (their role claim or account is stale).
            m.password_changed_at = Set(at);
        }
        let model = m.update(txn).await?;
        if let Some(ids) = &stores {
            replace_stores(txn, id, ids).await?;
        }
        if active_directors(txn).await? == 0 {
            return Err(AppError::invalid(
                &["input", if deactivated { "active" } else { "role" }],
                ErrorCode::LastDirector,
                "the last active director can be neither deactivated nor demoted",
            ));
        }
        if deactivated {
            auth::revoke_all(txn, id, ctx.now()).await?;
        }
        let after_stores = stores.unwrap_or_else(|| before_stores.clone());
        let entry = audit::Entry {
            action: "staff.update",
            target_type: "StaffMember",
            target_id: Some(id),
            before: Some(snapshot(&before, &before_stores)),
            after: Some(snapshot(&model, &after_stores)),
            ..Default::default()
        };
        Ok((model, entry))
    })
    .await?;
    // The next request of theirs sees the change (role, stores, active, password).
    ctx.viewers.evict(id);
    Ok(changed)
}

/// `staffPasswordReset` (USER_MANAGE): a new one-time password, all sessions revoked, a login
/// lock lifted.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn reset_password(ctx: &ServiceCtx, id: i64) -> Result<(staff::Model, String), AppError> {
    let actor = ctx.viewer.staff()?;
    actor.require(Permission::UserManage, None)?;
    let otp = password::generate_one_time();
    let hash = password::hash(otp.clone()).await?;
    let changed = write(ctx, actor, async |txn| {
        let before = staff::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("staff member"))?;
        let mut m: staff::ActiveModel = before.clone().into();
        let at = ctx.now();
        m.password_hash = Set(hash);
        m.must_change_password = Set(true);
        m.password_changed_at = Set(at);
        m.updated_at = Set(at);
        let model = m.update(txn).await?;
        auth::revoke_all(txn, id, ctx.now()).await?;
        entity::login_throttle::Entity::delete_by_id(model.username.clone())
            .exec(txn)
            .await?;
        Ok((
            (model, otp),
            audit::Entry {
                action: "staff.password_reset",
                target_type: "StaffMember",
                target_id: Some(id),
                ..Default::default()
            },
        ))
    })
    .await?;
    // The next request of theirs sees the change (role, stores, active, password).
    ctx.viewers.evict(id);
    Ok(changed)
}

/// Condition limiting staff rows to what the viewer may see: directors all; others the staff
/// of their own stores, and the directors (who belong to every store).
fn visible(staff: &Staff) -> Option<Condition> {
    match staff.scope() {
        StoreScope::All => None,
        StoreScope::Only(ids) => Some(
            Condition::any()
                .add(staff::Column::Role.eq(Role::Director.as_str()))
                .add(staff::Column::Id.eq(staff.id))
                .add(
                    staff::Column::Id.in_subquery(
                        Query::select()
                            .column(staff_store::Column::StaffId)
                            .from(staff_store::Entity)
                            .and_where(staff_store::Column::StoreId.is_in(ids))
                            .to_owned(),
                    ),
                ),
        ),
    }
}

/// One staff member within the viewer's visibility.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<staff::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let mut q = staff::Entity::find_by_id(id);
    if let Some(c) = visible(staff) {
        q = q.filter(c);
    }
    q.one(&ctx.db)
        .await?
        .ok_or(AppError::not_found("staff member"))
}

/// Staff by id within visibility (for DataLoaders).
#[tracing::instrument(skip_all)]
pub async fn by_ids(ctx: &ServiceCtx, ids: &[i64]) -> Result<Vec<staff::Model>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    let mut q = staff::Entity::find().filter(staff::Column::Id.is_in(ids.iter().copied()));
    if let Some(c) = visible(staff) {
        q = q.filter(c);
    }
    Ok(q.all(&ctx.db).await?)
}

/// Store ids assigned to each of `staff_ids`, restricted to stores the viewer sees.
#[tracing::instrument(skip_all)]
pub async fn store_ids_by_staff(
    ctx: &ServiceCtx,
    staff_ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, AppError> {
    let viewer = ctx.viewer.staff_pending_password()?;
    let mut q = staff_store::Entity::find()
        .filter(staff_store::Column::StaffId.is_in(staff_ids.iter().copied()));
    if let StoreScope::Only(ids) = viewer.scope() {
        q = q.filter(staff_store::Column::StoreId.is_in(ids));
    }
    let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in q.all(&ctx.db).await? {
        map.entry(row.staff_id).or_default().push(row.store_id);
    }
    for v in map.values_mut() {
        v.sort_unstable();
    }
    Ok(map)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    DisplayName,
    CreatedAt,
}

impl SortKey {
    /// The ordering's name inside cursors: fixed, so renaming a variant cannot break the
    /// cursors clients hold.
    pub const fn cursor_name(self) -> &'static str {
        match self {
            Self::Id => "Id",
            Self::DisplayName => "DisplayName",
            Self::CreatedAt => "CreatedAt",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub store_id: Option<i64>,
    pub search: Option<String>,
}

/// `staffMembers`.
#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: &ServiceCtx,
    filter: Filter,
    sort: SortKey,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<staff::Entity>, AppError> {
    let viewer = ctx.viewer.staff()?;
    let sort_name = sort.cursor_name();
    let args = PageArgs::parse(window, reverse, sort_name)?;
    let mut q = staff::Entity::find();
    if let Some(c) = visible(viewer) {
        q = q.filter(c);
    }
    if let Some(r) = filter.role {
        q = q.filter(staff::Column::Role.eq(r.as_str()));
    }
    if let Some(a) = filter.active {
        q = q.filter(staff::Column::Active.eq(a));
    }
    if let Some(s) = filter.store_id {
        // A store the viewer cannot see answers as one that does not exist: nobody.
        let s = if viewer.sees_store(s) { s } else { -1 };
        q = q.filter(
            staff::Column::Id.in_subquery(
                Query::select()
                    .column(staff_store::Column::StaffId)
                    .from(staff_store::Entity)
                    .and_where(staff_store::Column::StoreId.eq(s))
                    .to_owned(),
            ),
        );
    }
    if let Some(s) = filter.search.filter(|s| !s.trim().is_empty()) {
        let pattern = crate::service::store::like_pattern(s.trim());
        q = q.filter(
            Condition::any()
                .add(
                    Expr::col(staff::Column::DisplayName)
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(
                    Expr::col(staff::Column::Username)
                        .like(LikeExpr::new(pattern.to_lowercase()).escape('\\')),
                ),
        );
    }
    let key: (&str, staff::Column, fn(&staff::Model) -> CursorKey) = match sort {
        SortKey::Id => (sort_name, staff::Column::Id, |m| CursorKey::Int(m.id)),
        SortKey::DisplayName => (sort_name, staff::Column::DisplayName, |m| {
            CursorKey::Text(m.display_name.clone())
        }),
        SortKey::CreatedAt => (sort_name, staff::Column::CreatedAt, |m| {
            CursorKey::Time(m.created_at)
        }),
    };
    page::fetch(&ctx.db, q, key, staff::Column::Id, |m| m.id, &args).await
}

/// Whether the viewer sees login state and usernames of `target` (directors, or oneself).
pub fn sees_login_state(viewer: &Staff, target_id: i64) -> bool {
    viewer.role == Role::Director || viewer.id == target_id
}

/// Validation failures as a list (used by the CLI).
pub fn describe(errors: &[UserError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field.join("."), e.message))
        .collect::<Vec<_>>()
        .join("; ")
}
