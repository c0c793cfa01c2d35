//! Contacts, interactions, participants and attachments as plaintext domain values.
//!
//! These are what the rest of nepenthe works with; the store encrypts every field that can
//! hold personal data before it touches disk. `Debug` is hand-written for every type that
//! carries personal data and prints ids only.

use crate::ids::{AttachmentId, ContactId, InteractionId, ParticipantId, TenantId};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Free-form string attributes (contact custom attributes, participant data).
pub type Attributes = BTreeMap<String, String>;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub tenant_id: TenantId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub attributes: Attributes,
    pub legal_hold: bool,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contact")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $s)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(MediaType { Voice = "voice", Chat = "chat", Email = "email", Sms = "sms", Callback = "callback", Other = "other" });
wire_enum!(Direction { Inbound = "inbound", Outbound = "outbound", Internal = "internal" });
wire_enum!(
    /// `new → in_progress → stopped | done`. Only `in_progress` interactions block erasure.
    InteractionStatus { New = "new", InProgress = "in_progress", Stopped = "stopped", Done = "done" }
);
wire_enum!(Purpose { Customer = "customer", Agent = "agent", Acd = "acd", Ivr = "ivr", External = "external" });
wire_enum!(ParticipantState { Connected = "connected", Disconnected = "disconnected" });

impl InteractionStatus {
    /// Finished interactions can be archived and no longer change.
    pub fn is_finished(self) -> bool {
        matches!(self, InteractionStatus::Stopped | InteractionStatus::Done)
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub purpose: Purpose,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub queue_id: Option<String>,
    pub state: ParticipantState,
    pub start_time: Timestamp,
    pub connected_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    /// Participant data: the key/value attributes Genesys flows and scripts read and write.
    pub attributes: Attributes,
}

impl fmt::Debug for Participant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Participant")
            .field("id", &self.id)
            .field("purpose", &self.purpose)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Attachment metadata; the content lives in its own table so listing interactions never
/// reads (or decrypts) file bodies.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    pub id: AttachmentId,
    pub name: String,
    pub mime_type: String,
    pub size: u64,
    /// Hex SHA-256 of the plaintext content.
    pub sha256: String,
}

impl fmt::Debug for AttachmentMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttachmentMeta")
            .field("id", &self.id)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// An attachment to be stored (content included).
#[derive(Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub id: Option<AttachmentId>,
    pub name: String,
    pub mime_type: String,
    pub content: Vec<u8>,
}

impl fmt::Debug for NewAttachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAttachment")
            .field("size", &self.content.len())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    pub id: InteractionId,
    pub tenant_id: TenantId,
    pub contact_id: Option<ContactId>,
    pub media_type: MediaType,
    pub direction: Direction,
    pub status: InteractionStatus,
    pub subject: Option<String>,
    /// E-mail body, chat or call transcript.
    pub text: Option<String>,
    pub thread_id: Option<String>,
    pub queue: Option<String>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub participants: Vec<Participant>,
    pub attachments: Vec<AttachmentMeta>,
}

impl fmt::Debug for Interaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interaction")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Interaction {
    pub fn participant(&self, id: &ParticipantId) -> Option<&Participant> {
        self.participants.iter().find(|p| &p.id == id)
    }
    pub fn participant_mut(&mut self, id: &ParticipantId) -> Option<&mut Participant> {
        self.participants.iter_mut().find(|p| &p.id == id)
    }
}

/// What a caller supplies to create or replace a contact, before validation.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    pub id: Option<ContactId>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub attributes: Attributes,
    pub legal_hold: bool,
}

impl fmt::Debug for ContactInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactInput")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a contact's fields were refused. Never carries the values themselves.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ContactError {
    #[error("EmailAddress #{index}: {source}")]
    Email {
        index: usize,
        source: crate::normalize::FormatError,
    },
    #[error("PhoneNumber #{index}: {source}")]
    Phone {
        index: usize,
        source: crate::normalize::FormatError,
    },
    #[error("field '{0}' is too long")]
    TooLong(&'static str),
    #[error("attribute names must be 1 to 128 characters")]
    AttributeName,
}

const MAX_FIELD: usize = 4096;

fn clean(v: Option<String>, field: &'static str) -> Result<Option<String>, ContactError> {
    match v.map(|s| s.trim().to_owned()) {
        Some(s) if s.len() > MAX_FIELD => Err(ContactError::TooLong(field)),
        Some(s) if s.is_empty() => Ok(None),
        other => Ok(other),
    }
}

impl ContactInput {
    /// Validates and normalises the fields: e-mails trimmed and checked, phones converted to
    /// E.164 (national numbers read in `region`), duplicates removed, blanks dropped.
    pub fn validate(self, region: &str) -> Result<ContactInput, ContactError> {
        let mut emails: Vec<String> = Vec::new();
        for (index, e) in self.emails.iter().enumerate() {
            crate::normalize::email(e).map_err(|source| ContactError::Email { index, source })?;
            let e = e.trim().to_owned();
            if !emails.iter().any(|x| x.eq_ignore_ascii_case(&e)) {
                emails.push(e);
            }
        }
        let mut phones: Vec<String> = Vec::new();
        for (index, p) in self.phones.iter().enumerate() {
            let p = crate::normalize::phone(p, region)
                .map_err(|source| ContactError::Phone { index, source })?;
            if !phones.contains(&p) {
                phones.push(p);
            }
        }
        for (k, v) in &self.attributes {
            if k.is_empty() || k.len() > 128 {
                return Err(ContactError::AttributeName);
            }
            if v.len() > MAX_FIELD {
                return Err(ContactError::TooLong("attributes"));
            }
        }
        Ok(ContactInput {
            id: self.id,
            first_name: clean(self.first_name, "first_name")?,
            last_name: clean(self.last_name, "last_name")?,
            title: clean(self.title, "title")?,
            emails,
            phones,
            attributes: self.attributes,
            legal_hold: self.legal_hold,
        })
    }
}

impl Contact {
    /// The normalised values lookups must find this contact by (one blind-index entry each).
    pub fn index_entries(&self) -> Vec<(crate::IndexKind, String)> {
        use crate::normalize::fold;
        use crate::IndexKind;
        let mut out = Vec::new();
        for e in &self.emails {
            out.push((IndexKind::Email, e.trim().to_lowercase()));
        }
        for p in &self.phones {
            out.push((IndexKind::Phone, p.clone()));
        }
        for (kind, v) in [
            (IndexKind::FirstName, &self.first_name),
            (IndexKind::LastName, &self.last_name),
            (IndexKind::Title, &self.title),
        ] {
            if let Some(v) = v {
                out.push((kind, fold(v)));
            }
        }
        for (k, v) in &self.attributes {
            out.push((IndexKind::Attr(k.clone()), fold(v)));
        }
        out.retain(|(_, v)| !v.is_empty());
        out.sort();
        out.dedup();
        out
    }

    /// Replaces this contact's editable fields with validated input.
    pub fn apply(&mut self, input: ContactInput) {
        self.first_name = input.first_name;
        self.last_name = input.last_name;
        self.title = input.title;
        self.emails = input.emails;
        self.phones = input.phones;
        self.attributes = input.attributes;
        self.legal_hold = input.legal_hold;
    }
}
