//! Integrity under concurrency and hostile input: every "at most once" and "at most N" rule
//! holds when many identical requests arrive at once (on PostgreSQL as on SQLite), login
//! lockout counts attempts before checking them, refusals never reveal a hidden bound, every
//! text field refuses NUL, control and bidirectional-override characters, and every database
//! constraint a client can trip answers with a userError naming the field.

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code, spawn_app, user_error_codes};
use crate::order::{member, orders_file, shop};
use crate::promotion as promo;

/// How many identical requests each concurrent case fires at once.
const BURST: usize = 24;

/// Fires `n` copies of one request at once; returns the bodies.
async fn burst(app: &TestApp, token: &str, n: usize, query: &str, vars: Value) -> Vec<Value> {
    join_all((0..n).map(|_| app.gql(Some(token), query, vars.clone()))).await
}

/// "OK", the first userError's code, or the top-level error's code.
fn outcome(body: &Value, op: &str) -> String {
    if body["errors"].is_array() {
        return error_code(body).to_owned();
    }
    user_error_codes(&body["data"][op])
        .into_iter()
        .next()
        .unwrap_or_else(|| "OK".to_owned())
}

fn tally(bodies: &[Value], op: &str) -> std::collections::BTreeMap<String, usize> {
    let mut t = std::collections::BTreeMap::new();
    for b in bodies {
        *t.entry(outcome(b, op)).or_insert(0) += 1;
    }
    t
}

async fn audit_rows(app: &TestApp, action: &str) -> i64 {
    app.count(&format!("audit_log WHERE action = '{action}'"))
        .await
}

/// One row of the table: a mutation that may happen at most once (or at most N times), the
/// outcome expected of `BURST` identical copies fired at once, and the audit rows it leaves.
struct Case {
    name: &'static str,
    op: &'static str,
    query: String,
    vars: Value,
    token: String,
    /// Expected tally of outcomes ("OK" or an error code → how many).
    expect: Vec<(&'static str, usize)>,
    audit_action: &'static str,
    /// Audit rows of `audit_action` the burst adds.
    audit_rows: i64,
}

/// The table of every mutation that may happen at most once or within a count. A new such
/// mutation gets a row here.
#[tokio::test]
async fn every_once_only_mutation_holds_under_a_burst_of_identical_requests() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "并发店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let row = "O1,B1,小明,13812345678,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,3,100.00,0,300.00,";
    let r = app
        .import_orders(&admin, &store, &orders_file(&[row]))
        .await;
    assert!(r["report"].is_object(), "{r}");
    let m = member(&app, &admin, &store, "B1").await;
    let member_id = m["id"].as_str().expect("member").to_owned();
    assert_eq!(m["points"], 300, "{m}");

