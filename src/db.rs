//! Database connection: pool options and SQLite pragmas (foreign keys, WAL, busy timeout),
//! plus write transactions that behave the same under concurrency on both databases.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Counts executed SQL statements (exported on `/metrics`; tests use it to prove list queries
/// cost a constant number of statements). On request it also keeps a copy of each statement
/// (tests read the query plans of the statements a request really ran); when not recording
/// that costs one relaxed load per statement.
#[derive(Debug, Default)]
pub struct StatementCounter {
    pub total: AtomicU64,
    pub failed: AtomicU64,
    recording: AtomicBool,
    recorded: Mutex<Vec<sea_orm::Statement>>,
}

impl StatementCounter {
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Keeps a copy of every statement run from now on, until [`Self::take_recorded`].
    pub fn start_recording(&self) {
        self.recorded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.recording.store(true, Ordering::SeqCst);
    }

    /// The statements run since [`Self::start_recording`], in order; recording stops.
    pub fn take_recorded(&self) -> Vec<sea_orm::Statement> {
        self.recording.store(false, Ordering::SeqCst);
        std::mem::take(&mut *self.recorded.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn record(&self, statement: &sea_orm::Statement) {
        if self.recording.load(Ordering::Relaxed) {
            (self.recorded.lock().unwrap_or_else(|p| p.into_inner())).push(statement.clone());
        }
    }
}

pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// The default pool size: 8 on SQLite (one writer, readers in WAL mode); on PostgreSQL four
/// connections per CPU core, between 8 and 64.
pub fn default_pool_size(url: &str) -> u32 {
    if is_sqlite(url) {
        return 8;
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (cores * 4).clamp(8, 64)
}

/// Opens the pool with the default size. Fails fast (5 s) when the database is unreachable.
pub async fn connect(
    url: &str,
    counter: Arc<StatementCounter>,
) -> Result<DatabaseConnection, DbErr> {
    connect_sized(url, counter, default_pool_size(url)).await
}

/// Opens a pool of `size` connections.
pub async fn connect_sized(
    url: &str,
    counter: Arc<StatementCounter>,
    size: u32,
) -> Result<DatabaseConnection, DbErr> {
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.max_connections(size)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    let mut db = Database::connect(opt).await?;
    db.set_metric_callback(move |info| {
        counter.total.fetch_add(1, Ordering::Relaxed);
        counter.record(info.statement);
        if info.failed {
            counter.failed.fetch_add(1, Ordering::Relaxed);
        }
    });
    Ok(db)
}

/// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
/// so concurrent writers queue on the busy timeout instead of failing on lock upgrade.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: (db.get_database_backend() == DbBackend::Sqlite)
            .then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(options).await
}

/// Serialises transactions on a named lock row until the transaction ends (a row lock on
/// PostgreSQL; SQLite write transactions are serial anyway). Works across server processes.
pub async fn lock(txn: &DatabaseTransaction, name: &str) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let stmt = Query::update()
        .table("app_lock")
        .value("version", Expr::col("version").add(1))
        .and_where(Expr::col("name").eq(name))
        .to_owned();
    txn.execute(&stmt).await.map(|_| ())
}

/// Pool gauges for `/metrics`: (connections open, idle, max).
pub fn pool_stats(db: &DatabaseConnection) -> Option<(u32, usize, u32)> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            Some((
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ))
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            Some((
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ))
        }
        _ => None,
    }
}

/// After a bulk import. PostgreSQL: refreshes the planner statistics of `tables`, so that the
/// next statements (and plans cached on pooled connections, which ANALYZE invalidates) see the
/// new size instead of plans made for empty tables. SQLite: moves the large write-ahead log
/// into the database file at once instead of at some later commit.
pub async fn analyze_after_bulk(db: &DatabaseConnection, tables: &[&str]) {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => format!("ANALYZE {}", tables.join(", ")),
        _ => "PRAGMA wal_checkpoint(TRUNCATE)".to_owned(),
    };
    if let Err(e) = db.execute_unprepared(&sql).await {
        tracing::warn!(error = %e, "ANALYZE after a bulk import failed");
    }
}

/// Raw SQL written with `?` placeholders, numbered `$n` for PostgreSQL.
pub fn raw(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> sea_orm::Statement {
    sea_orm::Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

/// A custom SQL condition written with `?` placeholders (sea-query numbers PostgreSQL's `$n`
/// within the expression and renumbers them in the whole statement).
pub fn cust<I>(backend: DbBackend, sql: &str, values: I) -> sea_orm::sea_query::Expr
where
    I: IntoIterator,
    I::Item: Into<sea_orm::Value>,
{
    sea_orm::sea_query::Expr::cust_with_values(placeholders(backend, sql), values)
}

fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    }
}

#[cfg(test)]
mod frozen_migrations {
    use sha2::{Digest, Sha256};
    use std::collections::BTreeMap;
    use std::path::Path;

    /// Every migration file is listed in `migration/released.sha256` with the checksum it was
    /// released with: editing a released migration (instead of adding a new one) fails here.
    #[test]
    fn released_migrations_are_unchanged_and_every_migration_is_listed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migration");
        let listed: BTreeMap<String, String> =
            std::fs::read_to_string(root.join("released.sha256"))
                .expect("migration/released.sha256")
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| {
                    let (sum, file) = l.split_once("  ").expect("`<sha256>  <file>` lines");
                    (file.to_owned(), sum.to_owned())
                })
                .collect();
        let mut on_disk = Vec::new();
        for entry in std::fs::read_dir(root.join("src")).expect("migration/src") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_owned();
            if !name.starts_with('m') || !name.ends_with(".rs") {
                continue;
            }
            let sum = hex::encode(Sha256::digest(std::fs::read(&path).expect("readable")));
            match listed.get(&name) {
                Some(released) => assert_eq!(
                    &sum, released,
                    "{name} was changed after release: write a new migration instead"
                ),
                None => panic!("{name} is not in migration/released.sha256: add `{sum}  {name}`"),
            }
            on_disk.push(name);
        }
        for name in listed.keys() {
            assert!(on_disk.contains(name), "{name} is listed but missing");
        }
    }
}
