//! The route table: one row per route with its method, path template, required permission
//! and summary. The router, the permission middleware, the OpenAPI document and the README's
//! role matrix are all built from this table, so they cannot disagree.

use crate::error::ApiError;
use crate::handlers::{admin, contacts, genesys, interactions, scan, system};
use crate::{auth, metrics, AppState};
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use nepenthe_core::{Permission, Role};

/// One route. `permission: None` marks a public route (health probes, the OpenAPI document).
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub permission: Option<Permission>,
    pub summary: &'static str,
    pub tag: &'static str,
    pub(crate) op: Op,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Healthz,
    Readyz,
    Metrics,
    OpenApi,
    CreateContact,
    ListContacts,
    GetContact,
    PatchContact,
    PutContact,
    EraseContact,
    IdentifyContacts,
    CreateInteraction,
    ListInteractions,
    GetInteraction,
    PatchInteraction,
    DeleteInteraction,
    AddParticipant,
    ConnectParticipant,
    DisconnectParticipant,
    EndInteraction,
    AddAttachment,
    GetAttachment,
    ListAudit,
    ListReceipts,
    Scan,
    GenesysPatchCallAttributes,
    GenesysPatchAttributes,
    GenesysGetConversation,
    GenesysGetCall,
    CreatePrivacyRequest,
    ListPrivacyRequests,
    GetPrivacyRequest,
    DownloadPrivacyExport,
}

const fn r(
    method: &'static str,
    path: &'static str,
    permission: Option<Permission>,
    tag: &'static str,
    summary: &'static str,
    op: Op,
) -> Route {
    Route {
        method,
        path,
        permission,
        summary,
        tag,
        op,
    }
}

use Permission as P;