    // Redemptions to cancel (three, each cancelled by its own burst: a race shows more often).
    let mut entries = Vec::new();
    for _ in 0..3 {
        let b = app.gql(Some(&spec.token), "mutation($m: ID!) { memberPointsRedeem(input: {memberId: $m, points: 10, item: \"赠品\"}) { pointsEntry { id } userErrors { code } } }", json!({ "m": member_id })).await;
        entries.push(
            b["data"]["memberPointsRedeem"]["pointsEntry"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{b}"))
                .to_owned(),
        );
    }

    // Coupons: a live template, one coupon USED (to release), one CLAIMED (to redeem).
    let pstore = promo::shop(&app, &admin, "券店").await;
    let m1 = promo::buyer(&app, &admin, &pstore, "M1").await;
    let m2 = promo::buyer(&app, &admin, &pstore, "M2").await;
    let m3 = promo::buyer(&app, &admin, &pstore, "M3").await;
    app.gql(
        Some(&admin.token),
        "mutation($id: ID!, $s: [ID!]!) { staffUpdate(input: {id: $id, storeIds: $s}) { userErrors { code } } }",
        json!({ "id": spec.id, "s": [store, pstore] }),
    )
    .await;
    let template = promo::live(&app, &admin, promo::window(json!({ "storeId": pstore, "name": "并发券", "coupon": { "couponType": "STORE", "faceValue": "10.00", "threshold": "100.00", "totalQuantity": 100, "perBuyerLimit": 1 } }), -1, 48)).await;
    let used = promo::issue(&app, &admin, &template, &[&m1], "k-used").await["coupons"][0]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let claimed =
        promo::issue(&app, &admin, &template, &[&m2], "k-claimed").await["coupons"][0]["code"]
            .as_str()
            .expect("code")
            .to_owned();
    let r = app.gql(Some(&admin.token), "mutation($c: String!) { couponRedeem(input: {code: $c, orderRef: \"T1\"}) { userErrors { code } } }", json!({ "c": used })).await;
    assert_eq!(user_error_codes(&r["data"]["couponRedeem"]).len(), 0, "{r}");

    // An allow-list entry to remove.
    let b = app.gql(Some(&admin.token), "mutation($s: ID!) { complianceAllowlistAdd(input: {storeId: $s, phrase: \"国家级非遗\", reason: \"有证书\"}) { entry { id } userErrors { code } } }", json!({ "s": store })).await;
    let allow = b["data"]["complianceAllowlistAdd"]["entry"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{b}"))
        .to_owned();

    // A price-change request to approve, and one to cancel.
    let sku = promo::sku(&app, &admin, &store, "CUP-RED").await;
    let mut requests = Vec::new();
    for p in ["50.00", "55.00"] {
        let b = app.gql(Some(&spec.token), "mutation($i: SkuPriceChangeInput!) { skuPriceChange(input: $i) { approvalRequest { id } userErrors { code message } } }", json!({ "i": { "skuId": sku, "price": p, "reason": "清仓", "requestApproval": true } })).await;
        requests.push(
            b["data"]["skuPriceChange"]["approvalRequest"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{b}"))
                .to_owned(),
        );
    }
    // A submitted promotion to approve.
    let p = promo::create(
        &app,
        &spec,
        promo::window(
            json!({ "storeId": pstore, "name": "并发折扣", "scope": { "mode": "ONLY", "skuIds": [promo::sku(&app, &admin, &pstore, "B1").await] }, "itemDiscount": { "mode": "PERCENT", "rateBp": 9500 } }),
            1,
            48,
        ),
    )
    .await;
    let promotion = p["promotion"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{p}"))
        .to_owned();
    let s = promo::act(&app, &spec, "promotionSubmit", &promotion).await;
    assert!(
        user_error_codes(&s["data"]["promotionSubmit"]).is_empty(),
        "{s}"
    );
    // Stock to reserve (CUP-BLU holds 2) and a draft product to submit.
    let blue = promo::sku(&app, &admin, &store, "CUP-BLU").await;
    let cup = promo::product(&app, &admin, &store, "CUP-RED").await;
    // A session whose refresh token is presented many times at once.
    let session = app.login("spec", crate::helpers::NEW_PASSWORD).await;

    let mut cases: Vec<Case> = (0..3)
        .map(|i| Case {
            name: "a redemption is cancelled once: the points come back once",
            op: "memberPointsRedeemCancel",
            query: "mutation($e: ID!) { memberPointsRedeemCancel(input: {entryId: $e}) { pointsEntry { id } userErrors { code } } }".into(),
            vars: json!({ "e": entries[i] }),
            token: spec.token.clone(),
            expect: vec![("OK", 1), ("INVALID_STATE_TRANSITION", BURST - 1)],
            audit_action: "member.pointsRedeemCancel",
            audit_rows: 1,
        })
        .collect();
    cases.extend([
        Case {
            name: "points are redeemed at most down to zero",
            op: "memberPointsRedeem",
            query: "mutation($m: ID!) { memberPointsRedeem(input: {memberId: $m, points: 100, item: \"保温杯\"}) { pointsEntry { id } userErrors { code } } }".into(),
            vars: json!({ "m": member_id }),
            token: spec.token.clone(),
            expect: vec![("OK", 3), ("POINTS_INSUFFICIENT", BURST - 3)],
            audit_action: "member.pointsRedeem",
            audit_rows: 3,
        },
        Case {
            name: "a used coupon is released once",
            op: "couponRelease",
            query: "mutation($c: String!) { couponRelease(input: {code: $c}) { coupon { state } userErrors { code } } }".into(),
            vars: json!({ "c": used }),
            token: spec.token.clone(),
            expect: vec![("OK", 1), ("INVALID_STATE_TRANSITION", BURST - 1)],
            audit_action: "coupon.release",
            audit_rows: 1,
        },
        Case {
            name: "a claimed coupon is redeemed once",
            op: "couponRedeem",
            query: "mutation($c: String!) { couponRedeem(input: {code: $c, orderRef: \"T2\"}) { coupon { state } userErrors { code } } }".into(),
            vars: json!({ "c": claimed }),
            token: spec.token.clone(),
            expect: vec![("OK", 1), ("INVALID_STATE_TRANSITION", BURST - 1)],
            audit_action: "coupon.redeem",
            audit_rows: 1,
        },
        Case {
            name: "a retried issue with one client key answers like the first call",
            op: "couponIssue",
            query: "mutation($t: ID!, $m: [ID!]) { couponIssue(input: {templateId: $t, memberIds: $m, clientKey: \"retry-1\"}) { coupons { id } userErrors { code } } }".into(),
            vars: json!({ "t": template, "m": [m3] }),
            token: spec.token.clone(),
            expect: vec![("OK", BURST)],
            audit_action: "coupon.issue",
            audit_rows: 1,
        },
        Case {
            name: "an allow-list entry is removed once",
            op: "complianceAllowlistRemove",
            query: "mutation($id: ID!) { complianceAllowlistRemove(input: {id: $id}) { entry { id } userErrors { code } } }".into(),
            vars: json!({ "id": allow }),
            token: admin.token.clone(),
            expect: vec![("OK", 1), ("NOT_FOUND", BURST - 1)],
            audit_action: "compliance.disallow",
            audit_rows: 1,
        },
        Case {
            name: "an approval request is approved once",
            op: "approvalRequestApprove",
            query: "mutation($id: ID!) { approvalRequestApprove(input: {id: $id}) { approvalRequest { status } userErrors { code } } }".into(),
            vars: json!({ "id": requests[0] }),
            token: admin.token.clone(),
            expect: vec![("OK", 1), ("INVALID_STATE_TRANSITION", BURST - 1)],
            audit_action: "approval.approve",
            audit_rows: 1,
        },
        Case {
            name: "an approval request is cancelled once",
            op: "approvalRequestCancel",
            query: "mutation($id: ID!) { approvalRequestCancel(input: {id: $id}) { approvalRequest { status } userErrors { code } } }".into(),
            vars: json!({ "id": requests[1] }),
            token: spec.token.clone(),
            expect: vec![("OK", 1), ("INVALID_STATE_TRANSITION", BURST - 1)],
            audit_action: "approval.cancel",
            audit_rows: 1,
        },
        Case {
            name: "a submitted promotion is approved once",
            op: "promotionApprove",
            query: "mutation($id: ID!) { promotionApprove(input: {id: $id}) { promotion { status } userErrors { code } } }".into(),
            vars: json!({ "id": promotion }),
            token: admin.token.clone(),
            expect: vec![("OK", 1), ("INVALID_STATE_TRANSITION", BURST - 1)],
            audit_action: "promotion.approve",
            audit_rows: 1,
        },
        Case {
            name: "stock is reserved at most up to what is available (2)",
            op: "stockReserve",
            query: "mutation($k: ID!) { stockReserve(input: {skuId: $k, quantity: 1, reference: \"T9\"}) { userErrors { code } } }".into(),
            vars: json!({ "k": blue }),
            token: spec.token.clone(),
            expect: vec![("OK", 2), ("STOCK_INSUFFICIENT", BURST - 2)],
            audit_action: "stock.movement",
            audit_rows: 2,
        },
        Case {
            name: "a draft product is submitted once",
            op: "productSubmit",
            query: "mutation($p: ID!) { productSubmit(input: {id: $p}) { userErrors { code } } }".into(),
            vars: json!({ "p": cup }),
            token: spec.token.clone(),
            expect: vec![("OK", 1), ("INVALID_STATE_TRANSITION", BURST - 1)],
            audit_action: "product.submit",
            audit_rows: 1,
        },
        Case {
            name: "a refresh token is exchanged once",
            op: "tokenRefresh",
            query: "mutation($t: String!) { tokenRefresh(input: {refreshToken: $t}) { accessToken userErrors { code } } }".into(),
            vars: json!({ "t": session.refresh }),
            token: String::new(),
            expect: vec![("OK", 1), ("UNAUTHENTICATED", BURST - 1)],
            audit_action: "",
            audit_rows: 0,
        },
        Case {
            name: "phones are revealed at most the daily limit (20) times",
            op: "memberPiiReveal",
            query: "mutation($m: ID!) { memberPiiReveal(input: {memberId: $m, reason: \"回访\"}) { phone userErrors { code } } }".into(),
            vars: json!({ "m": member_id }),
            token: spec.token.clone(),
            expect: vec![("OK", 20), ("RATE_LIMITED", BURST - 20)],
            audit_action: "member.piiReveal",
            audit_rows: 20,
        },
    ]);
    for case in cases {
        let audited = audit_rows(&app, case.audit_action).await;
        let bodies = if case.token.is_empty() {
            join_all((0..BURST).map(|_| app.gql(None, &case.query, case.vars.clone()))).await
        } else {
            burst(&app, &case.token, BURST, &case.query, case.vars.clone()).await
        };
        let got = tally(&bodies, case.op);
        let want: std::collections::BTreeMap<String, usize> = case
            .expect
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect();
        assert_eq!(got, want, "{}: {:?}", case.name, bodies.first());
        if !case.audit_action.is_empty() {
            assert_eq!(
                audit_rows(&app, case.audit_action).await - audited,
                case.audit_rows,
                "{}: audit rows",
                case.name
            );
        }
    }

    // The ledgers behind the table are exact.
    assert_eq!(
        app.count("points_entry WHERE kind = 'REDEEM_CANCEL'").await,
        3
    );
    let m = member(&app, &admin, &store, "B1").await;
    assert_eq!(m["points"], 0, "300 − 3 × 10 + 3 × 10 − 3 × 100: {m}");
    assert_eq!(app.count("coupon WHERE client_key = 'retry-1'").await, 1);
    assert_eq!(app.count("price_change").await, 1);
    // Every coupon issue answered with the same coupon.
    let again = promo::issue(&app, &spec, &template, &[&m3], "retry-1").await;
    assert_eq!(user_error_codes(&again), Vec::<String>::new(), "{again}");
}

#[tokio::test]
async fn concurrent_tag_edits_of_one_member_keep_every_tag() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "标签店").await;
    let row =
        "O1,B1,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,100.00,0,100.00,";
    app.import_orders(&admin, &store, &orders_file(&[row]))
        .await;
    let id = member(&app, &admin, &store, "B1").await["id"].clone();
    let q = "mutation($m: [ID!]!, $t: String!) { memberTagsSet(input: {memberIds: $m, add: [$t], remove: []}) { members { tags } userErrors { code } } }";
    let bodies = join_all((0..20).map(|i| {
        app.gql(
            Some(&admin.token),
            q,
            json!({ "m": [id], "t": format!("标签{i:02}") }),
        )
    }))
    .await;
    assert_eq!(
        tally(&bodies, "memberTagsSet"),
        [("OK".to_owned(), 20)].into_iter().collect(),
        "{:?}",
        bodies.iter().find(|b| outcome(b, "memberTagsSet") != "OK")
    );
    let tags = member(&app, &admin, &store, "B1").await["tags"].clone();
    let want: Vec<String> = (0..20).map(|i| format!("标签{i:02}")).collect();
    assert_eq!(tags, json!(want), "every acknowledged tag is stored");
    assert_eq!(audit_rows(&app, "member.tagsSet").await, 20);
}

#[tokio::test]
async fn a_parallel_burst_of_guesses_gets_at_most_five_checks_and_locks_the_account() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.create_staff(&admin, "target", "SPECIALIST", &[]).await;
    // 24 wrong passwords at once.
    let guesses: Vec<String> = (0..24).map(|i| format!("guess-number-{i}")).collect();
    let bodies = join_all(guesses.iter().map(|g| app.login_raw("target", g))).await;
    let t = tally(&bodies, "login");
    assert_eq!(
        t.get("INVALID").copied().unwrap_or(0) + 1,
        5,
        "four answers say wrong, the fifth is the lock: {t:?}"
    );
    assert_eq!(t.get("RATE_LIMITED").copied(), Some(20), "{t:?}");
    assert_eq!(t.len(), 2, "{t:?}");
    // The director's own login is not affected; the target stays locked.
    let b = app.login_raw("target", "guess-number-0").await;
    assert_eq!(error_code(&b), "RATE_LIMITED");
}

#[tokio::test]
async fn the_right_password_inside_a_burst_does_not_clear_the_count() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, otp) = app.create_staff(&admin, "target", "SPECIALIST", &[]).await;
    let mut passwords: Vec<String> = (0..20).map(|i| format!("guess-number-{i}")).collect();
    passwords.push(otp.clone());
    let bodies = join_all(passwords.iter().map(|p| app.login_raw("target", p))).await;
    let checked = bodies
        .iter()
        .filter(|b| {
            b["data"]["login"]["accessToken"].is_string()
                || user_error_codes(&b["data"]["login"]) == ["INVALID"]
        })
        .count();
    assert!(
        checked <= 5,
        "at most five passwords were checked: {checked}"
    );
    // However the burst went, the account is locked now, even for the right password.
    let b = app.login_raw("target", &otp).await;
    assert_eq!(error_code(&b), "RATE_LIMITED", "{b}");
}

