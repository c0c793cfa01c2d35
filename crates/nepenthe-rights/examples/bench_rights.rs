//! Benchmarks of the data-subject-rights use cases on SQLite (release build):
//!
//! ```text
//! cargo run --release -p nepenthe-rights --example bench_rights            # all
//! cargo run --release -p nepenthe-rights --example bench_rights -- export  # one
//! ```
//!
//! - `export`: one contact with 1,000 interactions (2 KB text, one 10 KB attachment each),
//!   exported to files; median of 7 runs (target ≤ 50 ms).
//! - `forget`: `forget --confirm` of such a contact; median of 5 contacts (target ≤ 50 ms).
//! - `batch`: forget 10,000 contacts with 10 interactions each in one batch (target ≤ 30 s).
//! - `rss`: peak RSS of exporting one contact with 100,000 interactions (2 KB text, one 1 KB
//!   attachment each), measured in a child process that only opens the store and exports
//!   (target ≤ 64 MB).

use nepenthe_core::*;
use nepenthe_rights::{ExportOptions, ForgetOptions, Quiet, Sources, Subject};
use nepenthe_store::{NewInteraction, NewParticipant, Store, StoreOptions};
use std::time::{Duration, Instant};

const T: TenantId = TenantId(101);

fn text(n: usize, seed: usize) -> String {
    let base = format!("Customer {seed} wrote about order {seed}: the parcel arrived damaged. ");
    base.repeat(n / base.len() + 1)[..n].to_owned()
}

fn new_interaction(
    contact: &ContactId,
    i: usize,
    text_len: usize,
    att_len: usize,
) -> NewInteraction {
    let at = now() - chrono::Duration::days(1) + chrono::Duration::milliseconds(i as i64);
    NewInteraction {
        contact_id: Some(contact.clone()),
        media_type: MediaType::Email,
        status: InteractionStatus::Done,
        subject: Some(format!("Order {i}")),
        text: Some(text(text_len, i)),
        created_at: Some(at),
        started_at: Some(at),
        ended_at: Some(at),
        participants: vec![NewParticipant {
            purpose: Some(Purpose::Customer),
            name: Some("Jane Doe".into()),
            attributes: [("Email".to_string(), format!("c{i}@example.org"))].into(),
            ..Default::default()
        }],
        attachments: if att_len > 0 {
            vec![NewAttachment {
                id: None,
                name: format!("scan-{i}.pdf"),
                mime_type: "application/pdf".into(),
                content: (0..att_len).map(|b| (b * 31 + i) as u8).collect(),
            }]
        } else {
            vec![]
        },
        ..Default::default()
    }
}

async fn open(dir: &std::path::Path, kek: &str) -> Store {
    let keyring = nepenthe_crypto::Keyring::new(nepenthe_crypto::Kek::from_base64(kek).unwrap());
    Store::open(
        &format!("sqlite://{}", dir.join("bench.db").display()),
        keyring,
        StoreOptions::default(),
    )
    .await
    .unwrap()
}

/// Creates a contact with `n` interactions, in import batches.
async fn contact_with(store: &Store, n: usize, text_len: usize, att_len: usize) -> ContactId {
    let id = ContactId::generate();
    let input = ContactInput {
        id: Some(id.clone()),
        first_name: Some("Jane".into()),
        last_name: Some("Doe".into()),
        emails: vec![format!("{}@example.org", id.as_str().to_lowercase())],
        ..Default::default()
    }
    .validate("GB")
    .unwrap();
    store.import_batch(T, vec![input], vec![]).await.unwrap();
    let mut i = 0;
    while i < n {
        let batch: Vec<NewInteraction> = (i..(i + 1000).min(n))
            .map(|k| new_interaction(&id, k, text_len, att_len))
            .collect();
        i += batch.len();
        store.import_batch(T, vec![], batch).await.unwrap();
    }
    id
}

/// CPU time (user + system, every thread) of this process so far, from /proc (10 ms ticks):
/// on a shared machine it says what the work costs, whatever else competes for the cores.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn bench_export_and_forget(which: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_, kek) = nepenthe_crypto::Kek::generate();
    let store = open(dir.path(), &kek).await;
    store.create_tenant(T, "bench").await.unwrap();
    let sources = Sources::new(store.clone(), None);
    if which == "all" || which == "export" {
        let id = contact_with(&store, 1000, 2048, 10 * 1024).await;
        let subject = Subject::Ids {
            tenant: Some(T),
            ids: vec![id.clone()],
        };
        let mut times = Vec::new();
        let mut bytes = 0;
        let cpu0 = cpu_time();
        let runs: usize = std::env::var("BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(7);
        for run in 0..runs {
            let out = dir.path().join(format!("export-{run}"));
            let t = Instant::now();
            let r = sources.resolve(&subject, 10).await.unwrap();
            let s = sources
                .export(&r, &ExportOptions::new(&out), &Actor::cli(), &mut Quiet)
                .await
                .unwrap();
            times.push(t.elapsed());
            assert_eq!(s.contacts[0].sources[0].interactions, 1000);
            bytes = s.contacts[0]
                .files
                .iter()
                .map(|f| std::fs::metadata(f).unwrap().len())
                .sum::<u64>();
            std::fs::remove_dir_all(&out).unwrap();
        }
        let cpu = cpu_time() - cpu0;
        println!(
            "export, 1 contact x 1,000 interactions (2 KB text + 10 KB attachment): median {} (min {}, max {}), CPU {} per export (incl. removing the files), {:.1} MB written",
            ms(median(times.clone())),
            ms(*times.iter().min().unwrap()),
            ms(*times.iter().max().unwrap()),
            ms(cpu / runs as u32),
            bytes as f64 / 1e6
        );
    }
    if which == "all" || which == "forget" {
        let mut times = Vec::new();
        let mut cpu = Duration::ZERO;
        for _ in 0..5 {
            let id = contact_with(&store, 1000, 2048, 10 * 1024).await;
            let subject = Subject::Ids {
                tenant: Some(T),
                ids: vec![id.clone()],
            };
            let mut o = ForgetOptions::new(Actor::cli());
            o.confirm = true;
            let t = Instant::now();
            let c0 = cpu_time();
            let r = sources.resolve(&subject, 10).await.unwrap();
            let s = sources.forget(&r, &o, &mut Quiet).await.unwrap();
            times.push(t.elapsed());
            cpu += cpu_time() - c0;
            assert_eq!(s.erased, 1);
        }
        println!(
            "forget --confirm, 1 contact x 1,000 interactions (2 KB text + 10 KB attachment): median {} (min {}, max {}), CPU {} per erasure",
            ms(median(times.clone())),
            ms(*times.iter().min().unwrap()),
            ms(*times.iter().max().unwrap()),
            ms(cpu / 5)
        );
    }
    store.close().await;
}

