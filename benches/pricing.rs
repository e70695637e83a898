//! Benchmark of the pricing engine (`cargo bench --bench pricing`):
//! - criterion: one quote of a 20-line cart with 50 promotions in force and two coupons;
//! - the same quote 20,000 times, timed one by one, for p50 / p99;
//! - the price guard over 10,000 SKUs with the same 50 promotions (pure engine);
//! - a load run through the service layer against the `--demo` data on a fresh SQLite file:
//!   2,000 quotes of random demo carts (p50 / p99, SQL statements per quote) and `priceGuard`
//!   over a store of 10,000 SKUs with 50 approved promotions (loading included).
//!
//! `BENCH_SKIP_LOAD=1` runs only the pure-engine parts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::Criterion;
use zhanggui::engine::guard::{GuardInput, guard};
use zhanggui::engine::{
    Audience, BundleMember, Buyer, CartLine, CouponOffer, Funder, Item, ItemMode, Promo,
    QuoteInput, ReductionForm, Rounding, Rule, Scope, ShippingTemplate, Threshold, Tier, quote,
};

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 11, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn promo(id: i64, scope: Scope, rule: Rule) -> Promo {
    Promo {
        id,
        start: at() - chrono::Duration::days(1),
        end: at() + chrono::Duration::days(1),
        funder: Funder::Merchant,
        scope,
        audience: Audience::All,
        rule,
    }
}

/// `n` SKUs, two per product, list prices from ¥29 to ¥528.
fn items(n: i64) -> Vec<Item> {
    (0..n)
        .map(|i| Item {
            sku_id: i + 1,
            product_id: i / 2 + 1,
            list_price: 2_900 + (i * 997) % 50_000,
            floor: Some(2_000),
            cost: Some(1_500),
            min_margin_price: Some(1_600),
        })
        .collect()
}

/// 50 promotions: 20 item prices, 10 第二件, 10 满减 / 满折 on disjoint products, a store 阶梯满减
/// family member, 跨店满减, 88VIP, tier discount, bundles, gifts and free shipping.
fn promotions() -> Vec<Promo> {
    let only = |p: i64| Scope::Only {
        products: vec![p],
        skus: vec![],
    };
    let mut out = Vec::new();
    let mut id = 0;
    let mut next = || {
        id += 1;
        id
    };
    for p in 1..=20 {
        out.push(promo(
            next(),
            only(p),
            Rule::ItemDiscount {
                mode: ItemMode::Percent(8_800),
                rounding: Rounding::DropFen,
                per_buyer_limit: Some(3),
            },
        ));
    }
    for p in 21..=30 {
        out.push(promo(
            next(),
            only(p),
            Rule::NthItem {
                nth: 2,
                rate_bp: 5_000,
            },
        ));
    }
    for p in 1..=10 {
        out.push(promo(
            next(),
            only(p),
            Rule::FullReduction {
                on: Threshold::Amount,
                form: ReductionForm::Tiers(vec![
                    Tier {
                        threshold: 30_000,
                        value: 3_000,
                    },
                    Tier {
                        threshold: 50_000,
                        value: 6_000,
                    },
                ]),
                cross_store: false,
            },
        ));
    }
    out.push(promo(
        next(),
        Scope::Store,
        Rule::FullReduction {
            on: Threshold::Amount,
            form: ReductionForm::PerEach {
                every: 30_000,
                off: 5_000,
                cap: None,
            },
            cross_store: true,
        },
    ));
    out.push(promo(
        next(),
        only(1),
        Rule::MemberPrice {
            vip88_bp: Some(9_500),
        },
    ));
    out.push(promo(
        next(),
        Scope::Store,
        Rule::MemberPrice { vip88_bp: None },
    ));
    for k in 0..3 {
        out.push(promo(
            next(),
            Scope::Store,
            Rule::Bundle {
                fixed: k % 2 == 0,
                main_sku: 41 + k,
                members: vec![
                    BundleMember {
                        sku_id: 41 + k,
                        price: 2_000,
                    },
                    BundleMember {
                        sku_id: 44 + k,
                        price: 1_500,
                    },
                ],
            },
        ));
    }
    for k in 0..3 {
        out.push(promo(
            next(),
            Scope::Store,
            Rule::Gift {
                on: Threshold::Amount,
                threshold: 20_000 * (k + 1),
                gift_sku: 99,
                stock_left: 10,
            },
        ));
    }
    for k in 0..4 {
        out.push(promo(
            next(),
            Scope::Store,
            Rule::FreeShipping {
                on: Some(Threshold::Pieces),
                threshold: 5 + k,
                excluded_regions: vec!["新疆".into(), "西藏".into()],
            },
        ));
    }
    out.push(promo(
        next(),
        Scope::Store,
        Rule::FullDiscount {
            on: Threshold::Pieces,
            tiers: vec![Tier {
                threshold: 3,
                value: 9_000,
            }],
        },
    ));
    out.push(promo(
        next(),
        Scope::Except {
            products: vec![1, 2, 3],
            skus: vec![],
        },
        Rule::FreeShipping {
            on: Some(Threshold::Amount),
            threshold: 9_900,
            excluded_regions: vec![],
        },
    ));
    out
}

