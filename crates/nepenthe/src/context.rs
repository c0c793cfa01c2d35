//! What a command needs once settings are loaded: the main store and the optional archive.

use crate::settings::{redact_url, GlobalArgs, Settings};
use anyhow::Context as _;
use nepenthe_store::Store;

pub struct Context {
    pub settings: Settings,
    pub store: Store,
    pub archive: Option<Store>,
}

impl Context {
    /// Loads settings, the keyring, and opens (and migrates) the data sources.
    pub async fn open(g: &GlobalArgs, listen: Option<&str>) -> anyhow::Result<Context> {
        let settings = Settings::load(g, listen)?;
        Context::open_with(settings).await
    }

    pub async fn open_with(settings: Settings) -> anyhow::Result<Context> {
        let store = Store::open(
            &settings.database_url,
            settings.keyring()?,
            settings.store_options(),
        )
        .await
        .with_context(|| {
            format!(
                "failed to open database {}",
                redact_url(&settings.database_url)
            )
        })?;
        let archive = match &settings.archive_database_url {
            Some(url) => Some(
                Store::open(url, settings.keyring()?, settings.store_options())
                    .await
                    .with_context(|| {
                        format!("failed to open archive database {}", redact_url(url))
                    })?,
            ),
            None => None,
        };
        Ok(Context {
            settings,
            store,
            archive,
        })
    }
}
