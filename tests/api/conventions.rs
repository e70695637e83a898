//! API conventions: IDs, pagination, limits, GET, body size, health, metrics, request ids,
//! and the exported schema.

use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_and_mistyped_ids_are_bad_user_input() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for id in ["garbage", "", "U3RvcmU6MA", "Rm9vOjE"] {
        let body = app
            .gql(
                Some(&admin.token),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{id}: {body}");
    }
    // A staff member's ID where a store's is expected.
    let body = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { store(id: $id) { id } }",
            json!({ "id": admin.id }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .gql(
            Some(&admin.token),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [admin.id, "bad"] }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { node(id: $id) { id ... on StaffMember { username } } }",
            json!({ "id": admin.id }),
        )
        .await;
    assert_eq!(body["data"]["node"]["username"], "admin", "{body}");
}

#[tokio::test]
async fn connections_page_with_keyset_cursors_in_every_order() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let names = ["b店", "d店", "a店", "e店", "c店"];
    for n in names {
        app.create_store(&admin, n).await;
    }
    let q = "query($after: String, $sort: StoreSortKeys!, $rev: Boolean!) {
        stores(first: 2, after: $after, sortKey: $sort, reverse: $rev) {
          edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage endCursor } totalCount } }";
    for (sort, rev, expected) in [
        ("ID", false, vec!["b店", "d店", "a店", "e店", "c店"]),
        ("NAME", false, vec!["a店", "b店", "c店", "d店", "e店"]),
        ("NAME", true, vec!["e店", "d店", "c店", "b店", "a店"]),
        ("CREATED_AT", true, vec!["c店", "e店", "a店", "d店", "b店"]),
    ] {
        let mut seen = Vec::new();
        let mut after = Value::Null;
        let mut pages = 0;
        loop {
            let body = app
                .gql(
                    Some(&admin.token),
                    q,
                    json!({ "after": after, "sort": sort, "rev": rev }),
                )
                .await;
            let conn = &body["data"]["stores"];
            assert_eq!(conn["totalCount"], 5, "{body}");
            assert_eq!(conn["pageInfo"]["hasPreviousPage"], pages > 0);
            for e in conn["edges"].as_array().expect("edges") {
                seen.push(e["node"]["name"].as_str().unwrap_or_default().to_owned());
            }
            pages += 1;
            if conn["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = conn["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, expected, "{sort} reverse={rev}");
        assert_eq!(pages, 3);
    }
    let too_many = app
        .gql(
            Some(&admin.token),
            "{ stores(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&too_many), "BAD_USER_INPUT");
    let bad_cursor = app
        .gql(
            Some(&admin.token),
            "{ stores(after: \"nope\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad_cursor), "BAD_USER_INPUT");
    // A cursor of one ordering is refused by another.
    let first = app
        .gql(
            Some(&admin.token),
            q,
            json!({ "after": null, "sort": "NAME", "rev": false }),
        )
        .await;
    let cursor = first["data"]["stores"]["pageInfo"]["endCursor"].clone();
    let mixed = app
        .gql(
            Some(&admin.token),
            q,
            json!({ "after": cursor, "sort": "ID", "rev": false }),
        )
        .await;
    assert_eq!(error_code(&mixed), "BAD_USER_INPUT");
    let filtered = app
        .gql(
            Some(&admin.token),
            "{ stores(filter: {nameContains: \"c\", platform: TMALL}) { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        filtered["data"]["stores"]["nodes"],
        json!([{ "name": "c店" }])
    );
}

#[tokio::test]
async fn depth_and_complexity_limits_refuse_oversized_queries() {
    let app = spawn_app_with(|s| {
        s.limits.max_depth = 5;
        s.limits.max_complexity = 40;
    })
    .await;
    let admin = app.admin().await;
    let deep = "{ auditLog { edges { node { actor { stores { id } } } } } }";
    let body = app.gql(Some(&admin.token), deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("too deep"),
        "{body}"
    );
    let wide = format!(
        "{{ {} }}",
        (0..50)
            .map(|i| format!("a{i}: viewer {{ id }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let body = app.gql(Some(&admin.token), &wide, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("above the limit of 40"),
        "{body}"
    );
    let fine = app
        .gql(Some(&admin.token), "{ viewer { id } }", json!({}))
        .await;
    assert!(fine["errors"].is_null());
}

/// The standard introspection query of GraphiQL and graphql-codegen (graphql-js
/// `getIntrospectionQuery`, with descriptions).
const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue } interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

/// Every answer reports its cost (fields 1 each, a connection its page size times one item);
/// at the default limits the standard introspection query passes and 5,000 aliased fields are
/// refused with their cost and the limit.
#[tokio::test]
async fn query_cost_is_reported_and_bounded_at_the_defaults() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = app
        .gql(
            Some(&admin.token),
            "{ stores(first: 10) { nodes { id name } } }",
            json!({}),
        )
        .await;
    // stores: 10 × (nodes 1 + id 1 + name 1) + 1.
    assert_eq!(body["extensions"]["cost"], 31, "{body}");
    let body = app
        .gql(Some(&admin.token), "{ stores { totalCount } }", json!({}))
        .await;
    assert_eq!(
        body["extensions"]["cost"], 21,
        "default page of 20 × totalCount 1, + 1: {body}"
    );

    let body = app.gql(None, INTROSPECTION, json!({})).await;
    assert!(
        body.get("errors").is_none(),
        "{}",
        &body.to_string()[..300.min(body.to_string().len())]
    );
    assert!(
        body["data"]["__schema"]["types"]
            .as_array()
            .is_some_and(|t| t.len() > 100)
    );

    let wide = format!(
        "{{ {} }}",
        (0..5_000)
            .map(|i| format!("a{i}: viewer {{ id }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let body = app.gql(Some(&admin.token), &wide, json!({})).await;
    assert!(body["data"].is_null(), "refused before anything runs");
    assert_eq!(
        body["errors"],
        json!([{
            "message": "the query costs 10000, above the limit of 2500: ask for fewer fields or smaller pages",
            "extensions": { "code": "BAD_USER_INPUT", "cost": 10000, "maxCost": 2500 } }]),
    );
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let url = format!("{}/graphql", app.addr);
    let res = app
        .client
        .get(&url)
        .query(&[("query", "{ viewer { username } }")])
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["data"]["viewer"]["username"], "admin");

    let stores = app.count("store").await;
    let res = app
        .client
        .get(&url)
        .query(&[(
            "query",
            "mutation { storeCreate(input: {name: \"GET店\", platform: JD}) { store { id } } }",
        )])
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status().as_u16(), 405);
    let body: Value = res.json().await.expect("json");
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(app.count("store").await, stores);
}

#[tokio::test]
async fn oversized_and_malformed_bodies_are_refused() {
    let app = spawn_app_with(|s| s.limits.max_body_bytes = 4096).await;
    let url = format!("{}/graphql", app.addr);
    let big = json!({ "query": format!("{{ viewer {{ id }} }} #{}", "x".repeat(10_000)) });
    let res = app.client.post(&url).json(&big).send().await.expect("post");
    assert_eq!(res.status().as_u16(), 413);
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 400);
    let body: Value = res.json().await.expect("json");
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app.gql(None, "{ viewer { id ", json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn health_readiness_metrics_and_request_ids() {
    let app = spawn_app().await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.addr)).send();
    assert_eq!(
        get("/healthz").await.expect("healthz").status().as_u16(),
        200
    );
    assert_eq!(get("/readyz").await.expect("readyz").status().as_u16(), 200);
    let graphiql = get("/graphiql").await.expect("graphiql");
    assert_eq!(graphiql.status().as_u16(), 200);
    assert!(graphiql.text().await.expect("html").contains("GraphiQL"));

    let res = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("x-request-id", "req-123")
        .json(&json!({ "query": "query WhoAmI { viewer { id } }" }))
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("req-123")
    );
    let res = app
        .client
        .post(format!("{}/graphql", app.addr))
        .json(&json!({ "query": "{ viewer { id } }" }))
        .send()
        .await
        .expect("post");
    assert!(
        res.headers()
            .get("x-request-id")
            .is_some_and(|v| v.len() >= 16)
    );

    app.admin().await;
    let text = get("/metrics")
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains(
            "zhanggui_graphql_requests_total{operation=\"WhoAmI\",outcome=\"UNAUTHENTICATED\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("zhanggui_graphql_request_duration_seconds_count{operation=\"anonymous\",outcome=\"OK\"}"), "{text}");
    assert!(
        text.contains("zhanggui_db_pool_connections{state=\"max\"}"),
        "{text}"
    );
    assert!(text.contains("zhanggui_db_statements_total "), "{text}");
}

#[test]
fn schema_file_equals_the_served_schema() {
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert!(
        file == zhanggui::graphql::sdl(),
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[tokio::test]
async fn introspection_serves_the_same_schema_and_can_be_switched_off() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = app
        .gql(
            Some(&admin.token),
            "{ __schema { queryType { name } } __type(name: \"Money\") { kind } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    assert_eq!(body["data"]["__type"]["kind"], "SCALAR");
    let closed = spawn_app_with(|s| s.limits.introspection = false).await;
    let admin = closed.admin().await;
    let body = closed
        .gql(
            Some(&admin.token),
            "{ __schema { queryType { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["__schema"], Value::Null, "{body}");
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_is_described() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let q = "{ __schema { types { name description
        fields { name description args { name description } }
        inputFields { name description }
        enumValues { name description } } } }";
    let body = app.gql(Some(&admin.token), q, json!({})).await;
    let mut missing = Vec::new();
    let described = |v: &Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };
    for t in body["data"]["__schema"]["types"].as_array().expect("types") {
        let name = t["name"].as_str().unwrap_or_default();
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if !described(t) {
            missing.push(name.to_owned());
        }
        for f in t["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(t["inputFields"].as_array().into_iter().flatten())
        {
            if !described(f) {
                missing.push(format!("{name}.{}", f["name"]));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if !described(a) {
                    missing.push(format!("{name}.{}({})", f["name"], a["name"]));
                }
            }
        }
        for e in t["enumValues"].as_array().into_iter().flatten() {
            if !described(e) {
                missing.push(format!("{name}.{}", e["name"]));
            }
        }
    }
    assert!(missing.is_empty(), "undescribed: {missing:?}");
}

#[tokio::test]
async fn instants_are_utc_rfc3339_and_days_are_store_local() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let id = app.create_store(&admin, "时区店").await;
    let body = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { store(id: $id) { createdAt today } }",
            json!({ "id": id }),
        )
        .await;
    let created = body["data"]["store"]["createdAt"]
        .as_str()
        .expect("createdAt");
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    let parsed = chrono::DateTime::parse_from_rfc3339(created).expect("rfc3339");
    let shanghai = parsed
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        .to_string();
    let today = body["data"]["store"]["today"].as_str().expect("today");
    // The store was created moments ago, so "today" is the creation day in Shanghai (or, across
    // midnight, the next one).
    assert!(today >= shanghai.as_str(), "{today} vs {shanghai}");
    assert_eq!(today.len(), 10);
}

