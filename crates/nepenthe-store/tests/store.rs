//! The shared storage suite: every test runs on SQLite and on PostgreSQL.

use nepenthe_core::identify::IdentifyConfig;
use nepenthe_core::*;
use nepenthe_store::testing::TestDb;
use nepenthe_store::{
    both_backends, InteractionFilter, NewInteraction, NewParticipant, StoreError,
};
use serde_json::json;

const T: TenantId = TenantId(101);

fn jane() -> ContactInput {
    ContactInput {
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        emails: vec!["Jane.Doe@Company.com".into()],
        phones: vec!["07700 900123".into()],
        attributes: [("Postcode".to_string(), "SW1A 1AA".to_string())].into(),
        ..Default::default()
    }
    .validate("GB")
    .unwrap()
}

fn identify(v: serde_json::Value) -> IdentifyRequest {
    IdentifyRequest::from_json(&v, &IdentifyConfig::default()).unwrap()
}

both_backends!(contact_crud_and_identify, |db: TestDb| async move {
    let s = db.open().await;
    s.create_tenant(T, "t").await.unwrap();
    s.create_tenant(TenantId(202), "other").await.unwrap();
    assert!(matches!(
        s.create_tenant(T, "dup").await,
        Err(StoreError::Conflict(_))
    ));
    let c = s.create_contact(T, jane()).await.unwrap();
    assert_eq!(c.phones, vec!["+447700900123"]);
    let got = s.get_contact(T, &c.id).await.unwrap();
    assert_eq!(got, c);
    // Tenant isolation: the other tenant sees nothing.
    assert!(matches!(
        s.get_contact(TenantId(202), &c.id).await,
        Err(StoreError::NotFound(_))
    ));

    // Two contacts for one person; identification returns both.
    let c2 = s.create_contact(T, jane()).await.unwrap();
    let r = identify(json!({"TenantId":101,"EmailAddress":"JANE.DOE@company.com"}));
    let found = s.identify(T, &r.plan()).await.unwrap();
    assert_eq!(found.len(), 2);
    let r = identify(json!({"TenantId":101,"PhoneNumber":"+44 7700 900123"}));
    assert_eq!(s.identify(T, &r.plan()).await.unwrap().len(), 2);
    let r = identify(json!({"TenantId":101,"FirstName":"jane","LastName":"DOE"}));
    assert_eq!(s.identify(T, &r.plan()).await.unwrap().len(), 2);
    let r = identify(json!({"TenantId":101,"FirstName":"jane","LastName":"Smith"}));
    assert!(s.identify(T, &r.plan()).await.unwrap().is_empty());
    let r = identify(json!({"TenantId":101,"Attributes":{"Postcode":"sw1a 1aa"}}));
    assert_eq!(s.identify(T, &r.plan()).await.unwrap().len(), 2);
    assert!(s
        .identify(
            TenantId(202),
            &identify(json!({"TenantId":202,"EmailAddress":"jane.doe@company.com"})).plan()
        )
        .await
        .unwrap()
        .is_empty());

    // Update re-indexes.
    let up = s
        .update_contact(T, &c2.id, |c| {
            c.emails = vec!["new@example.org".into()];
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(up.emails, vec!["new@example.org"]);
    let r = identify(json!({"TenantId":101,"EmailAddress":"jane.doe@company.com"}));
    assert_eq!(s.identify(T, &r.plan()).await.unwrap().len(), 1);

    // Duplicate ids conflict.
    let mut dup = jane();
    dup.id = Some(c.id.clone());
    assert!(matches!(
        s.create_contact(T, dup).await,
        Err(StoreError::Conflict(_))
    ));

    // Pagination.
    let p1 = s.list_contacts(T, None, 1).await.unwrap();
    assert_eq!(p1.contacts.len(), 1);
    let p2 = s
        .list_contacts(T, p1.next_cursor.as_deref(), 1)
        .await
        .unwrap();
    assert_eq!(p2.contacts.len(), 1);
    assert_ne!(p1.contacts[0].id, p2.contacts[0].id);
    assert!(p2.next_cursor.is_none());
    assert!(s.list_contacts(T, Some("garbage!"), 1).await.is_err());
    s.close().await;
    db.cleanup().await;
});

fn call(contact: Option<ContactId>) -> NewInteraction {
    NewInteraction {
        contact_id: contact,
        media_type: MediaType::Voice,
        status: InteractionStatus::InProgress,
        text: Some("hello transcript".into()),
        participants: vec![
            NewParticipant {
                id: Some(ParticipantId::parse("cust").unwrap()),
                purpose: Some(Purpose::Customer),
                name: Some("Jane Doe".into()),
                attributes: [("Email".to_string(), "jane.doe@company.com".to_string())].into(),
                ..Default::default()
            },
            NewParticipant {
                id: Some(ParticipantId::parse("agent").unwrap()),
                purpose: Some(Purpose::Agent),
                ..Default::default()
            },
        ],
        attachments: vec![NewAttachment {
            id: None,
            name: "a.txt".into(),
            mime_type: "text/plain".into(),
            content: b"attached bytes".to_vec(),
        }],
        ..Default::default()
    }
}

both_backends!(
    interactions_participants_and_erasure,
    |db: TestDb| async move {
        let s = db.open().await;
        s.create_tenant(T, "t").await.unwrap();
        let c = s.create_contact(T, jane()).await.unwrap();
        let it = s
            .create_interaction(T, call(Some(c.id.clone())))
            .await
            .unwrap();
        assert_eq!(it.participants.len(), 2);
        assert!(it.started_at.is_some());
        let unlinked = s.create_interaction(T, call(None)).await.unwrap();
        let (meta, content) = s
            .get_attachment(T, &it.id, &it.attachments[0].id)
            .await
            .unwrap();
        assert_eq!(content, b"attached bytes");
        assert_eq!(meta.size, 14);

        // Participant data merge and removal.
        let pid = ParticipantId::parse("cust").unwrap();
        let (after, ()) = s
            .update_interaction(T, &it.id, |i| {
                let p = i
                    .participant_mut(&pid)
                    .ok_or(StoreError::NotFound("participant"))?;
                p.attributes.insert("Address".into(), "1 High St".into());
                p.attributes.remove("Email");
                p.state = ParticipantState::Disconnected;
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(after.participant(&pid).unwrap().attributes.len(), 1);
        let events = s.events_after(T, 0, 100).await.unwrap();
        assert!(
            events
                .iter()
                .any(|(_, t, _)| t
                    == &format!("v2.detail.events.conversation.{}.customer.end", it.id))
        );

        // Filters.
        let f = InteractionFilter {
            contact_id: Some(c.id.clone()),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            s.list_interactions(T, &f).await.unwrap().interactions.len(),
            1
        );
        let f = InteractionFilter {
            media_type: Some(MediaType::Chat),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(
            s.list_interactions(T, &f).await.unwrap().interactions.len(),
            0
        );

        // Unlinked interactions found through participant data.
        let found = s
            .unlinked_interactions(T, &c.id, &c.emails, &c.phones)
            .await
            .unwrap();
        assert_eq!(found, vec![unlinked.id.clone()]);

        // In-progress interactions block erasure; legal hold blocks erasure.
        let actor = Actor::cli();
        assert!(matches!(
            s.erase_contact(T, &c.id, false, &actor, None).await,
            Err(StoreError::Conflict(_))
        ));
        s.update_contact(T, &c.id, |c| {
            c.legal_hold = true;
            Ok(())
        })
        .await
        .unwrap();
        assert!(matches!(
            s.erase_contact(T, &c.id, true, &actor, None).await,
            Err(StoreError::Conflict(_))
        ));
        s.update_contact(T, &c.id, |c| {
            c.legal_hold = false;
            Ok(())
        })
        .await
        .unwrap();
        let e = s
            .erase_contact(T, &c.id, true, &actor, Some("req-1"))
            .await
            .unwrap();
        assert_eq!(e.interactions, 1);
        assert_eq!(e.attachments, 1);
        assert_eq!(e.digest.len(), 64);
        assert!(matches!(
            s.get_contact(T, &c.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.get_interaction(T, &it.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(s.get_interaction(T, &unlinked.id).await.is_ok());
        let receipts = s.receipts(T, Some(&c.id)).await.unwrap();
        assert_eq!(receipts.len(), 1);
        assert_eq!(receipts[0]["request_id"], "req-1");
        let audit = s.list_audit(T, None, 10).await.unwrap();
        assert_eq!(audit[0].action, "contact.erase");
        s.close().await;
        db.cleanup().await;
    }
);

both_backends!(wrong_key_is_refused, |db: TestDb| async move {
    let s = db.open().await;
    s.close().await;
    let (other, _) = nepenthe_crypto::Kek::generate();
    let err = nepenthe_store::Store::open(
        &db.url,
        nepenthe_crypto::Keyring::new(other),
        Default::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::WrongKek { .. }), "{err}");
    db.cleanup().await;
});

both_backends!(tampered_rows_are_detected, |db: TestDb| async move {
    let s = db.open().await;
    s.create_tenant(T, "t").await.unwrap();
    let a = s.create_contact(T, jane()).await.unwrap();
    let b = s.create_contact(T, jane()).await.unwrap();
    // Move b's ciphertext into a's row: authentication must fail and name the record.
    sqlx::query("UPDATE contacts SET pii = (SELECT pii FROM contacts WHERE id = $1) WHERE id = $2")
        .bind(b.id.as_str())
        .bind(a.id.as_str())
        .execute(s.pool())
        .await
        .unwrap();
    let err = s.get_contact(T, &a.id).await.unwrap_err();
    assert!(matches!(err, StoreError::Crypto { .. }));
    assert!(err.to_string().contains(a.id.as_str()), "{err}");
    // Truncated ciphertext.
    sqlx::query("UPDATE contacts SET pii = $1 WHERE id = $2")
        .bind(vec![1u8, 2, 3])
        .bind(b.id.as_str())
        .execute(s.pool())
        .await
        .unwrap();
    assert!(matches!(
        s.get_contact(T, &b.id).await,
        Err(StoreError::Crypto { .. })
    ));
    s.close().await;
    db.cleanup().await;
});

both_backends!(key_rotation, |db: TestDb| async move {
    let s = db.open().await;
    s.create_tenant(T, "t").await.unwrap();
    let c = s.create_contact(T, jane()).await.unwrap();
    let (new, new_text) = nepenthe_crypto::Kek::generate();
    let n = s
        .rotate_kek(&nepenthe_crypto::Keyring::new(new))
        .await
        .unwrap();
    assert!(n >= 2);
    s.close().await;
    assert!(
        nepenthe_store::Store::open(&db.url, db.keyring(), Default::default())
            .await
            .is_err()
    );
    let ring = nepenthe_crypto::Keyring::new(nepenthe_crypto::Kek::from_base64(&new_text).unwrap());
    let s = nepenthe_store::Store::open(&db.url, ring, Default::default())
        .await
        .unwrap();
    assert_eq!(
        s.get_contact(T, &c.id).await.unwrap().first_name.as_deref(),
        Some("Jane")
    );
    let r = identify(json!({"TenantId":101,"EmailAddress":"jane.doe@company.com"}));
    assert_eq!(s.identify(T, &r.plan()).await.unwrap().len(), 1);
    s.close().await;
    db.cleanup().await;
});

both_backends!(concurrent_updates_are_not_lost, |db: TestDb| async move {
    let s = db.open().await;
    s.create_tenant(T, "t").await.unwrap();
    let it = s.create_interaction(T, call(None)).await.unwrap();
    let pid = ParticipantId::parse("cust").unwrap();
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (s, id, pid) = (s.clone(), it.id.clone(), pid.clone());
        tasks.push(tokio::spawn(async move {
            s.update_interaction(T, &id, |i| {
                i.participant_mut(&pid)
                    .unwrap()
                    .attributes
                    .insert(format!("K{n}"), "v".into());
                Ok(())
            })
            .await
            .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let after = s.get_interaction(T, &it.id).await.unwrap();
    let keys = after
        .participant(&pid)
        .unwrap()
        .attributes
        .keys()
        .filter(|k| k.starts_with('K'))
        .count();
    assert_eq!(keys, 20, "every concurrent participant-data write survives");
    s.close().await;
    db.cleanup().await;
});

both_backends!(thread_and_queue_are_encrypted, |db: TestDb| async move {
    let s = db.open().await;
    s.create_tenant(T, "t").await.unwrap();
    let mut new = call(None);
    new.thread_id = Some("<jane.threadcanary@customer.example>".into());
    new.queue = Some("VIP Mr Threadcanary".into());
    let it = s.create_interaction(T, new).await.unwrap();
    let got = s.get_interaction(T, &it.id).await.unwrap();
    assert_eq!(
        got.thread_id.as_deref(),
        Some("<jane.threadcanary@customer.example>")
    );
    assert_eq!(got.queue.as_deref(), Some("VIP Mr Threadcanary"));
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM interactions WHERE thread_id IS NOT NULL OR queue IS NOT NULL",
    )
    .fetch_one(s.pool())
    .await
    .map(|r| sqlx::Row::get(&r, "n"))
    .unwrap();
    assert_eq!(n, 0);
    s.close().await;
    db.cleanup().await;
});

both_backends!(interaction_times_stay_consistent, |db: TestDb| async move {
    let s = db.open().await;
    s.create_tenant(T, "t").await.unwrap();
    let mut bad = call(None);
    bad.started_at = Some(nepenthe_core::from_millis(2_000_000));
    bad.ended_at = Some(nepenthe_core::from_millis(1_000_000));
    assert!(matches!(
        s.create_interaction(T, bad).await,
        Err(StoreError::Invalid(_))
    ));
    let it = s.create_interaction(T, call(None)).await.unwrap();
    let err = s
        .update_interaction(T, &it.id, |i| {
            i.ended_at = Some(nepenthe_core::from_millis(0));
            Ok(())
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
    let (done, ()) = s
        .update_interaction(T, &it.id, |i| {
            i.status = InteractionStatus::Done;
            Ok(())
        })
        .await
        .unwrap();
    assert!(done.ended_at.is_some());
    let (reopened, ()) = s
        .update_interaction(T, &it.id, |i| {
            i.status = InteractionStatus::InProgress;
            Ok(())
        })
        .await
        .unwrap();
    assert!(
        reopened.ended_at.is_none(),
        "reopening clears the old end time"
    );
    s.close().await;
    db.cleanup().await;
});
