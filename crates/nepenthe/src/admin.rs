//! Operator commands: serve, migrate, tenants, tokens, keys, backups, audit.

use crate::context::Context;
use crate::settings::{read_kek, redact_url, GlobalArgs};
use anyhow::{bail, Context as _};
use nepenthe_core::{Role, TenantId};
use nepenthe_crypto::{Kek, Keyring};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "NEPENTHE_LISTEN")]
    pub listen: Option<String>,
    /// Start a throw-away demo: fresh SQLite database and key, demo tenant, contacts, live
    /// interactions, and one token per role printed at start.
    #[arg(long)]
    pub demo: bool,
    /// Directory for the demo's database and key (default: a new temporary directory).
    #[arg(long, requires = "demo")]
    pub demo_dir: Option<PathBuf>,
}

pub async fn serve(g: &GlobalArgs, args: ServeArgs) -> anyhow::Result<()> {
    let ctx = if args.demo {
        crate::demo::prepare(g, args.listen.as_deref(), args.demo_dir.clone()).await?
    } else {
        Context::open(g, args.listen.as_deref()).await?
    };
    let listener = tokio::net::TcpListener::bind(&ctx.settings.listen)
        .await
        .with_context(|| format!("failed to listen on {}", ctx.settings.listen))?;
    let addr = listener.local_addr()?;
    let config = nepenthe_server::ServerConfig {
        body_limit_bytes: ctx.settings.body_limit_bytes,
        identify: ctx.settings.identify.clone(),
        privacy_subject_retention_days: ctx.settings.privacy_retention_days,
        ..Default::default()
    };
    let mut state = nepenthe_server::AppState::new(ctx.store.clone(), config);
    if let Some(a) = &ctx.archive {
        state = state.with_archive(a.clone());
    }
    if args.demo {
        crate::demo::announce(&ctx, addr).await?;
    }
    tracing::info!(%addr, database = %redact_url(&ctx.settings.database_url), "nepenthe listening");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    nepenthe_server::serve(listener, state, shutdown).await?;
    ctx.store.close().await;
    Ok(())
}

pub async fn migrate(g: &GlobalArgs) -> anyhow::Result<()> {
    let ctx = Context::open(g, None).await?;
    println!(
        "database {} is up to date",
        redact_url(&ctx.settings.database_url)
    );
    if let Some(url) = &ctx.settings.archive_database_url {
        println!("archive database {} is up to date", redact_url(url));
    }
    Ok(())
}

#[derive(clap::Subcommand, Debug)]
pub enum TenantCmd {
    /// Create a tenant (its blind-index key is generated and wrapped by the KEK).
    Create {
        /// Integer tenant id, as in Genesys UCS (TenantId).
        #[arg(long)]
        id: i64,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List tenants.
    List,
}

pub async fn tenant(g: &GlobalArgs, cmd: TenantCmd) -> anyhow::Result<()> {
    let ctx = Context::open(g, None).await?;
    match cmd {
        TenantCmd::Create { id, name } => {
            let name = if name.is_empty() {
                format!("tenant {id}")
            } else {
                name
            };
            let t = ctx.store.create_tenant(TenantId(id), &name).await?;
            println!("created tenant {} ({})", t.id, t.name);
        }
        TenantCmd::List => {
            for t in ctx.store.list_tenants().await? {
                println!("{}\t{}\t{}", t.id, t.name, t.created_at.to_rfc3339());
            }
        }
    }
    Ok(())
}

#[derive(clap::Subcommand, Debug)]
pub enum TokenCmd {
    /// Create a token; the secret is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        tenant: i64,
        /// agent, supervisor, compliance or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        label: Option<String>,
        /// Create the tenant first if it does not exist.
        #[arg(long)]
        create_tenant: bool,
    },
    /// List tokens (ids, roles, never secrets).
    List {
        #[arg(long)]
        tenant: Option<i64>,
    },
    /// Revoke a token by id.
    Revoke { id: String },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "expected one of: agent, supervisor, compliance, admin".into())
}

