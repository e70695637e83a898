//! Application start-up, shared by `serve` and the tests: connect, migrate, bootstrap, bind.

use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::{App, HttpServer, web};
use anyhow::Context;
use migration::{Migrator, MigratorTrait};

use crate::auth::jwt::JwtKeys;
use crate::config::{MIN_JWT_SECRET_BYTES, Settings};
use crate::db::{self, StatementCounter};
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::service::account::{auth, bootstrap};
use crate::{demo, graphql};

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    /// The first director's one-time password, when this start created it.
    pub first_director_password: Option<String>,
    /// Demo logins `(username, password, role)` when started with `--demo`.
    pub demo_logins: Vec<demo::DemoLogin>,
    /// Whether the JWT secret was generated and stored in the database.
    pub generated_jwt_secret: bool,
    /// Whether the key of buyers' personal data was generated (ZHANGGUI_PII_KEY unset).
    pub generated_pii_key: bool,
    /// The server pool's statement counter (tests record the statements a request runs).
    pub statements: Arc<StatementCounter>,
}

/// Connects and applies pending migrations.
pub async fn connect_and_migrate(
    url: &str,
    counter: Arc<StatementCounter>,
) -> anyhow::Result<sea_orm::DatabaseConnection> {
    connect_sized_and_migrate(url, counter, db::default_pool_size(url)).await
}

/// [`connect_and_migrate`] with a pool of `size` connections.
pub async fn connect_sized_and_migrate(
    url: &str,
    counter: Arc<StatementCounter>,
    size: u32,
) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = db::connect_sized(url, counter, size)
        .await
        .with_context(|| format!("cannot connect to the database at {}", redact_url(url)))?;
    Migrator::up(&db, None)
        .await
        .context("database migration failed")?;
    Ok(db)
}

/// Hides a password in a database URL for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at))
            if at > scheme_end && url[scheme_end + 3..at].contains(':') =>
        {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        if let Some(secret) = &settings.jwt_secret {
            anyhow::ensure!(
                secret.expose_secret().len() >= MIN_JWT_SECRET_BYTES,
                "ZHANGGUI_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes"
            );
        }
        let counter = Arc::new(StatementCounter::default());
        let pool = (settings.db_pool_size)
            .unwrap_or_else(|| db::default_pool_size(&settings.database_url));
        let db = connect_sized_and_migrate(&settings.database_url, counter.clone(), pool).await?;
        let (secret, generated_jwt_secret) = match &settings.jwt_secret {
            Some(s) => (s.expose_secret().as_bytes().to_vec(), false),
            None => bootstrap::stored_jwt_secret(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        };
        let (pii, generated_pii_key) = bootstrap::pii_cipher(&db, settings.pii_key.as_ref())
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let first_director_password = bootstrap::ensure_first_director(&db, settings.clock.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let demo_logins = if settings.demo {
            demo::seed(&db, pii.clone())
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?
        } else {
            Vec::new()
        };
        let viewers = if db::is_sqlite(&settings.database_url) {
            Arc::new(crate::auth::cache::ViewerCache::live())
        } else {
            let cache = Arc::new(crate::auth::cache::ViewerCache::waiting());
            crate::auth::cache::listen(settings.database_url.clone(), cache.clone());
            cache
        };
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState {
            schema: graphql::build_schema(&settings.limits),
            db: db.clone(),
            jwt: Arc::new(JwtKeys::new(&secret)),
            pii,
            metrics: Metrics::default(),
            statements: counter.clone(),
            limits: settings.limits.clone(),
            clock: settings.clock.clone(),
            viewers: viewers.clone(),
            documents: Default::default(),
        });
        let server = HttpServer::new(move || {
            let state = state.clone();
            App::new().configure(move |cfg| http::configure(cfg, state))
        })
        .listen(listener)?
        .workers(settings.workers)
        .shutdown_timeout(10)
        .run();
        let interval = settings.maintenance_interval;
        let maintenance_db = db.clone();
        let clock = settings.clock.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            loop {
                tick.tick().await;
                if let Err(e) = auth::purge_expired(&maintenance_db, clock.now()).await {
                    tracing::warn!(error = ?e, "maintenance failed");
                }
            }
        });
        // The scheduler: the job list of `jobs.rs`, every 30 seconds.
        let clock = settings.clock.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
            loop {
                tick.tick().await;
                crate::jobs::run_once(&db, clock.now()).await;
            }
        });
        Ok(Self {
            port,
            server,
            first_director_password,
            demo_logins,
            generated_jwt_secret,
            generated_pii_key,
            statements: counter,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (tests).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM / Ctrl-C (graceful: in-flight requests finish, 10 s at most).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact_url("sqlite://zhanggui.db?mode=rwc"),
            "sqlite://zhanggui.db?mode=rwc"
        );
    }
}
