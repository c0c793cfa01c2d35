//! Load test for the hot Genesys route, `GET /api/v2/conversations/{id}`: an open-loop
//! client sends requests at a fixed rate (default 2,000/s for 10 s) against the real server
//! on a fresh SQLite database, and prints latency percentiles.
//!
//! `cargo run --release -p nepenthe-server --example bench_conversation -- [RATE] [SECONDS] [CONVERSATIONS]`
//!
//! Client and server share the machine, so the numbers include the client's own cost.

use nepenthe_core::{Role, TenantId};
use nepenthe_server::{AppState, ServerConfig};
use nepenthe_store::testing::TestDb;
use nepenthe_store::{NewInteraction, NewParticipant};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric arguments"))
        .collect();
    let rate = args.first().copied().unwrap_or(2000);
    let seconds = args.get(1).copied().unwrap_or(10);
    let conversations = args.get(2).copied().unwrap_or(1000) as usize;

    let db = TestDb::sqlite();
    let store = db.open().await;
    let tenant = TenantId(101);
    store.create_tenant(tenant, "bench").await.unwrap();
    let (_, token) = store.create_token(tenant, Role::Agent, None).await.unwrap();
    let mut ids = Vec::with_capacity(conversations);
    for i in 0..conversations {
        let participant = |purpose, name: &str| NewParticipant {
            purpose: Some(purpose),
            name: Some(name.into()),
            attributes: [
                ("CustomerName".to_string(), format!("Customer {i}")),
                ("Postcode".to_string(), "SW1A 1AA".to_string()),
            ]
            .into(),
            ..Default::default()
        };
        let it = store
            .create_interaction(
                tenant,
                NewInteraction {
                    media_type: nepenthe_core::MediaType::Voice,
                    status: nepenthe_core::InteractionStatus::InProgress,
                    text: Some("x".repeat(1000)),
                    participants: vec![
                        participant(nepenthe_core::Purpose::Customer, "Customer"),
                        participant(nepenthe_core::Purpose::Agent, "Agent"),
                    ],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        ids.push(it.id.to_string());
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(store.clone(), ServerConfig::default());
    tokio::spawn(nepenthe_server::serve(
        listener,
        state,
        std::future::pending(),
    ));

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    // Warm up connections and caches.
    for id in ids.iter().take(50) {
        let r = client
            .get(format!("{base}/api/v2/conversations/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }

    let total = (rate * seconds) as usize;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Duration, u16)>();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    for n in 0..total {
        tick.tick().await;
        let url = format!("{base}/api/v2/conversations/{}", ids[n % ids.len()]);
        let (client, token, tx) = (client.clone(), token.clone(), tx.clone());
        tokio::spawn(async move {
            let t = Instant::now();
            let status = match client.get(url).bearer_auth(token).send().await {
                Ok(r) => {
                    let s = r.status().as_u16();
                    let _ = r.bytes().await;
                    s
                }
                Err(_) => 0,
            };
            let _ = tx.send((t.elapsed(), status));
        });
    }
    drop(tx);
    let mut lat = Vec::with_capacity(total);
    let mut errors = 0usize;
    while let Some((d, status)) = rx.recv().await {
        if status != 200 {
            errors += 1;
        }
        lat.push(d);
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "GET /api/v2/conversations/{{id}}: {} requests in {elapsed:.2} s ({:.0}/s achieved, target {rate}/s), {errors} errors",
        lat.len(),
        lat.len() as f64 / elapsed
    );
    println!(
        "latency p50 {:?}  p90 {:?}  p99 {:?}  p99.9 {:?}  max {:?}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(0.999),
        lat[lat.len() - 1]
    );
    store.close().await;
}
