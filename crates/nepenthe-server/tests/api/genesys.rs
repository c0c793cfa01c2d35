use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;
use serde_json::json;

both_backends!(participant_attributes_merge, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    let it = create_call(&app, &agent, None).await;
    let id = it["id"].as_str().unwrap();
    for prefix in ["/api/v2/conversations/calls", "/api/v2/conversations"] {
        let path = format!("{prefix}/{id}/participants/cust1/attributes");
        let r = app
            .patch(&path, &agent, &json!({"attributes": {"Intent": "billing"}}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.json,
            json!({"attributes": {"CustomerName": "Jane Doe", "Intent": "billing", "Postcode": "SW1A 1AA"}})
        );
    }
    // Masking after the call, as the Genesys workflow does: overwrite one key, remove another.
    let r = app
        .send(
            "POST",
            &format!("/api/v1/interactions/{id}/end"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .patch(
            &format!("/api/v2/conversations/calls/{id}/participants/cust1/attributes"),
            &agent,
            &json!({"attributes": {"CustomerName": "******", "Postcode": null, "Missing": null}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json,
        json!({"attributes": {"CustomerName": "******", "Intent": "billing"}})
    );
    let r = app.get(&format!("/api/v1/interactions/{id}"), &agent).await;
    assert_eq!(
        r.json["participants"][0]["attributes"],
        json!({"CustomerName": "******", "Intent": "billing"})
    );

    // Unknown participant or conversation: 404. Wrong shapes: 422.
    let r = app
        .patch(
            &format!("/api/v2/conversations/{id}/participants/ghost/attributes"),
            &agent,
            &json!({"attributes": {}}),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .patch(
            "/api/v2/conversations/nope/participants/cust1/attributes",
            &agent,
            &json!({"attributes": {}}),
        )
        .await;
    assert_eq!(r.status, 404);
    for bad in [
        json!({"attributes": {"A": 5}}),
        json!({"attributes": ["A"]}),
        json!({"attrs": {}}),
        json!({"attributes": {"": "x"}}),
    ] {
        let r = app
            .patch(
                &format!("/api/v2/conversations/{id}/participants/cust1/attributes"),
                &agent,
                &bad,
            )
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
    app.finish().await;
});

both_backends!(conversation_in_genesys_shape, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let agent = app.token(A, Role::Agent).await;
    let it = create_call(&app, &agent, None).await;
    let id = it["id"].as_str().unwrap();
    let a = app
        .get(&format!("/api/v2/conversations/{id}"), &agent)
        .await;
    let b = app
        .get(&format!("/api/v2/conversations/calls/{id}"), &agent)
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json, b.json);
    let c = &a.json;
    assert_eq!(c["id"], id);
    let start = c["startTime"].as_str().unwrap();
    assert!(start.ends_with('Z') && start.len() == 24, "{start}");
    assert!(c.get("endTime").is_none(), "still running: {c}");
    let agent_p = &c["participants"][1];
    assert_eq!(agent_p["id"], "agent1");
    assert_eq!(agent_p["purpose"], "agent");
    assert_eq!(agent_p["name"], "Agent Smith");
    assert_eq!(agent_p["userId"], "u-1");
    assert_eq!(agent_p["queueId"], "q-1");
    assert_eq!(agent_p["state"], "connected");
    assert!(agent_p["startTime"].as_str().unwrap().ends_with('Z'));
    assert!(agent_p["connectedTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        c["participants"][0]["attributes"]["CustomerName"],
        "Jane Doe"
    );
    for key in ["user_id", "queue_id", "start_time", "connected_time"] {
        assert!(
            agent_p.get(key).is_none(),
            "snake_case key {key} in {agent_p}"
        );
    }

    app.send(
        "POST",
        &format!("/api/v1/interactions/{id}/end"),
        Some(&agent),
        None,
    )
    .await;
    let c = app
        .get(&format!("/api/v2/conversations/{id}"), &agent)
        .await
        .json;
    assert!(c["endTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(c["participants"][0]["state"], "disconnected");
    assert!(c["participants"][0]["endTime"].is_string());

    let r = app.get("/api/v2/conversations/unknown", &agent).await;
    assert_eq!(r.status, 404);
    app.finish().await;
});
