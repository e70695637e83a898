//! Bulk product import over GraphQL multipart upload.

use serde_json::json;

use crate::helpers::{TestApp, error_code, spawn_app, user_error_codes};

const HEADER: &str = "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock";

fn file(rows: &[&str]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

async fn counts(app: &TestApp) -> [i64; 6] {
    [
        app.count("category").await,
        app.count("product").await,
        app.count("sku").await,
        app.count("inventory_movement").await,
        app.count("price_change").await,
        app.count("audit_log WHERE action <> 'product.import'")
            .await,
    ]
}

const GOOD: [&str; 5] = [
    "D1,法式真丝连衣裙,女装/连衣裙,ON_SHELF,D1-RED-S,颜色:红;尺码:S,299.00,120.00,10",
    "D1,法式真丝连衣裙,女装/连衣裙,ON_SHELF,D1-RED-M,尺码:M;颜色:红,299.00,120.00,5",
    "D1,法式真丝连衣裙,女装/连衣裙,ON_SHELF,D1-BLK-S,颜色:黑;尺码:S,319.00,120.00,0",
    "T1,纯棉T恤,女装/T恤,DRAFT,T1-WHT,颜色:白,59.00,,100",
    "P1,真丝枕套,家居/枕套,OFF_SHELF,P1,,89.00,30.00,",
];

#[tokio::test]
async fn an_import_creates_categories_products_skus_and_opening_stock_and_a_reimport_changes_nothing()
 {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "导入店").await;
    let r = app.import_products(&admin, &store, &file(&GOOD)).await;
    assert_eq!(
        r["report"],
        json!({ "rows": 5, "categoriesCreated": 5, "productsCreated": 3, "productsUpdated": 0, "skusCreated": 5, "skusUpdated": 0, "rowsUnchanged": 0 }),
        "{r}"
    );
    let q = "query($s: ID!) { products(first: 10, sortKey: TITLE, filter: {storeId: $s}) { nodes { title status minPrice maxPrice totalOnHand category { path }
        skus { code attributes { name value } onHand cost } } } }";
    let body = app.gql(Some(&admin.token), q, json!({ "s": store })).await;
    let nodes = body["data"]["products"]["nodes"].as_array().expect("nodes");
    let dress = nodes
        .iter()
        .find(|n| n["title"] == "法式真丝连衣裙")
        .expect("the dress");
    assert_eq!(dress["status"], "ON_SHELF");
    assert_eq!(
        (dress["minPrice"].as_str(), dress["maxPrice"].as_str()),
        (Some("299.00"), Some("319.00"))
    );
    assert_eq!(dress["totalOnHand"], 15);
    assert_eq!(dress["category"]["path"], "女装/连衣裙");
    // Attribute order follows the category, whatever the order in the file.
    assert_eq!(
        dress["skus"][1]["attributes"],
        json!([{ "name": "颜色", "value": "红" }, { "name": "尺码", "value": "M" }])
    );
    assert_eq!(
        app.count("inventory_movement WHERE kind = 'RESTOCK'").await,
        3
    );

    let before = counts(&app).await;
    let again = app.import_products(&admin, &store, &file(&GOOD)).await;
    assert_eq!(again["report"]["rowsUnchanged"], 5, "{again}");
    assert_eq!(again["report"]["skusCreated"], 0);
    assert_eq!(counts(&app).await, before);

    // A changed price and stock update the SKU through the history and the ledger.
    let mut changed = GOOD;
    changed[0] = "D1,法式真丝连衣裙,女装/连衣裙,ON_SHELF,D1-RED-S,颜色:红;尺码:S,279.00,120.00,8";
    let r = app.import_products(&admin, &store, &file(&changed)).await;
    assert_eq!(r["report"]["skusUpdated"], 1, "{r}");
    assert_eq!(
        app.count("price_change WHERE old_price_fen = 29900 AND new_price_fen = 27900")
            .await,
        1
    );
    assert_eq!(
        app.count("inventory_movement WHERE kind = 'STOCKTAKE' AND quantity = -2")
            .await,
        1
    );
}

#[tokio::test]
async fn an_invalid_file_is_rejected_whole_with_each_row_and_column_and_nothing_written() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "导入店").await;
    let before = counts(&app).await;
    let bad = file(&[
        GOOD[0],
        "D1,另一个标题,女装/连衣裙,ON_SHELF,D1-RED-M,颜色:红;尺码:M,299.00,120.00,5",
        "X1,全网最低价 连衣裙,女装/连衣裙,ON_SHELF,X1-1,颜色:红,abc,,-1",
        "X2,好裙子,女装/连衣裙,SOLD,D1-RED-S,颜色红,1.999,,",
    ]);
    let r = app.import_products(&admin, &store, &bad).await;
    assert_eq!(r["report"], serde_json::Value::Null, "{r}");
    assert_eq!(user_error_codes(&r), vec!["INVALID"]);
    let cells: Vec<(i64, String)> = r["rowErrors"]
        .as_array()
        .expect("rowErrors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for expected in [
        (4, "price"),
        (4, "stock"),
        (4, "title"),
        (5, "price"),
        (5, "sales_attrs"),
        (5, "status"),
    ] {
        assert!(
            cells.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?} in {cells:?}"
        );
    }
    assert!(
        cells.contains(&(3, "title".to_owned())),
        "title differs within a product_ref: {cells:?}"
    );
    assert_eq!(r["totalRowErrors"].as_i64(), Some(cells.len() as i64));
    assert_eq!(counts(&app).await, before);

    let missing = app
        .import_products(&admin, &store, "product_ref,title\nA,B\n")
        .await;
    assert!(
        missing["rowErrors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["column"] == "sku_code")),
        "{missing}"
    );
    let empty = app.import_products(&admin, &store, &file(&[])).await;
    assert_eq!(
        empty["rowErrors"][0]["message"],
        "the file has no data rows"
    );
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn import_rows_follow_the_permission_matrix() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "导入店").await;
    let other = app.create_store(&admin, "别的店").await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    // Assistants import drafts without cost; shelf status and cost are refused per row.
    let r = app.import_products(&asst, &store, &file(&[GOOD[3]])).await;
    assert_eq!(r["report"]["productsCreated"], 1, "{r}");
    let r = app.import_products(&asst, &store, &file(&[GOOD[0]])).await;
    let cols: Vec<&str> = r["rowErrors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["column"].as_str())
        .collect();
    assert_eq!(cols, vec!["cost", "status"], "{r}");
    // Specialists list products but cannot set cost.
    let r = app
        .import_products(
            &spec,
            &store,
            &file(&["S1,夏季短裙,女装/短裙,ON_SHELF,S1-1,,99.00,,3"]),
        )
        .await;
    assert_eq!(r["report"]["productsCreated"], 1, "{r}");
    // A specialist's price cut beyond 20% needs approval.
    let r = app
        .import_products(
            &spec,
            &store,
            &file(&["S1,夏季短裙,女装/短裙,ON_SHELF,S1-1,,59.00,,3"]),
        )
        .await;
    assert!(
        r["rowErrors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("approval required"),
        "{r}"
    );
    // Another store does not exist for them.
    assert_eq!(
        error_code(&app.import_products(&spec, &other, &file(&[GOOD[3]])).await),
        "NOT_FOUND"
    );
}
