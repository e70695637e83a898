//! Every cell of the role → permission matrix, and this issue's operations
//! per role.

use std::collections::BTreeMap;

use serde_json::json;

use crate::helpers::{TestApp, User, error_code, spawn_app};

/// The trade's matrix, transcribed: code, director, specialist, assistant.
/// F = ✓, L = ≤X / narrower, G = store grant, R = request only, M = masked, N = —.
const EXPECTED: &str = "
USER_MANAGE F N N
STORE_SETTINGS F N N
AUDIT_VIEW F L N
PRODUCT_VIEW F F F
PRODUCT_EDIT_DRAFT F F F
PRODUCT_SUBMIT F F F
PRODUCT_REVIEW F F N
PRODUCT_SHELVE F F N
PRODUCT_ARCHIVE F F N
COST_VIEW F G M
COST_EDIT F N N
PRICE_CHANGE F L R
PRICE_CHANGE_DEEP F R N
PRICE_FLOOR_SET F N N
STOCK_RESTOCK F F F
STOCK_ADJUST F F R
PROMO_VIEW F F F
PROMO_EDIT F F L
PROMO_APPROVE F L N
PROMO_CONTROL F F N
PROMO_CANCEL_ISSUED F N N
EVENT_REGISTER F F N
EVENT_APPROVE F N N
CAMPAIGN_VIEW F F F
CAMPAIGN_EDIT F F N
CAMPAIGN_BUDGET_APPROVE F L N
CAMPAIGN_SPEND_RECORD F F F
KOL_MANAGE F F L
MEMBER_VIEW F F F
MEMBER_PII_VIEW F M M
MEMBER_EDIT F F L
POINTS_ADJUST F L N
TIER_CONFIG F N N
ORDER_VIEW F F L
ORDER_IMPORT F F F
REFUND_APPROVE F L L
REFUND_REFUSE F F N
COMPLAINT_HANDLE F F N
REVIEW_REPLY F F F
CS_RECORD_EDIT F F L
CS_METRICS_VIEW F F L
KPI_VIEW F F F
PROFIT_VIEW F G N
DATA_EXPORT F L N
COMPLIANCE_ALLOWLIST F N N
";

fn access_name(letter: &str) -> &'static str {
    match letter {
        "F" => "FULL",
        "L" => "LIMITED",
        "G" => "STORE_GRANT",
        "R" => "REQUEST_ONLY",
        "M" => "MASKED",
        _ => "NONE",
    }
}

