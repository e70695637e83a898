//! List queries cost a constant number of SQL statements, whatever the page size.

use serde_json::json;

use crate::helpers::{TestApp, User, spawn_app};

async fn statements_for(app: &TestApp, user: &User, query: &str) -> u64 {
    let before = app.statements().await;
    let body = app.gql(Some(&user.token), query, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    app.statements().await - before
}

/// Once a token's viewer is known, an authenticated request needs no statement to know who
/// asks: `{ __typename }` with a token costs as much SQL as without one (none).
#[tokio::test]
async fn an_authenticated_request_costs_no_statement_for_its_viewer() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // The fewest of a few runs: the server's scheduler may run a job in between.
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        fewest = fewest.min(statements_for(&app, &admin, "{ __typename }").await);
    }
    assert_eq!(fewest, 0, "statements to know the viewer");
}

#[tokio::test]
async fn staff_and_audit_lists_use_a_constant_number_of_statements() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_store(&admin, "店A").await;
    let b = app.create_store(&admin, "店B").await;
    let staff_q =
        "{ staffMembers(first: 100) { edges { node { id displayName stores { id name } } } } }";
    let audit_q = "{ auditLog(first: 100) { edges { node { action actor { displayName stores { name } } store { name } } } } }";

    app.create_staff(&admin, "spec1", "SPECIALIST", &[&a]).await;
    let small_staff = statements_for(&app, &admin, staff_q).await;
    let small_audit = statements_for(&app, &admin, audit_q).await;
    for i in 0..12 {
        app.create_staff(&admin, &format!("user{i}"), "ASSISTANT", &[&a, &b])
            .await;
    }
    let large_staff = statements_for(&app, &admin, staff_q).await;
    let large_audit = statements_for(&app, &admin, audit_q).await;
    assert_eq!(small_staff, large_staff, "staffMembers grows with the page");
    assert_eq!(small_audit, large_audit, "auditLog grows with the page");
    // Page (1) + assignments (1) + stores (1); the viewer comes from the cache.
    assert!(large_staff <= 3, "{large_staff} statements");
}

#[tokio::test]
async fn a_page_of_products_with_skus_categories_and_stores_costs_constant_statements() {
    use crate::catalog::{draft, dress_category, generate};
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let cat = dress_category(&app, &admin, &store).await;
    let q = "{ products(first: 50) { edges { node { title minPrice store { name } category { path parent { name } }
        skus { code price cost margin available product { title } } complianceIssues { term } } } } }";
    for i in 0..2 {
        let id = draft(&app, &admin, &store, &cat, &format!("连衣裙 {i}")).await;
        generate(&app, &admin, &id, &["红色", "黑色"], &["S", "M"], "199.00").await;
    }
    let small = statements_for(&app, &admin, q).await;
    for i in 2..10 {
        let id = draft(&app, &admin, &store, &cat, &format!("连衣裙 {i}")).await;
        generate(
            &app,
            &admin,
            &id,
            &["红色", "黑色", "白色"],
            &["S", "M", "L"],
            "199.00",
        )
        .await;
    }
    let large = statements_for(&app, &admin, q).await;
    assert_eq!(small, large, "products page grows with its size");
    // Page (1), then one batch per relation: stores, categories, parents, SKUs, products.
    assert!(large <= 8, "{large} statements");
}

/// A product with its SKUs, costs and margins costs two statements for a director: the product
/// and its SKUs. Whether costs show needs no store lookup unless it depends on the store's
/// setting (a specialist's).
#[tokio::test]
async fn a_product_detail_costs_its_row_and_its_skus() {
    use crate::catalog::{draft, dress_category, generate};
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let cat = dress_category(&app, &admin, &store).await;
    let id = draft(&app, &admin, &store, &cat, "连衣裙").await;
    generate(&app, &admin, &id, &["红色", "黑色"], &["S", "M"], "199.00").await;
    let q = format!(
        "{{ product(id: \"{id}\") {{ id title status skus {{ id code price cost margin onHand }} }} }}"
    );
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        fewest = fewest.min(statements_for(&app, &admin, &q).await);
    }
    assert_eq!(fewest, 2, "product and SKUs");
}

