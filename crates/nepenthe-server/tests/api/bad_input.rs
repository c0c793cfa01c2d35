//! Bad input gets a clear JSON error and no partial write; never a 500, never the submitted
//! personal data echoed back.

use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_server::ServerConfig;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;
use serde_json::json;
use std::time::Duration;

/// Values that must never appear in an error body.
const PII: &[&str] = &[
    "jane.secret",
    "Zaphod",
    "0770O",
    "900-BAD",
    "Beeblebrox",
    "Flat 3",
];

fn assert_no_pii(r: &Res) {
    for v in PII {
        assert!(!r.text.contains(v), "error body echoes {v}: {}", r.text);
    }
}

both_backends!(bad_bodies, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    let contact = create_contact(&app, &agent, &json!({"id": "known"})).await;
    let it = create_call(&app, &agent, Some(&contact)).await;
    let iid = it["id"].as_str().unwrap().to_owned();
    let attrs = format!("/api/v2/conversations/{iid}/participants/cust1/attributes");

    // (method, path, raw body, status, message fragment)
    let cases: Vec<(&str, String, String, u16, &str)> = vec![
        ("POST", "/api/v1/contacts".into(), r#"{"first_name": "Zaphod""#.into(), 400, "not valid JSON"),
        ("POST", "/api/v1/contacts".into(), "Zaphod Beeblebrox".into(), 400, "not valid JSON"),
        ("POST", "/api/v1/contacts".into(), "".into(), 400, "not valid JSON"),
        ("POST", "/api/v1/contacts".into(), r#"{"first_name": "Zaphod"} {}"#.into(), 400, "not valid JSON"),
        ("POST", "/api/v1/interactions".into(), "[".into(), 400, "not valid JSON"),
        ("PATCH", attrs.clone(), r#"{"attributes": {"A": "Zaphod"}"#.into(), 400, "not valid JSON"),
        ("POST", "/api/v1/contacts".into(), r#"{"first_name": 42}"#.into(), 422, "first_name: wrong type"),
        ("POST", "/api/v1/contacts".into(), r#"{"emails": "jane.secret@example.com"}"#.into(), 422, "emails: wrong type"),
        ("POST", "/api/v1/contacts".into(), r#"{"legal_hold": "Zaphod"}"#.into(), 422, "legal_hold: wrong type"),
        ("POST", "/api/v1/contacts".into(), r#"{"attributes": {"Address": ["Flat 3"]}}"#.into(), 422, "wrong type"),
        ("POST", "/api/v1/contacts".into(), r#"{"firstname": "Zaphod"}"#.into(), 422, "unknown field `firstname`"),
        ("POST", "/api/v1/contacts".into(), r#"{"id": "Zaphod Beeblebrox"}"#.into(), 422, "contact id must be"),
        ("POST", "/api/v1/contacts".into(), r#"{"emails": ["ok@example.com", "jane.secret"]}"#.into(), 422, "EmailAddress #1: invalid e-mail address"),
        ("POST", "/api/v1/contacts".into(), r#"{"phones": ["0770O 900-BAD"]}"#.into(), 422, "PhoneNumber #0: invalid phone number"),
        ("PATCH", "/api/v1/contacts/known".into(), r#"{"emails": ["jane.secret@"]}"#.into(), 422, "EmailAddress #0"),
        ("PUT", "/api/v1/contacts/known".into(), r#"{"phones": ["900-BAD"]}"#.into(), 422, "PhoneNumber #0"),
        ("POST", "/api/v1/interactions".into(), r#"{"media_type": "Zaphod"}"#.into(), 422, "media_type: unknown value, expected one of"),
        ("POST", "/api/v1/interactions".into(), r#"{"media_type": 5}"#.into(), 422, "media_type: wrong type"),
        ("POST", "/api/v1/interactions".into(), r#"{"participants": [{"purpose": "Zaphod"}]}"#.into(), 422, "participants[0].purpose"),
        ("POST", "/api/v1/interactions".into(), r#"{"participants": [{"nickname": "Zaphod"}]}"#.into(), 422, "participants[0]: unknown field `nickname`"),
        ("POST", "/api/v1/interactions".into(), r#"{"created_at": "Zaphod"}"#.into(), 422, "created_at"),
        ("POST", "/api/v1/interactions".into(), r#"{"contact_id": "nobody"}"#.into(), 422, "unknown contact"),
        ("POST", "/api/v1/interactions".into(), r#"{"attachments": [{"name": "a", "mime_type": "text/plain", "content_base64": "Zaphod!!"}]}"#.into(), 422, "attachments[0].content_base64: invalid base64"),
        ("POST", "/api/v1/interactions".into(), r#"{"attachments": [{"name": "a", "mime_type": "Zaphod", "content_base64": ""}]}"#.into(), 422, "attachments[0].mime_type"),
        ("PATCH", format!("/api/v1/interactions/{iid}"), r#"{"status": "Zaphod"}"#.into(), 422, "status: unknown value"),
        ("PATCH", format!("/api/v1/interactions/{iid}"), r#"{"contact_id": "nobody"}"#.into(), 422, "unknown contact"),
        ("PATCH", attrs.clone(), r#"{"attributes": {"A": 5}}"#.into(), 422, "attributes.A: wrong type"),
        ("PATCH", attrs.clone(), r#"{"attributes": {"A": "Zaphod"}, "extra": 1}"#.into(), 422, "unknown field `extra`"),
        ("POST", "/api/v1/contacts".into(), r#"{"id": "known"}"#.into(), 409, "already exists"),
        ("POST", "/api/v1/interactions".into(), format!(r#"{{"id": "{iid}"}}"#), 409, "already exists"),
        ("POST", format!("/api/v1/interactions/{iid}/attachments"), r#"{"id": "att1", "name": "x", "mime_type": "text/plain", "content_base64": ""}"#.into(), 409, "duplicate attachment"),
        ("POST", "/api/v1/interactions".into(), r#"{"participants": [{"id": "p"}, {"id": "p"}]}"#.into(), 409, "duplicate participant"),
        ("GET", "/api/v1/contacts/nobody".into(), String::new(), 404, "contact not found"),
        ("GET", "/api/v1/contacts/a%20b".into(), String::new(), 404, "contact not found"),
        ("PATCH", "/api/v1/contacts/nobody".into(), r#"{"title": "x"}"#.into(), 404, "contact not found"),
        ("GET", "/api/v1/interactions/nobody".into(), String::new(), 404, "interaction not found"),
        ("GET", "/api/v1/nothing-here".into(), String::new(), 404, "no such route"),
        ("DELETE", "/api/v1/contacts".into(), String::new(), 405, "method not allowed"),
    ];
    for (method, path, body, status, fragment) in cases {
        let raw = (!body.is_empty()).then(|| body.clone().into_bytes());
        let r = app.send_raw(method, &path, Some(&agent), raw).await;
        assert_eq!(r.status, status, "{method} {path} {body}: {}", r.text);
        assert!(
            r.json["message"].as_str().unwrap().contains(fragment),
            "{method} {path} {body}: {}",
            r.text
        );
        assert_no_pii(&r);
    }

    // No partial writes: the failed creations left nothing behind.
    let r = app.get("/api/v1/contacts", &agent).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
    let r = app.get("/api/v1/interactions", &agent).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
    let r = app
        .get(&format!("/api/v1/interactions/{iid}"), &agent)
        .await;
    assert_eq!(r.json["attachments"].as_array().unwrap().len(), 1);
    app.finish().await;
});

both_backends!(tokens_are_required_and_checked, |db: TestDb| async move {
    let app = spawn_app_with(db, ServerConfig::default(), Some(Duration::ZERO)).await;
    let agent = app.token(A, Role::Agent).await;
    for auth in [
        None,
        Some("Bearer nope"),
        Some("Basic abc"),
        Some("Bearer "),
        Some(agent.as_str()),
    ] {
        let mut req = app.client.get(format!("{}/api/v1/contacts", app.base));
        if let Some(a) = auth {
            let value = if a == agent {
                format!("Bearer {a}")
            } else {
                a.to_owned()
            };
            req = req.header("authorization", value);
        }
        let res = req.send().await.unwrap();
        let want = if auth == Some(agent.as_str()) {
            200
        } else {
            401
        };
        assert_eq!(res.status().as_u16(), want, "{auth:?}");
    }
    // A revoked token stops working (the cache is off here; by default it is trusted for at
    // most 5 s).
    let infos = app.store.list_tokens(Some(A)).await.unwrap();
    app.store.revoke_token(&infos[0].id).await.unwrap();
    let r = app.get("/api/v1/contacts", &agent).await;
    assert_eq!(r.status, 401);
    app.finish().await;
});

both_backends!(oversized_bodies_answer_413, |db: TestDb| async move {
    let config = ServerConfig {
        body_limit_bytes: 1024,
        ..ServerConfig::default()
    };
    let app = spawn_app_with(db, config, None).await;
    let agent = app.token(A, Role::Agent).await;
    let big = json!({"first_name": "Zaphod", "title": "x".repeat(2000)});
    let r = app.post("/api/v1/contacts", &agent, &big).await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(r.json["code"], "payload_too_large");
    assert_no_pii(&r);
    let small = json!({"first_name": "Zaphod"});
    assert_eq!(
        app.post("/api/v1/contacts", &agent, &small).await.status,
        201
    );
    app.finish().await;
});
