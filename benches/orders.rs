//! Benchmark: 1,000,000 order lines (400,000 orders of 100,000 members, a year of history) into a
//! fresh database with 1,000 SKUs; a re-import of the same file (nothing changes); then
//! `memberSegments` (RFM over every member, in SQL) and a segment's first page. Run with
//! `cargo bench --bench orders`; SQLite by default, PostgreSQL with
//! `BENCH_DATABASE_URL=postgres://…/db` (an empty database). `BENCH_LINES` changes the size.

use std::sync::Arc;
use std::time::Instant;

use sea_orm::ActiveModelTrait;
use zhanggui::auth::Staff;
use zhanggui::db::StatementCounter;
use zhanggui::service::kernel::page::Window;
use zhanggui::service::{ServiceCtx, catalog::import, member, order as orders, store};

fn products(skus: usize) -> String {
    let mut out = String::from(
        "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\n",
    );
    for i in 0..skus {
        out.push_str(&format!(
            "P{:04},保温杯 款{},家居/杯子,ON_SHELF,S{i:05},编号:{i},{}.00,,1000000\n",
            i / 10,
            i / 10,
            59 + i % 200
        ));
    }
    out
}

/// `lines` order lines: 2.5 lines per order on average, 4 orders per member, over 365 days.
fn orders_csv(lines: usize, skus: usize) -> String {
    let mut out = orders::COLUMNS.join(",");
    out.push('\n');
    let start = chrono::NaiveDate::from_ymd_opt(2025, 11, 24).unwrap_or_default();
    let orders = lines * 2 / 5;
    let members = (orders / 4).max(1);
    let mut written = 0;
    for o in 0..orders {
        let m = (o * 7_919) % members;
        let day = start + chrono::Duration::days(((o * 37 + m) % 365) as i64);
        let n = if o % 2 == 0 { 2 } else { 3 }.min(lines - written);
        let status = match o % 20 {
            0 => "CREATED",
            1 => "REFUNDED",
            2..=5 => "SHIPPED",
            _ => "COMPLETED",
        };
        let paid = if status == "CREATED" {
            String::new()
        } else {
            format!("{day} 10:01:00")
        };
        for l in 0..n {
            let sku = (o * 13 + l * 7) % skus;
            let price = 59 + sku % 200;
            out.push_str(&format!(
                "N{o:07},M{m:06},买家{m},1{:010},{status},{day} 10:00:00,{paid},{},S{sku:05},1,{price}.00,0,{price}.00,ZTC\n",
                3_800_000_000u64 + m as u64,
                o % 3 == 0
            ));
        }
        written += n;
        if written >= lines {
            break;
        }
    }
    out
}

fn main() -> anyhow::Result<()> {
    let lines: usize = std::env::var("BENCH_LINES")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
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
        let shop = store::new_store(format!("bench-{}", uuid::Uuid::new_v4().simple()), "TMALL".into(), "Asia/Shanghai".into(), chrono::Utc::now())
            .insert(&db)
            .await?;
        let (pii, _) = zhanggui::service::account::bootstrap::pii_cipher(&db, None).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let ctx = ServiceCtx::acting_as(db, pii, Staff::system(), "bench");
        let skus = 1_000;
        import::import(&ctx, shop.id, std::io::Cursor::new(products(skus).into_bytes()), import::no_progress())
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let file = orders_csv(lines, skus);
        println!("{} ({} order lines, {:.1} MB)", zhanggui::startup::redact_url(&url), lines, file.len() as f64 / 1e6);
        for run in ["first import", "re-import"] {
            let started = Instant::now();
            let outcome = orders::import(&ctx, shop.id, std::io::Cursor::new(file.clone().into_bytes()), import::no_progress())
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let secs = started.elapsed().as_secs_f64();
            match outcome {
                orders::Outcome::Imported(r) => println!(
                    "{run:>13}: {secs:7.2} s, {:8.0} lines/s — {} orders created, {} unchanged, {} members created, {} SALE movements",
                    lines as f64 / secs,
                    r.orders_created,
                    r.orders_unchanged,
                    r.members_created,
                    r.sale_movements
                ),
                orders::Outcome::Rejected { errors, .. } => anyhow::bail!("rejected: {:?}", &errors[..errors.len().min(5)]),
            }
        }
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        for run in 1..=3 {
            let started = Instant::now();
            let report = member::segments(&ctx, shop.id, Some(as_of)).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let secs = started.elapsed().as_secs_f64();
            let counts: Vec<String> = report.rows.iter().map(|r| format!("{} {}", r.segment, r.members)).collect();
            println!("memberSegments #{run}: {:6.0} ms — {} members: {}", secs * 1000.0, report.members, counts.join(", "));
        }
        let started = Instant::now();
        let filter = member::MemberFilter { store_id: Some(shop.id), segment: Some(member::Segment::AtRisk), segment_as_of: Some(as_of), ..Default::default() };
        let page = member::list(&ctx, filter, member::MemberSort::TotalPaid, Window::first(50), true).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        println!("AT_RISK members, first 50 by spend: {:6.0} ms ({} rows)", started.elapsed().as_secs_f64() * 1000.0, page.items.len());
        Ok(())
    })
}
