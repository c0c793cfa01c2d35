//! The data-subject-rights commands end to end through the built binary, on SQLite and
//! (when `NEPENTHE_TEST_POSTGRES_URL` is set) PostgreSQL: the seed's command-line examples,
//! exit codes and bad input, the archive source, and a `kill -9` in the middle of a batch
//! `forget --confirm`.

use nepenthe_core::{ContactId, TenantId};
use nepenthe_store::testing::TestDb;
use nepenthe_store::{Store, StoreError, StoreOptions};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_nepenthe");
const T: TenantId = TenantId(101);
const JANE: &str = "0001SaD2PVY4312K";
const JANE2: &str = "0001SaD2PVY4315J";
const OTHER: &str = "0002Ha7QB2MX000K";

/// A database (and optional archive) plus a scratch directory for files.
struct Env {
    main: TestDb,
    archive: Option<TestDb>,
    dir: tempfile::TempDir,
}

impl Env {
    fn new(main: TestDb, archive: Option<TestDb>) -> Env {
        Env {
            main,
            archive,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str], cwd: &Path) -> Command {
        let mut c = Command::new(BIN);
        c.current_dir(cwd)
            .arg("--database-url")
            .arg(&self.main.url)
            .env("NEPENTHE_KEY", &self.main.kek_base64)
            .env("NEPENTHE_LOG", "warn");
        for v in [
            "NEPENTHE_DATABASE_URL",
            "NEPENTHE_ARCHIVE_DATABASE_URL",
            "NEPENTHE_KEY_FILE",
            "NEPENTHE_CONFIG",
            "NEPENTHE_TENANT",
        ] {
            c.env_remove(v);
        }
        if let Some(a) = &self.archive {
            c.arg("--archive-database-url").arg(&a.url);
        }
        c.args(args);
        c
    }