#[tokio::test]
async fn a_page_of_promotions_with_their_stores_staff_and_scopes_costs_constant_statements() {
    use chrono::{Duration, Utc};
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = crate::order::shop(&app, &admin, "杯子店").await;
    let query = "{ promotions(first: 50) { nodes { id name status store { name } createdBy { displayName } submittedBy { displayName }
        scope { mode products { title } skus { code } } ... on CouponTemplate { issuedCount } } } }";
    let sku = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { skuByCode(storeId: $s, code: \"CUP-RED\") { id } }",
            json!({ "s": store }),
        )
        .await["data"]["skuByCode"]["id"]
        .clone();
    let create = |n: usize| {
        let (app, admin, store, sku) = (&app, &admin, &store, &sku);
        async move {
            for i in 0..n {
                let b = app.gql(Some(&admin.token), "mutation($i: PromotionCreateInput!) { promotionCreate(input: $i) { userErrors { code } } }",
                    json!({ "i": { "storeId": store, "name": format!("包邮{i}"), "startAt": (Utc::now() + Duration::hours(1)).to_rfc3339(),
                        "endAt": (Utc::now() + Duration::hours(9)).to_rfc3339(), "freeShipping": {},
                        "scope": { "mode": "ONLY", "skuIds": [sku] } } })).await;
                assert!(
                    b["data"]["promotionCreate"]["userErrors"]
                        .as_array()
                        .is_some_and(Vec::is_empty),
                    "{b}"
                );
            }
        }
    };
    create(2).await;
    let few = statements_for(&app, &admin, query).await;
    create(10).await;
    let many = statements_for(&app, &admin, query).await;
    assert_eq!(few, many, "2 vs 12 promotions");
}

/// The stock ledger with each movement's SKU, and the points ledger with each entry's order,
/// cost the same number of statements for 2 rows as for 12 (one batch per relation).
#[tokio::test]
async fn ledgers_with_their_skus_and_orders_cost_constant_statements() {
    use crate::order::{orders_file, shop};
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "账本店").await;
    let order = |n: usize, sku: &str| {
        format!(
            "L{n},B1,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,{sku},1,100.00,0,100.00,"
        )
    };
    let first: Vec<String> = (0..2)
        .map(|n| order(n, if n % 2 == 0 { "CUP-RED" } else { "CUP-BLU" }))
        .collect();
    let rows: Vec<&str> = first.iter().map(String::as_str).collect();
    app.import_orders(&admin, &store, &orders_file(&rows)).await;
    let movements = "{ inventoryMovements(first: 50) { nodes { kind quantity sku { code product { title } } } } }";
    let ledger = "{ members(first: 5) { nodes { pointsLedger(first: 50) { nodes { amount order { orderNo } } } } } }";
    let small_movements = statements_for(&app, &admin, movements).await;
    let small_ledger = statements_for(&app, &admin, ledger).await;

    let more: Vec<String> = (2..12)
        .map(|n| order(n, if n % 2 == 0 { "CUP-RED" } else { "CUP-BLU" }))
        .collect();
    let rows: Vec<&str> = more.iter().map(String::as_str).collect();
    app.import_orders(&admin, &store, &orders_file(&rows)).await;
    let body = app.gql(Some(&admin.token), ledger, json!({})).await;
    let entries = body["data"]["members"]["nodes"][0]["pointsLedger"]["nodes"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(entries, 12, "{body}");
    assert_eq!(
        statements_for(&app, &admin, movements).await,
        small_movements,
        "inventoryMovements.sku grows with the page"
    );
    assert_eq!(
        statements_for(&app, &admin, ledger).await,
        small_ledger,
        "pointsLedger.order grows with the page"
    );
}