#[tokio::test]
async fn a_success_inside_a_locked_window_is_refused_and_clears_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, otp) = app.create_staff(&admin, "target", "SPECIALIST", &[]).await;
    for _ in 0..5 {
        app.login_raw("target", "wrong-password-1").await;
    }
    for _ in 0..3 {
        let b = app.login_raw("target", &otp).await;
        assert_eq!(error_code(&b), "RATE_LIMITED", "{b}");
    }
    let row = app
        .count("login_throttle WHERE username = 'target' AND locked_until IS NOT NULL")
        .await;
    assert_eq!(row, 1, "the lock is still recorded");
    // Below the limit, a success forgets the earlier failures.
    let (_, otp2) = app.create_staff(&admin, "other", "SPECIALIST", &[]).await;
    for _ in 0..3 {
        app.login_raw("other", "wrong-password-1").await;
    }
    let ok = app.login_raw("other", &otp2).await;
    assert!(ok["data"]["login"]["accessToken"].is_string(), "{ok}");
    assert_eq!(
        app.count("login_throttle WHERE username = 'other'").await,
        0
    );
}

#[tokio::test]
async fn price_refusals_name_no_hidden_bound_and_are_recorded() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // CUP-RED lists at ¥100 with a cost of ¥40; specialists of this store do not see cost.
    let store = shop(&app, &admin, "成本店").await;
    let b = app.gql(Some(&admin.token), "mutation($id: ID!) { storeUpdate(input: {id: $id, settings: {specialistCostView: false, priceCutLimitBp: 9000, minMarginBp: 2000}}) { userErrors { code message } } }", json!({ "id": store })).await;
    assert_eq!(user_error_codes(&b["data"]["storeUpdate"]).len(), 0, "{b}");
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let sku = promo::sku(&app, &admin, &store, "CUP-RED").await;
    let change = "mutation($i: SkuPriceChangeInput!) { skuPriceChange(input: $i) { sku { price } userErrors { field code message } } }";
    // ¥39 is below cost, ¥45 below the minimum-margin price (¥50): neither may be named.
    for (user, price) in [
        (&spec, "39.00"),
        (&spec, "45.00"),
        (&asst, "39.00"),
        (&asst, "45.00"),
    ] {
        let b = app.gql(Some(&user.token), change, json!({ "i": { "skuId": sku, "price": price, "reason": "试探", "requestApproval": false } })).await;
        let e = &b["data"]["skuPriceChange"]["userErrors"][0];
        assert_eq!(e["code"], "APPROVAL_REQUIRED", "{b}");
        let msg = e["message"].as_str().unwrap_or_default().to_lowercase();
        assert!(
            !msg.contains("cost")
                && !msg.contains("margin")
                && !msg.contains("40")
                && !msg.contains("50.00"),
            "{} at {price}: {msg}",
            user.username
        );
    }
    // An assistant is told the same whether or not a hidden bound is broken.
    let answer = |price: &'static str| {
        let asst = asst.clone();
        let sku = sku.clone();
        let app = &app;
        async move {
            let b = app.gql(Some(&asst.token), change, json!({ "i": { "skuId": sku, "price": price, "reason": "试探", "requestApproval": false } })).await;
            b["data"]["skuPriceChange"]["userErrors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .replace(price, "X")
        }
    };
    // ¥39 is below cost, ¥55 above the minimum-margin price; both below 60% of the 30-day
    // high, which everyone may be told.
    assert_eq!(answer("39.00").await, answer("55.00").await);
    // Each refused attempt is in the audit log, for directors to see probing.
    assert_eq!(audit_rows(&app, "sku.price_change_refused").await, 6);
    let b = app
        .gql(
            Some(&admin.token),
            "{ auditLog(filter: {action: \"sku.price_change_refused\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(b["data"]["auditLog"]["totalCount"], 6, "{b}");
    // The same through an import: the row error names no hidden bound, and it is recorded.
    let r = app
        .import_products(
            &spec,
            &store,
            "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\nCUP,保温杯,家居/杯子,DRAFT,CUP-RED,颜色:红,39.00,,10\n",
        )
        .await;
    let msg = r["rowErrors"][0]["message"].as_str().unwrap_or_default();
    assert_eq!(r["rowErrors"][0]["column"], "price", "{r}");
    assert!(!msg.contains("cost") && !msg.contains("margin"), "{msg}");
    assert_eq!(audit_rows(&app, "sku.price_change_refused").await, 7);
    // A viewer who sees cost is told which bound.
    let b = app.gql(Some(&admin.token), "mutation($id: ID!) { storeUpdate(input: {id: $id, settings: {specialistCostView: true}}) { userErrors { code } } }", json!({ "id": store })).await;
    assert_eq!(user_error_codes(&b["data"]["storeUpdate"]).len(), 0, "{b}");
    let b = app.gql(Some(&spec.token), change, json!({ "i": { "skuId": sku, "price": "39.00", "reason": "试探", "requestApproval": false } })).await;
    let msg = b["data"]["skuPriceChange"]["userErrors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(msg.contains("below cost"), "{msg}");
    // The price never moved.
    let b = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { node(id: $id) { ... on Sku { price } } }",
            json!({ "id": sku }),
        )
        .await;
    assert_eq!(b["data"]["node"]["price"], "100.00");
}

