//! Request counters and latency histograms, rendered in the Prometheus text format.
//!
//! Labels are the HTTP method, the route *template* (`/api/v1/contacts/{id}`, never the
//! concrete path, which holds ids) and the status class (`2xx`, `4xx`, ...). No label can
//! hold personal data, and the label set stays bounded by the route table.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, &'static str), u64>,
    latency: BTreeMap<String, Histogram>,
}

#[derive(Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl Metrics {
    pub(crate) fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *inner
            .requests
            .entry((method.to_owned(), route.to_owned(), status_class(status)))
            .or_default() += 1;
        let h = inner.latency.entry(route.to_owned()).or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                h.counts[i] += 1;
            }
        }
    }

    pub(crate) fn render(&self) -> String {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP nepenthe_http_requests_total HTTP requests by method, route template and status class.\n");
        out.push_str("# TYPE nepenthe_http_requests_total counter\n");
        for ((method, route, class), n) in &inner.requests {
            let _ = writeln!(
                out,
                "nepenthe_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{class}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
        out.push_str("# HELP nepenthe_http_request_duration_seconds HTTP request latency by route template.\n");
        out.push_str("# TYPE nepenthe_http_request_duration_seconds histogram\n");
        for (route, h) in &inner.latency {
            let route = escape(route);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "nepenthe_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "nepenthe_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "nepenthe_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "nepenthe_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware recording every request under its route template.
pub(crate) async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let seconds = start.elapsed().as_secs_f64();
    state.metrics.record(&method, &route, status, seconds);
    tracing::debug!(%method, %route, status, ms = seconds * 1000.0, "request");
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.record("GET", "/api/v1/contacts/{id}", 200, 0.002);
        m.record("GET", "/api/v1/contacts/{id}", 404, 0.0005);
        let text = m.render();
        assert!(text.contains(
            "nepenthe_http_requests_total{method=\"GET\",route=\"/api/v1/contacts/{id}\",status=\"2xx\"} 1"
        ));
        assert!(text.contains("status=\"4xx\"} 1"));
        assert!(text.contains(
            "nepenthe_http_request_duration_seconds_bucket{route=\"/api/v1/contacts/{id}\",le=\"0.001\"} 1"
        ));
        assert!(text.contains(
            "nepenthe_http_request_duration_seconds_bucket{route=\"/api/v1/contacts/{id}\",le=\"0.0025\"} 2"
        ));
        assert!(text.contains(
            "nepenthe_http_request_duration_seconds_count{route=\"/api/v1/contacts/{id}\"} 2"
        ));
    }
}
