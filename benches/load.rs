//! Load benchmark: the request shapes front-end teams send, over HTTP against the release server,
//! next to the same data access run directly against the database (the ceiling), in one run.
//!
//! `cargo bench --bench load` — SQLite in a temporary file by default; PostgreSQL with
//! `BENCH_DATABASE_URL=postgres://user@host/db` (a scratch database is created next to it and
//! dropped after). It generates a deterministic data set (`LOAD_SCALE`, default 1 = 10,000
//! products, 50,000 SKUs, 80,000 members, 300,000 orders over a year in one store; `LOAD_SEED`),
//! loads it through the project's own importers, starts the server binary on a free loopback
//! port, runs every shape at 8 and 32 connections for `LOAD_SECONDS` (default 10) each, then a
//! mixed load for `LOAD_SOAK_SECONDS` (default 60) in six windows, checking throughput and RSS
//! stay flat. It prints req/s, p50, p99, statements per request and the server's RSS per shape,
//! and the ratio to the ceiling. It stops by itself and talks to nothing but loopback.
//!
//! While working on one shape: `LOAD_ONLY=members,product` runs only the shapes whose names
//! contain one of the words (the anonymous floor always runs); `LOAD_KEEP_DATABASE=1` keeps the
//! PostgreSQL scratch database and prints its address, and `LOAD_REUSE_DATABASE_URL=<that address>`
//! runs against it again without generating and importing the data set.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Statement, Value};
use zhanggui::auth::{Role, Staff};
use zhanggui::config::Clock;
use zhanggui::db::StatementCounter;
use zhanggui::domain::{GlobalId, NodeType};
use zhanggui::service::account::staff as staff_svc;
use zhanggui::service::kernel::write::write_as_system;
use zhanggui::service::{ServiceCtx, catalog::import, order as orders, store};

const PASSWORD: &str = "load-benchmark-password";
const JWT_SECRET: &str = "load-benchmark-secret-load-benchmark-secret";
const CONNECTIONS: [usize; 2] = [8, 32];
const CATEGORIES: [&str; 10] = [
    "女装/连衣裙",
    "女装/T恤",
    "女装/衬衫",
    "男装/夹克",
    "男装/卫衣",
    "家居/杯子",
    "家居/毛巾",
    "家居/枕头",
    "美妆/面霜",
    "美妆/口红",
];
const COLOURS: [&str; 5] = ["红", "蓝", "黑", "白", "灰"];

/// SplitMix64: a small deterministic generator, so a seed gives the same data set everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Sizes {
    products: usize,
    members: usize,
    orders: usize,
}

impl Sizes {
    fn at(scale: f64) -> Self {
        let n = |base: f64| ((base * scale).round() as usize).max(10);
        Self {
            products: n(10_000.0),
            members: n(80_000.0),
            orders: n(300_000.0),
        }
    }
}

fn products_csv(sizes: &Sizes, rng: &mut Rng) -> String {
    let mut out = String::from(
        "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\n",
    );
    for p in 0..sizes.products {
        let category = CATEGORIES[p % CATEGORIES.len()];
        let price = 39 + rng.below(500);
        // One in seven off the shelf, spread over every category.
        let status = if p % 7 == 6 { "OFF_SHELF" } else { "ON_SHELF" };
        for (c, colour) in COLOURS.iter().enumerate() {
            out.push_str(&format!(
                "P{p:06},商品{p}号,{category},{status},S{p:06}-{c},颜色:{colour},{price}.00,{}.00,100000\n",
                price * 2 / 5
            ));
        }
    }
    out
}

