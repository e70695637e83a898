//! Store scoping in one place. Every row a store owns is read through these helpers, so a row of
//! a store outside the viewer's scope is NOT_FOUND (never FORBIDDEN, which would confirm that it
//! exists) and lists never include it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Select};

use crate::auth::{Permission, Staff, StoreScope};
use crate::error::AppError;
use crate::service::ServiceCtx;

/// A table whose rows belong to one store.
pub trait StoreOwned: EntityTrait {
    /// What a NOT_FOUND calls a missing row ("product", "order" …).
    const NAME: &'static str;
    /// The primary-key column.
    fn id_column() -> Self::Column;
    /// The owning store's column.
    fn store_column() -> Self::Column;
    /// The owning store of a row.
    fn store_of(m: &Self::Model) -> i64;
}

/// Restricts a query to the viewer's stores.
pub trait InScope {
    fn in_scope(self, staff: &Staff) -> Self;
}

impl<E: StoreOwned> InScope for Select<E> {
    fn in_scope(self, staff: &Staff) -> Self {
        match staff.scope() {
            StoreScope::All => self,
            StoreScope::Only(stores) => self.filter(E::store_column().is_in(stores)),
        }
    }
}

/// One row in the viewer's scope, optionally locked for update (the lock is taken before any
/// check on the row); NOT_FOUND when absent or in another store.
pub async fn get_in_scope<E: StoreOwned>(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
    lock: bool,
) -> Result<E::Model, AppError> {
    let mut q = E::find().filter(E::id_column().eq(id));
    if lock {
        q = q.lock_exclusive();
    }
    q.one(conn)
        .await?
        .filter(|m| staff.sees_store(E::store_of(m)))
        .ok_or(AppError::not_found(E::NAME))
}

/// The rows of `ids` in the viewer's scope (others are left out), in one statement.
pub async fn by_ids_in_scope<E: StoreOwned>(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    ids: &[i64],
) -> Result<Vec<E::Model>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(E::find()
        .filter(E::id_column().is_in(ids.iter().copied()))
        .in_scope(staff)
        .all(conn)
        .await?)
}

/// A store-owned table read through `node(id:)` and the loaders: the permission that reads it
/// is declared with the table, in the list at the end of this file.
pub trait Viewable: StoreOwned {
    /// What the viewer must hold to read a row (in the row's store).
    const VIEW: Permission;
}

/// One row for a viewer who holds the table's view permission: FORBIDDEN without it,
/// NOT_FOUND when absent or in another store.
#[tracing::instrument(skip_all, fields(table = E::NAME, subject.id = id))]
pub async fn viewable<E: Viewable>(ctx: &ServiceCtx, id: i64) -> Result<E::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(E::VIEW, None)?;
    get_in_scope::<E>(&ctx.db, staff, id, false).await
}

/// The rows of `ids` a viewer holding the table's view permission may see, in one statement
/// (a loader's batch).
#[tracing::instrument(skip_all, fields(table = E::NAME))]
pub async fn viewable_by_ids<E: Viewable>(
    ctx: &ServiceCtx,
    ids: &[i64],
) -> Result<Vec<E::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(E::VIEW, None)?;
    by_ids_in_scope::<E>(&ctx.db, staff, ids).await
}

/// The viewer, who must hold `perm` in `store_id`, and that store (NOT_FOUND when it does not
/// exist): the start of an action on a whole store, such as an import.
pub async fn acting_in_store(
    ctx: &ServiceCtx,
    perm: Permission,
    store_id: i64,
) -> Result<(&Staff, entity::store::Model), AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(perm, Some(store_id))?;
    let store = entity::store::Entity::find_by_id(store_id)
        .one(&ctx.db)
        .await?
        .ok_or(AppError::not_found("store"))?;
    Ok((staff, store))
}

/// Implements [`StoreOwned`] for entities with `id` and `store_id` columns.
macro_rules! store_owned {
    ($($module:ident => $name:literal $(, read by $view:ident)?);* $(;)?) => {$(
        $(impl Viewable for entity::$module::Entity {
            const VIEW: Permission = Permission::$view;
        })?
        impl StoreOwned for entity::$module::Entity {
            const NAME: &'static str = $name;
            fn id_column() -> Self::Column {
                entity::$module::Column::Id
            }
            fn store_column() -> Self::Column {
                entity::$module::Column::StoreId
            }
            fn store_of(m: &Self::Model) -> i64 {
                m.store_id
            }
        }
    )*};
}

store_owned!(
    approval_request => "approval request";
    category => "category";
    coupon => "coupon", read by PromoView;
    compliance_allowlist => "allow-list entry";
    inventory_movement => "inventory movement", read by ProductView;
    member => "member", read by MemberView;
    order_line => "order line", read by OrderView;
    points_entry => "points entry", read by MemberView;
    price_change => "price change";
    product => "product", read by ProductView;
    promotion => "promotion", read by PromoView;
    sales_order => "order", read by OrderView;
    sku => "SKU", read by ProductView;
    tier_change => "tier change", read by MemberView;
);
