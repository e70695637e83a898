//! Services own the rules: permission checks, validation, state transitions, transactions and
//! the audit row. They know nothing of GraphQL or HTTP.

pub mod kernel;

pub mod account;
pub mod approval;
pub mod catalog;
pub mod compliance;
pub mod inventory;
pub mod member;
pub mod order;
pub mod pricing;
pub mod promotion;
pub mod store;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::Viewer;
use crate::auth::jwt::JwtKeys;
use crate::domain::pii::PiiCipher;

/// What every service call gets: the database, the signing keys and who is asking.
#[derive(Debug, Clone)]
pub struct ServiceCtx {
    pub db: DatabaseConnection,
    pub jwt: Arc<JwtKeys>,
    pub viewer: Viewer,
    /// Encrypts and hashes buyers' personal data.
    pub pii: Arc<PiiCipher>,
    /// Correlates audit rows with request logs.
    pub request_id: Option<String>,
}

impl ServiceCtx {
    /// A context outside HTTP (command line, demo seeding, benchmarks) acting as `staff`.
    /// It issues no tokens, so its signing keys are a placeholder.
    pub fn acting_as(
        db: DatabaseConnection,
        pii: Arc<PiiCipher>,
        staff: crate::auth::Staff,
        request_id: &str,
    ) -> Self {
        Self {
            db,
            pii,
            jwt: Arc::new(JwtKeys::new(&[0u8; 32])),
            viewer: Viewer::Staff(staff),
            request_id: Some(request_id.to_owned()),
        }
    }
}

/// The clock. One place, so later issues can make it injectable for tests of time rules.
/// Truncated to microseconds, the precision both databases store: a time read back equals
/// the time written (PostgreSQL would otherwise round nanoseconds, possibly upwards).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
