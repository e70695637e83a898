//! Prices: each role's limits, approval requests, four-eyes, the price history.

use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code, spawn_app, user_error_codes};
use crate::inventory::one_sku;

const CHANGE: &str = "mutation($input: SkuPriceChangeInput!) { skuPriceChange(input: $input) {
    sku { price } priceChange { oldPrice newPrice reason changedBy { displayName } approvedBy { displayName } }
    approvalRequest { id status approverRole
        payload { __typename ... on PriceChangeAction { newPrice oldPrice reason breaches } } }
    userErrors { field code message } } }";

async fn price(app: &TestApp, user: &User, sku: &str, price: &str, request: bool) -> Value {
    let body = app.gql(Some(&user.token), CHANGE, json!({ "input": { "skuId": sku, "price": price, "reason": "调价", "requestApproval": request } })).await;
    if body["errors"].is_array() {
        return body;
    }
    body["data"]["skuPriceChange"].clone()
}

const RESOLVE: &str =
    "mutation($id: ID!, $note: String) { approvalRequestApprove(input: {id: $id, note: $note}) {
    approvalRequest { status note resolvedBy { displayName } } userErrors { field code message } } }";

#[tokio::test]
async fn a_specialist_cuts_up_to_the_store_limit_and_no_further() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (store, sku) = one_sku(&app, &admin).await; // ¥199.00
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    // 20% of ¥199.00: ¥159.20 is allowed, ¥159.19 is not.
    let refused = price(&app, &spec, &sku, "159.19", false).await;
    assert_eq!(
        user_error_codes(&refused),
        vec!["APPROVAL_REQUIRED"],
        "{refused}"
    );
    let msg = refused["userErrors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(msg.contains("20%") && msg.contains("159.19"), "{msg}");
    assert_eq!(app.count("price_change").await, 0);
    let ok = price(&app, &spec, &sku, "159.20", false).await;
    assert_eq!(ok["sku"]["price"], "159.20", "{ok}");
    assert_eq!(ok["priceChange"]["oldPrice"], "199.00");

    // The 30-day high stays ¥199.00: 60% of it is ¥119.40.
    let ok = price(&app, &spec, &sku, "128.00", false).await;
    assert_eq!(ok["sku"]["price"], "128.00", "{ok}");
    let low = price(&app, &spec, &sku, "119.39", false).await;
    assert!(
        low["userErrors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("30-day high"),
        "{low}"
    );

    // Floors and cost bind specialists but not directors.
    let body = app
        .gql(Some(&admin.token), "mutation($id: ID!) { skuUpdate(input: {id: $id, floorPrice: \"120.00\", cost: \"100.00\"}) { sku { floorPrice cost } userErrors { code } } }", json!({ "id": sku }))
        .await;
    assert_eq!(
        body["data"]["skuUpdate"]["sku"],
        json!({ "floorPrice": "120.00", "cost": "100.00" }),
        "{body}"
    );
    let refused = price(&app, &spec, &sku, "119.50", false).await;
    assert!(
        refused["userErrors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("floor"),
        "{refused}"
    );
    let floor_by_spec = app.gql(Some(&spec.token), "mutation($id: ID!) { skuUpdate(input: {id: $id, clearFloorPrice: true}) { sku { id } } }", json!({ "id": sku })).await;
    assert_eq!(error_code(&floor_by_spec), "FORBIDDEN");
    let deep = price(&app, &admin, &sku, "99.00", false).await;
    assert_eq!(
        deep["sku"]["price"], "99.00",
        "directors may go below floor and cost: {deep}"
    );

    let history = app
        .gql(Some(&spec.token), "query($s: ID!) { priceHistory(filter: {skuId: $s}) { nodes { oldPrice newPrice changedBy { displayName } } } }", json!({ "s": sku }))
        .await;
    let prices: Vec<&str> = history["data"]["priceHistory"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["newPrice"].as_str())
        .collect();
    assert_eq!(prices, vec!["99.00", "128.00", "159.20"]);
}

#[tokio::test]
async fn deep_cuts_go_through_an_approval_request_resolved_by_a_director() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (store, sku) = one_sku(&app, &admin).await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let spec2 = app.user(&admin, "spec2", "SPECIALIST", &[&store]).await;
    let filed = price(&app, &spec, &sku, "99.00", true).await;
    let request = &filed["approvalRequest"];
    assert_eq!(request["status"], "PENDING", "{filed}");
    assert_eq!(request["approverRole"], "DIRECTOR");
    assert_eq!(request["payload"]["__typename"], "PriceChangeAction");
    assert_eq!(
        request["payload"]["newPrice"], "99.00",
        "money as Money: {request}"
    );
    assert_eq!(request["payload"]["oldPrice"], "199.00");
    assert_eq!(filed["sku"], Value::Null, "nothing applied yet");
    assert_eq!(app.count("sku WHERE price_fen = 19900").await, 1);
    let id = request["id"].clone();

    // Another specialist may not resolve a director-level request; the requester never.
    let body = app
        .gql(Some(&spec2.token), RESOLVE, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .gql(Some(&spec.token), RESOLVE, json!({ "id": id }))
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["approvalRequestApprove"]),
        vec!["FOUR_EYES"]
    );
    assert_eq!(
        body["data"]["approvalRequestApprove"]["userErrors"],
        json!([{"code":"FOUR_EYES","field":["input","id"],"message":"you cannot resolve your own request"}]),
        "the whole userErrors of FOUR_EYES"
    );
    let queue = app
        .gql(
            Some(&spec2.token),
            "{ approvalRequests(filter: {status: PENDING, resolvableByMe: true}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(queue["data"]["approvalRequests"]["totalCount"], 0);
    let queue = app
        .gql(Some(&admin.token), "{ approvalRequests(filter: {status: PENDING, resolvableByMe: true}) { nodes { kind requestedBy { displayName } } } }", json!({}))
        .await;
    assert_eq!(
        queue["data"]["approvalRequests"]["nodes"],
        json!([{ "kind": "PRICE_CHANGE", "requestedBy": { "displayName": "spec" } }])
    );

    let body = app
        .gql(
            Some(&admin.token),
            RESOLVE,
            json!({ "id": id, "note": "双11清仓" }),
        )
        .await;
    assert_eq!(
        body["data"]["approvalRequestApprove"]["approvalRequest"]["status"], "APPROVED",
        "{body}"
    );
    let history = app
        .gql(Some(&admin.token), "query($s: ID!) { priceHistory(filter: {skuId: $s}) { nodes { newPrice changedBy { displayName } approvedBy { displayName } } } }", json!({ "s": sku }))
        .await;
    assert_eq!(
        history["data"]["priceHistory"]["nodes"],
        json!([{ "newPrice": "99.00", "changedBy": { "displayName": "spec" }, "approvedBy": { "displayName": "Administrator" } }])
    );
}

#[tokio::test]
async fn assistants_only_request_and_small_requests_go_to_specialists() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (store, sku) = one_sku(&app, &admin).await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    assert_eq!(
        user_error_codes(&price(&app, &asst, &sku, "189.00", false).await),
        vec!["APPROVAL_REQUIRED"]
    );
    let small = price(&app, &asst, &sku, "189.00", true).await;
    assert_eq!(
        small["approvalRequest"]["approverRole"], "SPECIALIST",
        "{small}"
    );
    let deep = price(&app, &asst, &sku, "59.00", true).await;
    assert_eq!(deep["approvalRequest"]["approverRole"], "DIRECTOR");

    let reject = "mutation($id: ID!, $note: String) { approvalRequestReject(input: {id: $id, note: $note}) { approvalRequest { status note } userErrors { code } } }";
    let no_note = app
        .gql(
            Some(&spec.token),
            reject,
            json!({ "id": deep["approvalRequest"]["id"] }),
        )
        .await;
    assert_eq!(
        user_error_codes(&no_note["data"]["approvalRequestReject"]),
        vec!["BLANK"]
    );
    let body = app
        .gql(
            Some(&admin.token),
            reject,
            json!({ "id": deep["approvalRequest"]["id"], "note": "太低" }),
        )
        .await;
    assert_eq!(
        body["data"]["approvalRequestReject"]["approvalRequest"],
        json!({ "status": "REJECTED", "note": "太低" })
    );
    let body = app
        .gql(
            Some(&spec.token),
            RESOLVE,
            json!({ "id": small["approvalRequest"]["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["approvalRequestApprove"]["approvalRequest"]["status"], "APPROVED",
        "{body}"
    );
    assert_eq!(app.count("sku WHERE price_fen = 18900").await, 1);

    // A requester may withdraw a pending request; nobody else may.
    let third = price(&app, &asst, &sku, "179.00", true).await;
    let cancel = "mutation($id: ID!) { approvalRequestCancel(input: {id: $id}) { approvalRequest { status } userErrors { code } } }";
    assert_eq!(
        error_code(
            &app.gql(
                Some(&spec.token),
                cancel,
                json!({ "id": third["approvalRequest"]["id"] })
            )
            .await
        ),
        "FORBIDDEN"
    );
    let body = app
        .gql(
            Some(&asst.token),
            cancel,
            json!({ "id": third["approvalRequest"]["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["approvalRequestCancel"]["approvalRequest"]["status"],
        "CANCELLED"
    );
}

#[tokio::test]
async fn pending_requests_expire_and_can_no_longer_be_approved() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (store, sku) = one_sku(&app, &admin).await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let filed = price(&app, &spec, &sku, "99.00", true).await;
    let id = filed["approvalRequest"]["id"].clone();
    // Eight days pass (the server's clock is moved rather than waited for).
    app.clock.advance(chrono::Duration::days(8));
    let q = "{ pending: approvalRequests(filter: {status: PENDING}) { totalCount } expired: approvalRequests(filter: {status: EXPIRED}) { nodes { status } } }";
    let body = app.gql(Some(&admin.token), q, json!({})).await;
    assert_eq!(
        body["data"],
        json!({ "pending": { "totalCount": 0 }, "expired": { "nodes": [{ "status": "EXPIRED" }] } }),
        "{body}"
    );
    let body = app
        .gql(Some(&admin.token), RESOLVE, json!({ "id": id }))
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["approvalRequestApprove"]),
        vec!["INVALID_STATE_TRANSITION"]
    );
    assert_eq!(
        body["data"]["approvalRequestApprove"]["userErrors"],
        json!([{"code":"INVALID_STATE_TRANSITION","field":["input","id"],"message":"the request is EXPIRED, not pending"}]),
        "the whole userErrors of INVALID_STATE_TRANSITION"
    );
    assert_eq!(app.count("sku WHERE price_fen = 19900").await, 1);
    assert_eq!(
        zhanggui::service::approval::expire_due(&app.db, app.clock.now())
            .await
            .expect("expire"),
        1
    );
    assert_eq!(
        app.count("approval_request WHERE status = 'EXPIRED'").await,
        1
    );
}
