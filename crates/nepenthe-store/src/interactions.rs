//! Interactions with their participants, participant data and attachments.
//!
//! Row layout: non-personal columns in the clear for filtering (status, media type, times,
//! contact id); `body` = encrypted subject, text, thread id, queue and attachment metadata
//! (a thread id can be an e-mail Message-ID, a queue name can name a person); `parts` =
//! encrypted participants with their participant data (so the hot Genesys routes decrypt
//! only what they need); attachment contents in their own table.

use crate::bulk::{Rows, Val};
use crate::contacts::sha2_digest::Sha256Acc;
use crate::{aad, decode_cursor, encode_cursor, open_json, seal_json, Result, Store, StoreError};
use nepenthe_core::{
    normalize, AttachmentId, AttachmentMeta, Attributes, ContactId, Direction, Interaction,
    InteractionId, InteractionStatus, MediaType, NewAttachment, Participant, ParticipantId,
    ParticipantState, Purpose, TenantId, Timestamp,
};
use nepenthe_crypto::{BlindIndexer, DataKey};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Serialize, Deserialize)]
struct Body {
    subject: Option<String>,
    text: Option<String>,
    #[serde(default)]
    thread_id: Option<String>,
    #[serde(default)]
    queue: Option<String>,
    attachments: Vec<AttachmentMeta>,
}

#[derive(Serialize, Deserialize)]
struct AttachmentPii {
    name: String,
    mime_type: String,
    sha256: String,
}

#[derive(Clone, Default)]
pub struct NewParticipant {
    pub id: Option<ParticipantId>,
    pub purpose: Option<Purpose>,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub queue_id: Option<String>,
    pub state: Option<ParticipantState>,
    pub attributes: Attributes,
}

impl NewParticipant {
    /// Builds the participant, timestamps set to `now`.
    pub fn build(self, now: Timestamp) -> Participant {
        let state = self.state.unwrap_or(ParticipantState::Connected);
        Participant {
            id: self.id.unwrap_or_else(ParticipantId::generate),
            purpose: self.purpose.unwrap_or(Purpose::Customer),
            name: self.name,
            user_id: self.user_id,
            queue_id: self.queue_id,
            state,
            start_time: now,
            connected_time: (state == ParticipantState::Connected).then_some(now),
            end_time: (state == ParticipantState::Disconnected).then_some(now),
            attributes: self.attributes,
        }
    }
}

#[derive(Clone)]
pub struct NewInteraction {
    pub id: Option<InteractionId>,
    pub contact_id: Option<ContactId>,
    pub media_type: MediaType,
    pub direction: Direction,
    pub status: InteractionStatus,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub thread_id: Option<String>,
    pub queue: Option<String>,
    pub created_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub participants: Vec<NewParticipant>,
    pub attachments: Vec<NewAttachment>,
}

impl Default for NewInteraction {
    fn default() -> Self {
        NewInteraction {
            id: None,
            contact_id: None,
            media_type: MediaType::Other,
            direction: Direction::Inbound,
            status: InteractionStatus::New,
            subject: None,
            text: None,
            thread_id: None,
            queue: None,
            created_at: None,
            started_at: None,
            ended_at: None,
            participants: vec![],
            attachments: vec![],
        }
    }
}

#[derive(Clone, Default, Debug)]
pub struct InteractionFilter {
    pub contact_id: Option<ContactId>,
    pub status: Option<InteractionStatus>,
    pub media_type: Option<MediaType>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub cursor: Option<String>,
    pub limit: u32,
}

pub struct InteractionPage {
    pub interactions: Vec<Interaction>,
    pub next_cursor: Option<String>,
}

/// Contact data keys already unwrapped in the current transaction.
pub(crate) type KeyCache = std::collections::HashMap<ContactId, (String, DataKey)>;

const COLUMNS: &str = "i.tenant_id, i.id, i.contact_id, i.key_id, i.media_type, i.direction, i.status, i.thread_id, i.queue, i.created_at, i.started_at, i.ended_at, i.body, i.parts, k.kek_id, k.wrapped";

fn bad_row(what: &str) -> StoreError {
    StoreError::Corrupt(format!("stored interaction has an invalid {what}"))
}

