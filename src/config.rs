//! Typed settings, read once at start-up from flags and environment (via clap).

use std::time::Duration;

pub use crate::service::kernel::clock::Clock;

/// A secret from the environment (JWT secret, PII key): never printed, zeroed when dropped.
pub use secrecy::SecretString;

/// Minimum length of a configured JWT secret, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Default SQLite database: a file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://zhanggui.db?mode=rwc";

/// Limits on GraphQL requests.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_body_bytes: usize,
    /// Largest multipart request (file uploads such as product imports).
    pub max_upload_bytes: usize,
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // The standard introspection query (GraphiQL, graphql-codegen) nests 13 deep.
            max_depth: 15,
            max_complexity: 2_500,
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 64 * 1024 * 1024,
            introspection: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `host:port`; port 0 picks a free port (tests).
    pub bind: String,
    pub database_url: String,
    pub jwt_secret: Option<SecretString>,
    /// Key of buyers' personal data (`ZHANGGUI_PII_KEY`); generated and kept in the database
    /// when unset.
    pub pii_key: Option<SecretString>,
    pub demo: bool,
    pub limits: Limits,
    /// How often maintenance runs (expired refresh tokens are purged).
    pub maintenance_interval: Duration,
    /// HTTP worker threads.
    pub workers: usize,
    /// Database pool size; `None` sizes it for the database and the machine.
    pub db_pool_size: Option<u32>,
    /// The time the services and the scheduler read: the system clock; tests move a clone.
    pub clock: Clock,
}

impl Settings {
    pub fn new(bind: String, database_url: String) -> Self {
        Self {
            bind,
            database_url,
            jwt_secret: None,
            pii_key: None,
            demo: false,
            limits: Limits::default(),
            maintenance_interval: Duration::from_secs(3600),
            workers: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(1, 8),
            db_pool_size: None,
            clock: Clock::system(),
        }
    }
}
