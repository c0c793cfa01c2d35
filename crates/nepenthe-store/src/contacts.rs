//! Contacts: create, read, update, list, identify, and erase (crypto-shredding).

use crate::bulk::{Rows, Val};
use crate::{aad, decode_cursor, encode_cursor, open_json, seal_json, Result, Store, StoreError};
use nepenthe_core::{Actor, Attributes, Contact, ContactId, ContactInput, MatchPlan, TenantId};
use nepenthe_crypto::{BlindIndexer, DataKey, WrappedKey};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeSet;

/// The encrypted part of a contact row.
#[derive(Serialize, Deserialize)]
struct ContactPii {
    first_name: Option<String>,
    last_name: Option<String>,
    title: Option<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    attributes: Attributes,
}

pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub next_cursor: Option<String>,
}

/// What an erasure removed, for the receipt. Holds counts and digests, no personal data.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Erasure {
    pub tenant_id: TenantId,
    pub contact_id: ContactId,
    pub interactions: u64,
    pub attachments: u64,
    pub stopped_in_progress: u64,
    /// SHA-256 over the erased records' stored (encrypted) form, in a fixed order.
    pub digest: String,
    pub erased_at: nepenthe_core::Timestamp,
}

/// How [`Store::erase_contact_with`] erases.
#[derive(Clone, Debug)]
pub struct EraseOptions {
    /// Stop (and erase) in-progress interactions instead of refusing.
    pub stop_in_progress: bool,
    pub actor: Actor,
    /// The privacy request or batch this erasure belongs to (recorded in the receipt).
    pub request_id: Option<String>,
    /// Extra receipt fields (ids and counts only, never personal data).
    pub extra_receipt: Option<serde_json::Map<String, serde_json::Value>>,
    /// Record in the same transaction that an archive data source may still hold this
    /// contact's (now unreadable) ciphertext, so the purge happens later even after a crash
    /// or when the archive is not attached to this process (on by default: every erasure
    /// path journals; `nepenthe-rights` purges and clears the journal).
    pub journal_archive_purge: bool,
    /// Skip the SQLite WAL checkpoint; the caller runs [`Store::after_erasure`] once at the
    /// end of a batch.
    pub defer_checkpoint: bool,
}

impl EraseOptions {
    /// Options for an erasure by `actor` (who is always recorded, so there is no default).
    pub fn new(actor: Actor) -> Self {
        EraseOptions {
            stop_in_progress: false,
            actor,
            request_id: None,
            extra_receipt: None,
            journal_archive_purge: true,
            defer_checkpoint: false,
        }
    }
}

const CONTACT_COLUMNS: &str = "c.tenant_id, c.id, c.key_id, c.legal_hold, c.created_at, c.modified_at, c.pii, k.kek_id, k.wrapped";

impl Store {
    pub(crate) fn row_key(&self, tenant: TenantId, row: &AnyRow) -> Result<DataKey> {
        let key_id: String = row.try_get("key_id")?;
        let w = WrappedKey {
            kek_id: row.try_get("kek_id")?,
            bytes: row.try_get("wrapped")?,
        };
        self.keyring()
            .unwrap(&w, crate::key_aad(tenant, &key_id).as_bytes())
            .map_err(|source| StoreError::Crypto {
                record: format!("data_keys/{key_id}"),
                source,
            })
    }

    fn contact_from_row(&self, row: &AnyRow) -> Result<Contact> {
        let tenant = TenantId(row.try_get("tenant_id")?);
        let id: String = row.try_get("id")?;
        let dk = self.row_key(tenant, row)?;
        let pii_ct: Vec<u8> = row.try_get("pii")?;
        let pii: ContactPii =
            open_json(&dk, &pii_ct, &aad(tenant, "contacts", &id, "pii"), || {
                format!("contacts/{id}")
            })?;
        Ok(Contact {
            id: ContactId::parse(&id)
                .map_err(|_| StoreError::Corrupt("stored contact id".into()))?,
            tenant_id: tenant,
            first_name: pii.first_name,
            last_name: pii.last_name,
            title: pii.title,
            emails: pii.emails,
            phones: pii.phones,
            attributes: pii.attributes,
            legal_hold: row.try_get::<i64, _>("legal_hold")? != 0,
            created_at: nepenthe_core::from_millis(row.try_get("created_at")?),
            modified_at: nepenthe_core::from_millis(row.try_get("modified_at")?),
        })
    }

