//! The rights use cases end to end on SQLite and PostgreSQL, each with and without an
//! archive data source.

use nepenthe_core::identify::IdentifyConfig;
use nepenthe_core::*;
use nepenthe_rights::*;
use nepenthe_store::testing::TestDb;
use nepenthe_store::{NewInteraction, NewParticipant, Store, StoreOptions};
use serde_json::{json, Value};

const T: TenantId = TenantId(101);
const OTHER: TenantId = TenantId(202);

/// Main store, optional archive (opened with the main store's key), and the databases.
struct Env {
    sources: Sources,
    dbs: Vec<TestDb>,
}

impl Env {
    async fn new(main: TestDb, archive: Option<TestDb>) -> Env {
        let store = main.open().await;
        let archive_store = match &archive {
            Some(a) => Some(
                Store::open(&a.url, main.keyring(), StoreOptions::default())
                    .await
                    .unwrap(),
            ),
            None => None,
        };
        store.create_tenant(T, "t").await.unwrap();
        store.create_tenant(OTHER, "other").await.unwrap();
        let mut dbs = vec![main];
        dbs.extend(archive);
        Env {
            sources: Sources::new(store, archive_store),
            dbs,
        }
    }

    async fn cleanup(self) {
        self.sources.main.close().await;
        if let Some(a) = &self.sources.archive {
            a.close().await;
        }
        for db in self.dbs {
            db.cleanup().await;
        }
    }

    fn has_archive(&self) -> bool {
        self.sources.archive.is_some()
    }
}

