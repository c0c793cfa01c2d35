//! Data sources for the data-subject-rights use cases: a contact's interactions with their
//! attachment contents page by page (export), moving finished interactions to an archive
//! data source, pruning, and purging an erased contact's archived rows.
//!
//! # Keys stay in the main database
//! An archive is a second nepenthe database with the same schema. It receives interaction,
//! attachment and interaction-index rows verbatim (ciphertext as stored, bound by its
//! associated data to tenant, table and row, so it stays valid in another database) and the
//! tenant row (so blind-index lookups work there too), but never a data key: every read of
//! archived rows takes the key from the main store (`keys`). Hence the one erasure
//! transaction in the main store ([`Store::erase_contact_with`]) shreds the contact's
//! archived data as well, atomically. Deleting the archived ciphertext afterwards is clean-up;
//! it is journalled in `archive_purges` in that same transaction, so a crash in between is
//! finished by the next run ([`Store::pending_archive_purges`]).

use crate::contacts::sha2_digest::Sha256Acc;
use crate::{aad, open_json, Result, Store, StoreError};
use futures::TryStreamExt;
use nepenthe_core::{
    AttachmentId, AttachmentMeta, ContactId, Interaction, InteractionId, TenantId, Timestamp,
};
use nepenthe_crypto::DataKey;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;

/// An attachment with its decrypted content.
pub struct ExportedAttachment {
    pub meta: AttachmentMeta,
    pub content: Vec<u8>,
}

/// An interaction with the contents of its attachments.
pub struct ExportedInteraction {
    pub interaction: Interaction,
    pub attachments: Vec<ExportedAttachment>,
}

/// Keyset position in a contact's interactions: `(created_at, id)` of the last row read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
    pub created_ms: i64,
    pub id: String,
}

/// What one data source holds of a contact (counts and a digest over the stored ciphertext).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceRows {
    pub interactions: u64,
    pub attachments: u64,
    pub digest: String,
}

/// Interactions (and their attachments) moved to the archive or pruned.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct MoveSummary {
    pub interactions: u64,
    pub attachments: u64,
}

/// A contact erased from the main store whose archived rows are still to be deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPurge {
    pub tenant_id: TenantId,
    pub contact_id: ContactId,
    pub key_id: String,
}

/// What [`Store::contact_rows_tx`] found (and deleted).
#[derive(Default)]
pub(crate) struct ContactRowsTx {
    pub interactions: u64,
    pub attachments: u64,
    /// The distinct data keys the rows were encrypted under.
    pub other_keys: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct AttachmentPii {
    name: String,
    mime_type: String,
    sha256: String,
}

const ICOLS: &str = "tenant_id, id, contact_id, key_id, media_type, direction, status, thread_id, queue, created_at, started_at, ended_at, body, parts";

/// Data keys fetched from the main store, once per key id.
struct KeyCache<'a> {
    keys: &'a Store,
    tenant: TenantId,
    map: HashMap<String, Option<DataKey>>,
}

impl KeyCache<'_> {
    /// The key, or `None` when it was destroyed (the rows are shredded leftovers).
    async fn get(&mut self, key_id: &str) -> Result<Option<DataKey>> {
        if let Some(k) = self.map.get(key_id) {
            return Ok(k.clone());
        }
        let mut conn = self.keys.pool().acquire().await?;
        let k = match self
            .keys
            .load_data_key(&mut conn, self.tenant, key_id)
            .await
        {
            Ok(k) => Some(k),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        self.map.insert(key_id.to_owned(), k.clone());
        Ok(k)
    }
}

