//! Test support: a fresh, throw-away database per test on SQLite or PostgreSQL.
//!
//! PostgreSQL tests run when `NEPENTHE_TEST_POSTGRES_URL` names a server (an admin URL such
//! as `postgres://postgres@127.0.0.1:5432/test`); each test creates its own database there
//! and drops it afterwards. With `NEPENTHE_REQUIRE_POSTGRES=1` (CI) a missing URL is a failure,
//! not a skip.

use crate::{Store, StoreOptions};
use nepenthe_crypto::{Kek, Keyring};
use sqlx::Executor;

/// A throw-away database and the URL to reach it.
pub struct TestDb {
    pub url: String,
    pub kek_base64: String,
    _dir: Option<tempfile_dir::Dir>,
    pg_admin: Option<(String, String)>,
}

mod tempfile_dir {
    /// A directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        nepenthe_core::ids::generate_id().to_lowercase()
    )
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique("nepenthe-test"));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let (_, kek) = Kek::generate();
        TestDb {
            url: format!("sqlite://{}", dir.join("test.db").display()),
            kek_base64: kek.to_string(),
            _dir: Some(tempfile_dir::Dir(dir)),
            pg_admin: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` when no server is configured.
    pub async fn postgres() -> Option<TestDb> {
        let admin = match std::env::var("NEPENTHE_TEST_POSTGRES_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => {
                if std::env::var("NEPENTHE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!("NEPENTHE_REQUIRE_POSTGRES=1 but NEPENTHE_TEST_POSTGRES_URL is not set");
                }
                eprintln!("PostgreSQL tests skipped: NEPENTHE_TEST_POSTGRES_URL not set");
                return None;
            }
        };
        sqlx::any::install_default_drivers();
        let prefix =
            std::env::var("NEPENTHE_TEST_DB_PREFIX").unwrap_or_else(|_| "nepenthe_test".into());
        let name = unique(&prefix);
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
            .await
            .expect("connect to PostgreSQL admin URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        let (_, kek) = Kek::generate();
        Some(TestDb {
            url: format!("{base}/{name}"),
            kek_base64: kek.to_string(),
            _dir: None,
            pg_admin: Some((admin, name)),
        })
    }

    pub fn keyring(&self) -> Keyring {
        Keyring::new(Kek::from_base64(&self.kek_base64).expect("test key"))
    }

    pub async fn open(&self) -> Store {
        Store::open(&self.url, self.keyring(), StoreOptions::default())
            .await
            .expect("open test store")
    }

    /// The SQLite file path (None on PostgreSQL).
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.url.strip_prefix("sqlite://").map(Into::into)
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_admin.is_some()
    }

    /// Drops a PostgreSQL test database (call at the end of a test; SQLite cleans up on drop).
    pub async fn cleanup(self) {
        if let Some((admin, name)) = &self.pg_admin {
            if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(admin).await {
                let _ = conn
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
            }
        }
    }
}

/// Runs an async test body against SQLite and (when configured) PostgreSQL:
/// `both_backends!(name, |db: TestDb| async move { ... });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite();
                ($body)(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}