#[tokio::test]
async fn connections_also_page_backward_with_last_and_before() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for n in ["b店", "d店", "a店", "e店", "c店"] {
        app.create_store(&admin, n).await;
    }
    let q = "query($before: String, $rev: Boolean!) { stores(last: 2, before: $before, sortKey: NAME, reverse: $rev) {
        edges { node { name } } pageInfo { hasNextPage hasPreviousPage startCursor } } }";
    for (rev, expected) in [
        (false, ["a店", "b店", "c店", "d店", "e店"]),
        (true, ["e店", "d店", "c店", "b店", "a店"]),
    ] {
        let mut pages: Vec<Vec<String>> = Vec::new();
        let mut before = Value::Null;
        loop {
            let body = app
                .gql(
                    Some(&admin.token),
                    q,
                    json!({ "before": before, "rev": rev }),
                )
                .await;
            let conn = &body["data"]["stores"];
            let names: Vec<String> = conn["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap_or_default().to_owned())
                .collect();
            assert_eq!(conn["pageInfo"]["hasNextPage"], !pages.is_empty(), "{body}");
            pages.push(names);
            if conn["pageInfo"]["hasPreviousPage"] != json!(true) {
                break;
            }
            before = conn["pageInfo"]["startCursor"].clone();
        }
        // Pages come from the end; each page is in the list's own order.
        assert_eq!(pages[0], expected[3..].to_vec(), "reverse={rev}");
        let all: Vec<String> = pages.into_iter().rev().flatten().collect();
        assert_eq!(all, expected.to_vec(), "reverse={rev}");
    }
    let both = app
        .gql(
            Some(&admin.token),
            "{ stores(first: 2, last: 2) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&both), "BAD_USER_INPUT");
    let big = app
        .gql(
            Some(&admin.token),
            "{ stores(last: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&big), "BAD_USER_INPUT");
}

/// GraphiQL needs no external host (offline, or where a CDN is blocked): the page references
/// only its own assets, and each is served by the server with its content type.
#[tokio::test]
async fn graphiql_is_served_entirely_by_the_server() {
    let app = spawn_app().await;
    let get = |path: String| app.client.get(format!("{}{path}", app.addr)).send();
    let page = get("/graphiql".into())
        .await
        .expect("graphiql")
        .text()
        .await
        .expect("html");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    let assets: Vec<&str> = page
        .split(['"', '\''])
        .filter(|s| s.starts_with("/graphiql/assets/"))
        .collect();
    assert_eq!(assets.len(), 4, "{page}");
    for path in assets {
        let res = get(path.to_owned()).await.expect("asset");
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let kind = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let expected = if path.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(kind.starts_with(expected), "{path}: {kind}");
        assert!(res.bytes().await.expect("body").len() > 1000, "{path}");
    }
    let missing = get("/graphiql/assets/nothing.js".into())
        .await
        .expect("404");
    assert_eq!(missing.status().as_u16(), 404);
}

/// Every connection field of the served schema takes the four Relay arguments
/// (`first/after/last/before`), described identically everywhere; its other arguments are at
/// most one `filter`, a `sortKey` and `reverse`: a client pages every list the same way. (The
/// four are declared per resolver: async-graphql cannot flatten one Rust type into several
/// field arguments; this test keeps the copies from drifting.)
#[tokio::test]
async fn every_connection_takes_the_relay_arguments_and_one_filter() {
    let app = spawn_app().await;
    let body = app
        .gql(
            None,
            "{ __schema { types { name fields { name type { kind name ofType { name } } args { name description type { name } } } } } }",
            json!({}),
        )
        .await;
    let mut connections = 0;
    let mut relay_args: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for t in body["data"]["__schema"]["types"].as_array().expect("types") {
        for f in t["fields"].as_array().into_iter().flatten() {
            let ty = &f["type"];
            let name = ty["name"]
                .as_str()
                .or(ty["ofType"]["name"].as_str())
                .unwrap_or("");
            if !name.ends_with("Connection") {
                continue;
            }
            connections += 1;
            let args: Vec<&str> = f["args"]
                .as_array()
                .expect("args")
                .iter()
                .map(|a| a["name"].as_str().unwrap_or(""))
                .collect();
            let field = format!("{}.{}", t["name"].as_str().unwrap_or(""), f["name"]);
            for a in f["args"].as_array().expect("args") {
                let name = a["name"].as_str().unwrap_or("");
                if ["first", "after", "last", "before"].contains(&name) {
                    relay_args
                        .entry(name.to_owned())
                        .or_default()
                        .insert(format!("{}: {}", a["type"]["name"], a["description"]));
                }
            }
            for relay in ["first", "after", "last", "before"] {
                assert!(args.contains(&relay), "{field} lacks {relay}: {args:?}");
            }
            let others: Vec<&&str> = args
                .iter()
                .filter(|a| {
                    ![
                        "first", "after", "last", "before", "filter", "sortKey", "reverse",
                    ]
                    .contains(a)
                })
                .collect();
            assert!(
                others.is_empty(),
                "{field} has arguments outside `filter`: {others:?}"
            );
        }
    }
    assert!(connections >= 17, "found {connections} connection fields");
    for (arg, variants) in &relay_args {
        assert_eq!(
            variants.len(),
            1,
            "`{arg}` is declared differently: {variants:?}"
        );
    }
}

/// The whole error body of one representative error of each top-level code, and of common
/// userError codes: what a client parses is pinned, not only `extensions.code`.
#[tokio::test]
async fn error_bodies_of_each_code_are_pinned() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "错误店").await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&store]).await;

    let body = app
        .gql(None, "{ stores(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        body,
        json!({ "data": null, "errors": [{ "message": "authentication required", "locations": [{ "line": 1, "column": 3 }], "path": ["stores"], "extensions": { "code": "UNAUTHENTICATED" } }], "extensions": { "cost": 2 } }),
        "{body}"
    );
    let body = app
        .gql(
            Some(&asst.token),
            "{ auditLog(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": null, "errors": [{ "message": "your role lacks the permission AUDIT_VIEW", "locations": [{ "line": 1, "column": 3 }], "path": ["auditLog"], "extensions": { "code": "FORBIDDEN" } }], "extensions": { "cost": 2 } }),
        "{body}"
    );
    let body = app
        .gql(
            Some(&admin.token),
            "{ categories(filter: {storeId: \"nope\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": null, "errors": [{ "message": "filter.storeId is not a valid Store ID", "locations": [{ "line": 1, "column": 3 }], "path": ["categories"], "extensions": { "code": "BAD_USER_INPUT", "fields": ["filter.storeId"] } }], "extensions": { "cost": 21 } }),
        "{body}"
    );
    let body = app
        .gql(Some(&admin.token), "{ viewer { id ", json!({}))
        .await;
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"],
        json!({ "code": "BAD_USER_INPUT" }),
        "{body}"
    );
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");

    let update = "mutation($i: StaffUpdateInput!) { staffUpdate(input: $i) { staffMember { id } userErrors { field code message } } }";
    let me = app
        .gql(Some(&admin.token), "{ viewer { id } }", json!({}))
        .await["data"]["viewer"]["id"]
        .clone();
    let body = app
        .gql(
            Some(&admin.token),
            update,
            json!({ "i": { "id": me, "role": "SPECIALIST" } }),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "staffUpdate": { "staffMember": null, "userErrors": [{ "field": ["input", "role"], "code": "LAST_DIRECTOR", "message": "the last active director can be neither deactivated nor demoted" }] } }, "extensions": { "cost": 7 } }),
        "{body}"
    );
    let body = app
        .gql(
            Some(&admin.token),
            update,
            json!({ "i": { "id": me, "displayName": "  " } }),
        )
        .await;
    assert_eq!(
        body["data"]["staffUpdate"]["userErrors"],
        json!([{ "field": ["input", "displayName"], "code": "BLANK", "message": "display name must not be blank" }]),
        "{body}"
    );

    for _ in 0..5 {
        app.login_raw("asst", "wrong-password").await;
    }
    let body = app.login_raw("asst", "wrong-password").await;
    let err = &body["errors"][0];
    assert_eq!(err["extensions"]["code"], "RATE_LIMITED", "{body}");
    assert!(
        err["extensions"]["retryAfterSeconds"]
            .as_i64()
            .is_some_and(|s| s > 0 && s <= 900),
        "{body}"
    );
    assert_eq!(err["path"], json!(["login"]), "{body}");
    // The whole body, with the seconds left (which depend on timing) set aside.
    let mut whole = body.clone();
    whole["errors"][0]["extensions"]["retryAfterSeconds"] = json!("…");
    let seconds = err["extensions"]["retryAfterSeconds"]
        .as_i64()
        .unwrap_or_default();
    assert_eq!(
        whole["errors"][0]["message"],
        format!("too many attempts; try again in {seconds} seconds"),
        "{body}"
    );
    whole["errors"][0]["message"] = json!("…");
    assert_eq!(
        whole,
        json!({ "data": null, "errors": [{ "message": "…", "locations": [{ "line": 1, "column": 38 }], "path": ["login"], "extensions": { "code": "RATE_LIMITED", "retryAfterSeconds": "…" } }], "extensions": { "cost": 13 } }),
        "{body}"
    );
}

