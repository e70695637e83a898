//! Members: RFM segments, repurchase, PII masking per role, edits, points and tiers per role.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code, spawn_app, user_error_codes};
use crate::order::{member, orders_file, shop};

/// Paid order rows for `buyer`: one purchase on each of `days_before` (days before `as_of`),
/// together spending `spend_yuan`.
fn purchases(buyer: &str, as_of: NaiveDate, days_before: &[i64], spend_yuan: i64) -> Vec<String> {
    let n = days_before.len() as i64;
    days_before
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let day = as_of - Duration::days(*d);
            let amount = if i == 0 {
                spend_yuan - (n - 1)
            } else {
                1
            };
            format!(
                "{buyer}-{i},{buyer},{buyer},,COMPLETED,{day} 12:00:00,{day} 12:01:00,false,CUP-RED,1,{amount}.00,0,{amount}.00,"
            )
        })
        .collect()
}

async fn rfm_fixture(app: &TestApp, admin: &User) -> (String, NaiveDate) {
    let store = shop(app, admin, "RFM店").await;
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    // Spend ranks 1..20 among the 20 members with a purchase in the window: M = ceil(k/4).
    let mut rows = Vec::new();
    let named: [(&str, Vec<i64>, i64); 8] = [
        // RFM boundary examples: days since last / purchases / M → segment.
        ("A", (0..12).map(|i| 10 + i * 20).collect(), 20), // 10 / 12 / 5 → HIGH_VALUE
        ("D", vec![20], 19),                               // 20 / 1 first ever / 5 → NEW
        ("G", vec![200], 16),                              // 200 / 1 / 4 → AT_RISK
        ("B", (0..7).map(|i| 45 + i * 20).collect(), 12),  // 45 / 7 / 3 → LOYAL
        ("C", vec![120, 140, 160, 180], 8),                // 120 / 4 / 2 → AT_RISK
        ("E", vec![15, 300], 7),                           // 15 / 2 / 2 → POTENTIAL
        ("F", vec![200], 6),                               // 200 / 1 / 2 → LOST
        ("H", vec![100], 5),                               // 100 / 1 / 2 → HIBERNATING
    ];
    for (buyer, days, rank) in &named {
        rows.extend(purchases(buyer, as_of, days, rank * 100));
    }
    for rank in [1, 2, 3, 4, 9, 10, 11, 13, 14, 15, 17, 18] {
        rows.extend(purchases(&format!("X{rank}"), as_of, &[100], rank * 100));
    }
    // 400 / 0 / 1 → LOST: bought once, before the window.
    rows.extend(purchases("Z", as_of, &[400], 50));
    // A purchase after asOf is ignored.
    rows.extend(purchases("A9", as_of, &[-5], 10_000));
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let r = app.import_orders(admin, &store, &orders_file(&refs)).await;
    assert!(r["report"].is_object(), "{r}");
    (store, as_of)
}

