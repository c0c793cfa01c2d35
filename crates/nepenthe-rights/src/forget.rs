//! "Forget me": report-only by default, erasure with `confirm`.
//!
//! Each contact is erased by the store's one erasure path (`erase_contact_with`): its rows,
//! attachments, participant data and data key in one transaction with the receipt and audit
//! entry. With an archive attached, the archived rows' digest and counts are taken first (for
//! the receipt), the erasure journals the archive purge in the same transaction, and the
//! archived ciphertext — already unreadable, since its only key is gone — is then deleted
//! and the journal entry cleared. Contacts are processed one by one, so an interrupted batch
//! leaves each contact either untouched or erased; rerunning skips the erased ones (they
//! have receipts) and finishes the rest.

use crate::error::Result;
use crate::{Reporter, Resolved, Source, Sources};
use nepenthe_core::{Actor, ContactId, TenantId};
use nepenthe_store::{EraseOptions, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct ForgetOptions {
    /// Without it nothing is deleted: the contacts are only reported.
    pub confirm: bool,
    /// Stop in-progress interactions (and erase them) instead of refusing the contact.
    pub stop_in_progress: bool,
    pub actor: Actor,
    /// Recorded in every receipt of the batch; generated when absent.
    pub request_id: Option<String>,
}

impl ForgetOptions {
    pub fn new(actor: Actor) -> Self {
        ForgetOptions {
            confirm: false,
            stop_in_progress: false,
            actor,
            request_id: None,
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Report only: it would be erased.
    WouldErase,
    Erased,
    /// Not erased: legal hold or interactions in progress.
    Blocked,
    /// Erased by an earlier run (it has a receipt).
    AlreadyErased,
}

/// The report for one contact (no personal data: the caller prints attributes itself).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ForgetContact {
    pub contact_id: ContactId,
    pub legal_hold: bool,
    /// Interactions per configured data source.
    pub interactions: BTreeMap<Source, u64>,
    pub in_progress: u64,
    /// What blocks (or would block) erasure.
    pub blockers: Vec<String>,
    pub outcome: Outcome,
    /// The erasure receipt (ids, counts, digests).
    pub receipt: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ForgetSummary {
    pub tenant_id: TenantId,
    pub confirmed: bool,
    pub request_id: String,
    pub archive_configured: bool,
    pub contacts: Vec<ForgetContact>,
    pub erased: u64,
    pub blocked: u64,
    pub already_erased: u64,
}

impl Sources {
    /// Reports (and with `confirm`, erases) every resolved contact in all data sources.
    pub async fn forget(
        &self,
        r: &Resolved,
        opts: &ForgetOptions,
        rep: &mut dyn Reporter,
    ) -> Result<ForgetSummary> {
        self.finish_pending_purges(rep).await?;
        let request_id = opts
            .request_id
            .clone()
            .unwrap_or_else(|| format!("forget-{}", nepenthe_core::ids::generate_id()));
        let mut s = ForgetSummary {
            tenant_id: r.tenant,
            confirmed: opts.confirm,
            request_id: request_id.clone(),
            archive_configured: self.archive.is_some(),
            contacts: vec![],
            erased: 0,
            blocked: 0,
            already_erased: 0,
        };
        for id in &r.already_erased {
            rep.step(&format!(
                "Contact Id '{id}' was already erased (receipt on file)"
            ));
            s.already_erased += 1;
            s.contacts.push(ForgetContact {
                contact_id: id.clone(),
                legal_hold: false,
                interactions: BTreeMap::new(),
                in_progress: 0,
                blockers: vec![],
                outcome: Outcome::AlreadyErased,
                receipt: self.main.latest_receipt(r.tenant, id).await?,
            });
        }
        let total = r.contacts.len() as u64;
        for (i, c) in r.contacts.iter().enumerate() {
            let mut fc = ForgetContact {
                contact_id: c.id.clone(),
                legal_hold: c.legal_hold,
                interactions: BTreeMap::new(),
                in_progress: 0,
                blockers: vec![],
                outcome: Outcome::WouldErase,
                receipt: None,
            };
            let (n, p) = self.main.count_interactions(r.tenant, &c.id).await?;
            fc.interactions.insert(Source::Main, n);
            fc.in_progress = p;
            let archive_rows = match &self.archive {
                Some(a) => {
                    let rows = a.contact_rows(r.tenant, &c.id).await?;
                    fc.interactions.insert(Source::Archive, rows.interactions);
                    Some(rows)
                }
                None => None,
            };
            if c.legal_hold {
                fc.blockers.push("under legal hold: never erased".into());
            }
            if p > 0 && !opts.stop_in_progress {
                fc.blockers.push(format!(
                    "{p} interaction(s) in progress: stop them first (--stop-in-progress)"
                ));
            }
            if !opts.confirm {
                if !fc.blockers.is_empty() {
                    fc.outcome = Outcome::Blocked;
                    s.blocked += 1;
                }
                rep.step(&format!(
                    "Found contact Id '{}': {} interaction(s) in main, {} in archive{}",
                    c.id,
                    n,
                    archive_rows
                        .as_ref()
                        .map(|a| a.interactions.to_string())
                        .unwrap_or_else(|| "- (no archive)".into()),
                    if fc.blockers.is_empty() {
                        String::new()
                    } else {
                        format!("; blocked: {}", fc.blockers.join("; "))
                    }
                ));
                s.contacts.push(fc);
                rep.progress(i as u64 + 1, total);
                continue;
            }
            let mut eo = EraseOptions::new(opts.actor.clone());
            eo.stop_in_progress = opts.stop_in_progress;
            eo.request_id = Some(request_id.clone());
            // Journalled always (the default); purged below when the archive is attached.
            eo.defer_checkpoint = true;
            let mut extra = serde_json::Map::new();
            extra.insert(
                "sources".into(),
                serde_json::json!({ "archive": archive_rows.as_ref().map(|a| serde_json::json!(a)).unwrap_or(serde_json::Value::String("not configured".into())) }),
            );
            eo.extra_receipt = Some(extra);
            match self.main.erase_contact_with(r.tenant, &c.id, &eo).await {
                Ok(_) => {}
                Err(StoreError::Conflict(msg)) => {
                    rep.step(&format!("Contact Id '{}' not erased: {msg}", c.id));
                    if fc.blockers.is_empty() {
                        fc.blockers.push(msg);
                    }
                    fc.outcome = Outcome::Blocked;
                    s.blocked += 1;
                    s.contacts.push(fc);
                    rep.progress(i as u64 + 1, total);
                    continue;
                }
                Err(StoreError::NotFound(_)) => {
                    // Erased concurrently (another run): report it like a rerun would.
                    fc.outcome = Outcome::AlreadyErased;
                    s.already_erased += 1;
                    s.contacts.push(fc);
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
            if let Some(archive) = &self.archive {
                for p in self.main.pending_archive_purges().await? {
                    if p.tenant_id == r.tenant && p.contact_id == c.id {
                        archive
                            .purge_contact_rows(p.tenant_id, &p.contact_id)
                            .await?;
                        self.main.clear_archive_purge(&p).await?;
                    }
                }
            }
            fc.receipt = self.main.latest_receipt(r.tenant, &c.id).await?;
            fc.outcome = Outcome::Erased;
            s.erased += 1;
            rep.step(&format!(
                "Erased contact Id '{}' with {} interaction(s) from DataSource main and {} from DataSource archive",
                c.id,
                n,
                archive_rows.as_ref().map(|a| a.interactions.to_string()).unwrap_or_else(|| "0 (no archive)".into())
            ));
            s.contacts.push(fc);
            rep.progress(i as u64 + 1, total);
        }
        if s.erased > 0 {
            self.main.after_erasure().await;
        }
        Ok(s)
    }
}
