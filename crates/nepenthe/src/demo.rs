//! `nepenthe serve --demo`: a fresh SQLite database and key in a directory, a demo tenant
//! with a few contacts and live interactions (IVR-collected identity data in participant
//! data, as in the seed thread), and one token per role printed at start.

use crate::context::Context;
use crate::settings::{GlobalArgs, Settings};
use anyhow::Context as _;
use nepenthe_core::*;
use nepenthe_store::{NewInteraction, NewParticipant};
use std::path::PathBuf;

pub const DEMO_TENANT: TenantId = TenantId(101);

pub async fn prepare(
    g: &GlobalArgs,
    listen: Option<&str>,
    dir: Option<PathBuf>,
) -> anyhow::Result<Context> {
    let dir = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d)
                .with_context(|| format!("failed to create {}", d.display()))?;
            d
        }
        None => tempfile::Builder::new()
            .prefix("nepenthe-demo-")
            .tempdir()
            .context("failed to create a temporary directory")?
            .keep(),
    };
    let db = dir.join("nepenthe-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("failed to remove old demo file {}", p.display()))?;
        }
    }
    let key_file = dir.join("nepenthe-demo.key");
    let (_, key) = nepenthe_crypto::Kek::generate();
    write_private(&key_file, key.as_bytes())?;
    let demo_args = GlobalArgs {
        database_url: Some(format!("sqlite://{}", db.display())),
        key_file: Some(key_file),
        archive_database_url: None,
        ..g.clone()
    };
    let settings = Settings::load(&demo_args, listen)?;
    // Ignore NEPENTHE_KEY for the demo: its key is the one just generated.
    std::env::remove_var("NEPENTHE_KEY");
    let ctx = Context::open_with(settings).await?;
    seed(&ctx).await?;
    eprintln!("demo data in {}", dir.display());
    Ok(ctx)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, data: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("failed to write {}", path.display()))?;
    f.write_all(data)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, data: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, data).with_context(|| format!("failed to write {}", path.display()))
}

fn contact(
    first: &str,
    last: &str,
    email: &str,
    phone: &str,
    attrs: &[(&str, &str)],
) -> anyhow::Result<ContactInput> {
    Ok(ContactInput {
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        emails: vec![email.into()],
        phones: vec![phone.into()],
        attributes: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
    .validate("GB")?)
}

async fn seed(ctx: &Context) -> anyhow::Result<()> {
    let s = &ctx.store;
    s.create_tenant(DEMO_TENANT, "Demo contact centre").await?;
    let jane = s
        .create_contact(
            DEMO_TENANT,
            contact(
                "Jane",
                "Doe",
                "jane.doe@company.com",
                "07700 900123",
                &[("StreetAddress", "1 High Street"), ("Postcode", "SW1A 1AA")],
            )?,
        )
        .await?;
    let omar = s
        .create_contact(
            DEMO_TENANT,
            contact(
                "Omar",
                "Haddad",
                "omar.haddad@example.org",
                "+44 7700 900456",
                &[],
            )?,
        )
        .await?;
    let zoe = s
        .create_contact(
            DEMO_TENANT,
            contact(
                "Zoë",
                "Ó Súilleabháin",
                "zoe@example.ie",
                "+353 85 123 4567",
                &[],
            )?,
        )
        .await?;
    let ivr = |name: &str, addr: &str| -> Attributes {
        [
            ("CustomerName".to_string(), name.to_string()),
            ("CustomerAddress".to_string(), addr.to_string()),
        ]
        .into()
    };
    // A live call: the IVR collected name and address as participant data for the agent.
    s.create_interaction(
        DEMO_TENANT,
        NewInteraction {
            contact_id: Some(jane.id.clone()),
            media_type: MediaType::Voice,
            status: InteractionStatus::InProgress,
            queue: Some("billing".into()),
            text: Some(
                "agent: thanks for calling, can I confirm your postcode? customer: it's SW1A 1AA"
                    .into(),
            ),
            participants: vec![
                NewParticipant {
                    purpose: Some(Purpose::Customer),
                    name: Some("Jane Doe".into()),
                    attributes: ivr("Jane Doe", "1 High Street, London SW1A 1AA"),
                    ..Default::default()
                },
                NewParticipant {
                    purpose: Some(Purpose::Ivr),
                    state: Some(ParticipantState::Disconnected),
                    ..Default::default()
                },
                NewParticipant {
                    purpose: Some(Purpose::Agent),
                    name: Some("Sam".into()),
                    user_id: Some("agent-sam".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
    )
    .await?;
    s.create_interaction(
        DEMO_TENANT,
        NewInteraction {
            contact_id: Some(omar.id.clone()),
            media_type: MediaType::Chat,
            status: InteractionStatus::InProgress,
            text: Some("customer: hi, my card ending 4242 was charged twice".into()),
            participants: vec![
                NewParticipant {
                    purpose: Some(Purpose::Customer),
                    name: Some("Omar Haddad".into()),
                    attributes: ivr("Omar Haddad", "22 Station Road, Leeds LS1 4DY"),
                    ..Default::default()
                },
                NewParticipant {
                    purpose: Some(Purpose::Agent),
                    name: Some("Priya".into()),
                    user_id: Some("agent-priya".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
    )
    .await?;
    s.create_interaction(
        DEMO_TENANT,
        NewInteraction {
            contact_id: Some(zoe.id.clone()),
            media_type: MediaType::Email,
            status: InteractionStatus::Done,
            subject: Some("Change of address".into()),
            text: Some(
                "Hello, please update my address to 5 Quay Street, Galway. Thanks, Zoë".into(),
            ),
            attachments: vec![NewAttachment {
                id: None,
                name: "proof-of-address.txt".into(),
                mime_type: "text/plain".into(),
                content: b"utility bill (demo)".to_vec(),
            }],
            participants: vec![NewParticipant {
                purpose: Some(Purpose::Customer),
                state: Some(ParticipantState::Disconnected),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

pub async fn announce(ctx: &Context, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    println!("nepenthe demo running at http://{addr}  (tenant {DEMO_TENANT})");
    for role in Role::ALL {
        let (_, secret) = ctx
            .store
            .create_token(DEMO_TENANT, role, Some("demo"))
            .await?;
        println!("  {:<11} token: {secret}", role.as_str());
    }
    println!("try: curl -H \"Authorization: Bearer <agent token>\" http://{addr}/api/v1/contacts");
    Ok(())
}