/// Whole bodies of more userError codes (TAKEN, INVALID, WRONG_PASSWORD, PASSWORD_REUSED,
/// TOO_SHORT) and of a top-level NOT_FOUND.
#[tokio::test]
async fn more_error_bodies_are_pinned() {
    use crate::helpers::NEW_PASSWORD;
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.create_store(&admin, "已有店铺").await;
    let create = "mutation($i: StoreCreateInput!) { storeCreate(input: $i) { store { id } userErrors { field code message } } }";
    let body = app
        .gql(
            Some(&admin.token),
            create,
            json!({ "i": { "name": "已有店铺", "platform": "JD" } }),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "storeCreate": { "store": null, "userErrors": [{ "field": ["input", "name"], "code": "TAKEN", "message": "a store with this name already exists" }] } }, "extensions": { "cost": 7 } }),
        "{body}"
    );
    let body = app
        .gql(Some(&admin.token), create, json!({ "i": { "name": "新店", "platform": "JD", "settings": { "promotionDepthLimitBp": 10001 } } }))
        .await;
    assert_eq!(
        body["data"]["storeCreate"]["userErrors"],
        json!([{ "field": ["input", "settings", "promotionDepthLimitBp"], "code": "INVALID", "message": "promotionDepthLimitBp must be between 0 and 10000" }]),
        "{body}"
    );
    let change = "mutation($c: String!, $n: String!) { passwordChange(input: {currentPassword: $c, newPassword: $n}) { accessToken userErrors { field code message } } }";
    for (current, new, expected) in [
        (
            "not-the-password",
            "long-enough-pass",
            json!([{ "field": ["input", "currentPassword"], "code": "WRONG_PASSWORD", "message": "the current password is incorrect" }]),
        ),
        (
            NEW_PASSWORD,
            NEW_PASSWORD,
            json!([{ "field": ["input", "newPassword"], "code": "PASSWORD_REUSED", "message": "the new password must differ from the current one" }]),
        ),
        (
            NEW_PASSWORD,
            "short",
            json!([{ "field": ["input", "newPassword"], "code": "TOO_SHORT", "message": "password must be at least 10 characters" }]),
        ),
    ] {
        let body = app
            .gql(
                Some(&admin.token),
                change,
                json!({ "c": current, "n": new }),
            )
            .await;
        assert_eq!(
            body["data"]["passwordChange"]["accessToken"],
            Value::Null,
            "{body}"
        );
        assert_eq!(
            body["data"]["passwordChange"]["userErrors"], expected,
            "{body}"
        );
    }
    let missing =
        zhanggui::domain::GlobalId::new(zhanggui::domain::NodeType::Category, 987_654).encode();
    let body = app
        .gql(
            Some(&admin.token),
            "query($id: ID!) { category(id: $id) { id } }",
            json!({ "id": missing }),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": null, "errors": [{ "message": "category not found", "locations": [{ "line": 1, "column": 19 }], "path": ["category"], "extensions": { "code": "NOT_FOUND" } }], "extensions": { "cost": 2 } }),
        "{body}"
    );
}
