//! The stock ledger: movements, limits, permissions and concurrency.

use serde_json::{Value, json};

use crate::catalog::{draft, dress_category, generate};
use crate::helpers::{TestApp, User, error_code, spawn_app, user_error_codes};

const CHANGE: &str = "sku { onHand reserved available } movement { kind quantity onHandAfter reservedAfter } userErrors { field code message }";

async fn change(
    app: &TestApp,
    user: &User,
    mutation: &str,
    sku: &str,
    quantity: i64,
    reason: Option<&str>,
) -> Value {
    let input = json!({ "skuId": sku, "quantity": quantity, "reason": reason });
    change_with(app, user, mutation, input).await
}

async fn change_with(app: &TestApp, user: &User, mutation: &str, input: Value) -> Value {
    let doc = format!(
        "mutation($input: StockChangeInput!) {{ {mutation}(input: $input) {{ {CHANGE} approvalRequest {{ id status approverRole }} }} }}"
    );
    let body = app
        .gql(Some(&user.token), &doc, json!({ "input": input }))
        .await;
    if body["errors"].is_array() {
        return body;
    }
    body["data"][mutation].clone()
}

/// A store with one product and one SKU; returns (store, sku id).
pub async fn one_sku(app: &TestApp, admin: &User) -> (String, String) {
    let store = app.create_store(admin, "仓库店").await;
    let cat = dress_category(app, admin, &store).await;
    let product = draft(app, admin, &store, &cat, "真丝连衣裙").await;
    let body = generate(app, admin, &product, &["红色"], &["M"], "199.00").await;
    let code = body["data"]["skusGenerate"]["created"][0]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let sku = app
        .gql(
            Some(&admin.token),
            "query($s: ID!, $c: String!) { skuByCode(storeId: $s, code: $c) { id } }",
            json!({ "s": store, "c": code }),
        )
        .await;
    (
        store,
        sku["data"]["skuByCode"]["id"]
            .as_str()
            .expect("sku id")
            .to_owned(),
    )
}

