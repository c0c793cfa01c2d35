//! Concurrent reads (which append audit entries) and writes on the same objects: every
//! request must succeed, on SQLite's single writer as on PostgreSQL.

use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;
use serde_json::json;
use std::sync::Arc;

both_backends!(concurrent_reads_and_writes, |db: TestDb| async move {
    let app = Arc::new(spawn_app(db).await);
    let agent = app.token(A, Role::Agent).await;
    let contact = create_contact(&app, &agent, &jane()).await;
    let it = create_call(&app, &agent, Some(&contact)).await;
    let iid = it["id"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (app, agent, contact, iid) = (app.clone(), agent.clone(), contact.clone(), iid.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..15 {
                let r = match (t + i) % 3 {
                    0 => {
                        app.get(&format!("/api/v1/contacts/{contact}"), &agent)
                            .await
                    }
                    1 => {
                        app.patch(
                            &format!("/api/v2/conversations/{iid}/participants/cust1/attributes"),
                            &agent,
                            &json!({"attributes": {format!("K{t}"): format!("{i}")}}),
                        )
                        .await
                    }
                    _ => {
                        app.patch(
                            &format!("/api/v1/contacts/{contact}"),
                            &agent,
                            &json!({"attributes": {format!("K{t}"): format!("{i}")}}),
                        )
                        .await
                    }
                };
                assert_eq!(r.status, 200, "{}", r.text);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let r = app
        .get(&format!("/api/v2/conversations/{iid}"), &agent)
        .await;
    let attrs = r.json["participants"][0]["attributes"].as_object().unwrap();
    assert_eq!(attrs.len(), 2 + 8, "every task's key survived: {attrs:?}");
    Arc::into_inner(app).unwrap().finish().await;
});

both_backends!(every_concurrent_read_is_audited, |db: TestDb| async move {
    let app = Arc::new(spawn_app(db).await);
    let agent = app.token(A, Role::Agent).await;
    let compliance = app.token(A, Role::Compliance).await;
    let contact = create_contact(&app, &agent, &jane()).await;
    let it = create_call(&app, &agent, Some(&contact)).await;
    let iid = it["id"].as_str().unwrap().to_owned();
    // 64 reads at once: they share group commits, and each answers only once its entry is in.
    let mut tasks = Vec::new();
    for t in 0..64 {
        let (app, agent, iid) = (app.clone(), agent.clone(), iid.clone());
        tasks.push(tokio::spawn(async move {
            let path = match t % 3 {
                0 => format!("/api/v2/conversations/{iid}"),
                1 => format!("/api/v1/interactions/{iid}"),
                _ => "/api/v1/interactions?status=in_progress".to_string(),
            };
            let r = app.get(&path, &agent).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let r = app.get("/api/v1/audit?page_size=1000", &compliance).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.json["items"].as_array().unwrap();
    let count = |action: &str| items.iter().filter(|e| e["action"] == action).count();
    assert_eq!(count("conversation.read"), 22);
    assert_eq!(count("interaction.read"), 21);
    assert_eq!(count("interaction.list"), 21);
    let read = items
        .iter()
        .find(|e| e["action"] == "conversation.read")
        .unwrap();
    assert_eq!(read["object_ids"], json!([iid]));
    let list = items
        .iter()
        .find(|e| e["action"] == "interaction.list")
        .unwrap();
    assert_eq!(list["details"]["count"], 1);
    for pii in ["Jane", "Doe", "SW1A", "Billing"] {
        assert!(!r.text.contains(pii), "audit log leaks {pii}");
    }
    Arc::into_inner(app).unwrap().finish().await;
});