#[tokio::test]
async fn rfm_segments_follow_the_boundary_examples_counts_and_revenue_shares() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (store, as_of) = rfm_fixture(&app, &admin).await;
    let q = "query($s: ID!, $d: Date) { members(first: 100, filter: {storeId: $s}) { nodes { buyerRef
        rfm(asOf: $d) { daysSinceLastPurchase purchases recencyScore frequencyScore monetaryScore segment } } } }";
    let b = app
        .gql(
            Some(&admin.token),
            q,
            json!({ "s": store, "d": as_of.to_string() }),
        )
        .await;
    let nodes = b["data"]["members"]["nodes"].as_array().expect("members");
    let rfm = |buyer: &str| -> Value {
        nodes
            .iter()
            .find(|n| n["buyerRef"] == buyer)
            .map(|n| n["rfm"].clone())
            .unwrap_or(Value::Null)
    };
    for (buyer, days, purchases, m, segment) in [
        ("A", 10, 12, 5, "HIGH_VALUE"),
        ("B", 45, 7, 3, "LOYAL"),
        ("C", 120, 4, 2, "AT_RISK"),
        ("D", 20, 1, 5, "NEW"),
        ("E", 15, 2, 2, "POTENTIAL"),
        ("F", 200, 1, 2, "LOST"),
        ("G", 200, 1, 4, "AT_RISK"),
        ("H", 100, 1, 2, "HIBERNATING"),
        ("Z", 400, 0, 1, "LOST"),
    ] {
        let r = rfm(buyer);
        assert_eq!(r["daysSinceLastPurchase"], days, "{buyer}: {r}");
        assert_eq!(r["purchases"], purchases, "{buyer}: {r}");
        assert_eq!(r["monetaryScore"], m, "{buyer}: {r}");
        assert_eq!(r["segment"], segment, "{buyer}: {r}");
    }
    assert_eq!(rfm("A9"), Value::Null, "no purchase by asOf");

    let seg = app
        .gql(
            Some(&admin.token),
            "query($s: ID!, $d: Date) { memberSegments(storeId: $s, asOf: $d) { asOf windowStart memberCount netSpend
                segments { segment memberCount revenueShare members(first: 10) { nodes { buyerRef } } }
                repurchase { buyers repeatBuyers rate } } }",
            json!({ "s": store, "d": as_of.to_string() }),
        )
        .await;
    let report = &seg["data"]["memberSegments"];
    assert_eq!(report["windowStart"], "2025-07-01", "{seg}");
    assert_eq!(report["memberCount"], 21);
    let counts: Vec<(String, i64)> = report["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| {
            (
                s["segment"].as_str().unwrap_or_default().to_owned(),
                s["memberCount"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let expected: Vec<(String, i64)> = [
        ("HIGH_VALUE", 1),
        ("LOYAL", 1),
        ("AT_RISK", 7),
        ("NEW", 1),
        ("POTENTIAL", 1),
        ("LOST", 2),
        ("HIBERNATING", 8),
    ]
    .iter()
    .map(|(s, n)| ((*s).to_owned(), *n))
    .collect();
    assert_eq!(counts, expected);
    // A spent rank 20 of Σ 1..20 = 210 (Z spent outside the window).
    let share = report["segments"][0]["revenueShare"]
        .as_f64()
        .expect("share");
    assert!((share - 20.0 / 210.0).abs() < 1e-9, "{share}");
    let mut lost: Vec<String> = report["segments"][5]["members"]["nodes"]
        .as_array()
        .expect("lost")
        .iter()
        .map(|n| n["buyerRef"].as_str().unwrap_or_default().to_owned())
        .collect();
    lost.sort();
    assert_eq!(lost, vec!["F", "Z"]);
    // 复购率: A, B, C and E bought on two or more days of the window, of 20 buyers.
    assert_eq!(
        report["repurchase"],
        json!({ "buyers": 20, "repeatBuyers": 4, "rate": 0.2 })
    );
    // The members filter agrees, and needs a store.
    let b = app
        .gql(
            Some(&admin.token),
            "query($s: ID!, $d: Date) { members(filter: {storeId: $s, segment: AT_RISK, segmentAsOf: $d}) { totalCount } }",
            json!({ "s": store, "d": as_of.to_string() }),
        )
        .await;
    assert_eq!(b["data"]["members"]["totalCount"], 7, "{b}");
    let b = app
        .gql(
            Some(&admin.token),
            "{ members(filter: {segment: LOST}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&b), "BAD_USER_INPUT");
    let b = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { repurchaseRate(storeId: $s, from: \"2026-05-31\", to: \"2026-06-30\") { buyers repeatBuyers rate } }",
            json!({ "s": store }),
        )
        .await;
    // 31 May – 30 June: A (10 and 30 days before), D (20), E (15) → A alone bought twice.
    assert_eq!(
        b["data"]["repurchaseRate"],
        json!({ "buyers": 3, "repeatBuyers": 1, "rate": 1.0 / 3.0 }),
        "{b}"
    );
}

#[tokio::test]
async fn phones_are_full_only_for_member_pii_view_and_reveals_are_audited_and_limited() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "隐私店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let row = "O1,B1,小明,+86 138-1234-5678,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,100.00,0,100.00,";
    app.import_orders(&admin, &store, &orders_file(&[row]))
        .await;
    assert_eq!(
        member(&app, &admin, &store, "B1").await["phone"],
        "13812345678"
    );
    for u in [&spec, &asst] {
        assert_eq!(
            member(&app, u, &store, "B1").await["phone"],
            "138****5678",
            "{}",
            u.username
        );
    }
    // Stored encrypted: the number appears nowhere in clear.
    assert_eq!(
        app.count(
            "member WHERE phone_cipher LIKE '%13812345678%' OR phone_hash LIKE '%13812345678%'"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("audit_log WHERE after_json LIKE '%12345678%' OR before_json LIKE '%12345678%'")
            .await,
        0
    );
    // Exact lookup by keyed hash, in any spelling.
    let b = app
        .gql(
            Some(&asst.token),
            "{ members(filter: {phone: \"13812345678\"}) { nodes { buyerRef } } }",
            json!({}),
        )
        .await;
    assert_eq!(b["data"]["members"]["nodes"][0]["buyerRef"], "B1", "{b}");

    let id = member(&app, &admin, &store, "B1").await["id"].clone();
    let reveal = "mutation($m: ID!) { memberPiiReveal(input: {memberId: $m, reason: \"回访\"}) { phone userErrors { code } } }";
    let b = app.gql(Some(&asst.token), reveal, json!({ "m": id })).await;
    assert_eq!(error_code(&b), "FORBIDDEN", "{b}");
    let b = app.gql(Some(&spec.token), reveal, json!({ "m": id })).await;
    assert_eq!(b["data"]["memberPiiReveal"]["phone"], "13812345678", "{b}");
    assert_eq!(
        app.count("audit_log WHERE action = 'member.piiReveal'")
            .await,
        1
    );
    let blank = app
        .gql(
            Some(&spec.token),
            "mutation($m: ID!) { memberPiiReveal(input: {memberId: $m, reason: \" \"}) { phone userErrors { code } } }",
            json!({ "m": id }),
        )
        .await;
    assert_eq!(
        user_error_codes(&blank["data"]["memberPiiReveal"]),
        vec!["BLANK"]
    );
    // The store allows one reveal per day: the second is RATE_LIMITED and not audited.
    app.gql(
        Some(&admin.token),
        "mutation($s: ID!) { storeUpdate(input: {id: $s, settings: {piiRevealsPerDay: 1}}) { userErrors { code } } }",
        json!({ "s": store }),
    )
    .await;
    let b = app.gql(Some(&spec.token), reveal, json!({ "m": id })).await;
    assert_eq!(error_code(&b), "RATE_LIMITED", "{b}");
    assert_eq!(
        app.count("audit_log WHERE action = 'member.piiReveal'")
            .await,
        1
    );
}

#[tokio::test]
async fn member_edits_points_and_tiers_per_role() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "会员店").await;
    let other = shop(&app, &admin, "别家店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let outsider = app.user(&admin, "out", "SPECIALIST", &[&other]).await;
    let row =
        "O1,B1,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,100.00,0,100.00,";
    app.import_orders(&admin, &store, &orders_file(&[row]))
        .await;
    let id = member(&app, &admin, &store, "B1").await["id"].clone();
    let vars = json!({ "m": id });

    let update_nick = "mutation($m: ID!) { memberUpdate(input: {id: $m, nick: \"阿明\"}) { member { nick } userErrors { code } } }";
    let update_note = "mutation($m: ID!) { memberUpdate(input: {id: $m, note: \"喜欢红色\", tags: [\"高复购\", \"红色\"]}) { member { note tags } userErrors { code } } }";
    assert_eq!(
        error_code(&app.gql(Some(&asst.token), update_nick, vars.clone()).await),
        "FORBIDDEN"
    );
    let b = app.gql(Some(&asst.token), update_note, vars.clone()).await;
    assert_eq!(
        b["data"]["memberUpdate"]["member"],
        json!({ "note": "喜欢红色", "tags": ["红色", "高复购"] }),
        "{b}"
    );
    let b = app.gql(Some(&spec.token), update_nick, vars.clone()).await;
    assert_eq!(b["data"]["memberUpdate"]["member"]["nick"], "阿明", "{b}");
    // Outside the viewer's stores: NOT_FOUND.
    assert_eq!(
        error_code(
            &app.gql(Some(&outsider.token), update_note, vars.clone())
                .await
        ),
        "NOT_FOUND"
    );
    let tags = "mutation($m: ID!) { memberTagsSet(input: {memberIds: [$m], add: [\"VIP候选\"], remove: [\"红色\"]}) { members { tags } userErrors { code } } }";
    let b = app.gql(Some(&asst.token), tags, vars.clone()).await;
    assert_eq!(
        b["data"]["memberTagsSet"]["members"][0]["tags"],
        json!(["VIP候选", "高复购"]),
        "{b}"
    );
    let b = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { members(filter: {storeId: $s, tag: \"高复购\"}) { totalCount } }",
            json!({ "s": store }),
        )
        .await;
    assert_eq!(b["data"]["members"]["totalCount"], 1);

    // Points: assistants no; specialists up to 500 either way, beyond it a director approves.
    let adjust = |amount: i64, request: bool| json!({ "m": id, "a": amount, "r": request });
    let q = "mutation($m: ID!, $a: Int!, $r: Boolean!) { memberPointsAdjust(input: {memberId: $m, amount: $a, reason: \"补偿\", requestApproval: $r})
        { member { points } pointsEntry { kind amount balanceAfter } approvalRequest { id kind } userErrors { field code message } } }";
    assert_eq!(
        error_code(&app.gql(Some(&asst.token), q, adjust(10, false)).await),
        "FORBIDDEN"
    );
    let b = app.gql(Some(&spec.token), q, adjust(500, false)).await;
    assert_eq!(
        b["data"]["memberPointsAdjust"]["pointsEntry"],
        json!({ "kind": "ADJUST", "amount": 500, "balanceAfter": 600 }),
        "{b}"
    );
    let entries = app.count("points_entry").await;
    let b = app.gql(Some(&spec.token), q, adjust(501, false)).await;
    assert_eq!(
        user_error_codes(&b["data"]["memberPointsAdjust"]),
        vec!["APPROVAL_REQUIRED"]
    );
    assert_eq!(
        b["data"]["memberPointsAdjust"]["userErrors"],
        json!([{"code":"APPROVAL_REQUIRED","field":["input","amount"],"message":"adjustments above 500 points need a director's approval (requested 501); send requestApproval: true"}]),
        "the whole userErrors of APPROVAL_REQUIRED"
    );
    let b = app.gql(Some(&spec.token), q, adjust(-700, false)).await;
    assert_eq!(
        user_error_codes(&b["data"]["memberPointsAdjust"]),
        vec!["APPROVAL_REQUIRED"]
    );
    let b = app.gql(Some(&admin.token), q, adjust(-700, false)).await;
    assert_eq!(
        user_error_codes(&b["data"]["memberPointsAdjust"]),
        vec!["POINTS_INSUFFICIENT"],
        "never below zero"
    );
    assert_eq!(
        b["data"]["memberPointsAdjust"]["userErrors"],
        json!([{"code":"POINTS_INSUFFICIENT","field":["input","amount"],"message":"the member has 600 points; an adjustment of -700 would go below zero"}]),
        "the whole userErrors of POINTS_INSUFFICIENT"
    );
    assert_eq!(app.count("points_entry").await, entries);
    let b = app.gql(Some(&spec.token), q, adjust(800, true)).await;
    let request = b["data"]["memberPointsAdjust"]["approvalRequest"].clone();
    assert_eq!(request["kind"], "POINTS_ADJUST", "{b}");
    assert_eq!(app.count("points_entry").await, entries);
    let approve = "mutation($id: ID!) { approvalRequestApprove(input: {id: $id}) { approvalRequest { status } userErrors { code } } }";
    let b = app
        .gql(Some(&spec.token), approve, json!({ "id": request["id"] }))
        .await;
    assert_eq!(
        user_error_codes(&b["data"]["approvalRequestApprove"]),
        vec!["FOUR_EYES"]
    );
    let spec2 = app.user(&admin, "spec2", "SPECIALIST", &[&store]).await;
    let b = app
        .gql(Some(&spec2.token), approve, json!({ "id": request["id"] }))
        .await;
    assert_eq!(
        error_code(&b),
        "FORBIDDEN",
        "beyond a specialist's limit: {b}"
    );
    let b = app
        .gql(Some(&admin.token), approve, json!({ "id": request["id"] }))
        .await;
    assert_eq!(
        b["data"]["approvalRequestApprove"]["approvalRequest"]["status"], "APPROVED",
        "{b}"
    );
    assert_eq!(member(&app, &admin, &store, "B1").await["points"], 1400);

    // Manual tier: directors only, with a reason, recorded.
    let tier = "mutation($m: ID!) { memberTierSet(input: {memberId: $m, tier: \"VIP3\", reason: \"品牌大使\"}) { member { tier { code } tierProtectedUntil } userErrors { code } } }";
    assert_eq!(
        error_code(&app.gql(Some(&spec.token), tier, vars.clone()).await),
        "FORBIDDEN"
    );
    let b = app.gql(Some(&admin.token), tier, vars.clone()).await;
    assert_eq!(
        b["data"]["memberTierSet"]["member"]["tier"]["code"], "VIP3",
        "{b}"
    );
    let bad = app
        .gql(
            Some(&admin.token),
            "mutation($m: ID!) { memberTierSet(input: {memberId: $m, tier: \"GOLD\", reason: \"x\"}) { userErrors { code } } }",
            vars.clone(),
        )
        .await;
    assert_eq!(
        user_error_codes(&bad["data"]["memberTierSet"]),
        vec!["INVALID"]
    );
    // The next order does not move a manual tier.
    let row2 =
        "O2,B1,小明,,PAID,2026-11-02 10:00:00,2026-11-02 10:05:00,false,CUP-RED,1,100.00,0,100.00,";
    app.import_orders(&admin, &store, &orders_file(&[row2]))
        .await;
    let m = member(&app, &admin, &store, "B1").await;
    assert_eq!(m["tier"]["code"], "VIP3", "{m}");
    assert_eq!(m["tierChanges"][0]["cause"], "MANUAL");
    // Tier configuration: directors only.
    let cfg = "mutation($s: ID!) { storeTiersSet(input: {storeId: $s, tiers: [{code: \"VIP1\", name: \"会员\", minSpend: \"0\", minPurchases: 1, priceRateBp: 9800, pointsMultiplierBp: 10000}]}) { userErrors { code } } }";
    assert_eq!(
        error_code(&app.gql(Some(&spec.token), cfg, json!({ "s": store })).await),
        "FORBIDDEN"
    );
    let bad = app
        .gql(
            Some(&admin.token),
            "mutation($s: ID!) { storeTiersSet(input: {storeId: $s, tiers: [{code: \"A\", name: \"甲\", minSpend: \"100\", minPurchases: 2, priceRateBp: 9800, pointsMultiplierBp: 10000}, {code: \"B\", name: \"乙\", minSpend: \"50\", minPurchases: 1, priceRateBp: 0, pointsMultiplierBp: 10000}]}) { userErrors { field code } } }",
            json!({ "s": store }),
        )
        .await;
    assert!(
        user_error_codes(&bad["data"]["storeTiersSet"]).len() >= 2,
        "{bad}"
    );
}

#[tokio::test]
async fn member_and_order_pages_cost_a_constant_number_of_statements() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "大店").await;
    let q_members = "{ members(first: 100) { nodes { nick phone tier { code } tags store { name } rfm { segment } } } }";
    let q_orders = "{ orders(first: 100) { nodes { orderNo member { nick tags } store { name } lines { quantity sku { code product { title } } } } } }";
    let rows = |range: std::ops::Range<i32>| -> Vec<String> {
        range
            .map(|i| format!("O{i},B{i},买家{i},1380000{i:04},PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,10.00,0,10.00,"))
            .collect()
    };
    let first: Vec<String> = rows(0..2);
    app.import_orders(
        &admin,
        &store,
        &orders_file(&first.iter().map(String::as_str).collect::<Vec<_>>()),
    )
    .await;
    let count = |q: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let before = app.statements().await;
            let b = app.gql(Some(&admin.token), q, json!({})).await;
            assert!(b["errors"].is_null(), "{b}");
            app.statements().await - before
        }
    };
    let (small_m, small_o) = (count(q_members).await, count(q_orders).await);
    let more: Vec<String> = rows(2..30);
    let r = app
        .import_orders(
            &admin,
            &store,
            &orders_file(&more.iter().map(String::as_str).collect::<Vec<_>>()),
        )
        .await;
    assert_eq!(r["report"]["ordersCreated"], 28, "{r}");
    let (large_m, large_o) = (count(q_members).await, count(q_orders).await);
    assert_eq!(small_m, large_m, "members page grows with its size");
    assert_eq!(small_o, large_o, "orders page grows with its size");
    assert!(large_m <= 8, "{large_m}");
    assert!(large_o <= 10, "{large_o}");
}

