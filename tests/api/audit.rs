//! The audit log: written by every mutation, read per AUDIT_VIEW, masked for specialists.

use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app};

const LOG: &str =
    "query($f: AuditLogFilter) { auditLog(first: 50, filter: $f) { totalCount edges { node {
    action targetType targetId actorRole actor { displayName } store { name } before after } } } }";

#[tokio::test]
async fn mutations_are_audited_and_each_role_sees_its_share() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_store(&admin, "店A").await;
    let b = app.create_store(&admin, "店B").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&a]).await;
    let asst = app.user(&admin, "asst", "ASSISTANT", &[&a]).await;
    app.gql(
        Some(&admin.token),
        "mutation($id: ID!) { storeUpdate(input: {id: $id, name: \"店A2\"}) { userErrors { code } } }",
        json!({ "id": a }),
    )
    .await;

    let all = app.gql(Some(&admin.token), LOG, json!({})).await;
    let actions: Vec<&str> = all["data"]["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["action"].as_str())
        .collect();
    // Newest first; first start and password changes included.
    assert_eq!(actions.first(), Some(&"store.update"), "{all}");
    for expected in ["store.create", "staff.create", "staff.password_change"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let update = &all["data"]["auditLog"]["edges"][0]["node"];
    assert_eq!(update["before"]["name"], "店A");
    assert_eq!(update["after"]["name"], "店A2");
    assert_eq!(update["actor"]["displayName"], "Administrator");
    assert_eq!(update["actorRole"], "DIRECTOR");
    assert_eq!(update["targetId"], json!(a));
    // No secrets in the log.
    assert_eq!(
        app.count("audit_log WHERE after_json LIKE '%argon2%' OR before_json LIKE '%argon2%'")
            .await,
        0
    );

    // The specialist sees only store A's entries, with personal data masked.
    let mine = app.gql(Some(&spec.token), LOG, json!({})).await;
    let edges = mine["data"]["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert!(!edges.is_empty(), "{mine}");
    for e in &edges {
        assert_eq!(e["node"]["store"]["name"], "店A2", "{e}");
    }
    let filtered = app
        .gql(Some(&spec.token), LOG, json!({ "f": { "storeId": b } }))
        .await;
    assert_eq!(filtered["data"]["auditLog"]["totalCount"], 0);

    // Staff entries (no store) hold usernames: directors see them, masked for specialists.
    let admin_view = app
        .gql(
            Some(&admin.token),
            LOG,
            json!({ "f": { "action": "staff.create" } }),
        )
        .await;
    let created: Vec<Value> = admin_view["data"]["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["after"].clone())
        .collect();
    assert!(
        created.iter().any(|a| a["username"] == "spec"),
        "{admin_view}"
    );
    assert_eq!(
        zhanggui::service::kernel::audit::mask_personal(
            json!({ "username": "spec", "role": "SPECIALIST" }),
            zhanggui::auth::Role::Specialist
        ),
        json!({ "username": "***", "role": "SPECIALIST" })
    );

    // Assistants have no AUDIT_VIEW.
    assert_eq!(
        error_code(&app.gql(Some(&asst.token), LOG, json!({})).await),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed_through_the_api() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = app
        .gql(
            Some(&admin.token),
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = body["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(!names.is_empty());
    assert!(
        names.iter().all(|n| !n.to_lowercase().contains("audit")),
        "{names:?}"
    );
}