    fn contact_pii(c: &Contact) -> ContactPii {
        ContactPii {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            title: c.title.clone(),
            emails: c.emails.clone(),
            phones: c.phones.clone(),
            attributes: c.attributes.clone(),
        }
    }

    /// Queues one blind-index row per normalised value of the contact.
    fn push_contact_index(&self, rows: &mut Rows, ix: &BlindIndexer, c: &Contact) {
        for (kind, value) in c.index_entries() {
            rows.push_ignore(
                "contact_index",
                &["tenant_id", "digest", "contact_id"],
                vec![
                    Val::I(c.tenant_id.0),
                    Val::B(ix.digest(&kind.label(), &value).to_vec()),
                    Val::T(c.id.to_string()),
                ],
            );
        }
    }

    /// Replaces a contact's blind-index rows (after an update).
    async fn write_contact_index(
        &self,
        conn: &mut sqlx::AnyConnection,
        ix: &BlindIndexer,
        c: &Contact,
    ) -> Result<()> {
        sqlx::query("DELETE FROM contact_index WHERE tenant_id = $1 AND contact_id = $2")
            .bind(c.tenant_id.0)
            .bind(c.id.as_str())
            .execute(&mut *conn)
            .await?;
        let mut rows = Rows::default();
        self.push_contact_index(&mut rows, ix, c);
        rows.flush(conn, self.backend()).await
    }

    /// Prepares a new contact's rows (encrypted, indexed) without touching the database;
    /// shared by the API and bulk import.
    pub(crate) fn prepare_contact(
        &self,
        ix: &BlindIndexer,
        tenant: TenantId,
        input: ContactInput,
        cache: &mut crate::interactions::KeyCache,
        rows: &mut Rows,
    ) -> Contact {
        let now = nepenthe_core::now();
        let id = input.id.clone().unwrap_or_else(ContactId::generate);
        let mut contact = Contact {
            id,
            tenant_id: tenant,
            first_name: None,
            last_name: None,
            title: None,
            emails: vec![],
            phones: vec![],
            attributes: Attributes::new(),
            legal_hold: false,
            created_at: now,
            modified_at: now,
        };
        contact.apply(input);
        let key_id = format!("c-{}", nepenthe_core::ids::generate_id());
        let (dk, wrapped) = self.new_data_key(tenant, &key_id);
        let pii = seal_json(
            &dk,
            &Self::contact_pii(&contact),
            &aad(tenant, "contacts", contact.id.as_str(), "pii"),
        );
        rows.push(
            "contacts",
            &[
                "tenant_id",
                "id",
                "key_id",
                "legal_hold",
                "created_at",
                "modified_at",
                "pii",
            ],
            vec![
                Val::I(tenant.0),
                Val::T(contact.id.to_string()),
                Val::T(key_id.clone()),
                Val::I(contact.legal_hold as i64),
                Val::I(now.timestamp_millis()),
                Val::I(now.timestamp_millis()),
                Val::B(pii),
            ],
        );
        self.push_data_key(rows, tenant, &key_id, &wrapped);
        self.push_contact_index(rows, ix, &contact);
        cache.insert(contact.id.clone(), (key_id, dk));
        contact
    }

    /// Creates a contact from validated input (see [`ContactInput::validate`]).
    pub async fn create_contact(&self, tenant: TenantId, input: ContactInput) -> Result<Contact> {
        let mut w = self.write_tx().await?;
        let ix = self.indexer(&mut w.tx, tenant).await?;
        let mut rows = Rows::default();
        let c = self.prepare_contact(&ix, tenant, input, &mut Default::default(), &mut rows);
        rows.flush(&mut w.tx, self.backend()).await?;
        w.commit().await?;
        Ok(c)
    }

