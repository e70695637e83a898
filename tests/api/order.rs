//! Order import: validation, idempotency, status rules, stock movements, points and tiers.

use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code, spawn_app};

pub const HEADER: &str = "order_no,buyer_ref,buyer_nick,buyer_phone,status,created_at,paid_at,consulted,sku_code,quantity,unit_price,discount,paid_amount,channel";

pub fn orders_file(rows: &[&str]) -> String {
    orders_file_with(HEADER, rows)
}

pub fn orders_file_with(header: &str, rows: &[&str]) -> String {
    let mut s = String::from(header);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

/// A store with two SKUs: CUP-RED (10 in stock) and CUP-BLU (2), both ¥100.
pub async fn shop(app: &TestApp, admin: &User, name: &str) -> String {
    let store = app.create_store(admin, name).await;
    let r = app
        .import_products(
            admin,
            &store,
            "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock
CUP,保温杯,家居/杯子,DRAFT,CUP-RED,颜色:红,100.00,40.00,10
CUP,保温杯,家居/杯子,DRAFT,CUP-BLU,颜色:蓝,100.00,40.00,2
",
        )
        .await;
    assert!(r["report"].is_object(), "{r}");
    store
}

async fn on_hand(app: &TestApp, user: &User, store: &str, code: &str) -> i64 {
    let b = app
        .gql(
            Some(&user.token),
            "query($s: ID!, $c: String!) { skuByCode(storeId: $s, code: $c) { onHand } }",
            json!({ "s": store, "c": code }),
        )
        .await;
    b["data"]["skuByCode"]["onHand"].as_i64().expect("onHand")
}

pub async fn member(app: &TestApp, user: &User, store: &str, buyer: &str) -> Value {
    let b = app
        .gql(
            Some(&user.token),
            "query($s: ID!) { members(first: 100, filter: {storeId: $s}) { nodes { id buyerRef nick phone tier { code } points pointsDeficit
                paidOrderCount purchaseCount totalPaid tags tierChanges { fromTier toTier cause } } } }",
            json!({ "s": store }),
        )
        .await;
    b["data"]["members"]["nodes"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["buyerRef"] == buyer)
        .cloned()
        .unwrap_or(Value::Null)
}

const O1_RED: &str = "O1,B1,小明,13812345678,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,true,CUP-RED,2,100.00,10.00,190.00,ZTC";
const O1_BLU: &str = "O1,B1,小明,13812345678,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,true,CUP-BLU,1,100.00,0,100.00,ZTC";
const O2: &str = "O2,B2,小红,,CREATED,2026-11-02 09:00:00,,false,CUP-RED,1,100.00,0,100.00,";

