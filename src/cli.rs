//! Command line: `serve`, `migrate`, `schema`, `staff create`.

use std::io::Read;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::{Role, password};
use crate::config::{DEFAULT_DATABASE_URL, Limits, SecretString, Settings};
use crate::db::StatementCounter;
use crate::domain::{GlobalId, NodeType};
use crate::error::AppError;
use crate::service::account::staff as staff_svc;
use crate::service::kernel::write::write_as_system;
use crate::startup::{self, Application};
use crate::{db, graphql};

#[derive(Parser, Debug)]
#[command(
    name = "zhanggui",
    version,
    about = "Zhanggui (掌柜): GraphQL backend for marketplace operations teams"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Database URL: sqlite://FILE?mode=rwc or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the GraphQL API (migrates the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ZHANGGUI_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        #[command(flatten)]
        db: DbArgs,
        /// Load the demo company, with one login per role.
        #[arg(long)]
        demo: bool,
        /// Maximum query depth.
        #[arg(long, env = "ZHANGGUI_MAX_DEPTH", default_value_t = Limits::default().max_depth)]
        max_depth: usize,
        /// Maximum query cost: each field 1, a connection its page size times one item's cost.
        #[arg(long, env = "ZHANGGUI_MAX_COMPLEXITY", default_value_t = Limits::default().max_complexity)]
        max_complexity: usize,
        /// Maximum request body size in bytes.
        #[arg(long, env = "ZHANGGUI_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
        max_body_bytes: usize,
        /// Maximum multipart upload size in bytes (product imports).
        #[arg(long, env = "ZHANGGUI_MAX_UPLOAD_BYTES", default_value_t = Limits::default().max_upload_bytes)]
        max_upload_bytes: usize,
        /// Turn off schema introspection (production).
        #[arg(long, env = "ZHANGGUI_NO_INTROSPECTION")]
        no_introspection: bool,
        /// HTTP worker threads (default: one per CPU core, at most 8).
        #[arg(long, env = "ZHANGGUI_WORKERS")]
        workers: Option<usize>,
        /// Database connections in the pool (default: 8 on SQLite; on PostgreSQL four per CPU
        /// core, 8 to 64).
        #[arg(long, env = "ZHANGGUI_DB_POOL_SIZE")]
        db_pool_size: Option<u32>,
        /// Log line format: `text` (colour only on a terminal) or `json` (one object per line).
        #[arg(long, env = "ZHANGGUI_LOG_FORMAT", value_enum, default_value_t = crate::telemetry::LogFormat::Text)]
        log_format: crate::telemetry::LogFormat,
    },
    /// Apply pending migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
        /// List migrations and whether each is applied, without applying any.
        #[arg(long)]
        status: bool,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Manage staff from scripts (e.g. to recover a locked-out company).
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Bulk imports.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import products from a CSV file, one row per SKU (columns: product_ref, title,
    /// category_path, status, sku_code, sales_attrs, price, cost, stock). Nothing is written if
    /// any row is invalid; re-importing the same file changes nothing.
    Products {
        /// Store (global ID or number).
        #[arg(long)]
        store: String,
        /// Act as this staff member (their permissions and name in the audit log); by default the
        /// system acts with a director's powers.
        #[arg(long = "as")]
        as_user: Option<String>,
        /// The CSV file.
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import orders from a CSV file, one row per order line (columns: order_no, buyer_ref,
    /// buyer_nick, buyer_phone, status, created_at, paid_at, consulted, sku_code, quantity,
    /// unit_price, discount, paid_amount, channel; optional refunded_amount). Nothing is written
    /// if any row is invalid; re-importing updates statuses and times only.
    Orders {
        /// Store (global ID or number).
        #[arg(long)]
        store: String,
        /// Act as this staff member (their permissions and name in the audit log); by default the
        /// system acts with a director's powers.
        #[arg(long = "as")]
        as_user: Option<String>,
        /// The CSV file.
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// What a CLI import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImportKind {
    Products,
    Orders,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum RoleArg {
    Director,
    Specialist,
    Assistant,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Director => Role::Director,
            RoleArg::Specialist => Role::Specialist,
            RoleArg::Assistant => Role::Assistant,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Create a staff member; the password is read from standard input.
    Create {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Store to assign (global ID or number); repeat for several.
        #[arg(long = "store")]
        stores: Vec<String>,
        /// Display name (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn pii_key_from_env() -> anyhow::Result<Option<SecretString>> {
    match std::env::var("ZHANGGUI_PII_KEY") {
        Ok(s) if s.len() < crate::config::MIN_JWT_SECRET_BYTES => bail!(
            "ZHANGGUI_PII_KEY must be at least {} bytes",
            crate::config::MIN_JWT_SECRET_BYTES
        ),
        Ok(s) => Ok(Some(SecretString::from(s))),
        Err(_) => Ok(None),
    }
}

fn jwt_secret_from_env() -> anyhow::Result<Option<SecretString>> {
    match std::env::var("ZHANGGUI_JWT_SECRET") {
        Ok(s) if s.len() < crate::config::MIN_JWT_SECRET_BYTES => {
            bail!(
                "ZHANGGUI_JWT_SECRET must be at least {} bytes",
                crate::config::MIN_JWT_SECRET_BYTES
            )
        }
        Ok(s) => Ok(Some(SecretString::from(s))),
        Err(_) => Ok(None),
    }
}

fn parse_store_id(raw: &str) -> anyhow::Result<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .or_else(|| GlobalId::decode_as(raw, NodeType::Store))
        .with_context(|| format!("--store {raw} is neither a store ID nor a store number"))
}

/// The CLI prints the cause of an internal error (the operator runs it; the API never shows it).
fn app_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(errors) => anyhow::anyhow!(staff_svc::describe(&errors)),
        AppError::Internal(cause) => cause.context("internal error"),
        other => anyhow::anyhow!(other.public_message()),
    }
}

/// Runs a parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Migrate { db, status } => migrate(&db.database_url, status).await,
        Command::Serve {
            bind,
            db,
            demo,
            max_depth,
            max_complexity,
            max_body_bytes,
            max_upload_bytes,
            no_introspection,
            workers,
            db_pool_size,
            log_format: _,
        } => {
            let mut settings = Settings::new(bind, db.database_url);
            settings.demo = demo;
            if let Some(w) = workers {
                anyhow::ensure!(
                    (1..=256).contains(&w),
                    "--workers must be between 1 and 256"
                );
                settings.workers = w;
            }
            if let Some(p) = db_pool_size {
                anyhow::ensure!(
                    (1..=1000).contains(&p),
                    "--db-pool-size must be between 1 and 1000"
                );
                settings.db_pool_size = Some(p);
            }
            settings.limits = Limits {
                max_depth,
                max_complexity,
                max_body_bytes,
                max_upload_bytes,
                introspection: !no_introspection,
            };
            serve(settings).await
        }
        Command::Import {
            command:
                ImportCommand::Products {
                    store,
                    as_user,
                    file,
                    db,
                },
        } => {
            let user = as_user.as_deref();
            import_file(ImportKind::Products, &store, user, &file, &db.database_url).await
        }
        Command::Import {
            command:
                ImportCommand::Orders {
                    store,
                    as_user,
                    file,
                    db,
                },
        } => {
            let user = as_user.as_deref();
            import_file(ImportKind::Orders, &store, user, &file, &db.database_url).await
        }
        Command::Staff {
            command:
                StaffCommand::Create {
                    username,
                    role,
                    stores,
                    display_name,
                    password_stdin: _,
                    db,
                },
        } => {
            let input = staff_svc::CreateInput {
                username,
                display_name,
                role: role.into(),
                store_ids: stores
                    .iter()
                    .map(|s| parse_store_id(s))
                    .collect::<anyhow::Result<Vec<_>>>()?,
            };
            staff_create(input, &db.database_url).await
        }
    }
}

