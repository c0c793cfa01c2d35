//! Typed settings: defaults, then a TOML file (`--config`), then `NEPENTHE_*` environment
//! variables, then command-line flags (clap reads the last two).

use anyhow::{bail, Context as _};
use nepenthe_core::identify::IdentifyConfig;
use nepenthe_crypto::{Kek, Keyring};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Options shared by every command that touches the database.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// TOML settings file.
    #[arg(long, global = true, env = "NEPENTHE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database: a SQLite path or URL (sqlite://nepenthe.db) or postgres://user@host/db.
    #[arg(
        long,
        global = true,
        env = "NEPENTHE_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Optional archive data source (same forms as --database-url).
    #[arg(
        long,
        global = true,
        env = "NEPENTHE_ARCHIVE_DATABASE_URL",
        hide_env_values = true
    )]
    pub archive_database_url: Option<String>,
    /// File holding the base64 key-encryption key (generate with `nepenthe keys generate`).
    #[arg(long, global = true, env = "NEPENTHE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Previous key-encryption key file, accepted for reading during a rotation.
    #[arg(long, global = true, env = "NEPENTHE_PREVIOUS_KEY_FILE")]
    pub previous_key_file: Option<PathBuf>,
    /// Region for national phone numbers (ISO 3166 alpha-2).
    #[arg(long, global = true, env = "NEPENTHE_DEFAULT_REGION")]
    pub default_region: Option<String>,
    /// Largest accepted request body, in bytes (default 16 MiB).
    #[arg(long, global = true, env = "NEPENTHE_BODY_LIMIT_BYTES")]
    pub body_limit_bytes: Option<usize>,
    /// Database connections per data source (default 8).
    #[arg(long, global = true, env = "NEPENTHE_MAX_CONNECTIONS")]
    pub max_connections: Option<u32>,
    /// Days a completed privacy request keeps the subject values it needed (0 to 30,
    /// default 15); the request record and its receipt stay.
    #[arg(long, global = true, env = "NEPENTHE_PRIVACY_RETENTION_DAYS")]
    pub privacy_retention_days: Option<u32>,
}

/// What the TOML file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    database_url: Option<String>,
    archive_database_url: Option<String>,
    key_file: Option<PathBuf>,
    previous_key_file: Option<PathBuf>,
    default_region: Option<String>,
    body_limit_bytes: Option<usize>,
    max_connections: Option<u32>,
    /// Days a completed privacy request keeps its subject values (0 to 30, default 15).
    privacy_subject_retention_days: Option<u32>,
    #[serde(default)]
    identification: IdentificationFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentificationFile {
    /// Rank of custom attributes usable at the top level of identification requests.
    #[serde(default)]
    custom_ranks: BTreeMap<String, i32>,
    default_custom_rank: Option<i32>,
}

/// Resolved settings.
pub struct Settings {
    pub listen: String,
    pub database_url: String,
    pub archive_database_url: Option<String>,
    pub key_file: Option<PathBuf>,
    pub previous_key_file: Option<PathBuf>,
    pub default_region: String,
    pub body_limit_bytes: usize,
    pub max_connections: u32,
    pub identify: IdentifyConfig,
    /// Whether the key file came from a flag or `NEPENTHE_KEY_FILE` (it then beats
    /// `NEPENTHE_KEY`), rather than from the TOML file (which `NEPENTHE_KEY` beats).
    pub key_from_args: bool,
    /// Set by `import`: SQLite bulk-load checkpointing (see `StoreOptions::bulk_load`).
    pub bulk_load: bool,
    /// Days a completed privacy request keeps its subject values.
    pub privacy_retention_days: u32,
}

impl std::fmt::Debug for Settings {
    // Database URLs may carry passwords: print them redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("key_file", &self.key_file)
            .finish_non_exhaustive()
    }
}