#[tokio::test]
async fn redemptions_spend_points_never_below_zero_and_cancel_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "积分店").await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let row =
        "O1,B1,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,300.00,0,300.00,";
    app.import_orders(&admin, &store, &orders_file(&[row]))
        .await;
    let id = member(&app, &admin, &store, "B1").await["id"].clone();
    let redeem = "mutation($m: ID!, $p: Int!) { memberPointsRedeem(input: {memberId: $m, points: $p, item: \"保温杯 赠品\"})
        { member { points } pointsEntry { id kind amount balanceAfter reason } userErrors { code } } }";
    let b = app
        .gql(Some(&asst.token), redeem, json!({ "m": id, "p": 200 }))
        .await;
    let entry = b["data"]["memberPointsRedeem"]["pointsEntry"].clone();
    assert_eq!(entry["kind"], "REDEEM", "{b}");
    assert_eq!(entry["amount"], -200);
    assert_eq!(b["data"]["memberPointsRedeem"]["member"]["points"], 100);
    let b = app
        .gql(Some(&asst.token), redeem, json!({ "m": id, "p": 101 }))
        .await;
    assert_eq!(
        user_error_codes(&b["data"]["memberPointsRedeem"]),
        vec!["POINTS_INSUFFICIENT"]
    );
    let cancel = "mutation($e: ID!) { memberPointsRedeemCancel(input: {entryId: $e}) { member { points } pointsEntry { kind amount } userErrors { code } } }";
    let b = app
        .gql(Some(&asst.token), cancel, json!({ "e": entry["id"] }))
        .await;
    assert_eq!(
        b["data"]["memberPointsRedeemCancel"]["pointsEntry"],
        json!({ "kind": "REDEEM_CANCEL", "amount": 200 }),
        "{b}"
    );
    assert_eq!(
        b["data"]["memberPointsRedeemCancel"]["member"]["points"],
        300
    );
    let b = app
        .gql(Some(&asst.token), cancel, json!({ "e": entry["id"] }))
        .await;
    assert_eq!(
        user_error_codes(&b["data"]["memberPointsRedeemCancel"]),
        vec!["INVALID_STATE_TRANSITION"]
    );
    // The balance equals the ledger.
    assert_eq!(
        app.count("points_entry").await,
        3,
        "EARN, REDEEM, REDEEM_CANCEL"
    );
    let sum = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { members(filter: {storeId: $s}) { nodes { points pointsLedger(first: 10) { nodes { amount } } } } }",
            json!({ "s": store }),
        )
        .await;
    let m = &sum["data"]["members"]["nodes"][0];
    let total: i64 = m["pointsLedger"]["nodes"]
        .as_array()
        .expect("ledger")
        .iter()
        .map(|e| e["amount"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(m["points"].as_i64(), Some(total));
}
