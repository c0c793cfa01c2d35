//! Open-loop load generator: GETs one URL at a fixed request rate and reports latency
//! percentiles measured from each request's *scheduled* start (so a stalled server cannot
//! hide its queueing delay — no coordinated omission).
//!
//! `cargo run --release -p nepenthe --example load_get -- --url URL --token T --rate 2000 --seconds 10`

use std::time::{Duration, Instant};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let url = arg("--url", "http://127.0.0.1:8080/healthz");
    let token = arg("--token", "");
    let rate: u64 = arg("--rate", "2000").parse().expect("--rate");
    let seconds: u64 = arg("--seconds", "10").parse().expect("--seconds");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    // Warm up connections.
    for _ in 0..50 {
        let _ = client.get(&url).bearer_auth(&token).send().await;
    }
    let total = rate * seconds;
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let start = Instant::now();
    let mut handles = Vec::with_capacity(total as usize);
    for i in 0..total {
        let scheduled = start + interval * i as u32;
        tokio::time::sleep_until(scheduled.into()).await;
        let c = client.clone();
        let u = url.clone();
        let t = token.clone();
        handles.push(tokio::spawn(async move {
            let ok = match c.get(&u).bearer_auth(&t).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            (scheduled.elapsed(), ok)
        }));
    }
    let mut lat = Vec::with_capacity(handles.len());
    let mut errors = 0u64;
    for h in handles {
        let (d, ok) = h.await.expect("task");
        if !ok {
            errors += 1;
        }
        lat.push(d);
    }
    let elapsed = start.elapsed().as_secs_f64();
    lat.sort();
    let pct =
        |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "{{\"requests\":{},\"errors\":{},\"achieved_rps\":{:.0},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\"p999_ms\":{:.3},\"max_ms\":{:.3}}}",
        lat.len(),
        errors,
        lat.len() as f64 / elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(0.999),
        lat.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    );
}
