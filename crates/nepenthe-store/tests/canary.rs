//! Issue 4's canary: personal data never reaches the database files in plaintext, and an
//! erased contact cannot be recovered from a backup taken before the erasure.

use nepenthe_core::*;
use nepenthe_store::testing::TestDb;
use nepenthe_store::{both_backends, NewInteraction, NewParticipant, Store, StoreError};
use sqlx::Row;

const T: TenantId = TenantId(7);

struct Canaries {
    name: String,
    email: String,
    phone_e164: String,
    pdata: String,
    transcript: String,
    attachment: String,
}

fn canaries() -> Canaries {
    let tag = nepenthe_core::ids::generate_id();
    Canaries {
        name: format!("Canaryname{tag}"),
        email: format!("canary.{tag}@example.org").to_lowercase(),
        phone_e164: "+447700900987".into(),
        pdata: format!("CanaryAddress{tag}"),
        transcript: format!("CanaryTranscript{tag}"),
        attachment: format!("CanaryAttachment{tag}"),
    }
}

impl Canaries {
    fn all(&self) -> Vec<&str> {
        vec![
            &self.name,
            &self.email,
            &self.phone_e164,
            &self.pdata,
            &self.transcript,
            &self.attachment,
        ]
    }
}

/// Every byte the database keeps on disk for our tables.
async fn raw_bytes(db: &TestDb, store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(path) = db.sqlite_path() {
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(b) = std::fs::read(format!("{}{suffix}", path.display())) {
                out.extend(b);
            }
        }
    } else {
        sqlx::query("CHECKPOINT")
            .execute(store.pool())
            .await
            .unwrap();
        let dir: String = sqlx::query("SELECT current_setting('data_directory') AS d")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get("d");
        for table in [
            "contacts",
            "interactions",
            "attachments",
            "contact_index",
            "interaction_index",
            "data_keys",
        ] {
            let q = format!(
                "SELECT pg_relation_filepath('{table}') AS f, COALESCE(pg_relation_filepath(reltoastrelid), '') AS t FROM pg_class WHERE relname = '{table}'"
            );
            let row = sqlx::query(&q).fetch_one(store.pool()).await.unwrap();
            for col in ["f", "t"] {
                let rel: String = row.get(col);
                if !rel.is_empty() {
                    let p = format!("{dir}/{rel}");
                    out.extend(
                        std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {p}: {e}")),
                    );
                }
            }
        }
    }
    assert!(!out.is_empty(), "no database bytes read");
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

