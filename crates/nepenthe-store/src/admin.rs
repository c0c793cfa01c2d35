//! Tenants, tokens, the audit log, the events outbox, bulk import and key rotation.

use crate::{index_key_aad, key_aad, unique_violation, NewInteraction, Result, Store, StoreError};
use nepenthe_core::{Actor, ContactInput, Role, TenantId, Timestamp};
use nepenthe_crypto::{DataKey, Keyring, WrappedKey};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: Timestamp,
}

/// A token as listed (never the secret; only its hash is stored).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: String,
    pub tenant_id: TenantId,
    pub role: Role,
    pub label: Option<String>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// An audit entry to append. `details` holds counts and ids, never personal data.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub tenant_id: Option<TenantId>,
    pub actor: Actor,
    pub action: String,
    pub object_type: String,
    pub object_ids: Vec<String>,
    pub details: serde_json::Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: Timestamp,
    pub tenant_id: Option<TenantId>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_ids: Vec<String>,
    pub details: serde_json::Value,
}

fn hash_token(secret: &str) -> String {
    nepenthe_crypto::sha256_hex(secret.as_bytes())
}

impl Store {
    // ---- tenants ----------------------------------------------------------------------

    pub async fn create_tenant(&self, id: TenantId, name: &str) -> Result<Tenant> {
        let (dk, w) = {
            let dk = DataKey::generate();
            let w = self.keyring().wrap(&dk, index_key_aad(id).as_bytes());
            (dk, w)
        };
        drop(dk);
        let now = nepenthe_core::now();
        let res = sqlx::query("INSERT INTO tenants (id, name, created_at, index_kek_id, index_key) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.0)
            .bind(name)
            .bind(now.timestamp_millis())
            .bind(&w.kek_id)
            .bind(&w.bytes)
            .execute(self.pool())
            .await;
        match res {
            Err(e) if unique_violation(&e) => {
                Err(StoreError::Conflict(format!("tenant {id} already exists")))
            }
            other => other
                .map(|_| Tenant {
                    id,
                    name: name.into(),
                    created_at: now,
                })
                .map_err(Into::into),
        }
    }

    pub async fn list_tenants(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query("SELECT id, name, created_at FROM tenants ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Tenant {
                    id: TenantId(r.try_get("id")?),
                    name: r.try_get("name")?,
                    created_at: nepenthe_core::from_millis(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    pub async fn tenant_exists(&self, id: TenantId) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 FROM tenants WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }

    // ---- tokens -----------------------------------------------------------------------

    /// Creates a token; returns its info and the secret, which is shown once and never stored.
    pub async fn create_token(
        &self,
        tenant: TenantId,
        role: Role,
        label: Option<&str>,
    ) -> Result<(TokenInfo, String)> {
        if !self.tenant_exists(tenant).await? {
            return Err(StoreError::NotFound("tenant"));
        }
        let secret = nepenthe_crypto::generate_token();
        let info = TokenInfo {
            id: format!("tok_{}", nepenthe_core::ids::generate_id()),
            tenant_id: tenant,
            role,
            label: label.map(Into::into),
            created_at: nepenthe_core::now(),
            revoked_at: None,
        };
        sqlx::query("INSERT INTO tokens (id, tenant_id, role, hash, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&info.id)
            .bind(tenant.0)
            .bind(role.as_str())
            .bind(hash_token(&secret))
            .bind(info.label.clone())
            .bind(info.created_at.timestamp_millis())
            .execute(self.pool())
            .await?;
        Ok((info, secret.to_string()))
    }

    fn token_from_row(r: &sqlx::any::AnyRow) -> Result<TokenInfo> {
        let role: String = r.try_get("role")?;
        Ok(TokenInfo {
            id: r.try_get("id")?,
            tenant_id: TenantId(r.try_get("tenant_id")?),
            role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt("stored role".into()))?,
            label: r.try_get("label")?,
            created_at: nepenthe_core::from_millis(r.try_get("created_at")?),
            revoked_at: crate::opt_millis(r, "revoked_at")?,
        })
    }

    pub async fn list_tokens(&self, tenant: Option<TenantId>) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, tenant_id, role, label, created_at, revoked_at FROM tokens WHERE ($1 = 0 OR tenant_id = $2) ORDER BY created_at, id",
        )
        .bind(tenant.is_none() as i64 ^ 1)
        .bind(tenant.map(|t| t.0).unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(Self::token_from_row).collect()
    }

    pub async fn revoke_token(&self, id: &str) -> Result<()> {
        let n =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(nepenthe_core::now().timestamp_millis())
                .bind(id)
                .execute(self.pool())
                .await?
                .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("active token"));
        }
        Ok(())
    }

    /// The active token with this secret, if any.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>> {
        let row = sqlx::query(
            "SELECT id, tenant_id, role, label, created_at, revoked_at FROM tokens WHERE hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_token(secret))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(Self::token_from_row).transpose()
    }

    // ---- audit ------------------------------------------------------------------------

