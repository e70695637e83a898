//! List queries cost a constant number of SQL statements, whatever the page size.

use serde_json::json;

use crate::helpers::{TestApp, User, spawn_app};

async fn statements_for(app: &TestApp, user: &User, query: &str) -> u64 {
    let before = app.statements().await;
    let body = app.gql(Some(&user.token), query, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    app.statements().await - before
}

#[tokio::test]
async fn staff_and_audit_lists_use_a_constant_number_of_statements() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_store(&admin, "店A").await;
    let b = app.create_store(&admin, "店B").await;
    let staff_q =
        "{ staffMembers(first: 100) { edges { node { id displayName stores { id name } } } } }";
    let audit_q = "{ auditLog(first: 100) { edges { node { action actor { displayName stores { name } } store { name } } } } }";

    app.create_staff(&admin, "spec1", "SPECIALIST", &[&a]).await;
    let small_staff = statements_for(&app, &admin, staff_q).await;
    let small_audit = statements_for(&app, &admin, audit_q).await;
    for i in 0..12 {
        app.create_staff(&admin, &format!("user{i}"), "ASSISTANT", &[&a, &b])
            .await;
    }
    let large_staff = statements_for(&app, &admin, staff_q).await;
    let large_audit = statements_for(&app, &admin, audit_q).await;
    assert_eq!(small_staff, large_staff, "staffMembers grows with the page");
    assert_eq!(small_audit, large_audit, "auditLog grows with the page");
    // Viewer load (2) + page (1) + assignments (1) + stores (1).
    assert!(large_staff <= 5, "{large_staff} statements");
}
