//! Route handlers, one module per area. Each is thin: parse, call the store, map to a DTO,
//! append an audit entry (ids and counts only).

pub(crate) mod admin;
pub(crate) mod contacts;
pub(crate) mod genesys;
pub(crate) mod interactions;
pub(crate) mod privacy;
pub(crate) mod scan;
pub(crate) mod system;

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::{AppState, MAX_PAGE_SIZE};
use nepenthe_store::AuditEntry;

/// Appends an audit entry for `caller`. `details` must hold counts and ids, never values.
pub(crate) async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &str,
    object_type: &str,
    object_ids: Vec<String>,
    details: serde_json::Value,
) -> ApiResult<()> {
    let entry = AuditEntry {
        tenant_id: Some(caller.tenant),
        actor: caller.actor(),
        action: action.into(),
        object_type: object_type.into(),
        object_ids,
        details,
    };
    state
        .exclusive(state.store.audit(entry))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, action, "audit append failed");
            ApiError::internal()
        })
}

/// Reads `page_size` from a query: absent means the configured default; 1 to 1000.
pub(crate) fn page_size(state: &AppState, raw: Option<&str>) -> ApiResult<u32> {
    match raw {
        None | Some("") => Ok(state.config.default_page_size.clamp(1, MAX_PAGE_SIZE)),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
            _ => Err(ApiError::unprocessable(format!(
                "page_size must be an integer from 1 to {MAX_PAGE_SIZE}"
            ))),
        },
    }
}

/// Reads an optional boolean query parameter (`true`/`false`, `1`/`0`).
pub(crate) fn query_bool(name: &str, raw: Option<&str>) -> ApiResult<bool> {
    match raw {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(ApiError::unprocessable(format!(
            "{name} must be true or false"
        ))),
    }
}