/// Every mutation and import path that takes client text, tried with NUL, control and
/// bidirectional-override characters: BAD_USER_INPUT naming the field, nothing stored.
#[tokio::test]
async fn nul_and_control_characters_are_refused_naming_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "文本店").await;
    let product = promo::product(&app, &admin, &store, "CUP-RED").await;
    let before = app.count("audit_log").await;
    let cases = [
        (
            "mutation { login(input: {username: \"a\\u0000b\", password: \"whatever-password\"}) { accessToken } }",
            json!({}),
            json!(["login", "input", "username"]),
        ),
        (
            "mutation($u: String!) { login(input: {username: $u, password: \"whatever-password\"}) { accessToken } }",
            json!({ "u": "a\u{0}b" }),
            json!(["$u"]),
        ),
        (
            "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { userErrors { code } } }",
            json!({ "i": { "id": product, "content": { "description": "好杯\u{0}子" } } }),
            json!(["$i", "content", "description"]),
        ),
        (
            "mutation($s: ID!) { storeCreate(input: {name: \"店\\u202e名\", platform: TMALL}) { userErrors { code } } }",
            json!({ "s": store }),
            json!(["storeCreate", "input", "name"]),
        ),
        (
            "mutation($t: ID!) { couponIssue(input: {templateId: $t, memberIds: [], clientKey: \"k\\u0007\"}) { userErrors { code } } }",
            json!({ "t": product }),
            json!(["couponIssue", "input", "clientKey"]),
        ),
    ];
    // Twice: the second time the server has the parsed query text already, and still checks.
    for (query, vars, field) in cases.iter().chain(cases.iter()) {
        let b = app.gql(Some(&admin.token), query, vars.clone()).await;
        assert_eq!(error_code(&b), "BAD_USER_INPUT", "{query}: {b}");
        assert_eq!(b["errors"][0]["extensions"]["field"], *field, "{b}");
        assert!(b["data"].is_null(), "nothing ran: {b}");
    }
    // Line breaks and tabs in long text are fine.
    let b = app.gql(Some(&admin.token), "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { product { description } userErrors { code } } }", json!({ "i": { "id": product, "content": { "description": "第一行\n\t第二行" } } })).await;
    assert_eq!(
        b["data"]["productUpdate"]["product"]["description"], "第一行\n\t第二行",
        "{b}"
    );
    // An import row with a NUL in its title is a row error naming the column.
    let r = app
        .import_products(
            &admin,
            &store,
            "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\nNEW,坏\u{0}标题,家居/杯子,DRAFT,NEW-1,颜色:红,10.00,1.00,1\n",
        )
        .await;
    assert_eq!(r["rowErrors"][0]["column"], "title", "{r}");
    assert!(r["report"].is_null(), "{r}");
    let r = app
        .import_orders(&admin, &store, &orders_file(&["O9,B\u{0}9,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,100.00,0,100.00,"]))
        .await;
    assert_eq!(r["rowErrors"][0]["column"], "buyer_ref", "{r}");
    assert_eq!(
        app.count("audit_log").await,
        before + 1,
        "only the description change"
    );
    assert_eq!(app.count("product WHERE title LIKE '%标题%'").await, 0);
}

/// The ids a generated-text request refers to.
struct Subjects {
    store: Value,
    product: Value,
    sku: Value,
    member: Value,
}

/// Variables of one generated-text request, from the subjects and the text.
type Vars = fn(&Subjects, &str) -> Value;

