//! Throughput benchmark and prediction writer for the shared corpus.
//!
//! ```text
//! cargo run --release -p nepenthe-detect --example bench -- CORPUS.jsonl [--out preds.jsonl]
//!     [--repeat N] [--threads N] [--no-contact] [--no-gazetteer]
//! ```
//! Reads the whole corpus into memory, then times detection only (single
//! thread unless --threads), and prints MB/s, docs/s and peak RSS.

use nepenthe_detect::wire::{scan, ScanInput, ScanOptions, ScanOutput};
use nepenthe_detect::{Detector, DetectorConfig};
use rayon::prelude::*;
use std::io::Write;
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// User + system CPU time of this process so far, in seconds (from /proc).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which is in parentheses).
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ut: f64 = f.get(11)?.parse().ok()?;
            let st: f64 = f.get(12)?.parse().ok()?;
            Some((ut + st) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// One timed pass over the corpus (a separate symbol so that
/// `valgrind --tool=callgrind --toggle-collect='*timed_pass*'` counts only steady-state work).
#[inline(never)]
fn timed_pass(det: &Detector, docs: &[ScanInput], opts: &ScanOptions) -> Vec<ScanOutput> {
    docs.par_iter().map(|d| scan(det, d, opts)).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut corpus = None;
    let mut out = None;
    let mut repeat = 3usize;
    let mut threads = 1usize;
    let mut contact = true;
    let mut gazetteer = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = it.next().cloned(),
            "--repeat" => repeat = it.next().and_then(|v| v.parse().ok()).unwrap_or(3),
            "--threads" => threads = it.next().and_then(|v| v.parse().ok()).unwrap_or(1),
            "--no-contact" => contact = false,
            "--no-gazetteer" => gazetteer = false,
            _ => corpus = Some(a.clone()),
        }
    }
    let corpus =
        corpus.ok_or("usage: bench CORPUS.jsonl [--out preds.jsonl] [--repeat N] [--threads N]")?;
    let raw = std::fs::read_to_string(&corpus)?;
    let mut docs: Vec<ScanInput> = raw
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    drop(raw);
    if !contact {
        docs.iter_mut().for_each(|d| d.contact = None);
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let t0 = Instant::now();
    let det = Detector::with_config(DetectorConfig {
        gazetteer,
        ..DetectorConfig::default()
    });
    let build = t0.elapsed();
    let opts = ScanOptions::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    // Warm-up over the whole corpus: libphonenumber metadata is compiled per
    // region on first use and regex caches fill, one-time costs per process.
    // It runs in the timing pool: regex caches are per thread.
    pool.install(|| docs.par_iter().for_each(|d| drop(scan(&det, d, &opts))));
    let mut best = f64::INFINITY;
    let mut results = Vec::new();
    let cpu0 = cpu_seconds();
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        results = pool.install(|| timed_pass(&det, &docs, &opts));
        best = best.min(t.elapsed().as_secs_f64());
    }
    let cpu = (cpu_seconds() - cpu0) / repeat.max(1) as f64;
    let mb = bytes as f64 / 1e6;
    let nspans: usize = results.iter().map(|r| r.spans.len()).sum();
    println!(
        "docs {} | text {:.2} MB | threads {} | detector build {:.0} ms | best of {} runs {:.3} s | {:.1} MB/s ({:.1} MB/s per thread) | {:.0} docs/s | CPU {:.3} s per run = {:.1} MB/s per core | {} spans | peak RSS {:.0} MB",
        docs.len(),
        mb,
        threads,
        build.as_secs_f64() * 1e3,
        repeat,
        best,
        mb / best,
        mb / best / threads as f64,
        docs.len() as f64 / best,
        cpu,
        mb / cpu,
        nspans,
        peak_rss_mb()
    );
    if let Some(path) = out {
        let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
        for r in &results {
            serde_json::to_writer(&mut w, r)?;
            w.write_all(b"\n")?;
        }
    }
    Ok(())
}
