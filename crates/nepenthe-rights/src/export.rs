//! Export, UCS style: per contact `contact-<id>.json`, `interactions-for-contact-<id>.json`
//! (every interaction of the contact in every selected data source, with participants,
//! participant data, text and attachments inlined as base64 with name, MIME type, size and
//! SHA-256) and `unlinked-interactions-for-contact-<id>.json` (interactions not linked to the
//! contact whose participant data holds its e-mail addresses or phone numbers).
//!
//! Interactions are read a page at a time and written as they are read, so memory stays flat
//! however many interactions a contact has. Files are written under a temporary name and
//! renamed when complete, so an interrupted export never leaves a truncated file that looks
//! finished.

use crate::error::{Result, RightsError};
use crate::{Reporter, Resolved, Source, SourceSel, Sources, NO_ARCHIVE};
use nepenthe_core::{
    Actor, AttachmentId, Contact, ContactId, Direction, InteractionStatus, MediaType, Participant,
    TenantId, Timestamp,
};
use nepenthe_store::{AuditEntry, ExportedInteraction, PageCursor, Store};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where and what to export.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub out_dir: PathBuf,
    pub sources: SourceSel,
    /// Interactions read per query.
    pub page_size: u32,
    /// GDPR Art. 15(4): when set, personal data of *other* people found in interaction
    /// subjects and texts (agents, third parties) is replaced by `<TYPE>`, while the
    /// subject's own names, addresses, e-mails and phones are kept.
    pub redact_third_parties: Option<std::sync::Arc<nepenthe_detect::Detector>>,
}

impl ExportOptions {
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        ExportOptions {
            out_dir: out_dir.into(),
            sources: SourceSel::All,
            page_size: 200,
            redact_third_parties: None,
        }
    }
}

/// What was exported from one data source for one contact.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SourceExport {
    pub source: Source,
    pub configured: bool,
    pub interactions: u64,
    pub attachments: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ContactExport {
    pub contact_id: ContactId,
    pub files: Vec<PathBuf>,
    pub sources: Vec<SourceExport>,
    pub unlinked_interactions: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ExportSummary {
    pub tenant_id: TenantId,
    pub out_dir: PathBuf,
    pub contacts: Vec<ContactExport>,
    pub already_erased: Vec<ContactId>,
}

/// Redacts other people's data from a subject's interactions (see `redact_third_parties`).
pub(crate) struct ThirdParties<'a> {
    detector: &'a nepenthe_detect::Detector,
    subject: nepenthe_detect::KnownContact,
}

impl<'a> ThirdParties<'a> {
    fn new(detector: &'a nepenthe_detect::Detector, c: &Contact) -> Self {
        let mut known = serde_json::json!({
            "FirstName": c.first_name,
            "LastName": c.last_name,
            "EmailAddress": c.emails,
            "PhoneNumber": c.phones,
        });
        for (k, v) in &c.attributes {
            known[k] = serde_json::Value::String(v.clone());
        }
        ThirdParties {
            detector,
            subject: serde_json::from_value(known).unwrap_or_default(),
        }
    }

    fn apply(&self, text: &Option<String>) -> Option<String> {
        text.as_ref().map(|t| {
            let others: Vec<nepenthe_detect::Span> = self
                .detector
                .detect(t, Some(&self.subject))
                .into_iter()
                .filter(|s| !s.known_contact)
                .collect();
            nepenthe_detect::redact(t, &others, &nepenthe_detect::RedactOperator::Replace)
        })
    }
}

/// An attachment's metadata; `content_base64` is appended by hand (see `write_interaction`).
#[derive(Serialize)]
struct AttachmentOut<'a> {
    id: &'a AttachmentId,
    name: &'a str,
    mime_type: &'a str,
    size: u64,
    sha256: &'a str,
}

#[derive(Serialize)]
struct InteractionOut<'a> {
    source: Source,
    id: &'a str,
    tenant_id: TenantId,
    contact_id: Option<&'a ContactId>,
    media_type: MediaType,
    direction: Direction,
    status: InteractionStatus,
    subject: &'a Option<String>,
    text: &'a Option<String>,
    thread_id: &'a Option<String>,
    queue: &'a Option<String>,
    created_at: Timestamp,
    started_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    participants: &'a [Participant],
}

