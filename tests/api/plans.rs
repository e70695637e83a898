//! Every filter and sort the big lists offer is served by an index, for all of a director's
//! stores and for one store's staff. Each case runs the request over HTTP, takes the page
//! statement the server really ran, and explains it on the same database: on PostgreSQL with
//! sequential scans and sorts priced out (so a missing index shows as `Seq Scan` or `Sort`), on
//! SQLite from its query plan (`SCAN` without an index, `USE TEMP B-TREE FOR ORDER BY`). A filter
//! must be an index condition, not a row-by-row check.

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::json;
use zhanggui::domain::{GlobalId, NodeType};

use crate::helpers::{TestApp, User, spawn_app};

/// One list request: the table its page reads and the columns its filter must use as an index
/// condition.
struct Case {
    query: String,
    table: &'static str,
    index_columns: &'static [&'static str],
}

fn case(query: String, table: &'static str, index_columns: &'static [&'static str]) -> Case {
    Case {
        query,
        table,
        index_columns,
    }
}

/// The page statement of the request: the one that reads `table` with a LIMIT.
async fn page_statement(app: &TestApp, user: &User, c: &Case) -> Statement {
    app.statement_log.start_recording();
    let body = app.gql(Some(&user.token), &c.query, json!({})).await;
    let ran = app.statement_log.take_recorded();
    assert!(body["errors"].is_null(), "{}: {body}", c.query);
    let from = format!("FROM \"{}\"", c.table);
    ran.into_iter()
        .find(|s| s.sql.contains(&from) && s.sql.contains(" LIMIT "))
        .unwrap_or_else(|| panic!("{}: no page statement on {}", c.query, c.table))
}

/// The plan's lines, with what would be cheap on a tiny table (scanning it, sorting it) priced
/// out on PostgreSQL.
async fn plan(app: &TestApp, s: &Statement) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let (prefix, column) = match backend {
        DbBackend::Sqlite => ("EXPLAIN QUERY PLAN ", "detail"),
        _ => ("EXPLAIN ", "QUERY PLAN"),
    };
    let explain = Statement {
        sql: format!("{prefix}{}", s.sql),
        values: s.values.clone(),
        db_backend: backend,
    };
    let txn = app.db.begin().await.expect("begin");
    if backend == DbBackend::Postgres {
        // Random reads priced as on the SSDs a server runs on (the default of 4 is for disks).
        for setting in [
            "enable_seqscan = off",
            "enable_sort = off",
            "enable_bitmapscan = off",
            "random_page_cost = 1.1",
        ] {
            txn.execute_unprepared(&format!("SET LOCAL {setting}"))
                .await
                .expect("planner setting");
        }
    }
    let rows = txn.query_all_raw(explain).await.expect("explain");
    txn.rollback().await.expect("rollback");
    rows.iter()
        .map(|r| r.try_get::<String>("", column).expect("plan line"))
        .collect()
}

/// What is wrong with the plan of `c`, if anything.
fn fault(backend: DbBackend, c: &Case, lines: &[String]) -> Option<String> {
    let t = c.table;
    let text = lines.join("\n");
    let sorted = match backend {
        DbBackend::Sqlite => text.contains("USE TEMP B-TREE FOR ORDER BY"),
        _ => lines.iter().any(|l| {
            let node = l.trim_start().trim_start_matches("->").trim_start();
            node.starts_with("Sort ") || node.starts_with("Incremental Sort ")
        }),
    };
    // SQLite's `SCAN t` walks the table's own id b-tree in id order, which is what a list in
    // id order wants; a filter it should have searched by is caught below.
    let scanned = backend != DbBackend::Sqlite && text.contains(&format!("Seq Scan on {t}"));
    let unindexed: Vec<&str> = (c.index_columns.iter().copied())
        .filter(|col| match backend {
            // `SEARCH member USING INDEX ix (store_id=? AND tier=?)`
            DbBackend::Sqlite => !lines.iter().any(|l| {
                l.starts_with(&format!("SEARCH {t} "))
                    && l.split_once('(').is_some_and(|(_, cond)| {
                        cond.contains(&format!("{col}="))
                            || cond.contains(&format!("{col}>"))
                            || cond.contains(&format!("{col}<"))
                    })
            }),
            // `Index Cond: ((store_id = 1) AND ((tier)::text = 'VIP1'::text))`
            _ => !lines.iter().any(|l| {
                l.contains("Index Cond:")
                    && (l.contains(&format!("({col} ")) || l.contains(&format!("(({col})::")))
            }),
        })
        .collect();
    (sorted || scanned || !unindexed.is_empty()).then(|| {
        format!(
            "{}\n  sorts: {sorted}, scans the table: {scanned}, filter not in an index: {unindexed:?}\n  {}",
            c.query,
            lines.join("\n  ")
        )
    })
}

