//! Privacy requests (data-subject requests) and the lifetime of their subject values.
//!
//! The subject of a request (an identification request or contact ids) is personal data: it
//! is stored encrypted under a data key of its own (`r-<request id>`), and purged — key
//! destroyed, ciphertext deleted — once `purge_after` has passed. The row itself, with its
//! status, counts, contact ids and receipt digests, stays as evidence.

use crate::{aad, open_json, seal_json, Result, Store, StoreError};
use nepenthe_core::{Actor, TenantId, Timestamp};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A privacy request as stored (no personal data: the subject is fetched separately).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PrivacyRequestRecord {
    pub id: String,
    pub tenant_id: TenantId,
    pub kind: String,
    pub status: String,
    pub confirm: bool,
    pub actor: String,
    pub received_at: Timestamp,
    pub due_at: Timestamp,
    pub updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub purge_after: Option<Timestamp>,
    pub subject_purged_at: Option<Timestamp>,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
}

/// A status change of a privacy request.
#[derive(Clone, Debug, Default)]
pub struct PrivacyUpdate<'a> {
    pub status: &'a str,
    pub result: Option<&'a serde_json::Value>,
    pub error: Option<&'a str>,
    /// Set when the request reaches a final state.
    pub completed_at: Option<Timestamp>,
    /// When the subject values may be purged.
    pub purge_after: Option<Timestamp>,
}

const COLS: &str = "id, tenant_id, kind, status, confirm, actor, received_at, due_at, updated_at, completed_at, purge_after, subject_purged_at, result, error";

fn record(r: &AnyRow) -> Result<PrivacyRequestRecord> {
    let result: Option<String> = r.try_get("result")?;
    Ok(PrivacyRequestRecord {
        id: r.try_get("id")?,
        tenant_id: TenantId(r.try_get("tenant_id")?),
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        confirm: r.try_get::<i64, _>("confirm")? != 0,
        actor: r.try_get("actor")?,
        received_at: nepenthe_core::from_millis(r.try_get("received_at")?),
        due_at: nepenthe_core::from_millis(r.try_get("due_at")?),
        updated_at: nepenthe_core::from_millis(r.try_get("updated_at")?),
        completed_at: crate::opt_millis(r, "completed_at")?,
        purge_after: crate::opt_millis(r, "purge_after")?,
        subject_purged_at: crate::opt_millis(r, "subject_purged_at")?,
        result: result.and_then(|s| serde_json::from_str(&s).ok()),
        error: r.try_get("error")?,
    })
}