/// Generated strings of every kind, sent to every kind of text field (names, long text, tags,
/// reasons, keys, filters, login, CSV cells): whatever the string, the answer is never INTERNAL
/// (on either database).
#[tokio::test]
async fn no_generated_text_input_produces_an_internal_error() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "属性店").await;
    let row =
        "O1,B1,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,100.00,0,100.00,";
    app.import_orders(&admin, &store, &orders_file(&[row]))
        .await;
    let subjects = Subjects {
        product: json!(promo::product(&app, &admin, &store, "CUP-RED").await),
        sku: json!(promo::sku(&app, &admin, &store, "CUP-RED").await),
        member: member(&app, &admin, &store, "B1").await["id"].clone(),
        store: json!(store),
    };
    let fields: Vec<(&str, Vars)> = vec![
        (
            "mutation($v: String!) { login(input: {username: $v, password: $v}) { accessToken } }",
            |_, v| json!({ "v": v }),
        ),
        (
            "mutation($v: String!) { storeCreate(input: {name: $v, platform: TMALL}) { userErrors { code } } }",
            |_, v| json!({ "v": v }),
        ),
        (
            "mutation($s: ID!, $v: String!) { categoryCreate(input: {storeId: $s, name: $v}) { userErrors { code } } }",
            |x, v| json!({ "s": x.store, "v": v }),
        ),
        (
            "mutation($p: ID!, $v: String!) { productUpdate(input: {id: $p, content: {description: $v, title: $v}}) { userErrors { code } } }",
            |x, v| json!({ "p": x.product, "v": v }),
        ),
        (
            "mutation($m: ID!, $v: String!) { memberUpdate(input: {id: $m, note: $v, tags: [$v]}) { userErrors { code } } }",
            |x, v| json!({ "m": x.member, "v": v }),
        ),
        (
            "mutation($m: ID!, $v: String!) { memberTagsSet(input: {memberIds: [$m], add: [$v], remove: []}) { userErrors { code } } }",
            |x, v| json!({ "m": x.member, "v": v }),
        ),
        (
            "mutation($m: ID!, $v: String!) { memberPointsRedeem(input: {memberId: $m, points: 1, item: $v}) { userErrors { code } } }",
            |x, v| json!({ "m": x.member, "v": v }),
        ),
        (
            "mutation($k: ID!, $v: String!) { skuPriceChange(input: {skuId: $k, price: \"99.00\", reason: $v}) { userErrors { code } } }",
            |x, v| json!({ "k": x.sku, "v": v }),
        ),
        (
            "mutation($s: ID!, $v: String!) { complianceAllowlistAdd(input: {storeId: $s, phrase: $v, reason: $v}) { userErrors { code } } }",
            |x, v| json!({ "s": x.store, "v": v }),
        ),
        (
            "mutation($i: PromotionCreateInput!) { promotionCreate(input: $i) { userErrors { code } } }",
            |x, v| json!({ "i": { "storeId": x.store, "name": v, "copy": v, "startAt": "2027-01-01T00:00:00Z", "endAt": "2027-01-02T00:00:00Z", "coupon": { "couponType": "STORE", "faceValue": "10.00", "threshold": "100.00", "totalQuantity": 10, "perBuyerLimit": 1 } } }),
        ),
        (
            "query($v: String!) { products(filter: {titleContains: $v}) { totalCount } }",
            |_, v| json!({ "v": v }),
        ),
        (
            "query($v: String!) { staffMembers(filter: {search: $v}) { totalCount } }",
            |_, v| json!({ "v": v }),
        ),
    ];
    let no_internal = |b: &Value, what: &str| {
        for e in b["errors"].as_array().into_iter().flatten() {
            assert_ne!(e["extensions"]["code"], "INTERNAL", "{what}: {b}");
        }
    };
    let mut runner = TestRunner::deterministic();
    // Half of the strings from the characters that break things (controls, NUL, zero-width and
    // bidi characters, quotes, LIKE wildcards, CSV separators), half from all of Unicode.
    let strategy = proptest::string::string_regex(
        r#"[\x00-\x1F\x7F\x{85}\x{200B}-\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}\x{FEFF}a-z0-9中店 '"\\%_,;.-]{0,24}|(?s).{0,24}"#,
    )
    .expect("regex");
    for i in 0..(fields.len() * 6) {
        let value = strategy.new_tree(&mut runner).expect("value").current();
        let (query, vars) = &fields[i % fields.len()];
        let b = app
            .gql(Some(&admin.token), query, vars(&subjects, &value))
            .await;
        no_internal(&b, &format!("{query} with {value:?}"));
    }
    // CSV cells: generated titles and buyer names (commas and quotes escaped as CSV does).
    for _ in 0..8 {
        let value = strategy.new_tree(&mut runner).expect("value").current();
        let cell = format!("\"{}\"", value.replace('"', "\"\""));
        let products = format!(
            "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\nG1,{cell},家居/杯子,DRAFT,G1-1,颜色:红,10.00,1.00,1\n"
        );
        let b = app.import_products(&admin, &store, &products).await;
        no_internal(&b, &format!("product import with {value:?}"));
        let orders = orders_file(&[&format!(
            "O-G,BG,{cell},,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,100.00,0,100.00,"
        )]);
        let b = app.import_orders(&admin, &store, &orders).await;
        no_internal(&b, &format!("order import with {value:?}"));
    }
}

#[tokio::test]
async fn names_made_of_invisible_characters_are_blank() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "空白店").await;
    let row =
        "O1,B1,小明,,PAID,2026-11-01 10:00:00,2026-11-01 10:05:00,false,CUP-RED,1,100.00,0,100.00,";
    app.import_orders(&admin, &store, &orders_file(&[row]))
        .await;
    let m = member(&app, &admin, &store, "B1").await["id"].clone();
    let zw = "\u{200b}\u{200b}";
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "storeCreate",
            "mutation($v: String!) { storeCreate(input: {name: $v, platform: TMALL}) { userErrors { code } } }",
            json!({ "v": zw }),
        ),
        (
            "categoryCreate",
            "mutation($s: ID!, $v: String!) { categoryCreate(input: {storeId: $s, name: $v}) { userErrors { code } } }",
            json!({ "s": store, "v": zw }),
        ),
        (
            "promotionCreate",
            "mutation($i: PromotionCreateInput!) { promotionCreate(input: $i) { userErrors { code } } }",
            json!({ "i": promo::window(json!({ "storeId": store, "name": zw, "coupon": { "couponType": "STORE", "faceValue": "10.00", "threshold": "100.00", "totalQuantity": 10, "perBuyerLimit": 1 } }), 1, 48) }),
        ),
        (
            "memberTagsSet",
            "mutation($m: ID!, $v: String!) { memberTagsSet(input: {memberIds: [$m], add: [$v], remove: []}) { userErrors { code } } }",
            json!({ "m": m, "v": "\u{feff}\u{2060} " }),
        ),
        (
            "complianceAllowlistAdd",
            "mutation($s: ID!, $v: String!) { complianceAllowlistAdd(input: {storeId: $s, phrase: $v, reason: \"理由\"}) { userErrors { code } } }",
            json!({ "s": store, "v": zw }),
        ),
    ];
    let before = app.count("audit_log").await;
    for (op, query, vars) in cases {
        let b = app.gql(Some(&admin.token), query, vars).await;
        assert_eq!(user_error_codes(&b["data"][op]), ["BLANK"], "{op}: {b}");
    }
    assert_eq!(app.count("audit_log").await, before, "nothing was written");
}

