//! Promotions, coupons, the price quote and the price guard over HTTP: the worked examples of
//! the trade, every lifecycle transition, approval limits and four-eyes, overlap and floor
//! checks, store scoping, coupon limits under concurrency, and bad input that changes nothing.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code, spawn_app, user_error_codes};
use crate::order::{orders_file, sqlx_exec};

const CATALOG: &str = "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock
A,羊毛大衣,服装/外套,DRAFT,A1,颜色:灰,399.00,150.00,50
B,针织衫,服装/上衣,DRAFT,B1,颜色:白,129.00,50.00,50
C,棉袜,服装/袜子,DRAFT,C1,颜色:黑,19.90,5.00,100
T,T恤,服装/上衣,DRAFT,TS,尺码:S,89.90,30.00,50
T,T恤,服装/上衣,DRAFT,TL,尺码:L,99.90,30.00,50
X,羽绒服,服装/外套,DRAFT,X1,颜色:黑,650.00,300.00,50
G,帆布袋,赠品/袋子,DRAFT,G1,颜色:米,39.00,8.00,2
";

const PROMO_FIELDS: &str = "id kind status depthBp version approvedVersion hasPendingRevision
    ... on CouponTemplate { issuedCount totalQuantity }
    ... on ItemDiscountPromotion { rateBp amount floorBreakApproved rejectReason endedEarly selfApproved }";

/// A store with the catalog above.
pub(crate) async fn shop(app: &TestApp, admin: &User, name: &str) -> String {
    let store = app.create_store(admin, name).await;
    let r = app.import_products(admin, &store, CATALOG).await;
    assert!(r["report"].is_object(), "{r}");
    store
}

pub(crate) async fn sku(app: &TestApp, user: &User, store: &str, code: &str) -> String {
    let b = app
        .gql(
            Some(&user.token),
            "query($s: ID!, $c: String!) { skuByCode(storeId: $s, code: $c) { id product { id } } }",
            json!({ "s": store, "c": code }),
        )
        .await;
    b["data"]["skuByCode"]["id"]
        .as_str()
        .expect("sku")
        .to_owned()
}

pub(crate) async fn product(app: &TestApp, user: &User, store: &str, code: &str) -> String {
    let b = app
        .gql(
            Some(&user.token),
            "query($s: ID!, $c: String!) { skuByCode(storeId: $s, code: $c) { product { id } } }",
            json!({ "s": store, "c": code }),
        )
        .await;
    b["data"]["skuByCode"]["product"]["id"]
        .as_str()
        .expect("product")
        .to_owned()
}

pub(crate) fn window(input: Value, start_h: i64, end_h: i64) -> Value {
    window_from(Utc::now(), input, start_h, end_h)
}

/// A window of hours around `now` (the server's clock once a test has moved it).
pub(crate) fn window_from(
    now: chrono::DateTime<Utc>,
    input: Value,
    start_h: i64,
    end_h: i64,
) -> Value {
    let mut v = input;
    v["startAt"] = json!((now + Duration::hours(start_h)).to_rfc3339());
    v["endAt"] = json!((now + Duration::hours(end_h)).to_rfc3339());
    v
}

/// `promotionCreate`'s payload.
pub(crate) async fn create(app: &TestApp, user: &User, input: Value) -> Value {
    let b = app
        .gql(
            Some(&user.token),
            &format!("mutation($i: PromotionCreateInput!) {{ promotionCreate(input: $i) {{ promotion {{ {PROMO_FIELDS} }} userErrors {{ field code message }} }} }}"),
            json!({ "i": input }),
        )
        .await;
    assert!(b["errors"].is_null(), "{b}");
    b["data"]["promotionCreate"].clone()
}

/// Runs a lifecycle mutation (`promotionSubmit`, …) and returns the whole body.
pub(crate) async fn act(app: &TestApp, user: &User, op: &str, id: &str) -> Value {
    let extra = if op == "promotionReject" {
        ", reason: \"力度太大\""
    } else {
        ""
    };
    app.gql(
        Some(&user.token),
        &format!("mutation($id: ID!) {{ {op}(input: {{id: $id{extra}}}) {{ promotion {{ {PROMO_FIELDS} }} userErrors {{ field code message }} }} }}"),
        json!({ "id": id }),
    )
    .await
}

pub(crate) fn payload<'a>(b: &'a Value, op: &str) -> &'a Value {
    &b["data"][op]
}

/// Creates, submits and approves (as `user`, a director) a promotion; returns its id.
pub(crate) async fn live(app: &TestApp, user: &User, input: Value) -> String {
    let p = create(app, user, input).await;
    let id = p["promotion"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{p}"))
        .to_owned();
    let s = act(app, user, "promotionSubmit", &id).await;
    assert!(
        user_error_codes(payload(&s, "promotionSubmit")).is_empty(),
        "{s}"
    );
    let a = act(app, user, "promotionApprove", &id).await;
    assert!(
        user_error_codes(payload(&a, "promotionApprove")).is_empty(),
        "{a}"
    );
    id
}

const QUOTE: &str = "query($i: PriceQuoteInput!) { priceQuote(input: $i) {
    lines { sku { code } quantity listPrice itemPrice itemAmount net unitNet belowFloor belowCost
      discounts { promotionName kind level amount merchantAmount couponCode funding { funder } } }
    totals { listAmount itemDiscount storeDiscount crossStoreDiscount memberDiscount totalDiscount merchantFunded }
    shipping freeShippingPromotionId gifts { sku { code } quantity }
    coupons { code applied amount rejectedReason } payable belowFloor } }";

async fn quote(app: &TestApp, user: &User, input: Value) -> Value {
    let b = app
        .gql(Some(&user.token), QUOTE, json!({ "i": input }))
        .await;
    assert!(b["errors"].is_null(), "{b}");
    b["data"]["priceQuote"].clone()
}

fn shares_of(q: &Value, name: &str) -> Vec<String> {
    q["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            l["discounts"]
                .as_array()
                .expect("discounts")
                .iter()
                .find(|d| d["promotionName"] == name)
                .map_or("0.00".to_owned(), |d| {
                    d["amount"].as_str().unwrap_or_default().to_owned()
                })
        })
        .collect()
}

/// A member in the store (imported with one old order of C1); returns its id.
pub(crate) async fn buyer(app: &TestApp, admin: &User, store: &str, buyer_ref: &str) -> String {
    buyer_of(app, admin, store, buyer_ref, "C1,1,19.90,0,19.90").await
}

pub(crate) async fn buyer_of(
    app: &TestApp,
    admin: &User,
    store: &str,
    buyer_ref: &str,
    line: &str,
) -> String {
    let row = format!(
        "O-{buyer_ref},{buyer_ref},买家{buyer_ref},,PAID,2026-10-01 10:00:00,2026-10-01 10:05:00,false,{line},"
    );
    let r = app.import_orders(admin, store, &orders_file(&[&row])).await;
    assert!(r["report"].is_object(), "{r}");
    let b = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { members(first: 100, filter: {storeId: $s}) { nodes { id buyerRef } } }",
            json!({ "s": store }),
        )
        .await;
    b["data"]["members"]["nodes"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["buyerRef"] == buyer_ref)
        .and_then(|m| m["id"].as_str())
        .expect("member")
        .to_owned()
}

pub(crate) async fn issue(
    app: &TestApp,
    user: &User,
    template: &str,
    members: &[&str],
    key: &str,
) -> Value {
    let b = app
        .gql(
            Some(&user.token),
            "mutation($t: ID!, $m: [ID!], $k: String!) { couponIssue(input: {templateId: $t, memberIds: $m, clientKey: $k}) {
                coupons { id code state } userErrors { field code message } } }",
            json!({ "t": template, "m": members, "k": key }),
        )
        .await;
    assert!(b["errors"].is_null(), "{b}");
    b["data"]["couponIssue"].clone()
}

