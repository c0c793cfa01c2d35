use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;
use serde_json::json;

both_backends!(contact_crud, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;

    let r = app.post("/api/v1/contacts", &agent, &jane()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 16, "UCS-style generated id");
    assert_eq!(r.json["tenant_id"], 101);
    assert_eq!(
        r.json["phones"],
        json!(["+447700900123"]),
        "stored in E.164"
    );
    assert_eq!(r.json["legal_hold"], false);
    assert!(r.json["created_at"].as_str().unwrap().ends_with('Z'));

    let got = app.get(&format!("/api/v1/contacts/{id}"), &agent).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json, r.json);

    // PATCH: absent fields stay, null clears, attributes merge with null removing a key.
    let r = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &agent,
            &json!({"title": null, "attributes": {"Postcode": null, "Tier": "gold"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["title"], json!(null));
    assert_eq!(r.json["first_name"], "Jane");
    assert_eq!(r.json["attributes"], json!({"Tier": "gold"}));
    assert_eq!(r.json["emails"], json!(["Jane.Doe@Company.com"]));

    // PUT replaces every field.
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/contacts/{id}"),
            Some(&agent),
            Some(&json!({"first_name": "Janet", "phones": ["+44 7700 900999"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["first_name"], "Janet");
    assert_eq!(r.json["last_name"], json!(null));
    assert_eq!(r.json["emails"], json!([]));
    assert_eq!(r.json["phones"], json!(["+447700900999"]));
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/contacts/{id}"),
            Some(&agent),
            Some(&json!({"id": "someoneelse"})),
        )
        .await;
    assert_eq!(r.status, 422);

    // Agents may not erase; compliance may.
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/contacts/{id}"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let compliance = app.token(A, Role::Compliance).await;
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/contacts/{id}?request_id=has%20space"),
            Some(&compliance),
            None,
        )
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/contacts/{id}?request_id=DSR-42"),
            Some(&compliance),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["contact_id"], id.as_str());
    assert_eq!(r.json["interactions"], 0);
    let r = app.get(&format!("/api/v1/contacts/{id}"), &agent).await;
    assert_eq!(r.status, 404);
    let r = app
        .get(&format!("/api/v1/receipts?contact_id={id}"), &compliance)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.json["items"][0]["request_id"], "DSR-42");
    let r = app.get("/api/v1/audit", &compliance).await;
    assert_eq!(r.json["items"][0]["action"], "contact.erase");
    assert_eq!(r.json["items"][0]["object_ids"], json!([id]));
    app.finish().await;
});

both_backends!(contact_pagination, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    let mut created = Vec::new();
    for i in 0..5 {
        let body = json!({"id": format!("c{i}"), "first_name": format!("N{i}")});
        created.push(create_contact(&app, &agent, &body).await);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/contacts?page_size=2&cursor={c}"),
            None => "/api/v1/contacts?page_size=2".to_owned(),
        };
        let r = app.get(&path, &agent).await;
        assert_eq!(r.status, 200, "{}", r.text);
        pages += 1;
        for c in r.json["items"].as_array().unwrap() {
            seen.push(c["id"].as_str().unwrap().to_owned());
        }
        match r.json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    seen.sort();
    created.sort();
    assert_eq!(seen, created);
    // Default page holds them all.
    let r = app.get("/api/v1/contacts", &agent).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 5);
    for bad in [
        "page_size=0",
        "page_size=1001",
        "page_size=abc",
        "cursor=%%%",
    ] {
        let r = app.get(&format!("/api/v1/contacts?{bad}"), &agent).await;
        assert!(matches!(r.status, 400 | 422), "{bad}: {}", r.text);
    }
    app.finish().await;
});

both_backends!(legal_hold_and_erasure_rules, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    let compliance = app.token(A, Role::Compliance).await;
    let mut body = jane();
    body["legal_hold"] = json!(true);
    // Placing a hold is a compliance decision.
    let r = app.post("/api/v1/contacts", &agent, &body).await;
    assert_eq!(r.status, 403);
    let id = create_contact(&app, &compliance, &body).await;
    let r = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &agent,
            &json!({"legal_hold": false}),
        )
        .await;
    assert_eq!(r.status, 403);
    // Agents may still edit other fields of a held contact; the hold stays.
    let r = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &agent,
            &json!({"title": "Prof"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["legal_hold"], true);
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/contacts/{id}"),
            Some(&compliance),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "legal hold blocks erasure: {}", r.text);
    let held = create_call(&app, &agent, Some(&id)).await;
    let held = held["id"].as_str().unwrap();
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/interactions/{held}"),
            Some(&compliance),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "legal hold blocks deletion: {}", r.text);
    let r = app
        .patch(
            &format!("/api/v1/contacts/{id}"),
            &compliance,
            &json!({"legal_hold": false}),
        )
        .await;
    assert_eq!(r.status, 200);

    // An interaction in progress blocks erasure unless stop_in_progress=true.
    create_call(&app, &agent, Some(&id)).await;
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/contacts/{id}"),
            Some(&compliance),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("?stop_in_progress=true"), "{}", r.text);
    let r = app
        .send(
            "DELETE",
            &format!("/api/v1/contacts/{id}?stop_in_progress=true"),
            Some(&compliance),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["interactions"], 2);
    assert_eq!(r.json["attachments"], 2);
    assert_eq!(r.json["stopped_in_progress"], 2);
    let r = app
        .get(&format!("/api/v1/interactions?contact_id={id}"), &agent)
        .await;
    assert_eq!(r.json["items"], json!([]));
    app.finish().await;
});

both_backends!(audit_log_records_ids_not_values, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    let compliance = app.token(A, Role::Compliance).await;
    let id = create_contact(&app, &agent, &jane()).await;
    app.get(&format!("/api/v1/contacts/{id}"), &agent).await;
    app.patch(
        &format!("/api/v1/contacts/{id}"),
        &agent,
        &json!({"title": "Prof"}),
    )
    .await;
    let r = app.get("/api/v1/audit", &agent).await;
    assert_eq!(r.status, 403);
    let r = app.get("/api/v1/audit", &compliance).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let actions: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["contact.update", "contact.read", "contact.create"]
    );
    let create = &r.json["items"][2];
    assert_eq!(create["object_ids"], json!([id]));
    assert_eq!(create["role"], "agent");
    assert!(create["actor"].as_str().unwrap().starts_with("tok_"));
    assert_eq!(create["details"]["emails"], 1);
    for pii in ["Jane", "Doe", "company.com", "7700", "SW1A", "Prof"] {
        assert!(!r.text.contains(pii), "audit log leaks {pii}: {}", r.text);
    }
    let r = app.get("/api/v1/audit?page_size=2", &compliance).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 2);
    let before = r.json["next_before"].as_i64().unwrap();
    let r = app
        .get(
            &format!("/api/v1/audit?page_size=2&before={before}"),
            &compliance,
        )
        .await;
    assert_eq!(r.json["items"][0]["action"], "contact.create");
    app.finish().await;
});
