//! Catalog: categories, products, lifecycle, compliance, SKU generation, scoping, masking.

use serde_json::{Value, json};

use crate::helpers::{TestApp, User, error_code, spawn_app, user_error_codes};

pub const CATEGORY: &str = "mutation($input: CategoryCreateInput!) { categoryCreate(input: $input) {
    category { id path depth salesAttributes { name values } } userErrors { field code message } } }";
pub const PRODUCT: &str = "mutation($input: ProductCreateInput!) { productCreate(input: $input) {
    product { id status title titleLength complianceIssues { term severity field start end } } userErrors { field code message } } }";
pub const GENERATE: &str = "mutation($input: SkusGenerateInput!) { skusGenerate(input: $input) {
    product { minPrice maxPrice skus { code attributes { name value } } } created { code } userErrors { field code message } } }";

/// A leaf category 女装/连衣裙 with 颜色分类 and 尺码 in `store`.
pub async fn dress_category(app: &TestApp, user: &User, store: &str) -> String {
    let root = app
        .gql(
            Some(&user.token),
            CATEGORY,
            json!({ "input": { "storeId": store, "name": "女装" } }),
        )
        .await;
    let root_id = root["data"]["categoryCreate"]["category"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{root}"))
        .to_owned();
    let leaf = app
        .gql(
            Some(&user.token),
            CATEGORY,
            json!({ "input": { "storeId": store, "parentId": root_id, "name": "连衣裙",
                "keyAttributes": [{ "name": "材质", "required": true, "values": ["真丝", "棉"] }],
                "salesAttributes": [{ "name": "颜色分类", "values": ["红色", "黑色", "白色"] }, { "name": "尺码", "values": ["S", "M", "L", "XL"] }] } }),
        )
        .await;
    assert_eq!(
        leaf["data"]["categoryCreate"]["category"]["path"], "女装/连衣裙",
        "{leaf}"
    );
    leaf["data"]["categoryCreate"]["category"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A draft product with the given title; returns its id.
pub async fn draft(app: &TestApp, user: &User, store: &str, category: &str, title: &str) -> String {
    let body = app
        .gql(
            Some(&user.token),
            PRODUCT,
            json!({ "input": { "storeId": store, "content": { "categoryId": category, "title": title,
                "keyAttributes": [{ "name": "材质", "value": "真丝" }], "images": ["https://img.example.com/1.jpg"] } } }),
        )
        .await;
    body["data"]["productCreate"]["product"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

pub async fn generate(
    app: &TestApp,
    user: &User,
    product: &str,
    colours: &[&str],
    sizes: &[&str],
    price: &str,
) -> Value {
    app.gql(
        Some(&user.token),
        GENERATE,
        json!({ "input": { "productId": product, "price": price,
            "attributes": [{ "name": "尺码", "values": sizes }, { "name": "颜色分类", "values": colours }] } }),
    )
    .await
}

async fn act(app: &TestApp, user: &User, mutation: &str, input: Value) -> Value {
    let doc = format!(
        "mutation($input: ProductTransitionInput!) {{ {mutation}(input: $input) {{ product {{ status statusReason }} userErrors {{ field code message }} }} }}"
    );
    let body = app
        .gql(Some(&user.token), &doc, json!({ "input": input }))
        .await;
    body["data"][mutation].clone()
}

#[tokio::test]
async fn a_product_goes_from_draft_through_review_to_the_shelf_and_the_archive() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let cat = dress_category(&app, &asst, &store).await;

    // A draft may hold BLOCK terms; submitting it may not.
    let body = app
        .gql(
            Some(&asst.token),
            PRODUCT,
            json!({ "input": { "storeId": store, "content": { "categoryId": cat, "title": "全网最低价 真丝连衣裙", "keyAttributes": [{ "name": "材质", "value": "真丝" }] } } }),
        )
        .await;
    let product = &body["data"]["productCreate"]["product"];
    assert_eq!(product["status"], "DRAFT", "{body}");
    assert_eq!(
        product["complianceIssues"],
        json!([{ "term": "全网最低价", "severity": "BLOCK", "field": "title", "start": 0, "end": 5 }])
    );
    let id = product["id"].as_str().expect("id").to_owned();
    let created = generate(
        &app,
        &asst,
        &id,
        &["红色", "黑色"],
        &["S", "M", "L"],
        "299.00",
    )
    .await;
    assert_eq!(
        created["data"]["skusGenerate"]["created"]
            .as_array()
            .map(Vec::len),
        Some(6),
        "{created}"
    );
    let refused = act(&app, &asst, "productSubmit", json!({ "id": id })).await;
    assert_eq!(user_error_codes(&refused), vec!["COMPLIANCE_BLOCKED"]);
    assert_eq!(
        refused["userErrors"],
        json!([{"code":"COMPLIANCE_BLOCKED","field":["input","id"],"message":"Advertising-Law absolute terms must be removed first: 全网最低价（title）"}]),
        "the whole userErrors of COMPLIANCE_BLOCKED"
    );
    assert!(
        refused["userErrors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("全网最低价"),
        "{refused}"
    );

    let fixed = app
        .gql(
            Some(&asst.token),
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { product { title complianceIssues { term } } userErrors { code } } }",
            json!({ "input": { "id": id, "content": { "title": "法式复古真丝连衣裙 夏季新款" } } }),
        )
        .await;
    assert_eq!(
        fixed["data"]["productUpdate"]["product"]["complianceIssues"],
        json!([]),
        "{fixed}"
    );
    assert_eq!(
        act(&app, &asst, "productSubmit", json!({ "id": id })).await["product"]["status"],
        "PENDING_REVIEW"
    );

    // Assistants do not review; specialists send back with a reason or approve.
    assert_eq!(
        error_code(
            &app.gql(
                Some(&asst.token),
                "mutation($id: ID!) { productApprove(input: {id: $id}) { product { status } } }",
                json!({ "id": id })
            )
            .await
        ),
        "FORBIDDEN"
    );
    let no_reason = act(&app, &spec, "productSendBack", json!({ "id": id })).await;
    assert_eq!(user_error_codes(&no_reason), vec!["BLANK"]);
    let back = act(
        &app,
        &spec,
        "productSendBack",
        json!({ "id": id, "reason": "主图需要白底图" }),
    )
    .await;
    assert_eq!(
        back["product"],
        json!({ "status": "DRAFT", "statusReason": "主图需要白底图" })
    );
    act(&app, &asst, "productSubmit", json!({ "id": id })).await;
    assert_eq!(
        act(&app, &spec, "productApprove", json!({ "id": id })).await["product"]["status"],
        "ON_SHELF"
    );

    // Invalid transitions are userErrors and change nothing.
    let audits = app.count("audit_log").await;
    for (m, input) in [
        ("productSubmit", json!({ "id": id })),
        ("productArchive", json!({ "id": id })),
        ("productPutOnShelf", json!({ "id": id })),
    ] {
        assert_eq!(
            user_error_codes(&act(&app, &spec, m, input).await),
            vec!["INVALID_STATE_TRANSITION"],
            "{m}"
        );
    }
    assert_eq!(app.count("audit_log").await, audits);
    let bad_reason = act(
        &app,
        &spec,
        "productTakeOffShelf",
        json!({ "id": id, "reason": "BORED" }),
    )
    .await;
    assert_eq!(user_error_codes(&bad_reason), vec!["INVALID"]);
    assert_eq!(
        act(
            &app,
            &spec,
            "productTakeOffShelf",
            json!({ "id": id, "reason": "SEASON_END" })
        )
        .await["product"],
        json!({ "status": "OFF_SHELF", "statusReason": "SEASON_END" })
    );
    assert_eq!(
        error_code(
            &app.gql(
                Some(&asst.token),
                "mutation($id: ID!) { productArchive(input: {id: $id}) { product { status } } }",
                json!({ "id": id })
            )
            .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        act(&app, &spec, "productArchive", json!({ "id": id })).await["product"]["status"],
        "ARCHIVED"
    );
    let frozen = app
        .gql(Some(&admin.token), "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { userErrors { code } } }", json!({ "input": { "id": id, "content": { "title": "改" } } }))
        .await;
    assert_eq!(
        user_error_codes(&frozen["data"]["productUpdate"]),
        vec!["INVALID_STATE_TRANSITION"]
    );
}

#[tokio::test]
async fn nobody_but_a_director_approves_their_own_submission() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let cat = dress_category(&app, &spec, &store).await;
    let a = draft(&app, &spec, &store, &cat, "真丝连衣裙 A").await;
    generate(&app, &spec, &a, &["红色"], &["M"], "199.00").await;
    act(&app, &spec, "productSubmit", json!({ "id": a })).await;
    assert_eq!(
        user_error_codes(&act(&app, &spec, "productApprove", json!({ "id": a })).await),
        vec!["FOUR_EYES"]
    );
    assert_eq!(
        app.count("product WHERE status = 'PENDING_REVIEW'").await,
        1
    );

    let b = draft(&app, &admin, &store, &cat, "真丝连衣裙 B").await;
    generate(&app, &admin, &b, &["红色"], &["M"], "199.00").await;
    act(&app, &admin, "productSubmit", json!({ "id": b })).await;
    assert_eq!(
        act(
            &app,
            &admin,
            "productApprove",
            json!({ "id": b, "listNow": false })
        )
        .await["product"]["status"],
        "OFF_SHELF"
    );
    let self_approved = app
        .count("audit_log WHERE action = 'product.approve' AND self_approved = TRUE")
        .await;
    assert_eq!(self_approved, 1);
    // Another reviewer may approve the specialist's submission.
    assert_eq!(
        act(&app, &admin, "productApprove", json!({ "id": a })).await["product"]["status"],
        "ON_SHELF"
    );
}

#[tokio::test]
async fn titles_are_counted_as_the_platform_counts_them() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let tmall = app.create_store(&admin, "天猫店").await;
    let cat = dress_category(&app, &admin, &tmall).await;
    let title = "2024新款 女士真丝连衣裙 法式复古碎花长裙 夏季高腰显瘦A字裙";
    let ok = app
        .gql(Some(&admin.token), PRODUCT, json!({ "input": { "storeId": tmall, "content": { "categoryId": cat, "title": title, "keyAttributes": [{ "name": "材质", "value": "棉" }] } } }))
        .await;
    assert_eq!(
        ok["data"]["productCreate"]["product"]["titleLength"], 58,
        "{ok}"
    );
    assert_eq!(ok["data"]["productCreate"]["product"]["title"], title);
    let products = app.count("product").await;
    let long = app
        .gql(Some(&admin.token), PRODUCT, json!({ "input": { "storeId": tmall, "content": { "categoryId": cat, "title": format!("{title}包邮"), "keyAttributes": [{ "name": "材质", "value": "棉" }] } } }))
        .await;
    let p = &long["data"]["productCreate"];
    assert_eq!(user_error_codes(p), vec!["TOO_LONG"]);
    assert_eq!(
        p["userErrors"],
        json!([{"code":"TOO_LONG","field":["input","title"],"message":"title counts 62 on TMALL; the limit is 60"}]),
        "the whole userErrors of TOO_LONG"
    );
    assert_eq!(
        p["userErrors"][0]["message"],
        "title counts 62 on TMALL; the limit is 60"
    );
    // Missing required key attribute, unknown attribute value, non-leaf category, bad image URL.
    let root = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { categories(filter: {storeId: $s}) { nodes { id path } } }",
            json!({ "s": tmall }),
        )
        .await;
    let root_id = root["data"]["categories"]["nodes"][0]["id"].clone();
    for (content, code) in [
        (json!({ "categoryId": cat, "title": "连衣裙" }), "BLANK"),
        (
            json!({ "categoryId": cat, "title": "连衣裙", "keyAttributes": [{ "name": "材质", "value": "羊毛" }] }),
            "INVALID",
        ),
        (
            json!({ "categoryId": root_id, "title": "连衣裙", "keyAttributes": [{ "name": "材质", "value": "棉" }] }),
            "INVALID",
        ),
        (
            json!({ "categoryId": cat, "title": "连衣裙", "keyAttributes": [{ "name": "材质", "value": "棉" }], "images": ["ftp://x"] }),
            "INVALID",
        ),
        (
            json!({ "categoryId": cat, "title": "连衣裙", "keyAttributes": [{ "name": "材质", "value": "棉" }], "images": ["https://a/1", "https://a/2", "https://a/3", "https://a/4", "https://a/5", "https://a/6"] }),
            "TOO_LONG",
        ),
        (
            json!({ "categoryId": cat, "title": "   " , "keyAttributes": [{ "name": "材质", "value": "棉" }] }),
            "BLANK",
        ),
    ] {
        let body = app
            .gql(
                Some(&admin.token),
                PRODUCT,
                json!({ "input": { "storeId": tmall, "content": content } }),
            )
            .await;
        assert_eq!(
            user_error_codes(&body["data"]["productCreate"]),
            vec![code.to_owned()],
            "{content}: {body}"
        );
    }
    assert_eq!(app.count("product").await, products);
}

#[tokio::test]
async fn skus_are_the_cartesian_product_and_regenerating_never_duplicates() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let cat = dress_category(&app, &admin, &store).await;
    let id = draft(&app, &admin, &store, &cat, "真丝连衣裙").await;
    let first = generate(
        &app,
        &admin,
        &id,
        &["红色", "黑色"],
        &["S", "M", "L"],
        "299.00",
    )
    .await;
    let p = &first["data"]["skusGenerate"];
    assert_eq!(p["created"].as_array().map(Vec::len), Some(6), "{first}");
    // Attributes come in the category's order (颜色分类 before 尺码), codes numbered.
    assert_eq!(
        p["product"]["skus"][0]["attributes"],
        json!([{ "name": "颜色分类", "value": "红色" }, { "name": "尺码", "value": "S" }])
    );
    assert_eq!(
        p["product"]["skus"][0]["code"]
            .as_str()
            .map(|c| c.ends_with("-001")),
        Some(true)
    );
    let again = generate(
        &app,
        &admin,
        &id,
        &["红色", "黑色", "白色"],
        &["S", "M", "L"],
        "319.00",
    )
    .await;
    let p = &again["data"]["skusGenerate"];
    assert_eq!(p["created"].as_array().map(Vec::len), Some(3), "{again}");
    assert_eq!(p["product"]["skus"].as_array().map(Vec::len), Some(9));
    assert_eq!(p["product"]["minPrice"], "299.00");
    assert_eq!(p["product"]["maxPrice"], "319.00");
    assert_eq!(app.count("sku").await, 9);
    for (attrs, code) in [
        (json!([{ "name": "面料", "values": ["丝"] }]), "INVALID"),
        (
            json!([{ "name": "颜色分类", "values": ["紫色"] }]),
            "INVALID",
        ),
        (json!([{ "name": "颜色分类", "values": [] }]), "BLANK"),
    ] {
        let body = app
            .gql(
                Some(&admin.token),
                GENERATE,
                json!({ "input": { "productId": id, "price": "1.00", "attributes": attrs } }),
            )
            .await;
        assert_eq!(
            user_error_codes(&body["data"]["skusGenerate"]),
            vec![code.to_owned()],
            "{body}"
        );
    }
    let zero = app
        .gql(
            Some(&admin.token),
            GENERATE,
            json!({ "input": { "productId": id, "price": "0.00" } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&zero["data"]["skusGenerate"]),
        vec!["INVALID"]
    );
    assert_eq!(app.count("sku").await, 9);
}

#[tokio::test]
async fn cost_is_masked_by_role_and_store_grant_and_other_stores_are_invisible() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_store(&admin, "店A").await;
    let b = app.create_store(&admin, "店B").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&a]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&a]).await;
    let cat = dress_category(&app, &admin, &a).await;
    let id = draft(&app, &admin, &a, &cat, "真丝连衣裙").await;
    let body = app
        .gql(
            Some(&admin.token),
            GENERATE,
            json!({ "input": { "productId": id, "price": "200.00", "cost": "80.00" } }),
        )
        .await;
    assert!(
        user_error_codes(&body["data"]["skusGenerate"]).is_empty(),
        "{body}"
    );
    // Only directors set cost.
    let other = draft(&app, &spec, &a, &cat, "真丝连衣裙 2").await;
    let refused = app
        .gql(
            Some(&spec.token),
            GENERATE,
            json!({ "input": { "productId": other, "price": "200.00", "cost": "80.00" } }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");

    let q = "query($id: ID!) { product(id: $id) { skus { price cost margin } } }";
    let sku = |body: &Value| body["data"]["product"]["skus"][0].clone();
    assert_eq!(
        sku(&app.gql(Some(&admin.token), q, json!({ "id": id })).await),
        json!({ "price": "200.00", "cost": "80.00", "margin": 0.6 })
    );
    assert_eq!(
        sku(&app.gql(Some(&spec.token), q, json!({ "id": id })).await),
        json!({ "price": "200.00", "cost": null, "margin": null })
    );
    assert_eq!(
        sku(&app.gql(Some(&asst.token), q, json!({ "id": id })).await),
        json!({ "price": "200.00", "cost": null, "margin": null })
    );
    app.gql(Some(&admin.token), "mutation($id: ID!) { storeUpdate(input: {id: $id, settings: {specialistCostView: true}}) { userErrors { code } } }", json!({ "id": a })).await;
    assert_eq!(
        sku(&app.gql(Some(&spec.token), q, json!({ "id": id })).await)["cost"],
        "80.00"
    );
    assert_eq!(
        sku(&app.gql(Some(&asst.token), q, json!({ "id": id })).await)["cost"],
        Value::Null,
        "never assistants"
    );

    // Store B's product does not exist for the specialist of A.
    let cat_b = dress_category(&app, &admin, &b).await;
    let hidden = draft(&app, &admin, &b, &cat_b, "B店连衣裙").await;
    assert_eq!(
        error_code(&app.gql(Some(&spec.token), q, json!({ "id": hidden })).await),
        "NOT_FOUND"
    );
    assert_eq!(
        error_code(
            &app.gql(
                Some(&spec.token),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": hidden })
            )
            .await
        ),
        "NOT_FOUND"
    );
    let list = app
        .gql(
            Some(&spec.token),
            "{ products(first: 50) { nodes { title } totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list["data"]["products"]["totalCount"], 2, "{list}");
    let body = app
        .gql(
            Some(&spec.token),
            CATEGORY,
            json!({ "input": { "storeId": b, "name": "男装" } }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
}

#[tokio::test]
async fn products_filter_and_sort_with_keyset_pages() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let cat = dress_category(&app, &admin, &store).await;
    for (title, price) in [
        ("连衣裙 C", "399.00"),
        ("连衣裙 A", "99.00"),
        ("连衣裙 B", "199.00"),
    ] {
        let id = draft(&app, &admin, &store, &cat, title).await;
        generate(&app, &admin, &id, &["红色"], &["M"], price).await;
    }
    draft(&app, &admin, &store, &cat, "没有SKU的草稿").await;
    let q = "query($f: ProductFilter, $s: ProductSortKeys!, $r: Boolean!) { products(first: 10, filter: $f, sortKey: $s, reverse: $r) { nodes { title minPrice } } }";
    let titles = |body: &Value| -> Vec<String> {
        body["data"]["products"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["title"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let by_price = app
        .gql(Some(&admin.token), q, json!({ "s": "PRICE", "r": false }))
        .await;
    assert_eq!(
        titles(&by_price),
        vec!["连衣裙 A", "连衣裙 B", "连衣裙 C"],
        "{by_price}"
    );
    let by_price_desc = app
        .gql(Some(&admin.token), q, json!({ "s": "PRICE", "r": true }))
        .await;
    assert_eq!(
        titles(&by_price_desc),
        vec!["连衣裙 C", "连衣裙 B", "连衣裙 A"]
    );
    let range = app
        .gql(
            Some(&admin.token),
            q,
            json!({ "s": "TITLE", "r": false, "f": { "priceMin": "100", "priceMax": "399.00" } }),
        )
        .await;
    assert_eq!(titles(&range), vec!["连衣裙 B", "连衣裙 C"]);
    let text = app
        .gql(
            Some(&admin.token),
            q,
            json!({ "s": "TITLE", "r": false, "f": { "titleContains": "SKU", "status": "DRAFT" } }),
        )
        .await;
    assert_eq!(titles(&text), vec!["没有SKU的草稿"]);
    // All SKUs have 0 stock and threshold 0: every product with SKUs is low on stock.
    let low = app
        .gql(
            Some(&admin.token),
            q,
            json!({ "s": "TITLE", "r": false, "f": { "lowStock": true } }),
        )
        .await;
    assert_eq!(titles(&low).len(), 3);
    let low_skus = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { lowStockSkus(filter: {storeId: $s}) { totalCount } }",
            json!({ "s": store }),
        )
        .await;
    assert_eq!(low_skus["data"]["lowStockSkus"]["totalCount"], 3);
}

#[tokio::test]
async fn compliance_check_reports_terms_rules_and_positions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = app
        .gql(Some(&admin.token), "query($t: String!) { complianceCheck(text: $t) { blocked hits { term group severity start end rule } } }", json!({ "t": "夏季 ＮＯ．１ 爆款，最新款" }))
        .await;
    let r = &body["data"]["complianceCheck"];
    assert_eq!(r["blocked"], true, "{body}");
    assert_eq!(r["hits"][0]["term"], "NO.1");
    assert_eq!(
        (r["hits"][0]["start"].as_i64(), r["hits"][0]["end"].as_i64()),
        (Some(3), Some(7))
    );
    assert_eq!(r["hits"][0]["group"], "FIRST");
    assert!(
        r["hits"][0]["rule"]
            .as_str()
            .unwrap_or("")
            .contains("广告法")
    );
    assert_eq!(r["hits"][1]["term"], "最新");
    assert_eq!(r["hits"][1]["severity"], "WARN");
    let clean = app
        .gql(
            Some(&admin.token),
            "{ complianceCheck(text: \"纯棉T恤 夏季新款\") { blocked hits { term } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        clean["data"]["complianceCheck"],
        json!({ "blocked": false, "hits": [] })
    );
}

#[tokio::test]
async fn a_scheduled_product_reads_on_shelf_when_its_time_comes_and_the_scheduler_applies_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let cat = dress_category(&app, &admin, &store).await;
    let id = draft(&app, &admin, &store, &cat, "定时上架连衣裙").await;
    generate(&app, &admin, &id, &["红色"], &["M"], "199.00").await;
    let upd = "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { product { scheduledOnShelfAt } userErrors { field code } } }";
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let body = app
        .gql(
            Some(&admin.token),
            upd,
            json!({ "input": { "id": id, "content": { "scheduledOnShelfAt": past } } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&body["data"]["productUpdate"]),
        vec!["INVALID"],
        "{body}"
    );
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let body = app
        .gql(
            Some(&asst.token),
            upd,
            json!({ "input": { "id": id, "content": { "scheduledOnShelfAt": future } } }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        "FORBIDDEN",
        "scheduling is PRODUCT_SHELVE"
    );
    let body = app
        .gql(
            Some(&admin.token),
            upd,
            json!({ "input": { "id": id, "content": { "scheduledOnShelfAt": future } } }),
        )
        .await;
    assert!(
        body["data"]["productUpdate"]["product"]["scheduledOnShelfAt"].is_string(),
        "{body}"
    );
    act(&app, &admin, "productSubmit", json!({ "id": id })).await;
    assert_eq!(
        act(&app, &admin, "productApprove", json!({ "id": id })).await["product"]["status"],
        "OFF_SHELF"
    );

    // The time comes (the server's clock is moved rather than waited for).
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::minutes(1));
    let q = "query($id: ID!) { product(id: $id) { status } listed: products(filter: {status: ON_SHELF}) { totalCount } off: products(filter: {status: OFF_SHELF}) { totalCount } }";
    let body = app.gql(Some(&admin.token), q, json!({ "id": id })).await;
    assert_eq!(body["data"]["product"]["status"], "ON_SHELF", "{body}");
    assert_eq!(body["data"]["listed"]["totalCount"], 1);
    assert_eq!(body["data"]["off"]["totalCount"], 0);
    assert_eq!(app.count("product WHERE status = 'OFF_SHELF'").await, 1);
    assert_eq!(
        zhanggui::service::catalog::apply_due_schedules(&app.db, app.clock.now())
            .await
            .expect("scheduler"),
        1
    );
    assert_eq!(
        zhanggui::service::catalog::apply_due_schedules(&app.db, app.clock.now())
            .await
            .expect("scheduler"),
        0
    );
    assert_eq!(
        app.count("product WHERE status = 'ON_SHELF' AND scheduled_on_shelf_at IS NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'product.on_shelf' AND actor_id IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn a_directors_allow_listed_phrase_clears_its_hits_in_that_store_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let other = app.create_store(&admin, "别的店").await;
    let spec = app
        .user(&admin, "spec", "SPECIALIST", &[&store, &other])
        .await;
    let cat = dress_category(&app, &admin, &store).await;
    let claim = "2023年天猫连衣裙类目销量第一";
    let id = draft(&app, &spec, &store, &cat, &format!("{claim} 真丝连衣裙")).await;
    generate(&app, &admin, &id, &["红色"], &["M"], "199.00").await;
    assert_eq!(
        user_error_codes(&act(&app, &spec, "productSubmit", json!({ "id": id })).await),
        vec!["COMPLIANCE_BLOCKED"]
    );

    let add = "mutation($input: ComplianceAllowlistAddInput!) { complianceAllowlistAdd(input: $input) { entry { id phrase } userErrors { field code } } }";
    let input = json!({ "input": { "storeId": store, "phrase": claim, "reason": "天猫官方榜单 2023-11-12 截图存档" } });
    assert_eq!(
        error_code(&app.gql(Some(&spec.token), add, input.clone()).await),
        "FORBIDDEN"
    );
    let body = app.gql(Some(&admin.token), add, input.clone()).await;
    assert_eq!(
        body["data"]["complianceAllowlistAdd"]["entry"]["phrase"], claim,
        "{body}"
    );
    let again = app.gql(Some(&admin.token), add, input).await;
    assert_eq!(
        user_error_codes(&again["data"]["complianceAllowlistAdd"]),
        vec!["TAKEN"]
    );

    let issues = app
        .gql(
            Some(&spec.token),
            "query($id: ID!) { product(id: $id) { complianceIssues { term } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        issues["data"]["product"]["complianceIssues"],
        json!([]),
        "{issues}"
    );
    assert_eq!(
        act(&app, &spec, "productSubmit", json!({ "id": id })).await["product"]["status"],
        "PENDING_REVIEW"
    );
    // The phrase is allowed only where a director allowed it; a bare 销量第一 still hits.
    let check = "query($t: String!, $s: ID) { complianceCheck(text: $t, storeId: $s) { blocked } }";
    assert_eq!(
        app.gql(Some(&spec.token), check, json!({ "t": claim, "s": store }))
            .await["data"]["complianceCheck"]["blocked"],
        false
    );
    assert_eq!(
        app.gql(Some(&spec.token), check, json!({ "t": claim, "s": other }))
            .await["data"]["complianceCheck"]["blocked"],
        true
    );
    assert_eq!(
        app.gql(
            Some(&spec.token),
            check,
            json!({ "t": "销量第一", "s": store })
        )
        .await["data"]["complianceCheck"]["blocked"],
        true
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'compliance.allow'")
            .await,
        1
    );
}

#[tokio::test]
async fn dropping_a_value_removes_unused_skus_and_deactivates_used_ones() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let cat = dress_category(&app, &admin, &store).await;
    let id = draft(&app, &admin, &store, &cat, "真丝连衣裙").await;
    generate(&app, &admin, &id, &["红色", "黑色"], &["M"], "199.00").await;
    let skus = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { product(id: $id) { skus { id code attributes { value } } } }",
            json!({ "id": id }),
        )
        .await;
    let black = skus["data"]["product"]["skus"][1]["id"].clone();
    app.gql(Some(&admin.token), "mutation($s: ID!) { stockRestock(input: {skuId: $s, quantity: 3}) { userErrors { code } } }", json!({ "s": black })).await;

    // Keep only 白色: 红色 (unused) goes, 黑色 (has stock) is deactivated.
    let body = generate(&app, &admin, &id, &["白色"], &["M"], "199.00").await;
    let skus = &body["data"]["skusGenerate"]["product"]["skus"];
    assert_eq!(skus.as_array().map(Vec::len), Some(2), "{body}");
    assert_eq!(app.count("sku WHERE active = FALSE").await, 1);
    assert_eq!(app.count("sku WHERE attributes_key LIKE '%红色%'").await, 0);
    let listed = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { product(id: $id) { minPrice totalOnHand } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        listed["data"]["product"],
        json!({ "minPrice": "199.00", "totalOnHand": 3 })
    );
    // Choosing 黑色 again reactivates it; codes are never reused.
    let body = generate(
        &app,
        &admin,
        &id,
        &["白色", "黑色", "红色"],
        &["M"],
        "199.00",
    )
    .await;
    let created: Vec<&str> = body["data"]["skusGenerate"]["created"]
        .as_array()
        .expect("created")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(created.len(), 1, "{body}");
    assert!(created[0].ends_with("-004"), "{created:?}");
    assert_eq!(app.count("sku WHERE active = FALSE").await, 0);
}

#[tokio::test]
async fn renaming_a_category_moves_the_paths_below_and_used_values_cannot_be_dropped() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let leaf = dress_category(&app, &admin, &store).await;
    let id = draft(&app, &admin, &store, &leaf, "真丝连衣裙").await;
    generate(&app, &admin, &id, &["红色"], &["M"], "199.00").await;
    let cats = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { categories(filter: {storeId: $s}) { nodes { id path } } }",
            json!({ "s": store }),
        )
        .await;
    let root = cats["data"]["categories"]["nodes"][0]["id"].clone();
    let upd = "mutation($input: CategoryUpdateInput!) { categoryUpdate(input: $input) { category { path } userErrors { field code message } } }";
    assert_eq!(
        error_code(
            &app.gql(
                Some(&asst.token),
                upd,
                json!({ "input": { "id": root, "name": "女士服装" } })
            )
            .await
        ),
        "FORBIDDEN"
    );
    let body = app
        .gql(
            Some(&admin.token),
            upd,
            json!({ "input": { "id": root, "name": "女士服装" } }),
        )
        .await;
    assert_eq!(
        body["data"]["categoryUpdate"]["category"]["path"], "女士服装",
        "{body}"
    );
    let cats = app
        .gql(
            Some(&admin.token),
            "query($s: ID!) { categories(filter: {storeId: $s}) { nodes { path } } }",
            json!({ "s": store }),
        )
        .await;
    assert_eq!(
        cats["data"]["categories"]["nodes"],
        json!([{ "path": "女士服装" }, { "path": "女士服装/连衣裙" }]),
        "{cats}"
    );
    // 红色 is used by a SKU: it cannot be dropped; adding 绿色 is fine.
    let drop = json!({ "input": { "id": leaf, "salesAttributes": [{ "name": "颜色分类", "values": ["黑色"] }, { "name": "尺码", "values": ["S", "M"] }] } });
    let body = app.gql(Some(&admin.token), upd, drop).await;
    assert_eq!(
        user_error_codes(&body["data"]["categoryUpdate"]),
        vec!["INVALID"],
        "{body}"
    );
    let add = json!({ "input": { "id": leaf, "salesAttributes": [{ "name": "颜色分类", "values": ["红色", "绿色"] }, { "name": "尺码", "values": ["M"] }] } });
    let body = app.gql(Some(&admin.token), upd, add).await;
    assert_eq!(
        body["data"]["categoryUpdate"]["category"]["path"], "女士服装/连衣裙",
        "{body}"
    );
}

#[tokio::test]
async fn products_in_review_wait_in_the_shared_approval_queue() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;
    let cat = dress_category(&app, &admin, &store).await;
    let mut ids = Vec::new();
    for title in ["连衣裙 A", "连衣裙 B"] {
        let id = draft(&app, &asst, &store, &cat, title).await;
        generate(&app, &admin, &id, &["红色"], &["M"], "199.00").await;
        act(&app, &asst, "productSubmit", json!({ "id": id })).await;
        ids.push(id);
    }
    let queue = "{ approvalRequests(filter: {kind: PRODUCT_REVIEW, status: PENDING, resolvableByMe: true}) { nodes { id subjectId approverRole requestedBy { displayName } } } }";
    let body = app.gql(Some(&spec.token), queue, json!({})).await;
    let nodes = body["data"]["approvalRequests"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert_eq!(nodes.len(), 2, "{body}");
    assert_eq!(nodes[0]["approverRole"], "SPECIALIST");
    // Newest first: B, then A.
    assert_eq!(nodes[0]["subjectId"], json!(ids[1]));
    let approve = "mutation($id: ID!) { approvalRequestApprove(input: {id: $id}) { approvalRequest { status } userErrors { code } } }";
    let body = app
        .gql(Some(&spec.token), approve, json!({ "id": nodes[0]["id"] }))
        .await;
    assert_eq!(
        body["data"]["approvalRequestApprove"]["approvalRequest"]["status"], "APPROVED",
        "{body}"
    );
    let reject = "mutation($id: ID!) { approvalRequestReject(input: {id: $id, note: \"主图模糊\"}) { approvalRequest { status } userErrors { code } } }";
    let body = app
        .gql(Some(&spec.token), reject, json!({ "id": nodes[1]["id"] }))
        .await;
    assert_eq!(
        body["data"]["approvalRequestReject"]["approvalRequest"]["status"], "REJECTED",
        "{body}"
    );
    let p = "query($a: ID!, $b: ID!) { a: product(id: $a) { status statusReason } b: product(id: $b) { status } }";
    let body = app
        .gql(Some(&spec.token), p, json!({ "a": ids[0], "b": ids[1] }))
        .await;
    assert_eq!(
        body["data"],
        json!({ "a": { "status": "DRAFT", "statusReason": "主图模糊" }, "b": { "status": "ON_SHELF" } })
    );
    // Approving the product directly closes its request too.
    act(&app, &asst, "productSubmit", json!({ "id": ids[0] })).await;
    act(&app, &spec, "productApprove", json!({ "id": ids[0] })).await;
    assert_eq!(
        app.count("approval_request WHERE kind = 'PRODUCT_REVIEW' AND status = 'PENDING'")
            .await,
        0
    );
}

#[tokio::test]
async fn every_catalog_object_resolves_through_node_with_store_scoping() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let other = app.create_store(&admin, "别的店").await;
    let outsider = app.user(&admin, "outsider", "SPECIALIST", &[&other]).await;
    let insider = app.user(&admin, "insider", "SPECIALIST", &[&store]).await;
    let cat = dress_category(&app, &admin, &store).await;
    let product = draft(&app, &admin, &store, &cat, "连衣裙").await;
    generate(&app, &admin, &product, &["红色"], &["M"], "199.00").await;
    let sku = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { product(id: $id) { skus { id } } }",
            json!({ "id": product }),
        )
        .await["data"]["product"]["skus"][0]["id"]
        .clone();
    let moved = app.gql(Some(&admin.token), "mutation($s: ID!) { stockRestock(input: {skuId: $s, quantity: 5}) { movement { id } } }", json!({ "s": sku })).await;
    let movement = moved["data"]["stockRestock"]["movement"]["id"].clone();
    let priced = app.gql(Some(&admin.token), "mutation($s: ID!) { skuPriceChange(input: {skuId: $s, price: \"189.00\", reason: \"调价\"}) { priceChange { id } } }", json!({ "s": sku })).await;
    let change = priced["data"]["skuPriceChange"]["priceChange"]["id"].clone();
    let filed = app.gql(Some(&insider.token), "mutation($s: ID!) { skuPriceChange(input: {skuId: $s, price: \"99.00\", reason: \"清仓\", requestApproval: true}) { approvalRequest { id } } }", json!({ "s": sku })).await;
    let request = filed["data"]["skuPriceChange"]["approvalRequest"]["id"].clone();
    let ids = json!([cat, product, sku, movement, change, request]);
    let q = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";
    let seen = app.gql(Some(&admin.token), q, json!({ "ids": ids })).await;
    let types: Vec<&str> = seen["data"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["__typename"].as_str())
        .collect();
    assert_eq!(
        types,
        vec![
            "Category",
            "Product",
            "Sku",
            "InventoryMovement",
            "PriceChange",
            "ApprovalRequest"
        ],
        "{seen}"
    );
    let hidden = app
        .gql(Some(&outsider.token), q, json!({ "ids": ids }))
        .await;
    assert_eq!(
        hidden["data"]["nodes"],
        json!([null, null, null, null, null, null]),
        "{hidden}"
    );
    let one = app
        .gql(
            Some(&outsider.token),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": sku }),
        )
        .await;
    assert_eq!(error_code(&one), "NOT_FOUND");
    // The insider's audit view shows this store's catalog entries.
    let audit = app
        .gql(
            Some(&insider.token),
            "{ auditLog(first: 100) { nodes { action } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = audit["data"]["auditLog"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["action"].as_str())
        .collect();
    for a in [
        "category.create",
        "product.create",
        "sku.generate",
        "stock.movement",
        "sku.price_change",
        "approval.request",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let outsider_audit = app
        .gql(
            Some(&outsider.token),
            "{ auditLog(first: 100) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        outsider_audit["data"]["auditLog"]["totalCount"], 1,
        "only the other store's creation: {outsider_audit}"
    );
}
