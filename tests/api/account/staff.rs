//! Staff: create with a one-time password, update, the last director, what others see.

use serde_json::{Value, json};

use crate::helpers::{NEW_PASSWORD, error_code, spawn_app, user_error_codes};

const UPDATE: &str = "mutation($input: StaffUpdateInput!) { staffUpdate(input: $input) {
    staffMember { id role active displayName stores { name } } userErrors { field code message } } }";

#[tokio::test]
async fn a_created_member_gets_a_one_time_password_that_must_be_changed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "店A").await;
    let body = app
        .gql(
            Some(&admin.token),
            "mutation($s: ID!) { staffCreate(input: {username: \" Zhang.Wei \", displayName: \"张伟\", role: ASSISTANT, storeIds: [$s]}) {
                staffMember { username displayName role active mustChangePassword stores { name } } oneTimePassword userErrors { code } } }",
            json!({ "s": store }),
        )
        .await;
    let p = &body["data"]["staffCreate"];
    assert_eq!(
        p["staffMember"],
        json!({ "username": "zhang.wei", "displayName": "张伟", "role": "ASSISTANT", "active": true,
                "mustChangePassword": true, "stores": [{ "name": "店A" }] }),
        "{body}"
    );
    let otp = p["oneTimePassword"].as_str().expect("otp");
    assert!(otp.chars().count() >= 10);
    let login = app.login_raw("zhang.wei", otp).await;
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .expect("token");
    let refused = app
        .gql(Some(token), "{ stores { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let user = app.login("zhang.wei", otp).await;
    assert!(
        app.gql(Some(&user.token), "{ stores { totalCount } }", json!({}))
            .await["errors"]
            .is_null()
    );

    // Duplicate usernames (case-insensitive) and bad input change nothing.
    let staff = app.count("staff").await;
    for (input, code) in [
        (
            json!({ "username": "ZHANG.WEI", "role": "ASSISTANT" }),
            "TAKEN",
        ),
        (json!({ "username": "x", "role": "ASSISTANT" }), "TOO_SHORT"),
        (
            json!({ "username": "has space", "role": "ASSISTANT" }),
            "INVALID",
        ),
        (
            json!({ "username": "director2", "role": "DIRECTOR", "storeIds": [store] }),
            "INVALID",
        ),
        (
            json!({ "username": "ghost", "role": "SPECIALIST", "storeIds": ["bad-id"] }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "username": "ghost", "role": "SPECIALIST",
                    "storeIds": [zhanggui::domain::GlobalId::new(zhanggui::domain::NodeType::Store, 99).encode()] }),
            "NOT_FOUND",
        ),
    ] {
        let body = app
            .gql(
                Some(&admin.token),
                "mutation($input: StaffCreateInput!) { staffCreate(input: $input) { staffMember { id } oneTimePassword userErrors { code } } }",
                json!({ "input": input }),
            )
            .await;
        let p = &body["data"]["staffCreate"];
        assert_eq!(
            user_error_codes(p),
            vec![code.to_owned()],
            "{input}: {body}"
        );
        assert_eq!(p["oneTimePassword"], Value::Null);
    }
    assert_eq!(app.count("staff").await, staff);
}

