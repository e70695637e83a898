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
use crate::service::kernel::clock::Clock;

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
    /// The time every rule of this call reads.
    pub clock: Clock,
    /// The viewer cache, for evicting a staff member a change affects.
    pub viewers: Arc<crate::auth::cache::ViewerCache>,
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
            clock: Clock::system(),
            viewers: Arc::new(crate::auth::cache::ViewerCache::live()),
        }
    }

    /// Now, by this context's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
