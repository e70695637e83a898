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

/// One row for a viewer who holds `perm`: FORBIDDEN without it, NOT_FOUND when absent or in
/// another store (the `node(id:)` and single-object queries).
pub async fn viewable<E: StoreOwned>(
    ctx: &ServiceCtx,
    perm: Permission,
    id: i64,
) -> Result<E::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(perm, None)?;
    get_in_scope::<E>(&ctx.db, staff, id, false).await
}

/// The rows of `ids` a viewer holding `perm` may see, in one statement (a loader's batch).
pub async fn viewable_by_ids<E: StoreOwned>(
    ctx: &ServiceCtx,
    perm: Permission,
    ids: &[i64],
) -> Result<Vec<E::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(perm, None)?;
    by_ids_in_scope::<E>(&ctx.db, staff, ids).await
}

/// Implements [`StoreOwned`] for entities with `id` and `store_id` columns.
macro_rules! store_owned {
    ($($module:ident => $name:literal),* $(,)?) => {$(
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
    approval_request => "approval request",
    category => "category",
    coupon => "coupon",
    compliance_allowlist => "allow-list entry",
    inventory_movement => "inventory movement",
    member => "member",
    order_line => "order line",
    points_entry => "points entry",
    price_change => "price change",
    product => "product",
    promotion => "promotion",
    sales_order => "order",
    sku => "SKU",
    tier_change => "tier change",
);
