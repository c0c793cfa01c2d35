//! What encryption costs: import, identification and read-back (the export path) throughput
//! on a SQLite file. Run it twice — normal, and built with the `insecure-plaintext-bench`
//! feature of nepenthe-crypto — and compare (scripts/bench-crypto.sh does both).

use nepenthe_core::identify::IdentifyConfig;
use nepenthe_core::*;
use nepenthe_store::testing::TestDb;
use nepenthe_store::{InteractionFilter, NewInteraction, NewParticipant};
use std::time::Instant;

const T: TenantId = TenantId(1);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let contacts: usize = std::env::var("CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let per = 10;
    let db = TestDb::sqlite();
    let s = db.open().await;
    s.create_tenant(T, "bench").await.unwrap();
    let text = "thanks for calling, can you confirm your postcode and the last four digits of the card please ".repeat(10);

    let start = Instant::now();
    for chunk in 0..contacts / 100 {
        let mut cs = Vec::new();
        let mut is = Vec::new();
        for c in chunk * 100..(chunk + 1) * 100 {
            let id = ContactId::parse(&format!("C{c:08}")).unwrap();
            cs.push(ContactInput {
                id: Some(id.clone()),
                first_name: Some("Jane".into()),
                last_name: Some(format!("Doe{c}")),
                emails: vec![format!("user{c}@example.org")],
                phones: vec![format!("+4477009{c:05}")],
                ..Default::default()
            });
            for _ in 0..per {
                is.push(NewInteraction {
                    contact_id: Some(id.clone()),
                    media_type: MediaType::Voice,
                    status: InteractionStatus::Done,
                    text: Some(text.clone()),
                    participants: vec![NewParticipant {
                        attributes: [("CustomerName".to_string(), "Jane Doe".to_string())].into(),
                        ..Default::default()
                    }],
                    ..Default::default()
                });
            }
        }
        s.import_batch(T, cs, is).await.unwrap();
    }
    let import_secs = start.elapsed().as_secs_f64();
    let interactions = contacts * per;

    let cfg = IdentifyConfig::default();
    let start = Instant::now();
    let mut found = 0;
    for c in 0..contacts {
        let req = IdentifyRequest::from_json(
            &serde_json::json!({"TenantId": 1, "EmailAddress": format!("USER{c}@example.org")}),
            &cfg,
        )
        .unwrap();
        found += s.identify(T, &req.plan()).await.unwrap().len();
    }
    assert_eq!(found, contacts);
    let identify_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut read = 0;
    for c in 0..contacts.min(1000) {
        let f = InteractionFilter {
            contact_id: Some(ContactId::parse(&format!("C{c:08}")).unwrap()),
            limit: 1000,
            ..Default::default()
        };
        read += s.list_interactions(T, &f).await.unwrap().interactions.len();
    }
    let read_secs = start.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "encryption": !nepenthe_crypto::PLAINTEXT_BENCH,
            "import_interactions_per_s": (interactions as f64 / import_secs).round(),
            "identify_per_s": (contacts as f64 / identify_secs).round(),
            "read_interactions_per_s": (read as f64 / read_secs).round(),
        })
    );
    s.close().await;
}