    pub(crate) async fn append_audit_tx(
        &self,
        conn: &mut sqlx::AnyConnection,
        e: &AuditEntry,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, tenant_id, actor, role, action, object_type, object_ids, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(nepenthe_core::now().timestamp_millis())
        .bind(e.tenant_id.map(|t| t.0))
        .bind(&e.actor.id)
        .bind(e.actor.role.as_str())
        .bind(&e.action)
        .bind(&e.object_type)
        .bind(serde_json::to_string(&e.object_ids).unwrap_or_default())
        .bind(e.details.to_string())
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Appends to the audit log (append-only: the schema refuses updates and deletes).
    pub async fn audit(&self, e: AuditEntry) -> Result<()> {
        self.audit_many(std::slice::from_ref(&e)).await
    }

    /// Appends several entries in one transaction, in order: all of them or none.
    pub async fn audit_many(&self, entries: &[AuditEntry]) -> Result<()> {
        let mut w = self.write_tx().await?;
        for e in entries {
            self.append_audit_tx(&mut w.tx, e).await?;
        }
        w.commit().await
    }

    /// Audit records of a tenant, newest first, before sequence `before` if given.
    pub async fn list_audit(
        &self,
        tenant: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, at, tenant_id, actor, role, action, object_type, object_ids, details FROM audit_log \
             WHERE tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
        )
        .bind(tenant.0)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit.clamp(1, 1000) as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let ids: String = r.try_get("object_ids")?;
                let details: String = r.try_get("details")?;
                Ok(AuditRecord {
                    seq: r.try_get("seq")?,
                    at: nepenthe_core::from_millis(r.try_get("at")?),
                    tenant_id: r.try_get::<Option<i64>, _>("tenant_id")?.map(TenantId),
                    actor: r.try_get("actor")?,
                    role: r.try_get("role")?,
                    action: r.try_get("action")?,
                    object_type: r.try_get("object_type")?,
                    object_ids: serde_json::from_str(&ids).unwrap_or_default(),
                    details: serde_json::from_str(&details).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Queued state-change events after sequence `after` (topic, payload), oldest first.
    pub async fn events_after(
        &self,
        tenant: TenantId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String, serde_json::Value)>> {
        let rows = sqlx::query("SELECT seq, topic, payload FROM events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
            .bind(tenant.0)
            .bind(after)
            .bind(limit.clamp(1, 10_000) as i64)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let p: String = r.try_get("payload")?;
                Ok((
                    r.try_get("seq")?,
                    r.try_get("topic")?,
                    serde_json::from_str(&p).unwrap_or_default(),
                ))
            })
            .collect()
    }

    // ---- bulk import ------------------------------------------------------------------

    /// Imports a batch of contacts and interactions in one transaction: all or nothing.
    pub async fn import_batch(
        &self,
        tenant: TenantId,
        contacts: Vec<ContactInput>,
        interactions: Vec<NewInteraction>,
    ) -> Result<(usize, usize)> {
        let mut w = self.write_tx().await?;
        let ix = self.indexer(&mut w.tx, tenant).await?;
        let (nc, ni) = (contacts.len(), interactions.len());
        let mut cache = crate::interactions::KeyCache::new();
        let mut rows = crate::bulk::Rows::default();
        for c in contacts {
            self.prepare_contact(&ix, tenant, c, &mut cache, &mut rows);
        }
        // Imported history does not fire lifecycle events.
        for i in interactions {
            self.prepare_interaction(&mut w.tx, &ix, tenant, i, &mut cache, &mut rows)
                .await?;
        }
        rows.flush(&mut w.tx, self.backend()).await?;
        w.commit().await?;
        Ok((nc, ni))
    }

    // ---- keys -------------------------------------------------------------------------

    /// Re-wraps every data key and tenant index key under `new` (the current key of the
    /// given keyring), in one transaction. The caller then switches configuration to the
    /// new KEK. Returns the number of keys re-wrapped.
    pub async fn rotate_kek(&self, new: &Keyring) -> Result<u64> {
        let mut w = self.write_tx().await?;
        let mut n = 0u64;
        let rows = sqlx::query("SELECT id, tenant_id, kek_id, wrapped FROM data_keys")
            .fetch_all(&mut *w.tx)
            .await?;
        for r in rows {
            let id: String = r.try_get("id")?;
            let tenant = TenantId(r.try_get("tenant_id")?);
            let aad = key_aad(tenant, &id);
            let old = WrappedKey {
                kek_id: r.try_get("kek_id")?,
                bytes: r.try_get("wrapped")?,
            };
            let dk = self
                .keyring()
                .unwrap(&old, aad.as_bytes())
                .map_err(|source| StoreError::Crypto {
                    record: format!("data_keys/{id}"),
                    source,
                })?;
            let nw = new.wrap(&dk, aad.as_bytes());
            sqlx::query("UPDATE data_keys SET kek_id = $1, wrapped = $2 WHERE id = $3")
                .bind(&nw.kek_id)
                .bind(&nw.bytes)
                .bind(&id)
                .execute(&mut *w.tx)
                .await?;
            n += 1;
        }
        let rows = sqlx::query("SELECT id, index_kek_id, index_key FROM tenants")
            .fetch_all(&mut *w.tx)
            .await?;
        for r in rows {
            let tenant = TenantId(r.try_get("id")?);
            let aad = index_key_aad(tenant);
            let old = WrappedKey {
                kek_id: r.try_get("index_kek_id")?,
                bytes: r.try_get("index_key")?,
            };
            let dk = self
                .keyring()
                .unwrap(&old, aad.as_bytes())
                .map_err(|source| StoreError::Crypto {
                    record: format!("tenants/{tenant}"),
                    source,
                })?;
            let nw = new.wrap(&dk, aad.as_bytes());
            sqlx::query("UPDATE tenants SET index_kek_id = $1, index_key = $2 WHERE id = $3")
                .bind(&nw.kek_id)
                .bind(&nw.bytes)
                .bind(tenant.0)
                .execute(&mut *w.tx)
                .await?;
            n += 1;
        }
        let check = new.wrap(&DataKey::generate(), crate::KEK_CHECK.as_bytes());
        sqlx::query("UPDATE meta SET value = $1 WHERE key = $2")
            .bind(crate::encode_wrapped(&check))
            .bind(crate::KEK_CHECK)
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(n)
    }
}