/// An interaction cannot end before it started.
fn check_times(it: &Interaction) -> Result<()> {
    match (it.started_at, it.ended_at) {
        (Some(start), Some(end)) if end < start => {
            Err(StoreError::Invalid("ended_at is before started_at".into()))
        }
        _ => Ok(()),
    }
}

/// A state change worth telling the lifecycle engine about (ids only, no values).
struct Event {
    topic: String,
    payload: serde_json::Value,
}

fn purpose_topic(p: Purpose) -> &'static str {
    match p {
        Purpose::Customer => "customer",
        Purpose::Agent => "user",
        Purpose::Acd => "acd",
        Purpose::Ivr => "flow",
        Purpose::External => "external",
    }
}

fn diff_events(before: Option<&Interaction>, after: &Interaction) -> Vec<Event> {
    let mut out = Vec::new();
    let id = after.id.as_str();
    for p in &after.participants {
        let was = before.and_then(|b| b.participant(&p.id)).map(|b| b.state);
        if p.state == ParticipantState::Disconnected && was != Some(ParticipantState::Disconnected)
        {
            out.push(Event {
                topic: format!("v2.detail.events.conversation.{id}.{}.end", purpose_topic(p.purpose)),
                payload: serde_json::json!({"conversationId": id, "participantId": p.id, "purpose": p.purpose}),
            });
        }
        if p.state == ParticipantState::Connected && was != Some(ParticipantState::Connected) {
            out.push(Event {
                topic: format!("v2.detail.events.conversation.{id}.{}.start", purpose_topic(p.purpose)),
                payload: serde_json::json!({"conversationId": id, "participantId": p.id, "purpose": p.purpose}),
            });
        }
    }
    if before.map(|b| b.status) != Some(after.status) {
        out.push(Event {
            topic: format!("nepenthe.conversation.{id}.status.{}", after.status),
            payload: serde_json::json!({"conversationId": id, "status": after.status}),
        });
    }
    out
}

impl Store {
    pub(crate) fn interaction_from_row(&self, row: &AnyRow, dk: &DataKey) -> Result<Interaction> {
        let tenant = TenantId(row.try_get("tenant_id")?);
        let id: String = row.try_get("id")?;
        let body_ct: Vec<u8> = row.try_get("body")?;
        let parts_ct: Vec<u8> = row.try_get("parts")?;
        let record = || format!("interactions/{id}");
        let body: Body = open_json(
            dk,
            &body_ct,
            &aad(tenant, "interactions", &id, "body"),
            record,
        )?;
        let participants: Vec<Participant> = open_json(
            dk,
            &parts_ct,
            &aad(tenant, "interactions", &id, "parts"),
            record,
        )?;
        let contact_id: Option<String> = row.try_get("contact_id")?;
        Ok(Interaction {
            id: InteractionId::parse(&id).map_err(|_| bad_row("id"))?,
            tenant_id: tenant,
            contact_id: contact_id
                .map(|c| ContactId::parse(&c).map_err(|_| bad_row("contact id")))
                .transpose()?,
            media_type: MediaType::parse(&row.try_get::<String, _>("media_type")?)
                .ok_or_else(|| bad_row("media type"))?,
            direction: Direction::parse(&row.try_get::<String, _>("direction")?)
                .ok_or_else(|| bad_row("direction"))?,
            status: InteractionStatus::parse(&row.try_get::<String, _>("status")?)
                .ok_or_else(|| bad_row("status"))?,
            subject: body.subject,
            text: body.text,
            // The clear `thread_id`/`queue` columns are never written (kept NULL); the values
            // live in the encrypted body.
            thread_id: body.thread_id,
            queue: body.queue,
            created_at: nepenthe_core::from_millis(row.try_get("created_at")?),
            started_at: crate::opt_millis(row, "started_at")?,
            ended_at: crate::opt_millis(row, "ended_at")?,
            participants,
            attachments: body.attachments,
        })
    }

    fn decode_interaction(&self, row: &AnyRow) -> Result<Interaction> {
        let tenant = TenantId(row.try_get("tenant_id")?);
        let dk = self.row_key(tenant, row)?;
        self.interaction_from_row(row, &dk)
    }

