//! Stores: create, update, validation that changes nothing, store scoping.

use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app, user_error_codes};

const CREATE: &str = "mutation($input: StoreCreateInput!) { storeCreate(input: $input) {
    store { id name platform timeZone settings { refundApprovalLimitSpecialist refundApprovalLimitAssistant
      priceCutLimitBp priceRecentHighMinBp promotionDepthLimitBp couponFaceValueLimit campaignBudgetLimit
      pointsAdjustLimit minMarginBp specialistCostView piiRevealsPerDay approvalExpiryDays } }
    userErrors { field code message } } }";

const UPDATE: &str = "mutation($input: StoreUpdateInput!) { storeUpdate(input: $input) {
    store { id name platform timeZone settings { promotionDepthLimitBp refundApprovalLimitSpecialist minMarginBp } }
    userErrors { field code message } } }";

#[tokio::test]
async fn director_creates_a_store_with_the_default_limits_and_updates_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = app
        .gql(
            Some(&admin.token),
            CREATE,
            json!({ "input": { "name": " 掌柜旗舰店 ", "platform": "TMALL" } }),
        )
        .await;
    let store = &body["data"]["storeCreate"]["store"];
    assert_eq!(store["name"], "掌柜旗舰店", "names are trimmed: {body}");
    assert_eq!(store["timeZone"], "Asia/Shanghai");
    assert_eq!(
        store["settings"],
        json!({
            "refundApprovalLimitSpecialist": "2000.00", "refundApprovalLimitAssistant": "200.00",
            "priceCutLimitBp": 2000, "priceRecentHighMinBp": 6000, "promotionDepthLimitBp": 3000,
            "couponFaceValueLimit": "20000.00", "campaignBudgetLimit": "5000.00", "pointsAdjustLimit": 500,
            "minMarginBp": 0, "specialistCostView": false, "piiRevealsPerDay": 20, "approvalExpiryDays": 7
        })
    );
    let id = store["id"].as_str().expect("id").to_owned();

    let body = app
        .gql(
            Some(&admin.token),
            UPDATE,
            json!({ "input": { "id": id, "platform": "DOUYIN", "timeZone": "Asia/Urumqi",
                "settings": { "promotionDepthLimitBp": 2500, "refundApprovalLimitSpecialist": "1500.5" } } }),
        )
        .await;
    let store = &body["data"]["storeUpdate"]["store"];
    assert_eq!(store["platform"], "DOUYIN", "{body}");
    assert_eq!(store["timeZone"], "Asia/Urumqi");
    assert_eq!(
        store["name"], "掌柜旗舰店",
        "omitted fields keep their value"
    );
    assert_eq!(store["settings"]["promotionDepthLimitBp"], 2500);
    assert_eq!(
        store["settings"]["refundApprovalLimitSpecialist"],
        "1500.50"
    );
    assert_eq!(store["settings"]["minMarginBp"], 0);
    assert_eq!(
        app.count("audit_log WHERE action = 'store.create'").await,
        1
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'store.update'").await,
        1
    );
}