macro_rules! matrix {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(Env::new(TestDb::sqlite(), None).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_with_archive() {
                ($body)(Env::new(TestDb::sqlite(), Some(TestDb::sqlite())).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = TestDb::postgres().await {
                    ($body)(Env::new(db, None).await).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_with_archive() {
                if let (Some(db), Some(a)) = (TestDb::postgres().await, TestDb::postgres().await) {
                    ($body)(Env::new(db, Some(a)).await).await;
                }
            }
        }
    };
}

fn jane(legal_hold: bool) -> ContactInput {
    ContactInput {
        first_name: Some("Jnae".into()),
        last_name: Some("Doe".into()),
        emails: vec!["jane.doe@company.com".into()],
        phones: vec!["07700 900123".into()],
        attributes: [("Postcode".to_string(), "SW1A 1AA".to_string())].into(),
        legal_hold,
        ..Default::default()
    }
    .validate("GB")
    .unwrap()
}

fn interaction(
    contact: Option<&ContactId>,
    status: InteractionStatus,
    days_ago: i64,
    n: usize,
) -> NewInteraction {
    let at = nepenthe_core::now() - chrono::Duration::days(days_ago)
        + chrono::Duration::milliseconds(n as i64);
    NewInteraction {
        contact_id: contact.cloned(),
        media_type: MediaType::Email,
        status,
        subject: Some(format!("Subject {n} from Jnae")),
        text: Some(format!("Dear agent, this is Jnae Doe, message {n}")),
        created_at: Some(at),
        started_at: Some(at),
        ended_at: status.is_finished().then_some(at),
        participants: vec![NewParticipant {
            purpose: Some(Purpose::Customer),
            name: Some("Jnae Doe".into()),
            attributes: [("Email".to_string(), "jane.doe@company.com".to_string())].into(),
            ..Default::default()
        }],
        attachments: vec![NewAttachment {
            id: None,
            name: format!("letter-{n}.pdf"),
            mime_type: "application/pdf".into(),
            content: format!("%PDF attachment {n}").into_bytes(),
        }],
        ..Default::default()
    }
}

/// Jane with 3 old finished interactions, 1 recent one, and one unlinked interaction whose
/// participant data holds her e-mail address. With an archive, the old ones are archived.
async fn seed(env: &Env) -> Contact {
    let s = &env.sources.main;
    let c = s.create_contact(T, jane(false)).await.unwrap();
    for n in 0..3 {
        s.create_interaction(T, interaction(Some(&c.id), InteractionStatus::Done, 200, n))
            .await
            .unwrap();
    }
    s.create_interaction(T, interaction(Some(&c.id), InteractionStatus::Done, 1, 3))
        .await
        .unwrap();
    s.create_interaction(T, interaction(None, InteractionStatus::Done, 1, 4))
        .await
        .unwrap();
    if env.has_archive() {
        let a = env
            .sources
            .archive_older_than(
                parse_age("90d").unwrap(),
                None,
                true,
                &Actor::cli(),
                &mut Quiet,
            )
            .await
            .unwrap();
        assert_eq!(a.interactions, 3);
        assert_eq!(a.attachments, 3);
    }
    c
}

fn ids_subject(ids: &[&ContactId]) -> Subject {
    Subject::Ids {
        tenant: Some(T),
        ids: ids.iter().map(|i| (*i).clone()).collect(),
    }
}

fn request(v: Value) -> Subject {
    Subject::from_value(&v, None, &IdentifyConfig::default()).unwrap()
}

matrix!(count_and_export, |env: Env| async move {
    let c = seed(&env).await;
    let src = &env.sources;
    let r = src
        .resolve(
            &request(json!({"TenantId":101,"EmailAddress":"JANE.DOE@company.com"})),
            10,
        )
        .await
        .unwrap();
    assert_eq!(r.contacts.len(), 1);
    let count = src.count(&r, SourceSel::All).await.unwrap();
    let (main_n, archive_n) = if env.has_archive() { (1, 3) } else { (4, 0) };
    assert_eq!(count.interactions[&Source::Main], main_n);
    assert_eq!(count.unlinked_interactions[&Source::Main], 1);
    if env.has_archive() {
        assert_eq!(count.interactions[&Source::Archive], archive_n);
    } else {
        assert!(!count.per_contact[0].sources[1].configured);
    }

    let dir = tempfile::tempdir().unwrap();
    let mut log: Vec<String> = vec![];
    let sum = src
        .export(&r, &ExportOptions::new(dir.path()), &Actor::cli(), &mut log)
        .await
        .unwrap();
    assert_eq!(sum.contacts[0].unlinked_interactions, 1);
    let contact: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join(format!("contact-{}.json", c.id))).unwrap(),
    )
    .unwrap();
    assert_eq!(contact["emails"][0], "jane.doe@company.com");
    let its: Vec<Value> = serde_json::from_slice(
        &std::fs::read(
            dir.path()
                .join(format!("interactions-for-contact-{}.json", c.id)),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(its.len(), 4, "every interaction, from every source");
    assert_eq!(
        its.iter().filter(|i| i["source"] == "archive").count() as u64,
        archive_n
    );
    for i in &its {
        let a = &i["attachments"][0];
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(a["content_base64"].as_str().unwrap())
            .unwrap();
        assert_eq!(a["size"], bytes.len());
        assert_eq!(a["sha256"], nepenthe_crypto::sha256_hex(&bytes));
        assert_eq!(a["mime_type"], "application/pdf");
        assert!(a["name"].as_str().unwrap().starts_with("letter-"));
        assert_eq!(
            i["participants"][0]["attributes"]["Email"],
            "jane.doe@company.com"
        );
    }
    let unlinked: Vec<Value> = serde_json::from_slice(
        &std::fs::read(
            dir.path()
                .join(format!("unlinked-interactions-for-contact-{}.json", c.id)),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(unlinked.len(), 1);
    assert!(unlinked[0]["contact_id"].is_null());
    // The step log: ids and paths only, the archive line when none is configured.
    assert!(log.iter().any(|l| l.starts_with("Found contact Id")));
    assert_eq!(
        log.iter()
            .any(|l| l.contains("no data source with role 'archive' found")),
        !env.has_archive()
    );
    assert!(log
        .iter()
        .all(|l| !l.contains("jane.doe") && !l.contains("Jnae")));
    // No temporary files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    let audit = src.main.list_audit(T, None, 10).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "contact.export"));
    assert!(audit
        .iter()
        .all(|a| !a.details.to_string().contains("jane")));

    // The API's bundle holds the same.
    let mut buf = Vec::new();
    src.export_bundle(&r, SourceSel::All, &mut buf)
        .await
        .unwrap();
    let b: Value = serde_json::from_slice(&buf).unwrap();
    assert_eq!(
        b["contacts"][0]["interactions"].as_array().unwrap().len(),
        4
    );
    assert_eq!(
        b["contacts"][0]["unlinked_interactions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.cleanup().await;
});

matrix!(bad_subjects_change_nothing, |env: Env| async move {
    let c = seed(&env).await;
    let src = &env.sources;
    let other = src.main.create_contact(OTHER, jane(false)).await.unwrap();
    // Another tenant's id: not found here, nothing deleted.
    let e = src
        .resolve(&ids_subject(&[&other.id]), 10)
        .await
        .unwrap_err();
    assert_eq!(e.exit_code(), 3);
    assert!(e.to_string().contains("tenant 101"));
    // A list with one unknown id refuses the whole list.
    let e = src
        .resolve(&ids_subject(&[&c.id, &other.id]), 10)
        .await
        .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    // Without a tenant, ids find their own tenant.
    let r = src
        .resolve(
            &Subject::Ids {
                tenant: None,
                ids: vec![other.id.clone()],
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(r.tenant, OTHER);
    // Too many matches for an identification request.
    src.main.create_contact(T, jane(false)).await.unwrap();
    let s = request(json!({"TenantId":101,"EmailAddress":"jane.doe@company.com"}));
    let e = src.resolve(&s, 1).await.unwrap_err();
    assert!(matches!(
        e,
        RightsError::TooManyContacts { matched: 2, max: 1 }
    ));
    assert_eq!(src.resolve(&s, 2).await.unwrap().contacts.len(), 2);
    let e = src
        .resolve(
            &request(json!({"TenantId":101,"EmailAddress":"nobody@company.com"})),
            10,
        )
        .await
        .unwrap_err();
    assert_eq!(e.exit_code(), 3);
    let e = src
        .resolve(
            &request(json!({"TenantId":999,"EmailAddress":"nobody@company.com"})),
            10,
        )
        .await
        .unwrap_err();
    assert_eq!(e.exit_code(), 3);
    assert!(src.main.get_contact(T, &c.id).await.is_ok());
    assert!(src.main.get_contact(OTHER, &other.id).await.is_ok());
    env.cleanup().await;
});

matrix!(
    forget_reports_then_erases_everywhere,
    |env: Env| async move {
        let c = seed(&env).await;
        let src = &env.sources;
        let held = src.main.create_contact(T, jane(true)).await.unwrap();
        let busy = src.main.create_contact(T, jane(false)).await.unwrap();
        src.main
            .create_interaction(
                T,
                interaction(Some(&busy.id), InteractionStatus::InProgress, 0, 9),
            )
            .await
            .unwrap();
        let r = src
            .resolve(
                &request(json!({"TenantId":101,"EmailAddress":"jane.doe@company.com"})),
                10,
            )
            .await
            .unwrap();
        assert_eq!(r.contacts.len(), 3);

        // Report only.
        let dry = src
            .forget(&r, &ForgetOptions::new(Actor::cli()), &mut Quiet)
            .await
            .unwrap();
        assert!(!dry.confirmed);
        assert_eq!(dry.erased, 0);
        assert_eq!(dry.blocked, 2);
        let jane_report = dry.contacts.iter().find(|x| x.contact_id == c.id).unwrap();
        assert_eq!(jane_report.outcome, Outcome::WouldErase);
        let total: u64 = jane_report.interactions.values().sum();
        assert_eq!(total, 4);
        assert!(src.main.get_contact(T, &c.id).await.is_ok());

        // Confirmed: jane erased in both sources; held and busy blocked.
        let mut o = ForgetOptions::new(Actor::cli());
        o.confirm = true;
        o.request_id = Some("req-42".into());
        let done = src.forget(&r, &o, &mut Quiet).await.unwrap();
        assert_eq!((done.erased, done.blocked), (1, 2));
        assert!(src.main.get_contact(T, &c.id).await.is_err());
        assert_eq!(src.main.count_interactions(T, &c.id).await.unwrap().0, 0);
        if let Some(a) = &src.archive {
            assert_eq!(a.count_interactions(T, &c.id).await.unwrap().0, 0);
            assert!(src.main.pending_archive_purges().await.unwrap().is_empty());
        }
        let receipts = src.main.receipts(T, Some(&c.id)).await.unwrap();
        assert_eq!(receipts.len(), 1);
        let rc = &receipts[0];
        assert_eq!(rc["request_id"], "req-42");
        assert_eq!(
            rc["sources"]["main"]["interactions"],
            if env.has_archive() { 1 } else { 4 }
        );
        if env.has_archive() {
            assert_eq!(rc["sources"]["archive"]["interactions"], 3);
            assert_eq!(
                rc["sources"]["archive"]["digest"].as_str().unwrap().len(),
                64
            );
        }
        assert!(!rc.to_string().contains("jane"));
        assert!(src.main.get_contact(T, &held.id).await.is_ok());
        assert!(src.main.get_contact(T, &busy.id).await.is_ok());

        // Stopping in-progress interactions lets the busy contact go; a rerun with the same ids
        // reports the erased contact instead of failing.
        o.stop_in_progress = true;
        let r2 = src
            .resolve(&ids_subject(&[&c.id, &busy.id]), 10)
            .await
            .unwrap();
        assert_eq!(r2.already_erased, vec![c.id.clone()]);
        let done = src.forget(&r2, &o, &mut Quiet).await.unwrap();
        assert_eq!((done.erased, done.already_erased), (1, 1));
        assert_eq!(
            done.contacts
                .iter()
                .find(|x| x.contact_id == busy.id)
                .unwrap()
                .receipt
                .as_ref()
                .unwrap()["stopped_in_progress"],
            1
        );
        // The unlinked interaction is not the contact's: it stays.
        assert_eq!(
            src.main
                .list_interactions(T, &Default::default())
                .await
                .unwrap()
                .interactions
                .len(),
            1
        );
        env.cleanup().await;
    }
);

matrix!(
    interrupted_archive_purge_is_finished,
    |env: Env| async move {
        if !env.has_archive() {
            env.cleanup().await;
            return;
        }
        let c = seed(&env).await;
        let src = &env.sources;
        let archive = src.archive.as_ref().unwrap();
        // The erasure commits in main, then the process dies before purging the archive.
        let mut eo = nepenthe_store::EraseOptions::new(Actor::cli());
        eo.journal_archive_purge = true;
        src.main.erase_contact_with(T, &c.id, &eo).await.unwrap();
        assert_eq!(archive.count_interactions(T, &c.id).await.unwrap().0, 3);
        // The archived rows are already unreadable: their only key is gone.
        let (page, _) = archive
            .contact_interactions_page(&src.main, T, &c.id, None, 100)
            .await
            .unwrap();
        assert!(page.is_empty());
        assert_eq!(src.main.pending_archive_purges().await.unwrap().len(), 1);
        // Any later run finishes the purge.
        assert_eq!(src.finish_pending_purges(&mut Quiet).await.unwrap(), 1);
        assert_eq!(archive.count_interactions(T, &c.id).await.unwrap().0, 0);
        assert!(src.main.pending_archive_purges().await.unwrap().is_empty());
        env.cleanup().await;
    }
);

matrix!(rectify_everywhere, |env: Env| async move {
    let c = seed(&env).await;
    let src = &env.sources;
    let r = src.resolve(&ids_subject(&[&c.id]), 10).await.unwrap();
    let reps = vec![
        parse_replacement("Jnae=Jane").unwrap(),
        parse_replacement("jane.doe@company.com=jane@new.example").unwrap(),
    ];
    let dry = src
        .rectify(&r, &reps, false, &Actor::cli(), &mut Quiet)
        .await
        .unwrap();
    assert!(dry.replacements > 0);
    assert_eq!(
        src.main
            .get_contact(T, &c.id)
            .await
            .unwrap()
            .first_name
            .as_deref(),
        Some("Jnae")
    );
    let done = src
        .rectify(&r, &reps, true, &Actor::cli(), &mut Quiet)
        .await
        .unwrap();
    assert_eq!(done.replacements, dry.replacements);
    assert_eq!(done.contacts[0].unlinked_interactions, 1);
    let got = src.main.get_contact(T, &c.id).await.unwrap();
    assert_eq!(got.first_name.as_deref(), Some("Jane"));
    assert_eq!(got.emails, vec!["jane@new.example"]);
    // The new address identifies the contact; the old one no longer does.
    assert!(src
        .resolve(
            &request(json!({"TenantId":101,"EmailAddress":"jane@new.example"})),
            10
        )
        .await
        .is_ok());
    assert!(src
        .resolve(
            &request(json!({"TenantId":101,"EmailAddress":"jane.doe@company.com"})),
            10
        )
        .await
        .is_err());
    // Every interaction in every source is rewritten.
    let r = src.resolve(&ids_subject(&[&c.id]), 10).await.unwrap();
    let mut buf = Vec::new();
    src.export_bundle(&r, SourceSel::All, &mut buf)
        .await
        .unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(!text.contains("Jnae") && !text.contains("jane.doe@company.com"));
    assert_eq!(
        text.matches("jane@new.example").count(),
        6,
        "contact + 4 linked + 1 unlinked"
    );
    let audit = src.main.list_audit(T, None, 5).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "contact.rectify"));
    assert!(
        !serde_json::to_string(&audit.iter().map(|a| &a.details).collect::<Vec<_>>())
            .unwrap()
            .contains("Jane")
    );
    let e = src
        .rectify(&r, &[], true, &Actor::cli(), &mut Quiet)
        .await
        .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    env.cleanup().await;
});

matrix!(archive_and_prune, |env: Env| async move {
    let src = &env.sources;
    if !env.has_archive() {
        let e = src
            .archive_older_than(
                parse_age("1d").unwrap(),
                None,
                true,
                &Actor::cli(),
                &mut Quiet,
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("no data source with role 'archive'"));
        assert_eq!(e.exit_code(), 2);
    }
    let c = seed(&env).await;
    // An old unlinked interaction (own key) and an old in-progress one (never archived).
    let own = src
        .main
        .create_interaction(T, interaction(None, InteractionStatus::Done, 400, 7))
        .await
        .unwrap();
    src.main
        .create_interaction(
            T,
            interaction(Some(&c.id), InteractionStatus::InProgress, 400, 8),
        )
        .await
        .unwrap();
    if let Some(a) = &src.archive {
        let dry = src
            .archive_older_than(
                parse_age("90d").unwrap(),
                Some(T),
                false,
                &Actor::cli(),
                &mut Quiet,
            )
            .await
            .unwrap();
        assert_eq!(dry.interactions, 1);
        assert_eq!(a.count_interactions(T, &c.id).await.unwrap().0, 3);
        src.archive_older_than(
            parse_age("90d").unwrap(),
            Some(T),
            true,
            &Actor::cli(),
            &mut Quiet,
        )
        .await
        .unwrap();
        // Readable from the archive with the key that stayed in main.
        let got = a
            .interactions_with_attachments(&src.main, T, std::slice::from_ref(&own.id))
            .await
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].attachments[0].content, b"%PDF attachment 7");
        // Prune the archive of everything older than a year: only the 400-day-old one.
        let p = src
            .prune_older_than(
                Source::Archive,
                parse_age("1y").unwrap(),
                None,
                true,
                &Actor::cli(),
                &mut Quiet,
            )
            .await
            .unwrap();
        assert_eq!(p.interactions, 1);
        assert!(a
            .interactions_with_attachments(&src.main, T, std::slice::from_ref(&own.id))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(a.count_interactions(T, &c.id).await.unwrap().0, 3);
    } else {
        let p = src
            .prune_older_than(
                Source::Main,
                parse_age("90d").unwrap(),
                None,
                false,
                &Actor::cli(),
                &mut Quiet,
            )
            .await
            .unwrap();
        assert_eq!(p.interactions, 4);
        src.prune_older_than(
            Source::Main,
            parse_age("90d").unwrap(),
            None,
            true,
            &Actor::cli(),
            &mut Quiet,
        )
        .await
        .unwrap();
        assert!(src.main.get_interaction(T, &own.id).await.is_err());
        // In-progress and recent interactions stay.
        assert_eq!(src.main.count_interactions(T, &c.id).await.unwrap(), (2, 1));
    }
    env.cleanup().await;
});

matrix!(privacy_requests, |env: Env| async move {
    let c = seed(&env).await;
    let src = &env.sources;
    let cfg = PrivacyConfig::default();
    let idc = IdentifyConfig::default();
    let actor = Actor {
        id: "tok_x".into(),
        role: Role::Compliance,
    };
    let new = |kind, subject: Value, confirm| NewPrivacyRequest {
        id: None,
        kind,
        subject,
        confirm,
        replace: vec![],
        max_contacts: 10,
        stop_in_progress: false,
    };
    // Count.
    let r = src
        .submit_privacy_request(
            T,
            &actor,
            new(
                RequestKind::Count,
                json!({"EmailAddress":"jane.doe@company.com"}),
                false,
            ),
            &cfg,
            &idc,
        )
        .await
        .unwrap();
    assert_eq!(r.status, "completed");
    assert_eq!(r.result.as_ref().unwrap()["contacts"][0], c.id.as_str());
    assert!((r.due_at - r.received_at).num_days() >= 28);
    assert!(r.purge_after.unwrap() > r.completed_at.unwrap());
    assert!(src.request_subject(T, &r.id).await.unwrap().is_some());
    // Bad subjects are rejected with a reason; another tenant's request is refused.
    let bad = src
        .submit_privacy_request(
            T,
            &actor,
            new(RequestKind::Erase, json!({"Emial":"x@y.z"}), true),
            &cfg,
            &idc,
        )
        .await
        .unwrap();
    assert_eq!(bad.status, "rejected");
    assert!(bad.error.as_ref().unwrap().contains("unknown attribute"));
    let bad = src
        .submit_privacy_request(
            T,
            &actor,
            new(
                RequestKind::Erase,
                json!({"TenantId":202,"EmailAddress":"jane.doe@company.com"}),
                true,
            ),
            &cfg,
            &idc,
        )
        .await
        .unwrap();
    assert_eq!(bad.status, "rejected");
    // Export, then download the bundle.
    let ex = src
        .submit_privacy_request(
            T,
            &actor,
            new(RequestKind::Export, json!([c.id.as_str()]), false),
            &cfg,
            &idc,
        )
        .await
        .unwrap();
    assert_eq!(ex.status, "completed");
    let mut buf = Vec::new();
    src.export_request_bundle(T, &ex.id, &actor, &mut buf)
        .await
        .unwrap();
    let b: Value = serde_json::from_slice(&buf).unwrap();
    assert_eq!(
        b["contacts"][0]["interactions"].as_array().unwrap().len(),
        4
    );
    assert!(src
        .export_request_bundle(T, &bad.id, &actor, &mut Vec::new())
        .await
        .is_err());
    assert!(src
        .export_request_bundle(OTHER, &ex.id, &actor, &mut Vec::new())
        .await
        .is_err());
    // Erase defaults to report only.
    let er = src
        .submit_privacy_request(
            T,
            &actor,
            new(
                RequestKind::Erase,
                json!({"EmailAddress":"jane.doe@company.com"}),
                false,
            ),
            &cfg,
            &idc,
        )
        .await
        .unwrap();
    assert_eq!(er.result.as_ref().unwrap()["forget"]["erased"], 0);
    assert!(src.main.get_contact(T, &c.id).await.is_ok());
    // With a zero-day window the subject is purged at completion; the record stays.
    let now_cfg = PrivacyConfig::new(0).unwrap();
    let er = src
        .submit_privacy_request(
            T,
            &actor,
            new(
                RequestKind::Erase,
                json!({"EmailAddress":"jane.doe@company.com"}),
                true,
            ),
            &now_cfg,
            &idc,
        )
        .await
        .unwrap();
    assert_eq!(er.status, "completed");
    assert!(er.subject_purged_at.is_some());
    assert!(src.request_subject(T, &er.id).await.unwrap().is_none());
    assert!(src.main.get_contact(T, &c.id).await.is_err());
    assert_eq!(
        src.main.receipts(T, Some(&c.id)).await.unwrap()[0]["request_id"],
        er.id.as_str()
    );
    assert!(PrivacyConfig::new(31).is_err());
    // Listing with filters.
    let all = src
        .main
        .list_privacy_requests(T, None, None, 100)
        .await
        .unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(
        src.main
            .list_privacy_requests(T, Some("rejected"), None, 100)
            .await
            .unwrap()
            .len(),
        2
    );
    let later = nepenthe_core::now() + chrono::Duration::days(40);
    assert!(
        src.main
            .list_privacy_requests(T, None, Some(later), 100)
            .await
            .unwrap()
            .is_empty(),
        "finished requests are never overdue"
    );
    assert!(src
        .main
        .list_privacy_requests(OTHER, None, None, 100)
        .await
        .unwrap()
        .is_empty());
    // Nothing personal in the stored records.
    let dump = serde_json::to_string(
        &all.iter()
            .map(|r| (&r.result, &r.error))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(!dump.contains("jane.doe"));
    env.cleanup().await;
});

matrix!(
    export_redacts_third_parties_but_keeps_the_subject,
    |env: Env| async move {
        let src = &env.sources;
        let c = src
            .main
            .create_contact(T, jane(false).validate("GB").unwrap())
            .await
            .unwrap();
        src.main
            .create_interaction(
                T,
                NewInteraction {
                    contact_id: Some(c.id.clone()),
                    media_type: MediaType::Email,
                    status: InteractionStatus::Done,
                    text: Some(
                        "Hello, this is Jane Doe (jane.doe@company.com). Please also copy my \
                     solicitor at bob.smith@lawfirm.example or on +44 7911 123456."
                            .into(),
                    ),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let r = src.resolve(&ids_subject(&[&c.id]), 10).await.unwrap();
        let read = |dir: &std::path::Path| {
            std::fs::read_to_string(dir.join(format!("interactions-for-contact-{}.json", c.id)))
                .unwrap()
        };
        let plain = tempfile::tempdir().unwrap();
        src.export(
            &r,
            &ExportOptions::new(plain.path()),
            &Actor::cli(),
            &mut Vec::<String>::new(),
        )
        .await
        .unwrap();
        assert!(read(plain.path()).contains("bob.smith@lawfirm.example"));

        let redacted = tempfile::tempdir().unwrap();
        let mut opts = ExportOptions::new(redacted.path());
        opts.redact_third_parties = Some(std::sync::Arc::new(nepenthe_detect::Detector::new()));
        src.export(&r, &opts, &Actor::cli(), &mut Vec::<String>::new())
            .await
            .unwrap();
        let text = read(redacted.path());
        assert!(!text.contains("bob.smith@lawfirm.example"), "{text}");
        assert!(!text.contains("123456"), "{text}");
        assert!(
            text.contains("jane.doe@company.com"),
            "the subject's own data stays: {text}"
        );
        assert!(text.contains("<EMAIL_ADDRESS>"), "{text}");
        env.cleanup().await;
    }
);
