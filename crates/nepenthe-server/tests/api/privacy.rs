//! Privacy requests over HTTP: submit (export, erase, rectify, count), list with filters,
//! read, download an export's bundle; roles, tenant isolation and bad input.

use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;
use serde_json::json;

both_backends!(privacy_requests_end_to_end, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let admin = app.token(A, Role::Admin).await;
    let compliance = app.token(A, Role::Compliance).await;
    let agent = app.token(A, Role::Agent).await;
    let other = app.token(B, Role::Compliance).await;
    let contact = create_contact(&app, &admin, &jane()).await;
    let it = create_call(&app, &admin, Some(&contact)).await;
    let iid = it["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/interactions/{iid}/end"),
        &admin,
        &json!({}),
    )
    .await;

    // Count by identification request (TenantId defaults to the token's).
    let r = app
        .post(
            "/api/v1/privacy-requests",
            &compliance,
            &json!({"type": "count", "subject": {"EmailAddress": "jane.doe@company.com"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["status"], "completed");
    assert_eq!(r.json["type"], "count");
    assert_eq!(r.json["overdue"], false);
    assert_eq!(r.json["result"]["contacts"][0], contact.as_str());
    assert!(r.json["due_at"].as_str().unwrap() > r.json["received_at"].as_str().unwrap());
    assert!(
        !r.text.contains("jane.doe"),
        "no subject values in the record"
    );

    // Export with the caller's own id, then download the bundle.
    let r = app
        .post(
            "/api/v1/privacy-requests",
            &compliance,
            &json!({"id": "TICKET-42", "type": "export", "subject": [contact]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["id"], "TICKET-42");
    assert_eq!(
        r.json["download"],
        "/api/v1/privacy-requests/TICKET-42/export"
    );
    let dup = app
        .post(
            "/api/v1/privacy-requests",
            &compliance,
            &json!({"id": "TICKET-42", "type": "count", "subject": [contact]}),
        )
        .await;
    assert_eq!(dup.status, 409, "{}", dup.text);
    let b = app
        .get("/api/v1/privacy-requests/TICKET-42/export", &compliance)
        .await;
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(b.content_type.as_deref(), Some("application/json"));
    let its = &b.json["contacts"][0]["interactions"];
    assert_eq!(its.as_array().unwrap().len(), 1);
    assert_eq!(
        its[0]["attachments"][0]["content_base64"],
        "aGVsbG8gd29ybGQ="
    );
    assert_eq!(
        its[0]["participants"][0]["attributes"]["CustomerName"],
        "Jane Doe"
    );
    // Another tenant sees neither the request nor its download; the same id is free there.
    assert_eq!(
        app.get("/api/v1/privacy-requests/TICKET-42", &other)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/privacy-requests/TICKET-42/export", &other)
            .await
            .status,
        404
    );
    let r = app
        .post(
            "/api/v1/privacy-requests",
            &other,
            &json!({"id": "TICKET-42", "type": "count", "subject": [contact]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json["status"], "rejected",
        "tenant 202 has no such contact"
    );
    // Agents may not use privacy requests.
    let r = app.get("/api/v1/privacy-requests", &agent).await;
    assert_eq!(r.status, 403);

    // Bad subjects are recorded as rejected, with a clear reason and no values echoed.
    for (subject, reason) in [
        (
            json!({"Emial": "jane.doe@company.com"}),
            "unknown attribute",
        ),
        (
            json!({"TenantId": 202, "EmailAddress": "jane.doe@company.com"}),
            "TenantId 202",
        ),
        (json!({"TenantId": 101}), "no values"),
        (json!({"EmailAddress": "nobody@company.com"}), "no contact"),
    ] {
        let r = app
            .post(
                "/api/v1/privacy-requests",
                &compliance,
                &json!({"type": "erase", "subject": subject, "confirm": true}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.json["status"], "rejected");
        assert!(
            r.json["error"].as_str().unwrap().contains(reason),
            "{}",
            r.text
        );
        assert!(!r.text.contains("company.com"), "{}", r.text);
    }
    // Malformed bodies are refused outright.
    for body in [
        json!({"type": "forget", "subject": [contact]}),
        json!({"type": "erase"}),
        json!({"type": "erase", "subject": [contact], "surprise": 1}),
        json!({"type": "rectify", "subject": [contact]}),
        json!({"type": "rectify", "subject": [contact], "replace": ["noequals"]}),
        json!({"id": "no spaces", "type": "count", "subject": [contact]}),
    ] {
        let r = app
            .post("/api/v1/privacy-requests", &compliance, &body)
            .await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
    }
    let r = app
        .send_raw(
            "POST",
            "/api/v1/privacy-requests",
            Some(&compliance),
            Some(b"{".to_vec()),
        )
        .await;
    assert_eq!(r.status, 400);

    // Rectify, then erase: report only by default, then confirmed.
    let r = app
        .post(
            "/api/v1/privacy-requests",
            &compliance,
            &json!({"type": "rectify", "subject": [contact], "replace": ["Jane=Janet"], "confirm": true}),
        )
        .await;
    assert_eq!(r.json["status"], "completed", "{}", r.text);
    let c = app
        .get(&format!("/api/v1/contacts/{contact}"), &admin)
        .await;
    assert_eq!(c.json["first_name"], "Janet");
    let r = app
        .post(
            "/api/v1/privacy-requests",
            &compliance,
            &json!({"type": "erase", "subject": [contact]}),
        )
        .await;
    assert_eq!(r.json["result"]["forget"]["erased"], 0, "{}", r.text);
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{contact}"), &admin)
            .await
            .status,
        200
    );
    let r = app
        .post(
            "/api/v1/privacy-requests",
            &compliance,
            &json!({"id": "ERASE-1", "type": "erase", "subject": [contact], "confirm": true}),
        )
        .await;
    assert_eq!(r.json["status"], "completed", "{}", r.text);
    assert_eq!(r.json["result"]["forget"]["erased"], 1);
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{contact}"), &admin)
            .await
            .status,
        404
    );
    let receipts = app
        .get(
            &format!("/api/v1/receipts?contact_id={contact}"),
            &compliance,
        )
        .await;
    assert_eq!(receipts.json["items"][0]["request_id"], "ERASE-1");

    // Listing and filters.
    let all = app.get("/api/v1/privacy-requests", &compliance).await;
    assert_eq!(all.status, 200);
    let n = all.json["items"].as_array().unwrap().len();
    assert_eq!(n, 9);
    let rejected = app
        .get("/api/v1/privacy-requests?status=rejected", &compliance)
        .await;
    assert_eq!(rejected.json["items"].as_array().unwrap().len(), 4);
    let overdue = app
        .get("/api/v1/privacy-requests?overdue=true", &compliance)
        .await;
    assert_eq!(overdue.json["items"], json!([]));
    assert_eq!(
        app.get("/api/v1/privacy-requests?status=bogus", &compliance)
            .await
            .status,
        422
    );
    assert_eq!(
        app.get("/api/v1/privacy-requests?overdue=maybe", &compliance)
            .await
            .status,
        422
    );
    assert_eq!(
        app.get("/api/v1/privacy-requests/nope", &compliance)
            .await
            .status,
        404
    );
    // A count request has no download.
    let first = all.json["items"][n - 1]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(
            &format!("/api/v1/privacy-requests/{first}/export"),
            &compliance
        )
        .await
        .status,
        409
    );
    // The OpenAPI document describes the routes.
    let doc = app.send("GET", "/openapi.json", None, None).await.json;
    assert!(doc["paths"]["/api/v1/privacy-requests"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/privacy-requests/{id}/export"]["get"].is_object());
    app.finish().await;
});
