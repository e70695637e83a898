//! Accounts and tokens: first start, login, lockout, refresh rotation, bad tokens, deactivation.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{JWT_SECRET, NEW_PASSWORD, error_code, settings, spawn_app, user_error_codes};

const VIEWER: &str = "{ viewer { id username role mustChangePassword } }";
const STORES: &str = "{ stores(first: 5) { edges { node { id } } } }";

#[tokio::test]
async fn first_director_must_change_one_time_password_before_anything_else() {
    let app = spawn_app().await;
    let body = app.login_raw("admin", &app.admin_otp).await;
    let token = body["data"]["login"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(body["data"]["login"]["viewer"]["role"], "DIRECTOR");
    assert_eq!(body["data"]["login"]["viewer"]["mustChangePassword"], true);

    let viewer = app.gql(Some(&token), VIEWER, json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["mustChangePassword"], true);

    let refused = app.gql(Some(&token), STORES, json!({})).await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("change your password")
    );
    let refused = app
        .gql(
            Some(&token),
            "mutation { storeCreate(input: {name: \"X\", platform: JD}) { store { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    assert_eq!(app.count("store").await, 0);

    let short = app
        .gql(
            Some(&token),
            "mutation($c: String!) { passwordChange(input: {currentPassword: $c, newPassword: \"short\"}) { accessToken userErrors { field code } } }",
            json!({ "c": app.admin_otp }),
        )
        .await;
    assert_eq!(short["data"]["passwordChange"]["accessToken"], Value::Null);
    assert_eq!(
        short["data"]["passwordChange"]["userErrors"][0]["code"],
        "TOO_SHORT"
    );
    assert_eq!(
        short["data"]["passwordChange"]["userErrors"][0]["field"],
        json!(["input", "newPassword"])
    );

    let wrong = app
        .gql(
            Some(&token),
            "mutation { passwordChange(input: {currentPassword: \"not-the-password\", newPassword: \"long-enough-pass\"}) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        wrong["data"]["passwordChange"]["userErrors"][0]["code"],
        "WRONG_PASSWORD"
    );

    let admin = app.admin().await;
    let ok = app.gql(Some(&admin.token), STORES, json!({})).await;
    assert!(ok["errors"].is_null(), "{ok}");
    // The one-time password is gone.
    let again = app.login_raw("admin", &app.admin_otp).await;
    assert_eq!(user_error_codes(&again["data"]["login"]), vec!["INVALID"]);
    // The new one works and no change is asked for any more.
    let fresh = app.login_raw("admin", NEW_PASSWORD).await;
    assert_eq!(
        fresh["data"]["login"]["viewer"]["mustChangePassword"],
        false
    );
}

#[tokio::test]
async fn unknown_user_and_wrong_password_answer_the_same() {
    let app = spawn_app().await;
    let unknown = app.login_raw("nobody", "whatever-password").await;
    let wrong = app.login_raw("admin", "whatever-password").await;
    assert_eq!(unknown, wrong);
    assert_eq!(unknown["data"]["login"]["accessToken"], Value::Null);
    assert_eq!(
        unknown["data"]["login"]["userErrors"],
        json!([{ "field": ["input"], "code": "INVALID", "message": "username or password is incorrect" }])
    );
}

#[tokio::test]
async fn five_failures_lock_the_username_even_for_the_right_password_and_across_restarts() {
    let app = spawn_app().await;
    for attempt in 1..=4 {
        let body = app.login_raw("admin", "wrong-password-1").await;
        assert_eq!(
            user_error_codes(&body["data"]["login"]),
            vec!["INVALID"],
            "attempt {attempt}"
        );
    }
    let fifth = app.login_raw("ADMIN", "wrong-password-1").await;
    assert_eq!(error_code(&fifth), "RATE_LIMITED", "{fifth}");
    let right = app.login_raw("admin", &app.admin_otp).await;
    assert_eq!(error_code(&right), "RATE_LIMITED");
    assert!(
        right["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_i64()
            .unwrap_or(0)
            > 0
    );

    // A second server process on the same database sees the same lock.
    let second = zhanggui::startup::Application::build(settings(&app.test_db.url))
        .await
        .expect("second server");
    let addr = format!("http://127.0.0.1:{}/graphql", second.port());
    tokio::spawn(second.run_until_stopped());
    let body: Value = app
        .client
        .post(addr)
        .json(&json!({ "query": "mutation($p: String!) { login(input: {username: \"admin\", password: $p}) { accessToken } }", "variables": { "p": app.admin_otp } }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // Other usernames are not affected.
    let other = app.login_raw("someone-else", "wrong-password-1").await;
    assert_eq!(user_error_codes(&other["data"]["login"]), vec!["INVALID"]);
}

const REFRESH: &str = "mutation($r: String!) { tokenRefresh(input: {refreshToken: $r}) { accessToken refreshToken viewer { username } } }";

#[tokio::test]
async fn refresh_rotates_and_reuse_of_a_rotated_token_revokes_the_family() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let first = app.gql(None, REFRESH, json!({ "r": admin.refresh })).await;
    let r2 = first["data"]["tokenRefresh"]["refreshToken"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(r2, admin.refresh);
    assert_eq!(first["data"]["tokenRefresh"]["viewer"]["username"], "admin");
    let access = first["data"]["tokenRefresh"]["accessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    assert!(app.gql(Some(&access), VIEWER, json!({})).await["errors"].is_null());

    // Presenting the rotated token again: refused, and the whole family dies.
    let reuse = app.gql(None, REFRESH, json!({ "r": admin.refresh })).await;
    assert_eq!(error_code(&reuse), "UNAUTHENTICATED");
    let after = app.gql(None, REFRESH, json!({ "r": r2 })).await;
    assert_eq!(error_code(&after), "UNAUTHENTICATED");

    let garbage = app.gql(None, REFRESH, json!({ "r": "not-a-token" })).await;
    assert_eq!(error_code(&garbage), "UNAUTHENTICATED");
    // Refresh tokens are stored only as hashes.
    let stored = app
        .count(&format!("refresh_token WHERE token_hash = '{}'", r2))
        .await;
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let out = app
        .gql(
            Some(&admin.token),
            "mutation($r: String!) { logout(input: {refreshToken: $r}) { revoked } }",
            json!({ "r": admin.refresh }),
        )
        .await;
    assert_eq!(out["data"]["logout"]["revoked"], true);
    let refused = app.gql(None, REFRESH, json!({ "r": admin.refresh })).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED");
}

fn token(header: Header, claims: Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret)).expect("encode")
}

#[tokio::test]
async fn expired_forged_unsigned_and_garbage_tokens_are_unauthenticated_never_anonymous() {
    use base64::Engine;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let now = chrono::Utc::now().timestamp();
    let claims = |iat: i64, exp: i64| json!({ "sub": "1", "role": "DIRECTOR", "iat": iat, "exp": exp, "jti": "x" });
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let cases = vec![
        (
            "expired",
            token(
                Header::new(Algorithm::HS256),
                claims(now, now - 1),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "wrong signature",
            token(
                Header::new(Algorithm::HS256),
                claims(now, now + 600),
                b"another-secret-another-secret-0123",
            ),
        ),
        (
            "HS512",
            token(
                Header::new(Algorithm::HS512),
                claims(now, now + 600),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({ "alg": "none", "typ": "JWT" })),
                b64(&claims(now, now + 600))
            ),
        ),
        ("garbage", "garbage".to_owned()),
        ("tampered", format!("{}x", admin.token)),
    ];
    for (name, bad) in cases {
        for query in [VIEWER, STORES] {
            let body = app.gql(Some(&bad), query, json!({})).await;
            assert_eq!(error_code(&body), "UNAUTHENTICATED", "{name}: {body}");
            assert_eq!(body["data"], Value::Null, "{name}");
        }
    }
    // A token signed with the server's secret still works (the cases above fail for their flaw).
    let good = token(
        Header::new(Algorithm::HS256),
        claims(now, now + 600),
        JWT_SECRET.as_bytes(),
    );
    let body = app.gql(Some(&good), VIEWER, json!({})).await;
    assert_eq!(body["data"]["viewer"]["username"], "admin", "{body}");
    // A non-bearer scheme is not anonymous either.
    let res: Value = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("Authorization", "Basic YWRtaW46cGFzcw==")
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .expect("req")
        .json()
        .await
        .expect("json");
    assert_eq!(error_code(&res), "UNAUTHENTICATED");
    // No credentials at all: also UNAUTHENTICATED for protected data.
    assert_eq!(
        error_code(&app.gql(None, STORES, json!({})).await),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_deactivated_member_cannot_log_in_refresh_or_use_an_unexpired_token() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let store = app.create_store(&admin, "旗舰店").await;
    let spec = app.user(&admin, "li.na", "SPECIALIST", &[&store]).await;
    assert!(app.gql(Some(&spec.token), STORES, json!({})).await["errors"].is_null());

    let body = app
        .gql(
            Some(&admin.token),
            "mutation($id: ID!) { staffUpdate(input: {id: $id, active: false}) { staffMember { active } userErrors { code } } }",
            json!({ "id": spec.id }),
        )
        .await;
    assert_eq!(
        body["data"]["staffUpdate"]["staffMember"]["active"], false,
        "{body}"
    );

    assert_eq!(
        error_code(&app.gql(Some(&spec.token), STORES, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        error_code(&app.gql(None, REFRESH, json!({ "r": spec.refresh })).await),
        "UNAUTHENTICATED"
    );
    let login = app.login_raw("li.na", NEW_PASSWORD).await;
    assert_eq!(user_error_codes(&login["data"]["login"]), vec!["INVALID"]);
}

/// Two server processes on one PostgreSQL database, each caching who tokens belong to: a
/// change made through one (store assignment, deactivation) reaches the other through
/// PostgreSQL's NOTIFY as soon as its listener runs — normally before the client's next request
/// arrives; on a starved machine a few milliseconds later, so the test allows up to two seconds.
/// (SQLite is served by one process; there the in-process eviction is exercised by the
/// deactivation and password tests above.)
#[tokio::test]
async fn staff_changes_through_one_server_take_effect_on_the_next_request_of_another() {
    let app = spawn_app().await;
    if !app.on_postgres() {
        return;
    }
    let admin = app.admin().await;
    let first = app.create_store(&admin, "一号店").await;
    let second = app.create_store(&admin, "二号店").await;
    let spec = app.user(&admin, "spec", "SPECIALIST", &[&first]).await;
    let other = app.second_server().await;
    let stores = "{ stores(first: 5) { nodes { id } } }";
    // Warm the other server's cache with the specialist.
    for _ in 0..3 {
        let b = app.gql_at(&other, &spec.token, stores).await;
        assert_eq!(
            b["data"]["stores"]["nodes"],
            json!([{ "id": first }]),
            "{b}"
        );
    }
    let update =
        "mutation($i: StaffUpdateInput!) { staffUpdate(input: $i) { userErrors { code } } }";
    let b = app
        .gql(
            Some(&admin.token),
            update,
            json!({ "i": { "id": spec.id, "storeIds": [second] } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&b["data"]["staffUpdate"]),
        Vec::<String>::new(),
        "{b}"
    );
    let b = app.gql_at(&other, &spec.token, stores).await;
    assert_eq!(
        b["data"]["stores"]["nodes"],
        json!([{ "id": second }]),
        "moved: {b}"
    );

    let b = app
        .gql(
            Some(&admin.token),
            update,
            json!({ "i": { "id": spec.id, "active": false } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&b["data"]["staffUpdate"]),
        Vec::<String>::new(),
        "{b}"
    );
    let b = eventually(&app, &other, &spec.token, stores, |b| {
        error_code(b) == "UNAUTHENTICATED"
    })
    .await;
    assert_eq!(error_code(&b), "UNAUTHENTICATED", "deactivated: {b}");
}

/// Asks `addr` until `done` holds for the answer (at most two seconds); the last answer.
async fn eventually(
    app: &crate::helpers::TestApp,
    addr: &str,
    token: &str,
    query: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let mut b = app.gql_at(addr, token, query).await;
    for _ in 0..40 {
        if done(&b) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        b = app.gql_at(addr, token, query).await;
    }
    b
}