/// Orders over the 365 days before today: 1–3 lines each, most completed, some refunded.
fn orders_csv(sizes: &Sizes, rng: &mut Rng) -> String {
    let mut out = orders::COLUMNS.join(",");
    out.push('\n');
    let today = chrono::Utc::now().date_naive();
    for o in 0..sizes.orders {
        let m = rng.below(sizes.members);
        let day = today - chrono::Duration::days(1 + rng.below(365) as i64);
        let status = match rng.below(20) {
            0 => "CREATED",
            1 => "REFUNDED",
            2..=4 => "SHIPPED",
            _ => "COMPLETED",
        };
        let paid = if status == "CREATED" {
            String::new()
        } else {
            format!("{day} 10:01:00")
        };
        for _ in 0..1 + rng.below(3) {
            let p = rng.below(sizes.products);
            let c = rng.below(COLOURS.len());
            let price = 39 + (p * 7) % 500;
            out.push_str(&format!(
                "L{o:07},M{m:06},买家{m},1{:010},{status},{day} 10:00:00,{paid},{},S{p:06}-{c},1,{price}.00,0,{price}.00,ZTC\n",
                3_800_000_000u64 + m as u64,
                o % 3 == 0
            ));
        }
    }
    out
}

fn placeholders(sql: &str, backend: sea_orm::DbBackend) -> String {
    if backend != sea_orm::DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut n = 0;
    sql.chars()
        .map(|c| {
            if c == '?' {
                n += 1;
                format!("${n}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

async fn rows(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> Vec<sea_orm::QueryResult> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_sql_and_values(
        backend,
        placeholders(sql, backend),
        values,
    ))
    .await
    .expect("ceiling query")
}

/// One request shape: its GraphQL document and variables (cycled per request), and the same
/// data access as plain SQL.
struct Shape {
    name: &'static str,
    query: &'static str,
    variables: Vec<serde_json::Value>,
    token: bool,
    sql: Option<Sql>,
}

#[derive(Clone, Copy)]
enum Sql {
    /// The product row, then its SKUs.
    ProductDetail,
    /// A page of on-shelf products of a category by update time, then their SKUs.
    ProductList,
    /// A page of members of one tier by last order time, all stores.
    MemberList,
}

struct Sample {
    ids: Vec<i64>,
    categories: Vec<i64>,
    store_id: i64,
}

async fn ceiling_once(db: &DatabaseConnection, sql: Sql, i: usize, s: &Sample) {
    match sql {
        Sql::ProductDetail => {
            let id = s.ids[i % s.ids.len()];
            rows(db, "SELECT * FROM product WHERE id = ?", vec![id.into()]).await;
            rows(
                db,
                "SELECT * FROM sku WHERE product_id = ? ORDER BY id",
                vec![id.into()],
            )
            .await;
        }
        Sql::ProductList => {
            let c = s.categories[i % s.categories.len()];
            let page = rows(
                db,
                "SELECT * FROM product WHERE store_id = ? AND category_id = ? AND status = 'ON_SHELF' \
                 ORDER BY updated_at DESC, id DESC LIMIT 51",
                vec![s.store_id.into(), c.into()],
            )
            .await;
            let ids: Vec<i64> = page
                .iter()
                .take(50)
                .filter_map(|r| r.try_get::<i64>("", "id").ok())
                .collect();
            if ids.is_empty() {
                return;
            }
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            rows(
                db,
                &format!("SELECT * FROM sku WHERE product_id IN ({list}) ORDER BY product_id, id"),
                vec![],
            )
            .await;
        }
        Sql::MemberList => {
            rows(
                db,
                "SELECT * FROM member WHERE tier = ? ORDER BY last_order_at DESC, id DESC LIMIT 51",
                vec!["VIP2".into()],
            )
            .await;
        }
    }
}

struct Measured {
    requests: u64,
    errors: u64,
    secs: f64,
    latencies_us: Vec<u64>,
}

impl Measured {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.secs
    }
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

/// Runs `one(i)` on `conns` concurrent tasks until `secs` have passed.
async fn drive<F, Fut>(conns: usize, secs: f64, one: F) -> Measured
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let one = Arc::new(one);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = (0..conns)
        .map(|t| {
            let one = one.clone();
            tokio::spawn(async move {
                let (mut lat, mut errors, mut i) = (Vec::new(), 0u64, t * 7_919);
                while Instant::now() < deadline {
                    let at = Instant::now();
                    if !one(i).await {
                        errors += 1;
                    }
                    lat.push(at.elapsed().as_micros() as u64);
                    i += 1;
                }
                (lat, errors)
            })
        })
        .collect();
    let mut m = Measured {
        requests: 0,
        errors: 0,
        secs: 0.0,
        latencies_us: Vec::new(),
    };
    for t in tasks {
        let (lat, errors) = t.await.expect("load task");
        m.requests += lat.len() as u64;
        m.errors += errors;
        m.latencies_us.extend(lat);
    }
    m.secs = started.elapsed().as_secs_f64();
    m.latencies_us.sort_unstable();
    m
}

struct Server {
    child: std::process::Child,
    base: String,
    client: reqwest::Client,
}

impl Server {
    fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    async fn statements(&self) -> u64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .unwrap_or_default();
        text.lines()
            .find_map(|l| l.strip_prefix("zhanggui_db_statements_total "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or_default() as u64
    }

    async fn graphql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: &serde_json::Value,
    ) -> bool {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        match req.send().await {
            Ok(r) if r.status().is_success() => r
                .bytes()
                .await
                .is_ok_and(|b| !b.windows(9).any(|w| w == b"\"errors\":")),
            _ => false,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(url: &str, dir: &std::path::Path) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = std::fs::File::create(dir.join("server.log"))?;
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_zhanggui"))
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .env("ZHANGGUI_JWT_SECRET", JWT_SECRET)
        .env(
            "RUST_LOG",
            std::env::var("LOAD_RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?,
    };
    for _ in 0..300 {
        let ready = server
            .client
            .get(format!("{}/readyz", server.base))
            .send()
            .await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!(
        "the server did not become ready; see {}",
        dir.join("server.log").display()
    )
}

/// Loads the data set through the importers; returns the store and the sample ids.
async fn load(db: &DatabaseConnection, sizes: &Sizes, seed: u64) -> anyhow::Result<Sample> {
    let e = |e: zhanggui::error::AppError| anyhow::anyhow!("{e:?}");
    let at = Clock::system().now();
    write_as_system(db, at, async |txn| {
        let input = staff_svc::CreateInput {
            username: "load".into(),
            display_name: Some("压测总监".into()),
            role: Role::Director,
            store_ids: Vec::new(),
        };
        let hash = zhanggui::auth::password::hash(PASSWORD.to_owned()).await?;
        staff_svc::insert(txn, at, input, hash, false).await
    })
    .await
    .map_err(e)?;
    let shop = store::new_store(
        "压测旗舰店".into(),
        "TMALL".into(),
        "Asia/Shanghai".into(),
        at,
    )
    .insert(db)
    .await?;
    let (pii, _) = zhanggui::service::account::bootstrap::pii_cipher(db, None)
        .await
        .map_err(e)?;
    let ctx = ServiceCtx::acting_as(db.clone(), pii, Staff::system(), "load-benchmark");
    let mut rng = Rng(seed);
    let started = Instant::now();
    let file = products_csv(sizes, &mut rng);
    let rows = file.lines().count() - 1;
    match import::import(
        &ctx,
        shop.id,
        std::io::Cursor::new(file.into_bytes()),
        import::no_progress(),
    )
    .await
    .map_err(e)?
    {
        import::Outcome::Imported(_) => {}
        import::Outcome::Rejected { errors, .. } => {
            anyhow::bail!("products rejected: {:?}", &errors[..errors.len().min(3)])
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "products import: {rows} rows in {secs:.1} s ({:.0} rows/s)",
        rows as f64 / secs
    );
    let started = Instant::now();
    let file = orders_csv(sizes, &mut rng);
    let lines = file.lines().count() - 1;
    match orders::import(
        &ctx,
        shop.id,
        std::io::Cursor::new(file.into_bytes()),
        import::no_progress(),
    )
    .await
    .map_err(e)?
    {
        orders::Outcome::Imported(_) => {}
        orders::Outcome::Rejected { errors, .. } => {
            anyhow::bail!("orders rejected: {:?}", &errors[..errors.len().min(3)])
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "orders import: {lines} lines in {secs:.1} s ({:.0} lines/s)",
        lines as f64 / secs
    );
    zhanggui::db::analyze_after_bulk(
        db,
        &["product", "sku", "member", "sales_order", "order_line"],
    )
    .await;
    sample_of(db).await
}

/// The ids the request shapes cycle through, read from a loaded database.
async fn sample_of(db: &DatabaseConnection) -> anyhow::Result<Sample> {
    let ids = rows_of(db, "SELECT id FROM product ORDER BY id", "id").await;
    let categories = rows_of(
        db,
        "SELECT DISTINCT category_id AS id FROM product ORDER BY category_id",
        "id",
    )
    .await;
    let store_id = rows_of(db, "SELECT MIN(store_id) AS id FROM product", "id").await;
    anyhow::ensure!(!ids.is_empty(), "the database holds no loaded data set");
    Ok(Sample {
        ids,
        categories,
        store_id: store_id[0],
    })
}

async fn rows_of(db: &DatabaseConnection, sql: &str, col: &str) -> Vec<i64> {
    rows(db, sql, vec![])
        .await
        .iter()
        .filter_map(|r| r.try_get::<i64>("", col).ok())
        .collect()
}

fn shapes(s: &Sample) -> Vec<Shape> {
    let gid = |t: NodeType, id: i64| serde_json::json!(GlobalId::new(t, id).encode());
    let mut step = s.ids.len() / 997;
    step = step.max(1);
    let products: Vec<serde_json::Value> = (0..s.ids.len())
        .step_by(step)
        .map(|i| serde_json::json!({ "id": gid(NodeType::Product, s.ids[i]) }))
        .collect();
    let categories: Vec<serde_json::Value> = (s.categories.iter())
        .map(|c| serde_json::json!({ "c": gid(NodeType::Category, *c) }))
        .collect();
    vec![
        Shape {
            name: "{ __typename } anonymous",
            query: "{ __typename }",
            variables: vec![serde_json::json!({})],
            token: false,
            sql: None,
        },
        Shape {
            name: "{ __typename } director",
            query: "{ __typename }",
            variables: vec![serde_json::json!({})],
            token: true,
            sql: None,
        },
        Shape {
            name: "50 on-shelf products of a category by update time, with SKUs",
            query: "query($c: ID!) { products(first: 50, filter: {categoryId: $c, status: ON_SHELF}, sortKey: UPDATED_AT, reverse: true) { nodes { id title minPrice skus { id code price onHand } } } }",
            variables: categories,
            token: true,
            sql: Some(Sql::ProductList),
        },
        Shape {
            name: "one product with its SKUs",
            query: "query($id: ID!) { product(id: $id) { id title status skus { id code price cost onHand } } }",
            variables: products,
            token: true,
            sql: Some(Sql::ProductDetail),
        },
        Shape {
            name: "50 members of one tier by last order time (all stores)",
            query: "{ members(first: 50, filter: {tier: \"VIP2\"}, sortKey: LAST_ORDER_AT, reverse: true) { nodes { id buyerRef points tier { code } } } }",
            variables: vec![serde_json::json!({})],
            token: true,
            sql: Some(Sql::MemberList),
        },
    ]
}

async fn login(server: &Server) -> anyhow::Result<String> {
    let body: serde_json::Value = server
        .client
        .post(format!("{}/graphql", server.base))
        .json(&serde_json::json!({
            "query": "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken userErrors { message } } }",
            "variables": { "u": "load", "p": PASSWORD },
        }))
        .send()
        .await?
        .json()
        .await?;
    body["data"]["login"]["accessToken"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("login failed: {body}"))
}

async fn run_shape(
    server: &Arc<Server>,
    token: &Arc<String>,
    shape: &Shape,
    conns: usize,
    secs: f64,
) -> (Measured, f64) {
    let before = server.statements().await;
    let (server2, token2) = (server.clone(), token.clone());
    let (query, vars, with_token) = (shape.query, Arc::new(shape.variables.clone()), shape.token);
    let m = drive(conns, secs, move |i| {
        let (server, token, vars) = (server2.clone(), token2.clone(), vars.clone());
        async move {
            let t = with_token.then_some(token.as_str());
            server.graphql(t, query, &vars[i % vars.len()]).await
        }
    })
    .await;
    let after = server.statements().await;
    let per_request = (after.saturating_sub(before)) as f64 / m.requests.max(1) as f64;
    (m, per_request)
}

async fn run_ceiling(
    url: &str,
    sql: Sql,
    sample: &Arc<Sample>,
    conns: usize,
    secs: f64,
) -> anyhow::Result<Measured> {
    let mut opt = sea_orm::ConnectOptions::new(url.to_owned());
    opt.max_connections(conns as u32).sqlx_logging(false);
    let db = sea_orm::Database::connect(opt).await?;
    let sample = sample.clone();
    let m = drive(conns, secs, move |i| {
        let (db, sample) = (db.clone(), sample.clone());
        async move {
            ceiling_once(&db, sql, i, &sample).await;
            true
        }
    })
    .await;
    Ok(m)
}

/// Mixed load in windows: each window's throughput and the server's RSS after it.
async fn soak(
    server: &Arc<Server>,
    token: &Arc<String>,
    shapes: &[Shape],
    secs: f64,
) -> Vec<(f64, f64)> {
    let mut windows = Vec::new();
    let per_window = secs / 6.0;
    let docs: Arc<Vec<(&'static str, Vec<serde_json::Value>, bool)>> = Arc::new(
        shapes
            .iter()
            .skip(1)
            .map(|s| (s.query, s.variables.clone(), s.token))
            .collect(),
    );
    for _ in 0..6 {
        let (server2, token2, docs) = (server.clone(), token.clone(), docs.clone());
        let m = drive(8, per_window, move |i| {
            let (server, token, docs) = (server2.clone(), token2.clone(), docs.clone());
            async move {
                let (q, vars, with_token) = &docs[i % docs.len()];
                let t = with_token.then_some(token.as_str());
                server
                    .graphql(t, q, &vars[(i / docs.len()) % vars.len()])
                    .await
            }
        })
        .await;
        windows.push((m.rate(), server.rss_mb()));
    }
    windows
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let scale: f64 = env_or("LOAD_SCALE", 1.0);
    let secs: f64 = env_or("LOAD_SECONDS", 10.0);
    let soak_secs: f64 = env_or("LOAD_SOAK_SECONDS", 60.0);
    let seed: u64 = env_or("LOAD_SEED", 42);
    let dir = tempfile::tempdir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let reuse = std::env::var("LOAD_REUSE_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        let keep = std::env::var("LOAD_KEEP_DATABASE").is_ok_and(|v| v == "1");
        let (url, scratch) = match std::env::var("BENCH_DATABASE_URL") {
            _ if reuse.is_some() => (reuse.clone().unwrap_or_default(), None),
            Ok(admin) if !admin.is_empty() => {
                let name = format!("load_{}", uuid::Uuid::new_v4().simple());
                let conn = sea_orm::Database::connect(admin.clone()).await?;
                conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await?;
                conn.close().await?;
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(b, _)| b)
                    .to_owned();
                (format!("{base}/{name}"), Some((admin, name)))
            }
            _ => (
                format!("sqlite://{}?mode=rwc", dir.path().join("load.db").display()),
                None,
            ),
        };
        let result = bench(
            &url,
            dir.path(),
            scale,
            secs,
            soak_secs,
            seed,
            reuse.is_some(),
        )
        .await;
        if keep {
            println!("kept the loaded database: LOAD_REUSE_DATABASE_URL={url}");
        } else if let Some((admin, name)) = scratch {
            let conn = sea_orm::Database::connect(admin).await?;
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await?;
        }
        result
    })
}

async fn bench(
    url: &str,
    dir: &std::path::Path,
    scale: f64,
    secs: f64,
    soak_secs: f64,
    seed: u64,
    reuse: bool,
) -> anyhow::Result<()> {
    let sizes = Sizes::at(scale);
    println!(
        "load benchmark on {} — scale {scale}: {} products, {} SKUs, {} members, {} orders; {secs} s per run",
        zhanggui::startup::redact_url(url),
        sizes.products,
        sizes.products * COLOURS.len(),
        sizes.members,
        sizes.orders
    );
    let db =
        zhanggui::startup::connect_and_migrate(url, Arc::new(StatementCounter::default())).await?;
    let sample = Arc::new(if reuse {
        sample_of(&db).await?
    } else {
        load(&db, &sizes, seed).await?
    });
    db.close().await?;
    let server = Arc::new(start_server(url, dir).await?);
    let token = Arc::new(login(&server).await?);
    println!("server RSS after start: {:.0} MB", server.rss_mb());
    let only: Vec<String> = std::env::var("LOAD_ONLY")
        .unwrap_or_default()
        .split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().to_owned())
        .collect();
    let shapes: Vec<Shape> = shapes(&sample)
        .into_iter()
        .enumerate()
        .filter(|(k, s)| {
            *k == 0 || only.is_empty() || only.iter().any(|t| s.name.contains(t.as_str()))
        })
        .map(|(_, s)| s)
        .collect();
    println!(
        "\n| request | conns | req/s | p50 ms | p99 ms | errors | statements/req | RSS MB | SQL ceiling req/s | ratio |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut anonymous = [0.0; 2];
    for shape in &shapes {
        for (k, conns) in CONNECTIONS.iter().enumerate() {
            let (m, per_request) = run_shape(&server, &token, shape, *conns, secs).await;
            let (ceiling, ratio) = match shape.sql {
                Some(sql) => {
                    let c = run_ceiling(url, sql, &sample, *conns, secs).await?.rate();
                    (format!("{c:.0}"), format!("{:.0}%", 100.0 * m.rate() / c))
                }
                None if shape.token => (
                    "—".into(),
                    format!("{:.0}% of anonymous", 100.0 * m.rate() / anonymous[k]),
                ),
                None => {
                    anonymous[k] = m.rate();
                    ("—".into(), "—".into())
                }
            };
            println!(
                "| {} | {conns} | {:.0} | {:.2} | {:.2} | {} | {per_request:.2} | {:.0} | {ceiling} | {ratio} |",
                shape.name,
                m.rate(),
                m.percentile(0.5),
                m.percentile(0.99),
                m.errors,
                server.rss_mb(),
            );
        }
    }
    if soak_secs > 0.0 {
        let windows = soak(&server, &token, &shapes, soak_secs).await;
        let first = windows.first().copied().unwrap_or_default();
        let last = windows.last().copied().unwrap_or_default();
        let rates: Vec<String> = windows
            .iter()
            .map(|(r, m)| format!("{r:.0} req/s {m:.0} MB"))
            .collect();
        println!(
            "\nmixed load, 8 connections, {soak_secs} s in 6 windows: {}",
            rates.join(" · ")
        );
        let drop = 100.0 * (1.0 - last.0 / first.0.max(1.0));
        let growth = last.1 - first.1;
        println!(
            "throughput change first → last window: {:+.1}% ({}); RSS change: {growth:+.0} MB ({})",
            -drop,
            if drop <= 10.0 { "flat" } else { "DEGRADES" },
            if growth <= 20.0 { "flat" } else { "GROWS" },
        );
    }
    Ok(())
}
