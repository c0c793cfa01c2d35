//! Wire types: what crosses HTTP, kept apart from the domain types so the API can stay
//! stable while the model changes. Inputs refuse unknown fields. Timestamps are RFC 3339 in
//! UTC with milliseconds and a `Z` (`2026-01-31T09:30:00.000Z`).
//!
//! The v1 API uses snake_case; the Genesys-compatible v2 routes use Genesys Cloud's camelCase;
//! the identification request keeps UCS's PascalCase (`TenantId`, `EmailAddress`).

use crate::error::{ApiError, ApiResult};
use base64::Engine;
use chrono::SecondsFormat;
use nepenthe_core::{
    AttachmentId, AttachmentMeta, Contact, ContactId, ContactInput, Direction, Interaction,
    InteractionId, InteractionStatus, MediaType, NewAttachment, Participant, ParticipantId,
    ParticipantState, Purpose, Timestamp,
};
use nepenthe_store::{Erasure, NewInteraction, NewParticipant};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// RFC 3339, UTC, milliseconds, `Z`.
pub fn iso(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn iso_opt(t: Option<Timestamp>) -> Option<String> {
    t.map(iso)
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

// ---- pages ----------------------------------------------------------------------------

#[derive(Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

// ---- contacts -------------------------------------------------------------------------

#[derive(Serialize)]
pub struct ContactDto {
    pub id: String,
    pub tenant_id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    pub legal_hold: bool,
    pub created_at: String,
    pub modified_at: String,
}

impl From<Contact> for ContactDto {
    fn from(c: Contact) -> Self {
        ContactDto {
            id: c.id.to_string(),
            tenant_id: c.tenant_id.0,
            first_name: c.first_name,
            last_name: c.last_name,
            title: c.title,
            emails: c.emails,
            phones: c.phones,
            attributes: c.attributes,
            legal_hold: c.legal_hold,
            created_at: iso(c.created_at),
            modified_at: iso(c.modified_at),
        }
    }
}

/// `POST /contacts` and `PUT /contacts/{id}`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    pub id: Option<ContactId>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Absent: `false` on create, unchanged on replace.
    pub legal_hold: Option<bool>,
}

impl ContactBody {
    /// The unvalidated input; `legal_hold` falls back to `current`.
    pub fn into_input(self, current_hold: bool) -> ContactInput {
        ContactInput {
            id: self.id,
            first_name: self.first_name,
            last_name: self.last_name,
            title: self.title,
            emails: self.emails,
            phones: self.phones,
            attributes: self.attributes,
            legal_hold: self.legal_hold.unwrap_or(current_hold),
        }
    }
}

/// `PATCH /contacts/{id}`: absent fields stay; `null` clears a name; lists replace the old
/// list; `attributes` merge, a `null` value removing that key.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default, deserialize_with = "nullable")]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub title: Option<Option<String>>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
    pub attributes: Option<BTreeMap<String, Option<String>>>,
    pub legal_hold: Option<bool>,
}

impl ContactPatch {
    /// The contact's fields with this patch applied, ready for validation.
    pub fn apply_to(self, c: &Contact) -> ContactInput {
        let mut attributes = c.attributes.clone();
        merge_attributes(&mut attributes, self.attributes.unwrap_or_default());
        ContactInput {
            id: Some(c.id.clone()),
            first_name: self.first_name.unwrap_or_else(|| c.first_name.clone()),
            last_name: self.last_name.unwrap_or_else(|| c.last_name.clone()),
            title: self.title.unwrap_or_else(|| c.title.clone()),
            emails: self.emails.unwrap_or_else(|| c.emails.clone()),
            phones: self.phones.unwrap_or_else(|| c.phones.clone()),
            attributes,
            legal_hold: self.legal_hold.unwrap_or(c.legal_hold),
        }
    }
}

/// Merges `changes` into `map`: a value sets the key, `null` removes it.
pub fn merge_attributes(
    map: &mut BTreeMap<String, String>,
    changes: BTreeMap<String, Option<String>>,
) {
    for (k, v) in changes {
        match v {
            Some(v) => {
                map.insert(k, v);
            }
            None => {
                map.remove(&k);
            }
        }
    }
}

#[derive(Serialize)]
pub struct IdentifyResponse {
    pub count: usize,
    pub contacts: Vec<ContactDto>,
}

/// What an erasure removed: counts and a digest, no personal data.
#[derive(Serialize)]
pub struct ErasureDto {
    pub contact_id: String,
    pub interactions: u64,
    pub attachments: u64,
    pub stopped_in_progress: u64,
    pub digest: String,
    pub erased_at: String,
}

impl From<Erasure> for ErasureDto {
    fn from(e: Erasure) -> Self {
        ErasureDto {
            contact_id: e.contact_id.to_string(),
            interactions: e.interactions,
            attachments: e.attachments,
            stopped_in_progress: e.stopped_in_progress,
            digest: e.digest,
            erased_at: iso(e.erased_at),
        }
    }
}

// ---- interactions ---------------------------------------------------------------------

