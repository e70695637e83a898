//! Benchmark: import 100,000 SKU rows (25,000 products) into a fresh database, then re-import the
//! same file (idempotent: nothing changes). Run with `cargo bench --bench import`; SQLite by
//! default, PostgreSQL with `BENCH_DATABASE_URL=postgres://…/db` (an empty database).
//! `BENCH_ROWS` changes the row count.

use std::sync::Arc;
use std::time::Instant;

use sea_orm::ActiveModelTrait;
use zhanggui::auth::Staff;
use zhanggui::db::StatementCounter;
use zhanggui::service::catalog::import::{self, Outcome};
use zhanggui::service::{ServiceCtx, store};

fn csv(rows: usize) -> String {
    let colours = ["红色", "黑色", "白色", "蓝色"];
    let mut out = String::from(
        "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\n",
    );
    for i in 0..rows {
        let p = i / 4;
        out.push_str(&format!(
            "P{p:06},夏季新款连衣裙 款{p},女装/连衣裙/{},ON_SHELF,SKU-{i:07},颜色:{};尺码:M,{}.00,{}.50,{}\n",
            p % 20,
            colours[i % 4],
            199 + p % 100,
            80 + p % 50,
            i % 50
        ));
    }
    out
}

fn main() -> anyhow::Result<()> {
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let db = zhanggui::startup::connect_and_migrate(&url, Arc::new(StatementCounter::default())).await?;
        let store = store::new_store(format!("bench-{}", uuid::Uuid::new_v4().simple()), "TMALL".into(), "Asia/Shanghai".into(), chrono::Utc::now())
            .insert(&db)
            .await?;
        let (pii, _) = zhanggui::service::account::bootstrap::pii_cipher(&db, None).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let ctx = ServiceCtx::acting_as(db, pii, Staff::system(), "bench");
        let file = csv(rows);
        println!("{} ({} rows, {:.1} MB)", zhanggui::startup::redact_url(&url), rows, file.len() as f64 / 1e6);
        for run in ["first import", "re-import"] {
            let started = Instant::now();
            let outcome = import::import(&ctx, store.id, std::io::Cursor::new(file.clone().into_bytes()), import::no_progress())
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let secs = started.elapsed().as_secs_f64();
            match outcome {
                Outcome::Imported(r) => println!(
                    "{run:>13}: {secs:6.2} s, {:8.0} rows/s — {} products, {} SKUs created, {} rows unchanged",
                    rows as f64 / secs,
                    r.products_created,
                    r.skus_created,
                    r.rows_unchanged
                ),
                Outcome::Rejected { errors, .. } => anyhow::bail!("rejected: {:?}", &errors[..errors.len().min(5)]),
            }
        }
        Ok(())
    })
}