fn coupons() -> Vec<CouponOffer> {
    let template = |id: i64, item: bool, face: i64, threshold: i64| Promo {
        id,
        start: at() - chrono::Duration::days(1),
        end: at() + chrono::Duration::days(1),
        funder: Funder::Merchant,
        scope: if item {
            Scope::Only {
                products: vec![2],
                skus: vec![],
            }
        } else {
            Scope::Store
        },
        audience: Audience::All,
        rule: Rule::Coupon {
            platform: false,
            item,
            face,
            threshold,
            stackable_with_store_activity: true,
        },
    };
    vec![
        CouponOffer {
            code: "STORE50".into(),
            template: template(100, false, 5_000, 50_000),
            owned: true,
            valid_from: at() - chrono::Duration::days(1),
            valid_until: at() + chrono::Duration::days(1),
        },
        CouponOffer {
            code: "ITEM10".into(),
            template: template(101, true, 1_000, 0),
            owned: true,
            valid_from: at() - chrono::Duration::days(1),
            valid_until: at() + chrono::Duration::days(1),
        },
    ]
}

fn cart() -> Vec<CartLine> {
    (0..20)
        .map(|i| CartLine {
            sku_id: i * 3 + 1,
            quantity: 1 + i % 3,
        })
        .collect()
}

fn buyer() -> Buyer {
    Buyer {
        member: true,
        is_new: false,
        tier_rank: Some(2),
        tier_price_bp: Some(9_500),
        tags: vec!["双11老客".into()],
        segment: Some("LOYAL".into()),
        vip88: true,
        prior_units: Default::default(),
    }
}

fn e(err: zhanggui::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{err:?}")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() -> anyhow::Result<()> {
    let items = items(120);
    let promos = promotions();
    let coupons = coupons();
    let lines = cart();
    let buyer = buyer();
    let input = QuoteInput {
        items: &items,
        lines: &lines,
        promotions: &promos,
        buyer: &buyer,
        coupons: &coupons,
        coupons_named: false,
        region: Some("浙江"),
        shipping: ShippingTemplate {
            first: 1_000,
            extra: 200,
        },
        at: at(),
    };
    let mut c = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    c.bench_function("quote: 20 lines, 50 promotions, 2 coupons", |b| {
        b.iter(|| quote(std::hint::black_box(&input)))
    });

    let mut times = Vec::with_capacity(20_000);
    for _ in 0..20_000 {
        let t = Instant::now();
        let q = quote(std::hint::black_box(&input));
        times.push(t.elapsed());
        std::hint::black_box(q.ok());
    }
    times.sort_unstable();
    println!(
        "quote one by one (20,000): p50 {:?}  p99 {:?}  max {:?}",
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or_default()
    );

    let many = self::items(10_000);
    let ids: Vec<i64> = many.iter().map(|i| i.sku_id).collect();
    let t = Instant::now();
    let findings = guard(
        &GuardInput {
            items: &many,
            promotions: &promos,
            deepest_tier_bp: Some(8_800),
            at: Some(at()),
        },
        &ids,
    );
    println!(
        "guard (pure engine) over {} SKUs with {} promotions: {:?}, {} below a line",
        ids.len(),
        promos.len(),
        t.elapsed(),
        findings.iter().filter(|f| f.breaks()).count()
    );
    c.final_summary();

    if std::env::var("BENCH_SKIP_LOAD").is_err() {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(load_run())?;
    }
    Ok(())
}

