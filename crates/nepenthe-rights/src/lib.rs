//! Data-subject rights (GDPR) over nepenthe's data sources, after Genesys UCS's GDPR support:
//! export, count, forget (erasure, alone or in batches), rectification, the archive data
//! source (moving and pruning), and privacy requests with due dates and purged subjects.
//!
//! # Layout
//! - [`Sources`] (this file): the main store and the optional archive (role `archive`).
//! - `subject.rs`: [`Subject`], contact ids or a UCS identification request.
//! - `resolve.rs`: subject → contacts ([`Resolved`]), the `--max-contacts` guard, counts.
//! - `export.rs`: streaming JSON export (`contact-<id>.json`,
//!   `interactions-for-contact-<id>.json`, `unlinked-interactions-for-contact-<id>.json`),
//!   attachments inlined as base64; also a single JSON bundle for the API.
//! - `forget.rs`: report-only or confirmed erasure in both sources, with receipts.
//! - `rectify.rs`: replace a subject's value everywhere it is stored.
//! - `lifecycle.rs`: move finished interactions to the archive, prune old ones.
//! - `requests.rs`: privacy requests (`received → in_progress → completed | rejected |
//!   failed`), due dates, subject purge window.
//!
//! # Invariants
//! - **One erasure path.** A contact is erased only by `Store::erase_contact_with` in the
//!   main store (`Store::erase_contact`, used by the API's contact deletion, calls it): one
//!   transaction deletes its rows, destroys its data key, writes the receipt and the audit
//!   entry, and journals the archive purge.
//! - **Keys live only in the main store.** The archive holds ciphertext copied verbatim (and
//!   the tenant's wrapped blind-index key, so unlinked interactions can be found there too),
//!   never a data key: archived rows are decrypted with the key read from main. Destroying
//!   the key in that one transaction therefore shreds the archived copies at the same instant;
//!   there is no second copy to forget. Deleting the archived ciphertext follows (it is
//!   unreadable already), driven by the `archive_purges` journal row written in the same
//!   transaction; a crash before it — or an erasure made while no archive was attached, e.g.
//!   through the API — is finished by the next rights command that has the archive
//!   ([`Sources::finish_pending_purges`]). After a crash every contact is therefore either
//!   fully present (main and archive readable) or fully erased (no readable row anywhere, a
//!   receipt on file), and rerunning a batch completes it (erased ids are reported as such).
//! - **Moving to the archive** copies rows into the archive and commits there first, then
//!   deletes them from main; a crash in between leaves a duplicate that the next run resolves
//!   (inserts are idempotent). Rows copied for a contact erased meanwhile are deleted.
//! - **No personal data in logs, audit entries, receipts or errors**: ids and counts only.
//!   Personal data goes only where the operator asked for it (export files, the dry-run
//!   report on standard output).
//! - No HTTP and no command-line parsing here: the server and the binary are thin glue.

mod error;
mod export;
mod forget;
mod lifecycle;
mod rectify;
mod requests;
mod resolve;
mod subject;

pub use error::{Result, RightsError};
pub use export::{ContactExport, ExportOptions, ExportSummary, SourceExport};
pub use forget::{ForgetContact, ForgetOptions, ForgetSummary, Outcome};
pub use lifecycle::{parse_age, ArchiveSummary, PruneSummary};
pub use rectify::{parse_replacement, RectifyContact, RectifySummary, Replacement};
pub use requests::{
    NewPrivacyRequest, PrivacyConfig, RequestKind, RequestStatus, DEFAULT_SUBJECT_RETENTION_DAYS,
    MAX_SUBJECT_RETENTION_DAYS,
};
pub use resolve::{ContactCount, CountSummary, Resolved, SourceCount};
pub use subject::Subject;

use nepenthe_store::Store;

/// Default limit of contacts one identification request may select.
pub const DEFAULT_MAX_CONTACTS: usize = 10;

/// The data sources of a deployment: the main store and an optional archive.
#[derive(Clone, Debug)]
pub struct Sources {
    pub main: Store,
    pub archive: Option<Store>,
}

/// A data source by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Main,
    Archive,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Main => "main",
            Source::Archive => "archive",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which data sources an export or count covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SourceSel {
    Main,
    Archive,
    #[default]
    All,
}

impl SourceSel {
    pub fn parse(s: &str) -> Option<SourceSel> {
        match s {
            "main" => Some(SourceSel::Main),
            "archive" => Some(SourceSel::Archive),
            "all" => Some(SourceSel::All),
            _ => None,
        }
    }

    pub fn includes(self, s: Source) -> bool {
        matches!(
            (self, s),
            (SourceSel::All, _)
                | (SourceSel::Main, Source::Main)
                | (SourceSel::Archive, Source::Archive)
        )
    }
}

/// Receives the step log (UCS style: one line per step, ids and paths only) and progress.
pub trait Reporter: Send {
    fn step(&mut self, msg: &str);
    fn progress(&mut self, _done: u64, _total: u64) {}
}

/// A reporter that drops everything.
pub struct Quiet;

impl Reporter for Quiet {
    fn step(&mut self, _msg: &str) {}
}

impl Reporter for Vec<String> {
    fn step(&mut self, msg: &str) {
        self.push(msg.to_owned());
    }
}

/// The message the seed's UCS prints when no archive is configured.
pub const NO_ARCHIVE: &str = "no data source with role 'archive' found";

impl Sources {
    pub fn new(main: Store, archive: Option<Store>) -> Sources {
        Sources { main, archive }
    }

    /// The configured stores selected by `sel`, with their role.
    pub fn selected(&self, sel: SourceSel) -> Vec<(Source, &Store)> {
        let mut out = Vec::new();
        if sel.includes(Source::Main) {
            out.push((Source::Main, &self.main));
        }
        if let (true, Some(a)) = (sel.includes(Source::Archive), &self.archive) {
            out.push((Source::Archive, a));
        }
        out
    }

    /// Finishes archive purges journalled by erasures (interrupted ones, or ones made while
    /// the archive was not attached, e.g. through the API). Returns how many were finished.
    pub async fn finish_pending_purges(&self, rep: &mut dyn Reporter) -> Result<u64> {
        // Without an archive attached the journal is kept: an archive may exist that this
        // process was not given, and its rows are purged the next time it is.
        let Some(archive) = &self.archive else {
            return Ok(0);
        };
        let pending = self.main.pending_archive_purges().await?;
        for p in &pending {
            let n = archive
                .purge_contact_rows(p.tenant_id, &p.contact_id)
                .await?;
            self.main.clear_archive_purge(p).await?;
            if n.interactions > 0 {
                rep.step(&format!(
                    "Finished the erasure of contact '{}': purged {} interaction(s) from DataSource archive",
                    p.contact_id, n.interactions
                ));
            }
        }
        Ok(pending.len() as u64)
    }
}