async fn bench_batch() {
    let dir = tempfile::tempdir().unwrap();
    let (_, kek) = nepenthe_crypto::Kek::generate();
    let store = open(dir.path(), &kek).await;
    store.create_tenant(T, "bench").await.unwrap();
    let t = Instant::now();
    let mut ids = Vec::new();
    for chunk in 0..100 {
        let mut contacts = Vec::new();
        let mut its = Vec::new();
        for k in 0..100 {
            let id = ContactId::parse(&format!("B{chunk:03}{k:03}")).unwrap();
            contacts.push(
                ContactInput {
                    id: Some(id.clone()),
                    first_name: Some("Person".into()),
                    emails: vec![format!("p{chunk}-{k}@example.org")],
                    ..Default::default()
                }
                .validate("GB")
                .unwrap(),
            );
            for i in 0..10 {
                its.push(new_interaction(&id, i, 500, 0));
            }
            ids.push(id);
        }
        store.import_batch(T, contacts, its).await.unwrap();
    }
    eprintln!(
        "(setup: 10,000 contacts, 100,000 interactions imported in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let sources = Sources::new(store.clone(), None);
    let subject = Subject::Ids {
        tenant: Some(T),
        ids,
    };
    let mut o = ForgetOptions::new(Actor::cli());
    o.confirm = true;
    let t = Instant::now();
    let c0 = cpu_time();
    let r = sources.resolve(&subject, 10).await.unwrap();
    let resolved = t.elapsed();
    let s = sources.forget(&r, &o, &mut Quiet).await.unwrap();
    let total = t.elapsed();
    assert_eq!(s.erased, 10_000);
    println!(
        "batch forget --confirm, 10,000 contacts x 10 interactions (500 B text): {:.1} s total ({:.1} s resolving ids, {:.2} ms per contact), CPU {:.1} s",
        total.as_secs_f64(),
        resolved.as_secs_f64(),
        total.as_secs_f64() * 1000.0 / 10_000.0,
        (cpu_time() - c0).as_secs_f64()
    );
    store.close().await;
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn bench_rss() {
    let dir = tempfile::tempdir().unwrap();
    let (_, kek) = nepenthe_crypto::Kek::generate();
    let kek = kek.to_string();
    let store = open(dir.path(), &kek).await;
    store.create_tenant(T, "bench").await.unwrap();
    let t = Instant::now();
    let id = contact_with(&store, 100_000, 2048, 1024).await;
    store.close().await;
    eprintln!(
        "(setup: 100,000 interactions imported in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["rss-child", dir.path().to_str().unwrap(), &kek, id.as_str()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{}", String::from_utf8_lossy(&out.stdout));
}

async fn rss_child(dir: &str, kek: &str, id: &str) {
    let store = open(std::path::Path::new(dir), kek).await;
    let sources = Sources::new(store, None);
    let subject = Subject::Ids {
        tenant: Some(T),
        ids: vec![ContactId::parse(id).unwrap()],
    };
    let before = vm_hwm_kb();
    let t = Instant::now();
    let r = sources.resolve(&subject, 10).await.unwrap();
    let out = std::path::Path::new(dir).join("export");
    let s = sources
        .export(&r, &ExportOptions::new(&out), &Actor::cli(), &mut Quiet)
        .await
        .unwrap();
    let elapsed = t.elapsed();
    let bytes: u64 = s.contacts[0]
        .files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    println!(
        "export, 1 contact x 100,000 interactions (2 KB text + 1 KB attachment): peak RSS {:.1} MB (after opening the store: {:.1} MB), {:.1} s, {:.0} MB written, {} interactions",
        vm_hwm_kb() as f64 / 1024.0,
        before as f64 / 1024.0,
        elapsed.as_secs_f64(),
        bytes as f64 / 1e6,
        s.contacts[0].sources[0].interactions
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let which = args.first().map(String::as_str).unwrap_or("all");
    match which {
        "rss-child" => rss_child(&args[1], &args[2], &args[3]).await,
        "export" | "forget" => bench_export_and_forget(which).await,
        "batch" => bench_batch().await,
        "rss" => bench_rss().await,
        "all" => {
            bench_export_and_forget("all").await;
            bench_batch().await;
            bench_rss().await;
        }
        other => eprintln!("unknown benchmark {other} (export, forget, batch, rss, all)"),
    }
}