    pub async fn get_contact(&self, tenant: TenantId, id: &ContactId) -> Result<Contact> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts c JOIN data_keys k ON k.id = c.key_id WHERE c.tenant_id = $1 AND c.id = $2");
        let row = sqlx::query(&sql)
            .bind(tenant.0)
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("contact"))?;
        self.contact_from_row(&row)
    }

    /// Whether a contact exists in the tenant (no decryption).
    pub async fn contact_exists(&self, tenant: TenantId, id: &ContactId) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.0)
                .bind(id.as_str())
                .fetch_optional(self.pool())
                .await?
                .is_some(),
        )
    }

    /// Read-modify-write of a contact in one transaction; `f` may refuse with an error.
    pub async fn update_contact<F>(&self, tenant: TenantId, id: &ContactId, f: F) -> Result<Contact>
    where
        F: FnOnce(&mut Contact) -> Result<()>,
    {
        let mut w = self.write_tx().await?;
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts c JOIN data_keys k ON k.id = c.key_id WHERE c.tenant_id = $1 AND c.id = $2{}", self.for_update());
        let row = sqlx::query(&sql)
            .bind(tenant.0)
            .bind(id.as_str())
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::NotFound("contact"))?;
        let mut contact = self.contact_from_row(&row)?;
        let dk = self.row_key(tenant, &row)?;
        f(&mut contact)?;
        contact.id = id.clone();
        contact.tenant_id = tenant;
        contact.modified_at = nepenthe_core::now();
        let pii = seal_json(
            &dk,
            &Self::contact_pii(&contact),
            &aad(tenant, "contacts", id.as_str(), "pii"),
        );
        sqlx::query("UPDATE contacts SET pii = $1, legal_hold = $2, modified_at = $3 WHERE tenant_id = $4 AND id = $5")
            .bind(pii)
            .bind(contact.legal_hold as i64)
            .bind(contact.modified_at.timestamp_millis())
            .bind(tenant.0)
            .bind(id.as_str())
            .execute(&mut *w.tx)
            .await?;
        let ix = self.indexer(&mut w.tx, tenant).await?;
        self.write_contact_index(&mut w.tx, &ix, &contact).await?;
        w.commit().await?;
        Ok(contact)
    }

    /// Contacts in creation order, `limit` at a time.
    pub async fn list_contacts(
        &self,
        tenant: TenantId,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<ContactPage> {
        let limit = limit.clamp(1, 1000) as i64;
        let (after_ms, after_id) = match cursor {
            Some(c) => decode_cursor(c)?,
            None => (i64::MIN, String::new()),
        };
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts c JOIN data_keys k ON k.id = c.key_id \
             WHERE c.tenant_id = $1 AND (c.created_at, c.id) > ($2, $3) \
             ORDER BY c.created_at, c.id LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant.0)
            .bind(after_ms)
            .bind(after_id)
            .bind(limit + 1)
            .fetch_all(self.pool())
            .await?;
        let mut contacts = rows
            .iter()
            .map(|r| self.contact_from_row(r))
            .collect::<Result<Vec<_>>>()?;
        let next_cursor = if contacts.len() as i64 > limit {
            contacts.truncate(limit as usize);
            contacts
                .last()
                .map(|c| encode_cursor(c.created_at.timestamp_millis(), c.id.as_str()))
        } else {
            None
        };
        Ok(ContactPage {
            contacts,
            next_cursor,
        })
    }

    /// Every contact matching an identification plan (several may belong to one person).
    pub async fn identify(&self, tenant: TenantId, plan: &MatchPlan) -> Result<Vec<Contact>> {
        let ids: Vec<String> = match &plan.contact_ids {
            Some(ids) => ids.iter().map(|i| i.as_str().to_owned()).collect(),
            None => {
                let mut conn = self.pool().acquire().await?;
                let ix = self.indexer(&mut conn, tenant).await?;
                let mut acc: Option<BTreeSet<String>> = None;
                for (kind, value) in &plan.all_of {
                    let rows = sqlx::query(
                        "SELECT contact_id FROM contact_index WHERE tenant_id = $1 AND digest = $2",
                    )
                    .bind(tenant.0)
                    .bind(ix.digest(&kind.label(), value).to_vec())
                    .fetch_all(&mut *conn)
                    .await?;
                    let set: BTreeSet<String> = rows
                        .iter()
                        .map(|r| r.try_get("contact_id"))
                        .collect::<std::result::Result<_, _>>()?;
                    acc = Some(match acc {
                        None => set,
                        Some(prev) => prev.intersection(&set).cloned().collect(),
                    });
                    if acc.as_ref().is_some_and(|a| a.is_empty()) {
                        break;
                    }
                }
                acc.unwrap_or_default().into_iter().collect()
            }
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Ok(cid) = ContactId::parse(&id) else {
                continue;
            };
            match self.get_contact(tenant, &cid).await {
                Ok(c) => out.push(c),
                Err(StoreError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Erases a contact with all its interactions, attachments and participant data in one
    /// transaction, destroying its data key (crypto-shredding) and recording a receipt.
    /// Refuses (and changes nothing) when the contact is under legal hold, or has
    /// interactions in progress and `stop_in_progress` is false.
    pub async fn erase_contact(
        &self,
        tenant: TenantId,
        id: &ContactId,
        stop_in_progress: bool,
        actor: &Actor,
        request_id: Option<&str>,
    ) -> Result<Erasure> {
        self.erase_contact_with(
            tenant,
            id,
            &EraseOptions {
                stop_in_progress,
                request_id: request_id.map(Into::into),
                ..EraseOptions::new(actor.clone())
            },
        )
        .await
    }

    /// [`Store::erase_contact`] with the options the data-subject-rights use cases need:
    /// extra receipt fields (counts per data source) and, when an archive data source is
    /// attached, a journal row in the same transaction recording that the archive still
    /// holds ciphertext of this contact to purge (see `archive.rs`). This is the only
    /// erasure path; `erase_contact` calls it.
    pub async fn erase_contact_with(
        &self,
        tenant: TenantId,
        id: &ContactId,
        opts: &EraseOptions,
    ) -> Result<Erasure> {
        use sha2_digest::Sha256Acc;
        let (stop_in_progress, actor, request_id) = (
            opts.stop_in_progress,
            &opts.actor,
            opts.request_id.as_deref(),
        );
        let mut w = self.write_tx().await?;
        let row = sqlx::query(&format!(
            "SELECT key_id, legal_hold, pii FROM contacts WHERE tenant_id = $1 AND id = $2{}",
            self.for_update()
        ))
        .bind(tenant.0)
        .bind(id.as_str())
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound("contact"))?;
        if row.try_get::<i64, _>("legal_hold")? != 0 {
            return Err(StoreError::Conflict(format!(
                "contact {id} is under legal hold; not erased"
            )));
        }
        let key_id: String = row.try_get("key_id")?;
        let in_progress: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM interactions WHERE tenant_id = $1 AND contact_id = $2 AND status = 'in_progress'",
        )
        .bind(tenant.0)
        .bind(id.as_str())
        .fetch_one(&mut *w.tx)
        .await?
        .try_get("n")?;
        if in_progress > 0 && !stop_in_progress {
            return Err(StoreError::Conflict(format!(
                "contact {id} has {in_progress} interaction(s) in progress; stop them first (--stop-in-progress)"
            )));
        }
        let mut acc = Sha256Acc::default();
        acc.add(b"contact");
        acc.add(id.as_str().as_bytes());
        acc.add(&row.try_get::<Vec<u8>, _>("pii")?);
        // Digest and delete the interaction rows set-wise (see `archive.rs`), not one
        // interaction at a time.
        let rows = self
            .contact_rows_tx(&mut w.tx, tenant, id, &mut acc, true)
            .await?;
        let attachments = rows.attachments;
        for ikey in &rows.other_keys {
            if ikey != &key_id {
                self.delete_data_key(&mut w.tx, tenant, ikey).await?;
            }
        }
        sqlx::query("DELETE FROM contact_index WHERE tenant_id = $1 AND contact_id = $2")
            .bind(tenant.0)
            .bind(id.as_str())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("DELETE FROM contacts WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id.as_str())
            .execute(&mut *w.tx)
            .await?;
        self.delete_data_key(&mut w.tx, tenant, &key_id).await?;
        let erasure = Erasure {
            tenant_id: tenant,
            contact_id: id.clone(),
            interactions: rows.interactions,
            attachments,
            stopped_in_progress: in_progress.max(0) as u64,
            digest: acc.finish(),
            erased_at: nepenthe_core::now(),
        };
        let mut receipt = serde_json::to_value(&erasure).unwrap_or_default();
        receipt["request_id"] = request_id
            .map(Into::into)
            .unwrap_or(serde_json::Value::Null);
        receipt["operator"] = serde_json::Value::String(actor.id.clone());
        receipt["key_destroyed"] = serde_json::Value::String(key_id.clone());
        if let (Some(extra), Some(obj)) = (opts.extra_receipt.as_ref(), receipt.as_object_mut()) {
            for (k, v) in extra {
                obj.entry(k.clone()).or_insert_with(|| v.clone());
            }
            // Counts per data source: this store is the main one.
            if let Some(sources) = obj.get_mut("sources").and_then(|s| s.as_object_mut()) {
                sources.insert(
                    "main".into(),
                    serde_json::json!({
                        "interactions": erasure.interactions,
                        "attachments": erasure.attachments,
                        "digest": erasure.digest,
                    }),
                );
            }
        }
        if opts.journal_archive_purge {
            sqlx::query("INSERT INTO archive_purges (tenant_id, contact_id, key_id, erased_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(tenant.0)
                .bind(id.as_str())
                .bind(&key_id)
                .bind(erasure.erased_at.timestamp_millis())
                .execute(&mut *w.tx)
                .await?;
        }
        sqlx::query("INSERT INTO erasures (tenant_id, contact_id, key_id, erased_at, receipt) VALUES ($1, $2, $3, $4, $5)")
            .bind(tenant.0)
            .bind(id.as_str())
            .bind(&key_id)
            .bind(erasure.erased_at.timestamp_millis())
            .bind(receipt.to_string())
            .execute(&mut *w.tx)
            .await?;
        self.append_audit_tx(
            &mut w.tx,
            &crate::AuditEntry {
                tenant_id: Some(tenant),
                actor: actor.clone(),
                action: "contact.erase".into(),
                object_type: "contact".into(),
                object_ids: vec![id.to_string()],
                details: receipt,
            },
        )
        .await?;
        w.commit().await?;
        if !opts.defer_checkpoint {
            self.after_erasure().await;
        }
        Ok(erasure)
    }

    /// After an erasure, push deleted pages out of the SQLite WAL (secure_delete already
    /// zeroes freed pages). PostgreSQL reclaims dead tuples on vacuum; the destroyed key is
    /// what makes whatever remains unreadable.
    pub async fn after_erasure(&self) {
        if self.backend() != crate::Backend::Sqlite {
            return;
        }
        // A checkpoint reports busy while readers hold old snapshots; retry briefly so the
        // erased pages do not linger in the WAL on a busy server.
        for attempt in 0..20u64 {
            match sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(self.pool())
                .await
            {
                Ok(row) if row.try_get::<i64, _>(0).unwrap_or(1) == 0 => return,
                Ok(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(5 * (attempt + 1))).await
                }
                Err(e) => {
                    tracing::warn!(error = %e, "WAL checkpoint after erasure failed");
                    return;
                }
            }
        }
        tracing::warn!(
            "WAL checkpoint after erasure stayed busy; it completes at the next checkpoint"
        );
    }

    /// Erasure receipts, newest first.
    pub async fn receipts(
        &self,
        tenant: TenantId,
        contact: Option<&ContactId>,
    ) -> Result<Vec<serde_json::Value>> {
        let rows = sqlx::query(
            "SELECT receipt FROM erasures WHERE tenant_id = $1 AND ($2 = '' OR contact_id = $2) ORDER BY erased_at DESC",
        )
        .bind(tenant.0)
        .bind(contact.map(|c| c.as_str()).unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get("receipt")?;
                Ok(serde_json::from_str(&s).unwrap_or_default())
            })
            .collect()
    }
}

/// A tiny streaming SHA-256 accumulator with length-prefixed parts, so boundaries between
/// records are unambiguous.
pub(crate) mod sha2_digest {
    #[derive(Default)]
    pub struct Sha256Acc(Vec<u8>);

    impl Sha256Acc {
        pub fn add(&mut self, part: &[u8]) {
            // Hash each part right away so memory stays flat for large erasures.
            let h = nepenthe_crypto::sha256_hex(part);
            self.0.extend_from_slice(&(part.len() as u64).to_be_bytes());
            self.0.extend_from_slice(h.as_bytes());
        }
        pub fn finish(self) -> String {
            nepenthe_crypto::sha256_hex(&self.0)
        }
    }
}
