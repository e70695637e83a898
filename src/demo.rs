//! `--demo`: a demo company with one login per role. Idempotent; later capabilities add their
//! share (catalog, members, orders, promotions, …).

use std::sync::Arc;

use entity::{staff, store};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::auth::{Role, password};
use crate::db;
use crate::domain::pii::PiiCipher;
use crate::error::AppError;
use crate::service::{
    ServiceCtx, account::auth as auth_svc, account::staff as staff_svc, catalog, inventory,
    pricing, store as store_svc,
};

/// A demo login to print at start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
}

/// The demo logins (documented in the README; demo data only, never for production).
pub const LOGINS: [DemoLogin; 3] = [
    DemoLogin {
        username: "demo.director",
        password: "director-demo-2026",
        role: Role::Director,
    },
    DemoLogin {
        username: "demo.specialist",
        password: "specialist-demo-2026",
        role: Role::Specialist,
    },
    DemoLogin {
        username: "demo.assistant",
        password: "assistant-demo-2026",
        role: Role::Assistant,
    },
];

const STORES: [(&str, &str); 3] = [
    ("掌柜家居天猫旗舰店", "TMALL"),
    ("掌柜家居淘宝店", "TAOBAO"),
    ("掌柜家居京东自营", "JD"),
];

async fn ensure_store(
    txn: &impl sea_orm::ConnectionTrait,
    name: &str,
    platform: &str,
) -> Result<i64, AppError> {
    if let Some(s) = store::Entity::find()
        .filter(store::Column::Name.eq(name))
        .one(txn)
        .await?
    {
        return Ok(s.id);
    }
    let mut m = store_svc::new_store(
        name.to_owned(),
        platform.to_owned(),
        "Asia/Shanghai".to_owned(),
    );
    store_svc::apply_settings(
        &mut m,
        &store_svc::SettingsPatch {
            min_margin_bp: Some(1_000),
            specialist_cost_view: Some(name.contains("天猫")),
            ..Default::default()
        },
    );
    let m = m.insert(txn).await?;
    Ok(m.id)
}

/// Seeds the demo company; returns the logins.
pub async fn seed(
    db: &DatabaseConnection,
    pii: Arc<PiiCipher>,
) -> Result<Vec<DemoLogin>, AppError> {
    let mut store_ids = Vec::new();
    let txn = db::begin_write(db).await?;
    for (name, platform) in STORES {
        store_ids.push(ensure_store(&txn, name, platform).await?);
    }
    txn.commit().await?;
    for login in LOGINS {
        let exists = staff::Entity::find()
            .filter(staff::Column::Username.eq(login.username))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let stores = match login.role {
            Role::Director => Vec::new(),
            Role::Specialist => store_ids[..2].to_vec(),
            Role::Assistant => store_ids[..1].to_vec(),
        };
        let hash = password::hash(login.password.to_owned()).await?;
        let txn = db::begin_write(db).await?;
        staff_svc::insert(
            &txn,
            None,
            None,
            staff_svc::CreateInput {
                username: login.username.to_owned(),
                display_name: Some(
                    match login.role {
                        Role::Director => "王总监",
                        Role::Specialist => "李专员",
                        Role::Assistant => "张助理",
                    }
                    .to_owned(),
                ),
                role: login.role,
                store_ids: stores,
            },
            hash,
            false,
        )
        .await?;
        txn.commit().await?;
    }
    for store_id in &store_ids[..2] {
        seed_catalog(db, &pii, *store_id).await?;
        seed_orders(db, &pii, *store_id).await?;
        seed_promotions(db, &pii, *store_id).await?;
    }
    Ok(LOGINS.to_vec())
}

/// One demo buyer: purchase days (days before today, newest first) and how dear the goods are.
struct DemoBuyer {
    nick: &'static str,
    days: Vec<i64>,
    dear: bool,
}