#[derive(Serialize)]
pub struct ParticipantDto {
    pub id: String,
    pub purpose: Purpose,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub queue_id: Option<String>,
    pub state: ParticipantState,
    pub start_time: String,
    pub connected_time: Option<String>,
    pub end_time: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

impl From<Participant> for ParticipantDto {
    fn from(p: Participant) -> Self {
        ParticipantDto {
            id: p.id.to_string(),
            purpose: p.purpose,
            name: p.name,
            user_id: p.user_id,
            queue_id: p.queue_id,
            state: p.state,
            start_time: iso(p.start_time),
            connected_time: iso_opt(p.connected_time),
            end_time: iso_opt(p.end_time),
            attributes: p.attributes,
        }
    }
}

#[derive(Serialize)]
pub struct AttachmentDto {
    pub id: String,
    pub name: String,
    pub mime_type: String,
    pub size: u64,
    pub sha256: String,
}

impl From<AttachmentMeta> for AttachmentDto {
    fn from(a: AttachmentMeta) -> Self {
        AttachmentDto {
            id: a.id.to_string(),
            name: a.name,
            mime_type: a.mime_type,
            size: a.size,
            sha256: a.sha256,
        }
    }
}

#[derive(Serialize)]
pub struct InteractionDto {
    pub id: String,
    pub tenant_id: i64,
    pub contact_id: Option<String>,
    pub media_type: MediaType,
    pub direction: Direction,
    pub status: InteractionStatus,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub thread_id: Option<String>,
    pub queue: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub participants: Vec<ParticipantDto>,
    pub attachments: Vec<AttachmentDto>,
}

impl From<Interaction> for InteractionDto {
    fn from(i: Interaction) -> Self {
        InteractionDto {
            id: i.id.to_string(),
            tenant_id: i.tenant_id.0,
            contact_id: i.contact_id.map(|c| c.to_string()),
            media_type: i.media_type,
            direction: i.direction,
            status: i.status,
            subject: i.subject,
            text: i.text,
            thread_id: i.thread_id,
            queue: i.queue,
            created_at: iso(i.created_at),
            started_at: iso_opt(i.started_at),
            ended_at: iso_opt(i.ended_at),
            participants: i.participants.into_iter().map(Into::into).collect(),
            attachments: i.attachments.into_iter().map(Into::into).collect(),
        }
    }
}

/// A participant to add (in `POST /interactions` or `POST /interactions/{id}/participants`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantBody {
    pub id: Option<ParticipantId>,
    pub purpose: Option<Purpose>,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub queue_id: Option<String>,
    pub state: Option<ParticipantState>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

impl ParticipantBody {
    pub fn into_new(self) -> ApiResult<NewParticipant> {
        check_attribute_names(self.attributes.keys())?;
        Ok(NewParticipant {
            id: self.id,
            purpose: self.purpose,
            name: self.name,
            user_id: self.user_id,
            queue_id: self.queue_id,
            state: self.state,
            attributes: self.attributes,
        })
    }
}

/// Participant-data keys must be 1 to 256 characters.
pub fn check_attribute_names<'a>(mut keys: impl Iterator<Item = &'a String>) -> ApiResult<()> {
    if keys.any(|k| k.is_empty() || k.chars().count() > 256) {
        return Err(ApiError::unprocessable(
            "attribute names must be 1 to 256 characters",
        ));
    }
    Ok(())
}

/// An attachment with its content in base64 (standard alphabet, padding optional).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    pub id: Option<AttachmentId>,
    pub name: String,
    pub mime_type: String,
    pub content_base64: String,
}

impl AttachmentBody {
    /// Decodes the content; `field` names the attachment in error messages.
    pub fn into_new(self, field: &str) -> ApiResult<NewAttachment> {
        if self.name.is_empty() || self.name.chars().count() > 255 {
            return Err(ApiError::unprocessable(format!(
                "{field}.name: must be 1 to 255 characters"
            )));
        }
        let mime_ok = self.mime_type.len() <= 255
            && self.mime_type.contains('/')
            && axum::http::HeaderValue::from_str(&self.mime_type).is_ok();
        if !mime_ok {
            return Err(ApiError::unprocessable(format!(
                "{field}.mime_type: must be a MIME type such as application/pdf"
            )));
        }
        let content = base64_decode(&self.content_base64).ok_or_else(|| {
            ApiError::unprocessable(format!("{field}.content_base64: invalid base64"))
        })?;
        Ok(NewAttachment {
            id: self.id,
            name: self.name,
            mime_type: self.mime_type,
            content,
        })
    }
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    let s = s.trim();
    STANDARD
        .decode(s)
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .ok()
}

/// `POST /interactions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InteractionBody {
    pub id: Option<InteractionId>,
    pub contact_id: Option<ContactId>,
    pub media_type: Option<MediaType>,
    pub direction: Option<Direction>,
    pub status: Option<InteractionStatus>,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub thread_id: Option<String>,
    pub queue: Option<String>,
    pub created_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    #[serde(default)]
    pub participants: Vec<ParticipantBody>,
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

