//! Tenant isolation: tenant B's tokens get 404 on every route that names one of tenant A's
//! ids, and never see A's data through lists or identification.

use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_server::routes::ROUTES;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;
use serde_json::json;

both_backends!(tenant_b_cannot_reach_tenant_a, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let a = app.token(A, Role::Admin).await;
    let b = app.token(B, Role::Admin).await;
    let contact = create_contact(&app, &a, &jane()).await;
    let it = create_call(&app, &a, Some(&contact)).await;
    let iid = it["id"].as_str().unwrap().to_owned();
    let before_contact = app
        .get(&format!("/api/v1/contacts/{contact}"), &a)
        .await
        .json;
    let before_it = app
        .get(&format!("/api/v1/interactions/{iid}"), &a)
        .await
        .json;

    let mut checked = 0;
    for route in ROUTES.iter().filter(|r| r.path.contains('{')) {
        let (path, body) = concrete(route.method, route.path, &contact, &iid);
        let r = app.send(route.method, &path, Some(&b), body.as_ref()).await;
        assert_eq!(r.status, 404, "{} {path}: {}", route.method, r.text);
        for pii in ["Jane", "Doe", "7700", "SW1A", "hello"] {
            assert!(!r.text.contains(pii), "{} {path} leaks {pii}", route.method);
        }
        checked += 1;
    }
    assert!(checked >= 17, "only {checked} routes with ids");

    // Lists, filters and identification show B nothing of A's.
    for path in [
        "/api/v1/contacts".to_owned(),
        "/api/v1/interactions".to_owned(),
        format!("/api/v1/interactions?contact_id={contact}"),
        format!("/api/v1/receipts?contact_id={contact}"),
    ] {
        let r = app.get(&path, &b).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.json["items"], json!([]), "{path}");
    }
    let r = app.get("/api/v1/audit", &b).await;
    assert!(
        !r.text.contains(&contact) && !r.text.contains(&iid),
        "{}",
        r.text
    );
    let r = app
        .post(
            "/api/v1/contacts/identify",
            &b,
            &json!({"TenantId": 202, "EmailAddress": "jane.doe@company.com"}),
        )
        .await;
    assert_eq!(r.json["count"], 0);
    let r = app
        .post(
            "/api/v1/contacts/identify",
            &b,
            &json!({"TenantId": 202, "ContactId": contact}),
        )
        .await;
    assert_eq!(r.json["count"], 0);
    // B cannot link its interaction to A's contact either.
    let r = app
        .post("/api/v1/interactions", &b, &json!({"contact_id": contact}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);

    // Nothing of A's changed.
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{contact}"), &a)
            .await
            .json,
        before_contact
    );
    assert_eq!(
        app.get(&format!("/api/v1/interactions/{iid}"), &a)
            .await
            .json,
        before_it
    );
    app.finish().await;
});