/// Members and about thirteen months of orders, shaped so that every RFM segment has members
/// today: loyal regulars, big spenders, newcomers, buyers slipping away and long gone. Skipped
/// when the store already has orders.
async fn seed_orders(
    db: &DatabaseConnection,
    pii: &Arc<PiiCipher>,
    store_id: i64,
) -> Result<(), AppError> {
    use sea_orm::{PaginatorTrait, QueryOrder};
    use std::fmt::Write;
    if entity::sales_order::Entity::find()
        .filter(entity::sales_order::Column::StoreId.eq(store_id))
        .count(db)
        .await?
        > 0
    {
        return Ok(());
    }
    let store = store::Entity::find_by_id(store_id)
        .one(db)
        .await?
        .ok_or(AppError::not_found("store"))?;
    let skus = entity::sku::Entity::find()
        .filter(entity::sku::Column::StoreId.eq(store_id))
        .filter(entity::sku::Column::OnHand.gte(40))
        .order_by_asc(entity::sku::Column::PriceFen)
        .all(db)
        .await?;
    if skus.len() < 4 {
        return Ok(());
    }
    let (cheap, dear) = skus.split_at(skus.len() / 2);
    let spread = |n: i64, last: i64, step: i64| (0..n).map(|i| last + i * step).collect::<Vec<_>>();
    let buyers: Vec<DemoBuyer> = vec![
        // 高价值: recent, frequent, big spenders.
        DemoBuyer {
            nick: "tb_莉莉",
            days: spread(12, 4, 25),
            dear: true,
        },
        DemoBuyer {
            nick: "jd_王先生",
            days: spread(10, 9, 30),
            dear: true,
        },
        DemoBuyer {
            nick: "小鹿家居控",
            days: spread(11, 16, 28),
            dear: true,
        },
        // 忠诚: frequent, a little while ago.
        DemoBuyer {
            nick: "t***8",
            days: spread(7, 70, 30),
            dear: false,
        },
        DemoBuyer {
            nick: "阿飞飞",
            days: spread(8, 78, 25),
            dear: true,
        },
        DemoBuyer {
            nick: "晴天小猪",
            days: spread(6, 85, 35),
            dear: false,
        },
        // 流失预警: used to buy often, quiet for months.
        DemoBuyer {
            nick: "北京老张",
            days: spread(4, 110, 40),
            dear: true,
        },
        DemoBuyer {
            nick: "m***a",
            days: spread(5, 140, 30),
            dear: false,
        },
        DemoBuyer {
            nick: "大橙子",
            days: spread(3, 170, 45),
            dear: true,
        },
        // 新客: first purchase within the month.
        DemoBuyer {
            nick: "新手妈妈",
            days: vec![3],
            dear: true,
        },
        DemoBuyer {
            nick: "z***9",
            days: vec![11],
            dear: false,
        },
        DemoBuyer {
            nick: "布丁",
            days: vec![19],
            dear: true,
        },
        DemoBuyer {
            nick: "考拉",
            days: vec![26],
            dear: false,
        },
        // 潜力: recent, but few purchases.
        DemoBuyer {
            nick: "一只猫",
            days: vec![6, 130],
            dear: false,
        },
        DemoBuyer {
            nick: "冬冬",
            days: vec![13, 95],
            dear: false,
        },
        DemoBuyer {
            nick: "s***1",
            days: vec![22, 200],
            dear: false,
        },
        DemoBuyer {
            nick: "花花世界",
            days: vec![29, 64, 300],
            dear: false,
        },
        // 沉睡: one small purchase three to six months ago.
        DemoBuyer {
            nick: "路人甲",
            days: vec![100],
            dear: false,
        },
        DemoBuyer {
            nick: "q***7",
            days: vec![125],
            dear: false,
        },
        DemoBuyer {
            nick: "夏天",
            days: vec![150],
            dear: false,
        },
        DemoBuyer {
            nick: "石头",
            days: vec![175],
            dear: false,
        },
        // 已流失: nothing for half a year or more.
        DemoBuyer {
            nick: "远方",
            days: vec![210],
            dear: false,
        },
        DemoBuyer {
            nick: "k***2",
            days: vec![260],
            dear: false,
        },
        DemoBuyer {
            nick: "老顾客",
            days: vec![320],
            dear: false,
        },
        DemoBuyer {
            nick: "回忆",
            days: vec![395],
            dear: false,
        },
    ];
    let today = crate::service::store::today(&store);
    let channels = ["ZTC", "YLMF", "", "LIVE-1111", "TBK"];
    let mut csv = crate::service::order::COLUMNS.join(",");
    csv.push_str(",refunded_amount\n");
    let mut n = 0usize;
    let mut line = |csv: &mut String,
                    buyer: usize,
                    b: &DemoBuyer,
                    day: i64,
                    status: &str,
                    refunded: &str| {
        n += 1;
        let pool = if b.dear { dear } else { cheap };
        let sku = &pool[(buyer * 7 + n) % pool.len()];
        let date = today - chrono::Duration::days(day);
        let hour = 9 + (n % 12);
        let created = format!("{date} {hour:02}:{:02}:00", n % 60);
        let paid = if matches!(status, "CREATED" | "CANCELLED" | "CLOSED_UNPAID") {
            String::new()
        } else {
            format!("{date} {hour:02}:{:02}:30", n % 60)
        };
        let discount = if n.is_multiple_of(4) {
            sku.price_fen / 10
        } else {
            0
        };
        let money = |f: i64| crate::domain::Fen(f).to_string();
        let _ = writeln!(
            csv,
            "DEMO{store_id}-{n:05},buyer-{store_id}-{buyer:03},{},1{}{:08},{status},{created},{paid},{},{},1,{},{},{},{},{refunded}",
            b.nick,
            [38, 39, 58, 86][buyer % 4],
            (buyer * 7_919 + 1_234) % 100_000_000,
            n.is_multiple_of(3),
            sku.code,
            money(sku.price_fen),
            money(discount),
            money(sku.price_fen - discount),
            channels[n % channels.len()],
        );
    };
    for (i, b) in buyers.iter().enumerate() {
        for &day in b.days.iter().rev() {
            let status = match day {
                0..=4 => "PAID",
                5..=14 => "SHIPPED",
                _ => "COMPLETED",
            };
            line(&mut csv, i, b, day, status, "");
        }
    }
    // Orders that never became purchases, and refunds.
    line(&mut csv, 0, &buyers[0], 1, "CREATED", "");
    line(&mut csv, 9, &buyers[9], 2, "CANCELLED", "");
    line(&mut csv, 13, &buyers[13], 40, "CLOSED_UNPAID", "");
    line(&mut csv, 1, &buyers[1], 2, "REFUNDED", "");
    line(&mut csv, 4, &buyers[4], 78, "PARTIALLY_REFUNDED", "10.00");
    let specialist = acting_as(db, pii, Role::Specialist).await?;
    match crate::service::order::import(
        &specialist,
        store_id,
        std::io::Cursor::new(csv.into_bytes()),
        crate::service::catalog::import::no_progress(),
    )
    .await?
    {
        crate::service::order::Outcome::Imported(_) => {}
        crate::service::order::Outcome::Rejected { errors, .. } => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "demo orders rejected: {:?}",
                errors.first()
            )));
        }
    }
    // Tags, and a points goodwill gesture waiting for the director.
    let members = entity::member::Entity::find()
        .filter(entity::member::Column::StoreId.eq(store_id))
        .order_by_asc(entity::member::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = members.iter().take(3).map(|m| m.id).collect();
    crate::service::member::tags_set(
        &specialist,
        &ids,
        &["高复购".into(), "双11老客".into()],
        &[],
    )
    .await?;
    if let Some(m) = members.get(6) {
        crate::service::member::points_adjust(
            &specialist,
            crate::service::member::PointsAdjust {
                member_id: m.id,
                amount: 800,
                reason: "物流延误补偿".into(),
                request_approval: true,
            },
        )
        .await?;
    }
    Ok(())
}

