use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;
use serde_json::{json, Value};

both_backends!(identify_contacts, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    // Two records for one person (national and international phone forms), one other.
    let a = create_contact(&app, &agent, &jane()).await;
    let mut second = jane();
    second["phones"] = json!(["+44 7700 900123"]);
    second["emails"] = json!(["JANE.DOE@company.com"]);
    let b = create_contact(&app, &agent, &second).await;
    let other = create_contact(
        &app,
        &agent,
        &json!({"first_name": "Jane", "last_name": "Smith", "emails": ["js@example.org"]}),
    )
    .await;

    let found = |r: &Res| -> Vec<String> {
        let mut ids: Vec<String> = r.json["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    let cases: Vec<(Value, Vec<String>)> = vec![
        (
            json!({"TenantId": 101, "EmailAddress": "jane.doe@company.com"}),
            both.clone(),
        ),
        (
            json!({"TenantId": 101, "PhoneNumber": "07700 900123"}),
            both.clone(),
        ),
        (
            json!({"TenantId": 101, "PhoneNumber": "+44 7700 900123"}),
            both.clone(),
        ),
        (
            json!({"TenantId": "101", "FirstName": "JANE", "LastName": "doe"}),
            both.clone(),
        ),
        (json!({"TenantId": 101, "FirstName": "Jane"}), {
            let mut v = vec![a.clone(), b.clone(), other.clone()];
            v.sort();
            v
        }),
        // Best rank wins: the e-mail decides, the wrong first name is ignored.
        (
            json!({"TenantId": 101, "EmailAddress": "js@example.org", "FirstName": "Nobody"}),
            vec![other.clone()],
        ),
        (json!({"TenantId": 101, "ContactId": a}), vec![a.clone()]),
        (
            json!({"TenantId": 101, "EmailAddress": "nobody@example.org"}),
            vec![],
        ),
    ];
    for (req, want) in cases {
        let r = app.post("/api/v1/contacts/identify", &agent, &req).await;
        assert_eq!(r.status, 200, "{req}: {}", r.text);
        assert_eq!(found(&r), want, "{req}");
        assert_eq!(r.json["count"], want.len());
    }

    // Another tenant's id answers 404, as another tenant's contact would.
    let r = app
        .post(
            "/api/v1/contacts/identify",
            &agent,
            &json!({"TenantId": 202, "EmailAddress": "jane.doe@company.com"}),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json["message"], "tenant not found");

    for bad in [
        json!({"EmailAddress": "jane.doe@company.com"}),
        json!({"TenantId": 101}),
        json!({"TenantId": 101, "Emial": "x@y.z"}),
        json!({"TenantId": 101, "EmailAddress": "not-an-address"}),
        json!({"TenantId": 101, "PhoneNumber": "12"}),
        json!([1, 2]),
    ] {
        let r = app.post("/api/v1/contacts/identify", &agent, &bad).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
        assert!(!r.text.contains("not-an-address"));
    }
    app.finish().await;
});
