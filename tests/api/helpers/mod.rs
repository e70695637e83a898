//! Test harness: `spawn_app()` builds the application exactly as `serve` does.

#![allow(dead_code)]

pub mod audit_shapes;

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use zhanggui::config::{Clock, SecretString, Settings};
use zhanggui::db::StatementCounter;
use zhanggui::startup::Application;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const NEW_PASSWORD: &str = "a-good-new-password";

/// A database for one test; PostgreSQL databases are dropped when it goes away.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("t_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(admin_url.clone())
                    .await
                    .expect("connect TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b)
                    .to_owned();
                Self {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg: Some((admin_url, name)),
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    pg: None,
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            // Best effort, on a runtime of its own (Drop cannot await).
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = sea_orm::Database::connect(admin_url).await.ok()?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub addr: String,
    pub client: reqwest::Client,
    /// The first director's one-time password.
    pub admin_otp: String,
    /// A separate connection for assertions (row counts).
    pub db: DatabaseConnection,
    handle: actix_web::dev::ServerHandle,
    pub test_db: TestDb,
    /// The server's clock: a test moves time with `clock.advance(…)` instead of rewriting
    /// stored timestamps.
    pub clock: Clock,
    /// The server pool's statement counter: `start_recording` / `take_recorded` give the
    /// statements a request ran.
    pub statement_log: Arc<StatementCounter>,
}

/// Settings as `serve` would build them, on a random port.
pub fn settings(url: &str) -> Settings {
    let mut s = Settings::new("127.0.0.1:0".into(), url.to_owned());
    s.jwt_secret = Some(SecretString::from(JWT_SECRET));
    s.workers = 2;
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        zhanggui::telemetry::init("debug");
    }
    let test_db = TestDb::new().await;
    let mut s = settings(&test_db.url);
    tweak(&mut s);
    let clock = s.clock.clone();
    let app = Application::build(s).await.expect("application builds");
    let admin_otp = app
        .first_director_password
        .clone()
        .expect("first start creates admin");
    let addr = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let statement_log = app.statements.clone();
    tokio::spawn(app.run_until_stopped());
    let db = zhanggui::db::connect(&test_db.url, Arc::new(StatementCounter::default()))
        .await
        .expect("test connection");
    TestApp {
        addr,
        client: reqwest::Client::new(),
        admin_otp,
        db,
        handle,
        test_db,
        clock,
        statement_log,
    }
}

/// A logged-in staff member.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub username: String,
    pub token: String,
    pub refresh: String,
}

impl Drop for TestApp {
    /// Every audit row the test wrote keeps its pinned shape (see `audit_shapes`).
    fn drop(&mut self) {
        if !std::thread::panicking() {
            audit_shapes::check_database(&self.test_db.url);
        }
    }
}

impl TestApp {
    /// A second server on this test's database (another process, as far as caches go): its
    /// address. It runs until the test ends.
    pub async fn second_server(&self) -> String {
        let app = Application::build(settings(&self.test_db.url))
            .await
            .expect("second server builds");
        let addr = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        addr
    }