#[tokio::test]
async fn an_import_creates_orders_members_stock_and_points_and_a_reimport_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "杯子店").await;
    let file = orders_file(&[O1_RED, O1_BLU, O2]);
    let r = app.import_orders(&admin, &store, &file).await;
    assert_eq!(
        r["report"],
        json!({ "rows": 3, "ordersCreated": 2, "ordersUpdated": 0, "ordersUnchanged": 0, "membersCreated": 2,
                "saleMovements": 2, "returnMovements": 0, "oversoldLines": 0, "tierChanges": 1 }),
        "{r}"
    );
    assert_eq!(on_hand(&app, &admin, &store, "CUP-RED").await, 8);
    assert_eq!(on_hand(&app, &admin, &store, "CUP-BLU").await, 1);
    let b1 = member(&app, &admin, &store, "B1").await;
    // ¥290.00 × 1 point per yuan × 1.0 (no tier yet at payment) = 290 points.
    assert_eq!(b1["points"], 290, "{b1}");
    assert_eq!(b1["paidOrderCount"], 1);
    assert_eq!(b1["purchaseCount"], 1);
    assert_eq!(b1["totalPaid"], "290.00");
    assert_eq!(b1["tier"]["code"], "VIP1", "one purchase makes VIP1");
    assert_eq!(
        b1["tierChanges"],
        json!([{ "fromTier": null, "toTier": "VIP1", "cause": "ORDER_PAID" }])
    );
    let b2 = member(&app, &admin, &store, "B2").await;
    assert_eq!(b2["tier"], Value::Null, "unpaid: no tier");
    assert_eq!(b2["points"], 0);

    let movements = app.count("inventory_movement").await;
    let entries = app.count("points_entry").await;
    let again = app.import_orders(&admin, &store, &file).await;
    assert_eq!(again["report"]["ordersUnchanged"], 2, "{again}");
    assert_eq!(again["report"]["ordersCreated"], 0);
    assert_eq!(again["report"]["saleMovements"], 0);
    assert_eq!(app.count("inventory_movement").await, movements);
    assert_eq!(app.count("points_entry").await, entries);
    assert_eq!(app.count("sales_order").await, 2);
    assert_eq!(app.count("member").await, 2);
    assert_eq!(on_hand(&app, &admin, &store, "CUP-RED").await, 8);

    // The order with its lines and SKUs.
    let q = "query($s: ID!) { orders(filter: {storeId: $s, orderNo: \"O1\"}) { nodes { id orderNo status consulted channel itemTotal discount paidAmount
        pointsEarned member { buyerRef } lines { lineNo quantity paidAmount soldUnits sku { code } } } } }";
    let o = app.gql(Some(&admin.token), q, json!({ "s": store })).await;
    let o = &o["data"]["orders"]["nodes"][0];
    assert_eq!(o["status"], "PAID");
    assert_eq!(o["itemTotal"], "300.00");
    assert_eq!(o["discount"], "10.00");
    assert_eq!(o["paidAmount"], "290.00");
    assert_eq!(o["pointsEarned"], 290);
    assert_eq!(o["member"]["buyerRef"], "B1");
    assert_eq!(
        o["lines"],
        json!([
            { "lineNo": 1, "quantity": 2, "paidAmount": "190.00", "soldUnits": 2, "sku": { "code": "CUP-RED" } },
            { "lineNo": 2, "quantity": 1, "paidAmount": "100.00", "soldUnits": 1, "sku": { "code": "CUP-BLU" } }
        ])
    );
    let by_id = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { order(id: $id) { orderNo } node(id: $id) { ... on Order { orderNo } } }",
            json!({ "id": o["id"] }),
        )
        .await;
    assert_eq!(by_id["data"]["order"]["orderNo"], "O1");
    assert_eq!(by_id["data"]["node"]["orderNo"], "O1");
}

