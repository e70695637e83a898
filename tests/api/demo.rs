//! `--demo`: one login per role and a catalog to explore.

use serde_json::json;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn the_demo_company_has_logins_per_role_and_a_realistic_catalog() {
    let app = spawn_app_with(|s| s.demo = true).await;
    for l in zhanggui::demo::LOGINS {
        let body = app.login_raw(l.username, l.password).await;
        assert_eq!(
            body["data"]["login"]["viewer"]["role"],
            l.role.as_str(),
            "{body}"
        );
        assert_eq!(body["data"]["login"]["viewer"]["mustChangePassword"], false);
    }
    let spec = app.login("demo.specialist", "specialist-demo-2026").await;
    let q = "{ viewer { stores { id name } } listed: products(filter: {status: ON_SHELF}) { totalCount }
        review: products(filter: {status: PENDING_REVIEW}) { totalCount }
        drafts: products(filter: {status: DRAFT}) { nodes { complianceIssues { severity } } } }";
    let body = app.gql(Some(&spec.token), q, json!({})).await;
    let d = &body["data"];
    assert_eq!(
        d["viewer"]["stores"].as_array().map(Vec::len),
        Some(2),
        "{body}"
    );
    assert!(
        d["listed"]["totalCount"].as_i64().unwrap_or(0) >= 24,
        "{body}"
    );
    assert!(d["review"]["totalCount"].as_i64().unwrap_or(0) >= 2);
    assert!(
        d["drafts"]["nodes"]
            .as_array()
            .expect("drafts")
            .iter()
            .all(|n| n["complianceIssues"][0]["severity"] == "BLOCK")
    );
    let store = d["viewer"]["stores"][0]["id"].clone();
    let low = app
        .gql(
            Some(&spec.token),
            "query($s: ID!) { lowStockSkus(filter: {storeId: $s}) { totalCount } }",
            json!({ "s": store }),
        )
        .await;
    assert!(
        low["data"]["lowStockSkus"]["totalCount"]
            .as_i64()
            .unwrap_or(0)
            > 0,
        "{low}"
    );
    let director = app.login("demo.director", "director-demo-2026").await;
    let queue = app
        .gql(Some(&director.token), "{ approvalRequests(filter: {status: PENDING, kind: PRICE_CHANGE, resolvableByMe: true}) { totalCount } priceHistory { totalCount } }", json!({}))
        .await;
    assert_eq!(
        queue["data"]["approvalRequests"]["totalCount"], 2,
        "{queue}"
    );
    assert_eq!(queue["data"]["priceHistory"]["totalCount"], 2);
    // Members and orders: every RFM segment has members today in both stores.
    for store in d["viewer"]["stores"].as_array().expect("stores") {
        let seg = app
            .gql(
                Some(&spec.token),
                "query($s: ID!) { memberSegments(storeId: $s) { memberCount segments { segment memberCount } repurchase { rate } }
                    orders(filter: {storeId: $s}) { totalCount } refunded: orders(filter: {storeId: $s, statuses: [REFUNDED, PARTIALLY_REFUNDED]}) { totalCount } }",
                json!({ "s": store["id"] }),
            )
            .await;
        let report = &seg["data"]["memberSegments"];
        for s in report["segments"].as_array().expect("segments") {
            assert!(
                s["memberCount"].as_i64().unwrap_or(0) > 0,
                "{} is empty: {seg}",
                s["segment"]
            );
        }
        assert!(report["repurchase"]["rate"].as_f64().unwrap_or(0.0) > 0.0);
        assert!(
            seg["data"]["orders"]["totalCount"].as_i64().unwrap_or(0) >= 80,
            "{seg}"
        );
        assert_eq!(seg["data"]["refunded"]["totalCount"], 2);
    }
    let points = app
        .gql(
            Some(&director.token),
            "{ approvalRequests(filter: {status: PENDING, kind: POINTS_ADJUST}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        points["data"]["approvalRequests"]["totalCount"], 2,
        "{points}"
    );
    // Seeding twice changes nothing.
    let orders = app.count("sales_order").await;
    let products = app.count("product").await;
    let (pii, _) = zhanggui::service::account::bootstrap::pii_cipher(&app.db, None)
        .await
        .expect("pii key");
    zhanggui::demo::seed(&app.db, pii).await.expect("reseed");
    assert_eq!(app.count("product").await, products);
    assert_eq!(app.count("sales_order").await, orders);
}
