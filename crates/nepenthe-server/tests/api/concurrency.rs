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
