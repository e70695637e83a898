//! The write helper: every change is one transaction that records its audit row. `write` begins
//! the write transaction, runs the change, records the audit entry the change returns (as the
//! viewer, with the request id) and commits. A change that returns an error writes nothing: the
//! transaction is dropped, which rolls it back.

use sea_orm::DatabaseTransaction;

use crate::auth::Staff;
use crate::db;
use crate::error::AppError;
use crate::service::ServiceCtx;
use crate::service::kernel::audit;

/// Runs `change` in one write transaction and records its audit entry, then commits.
pub async fn write<T>(
    ctx: &ServiceCtx,
    actor: &Staff,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> Result<(T, audit::Entry), AppError>,
) -> Result<T, AppError> {
    let txn = db::begin_write(&ctx.db).await?;
    let (value, entry) = change(&txn).await?;
    audit::record_as(&txn, ctx, actor, entry).await?;
    txn.commit().await?;
    Ok(value)
}