async fn grants(app: &TestApp, user: &User) -> BTreeMap<String, String> {
    let body = app
        .gql(
            Some(&user.token),
            "{ viewer { permissionGrants { permission access } permissions } }",
            json!({}),
        )
        .await;
    let grants: BTreeMap<String, String> = body["data"]["viewer"]["permissionGrants"]
        .as_array()
        .expect("grants")
        .iter()
        .map(|g| {
            (
                g["permission"].as_str().unwrap_or_default().to_owned(),
                g["access"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    // `permissions` lists exactly the FULL and LIMITED cells.
    let listed: Vec<&str> = body["data"]["viewer"]["permissions"]
        .as_array()
        .expect("perms")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    let held: Vec<&str> = grants
        .iter()
        .filter(|(_, a)| *a == "FULL" || *a == "LIMITED")
        .map(|(p, _)| p.as_str())
        .collect();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort_unstable();
    assert_eq!(listed_sorted, held);
    grants
}

#[tokio::test]
async fn every_cell_of_the_matrix_is_served_per_role() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "店A").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let served = [
        grants(&app, &admin).await,
        grants(&app, &spec).await,
        grants(&app, &asst).await,
    ];
    let rows: Vec<Vec<&str>> = EXPECTED
        .trim()
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 45);
    assert_eq!(served[0].len(), 45);
    for row in rows {
        for (i, role) in ["director", "specialist", "assistant"].iter().enumerate() {
            assert_eq!(
                served[i].get(row[0]).map(String::as_str),
                Some(access_name(row[i + 1])),
                "{} for {role}",
                row[0]
            );
        }
    }
    let matrix = app
        .gql(
            Some(&asst.token),
            "{ permissionMatrix { permission director specialist assistant } }",
            json!({}),
        )
        .await;
    assert_eq!(
        matrix["data"]["permissionMatrix"].as_array().map(Vec::len),
        Some(45)
    );
}

/// Whether an operation was allowed: no FORBIDDEN error.
fn allowed(body: &serde_json::Value) -> bool {
    let code = error_code(body);
    assert!(code == "<none>" || code == "FORBIDDEN", "unexpected {body}");
    code == "<none>"
}

#[tokio::test]
async fn this_issues_operations_per_role() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "店A").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let (target, _) = app
        .create_staff(&admin, "target", "ASSISTANT", &[&store])
        .await;

    let ops: Vec<(&str, String, [bool; 3])> = vec![
        ("storeCreate", "mutation { storeCreate(input: {name: \"新店\", platform: JD}) { userErrors { code } } }".into(), [true, false, false]),
        (
            "storeUpdate",
            format!("mutation {{ storeUpdate(input: {{id: \"{store}\", settings: {{minMarginBp: 100}}}}) {{ userErrors {{ code }} }} }}"),
            [true, false, false],
        ),
        ("staffCreate", "mutation { staffCreate(input: {username: \"new.one\", role: ASSISTANT}) { userErrors { code } } }".into(), [true, false, false]),
        (
            "staffUpdate",
            format!("mutation {{ staffUpdate(input: {{id: \"{target}\", displayName: \"改\"}}) {{ userErrors {{ code }} }} }}"),
            [true, false, false],
        ),
        (
            "staffPasswordReset",
            format!("mutation {{ staffPasswordReset(input: {{id: \"{target}\"}}) {{ userErrors {{ code }} }} }}"),
            [true, false, false],
        ),
        ("auditLog", "{ auditLog { totalCount } }".into(), [true, true, false]),
        ("stores", "{ stores { totalCount } }".into(), [true, true, true]),
        ("staffMembers", "{ staffMembers { totalCount } }".into(), [true, true, true]),
        ("viewer", "{ viewer { id } }".into(), [true, true, true]),
    ];
    // Run the refused roles first, so a director's success cannot hide a refusal's side effect.
    for (name, doc, expect) in &ops {
        for (i, user) in [&asst, &spec, &admin]
            .into_iter()
            .enumerate()
            .map(|(i, u)| (2 - i, u))
        {
            let before = app.count("audit_log").await;
            let body = app.gql(Some(&user.token), doc, json!({})).await;
            assert_eq!(allowed(&body), expect[i], "{name} as role #{i}: {body}");
            if !expect[i] {
                assert_eq!(
                    app.count("audit_log").await,
                    before,
                    "{name} refused but audited"
                );
            }
        }
    }
}

/// The outcome of one operation for one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// Applied.
    Yes,
    /// Refused with FORBIDDEN.
    No,
    /// Refused with the userError APPROVAL_REQUIRED (may only request).
    Req,
}

fn cell(body: &serde_json::Value, op: &str) -> Cell {
    match error_code(body) {
        "FORBIDDEN" => Cell::No,
        "<none>" => {
            let codes = crate::helpers::user_error_codes(&body["data"][op]);
            if codes == vec!["APPROVAL_REQUIRED".to_owned()] {
                Cell::Req
            } else {
                assert!(codes.is_empty(), "{op}: {body}");
                Cell::Yes
            }
        }
        other => panic!("{op}: unexpected {other}: {body}"),
    }
}