#[tokio::test]
async fn e5_full_stack_is_quoted_to_the_fen_with_largest_remainders() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let (a1, b1, c1) = (
        sku(&app, &admin, &store, "A1").await,
        sku(&app, &admin, &store, "B1").await,
        sku(&app, &admin, &store, "C1").await,
    );
    let floor = app
        .gql(Some(&admin.token), "mutation($k: ID!) { skuUpdate(input: {id: $k, floorPrice: \"90.00\"}) { userErrors { code } } }", json!({ "k": b1 }))
        .await;
    assert!(
        user_error_codes(&floor["data"]["skuUpdate"]).is_empty(),
        "{floor}"
    );
    let member = buyer(&app, &admin, &store, "VIP").await;
    let product_a = product(&app, &admin, &store, "A1").await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "大衣单品宝", "scope": { "mode": "ONLY", "productIds": [product_a] },
        "itemDiscount": { "mode": "PERCENT", "rateBp": 8800 } }), -1, 48)).await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "阶梯满减",
        "fullReduction": { "tiers": [ { "threshold": "300.00", "amountOff": "30.00" }, { "threshold": "500.00", "amountOff": "60.00" }, { "threshold": "1000.00", "amountOff": "150.00" } ] } }), -1, 48)).await;
    let coupon = live(&app, &admin, window(json!({ "storeId": store, "name": "店铺券满500减50",
        "coupon": { "couponType": "STORE", "faceValue": "50.00", "threshold": "500.00", "totalQuantity": 100 } }), -1, 48)).await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "双11跨店满减", "funding": { "funder": "PLATFORM" },
        "fullReduction": { "perEach": { "every": "300.00", "amountOff": "50.00" }, "crossStore": true } }), -1, 48)).await;
    live(
        &app,
        &admin,
        window(
            json!({ "storeId": store, "name": "88VIP", "scope": { "mode": "ONLY", "skuIds": [a1] },
        "memberPrice": { "vip88RateBp": 9500 } }),
            -1,
            48,
        ),
    )
    .await;
    live(
        &app,
        &admin,
        window(
            json!({ "storeId": store, "name": "满99包邮",
        "freeShipping": { "unit": "AMOUNT", "threshold": "99.00", "excludedRegions": ["新疆"] } }),
            -1,
            48,
        ),
    )
    .await;
    let issued = issue(&app, &admin, &coupon, &[&member], "k1").await;
    let code = issued["coupons"][0]["code"]
        .as_str()
        .expect("code")
        .to_owned();

    let q = quote(&app, &admin, json!({ "storeId": store, "memberId": member, "vip88": true, "couponCodes": [code],
        "lines": [ { "skuId": c1, "quantity": 3 }, { "skuId": a1, "quantity": 1 }, { "skuId": b1, "quantity": 2 } ] })).await;
    assert_eq!(
        q["lines"][0]["sku"]["code"], "A1",
        "lines come in SKU order: {q}"
    );
    assert_eq!(q["lines"][0]["itemPrice"], "351.12");
    assert_eq!(shares_of(&q, "阶梯满减"), ["31.50", "23.14", "5.36"]);
    assert_eq!(shares_of(&q, "店铺券满500减50"), ["26.25", "19.29", "4.46"]);
    assert_eq!(shares_of(&q, "双11跨店满减"), ["52.50", "38.57", "8.93"]);
    assert_eq!(shares_of(&q, "88VIP"), ["17.56", "0.00", "0.00"]);
    let nets: Vec<&str> = q["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["net"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(nets, ["223.31", "177.00", "40.95"]);
    assert_eq!(q["payable"], "441.26");
    assert_eq!(q["shipping"], "0.00");
    assert!(q["freeShippingPromotionId"].is_string());
    assert_eq!(
        q["lines"][1]["belowFloor"], true,
        "B1 at ¥88.50 a unit is under its ¥90 floor"
    );
    assert_eq!(q["lines"][0]["belowFloor"], false);
    assert_eq!(
        q["coupons"],
        json!([{ "code": code, "applied": true, "amount": "50.00", "rejectedReason": null }])
    );
    assert_eq!(q["totals"]["crossStoreDiscount"], "100.00");
    assert_eq!(q["totals"]["memberDiscount"], "17.56");
    // The platform funds the 跨店满减: the merchant pays everything else.
    let total: f64 = q["totals"]["totalDiscount"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or_default();
    let merchant: f64 = q["totals"]["merchantFunded"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or_default();
    assert!((total - merchant - 100.0).abs() < 0.001, "{q}");

    // The same cart shipped to an excluded region pays the store's template (¥10 + ¥2 × 5).
    let q = quote(&app, &admin, json!({ "storeId": store, "memberId": member, "vip88": true, "couponCodes": [code], "region": "新疆",
        "lines": [ { "skuId": a1, "quantity": 1 }, { "skuId": b1, "quantity": 2 }, { "skuId": c1, "quantity": 3 } ] })).await;
    assert_eq!(q["shipping"], "20.00");
    assert_eq!(q["payable"], "461.26");
}

#[tokio::test]
async fn e1_per_each_e2_second_unit_and_gifts_over_http() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let (x1, ts, tl, a1, g1) = (
        sku(&app, &admin, &store, "X1").await,
        sku(&app, &admin, &store, "TS").await,
        sku(&app, &admin, &store, "TL").await,
        sku(&app, &admin, &store, "A1").await,
        sku(&app, &admin, &store, "G1").await,
    );
    let product_x = product(&app, &admin, &store, "X1").await;
    let product_t = product(&app, &admin, &store, "TS").await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "每满300减50", "scope": { "mode": "ONLY", "productIds": [product_x] },
        "fullReduction": { "perEach": { "every": "300.00", "amountOff": "50.00" } } }), -1, 48)).await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "第二件7.5折", "scope": { "mode": "ONLY", "productIds": [product_t] },
        "nthItem": { "rateBp": 7500 } }), -1, 48)).await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "满300赠帆布袋", "scope": { "mode": "EXCEPT", "productIds": [product_t] },
        "gift": { "threshold": "300.00", "giftSkuId": g1 } }), -1, 48)).await;

    let q = quote(
        &app,
        &admin,
        json!({ "storeId": store, "lines": [ { "skuId": x1, "quantity": 1 } ] }),
    )
    .await;
    assert_eq!(
        q["totals"]["storeDiscount"], "100.00",
        "每满300减50 on ¥650: {q}"
    );
    assert_eq!(
        q["gifts"],
        json!([{ "sku": { "code": "G1" }, "quantity": 1 }])
    );

    let q = quote(&app, &admin, json!({ "storeId": store, "lines": [ { "skuId": tl, "quantity": 4 }, { "skuId": ts, "quantity": 1 } ] })).await;
    assert_eq!(shares_of(&q, "第二件7.5折"), ["22.47", "24.98"], "{q}");
    let net: f64 = q["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            l["net"]
                .as_str()
                .unwrap_or_default()
                .parse::<f64>()
                .unwrap_or_default()
        })
        .sum();
    assert!((net - 442.05).abs() < 0.001, "{q}");
    assert_eq!(
        q["gifts"],
        json!([]),
        "the T-shirts are excluded from the gift"
    );

    // Gift stock 2: still given; at 0 available it stops.
    sqlx_exec(&app, "UPDATE sku SET on_hand = 0 WHERE code = 'G1'").await;
    let q = quote(
        &app,
        &admin,
        json!({ "storeId": store, "lines": [ { "skuId": a1, "quantity": 1 } ] }),
    )
    .await;
    assert_eq!(q["gifts"], json!([]), "no gift stock, no gift: {q}");
}