#[tokio::test]
async fn invalid_store_input_is_refused_with_user_errors_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let id = app.create_store(&admin, "已有店铺").await;
    let stores = app.count("store").await;
    let audits = app.count("audit_log").await;

    let cases: Vec<(Value, &str, Value)> = vec![
        (
            json!({ "name": "   ", "platform": "JD" }),
            "BLANK",
            json!(["input", "name"]),
        ),
        (
            json!({ "name": "店".repeat(61), "platform": "JD" }),
            "TOO_LONG",
            json!(["input", "name"]),
        ),
        (
            json!({ "name": "新店", "platform": "JD", "timeZone": "Mars/Olympus" }),
            "INVALID",
            json!(["input", "timeZone"]),
        ),
        (
            json!({ "name": "新店", "platform": "JD", "settings": { "promotionDepthLimitBp": 10001 } }),
            "INVALID",
            json!(["input", "settings", "promotionDepthLimitBp"]),
        ),
        (
            json!({ "name": "新店", "platform": "JD", "settings": { "refundApprovalLimitSpecialist": "-1.00" } }),
            "INVALID",
            json!(["input", "settings", "refundApprovalLimitSpecialist"]),
        ),
        (
            json!({ "name": "已有店铺", "platform": "JD" }),
            "TAKEN",
            json!(["input", "name"]),
        ),
    ];
    for (input, code, field) in cases {
        let body = app
            .gql(Some(&admin.token), CREATE, json!({ "input": input }))
            .await;
        let payload = &body["data"]["storeCreate"];
        assert_eq!(payload["store"], Value::Null, "{input}: {body}");
        assert_eq!(
            user_error_codes(payload),
            vec![code.to_owned()],
            "{input}: {body}"
        );
        assert_eq!(payload["userErrors"][0]["field"], field, "{input}");
    }
    // Unknown enum values and malformed money are refused before anything runs.
    for input in [
        json!({ "name": "新店", "platform": "AMAZON" }),
        json!({ "name": "新店", "platform": "JD", "settings": { "couponFaceValueLimit": "1.234" } }),
        json!({ "name": "新店", "platform": "JD", "settings": { "couponFaceValueLimit": 12 } }),
    ] {
        let body = app
            .gql(Some(&admin.token), CREATE, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["data"], Value::Null);
    }
    // So are control characters in any text, naming the field.
    let body = app
        .gql(
            Some(&admin.token),
            CREATE,
            json!({ "input": { "name": "a\u{7}b", "platform": "JD" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        json!(["$input", "name"])
    );
    assert_eq!(body["data"], Value::Null);
    // Updates: a malformed ID, an unknown store, an empty name.
    let body = app
        .gql(
            Some(&admin.token),
            UPDATE,
            json!({ "input": { "id": "nonsense", "name": "x" } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["storeUpdate"]),
        vec!["BAD_USER_INPUT"]
    );
    let missing = zhanggui::domain::GlobalId::new(zhanggui::domain::NodeType::Store, 999).encode();
    let body = app
        .gql(
            Some(&admin.token),
            UPDATE,
            json!({ "input": { "id": missing, "name": "x" } }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let body = app
        .gql(
            Some(&admin.token),
            UPDATE,
            json!({ "input": { "id": id, "name": "" } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["storeUpdate"]),
        vec!["BLANK"]
    );

    assert_eq!(app.count("store").await, stores);
    assert_eq!(app.count("audit_log").await, audits);
    assert_eq!(app.count("store WHERE name = '已有店铺'").await, 1);
}

#[tokio::test]
async fn specialists_and_assistants_see_only_their_stores_and_others_are_not_found() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_store(&admin, "店A").await;
    let b = app.create_store(&admin, "店B").await;
    let c = app.create_store(&admin, "店C").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&a, &b]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&b]).await;

    let list = "{ stores(first: 10) { edges { node { id name } } totalCount } }";
    let names = |body: &Value| -> Vec<String> {
        body["data"]["stores"]["edges"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["node"]["name"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        names(&app.gql(Some(&admin.token), list, json!({})).await),
        vec!["店A", "店B", "店C"]
    );
    let spec_list = app.gql(Some(&spec.token), list, json!({})).await;
    assert_eq!(names(&spec_list), vec!["店A", "店B"]);
    assert_eq!(spec_list["data"]["stores"]["totalCount"], 2);
    assert_eq!(
        names(&app.gql(Some(&asst.token), list, json!({})).await),
        vec!["店B"]
    );

    let one = "query($id: ID!) { store(id: $id) { name } }";
    let node = "query($id: ID!) { node(id: $id) { id ... on Store { name } } }";
    let nodes = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    for (user, hidden, visible) in [(&spec, &c, &a), (&asst, &a, &b)] {
        let body = app
            .gql(Some(&user.token), one, json!({ "id": hidden }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        assert_eq!(body["errors"][0]["message"], "store not found");
        let body = app
            .gql(Some(&user.token), node, json!({ "id": hidden }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND");
        assert_eq!(body["data"]["node"], Value::Null);
        let body = app
            .gql(
                Some(&user.token),
                nodes,
                json!({ "ids": [hidden, visible] }),
            )
            .await;
        assert_eq!(
            body["data"]["nodes"],
            json!([null, { "id": visible }]),
            "{body}"
        );
        let body = app
            .gql(Some(&user.token), node, json!({ "id": visible }))
            .await;
        assert!(body["data"]["node"]["name"].is_string(), "{body}");
    }
    // A specialist cannot change even an assigned store (STORE_SETTINGS is the director's).
    let body = app
        .gql(
            Some(&spec.token),
            UPDATE,
            json!({ "input": { "id": a, "name": "改名" } }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    // …and an unassigned one does not exist for them.
    let body = app
        .gql(
            Some(&spec.token),
            UPDATE,
            json!({ "input": { "id": c, "name": "改名" } }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    assert_eq!(app.count("store WHERE name = '改名'").await, 0);
}

#[tokio::test]
async fn concurrent_mutations_all_commit_without_lock_errors() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let before = app.count("audit_log").await;
    let requests = (0..20).map(|i| {
        let app = &app;
        let token = admin.token.clone();
        async move {
            app.gql(
                Some(&token),
                "mutation($n: String!) { storeCreate(input: {name: $n, platform: JD}) { store { id } userErrors { code } } }",
                json!({ "n": format!("并发店{i}") }),
            )
            .await
        }
    });
    let bodies = futures_util::future::join_all(requests).await;
    for body in &bodies {
        assert!(
            body["data"]["storeCreate"]["store"]["id"].is_string(),
            "{body}"
        );
    }
    assert_eq!(app.count("store").await, 20);
    assert_eq!(app.count("audit_log").await, before + 20);
}
