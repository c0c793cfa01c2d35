//! Data-subject rights at the command line: `export` (with `--count`), `forget` (alias
//! `delete-contact`), `rectify`, `archive`, `prune`, `receipts`. Glue over `nepenthe-rights`:
//! parse flags, open the data sources, print the UCS-style step log on standard error (with
//! timestamps; ids and paths only) and the result on standard output (`--json` for machines).
//!
//! Exit codes: 0 done, 1 error (or some contacts could not be erased), 2 usage or bad
//! subject, 3 nothing matched.

use crate::context::Context;
use crate::settings::{redact_url, GlobalArgs};
use crate::ExitCode;
use nepenthe_core::{Actor, Contact, ContactId, TenantId};
use nepenthe_rights::{
    parse_age, parse_replacement, ExportOptions, ForgetOptions, Outcome, Reporter, Resolved,
    RightsError, Source, SourceSel, Sources, Subject, DEFAULT_MAX_CONTACTS, NO_ARCHIVE,
};
use std::io::IsTerminal;
use std::path::PathBuf;

/// The subject of a request, and the options every subject-taking command shares.
#[derive(clap::Args, Debug)]
pub struct SubjectArgs {
    /// A contact id, a comma-separated list of ids ("id1,id2"), a JSON identification request
    /// such as '{"TenantId":101,"EmailAddress":"jane.doe@company.com"}', or @FILE to read
    /// any of these from a file.
    pub subject: String,
    /// Tenant of the contact ids (found from the ids when omitted; a JSON request names its
    /// own TenantId).
    #[arg(long, env = "NEPENTHE_TENANT")]
    pub tenant: Option<i64>,
    /// Refuse an identification request that matches more contacts than this.
    #[arg(long, default_value_t = DEFAULT_MAX_CONTACTS)]
    pub max_contacts: usize,
    /// Print a machine-readable JSON summary on standard output.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub subject: SubjectArgs,
    /// Simulation: print how many contacts and interactions (per data source) would be
    /// exported; write nothing.
    #[arg(long)]
    pub count: bool,
    /// Directory for the files (default: the current directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Data sources to export from.
    #[arg(long, default_value = "all", value_parser = ["main", "archive", "all"])]
    pub source: String,
    /// GDPR Art. 15(4): replace other people's personal data found in interaction subjects
    /// and texts (agents, third parties) with `<TYPE>`, keeping the subject's own.
    #[arg(long)]
    pub redact_third_parties: bool,
}

