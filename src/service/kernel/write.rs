//! The write helper: every change is one transaction that records its audit rows. `write` begins
//! the write transaction, runs the change, records the audit entries the change returns (as the
//! viewer, with the request id) and commits. A change that returns an error writes nothing: the
//! transaction is dropped, which rolls it back. `write_as_system` does the same for changes
//! without a staff actor (jobs, start-up, the CLI, login), whose audit rows have no actor. No
//! other code begins a write transaction.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::auth::Staff;
use crate::db;
use crate::error::AppError;
use crate::service::ServiceCtx;
use crate::service::kernel::audit::{self, Entry};

/// What a change leaves in the audit log: one entry, none (a repeat that changed nothing) or
/// several.
pub trait Audited {
    fn entries(self) -> Vec<Entry>;
}

impl Audited for Entry {
    fn entries(self) -> Vec<Entry> {
        vec![self]
    }
}

impl Audited for Option<Entry> {
    fn entries(self) -> Vec<Entry> {
        self.into_iter().collect()
    }
}

impl Audited for Vec<Entry> {
    fn entries(self) -> Vec<Entry> {
        self
    }
}

/// Runs `change` in one write transaction and records its audit entries, then commits.
pub async fn write<T, A: Audited>(
    ctx: &ServiceCtx,
    actor: &Staff,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> Result<(T, A), AppError>,
) -> Result<T, AppError> {
    let txn = db::begin_write(&ctx.db).await?;
    let (value, audited) = change(&txn).await?;
    for entry in audited.entries() {
        audit::record_as(&txn, ctx, actor, entry).await?;
    }
    txn.commit().await?;
    Ok(value)
}

/// [`write()`] for a change without a staff actor: a scheduler job, start-up, the CLI, or an
/// anonymous session change (login, token refresh). Its audit rows name no actor and no request
/// and are stamped `at`, the time the change runs for. A change that must keep what it wrote
/// while answering with a refusal returns `Ok((Err(refusal), …))`.
pub async fn write_as_system<T, A: Audited>(
    db: &DatabaseConnection,
    at: DateTime<Utc>,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> Result<(T, A), AppError>,
) -> Result<T, AppError> {
    let txn = db::begin_write(db).await?;
    let (value, audited) = change(&txn).await?;
    for entry in audited.entries() {
        audit::record(&txn, at, None, None, entry).await?;
    }
    txn.commit().await?;
    Ok(value)
}
