//! The nepenthe store: contacts, interactions, tokens, audit log and keys, on SQLite or
//! PostgreSQL, with every personal-data field encrypted at rest.
//!
//! # Layout
//! - [`Store`] (this file): connecting, migrations, the KEK check, and the envelope helpers
//!   every table uses (data keys, sealing with record-bound associated data, blind indexes).
//! - `contacts.rs`, `interactions.rs`: the use cases on contacts and interactions; erasing a
//!   contact destroys its data key in the same transaction as its rows (crypto-shredding).
//! - `admin.rs`: tenants, tokens, audit log, events outbox, key rotation.
//! - `backup.rs`: backups that never bring back an erased contact.
//!
//! One implementation serves both backends through `sqlx::Any`: the SQL is the common
//! subset (numbered `$n` parameters, `ON CONFLICT`, `BIGINT`/`BLOB`), and each backend owns its
//! migrations under `migrations/<backend>/`. The store knows nothing about HTTP and never
//! decides masking policy.

mod admin;
mod archive;
mod backup;
mod bulk;
mod contacts;
mod interactions;
mod privacy;
pub mod testing;

pub use admin::{AuditEntry, AuditRecord, Tenant, TokenInfo};
pub use archive::{
    ExportedAttachment, ExportedInteraction, MoveSummary, PageCursor, PendingPurge, SourceRows,
};
pub use backup::{BackupSummary, RestoreSummary};
pub use contacts::{ContactPage, EraseOptions, Erasure};
pub use interactions::{InteractionFilter, InteractionPage, NewInteraction, NewParticipant};
pub use privacy::{PrivacyRequestRecord, PrivacyUpdate};

use nepenthe_core::TenantId;
use nepenthe_crypto::{BlindIndexer, CryptoError, DataKey, Keyring, WrappedKey};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::sync::Arc;

/// Which database is behind the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// Authentication of a stored record failed: wrong key, truncated or tampered row.
    #[error("record {record} could not be decrypted: {source}")]
    Crypto { record: String, source: CryptoError },
    #[error("the configured key-encryption key does not match this database (key id {configured}); refusing to start")]
    WrongKek { configured: String },
    /// Stored data that cannot be what we wrote (a server-side problem, not the caller's).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unsupported database URL (use sqlite://PATH or postgres://...)")]
    BadUrl,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// True when the error is the caller's fault (bad input, unknown id, conflict).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound(_) | StoreError::Conflict(_) | StoreError::Invalid(_)
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Options for opening a store.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    pub max_connections: u32,
    /// Region used to read national phone numbers (ISO 3166 alpha-2).
    pub default_region: String,
    /// Bulk loading on SQLite: checkpoint the WAL every 64 MB instead of every 4 MB, so the
    /// database file is synced far less often during an import. Still WAL mode, so a server
    /// can keep running on the same file.
    pub bulk_load: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 8,
            default_region: "GB".into(),
            bulk_load: false,
        }
    }
}

struct Inner {
    pool: AnyPool,
    backend: Backend,
    keyring: Keyring,
    opts: StoreOptions,
    /// SQLite allows one writer; serialising writers in-process avoids SQLITE_BUSY on lock
    /// upgrades inside deferred transactions.
    write_lock: tokio::sync::Mutex<()>,
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.inner.backend)
    }
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Turns a plain path into a SQLite URL; passes URLs through.
pub fn database_url(s: &str) -> String {
    // Anything with a scheme passes through, so `mysql://...` is refused as unsupported
    // instead of becoming a SQLite file of that name.
    if s.starts_with("sqlite:") || s.contains("://") {
        s.to_owned()
    } else {
        format!("sqlite://{s}")
    }
}

pub(crate) const KEK_CHECK: &str = "kek_check";

impl Store {
    /// Connects, runs pending migrations and checks that the keyring matches the database.
    pub async fn open(url: &str, keyring: Keyring, opts: StoreOptions) -> Result<Store> {
        if nepenthe_crypto::PLAINTEXT_BENCH {
            tracing::warn!("built with insecure-plaintext-bench: personal data is NOT encrypted");
        }
        let store = Store::connect(url, keyring, opts).await?;
        store.migrate().await?;
        store.check_kek().await?;
        Ok(store)
    }