/// Hides the password part of a URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Settings {
    pub fn load(g: &GlobalArgs, listen: Option<&str>) -> anyhow::Result<Settings> {
        let file: FileSettings = match &g.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("failed to read config file {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("invalid config file {}", path.display()))?
            }
            None => FileSettings::default(),
        };
        let default_region = g
            .default_region
            .clone()
            .or(file.default_region)
            .unwrap_or_else(|| "GB".into())
            .to_ascii_uppercase();
        if nepenthe_core::normalize::phone("+44 7700 900123", &default_region).is_err() {
            bail!("invalid default region '{default_region}' (use an ISO 3166 alpha-2 code such as GB or US)");
        }
        let mut identify = IdentifyConfig {
            custom_ranks: file.identification.custom_ranks,
            default_region: default_region.clone(),
            ..IdentifyConfig::default()
        };
        if let Some(r) = file.identification.default_custom_rank {
            identify.default_custom_rank = r;
        }
        let privacy_retention_days = g
            .privacy_retention_days
            .or(file.privacy_subject_retention_days)
            .unwrap_or(15);
        if privacy_retention_days > 30 {
            bail!("privacy request retention must be between 0 and 30 days");
        }
        Ok(Settings {
            listen: listen
                .map(str::to_owned)
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.into()),
            database_url: g
                .database_url
                .clone()
                .or(file.database_url)
                .unwrap_or_else(|| "sqlite://nepenthe.db".into()),
            archive_database_url: g.archive_database_url.clone().or(file.archive_database_url),
            key_file: g.key_file.clone().or(file.key_file),
            previous_key_file: g.previous_key_file.clone().or(file.previous_key_file),
            default_region,
            body_limit_bytes: g
                .body_limit_bytes
                .or(file.body_limit_bytes)
                .unwrap_or(16 * 1024 * 1024),
            max_connections: g.max_connections.or(file.max_connections).unwrap_or(8),
            key_from_args: g.key_file.is_some(),
            privacy_retention_days,
            bulk_load: false,
            identify,
        })
    }

    /// The keyring from `NEPENTHE_KEY` or the key file. Missing or malformed keys are an
    /// error: nepenthe never falls back to plaintext.
    pub fn keyring(&self) -> anyhow::Result<Keyring> {
        let env_key = std::env::var("NEPENTHE_KEY").ok().filter(|k| !k.is_empty());
        let current = match (env_key, &self.key_file) {
            (_, Some(path)) if self.key_from_args => read_kek(path)?,
            (Some(k), _) => Kek::from_base64(&k).context("NEPENTHE_KEY is not a valid key")?,
            (None, Some(path)) => read_kek(path)?,
            (None, None) => bail!(
                "no key-encryption key configured: set NEPENTHE_KEY_FILE (or --key-file, or NEPENTHE_KEY). \
                 Create one with `nepenthe keys generate > nepenthe.key` and keep it out of the database and the repository"
            ),
        };
        let mut ring = Keyring::new(current);
        if let Some(prev) = &self.previous_key_file {
            ring = ring.with_previous(read_kek(prev)?);
        }
        Ok(ring)
    }

    pub fn store_options(&self) -> nepenthe_store::StoreOptions {
        nepenthe_store::StoreOptions {
            max_connections: self.max_connections,
            default_region: self.default_region.clone(),
            bulk_load: self.bulk_load,
        }
    }
}

pub fn read_kek(path: &Path) -> anyhow::Result<Kek> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read key file {}", path.display()))?;
    Kek::from_base64(&text).with_context(|| {
        format!(
            "key file {} does not hold a base64 32-byte key",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn precedence_file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("n.toml");
        std::fs::write(&cfg, "listen = \"0.0.0.0:9000\"\ndatabase_url = \"sqlite://a.db\"\n[identification]\ncustom_ranks = { LoyaltyId = 1 }\n").unwrap();
        let g = GlobalArgs {
            config: Some(cfg.clone()),
            ..Default::default()
        };
        let s = Settings::load(&g, None).unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.database_url, "sqlite://a.db");
        assert_eq!(s.identify.custom_ranks["LoyaltyId"], 1);
        let g = GlobalArgs {
            config: Some(cfg),
            database_url: Some("sqlite://b.db".into()),
            ..Default::default()
        };
        let s = Settings::load(&g, Some("127.0.0.1:1")).unwrap();
        assert_eq!(s.listen, "127.0.0.1:1");
        assert_eq!(s.database_url, "sqlite://b.db");
        std::fs::write(dir.path().join("bad.toml"), "lissten = 1").unwrap();
        let g = GlobalArgs {
            config: Some(dir.path().join("bad.toml")),
            ..Default::default()
        };
        assert!(Settings::load(&g, None).is_err());
    }
}
