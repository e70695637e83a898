//! Prometheus metrics, with the `prometheus` crate: GraphQL requests and latency by operation
//! name and outcome, SQL statements, database pool use. Per process, as Prometheus expects (it
//! sums over instances). Metric names are stable.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Histogram bucket bounds in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Distinct operation names kept before further names are counted as `other`.
const MAX_OPERATIONS: usize = 256;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    statements: IntCounter,
    statement_errors: IntCounter,
    pool: IntGaugeVec,
    operations: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new().unwrap_or_else(|e| panic!("metric definitions are static: {e}"))
    }
}

/// A label-safe operation name: client-chosen names are bounded in form and number.
pub fn operation_label(name: Option<&str>) -> String {
    match name {
        Some(n)
            if !n.is_empty()
                && n.len() <= 64
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            n.to_owned()
        }
        Some(_) => "invalid".to_owned(),
        None => "anonymous".to_owned(),
    }
}

impl Metrics {
    fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let labels = ["operation", "outcome"];
        let requests = IntCounterVec::new(
            Opts::new(
                "zhanggui_graphql_requests_total",
                "GraphQL requests by operation name and outcome.",
            ),
            &labels,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "zhanggui_graphql_request_duration_seconds",
                "GraphQL request latency.",
            )
            .buckets(BUCKETS.to_vec()),
            &labels,
        )?;
        let statements =
            IntCounter::new("zhanggui_db_statements_total", "SQL statements executed.")?;
        let statement_errors = IntCounter::new(
            "zhanggui_db_statement_errors_total",
            "SQL statements that failed.",
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "zhanggui_db_pool_connections",
                "Database pool connections by state.",
            ),
            &["state"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(statements.clone()))?;
        registry.register(Box::new(statement_errors.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            statements,
            statement_errors,
            pool,
            operations: Mutex::new(HashSet::new()),
        })
    }

    pub fn observe(&self, operation: String, outcome: &str, elapsed: Duration) {
        let operation = match self.operations.lock() {
            Ok(seen) if seen.contains(&operation) => operation,
            Ok(mut seen) if seen.len() < MAX_OPERATIONS => {
                seen.insert(operation.clone());
                operation
            }
            _ => "other".to_owned(),
        };
        let labels = [operation.as_str(), outcome];
        self.requests.with_label_values(&labels).inc();
        self.latency
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Renders the Prometheus text exposition format; `statements` are the process's totals so
    /// far (executed, failed) and `pool` the database pool (size, idle, max).
    pub fn render(&self, statements: (u64, u64), pool: Option<(u32, usize, u32)>) -> String {
        advance(&self.statements, statements.0);
        advance(&self.statement_errors, statements.1);
        if let Some((size, idle, max)) = pool {
            let in_use = (size as usize).saturating_sub(idle);
            self.pool.with_label_values(&["in_use"]).set(in_use as i64);
            self.pool.with_label_values(&["idle"]).set(idle as i64);
            self.pool.with_label_values(&["max"]).set(i64::from(max));
        }
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Moves a counter up to a total counted elsewhere (counters only go up).
fn advance(counter: &IntCounter, total: u64) {
    let now = counter.get();
    if total > now {
        counter.inc_by(total - now);
    }
}