pub async fn token(g: &GlobalArgs, cmd: TokenCmd) -> anyhow::Result<()> {
    let ctx = Context::open(g, None).await?;
    match cmd {
        TokenCmd::Create {
            tenant,
            role,
            label,
            create_tenant,
        } => {
            let tenant = TenantId(tenant);
            if create_tenant && !ctx.store.tenant_exists(tenant).await? {
                ctx.store
                    .create_tenant(tenant, &format!("tenant {tenant}"))
                    .await?;
            }
            if !ctx.store.tenant_exists(tenant).await? {
                bail!("tenant {tenant} does not exist (create it with `nepenthe tenant create --id {tenant}`)");
            }
            let (info, secret) = ctx
                .store
                .create_token(tenant, role, label.as_deref())
                .await?;
            eprintln!(
                "created token {} for tenant {} with role {} (the secret below is shown once)",
                info.id, info.tenant_id, info.role
            );
            println!("{secret}");
        }
        TokenCmd::List { tenant } => {
            for t in ctx.store.list_tokens(tenant.map(TenantId)).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.tenant_id,
                    t.role,
                    t.label.unwrap_or_default(),
                    if t.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
        }
        TokenCmd::Revoke { id } => {
            ctx.store.revoke_token(&id).await?;
            println!("revoked {id}");
        }
    }
    Ok(())
}

#[derive(clap::Subcommand, Debug)]
pub enum KeysCmd {
    /// Print a new random key-encryption key (base64) to stdout.
    Generate,
    /// Re-wrap every data key under a new KEK. Afterwards point NEPENTHE_KEY_FILE at the new
    /// key; the old one can be destroyed.
    Rotate {
        /// File holding the new key (from `nepenthe keys generate`).
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

pub async fn keys(g: &GlobalArgs, cmd: KeysCmd) -> anyhow::Result<()> {
    match cmd {
        KeysCmd::Generate => {
            let (_, text) = Kek::generate();
            println!("{}", text.as_str());
            Ok(())
        }
        KeysCmd::Rotate { new_key_file } => {
            let ctx = Context::open(g, None).await?;
            let new = Keyring::new(read_kek(&new_key_file)?);
            let n = ctx.store.rotate_kek(&new).await?;
            println!(
                "re-wrapped {n} keys in {} under key {}",
                redact_url(&ctx.settings.database_url),
                new.current_id()
            );
            if let Some(a) = &ctx.archive {
                let n = a.rotate_kek(&new).await?;
                println!("re-wrapped {n} keys in the archive database");
            }
            // Audited under the new key: the store reopens to check it.
            let settings = crate::settings::Settings::load(
                &GlobalArgs {
                    key_file: Some(new_key_file.clone()),
                    ..g.clone()
                },
                None,
            )?;
            let rotated = crate::context::Context::open_with(settings).await?;
            rotated
                .store
                .audit(nepenthe_store::AuditEntry {
                    tenant_id: None,
                    actor: nepenthe_core::Actor::cli(),
                    action: "keys.rotate".into(),
                    object_type: "kek".into(),
                    object_ids: vec![new.current_id().to_owned()],
                    details: serde_json::json!({"rewrapped": n}),
                })
                .await?;
            println!("now set NEPENTHE_KEY_FILE={}", new_key_file.display());
            Ok(())
        }
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum BackupCmd {
    /// Write the encrypted rows (never the data keys) to FILE.
    Create { file: PathBuf },
    /// Restore rows from FILE; contacts erased since the backup stay erased.
    Restore { file: PathBuf },
}

pub async fn backup(g: &GlobalArgs, cmd: BackupCmd) -> anyhow::Result<()> {
    let ctx = Context::open(g, None).await?;
    match cmd {
        BackupCmd::Create { file } => {
            let f = std::fs::File::create(&file)
                .with_context(|| format!("failed to create {}", file.display()))?;
            let mut w = std::io::BufWriter::new(f);
            let s = ctx.store.backup(&mut w).await?;
            println!("wrote {} rows to {}", s.rows, file.display());
        }
        BackupCmd::Restore { file } => {
            let f = std::fs::File::open(&file)
                .with_context(|| format!("failed to open {}", file.display()))?;
            let mut r = std::io::BufReader::new(f);
            let s = ctx.store.restore(&mut r).await?;
            println!(
                "restored {} rows, {} already present, {} skipped because their contact was erased",
                s.restored, s.already_present, s.skipped_erased
            );
        }
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    #[arg(long)]
    pub tenant: i64,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

pub async fn audit(g: &GlobalArgs, a: AuditArgs) -> anyhow::Result<()> {
    let ctx = Context::open(g, None).await?;
    for r in ctx
        .store
        .list_audit(TenantId(a.tenant), None, a.limit)
        .await?
    {
        println!("{}", serde_json::to_string(&r)?);
    }
    Ok(())
}
