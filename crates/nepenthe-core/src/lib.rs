//! Domain types and rules of nepenthe: tenants, contacts, interactions, participants,
//! roles, and the contact-identification rules shared by every capability.
//!
//! # Layout
//! - [`ids`]: identifier newtypes, parsed once at the edge.
//! - [`model`]: contacts, interactions, participants, attachments (plaintext domain values;
//!   the store encrypts them at rest).
//! - [`normalize`]: e-mail and phone normalisation (E.164) used for matching and indexes.
//! - [`identify`]: UCS-style identification requests and their ranking rules.
//! - [`auth`]: roles and the permission matrix.
//!
//! This crate does no I/O. Types that carry personal data print a masked `Debug` so they
//! cannot leak into logs by accident.

pub mod auth;
pub mod identify;
pub mod ids;
pub mod model;
pub mod normalize;

pub use auth::{Actor, Permission, Role};
pub use identify::{IdentifyError, IdentifyRequest, IndexKind, MatchPlan};
pub use ids::{AttachmentId, ContactId, IdError, InteractionId, ParticipantId, TenantId};
pub use model::*;

/// Timestamps are UTC with millisecond precision everywhere.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The current time truncated to milliseconds, the precision the stores keep.
pub fn now() -> Timestamp {
    let now = chrono::Utc::now();
    from_millis(now.timestamp_millis())
}

/// Converts stored epoch milliseconds back to a timestamp.
pub fn from_millis(ms: i64) -> Timestamp {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