    /// POSTs a GraphQL request to the server at `addr`.
    pub async fn gql_at(&self, addr: &str, token: &str, query: &str) -> Value {
        self.client
            .post(format!("{addr}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON body")
    }

    /// Whether this test runs on PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.test_db.url.starts_with("postgres")
    }

    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }

    /// POSTs a GraphQL request; returns the whole JSON body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.addr))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request");
        assert_eq!(res.status().as_u16(), 200, "GraphQL over POST answers 200");
        res.json().await.expect("json body")
    }

    pub async fn login_raw(&self, username: &str, password: &str) -> Value {
        self.gql(
            None,
            "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
                accessToken refreshToken accessTokenExpiresAt
                viewer { id username role mustChangePassword }
                userErrors { field code message } } }",
            json!({ "u": username, "p": password }),
        )
        .await
    }

    /// Logs in (and replaces a one-time password when asked to).
    pub async fn login(&self, username: &str, password: &str) -> User {
        let body = self.login_raw(username, password).await;
        let p = &body["data"]["login"];
        assert!(p["accessToken"].is_string(), "login failed: {body}");
        let mut user = User {
            id: p["viewer"]["id"].as_str().unwrap_or_default().into(),
            username: username.into(),
            token: p["accessToken"].as_str().unwrap_or_default().into(),
            refresh: p["refreshToken"].as_str().unwrap_or_default().into(),
        };
        if p["viewer"]["mustChangePassword"] == json!(true) {
            let body = self
                .gql(
                    Some(&user.token),
                    "mutation($c: String!, $n: String!) { passwordChange(input: {currentPassword: $c, newPassword: $n}) {
                        accessToken refreshToken userErrors { code message } } }",
                    json!({ "c": password, "n": NEW_PASSWORD }),
                )
                .await;
            let p = &body["data"]["passwordChange"];
            assert!(
                p["accessToken"].is_string(),
                "password change failed: {body}"
            );
            user.token = p["accessToken"].as_str().unwrap_or_default().into();
            user.refresh = p["refreshToken"].as_str().unwrap_or_default().into();
        }
        user
    }

    /// The first director, logged in with the password changed.
    pub async fn admin(&self) -> User {
        self.login("admin", &self.admin_otp).await
    }

    pub async fn create_store(&self, director: &User, name: &str) -> String {
        let body = self
            .gql(
                Some(&director.token),
                "mutation($n: String!) { storeCreate(input: {name: $n, platform: TMALL}) { store { id } userErrors { code message } } }",
                json!({ "n": name }),
            )
            .await;
        body["data"]["storeCreate"]["store"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("storeCreate failed: {body}"))
            .to_owned()
    }

    /// Creates a staff member; returns (id, one-time password).
    pub async fn create_staff(
        &self,
        director: &User,
        username: &str,
        role: &str,
        stores: &[&str],
    ) -> (String, String) {
        let body = self
            .gql(
                Some(&director.token),
                "mutation($u: String!, $r: Role!, $s: [ID!]!) { staffCreate(input: {username: $u, role: $r, storeIds: $s}) {
                    staffMember { id } oneTimePassword userErrors { field code message } } }",
                json!({ "u": username, "r": role, "s": stores }),
            )
            .await;
        let p = &body["data"]["staffCreate"];
        (
            p["staffMember"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("staffCreate failed: {body}"))
                .to_owned(),
            p["oneTimePassword"].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// Creates a staff member and logs them in with the password changed.
    pub async fn user(&self, director: &User, username: &str, role: &str, stores: &[&str]) -> User {
        let (_, otp) = self.create_staff(director, username, role, stores).await;
        self.login(username, &otp).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count")
    }

    /// SQL statements the server has executed so far (from /metrics).
    pub async fn statements(&self) -> u64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.addr))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        text.lines()
            .find_map(|l| l.strip_prefix("zhanggui_db_statements_total "))
            .and_then(|n| n.trim().parse().ok())
            .expect("statement counter")
    }
}

/// The `extensions.code` of the first error.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// The codes of a payload's userErrors.
pub fn user_error_codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

impl TestApp {
    /// Uploads a CSV to `productsImport` as GraphQL multipart; returns the payload.
    pub async fn import_products(&self, user: &User, store: &str, csv: &str) -> Value {
        self.upload(user, "mutation($input: ProductsImportInput!) { productsImport(input: $input) {
                report { rows categoriesCreated productsCreated productsUpdated skusCreated skusUpdated rowsUnchanged }
                rowErrors { row column message } totalRowErrors userErrors { field code message } } }", "productsImport", store, csv).await
    }

    /// Uploads a CSV to `ordersImport` as GraphQL multipart; returns the payload.
    pub async fn import_orders(&self, user: &User, store: &str, csv: &str) -> Value {
        self.upload(user, "mutation($input: OrdersImportInput!) { ordersImport(input: $input) {
                report { rows ordersCreated ordersUpdated ordersUnchanged membersCreated saleMovements returnMovements oversoldLines tierChanges }
                rowErrors { row column message } totalRowErrors userErrors { field code message } } }", "ordersImport", store, csv).await
    }

    async fn upload(&self, user: &User, query: &str, op: &str, store: &str, csv: &str) -> Value {
        let operations = json!({
            "query": query,
            "variables": { "input": { "storeId": store, "file": null } }
        });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.input.file"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                    .file_name("products.csv")
                    .mime_str("text/csv")
                    .expect("mime"),
            );
        let res = self
            .client
            .post(format!("{}/graphql", self.addr))
            .bearer_auth(&user.token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let body: Value = res.json().await.expect("json");
        if body["errors"].is_array() {
            return body;
        }
        body["data"][op].clone()
    }
}