    /// Connects without migrating (for `nepenthe migrate` and tests).
    pub async fn connect(url: &str, keyring: Keyring, opts: StoreOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let url = database_url(url);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl);
        };
        let pool = match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url
                } else {
                    format!("{url}?mode=rwc")
                };
                let journal = if opts.bulk_load {
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384;"
                } else {
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                };
                AnyPoolOptions::new()
                    .max_connections(opts.max_connections.max(1))
                    .after_connect(move |conn, _| {
                        Box::pin(async move {
                            conn.execute(journal).await?;
                            conn.execute(
                                "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; \
                                 PRAGMA busy_timeout = 10000; PRAGMA cache_size = -16384;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(opts.max_connections.max(1))
                    .connect(&url)
                    .await?
            }
        };
        Ok(Store {
            inner: Arc::new(Inner {
                pool,
                backend,
                keyring,
                opts,
                write_lock: tokio::sync::Mutex::new(()),
            }),
        })
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.inner.backend {
            Backend::Sqlite => SQLITE_MIGRATOR.run(&self.inner.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATOR.run(&self.inner.pool).await?,
        }
        Ok(())
    }

    /// Verifies the configured KEK against a sentinel wrapped on first start. A database
    /// opened with a wrong or missing key is refused, never read as garbage.
    pub async fn check_kek(&self) -> Result<()> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(KEK_CHECK)
            .fetch_optional(&self.inner.pool)
            .await?;
        match row {
            Some(row) => {
                let bytes: Vec<u8> = row.try_get("value")?;
                let wrapped = decode_wrapped(&bytes).ok_or(StoreError::WrongKek {
                    configured: self.inner.keyring.current_id().into(),
                })?;
                self.inner
                    .keyring
                    .unwrap(&wrapped, KEK_CHECK.as_bytes())
                    .map_err(|_| StoreError::WrongKek {
                        configured: self.inner.keyring.current_id().into(),
                    })?;
                Ok(())
            }
            None => {
                let wrapped = self
                    .inner
                    .keyring
                    .wrap(&DataKey::generate(), KEK_CHECK.as_bytes());
                sqlx::query(
                    "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                )
                .bind(KEK_CHECK)
                .bind(encode_wrapped(&wrapped))
                .execute(&self.inner.pool)
                .await?;
                Ok(())
            }
        }
    }

    /// Row lock for read-modify-write transactions. PostgreSQL runs at READ COMMITTED, so
    /// without it two concurrent updates would both read the old value and one would be
    /// lost; SQLite's `BEGIN IMMEDIATE` already serialises writers.
    pub(crate) fn for_update(&self) -> &'static str {
        match self.inner.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    pub fn default_region(&self) -> &str {
        &self.inner.opts.default_region
    }

    pub fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    /// Cheap liveness check of the database.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.inner.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.inner.pool.close().await;
    }

    /// Starts a write transaction (serialised with other writers on SQLite).
    pub(crate) async fn write_tx(&self) -> Result<WriteTx<'_>> {
        let guard = match self.inner.backend {
            Backend::Sqlite => Some(self.inner.write_lock.lock().await),
            Backend::Postgres => None,
        };
        // On SQLite, take the write lock up front (BEGIN IMMEDIATE): a deferred transaction
        // that reads first and writes later fails with SQLITE_BUSY_SNAPSHOT when another
        // connection or process committed in between.
        let tx = match self.inner.backend {
            Backend::Sqlite => self.inner.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.inner.pool.begin().await?,
        };
        Ok(WriteTx { tx, _guard: guard })
    }

    // ---- envelope helpers -------------------------------------------------------------

    pub(crate) fn new_data_key(&self, tenant: TenantId, key_id: &str) -> (DataKey, WrappedKey) {
        let dk = DataKey::generate();
        let w = self
            .inner
            .keyring
            .wrap(&dk, key_aad(tenant, key_id).as_bytes());
        (dk, w)
    }

    /// Queues a wrapped data key row.
    pub(crate) fn push_data_key(
        &self,
        rows: &mut bulk::Rows,
        tenant: TenantId,
        key_id: &str,
        w: &WrappedKey,
    ) {
        use bulk::Val;
        rows.push(
            "data_keys",
            &["id", "tenant_id", "kek_id", "wrapped", "created_at"],
            vec![
                Val::T(key_id.to_owned()),
                Val::I(tenant.0),
                Val::T(w.kek_id.clone()),
                Val::B(w.bytes.clone()),
                Val::I(nepenthe_core::now().timestamp_millis()),
            ],
        );
    }

    pub(crate) async fn insert_data_key(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
        key_id: &str,
        w: &WrappedKey,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO data_keys (id, tenant_id, kek_id, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key_id)
        .bind(tenant.0)
        .bind(&w.kek_id)
        .bind(&w.bytes)
        .bind(nepenthe_core::now().timestamp_millis())
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Loads and unwraps a data key. A missing key means the owner was erased.
    pub(crate) async fn load_data_key(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
        key_id: &str,
    ) -> Result<DataKey> {
        let row =
            sqlx::query("SELECT kek_id, wrapped FROM data_keys WHERE id = $1 AND tenant_id = $2")
                .bind(key_id)
                .bind(tenant.0)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound("data key"))?;
        let w = WrappedKey {
            kek_id: row.try_get("kek_id")?,
            bytes: row.try_get("wrapped")?,
        };
        self.inner
            .keyring
            .unwrap(&w, key_aad(tenant, key_id).as_bytes())
            .map_err(|source| StoreError::Crypto {
                record: format!("data_keys/{key_id}"),
                source,
            })
    }

    pub(crate) async fn delete_data_key(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
        key_id: &str,
    ) -> Result<()> {
        sqlx::query("DELETE FROM data_keys WHERE id = $1 AND tenant_id = $2")
            .bind(key_id)
            .bind(tenant.0)
            .execute(conn)
            .await?;
        Ok(())
    }

    pub(crate) async fn indexer(
        &self,
        conn: &mut sqlx::AnyConnection,
        tenant: TenantId,
    ) -> Result<BlindIndexer> {
        let row = sqlx::query("SELECT index_kek_id, index_key FROM tenants WHERE id = $1")
            .bind(tenant.0)
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound("tenant"))?;
        let w = WrappedKey {
            kek_id: row.try_get("index_kek_id")?,
            bytes: row.try_get("index_key")?,
        };
        let dk = self
            .inner
            .keyring
            .unwrap(&w, index_key_aad(tenant).as_bytes())
            .map_err(|source| StoreError::Crypto {
                record: format!("tenants/{tenant}"),
                source,
            })?;
        Ok(dk.indexer())
    }

    pub(crate) fn keyring(&self) -> &Keyring {
        &self.inner.keyring
    }
}

