//! `nepenthe`: the command line. Thin glue: parse flags, load settings, call the library
//! crates, print results. Exit codes: 0 done, 1 error, 2 usage, 3 nothing matched.

mod admin;
mod context;
mod demo;
mod import;
mod rights;
mod scan;
mod settings;

use clap::{Parser, Subcommand};
use settings::GlobalArgs;

#[derive(Parser, Debug)]
#[command(
    name = "nepenthe",
    version,
    about = "Contact-centre contact and interaction store that forgets on purpose"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP API.
    Serve(admin::ServeArgs),
    /// Create or upgrade the database schema (and check the key).
    Migrate,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(admin::TenantCmd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(admin::TokenCmd),
    /// Key-encryption keys: generate, rotate.
    #[command(subcommand)]
    Keys(admin::KeysCmd),
    /// Backups that never bring back erased contacts.
    #[command(subcommand)]
    Backup(admin::BackupCmd),
    /// Bulk-load contacts and interactions from JSON lines.
    Import(import::ImportArgs),
    /// Show the audit log of a tenant.
    Audit(admin::AuditArgs),
    /// Find (and redact) personal data in free text.
    Scan(scan::ScanArgs),
    /// Export contacts and their interactions as JSON (UCS style); --count simulates.
    Export(rights::ExportArgs),
    /// Forget contacts: report, or with --confirm erase them in every data source.
    #[command(alias = "delete-contact")]
    Forget(rights::ForgetArgs),
    /// Replace a subject's value everywhere it is stored (dry run unless --confirm).
    Rectify(rights::RectifyArgs),
    /// Move finished interactions older than an age to the archive data source.
    Archive(rights::ArchiveArgs),
    /// Delete finished interactions older than an age from a data source.
    Prune(rights::PruneArgs),
    /// List erasure receipts.
    Receipts(rights::ReceiptsArgs),
}

/// An error that maps to a specific exit code.
#[derive(Debug)]
pub struct ExitCode(pub i32, pub String);

impl std::fmt::Display for ExitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl std::error::Error for ExitCode {}

fn main() {
    // A panic payload could quote data being processed: report the location only.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("internal error: nepenthe panicked at {at}");
    }));
    let cli = match Cli::try_parse_from(rights::ucs_flags(std::env::args_os())) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NEPENTHE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(run(cli.global, cli.command)));
    if let Err(e) = result {
        let code = e.downcast_ref::<ExitCode>().map(|c| c.0).unwrap_or(1);
        eprintln!("error: {e:#}");
        std::process::exit(code);
    }
}

async fn run(g: GlobalArgs, cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Serve(args) => admin::serve(&g, args).await,
        Command::Migrate => admin::migrate(&g).await,
        Command::Tenant(c) => admin::tenant(&g, c).await,
        Command::Token(c) => admin::token(&g, c).await,
        Command::Keys(c) => admin::keys(&g, c).await,
        Command::Backup(c) => admin::backup(&g, c).await,
        Command::Import(a) => import::run(&g, a).await,
        Command::Audit(a) => admin::audit(&g, a).await,
        // Scanning is CPU work on rayon's pool; it needs no database.
        Command::Scan(args) => scan::run(args),
        Command::Export(a) => rights::export(&g, a).await,
        Command::Forget(a) => rights::forget(&g, a).await,
        Command::Rectify(a) => rights::rectify(&g, a).await,
        Command::Archive(a) => rights::archive(&g, a).await,
        Command::Prune(a) => rights::prune(&g, a).await,
        Command::Receipts(a) => rights::receipts(&g, a).await,
    }
}