#[tokio::test]
async fn the_last_active_director_can_be_neither_demoted_nor_deactivated() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let audits = app.count("audit_log").await;
    for input in [
        json!({ "id": admin.id, "role": "SPECIALIST" }),
        json!({ "id": admin.id, "active": false }),
    ] {
        let body = app
            .gql(Some(&admin.token), UPDATE, json!({ "input": input }))
            .await;
        assert_eq!(
            user_error_codes(&body["data"]["staffUpdate"]),
            vec!["LAST_DIRECTOR"],
            "{body}"
        );
    }
    assert_eq!(
        app.count("staff WHERE role = 'DIRECTOR' AND active = TRUE")
            .await,
        1
    );
    assert_eq!(app.count("audit_log").await, audits);

    // With a second director, the first may step down.
    let (second, _) = app.create_staff(&admin, "boss2", "DIRECTOR", &[]).await;
    let body = app
        .gql(
            Some(&admin.token),
            UPDATE,
            json!({ "input": { "id": admin.id, "role": "SPECIALIST" } }),
        )
        .await;
    assert_eq!(
        body["data"]["staffUpdate"]["staffMember"]["role"], "SPECIALIST",
        "{body}"
    );
    // The demoted director's old token no longer carries director powers.
    // (Its token is void, or, if issued within the same second, now carries a specialist's
    // role, which is read from the database on every request.)
    let body = app
        .gql(
            Some(&admin.token),
            UPDATE,
            json!({ "input": { "id": second, "active": false } }),
        )
        .await;
    assert!(
        ["UNAUTHENTICATED", "FORBIDDEN"].contains(&error_code(&body)),
        "{body}"
    );
    assert_eq!(
        app.count("staff WHERE role = 'DIRECTOR' AND active = TRUE")
            .await,
        1
    );
}

#[tokio::test]
async fn director_changes_role_display_name_and_store_assignments() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_store(&admin, "店A").await;
    let b = app.create_store(&admin, "店B").await;
    let (id, _) = app.create_staff(&admin, "wang", "ASSISTANT", &[&a]).await;
    let body = app
        .gql(Some(&admin.token), UPDATE, json!({ "input": { "id": id, "role": "SPECIALIST", "displayName": "王专员", "storeIds": [b, a] } }))
        .await;
    assert_eq!(
        body["data"]["staffUpdate"]["staffMember"],
        json!({ "id": id, "role": "SPECIALIST", "active": true, "displayName": "王专员", "stores": [{ "name": "店A" }, { "name": "店B" }] }),
        "{body}"
    );
    // Promoting to director drops the assignments: directors see every store.
    let body = app
        .gql(
            Some(&admin.token),
            UPDATE,
            json!({ "input": { "id": id, "role": "DIRECTOR" } }),
        )
        .await;
    assert_eq!(
        body["data"]["staffUpdate"]["staffMember"]["stores"],
        json!([]),
        "{body}"
    );
    let entry = app.count("audit_log WHERE action = 'staff.update'").await;
    assert_eq!(entry, 2);
}

#[tokio::test]
async fn password_reset_issues_a_new_one_time_password_and_ends_sessions() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "店A").await;
    let spec = app.user(&admin, "li.lei", "SPECIALIST", &[&store]).await;
    // Lock the account with failures; the reset lifts the lock.
    for _ in 0..5 {
        app.login_raw("li.lei", "wrong-password-x").await;
    }
    let body = app
        .gql(
            Some(&admin.token),
            "mutation($id: ID!) { staffPasswordReset(input: {id: $id}) { staffMember { mustChangePassword } oneTimePassword userErrors { code } } }",
            json!({ "id": spec.id }),
        )
        .await;
    let otp = body["data"]["staffPasswordReset"]["oneTimePassword"]
        .as_str()
        .expect("otp")
        .to_owned();
    assert_eq!(
        body["data"]["staffPasswordReset"]["staffMember"]["mustChangePassword"],
        true
    );
    // The old access token reads nothing any more: it is void, or (if issued within the same
    // second as the reset) its account must first change the password it no longer knows.
    let body = app
        .gql(Some(&spec.token), "{ stores { totalCount } }", json!({}))
        .await;
    assert!(
        ["UNAUTHENTICATED", "FORBIDDEN"].contains(&error_code(&body)),
        "{body}"
    );
    let body = app
        .gql(
            None,
            "mutation($r: String!) { tokenRefresh(input: {refreshToken: $r}) { accessToken } }",
            json!({ "r": spec.refresh }),
        )
        .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let old = app.login_raw("li.lei", NEW_PASSWORD).await;
    assert_eq!(user_error_codes(&old["data"]["login"]), vec!["INVALID"]);
    let fresh = app.login_raw("li.lei", &otp).await;
    assert_eq!(
        fresh["data"]["login"]["viewer"]["mustChangePassword"], true,
        "{fresh}"
    );
}

