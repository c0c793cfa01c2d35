//! The nepenthe HTTP API: axum routes, bearer-token authentication, the role matrix, wire
//! DTOs, error mapping, metrics and the OpenAPI document.
//!
//! This is the only crate that knows HTTP and JSON. Handlers are thin: parse, call the store,
//! map the domain value to a wire DTO, append an audit entry. Authentication and the
//! permission check happen in one middleware, before any body is read, driven by the same
//! route table ([`routes::ROUTES`]) that builds the router and the OpenAPI document, so a
//! route cannot exist without a documented permission.
//!
//! # Layout
//! - [`routes`]: the route table (method, path, permission, summary) and the router built
//!   from it; [`routes::role_matrix_markdown`] prints the README's role matrix.
//! - `auth.rs`: bearer tokens, the short-lived token cache, the permission middleware.
//! - `extract.rs`: [`extract::ApiJson`] (our error shape for malformed, mistyped or oversized
//!   bodies), [`extract::Caller`] (who is calling), id parsing.
//! - [`error`]: [`ApiError`], the single error type, `{"code", "message", "status"}`.
//! - [`dto`]: wire types, separate from the domain types in `nepenthe-core`.
//! - `handlers/`: one module per area (contacts, interactions, Genesys, admin, system, scan).
//! - `metrics.rs`: request counters and latency histograms by route template, Prometheus text.
//! - [`openapi()`]: the OpenAPI 3.0 document served at `/openapi.json`.
//!
//! # Invariants
//! - Every query is scoped to the calling token's tenant; another tenant's ids answer 404.
//! - Error messages, logs and metric labels never contain personal data: ids and counts only.
//! - Internal errors answer "internal error"; the detail is logged.
//! - Every write, every read of a contact's full record (get, list, identify), every read of
//!   an interaction (get, list, the Genesys `GET`) and every attachment download appends an
//!   audit entry (actor token and role, action, ids, counts) and answers only once it is
//!   committed. Concurrent appends share one transaction (`handlers::AuditQueue`), so the hot
//!   Genesys `GET` costs a share of a commit, not a commit each.
//! - On SQLite, store writes and audit appends run under one server-side lock
//!   (`AppState::exclusive`), so an audit append never lands inside another write
//!   transaction's read-then-write window.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "256"]

mod auth;
pub mod dto;
pub mod error;
pub mod extract;
mod handlers;
mod metrics;
mod openapi;
pub mod routes;

pub use error::{ApiError, ApiResult};
pub use openapi::openapi;

use nepenthe_core::identify::IdentifyConfig;
use nepenthe_store::Store;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Server settings. The binary fills these from its configuration.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest accepted request body; larger bodies answer 413.
    pub body_limit_bytes: usize,
    /// Ranks of custom attributes and the default phone region for identification requests.
    pub identify: IdentifyConfig,
    /// Page size when a list request gives none.
    pub default_page_size: u32,
    /// Days a finished privacy request keeps its subject values (0 to 30).
    pub privacy_subject_retention_days: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit_bytes: 16 * 1024 * 1024,
            identify: IdentifyConfig::default(),
            default_page_size: 50,
            privacy_subject_retention_days: nepenthe_rights::DEFAULT_SUBJECT_RETENTION_DAYS,
        }
    }
}

/// Largest page a list request may ask for (the store clamps to the same value).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// How long an authenticated token is trusted without asking the database again. Revoking a
/// token takes effect within this time.
pub const DEFAULT_TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) metrics: Arc<metrics::Metrics>,
    /// The archive data source (UCS "main and archive"); not used by any route yet.
    #[allow(dead_code)]
    pub(crate) archive: Option<Store>,
    pub(crate) tokens: Arc<auth::TokenCache>,
    /// The PII detector is built on first use: its gazetteers cost memory that a server which
    /// never scans should not pay.
    pub(crate) detector: Arc<OnceLock<nepenthe_detect::Detector>>,
    /// On SQLite, audit appends must not land between another write transaction's read and
    /// its write (the writer would fail with SQLITE_BUSY_SNAPSHOT). The store serialises its
    /// own transactions but not `Store::audit`, so the server runs every store write and every
    /// audit append under this lock. Unused on PostgreSQL.
    pub(crate) sqlite_writes: Arc<tokio::sync::Mutex<()>>,
    /// Audit entries waiting for their group commit.
    pub(crate) audit: Arc<handlers::AuditQueue>,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            archive: None,
            tokens: Arc::new(auth::TokenCache::new(DEFAULT_TOKEN_CACHE_TTL)),
            detector: Arc::new(OnceLock::new()),
            sqlite_writes: Arc::new(tokio::sync::Mutex::new(())),
            audit: Arc::new(handlers::AuditQueue::default()),
        }
    }

    /// Adds the archive data source.
    pub fn with_archive(mut self, archive: Store) -> AppState {
        self.archive = Some(archive);
        self
    }

    /// Changes how long authenticated tokens are cached (zero disables the cache).
    pub fn with_token_cache_ttl(mut self, ttl: Duration) -> AppState {
        self.tokens = Arc::new(auth::TokenCache::new(ttl));
        self
    }

    /// Runs a store write (or audit append) so that it cannot interleave with another one on
    /// SQLite; see `sqlite_writes`.
    pub(crate) async fn exclusive<F: std::future::Future>(&self, write: F) -> F::Output {
        let _guard = match self.store.backend() {
            nepenthe_store::Backend::Sqlite => Some(self.sqlite_writes.lock().await),
            nepenthe_store::Backend::Postgres => None,
        };
        write.await
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }
}

/// The whole API as a router, ready for `axum::serve` or `tower::ServiceExt::oneshot`.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Serves the API on `listener` until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