/// Every route the server answers.
pub const ROUTES: &[Route] = &[
    r(
        "GET",
        "/healthz",
        None,
        "system",
        "Liveness: the process is up",
        Op::Healthz,
    ),
    r(
        "GET",
        "/readyz",
        None,
        "system",
        "Readiness: the database answers",
        Op::Readyz,
    ),
    r(
        "GET",
        "/metrics",
        Some(P::ReadMetrics),
        "system",
        "Prometheus metrics (request counts, latency)",
        Op::Metrics,
    ),
    r(
        "GET",
        "/openapi.json",
        None,
        "system",
        "This OpenAPI document",
        Op::OpenApi,
    ),
    r(
        "POST",
        "/api/v1/contacts",
        Some(P::WriteContacts),
        "contacts",
        "Create a contact",
        Op::CreateContact,
    ),
    r(
        "GET",
        "/api/v1/contacts",
        Some(P::ReadContacts),
        "contacts",
        "List contacts (cursor pagination)",
        Op::ListContacts,
    ),
    r(
        "POST",
        "/api/v1/contacts/identify",
        Some(P::Identify),
        "contacts",
        "Find every contact matching a UCS identification request",
        Op::IdentifyContacts,
    ),
    r(
        "GET",
        "/api/v1/contacts/{id}",
        Some(P::ReadContacts),
        "contacts",
        "Read a contact",
        Op::GetContact,
    ),
    r(
        "PATCH",
        "/api/v1/contacts/{id}",
        Some(P::WriteContacts),
        "contacts",
        "Change some fields of a contact",
        Op::PatchContact,
    ),
    r(
        "PUT",
        "/api/v1/contacts/{id}",
        Some(P::WriteContacts),
        "contacts",
        "Replace a contact's fields",
        Op::PutContact,
    ),
    r(
        "DELETE",
        "/api/v1/contacts/{id}",
        Some(P::Erase),
        "contacts",
        "Erase a contact with all its interactions (forget me)",
        Op::EraseContact,
    ),
    r(
        "POST",
        "/api/v1/interactions",
        Some(P::WriteInteractions),
        "interactions",
        "Create an interaction with participants and attachments",
        Op::CreateInteraction,
    ),
    r(
        "GET",
        "/api/v1/interactions",
        Some(P::ReadInteractions),
        "interactions",
        "List interactions (filters, cursor pagination)",
        Op::ListInteractions,
    ),
    r(
        "GET",
        "/api/v1/interactions/{id}",
        Some(P::ReadInteractions),
        "interactions",
        "Read an interaction",
        Op::GetInteraction,
    ),
    r(
        "PATCH",
        "/api/v1/interactions/{id}",
        Some(P::WriteInteractions),
        "interactions",
        "Change some fields of an interaction",
        Op::PatchInteraction,
    ),
    r(
        "DELETE",
        "/api/v1/interactions/{id}",
        Some(P::DeleteInteractions),
        "interactions",
        "Delete an interaction",
        Op::DeleteInteraction,
    ),
    r(
        "POST",
        "/api/v1/interactions/{id}/participants",
        Some(P::WriteInteractions),
        "interactions",
        "Add a participant",
        Op::AddParticipant,
    ),
    r(
        "POST",
        "/api/v1/interactions/{id}/participants/{pid}/connect",
        Some(P::WriteInteractions),
        "interactions",
        "Mark a participant connected",
        Op::ConnectParticipant,
    ),
    r(
        "POST",
        "/api/v1/interactions/{id}/participants/{pid}/disconnect",
        Some(P::WriteInteractions),
        "interactions",
        "Mark a participant disconnected",
        Op::DisconnectParticipant,
    ),
    r(
        "POST",
        "/api/v1/interactions/{id}/end",
        Some(P::WriteInteractions),
        "interactions",
        "End an interaction (status done, every participant disconnected)",
        Op::EndInteraction,
    ),
    r(
        "POST",
        "/api/v1/interactions/{id}/attachments",
        Some(P::WriteInteractions),
        "interactions",
        "Add an attachment (content in base64)",
        Op::AddAttachment,
    ),
    r(
        "GET",
        "/api/v1/interactions/{id}/attachments/{aid}",
        Some(P::ReadInteractions),
        "interactions",
        "Download an attachment's content",
        Op::GetAttachment,
    ),
    r(
        "GET",
        "/api/v1/audit",
        Some(P::ReadAudit),
        "audit",
        "Read the tenant's audit log, newest first",
        Op::ListAudit,
    ),
    r(
        "GET",
        "/api/v1/receipts",
        Some(P::ReadAudit),
        "audit",
        "Erasure receipts, newest first",
        Op::ListReceipts,
    ),
    r(
        "POST",
        "/api/v1/scan",
        Some(P::Scan),
        "scan",
        "Find personal data in free text (optionally redact it)",
        Op::Scan,
    ),
    r(
        "PATCH",
        "/api/v2/conversations/calls/{conversationId}/participants/{participantId}/attributes",
        Some(P::WriteParticipantData),
        "genesys",
        "Merge participant data (Genesys Cloud compatible; null removes a key)",
        Op::GenesysPatchCallAttributes,
    ),
    r(
        "PATCH",
        "/api/v2/conversations/{conversationId}/participants/{participantId}/attributes",
        Some(P::WriteParticipantData),
        "genesys",
        "Merge participant data (Genesys Cloud compatible; null removes a key)",
        Op::GenesysPatchAttributes,
    ),
    r(
        "GET",
        "/api/v2/conversations/calls/{conversationId}",
        Some(P::ReadInteractions),
        "genesys",
        "A call in Genesys Cloud's conversation shape",
        Op::GenesysGetCall,
    ),
    r(
        "GET",
        "/api/v2/conversations/{conversationId}",
        Some(P::ReadInteractions),
        "genesys",
        "A conversation in Genesys Cloud's shape",
        Op::GenesysGetConversation,
    ),
    r(
        "POST",
        "/api/v1/privacy-requests",
        Some(P::PrivacyRequests),
        "privacy",
        "Submit a data-subject request (export, erase, rectify, count); runs at once",
        Op::CreatePrivacyRequest,
    ),
    r(
        "GET",
        "/api/v1/privacy-requests",
        Some(P::PrivacyRequests),
        "privacy",
        "List privacy requests, newest first (filter by status, overdue)",
        Op::ListPrivacyRequests,
    ),
    r(
        "GET",
        "/api/v1/privacy-requests/{id}",
        Some(P::PrivacyRequests),
        "privacy",
        "Read a privacy request",
        Op::GetPrivacyRequest,
    ),
    r(
        "GET",
        "/api/v1/privacy-requests/{id}/export",
        Some(P::PrivacyRequests),
        "privacy",
        "Download a completed export request's result as one JSON bundle",
        Op::DownloadPrivacyExport,
    ),
];

/// The route table.
pub fn routes() -> &'static [Route] {
    ROUTES
}

/// The route serving `method` on the matched path template.
pub(crate) fn find(method: &Method, template: &str) -> Option<&'static Route> {
    ROUTES
        .iter()
        .find(|r| r.path == template && r.method == method.as_str())
}

