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
            "query($s: ID!) { lowStockSkus(storeId: $s) { totalCount } }",
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
    // Seeding twice changes nothing.
    let products = app.count("product").await;
    let (pii, _) = zhanggui::service::bootstrap::pii_cipher(&app.db, None)
        .await
        .expect("pii key");
    zhanggui::demo::seed(&app.db, pii).await.expect("reseed");
    assert_eq!(app.count("product").await, products);
}
