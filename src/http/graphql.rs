//! GraphQL over HTTP: POST (queries and mutations), GET (queries only), WebSocket
//! subscriptions. Builds the viewer and per-request loaders, executes, and makes sure every
//! error carries a stable `extensions.code`.

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::http::MultipartOptions;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Data, Request, Response, ServerError};
use async_graphql_actix_web::GraphQLSubscription;
use serde_json::json;

use super::{AppState, RequestId};
use crate::auth::Viewer;
use crate::error::ErrorCode;
use crate::graphql::kernel::loaders::Loaders;
use crate::metrics::operation_label;
use crate::service::{self, ServiceCtx};

fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
    }))
}

/// Safety net: an error without `extensions.code` gets one. Errors before execution (syntax,
/// validation, limits, unknown enum values, bad variables) are BAD_USER_INPUT; a resolver error
/// that missed conversion is INTERNAL with a scrubbed message.
fn ensure_codes(errors: &mut [ServerError]) {
    for err in errors.iter_mut() {
        let has_code = err
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let bad_input = err.path.is_empty()
            || err.message.starts_with("Failed to parse \"")
            || err.message.starts_with("Invalid value for argument")
            || err.message.starts_with("Expected input type")
            || err.message.contains("(occurred while parsing \"");
        let code = if bad_input {
            ErrorCode::BadUserInput
        } else {
            tracing::error!(message = %err.message, "resolver error without code");
            err.message = "internal error".to_owned();
            ErrorCode::Internal
        };
        err.extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
}

/// The operation's name: as given, or the only named operation of the document.
fn operation_name(request: &mut Request) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    match &request.parsed_query().ok()?.operations {
        DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|k| k.to_string())
        }
        _ => None,
    }
}

/// Parsed documents of the queries clients send again and again (a front end sends the same few
/// query texts with different variables), so a repeated query is not parsed again. Bounded: at
/// most [`DocumentCache::ENTRIES`] queries of at most [`DocumentCache::MAX_QUERY`] bytes; when full
/// it starts over. A document is cached only once it parsed; the input guard and validation
/// still run on every request.
#[derive(Default)]
pub struct DocumentCache {
    docs: std::sync::Mutex<std::collections::HashMap<String, ExecutableDocument>>,
}

impl DocumentCache {
    pub const ENTRIES: usize = 256;
    pub const MAX_QUERY: usize = 8 * 1024;

    /// Gives `request` its parsed document from the cache, or parses it and keeps it.
    fn prepare(&self, request: &mut Request) {
        if request.query.len() > Self::MAX_QUERY {
            return;
        }
        let docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(doc) = docs.get(&request.query) {
            request.set_parsed_query(doc.clone());
            return;
        }
        drop(docs);
        let Ok(doc) = request.parsed_query().cloned() else {
            return;
        };
        let mut docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
        if docs.len() >= Self::ENTRIES {
            docs.clear();
        }
        docs.insert(request.query.clone(), doc);
    }
}

async fn execute(req: &HttpRequest, state: &AppState, mut request: Request) -> HttpResponse {
    let started = Instant::now();
    state.documents.prepare(&mut request);
    let operation = operation_label(operation_name(&mut request).as_deref());
    tracing::Span::current().record("operation", operation.as_str());
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("invalid"));
    let viewer = match service::account::auth::viewer_from_header(
        &state.db,
        &state.jwt,
        &state.viewers,
        header,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = ?e, "could not resolve viewer");
            state
                .metrics
                .observe(operation, "INTERNAL", started.elapsed());
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Internal,
                "internal error",
            );
        }
    };
    if viewer == Viewer::Invalid {
        tracing::debug!("request with an invalid access token");
    }
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let ctx = ServiceCtx {
        db: state.db.clone(),
        jwt: state.jwt.clone(),
        pii: state.pii.clone(),
        viewer,
        request_id,
        clock: state.clock.clone(),
        viewers: state.viewers.clone(),
    };
    let loaders = Loaders::new(&ctx);
    let mut response: Response = state.schema.execute(request.data(ctx).data(loaders)).await;
    ensure_codes(&mut response.errors);
    let outcome = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|e| match e.get("code") {
            Some(async_graphql::Value::String(s)) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "OK".to_owned());
    state
        .metrics
        .observe(operation, &outcome, started.elapsed());
    HttpResponse::Ok().json(&response)
}

/// `POST /graphql`: JSON (or multipart) GraphQL requests; body size is bounded.
pub async fn post(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // JSON bodies are small; only multipart uploads may use the larger upload limit.
    let multipart = content_type
        .as_deref()
        .is_some_and(|c| c.starts_with("multipart/"));
    if !multipart && body.len() > state.limits.max_body_bytes {
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadUserInput,
            &format!(
                "the request body exceeds {} bytes",
                state.limits.max_body_bytes
            ),
        );
    }
    let opts = MultipartOptions::default()
        .max_file_size(state.limits.max_upload_bytes)
        .max_num_files(1);
    match async_graphql::http::receive_body(content_type, body.as_ref(), opts).await {
        Ok(request) => execute(&req, &state, request).await,
        Err(e) => error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            &format!("the request body is not a GraphQL request: {e}"),
        ),
    }
}

/// Whether the operation a request would run is a query (GET may not mutate).
fn is_query(request: &mut Request) -> Option<bool> {
    let name = request.operation_name.clone();
    let doc = request.parsed_query().ok()?;
    let ty = match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty,
        DocumentOperations::Multiple(ops) => match &name {
            Some(name) => ops.get(name.as_str())?.node.ty,
            None if ops.len() == 1 => ops.values().next()?.node.ty,
            None => return None,
        },
    };
    Some(ty == OperationType::Query)
}

/// `GET /graphql?query=…`: queries only; a mutation or subscription is refused (405).
pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let mut request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(r) => r,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                &format!("the query string is not a GraphQL request: {e}"),
            );
        }
    };
    if is_query(&mut request) == Some(false) {
        let mut res = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadUserInput,
            "only queries may be sent with GET; send mutations with POST",
        );
        res.headers_mut().insert(
            actix_web::http::header::ALLOW,
            actix_web::http::header::HeaderValue::from_static("GET, POST"),
        );
        return res;
    }
    execute(&req, &state, request).await
}

/// WebSocket subscriptions (`graphql-transport-ws`). The `connection_init` payload carries
/// `{"Authorization": "Bearer …"}`; an invalid token refuses the connection.
pub async fn subscriptions(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let db = state.db.clone();
    let jwt = state.jwt.clone();
    let pii = state.pii.clone();
    let clock = state.clock.clone();
    let viewers = state.viewers.clone();
    GraphQLSubscription::new(state.schema.clone())
        .on_connection_init(move |value| async move {
            let header = value
                .get("Authorization")
                .or_else(|| value.get("authorization"))
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let viewer =
                service::account::auth::viewer_from_header(&db, &jwt, &viewers, header.as_deref())
                    .await
                    .map_err(|_| async_graphql::Error::new("internal error"))?;
            if !matches!(viewer, Viewer::Staff(_)) {
                return Err(async_graphql::Error::new(
                    "UNAUTHENTICATED: a valid access token is required",
                ));
            }
            let ctx = ServiceCtx {
                db,
                jwt,
                pii,
                viewer,
                request_id: None,
                clock,
                viewers,
            };
            let mut data = Data::default();
            data.insert(Loaders::new(&ctx));
            data.insert(ctx);
            Ok(data)
        })
        .start(&req, payload)
}
