//! Health probes, metrics and the OpenAPI document.

use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

/// The process is up (no database access).
pub(crate) async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// The database answers; 503 otherwise.
pub(crate) async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    match state.store.ping().await {
        Ok(()) => Ok(Json(json!({"status": "ready"}))),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::unavailable("database not reachable"))
        }
    }
}

pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

pub(crate) async fn openapi_json() -> Json<Value> {
    Json(crate::openapi())
}