#[tokio::test]
async fn every_stock_change_is_a_movement_and_the_figures_equal_the_ledger() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (store, sku) = one_sku(&app, &admin).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;

    let r = change(&app, &asst, "stockRestock", &sku, 30, None).await;
    assert_eq!(
        r["sku"],
        json!({ "onHand": 30, "reserved": 0, "available": 30 }),
        "{r}"
    );
    assert_eq!(
        r["movement"],
        json!({ "kind": "RESTOCK", "quantity": 30, "onHandAfter": 30, "reservedAfter": 0 })
    );
    let r = change(&app, &admin, "stockReserve", &sku, 12, None).await;
    assert_eq!(
        r["sku"],
        json!({ "onHand": 30, "reserved": 12, "available": 18 })
    );
    let r = change(&app, &admin, "stockAdjust", &sku, -5, Some("破损")).await;
    assert_eq!(r["sku"]["onHand"], 25, "{r}");
    let r = change(&app, &admin, "stockTake", &sku, 20, Some("月度盘点")).await;
    assert_eq!(
        r["movement"],
        json!({ "kind": "STOCKTAKE", "quantity": -5, "onHandAfter": 20, "reservedAfter": 12 })
    );
    let r = change(&app, &admin, "stockRelease", &sku, 2, None).await;
    assert_eq!(
        r["sku"],
        json!({ "onHand": 20, "reserved": 10, "available": 10 })
    );

    // Refusals: each a userError, nothing written.
    let movements = app.count("inventory_movement").await;
    for (m, q, reason, code) in [
        ("stockReserve", 11, None, "STOCK_INSUFFICIENT"),
        ("stockAdjust", -11, Some("丢失"), "STOCK_INSUFFICIENT"),
        ("stockAdjust", -1, None, "BLANK"),
        ("stockTake", 9, Some("盘点"), "STOCK_INSUFFICIENT"),
        ("stockRelease", 11, None, "STOCK_INSUFFICIENT"),
        ("stockRestock", 0, None, "INVALID"),
        ("stockTake", -1, None, "INVALID"),
    ] {
        let r = change(&app, &admin, m, &sku, q, reason).await;
        assert_eq!(user_error_codes(&r), vec![code.to_owned()], "{m} {q}: {r}");
    }
    assert_eq!(app.count("inventory_movement").await, movements);

    // Assistants restock; adjustments and counts they may only request.
    let refused = change(&app, &asst, "stockAdjust", &sku, 1, Some("找到")).await;
    assert_eq!(
        user_error_codes(&refused),
        vec!["APPROVAL_REQUIRED"],
        "{refused}"
    );
    let refused = change(&app, &asst, "stockTake", &sku, 20, None).await;
    assert_eq!(
        user_error_codes(&refused),
        vec!["APPROVAL_REQUIRED"],
        "{refused}"
    );
    assert_eq!(
        error_code(&change(&app, &asst, "stockReserve", &sku, 1, None).await),
        "FORBIDDEN"
    );
    assert_eq!(app.count("inventory_movement").await, movements);

    // The SKU's figures equal the ledger's sums.
    let on_hand_sum = app
        .count(
            "inventory_movement WHERE kind IN ('RESTOCK','ADJUSTMENT','STOCKTAKE','SALE','RETURN')",
        )
        .await;
    assert!(on_hand_sum > 0);
    let ledger = app
        .gql(Some(&admin.token), "query($s: ID!) { inventoryMovements(first: 100, filter: {skuId: $s}, reverse: true) { nodes { kind quantity } } }", json!({ "s": sku }))
        .await;
    let (mut on_hand, mut reserved) = (0, 0);
    for m in ledger["data"]["inventoryMovements"]["nodes"]
        .as_array()
        .expect("nodes")
    {
        let q = m["quantity"].as_i64().unwrap_or(0);
        match m["kind"].as_str() {
            Some("RESERVATION") | Some("RELEASE") => reserved += q,
            _ => on_hand += q,
        }
    }
    assert_eq!((on_hand, reserved), (20, 10));
    let product = app
        .gql(
            Some(&admin.token),
            "{ products(first: 1) { nodes { totalOnHand totalAvailable } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        product["data"]["products"]["nodes"][0],
        json!({ "totalOnHand": 20, "totalAvailable": 10 })
    );
}

#[tokio::test]
async fn fifty_concurrent_reservations_against_twenty_units_give_exactly_twenty() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, sku) = one_sku(&app, &admin).await;
    change(&app, &admin, "stockRestock", &sku, 20, None).await;
    let requests = (0..50).map(|_| change(&app, &admin, "stockReserve", &sku, 1, None));
    let results = futures_util::future::join_all(requests).await;
    let ok = results.iter().filter(|r| r["sku"].is_object()).count();
    let refused = results
        .iter()
        .filter(|r| user_error_codes(r) == vec!["STOCK_INSUFFICIENT".to_owned()])
        .count();
    assert_eq!(
        (ok, refused),
        (20, 30),
        "{:?}",
        results
            .iter()
            .find(|r| !r["sku"].is_object() && user_error_codes(r).is_empty())
    );
    assert_eq!(
        app.count("sku WHERE reserved = 20 AND on_hand = 20").await,
        1
    );
    assert_eq!(
        app.count("inventory_movement WHERE kind = 'RESERVATION'")
            .await,
        20
    );
}