/// `zhanggui migrate [--status]`.
async fn migrate(database_url: &str, status: bool) -> anyhow::Result<()> {
    let conn = db::connect(database_url, Arc::new(StatementCounter::default()))
        .await
        .with_context(|| {
            format!(
                "cannot connect to the database at {}",
                startup::redact_url(database_url)
            )
        })?;
    if status {
        for m in Migrator::get_migration_with_status(&conn).await? {
            println!("{}\t{}", m.name(), m.status());
        }
    } else {
        Migrator::up(&conn, None)
            .await
            .context("database migration failed")?;
        println!("migrations applied");
    }
    Ok(())
}

/// `zhanggui serve`: secrets from the environment, then serve until stopped.
async fn serve(mut settings: Settings) -> anyhow::Result<()> {
    settings.jwt_secret = jwt_secret_from_env()?;
    settings.pii_key = pii_key_from_env()?;
    let app = Application::build(settings).await?;
    if app.generated_jwt_secret {
        tracing::warn!(
            "ZHANGGUI_JWT_SECRET is not set: generated a random secret and stored it in the database"
        );
    }
    if app.generated_pii_key {
        tracing::warn!(
            "ZHANGGUI_PII_KEY is not set: generated a key for buyers' personal data and stored it in the database"
        );
    }
    if let Some(pw) = &app.first_director_password {
        println!("First start: created the director `admin` with the one-time password: {pw}");
        println!(
            "Log in with it and change it (passwordChange) before anything else. It is not shown again."
        );
    }
    for l in &app.demo_logins {
        println!(
            "Demo login ({}): {} / {}",
            l.role.as_str().to_lowercase(),
            l.username,
            l.password
        );
    }
    println!(
        "Zhanggui is serving GraphQL on http://127.0.0.1:{}/graphql (GraphiQL: /graphiql)",
        app.port()
    );
    app.run_until_stopped().await?;
    tracing::info!("shut down");
    Ok(())
}

