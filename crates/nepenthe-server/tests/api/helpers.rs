//! `spawn_app()` and a small HTTP client wrapper.

use nepenthe_core::{Role, TenantId};
use nepenthe_server::{AppState, ServerConfig};
use nepenthe_store::testing::TestDb;
use nepenthe_store::Store;
use serde_json::Value;
use std::time::Duration;

pub const A: TenantId = TenantId(101);
pub const B: TenantId = TenantId(202);

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// A response: status, parsed JSON (Null when the body is not JSON) and the raw body.
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub json: Value,
    pub text: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

pub async fn spawn_app(db: TestDb) -> TestApp {
    spawn_app_with(db, ServerConfig::default(), None).await
}

/// Spawns the server with a given configuration and token-cache TTL.
pub async fn spawn_app_with(db: TestDb, config: ServerConfig, ttl: Option<Duration>) -> TestApp {
    let store = db.open().await;
    store.create_tenant(A, "tenant a").await.unwrap();
    store.create_tenant(B, "tenant b").await.unwrap();
    let mut state = AppState::new(store.clone(), config);
    if let Some(ttl) = ttl {
        state = state.with_token_cache_ttl(ttl);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(nepenthe_server::serve(listener, state, async {
        let _ = rx.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        store,
        db,
        shutdown: Some(tx),
        server: Some(server),
    }
}

impl TestApp {
    /// A fresh token for `tenant` with `role`.
    pub async fn token(&self, tenant: TenantId, role: Role) -> String {
        self.store.create_token(tenant, role, None).await.unwrap().1
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Res {
        let raw = body.map(|b| b.to_string().into_bytes());
        self.send_raw(method, path, token, raw).await
    }

    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Res {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let res = req.send().await.expect("request failed");
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = res.bytes().await.unwrap().to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(
            status < 500,
            "{method} {path} answered {status}: {text} (never a 500)"
        );
        if status >= 400 {
            assert!(
                json["code"].is_string() && json["message"].is_string() && json["status"] == status,
                "{method} {path} answered {status} without our error shape: {text}"
            );
        }
        Res {
            status,
            json,
            text,
            content_type,
            bytes,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.send("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Res {
        self.send("POST", path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Res {
        self.send("PATCH", path, Some(token), Some(body)).await
    }

    /// Stops the server and drops the PostgreSQL database.
    pub async fn finish(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
        self.store.close().await;
        self.db.cleanup().await;
    }
}

/// A contact body for Jane Doe.
pub fn jane() -> Value {
    serde_json::json!({
        "first_name": "Jane",
        "last_name": "Doe",
        "title": "Dr",
        "emails": ["Jane.Doe@Company.com"],
        "phones": ["07700 900123"],
        "attributes": {"Postcode": "SW1A 1AA"}
    })
}

/// Creates a contact and returns its id.
pub async fn create_contact(app: &TestApp, token: &str, body: &Value) -> String {
    let r = app.post("/api/v1/contacts", token, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["id"].as_str().unwrap().to_owned()
}

/// Creates a voice interaction for `contact` with a customer and an agent participant.
pub async fn create_call(app: &TestApp, token: &str, contact: Option<&str>) -> Value {
    let body = serde_json::json!({
        "contact_id": contact,
        "media_type": "voice",
        "status": "in_progress",
        "subject": "Billing question",
        "text": "Caller said her name is Jane Doe",
        "queue": "billing",
        "participants": [
            {"id": "cust1", "purpose": "customer", "name": "Jane Doe",
             "attributes": {"CustomerName": "Jane Doe", "Postcode": "SW1A 1AA"}},
            {"id": "agent1", "purpose": "agent", "name": "Agent Smith", "user_id": "u-1", "queue_id": "q-1"}
        ],
        "attachments": [
            {"id": "att1", "name": "note.txt", "mime_type": "text/plain", "content_base64": "aGVsbG8gd29ybGQ="}
        ]
    });
    let r = app.post("/api/v1/interactions", token, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json
}

/// A concrete path and a valid body for a route template, using the given contact and
/// interaction ids (participant `cust1`, attachment `att1`, as made by [`create_call`]).
pub fn concrete(
    method: &str,
    template: &str,
    contact: &str,
    interaction: &str,
) -> (String, Option<Value>) {
    let path = if template.starts_with("/api/v1/contacts/") {
        template.replace("{id}", contact)
    } else if template.starts_with("/api/v1/privacy-requests/") {
        // The export request the POST below creates, named after the contact.
        template.replace("{id}", &format!("pr-{contact}"))
    } else {
        template
            .replace("{id}", interaction)
            .replace("{conversationId}", interaction)
    }
    .replace("{pid}", "cust1")
    .replace("{participantId}", "cust1")
    .replace("{aid}", "att1");
    let body = match (method, template) {
        ("POST", "/api/v1/contacts") => Some(jane()),
        ("PATCH", "/api/v1/contacts/{id}") => Some(serde_json::json!({"title": "Prof"})),
        ("PUT", "/api/v1/contacts/{id}") => Some(jane()),
        ("POST", "/api/v1/contacts/identify") => {
            Some(serde_json::json!({"TenantId": 101, "EmailAddress": "jane.doe@company.com"}))
        }
        ("POST", "/api/v1/interactions") => {
            Some(serde_json::json!({"contact_id": contact, "media_type": "chat"}))
        }
        ("PATCH", "/api/v1/interactions/{id}") => Some(serde_json::json!({"subject": "x"})),
        ("POST", "/api/v1/interactions/{id}/participants") => {
            Some(serde_json::json!({"purpose": "agent"}))
        }
        ("POST", "/api/v1/interactions/{id}/attachments") => Some(serde_json::json!(
            {"name": "a.txt", "mime_type": "text/plain", "content_base64": "eA=="}
        )),
        ("POST", "/api/v1/privacy-requests") => Some(
            serde_json::json!({"id": format!("pr-{contact}"), "type": "export", "subject": [contact]}),
        ),
        ("POST", "/api/v1/scan") => {
            Some(serde_json::json!({"id": 1, "text": "Call me on 07700 900123"}))
        }
        ("PATCH", _) if template.ends_with("/attributes") => {
            Some(serde_json::json!({"attributes": {"Intent": "x"}}))
        }
        _ => None,
    };
    (path, body)
}
