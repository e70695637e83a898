//! Prometheus metrics: GraphQL requests and latency by operation name and outcome, SQL
//! statements, database pool use. Per process, as Prometheus expects (it sums over instances).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Histogram bucket bounds in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Distinct operation names kept before further names are counted as `other`.
const MAX_OPERATIONS: usize = 256;

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String), Series>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
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
    pub fn observe(&self, operation: String, outcome: &str, elapsed: Duration) {
        let Ok(mut map) = self.requests.lock() else {
            return;
        };
        let known = map.keys().any(|(op, _)| *op == operation);
        let operation = if !known && map.len() >= MAX_OPERATIONS {
            "other".to_owned()
        } else {
            operation
        };
        let series = map.entry((operation, outcome.to_owned())).or_default();
        let secs = elapsed.as_secs_f64();
        series.count += 1;
        series.sum += secs;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                series.buckets[i] += 1;
            }
        }
    }

    /// Renders the Prometheus text exposition format.
    pub fn render(&self, statements: (u64, u64), pool: Option<(u32, usize, u32)>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP zhanggui_graphql_requests_total GraphQL requests by operation name and outcome."
        );
        let _ = writeln!(out, "# TYPE zhanggui_graphql_requests_total counter");
        if let Ok(map) = self.requests.lock() {
            for ((op, outcome), s) in map.iter() {
                let _ = writeln!(
                    out,
                    "zhanggui_graphql_requests_total{{operation=\"{op}\",outcome=\"{outcome}\"}} {}",
                    s.count
                );
            }
            let _ = writeln!(
                out,
                "# HELP zhanggui_graphql_request_duration_seconds GraphQL request latency."
            );
            let _ = writeln!(
                out,
                "# TYPE zhanggui_graphql_request_duration_seconds histogram"
            );
            for ((op, outcome), s) in map.iter() {
                let labels = format!("operation=\"{op}\",outcome=\"{outcome}\"");
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "zhanggui_graphql_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                        s.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "zhanggui_graphql_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "zhanggui_graphql_request_duration_seconds_sum{{{labels}}} {}",
                    s.sum
                );
                let _ = writeln!(
                    out,
                    "zhanggui_graphql_request_duration_seconds_count{{{labels}}} {}",
                    s.count
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP zhanggui_db_statements_total SQL statements executed."
        );
        let _ = writeln!(out, "# TYPE zhanggui_db_statements_total counter");
        let _ = writeln!(out, "zhanggui_db_statements_total {}", statements.0);
        let _ = writeln!(
            out,
            "# HELP zhanggui_db_statement_errors_total SQL statements that failed."
        );
        let _ = writeln!(out, "# TYPE zhanggui_db_statement_errors_total counter");
        let _ = writeln!(out, "zhanggui_db_statement_errors_total {}", statements.1);
        if let Some((size, idle, max)) = pool {
            let _ = writeln!(
                out,
                "# HELP zhanggui_db_pool_connections Database pool connections by state."
            );
            let _ = writeln!(out, "# TYPE zhanggui_db_pool_connections gauge");
            let in_use = (size as usize).saturating_sub(idle);
            let _ = writeln!(
                out,
                "zhanggui_db_pool_connections{{state=\"in_use\"}} {in_use}"
            );
            let _ = writeln!(out, "zhanggui_db_pool_connections{{state=\"idle\"}} {idle}");
            let _ = writeln!(out, "zhanggui_db_pool_connections{{state=\"max\"}} {max}");
        }
        out
    }
}