fn write_interaction<W: Write>(
    w: &mut W,
    source: Source,
    e: &ExportedInteraction,
    redact: Option<&ThirdParties>,
) -> std::io::Result<()> {
    let i = &e.interaction;
    let (subject, text) = match redact {
        Some(r) => (r.apply(&i.subject), r.apply(&i.text)),
        None => (i.subject.clone(), i.text.clone()),
    };
    let out = InteractionOut {
        source,
        id: i.id.as_str(),
        tenant_id: i.tenant_id,
        contact_id: i.contact_id.as_ref(),
        media_type: i.media_type,
        direction: i.direction,
        status: i.status,
        subject: &subject,
        text: &text,
        thread_id: &i.thread_id,
        queue: &i.queue,
        created_at: i.created_at,
        started_at: i.started_at,
        ended_at: i.ended_at,
        participants: &i.participants,
    };
    // Serialised by serde up to the closing brace, then the attachments by hand: base64
    // needs no JSON escaping, so the content is encoded straight into the writer instead of
    // through a string that serde would scan byte by byte (a third of the export's time).
    write_open(w, &out)?;
    w.write_all(b",\"attachments\":[")?;
    for (k, a) in e.attachments.iter().enumerate() {
        if k > 0 {
            w.write_all(b",")?;
        }
        let meta = AttachmentOut {
            id: &a.meta.id,
            name: &a.meta.name,
            mime_type: &a.meta.mime_type,
            size: a.meta.size,
            sha256: &a.meta.sha256,
        };
        write_open(w, &meta)?;
        w.write_all(b",\"content_base64\":\"")?;
        let mut enc =
            base64::write::EncoderWriter::new(&mut *w, &base64::engine::general_purpose::STANDARD);
        enc.write_all(&a.content)?;
        enc.finish()?;
        drop(enc);
        w.write_all(b"\"}")?;
    }
    w.write_all(b"]}")
}

/// Writes a JSON object without its closing brace, so fields can be appended.
fn write_open<W: Write, T: Serialize>(w: &mut W, v: &T) -> std::io::Result<()> {
    let mut buf = serde_json::to_vec(v).map_err(std::io::Error::other)?;
    if buf.pop() != Some(b'}') {
        return Err(std::io::Error::other("expected a JSON object"));
    }
    w.write_all(&buf)
}

/// A file written under `<name>.part` and renamed into place on `finish`.
struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    w: std::io::BufWriter<std::fs::File>,
}

impl AtomicFile {
    fn create(path: PathBuf) -> std::io::Result<AtomicFile> {
        let mut tmp = path.clone().into_os_string();
        tmp.push(".part");
        let tmp = PathBuf::from(tmp);
        let f = std::fs::File::create(&tmp)?;
        Ok(AtomicFile {
            tmp,
            path,
            w: std::io::BufWriter::with_capacity(256 * 1024, f),
        })
    }

    fn finish(self) -> std::io::Result<PathBuf> {
        // No fsync: an export can be rerun, and the rename alone keeps a half-written file
        // from looking finished.
        self.w.into_inner().map_err(|e| e.into_error())?;
        std::fs::rename(&self.tmp, &self.path)?;
        Ok(self.path)
    }
}

