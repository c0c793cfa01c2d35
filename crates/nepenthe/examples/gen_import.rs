//! Writes a synthetic `nepenthe import` file: one contact per `--per-contact` interactions,
//! each interaction with about 1 KB of transcript text and two participants.
//!
//! `cargo run --release -p nepenthe --example gen_import -- --interactions 1000000 --out /tmp/import.jsonl`

use rand::{Rng, SeedableRng};
use std::io::Write;

const WORDS: &[&str] = &[
    "hello", "thanks", "for", "calling", "account", "balance", "payment", "card", "address",
    "please", "confirm", "your", "postcode", "delivery", "order", "refund", "agent", "customer",
    "today", "issue",
];
const FIRST: &[&str] = &[
    "Jane",
    "Omar",
    "Zoë",
    "Bartłomiej",
    "Aoife",
    "Priya",
    "Chen",
    "Lars",
];
const LAST: &[&str] = &[
    "Doe",
    "Haddad",
    "Ó Súilleabháin",
    "Kowalski",
    "Murphy",
    "Patel",
    "Wei",
    "Berg",
];

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

fn main() -> std::io::Result<()> {
    let n: usize = arg("--interactions", "100000")
        .parse()
        .expect("--interactions N");
    let per: usize = arg("--per-contact", "10").parse().expect("--per-contact N");
    let out = arg("--out", "/tmp/nepenthe-import.jsonl");
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    for i in 0..n {
        let cid = format!("C{:09}", i / per);
        if i % per == 0 {
            let f = FIRST[rng.gen_range(0..FIRST.len())];
            let l = LAST[rng.gen_range(0..LAST.len())];
            let line = serde_json::json!({
                "kind": "contact", "id": cid, "first_name": f, "last_name": l,
                "emails": [format!("user{}@example.org", i / per)],
                "phones": [format!("+44 7700 {:06}", (i / per) % 1_000_000)],
                "attributes": {"Postcode": "SW1A 1AA"}
            });
            writeln!(w, "{line}")?;
        }
        let mut text = String::with_capacity(1100);
        while text.len() < 1000 {
            text.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
            text.push(' ');
        }
        let line = serde_json::json!({
            "kind": "interaction", "id": format!("I{i:010}"), "contact_id": cid,
            "media_type": "voice", "status": "done", "queue": "billing",
            "created_at": "2026-01-01T00:00:00Z", "text": text,
            "participants": [
                {"id": "c", "purpose": "customer", "state": "disconnected", "attributes": {"CustomerName": "x", "Intent": "billing"}},
                {"id": "a", "purpose": "agent", "user_id": "agent-1", "state": "disconnected"}
            ]
        });
        writeln!(w, "{line}")?;
    }
    w.flush()?;
    eprintln!("wrote {n} interactions to {out}");
    Ok(())
}
