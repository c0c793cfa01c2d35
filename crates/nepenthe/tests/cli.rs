//! End-to-end tests of the `nepenthe` binary's operator commands on a real SQLite file
//! (and PostgreSQL for the database-independent paths when configured).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_nepenthe");

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = env.run_raw(&["keys", "generate"], &[]);
        assert!(out.status.success());
        std::fs::write(env.key(), &out.stdout).unwrap();
        env
    }
    fn key(&self) -> PathBuf {
        self.dir.path().join("kek")
    }
    fn db(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("db.sqlite").display())
    }
    fn run_raw(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(BIN);
        c.args(args)
            .env_remove("NEPENTHE_KEY")
            .env_remove("NEPENTHE_KEY_FILE")
            .env_remove("NEPENTHE_DATABASE_URL")
            .env("NEPENTHE_LOG", "warn")
            .current_dir(self.dir.path());
        for (k, v) in extra_env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
    fn run(&self, args: &[&str]) -> Output {
        let key = self.key();
        let db = self.db();
        self.run_raw(
            args,
            &[
                ("NEPENTHE_KEY_FILE", key.to_str().unwrap()),
                ("NEPENTHE_DATABASE_URL", &db),
            ],
        )
    }
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn missing_and_wrong_keys_are_refused() {
    let env = Env::new();
    let db = env.db();
    let out = env.run_raw(&["migrate"], &[("NEPENTHE_DATABASE_URL", &db)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no key-encryption key configured"),
        "{}",
        stderr(&out)
    );
    env.ok(&["migrate"]);
    let other = env.write(
        "other.kek",
        &String::from_utf8(env.run_raw(&["keys", "generate"], &[]).stdout).unwrap(),
    );
    let out = env.run_raw(
        &["migrate"],
        &[
            ("NEPENTHE_DATABASE_URL", &db),
            ("NEPENTHE_KEY_FILE", other.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("does not match this database"),
        "{}",
        stderr(&out)
    );
    let bad = env.write("bad.kek", "not a key");
    let out = env.run_raw(
        &["migrate"],
        &[
            ("NEPENTHE_DATABASE_URL", &db),
            ("NEPENTHE_KEY_FILE", bad.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !stderr(&out).contains("not a key"),
        "key material must not be echoed"
    );
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    assert_eq!(
        env.run(&["token", "create", "--tenant", "1", "--role", "root"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(env.run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn tenants_tokens_and_revocation() {
    let env = Env::new();
    let out = env.run(&["token", "create", "--tenant", "101", "--role", "agent"]);
    assert_eq!(out.status.code(), Some(1), "tenant must exist first");
    env.ok(&["tenant", "create", "--id", "101", "--name", "Acme"]);
    assert_eq!(
        env.run(&["tenant", "create", "--id", "101"]).status.code(),
        Some(1)
    );
    let secret = env.ok(&[
        "token",
        "create",
        "--tenant",
        "101",
        "--role",
        "compliance",
        "--label",
        "dpo",
    ]);
    assert!(secret.trim().starts_with("npt_"));
    let list = env.ok(&["token", "list"]);
    assert!(list.contains("compliance") && list.contains("active"));
    assert!(!list.contains(secret.trim()), "secrets are never listed");
    let id = list.split('\t').next().unwrap().to_owned();
    env.ok(&["token", "revoke", &id]);
    assert!(env.ok(&["token", "list"]).contains("revoked"));
    // The database holds only the hash.
    let raw = std::fs::read(env.dir.path().join("db.sqlite")).unwrap();
    let wal = std::fs::read(env.dir.path().join("db.sqlite-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        assert!(!bytes
            .windows(secret.trim().len())
            .any(|w| w == secret.trim().as_bytes()));
    }
}

fn count_lines(p: &Path) -> usize {
    std::fs::read_to_string(p).unwrap().lines().count()
}

#[test]
fn import_commits_batches_and_stops_at_a_bad_line() {
    let env = Env::new();
    env.ok(&["tenant", "create", "--id", "5"]);
    let mut lines = Vec::new();
    for i in 0..5 {
        lines.push(format!(
            r#"{{"kind":"contact","id":"C{i}","first_name":"N{i}","emails":["c{i}@example.org"]}}"#
        ));
        lines.push(format!(
            r#"{{"kind":"interaction","id":"I{i}","contact_id":"C{i}","media_type":"chat","text":"hello","attachments":[{{"name":"a.txt","content_base64":"aGVsbG8="}}],"participants":[{{"purpose":"customer","attributes":{{"K":"v"}}}}]}}"#
        ));
    }
    lines.push(r#"{"kind":"contact","id":"BAD","emails":["secret-not-an-email"]}"#.into());
    lines.push(r#"{"kind":"contact","id":"AFTER"}"#.into());
    let file = env.write("in.jsonl", &(lines.join("\n") + "\n"));
    assert_eq!(count_lines(&file), 12);
    let out = env.run(&[
        "import",
        file.to_str().unwrap(),
        "--tenant",
        "5",
        "--batch-size",
        "4",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 11"), "{err}");
    assert!(
        !err.contains("secret-not-an-email"),
        "no PII in errors: {err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 4 contacts and 4 interactions"));

    // A clean file imports fully; re-importing the same ids conflicts and changes nothing.
    let good = env.write("good.jsonl", &(lines[8..10].join("\n") + "\n"));
    let out = env.ok(&["import", good.to_str().unwrap(), "--tenant", "5", "--json"]);
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["interactions"], 1);
    let out = env.run(&["import", good.to_str().unwrap(), "--tenant", "5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    let audit = env.ok(&["audit", "--tenant", "5"]);
    assert!(audit.contains("\"action\":\"import\""));
}

#[test]
fn backup_restore_and_key_rotation_through_the_cli() {
    let env = Env::new();
    env.ok(&["tenant", "create", "--id", "9"]);
    let file = env.write(
        "in.jsonl",
        "{\"kind\":\"contact\",\"id\":\"K1\",\"first_name\":\"Kept\"}\n{\"kind\":\"interaction\",\"id\":\"X1\",\"contact_id\":\"K1\",\"text\":\"hi\"}\n",
    );
    env.ok(&["import", file.to_str().unwrap(), "--tenant", "9"]);
    let backup = env.dir.path().join("backup.jsonl");
    assert!(env
        .ok(&["backup", "create", backup.to_str().unwrap()])
        .contains("wrote"));
    let restored = env.ok(&["backup", "restore", backup.to_str().unwrap()]);
    assert!(restored.contains("0 skipped"), "{restored}");

    let new_key = env.write(
        "new.kek",
        &String::from_utf8(env.run_raw(&["keys", "generate"], &[]).stdout).unwrap(),
    );
    env.ok(&[
        "keys",
        "rotate",
        "--new-key-file",
        new_key.to_str().unwrap(),
    ]);
    // The old key no longer opens the database; the new one does.
    assert_eq!(env.run(&["migrate"]).status.code(), Some(1));
    let db = env.db();
    let out = env.run_raw(
        &["tenant", "list"],
        &[
            ("NEPENTHE_DATABASE_URL", &db),
            ("NEPENTHE_KEY_FILE", new_key.to_str().unwrap()),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn demo_serves_and_prints_a_token_per_role() {
    let env = Env::new();
    let dir = env.dir.path().join("demo");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--demo-dir",
            dir.to_str().unwrap(),
        ])
        .env("NEPENTHE_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    let mut tokens = Vec::new();
    for _ in 0..4 {
        let l = lines.next().unwrap().unwrap();
        tokens.push(l.split_whitespace().last().unwrap().to_owned());
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let c = reqwest::Client::new();
        let anon = c
            .get(format!("{url}/api/v1/contacts"))
            .send()
            .await
            .unwrap()
            .status();
        let authed = c
            .get(format!("{url}/api/v1/contacts"))
            .bearer_auth(&tokens[0])
            .send()
            .await
            .unwrap();
        (
            anon.as_u16(),
            authed.status().as_u16(),
            authed.text().await.unwrap(),
        )
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status.0, 401);
    assert_eq!(status.1, 200);
    assert!(status.2.contains("Jane"), "demo contacts are served");
}