/// Quotes and the guard through the service layer, against the demo data.
async fn load_run() -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use zhanggui::auth::Staff;
    use zhanggui::db::StatementCounter;
    use zhanggui::service::{ServiceCtx, account::bootstrap, promotion::quote as quote_svc};

    let dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let counter = Arc::new(StatementCounter::default());
    let db = zhanggui::startup::connect_and_migrate(&url, counter.clone()).await?;
    let (pii, _) = bootstrap::pii_cipher(&db, None).await.map_err(e)?;
    let t = Instant::now();
    zhanggui::demo::seed(&db, pii.clone()).await.map_err(e)?;
    println!("demo seeded in {:?}", t.elapsed());
    let ctx = ServiceCtx::acting_as(db.clone(), pii.clone(), Staff::system(), "bench");
    let store = entity::store::Entity::find()
        .all(&db)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no store"))?;
    let skus: Vec<i64> = entity::sku::Entity::find()
        .filter(entity::sku::Column::StoreId.eq(store.id))
        .all(&db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let members: Vec<i64> = entity::member::Entity::find()
        .filter(entity::member::Column::StoreId.eq(store.id))
        .all(&db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut times = Vec::new();
    let before = counter.total();
    let n = 2_000usize;
    for i in 0..n {
        let lines = (0..(1 + i % 20))
            .map(|k| CartLine {
                sku_id: skus[(i * 7 + k * 13) % skus.len()],
                quantity: 1 + (k % 3) as i64,
            })
            .collect();
        let req = quote_svc::QuoteRequest {
            store_id: store.id,
            lines,
            member_id: members.get(i % members.len().max(1)).copied(),
            vip88: i % 2 == 0,
            coupon_codes: None,
            region: None,
            at: None,
        };
        let t = Instant::now();
        quote_svc::quote(&ctx, req).await.map_err(e)?;
        times.push(t.elapsed());
    }
    let statements = (counter.total() - before) as f64 / n as f64;
    times.sort_unstable();
    println!(
        "priceQuote via the service on the demo data ({n} carts of 1–20 lines): p50 {:?}  p99 {:?}  {statements:.1} statements each",
        percentile(&times, 0.50),
        percentile(&times, 0.99)
    );

    // A store of 10,000 SKUs with 50 approved promotions, then priceGuard over all of it.
    let big = guard_store(&ctx, &db).await?;
    let t = Instant::now();
    let report = quote_svc::guard(&ctx, big, None, None).await.map_err(e)?;
    println!(
        "priceGuard via the service over {} SKUs: {:?} ({} findings)",
        report.checked,
        t.elapsed(),
        report.findings.len()
    );
    Ok(())
}

async fn guard_store(
    ctx: &zhanggui::service::ServiceCtx,
    db: &sea_orm::DatabaseConnection,
) -> anyhow::Result<i64> {
    use sea_orm::ActiveModelTrait;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use zhanggui::service::promotion::{self as promos, Draft, Spec};
    let store = zhanggui::service::store::new_store(
        "万品店".into(),
        "TMALL".into(),
        "Asia/Shanghai".into(),
        chrono::Utc::now(),
    )
    .insert(db)
    .await?;
    let mut csv = String::from(
        "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\n",
    );
    for i in 0..10_000 {
        csv.push_str(&format!(
            "P{:05},保温杯 款{},家居/杯子,ON_SHELF,S{i:05},编号:{i},{}.00,{}.00,100\n",
            i / 2,
            i / 2,
            29 + i % 500,
            15 + i % 200
        ));
    }
    zhanggui::service::catalog::import::import(
        ctx,
        store.id,
        std::io::Cursor::new(csv.into_bytes()),
        zhanggui::service::catalog::import::no_progress(),
    )
    .await
    .map_err(e)?;
    let products: Vec<i64> = entity::product::Entity::find()
        .filter(entity::product::Column::StoreId.eq(store.id))
        .order_by_asc(entity::product::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let now = zhanggui::config::Clock::system().now();
    for (i, p) in promotions().into_iter().enumerate() {
        let scope = match p.scope {
            Scope::Only { products: ps, .. } => Scope::Only {
                products: ps
                    .iter()
                    .map(|k| products[(*k as usize) % products.len()])
                    .collect(),
                skus: vec![],
            },
            Scope::Except { products: ps, .. } => Scope::Except {
                products: ps
                    .iter()
                    .map(|k| products[(*k as usize) % products.len()])
                    .collect(),
                skus: vec![],
            },
            Scope::Store => Scope::Store,
        };
        let rule = match p.rule {
            // Bundles and gifts name SKUs of the synthetic catalog; the store-wide 满件折 would
            // overlap the per-product 满减 (same family), which approval refuses.
            Rule::Bundle { .. } | Rule::Gift { .. } | Rule::FullDiscount { .. } => continue,
            r => r,
        };
        let d = Draft {
            store_id: store.id,
            name: format!("促销{i}"),
            copy: None,
            start_at: now - chrono::Duration::days(1),
            end_at: now + chrono::Duration::days(7),
            spec: Spec {
                scope,
                audience: Audience::All,
                funder: Funder::Merchant,
                rule,
                coupon: None,
            },
        };
        let m = promos::create(ctx, d).await.map_err(e)?;
        promos::submit(ctx, m.id).await.map_err(e)?;
        promos::approve(ctx, m.id).await.map_err(e)?;
    }
    Ok(store.id)
}
