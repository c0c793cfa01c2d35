//! `/api/v1/audit` and `/api/v1/receipts`: the tenant's audit log and erasure receipts.

use super::page_size;
use crate::dto::iso;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Params};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use nepenthe_core::ContactId;
use serde::Serialize;

#[derive(Serialize)]
pub(crate) struct AuditRecordDto {
    seq: i64,
    at: String,
    actor: String,
    role: String,
    action: String,
    object_type: String,
    object_ids: Vec<String>,
    details: serde_json::Value,
}

#[derive(Serialize)]
pub(crate) struct AuditPage {
    items: Vec<AuditRecordDto>,
    /// Pass as `before` to get older records; absent when there are none.
    next_before: Option<i64>,
}

/// Newest first; `?before=<seq>` pages back, `?page_size=` sets the page length.
pub(crate) async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<AuditPage>> {
    let limit = page_size(&state, params.get("page_size"))?;
    let before =
        match params.get("before").filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                ApiError::unprocessable("before must be an integer sequence number")
            })?),
        };
    let records = state.store.list_audit(caller.tenant, before, limit).await?;
    let next_before = (records.len() as u32 == limit)
        .then(|| records.last().map(|r| r.seq))
        .flatten();
    Ok(Json(AuditPage {
        items: records
            .into_iter()
            .map(|r| AuditRecordDto {
                seq: r.seq,
                at: iso(r.at),
                actor: r.actor,
                role: r.role,
                action: r.action,
                object_type: r.object_type,
                object_ids: r.object_ids,
                details: r.details,
            })
            .collect(),
        next_before,
    }))
}

#[derive(Serialize)]
pub(crate) struct Receipts {
    items: Vec<serde_json::Value>,
}

/// Erasure receipts (counts, digests, the destroyed key's id), optionally for one contact.
pub(crate) async fn receipts(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Receipts>> {
    let contact = match params.get("contact_id").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<ContactId>()
                .map_err(|e| ApiError::unprocessable(format!("contact_id: {e}")))?,
        ),
    };
    let items = state
        .store
        .receipts(caller.tenant, contact.as_ref())
        .await?;
    Ok(Json(Receipts { items }))
}