#[tokio::test]
async fn every_lifecycle_transition_and_the_clock_read() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let spec2 = app.user(&admin, "spec2", "SPECIALIST", &[&store]).await;
    let input = window(
        json!({ "storeId": store, "name": "店庆满减", "fullReduction": { "tiers": [ { "threshold": "200.00", "amountOff": "20.00" } ] } }),
        24,
        72,
    );
    let p = create(&app, &spec, input.clone()).await;
    let id = p["promotion"]["id"].as_str().expect("id").to_owned();
    assert_eq!(p["promotion"]["status"], "DRAFT");
    assert_eq!(p["promotion"]["depthBp"], 1000);

    // Approve a draft: not a valid transition.
    let b = act(&app, &spec2, "promotionApprove", &id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionApprove")),
        ["INVALID_STATE_TRANSITION"]
    );
    let b = act(&app, &spec, "promotionSubmit", &id).await;
    assert_eq!(
        payload(&b, "promotionSubmit")["promotion"]["status"],
        "PENDING_APPROVAL"
    );
    // It waits in the approval queue for a specialist (10% ≤ 30%).
    let q = app
        .gql(
            Some(&spec2.token),
            "{ approvalRequests(first: 10) { nodes { kind approverRole subjectId status } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        q["data"]["approvalRequests"]["nodes"][0]["kind"], "PROMOTION_REVIEW",
        "{q}"
    );
    assert_eq!(
        q["data"]["approvalRequests"]["nodes"][0]["approverRole"],
        "SPECIALIST"
    );
    assert_eq!(q["data"]["approvalRequests"]["nodes"][0]["subjectId"], id);
    // Reject back to DRAFT with the reason, then resubmit.
    let b = act(&app, &spec2, "promotionReject", &id).await;
    assert_eq!(
        payload(&b, "promotionReject")["promotion"]["status"],
        "DRAFT",
        "{b}"
    );
    // Only the submitter withdraws.
    act(&app, &spec, "promotionSubmit", &id).await;
    let b = act(&app, &spec2, "promotionWithdraw", &id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionWithdraw")),
        ["INVALID"],
        "{b}"
    );
    let b = act(&app, &spec, "promotionWithdraw", &id).await;
    assert_eq!(
        payload(&b, "promotionWithdraw")["promotion"]["status"],
        "DRAFT",
        "{b}"
    );
    act(&app, &spec, "promotionSubmit", &id).await;
    let b = act(&app, &spec2, "promotionApprove", &id).await;
    assert_eq!(
        payload(&b, "promotionApprove")["promotion"]["status"],
        "SCHEDULED",
        "{b}"
    );
    let q = app.gql(Some(&admin.token), "{ approvalRequests(first: 10, filter: {kind: PROMOTION_REVIEW}) { nodes { status } } }", json!({})).await;
    let states: Vec<&str> = q["data"]["approvalRequests"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == "REJECTED").count(),
        1,
        "{q}"
    );
    assert_eq!(
        states.iter().filter(|s| **s == "CANCELLED").count(),
        1,
        "{q}"
    );
    assert_eq!(
        states.iter().filter(|s| **s == "APPROVED").count(),
        1,
        "{q}"
    );
    // Pausing a scheduled promotion is not allowed; cancelling it is.
    let b = act(&app, &spec, "promotionPause", &id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionPause")),
        ["INVALID_STATE_TRANSITION"]
    );

    // The window opens (the server's clock moves a day on): the promotion reads ACTIVE before
    // the scheduler writes it.
    app.clock
        .advance(Duration::hours(24) + Duration::minutes(1));
    let r = app
        .gql(
            Some(&spec.token),
            "query($id: ID!) { promotion(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r["data"]["promotion"]["status"], "ACTIVE", "{r}");
    let active = app.gql(Some(&spec.token), "query($s: ID!) { promotions(filter: {storeId: $s, statuses: [ACTIVE]}) { totalCount } }", json!({ "s": store })).await;
    assert_eq!(active["data"]["promotions"]["totalCount"], 1, "{active}");

    for (op, to) in [
        ("promotionPause", "PAUSED"),
        ("promotionResume", "ACTIVE"),
        ("promotionEnd", "ENDED"),
    ] {
        let b = act(&app, &spec, op, &id).await;
        assert_eq!(payload(&b, op)["promotion"]["status"], to, "{op}: {b}");
    }
    let b = act(&app, &spec, "promotionResume", &id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionResume")),
        ["INVALID_STATE_TRANSITION"]
    );

    // A second one: scheduled, then cancelled.
    let p = create(
        &app,
        &spec,
        window_from(
            app.clock.now(),
            json!({ "storeId": store, "name": "周末包邮", "freeShipping": {} }),
            24,
            48,
        ),
    )
    .await;
    let id2 = p["promotion"]["id"].as_str().expect("id").to_owned();
    act(&app, &spec, "promotionSubmit", &id2).await;
    act(&app, &spec2, "promotionApprove", &id2).await;
    let b = act(&app, &spec, "promotionCancel", &id2).await;
    assert_eq!(
        payload(&b, "promotionCancel")["promotion"]["status"],
        "CANCELLED",
        "{b}"
    );

    // A third: its window passes while active and it reads ENDED.
    let p = create(
        &app,
        &spec,
        window_from(
            app.clock.now(),
            json!({ "storeId": store, "name": "限时包邮", "freeShipping": {} }),
            -1,
            2,
        ),
    )
    .await;
    let id3 = p["promotion"]["id"].as_str().expect("id").to_owned();
    act(&app, &spec, "promotionSubmit", &id3).await;
    let b = act(&app, &spec2, "promotionApprove", &id3).await;
    assert_eq!(
        payload(&b, "promotionApprove")["promotion"]["status"],
        "ACTIVE",
        "{b}"
    );
    app.clock.advance(Duration::hours(2) + Duration::minutes(1));
    let r = app
        .gql(
            Some(&spec.token),
            "query($id: ID!) { promotion(id: $id) { status } }",
            json!({ "id": id3 }),
        )
        .await;
    assert_eq!(r["data"]["promotion"]["status"], "ENDED", "{r}");

    // Every step wrote its audit row.
    let audit = app
        .gql(
            Some(&admin.token),
            "{ auditLog(first: 100, filter: {action: \"promotion.approve\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(audit["data"]["auditLog"]["totalCount"], 3, "{audit}");
}

#[tokio::test]
async fn approval_limits_four_eyes_and_new_versions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let spec2 = app.user(&admin, "spec2", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let a1 = sku(&app, &admin, &store, "A1").await;

    // 6.5折 = 35% > the specialist's 30%: a director must approve.
    let deep = create(
        &app,
        &asst,
        window(
            json!({ "storeId": store, "name": "清仓价", "scope": { "mode": "ONLY", "skuIds": [a1] },
        "itemDiscount": { "mode": "PERCENT", "rateBp": 6500 } }),
            -1,
            48,
        ),
    )
    .await;
    let id = deep["promotion"]["id"].as_str().expect("id").to_owned();
    assert_eq!(deep["promotion"]["depthBp"], 3500);
    act(&app, &asst, "promotionSubmit", &id).await;
    let b = act(&app, &asst, "promotionApprove", &id).await;
    assert_eq!(error_code(&b), "FORBIDDEN", "assistants never approve: {b}");
    let b = act(&app, &spec, "promotionApprove", &id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionApprove")),
        ["APPROVAL_REQUIRED"],
        "{b}"
    );
    let q = app.gql(Some(&admin.token), "{ approvalRequests(first: 10, filter: {kind: PROMOTION_REVIEW}) { nodes { approverRole status } } }", json!({})).await;
    assert_eq!(
        q["data"]["approvalRequests"]["nodes"][0]["approverRole"], "DIRECTOR",
        "{q}"
    );
    let b = act(&app, &admin, "promotionApprove", &id).await;
    assert_eq!(
        payload(&b, "promotionApprove")["promotion"]["status"],
        "ACTIVE",
        "{b}"
    );
    assert_eq!(
        payload(&b, "promotionApprove")["promotion"]["selfApproved"],
        false
    );
    let q = app.gql(Some(&admin.token), "{ approvalRequests(first: 10, filter: {kind: PROMOTION_REVIEW}) { nodes { status } } }", json!({})).await;
    assert_eq!(
        q["data"]["approvalRequests"]["nodes"][0]["status"], "APPROVED",
        "{q}"
    );

    // An assistant edits drafts only.
    let b = app.gql(Some(&asst.token), "mutation($id: ID!) { promotionUpdate(input: {id: $id, name: \"改名\"}) { userErrors { code } } }", json!({ "id": id })).await;
    assert_eq!(error_code(&b), "FORBIDDEN", "{b}");

    // A specialist never approves their own submission.
    let own = create(&app, &spec, window(json!({ "storeId": store, "name": "满199减20", "fullReduction": { "tiers": [ { "threshold": "199.00", "amountOff": "20.00" } ] } }), -1, 48)).await;
    let own_id = own["promotion"]["id"].as_str().expect("id").to_owned();
    act(&app, &spec, "promotionSubmit", &own_id).await;
    let b = act(&app, &spec, "promotionApprove", &own_id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionApprove")),
        ["FOUR_EYES"]
    );

    // A coupon with ¥20 × 1001 = ¥20,020 issued exceeds the specialist's ¥20,000.
    let c = create(&app, &spec, window(json!({ "storeId": store, "name": "无门槛券", "coupon": { "couponType": "STORE", "faceValue": "20.00", "threshold": "300.00", "totalQuantity": 1001 } }), -1, 48)).await;
    let cid = c["promotion"]["id"].as_str().expect("id").to_owned();
    act(&app, &spec, "promotionSubmit", &cid).await;
    let b = act(&app, &spec2, "promotionApprove", &cid).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionApprove")),
        ["APPROVAL_REQUIRED"],
        "{b}"
    );
    // … while exactly ¥20,000 is within it.
    let b = app.gql(Some(&spec.token), "mutation($id: ID!) { promotionReject(input: {id: $id, reason: \"x\"}) { userErrors { code } } }", json!({ "id": cid })).await;
    assert_eq!(
        user_error_codes(&b["data"]["promotionReject"]),
        ["FOUR_EYES"]
    );
    act(&app, &spec2, "promotionReject", &cid).await;
    let b = app.gql(Some(&spec.token), "mutation($id: ID!) { promotionUpdate(input: {id: $id, coupon: {couponType: STORE, faceValue: \"20.00\", threshold: \"300.00\", totalQuantity: 1000}}) { userErrors { code message } } }", json!({ "id": cid })).await;
    assert!(
        user_error_codes(&b["data"]["promotionUpdate"]).is_empty(),
        "{b}"
    );
    act(&app, &spec, "promotionSubmit", &cid).await;
    let b = act(&app, &spec2, "promotionApprove", &cid).await;
    assert_eq!(
        payload(&b, "promotionApprove")["promotion"]["status"],
        "ACTIVE",
        "{b}"
    );

    // A director's own approval is allowed and audited as self-approved.
    let d = live(&app, &admin, window(json!({ "storeId": store, "name": "总监满减", "fullDiscount": { "unit": "PIECES", "tiers": [ { "pieces": 2, "rateBp": 9000 } ] }, "scope": { "mode": "ONLY", "skuIds": [a1] } }), -1, 48)).await;
    let audit = app.gql(Some(&admin.token), "{ auditLog(first: 10, filter: {action: \"promotion.approve\"}) { nodes { selfApproved } } }", json!({})).await;
    let selfs: Vec<bool> = audit["data"]["auditLog"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["selfApproved"].as_bool().unwrap_or(false))
        .collect();
    assert_eq!(selfs.iter().filter(|s| **s).count(), 1, "{audit}");
    let r = app
        .gql(
            Some(&admin.token),
            &format!("query($id: ID!) {{ promotion(id: $id) {{ {PROMO_FIELDS} }} }}"),
            json!({ "id": d }),
        )
        .await;
    assert_eq!(r["data"]["promotion"]["approvedVersion"], 1);

    // Changing the depth of the approved coupon makes version 2, pending, while version 1 stays in force.
    let b = app.gql(Some(&spec.token), &format!("mutation($id: ID!) {{ promotionUpdate(input: {{id: $id, coupon: {{couponType: STORE, faceValue: \"30.00\", threshold: \"300.00\", totalQuantity: 600}}}}) {{ promotion {{ {PROMO_FIELDS} }} userErrors {{ code message }} }} }}"), json!({ "id": cid })).await;
    let p = &b["data"]["promotionUpdate"]["promotion"];
    assert_eq!(p["version"], 2, "{b}");
    assert_eq!(p["approvedVersion"], 1);
    assert_eq!(p["hasPendingRevision"], true);
    assert_eq!(p["status"], "ACTIVE");
    let b = act(&app, &spec2, "promotionApprove", &cid).await;
    assert_eq!(
        payload(&b, "promotionApprove")["promotion"]["approvedVersion"],
        2,
        "{b}"
    );
    // A name change of an approved promotion needs no approval.
    let b = app.gql(Some(&spec.token), &format!("mutation($id: ID!) {{ promotionUpdate(input: {{id: $id, name: \"双11店铺券\"}}) {{ promotion {{ {PROMO_FIELDS} }} userErrors {{ code }} }} }}"), json!({ "id": cid })).await;
    assert_eq!(
        b["data"]["promotionUpdate"]["promotion"]["hasPendingRevision"], false,
        "{b}"
    );
}