both_backends!(
    canaries_never_on_disk_and_not_restorable,
    |db: TestDb| async move {
        let s = db.open().await;
        s.create_tenant(T, "t").await.unwrap();
        let c = canaries();
        let contact = s
            .create_contact(
                T,
                ContactInput {
                    first_name: Some(c.name.clone()),
                    last_name: Some(c.name.clone()),
                    emails: vec![c.email.clone()],
                    phones: vec![c.phone_e164.clone()],
                    attributes: [("StreetAddress".to_string(), c.pdata.clone())].into(),
                    ..Default::default()
                }
                .validate("GB")
                .unwrap(),
            )
            .await
            .unwrap();
        let it = s
            .create_interaction(
                T,
                NewInteraction {
                    contact_id: Some(contact.id.clone()),
                    media_type: MediaType::Voice,
                    status: InteractionStatus::Done,
                    text: Some(format!("customer said {} and {}", c.transcript, c.name)),
                    participants: vec![NewParticipant {
                        name: Some(c.name.clone()),
                        attributes: [
                            ("CustomerAddress".to_string(), c.pdata.clone()),
                            ("Email".to_string(), c.email.clone()),
                        ]
                        .into(),
                        ..Default::default()
                    }],
                    attachments: vec![NewAttachment {
                        id: None,
                        name: format!("{}.txt", c.name),
                        mime_type: "text/plain".into(),
                        content: c.attachment.repeat(50).into_bytes(),
                    }],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        // The data is readable through the store...
        assert_eq!(
            s.get_interaction(T, &it.id).await.unwrap().participants[0].attributes
                ["CustomerAddress"],
            c.pdata
        );
        // ...and nowhere in plaintext on disk.
        let raw = raw_bytes(&db, &s).await;
        for canary in c.all() {
            assert!(!contains(&raw, canary), "canary found in plaintext on disk");
        }

        // Backup before erasure: ciphertext only, no keys.
        let mut backup = Vec::new();
        s.backup(&mut backup).await.unwrap();
        for canary in c.all() {
            assert!(!contains(&backup, canary), "canary found in backup");
        }
        let key_id: String = sqlx::query("SELECT key_id FROM contacts WHERE id = $1")
            .bind(contact.id.as_str())
            .fetch_one(s.pool())
            .await
            .unwrap()
            .get("key_id");
        assert!(
            !contains(&backup, "wrapped"),
            "backups never carry data keys"
        );

        let wrapped: Vec<u8> = sqlx::query("SELECT wrapped FROM data_keys WHERE id = $1")
            .bind(&key_id)
            .fetch_one(s.pool())
            .await
            .unwrap()
            .get("wrapped");
        let digests: Vec<Vec<u8>> =
            sqlx::query("SELECT digest FROM contact_index WHERE contact_id = $1")
                .bind(contact.id.as_str())
                .fetch_all(s.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get("digest"))
                .collect();
        assert!(!digests.is_empty());
        s.erase_contact(T, &contact.id, false, &Actor::cli(), None)
            .await
            .unwrap();
        let raw = raw_bytes(&db, &s).await;
        for canary in c.all() {
            assert!(!contains(&raw, canary), "canary on disk after erasure");
        }
        if !db.is_postgres() {
            // SQLite: secure_delete + the WAL checkpoint leave neither the wrapped key nor
            // the blind-index digests in the files. (PostgreSQL keeps dead tuples until the
            // space is reused; there KEK rotation completes the guarantee, ARCHITECTURE.md.)
            let on_disk = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
            assert!(!on_disk(&wrapped), "wrapped data key left on disk");
            for d in &digests {
                assert!(!on_disk(d), "blind-index digest left on disk");
            }
        }
        let keys: i64 = sqlx::query("SELECT COUNT(*) AS n FROM data_keys WHERE id = $1")
            .bind(&key_id)
            .fetch_one(s.pool())
            .await
            .unwrap()
            .get("n");
        assert_eq!(keys, 0, "the data key is destroyed");

        // Restore the pre-erasure backup: nothing of the erased contact comes back.
        let summary = s.restore(&mut std::io::Cursor::new(&backup)).await.unwrap();
        assert!(summary.skipped_erased >= 3, "{summary:?}");
        assert!(matches!(
            s.get_contact(T, &contact.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.get_interaction(T, &it.id).await,
            Err(StoreError::NotFound(_))
        ));
        for table in [
            "contacts",
            "interactions",
            "attachments",
            "contact_index",
            "interaction_index",
        ] {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(s.pool())
                .await
                .unwrap()
                .get("n");
            assert_eq!(n, 0, "orphan rows reappeared in {table}");
        }
        s.close().await;
        db.cleanup().await;
    }
);

both_backends!(backup_restores_live_contacts, |db: TestDb| async move {
    let s = db.open().await;
    s.create_tenant(T, "t").await.unwrap();
    let input = ContactInput {
        first_name: Some("Kept".into()),
        ..Default::default()
    };
    let kept = s.create_contact(T, input.clone()).await.unwrap();
    let gone = s.create_contact(T, input).await.unwrap();
    let mut backup = Vec::new();
    s.backup(&mut backup).await.unwrap();
    s.erase_contact(T, &gone.id, false, &Actor::cli(), None)
        .await
        .unwrap();
    // Simulate loss of the kept contact's rows (not its key), then restore.
    sqlx::query("DELETE FROM contacts WHERE id = $1")
        .bind(kept.id.as_str())
        .execute(s.pool())
        .await
        .unwrap();
    let summary = s.restore(&mut std::io::Cursor::new(&backup)).await.unwrap();
    assert!(summary.restored >= 1, "{summary:?}");
    assert_eq!(
        s.get_contact(T, &kept.id)
            .await
            .unwrap()
            .first_name
            .as_deref(),
        Some("Kept")
    );
    assert!(s.get_contact(T, &gone.id).await.is_err());
    assert!(s
        .restore(&mut std::io::Cursor::new(b"garbage\n".to_vec()))
        .await
        .is_err());
    s.close().await;
    db.cleanup().await;
});

both_backends!(restore_refuses_unknown_columns, |db: TestDb| async move {
    let s = db.open().await;
    s.create_tenant(T, "t").await.unwrap();
    let c = s
        .create_contact(
            T,
            ContactInput {
                first_name: Some("A".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    s.erase_contact(T, &c.id, false, &Actor::cli(), None)
        .await
        .unwrap();
    let evil = "{\"nepenthe_backup\":1}\n{\"t\":\"contacts\",\"r\":{\"tenant_id\":7,\"id) VALUES (1,2); DELETE FROM erasures; --\":\"x\"}}\n";
    let err = s
        .restore(&mut std::io::Cursor::new(evil.as_bytes().to_vec()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert_eq!(
        s.receipts(T, Some(&c.id)).await.unwrap().len(),
        1,
        "receipts untouched"
    );
    s.close().await;
    db.cleanup().await;
});