/// A service context acting as the demo login of `role`.
async fn acting_as(
    db: &DatabaseConnection,
    pii: &Arc<PiiCipher>,
    role: Role,
) -> Result<ServiceCtx, AppError> {
    let login = LOGINS
        .iter()
        .find(|l| l.role == role)
        .ok_or(AppError::not_found("demo login"))?;
    let model = staff::Entity::find()
        .filter(staff::Column::Username.eq(login.username))
        .one(db)
        .await?
        .ok_or(AppError::not_found("demo staff"))?;
    let (_, viewer) = auth_svc::load_staff(db, model.id)
        .await?
        .ok_or(AppError::not_found("demo staff"))?;
    Ok(ServiceCtx::acting_as(
        db.clone(),
        pii.clone(),
        viewer,
        "demo",
    ))
}

fn def(name: &str, required: bool, values: &[&str]) -> catalog::AttributeDef {
    catalog::AttributeDef {
        name: name.into(),
        required,
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

/// A small homeware catalog: categories, products with SKUs through review, stock (some low)
/// and one non-compliant draft. Skipped when the store already has categories.
async fn seed_catalog(
    db: &DatabaseConnection,
    pii: &Arc<PiiCipher>,
    store_id: i64,
) -> Result<(), AppError> {
    use sea_orm::PaginatorTrait;
    if entity::category::Entity::find()
        .filter(entity::category::Column::StoreId.eq(store_id))
        .count(db)
        .await?
        > 0
    {
        return Ok(());
    }
    let director = acting_as(db, pii, Role::Director).await?;
    let specialist = acting_as(db, pii, Role::Specialist).await?;
    let category = |parent: Option<i64>,
                    name: &str,
                    key: Vec<catalog::AttributeDef>,
                    sales: Vec<catalog::AttributeDef>| catalog::CategoryInput {
        store_id,
        parent_id: parent,
        name: name.into(),
        key_attributes: key,
        sales_attributes: sales,
    };
    let bedding =
        catalog::category_create(&specialist, category(None, "床上用品", vec![], vec![])).await?;
    let sets = catalog::category_create(
        &specialist,
        category(
            Some(bedding.id),
            "四件套",
            vec![def("材质", true, &["纯棉", "天丝", "真丝"])],
            vec![
                def("颜色分类", false, &["雾霾蓝", "奶油白", "燕麦色"]),
                def("尺寸", false, &["1.5m床", "1.8m床"]),
            ],
        ),
    )
    .await?;
    let pillows = catalog::category_create(
        &specialist,
        category(
            Some(bedding.id),
            "枕芯",
            vec![def("材质", true, &["羽绒", "乳胶", "记忆棉"])],
            vec![def("规格", false, &["标准", "加高"])],
        ),
    )
    .await?;
    let towels = catalog::category_create(
        &specialist,
        category(
            None,
            "毛巾浴巾",
            vec![def("材质", false, &[])],
            vec![def("颜色分类", false, &["白", "灰", "粉"])],
        ),
    )
    .await?;

    struct Item {
        title: String,
        category: i64,
        material: &'static str,
        attrs: Vec<(&'static str, Vec<&'static str>)>,
        price: i64,
        cost: i64,
        stock: i64,
    }
    let mut items = Vec::new();
    for (i, (material, style)) in [
        ("纯棉", "简约"),
        ("天丝", "冰丝凉感"),
        ("真丝", "轻奢"),
        ("纯棉", "北欧条纹"),
        ("天丝", "法式蕾丝"),
        ("纯棉", "日式格纹"),
        ("真丝", "桑蚕丝"),
        ("纯棉", "水洗棉"),
    ]
    .into_iter()
    .enumerate()
    {
        let title = format!("{style}{material}四件套 床单被套枕套 亲肤透气");
        items.push(Item {
            title,
            category: sets.id,
            material,
            attrs: vec![
                ("颜色分类", vec!["雾霾蓝", "奶油白", "燕麦色"]),
                ("尺寸", vec!["1.5m床", "1.8m床"]),
            ],
            price: 29_900 + 10_000 * i as i64,
            cost: 12_000 + 4_000 * i as i64,
            stock: if i % 3 == 0 { 3 } else { 40 },
        });
    }
    for (i, material) in ["羽绒", "乳胶", "记忆棉", "羽绒", "乳胶", "记忆棉"]
        .into_iter()
        .enumerate()
    {
        let title = format!("{material}枕芯 护颈助眠 单只装 款{}", i + 1);
        items.push(Item {
            title,
            category: pillows.id,
            material,
            attrs: vec![("规格", vec!["标准", "加高"])],
            price: 9_900 + 3_000 * i as i64,
            cost: 3_500 + 1_000 * i as i64,
            stock: if i == 2 { 2 } else { 60 },
        });
    }
    for i in 0..6 {
        let title = format!("新疆长绒棉毛巾 加厚吸水 {}条装", i + 1);
        items.push(Item {
            title,
            category: towels.id,
            material: "长绒棉",
            attrs: vec![("颜色分类", vec!["白", "灰", "粉"])],
            price: 3_900 + 2_000 * i as i64,
            cost: 1_200 + 600 * i as i64,
            stock: if i == 4 { 5 } else { 120 },
        });
    }
    for (n, item) in items.iter().enumerate() {
        let product = catalog::product_create(
            &specialist,
            store_id,
            catalog::ProductContent {
                category_id: Some(item.category),
                title: Some(item.title.clone()),
                subtitle: Some(Some("掌柜家居 品质生活".into())),
                key_attributes: Some(
                    [("材质".to_owned(), item.material.to_owned())]
                        .into_iter()
                        .collect(),
                ),
                images: Some(vec![format!(
                    "https://img.zhanggui.example/demo/{store_id}/{n}.jpg"
                )]),
                ..Default::default()
            },
        )
        .await?;
        let (_, skus) = catalog::skus_generate(
            &director,
            catalog::SkusGenerate {
                product_id: product.id,
                attributes: item
                    .attrs
                    .iter()
                    .map(|(k, vs)| {
                        (
                            (*k).to_owned(),
                            vs.iter().map(|v| (*v).to_owned()).collect(),
                        )
                    })
                    .collect(),
                price_fen: item.price,
                cost_fen: Some(item.cost),
                low_stock_threshold: 10,
                code_prefix: Some(format!("ZG{store_id}-{:03}", n + 1)),
            },
        )
        .await?;
        for sku in &skus {
            inventory::apply(
                &specialist,
                inventory::StockInput {
                    sku_id: sku.id,
                    change: inventory::Change::Restock(item.stock),
                    reason: Some("期初入库".into()),
                    reference: Some(format!("RK-{store_id}-{n}")),
                },
                false,
            )
            .await?;
        }
        catalog::product_transition(&specialist, product.id, catalog::Transition::Submit).await?;
        // Most products are listed; a few wait in review or sit in the warehouse.
        match n % 7 {
            5 => {}
            6 => {
                catalog::product_transition(
                    &director,
                    product.id,
                    catalog::Transition::Approve { list_now: false },
                )
                .await?;
            }
            _ => {
                catalog::product_transition(
                    &director,
                    product.id,
                    catalog::Transition::Approve { list_now: true },
                )
                .await?;
            }
        }
    }
    // Some price history, and a deep cut waiting for the director in the approval queue.
    let first_skus = entity::sku::Entity::find()
        .filter(entity::sku::Column::StoreId.eq(store_id))
        .all(db)
        .await?;
    if let (Some(a), Some(b)) = (first_skus.first(), first_skus.get(1)) {
        let within = a.price_fen * 9 / 10;
        pricing::change_price(
            &specialist,
            pricing::PriceChangeInput {
                sku_id: a.id,
                new_price_fen: within,
                reason: "日常调价 9折".into(),
                request_approval: false,
            },
        )
        .await?;
        pricing::change_price(
            &specialist,
            pricing::PriceChangeInput {
                sku_id: b.id,
                new_price_fen: b.price_fen / 2,
                reason: "双11清仓 5折".into(),
                request_approval: true,
            },
        )
        .await?;
    }
    // One draft that the compliance check refuses to submit.
    catalog::product_create(
        &specialist,
        store_id,
        catalog::ProductContent {
            category_id: Some(sets.id),
            title: Some("全网最低价 顶级工艺真丝四件套 国家级品质".into()),
            key_attributes: Some(
                [("材质".to_owned(), "真丝".to_owned())]
                    .into_iter()
                    .collect(),
            ),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// A 双11-style set of promotions in force now (store 满减 tiers, 跨店满减, a 单品宝, 第二件半价,
/// a store coupon issued to the high-value segment, 满199包邮, 88VIP, a gift), one 单品宝 that a
/// director let break a SKU's floor (so `priceGuard` has something to show), and one deep
/// discount a specialist submitted, waiting for the director. Skipped when the store has
/// promotions.
async fn seed_promotions(
    db: &DatabaseConnection,
    pii: &Arc<PiiCipher>,
    store_id: i64,
) -> Result<(), AppError> {
    use crate::engine::{
        Audience, BundleMember, Funder, ItemMode, ReductionForm, Rounding, Rule, Scope, Threshold,
        Tier,
    };
    use crate::service::promotion::{self as promos, Channel, CouponTerms, Spec, Validity};
    use sea_orm::{PaginatorTrait, QueryOrder};
    if entity::promotion::Entity::find()
        .filter(entity::promotion::Column::StoreId.eq(store_id))
        .count(db)
        .await?
        > 0
    {
        return Ok(());
    }
    let director = acting_as(db, pii, Role::Director).await?;
    let specialist = acting_as(db, pii, Role::Specialist).await?;
    let skus = entity::sku::Entity::find()
        .filter(entity::sku::Column::StoreId.eq(store_id))
        .order_by_asc(entity::sku::Column::Id)
        .all(db)
        .await?;
    let products: Vec<i64> = {
        let mut p: Vec<i64> = skus.iter().map(|s| s.product_id).collect();
        p.dedup();
        p
    };
    let (Some(first), Some(pillow), Some(towel)) = (
        products.first().copied(),
        products.get(8).copied(),
        products.get(14).copied(),
    ) else {
        return Ok(());
    };
    let skus_of = |product: i64| -> Vec<&entity::sku::Model> {
        skus.iter().filter(|s| s.product_id == product).collect()
    };
    let now = crate::service::now();
    let (start, end) = (
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(13),
    );
    let spec = |scope: Scope, rule: Rule| Spec {
        scope,
        audience: Audience::All,
        funder: Funder::Merchant,
        rule,
        coupon: None,
    };
    let only = |products: Vec<i64>, skus: Vec<i64>| Scope::Only { products, skus };
    let draft = |name: &str, spec: Spec| promos::Draft {
        store_id,
        name: name.into(),
        copy: None,
        start_at: start,
        end_at: end,
        spec,
    };
    let live = |d: promos::Draft| {
        let director = &director;
        async move {
            let p = promos::create(director, d).await?;
            promos::submit(director, p.id).await?;
            promos::approve(director, p.id).await
        }
    };
    // A floor on the first pillow SKU, and a 单品宝 the director approved below it.
    let pillow_sku = skus_of(pillow).first().map(|s| (s.id, s.price_fen));
    if let Some((id, price)) = pillow_sku {
        crate::service::pricing::sku_update(
            &director,
            id,
            crate::service::pricing::SkuUpdate {
                floor_price_fen: Some(Some(price * 8 / 10)),
                ..Default::default()
            },
        )
        .await?;
    }
    live(draft(
        "双11 店铺满减 300-30 / 500-60 / 1000-150",
        spec(
            Scope::Store,
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
                    Tier {
                        threshold: 100_000,
                        value: 15_000,
                    },
                ]),
                cross_store: false,
            },
        ),
    ))
    .await?;
    let mut cross = spec(
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
    );
    cross.funder = Funder::CoFunded { merchant_bp: 5_000 };
    live(draft("双11 跨店满减 每满300减50", cross)).await?;
    live(draft(
        "爆款四件套 单品宝 8.8折",
        spec(
            only(vec![first], vec![]),
            Rule::ItemDiscount {
                mode: ItemMode::Percent(8_800),
                rounding: Rounding::DropJiao,
                per_buyer_limit: Some(2),
            },
        ),
    ))
    .await?;
    live(draft(
        "枕芯秒杀 6.9折",
        spec(
            only(vec![], pillow_sku.map(|p| vec![p.0]).unwrap_or_default()),
            Rule::ItemDiscount {
                mode: ItemMode::Percent(6_900),
                rounding: Rounding::None,
                per_buyer_limit: Some(1),
            },
        ),
    ))
    .await?;
    live(draft(
        "毛巾第二件半价",
        spec(
            only(vec![towel], vec![]),
            Rule::NthItem {
                nth: 2,
                rate_bp: 5_000,
            },
        ),
    ))
    .await?;
    live(draft(
        "满199包邮（偏远地区除外）",
        spec(
            Scope::Store,
            Rule::FreeShipping {
                on: Some(Threshold::Amount),
                threshold: 19_900,
                excluded_regions: ["新疆", "西藏", "青海", "内蒙古", "宁夏", "甘肃"]
                    .map(String::from)
                    .to_vec(),
            },
        ),
    ))
    .await?;
    live(draft(
        "88VIP 专享 95折",
        spec(
            only(vec![first], vec![]),
            Rule::MemberPrice {
                vip88_bp: Some(9_500),
            },
        ),
    ))
    .await?;
    if let (Some(main), Some(companion)) = (
        skus_of(products.get(9).copied().unwrap_or(pillow))
            .first()
            .copied(),
        skus_of(towel).first().copied(),
    ) {
        live(draft(
            "枕芯+毛巾 搭配购",
            spec(
                Scope::Store,
                Rule::Bundle {
                    fixed: true,
                    main_sku: main.id,
                    members: vec![
                        BundleMember {
                            sku_id: main.id,
                            price: main.price_fen - 1_000,
                        },
                        BundleMember {
                            sku_id: companion.id,
                            price: companion.price_fen - 500,
                        },
                    ],
                },
            ),
        ))
        .await?;
    }
    if let Some(gift) = skus_of(towel).last() {
        live(draft(
            "满500赠毛巾",
            spec(
                Scope::Store,
                Rule::Gift {
                    on: Threshold::Amount,
                    threshold: 50_000,
                    gift_sku: gift.id,
                    stock_left: 0,
                },
            ),
        ))
        .await?;
    }
    let mut coupon = spec(
        Scope::Store,
        Rule::Coupon {
            item: false,
            platform: false,
            face: 5_000,
            threshold: 50_000,
            stackable_with_store_activity: true,
        },
    );
    coupon.coupon = Some(CouponTerms {
        total_quantity: 1_000,
        per_buyer_limit: 1,
        claim_start: start,
        claim_end: end,
        validity: Validity::Relative { days: 7 },
        channel: Channel::Public,
    });
    let template = live(draft("双11 店铺券 满500减50", coupon)).await?;
    crate::service::promotion::coupon::issue(
        &specialist,
        crate::service::promotion::coupon::Issue {
            template_id: template.id,
            to: crate::service::promotion::coupon::Recipients::Segment(
                crate::domain::rfm::Segment::HighValue,
            ),
            client_key: "demo-high-value".into(),
        },
    )
    .await
    .or_else(|e| match e {
        // A store without high-value members today issues nothing.
        AppError::Invalid(_) => Ok(Vec::new()),
        other => Err(other),
    })?;
    // A deep discount a specialist submitted: it waits for the director.
    let deep = promos::create(
        &specialist,
        draft(
            "清仓 6折",
            spec(
                only(vec![*products.last().unwrap_or(&first)], vec![]),
                Rule::ItemDiscount {
                    mode: ItemMode::Percent(6_000),
                    rounding: Rounding::None,
                    per_buyer_limit: None,
                },
            ),
        ),
    )
    .await?;
    promos::submit(&specialist, deep.id).await?;
    Ok(())
}