fn decode_attachment(
    dk: &DataKey,
    tenant: TenantId,
    iid: &str,
    r: &AnyRow,
) -> Result<ExportedAttachment> {
    let aid: String = r.try_get("id")?;
    let row_id = format!("{iid}/{aid}");
    let record = || format!("attachments/{row_id}");
    let pii: AttachmentPii = open_json(
        dk,
        r.try_get::<&[u8], _>("meta")?,
        &aad(tenant, "attachments", &row_id, "meta"),
        record,
    )?;
    let content = dk
        .open(
            r.try_get::<&[u8], _>("content")?,
            &aad(tenant, "attachments", &row_id, "content"),
        )
        .map_err(|source| StoreError::Crypto {
            record: record(),
            source,
        })?;
    Ok(ExportedAttachment {
        meta: AttachmentMeta {
            id: AttachmentId::parse(&aid)
                .map_err(|_| StoreError::Invalid("stored attachment id".into()))?,
            name: pii.name,
            mime_type: pii.mime_type,
            size: r.try_get::<i64, _>("size")? as u64,
            sha256: pii.sha256,
        },
        content,
    })
}

impl Store {
    fn same_database(&self, other: &Store) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// One page of a contact's interactions in this data source, oldest first, with the
    /// decrypted contents of their attachments. Keys come from `keys` (the main store; pass
    /// the store itself when reading main). Rows whose key was destroyed are skipped: they
    /// are an erased contact's leftovers awaiting purge, unreadable by anyone.
    pub async fn contact_interactions_page(
        &self,
        keys: &Store,
        tenant: TenantId,
        contact: &ContactId,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<(Vec<ExportedInteraction>, Option<PageCursor>)> {
        let limit = limit.clamp(1, 10_000) as i64;
        let (after_ms, after_id) = after
            .map(|c| (c.created_ms, c.id.clone()))
            .unwrap_or((i64::MIN, String::new()));
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT {ICOLS} FROM interactions WHERE tenant_id = $1 AND contact_id = $2 \
             AND (created_at > $3 OR (created_at = $3 AND id > $4)) ORDER BY created_at, id LIMIT $5"
        ))
        .bind(tenant.0)
        .bind(contact.as_str())
        .bind(after_ms)
        .bind(&after_id)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else {
            return Ok((vec![], None));
        };
        let last_ms: i64 = last.try_get("created_at")?;
        let last_id: String = last.try_get("id")?;
        let att_rows = sqlx::query(
            "SELECT a.interaction_id, a.id, a.position, a.size, a.meta, a.content FROM attachments a \
             JOIN interactions i ON i.tenant_id = a.tenant_id AND i.id = a.interaction_id \
             WHERE i.tenant_id = $1 AND i.contact_id = $2 \
             AND (i.created_at > $3 OR (i.created_at = $3 AND i.id > $4)) \
             AND (i.created_at < $5 OR (i.created_at = $5 AND i.id <= $6))",
        )
        .bind(tenant.0)
        .bind(contact.as_str())
        .bind(after_ms)
        .bind(&after_id)
        .bind(last_ms)
        .bind(&last_id)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        // Grouped and ordered here rather than by an ORDER BY, which would make the database
        // sort the attachment contents.
        let mut by_interaction: HashMap<String, Vec<&AnyRow>> = HashMap::new();
        for r in &att_rows {
            by_interaction
                .entry(r.try_get("interaction_id")?)
                .or_default()
                .push(r);
        }
        for rows in by_interaction.values_mut() {
            if rows.len() > 1 {
                let mut keyed = rows
                    .iter()
                    .map(|r| {
                        Ok((
                            (
                                r.try_get::<i64, _>("position")?,
                                r.try_get::<String, _>("id")?,
                            ),
                            *r,
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?;
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                *rows = keyed.into_iter().map(|(_, r)| r).collect();
            }
        }
        let mut cache = KeyCache {
            keys,
            tenant,
            map: HashMap::new(),
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(e) = self
                .decode_exported(
                    &mut cache,
                    row,
                    by_interaction.get(&row.try_get::<String, _>("id")?),
                )
                .await?
            {
                out.push(e);
            }
        }
        let next = (rows.len() as i64 == limit).then_some(PageCursor {
            created_ms: last_ms,
            id: last_id,
        });
        Ok((out, next))
    }

    async fn decode_exported(
        &self,
        cache: &mut KeyCache<'_>,
        row: &AnyRow,
        attachments: Option<&Vec<&AnyRow>>,
    ) -> Result<Option<ExportedInteraction>> {
        let key_id: String = row.try_get("key_id")?;
        let Some(dk) = cache.get(&key_id).await? else {
            return Ok(None);
        };
        let interaction = self.interaction_from_row(row, &dk)?;
        let iid = interaction.id.as_str().to_owned();
        let attachments = attachments
            .map(|rows| {
                rows.iter()
                    .map(|r| decode_attachment(&dk, cache.tenant, &iid, r))
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Some(ExportedInteraction {
            interaction,
            attachments,
        }))
    }

    /// Interactions of this data source by id, with attachment contents (for interactions
    /// not linked to the contact). Unknown ids and shredded rows are skipped.
    pub async fn interactions_with_attachments(
        &self,
        keys: &Store,
        tenant: TenantId,
        ids: &[InteractionId],
    ) -> Result<Vec<ExportedInteraction>> {
        let mut cache = KeyCache {
            keys,
            tenant,
            map: HashMap::new(),
        };
        let mut out = Vec::new();
        for id in ids {
            let row = sqlx::query(&format!(
                "SELECT {ICOLS} FROM interactions WHERE tenant_id = $1 AND id = $2"
            ))
            .bind(tenant.0)
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
            let Some(row) = row else { continue };
            let atts = sqlx::query(
                "SELECT interaction_id, id, size, meta, content FROM attachments \
                 WHERE tenant_id = $1 AND interaction_id = $2 ORDER BY position, id",
            )
            .bind(tenant.0)
            .bind(id.as_str())
            .fetch_all(self.pool())
            .await?;
            let refs: Vec<&AnyRow> = atts.iter().collect();
            if let Some(e) = self.decode_exported(&mut cache, &row, Some(&refs)).await? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Digests (into `acc`) a contact's interaction rows — every interaction (id, body,
    /// participants) in (created, id) order, then every attachment (id, content) in
    /// (interaction id, id) order, both read through an index so nothing is sorted or held in
    /// memory (an `ORDER BY id` here made SQLite scan the whole tenant) — and with
    /// `delete`, deletes them, their attachments and index entries with three set-based
    /// statements. The erasure receipt's digest and the archive's use this one scheme.
    pub(crate) async fn contact_rows_tx(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
        contact: &ContactId,
        acc: &mut Sha256Acc,
        delete: bool,
    ) -> Result<ContactRowsTx> {
        let mut out = ContactRowsTx::default();
        {
            let mut rows = sqlx::query(
                "SELECT id, key_id, body, parts FROM interactions WHERE tenant_id = $1 AND contact_id = $2 ORDER BY created_at, id",
            )
            .bind(tenant.0)
            .bind(contact.as_str())
            .fetch(&mut *conn);
            while let Some(r) = rows.try_next().await? {
                acc.add(b"interaction");
                acc.add(r.try_get::<String, _>("id")?.as_bytes());
                acc.add(&r.try_get::<Vec<u8>, _>("body")?);
                acc.add(&r.try_get::<Vec<u8>, _>("parts")?);
                out.interactions += 1;
                let k: String = r.try_get("key_id")?;
                if !out.other_keys.contains(&k) {
                    out.other_keys.push(k);
                }
            }
        }
        let sub = "SELECT id FROM interactions WHERE tenant_id = $1 AND contact_id = $2";
        {
            let sql = format!(
                "SELECT id, content FROM attachments WHERE tenant_id = $1 AND interaction_id IN ({sub}) ORDER BY interaction_id, id"
            );
            let mut rows = sqlx::query(&sql)
                .bind(tenant.0)
                .bind(contact.as_str())
                .fetch(&mut *conn);
            while let Some(r) = rows.try_next().await? {
                acc.add(b"attachment");
                acc.add(r.try_get::<String, _>("id")?.as_bytes());
                acc.add(&r.try_get::<Vec<u8>, _>("content")?);
                out.attachments += 1;
            }
        }
        if delete && out.interactions > 0 {
            // Blind-index entries first, fully zeroed (`secure_delete = ON`): their digests
            // are keyed by the tenant's key, which outlives the contact.
            sqlx::query(&format!(
                "DELETE FROM interaction_index WHERE tenant_id = $1 AND interaction_id IN ({sub})"
            ))
            .bind(tenant.0)
            .bind(contact.as_str())
            .execute(&mut *conn)
            .await?;
            // The bulk ciphertext is sealed under the data key destroyed in this same
            // transaction, so on SQLite its freed pages need not be rewritten with zeros
            // (`FAST`: cells in pages written anyway are still zeroed). Halves an erasure's
            // time; the key row itself is deleted with `ON`.
            let sqlite = self.backend() == crate::Backend::Sqlite;
            if sqlite {
                sqlx::query("PRAGMA secure_delete = FAST")
                    .execute(&mut *conn)
                    .await?;
            }
            let deleted = async {
                sqlx::query(&format!(
                    "DELETE FROM attachments WHERE tenant_id = $1 AND interaction_id IN ({sub})"
                ))
                .bind(tenant.0)
                .bind(contact.as_str())
                .execute(&mut *conn)
                .await?;
                sqlx::query("DELETE FROM interactions WHERE tenant_id = $1 AND contact_id = $2")
                    .bind(tenant.0)
                    .bind(contact.as_str())
                    .execute(&mut *conn)
                    .await
            }
            .await;
            if sqlite {
                // Always back to ON, also when the deletes failed: the connection returns to
                // the pool and every other deletion must zero what it frees.
                sqlx::query("PRAGMA secure_delete = ON")
                    .execute(&mut *conn)
                    .await?;
            }
            deleted?;
        }
        Ok(out)
    }

    /// Counts and a SHA-256 digest over a contact's stored interaction rows in this data
    /// source (the same scheme as the erasure receipt), without decrypting anything.
    pub async fn contact_rows(&self, tenant: TenantId, contact: &ContactId) -> Result<SourceRows> {
        let mut acc = Sha256Acc::default();
        let mut conn = self.pool().acquire().await?;
        let r = self
            .contact_rows_tx(&mut conn, tenant, contact, &mut acc, false)
            .await?;
        Ok(SourceRows {
            interactions: r.interactions,
            attachments: r.attachments,
            digest: acc.finish(),
        })
    }

    /// Deletes every interaction row of a contact from this (archive) data source, in one
    /// transaction. Returns (interactions, attachments) deleted.
    pub async fn purge_contact_rows(
        &self,
        tenant: TenantId,
        contact: &ContactId,
    ) -> Result<MoveSummary> {
        let mut w = self.write_tx().await?;
        let r = self
            .contact_rows_tx(&mut w.tx, tenant, contact, &mut Sha256Acc::default(), true)
            .await?;
        w.commit().await?;
        Ok(MoveSummary {
            interactions: r.interactions,
            attachments: r.attachments,
        })
    }

    /// Erased contacts whose archived rows are still to be purged (main store).
    pub async fn pending_archive_purges(&self) -> Result<Vec<PendingPurge>> {
        let rows = sqlx::query(
            "SELECT tenant_id, contact_id, key_id FROM archive_purges ORDER BY erased_at",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingPurge {
                    tenant_id: TenantId(r.try_get("tenant_id")?),
                    contact_id: ContactId::parse(&r.try_get::<String, _>("contact_id")?)
                        .map_err(|_| StoreError::Invalid("stored contact id".into()))?,
                    key_id: r.try_get("key_id")?,
                })
            })
            .collect()
    }

    /// Marks an archive purge as done (main store).
    pub async fn clear_archive_purge(&self, p: &PendingPurge) -> Result<()> {
        let mut w = self.write_tx().await?;
        sqlx::query(
            "DELETE FROM archive_purges WHERE tenant_id = $1 AND contact_id = $2 AND key_id = $3",
        )
        .bind(p.tenant_id.0)
        .bind(p.contact_id.as_str())
        .bind(&p.key_id)
        .execute(&mut *w.tx)
        .await?;
        w.commit().await
    }

    /// The latest erasure receipt of a contact, if it was erased.
    pub async fn latest_receipt(
        &self,
        tenant: TenantId,
        contact: &ContactId,
    ) -> Result<Option<serde_json::Value>> {
        let row = sqlx::query(
            "SELECT receipt FROM erasures WHERE tenant_id = $1 AND contact_id = $2 ORDER BY erased_at DESC LIMIT 1",
        )
        .bind(tenant.0)
        .bind(contact.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            let s: String = r.try_get("receipt")?;
            Ok(serde_json::from_str(&s).unwrap_or_default())
        })
        .transpose()
    }

    /// Tenants in which a contact id exists (ids are unique per tenant only).
    pub async fn tenants_of_contact(&self, id: &ContactId) -> Result<Vec<TenantId>> {
        let rows = sqlx::query("SELECT tenant_id FROM contacts WHERE id = $1 ORDER BY tenant_id")
            .bind(id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok(TenantId(r.try_get("tenant_id")?)))
            .collect()
    }

    /// Tenants with at least one erasure receipt for this contact id.
    pub async fn tenants_with_erasure(&self, id: &ContactId) -> Result<Vec<TenantId>> {
        let rows = sqlx::query(
            "SELECT DISTINCT tenant_id FROM erasures WHERE contact_id = $1 ORDER BY tenant_id",
        )
        .bind(id.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(TenantId(r.try_get("tenant_id")?)))
            .collect()
    }

    /// Finished interactions older than `cutoff` (by end time, else creation time) in this
    /// data source: (interactions, attachments).
    pub async fn count_finished_before(
        &self,
        tenant: TenantId,
        cutoff: Timestamp,
    ) -> Result<MoveSummary> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM((SELECT COUNT(*) FROM attachments a WHERE a.tenant_id = i.tenant_id AND a.interaction_id = i.id)), 0) AS BIGINT) AS a \
             FROM interactions i WHERE i.tenant_id = $1 AND i.status IN ('done', 'stopped') AND COALESCE(i.ended_at, i.created_at) < $2",
        )
        .bind(tenant.0)
        .bind(cutoff.timestamp_millis())
        .fetch_one(self.pool())
        .await?;
        Ok(MoveSummary {
            interactions: row.try_get::<i64, _>("n")? as u64,
            attachments: row.try_get::<i64, _>("a")? as u64,
        })
    }

    async fn finished_before(
        &self,
        tenant: TenantId,
        cutoff: Timestamp,
        limit: u32,
    ) -> Result<Vec<(String, String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT id, key_id, contact_id FROM interactions WHERE tenant_id = $1 AND status IN ('done', 'stopped') \
             AND COALESCE(ended_at, created_at) < $2 ORDER BY created_at, id LIMIT $3",
        )
        .bind(tenant.0)
        .bind(cutoff.timestamp_millis())
        .bind(limit.clamp(1, 10_000) as i64)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("key_id")?,
                    r.try_get("contact_id")?,
                ))
            })
            .collect()
    }

    /// Moves up to `limit` finished interactions older than `cutoff` from this (main) store to
    /// `archive`: rows are copied verbatim and committed in the archive first, then deleted
    /// here. A crash in between leaves a row in both places; the next run copies it again
    /// (no-op) and deletes it here. Data keys stay in the main store. Returns what was moved
    /// (zero when nothing is left).
    pub async fn move_to_archive(
        &self,
        archive: &Store,
        tenant: TenantId,
        cutoff: Timestamp,
        limit: u32,
    ) -> Result<MoveSummary> {
        if self.same_database(archive) {
            return Err(StoreError::Invalid(
                "the archive must be a different database".into(),
            ));
        }
        let batch = self.finished_before(tenant, cutoff, limit).await?;
        if batch.is_empty() {
            return Ok(MoveSummary::default());
        }
        let mut summary = MoveSummary::default();
        let mut src = self.pool().acquire().await?;
        let tenant_row = sqlx::query(
            "SELECT id, name, created_at, index_kek_id, index_key FROM tenants WHERE id = $1",
        )
        .bind(tenant.0)
        .fetch_one(&mut *src)
        .await?;
        let mut w = archive.write_tx().await?;
        sqlx::query("INSERT INTO tenants (id, name, created_at, index_kek_id, index_key) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")
            .bind(tenant.0)
            .bind(tenant_row.try_get::<String, _>("name")?)
            .bind(tenant_row.try_get::<i64, _>("created_at")?)
            .bind(tenant_row.try_get::<String, _>("index_kek_id")?)
            .bind(tenant_row.try_get::<Vec<u8>, _>("index_key")?)
            .execute(&mut *w.tx)
            .await?;
        for (iid, _, _) in &batch {
            let r = sqlx::query(&format!(
                "SELECT {ICOLS} FROM interactions WHERE tenant_id = $1 AND id = $2"
            ))
            .bind(tenant.0)
            .bind(iid)
            .fetch_one(&mut *src)
            .await?;
            sqlx::query(&format!(
                "INSERT INTO interactions ({ICOLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING"
            ))
            .bind(tenant.0)
            .bind(iid)
            .bind(r.try_get::<Option<String>, _>("contact_id")?)
            .bind(r.try_get::<String, _>("key_id")?)
            .bind(r.try_get::<String, _>("media_type")?)
            .bind(r.try_get::<String, _>("direction")?)
            .bind(r.try_get::<String, _>("status")?)
            .bind(r.try_get::<Option<String>, _>("thread_id")?)
            .bind(r.try_get::<Option<String>, _>("queue")?)
            .bind(r.try_get::<i64, _>("created_at")?)
            .bind(r.try_get::<Option<i64>, _>("started_at")?)
            .bind(r.try_get::<Option<i64>, _>("ended_at")?)
            .bind(r.try_get::<Vec<u8>, _>("body")?)
            .bind(r.try_get::<Vec<u8>, _>("parts")?)
            .execute(&mut *w.tx)
            .await?;
            let atts = sqlx::query("SELECT id, position, size, meta, content FROM attachments WHERE tenant_id = $1 AND interaction_id = $2")
                .bind(tenant.0)
                .bind(iid)
                .fetch_all(&mut *src)
                .await?;
            for a in atts {
                sqlx::query("INSERT INTO attachments (tenant_id, interaction_id, id, position, size, meta, content) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
                    .bind(tenant.0)
                    .bind(iid)
                    .bind(a.try_get::<String, _>("id")?)
                    .bind(a.try_get::<i64, _>("position")?)
                    .bind(a.try_get::<i64, _>("size")?)
                    .bind(a.try_get::<Vec<u8>, _>("meta")?)
                    .bind(a.try_get::<Vec<u8>, _>("content")?)
                    .execute(&mut *w.tx)
                    .await?;
                summary.attachments += 1;
            }
            let ix = sqlx::query(
                "SELECT digest FROM interaction_index WHERE tenant_id = $1 AND interaction_id = $2",
            )
            .bind(tenant.0)
            .bind(iid)
            .fetch_all(&mut *src)
            .await?;
            for d in ix {
                sqlx::query("INSERT INTO interaction_index (tenant_id, digest, interaction_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(tenant.0)
                    .bind(d.try_get::<Vec<u8>, _>("digest")?)
                    .bind(iid)
                    .execute(&mut *w.tx)
                    .await?;
            }
            summary.interactions += 1;
        }
        w.commit().await?;
        drop(src);
        let mut w = self.write_tx().await?;
        for (iid, _, _) in &batch {
            self.delete_interaction_rows(&mut w.tx, tenant, iid, None)
                .await?;
        }
        w.commit().await?;
        // A contact erased while its rows were being copied: its key is gone, so the copies
        // are unreadable; delete them rather than leave ciphertext behind.
        let mut keys: Vec<&String> = batch.iter().map(|(_, k, _)| k).collect();
        keys.sort();
        keys.dedup();
        for key_id in keys {
            let exists = sqlx::query("SELECT 1 FROM data_keys WHERE id = $1")
                .bind(key_id)
                .fetch_optional(self.pool())
                .await?
                .is_some();
            if !exists {
                let mut w = archive.write_tx().await?;
                for (iid, k, _) in &batch {
                    if k == key_id {
                        archive
                            .delete_interaction_rows(&mut w.tx, tenant, iid, None)
                            .await?;
                    }
                }
                w.commit().await?;
            }
        }
        Ok(summary)
    }

    /// Deletes up to `limit` finished interactions older than `cutoff` from this data source.
    /// Interactions with their own data key (no contact) have it destroyed in `keys` (the
    /// main store) first, so whatever a crash leaves behind is unreadable and found again by
    /// the next run.
    pub async fn prune_finished(
        &self,
        keys: &Store,
        tenant: TenantId,
        cutoff: Timestamp,
        limit: u32,
    ) -> Result<MoveSummary> {
        let batch = self.finished_before(tenant, cutoff, limit).await?;
        if batch.is_empty() {
            return Ok(MoveSummary::default());
        }
        let own_keys: Vec<&String> = batch
            .iter()
            .filter(|(_, k, c)| c.is_none() && k.starts_with("i-"))
            .map(|(_, k, _)| k)
            .collect();
        let mut summary = MoveSummary::default();
        let mut w = self.write_tx().await?;
        if !self.same_database(keys) {
            let mut kw = keys.write_tx().await?;
            for k in &own_keys {
                keys.delete_data_key(&mut kw.tx, tenant, k).await?;
            }
            kw.commit().await?;
        } else {
            for k in &own_keys {
                self.delete_data_key(&mut w.tx, tenant, k).await?;
            }
        }
        for (iid, _, _) in &batch {
            summary.attachments += self
                .delete_interaction_rows(&mut w.tx, tenant, iid, None)
                .await?;
            summary.interactions += 1;
        }
        w.commit().await?;
        Ok(summary)
    }

    /// Rewrites one interaction of this data source with keys from `keys` (used for the
    /// archive, which `update_interaction` cannot read): `f` edits the decrypted value and
    /// says whether it changed; changed rows are re-encrypted and re-indexed.
    pub async fn rewrite_interaction<F>(
        &self,
        keys: &Store,
        tenant: TenantId,
        id: &InteractionId,
        f: F,
    ) -> Result<bool>
    where
        F: FnOnce(&mut Interaction) -> bool,
    {
        let row = sqlx::query(&format!(
            "SELECT {ICOLS} FROM interactions WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.0)
        .bind(id.as_str())
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("interaction"))?;
        let key_id: String = row.try_get("key_id")?;
        let mut cache = KeyCache {
            keys,
            tenant,
            map: HashMap::new(),
        };
        let Some(dk) = cache.get(&key_id).await? else {
            return Ok(false);
        };
        let mut it = self.interaction_from_row(&row, &dk)?;
        if !f(&mut it) {
            return Ok(false);
        }
        let (body, parts) = self.seal_rows(&dk, &it);
        let mut w = self.write_tx().await?;
        sqlx::query(
            "UPDATE interactions SET body = $1, parts = $2 WHERE tenant_id = $3 AND id = $4",
        )
        .bind(body)
        .bind(parts)
        .bind(tenant.0)
        .bind(id.as_str())
        .execute(&mut *w.tx)
        .await?;
        let ix = self.indexer(&mut w.tx, tenant).await?;
        self.write_interaction_index(&mut w.tx, &ix, &it).await?;
        w.commit().await?;
        Ok(true)
    }

    /// Ids of a contact's interactions in this data source, oldest first.
    pub async fn contact_interaction_ids(
        &self,
        tenant: TenantId,
        contact: &ContactId,
    ) -> Result<Vec<InteractionId>> {
        let rows = sqlx::query(
            "SELECT id FROM interactions WHERE tenant_id = $1 AND contact_id = $2 ORDER BY created_at, id",
        )
        .bind(tenant.0)
        .bind(contact.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                InteractionId::parse(&r.try_get::<String, _>("id")?)
                    .map_err(|_| StoreError::Invalid("stored interaction id".into()))
            })
            .collect()
    }
}