impl InteractionBody {
    pub fn into_new(self) -> ApiResult<NewInteraction> {
        let participants = self
            .participants
            .into_iter()
            .map(ParticipantBody::into_new)
            .collect::<ApiResult<Vec<_>>>()?;
        let attachments = self
            .attachments
            .into_iter()
            .enumerate()
            .map(|(i, a)| a.into_new(&format!("attachments[{i}]")))
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(NewInteraction {
            id: self.id,
            contact_id: self.contact_id,
            media_type: self.media_type.unwrap_or(MediaType::Other),
            direction: self.direction.unwrap_or(Direction::Inbound),
            status: self.status.unwrap_or(InteractionStatus::New),
            subject: self.subject,
            text: self.text,
            thread_id: self.thread_id,
            queue: self.queue,
            created_at: self.created_at,
            started_at: self.started_at,
            ended_at: self.ended_at,
            participants,
            attachments,
        })
    }
}

/// `PATCH /interactions/{id}`: absent fields stay; `null` clears an optional field
/// (`contact_id: null` unlinks the interaction from its contact).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct InteractionPatch {
    #[serde(default, deserialize_with = "nullable")]
    pub contact_id: Option<Option<ContactId>>,
    pub media_type: Option<MediaType>,
    pub direction: Option<Direction>,
    pub status: Option<InteractionStatus>,
    #[serde(default, deserialize_with = "nullable")]
    pub subject: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub text: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub thread_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub queue: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub started_at: Option<Option<Timestamp>>,
    #[serde(default, deserialize_with = "nullable")]
    pub ended_at: Option<Option<Timestamp>>,
}

impl InteractionPatch {
    pub fn apply(self, i: &mut Interaction) {
        fn set<T>(slot: &mut T, v: Option<T>) {
            if let Some(v) = v {
                *slot = v;
            }
        }
        set(&mut i.contact_id, self.contact_id);
        set(&mut i.media_type, self.media_type);
        set(&mut i.direction, self.direction);
        set(&mut i.status, self.status);
        set(&mut i.subject, self.subject);
        set(&mut i.text, self.text);
        set(&mut i.thread_id, self.thread_id);
        set(&mut i.queue, self.queue);
        set(&mut i.started_at, self.started_at);
        set(&mut i.ended_at, self.ended_at);
    }

    /// Number of fields present, for the audit log.
    pub fn field_count(&self) -> usize {
        [
            self.contact_id.is_some(),
            self.media_type.is_some(),
            self.direction.is_some(),
            self.status.is_some(),
            self.subject.is_some(),
            self.text.is_some(),
            self.thread_id.is_some(),
            self.queue.is_some(),
            self.started_at.is_some(),
            self.ended_at.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }
}

// ---- Genesys Cloud compatible ---------------------------------------------------------

/// Body of `PATCH .../participants/{participantId}/attributes`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributesPatch {
    pub attributes: BTreeMap<String, Option<String>>,
}

#[derive(Serialize)]
pub struct AttributesDto {
    pub attributes: BTreeMap<String, String>,
}

/// A conversation in Genesys Cloud's shape (`GET /api/v2/conversations/{id}`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDto {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    pub participants: Vec<ConversationParticipantDto>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationParticipantDto {
    pub id: String,
    pub purpose: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<String>,
    pub start_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    pub state: &'static str,
    pub attributes: BTreeMap<String, String>,
}

impl From<Interaction> for ConversationDto {
    fn from(i: Interaction) -> Self {
        ConversationDto {
            id: i.id.to_string(),
            start_time: Some(iso(i.started_at.unwrap_or(i.created_at))),
            end_time: iso_opt(i.ended_at),
            participants: i
                .participants
                .into_iter()
                .map(|p| ConversationParticipantDto {
                    id: p.id.to_string(),
                    purpose: p.purpose.as_str(),
                    name: p.name,
                    user_id: p.user_id,
                    queue_id: p.queue_id,
                    start_time: iso(p.start_time),
                    connected_time: iso_opt(p.connected_time),
                    end_time: iso_opt(p.end_time),
                    state: p.state.as_str(),
                    attributes: p.attributes,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_use_z_and_milliseconds() {
        let t = nepenthe_core::from_millis(1_767_225_600_000);
        assert_eq!(iso(t), "2026-01-01T00:00:00.000Z");
    }

    #[test]
    fn attributes_merge_and_null_removes() {
        let mut m: BTreeMap<String, String> =
            [("A".into(), "1".into()), ("B".into(), "2".into())].into();
        merge_attributes(
            &mut m,
            [("B".into(), None), ("C".into(), Some("3".into()))].into(),
        );
        assert_eq!(
            m,
            BTreeMap::from([("A".into(), "1".into()), ("C".into(), "3".into())])
        );
    }

    #[test]
    fn patch_distinguishes_null_from_absent() {
        let p: ContactPatch = serde_json::from_str(r#"{"title": null}"#).unwrap();
        assert_eq!(p.title, Some(None));
        assert_eq!(p.first_name, None);
    }

    #[test]
    fn base64_with_or_without_padding() {
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("aGk").unwrap(), b"hi");
        assert!(base64_decode("***").is_none());
    }
}
