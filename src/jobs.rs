//! The scheduler's job list: one line per capability job. Reads already derive time-driven
//! states, so a late or missing run shows nothing wrong; several servers may run the jobs, every
//! update is idempotent.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::service::{approval, catalog, member, promotion};

type Run = for<'a> fn(
    &'a DatabaseConnection,
    DateTime<Utc>,
) -> Pin<Box<dyn Future<Output = Result<u64, AppError>> + Send + 'a>>;

/// (what a run did, the job). Add a capability's job here.
pub const JOBS: &[(&str, Run)] = &[
    ("scheduled products put on the shelf", |db, at| {
        Box::pin(catalog::apply_due_schedules(db, at))
    }),
    ("approval requests expired", |db, at| {
        Box::pin(approval::expire_due(db, at))
    }),
    ("promotions started or ended", |db, at| {
        Box::pin(promotion::tick(db, at))
    }),
    ("members re-evaluated by the daily tier job", |db, at| {
        Box::pin(async move {
            Ok(member::daily_tier_job_if_due(db, at)
                .await?
                .map_or(0, |n| n as u64))
        })
    }),
];

/// Runs every job once for the time `at`, logging what each did; a failing job does not stop the
/// others.
pub async fn run_once(db: &DatabaseConnection, at: DateTime<Utc>) {
    for (what, run) in JOBS {
        match run(db, at).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "{what}"),
            Err(e) => tracing::warn!(error = ?e, job = what, "scheduled job failed"),
        }
    }
}
