//! The role matrix, table-driven: every role against every route. Allowed calls succeed
//! (2xx), denied calls answer 403, calls without a token answer 401. The table is written
//! out here (not derived from the server's) so a change to the matrix shows up as a failing
//! test; it must also list every route the server has.

use crate::helpers::*;
use nepenthe_core::Role;
use nepenthe_server::routes::ROUTES;
use nepenthe_store::both_backends;
use nepenthe_store::testing::TestDb;

const ALL: &str = "agent supervisor compliance admin";
const PUBLIC: &str = "public";

/// (method, route, roles allowed), in an order where no call undoes a later one.
const MATRIX: &[(&str, &str, &str)] = &[
    ("GET", "/healthz", PUBLIC),
    ("GET", "/readyz", PUBLIC),
    ("GET", "/openapi.json", PUBLIC),
    ("GET", "/metrics", "supervisor admin"),
    ("POST", "/api/v1/contacts", ALL),
    ("GET", "/api/v1/contacts", ALL),
    ("GET", "/api/v1/contacts/{id}", ALL),
    ("PATCH", "/api/v1/contacts/{id}", ALL),
    ("PUT", "/api/v1/contacts/{id}", ALL),
    ("POST", "/api/v1/contacts/identify", ALL),
    ("POST", "/api/v1/interactions", ALL),
    ("GET", "/api/v1/interactions", ALL),
    ("GET", "/api/v1/interactions/{id}", ALL),
    ("PATCH", "/api/v1/interactions/{id}", ALL),
    ("POST", "/api/v1/interactions/{id}/participants", ALL),
    (
        "POST",
        "/api/v1/interactions/{id}/participants/{pid}/disconnect",
        ALL,
    ),
    (
        "POST",
        "/api/v1/interactions/{id}/participants/{pid}/connect",
        ALL,
    ),
    ("POST", "/api/v1/interactions/{id}/attachments", ALL),
    ("GET", "/api/v1/interactions/{id}/attachments/{aid}", ALL),
    (
        "PATCH",
        "/api/v2/conversations/calls/{conversationId}/participants/{participantId}/attributes",
        ALL,
    ),
    (
        "PATCH",
        "/api/v2/conversations/{conversationId}/participants/{participantId}/attributes",
        ALL,
    ),
    ("GET", "/api/v2/conversations/calls/{conversationId}", ALL),
    ("GET", "/api/v2/conversations/{conversationId}", ALL),
    ("POST", "/api/v1/interactions/{id}/end", ALL),
    ("POST", "/api/v1/scan", ALL),
    ("GET", "/api/v1/audit", "compliance admin"),
    ("GET", "/api/v1/receipts", "compliance admin"),
    ("POST", "/api/v1/privacy-requests", "compliance admin"),
    ("GET", "/api/v1/privacy-requests", "compliance admin"),
    ("GET", "/api/v1/privacy-requests/{id}", "compliance admin"),
    (
        "GET",
        "/api/v1/privacy-requests/{id}/export",
        "compliance admin",
    ),
    (
        "DELETE",
        "/api/v1/interactions/{id}",
        "supervisor compliance admin",
    ),
    ("DELETE", "/api/v1/contacts/{id}", "compliance admin"),
];

#[test]
fn matrix_lists_every_route() {
    for r in ROUTES {
        assert!(
            MATRIX
                .iter()
                .any(|(m, p, _)| *m == r.method && *p == r.path),
            "{} {} is missing from the test matrix",
            r.method,
            r.path
        );
    }
    assert_eq!(MATRIX.len(), ROUTES.len());
}

both_backends!(role_matrix, |db: TestDb| async move {
    let app = spawn_app(db).await;
    let admin = app.token(A, Role::Admin).await;
    for role in Role::ALL {
        let token = app.token(A, role).await;
        // Fresh objects per role: the matrix ends with deletions.
        let contact = create_contact(&app, &admin, &jane()).await;
        let it = create_call(&app, &admin, Some(&contact)).await;
        let iid = it["id"].as_str().unwrap().to_owned();
        for (method, template, allowed) in MATRIX {
            let (path, body) = concrete(method, template, &contact, &iid);
            let r = app.send(method, &path, Some(&token), body.as_ref()).await;
            let ok = *allowed == PUBLIC || allowed.split(' ').any(|a| a == role.as_str());
            if ok {
                assert!(
                    (200..300).contains(&r.status),
                    "{role} {method} {path}: expected success, got {}: {}",
                    r.status,
                    r.text
                );
            } else {
                assert_eq!(r.status, 403, "{role} {method} {path}: {}", r.text);
                assert_eq!(r.json["code"], "forbidden");
            }
        }
    }
    // Without a token every non-public route answers 401, before anything else is looked at.
    let contact = create_contact(&app, &admin, &jane()).await;
    for (method, template, allowed) in MATRIX {
        let (path, body) = concrete(method, template, &contact, "whatever");
        let r = app.send(method, &path, None, body.as_ref()).await;
        if *allowed == PUBLIC {
            assert_eq!(r.status, 200, "{method} {path}");
        } else {
            assert_eq!(r.status, 401, "{method} {path}: {}", r.text);
            assert_eq!(r.json["code"], "unauthorized");
        }
    }
    app.finish().await;
});
