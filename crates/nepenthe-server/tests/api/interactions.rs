use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;
use serde_json::json;

both_backends!(interaction_lifecycle, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    let contact = create_contact(&app, &agent, &jane()).await;
    let it = create_call(&app, &agent, Some(&contact)).await;
    let id = it["id"].as_str().unwrap().to_owned();
    assert_eq!(it["contact_id"], contact.as_str());
    assert_eq!(it["status"], "in_progress");
    assert!(it["started_at"].is_string());
    assert_eq!(it["participants"].as_array().unwrap().len(), 2);
    assert_eq!(it["participants"][0]["state"], "connected");
    assert_eq!(it["attachments"][0]["size"], 11);
    assert_eq!(it["attachments"][0]["name"], "note.txt");

    let got = app.get(&format!("/api/v1/interactions/{id}"), &agent).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json, it);

    // Attachments: download the bytes, add another.
    let r = app
        .get(
            &format!("/api/v1/interactions/{id}/attachments/att1"),
            &agent,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.bytes, b"hello world");
    assert_eq!(r.content_type.as_deref(), Some("text/plain"));
    let r = app
        .post(
            &format!("/api/v1/interactions/{id}/attachments"),
            &agent,
            &json!({"name": "scan.pdf", "mime_type": "application/pdf", "content_base64": "JVBERi0="}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let aid = r.json["id"].as_str().unwrap().to_owned();
    let r = app
        .get(
            &format!("/api/v1/interactions/{id}/attachments/{aid}"),
            &agent,
        )
        .await;
    assert_eq!(r.bytes, b"%PDF-");
    assert_eq!(r.content_type.as_deref(), Some("application/pdf"));
    let r = app
        .get(
            &format!("/api/v1/interactions/{id}/attachments/nope"),
            &agent,
        )
        .await;
    assert_eq!(r.status, 404);

    // Participants: add, duplicate, disconnect, connect.
    let r = app
        .post(
            &format!("/api/v1/interactions/{id}/participants"),
            &agent,
            &json!({"id": "sup1", "purpose": "agent", "name": "Supervisor"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["state"], "connected");
    let r = app
        .post(
            &format!("/api/v1/interactions/{id}/participants"),
            &agent,
            &json!({"id": "sup1"}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = app
        .post(
            &format!("/api/v1/interactions/{id}/participants/sup1/disconnect"),
            &agent,
            &json!(null),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "disconnected");
    assert!(r.json["end_time"].is_string());
    let r = app
        .send(
            "POST",
            &format!("/api/v1/interactions/{id}/participants/sup1/connect"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "connected");
    assert_eq!(r.json["end_time"], json!(null));
    let r = app
        .send(
            "POST",
            &format!("/api/v1/interactions/{id}/participants/ghost/connect"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, 404);

    // PATCH changes fields and can unlink the contact.
    let r = app
        .patch(
            &format!("/api/v1/interactions/{id}"),
            &agent,
            &json!({"subject": "Refund", "thread_id": "t-9"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["subject"], "Refund");
    assert_eq!(r.json["thread_id"], "t-9");
    assert_eq!(r.json["text"], "Caller said her name is Jane Doe");

    // End: done, every participant disconnected; then participants no longer change.
    let r = app
        .send(
            "POST",
            &format!("/api/v1/interactions/{id}/end"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "done");
    assert!(r.json["ended_at"].is_string());
    for p in r.json["participants"].as_array().unwrap() {
        assert_eq!(p["state"], "disconnected");
        assert!(p["end_time"].is_string());
    }
    let r = app
        .post(
            &format!("/api/v1/interactions/{id}/participants"),
            &agent,
            &json!({"id": "late"}),
        )
        .await;
    assert_eq!(r.status, 409);

    // Delete: agents may not, supervisors may.
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/interactions/{id}"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let sup = app.token(A, Role::Supervisor).await;
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/interactions/{id}"),
            Some(&sup),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = app.get(&format!("/api/v1/interactions/{id}"), &agent).await;
    assert_eq!(r.status, 404);
    app.finish().await;
});

both_backends!(
    interaction_filters_and_pagination,
    |db: TestDb| async move {
        let app = spawn_app(db).await;
        let agent = app.token(A, Role::Agent).await;
        let c1 = create_contact(&app, &agent, &jane()).await;
        let c2 = create_contact(&app, &agent, &json!({"first_name": "Bob"})).await;
        let spec = [
            ("i1", Some(&c1), "voice", "done", "2026-01-01T10:00:00Z"),
            ("i2", Some(&c1), "email", "new", "2026-01-02T10:00:00Z"),
            ("i3", Some(&c2), "voice", "new", "2026-01-03T10:00:00Z"),
            ("i4", None, "chat", "in_progress", "2026-01-04T10:00:00Z"),
            ("i5", Some(&c1), "voice", "new", "2026-01-05T10:00:00Z"),
        ];
        for (id, contact, media, status, at) in spec {
            let r = app
            .post(
                "/api/v1/interactions",
                &agent,
                &json!({"id": id, "contact_id": contact, "media_type": media, "status": status, "created_at": at}),
            )
            .await;
            assert_eq!(r.status, 201, "{}", r.text);
        }
        let ids = |r: &Res| -> Vec<String> {
            r.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let cases = [
            (format!("contact_id={c1}"), vec!["i1", "i2", "i5"]),
            ("media_type=voice".to_owned(), vec!["i1", "i3", "i5"]),
            ("status=new".to_owned(), vec!["i2", "i3", "i5"]),
            (
                format!("contact_id={c1}&media_type=voice&status=new"),
                vec!["i5"],
            ),
            (
                "from=2026-01-02T00:00:00Z&to=2026-01-04T10:00:00Z".to_owned(),
                vec!["i2", "i3"],
            ),
            (
                "from=2026-01-04T11:00:00%2B01:00".to_owned(),
                vec!["i4", "i5"],
            ),
            ("".to_owned(), vec!["i1", "i2", "i3", "i4", "i5"]),
        ];
        for (q, want) in cases {
            let r = app.get(&format!("/api/v1/interactions?{q}"), &agent).await;
            assert_eq!(r.status, 200, "{q}: {}", r.text);
            assert_eq!(ids(&r), want, "{q}");
        }
        // Pagination across the filtered set.
        let r = app.get("/api/v1/interactions?page_size=2", &agent).await;
        assert_eq!(ids(&r), ["i1", "i2"]);
        let cursor = r.json["next_cursor"].as_str().unwrap().to_owned();
        let r = app
            .get(
                &format!("/api/v1/interactions?page_size=2&cursor={cursor}"),
                &agent,
            )
            .await;
        assert_eq!(ids(&r), ["i3", "i4"]);
        let cursor = r.json["next_cursor"].as_str().unwrap().to_owned();
        let r = app
            .get(
                &format!("/api/v1/interactions?page_size=2&cursor={cursor}"),
                &agent,
            )
            .await;
        assert_eq!(ids(&r), ["i5"]);
        assert_eq!(r.json["next_cursor"], json!(null));
        for bad in [
            "status=open",
            "media_type=fax",
            "from=yesterday",
            "to=2026-13-01T00:00:00Z",
            "contact_id=a%20b",
            "page_size=-1",
        ] {
            let r = app
                .get(&format!("/api/v1/interactions?{bad}"), &agent)
                .await;
            assert_eq!(r.status, 422, "{bad}: {}", r.text);
        }
        app.finish().await;
    }
);
