//! `nepenthe import FILE.jsonl`: bulk load contacts and interactions.
//!
//! One JSON object per line, `{"kind": "contact", ...}` or `{"kind": "interaction", ...}`
//! (see README). Lines are parsed in parallel and written in transactional batches: a bad
//! line stops the import, its batch is rolled back, earlier batches stay committed and the
//! summary says exactly which lines were loaded.

use crate::context::Context;
use crate::settings::GlobalArgs;
use anyhow::{bail, Context as _};
use base64::Engine;
use nepenthe_core::*;
use nepenthe_store::{NewInteraction, NewParticipant};
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// JSON-lines file ('-' for standard input).
    pub file: PathBuf,
    /// Tenant to import into.
    #[arg(long)]
    pub tenant: i64,
    /// Lines per transaction.
    #[arg(long, default_value_t = 1000)]
    pub batch_size: usize,
    /// Create the tenant if it does not exist.
    #[arg(long)]
    pub create_tenant: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
enum Line {
    Contact(ContactLine),
    Interaction(InteractionLine),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactLine {
    id: Option<ContactId>,
    tenant_id: Option<i64>,
    first_name: Option<String>,
    last_name: Option<String>,
    title: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    #[serde(default)]
    legal_hold: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParticipantLine {
    id: Option<ParticipantId>,
    purpose: Option<Purpose>,
    name: Option<String>,
    user_id: Option<String>,
    queue_id: Option<String>,
    state: Option<ParticipantState>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentLine {
    id: Option<AttachmentId>,
    name: String,
    #[serde(default = "octet_stream")]
    mime_type: String,
    /// Base64 (standard alphabet) content.
    content_base64: String,
}

fn octet_stream() -> String {
    "application/octet-stream".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InteractionLine {
    id: Option<InteractionId>,
    tenant_id: Option<i64>,
    contact_id: Option<ContactId>,
    media_type: Option<MediaType>,
    direction: Option<Direction>,
    status: Option<InteractionStatus>,
    subject: Option<String>,
    text: Option<String>,
    thread_id: Option<String>,
    queue: Option<String>,
    created_at: Option<Timestamp>,
    started_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    #[serde(default)]
    participants: Vec<ParticipantLine>,
    #[serde(default)]
    attachments: Vec<AttachmentLine>,
}

enum Parsed {
    Contact(ContactInput),
    Interaction(Box<NewInteraction>),
}

fn parse_line(line: &str, tenant: i64, region: &str) -> Result<Option<Parsed>, String> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    // serde's messages can quote the offending value: keep the field and the position,
    // never the value.
    let parsed: Line = serde_json::from_str(line).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!(
            "{} (column {})",
            nepenthe_server::extract::describe_data_error(&e.to_string()),
            e.column()
        ),
        _ => format!("invalid JSON at column {}", e.column()),
    })?;
    let check_tenant = |t: Option<i64>| match t {
        Some(t) if t != tenant => Err(format!("tenant_id {t} does not match --tenant {tenant}")),
        _ => Ok(()),
    };
    Ok(Some(match parsed {
        Line::Contact(c) => {
            check_tenant(c.tenant_id)?;
            let input = ContactInput {
                id: c.id,
                first_name: c.first_name,
                last_name: c.last_name,
                title: c.title,
                emails: c.emails,
                phones: c.phones,
                attributes: c.attributes,
                legal_hold: c.legal_hold,
            }
            .validate(region)
            .map_err(|e| e.to_string())?;
            Parsed::Contact(input)
        }
        Line::Interaction(i) => {
            check_tenant(i.tenant_id)?;
            let mut attachments = Vec::with_capacity(i.attachments.len());
            for (n, a) in i.attachments.into_iter().enumerate() {
                let content = base64::engine::general_purpose::STANDARD
                    .decode(a.content_base64.as_bytes())
                    .map_err(|_| format!("attachment #{n}: content_base64 is not valid base64"))?;
                attachments.push(NewAttachment {
                    id: a.id,
                    name: a.name,
                    mime_type: a.mime_type,
                    content,
                });
            }
            Parsed::Interaction(Box::new(NewInteraction {
                id: i.id,
                contact_id: i.contact_id,
                media_type: i.media_type.unwrap_or(MediaType::Other),
                direction: i.direction.unwrap_or(Direction::Inbound),
                status: i.status.unwrap_or(InteractionStatus::Done),
                subject: i.subject,
                text: i.text,
                thread_id: i.thread_id,
                queue: i.queue,
                created_at: i.created_at,
                started_at: i.started_at,
                ended_at: i.ended_at,
                participants: i
                    .participants
                    .into_iter()
                    .map(|p| NewParticipant {
                        id: p.id,
                        purpose: p.purpose,
                        name: p.name,
                        user_id: p.user_id,
                        queue_id: p.queue_id,
                        state: p.state,
                        attributes: p.attributes,
                    })
                    .collect(),
                attachments,
            }))
        }
    }))
}

struct Batch {
    first_line: usize,
    lines: usize,
    contacts: Vec<ContactInput>,
    interactions: Vec<NewInteraction>,
}

pub async fn run(g: &GlobalArgs, args: ImportArgs) -> anyhow::Result<()> {
    let mut settings = crate::settings::Settings::load(g, None)?;
    settings.bulk_load = true;
    let ctx = Context::open_with(settings).await?;
    let tenant = TenantId(args.tenant);
    if !ctx.store.tenant_exists(tenant).await? {
        if args.create_tenant {
            ctx.store
                .create_tenant(tenant, &format!("tenant {tenant}"))
                .await?;
        } else {
            bail!("tenant {tenant} does not exist (create it with `nepenthe tenant create --id {tenant}` or pass --create-tenant)");
        }
    }
    let reader: Box<dyn BufRead + Send> = if args.file.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(&args.file)
            .with_context(|| format!("failed to open {}", args.file.display()))?;
        Box::new(std::io::BufReader::with_capacity(1 << 20, f))
    };
    let total_bytes = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    let bar = if std::io::stderr().is_terminal() && total_bytes > 0 {
        let b = indicatif::ProgressBar::new(total_bytes);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };

    // A reader thread parses batches in parallel while the store writes the previous one.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<(Batch, u64), String>>(2);
    let batch_size = args.batch_size.max(1);
    let region = ctx.settings.default_region.clone();
    let reader_thread = std::thread::spawn(move || {
        let mut lines = reader.lines();
        let mut line_no = 0usize;
        loop {
            let mut chunk = Vec::with_capacity(batch_size);
            let mut bytes = 0u64;
            for l in lines.by_ref().take(batch_size) {
                match l {
                    Ok(l) => {
                        bytes += l.len() as u64 + 1;
                        chunk.push(l);
                    }
                    Err(e) => {
                        let _ = tx.blocking_send(Err(format!(
                            "line {}: cannot read: {e}",
                            line_no + chunk.len() + 1
                        )));
                        return;
                    }
                }
            }
            if chunk.is_empty() {
                return;
            }
            let first = line_no + 1;
            line_no += chunk.len();
            let parsed: Vec<Result<Option<Parsed>, String>> = chunk
                .par_iter()
                .map(|l| parse_line(l, tenant.0, &region))
                .collect();
            let mut batch = Batch {
                first_line: first,
                lines: chunk.len(),
                contacts: vec![],
                interactions: vec![],
            };
            for (i, p) in parsed.into_iter().enumerate() {
                match p {
                    Ok(Some(Parsed::Contact(c))) => batch.contacts.push(c),
                    Ok(Some(Parsed::Interaction(it))) => batch.interactions.push(*it),
                    Ok(None) => {}
                    Err(e) => {
                        let _ = tx.blocking_send(Err(format!("line {}: {e}", first + i)));
                        return;
                    }
                }
            }
            if tx.blocking_send(Ok((batch, bytes))).is_err() {
                return;
            }
        }
    });