#[tokio::test]
async fn statuses_move_only_forward_and_stock_and_points_effects_happen_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "杯子店").await;
    app.import_orders(&admin, &store, &orders_file(&[O1_RED, O1_BLU, O2]))
        .await;

    // CREATED → COMPLETED at once is a reachable snapshot: SALE and points happen on the way.
    let o2_done = "O2,B2,小红,,COMPLETED,2026-11-02 09:00:00,2026-11-02 09:01:00,false,CUP-RED,1,100.00,0,100.00,";
    let r = app
        .import_orders(&admin, &store, &orders_file(&[o2_done]))
        .await;
    assert_eq!(r["report"]["ordersUpdated"], 1, "{r}");
    assert_eq!(r["report"]["saleMovements"], 1);
    assert_eq!(on_hand(&app, &admin, &store, "CUP-RED").await, 7);
    assert_eq!(member(&app, &admin, &store, "B2").await["points"], 100);

    // COMPLETED → PAID is not reachable: the file is rejected and nothing changes.
    let before = (
        app.count("inventory_movement").await,
        app.count("points_entry").await,
        app.count("audit_log").await,
    );
    let back =
        "O2,B2,小红,,PAID,2026-11-02 09:00:00,2026-11-02 09:01:00,false,CUP-RED,1,100.00,0,100.00,";
    let r = app
        .import_orders(&admin, &store, &orders_file(&[back]))
        .await;
    assert_eq!(r["report"], Value::Null);
    assert_eq!(r["rowErrors"][0]["column"], "status", "{r}");
    assert!(
        r["rowErrors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("COMPLETED"),
        "{r}"
    );
    assert_eq!(
        (
            app.count("inventory_movement").await,
            app.count("points_entry").await,
            app.count("audit_log").await
        ),
        before
    );

    // A paid, unshipped order refunded in full: RETURN of every unit, points reversed.
    let refunded = [
        O1_RED.replace("PAID", "REFUNDED"),
        O1_BLU.replace("PAID", "REFUNDED"),
    ];
    let rows: Vec<&str> = refunded.iter().map(String::as_str).collect();
    let r = app.import_orders(&admin, &store, &orders_file(&rows)).await;
    assert_eq!(r["report"]["returnMovements"], 2, "{r}");
    assert_eq!(on_hand(&app, &admin, &store, "CUP-RED").await, 9);
    assert_eq!(on_hand(&app, &admin, &store, "CUP-BLU").await, 2);
    let b1 = member(&app, &admin, &store, "B1").await;
    assert_eq!(b1["points"], 0);
    assert_eq!(b1["purchaseCount"], 0);
    assert_eq!(b1["totalPaid"], "0.00");
    assert_eq!(
        b1["tier"]["code"], "VIP1",
        "no downgrade within the protection period"
    );
    // Out of a final state: refused; the same status again: a no-op without new movements.
    let movements = app.count("inventory_movement").await;
    let r = app.import_orders(&admin, &store, &orders_file(&rows)).await;
    assert_eq!(r["report"]["ordersUnchanged"], 1, "{r}");
    assert_eq!(app.count("inventory_movement").await, movements);
    let reopen = [O1_RED, O1_BLU];
    let r = app
        .import_orders(&admin, &store, &orders_file(&reopen))
        .await;
    assert_eq!(r["rowErrors"][0]["column"], "status", "{r}");

    // Once the 30-day protection has run out on the server's clock, the next order event
    // re-evaluates the tier: down to none.
    app.clock.advance(chrono::Duration::days(31));
    let cancelled = "O3,B1,小明,,CANCELLED,2026-11-03 09:00:00,,false,CUP-RED,1,100.00,0,100.00,";
    app.import_orders(&admin, &store, &orders_file(&[cancelled]))
        .await;
    let b1 = member(&app, &admin, &store, "B1").await;
    assert_eq!(b1["tier"], Value::Null, "{b1}");
    assert_eq!(b1["tierChanges"][0]["cause"], "REFUND");

    // A shipped order refunded: no RETURN (goods come back through after-sales).
    let o4 = "O4,B3,阿强,,SHIPPED,2026-11-04 09:00:00,2026-11-04 09:01:00,false,CUP-RED,1,100.00,0,100.00,";
    app.import_orders(&admin, &store, &orders_file(&[o4])).await;
    let stock = on_hand(&app, &admin, &store, "CUP-RED").await;
    let r = app
        .import_orders(
            &admin,
            &store,
            &orders_file(&[&o4.replace("SHIPPED", "REFUNDED")]),
        )
        .await;
    assert_eq!(r["report"]["returnMovements"], 0, "{r}");
    assert_eq!(on_hand(&app, &admin, &store, "CUP-RED").await, stock);
    assert_eq!(member(&app, &admin, &store, "B3").await["points"], 0);
}

/// Runs raw SQL on the test database (to move times into the past).
pub async fn sqlx_exec(app: &TestApp, sql: &str) {
    use sea_orm::ConnectionTrait;
    app.db.execute_unprepared(sql).await.expect("sql");
}