#[tokio::test]
async fn overlaps_floors_and_blocked_terms_are_refused_at_activation() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let spec2 = app.user(&admin, "spec2", "SPECIALIST", &[&store]).await;
    let (a1, b1) = (
        sku(&app, &admin, &store, "A1").await,
        sku(&app, &admin, &store, "B1").await,
    );
    let product_a = product(&app, &admin, &store, "A1").await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "大衣9折", "scope": { "mode": "ONLY", "productIds": [product_a] }, "itemDiscount": { "mode": "PERCENT", "rateBp": 9000 } }), -1, 48)).await;
    // The same SKU under a second item-level price in an overlapping window: refused, naming the first.
    let p = create(&app, &spec, window(json!({ "storeId": store, "name": "大衣直降", "scope": { "mode": "ONLY", "skuIds": [a1] }, "itemDiscount": { "mode": "MINUS", "amount": "20.00" } }), 24, 72)).await;
    let id = p["promotion"]["id"].as_str().expect("id").to_owned();
    act(&app, &spec, "promotionSubmit", &id).await;
    let b = act(&app, &spec2, "promotionApprove", &id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionApprove")),
        ["PROMOTION_OVERLAP"]
    );
    assert_eq!(
        payload(&b, "promotionApprove")["userErrors"],
        json!([{"code":"PROMOTION_OVERLAP","field":["input","id"],"message":"SKU A1 is already under 《大衣9折》 (promotion 1) in an overlapping window"}]),
        "the whole userErrors of PROMOTION_OVERLAP"
    );
    assert!(
        payload(&b, "promotionApprove")["userErrors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("大衣9折"),
        "{b}"
    );

    // B1 at a fixed ¥95 (26% off, within the specialist's depth) breaks its ¥100 floor: a
    // specialist cannot approve it, a director can.
    app.gql(Some(&admin.token), "mutation($k: ID!) { skuUpdate(input: {id: $k, floorPrice: \"100.00\"}) { userErrors { code } } }", json!({ "k": b1 })).await;
    let p = create(&app, &spec, window(json!({ "storeId": store, "name": "针织衫秒杀", "scope": { "mode": "ONLY", "skuIds": [b1] }, "itemDiscount": { "mode": "FIXED_PRICE", "amount": "100.00" } }), -1, 48)).await;
    let id = p["promotion"]["id"].as_str().expect("id").to_owned();
    let b = app.gql(Some(&spec.token), "mutation($id: ID!) { promotionUpdate(input: {id: $id, itemDiscount: {mode: FIXED_PRICE, amount: \"95.00\"}}) { userErrors { code } } }", json!({ "id": id })).await;
    assert!(
        user_error_codes(&b["data"]["promotionUpdate"]).is_empty(),
        "{b}"
    );
    act(&app, &spec, "promotionSubmit", &id).await;
    let before = app.count("audit_log").await;
    let b = act(&app, &spec2, "promotionApprove", &id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionApprove")),
        ["PRICE_BELOW_FLOOR"],
        "{b}"
    );
    assert_eq!(
        app.count("audit_log").await,
        before,
        "a refusal writes nothing"
    );
    let b = act(&app, &admin, "promotionApprove", &id).await;
    assert_eq!(
        payload(&b, "promotionApprove")["promotion"]["floorBreakApproved"],
        true,
        "{b}"
    );

    // The guard shows the break and the combination; the specialist sees no cost flags.
    let g = app.gql(Some(&spec.token), "query($s: ID!) { priceGuard(storeId: $s) { checkedCount findings { skuCode reachablePrice belowFloor belowCost combination { kind } } } }", json!({ "s": store })).await;
    let f = &g["data"]["priceGuard"];
    assert_eq!(f["checkedCount"], 7, "{g}");
    assert_eq!(
        f["findings"],
        json!([{ "skuCode": "B1", "reachablePrice": "95.00", "belowFloor": true, "belowCost": null, "combination": [] }])
    );

    // Advertising-Law BLOCK terms stop a submission.
    let p = create(
        &app,
        &spec,
        window(
            json!({ "storeId": store, "name": "全网最低价", "freeShipping": {} }),
            -1,
            48,
        ),
    )
    .await;
    let id = p["promotion"]["id"].as_str().expect("id").to_owned();
    let b = act(&app, &spec, "promotionSubmit", &id).await;
    assert_eq!(
        user_error_codes(payload(&b, "promotionSubmit")),
        ["COMPLIANCE_BLOCKED"],
        "{b}"
    );
}