#[tokio::test]
async fn an_int_beyond_32_bits_is_refused_even_under_a_null_parent() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let missing = "TWVtYmVyOjk5OTk5OQ"; // Member:999999
    for query in [
        format!(
            "{{ member(id: \"{missing}\") {{ pointsLedger(first: 107884963380) {{ totalCount }} }} }}"
        ),
        "{ products(first: 107884963380) { totalCount } }".to_owned(),
    ] {
        let b = app.gql(Some(&admin.token), &query, json!({})).await;
        assert_eq!(error_code(&b), "BAD_USER_INPUT", "{query}: {b}");
    }
    let b = app
        .gql(
            Some(&admin.token),
            &format!(
                "{{ member(id: \"{missing}\") {{ pointsLedger(first: 10) {{ totalCount }} }} }}"
            ),
            json!({}),
        )
        .await;
    assert!(b["errors"].is_null(), "{b}");
    assert!(b["data"]["member"].is_null(), "{b}");
}

#[tokio::test]
async fn a_token_issued_just_before_a_password_reset_is_void_even_in_the_same_second() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "重置店").await;
    let user = app.user(&admin, "victim", "SPECIALIST", &[&store]).await;
    for _ in 0..6 {
        let fresh = app.login("victim", crate::helpers::NEW_PASSWORD).await;
        let b = app.gql(Some(&admin.token), "mutation($id: ID!) { staffPasswordReset(input: {id: $id}) { oneTimePassword userErrors { code } } }", json!({ "id": user.id })).await;
        let otp = b["data"]["staffPasswordReset"]["oneTimePassword"]
            .as_str()
            .unwrap_or_else(|| panic!("{b}"))
            .to_owned();
        let b = app
            .gql(Some(&fresh.token), "{ viewer { id } }", json!({}))
            .await;
        assert_eq!(error_code(&b), "UNAUTHENTICATED", "{b}");
        // Back to the known password for the next round.
        app.login("victim", &otp).await;
    }
}

#[tokio::test]
async fn a_staff_filter_on_an_unseen_store_answers_as_for_no_store() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mine = app.create_store(&admin, "我的店").await;
    let other = app.create_store(&admin, "别人的店").await;
    app.create_staff(&admin, "there", "SPECIALIST", &[&other])
        .await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&mine]).await;
    let q = "query($s: ID!) { staffMembers(filter: {storeId: $s}) { totalCount nodes { id } } }";
    let unseen = app.gql(Some(&asst.token), q, json!({ "s": other })).await;
    let nowhere = app
        .gql(Some(&asst.token), q, json!({ "s": "U3RvcmU6OTk5OQ" }))
        .await;
    assert_eq!(unseen["data"], nowhere["data"], "{unseen} vs {nowhere}");
    assert_eq!(unseen["data"]["staffMembers"]["totalCount"], 0, "{unseen}");
    let seen = app.gql(Some(&admin.token), q, json!({ "s": other })).await;
    assert_eq!(seen["data"]["staffMembers"]["totalCount"], 1, "{seen}");
}

/// Every constraint a client can trip, with the input that trips it: a userError naming the
/// field, never INTERNAL.
#[tokio::test]
async fn every_client_trippable_constraint_answers_with_a_field_error() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "约束店").await;
    app.gql(Some(&admin.token), "mutation($s: ID!) { complianceAllowlistAdd(input: {storeId: $s, phrase: \"最佳拍档\", reason: \"歌名\"}) { userErrors { code } } }", json!({ "s": store })).await;
    app.gql(Some(&admin.token), "mutation($s: ID!) { categoryCreate(input: {storeId: $s, name: \"文具\"}) { userErrors { code } } }", json!({ "s": store })).await;
    // (constraint, mutation, query, variables, field, code)
    let table: Vec<(&str, &str, &str, Value, Value, &str)> = vec![
        (
            "ux_store_name",
            "storeCreate",
            "mutation { storeCreate(input: {name: \"约束店\", platform: TMALL}) { userErrors { field code } } }",
            json!({}),
            json!(["input", "name"]),
            "TAKEN",
        ),
        (
            "ux_staff_username",
            "staffCreate",
            "mutation { staffCreate(input: {username: \"admin\", displayName: \"重名\", role: ASSISTANT, storeIds: []}) { userErrors { field code } } }",
            json!({}),
            json!(["input", "username"]),
            "TAKEN",
        ),
        (
            "ux_category_path",
            "categoryCreate",
            "mutation($s: ID!) { categoryCreate(input: {storeId: $s, name: \"文具\"}) { userErrors { field code } } }",
            json!({ "s": store }),
            json!(["input", "name"]),
            "TAKEN",
        ),
        (
            "ux_allowlist_phrase",
            "complianceAllowlistAdd",
            "mutation($s: ID!) { complianceAllowlistAdd(input: {storeId: $s, phrase: \"最佳拍档\", reason: \"歌名\"}) { userErrors { field code } } }",
            json!({ "s": store }),
            json!(["input", "phrase"]),
            "TAKEN",
        ),
    ];
    for (constraint, op, query, vars, field, code) in table {
        let b = app.gql(Some(&admin.token), query, vars).await;
        assert!(b["errors"].is_null(), "{constraint}: {b}");
        assert_eq!(
            b["data"][op]["userErrors"][0],
            json!({ "field": field, "code": code }),
            "{constraint}: {b}"
        );
    }
    // ux_sku_attributes through a second import file: a row error, nothing written.
    let skus = app.count("sku").await;
    let r = app
        .import_products(
            &admin,
            &store,
            "product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock\nCUP,保温杯,家居/杯子,DRAFT,CUP-RED2,颜色:红,100.00,40.00,10\n",
        )
        .await;
    assert_eq!(r["rowErrors"][0]["column"], "sales_attrs", "{r}");
    assert!(
        r["rowErrors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("CUP-RED")),
        "{r}"
    );
    assert_eq!(app.count("sku").await, skus);
}

