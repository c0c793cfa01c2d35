//! The router works without a socket: `app(state)` driven with `tower::ServiceExt::oneshot`.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use nepenthe_core::Role;
use nepenthe_server::{app, AppState, ServerConfig};
use nepenthe_store::testing::TestDb;
use tower::ServiceExt;

#[tokio::test]
async fn router_answers_without_a_socket() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    store.create_tenant(A, "a").await.unwrap();
    let token = store.create_token(A, Role::Agent, None).await.unwrap().1;
    let router = app(AppState::new(store.clone(), ServerConfig::default()));

    let res = router
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = router
        .clone()
        .oneshot(
            Request::get("/api/v1/contacts")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let res = router
        .clone()
        .oneshot(
            Request::get("/api/v1/contacts")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Readiness follows the database; liveness does not.
    store.close().await;
    let res = router
        .clone()
        .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let res = router
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