#[tokio::test]
async fn two_hundred_concurrent_claims_for_a_hundred_coupons_issue_exactly_a_hundred() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let rows: Vec<String> = (0..200)
        .map(|i| format!("O{i},B{i},买家{i},,PAID,2026-10-01 10:00:00,2026-10-01 10:05:00,false,C1,1,19.90,0,19.90,"))
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let r = app.import_orders(&admin, &store, &orders_file(&refs)).await;
    assert_eq!(r["report"]["membersCreated"], 200, "{r}");
    let b = app.gql(Some(&admin.token), "query($s: ID!) { members(first: 100, filter: {storeId: $s}) { nodes { id } pageInfo { endCursor } } }", json!({ "s": store })).await;
    let mut members: Vec<String> = b["data"]["members"]["nodes"]
        .as_array()
        .expect("n")
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let after = b["data"]["members"]["pageInfo"]["endCursor"].clone();
    let b = app.gql(Some(&admin.token), "query($s: ID!, $a: String) { members(first: 100, after: $a, filter: {storeId: $s}) { nodes { id } } }", json!({ "s": store, "a": after })).await;
    members.extend(
        b["data"]["members"]["nodes"]
            .as_array()
            .expect("n")
            .iter()
            .map(|m| m["id"].as_str().unwrap_or_default().to_owned()),
    );
    assert_eq!(members.len(), 200);
    let template = live(&app, &admin, window(json!({ "storeId": store, "name": "限量券", "coupon": { "couponType": "STORE", "faceValue": "10.00", "threshold": "100.00", "totalQuantity": 100 } }), -1, 48)).await;

    let calls = members.iter().enumerate().map(|(i, m)| {
        let (app, admin, template) = (&app, &admin, &template);
        async move { issue(app, admin, template, &[m], &format!("claim-{i}")).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let ok = results
        .iter()
        .filter(|r| user_error_codes(r).is_empty())
        .count();
    let exhausted = results
        .iter()
        .filter(|r| user_error_codes(r) == ["COUPON_QUANTITY_EXCEEDED"])
        .count();
    assert_eq!((ok, exhausted), (100, 100));
    assert_eq!(app.count("coupon").await, 100);
    let t = app
        .gql(
            Some(&admin.token),
            &format!("query($id: ID!) {{ promotion(id: $id) {{ {PROMO_FIELDS} }} }}"),
            json!({ "id": template }),
        )
        .await;
    assert_eq!(t["data"]["promotion"]["issuedCount"], 100, "{t}");

    // The same key again returns the same coupon and issues nothing.
    let winner = results
        .iter()
        .position(|r| user_error_codes(r).is_empty())
        .expect("a winner");
    let again = issue(
        &app,
        &admin,
        &template,
        &[&members[winner]],
        &format!("claim-{winner}"),
    )
    .await;
    assert_eq!(again["coupons"], results[winner]["coupons"]);
    assert_eq!(app.count("coupon").await, 100);
}

#[tokio::test]
async fn coupons_are_limited_per_buyer_redeemed_released_and_invalidated_on_cancel() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let member = buyer(&app, &admin, &store, "M1").await;
    let a1 = sku(&app, &admin, &store, "A1").await;
    let template = live(&app, &admin, window(json!({ "storeId": store, "name": "会员券", "coupon": { "couponType": "STORE", "faceValue": "30.00", "threshold": "300.00", "totalQuantity": 10, "perBuyerLimit": 1 } }), -1, 48)).await;
    let b = app.gql(Some(&asst.token), "mutation($t: ID!, $m: [ID!]) { couponIssue(input: {templateId: $t, memberIds: $m, clientKey: \"a\"}) { userErrors { code } } }", json!({ "t": template, "m": [member] })).await;
    assert_eq!(
        error_code(&b),
        "FORBIDDEN",
        "assistants do not issue coupons: {b}"
    );
    let first = issue(&app, &spec, &template, &[&member], "k1").await;
    let code = first["coupons"][0]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    assert_eq!(first["coupons"][0]["state"], "CLAIMED");
    let second = issue(&app, &spec, &template, &[&member], "k2").await;
    assert_eq!(user_error_codes(&second), ["COUPON_PER_BUYER_LIMIT"]);

    // Without naming codes, the quote uses the member's own best coupon.
    let q = quote(&app, &spec, json!({ "storeId": store, "memberId": member, "lines": [ { "skuId": a1, "quantity": 1 } ] })).await;
    assert_eq!(q["coupons"][0]["code"], code, "{q}");
    assert_eq!(q["coupons"][0]["applied"], true);
    // Named by someone else's quote: NOT_OWNED.
    let q = quote(&app, &spec, json!({ "storeId": store, "couponCodes": [code], "lines": [ { "skuId": a1, "quantity": 1 } ] })).await;
    assert_eq!(q["coupons"][0]["rejectedReason"], "NOT_OWNED", "{q}");

    let r = app.gql(Some(&spec.token), "mutation($c: String!) { couponRedeem(input: {code: $c, orderRef: \"T2026111100001\"}) { coupon { state orderRef } userErrors { code } } }", json!({ "c": code })).await;
    assert_eq!(
        r["data"]["couponRedeem"]["coupon"],
        json!({ "state": "USED", "orderRef": "T2026111100001" }),
        "{r}"
    );
    let r = app.gql(Some(&spec.token), "mutation($c: String!) { couponRedeem(input: {code: $c, orderRef: \"T2\"}) { userErrors { code } } }", json!({ "c": code })).await;
    assert_eq!(
        user_error_codes(&r["data"]["couponRedeem"]),
        ["INVALID_STATE_TRANSITION"]
    );
    let r = app.gql(Some(&spec.token), "mutation($c: String!) { couponRelease(input: {code: $c}) { coupon { state orderRef } } }", json!({ "c": code })).await;
    assert_eq!(
        r["data"]["couponRelease"]["coupon"],
        json!({ "state": "CLAIMED", "orderRef": null }),
        "{r}"
    );

    // Cancelling a template with claimed coupons needs a director; its unused coupons are invalidated.
    let b = act(&app, &spec, "promotionCancel", &template).await;
    assert_eq!(error_code(&b), "FORBIDDEN", "{b}");
    let b = act(&app, &admin, "promotionCancel", &template).await;
    assert_eq!(
        payload(&b, "promotionCancel")["promotion"]["status"],
        "CANCELLED",
        "{b}"
    );
    let c = app
        .gql(
            Some(&spec.token),
            "query($t: ID!) { coupons(filter: {templateId: $t}) { nodes { state } } }",
            json!({ "t": template }),
        )
        .await;
    assert_eq!(
        c["data"]["coupons"]["nodes"],
        json!([{ "state": "INVALIDATED" }]),
        "{c}"
    );
}

#[tokio::test]
async fn other_stores_promotions_do_not_exist_for_a_specialist() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mine = shop(&app, &admin, "我的店").await;
    let theirs = shop(&app, &admin, "别人的店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&mine]).await;
    let id = live(
        &app,
        &admin,
        window(
            json!({ "storeId": theirs, "name": "别店包邮", "freeShipping": {} }),
            -1,
            48,
        ),
    )
    .await;
    let r = app
        .gql(
            Some(&spec.token),
            "query($id: ID!) { promotion(id: $id) { id } node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r["data"]["promotion"], Value::Null, "{r}");
    assert_eq!(r["data"]["node"], Value::Null, "{r}");
    let r = app
        .gql(
            Some(&spec.token),
            "{ promotions(first: 10) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["promotions"]["totalCount"], 0, "{r}");
    let b = act(&app, &spec, "promotionPause", &id).await;
    assert_eq!(error_code(&b), "NOT_FOUND", "{b}");
    let a1 = sku(&app, &admin, &theirs, "A1").await;
    let b = app
        .gql(
            Some(&spec.token),
            QUOTE,
            json!({ "i": { "storeId": theirs, "lines": [ { "skuId": a1, "quantity": 1 } ] } }),
        )
        .await;
    assert_eq!(error_code(&b), "NOT_FOUND", "{b}");
    // A SKU of another store in my quote is a bad line, not a price.
    let b = app
        .gql(
            Some(&spec.token),
            QUOTE,
            json!({ "i": { "storeId": mine, "lines": [ { "skuId": a1, "quantity": 1 } ] } }),
        )
        .await;
    assert_eq!(error_code(&b), "BAD_USER_INPUT", "{b}");
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let g1 = sku(&app, &admin, &store, "G1").await;
    let (promos, audits) = (app.count("promotion").await, app.count("audit_log").await);
    let cases = [
        (
            json!({ "storeId": store, "name": "两种", "freeShipping": {}, "nthItem": { "rateBp": 5000 } }),
            "INVALID",
        ),
        (json!({ "storeId": store, "name": "没有种类" }), "INVALID"),
        (
            json!({ "storeId": store, "name": "阶梯不升", "fullReduction": { "tiers": [ { "threshold": "300.00", "amountOff": "30.00" }, { "threshold": "200.00", "amountOff": "40.00" } ] } }),
            "INVALID",
        ),
        (
            json!({ "storeId": store, "name": "减得比门槛多", "fullReduction": { "tiers": [ { "threshold": "100.00", "amountOff": "100.00" } ] } }),
            "INVALID",
        ),
        (
            json!({ "storeId": store, "name": "折扣越界", "itemDiscount": { "mode": "PERCENT", "rateBp": 9950 } }),
            "INVALID",
        ),
        (
            json!({ "storeId": store, "name": "券面额大于门槛", "coupon": { "couponType": "STORE", "faceValue": "50.00", "threshold": "30.00", "totalQuantity": 10 } }),
            "INVALID",
        ),
        (
            json!({ "storeId": store, "name": "", "freeShipping": {} }),
            "BLANK",
        ),
        (
            json!({ "storeId": store, "name": "搭配缺主品", "bundle": { "fixed": true, "mainSkuId": g1, "members": [ { "skuId": g1, "bundlePrice": "10.00" } ] } }),
            "INVALID",
        ),
    ];
    for (input, code) in cases {
        let p = create(&app, &admin, window(input.clone(), -1, 48)).await;
        assert_eq!(user_error_codes(&p), [code], "{input}: {p}");
    }
    let a1 = sku(&app, &admin, &store, "A1").await;
    for part in [
        json!({ "mode": "FIXED_PRICE", "amount": "500.00" }),
        json!({ "mode": "MINUS", "amount": "399.00" }),
    ] {
        let p = create(&app, &admin, window(json!({ "storeId": store, "name": "价格越界", "scope": { "mode": "ONLY", "skuIds": [a1] }, "itemDiscount": part }), -1, 48)).await;
        assert_eq!(user_error_codes(&p), ["INVALID"], "{p}");
    }
    let p = create(
        &app,
        &admin,
        window(
            json!({ "storeId": store, "name": "倒着的窗口", "freeShipping": {} }),
            48,
            -1,
        ),
    )
    .await;
    assert_eq!(user_error_codes(&p), ["INVALID"], "{p}");
    let p = create(&app, &admin, window(json!({ "storeId": store, "name": "单品宝太长", "itemDiscount": { "mode": "PERCENT", "rateBp": 9000 } }), -1, 24 * 200)).await;
    assert_eq!(user_error_codes(&p), ["INVALID"], "{p}");
    assert_eq!(
        (app.count("promotion").await, app.count("audit_log").await),
        (promos, audits)
    );
    // A malformed quote line.
    let b = app
        .gql(
            Some(&admin.token),
            QUOTE,
            json!({ "i": { "storeId": store, "lines": [ { "skuId": g1, "quantity": 0 } ] } }),
        )
        .await;
    assert_eq!(error_code(&b), "BAD_USER_INPUT", "{b}");
}

#[tokio::test]
async fn a_quote_costs_a_fixed_number_of_statements() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "大店").await;
    let mut csv = String::from(
        "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\n",
    );
    for i in 0..20 {
        csv.push_str(&format!(
            "P{i},商品{i},服装/上衣,DRAFT,S{i},颜色:红,{}.00,10.00,100\n",
            50 + i
        ));
    }
    let r = app.import_products(&admin, &store, &csv).await;
    assert!(r["report"].is_object(), "{r}");
    let mut skus = Vec::new();
    let mut products = Vec::new();
    for i in 0..20 {
        skus.push(sku(&app, &admin, &store, &format!("S{i}")).await);
        products.push(product(&app, &admin, &store, &format!("S{i}")).await);
    }
    let member = buyer_of(&app, &admin, &store, "Q", "S0,1,50.00,0,50.00").await;
    let cart = |n: usize| -> Value {
        json!({ "storeId": store, "memberId": member, "lines": skus.iter().take(n).map(|s| json!({ "skuId": s, "quantity": 2 })).collect::<Vec<_>>() })
    };
    let measure = |input: Value| {
        let app = &app;
        let admin = &admin;
        async move {
            let before = app.statements().await;
            quote(app, admin, input).await;
            app.statements().await - before
        }
    };
    live(
        &app,
        &admin,
        window(
            json!({ "storeId": store, "name": "包邮", "freeShipping": {} }),
            -1,
            48,
        ),
    )
    .await;
    let small = measure(cart(2)).await;
    // 50 promotions in force: 20 item prices, 10 第二件, 10 满减 and 9 more 包邮 rules.
    for (i, p) in products.iter().enumerate() {
        live(&app, &admin, window(json!({ "storeId": store, "name": format!("单品{i}"), "scope": { "mode": "ONLY", "productIds": [p] }, "itemDiscount": { "mode": "PERCENT", "rateBp": 9500 } }), -1, 48)).await;
    }
    for (i, p) in products.iter().enumerate().take(10) {
        live(&app, &admin, window(json!({ "storeId": store, "name": format!("第二件{i}"), "scope": { "mode": "ONLY", "productIds": [p] }, "nthItem": { "rateBp": 8000 } }), -1, 48)).await;
    }
    for (i, p) in products.iter().enumerate().skip(10) {
        live(&app, &admin, window(json!({ "storeId": store, "name": format!("满减{i}"), "scope": { "mode": "ONLY", "productIds": [p] }, "fullReduction": { "tiers": [ { "threshold": "50.00", "amountOff": "5.00" } ] } }), -1, 48)).await;
    }
    for i in 0..9 {
        live(&app, &admin, window(json!({ "storeId": store, "name": format!("包邮{i}"), "freeShipping": { "unit": "PIECES", "pieces": i + 2 } }), -1, 48)).await;
    }
    let big = measure(cart(20)).await;
    assert_eq!(
        small, big,
        "2 lines and 1 promotion vs 20 lines and 50 promotions"
    );
}

#[tokio::test]
async fn lowest_paid_price_reads_the_seven_day_window_or_the_last_before_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let b1 = sku(&app, &admin, &store, "B1").await;
    let day = |d: i64| {
        (Utc::now() - Duration::days(d))
            .format("%Y-%m-%d 10:00:00")
            .to_string()
    };
    let rows = [
        format!(
            "L1,U1,甲,,PAID,{},{},false,B1,2,129.00,20.00,238.00,",
            day(3),
            day(3)
        ),
        format!(
            "L2,U2,乙,,PAID,{},{},false,B1,1,129.00,3.50,125.50,",
            day(5),
            day(5)
        ),
        format!(
            "L3,U3,丙,,PAID,{},{},false,B1,1,129.00,30.00,99.00,",
            day(20),
            day(20)
        ),
        format!(
            "L4,U4,丁,,CREATED,{},,false,B1,1,129.00,79.00,50.00,",
            day(2)
        ),
    ];
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let r = app.import_orders(&admin, &store, &orders_file(&refs)).await;
    assert!(r["report"].is_object(), "{r}");
    let q = |days: i32| {
        let (app, admin, b1) = (&app, &admin, &b1);
        async move {
            let b = app.gql(Some(&admin.token), "query($k: ID!, $d: Int!) { lowestPaidPrice(skuId: $k, days: $d) { price fromBeforeWindow } }", json!({ "k": b1, "d": days })).await;
            b["data"]["lowestPaidPrice"].clone()
        }
    };
    assert_eq!(
        q(7).await,
        json!({ "price": "119.00", "fromBeforeWindow": false })
    );
    assert_eq!(
        q(30).await,
        json!({ "price": "99.00", "fromBeforeWindow": false })
    );
    assert_eq!(
        q(1).await,
        json!({ "price": "119.00", "fromBeforeWindow": true })
    );
}