#[tokio::test]
async fn catalog_operations_per_role() {
    use crate::catalog::{draft, dress_category, generate};
    use Cell::{No, Req, Yes};
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "店A").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let cat = dress_category(&app, &admin, &store).await;
    let users = [&admin, &spec, &asst];

    // One listed product per role to act on, with one SKU in stock.
    let mut products = Vec::new();
    let mut skus = Vec::new();
    for (i, _) in users.iter().enumerate() {
        let p = draft(&app, &admin, &store, &cat, &format!("连衣裙 {i}")).await;
        let body = generate(&app, &admin, &p, &["红色"], &["M"], "100.00").await;
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
        let sku = sku["data"]["skuByCode"]["id"]
            .as_str()
            .expect("sku")
            .to_owned();
        app.gql(Some(&admin.token), "mutation($s: ID!) { stockRestock(input: {skuId: $s, quantity: 10}) { userErrors { code } } }", json!({ "s": sku })).await;
        products.push(p);
        skus.push(sku);
    }
    let ops: [(&str, &str, [Cell; 3]); 9] = [
        (
            "productCreate",
            "mutation($s: ID!, $c: ID!) { productCreate(input: {storeId: $s, content: {categoryId: $c, title: \"新品\", keyAttributes: [{name: \"材质\", value: \"棉\"}]}}) { userErrors { code } } }",
            [Yes, Yes, Yes],
        ),
        (
            "productSubmit",
            "mutation($p: ID!) { productSubmit(input: {id: $p}) { userErrors { code } } }",
            [Yes, Yes, Yes],
        ),
        (
            "productApprove",
            "mutation($p: ID!) { productApprove(input: {id: $p}) { userErrors { code } } }",
            [Yes, Yes, No],
        ),
        (
            "productTakeOffShelf",
            "mutation($p: ID!) { productTakeOffShelf(input: {id: $p}) { userErrors { code } } }",
            [Yes, Yes, No],
        ),
        (
            "productArchive",
            "mutation($p: ID!) { productArchive(input: {id: $p}) { userErrors { code } } }",
            [Yes, Yes, No],
        ),
        (
            "stockRestock",
            "mutation($k: ID!) { stockRestock(input: {skuId: $k, quantity: 1}) { userErrors { code } } }",
            [Yes, Yes, Yes],
        ),
        (
            "stockAdjust",
            "mutation($k: ID!) { stockAdjust(input: {skuId: $k, quantity: -1, reason: \"破损\"}) { userErrors { code } } }",
            [Yes, Yes, Req],
        ),
        (
            "skuPriceChange",
            "mutation($k: ID!) { skuPriceChange(input: {skuId: $k, price: \"95.00\", reason: \"调价\"}) { userErrors { code } } }",
            [Yes, Yes, Req],
        ),
        (
            "skuUpdate",
            "mutation($k: ID!) { skuUpdate(input: {id: $k, floorPrice: \"60.00\"}) { userErrors { code } } }",
            [Yes, No, No],
        ),
    ];
    // The submitter differs from the reviewer: products are submitted by the director here,
    // so that the specialist's approval is not their own.
    for (op, doc, expected) in ops {
        for (i, user) in users.iter().enumerate() {
            // Approve needs a product in review submitted by someone else.
            if op == "productApprove" && i > 0 {
                app.gql(Some(&admin.token), "mutation($p: ID!) { productSendBack(input: {id: $p, reason: \"重审\"}) { userErrors { code } } }", json!({ "p": products[i] })).await;
                app.gql(
                    Some(&admin.token),
                    "mutation($p: ID!) { productSubmit(input: {id: $p}) { userErrors { code } } }",
                    json!({ "p": products[i] }),
                )
                .await;
            }
            let vars = json!({ "p": products[i], "s": store, "c": cat, "k": skus[i] });
            // Refused price changes are recorded on purpose (probing a hidden bound must show);
            // nothing else a refusal does is.
            const WRITES: &str = "audit_log WHERE action <> 'sku.price_change_refused'";
            let audits = app.count(WRITES).await;
            let body = app.gql(Some(&user.token), doc, vars).await;
            let got = cell(&body, op);
            assert_eq!(got, expected[i], "{op} as role #{i}: {body}");
            if got != Yes {
                assert_eq!(app.count(WRITES).await, audits, "{op} refused but audited");
            }
            // Keep every role's product moving through the same states.
            if got != Yes
                && matches!(
                    op,
                    "productApprove" | "productTakeOffShelf" | "productArchive"
                )
            {
                let fix = match op {
                    "productApprove" => {
                        "mutation($p: ID!) { productApprove(input: {id: $p}) { userErrors { code } } }"
                    }
                    "productTakeOffShelf" => {
                        "mutation($p: ID!) { productTakeOffShelf(input: {id: $p}) { userErrors { code } } }"
                    }
                    _ => {
                        "mutation($p: ID!) { productArchive(input: {id: $p}) { userErrors { code } } }"
                    }
                };
                app.gql(Some(&admin.token), fix, json!({ "p": products[i] }))
                    .await;
            }
        }
    }
}