    let started = Instant::now();
    let (mut contacts, mut interactions, mut lines_done) = (0usize, 0usize, 0usize);
    let mut failure: Option<String> = None;
    while let Some(msg) = rx.recv().await {
        match msg {
            Ok((batch, bytes)) => {
                let (first, n) = (batch.first_line, batch.lines);
                match ctx
                    .store
                    .import_batch(tenant, batch.contacts, batch.interactions)
                    .await
                {
                    Ok((c, i)) => {
                        contacts += c;
                        interactions += i;
                        lines_done += n;
                        if let Some(b) = &bar {
                            b.inc(bytes);
                            b.set_message(format!("{interactions} interactions"));
                        }
                    }
                    Err(e) => {
                        failure = Some(format!(
                            "lines {first}-{}: {e} (batch rolled back)",
                            first + n - 1
                        ));
                        break;
                    }
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    drop(rx);
    let _ = reader_thread.join();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    let summary = serde_json::json!({
        "contacts": contacts,
        "interactions": interactions,
        "lines_committed": lines_done,
        "seconds": (secs * 1000.0).round() / 1000.0,
        "interactions_per_second": if secs > 0.0 { (interactions as f64 / secs).round() } else { 0.0 },
        "error": failure,
    });
    if args.json {
        println!("{summary}");
    } else {
        println!(
            "imported {contacts} contacts and {interactions} interactions ({lines_done} lines) in {secs:.2}s ({:.0} interactions/s)",
            interactions as f64 / secs.max(1e-9)
        );
    }
    ctx.store
        .audit(nepenthe_store::AuditEntry {
            tenant_id: Some(tenant),
            actor: Actor::cli(),
            action: "import".into(),
            object_type: "batch".into(),
            object_ids: vec![],
            details: serde_json::json!({"contacts": contacts, "interactions": interactions, "failed": failure.is_some()}),
        })
        .await?;
    if let Some(f) = failure {
        bail!("import stopped at {f}; {lines_done} lines before it were committed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_refuses_bad_ones() {
        let ok = r#"{"kind":"contact","id":"C1","first_name":"Jane","emails":["jane@x.org"],"phones":["07700 900123"]}"#;
        assert!(matches!(
            parse_line(ok, 101, "GB"),
            Ok(Some(Parsed::Contact(_)))
        ));
        let it = r#"{"kind":"interaction","contact_id":"C1","media_type":"email","text":"hi","attachments":[{"name":"a.txt","content_base64":"aGVsbG8="}],"participants":[{"purpose":"customer","attributes":{"K":"v"}}]}"#;
        assert!(matches!(
            parse_line(it, 101, "GB"),
            Ok(Some(Parsed::Interaction(_)))
        ));
        assert!(matches!(parse_line("  ", 101, "GB"), Ok(None)));
        for bad in [
            r#"{"kind":"contact","emails":["not-an-email-secret"]}"#,
            r#"{"kind":"contact","emails":"not-an-email-secret"}"#,
            r#"{"kind":"interaction","media_type":"not-an-email-secret"}"#,
            r#"{"kind":"contact","first_name":["not-an-email-secret"]}"#,
            r#"{"kind":"contact","nickname":"x"}"#,
            r#"{"kind":"thing"}"#,
            r#"{"kind":"contact","tenant_id":7}"#,
            r#"{"kind":"interaction","attachments":[{"name":"a","content_base64":"%%%"}]}"#,
            "{not json",
        ] {
            let e = match parse_line(bad, 101, "GB") {
                Err(e) => e,
                Ok(_) => panic!("accepted {bad}"),
            };
            assert!(!e.contains("not-an-email-secret"), "{e}");
        }
    }
}
