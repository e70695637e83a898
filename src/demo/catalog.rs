//! Demo catalog: categories, products, SKUs, stock and prices.

use super::*;

type Category = entity::category::Model;

pub(crate) fn def(name: &str, required: bool, values: &[&str]) -> catalog_svc::AttributeDef {
    catalog_svc::AttributeDef {
        name: name.into(),
        required,
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

/// A small homeware catalog: categories, products with SKUs through review, stock (some low)
/// and one non-compliant draft. Skipped when the store already has categories.
pub(crate) async fn seed_catalog(
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
    let (sets, pillows, towels) = seed_categories(&specialist, store_id).await?;
    for (n, item) in demo_items(sets.id, pillows.id, towels.id)
        .iter()
        .enumerate()
    {
        list_item(&director, &specialist, store_id, n, item).await?;
    }
    seed_price_changes(db, &specialist, store_id).await?;
    // One draft that the compliance check refuses to submit.
    catalog_svc::product_create(
        &specialist,
        store_id,
        catalog_svc::ProductContent {
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

/// Three categories: 四件套 and 枕芯 under 床上用品, and 毛巾浴巾.
async fn seed_categories(
    specialist: &ServiceCtx,
    store_id: i64,
) -> Result<(Category, Category, Category), AppError> {
    let category =
        |parent: Option<i64>,
         name: &str,
         key: Vec<catalog_svc::AttributeDef>,
         sales: Vec<catalog_svc::AttributeDef>| catalog_svc::CategoryInput {
            store_id,
            parent_id: parent,
            name: name.into(),
            key_attributes: key,
            sales_attributes: sales,
        };
    let bedding =
        catalog_svc::category_create(specialist, category(None, "床上用品", vec![], vec![]))
            .await?;
    let sets = catalog_svc::category_create(
        specialist,
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
    let pillows = catalog_svc::category_create(
        specialist,
        category(
            Some(bedding.id),
            "枕芯",
            vec![def("材质", true, &["羽绒", "乳胶", "记忆棉"])],
            vec![def("规格", false, &["标准", "加高"])],
        ),
    )
    .await?;
    let towels = catalog_svc::category_create(
        specialist,
        category(
            None,
            "毛巾浴巾",
            vec![def("材质", false, &[])],
            vec![def("颜色分类", false, &["白", "灰", "粉"])],
        ),
    )
    .await?;

    Ok((sets, pillows, towels))
}

/// One demo product and its SKUs.
struct Item {
    title: String,
    category: i64,
    material: &'static str,
    attrs: Vec<(&'static str, Vec<&'static str>)>,
    price: i64,
    cost: i64,
    stock: i64,
}

/// Twenty products: bedding sets, pillows and towels, a few with low stock.
fn demo_items(sets: i64, pillows: i64, towels: i64) -> Vec<Item> {
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
            category: sets,
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
            category: pillows,
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
            category: towels,
            material: "长绒棉",
            attrs: vec![("颜色分类", vec!["白", "灰", "粉"])],
            price: 3_900 + 2_000 * i as i64,
            cost: 1_200 + 600 * i as i64,
            stock: if i == 4 { 5 } else { 120 },
        });
    }
    items
}

/// Creates the product, generates its SKUs with opening stock and takes it through review: most
/// are listed, a few wait in review or sit in the warehouse.
async fn list_item(
    director: &ServiceCtx,
    specialist: &ServiceCtx,
    store_id: i64,
    n: usize,
    item: &Item,
) -> Result<(), AppError> {
    let product = catalog_svc::product_create(
        specialist,
        store_id,
        catalog_svc::ProductContent {
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
    let (_, skus) = catalog_svc::skus_generate(
        director,
        catalog_svc::SkusGenerate {
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
            specialist,
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
    catalog_svc::product_transition(specialist, product.id, catalog_svc::Transition::Submit)
        .await?;
    // Most products are listed; a few wait in review or sit in the warehouse.
    match n % 7 {
        5 => {}
        6 => {
            catalog_svc::product_transition(
                director,
                product.id,
                catalog_svc::Transition::Approve { list_now: false },
            )
            .await?;
        }
        _ => {
            catalog_svc::product_transition(
                director,
                product.id,
                catalog_svc::Transition::Approve { list_now: true },
            )
            .await?;
        }
    }
    Ok(())
}

/// Some price history, and a deep cut waiting for the director in the approval queue.
async fn seed_price_changes(
    db: &DatabaseConnection,
    specialist: &ServiceCtx,
    store_id: i64,
) -> Result<(), AppError> {
    let first_skus = entity::sku::Entity::find()
        .filter(entity::sku::Column::StoreId.eq(store_id))
        .all(db)
        .await?;
    if let (Some(a), Some(b)) = (first_skus.first(), first_skus.get(1)) {
        let within = a.price_fen * 9 / 10;
        pricing::change_price(
            specialist,
            pricing::PriceChangeInput {
                sku_id: a.id,
                new_price_fen: within,
                reason: "日常调价 9折".into(),
                request_approval: false,
            },
        )
        .await?;
        pricing::change_price(
            specialist,
            pricing::PriceChangeInput {
                sku_id: b.id,
                new_price_fen: b.price_fen / 2,
                reason: "双11清仓 5折".into(),
                request_approval: true,
            },
        )
        .await?;
    }
    Ok(())
}
