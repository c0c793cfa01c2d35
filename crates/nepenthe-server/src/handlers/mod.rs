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
use std::sync::Arc;
use tokio::sync::oneshot;

/// Appends an audit entry for `caller` and waits until it is committed. `details` must hold
/// counts and ids, never values.
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
    if state.audit.append(state, entry).await {
        Ok(())
    } else {
        Err(ApiError::internal())
    }
}

/// Group commit for audit entries. Every audited request waits until its entry is committed,
/// but concurrent requests share transactions: whoever finds no flush running writes every
/// entry queued so far in one transaction, and the others wait for that commit. Under load
/// (agent scripts polling `GET /api/v2/conversations/{id}`) this turns one commit per read into
/// one commit per batch; alone, a request commits at once.
#[derive(Default)]
pub(crate) struct AuditQueue {
    pending: std::sync::Mutex<Vec<(AuditEntry, oneshot::Sender<bool>)>>,
    flushing: Arc<tokio::sync::Mutex<()>>,
}

impl AuditQueue {
    /// Queues `entry` and returns once it is committed (`true`) or its batch failed (`false`,
    /// logged).
    async fn append(&self, state: &AppState, entry: AuditEntry) -> bool {
        let (tx, rx) = oneshot::channel();
        self.lock_pending().push((entry, tx));
        let guard = self.flushing.clone().lock_owned().await;
        let batch = std::mem::take(&mut *self.lock_pending());
        if batch.is_empty() {
            // An earlier flush took this entry; its result arrives on `rx`.
            drop(guard);
        } else {
            // The write runs in its own task: a caller that goes away (client disconnect)
            // cannot cancel a batch that holds other callers' entries.
            let state = state.clone();
            tokio::spawn(async move {
                let _guard = guard;
                let (entries, waiters): (Vec<AuditEntry>, Vec<_>) = batch.into_iter().unzip();
                let ok = match state.exclusive(state.store.audit_many(&entries)).await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::error!(error = %e, entries = entries.len(), "audit append failed");
                        false
                    }
                };
                for w in waiters {
                    let _ = w.send(ok);
                }
            });
        }
        rx.await.unwrap_or(false)
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, Vec<(AuditEntry, oneshot::Sender<bool>)>> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
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