/// Runs every case as `user` and collects the faults.
async fn faults(app: &TestApp, user: &User, cases: &[Case]) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let mut out = Vec::new();
    for c in cases {
        let s = page_statement(app, user, c).await;
        let lines = plan(app, &s).await;
        if let Some(f) = fault(backend, c, &lines) {
            out.push(f);
        }
    }
    out
}

fn gid(t: NodeType, id: i64) -> String {
    GlobalId::new(t, id).encode()
}

/// The cases of the four big lists; `scoped` adds the store column the viewer's scope filters
/// on (a specialist's stores), which each index must lead with.
fn cases(scoped: bool) -> Vec<Case> {
    let store: &'static [&'static str] = if scoped { &["store_id"] } else { &[] };
    let with = |extra: &'static [&'static str]| -> &'static [&'static str] {
        let mut v: Vec<&'static str> = store.to_vec();
        v.extend_from_slice(extra);
        Vec::leak(v)
    };
    let mut out = Vec::new();
    for sort in ["ID", "LAST_ORDER_AT", "TOTAL_PAID", "POINTS"] {
        for reverse in [false, true] {
            out.push(case(
                format!("{{ members(first: 50, sortKey: {sort}, reverse: {reverse}) {{ nodes {{ id }} }} }}"),
                "member",
                with(&[]),
            ));
        }
        out.push(case(
            format!("{{ members(first: 50, sortKey: {sort}, reverse: true, filter: {{tier: \"VIP2\"}}) {{ nodes {{ id }} }} }}"),
            "member",
            with(&["tier"]),
        ));
    }
    for sort in ["CREATED_AT", "PAID_AT", "AMOUNT"] {
        for reverse in [false, true] {
            out.push(case(
                format!("{{ orders(first: 50, sortKey: {sort}, reverse: {reverse}) {{ nodes {{ id }} }} }}"),
                "sales_order",
                with(&[]),
            ));
        }
    }
    let member = gid(NodeType::Member, 1);
    out.push(case(
        "{ orders(first: 50, filter: {statuses: [PAID]}) { nodes { id } } }".into(),
        "sales_order",
        with(&["status"]),
    ));
    out.push(case(
        format!("{{ orders(first: 50, filter: {{memberId: \"{member}\"}}) {{ nodes {{ id }} }} }}"),
        "sales_order",
        // A member belongs to one store: the member's index alone finds its orders.
        &["member_id"],
    ));
    for (filter, columns) in [
        (
            "channel: \"douyin-live\"",
            &["channel"] as &'static [&'static str],
        ),
        ("consulted: true", &["consulted"]),
    ] {
        out.push(case(
            format!("{{ orders(first: 50, filter: {{{filter}}}) {{ nodes {{ id }} }} }}"),
            "sales_order",
            with(columns),
        ));
    }
    // An order number names one order (in a store; rarely two across stores): its index alone
    // finds it.
    out.push(case(
        "{ orders(first: 50, filter: {orderNo: \"NO50\"}) { nodes { id } } }".into(),
        "sales_order",
        &["order_no"],
    ));
    let sku = gid(NodeType::Sku, 1);
    for filter in [
        String::new(),
        "filter: {kind: SALE}".into(),
        format!("filter: {{skuId: \"{sku}\"}}"),
    ] {
        let columns: &'static [&'static str] = match filter.as_str() {
            "" => with(&[]),
            f if f.contains("kind") => with(&["kind"]),
            _ => with(&["sku_id"]),
        };
        for reverse in [false, true] {
            out.push(case(
                format!("{{ inventoryMovements(first: 50, reverse: {reverse}, {filter}) {{ nodes {{ id }} }} }}"),
                "inventory_movement",
                columns,
            ));
        }
    }
    out
}

/// The audit log's cases: by store, by actor, by action, and unfiltered.
fn audit_cases(scoped: bool, actor: &str) -> Vec<Case> {
    let store: &'static [&'static str] = if scoped { &["store_id"] } else { &[] };
    let mut out = vec![case(
        "{ auditLog(first: 50) { nodes { id } } }".into(),
        "audit_log",
        store,
    )];
    if !scoped {
        out.push(case(
            format!(
                "{{ auditLog(first: 50, filter: {{actorId: \"{actor}\"}}) {{ nodes {{ id }} }} }}"
            ),
            "audit_log",
            &["actor_id"],
        ));
        out.push(case(
            "{ auditLog(first: 50, filter: {action: \"store.create\"}) { nodes { id } } }".into(),
            "audit_log",
            &["action"],
        ));
    }
    out
}

