//! `/api/v1/contacts`: create, list, read, patch, replace, erase, identify.

use super::{audit, page_size, query_bool};
use crate::dto::{ContactBody, ContactDto, ContactPatch, ErasureDto, IdentifyResponse, Page};
use crate::error::{ApiError, ApiResult};
use crate::extract::{path_id, ApiJson, Caller, Params, PathIds};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use nepenthe_core::{Contact, ContactId, ContactInput, IdentifyRequest, Permission};
use nepenthe_store::StoreError;
use serde_json::json;

/// Placing or lifting a legal hold is a compliance decision.
fn may_set_legal_hold(caller: &Caller) -> bool {
    caller.role.allows(Permission::Erase)
}

fn legal_hold_forbidden() -> ApiError {
    ApiError::forbidden("only the compliance and admin roles may change legal_hold")
}

fn counts(c: &ContactInput) -> serde_json::Value {
    json!({
        "emails": c.emails.len(),
        "phones": c.phones.len(),
        "attributes": c.attributes.len(),
    })
}

pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ContactBody>,
) -> ApiResult<impl IntoResponse> {
    let input = body.into_input(false);
    if input.legal_hold && !may_set_legal_hold(&caller) {
        return Err(legal_hold_forbidden());
    }
    let input = input.validate(state.store.default_region())?;
    let details = counts(&input);
    let contact = state
        .exclusive(state.store.create_contact(caller.tenant, input))
        .await?;
    audit(
        &state,
        &caller,
        "contact.create",
        "contact",
        vec![contact.id.to_string()],
        details,
    )
    .await?;
    let location = format!("/api/v1/contacts/{}", contact.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ContactDto::from(contact)),
    ))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<ContactDto>>> {
    let limit = page_size(&state, params.get("page_size"))?;
    let cursor = params.get("cursor").filter(|c| !c.is_empty());
    let page = state
        .store
        .list_contacts(caller.tenant, cursor, limit)
        .await?;
    let ids: Vec<String> = page.contacts.iter().map(|c| c.id.to_string()).collect();
    audit(
        &state,
        &caller,
        "contact.list",
        "contact",
        ids,
        json!({"count": page.contacts.len()}),
    )
    .await?;
    Ok(Json(Page {
        items: page.contacts.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
) -> ApiResult<Json<ContactDto>> {
    let id: ContactId = path_id(ids.at(0), "contact")?;
    let contact = state.store.get_contact(caller.tenant, &id).await?;
    audit(
        &state,
        &caller,
        "contact.read",
        "contact",
        vec![id.to_string()],
        json!({}),
    )
    .await?;
    Ok(Json(contact.into()))
}

/// Runs a read-modify-write where `build` turns the current contact into the new input.
/// Validation and permission failures inside the transaction are carried out through
/// `refusal`, so they keep their own status codes.
async fn rewrite(
    state: &AppState,
    caller: &Caller,
    id: &ContactId,
    build: impl FnOnce(&Contact) -> ContactInput + Send,
) -> ApiResult<(Contact, serde_json::Value)> {
    let region = state.store.default_region().to_owned();
    let may_hold = may_set_legal_hold(caller);
    let mut refusal: Option<ApiError> = None;
    let mut details = json!({});
    let result = state
        .exclusive(state.store.update_contact(caller.tenant, id, |c| {
            let input = build(c);
            if input.legal_hold != c.legal_hold && !may_hold {
                refusal = Some(legal_hold_forbidden());
                return Err(StoreError::Invalid("refused".into()));
            }
            match input.validate(&region) {
                Ok(valid) => {
                    details = counts(&valid);
                    c.apply(valid);
                    Ok(())
                }
                Err(e) => {
                    refusal = Some(e.into());
                    Err(StoreError::Invalid("refused".into()))
                }
            }
        }))
        .await;
    match (result, refusal) {
        (_, Some(e)) => Err(e),
        (Ok(c), None) => Ok((c, details)),
        (Err(e), None) => Err(e.into()),
    }
}

pub(crate) async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
    ApiJson(body): ApiJson<ContactPatch>,
) -> ApiResult<Json<ContactDto>> {
    let id: ContactId = path_id(ids.at(0), "contact")?;
    let (contact, details) = rewrite(&state, &caller, &id, move |c| body.apply_to(c)).await?;
    audit(
        &state,
        &caller,
        "contact.update",
        "contact",
        vec![id.to_string()],
        details,
    )
    .await?;
    Ok(Json(contact.into()))
}

pub(crate) async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
    ApiJson(body): ApiJson<ContactBody>,
) -> ApiResult<Json<ContactDto>> {
    let id: ContactId = path_id(ids.at(0), "contact")?;
    if body.id.as_ref().is_some_and(|b| b != &id) {
        return Err(ApiError::unprocessable(
            "id in the body differs from the id in the path",
        ));
    }
    let (contact, details) =
        rewrite(&state, &caller, &id, move |c| body.into_input(c.legal_hold)).await?;
    audit(
        &state,
        &caller,
        "contact.replace",
        "contact",
        vec![id.to_string()],
        details,
    )
    .await?;
    Ok(Json(contact.into()))
}

/// Erases the contact with all its interactions (the store writes the audit entry and the
/// receipt in the same transaction). `?stop_in_progress=true` stops interactions in progress
/// instead of refusing with 409; `?request_id=` links the receipt to a privacy request.
pub(crate) async fn erase(
    State(state): State<AppState>,
    caller: Caller,
    ids: PathIds,
    params: Params,
) -> ApiResult<Json<ErasureDto>> {
    let id: ContactId = path_id(ids.at(0), "contact")?;
    let stop = query_bool("stop_in_progress", params.get("stop_in_progress"))?;
    let request_id = params.get("request_id").filter(|s| !s.is_empty());
    if let Some(r) = request_id {
        // Recorded in the receipt and the audit log: an id, never free text.
        if r.len() > 64
            || !r
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
        {
            return Err(ApiError::unprocessable(
                "request_id must be 1 to 64 characters of A-Z, a-z, 0-9, '-', '_', '.' or ':'",
            ));
        }
    }
    let erasure = state
        .exclusive(
            state
                .store
                .erase_contact(caller.tenant, &id, stop, &caller.actor(), request_id),
        )
        .await
        .map_err(|e| match e {
            // The store's hint names the CLI flag; over HTTP it is a query parameter.
            StoreError::Conflict(m) => {
                ApiError::conflict(m.replace("(--stop-in-progress)", "(?stop_in_progress=true)"))
            }
            other => other.into(),
        })?;
    tracing::info!(tenant = %caller.tenant, contact = %id, interactions = erasure.interactions, "contact erased");
    Ok(Json(erasure.into()))
}

/// A UCS identification request. Its `TenantId` must be the token's tenant; any other
/// tenant answers 404 "tenant not found", as an id from another tenant would.
pub(crate) async fn identify(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<IdentifyResponse>> {
    let req = IdentifyRequest::from_json(&body, &state.config.identify)
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    if req.tenant_id != caller.tenant {
        return Err(ApiError::not_found("tenant"));
    }
    let found = state.store.identify(caller.tenant, &req.plan()).await?;
    let ids: Vec<String> = found.iter().map(|c| c.id.to_string()).collect();
    audit(
        &state,
        &caller,
        "contact.identify",
        "contact",
        ids,
        json!({"count": found.len(), "criteria": req.criteria.len(), "contact_ids": req.contact_ids.len()}),
    )
    .await?;
    Ok(Json(IdentifyResponse {
        count: found.len(),
        contacts: found.into_iter().map(Into::into).collect(),
    }))
}