#[tokio::test]
async fn invalid_rows_reject_the_whole_file_with_rows_and_columns_and_write_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "杯子店").await;
    let audits = app.count("audit_log").await;
    let bad = orders_file(&[
        O1_RED,
        "X1,B9,,13900001111,SHIPPING,2026-11-01 10:00:00,,false,CUP-RED,1,100.00,0,100.00,",
        "X2,B9,,,PAID,2026-11-01 10:00:00,2026-11-01 10:01:00,false,CUP-RED,2,100.00,10.00,200.00,",
        "X3,B9,,,PAID,2026-11-01 10:00:00,,false,CUP-RED,1,100.00,0,100.00,",
        "X4,B9,,,PAID,2026-11-01 10:00:00,2026-11-01 10:01:00,false,NOPE,1,100.00,0,100.00,",
        "X5,B9,,12,PAID,2026-11-01 10:00:00,2026-11-01 10:01:00,maybe,CUP-RED,0,-1,0,100.00,",
        "O1,B1,小明,13812345678,SHIPPED,2026-11-01 10:00:00,2026-11-01 10:05:00,true,CUP-BLU,1,100.00,0,100.00,ZTC",
    ]);
    let r = app.import_orders(&admin, &store, &bad).await;
    assert_eq!(r["report"], Value::Null, "{r}");
    let cells: Vec<(i64, String)> = r["rowErrors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for expected in [
        (3, "status"),
        (4, "paid_amount"),
        (5, "paid_at"),
        (6, "sku_code"),
        (7, "buyer_phone"),
        (7, "consulted"),
        (7, "quantity"),
        (7, "unit_price"),
        (8, "status"),
    ] {
        assert!(
            cells.contains(&(expected.0, expected.1.to_owned())),
            "missing {expected:?} in {cells:?}"
        );
    }
    assert!(
        !r.to_string().contains("13900001111"),
        "a phone number is never echoed"
    );
    for t in ["sales_order", "order_line", "member", "points_entry"] {
        assert_eq!(app.count(t).await, 0, "{t}");
    }
    assert_eq!(app.count("audit_log").await, audits);

    // Missing columns and an empty file.
    let r = app
        .import_orders(&admin, &store, "order_no,buyer_ref\nO1,B1\n")
        .await;
    assert_eq!(r["rowErrors"][0]["row"], 1, "{r}");
    let r = app.import_orders(&admin, &store, &orders_file(&[])).await;
    assert_eq!(r["totalRowErrors"], 1, "{r}");
}

#[tokio::test]
async fn an_import_is_never_refused_for_stock_the_shortfall_is_flagged_oversold() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "杯子店").await;
    let o =
        "O9,B1,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-BLU,5,100.00,0,500.00,";
    let r = app.import_orders(&admin, &store, &orders_file(&[o])).await;
    assert_eq!(r["report"]["oversoldLines"], 1, "{r}");
    assert_eq!(on_hand(&app, &admin, &store, "CUP-BLU").await, 0);
    let q = "query($s: ID!) { orders(filter: {storeId: $s, oversold: true}) { totalCount nodes { oversoldUnits lines { soldUnits oversoldUnits } } } }";
    let b = app.gql(Some(&admin.token), q, json!({ "s": store })).await;
    assert_eq!(b["data"]["orders"]["totalCount"], 1, "{b}");
    assert_eq!(b["data"]["orders"]["nodes"][0]["oversoldUnits"], 3);
    assert_eq!(
        b["data"]["orders"]["nodes"][0]["lines"][0],
        json!({ "soldUnits": 2, "oversoldUnits": 3 })
    );
    // Refunded before shipping: only the two units taken come back.
    app.import_orders(
        &admin,
        &store,
        &orders_file(&[&o.replace("PAID", "REFUNDED")]),
    )
    .await;
    assert_eq!(on_hand(&app, &admin, &store, "CUP-BLU").await, 2);
}