#[derive(clap::Args, Debug)]
pub struct ForgetArgs {
    #[command(flatten)]
    pub subject: SubjectArgs,
    /// Really delete. Without it the matching contacts are only reported.
    #[arg(long)]
    pub confirm: bool,
    /// Stop the contacts' in-progress interactions (and delete them) instead of refusing.
    #[arg(long)]
    pub stop_in_progress: bool,
    /// Request id recorded in every receipt (generated when omitted).
    #[arg(long)]
    pub request_id: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct RectifyArgs {
    #[command(flatten)]
    pub subject: SubjectArgs,
    /// A replacement 'old=new' (repeatable).
    #[arg(long = "replace", required = true)]
    pub replace: Vec<String>,
    /// Really change. Without it the occurrences are only counted.
    #[arg(long)]
    pub confirm: bool,
}

#[derive(clap::Args, Debug)]
pub struct ArchiveArgs {
    /// Move finished interactions that ended longer ago than this (e.g. 90d, 2y, 12h).
    #[arg(long)]
    pub older_than: String,
    /// Only this tenant (default: all tenants).
    #[arg(long, env = "NEPENTHE_TENANT")]
    pub tenant: Option<i64>,
    /// Really move. Without it the interactions are only counted.
    #[arg(long)]
    pub confirm: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct PruneArgs {
    /// Delete finished interactions that ended longer ago than this (e.g. 2y).
    #[arg(long)]
    pub older_than: String,
    /// Data source to prune.
    #[arg(long, default_value = "archive", value_parser = ["main", "archive"])]
    pub source: String,
    /// Only this tenant (default: all tenants).
    #[arg(long, env = "NEPENTHE_TENANT")]
    pub tenant: Option<i64>,
    /// Really delete. Without it the interactions are only counted.
    #[arg(long)]
    pub confirm: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct ReceiptsArgs {
    /// Tenant (found from --contact when omitted).
    #[arg(long, env = "NEPENTHE_TENANT")]
    pub tenant: Option<i64>,
    /// Only the receipts of this contact id.
    #[arg(long)]
    pub contact: Option<String>,
}

/// Accepts UCS's single-dash flags (`-count`, `-confirm`) as in the seed's examples, for the
/// subject-taking commands only.
pub fn ucs_flags(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let args: Vec<std::ffi::OsString> = args.collect();
    let rights = args.iter().any(|a| {
        matches!(
            a.to_str(),
            Some("export" | "forget" | "delete-contact" | "rectify")
        )
    });
    if !rights {
        return args;
    }
    args.into_iter()
        .map(|a| match a.to_str() {
            Some("-count") => "--count".into(),
            Some("-confirm") => "--confirm".into(),
            _ => a,
        })
        .collect()
}

/// The step log: `Mon May 21 08:34:16 UTC 2018: message` on standard error, and a progress
/// bar when standard error is a terminal and there are several contacts.
struct Log {
    bar: Option<indicatif::ProgressBar>,
    terminal: bool,
}

impl Log {
    fn new() -> Log {
        Log {
            bar: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }
}

fn stamp() -> String {
    chrono::Utc::now()
        .format("%a %b %d %H:%M:%S UTC %Y")
        .to_string()
}

impl Reporter for Log {
    fn step(&mut self, msg: &str) {
        let line = format!("{}: {msg}", stamp());
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn progress(&mut self, done: u64, total: u64) {
        if !self.terminal || total < 2 {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} contacts {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        bar.set_position(done);
        if done >= total {
            bar.finish_and_clear();
        }
    }
}

fn exit(e: RightsError) -> anyhow::Error {
    ExitCode(e.exit_code(), e.to_string()).into()
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    ExitCode(2, msg.into()).into()
}

async fn open(g: &GlobalArgs, log: &mut Log) -> anyhow::Result<(Context, Sources)> {
    let ctx = Context::open(g, None).await?;
    log.step(&format!(
        "Connecting to database {}",
        redact_url(&ctx.settings.database_url)
    ));
    match &ctx.settings.archive_database_url {
        Some(url) => log.step(&format!(
            "Connecting to archive data source {}",
            redact_url(url)
        )),
        None => log.step(&format!("Archive: {NO_ARCHIVE}")),
    }
    let sources = Sources::new(ctx.store.clone(), ctx.archive.clone());
    Ok((ctx, sources))
}

fn subject_text(s: &str) -> anyhow::Result<String> {
    match s.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read subject file {path}: {e}"))),
        None => Ok(s.to_owned()),
    }
}

async fn resolve(
    ctx: &Context,
    sources: &Sources,
    a: &SubjectArgs,
    log: &mut Log,
) -> anyhow::Result<Resolved> {
    let text = subject_text(&a.subject)?;
    let subject =
        Subject::parse(&text, a.tenant.map(TenantId), &ctx.settings.identify).map_err(exit)?;
    if let Subject::Ids { ids, .. } = &subject {
        if ids.len() == 1 {
            log.step(&format!("Retrieve contact '{}'", ids[0]));
        } else {
            log.step(&format!("Retrieve {} contacts", ids.len()));
        }
    } else {
        log.step("Identify contacts matching the identification request");
    }
    let r = sources
        .resolve(&subject, a.max_contacts)
        .await
        .map_err(exit)?;
    log.step(&format!(
        "Found {} contact(s) in tenant {}",
        r.contacts.len(),
        r.tenant
    ));
    Ok(r)
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

pub async fn export(g: &GlobalArgs, a: ExportArgs) -> anyhow::Result<()> {
    let mut log = Log::new();
    let sel = SourceSel::parse(&a.source).ok_or_else(|| usage("invalid --source"))?;
    if !a.count {
        log.step("Starting interaction export");
    }
    let (ctx, sources) = open(g, &mut log).await?;
    let r = resolve(&ctx, &sources, &a.subject, &mut log).await?;
    if a.count {
        let c = sources.count(&r, sel).await.map_err(exit)?;
        if a.subject.json {
            return print_json(&c);
        }
        println!("Contacts: {}", c.contacts);
        for s in [Source::Main, Source::Archive] {
            if !sel.includes(s) {
                continue;
            }
            if s == Source::Archive && sources.archive.is_none() {
                println!("Interactions in archive: 0 ({NO_ARCHIVE})");
                continue;
            }
            println!(
                "Interactions in {s}: {} (plus {} not linked to the contact(s) but holding their e-mail addresses or phone numbers)",
                c.interactions.get(&s).copied().unwrap_or(0),
                c.unlinked_interactions.get(&s).copied().unwrap_or(0)
            );
        }
        for pc in &c.per_contact {
            let parts: Vec<String> = pc
                .sources
                .iter()
                .filter(|s| s.configured)
                .map(|s| format!("{} {}", s.source, s.interactions))
                .collect();
            println!("  {}: {}", pc.contact_id, parts.join(", "));
        }
        for id in &c.already_erased {
            println!("  {id}: erased earlier (receipt on file)");
        }
        return Ok(());
    }
    let out = match a.out {
        Some(d) => d,
        None => std::env::current_dir()?,
    };
    log.step(&format!("Export path is {}", out.display()));
    if out.is_dir() {
        log.step(&format!("Directory exists: {}", out.display()));
    } else {
        log.step(&format!("Creating directory {}", out.display()));
    }
    let mut opts = ExportOptions::new(&out);
    opts.sources = sel;
    if a.redact_third_parties {
        log.step("Redacting other people's personal data found in interaction texts");
        opts.redact_third_parties = Some(std::sync::Arc::new(nepenthe_detect::Detector::new()));
    }
    let s = sources
        .export(&r, &opts, &Actor::cli(), &mut log)
        .await
        .map_err(exit)?;
    log.step("Done");
    if a.subject.json {
        print_json(&s)?;
    } else {
        for c in &s.contacts {
            for f in &c.files {
                println!("{}", f.display());
            }
        }
    }
    Ok(())
}

fn describe(c: &Contact) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut out = vec![
        format!(
            "  FirstName: {}  LastName: {}  Title: {}",
            opt(&c.first_name),
            opt(&c.last_name),
            opt(&c.title)
        ),
        format!("  EmailAddress: {}", c.emails.join(", ")),
        format!("  PhoneNumber: {}", c.phones.join(", ")),
    ];
    for (k, v) in &c.attributes {
        out.push(format!("  {k}: {v}"));
    }
    out.push(format!(
        "  Created: {}  Modified: {}",
        c.created_at.to_rfc3339(),
        c.modified_at.to_rfc3339()
    ));
    out
}

pub async fn forget(g: &GlobalArgs, a: ForgetArgs) -> anyhow::Result<()> {
    let mut log = Log::new();
    log.step(if a.confirm {
        "Starting contact deletion"
    } else {
        "Starting contact deletion report (nothing is deleted without --confirm)"
    });
    let (ctx, sources) = open(g, &mut log).await?;
    let r = resolve(&ctx, &sources, &a.subject, &mut log).await?;
    let mut o = ForgetOptions::new(Actor::cli());
    o.confirm = a.confirm;
    o.stop_in_progress = a.stop_in_progress;
    o.request_id = a.request_id.clone();
    let s = sources.forget(&r, &o, &mut log).await.map_err(exit)?;
    log.step("Done");
    if a.subject.json {
        print_json(&s)?;
    } else {
        for fc in &s.contacts {
            println!("Contact {} (tenant {})", fc.contact_id, s.tenant_id);
            if let (false, Some(c)) = (
                s.confirmed,
                r.contacts.iter().find(|c| c.id == fc.contact_id),
            ) {
                for line in describe(c) {
                    println!("{line}");
                }
            }
            let counts: Vec<String> = fc
                .interactions
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            if !counts.is_empty() {
                println!(
                    "  Interactions: {}{}; in progress: {}",
                    counts.join(", "),
                    if s.archive_configured {
                        String::new()
                    } else {
                        format!(" (archive: {NO_ARCHIVE})")
                    },
                    fc.in_progress
                );
            }
            println!("  Legal hold: {}", if fc.legal_hold { "yes" } else { "no" });
            let outcome = match fc.outcome {
                Outcome::WouldErase => "would be erased".to_string(),
                Outcome::Erased => format!(
                    "erased (receipt digest {})",
                    fc.receipt
                        .as_ref()
                        .and_then(|r| r["digest"].as_str())
                        .unwrap_or("-")
                ),
                Outcome::Blocked => format!("not erased: {}", fc.blockers.join("; ")),
                Outcome::AlreadyErased => "already erased (receipt on file)".into(),
            };
            println!("  Status: {outcome}");
        }
        if s.confirmed {
            println!(
                "Erased {} contact(s), {} blocked, {} already erased (request {})",
                s.erased, s.blocked, s.already_erased, s.request_id
            );
        } else {
            println!(
                "Report only: nothing was deleted. Run again with --confirm to erase {} contact(s).",
                s.contacts
                    .iter()
                    .filter(|c| c.outcome == Outcome::WouldErase)
                    .count()
            );
        }
    }
    if s.confirmed && s.blocked > 0 {
        return Err(ExitCode(
            1,
            format!(
                "{} contact(s) were not erased (legal hold or interactions in progress)",
                s.blocked
            ),
        )
        .into());
    }
    Ok(())
}

pub async fn rectify(g: &GlobalArgs, a: RectifyArgs) -> anyhow::Result<()> {
    let mut log = Log::new();
    let reps = a
        .replace
        .iter()
        .map(|r| parse_replacement(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(exit)?;
    let (ctx, sources) = open(g, &mut log).await?;
    let r = resolve(&ctx, &sources, &a.subject, &mut log).await?;
    let s = sources
        .rectify(&r, &reps, a.confirm, &Actor::cli(), &mut log)
        .await
        .map_err(exit)?;
    log.step("Done");
    if a.subject.json {
        return print_json(&s);
    }
    for c in &s.contacts {
        println!(
            "Contact {}: {} occurrence(s) — {} in the contact record, interactions {}, {} unlinked interaction(s)",
            c.contact_id,
            c.replacements,
            c.contact_fields,
            c.interactions
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            c.unlinked_interactions
        );
    }
    if !s.confirmed {
        println!("Report only: nothing was changed. Run again with --confirm to apply.");
    }
    Ok(())
}

pub async fn archive(g: &GlobalArgs, a: ArchiveArgs) -> anyhow::Result<()> {
    let mut log = Log::new();
    let age = parse_age(&a.older_than).map_err(exit)?;
    let (_ctx, sources) = open(g, &mut log).await?;
    let s = sources
        .archive_older_than(
            age,
            a.tenant.map(TenantId),
            a.confirm,
            &Actor::cli(),
            &mut log,
        )
        .await
        .map_err(exit)?;
    log.step("Done");
    if a.json {
        return print_json(&s);
    }
    println!(
        "{} {} interaction(s) with {} attachment(s) that ended before {}",
        if s.confirmed {
            "Moved to the archive:"
        } else {
            "Would move to the archive:"
        },
        s.interactions,
        s.attachments,
        s.cutoff.to_rfc3339()
    );
    Ok(())
}

pub async fn prune(g: &GlobalArgs, a: PruneArgs) -> anyhow::Result<()> {
    let mut log = Log::new();
    let age = parse_age(&a.older_than).map_err(exit)?;
    let source = if a.source == "main" {
        Source::Main
    } else {
        Source::Archive
    };
    let (_ctx, sources) = open(g, &mut log).await?;
    let s = sources
        .prune_older_than(
            source,
            age,
            a.tenant.map(TenantId),
            a.confirm,
            &Actor::cli(),
            &mut log,
        )
        .await
        .map_err(exit)?;
    log.step("Done");
    if a.json {
        return print_json(&s);
    }
    println!(
        "{} {} interaction(s) with {} attachment(s) from {} that ended before {}",
        if s.confirmed {
            "Deleted"
        } else {
            "Would delete"
        },
        s.interactions,
        s.attachments,
        s.source,
        s.cutoff.to_rfc3339()
    );
    Ok(())
}

pub async fn receipts(g: &GlobalArgs, a: ReceiptsArgs) -> anyhow::Result<()> {
    let ctx = Context::open(g, None).await?;
    let contact = a
        .contact
        .as_deref()
        .map(ContactId::parse)
        .transpose()
        .map_err(|e| usage(e.to_string()))?;
    let tenant = match (a.tenant, &contact) {
        (Some(t), _) => TenantId(t),
        (None, Some(c)) => {
            let ts = ctx.store.tenants_with_erasure(c).await?;
            match ts.as_slice() {
                [t] => *t,
                [] => return Err(ExitCode(3, format!("no erasure receipt for contact {c}")).into()),
                _ => {
                    return Err(usage(
                        "the contact id has receipts in several tenants; say which with --tenant",
                    ))
                }
            }
        }
        (None, None) => return Err(usage("give --tenant or --contact")),
    };
    let rs = ctx.store.receipts(tenant, contact.as_ref()).await?;
    if rs.is_empty() && contact.is_some() {
        return Err(ExitCode(3, "no erasure receipt for that contact".into()).into());
    }
    for r in rs {
        println!("{}", serde_json::to_string(&r)?);
    }
    Ok(())
}
