//! `/api/v1/privacy-requests`: data-subject requests (export, erase, rectify, count) over the
//! main and archive data sources, run by `nepenthe-rights`. A request is recorded as
//! `received`, runs at once (`in_progress`), and ends `completed`, `rejected` (bad subject,
//! too many matches, nothing matched) or `failed`; it carries a due date one month after
//! receipt. Erase and rectify requests only report unless `confirm` is true. An export's
//! result is downloaded from `/api/v1/privacy-requests/{id}/export` as one JSON bundle.

use super::{page_size, query_bool};
use crate::dto::iso;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, Params, PathIds};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nepenthe_rights::{
    parse_replacement, NewPrivacyRequest, PrivacyConfig, RequestKind, RequestStatus, RightsError,
    Sources, DEFAULT_MAX_CONTACTS,
};
use nepenthe_store::{PrivacyRequestRecord, StoreError};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PrivacyRequestInput {
    /// The caller's id for the request (e.g. its ticket number); generated when absent.
    id: Option<String>,
    #[serde(rename = "type")]
    kind: RequestKind,
    /// An identification request object, an array of contact ids, or "id1,id2".
    subject: serde_json::Value,
    #[serde(default)]
    confirm: bool,
    /// For rectify: "old=new" replacements.
    #[serde(default)]
    replace: Vec<String>,
    max_contacts: Option<usize>,
    #[serde(default)]
    stop_in_progress: bool,
}

#[derive(Serialize)]
pub(crate) struct PrivacyRequestDto {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    confirm: bool,
    received_at: String,
    due_at: String,
    updated_at: String,
    completed_at: Option<String>,
    overdue: bool,
    /// When the subject values are (or were) purged; the record and its result remain.
    subject_purge_after: Option<String>,
    subject_purged_at: Option<String>,
    result: Option<serde_json::Value>,
    error: Option<String>,
    /// Where an export's result is downloaded (completed export requests only).
    download: Option<String>,
}

impl From<PrivacyRequestRecord> for PrivacyRequestDto {
    fn from(r: PrivacyRequestRecord) -> Self {
        let open = r.status == RequestStatus::Received.as_str()
            || r.status == RequestStatus::InProgress.as_str();
        let download = (r.kind == RequestKind::Export.as_str()
            && r.status == RequestStatus::Completed.as_str())
        .then(|| format!("/api/v1/privacy-requests/{}/export", r.id));
        PrivacyRequestDto {
            overdue: open && r.due_at < nepenthe_core::now(),
            id: r.id,
            kind: r.kind,
            status: r.status,
            confirm: r.confirm,
            received_at: iso(r.received_at),
            due_at: iso(r.due_at),
            updated_at: iso(r.updated_at),
            completed_at: r.completed_at.map(iso),
            subject_purge_after: r.purge_after.map(iso),
            subject_purged_at: r.subject_purged_at.map(iso),
            result: r.result,
            error: r.error,
            download,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct PrivacyRequestPage {
    items: Vec<PrivacyRequestDto>,
}

fn sources(state: &AppState) -> Sources {
    Sources::new(state.store.clone(), state.archive.clone())
}

fn privacy_config(state: &AppState) -> PrivacyConfig {
    PrivacyConfig::new(state.config.privacy_subject_retention_days).unwrap_or_default()
}

fn rights_error(e: RightsError) -> ApiError {
    match e {
        RightsError::Store(s) => s.into(),
        RightsError::NothingMatched(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
        RightsError::Usage(m) => ApiError::conflict(m),
        RightsError::Io(_) => ApiError::internal(),
        other => ApiError::unprocessable(other.to_string()),
    }
}

/// Subject values whose window has passed are purged on every visit (cheap when none are).
async fn purge_due(state: &AppState) -> ApiResult<()> {
    state
        .exclusive(sources(state).purge_request_subjects())
        .await
        .map_err(rights_error)?;
    Ok(())
}

/// Records and runs a privacy request; answers 201 with its final state.
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PrivacyRequestInput>,
) -> ApiResult<(StatusCode, Json<PrivacyRequestDto>)> {
    let replace = body
        .replace
        .iter()
        .map(|r| parse_replacement(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    if body.kind == RequestKind::Rectify && replace.is_empty() {
        return Err(ApiError::unprocessable(
            "a rectify request needs at least one replacement in \"replace\" (\"old=new\")",
        ));
    }
    if let Some(id) = &body.id {
        // Recorded in the audit log and receipts: an id, never free text.
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
        if !ok {
            return Err(ApiError::unprocessable(
                "id must be 1 to 64 characters of A-Z, a-z, 0-9, '-', '_', '.' or ':'",
            ));
        }
    }
    let max_contacts = body.max_contacts.unwrap_or(DEFAULT_MAX_CONTACTS);
    if max_contacts == 0 {
        return Err(ApiError::unprocessable("max_contacts must be at least 1"));
    }
    purge_due(&state).await?;
    let req = NewPrivacyRequest {
        id: body.id,
        kind: body.kind,
        subject: body.subject,
        confirm: body.confirm,
        replace,
        max_contacts,
        stop_in_progress: body.stop_in_progress,
    };
    let rec = state
        .exclusive(sources(&state).submit_privacy_request(
            caller.tenant,
            &caller.actor(),
            req,
            &privacy_config(&state),
            &state.config.identify,
        ))
        .await
        .map_err(rights_error)?;
    tracing::info!(tenant = %caller.tenant, request = %rec.id, status = %rec.status, "privacy request");
    Ok((StatusCode::CREATED, Json(rec.into())))
}

/// The tenant's requests, newest first: `?status=`, `?overdue=true`, `?page_size=`.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<PrivacyRequestPage>> {
    let limit = page_size(&state, params.get("page_size"))?;
    let status = match params.get("status").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(RequestStatus::parse(s).ok_or_else(|| {
            ApiError::unprocessable(
                "status must be one of received, in_progress, completed, rejected, failed",
            )
        })?),
    };
    let overdue = query_bool("overdue", params.get("overdue"))?;
    purge_due(&state).await?;
    let items = state
        .store
        .list_privacy_requests(
            caller.tenant,
            status.map(|s| s.as_str()),
            overdue.then(nepenthe_core::now),
            limit,
        )
        .await?;
    Ok(Json(PrivacyRequestPage {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Json<PrivacyRequestDto>> {
    let rec = match state
        .store
        .get_privacy_request(caller.tenant, ids.at(0))
        .await
    {
        Ok(r) => r,
        Err(StoreError::NotFound(_)) => return Err(ApiError::not_found("privacy request")),
        Err(e) => return Err(e.into()),
    };
    Ok(Json(rec.into()))
}

/// The JSON bundle of a completed export request: every contact with its interactions
/// (attachments inlined as base64) and its unlinked interactions, from all data sources.
pub(crate) async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Response> {
    let id = ids.at(0).to_owned();
    let mut buf: Vec<u8> = Vec::new();
    let res = state
        .exclusive(sources(&state).export_request_bundle(
            caller.tenant,
            &id,
            &caller.actor(),
            &mut buf,
        ))
        .await;
    match res {
        Ok(()) => {}
        Err(RightsError::NothingMatched(_)) => return Err(ApiError::not_found("privacy request")),
        Err(e) => return Err(rights_error(e)),
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"privacy-request-{id}.json\""),
            ),
        ],
        buf,
    )
        .into_response())
}