    /// The data key an interaction is encrypted under: its contact's, or its own.
    /// `cache` remembers contact keys within one transaction (bulk import).
    async fn key_for(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
        contact: Option<&ContactId>,
        interaction: &InteractionId,
        cache: &mut KeyCache,
        rows: &mut Rows,
    ) -> Result<(String, DataKey)> {
        match contact {
            Some(cid) => {
                if let Some(hit) = cache.get(cid) {
                    return Ok(hit.clone());
                }
                let row =
                    sqlx::query("SELECT key_id FROM contacts WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant.0)
                        .bind(cid.as_str())
                        .fetch_optional(&mut *conn)
                        .await?
                        .ok_or_else(|| StoreError::Invalid(format!("unknown contact {cid}")))?;
                let key_id: String = row.try_get("key_id")?;
                let dk = self.load_data_key(conn, tenant, &key_id).await?;
                cache.insert(cid.clone(), (key_id.clone(), dk.clone()));
                Ok((key_id, dk))
            }
            None => {
                let key_id = format!("i-{}-{}", interaction, nepenthe_core::ids::generate_id());
                let (dk, w) = self.new_data_key(tenant, &key_id);
                self.push_data_key(rows, tenant, &key_id, &w);
                Ok((key_id, dk))
            }
        }
    }

    pub(crate) fn seal_rows(&self, dk: &DataKey, it: &Interaction) -> (Vec<u8>, Vec<u8>) {
        let tenant = it.tenant_id;
        let id = it.id.as_str();
        let body = Body {
            subject: it.subject.clone(),
            text: it.text.clone(),
            thread_id: it.thread_id.clone(),
            queue: it.queue.clone(),
            attachments: it.attachments.clone(),
        };
        (
            seal_json(dk, &body, &aad(tenant, "interactions", id, "body")),
            seal_json(
                dk,
                &it.participants,
                &aad(tenant, "interactions", id, "parts"),
            ),
        )
    }

    /// E-mails and phone numbers found in participant data, as blind-index digests.
    fn participant_digests(&self, ix: &BlindIndexer, it: &Interaction) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for p in &it.participants {
            for v in p.attributes.values() {
                if v.contains('@') {
                    if let Ok(e) = normalize::email(v) {
                        out.push(ix.digest("email", &e).to_vec());
                    }
                } else if let Ok(ph) = normalize::phone(v, self.default_region()) {
                    out.push(ix.digest("phone", &ph).to_vec());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Queues the blind-index rows of the e-mails and phones in participant data.
    fn push_interaction_index(&self, rows: &mut Rows, ix: &BlindIndexer, it: &Interaction) {
        for d in self.participant_digests(ix, it) {
            rows.push_ignore(
                "interaction_index",
                &["tenant_id", "digest", "interaction_id"],
                vec![Val::I(it.tenant_id.0), Val::B(d), Val::T(it.id.to_string())],
            );
        }
    }

    /// Replaces an interaction's blind-index rows (after an update).
    pub(crate) async fn write_interaction_index(
        &self,
        conn: &mut sqlx::AnyConnection,
        ix: &BlindIndexer,
        it: &Interaction,
    ) -> Result<()> {
        sqlx::query("DELETE FROM interaction_index WHERE tenant_id = $1 AND interaction_id = $2")
            .bind(it.tenant_id.0)
            .bind(it.id.as_str())
            .execute(&mut *conn)
            .await?;
        let mut rows = Rows::default();
        self.push_interaction_index(&mut rows, ix, it);
        rows.flush(conn, self.backend()).await
    }

    /// Queues an attachment row (metadata and content sealed under `dk`) for interaction
    /// `it`; refuses an id the interaction already has.
    fn push_attachment(
        &self,
        rows: &mut Rows,
        dk: &DataKey,
        it: &Interaction,
        position: usize,
        a: NewAttachment,
    ) -> Result<AttachmentMeta> {
        let tenant = it.tenant_id;
        let aid = a.id.unwrap_or_else(AttachmentId::generate);
        if it.attachments.iter().any(|m| m.id == aid) {
            return Err(StoreError::Conflict(format!(
                "duplicate attachment id {aid}"
            )));
        }
        let meta = AttachmentMeta {
            id: aid.clone(),
            name: a.name,
            mime_type: a.mime_type,
            size: a.content.len() as u64,
            sha256: nepenthe_crypto::sha256_hex(&a.content),
        };
        let row_id = format!("{}/{aid}", it.id);
        let pii = AttachmentPii {
            name: meta.name.clone(),
            mime_type: meta.mime_type.clone(),
            sha256: meta.sha256.clone(),
        };
        rows.push(
            "attachments",
            &[
                "tenant_id",
                "interaction_id",
                "id",
                "position",
                "size",
                "meta",
                "content",
            ],
            vec![
                Val::I(tenant.0),
                Val::T(it.id.to_string()),
                Val::T(aid.to_string()),
                Val::I(position as i64),
                Val::I(meta.size as i64),
                Val::B(seal_json(
                    dk,
                    &pii,
                    &aad(tenant, "attachments", &row_id, "meta"),
                )),
                Val::B(dk.seal(&a.content, &aad(tenant, "attachments", &row_id, "content"))),
            ],
        );
        Ok(meta)
    }

    /// Prepares a new interaction's rows (encrypted, indexed); the only database access is
    /// looking up the key of a contact not yet in `cache`. Shared by the API and import.
    pub(crate) async fn prepare_interaction(
        &self,
        conn: &mut sqlx::AnyConnection,
        ix: &BlindIndexer,
        tenant: TenantId,
        new: NewInteraction,
        cache: &mut KeyCache,
        rows: &mut Rows,
    ) -> Result<Interaction> {
        let now = nepenthe_core::now();
        let id = new.id.clone().unwrap_or_else(InteractionId::generate);
        let (key_id, dk) = self
            .key_for(conn, tenant, new.contact_id.as_ref(), &id, cache, rows)
            .await?;
        let mut participants: Vec<Participant> = Vec::with_capacity(new.participants.len());
        for p in new.participants {
            let p = p.build(now);
            if participants.iter().any(|q| q.id == p.id) {
                return Err(StoreError::Conflict(format!(
                    "duplicate participant id {}",
                    p.id
                )));
            }
            participants.push(p);
        }
        let started_at = new
            .started_at
            .or((new.status != InteractionStatus::New).then_some(now));
        let ended_at = new.ended_at.or(new.status.is_finished().then_some(now));
        if let (Some(start), Some(end)) = (started_at, ended_at) {
            if end < start {
                return Err(StoreError::Invalid("ended_at is before started_at".into()));
            }
        }
        let mut it = Interaction {
            id,
            tenant_id: tenant,
            contact_id: new.contact_id,
            media_type: new.media_type,
            direction: new.direction,
            status: new.status,
            subject: new.subject,
            text: new.text,
            thread_id: new.thread_id,
            queue: new.queue,
            created_at: new.created_at.unwrap_or(now),
            started_at,
            ended_at,
            participants,
            attachments: vec![],
        };
        for (pos, a) in new.attachments.into_iter().enumerate() {
            let meta = self.push_attachment(rows, &dk, &it, pos, a)?;
            it.attachments.push(meta);
        }
        let (body, parts) = self.seal_rows(&dk, &it);
        rows.push(
            "interactions",
            &[
                "tenant_id",
                "id",
                "contact_id",
                "key_id",
                "media_type",
                "direction",
                "status",
                "thread_id",
                "queue",
                "created_at",
                "started_at",
                "ended_at",
                "body",
                "parts",
            ],
            vec![
                Val::I(tenant.0),
                Val::T(it.id.to_string()),
                Val::NT(it.contact_id.as_ref().map(|c| c.to_string())),
                Val::T(key_id),
                Val::T(it.media_type.as_str().into()),
                Val::T(it.direction.as_str().into()),
                Val::T(it.status.as_str().into()),
                Val::NT(None),
                Val::NT(None),
                Val::I(it.created_at.timestamp_millis()),
                Val::NI(it.started_at.map(|t| t.timestamp_millis())),
                Val::NI(it.ended_at.map(|t| t.timestamp_millis())),
                Val::B(body),
                Val::B(parts),
            ],
        );
        self.push_interaction_index(rows, ix, &it);
        Ok(it)
    }

    pub async fn create_interaction(
        &self,
        tenant: TenantId,
        new: NewInteraction,
    ) -> Result<Interaction> {
        let mut w = self.write_tx().await?;
        let ix = self.indexer(&mut w.tx, tenant).await?;
        let mut rows = Rows::default();
        let it = self
            .prepare_interaction(&mut w.tx, &ix, tenant, new, &mut KeyCache::new(), &mut rows)
            .await?;
        rows.flush(&mut w.tx, self.backend()).await?;
        self.write_events(&mut w.tx, tenant, diff_events(None, &it))
            .await?;
        w.commit().await?;
        Ok(it)
    }

    pub async fn get_interaction(
        &self,
        tenant: TenantId,
        id: &InteractionId,
    ) -> Result<Interaction> {
        let sql = format!("SELECT {COLUMNS} FROM interactions i JOIN data_keys k ON k.id = i.key_id WHERE i.tenant_id = $1 AND i.id = $2");
        let row = sqlx::query(&sql)
            .bind(tenant.0)
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("interaction"))?;
        self.decode_interaction(&row)
    }

    pub async fn list_interactions(
        &self,
        tenant: TenantId,
        f: &InteractionFilter,
    ) -> Result<InteractionPage> {
        let limit = f.limit.clamp(1, 1000) as i64;
        let (after_ms, after_id) = match &f.cursor {
            Some(c) => decode_cursor(c)?,
            None => (i64::MIN, String::new()),
        };
        // Only the filters given become conditions, so the planner can use the
        // (tenant, contact, created_at, id) and (tenant, created_at, id) indexes; the keyset
        // cursor is a row-value comparison for the same reason.
        let mut sql = format!(
            "SELECT {COLUMNS} FROM interactions i JOIN data_keys k ON k.id = i.key_id \
             WHERE i.tenant_id = $1 AND (i.created_at, i.id) > ($2, $3)"
        );
        let mut texts: Vec<String> = Vec::new();
        let mut n = 3;
        for (col, v) in [
            ("contact_id", f.contact_id.as_ref().map(|c| c.to_string())),
            ("status", f.status.map(|s| s.as_str().to_owned())),
            ("media_type", f.media_type.map(|s| s.as_str().to_owned())),
        ] {
            if let Some(v) = v {
                n += 1;
                sql.push_str(&format!(" AND i.{col} = ${n}"));
                texts.push(v);
            }
        }
        sql.push_str(&format!(
            " AND i.created_at >= ${} AND i.created_at < ${} ORDER BY i.created_at, i.id LIMIT ${}",
            n + 1,
            n + 2,
            n + 3
        ));
        let mut q = sqlx::query(&sql)
            .bind(tenant.0)
            .bind(after_ms)
            .bind(after_id);
        for t in texts {
            q = q.bind(t);
        }
        let rows = q
            .bind(f.from.map(|t| t.timestamp_millis()).unwrap_or(i64::MIN))
            .bind(f.to.map(|t| t.timestamp_millis()).unwrap_or(i64::MAX))
            .bind(limit + 1)
            .fetch_all(self.pool())
            .await?;
        let mut interactions = rows
            .iter()
            .map(|r| self.decode_interaction(r))
            .collect::<Result<Vec<_>>>()?;
        let next_cursor = if interactions.len() as i64 > limit {
            interactions.truncate(limit as usize);
            interactions
                .last()
                .map(|i| encode_cursor(i.created_at.timestamp_millis(), i.id.as_str()))
        } else {
            None
        };
        Ok(InteractionPage {
            interactions,
            next_cursor,
        })
    }

    /// Counts a contact's interactions: (total, in progress).
    pub async fn count_interactions(
        &self,
        tenant: TenantId,
        contact: &ContactId,
    ) -> Result<(u64, u64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END), 0) AS p \
             FROM interactions WHERE tenant_id = $1 AND contact_id = $2",
        )
        .bind(tenant.0)
        .bind(contact.as_str())
        .fetch_one(self.pool())
        .await?;
        let n: i64 = row.try_get("n")?;
        let p: i64 = row.try_get("p")?;
        Ok((n as u64, p as u64))
    }