/// `/readyz` answers within a second when the database stops answering (PostgreSQL: the
/// connection goes through a proxy that is then cut; SQLite has no server to lose).
#[tokio::test]
async fn readyz_answers_quickly_when_the_database_stops_answering() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        return;
    };
    if admin_url.is_empty() {
        return;
    }
    let db = crate::helpers::TestDb::new().await;
    let (head, tail) = db.url.split_once("@").expect("url with host");
    let (hostport, dbname) = tail.split_once('/').expect("url with database");
    let upstream = hostport.to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let proxy_port = listener.local_addr().expect("addr").port();
    let cut = Arc::new(AtomicBool::new(false));
    let cut_in = cut.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let cut = cut_in.clone();
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let mut a = [0u8; 8192];
                let mut b = [0u8; 8192];
                loop {
                    tokio::select! {
                        n = cr.read(&mut a) => match n { Ok(0) | Err(_) => break, Ok(n) => if !cut.load(Ordering::SeqCst) && sw.write_all(&a[..n]).await.is_err() { break } },
                        n = sr.read(&mut b) => match n { Ok(0) | Err(_) => break, Ok(n) => if !cut.load(Ordering::SeqCst) && cw.write_all(&b[..n]).await.is_err() { break } },
                    }
                }
            });
        }
    });
    let url = format!("{head}@127.0.0.1:{proxy_port}/{dbname}");
    let app = zhanggui::startup::Application::build(crate::helpers::settings(&url))
        .await
        .expect("builds through the proxy");
    let addr = format!("http://127.0.0.1:{}/readyz", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let ok = client.get(&addr).send().await.expect("readyz");
    assert_eq!(ok.status().as_u16(), 200);
    cut.store(true, Ordering::SeqCst);
    let started = std::time::Instant::now();
    let down = client.get(&addr).send().await.expect("readyz");
    assert_eq!(down.status().as_u16(), 503);
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1500),
        "answered after {:?}",
        started.elapsed()
    );
}

/// Every row of the server's constraint table, tripped directly in the database (each by the
/// change a client's input would make), is recognised from that database's own error message:
/// the mapping to userErrors holds on SQLite and PostgreSQL alike.
#[tokio::test]
async fn the_constraint_table_recognises_every_violation_on_this_database() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let admin = app.admin().await;
    // Two stores (the second, from the promotion helpers, holds the coupons), two staff
    // assignments, two allow-list phrases, two tags, two coupons of one member.
    let store = shop(&app, &admin, "表店").await;
    let pstore = promo::shop(&app, &admin, "表券店").await;
    app.user(&admin, "two", "SPECIALIST", &[&store, &pstore])
        .await;
    for phrase in ["国家级非遗", "最佳拍档"] {
        app.gql(Some(&admin.token), "mutation($s: ID!, $p: String!) { complianceAllowlistAdd(input: {storeId: $s, phrase: $p, reason: \"有据\"}) { userErrors { code } } }", json!({ "s": store, "p": phrase })).await;
    }
    let m = promo::buyer(&app, &admin, &pstore, "M1").await;
    app.gql(Some(&admin.token), "mutation($m: ID!) { memberTagsSet(input: {memberIds: [$m], add: [\"甲\", \"乙\"], remove: []}) { userErrors { code } } }", json!({ "m": m })).await;
    let template = promo::live(&app, &admin, promo::window(json!({ "storeId": pstore, "name": "两张券", "coupon": { "couponType": "STORE", "faceValue": "10.00", "threshold": "100.00", "totalQuantity": 10, "perBuyerLimit": 2 } }), -1, 48)).await;
    for key in ["k1", "k2"] {
        let r = promo::issue(&app, &admin, &template, &[&m], key).await;
        assert_eq!(user_error_codes(&r).len(), 0, "{r}");
    }
    let first = |t: &str, w: &str| format!("(SELECT MIN(id) FROM {t} WHERE {w})");
    let last = |t: &str, w: &str| format!("(SELECT MAX(id) FROM {t} WHERE {w})");
    let copy = |t: &str, col: &str, w: &str| {
        format!(
            "UPDATE {t} SET {col} = (SELECT {col} FROM {t} WHERE id = {}) WHERE id = {}",
            last(t, w),
            first(t, w)
        )
    };
    let in_store = "store_id = (SELECT MIN(store_id) FROM sku)";
    let table: Vec<(&str, String)> = vec![
        ("ux_store_name", copy("store", "name", "1 = 1")),
        ("ux_staff_username", copy("staff", "username", "1 = 1")),
        ("ux_category_path", copy("category", "path", "store_id = (SELECT MIN(store_id) FROM category)")),
        ("ux_sku_code", copy("sku", "code", in_store)),
        ("ux_sku_attributes", copy("sku", "attributes_key", "product_id = (SELECT MIN(product_id) FROM sku)")),
        ("ux_allowlist_phrase", copy("compliance_allowlist", "phrase", "1 = 1")),
        ("ux_coupon_client_key", copy("coupon", "client_key", "1 = 1")),
        ("member_tag_pkey", "UPDATE member_tag SET tag = (SELECT MAX(tag) FROM member_tag) WHERE tag = (SELECT MIN(tag) FROM member_tag)".into()),
        ("staff_store_pkey", "UPDATE staff_store SET store_id = (SELECT MAX(store_id) FROM staff_store) WHERE store_id = (SELECT MIN(store_id) FROM staff_store)".into()),
        ("sku_check", format!("UPDATE sku SET reserved = on_hand + 1 WHERE id = {}", first("sku", "1 = 1"))),
        ("", format!("UPDATE sku SET product_id = 999999 WHERE id = {}", first("sku", "1 = 1"))),
    ];
    let listed: Vec<&str> = zhanggui::error::CONSTRAINTS
        .iter()
        .map(|c| c.name)
        .collect();
    let tried: Vec<&str> = table
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !n.is_empty())
        .collect();
    assert_eq!(tried, listed, "every listed constraint has a row here");
    for (name, sql) in table {
        let err = app
            .db
            .execute_unprepared(&sql)
            .await
            .expect_err(&format!("{name}: {sql} must be refused"));
        let found = zhanggui::error::violated(&err).map(|c| c.name);
        assert_eq!(found, Some(name), "{sql}: {err}");
        let user_error = zhanggui::error::AppError::from(err);
        assert_eq!(user_error.code().as_str(), "BAD_USER_INPUT", "{name}");
    }
}

