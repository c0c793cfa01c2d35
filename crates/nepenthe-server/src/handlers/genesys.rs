//! Genesys Cloud compatible routes, so Genesys SDKs, scripts and data actions work against
//! nepenthe unchanged: participant data (`attributes`) and the conversation shape.
//!
//! Participant data may be written after the interaction has ended: masking or removing it
//! once the customer hangs up is exactly what the `acd.end` workflows do.

use super::audit;
use crate::dto::{
    check_attribute_names, merge_attributes, AttributesDto, AttributesPatch, ConversationDto,
};
use crate::error::ApiResult;
use crate::extract::{path_id, ApiJson, Caller, PathIds};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use nepenthe_core::{InteractionId, ParticipantId};
use nepenthe_store::StoreError;
use serde_json::json;

/// `PATCH /api/v2/conversations[/calls]/{conversationId}/participants/{participantId}/attributes`:
/// merges the given keys into the participant's data; a `null` value removes the key. Answers
/// with the resulting map.
pub(crate) async fn patch_attributes(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
    ApiJson(body): ApiJson<AttributesPatch>,
) -> ApiResult<Json<AttributesDto>> {
    let id: InteractionId = path_id(ids.at(0), "conversation")?;
    let pid: ParticipantId = path_id(ids.at(1), "participant")?;
    check_attribute_names(body.attributes.keys())?;
    let set = body.attributes.values().filter(|v| v.is_some()).count();
    let removed = body.attributes.len() - set;
    let (_, attributes) = state
        .exclusive(state.store.update_interaction(caller.tenant, &id, |i| {
            let p = i
                .participant_mut(&pid)
                .ok_or(StoreError::NotFound("participant"))?;
            merge_attributes(&mut p.attributes, body.attributes);
            Ok(p.attributes.clone())
        }))
        .await?;
    audit(
        &state,
        &caller,
        "participant.attributes.update",
        "participant",
        vec![id.to_string(), pid.to_string()],
        json!({"set": set, "removed": removed}),
    )
    .await?;
    Ok(Json(AttributesDto { attributes }))
}

/// `GET /api/v2/conversations[/calls]/{conversationId}` in Genesys Cloud's camelCase shape.
/// Audited like every read of personal data; agent scripts poll this route, so its audit
/// entries go through the group commit (see `handlers::AuditQueue`).
pub(crate) async fn get_conversation(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Json<ConversationDto>> {
    let id: InteractionId = path_id(ids.at(0), "conversation")?;
    let it = state.store.get_interaction(caller.tenant, &id).await?;
    audit(
        &state,
        &caller,
        "conversation.read",
        "interaction",
        vec![id.to_string()],
        json!({}),
    )
    .await?;
    Ok(Json(it.into()))
}