    /// Interactions not linked to `contact` whose participant data holds one of the given
    /// e-mail addresses or phone numbers (normalised), found through the blind index.
    pub async fn unlinked_interactions(
        &self,
        tenant: TenantId,
        contact: &ContactId,
        emails: &[String],
        phones: &[String],
    ) -> Result<Vec<InteractionId>> {
        let mut conn = self.pool().acquire().await?;
        let ix = self.indexer(&mut conn, tenant).await?;
        let mut digests = Vec::new();
        for e in emails {
            if let Ok(e) = normalize::email(e) {
                digests.push(ix.digest("email", &e).to_vec());
            }
        }
        for p in phones {
            if let Ok(p) = normalize::phone(p, self.default_region()) {
                digests.push(ix.digest("phone", &p).to_vec());
            }
        }
        let mut out: Vec<InteractionId> = Vec::new();
        for d in digests {
            let rows = sqlx::query(
                // CROSS JOIN fixes the join order on SQLite (the blind index first, then a
                // primary-key probe); without statistics its planner would otherwise walk
                // every interaction of the tenant. PostgreSQL plans it the same either way.
                "SELECT x.interaction_id FROM interaction_index x CROSS JOIN interactions i \
                 WHERE x.tenant_id = $1 AND x.digest = $2 AND i.tenant_id = x.tenant_id AND i.id = x.interaction_id \
                 AND (i.contact_id IS NULL OR i.contact_id <> $3)",
            )
            .bind(tenant.0)
            .bind(d)
            .bind(contact.as_str())
            .fetch_all(&mut *conn)
            .await?;
            for r in rows {
                let id: String = r.try_get("interaction_id")?;
                if let Ok(id) = InteractionId::parse(&id) {
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Read-modify-write of an interaction in one transaction. `f` changes the domain value
    /// (participants, participant data, status, text...) or refuses with an error; the new
    /// state is re-encrypted, re-indexed, and state changes are queued as events.
    pub async fn update_interaction<F, T>(
        &self,
        tenant: TenantId,
        id: &InteractionId,
        f: F,
    ) -> Result<(Interaction, T)>
    where
        F: FnOnce(&mut Interaction) -> Result<T>,
    {
        let mut w = self.write_tx().await?;
        let sql = format!("SELECT {COLUMNS} FROM interactions i JOIN data_keys k ON k.id = i.key_id WHERE i.tenant_id = $1 AND i.id = $2{}", self.for_update());
        let row = sqlx::query(&sql)
            .bind(tenant.0)
            .bind(id.as_str())
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::NotFound("interaction"))?;
        let old_key: String = row.try_get("key_id")?;
        let dk = self.row_key(tenant, &row)?;
        let before = self.interaction_from_row(&row, &dk)?;
        let mut it = before.clone();
        let out = f(&mut it)?;
        it.id = before.id.clone();
        it.tenant_id = tenant;
        it.attachments = before.attachments.clone();
        let mut ids = std::collections::BTreeSet::new();
        if !it.participants.iter().all(|p| ids.insert(p.id.clone())) {
            return Err(StoreError::Conflict("duplicate participant id".into()));
        }
        let now = nepenthe_core::now();
        if it.status != InteractionStatus::New && it.started_at.is_none() {
            it.started_at = Some(now);
        }
        if it.status.is_finished() && it.ended_at.is_none() {
            it.ended_at = Some(now);
        }
        // Reopened: an end time carried over from before no longer applies.
        if !it.status.is_finished() && before.status.is_finished() && it.ended_at == before.ended_at
        {
            it.ended_at = None;
        }
        check_times(&it)?;
        // Re-key when the interaction moves to another contact (or loses its contact).
        let (key_id, dk) = if it.contact_id != before.contact_id {
            let mut key_rows = Rows::default();
            let (key_id, new_dk) = self
                .key_for(
                    &mut w.tx,
                    tenant,
                    it.contact_id.as_ref(),
                    id,
                    &mut KeyCache::new(),
                    &mut key_rows,
                )
                .await?;
            key_rows.flush(&mut w.tx, self.backend()).await?;
            self.rekey_attachments(&mut w.tx, tenant, id, &dk, &new_dk)
                .await?;
            if old_key.starts_with("i-") {
                self.delete_data_key(&mut w.tx, tenant, &old_key).await?;
            }
            (key_id, new_dk)
        } else {
            (old_key, dk)
        };
        let (body, parts) = self.seal_rows(&dk, &it);
        sqlx::query(
            "UPDATE interactions SET contact_id = $1, key_id = $2, media_type = $3, direction = $4, status = $5, thread_id = $6, queue = $7, \
             started_at = $8, ended_at = $9, body = $10, parts = $11 WHERE tenant_id = $12 AND id = $13",
        )
        .bind(it.contact_id.as_ref().map(|c| c.as_str().to_owned()))
        .bind(&key_id)
        .bind(it.media_type.as_str())
        .bind(it.direction.as_str())
        .bind(it.status.as_str())
        .bind(Option::<String>::None)
        .bind(Option::<String>::None)
        .bind(it.started_at.map(|t| t.timestamp_millis()))
        .bind(it.ended_at.map(|t| t.timestamp_millis()))
        .bind(body)
        .bind(parts)
        .bind(tenant.0)
        .bind(id.as_str())
        .execute(&mut *w.tx)
        .await?;
        let ix = self.indexer(&mut w.tx, tenant).await?;
        self.write_interaction_index(&mut w.tx, &ix, &it).await?;
        self.write_events(&mut w.tx, tenant, diff_events(Some(&before), &it))
            .await?;
        w.commit().await?;
        Ok((it, out))
    }

    async fn rekey_attachments(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
        iid: &InteractionId,
        old: &DataKey,
        new: &DataKey,
    ) -> Result<()> {
        let rows = sqlx::query("SELECT id, meta, content FROM attachments WHERE tenant_id = $1 AND interaction_id = $2")
            .bind(tenant.0)
            .bind(iid.as_str())
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            let aid: String = r.try_get("id")?;
            let row_id = format!("{iid}/{aid}");
            let record = || format!("attachments/{row_id}");
            let meta_aad = aad(tenant, "attachments", &row_id, "meta");
            let content_aad = aad(tenant, "attachments", &row_id, "content");
            let meta = old
                .open(&r.try_get::<Vec<u8>, _>("meta")?, &meta_aad)
                .map_err(|source| StoreError::Crypto {
                    record: record(),
                    source,
                })?;
            let content = old
                .open(&r.try_get::<Vec<u8>, _>("content")?, &content_aad)
                .map_err(|source| StoreError::Crypto {
                    record: record(),
                    source,
                })?;
            sqlx::query("UPDATE attachments SET meta = $1, content = $2 WHERE tenant_id = $3 AND interaction_id = $4 AND id = $5")
                .bind(new.seal(&meta, &meta_aad))
                .bind(new.seal(&content, &content_aad))
                .bind(tenant.0)
                .bind(iid.as_str())
                .bind(&aid)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Adds an attachment to an existing interaction.
    pub async fn add_attachment(
        &self,
        tenant: TenantId,
        iid: &InteractionId,
        a: NewAttachment,
    ) -> Result<AttachmentMeta> {
        let mut w = self.write_tx().await?;
        let sql = format!("SELECT {COLUMNS} FROM interactions i JOIN data_keys k ON k.id = i.key_id WHERE i.tenant_id = $1 AND i.id = $2{}", self.for_update());
        let row = sqlx::query(&sql)
            .bind(tenant.0)
            .bind(iid.as_str())
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StoreError::NotFound("interaction"))?;
        let dk = self.row_key(tenant, &row)?;
        let mut it = self.interaction_from_row(&row, &dk)?;
        let mut rows = Rows::default();
        let meta = self.push_attachment(&mut rows, &dk, &it, it.attachments.len(), a)?;
        rows.flush(&mut w.tx, self.backend()).await?;
        it.attachments.push(meta.clone());
        let (body, _) = self.seal_rows(&dk, &it);
        sqlx::query("UPDATE interactions SET body = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(body)
            .bind(tenant.0)
            .bind(iid.as_str())
            .execute(&mut *w.tx)
            .await?;
        w.commit().await?;
        Ok(meta)
    }

    /// An attachment's metadata and decrypted content.
    pub async fn get_attachment(
        &self,
        tenant: TenantId,
        iid: &InteractionId,
        aid: &AttachmentId,
    ) -> Result<(AttachmentMeta, Vec<u8>)> {
        let row = sqlx::query(
            "SELECT a.size, a.meta, a.content, i.key_id, k.kek_id, k.wrapped FROM attachments a \
             JOIN interactions i ON i.tenant_id = a.tenant_id AND i.id = a.interaction_id \
             JOIN data_keys k ON k.id = i.key_id \
             WHERE a.tenant_id = $1 AND a.interaction_id = $2 AND a.id = $3",
        )
        .bind(tenant.0)
        .bind(iid.as_str())
        .bind(aid.as_str())
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("attachment"))?;
        let dk = self.row_key(tenant, &row)?;
        let row_id = format!("{iid}/{aid}");
        let pii: AttachmentPii = open_json(
            &dk,
            &row.try_get::<Vec<u8>, _>("meta")?,
            &aad(tenant, "attachments", &row_id, "meta"),
            || format!("attachments/{row_id}"),
        )?;
        let content = dk
            .open(
                &row.try_get::<Vec<u8>, _>("content")?,
                &aad(tenant, "attachments", &row_id, "content"),
            )
            .map_err(|source| StoreError::Crypto {
                record: format!("attachments/{row_id}"),
                source,
            })?;
        Ok((
            AttachmentMeta {
                id: aid.clone(),
                name: pii.name,
                mime_type: pii.mime_type,
                size: row.try_get::<i64, _>("size")? as u64,
                sha256: pii.sha256,
            },
            content,
        ))
    }

    /// Deletes an interaction's rows (not its key); returns the number of attachments.
    pub(crate) async fn delete_interaction_rows(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
        iid: &str,
        acc: Option<&mut Sha256Acc>,
    ) -> Result<u64> {
        if let Some(acc) = acc {
            let rows = sqlx::query("SELECT id, content FROM attachments WHERE tenant_id = $1 AND interaction_id = $2 ORDER BY position, id")
                .bind(tenant.0)
                .bind(iid)
                .fetch_all(&mut *conn)
                .await?;
            for r in rows {
                acc.add(b"attachment");
                acc.add(r.try_get::<String, _>("id")?.as_bytes());
                acc.add(&r.try_get::<Vec<u8>, _>("content")?);
            }
        }
        let n = sqlx::query("DELETE FROM attachments WHERE tenant_id = $1 AND interaction_id = $2")
            .bind(tenant.0)
            .bind(iid)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM interaction_index WHERE tenant_id = $1 AND interaction_id = $2")
            .bind(tenant.0)
            .bind(iid)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM interactions WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(iid)
            .execute(&mut *conn)
            .await?;
        Ok(n)
    }

    /// Deletes one interaction; an interaction with its own key has that key destroyed.
    pub async fn delete_interaction(&self, tenant: TenantId, id: &InteractionId) -> Result<()> {
        let mut w = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT key_id, contact_id FROM interactions WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id.as_str())
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or(StoreError::NotFound("interaction"))?;
        let key_id: String = row.try_get("key_id")?;
        let contact: Option<String> = row.try_get("contact_id")?;
        self.delete_interaction_rows(&mut w.tx, tenant, id.as_str(), None)
            .await?;
        if contact.is_none() {
            self.delete_data_key(&mut w.tx, tenant, &key_id).await?;
        }
        w.commit().await?;
        Ok(())
    }

    async fn write_events(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
        events: Vec<Event>,
    ) -> Result<()> {
        let now = nepenthe_core::now().timestamp_millis();
        for e in events {
            sqlx::query("INSERT INTO events (tenant_id, topic, payload, created_at) VALUES ($1, $2, $3, $4)")
                .bind(tenant.0)
                .bind(e.topic)
                .bind(e.payload.to_string())
                .bind(now)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}