/// `zhanggui staff create`: the password from standard input.
async fn staff_create(input: staff_svc::CreateInput, database_url: &str) -> anyhow::Result<()> {
    let mut pw = String::new();
    std::io::stdin()
        .read_to_string(&mut pw)
        .context("cannot read the password from standard input")?;
    let pw = pw.trim_end_matches(['\n', '\r']).to_owned();
    let pw = crate::domain::text::new_password(&pw, &["password"])
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let conn =
        startup::connect_and_migrate(database_url, Arc::new(StatementCounter::default())).await?;
    let hash = password::hash(pw).await?;
    let at = crate::service::kernel::clock::Clock::system().now();
    let model = write_as_system(&conn, at, async |txn| {
        staff_svc::insert(txn, at, input, hash, false).await
    })
    .await
    .map_err(app_error)?;
    println!(
        "created {} `{}` ({})",
        model.role.to_lowercase(),
        model.username,
        GlobalId::new(NodeType::StaffMember, model.id).encode()
    );
    Ok(())
}

/// A reader that advances a progress bar by the bytes it reads.
struct CountingReader<R> {
    inner: R,
    bar: indicatif::ProgressBar,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

async fn import_file(
    kind: ImportKind,
    store: &str,
    as_user: Option<&str>,
    file: &std::path::Path,
    url: &str,
) -> anyhow::Result<()> {
    use crate::service::catalog::import::{self, RowError};
    let store_id = parse_store_id(store)?;
    let reader =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let size = reader.metadata().map(|m| m.len()).unwrap_or(0);
    let conn = startup::connect_and_migrate(url, Arc::new(StatementCounter::default())).await?;
    let staff = match as_user {
        None => crate::auth::Staff::system(),
        Some(u) => {
            let model = entity::staff::Entity::find()
                .filter(entity::staff::Column::Username.eq(u.trim().to_lowercase()))
                .one(&conn)
                .await?
                .with_context(|| format!("no staff member {u}"))?;
            crate::service::account::auth::load_staff(&conn, model.id)
                .await
                .map_err(app_error)?
                .with_context(|| format!("{u} is not active"))?
                .1
        }
    };
    let (pii, _) =
        crate::service::account::bootstrap::pii_cipher(&conn, pii_key_from_env()?.as_ref())
            .await
            .map_err(app_error)?;
    let ctx = crate::service::ServiceCtx::acting_as(conn, pii, staff, "cli-import");
    let bar = indicatif::ProgressBar::new(size.max(1));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg:>18} [{bar:40}] {pos}/{len} ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let shown = bar.clone();
    // While the file is read the bar counts bytes; later phases report their own totals.
    let progress: import::Progress = Arc::new(move |phase: &str, done: u64, total: u64| {
        shown.set_message(phase.to_owned());
        if total > 0 {
            shown.set_length(total);
            shown.set_position(done);
        }
    });
    let reader = std::io::BufReader::new(CountingReader {
        inner: reader,
        bar: bar.clone(),
    });
    let rejected: Option<(Vec<RowError>, usize)> = match kind {
        ImportKind::Products => {
            match import::import(&ctx, store_id, reader, progress)
                .await
                .map_err(app_error)?
            {
                import::Outcome::Imported(r) => {
                    bar.finish_and_clear();
                    println!(
                        "imported {} rows: {} categories, {} products created, {} updated, {} SKUs created, {} updated, {} rows unchanged",
                        r.rows,
                        r.categories_created,
                        r.products_created,
                        r.products_updated,
                        r.skus_created,
                        r.skus_updated,
                        r.rows_unchanged
                    );
                    None
                }
                import::Outcome::Rejected {
                    errors,
                    total_errors,
                } => Some((errors, total_errors)),
            }
        }
        ImportKind::Orders => {
            use crate::service::order;
            match order::import(&ctx, store_id, reader, progress)
                .await
                .map_err(app_error)?
            {
                order::Outcome::Imported(r) => {
                    bar.finish_and_clear();
                    println!(
                        "imported {} order lines: {} orders created, {} updated, {} unchanged; {} members created; {} SALE and {} RETURN movements, {} oversold lines; {} tier changes",
                        r.rows,
                        r.orders_created,
                        r.orders_updated,
                        r.orders_unchanged,
                        r.members_created,
                        r.sale_movements,
                        r.return_movements,
                        r.oversold_lines,
                        r.tier_changes
                    );
                    None
                }
                order::Outcome::Rejected {
                    errors,
                    total_errors,
                } => Some((errors, total_errors)),
            }
        }
    };
    bar.finish_and_clear();
    match rejected {
        None => Ok(()),
        Some((errors, total_errors)) => {
            for e in &errors {
                eprintln!("line {}, {}: {}", e.row, e.column, e.message);
            }
            bail!("the file was rejected with {total_errors} errors; nothing was imported")
        }
    }
}
