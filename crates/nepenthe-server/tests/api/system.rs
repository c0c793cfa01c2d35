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