#[tokio::test]
async fn others_see_the_staff_of_their_own_stores_without_usernames_or_login_state() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_store(&admin, "店A").await;
    let b = app.create_store(&admin, "店B").await;
    let spec = app.user(&admin, "spec.a", "SPECIALIST", &[&a]).await;
    app.create_staff(&admin, "asst.a", "ASSISTANT", &[&a]).await;
    let (hidden, _) = app.create_staff(&admin, "asst.b", "ASSISTANT", &[&b]).await;

    let q = "{ staffMembers(first: 50, sortKey: DISPLAY_NAME) { edges { node { id displayName username lastLoginAt mustChangePassword } } } }";
    let body = app.gql(Some(&spec.token), q, json!({})).await;
    let nodes: Vec<Value> = body["data"]["staffMembers"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let names: Vec<&str> = nodes
        .iter()
        .filter_map(|n| n["displayName"].as_str())
        .collect();
    assert_eq!(names, vec!["Administrator", "asst.a", "spec.a"], "{body}");
    for n in &nodes {
        if n["id"] == json!(spec.id) {
            assert_eq!(n["username"], "spec.a", "one sees one's own username");
        } else {
            assert_eq!(n["username"], Value::Null, "{n}");
            assert_eq!(n["lastLoginAt"], Value::Null, "{n}");
            assert_eq!(n["mustChangePassword"], Value::Null, "{n}");
        }
    }
    let body = app
        .gql(
            Some(&spec.token),
            "query($id: ID!) { staffMember(id: $id) { id } }",
            json!({ "id": hidden }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let body = app.gql(Some(&admin.token), q, json!({})).await;
    assert_eq!(
        body["data"]["staffMembers"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    assert!(body["data"]["staffMembers"]["edges"][0]["node"]["username"].is_string());
}

#[tokio::test]
async fn staff_members_filter_by_role_store_activity_and_text() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let a = app.create_store(&admin, "店A").await;
    let b = app.create_store(&admin, "店B").await;
    app.create_staff(&admin, "wang.a", "SPECIALIST", &[&a])
        .await;
    app.create_staff(&admin, "li.b", "ASSISTANT", &[&b]).await;
    let (gone, _) = app
        .create_staff(&admin, "zhao.ab", "ASSISTANT", &[&a, &b])
        .await;
    app.gql(
        Some(&admin.token),
        UPDATE,
        json!({ "input": { "id": gone, "active": false } }),
    )
    .await;
    let q = "query($f: StaffMemberFilter) { staffMembers(first: 50, filter: $f, sortKey: DISPLAY_NAME) { nodes { displayName } } }";
    let names = |body: Value| -> Vec<String> {
        body["data"]["staffMembers"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["displayName"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        names(
            app.gql(
                Some(&admin.token),
                q,
                json!({ "f": { "role": "ASSISTANT" } })
            )
            .await
        ),
        vec!["li.b", "zhao.ab"]
    );
    assert_eq!(
        names(
            app.gql(Some(&admin.token), q, json!({ "f": { "storeId": a } }))
                .await
        ),
        vec!["wang.a", "zhao.ab"]
    );
    assert_eq!(
        names(
            app.gql(
                Some(&admin.token),
                q,
                json!({ "f": { "storeId": a, "active": true } })
            )
            .await
        ),
        vec!["wang.a"]
    );
    assert_eq!(
        names(
            app.gql(Some(&admin.token), q, json!({ "f": { "search": "ZHAO" } }))
                .await
        ),
        vec!["zhao.ab"]
    );
    let bad = app
        .gql(Some(&admin.token), q, json!({ "f": { "storeId": "nope" } }))
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
}
