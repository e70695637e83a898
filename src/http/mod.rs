//! HTTP: routes, request ids and spans, health, metrics, GraphiQL.

pub mod graphql;

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpMessage, HttpResponse, guard, web};
use tracing::Instrument;

use crate::auth::jwt::JwtKeys;
use crate::config::Limits;
use crate::db::{self, StatementCounter};
use crate::graphql::AppSchema;
use crate::metrics::Metrics;

/// Shared, immutable server state.
pub struct AppState {
    pub schema: AppSchema,
    pub db: sea_orm::DatabaseConnection,
    pub jwt: Arc<JwtKeys>,
    pub pii: Arc<crate::domain::pii::PiiCipher>,
    pub metrics: Metrics,
    pub statements: Arc<StatementCounter>,
    pub limits: Limits,
    pub clock: crate::service::kernel::clock::Clock,
    /// Who valid access tokens belong to (see `auth::cache`).
    pub viewers: Arc<crate::auth::cache::ViewerCache>,
    /// Parsed documents of repeated queries.
    pub documents: Arc<graphql::DocumentCache>,
}

/// The request id of the current request (from `X-Request-Id` if sane, else generated).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn sane_request_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then(|| s.to_owned())
}

/// Request id and tracing span per request; logs method, path (never the query string or
/// body), status and latency.
async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(sane_request_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
        operation = tracing::field::Empty
    );
    let started = Instant::now();
    let mut res = next.call(req).instrument(span.clone()).await?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    // Every request at debug; at the default level only server errors and slow requests, so
    // logging costs no throughput.
    let (status, elapsed) = (res.status().as_u16(), started.elapsed());
    span.in_scope(|| {
        if status >= 500 || elapsed >= SLOW_REQUEST {
            tracing::info!(status, elapsed_ms = elapsed.as_millis() as u64, "served");
        } else {
            tracing::debug!(status, elapsed_ms = elapsed.as_millis() as u64, "served");
        }
    });
    Ok(res)
}

/// A request slower than this is logged at info.
const SLOW_REQUEST: std::time::Duration = std::time::Duration::from_secs(1);

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// How long `/readyz` waits for the database: well under an orchestrator's probe timeout (the
/// pool itself would wait for a connection much longer).
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(800);

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ping = match tokio::time::timeout(READY_TIMEOUT, state.db.ping()).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {} ms", READY_TIMEOUT.as_millis())),
    };
    match ping {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unreachable")
        }
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let statements = (
        state.statements.total(),
        state
            .statements
            .failed
            .load(std::sync::atomic::Ordering::Relaxed),
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(statements, db::pool_stats(&state.db)))
}

const GRAPHIQL: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Zhanggui GraphiQL</title>
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css" />
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.production.min.js"></script>
  <script src="/graphiql/assets/react-dom.production.min.js"></script>
  <script src="/graphiql/assets/graphiql.min.js"></script>
  <script>
    const url = new URL('/graphql', window.location.href).toString();
    const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl: url.replace(/^http/, 'ws') });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true,
        defaultHeaders: '{"Authorization": "Bearer <accessToken from login>"}' })
    );
  </script>
</body>
</html>
"#;

async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(GRAPHIQL)
}

/// GraphiQL's assets, pinned and compiled into the binary (versions, licences and checksums in
/// `src/http/assets/README.md`): the page works offline and needs no external host.
const GRAPHIQL_ASSETS: [(&str, &str, &[u8]); 4] = [
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("assets/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("assets/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("assets/react-dom.production.min.js"),
    ),
];

async fn graphiql_asset(name: web::Path<String>) -> HttpResponse {
    match GRAPHIQL_ASSETS.iter().find(|(n, _, _)| *n == name.as_str()) {
        Some((_, content_type, body)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header(("Cache-Control", "public, max-age=86400"))
            .body(*body),
        None => HttpResponse::NotFound().finish(),
    }
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    let body_limit = state
        .limits
        .max_body_bytes
        .max(state.limits.max_upload_bytes);
    cfg.app_data(state)
        .app_data(web::PayloadConfig::new(body_limit))
        .service(
            web::resource("/graphql")
                .wrap(from_fn(request_context))
                .route(
                    web::get()
                        .guard(guard::Header("upgrade", "websocket"))
                        .to(graphql::subscriptions),
                )
                .route(web::get().to(graphql::get))
                .route(web::post().to(graphql::post)),
        )
        .service(web::resource("/graphiql").route(web::get().to(graphiql)))
        .service(web::resource("/graphiql/assets/{name}").route(web::get().to(graphiql_asset)))
        .service(web::resource("/healthz").route(web::get().to(healthz)))
        .service(web::resource("/readyz").route(web::get().to(readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics)));
}
