use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_server::routes::ROUTES;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;

both_backends!(probes_metrics_and_openapi, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let r = app.send("GET", "/healthz", None, None).await;
    assert_eq!((r.status, r.json["status"].as_str()), (200, Some("ok")));
    let r = app.send("GET", "/readyz", None, None).await;
    assert_eq!((r.status, r.json["status"].as_str()), (200, Some("ready")));

    let agent = app.token(A, Role::Agent).await;
    let sup = app.token(A, Role::Supervisor).await;
    let id = create_contact(&app, &agent, &jane()).await;
    app.get(&format!("/api/v1/contacts/{id}"), &agent).await;
    app.get("/api/v1/contacts/nobody", &agent).await;
    assert_eq!(app.get("/metrics", &agent).await.status, 403);
    let r = app.get("/metrics", &sup).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.unwrap().starts_with("text/plain"));
    assert!(r.text.contains(
        r#"nepenthe_http_requests_total{method="GET",route="/api/v1/contacts/{id}",status="2xx"} 1"#
    ));
    assert!(r.text.contains(
        r#"nepenthe_http_requests_total{method="GET",route="/api/v1/contacts/{id}",status="4xx"} 1"#
    ));
    assert!(r.text.contains(r#"nepenthe_http_request_duration_seconds_bucket{route="/api/v1/contacts/{id}",le="+Inf"} 2"#));
    assert!(
        !r.text.contains(&id),
        "metrics carry route templates, not ids"
    );
    assert!(!r.text.contains("nobody"));

    // The document is public and covers every route the router serves.
    let doc = app.send("GET", "/openapi.json", None, None).await.json;
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = 0;
    for (path, ops) in paths {
        documented += ops.as_object().unwrap().len();
        for method in ops.as_object().unwrap().keys() {
            assert!(
                ROUTES
                    .iter()
                    .any(|r| r.path == path && r.method.eq_ignore_ascii_case(method)),
                "documented but not routed: {method} {path}"
            );
        }
    }
    assert_eq!(documented, ROUTES.len());
    for route in ROUTES {
        let op = &doc["paths"][route.path][route.method.to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "{} {} undocumented",
            route.method,
            route.path
        );
        // And the router really serves it: never the "no such route" fallback or a 405.
        let (path, body) = concrete(route.method, route.path, "nobody", "nobody");
        let r = app
            .send(route.method, &path, Some(&agent), body.as_ref())
            .await;
        assert_ne!(
            r.json["message"], "no such route",
            "{} {path}",
            route.method
        );
        assert_ne!(r.status, 405, "{} {path}", route.method);
    }
    app.finish().await;
});

both_backends!(scan_finds_and_redacts, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    let doc = serde_json::json!({"id": "d1", "text": "Please call me back on 07911 123456 or email jane.doe@example.com"});
    let r = app.post("/api/v1/scan", &agent, &doc).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["id"], "d1");
    let types: Vec<&str> = r.json["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"PHONE_NUMBER"), "{}", r.text);
    assert!(types.contains(&"EMAIL_ADDRESS"), "{}", r.text);
    assert!(r.json.get("text").is_none());

    let r = app
        .post(
            "/api/v1/scan?redact=replace&entities=EMAIL_ADDRESS",
            &agent,
            &serde_json::json!([doc, {"text": "nothing here"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let out = r.json.as_array().unwrap();
    assert_eq!(out.len(), 2);
    let text = out[0]["text"].as_str().unwrap();
    assert!(
        text.contains("<EMAIL_ADDRESS>") && !text.contains("jane.doe"),
        "{text}"
    );
    assert!(
        text.contains("07911 123456"),
        "only e-mails were asked for: {text}"
    );

    for bad in [
        "redact=shred",
        "redact=hash",
        "min_score=2",
        "entities=SHOE_SIZE",
        "explain=maybe",
    ] {
        let r = app.post(&format!("/api/v1/scan?{bad}"), &agent, &doc).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
        assert!(!r.text.contains("jane.doe"), "{}", r.text);
    }
    let r = app
        .post("/api/v1/scan", &agent, &serde_json::json!({"txt": "x"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    app.finish().await;
});

both_backends!(
    tampered_records_name_the_record_not_the_data,
    |db: TestDb| async move {
        let app = spawn_app(db).await;
        let agent = app.token(A, Role::Agent).await;
        let a = create_contact(&app, &agent, &jane()).await;
        let b = create_contact(&app, &agent, &jane()).await;
        // Move b's ciphertext into a's row: authentication fails for a.
        sqlx::query(
            "UPDATE contacts SET pii = (SELECT pii FROM contacts WHERE id = $1) WHERE id = $2",
        )
        .bind(&b)
        .bind(&a)
        .execute(app.store.pool())
        .await
        .unwrap();
        // (The helpers refuse any 500; this one is the point of the test.)
        let res = app
            .client
            .get(format!("{}/api/v1/contacts/{a}", app.base))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 500);
        let text = res.text().await.unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["code"], "integrity_error");
        assert!(json["message"].as_str().unwrap().contains(&a), "{text}");
        assert!(!text.contains("Jane") && !text.contains("jane"), "{text}");
        // The untouched contact still reads fine.
        assert_eq!(
            app.get(&format!("/api/v1/contacts/{b}"), &agent)
                .await
                .status,
            200
        );
        app.finish().await;
    }
);