/// A stored approval payload that cannot be read fails loudly: INTERNAL naming nothing to the
/// client, the request still PENDING, the price unchanged — never a price of ¥0.
#[tokio::test]
async fn an_unreadable_approval_payload_is_an_internal_error_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "载荷店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let sku = promo::sku(&app, &admin, &store, "CUP-RED").await;
    let b = app.gql(Some(&spec.token), "mutation($i: SkuPriceChangeInput!) { skuPriceChange(input: $i) { approvalRequest { id } userErrors { code } } }", json!({ "i": { "skuId": sku, "price": "50.00", "reason": "清仓", "requestApproval": true } })).await;
    let request = b["data"]["skuPriceChange"]["approvalRequest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{b}"))
        .to_owned();
    crate::order::sqlx_exec(
        &app,
        "UPDATE approval_request SET payload_json = '{\"reason\": \"清仓\"}'",
    )
    .await;
    let b = app.gql(Some(&admin.token), "mutation($id: ID!) { approvalRequestApprove(input: {id: $id}) { approvalRequest { status } userErrors { code } } }", json!({ "id": request })).await;
    assert_eq!(error_code(&b), "INTERNAL", "{b}");
    assert_eq!(
        b,
        json!({"data":null,"errors":[{"extensions":{"code":"INTERNAL"},"locations":[{"column":22,"line":1}],"message":"internal error","path":["approvalRequestApprove"]}],"extensions":{"cost":5}}),
        "the whole body of an INTERNAL error: no internals"
    );
    assert_eq!(b["errors"][0]["message"], "internal error");
    let b = app
        .gql(
            Some(&admin.token),
            "query($id: ID!, $k: ID!) { r: node(id: $id) { ... on ApprovalRequest { status } } s: node(id: $k) { ... on Sku { price } } }",
            json!({ "id": request, "k": sku }),
        )
        .await;
    assert_eq!(b["data"]["r"]["status"], "PENDING", "{b}");
    assert_eq!(b["data"]["s"]["price"], "100.00", "{b}");
    assert_eq!(app.count("price_change").await, 0);
}

/// Stored states and specs are typed on the way out: a promotion with an unknown status or an
/// unreadable spec, a product or an order with an unknown status, is an internal error (that
/// names nothing to the client), never read as DRAFT, a free-shipping rule or null.
#[tokio::test]
async fn unknown_stored_states_and_unreadable_specs_fail_loudly() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "读取店").await;
    let sku = promo::sku(&app, &admin, &store, "CUP-RED").await;
    let p = promo::create(
        &app,
        &admin,
        promo::window(
            json!({ "storeId": store, "name": "坏状态", "scope": { "mode": "ONLY", "skuIds": [sku] }, "itemDiscount": { "mode": "PERCENT", "rateBp": 9500 } }),
            1,
            48,
        ),
    )
    .await;
    let promotion = p["promotion"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{p}"))
        .to_owned();
    let read = "query($id: ID!) { node(id: $id) { ... on ItemDiscountPromotion { status } } }";
    let ok = app
        .gql(Some(&admin.token), read, json!({ "id": promotion }))
        .await;
    assert_eq!(ok["data"]["node"]["status"], "DRAFT", "{ok}");

    crate::order::sqlx_exec(&app, "UPDATE promotion SET status = 'DRAFTY'").await;
    let b = app
        .gql(Some(&admin.token), read, json!({ "id": promotion }))
        .await;
    assert_eq!(error_code(&b), "INTERNAL", "{b}");
    assert_eq!(b["errors"][0]["message"], "internal error");
    let list = app
        .gql(
            Some(&admin.token),
            "{ promotions(first: 5) { nodes { status } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&list), "INTERNAL", "{list}");

    crate::order::sqlx_exec(
        &app,
        "UPDATE promotion SET status = 'DRAFT', spec_json = '{\"rule\": 1}'",
    )
    .await;
    let b = app
        .gql(Some(&admin.token), read, json!({ "id": promotion }))
        .await;
    assert_eq!(
        error_code(&b),
        "INTERNAL",
        "an unreadable spec is no free-shipping rule: {b}"
    );

    let product = promo::product(&app, &admin, &store, "CUP-RED").await;
    crate::order::sqlx_exec(&app, "UPDATE product SET status = 'SHELVED'").await;
    let b = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { node(id: $id) { ... on Product { status } } }",
            json!({ "id": product }),
        )
        .await;
    assert_eq!(error_code(&b), "INTERNAL", "{b}");
}

/// Stored JSON and settings that cannot be read (a store's tiers or time zone, a product's images
/// or key attributes, a category's attribute definitions) fail loudly as INTERNAL, never as an
/// empty list or a default zone; the readable rest of the data still answers.
#[tokio::test]
async fn unreadable_stored_settings_and_attributes_are_internal_errors() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = shop(&app, &admin, "设置店").await;
    let product = promo::product(&app, &admin, &store, "CUP-RED").await;
    let store_q = "query($id: ID!) { node(id: $id) { ... on Store { today membership { tiers { code } } } } }";
    let product_q = "query($id: ID!) { node(id: $id) { ... on Product { images keyAttributes { name } category { salesAttributes { name } } skus { attributes { name value } } } } }";
    let ok = app
        .gql(Some(&admin.token), store_q, json!({ "id": store }))
        .await;
    assert!(ok.get("errors").is_none(), "{ok}");
    let ok = app
        .gql(Some(&admin.token), product_q, json!({ "id": product }))
        .await;
    assert!(ok.get("errors").is_none(), "{ok}");

    // (corruption, repair): each case breaks one stored value, the repair puts it back.
    let cases = [
        (
            "UPDATE store SET tiers_json = '{\"tiers\": 1}'",
            "UPDATE store SET tiers_json = '[]'",
            store_q,
            &store,
        ),
        (
            "UPDATE store SET time_zone = 'Mars/Olympus'",
            "UPDATE store SET time_zone = 'Asia/Shanghai'",
            store_q,
            &store,
        ),
        (
            "UPDATE product SET images_json = 'not json'",
            "UPDATE product SET images_json = '[]'",
            product_q,
            &product,
        ),
        (
            "UPDATE product SET key_attributes_json = '[1]'",
            "UPDATE product SET key_attributes_json = '{}'",
            product_q,
            &product,
        ),
        (
            "UPDATE sku SET attributes_json = '[{\"name\": 1}]'",
            "UPDATE sku SET attributes_json = '[]'",
            product_q,
            &product,
        ),
        (
            "UPDATE category SET sales_attributes_json = 'x'",
            "UPDATE category SET sales_attributes_json = '[]'",
            product_q,
            &product,
        ),
    ];
    for (corrupt, repair, q, id) in cases {
        crate::order::sqlx_exec(&app, corrupt).await;
        let b = app.gql(Some(&admin.token), q, json!({ "id": id })).await;
        assert_eq!(error_code(&b), "INTERNAL", "{corrupt}: {b}");
        assert_eq!(b["errors"][0]["message"], "internal error", "{b}");
        crate::order::sqlx_exec(&app, repair).await;
        let b = app.gql(Some(&admin.token), q, json!({ "id": id })).await;
        assert!(b.get("errors").is_none(), "after {repair}: {b}");
    }
}
