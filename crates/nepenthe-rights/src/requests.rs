//! Privacy requests: a data-subject request recorded with a due date (received + one month,
//! GDPR Art. 12(3)) and moved through `received → in_progress → completed | rejected |
//! failed`. The subject values (identification request or ids, replacement values) are kept
//! encrypted only until the request is finished, then purged after a window of 0–30 days
//! (default 15, like Genesys Info Mart's GDPR history); the record, its counts, contact ids and
//! receipt digests remain. Erase requests only report unless `confirm` is true (Genesys
//! Cloud's `deleteConfirmed=false`). An export request's result is downloaded later as one
//! JSON bundle, generated from the contact ids recorded in the result.

use crate::error::{Result, RightsError};
use crate::rectify::Replacement;
use crate::{ForgetOptions, Quiet, SourceSel, Sources, Subject};
use nepenthe_core::identify::IdentifyConfig;
use nepenthe_core::{Actor, ContactId, TenantId};
use nepenthe_store::{AuditEntry, PrivacyRequestRecord, PrivacyUpdate, StoreError};
use serde::{Deserialize, Serialize};
use std::io::Write;

pub const DEFAULT_SUBJECT_RETENTION_DAYS: u32 = 15;
pub const MAX_SUBJECT_RETENTION_DAYS: u32 = 30;

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    Export,
    Erase,
    Rectify,
    Count,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Export => "export",
            RequestKind::Erase => "erase",
            RequestKind::Rectify => "rectify",
            RequestKind::Count => "count",
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Received,
    InProgress,
    Completed,
    Rejected,
    Failed,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        RequestStatus::Received,
        RequestStatus::InProgress,
        RequestStatus::Completed,
        RequestStatus::Rejected,
        RequestStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Received => "received",
            RequestStatus::InProgress => "in_progress",
            RequestStatus::Completed => "completed",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// How long subject values are kept after a request finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrivacyConfig {
    subject_retention_days: u32,
}

impl PrivacyConfig {
    pub fn new(subject_retention_days: u32) -> Result<PrivacyConfig> {
        if subject_retention_days > MAX_SUBJECT_RETENTION_DAYS {
            return Err(RightsError::Usage(format!(
                "the subject retention window must be 0 to {MAX_SUBJECT_RETENTION_DAYS} days"
            )));
        }
        Ok(PrivacyConfig {
            subject_retention_days,
        })
    }

    pub fn subject_retention_days(&self) -> u32 {
        self.subject_retention_days
    }
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            subject_retention_days: DEFAULT_SUBJECT_RETENTION_DAYS,
        }
    }
}

/// A request as submitted.
#[derive(Clone, Debug)]
pub struct NewPrivacyRequest {
    /// The caller's id for the request (1 to 64 of A-Z, a-z, 0-9, '-', '_', '.', ':'),
    /// unique in the tenant; generated when absent.
    pub id: Option<String>,
    pub kind: RequestKind,
    /// An identification request object, an array of contact ids, or a string of ids.
    pub subject: serde_json::Value,
    pub confirm: bool,
    pub replace: Vec<Replacement>,
    pub max_contacts: usize,
    pub stop_in_progress: bool,
}

/// What is stored (encrypted) as the request's subject.
#[derive(Serialize, Deserialize)]
struct StoredSubject {
    subject: serde_json::Value,
    replace: Vec<(String, String)>,
}

impl Sources {
    /// Records a privacy request and runs it at once: returns the final record.
    pub async fn submit_privacy_request(
        &self,
        tenant: TenantId,
        actor: &Actor,
        req: NewPrivacyRequest,
        cfg: &PrivacyConfig,
        identify: &IdentifyConfig,
    ) -> Result<PrivacyRequestRecord> {
        let now = nepenthe_core::now();
        let due = now
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(now + chrono::Duration::days(31));
        let stored = StoredSubject {
            subject: req.subject.clone(),
            replace: req
                .replace
                .iter()
                .map(|r| (r.old.clone(), r.new.clone()))
                .collect(),
        };
        let subject_json = serde_json::to_value(&stored).unwrap_or_default();
        if let Some(id) = &req.id {
            let ok = !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
            if !ok {
                return Err(RightsError::Usage(
                    "a privacy request id must be 1 to 64 characters of A-Z, a-z, 0-9, '-', '_', '.' or ':'".into(),
                ));
            }
        }
        let rec = self
            .main
            .create_privacy_request(
                tenant,
                req.id.as_deref(),
                req.kind.as_str(),
                req.confirm,
                actor,
                &subject_json,
                now,
                due,
            )
            .await?;
        self.audit_request(
            tenant,
            actor,
            "privacy_request.received",
            &rec.id,
            serde_json::json!({"kind": req.kind, "confirm": req.confirm}),
        )
        .await?;
        self.main
            .update_privacy_request(
                tenant,
                &rec.id,
                &PrivacyUpdate {
                    status: RequestStatus::InProgress.as_str(),
                    ..Default::default()
                },
            )
            .await?;
        let outcome = self
            .run_request(tenant, actor, &rec.id, &req, identify)
            .await;
        let done = nepenthe_core::now();
        let purge_after = done + chrono::Duration::days(cfg.subject_retention_days as i64);
        let (status, result, error) = match outcome {
            Ok(v) => (RequestStatus::Completed, Some(v), None),
            Err(e) if e.is_rejection() => (RequestStatus::Rejected, None, Some(e.to_string())),
            Err(e) => {
                tracing::error!(request = %rec.id, error = %e, "privacy request failed");
                (RequestStatus::Failed, None, Some(e.to_string()))
            }
        };
        let rec = self
            .main
            .update_privacy_request(
                tenant,
                &rec.id,
                &PrivacyUpdate {
                    status: status.as_str(),
                    result: result.as_ref(),
                    error: error.as_deref(),
                    completed_at: Some(done),
                    purge_after: Some(purge_after),
                },
            )
            .await?;
        self.audit_request(
            tenant,
            actor,
            &format!("privacy_request.{}", status.as_str()),
            &rec.id,
            serde_json::json!({"kind": req.kind}),
        )
        .await?;
        if cfg.subject_retention_days == 0 {
            self.purge_request_subjects().await?;
            return Ok(self.main.get_privacy_request(tenant, &rec.id).await?);
        }
        Ok(rec)
    }