impl Sources {
    /// Streams every interaction of `contact` in the selected sources into `w` as JSON array
    /// elements (`first` tracks the separator). Returns per-source counts.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn write_linked<W: Write>(
        &self,
        tenant: TenantId,
        contact: &ContactId,
        sel: SourceSel,
        page_size: u32,
        w: &mut W,
        first: &mut bool,
        rep: &mut dyn Reporter,
        redact: Option<&ThirdParties<'_>>,
    ) -> Result<Vec<SourceExport>> {
        let mut out = Vec::new();
        for source in [Source::Main, Source::Archive] {
            if !sel.includes(source) {
                continue;
            }
            let store = match source {
                Source::Main => Some(&self.main),
                Source::Archive => self.archive.as_ref(),
            };
            let Some(store) = store else {
                rep.step(&format!(
                    "No interactions found for contact Id '{contact}' in source {source}"
                ));
                rep.step(&format!("Reason: {NO_ARCHIVE}"));
                out.push(SourceExport {
                    source,
                    configured: false,
                    interactions: 0,
                    attachments: 0,
                });
                continue;
            };
            let (n, a) = self
                .stream_source(store, tenant, contact, source, page_size, w, first, redact)
                .await?;
            if n == 0 {
                rep.step(&format!(
                    "No interactions found for contact Id '{contact}' in source {source}"
                ));
            } else {
                rep.step(&format!(
                    "Successfully exported {n} interaction(s) for contactId {contact} from DataSource {source}"
                ));
            }
            out.push(SourceExport {
                source,
                configured: true,
                interactions: n,
                attachments: a,
            });
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn stream_source<W: Write>(
        &self,
        store: &Store,
        tenant: TenantId,
        contact: &ContactId,
        source: Source,
        page_size: u32,
        w: &mut W,
        first: &mut bool,
        redact: Option<&ThirdParties<'_>>,
    ) -> Result<(u64, u64)> {
        let (mut n, mut a) = (0u64, 0u64);
        // One page is read and decrypted on another task while the previous one is written:
        // at most two pages are in memory.
        let fetch = |cursor: Option<PageCursor>| {
            let (store, keys, contact) = (store.clone(), self.main.clone(), contact.clone());
            tokio::spawn(async move {
                store
                    .contact_interactions_page(&keys, tenant, &contact, cursor.as_ref(), page_size)
                    .await
            })
        };
        let mut pending = Some(fetch(None));
        while let Some(task) = pending.take() {
            let (page, next) = task
                .await
                .map_err(|e| RightsError::Io(format!("export task failed: {e}")))??;
            pending = next.map(|c| fetch(Some(c)));
            for e in &page {
                if !*first {
                    w.write_all(b",\n")?;
                }
                *first = false;
                write_interaction(w, source, e, redact)?;
                n += 1;
                a += e.attachments.len() as u64;
            }
        }
        Ok((n, a))
    }

    /// Streams the interactions not linked to `contact` that hold its e-mail addresses or
    /// phone numbers. Returns how many.
    pub(crate) async fn write_unlinked<W: Write>(
        &self,
        contact: &Contact,
        sel: SourceSel,
        w: &mut W,
        first: &mut bool,
        redact: Option<&ThirdParties<'_>>,
    ) -> Result<u64> {
        let mut n = 0;
        for (source, store) in self.selected(sel) {
            let ids = self.unlinked(store, contact).await?;
            for chunk in ids.chunks(100) {
                for e in store
                    .interactions_with_attachments(&self.main, contact.tenant_id, chunk)
                    .await?
                {
                    if !*first {
                        w.write_all(b",\n")?;
                    }
                    *first = false;
                    write_interaction(w, source, &e, redact)?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Exports each resolved contact into `opts.out_dir` (created if missing), logging each
    /// step to `rep`, and records one audit entry per contact (ids and counts only).
    pub async fn export(
        &self,
        r: &Resolved,
        opts: &ExportOptions,
        actor: &Actor,
        rep: &mut dyn Reporter,
    ) -> Result<ExportSummary> {
        std::fs::create_dir_all(&opts.out_dir)?;
        let mut summary = ExportSummary {
            tenant_id: r.tenant,
            out_dir: opts.out_dir.clone(),
            contacts: vec![],
            already_erased: r.already_erased.clone(),
        };
        for id in &r.already_erased {
            rep.step(&format!(
                "Contact Id '{id}' was erased earlier (see its receipt); nothing to export"
            ));
        }
        let total = r.contacts.len() as u64;
        for (i, c) in r.contacts.iter().enumerate() {
            let e = self.export_contact(c, opts, rep).await?;
            self.main
                .audit(AuditEntry {
                    tenant_id: Some(r.tenant),
                    actor: actor.clone(),
                    action: "contact.export".into(),
                    object_type: "contact".into(),
                    object_ids: vec![c.id.to_string()],
                    details: serde_json::json!({
                        "sources": e.sources,
                        "unlinked_interactions": e.unlinked_interactions,
                    }),
                })
                .await?;
            summary.contacts.push(e);
            rep.progress(i as u64 + 1, total);
        }
        Ok(summary)
    }

    async fn export_contact(
        &self,
        c: &Contact,
        opts: &ExportOptions,
        rep: &mut dyn Reporter,
    ) -> Result<ContactExport> {
        let id = &c.id;
        rep.step(&format!("Found contact Id '{id}'"));
        let dir: &Path = &opts.out_dir;
        let path = dir.join(format!("contact-{id}.json"));
        rep.step(&format!("Saving contact info to {}", path.display()));
        let mut f = AtomicFile::create(path)?;
        serde_json::to_writer_pretty(&mut f.w, c).map_err(std::io::Error::other)?;
        f.w.write_all(b"\n")?;
        let mut files = vec![f.finish()?];

        let path = dir.join(format!("interactions-for-contact-{id}.json"));
        rep.step(&format!("Saving interactions to {}", path.display()));
        let mut f = AtomicFile::create(path)?;
        f.w.write_all(b"[\n")?;
        let redact = opts
            .redact_third_parties
            .as_deref()
            .map(|d| ThirdParties::new(d, c));
        let mut first = true;
        let sources = self
            .write_linked(
                c.tenant_id,
                id,
                opts.sources,
                opts.page_size,
                &mut f.w,
                &mut first,
                rep,
                redact.as_ref(),
            )
            .await?;
        f.w.write_all(b"\n]\n")?;
        files.push(f.finish()?);

        let path = dir.join(format!("unlinked-interactions-for-contact-{id}.json"));
        rep.step(&format!(
            "Saving unlinked interactions to {}",
            path.display()
        ));
        let mut f = AtomicFile::create(path)?;
        f.w.write_all(b"[\n")?;
        let mut first = true;
        let unlinked = self
            .write_unlinked(c, opts.sources, &mut f.w, &mut first, redact.as_ref())
            .await?;
        f.w.write_all(b"\n]\n")?;
        files.push(f.finish()?);
        rep.step(&format!(
            "Found {unlinked} interaction(s) not linked to contact '{id}' that hold its e-mail addresses or phone numbers"
        ));
        Ok(ContactExport {
            contact_id: id.clone(),
            files,
            sources,
            unlinked_interactions: unlinked,
        })
    }

    /// Writes one JSON bundle with every resolved contact, its interactions and unlinked
    /// interactions (the API's download of an export request), streaming into `w`.
    pub async fn export_bundle<W: Write + Send>(
        &self,
        r: &Resolved,
        sel: SourceSel,
        w: &mut W,
    ) -> Result<Vec<ContactExport>> {
        let mut out = Vec::new();
        write!(w, "{{\"tenant_id\":{},\"contacts\":[", r.tenant.0)?;
        for (i, c) in r.contacts.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            w.write_all(b"{\"contact\":")?;
            serde_json::to_writer(&mut *w, c).map_err(std::io::Error::other)?;
            w.write_all(b",\"interactions\":[")?;
            let mut first = true;
            let sources = self
                .write_linked(
                    r.tenant,
                    &c.id,
                    sel,
                    200,
                    w,
                    &mut first,
                    &mut crate::Quiet,
                    None,
                )
                .await?;
            w.write_all(b"],\"unlinked_interactions\":[")?;
            let mut first = true;
            let unlinked = self.write_unlinked(c, sel, w, &mut first, None).await?;
            w.write_all(b"]}")?;
            out.push(ContactExport {
                contact_id: c.id.clone(),
                files: vec![],
                sources,
                unlinked_interactions: unlinked,
            });
        }
        w.write_all(b"]}")?;
        w.flush()?;
        Ok(out)
    }
}