/// A write transaction plus, on SQLite, the in-process writer lock.
pub(crate) struct WriteTx<'a> {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<tokio::sync::MutexGuard<'a, ()>>,
}

impl WriteTx<'_> {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

pub(crate) fn key_aad(tenant: TenantId, key_id: &str) -> String {
    format!("nepenthe/{tenant}/data_keys/{key_id}")
}

pub(crate) fn index_key_aad(tenant: TenantId) -> String {
    format!("nepenthe/{tenant}/index_key")
}

/// Associated data binding a ciphertext to its table, row and column.
pub(crate) fn aad(tenant: TenantId, table: &str, id: &str, column: &str) -> Vec<u8> {
    format!("nepenthe/{tenant}/{table}/{id}/{column}").into_bytes()
}

pub(crate) fn seal_json<T: serde::Serialize>(dk: &DataKey, value: &T, aad: &[u8]) -> Vec<u8> {
    let plain = to_json(value);
    dk.seal(&plain, aad)
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("serialising plain structs to JSON cannot fail")
}

pub(crate) fn open_json<T: serde::de::DeserializeOwned>(
    dk: &DataKey,
    data: &[u8],
    aad: &[u8],
    record: impl Fn() -> String,
) -> Result<T> {
    let plain = dk.open(data, aad).map_err(|source| StoreError::Crypto {
        record: record(),
        source,
    })?;
    serde_json::from_slice(&plain).map_err(|_| StoreError::Crypto {
        record: record(),
        source: CryptoError::Format,
    })
}

pub(crate) fn encode_wrapped(w: &WrappedKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + w.kek_id.len() + w.bytes.len());
    out.push(w.kek_id.len() as u8);
    out.extend_from_slice(w.kek_id.as_bytes());
    out.extend_from_slice(&w.bytes);
    out
}

fn decode_wrapped(b: &[u8]) -> Option<WrappedKey> {
    let n = *b.first()? as usize;
    let id = std::str::from_utf8(b.get(1..1 + n)?).ok()?;
    Some(WrappedKey {
        kek_id: id.to_owned(),
        bytes: b.get(1 + n..)?.to_vec(),
    })
}

pub(crate) fn opt_millis(row: &AnyRow, col: &str) -> Result<Option<nepenthe_core::Timestamp>> {
    let v: Option<i64> = row.try_get(col)?;
    Ok(v.map(nepenthe_core::from_millis))
}

/// Opaque keyset cursor over `(created_at, id)`.
pub(crate) fn encode_cursor(ms: i64, id: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{ms}:{id}"))
}

pub(crate) fn decode_cursor(c: &str) -> Result<(i64, String)> {
    use base64::Engine;
    let bad = || StoreError::Invalid("invalid cursor".into());
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| bad())?;
    let s = String::from_utf8(raw).map_err(|_| bad())?;
    let (ms, id) = s.split_once(':').ok_or_else(bad)?;
    Ok((ms.parse().map_err(|_| bad())?, id.to_owned()))
}

pub(crate) fn unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation()
                || d.message().contains("UNIQUE constraint failed")
                || d.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}