/// PostgreSQL picks among indexes by their statistics; on empty tables every plan costs the
/// same, and with common values walking the id order and skipping rows is rightly cheapest.
/// So on PostgreSQL the tables get rows (valid ones: the lists read them back) in which what
/// the cases ask for is rare — the specialist's store holds 5% of the rows, the tier, status,
/// kind and SKU asked for 2% — and are analysed: only an index on the filter finds 50 of them
/// fast. SQLite's choice does not depend on statistics here.
async fn seed_for_statistics(app: &TestApp, admin: &User, store: &str) {
    if app.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let cat = crate::catalog::dress_category(app, admin, store).await;
    let product = crate::catalog::draft(app, admin, store, &cat, "连衣裙").await;
    let made =
        crate::catalog::generate(app, admin, &product, &["红色"], &["M", "L"], "199.00").await;
    assert!(
        made["data"]["skusGenerate"]["created"][1].is_object(),
        "{made}"
    );
    let rows = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 30000)";
    let stores = "(SELECT array_agg(id ORDER BY id) FROM store)";
    let store_of = format!("({stores})[CASE WHEN n % 20 = 0 THEN 1 ELSE 2 + n % 2 END]");
    let rare = |hit: &str, other: &str| format!("CASE WHEN n % 50 = 0 THEN {hit} ELSE {other} END");
    let (tier, status) = (rare("'VIP2'", "'VIP1'"), rare("'PAID'", "'SHIPPED'"));
    let kind = rare("'SALE'", "'RESTOCK'");
    let (consulted, channel) = (rare("true", "false"), rare("'douyin-live'", "NULL"));
    let sku = rare("(SELECT min(id) FROM sku)", "(SELECT max(id) FROM sku)");
    for sql in [
        format!(
            "{rows} INSERT INTO member (store_id, buyer_ref, nick, tier, points_balance,
             points_deficit, first_order_at, last_order_at, paid_order_count, purchase_count,
             total_paid_fen, created_at, updated_at)
             SELECT {store_of}, 'buyer' || n, 'nick' || n, {tier},
             n % 997, 0, now() - n * interval '1 hour', now() - n * interval '1 minute', 1, 1,
             n * 37 % 100000, now(), now() FROM g"
        ),
        format!(
            "{rows} INSERT INTO sales_order (store_id, order_no, member_id, status, stage, ordered_at,
             paid_at, consulted, channel, item_total_fen, discount_fen, paid_fen, refunded_fen, line_count,
             oversold_units, points_earned, imported_at, updated_at)
             SELECT m.store_id, 'NO' || n, m.id, {status}, {status}, now() - n * interval '1 minute',
             now() - n * interval '1 minute', {consulted}, {channel}, 1000, 0, 1000 + n % 5000, 0, 1, 0, 0, now(), now()
             FROM g JOIN member m ON m.buyer_ref = 'buyer' || n"
        ),
        format!(
            "{rows} INSERT INTO inventory_movement (store_id, sku_id, kind, quantity, on_hand_after,
             reserved_after, created_at)
             SELECT {store_of}, {sku}, {kind},
             1, 1, 0, now() - n * interval '1 minute' FROM g"
        ),
    ] {
        app.db.execute_unprepared(&sql).await.expect("seed rows");
    }
    // Copies of the real audit rows (their JSON keeps its pinned shape), spread over the stores.
    for _ in 0..10 {
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO audit_log (created_at, actor_id, actor_role, action, target_type,
                 target_id, store_id, before_json, after_json, request_id, self_approved)
                 SELECT created_at, actor_id, actor_role, action, target_type, target_id,
                 ({stores})[1 + id % 3], before_json, after_json, request_id, self_approved
                 FROM audit_log"
            ))
            .await
            .expect("seed audit rows");
    }
    app.db.execute_unprepared("ANALYZE").await.expect("analyze");
}

#[tokio::test]
async fn every_list_filter_and_sort_is_served_by_an_index_for_all_stores_and_for_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    app.create_store(&admin, "二店").await;
    app.create_store(&admin, "三店").await;
    let specialist = app.user(&admin, "spec", "SPECIALIST", &[&store]).await;
    seed_for_statistics(&app, &admin, &store).await;
    let mut found = faults(&app, &admin, &cases(false)).await;
    found.extend(faults(&app, &admin, &audit_cases(false, &specialist.id)).await);
    found.extend(faults(&app, &specialist, &cases(true)).await);
    found.extend(faults(&app, &specialist, &audit_cases(true, &specialist.id)).await);
    assert!(
        found.is_empty(),
        "{} list statements without an index:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The check itself can fail: a list statement on a column without an index is reported.
#[tokio::test]
async fn a_filter_without_an_index_is_reported() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let nick = case(
        "{ members(first: 50, filter: {nickContains: \"花\"}) { nodes { id } } }".into(),
        "member",
        &["nick"],
    );
    let found = faults(&app, &admin, &[nick]).await;
    assert_eq!(found.len(), 1, "a LIKE '%…%' filter is no index condition");
}