impl Store {
    /// Records a received privacy request with its subject encrypted under a new key. `id`
    /// is the caller's (unique in the tenant, else `Conflict`) or generated.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_privacy_request(
        &self,
        tenant: TenantId,
        id: Option<&str>,
        kind: &str,
        confirm: bool,
        actor: &Actor,
        subject: &serde_json::Value,
        received_at: Timestamp,
        due_at: Timestamp,
    ) -> Result<PrivacyRequestRecord> {
        let id = id
            .map(str::to_owned)
            .unwrap_or_else(|| format!("pr-{}", nepenthe_core::ids::generate_id()));
        // Data key ids are global: the tenant is part of this one.
        let key_id = format!("r-{tenant}-{id}");
        let (dk, wrapped) = self.new_data_key(tenant, &key_id);
        let sealed = seal_json(
            &dk,
            subject,
            &aad(tenant, "privacy_requests", &id, "subject"),
        );
        let mut w = self.write_tx().await?;
        let exists = sqlx::query("SELECT 1 FROM privacy_requests WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(&id)
            .fetch_optional(&mut *w.tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "privacy request {id} already exists"
            )));
        }
        self.insert_data_key(&mut w.tx, tenant, &key_id, &wrapped)
            .await?;
        sqlx::query(
            "INSERT INTO privacy_requests (id, tenant_id, kind, status, confirm, actor, received_at, due_at, updated_at, key_id, subject) \
             VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(tenant.0)
        .bind(kind)
        .bind(confirm as i64)
        .bind(&actor.id)
        .bind(received_at.timestamp_millis())
        .bind(due_at.timestamp_millis())
        .bind(received_at.timestamp_millis())
        .bind(&key_id)
        .bind(sealed)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await?;
        self.get_privacy_request(tenant, &id).await
    }

    pub async fn get_privacy_request(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<PrivacyRequestRecord> {
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM privacy_requests WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.0)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("privacy request"))?;
        record(&row)
    }

    /// The decrypted subject of a request, or `None` once purged.
    pub async fn privacy_request_subject(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<Option<serde_json::Value>> {
        let row = sqlx::query(
            "SELECT key_id, subject FROM privacy_requests WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("privacy request"))?;
        let (Some(key_id), Some(ct)) = (
            row.try_get::<Option<String>, _>("key_id")?,
            row.try_get::<Option<Vec<u8>>, _>("subject")?,
        ) else {
            return Ok(None);
        };
        let mut conn = self.pool().acquire().await?;
        let dk = match self.load_data_key(&mut conn, tenant, &key_id).await {
            Ok(dk) => dk,
            Err(StoreError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        open_json(
            &dk,
            &ct,
            &aad(tenant, "privacy_requests", id, "subject"),
            || format!("privacy_requests/{id}"),
        )
        .map(Some)
    }

    pub async fn update_privacy_request(
        &self,
        tenant: TenantId,
        id: &str,
        u: &PrivacyUpdate<'_>,
    ) -> Result<PrivacyRequestRecord> {
        let mut w = self.write_tx().await?;
        let n = sqlx::query(
            "UPDATE privacy_requests SET status = $1, result = COALESCE($2, result), error = $3, updated_at = $4, \
             completed_at = COALESCE($5, completed_at), purge_after = COALESCE($6, purge_after) WHERE tenant_id = $7 AND id = $8",
        )
        .bind(u.status)
        .bind(u.result.map(|r| r.to_string()))
        .bind(u.error)
        .bind(nepenthe_core::now().timestamp_millis())
        .bind(u.completed_at.map(|t| t.timestamp_millis()))
        .bind(u.purge_after.map(|t| t.timestamp_millis()))
        .bind(tenant.0)
        .bind(id)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("privacy request"));
        }
        w.commit().await?;
        self.get_privacy_request(tenant, id).await
    }

    /// Requests of a tenant, newest first, optionally by status and/or overdue at `now`
    /// (due date passed and not in a final state).
    pub async fn list_privacy_requests(
        &self,
        tenant: TenantId,
        status: Option<&str>,
        overdue_at: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<PrivacyRequestRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM privacy_requests WHERE tenant_id = $1 AND ($2 = '' OR status = $2) \
             AND ($3 = 0 OR (due_at < $4 AND status IN ('received', 'in_progress'))) \
             ORDER BY received_at DESC, id DESC LIMIT $5"
        ))
        .bind(tenant.0)
        .bind(status.unwrap_or(""))
        .bind(overdue_at.is_some() as i64)
        .bind(overdue_at.map(|t| t.timestamp_millis()).unwrap_or(0))
        .bind(limit.clamp(1, 1000) as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record).collect()
    }

    /// Purges the subject values of every request whose purge time has passed: the subject's
    /// data key is destroyed and its ciphertext deleted in one transaction. Returns how many.
    pub async fn purge_privacy_subjects(&self, now: Timestamp) -> Result<u64> {
        let mut w = self.write_tx().await?;
        let rows = sqlx::query(
            "SELECT id, tenant_id, key_id FROM privacy_requests WHERE purge_after IS NOT NULL AND purge_after <= $1 AND subject_purged_at IS NULL",
        )
        .bind(now.timestamp_millis())
        .fetch_all(&mut *w.tx)
        .await?;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let tenant = TenantId(r.try_get("tenant_id")?);
            if let Some(key_id) = r.try_get::<Option<String>, _>("key_id")? {
                self.delete_data_key(&mut w.tx, tenant, &key_id).await?;
            }
            sqlx::query("UPDATE privacy_requests SET subject = NULL, key_id = NULL, subject_purged_at = $1 WHERE tenant_id = $2 AND id = $3")
                .bind(now.timestamp_millis())
                .bind(tenant.0)
                .bind(&id)
                .execute(&mut *w.tx)
                .await?;
        }
        w.commit().await?;
        Ok(rows.len() as u64)
    }
}