#[tokio::test]
async fn promotion_operations_per_role() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    // PROMO_VIEW, PROMO_EDIT (create, submit): every role.
    for user in [&admin, &spec, &asst] {
        let r = app
            .gql(
                Some(&user.token),
                "query($s: ID!) { promotions(filter: {storeId: $s}) { totalCount } }",
                json!({ "s": store }),
            )
            .await;
        assert!(r["errors"].is_null(), "{}: {r}", user.username);
        let p = create(&app, user, window(json!({ "storeId": store, "name": format!("{} 包邮", user.username), "freeShipping": {} }), -1, 48)).await;
        let id = p["promotion"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{p}"))
            .to_owned();
        let b = act(&app, user, "promotionSubmit", &id).await;
        assert_eq!(
            payload(&b, "promotionSubmit")["promotion"]["status"],
            "PENDING_APPROVAL",
            "{b}"
        );
    }
    // PROMO_APPROVE: director and specialist (others' submissions), not assistants.
    let ids: Vec<String> = {
        let r = app
            .gql(
                Some(&admin.token),
                "query($s: ID!) { promotions(filter: {storeId: $s}) { nodes { id name } } }",
                json!({ "s": store }),
            )
            .await;
        r["data"]["promotions"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let b = act(&app, &asst, "promotionApprove", &ids[0]).await;
    assert_eq!(error_code(&b), "FORBIDDEN");
    let b = act(&app, &spec, "promotionApprove", &ids[2]).await;
    assert_eq!(
        payload(&b, "promotionApprove")["promotion"]["status"],
        "ACTIVE",
        "{b}"
    );
    // The approval queue resolves it too: approving the request approves the promotion.
    let q = app.gql(Some(&admin.token), "{ approvalRequests(first: 10, filter: {kind: PROMOTION_REVIEW, status: PENDING}) { nodes { id subjectId } } }", json!({})).await;
    let req = q["data"]["approvalRequests"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["subjectId"] == ids[1])
        .expect("request")["id"]
        .clone();
    let r = app.gql(Some(&admin.token), "mutation($id: ID!) { approvalRequestApprove(input: {id: $id}) { approvalRequest { status } userErrors { code } } }", json!({ "id": req })).await;
    assert_eq!(
        r["data"]["approvalRequestApprove"]["approvalRequest"]["status"], "APPROVED",
        "{r}"
    );
    let r = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { promotion(id: $id) { status } }",
            json!({ "id": ids[1] }),
        )
        .await;
    assert_eq!(r["data"]["promotion"]["status"], "ACTIVE", "{r}");
    // PROMO_CONTROL: director and specialist, not assistants.
    let b = act(&app, &asst, "promotionPause", &ids[2]).await;
    assert_eq!(error_code(&b), "FORBIDDEN");
    let b = act(&app, &spec, "promotionPause", &ids[2]).await;
    assert_eq!(
        payload(&b, "promotionPause")["promotion"]["status"],
        "PAUSED",
        "{b}"
    );
    let b = act(&app, &admin, "promotionResume", &ids[2]).await;
    assert_eq!(
        payload(&b, "promotionResume")["promotion"]["status"],
        "ACTIVE",
        "{b}"
    );
}

#[tokio::test]
async fn the_scheduler_writes_starts_and_ends() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    live(
        &app,
        &admin,
        window(
            json!({ "storeId": store, "name": "明天开始", "freeShipping": {} }),
            24,
            48,
        ),
    )
    .await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "马上结束", "freeShipping": { "unit": "PIECES", "pieces": 2 } }), -1, 1)).await;
    // A day passes on the server's clock: one starts, the other ends.
    app.clock
        .advance(Duration::hours(24) + Duration::minutes(1));
    // The server's own scheduler (every 30 s) may get there first; either way both rows move.
    zhanggui::service::promotion::tick(&app.db, app.clock.now())
        .await
        .expect("tick");
    use sea_orm::{EntityTrait, QueryOrder};
    let stored: Vec<String> = entity::promotion::Entity::find()
        .order_by_asc(entity::promotion::Column::Id)
        .all(&app.db)
        .await
        .expect("rows")
        .into_iter()
        .map(|p| p.status)
        .collect();
    assert_eq!(stored, ["ACTIVE", "ENDED"]);
    assert_eq!(
        zhanggui::service::promotion::tick(&app.db, app.clock.now())
            .await
            .expect("tick"),
        0,
        "idempotent"
    );
}