    async fn audit_request(
        &self,
        tenant: TenantId,
        actor: &Actor,
        action: &str,
        id: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        self.main
            .audit(AuditEntry {
                tenant_id: Some(tenant),
                actor: actor.clone(),
                action: action.into(),
                object_type: "privacy_request".into(),
                object_ids: vec![id.to_owned()],
                details,
            })
            .await?;
        Ok(())
    }

    async fn run_request(
        &self,
        tenant: TenantId,
        actor: &Actor,
        id: &str,
        req: &NewPrivacyRequest,
        identify: &IdentifyConfig,
    ) -> Result<serde_json::Value> {
        let subject = Subject::from_value(&req.subject, Some(tenant), identify)?;
        let resolved = self.resolve(&subject, req.max_contacts).await?;
        let ids: Vec<&ContactId> = resolved.contacts.iter().map(|c| &c.id).collect();
        Ok(match req.kind {
            RequestKind::Count => {
                serde_json::json!({"contacts": ids, "count": json(&self.count(&resolved, SourceSel::All).await?)})
            }
            RequestKind::Export => {
                serde_json::json!({"contacts": ids, "count": json(&self.count(&resolved, SourceSel::All).await?), "download": format!("/api/v1/privacy-requests/{id}/export")})
            }
            RequestKind::Erase => {
                let mut o = ForgetOptions::new(actor.clone());
                o.confirm = req.confirm;
                o.stop_in_progress = req.stop_in_progress;
                o.request_id = Some(id.to_owned());
                serde_json::json!({"contacts": ids, "forget": json(&self.forget(&resolved, &o, &mut Quiet).await?)})
            }
            RequestKind::Rectify => {
                let s = self
                    .rectify(&resolved, &req.replace, req.confirm, actor, &mut Quiet)
                    .await?;
                serde_json::json!({"contacts": ids, "rectify": json(&s)})
            }
        })
    }

    /// Purges the subject values of finished requests whose window has passed.
    pub async fn purge_request_subjects(&self) -> Result<u64> {
        Ok(self
            .main
            .purge_privacy_subjects(nepenthe_core::now())
            .await?)
    }

    /// The recorded subject of a request, for re-running it (None once purged).
    pub async fn request_subject(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<Option<serde_json::Value>> {
        Ok(self
            .main
            .privacy_request_subject(tenant, id)
            .await?
            .and_then(|v| serde_json::from_value::<StoredSubject>(v).ok())
            .map(|s| s.subject))
    }

    /// Streams the JSON bundle of a completed export request into `w`: the contacts recorded
    /// in its result, as they are now (contacts erased since are left out).
    pub async fn export_request_bundle<W: Write + Send>(
        &self,
        tenant: TenantId,
        id: &str,
        actor: &Actor,
        w: &mut W,
    ) -> Result<()> {
        let rec = match self.main.get_privacy_request(tenant, id).await {
            Ok(r) => r,
            Err(StoreError::NotFound(_)) => {
                return Err(RightsError::NothingMatched(
                    "privacy request not found".into(),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        if rec.kind != RequestKind::Export.as_str()
            || rec.status != RequestStatus::Completed.as_str()
        {
            return Err(RightsError::Usage(
                "only a completed export request has a download".into(),
            ));
        }
        let ids: Vec<ContactId> = rec
            .result
            .as_ref()
            .and_then(|r| r.get("contacts"))
            .and_then(|c| serde_json::from_value(c.clone()).ok())
            .unwrap_or_default();
        let mut contacts = Vec::new();
        for cid in &ids {
            match self.main.get_contact(tenant, cid).await {
                Ok(c) => contacts.push(c),
                Err(StoreError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let resolved = crate::Resolved {
            tenant,
            contacts,
            already_erased: vec![],
        };
        let exported = self.export_bundle(&resolved, SourceSel::All, w).await?;
        for e in exported {
            self.main
                .audit(AuditEntry {
                    tenant_id: Some(tenant),
                    actor: actor.clone(),
                    action: "contact.export".into(),
                    object_type: "contact".into(),
                    object_ids: vec![e.contact_id.to_string()],
                    details: serde_json::json!({"request_id": id, "sources": e.sources, "unlinked_interactions": e.unlinked_interactions}),
                })
                .await?;
        }
        Ok(())
    }
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}
