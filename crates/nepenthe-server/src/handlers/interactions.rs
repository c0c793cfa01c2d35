//! `/api/v1/interactions`: interactions, their participants and attachments.

use super::{audit, page_size};
use crate::dto::{
    AttachmentBody, AttachmentDto, InteractionBody, InteractionDto, InteractionPatch, Page,
    ParticipantBody, ParticipantDto,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, ApiJson, Caller, Params, PathIds};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nepenthe_core::{
    AttachmentId, ContactId, Interaction, InteractionId, InteractionStatus, MediaType, Participant,
    ParticipantId, ParticipantState, Timestamp,
};
use nepenthe_store::{InteractionFilter, StoreError};
use serde_json::json;

fn interaction_id(ids: &PathIds) -> ApiResult<InteractionId> {
    path_id(ids.at(0), "interaction")
}

fn timestamp(name: &str, raw: Option<&str>) -> ApiResult<Option<Timestamp>> {
    match raw {
        None | Some("") => Ok(None),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(|_| {
                ApiError::unprocessable(format!(
                    "{name} must be an RFC 3339 timestamp such as 2026-01-31T09:30:00Z"
                ))
            }),
    }
}

fn one_of<T: Copy>(
    name: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    label: fn(T) -> &'static str,
) -> ApiResult<Option<T>> {
    match raw {
        None | Some("") => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| label(*v)).collect();
            ApiError::unprocessable(format!("{name} must be one of {}", names.join(", ")))
        }),
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<InteractionBody>,
) -> ApiResult<impl IntoResponse> {
    let new = body.into_new()?;
    let it = state
        .exclusive(state.store.create_interaction(caller.tenant, new))
        .await?;
    let mut ids = vec![it.id.to_string()];
    ids.extend(it.contact_id.as_ref().map(|c| c.to_string()));
    audit(
        &state,
        &caller,
        "interaction.create",
        "interaction",
        ids,
        json!({"participants": it.participants.len(), "attachments": it.attachments.len()}),
    )
    .await?;
    let location = format!("/api/v1/interactions/{}", it.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(InteractionDto::from(it)),
    ))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<InteractionDto>>> {
    let contact_id = match params.get("contact_id").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<ContactId>()
                .map_err(|e| ApiError::unprocessable(format!("contact_id: {e}")))?,
        ),
    };
    let filter = InteractionFilter {
        contact_id,
        status: one_of(
            "status",
            params.get("status"),
            InteractionStatus::parse,
            InteractionStatus::ALL,
            InteractionStatus::as_str,
        )?,
        media_type: one_of(
            "media_type",
            params.get("media_type"),
            MediaType::parse,
            MediaType::ALL,
            MediaType::as_str,
        )?,
        from: timestamp("from", params.get("from"))?,
        to: timestamp("to", params.get("to"))?,
        cursor: params
            .get("cursor")
            .filter(|c| !c.is_empty())
            .map(Into::into),
        limit: page_size(&state, params.get("page_size"))?,
    };
    let page = state
        .store
        .list_interactions(caller.tenant, &filter)
        .await?;
    audit(
        &state,
        &caller,
        "interaction.list",
        "interaction",
        page.interactions.iter().map(|i| i.id.to_string()).collect(),
        json!({"count": page.interactions.len()}),
    )
    .await?;
    Ok(Json(Page {
        items: page.interactions.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Json<InteractionDto>> {
    let id = interaction_id(&ids)?;
    let it = state.store.get_interaction(caller.tenant, &id).await?;
    audit(
        &state,
        &caller,
        "interaction.read",
        "interaction",
        vec![id.to_string()],
        json!({}),
    )
    .await?;
    Ok(Json(it.into()))
}

pub(crate) async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
    ApiJson(body): ApiJson<InteractionPatch>,
) -> ApiResult<Json<InteractionDto>> {
    let id = interaction_id(&ids)?;
    let fields = body.field_count();
    let (it, ()) = state
        .exclusive(state.store.update_interaction(caller.tenant, &id, |i| {
            body.apply(i);
            Ok(())
        }))
        .await?;
    audit(
        &state,
        &caller,
        "interaction.update",
        "interaction",
        vec![id.to_string()],
        json!({"fields": fields}),
    )
    .await?;
    Ok(Json(it.into()))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<StatusCode> {
    let id = interaction_id(&ids)?;
    state
        .exclusive(async {
            // A legal hold preserves the contact's interactions too. (On PostgreSQL a hold
            // placed between this check and the delete is not seen; the store should check
            // inside its transaction.)
            let it = state.store.get_interaction(caller.tenant, &id).await?;
            if let Some(cid) = &it.contact_id {
                if state.store.get_contact(caller.tenant, cid).await?.legal_hold {
                    return Err(ApiError::conflict(format!(
                        "interaction {id} belongs to contact {cid}, which is under legal hold; not deleted"
                    )));
                }
            }
            state
                .store
                .delete_interaction(caller.tenant, &id)
                .await
                .map_err(ApiError::from)
        })
        .await?;
    audit(
        &state,
        &caller,
        "interaction.delete",
        "interaction",
        vec![id.to_string()],
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn refuse_if_finished(i: &Interaction) -> Result<(), StoreError> {
    if i.status.is_finished() {
        return Err(StoreError::Conflict(format!(
            "interaction {} is {}; its participants no longer change",
            i.id, i.status
        )));
    }
    Ok(())
}

pub(crate) async fn add_participant(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
    ApiJson(body): ApiJson<ParticipantBody>,
) -> ApiResult<impl IntoResponse> {
    let id = interaction_id(&ids)?;
    let new = body.into_new()?;
    let (_, p) = state
        .exclusive(state.store.update_interaction(caller.tenant, &id, |i| {
            refuse_if_finished(i)?;
            let p = new.build(nepenthe_core::now());
            if i.participant(&p.id).is_some() {
                return Err(StoreError::Conflict(format!(
                    "participant {} already exists",
                    p.id
                )));
            }
            i.participants.push(p.clone());
            Ok(p)
        }))
        .await?;
    audit(
        &state,
        &caller,
        "participant.add",
        "participant",
        vec![id.to_string(), p.id.to_string()],
        json!({"attributes": p.attributes.len()}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ParticipantDto::from(p))))
}

async fn set_participant_state(
    state: &AppState,
    caller: &Caller,
    ids: &PathIds,
    to: ParticipantState,
) -> ApiResult<Json<ParticipantDto>> {
    let id = interaction_id(ids)?;
    let pid: ParticipantId = path_id(ids.at(1), "participant")?;
    let (_, p) = state
        .exclusive(state.store.update_interaction(caller.tenant, &id, |i| {
            refuse_if_finished(i)?;
            let now = nepenthe_core::now();
            let p = i
                .participant_mut(&pid)
                .ok_or(StoreError::NotFound("participant"))?;
            if p.state != to {
                p.state = to;
                match to {
                    ParticipantState::Connected => {
                        p.connected_time = Some(now);
                        p.end_time = None;
                    }
                    ParticipantState::Disconnected => p.end_time = Some(now),
                }
            }
            Ok::<Participant, StoreError>(p.clone())
        }))
        .await?;
    audit(
        state,
        caller,
        match to {
            ParticipantState::Connected => "participant.connect",
            ParticipantState::Disconnected => "participant.disconnect",
        },
        "participant",
        vec![id.to_string(), pid.to_string()],
        json!({}),
    )
    .await?;
    Ok(Json(p.into()))
}

pub(crate) async fn connect(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Json<ParticipantDto>> {
    set_participant_state(&state, &caller, &ids, ParticipantState::Connected).await
}

pub(crate) async fn disconnect(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Json<ParticipantDto>> {
    set_participant_state(&state, &caller, &ids, ParticipantState::Disconnected).await
}

/// Ends the interaction: status `done`, every connected participant disconnected. Ending an
/// interaction that is already finished changes nothing.
pub(crate) async fn end(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Json<InteractionDto>> {
    let id = interaction_id(&ids)?;
    let (it, disconnected) = state
        .exclusive(state.store.update_interaction(caller.tenant, &id, |i| {
            let now = nepenthe_core::now();
            let mut n = 0usize;
            for p in &mut i.participants {
                if p.state == ParticipantState::Connected {
                    p.state = ParticipantState::Disconnected;
                    p.end_time = Some(now);
                    n += 1;
                }
            }
            if !i.status.is_finished() {
                i.status = InteractionStatus::Done;
                i.ended_at = Some(now);
            }
            Ok(n)
        }))
        .await?;
    audit(
        &state,
        &caller,
        "interaction.end",
        "interaction",
        vec![id.to_string()],
        json!({"participants_disconnected": disconnected}),
    )
    .await?;
    Ok(Json(it.into()))
}

pub(crate) async fn add_attachment(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
    ApiJson(body): ApiJson<AttachmentBody>,
) -> ApiResult<impl IntoResponse> {
    let id = interaction_id(&ids)?;
    let new = body.into_new("attachment")?;
    let meta = state
        .exclusive(state.store.add_attachment(caller.tenant, &id, new))
        .await?;
    audit(
        &state,
        &caller,
        "attachment.add",
        "attachment",
        vec![id.to_string(), meta.id.to_string()],
        json!({"bytes": meta.size}),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(AttachmentDto::from(meta))))
}

/// The attachment's raw bytes, with its MIME type as `Content-Type`.
pub(crate) async fn get_attachment(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Response> {
    let id = interaction_id(&ids)?;
    let aid: AttachmentId = path_id(ids.at(1), "attachment")?;
    let (meta, content) = state.store.get_attachment(caller.tenant, &id, &aid).await?;
    audit(
        &state,
        &caller,
        "attachment.read",
        "attachment",
        vec![id.to_string(), aid.to_string()],
        json!({"bytes": meta.size}),
    )
    .await?;
    let content_type = HeaderValue::from_str(&meta.mime_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Never rendered inline by a browser: stored content is customer-supplied.
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
        ],
        content,
    )
        .into_response())
}