#[tokio::test]
async fn an_assistants_stocktake_request_is_applied_when_a_specialist_approves_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (store, sku) = one_sku(&app, &admin).await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    change(&app, &asst, "stockRestock", &sku, 10, None).await;
    let filed = change_with(
        &app,
        &asst,
        "stockTake",
        json!({ "skuId": sku, "quantity": 7, "reason": "月度盘点", "requestApproval": true }),
    )
    .await;
    let request = filed["approvalRequest"].clone();
    assert_eq!(request["status"], "PENDING", "{filed}");
    assert_eq!(request["approverRole"], "SPECIALIST");
    assert_eq!(filed["sku"], Value::Null);
    assert_eq!(
        app.count("inventory_movement WHERE kind = 'STOCKTAKE'")
            .await,
        0
    );

    let resolve = "mutation($id: ID!) { approvalRequestApprove(input: {id: $id}) { approvalRequest { status resolvedBy { displayName } } userErrors { code } } }";
    let own = app
        .gql(Some(&asst.token), resolve, json!({ "id": request["id"] }))
        .await;
    assert_eq!(
        user_error_codes(&own["data"]["approvalRequestApprove"]),
        vec!["FOUR_EYES"],
        "{own}"
    );
    let ok = app
        .gql(Some(&spec.token), resolve, json!({ "id": request["id"] }))
        .await;
    assert_eq!(
        ok["data"]["approvalRequestApprove"]["approvalRequest"]["status"], "APPROVED",
        "{ok}"
    );
    assert_eq!(app.count("sku WHERE on_hand = 7").await, 1);
    assert_eq!(
        app.count("inventory_movement WHERE kind = 'STOCKTAKE' AND quantity = -3")
            .await,
        1
    );
    let again = app
        .gql(Some(&admin.token), resolve, json!({ "id": request["id"] }))
        .await;
    assert_eq!(
        user_error_codes(&again["data"]["approvalRequestApprove"]),
        vec!["INVALID_STATE_TRANSITION"]
    );
}

/// Approving re-runs the action's checks inside the transaction that would mark the request
/// approved: when the applied step fails, the request stays PENDING and nothing is written
/// (no movement, no stock change, no audit row of the approval).
#[tokio::test]
async fn an_approval_whose_action_now_fails_stays_pending_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (store, sku) = one_sku(&app, &admin).await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    change(&app, &asst, "stockRestock", &sku, 10, None).await;
    let filed = change_with(
        &app,
        &asst,
        "stockAdjust",
        json!({ "skuId": sku, "quantity": -8, "reason": "破损", "requestApproval": true }),
    )
    .await;
    let request = filed["approvalRequest"]["id"].clone();
    assert_eq!(filed["approvalRequest"]["status"], "PENDING", "{filed}");
    // Meanwhile 5 units are reserved: an adjustment of −8 would leave on hand below reserved.
    let reserved = change(&app, &spec, "stockReserve", &sku, 5, None).await;
    assert_eq!(reserved["sku"]["reserved"], 5, "{reserved}");
    let movements = app.count("inventory_movement").await;
    let audits = app.count("audit_log").await;

    let resolve = "mutation($id: ID!) { approvalRequestApprove(input: {id: $id}) { approvalRequest { status } userErrors { field code message } } }";
    let refused = app
        .gql(Some(&spec.token), resolve, json!({ "id": request }))
        .await;
    let payload = &refused["data"]["approvalRequestApprove"];
    assert_eq!(
        user_error_codes(payload),
        vec!["STOCK_INSUFFICIENT"],
        "{refused}"
    );
    assert_eq!(payload["approvalRequest"], Value::Null);
    assert_eq!(
        payload["userErrors"],
        json!([{"code":"STOCK_INSUFFICIENT","field":["input","quantity"],"message":"stock would fall below the reserved quantity"}]),
        "the whole userErrors of STOCK_INSUFFICIENT"
    );
    let now = app
        .gql(
            Some(&spec.token),
            "query($id: ID!) { node(id: $id) { ... on ApprovalRequest { status resolvedBy { id } } } }",
            json!({ "id": request }),
        )
        .await;
    assert_eq!(now["data"]["node"]["status"], "PENDING", "{now}");
    assert_eq!(now["data"]["node"]["resolvedBy"], Value::Null);
    assert_eq!(
        app.count("sku WHERE on_hand = 10 AND reserved = 5").await,
        1
    );
    assert_eq!(app.count("inventory_movement").await, movements);
    assert_eq!(app.count("audit_log").await, audits);
}