fn filter(method: &str) -> MethodFilter {
    match method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "PATCH" => MethodFilter::PATCH,
        "DELETE" => MethodFilter::DELETE,
        other => panic!("route table uses an unsupported method {other}"),
    }
}

fn handler(route: &Route) -> MethodRouter<AppState> {
    let f = filter(route.method);
    match route.op {
        Op::Healthz => on(f, system::healthz),
        Op::Readyz => on(f, system::readyz),
        Op::Metrics => on(f, system::metrics),
        Op::OpenApi => on(f, system::openapi_json),
        Op::CreateContact => on(f, contacts::create),
        Op::ListContacts => on(f, contacts::list),
        Op::GetContact => on(f, contacts::get),
        Op::PatchContact => on(f, contacts::patch),
        Op::PutContact => on(f, contacts::put),
        Op::EraseContact => on(f, contacts::erase),
        Op::IdentifyContacts => on(f, contacts::identify),
        Op::CreateInteraction => on(f, interactions::create),
        Op::ListInteractions => on(f, interactions::list),
        Op::GetInteraction => on(f, interactions::get),
        Op::PatchInteraction => on(f, interactions::patch),
        Op::DeleteInteraction => on(f, interactions::delete),
        Op::AddParticipant => on(f, interactions::add_participant),
        Op::ConnectParticipant => on(f, interactions::connect),
        Op::DisconnectParticipant => on(f, interactions::disconnect),
        Op::EndInteraction => on(f, interactions::end),
        Op::AddAttachment => on(f, interactions::add_attachment),
        Op::GetAttachment => on(f, interactions::get_attachment),
        Op::ListAudit => on(f, admin::audit),
        Op::ListReceipts => on(f, admin::receipts),
        Op::Scan => on(f, scan::scan),
        Op::GenesysPatchCallAttributes | Op::GenesysPatchAttributes => {
            on(f, genesys::patch_attributes)
        }
        Op::GenesysGetConversation | Op::GenesysGetCall => on(f, genesys::get_conversation),
        Op::CreatePrivacyRequest => on(f, crate::handlers::privacy::create),
        Op::ListPrivacyRequests => on(f, crate::handlers::privacy::list),
        Op::GetPrivacyRequest => on(f, crate::handlers::privacy::get),
        Op::DownloadPrivacyExport => on(f, crate::handlers::privacy::export),
    }
}

/// A panicking handler answers 500 "internal error" instead of dropping the connection.
async fn catch_panic(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(res) => res,
        Err(_) => {
            // The panic payload is not logged: it may quote personal data.
            tracing::error!("request handler panicked");
            ApiError::internal().into_response()
        }
    }
}

/// Builds the router from [`ROUTES`].
pub(crate) fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        router = router.route(route.path, handler(route));
    }
    router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "no such route",
            )
            .into_response()
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "method not allowed on this route",
            )
            .into_response()
        })
        .layer(DefaultBodyLimit::max(state.config.body_limit_bytes))
        .layer(axum::middleware::from_fn(catch_panic))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// The role matrix as a Markdown table (one row per route, one column per role), for the
/// README.
pub fn role_matrix_markdown() -> String {
    let mut out = String::from("| Method | Route |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str("\n|---|---|");
    for _ in Role::ALL {
        out.push_str(":-:|");
    }
    out.push('\n');
    for route in ROUTES {
        out.push_str(&format!("| {} | `{}` |", route.method, route.path));
        for role in Role::ALL {
            let cell = match route.permission {
                None => "public",
                Some(p) if role.allows(p) => "yes",
                Some(_) => "—",
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_unique_and_only_probes_are_public() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "duplicate route {} {}",
                    a.method,
                    a.path
                );
            }
            if a.permission.is_none() {
                assert!(
                    ["/healthz", "/readyz", "/openapi.json"].contains(&a.path),
                    "{} is public",
                    a.path
                );
            }
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_our_shape() {
        use tower::ServiceExt;
        let router: Router = Router::new()
            .route(
                "/boom",
                axum::routing::get(|| async {
                    if true {
                        panic!("boom");
                    }
                }),
            )
            .layer(axum::middleware::from_fn(catch_panic));
        let res = router
            .oneshot(
                axum::http::Request::get("/boom")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), 500);
        let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["message"], "internal error");
    }

    #[test]
    fn matrix_has_a_row_per_route() {
        let m = role_matrix_markdown();
        assert_eq!(m.lines().count(), ROUTES.len() + 2);
        assert!(m.contains("| DELETE | `/api/v1/contacts/{id}` | — | — | yes | yes |"));
    }
}