#[tokio::test]
async fn a_partial_refund_reverses_points_by_what_the_remaining_amount_earns() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "杯子店").await;
    // Every buyer with a purchase is VIP1, whose multiplier is ×1.5 here.
    let set = app
        .gql(
            Some(&admin.token),
            "mutation($s: ID!) { storeTiersSet(input: {storeId: $s, tiers: [
                {code: \"VIP1\", name: \"会员\", minSpend: \"0\", minPurchases: 1, priceRateBp: 9800, pointsMultiplierBp: 15000}]})
                { membership { tiers { code pointsMultiplierBp } } userErrors { code message } } }",
            json!({ "s": store }),
        )
        .await;
    assert_eq!(
        set["data"]["storeTiersSet"]["membership"]["tiers"][0]["pointsMultiplierBp"], 15000,
        "{set}"
    );
    let first =
        "P0,B1,小明,,PAID,2026-10-01 10:00:00,2026-10-01 10:05:00,false,CUP-RED,1,1.00,0,1.00,";
    app.import_orders(&admin, &store, &orders_file(&[first]))
        .await;
    assert_eq!(
        member(&app, &admin, &store, "B1").await["tier"]["code"],
        "VIP1"
    );
    // Points: ¥441.26 × 1.5 → 661 points; refund ¥40.95 → 600 remain → reverse 61.
    let header = format!("{HEADER},refunded_amount");
    let paid = "P1,B1,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,441.26,0,441.26,,";
    app.import_orders(&admin, &store, &orders_file_with(&header, &[paid]))
        .await;
    assert_eq!(member(&app, &admin, &store, "B1").await["points"], 1 + 661);
    let partial = "P1,B1,小明,,PARTIALLY_REFUNDED,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,441.26,0,441.26,,40.95";
    let r = app
        .import_orders(&admin, &store, &orders_file_with(&header, &[partial]))
        .await;
    assert_eq!(r["report"]["ordersUpdated"], 1, "{r}");
    assert_eq!(
        r["report"]["returnMovements"], 0,
        "a partial amount is not a returned line"
    );
    let b1 = member(&app, &admin, &store, "B1").await;
    assert_eq!(b1["points"], 1 + 600, "{b1}");
    assert_eq!(b1["totalPaid"], "401.31");
    // Refunds never shrink, and a PARTIALLY_REFUNDED order refunded in full is refused.
    let all = "P1,B1,小明,,PARTIALLY_REFUNDED,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,441.26,0,441.26,,441.26";
    let r = app
        .import_orders(&admin, &store, &orders_file_with(&header, &[all]))
        .await;
    assert_eq!(r["rowErrors"][0]["column"], "refunded_amount", "{r}");
    let less = "P1,B1,小明,,PARTIALLY_REFUNDED,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,441.26,0,441.26,,10.00";
    let r = app
        .import_orders(&admin, &store, &orders_file_with(&header, &[less]))
        .await;
    assert_eq!(r["rowErrors"][0]["column"], "refunded_amount", "{r}");
    assert!(
        r["rowErrors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("never shrink"),
        "{r}"
    );
    // The rest refunded: the remaining 600 go.
    let rest = "P1,B1,小明,,REFUNDED,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,441.26,0,441.26,,";
    app.import_orders(&admin, &store, &orders_file_with(&header, &[rest]))
        .await;
    assert_eq!(member(&app, &admin, &store, "B1").await["points"], 1);
    let ledger = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { members(filter: {storeId: $s}) { nodes { pointsLedger(first: 10) { nodes { kind amount balanceAfter multiplierBp } } } } }",
            json!({ "s": store }),
        )
        .await;
    let amounts: Vec<i64> = ledger["data"]["members"]["nodes"][0]["pointsLedger"]["nodes"]
        .as_array()
        .expect("ledger")
        .iter()
        .map(|e| e["amount"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(amounts, vec![-600, -61, 661, 1], "newest first");
}

#[tokio::test]
async fn orders_filter_sort_and_stay_inside_the_viewers_stores() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "杯子店").await;
    let other = shop(&app, &admin, "别家店").await;
    app.import_orders(&admin, &store, &orders_file(&[O1_RED, O1_BLU, O2]))
        .await;
    app.import_orders(&admin, &other, &orders_file(&[O2])).await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&other]).await;

    let q = "query($f: OrderFilter, $k: OrderSortKey, $r: Boolean! = false) { orders(filter: $f, sortKey: $k, reverse: $r) { totalCount nodes { orderNo paidAmount } } }";
    let count = |b: &Value| b["data"]["orders"]["totalCount"].as_i64().unwrap_or(-1);
    let nos = |b: &Value| -> Vec<String> {
        b["data"]["orders"]["nodes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|n| n["orderNo"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let all = app.gql(Some(&spec.token), q, json!({})).await;
    assert_eq!(count(&all), 2, "only the specialist's store: {all}");
    assert_eq!(nos(&all), vec!["O2", "O1"], "newest first");
    let f = |filter: Value| json!({ "f": filter });
    for (filter, expected) in [
        (json!({ "statuses": ["PAID"] }), vec!["O1"]),
        (json!({ "consulted": false }), vec!["O2"]),
        (json!({ "channel": "ZTC" }), vec!["O1"]),
        (
            json!({ "createdFrom": "2026-11-02T00:00:00Z", "storeId": store }),
            vec!["O2"],
        ),
        (
            json!({ "createdTo": "2026-11-02T00:00:00Z", "storeId": store }),
            vec!["O1"],
        ),
    ] {
        let b = app.gql(Some(&spec.token), q, f(filter.clone())).await;
        assert_eq!(nos(&b), expected, "{filter}: {b}");
    }
    let by_amount = app
        .gql(
            Some(&spec.token),
            q,
            json!({ "k": "AMOUNT", "r": true, "f": { "storeId": store } }),
        )
        .await;
    assert_eq!(nos(&by_amount), vec!["O2", "O1"], "{by_amount}");
    let paid_only = app
        .gql(Some(&spec.token), q, json!({ "k": "PAID_AT" }))
        .await;
    assert_eq!(nos(&paid_only), vec!["O1"]);

    // The assistant sees the other store only; this store's order is not found.
    let b = app.gql(Some(&asst.token), q, json!({})).await;
    assert_eq!(count(&b), 1);
    let id = app
        .gql(
            Some(&spec.token),
            "{ orders(filter: {orderNo: \"O1\"}) { nodes { id } } }",
            json!({}),
        )
        .await["data"]["orders"]["nodes"][0]["id"]
        .clone();
    let b = app
        .gql(
            Some(&asst.token),
            "query($id: ID!) { order(id: $id) { orderNo } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(b["data"]["order"], Value::Null, "{b}");
    let b = app
        .gql(Some(&asst.token), q, json!({ "f": { "storeId": store } }))
        .await;
    assert_eq!(error_code(&b), "NOT_FOUND");
    // Importing into a store outside one's own: NOT_FOUND, nothing written.
    let orders = app.count("sales_order").await;
    let r = app
        .import_orders(
            &asst,
            &store,
            &orders_file(&[
                "Z1,B1,,,CREATED,2026-11-01 10:00:00,,false,CUP-RED,1,100.00,0,100.00,",
            ]),
        )
        .await;
    assert_eq!(error_code(&r), "NOT_FOUND", "{r}");
    assert_eq!(app.count("sales_order").await, orders);
    // Every role may import (ORDER_IMPORT).
    let r = app
        .import_orders(
            &asst,
            &other,
            &orders_file(&[
                "Z1,B1,,,CREATED,2026-11-01 10:00:00,,false,CUP-RED,1,100.00,0,100.00,",
            ]),
        )
        .await;
    assert_eq!(r["report"]["ordersCreated"], 1, "{r}");
}

#[tokio::test]
async fn a_file_larger_than_one_batch_imports_whole() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "大促店").await;
    let rows: Vec<String> = (0..2_500)
        .map(|i| format!("N{i:05},M{i:05},买家{i},139{i:08},PAID,2026-11-11 00:00:05,2026-11-11 00:00:40,false,CUP-RED,1,10.00,0,10.00,"))
        .collect();
    let file = orders_file(&rows.iter().map(String::as_str).collect::<Vec<_>>());
    let r = app.import_orders(&admin, &store, &file).await;
    assert_eq!(r["report"]["ordersCreated"], 2_500, "{r}");
    assert_eq!(r["report"]["membersCreated"], 2_500);
    for t in ["sales_order", "member", "order_line", "points_entry"] {
        assert_eq!(app.count(t).await, 2_500, "{t}");
    }
    assert_eq!(r["report"]["oversoldLines"], 2_490, "10 in stock");
}