    fn run_in(&self, args: &[&str], cwd: &Path) -> Output {
        self.cmd(args, cwd).output().expect("run nepenthe")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in(args, self.dir.path())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    async fn store(&self) -> Store {
        self.main.open().await
    }

    async fn archive_store(&self) -> Option<Store> {
        match &self.archive {
            Some(a) => Some(
                Store::open(&a.url, self.main.keyring(), StoreOptions::default())
                    .await
                    .unwrap(),
            ),
            None => None,
        }
    }

    async fn cleanup(self) {
        self.main.cleanup().await;
        if let Some(a) = self.archive {
            a.cleanup().await;
        }
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn ok(o: &Output) -> String {
    assert_eq!(code(o), 0, "stdout: {}\nstderr: {}", stdout(o), stderr(o));
    stdout(o)
}

fn contact_line(id: &str, first: &str, email: &str) -> String {
    serde_json::json!({"kind": "contact", "id": id, "first_name": first, "last_name": "Doe",
        "emails": [email], "phones": ["07700 900123"]})
    .to_string()
}

fn interaction_line(id: &str, contact: Option<&str>, days_ago: i64, email: &str) -> String {
    let at = chrono::Utc::now() - chrono::Duration::days(days_ago);
    serde_json::json!({"kind": "interaction", "id": id, "contact_id": contact, "media_type": "email",
        "status": "done", "subject": "Complaint", "text": "Dear agent, this is Jane Doe.",
        "created_at": at, "started_at": at, "ended_at": at,
        "participants": [{"purpose": "customer", "name": "Jane Doe", "attributes": {"Email": email}}],
        "attachments": [{"name": "letter.pdf", "mime_type": "application/pdf", "content_base64": "JVBERi0xLjQK"}]})
    .to_string()
}

/// Tenants 101 and 202; in 101 two records of Jane (same e-mail), 3 old and 1 recent
/// interaction for the first, one unlinked interaction holding her e-mail; in 202 another
/// contact with the same e-mail.
fn seed(env: &Env) {
    let email = "jane.doe@company.com";
    let mut lines = vec![
        contact_line(JANE, "Jane", email),
        contact_line(JANE2, "Jane", email),
    ];
    for n in 0..3 {
        lines.push(interaction_line(&format!("old{n}"), Some(JANE), 200, email));
    }
    lines.push(interaction_line("recent", Some(JANE), 1, email));
    lines.push(interaction_line("unlinked", None, 1, email));
    std::fs::write(env.path("t101.jsonl"), lines.join("\n")).unwrap();
    std::fs::write(env.path("t202.jsonl"), contact_line(OTHER, "Jane", email)).unwrap();
    ok(&env.run(&["import", "t101.jsonl", "--tenant", "101", "--create-tenant"]));
    ok(&env.run(&["import", "t202.jsonl", "--tenant", "202", "--create-tenant"]));
    if env.archive.is_some() {
        let out = ok(&env.run(&["archive", "--older-than", "90d", "--confirm", "--json"]));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["interactions"], 3);
    }
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

macro_rules! backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(Env::new(TestDb::sqlite(), None)).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_with_archive() {
                ($body)(Env::new(TestDb::sqlite(), Some(TestDb::sqlite()))).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = TestDb::postgres().await {
                    ($body)(Env::new(db, None)).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_with_archive() {
                if let (Some(db), Some(a)) = (TestDb::postgres().await, TestDb::postgres().await) {
                    ($body)(Env::new(db, Some(a))).await;
                }
            }
        }
    };
}

backends!(seed_export_examples, |env: Env| async move {
    seed(&env);
    let archived = env.archive.is_some();
    let request = r#"{"TenantId":101,"EmailAddress":"jane.doe@company.com"}"#;
    let both = format!("{JANE},{JANE2}");

    // exportUcsInteractions.sh 0001SaD2PVY4312K -count: simulation, writes nothing.
    for flag in ["-count", "--count"] {
        let cwd = tempfile::tempdir().unwrap();
        let out = ok(&env.run_in(&["export", JANE, flag], cwd.path()));
        assert!(out.contains("Contacts: 1"), "{out}");
        assert!(
            out.contains(if archived {
                "Interactions in main: 1"
            } else {
                "Interactions in main: 4"
            }),
            "{out}"
        );
        if !archived {
            assert!(out.contains("no data source with role 'archive' found"));
        }
        assert!(files(cwd.path()).is_empty());
    }
    // "id1,id2" -count and a JSON identification request -count, machine-readable.
    for subject in [both.as_str(), request] {
        let out = ok(&env.run(&["export", subject, "--count", "--json"]));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["contacts"], 2);
        assert_eq!(v["interactions"]["main"], if archived { 1 } else { 4 });
        if archived {
            assert_eq!(v["interactions"]["archive"], 3);
        }
    }

    // exportUcsInteractions.sh 0001SaD2PVY4312K: files in the current directory.
    let cwd = tempfile::tempdir().unwrap();
    let o = env.run_in(&["export", JANE], cwd.path());
    ok(&o);
    assert_eq!(
        files(cwd.path()),
        vec![
            format!("contact-{JANE}.json"),
            format!("interactions-for-contact-{JANE}.json"),
            format!("unlinked-interactions-for-contact-{JANE}.json"),
        ]
    );
    let log = stderr(&o);
    // The seed's log lines, timestamped, with no personal data.
    for line in [
        "Starting interaction export",
        "Export path is",
        "Directory exists:",
        &format!("Found contact Id '{JANE}'"),
        "Saving contact info to ",
        "Saving interactions to ",
        &format!("for contactId {JANE} from DataSource main"),
        "Done",
    ] {
        assert!(log.contains(line), "missing '{line}' in:\n{log}");
    }
    assert_eq!(
        log.contains("Reason: no data source with role 'archive' found"),
        !archived
    );
    assert!(!log.contains("jane.doe") && !log.contains("Jane"), "{log}");
    assert!(
        log.lines().all(|l| l.contains(" UTC 20")),
        "timestamped: {log}"
    );
    let its: Vec<Value> = serde_json::from_slice(
        &std::fs::read(
            cwd.path()
                .join(format!("interactions-for-contact-{JANE}.json")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(its.len(), 4);
    assert_eq!(its[0]["attachments"][0]["content_base64"], "JVBERi0xLjQK");
    assert_eq!(its[0]["attachments"][0]["size"], 9);
    assert_eq!(
        its.iter().filter(|i| i["source"] == "archive").count(),
        if archived { 3 } else { 0 }
    );
    let unlinked: Vec<Value> = serde_json::from_slice(
        &std::fs::read(
            cwd.path()
                .join(format!("unlinked-interactions-for-contact-{JANE}.json")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(unlinked.len(), 1);
    assert_eq!(unlinked[0]["id"], "unlinked");

    // "id1,id2" and the JSON request, into --out.
    for subject in [both.as_str(), request] {
        let out = tempfile::tempdir().unwrap();
        let o = env.run(&[
            "export",
            subject,
            "--out",
            out.path().to_str().unwrap(),
            "--json",
        ]);
        let v: Value = serde_json::from_str(&ok(&o)).unwrap();
        assert_eq!(v["contacts"].as_array().unwrap().len(), 2);
        assert_eq!(files(out.path()).len(), 6);
    }
    // --source main only.
    let out = tempfile::tempdir().unwrap();
    ok(&env.run(&[
        "export",
        JANE,
        "--source",
        "main",
        "--out",
        out.path().to_str().unwrap(),
    ]));
    let its: Vec<Value> = serde_json::from_slice(
        &std::fs::read(
            out.path()
                .join(format!("interactions-for-contact-{JANE}.json")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(its.len(), if archived { 1 } else { 4 });
    env.cleanup().await;
});

backends!(seed_forget_examples, |env: Env| async move {
    seed(&env);
    let archived = env.archive.is_some();
    let store = env.store().await;
    // deleteContact 0001SaD2PVY4312K: report only, with the contact's attributes.
    let out = ok(&env.run(&["forget", JANE]));
    assert!(out.contains("EmailAddress: jane.doe@company.com"), "{out}");
    assert!(out.contains("Report only: nothing was deleted"), "{out}");
    assert!(store
        .get_contact(T, &ContactId::parse(JANE).unwrap())
        .await
        .is_ok());
    // The JSON request form reports both records of the person.
    let request = r#"{"TenantId":101,"EmailAddress":"jane.doe@company.com"}"#;
    let v: Value =
        serde_json::from_str(&ok(&env.run(&["delete-contact", request, "--json"]))).unwrap();
    assert_eq!(v["contacts"].as_array().unwrap().len(), 2);
    assert_eq!(v["erased"], 0);
    // --max-contacts guards broad requests: refused, nothing deleted.
    let o = env.run(&["forget", request, "--confirm", "--max-contacts", "1"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("matches 2 contacts"));
    assert!(store
        .get_contact(T, &ContactId::parse(JANE).unwrap())
        .await
        .is_ok());

    // deleteContact 0001SaD2PVY4312K -confirm.
    let out = ok(&env.run(&["forget", JANE, "-confirm"]));
    assert!(out.contains("Erased 1 contact(s)"), "{out}");
    let jane = ContactId::parse(JANE).unwrap();
    assert!(matches!(
        store.get_contact(T, &jane).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.count_interactions(T, &jane).await.unwrap().0, 0);
    if let Some(a) = env.archive_store().await {
        assert_eq!(a.count_interactions(T, &jane).await.unwrap().0, 0);
    }
    // receipts --contact: counts per source, digest, operator; no personal data.
    let out = ok(&env.run(&["receipts", "--contact", JANE]));
    let r: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(r["contact_id"], JANE);
    assert_eq!(
        r["sources"]["main"]["interactions"],
        if archived { 1 } else { 4 }
    );
    if archived {
        assert_eq!(r["sources"]["archive"]["interactions"], 3);
    }
    assert_eq!(r["digest"].as_str().unwrap().len(), 64);
    assert!(r["operator"].as_str().unwrap().starts_with("cli:"));
    assert!(!out.contains("jane"));
    // "id1,id2" -confirm: the erased one is reported, the other erased.
    let out = ok(&env.run(&["delete-contact", &format!("{JANE},{JANE2}"), "--confirm"]));
    assert!(out.contains("already erased"), "{out}");
    assert!(
        out.contains("Erased 1 contact(s), 0 blocked, 1 already erased"),
        "{out}"
    );
    // Tenant 202's contact with the same e-mail is untouched.
    assert!(store
        .get_contact(TenantId(202), &ContactId::parse(OTHER).unwrap())
        .await
        .is_ok());
    // Nothing left to match now: exit 3.
    let o = env.run(&["forget", request, "--confirm"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let audit = ok(&env.run(&["audit", "--tenant", "101"]));
    assert!(audit.contains("contact.erase"));
    assert!(!audit.contains("jane.doe"));
    store.close().await;
    env.cleanup().await;
});

backends!(bad_input_deletes_nothing, |env: Env| async move {
    seed(&env);
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &[
                "forget",
                r#"{"TenantId":101,"EmailAddress":"jane.doe@company.com""#,
                "--confirm",
            ],
            2,
            "malformed JSON",
        ),
        (
            &[
                "forget",
                r#"{"TenantId":101,"Emial":"jane.doe@company.com"}"#,
                "--confirm",
            ],
            2,
            "unknown attribute 'Emial'",
        ),
        (
            &[
                "forget",
                r#"{"EmailAddress":"jane.doe@company.com"}"#,
                "--confirm",
            ],
            2,
            "TenantId",
        ),
        (
            &["forget", r#"{"TenantId":101}"#, "--confirm"],
            2,
            "no values at all",
        ),
        (
            &[
                "forget",
                r#"{"TenantId":101,"EmailAddress":"not-an-address"}"#,
                "--confirm",
            ],
            2,
            "EmailAddress",
        ),
        (&["forget", "bad id!", "--confirm"], 2, "not valid"),
        // Another tenant's id: not found in tenant 101.
        (
            &["forget", OTHER, "--tenant", "101", "--confirm"],
            3,
            "no contact with id",
        ),
        (
            &["export", OTHER, "--tenant", "101"],
            3,
            "no contact with id",
        ),
        // A list with one unknown id is refused as a whole.
        (
            &[
                "forget",
                &format!("{JANE},{OTHER}"),
                "--tenant",
                "101",
                "--confirm",
            ],
            2,
            "nothing was changed",
        ),
        (
            &[
                "forget",
                r#"{"TenantId":101,"EmailAddress":"nobody@company.com"}"#,
                "--confirm",
            ],
            3,
            "no contact",
        ),
        (&["forget", "NoSuchContact1", "--confirm"], 3, "no contact"),
        (
            &["export", JANE, "--source", "elsewhere"],
            2,
            "invalid value",
        ),
        (&["rectify", JANE, "--replace", "noequals"], 2, "old=new"),
        (&["archive", "--older-than", "soon"], 2, "invalid age"),
        (&["forget"], 2, "SUBJECT"),
    ];
    for (args, want, msg) in cases {
        let o = env.run(args);
        assert_eq!(code(&o), *want, "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(
            !err.contains("jane.doe") && !err.contains("not-an-address"),
            "{args:?}: {err}"
        );
    }
    let store = env.store().await;
    for id in [JANE, JANE2] {
        assert!(store
            .get_contact(T, &ContactId::parse(id).unwrap())
            .await
            .is_ok());
    }
    assert!(store
        .get_contact(TenantId(202), &ContactId::parse(OTHER).unwrap())
        .await
        .is_ok());
    assert!(store.receipts(T, None).await.unwrap().is_empty());
    if env.archive.is_none() {
        let o = env.run(&["archive", "--older-than", "90d"]);
        assert_eq!(code(&o), 2);
        assert!(stderr(&o).contains("no data source with role 'archive' found"));
    }
    store.close().await;
    env.cleanup().await;
});

backends!(rectify_and_prune, |env: Env| async move {
    seed(&env);
    let out = ok(&env.run(&["rectify", JANE, "--replace", "Jane=Janet", "--json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["replacements"].as_u64().unwrap() > 0);
    assert_eq!(v["confirmed"], false);
    ok(&env.run(&["rectify", JANE, "--replace", "Jane=Janet", "--confirm"]));
    let store = env.store().await;
    let c = store
        .get_contact(T, &ContactId::parse(JANE).unwrap())
        .await
        .unwrap();
    assert_eq!(c.first_name.as_deref(), Some("Janet"));
    let out = tempfile::tempdir().unwrap();
    ok(&env.run(&["export", JANE, "--out", out.path().to_str().unwrap()]));
    let text = std::fs::read_to_string(
        out.path()
            .join(format!("interactions-for-contact-{JANE}.json")),
    )
    .unwrap();
    assert!(text.contains("Janet") && !text.contains("Jane "), "{text}");
    let source = if env.archive.is_some() {
        "archive"
    } else {
        "main"
    };
    let v: Value = serde_json::from_str(&ok(&env.run(&[
        "prune",
        "--older-than",
        "90d",
        "--source",
        source,
        "--json",
    ])))
    .unwrap();
    assert_eq!(v["interactions"], 3);
    ok(&env.run(&[
        "prune",
        "--older-than",
        "90d",
        "--source",
        source,
        "--confirm",
    ]));
    let v: Value =
        serde_json::from_str(&ok(&env.run(&["export", JANE, "--count", "--json"]))).unwrap();
    assert_eq!(v["interactions"]["main"], 1);
    if env.archive.is_some() {
        assert_eq!(v["interactions"]["archive"], 0);
    }
    store.close().await;
    env.cleanup().await;
});

/// Contacts for the batch: `n` contacts with 5 interactions each (2 of them old).
fn batch_file(env: &Env, n: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("BATCH{i:06}");
        let email = format!("person{i}@example.org");
        lines.push(contact_line(&id, "Person", &email));
        for k in 0..5 {
            lines.push(interaction_line(
                &format!("{id}-i{k}"),
                Some(&id),
                if k < 2 { 200 } else { 1 },
                &email,
            ));
        }
        ids.push(id);
    }
    std::fs::write(env.path("batch.jsonl"), lines.join("\n")).unwrap();
    std::fs::write(env.path("ids.txt"), ids.join(",")).unwrap();
    ok(&env.run(&[
        "import",
        "batch.jsonl",
        "--tenant",
        "101",
        "--create-tenant",
    ]));
    if env.archive.is_some() {
        ok(&env.run(&["archive", "--older-than", "90d", "--confirm"]));
    }
    ids
}

/// Every contact is either fully present (contact, 5 interactions across the sources, key)
/// or fully erased (no rows readable, a receipt). Returns how many were erased.
async fn check_all_or_nothing(env: &Env, ids: &[String]) -> usize {
    let store = env.store().await;
    let archive = env.archive_store().await;
    let mut erased = 0;
    for id in ids {
        let cid = ContactId::parse(id).unwrap();
        let main_n = store.count_interactions(T, &cid).await.unwrap().0;
        let receipts = store.receipts(T, Some(&cid)).await.unwrap();
        match store.get_contact(T, &cid).await {
            Ok(_) => {
                assert!(receipts.is_empty(), "{id}: present but has a receipt");
                let archived = match &archive {
                    Some(a) => {
                        let (page, _) = a
                            .contact_interactions_page(&store, T, &cid, None, 100)
                            .await
                            .unwrap();
                        page.len() as u64
                    }
                    None => 0,
                };
                assert_eq!(main_n + archived, 5, "{id}: partially present");
            }
            Err(StoreError::NotFound(_)) => {
                assert_eq!(main_n, 0, "{id}: erased but interactions remain in main");
                assert_eq!(receipts.len(), 1, "{id}: erased without a receipt");
                if let Some(a) = &archive {
                    // Whatever the archive still holds is unreadable (key destroyed) and journalled.
                    let (page, _) = a
                        .contact_interactions_page(&store, T, &cid, None, 100)
                        .await
                        .unwrap();
                    assert!(page.is_empty(), "{id}: archived rows still readable");
                    let left = a.count_interactions(T, &cid).await.unwrap().0;
                    if left > 0 {
                        let pending = store.pending_archive_purges().await.unwrap();
                        assert!(
                            pending.iter().any(|p| p.contact_id == cid),
                            "{id}: leftovers not journalled"
                        );
                    }
                }
                erased += 1;
            }
            Err(e) => panic!("{id}: {e}"),
        }
    }
    store.close().await;
    if let Some(a) = archive {
        a.close().await;
    }
    erased
}

backends!(kill_9_in_the_middle_of_a_batch, |env: Env| async move {
    const N: usize = 150;
    let ids = batch_file(&env, N);
    let mut child = env
        .cmd(
            &["forget", "@ids.txt", "--tenant", "101", "--confirm"],
            env.dir.path(),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill -9 once a good part of the batch is done.
    let mut seen = 0;
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        if line.contains("Erased contact Id") {
            seen += 1;
            if seen == 20 {
                break;
            }
        }
        line.clear();
    }
    assert_eq!(seen, 20, "the batch ended before it could be interrupted");
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());
    let erased = check_all_or_nothing(&env, &ids).await;
    assert!((20..N).contains(&erased), "erased {erased} of {N}");

    // Rerunning completes the batch: the erased ones are reported, the rest erased.
    let o = env.run(&[
        "forget",
        "@ids.txt",
        "--tenant",
        "101",
        "--confirm",
        "--json",
    ]);
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["already_erased"], erased);
    assert_eq!(v["erased"], N - erased);
    assert_eq!(check_all_or_nothing(&env, &ids).await, N);
    // With the archive attached every journalled purge is finished; without it the journal
    // keeps one entry per erased contact for when an archive is attached.
    let store = env.store().await;
    let pending = store.pending_archive_purges().await.unwrap().len();
    assert_eq!(pending, if env.archive.is_some() { 0 } else { N });
    store.close().await;
    if let Some(a) = env.archive_store().await {
        for id in &ids {
            assert_eq!(
                a.count_interactions(T, &ContactId::parse(id).unwrap())
                    .await
                    .unwrap()
                    .0,
                0
            );
        }
        a.close().await;
    }
    env.cleanup().await;
});