#[tokio::test]
async fn platform_coupons_apply_after_cross_store_reductions_and_cost_the_merchant_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let member = buyer(&app, &admin, &store, "P1").await;
    let x1 = sku(&app, &admin, &store, "X1").await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "跨店满减", "fullReduction": { "perEach": { "every": "300.00", "amountOff": "50.00" }, "crossStore": true } }), -1, 48)).await;
    let t = live(&app, &admin, window(json!({ "storeId": store, "name": "购物津贴", "funding": { "funder": "PLATFORM" },
        "coupon": { "couponType": "PLATFORM", "faceValue": "40.00", "threshold": "400.00", "totalQuantity": 10 } }), -1, 48)).await;
    let issued = issue(&app, &admin, &t, &[&member], "p1").await;
    let code = issued["coupons"][0]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let q = quote(&app, &admin, json!({ "storeId": store, "memberId": member, "couponCodes": [code], "lines": [ { "skuId": x1, "quantity": 1 } ] })).await;
    let shares: Vec<(String, String, String)> = q["lines"][0]["discounts"]
        .as_array()
        .expect("d")
        .iter()
        .map(|d| {
            (
                d["promotionName"].as_str().unwrap_or_default().to_owned(),
                d["level"].as_str().unwrap_or_default().to_owned(),
                d["merchantAmount"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [
            (
                "跨店满减".to_owned(),
                "CROSS_STORE".to_owned(),
                "100.00".to_owned()
            ),
            (
                "购物津贴".to_owned(),
                "CROSS_STORE".to_owned(),
                "0.00".to_owned()
            ),
        ]
    );
    assert_eq!(q["totals"]["crossStoreDiscount"], "140.00");
    // No 包邮 rule: the template's ¥10 for one unit.
    assert_eq!(q["shipping"], "10.00");
    assert_eq!(q["payable"], "520.00");
}

#[tokio::test]
async fn bundles_piece_discounts_tier_prices_and_audiences_over_http() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let (a1, b1, c1, ts) = (
        sku(&app, &admin, &store, "A1").await,
        sku(&app, &admin, &store, "B1").await,
        sku(&app, &admin, &store, "C1").await,
        sku(&app, &admin, &store, "TS").await,
    );
    // A member with one purchase holds the first tier (VIP1, 9.8折 member price).
    let member = buyer(&app, &admin, &store, "M1").await;
    let product_c = product(&app, &admin, &store, "C1").await;
    let product_t = product(&app, &admin, &store, "TS").await;
    // 搭配宝: 大衣 ¥399 + 针织衫 ¥129 at ¥359 + ¥99 per set.
    live(&app, &admin, window(json!({ "storeId": store, "name": "大衣搭针织衫", "bundle": { "fixed": true, "mainSkuId": a1,
        "members": [ { "skuId": a1, "bundlePrice": "359.00" }, { "skuId": b1, "bundlePrice": "99.00" } ] } }), -1, 48)).await;
    // 满3件9折 on 棉袜.
    live(&app, &admin, window(json!({ "storeId": store, "name": "袜子满3件9折", "scope": { "mode": "ONLY", "productIds": [product_c] },
        "fullDiscount": { "unit": "PIECES", "tiers": [ { "pieces": 3, "rateBp": 9000 } ] } }), -1, 48)).await;
    // The store tier discount on T恤, for members only.
    live(&app, &admin, window(json!({ "storeId": store, "name": "会员价", "scope": { "mode": "ONLY", "productIds": [product_t] },
        "memberPrice": {} }), -1, 48)).await;
    // A new-customer price on T恤 S: the member (who has bought) does not get it.
    live(&app, &admin, window(json!({ "storeId": store, "name": "新客价", "scope": { "mode": "ONLY", "skuIds": [ts] }, "audience": { "kind": "NEW_CUSTOMERS" },
        "itemDiscount": { "mode": "FIXED_PRICE", "amount": "69.90" } }), -1, 48)).await;

    let q = quote(&app, &admin, json!({ "storeId": store, "memberId": member, "lines": [
        { "skuId": a1, "quantity": 2 }, { "skuId": b1, "quantity": 1 }, { "skuId": c1, "quantity": 3 }, { "skuId": ts, "quantity": 1 } ] })).await;
    // One set: one 大衣 at ¥359 (saving ¥40), the second at list; the 针织衫 at ¥99 (saving ¥30).
    assert_eq!(
        shares_of(&q, "大衣搭针织衫"),
        ["40.00", "30.00", "0.00", "0.00"],
        "{q}"
    );
    // 3 × ¥19.90 = ¥59.70 at 9折 → ¥5.97 off.
    assert_eq!(
        shares_of(&q, "袜子满3件9折"),
        ["0.00", "0.00", "5.97", "0.00"]
    );
    // ¥89.90 × (1 − 0.98) = ¥1.798 → ¥1.80, and no new-customer price.
    assert_eq!(shares_of(&q, "会员价"), ["0.00", "0.00", "0.00", "1.80"]);
    assert_eq!(q["lines"][3]["itemPrice"], "89.90");
    // An anonymous (new) buyer gets the new-customer price and no member price.
    let q = quote(
        &app,
        &admin,
        json!({ "storeId": store, "lines": [ { "skuId": ts, "quantity": 1 } ] }),
    )
    .await;
    assert_eq!(q["lines"][0]["itemPrice"], "69.90", "{q}");
    assert_eq!(shares_of(&q, "会员价"), ["0.00"]);
}

#[tokio::test]
async fn units_bought_earlier_in_the_window_count_against_the_limit() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "旗舰店").await;
    let b1 = sku(&app, &admin, &store, "B1").await;
    live(&app, &admin, window(json!({ "storeId": store, "name": "针织衫限购2件", "scope": { "mode": "ONLY", "skuIds": [b1] },
        "itemDiscount": { "mode": "FIXED_PRICE", "amount": "100.00", "perBuyerLimit": 2 } }), -24, 48)).await;
    // The member bought one B1 an hour ago (store time), inside the window.
    let paid = (Utc::now().with_timezone(&chrono_tz::Asia::Shanghai) - Duration::hours(1))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let member = buyer_of(&app, &admin, &store, "R1", "B1,1,129.00,29.00,100.00").await;
    let row = format!("O-R1b,R1,买家R1,,PAID,{paid},{paid},false,B1,1,129.00,29.00,100.00,");
    let r = app
        .import_orders(&admin, &store, &orders_file(&[&row]))
        .await;
    assert!(r["report"].is_object(), "{r}");
    let q = quote(&app, &admin, json!({ "storeId": store, "memberId": member, "lines": [ { "skuId": b1, "quantity": 3 } ] })).await;
    assert_eq!(
        q["lines"][0]["itemAmount"], "358.00",
        "one promotion unit left, two at list: {q}"
    );
    let q = quote(
        &app,
        &admin,
        json!({ "storeId": store, "lines": [ { "skuId": b1, "quantity": 3 } ] }),
    )
    .await;
    assert_eq!(q["lines"][0]["itemAmount"], "329.00", "{q}");
}
