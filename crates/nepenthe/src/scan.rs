//! `nepenthe scan`: find (and optionally redact) PII in plain text or JSONL.
//!
//! Input is plain text (one document per file) or JSONL documents
//! `{"id", "text", "contact"}`; the format is detected from the first line
//! unless `--format` says otherwise. Output is one JSON line per document on
//! standard output, in input order. Error messages name files and line
//! numbers, never the text being scanned.

use anyhow::{bail, Context};
use nepenthe_detect::wire::{self, ScanInput, ScanOptions, DEFAULT_MIN_SCORE};
use nepenthe_detect::{Detector, EntitySet};
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::PathBuf;

/// How input documents are read.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// JSONL when the first non-empty line is a JSON object with a "text" key, else plain text.
    Auto,
    /// One JSON document per line: {"id", "text", "contact"}.
    Jsonl,
    /// The whole input is one document.
    Text,
}

/// Redaction operators.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedactMode {
    /// Replace each value with <TYPE>.
    Replace,
    /// Mask all but the last --mask-keep letters and digits.
    Mask,
    /// <TYPE:hex>, a keyed HMAC-SHA256 of the value (needs --hash-key).
    Hash,
    /// <TYPE_1>, <TYPE_2> ...: the same value gets the same surrogate in a document.
    Pseudonym,
}

impl RedactMode {
    fn name(self) -> &'static str {
        match self {
            RedactMode::Replace => "replace",
            RedactMode::Mask => "mask",
            RedactMode::Hash => "hash",
            RedactMode::Pseudonym => "pseudonym",
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Files to scan; "-" or none reads standard input.
    pub files: Vec<PathBuf>,
    /// Input format.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: InputFormat,
    /// Also output the redacted text ("text") using this operator.
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "replace")]
    pub redact: Option<RedactMode>,
    /// With --redact mask: how many trailing letters/digits stay visible.
    #[arg(long, default_value_t = 4)]
    pub mask_keep: usize,
    /// With --redact hash: the HMAC key.
    #[arg(long, env = "NEPENTHE_SCAN_HASH_KEY", hide_env_values = true)]
    pub hash_key: Option<String>,
    /// Only these entity types, comma-separated (e.g. PERSON,PHONE_NUMBER; ADDRESS = street + postcode).
    #[arg(long, value_delimiter = ',')]
    pub entities: Vec<String>,
    /// Drop findings scored below this (0..1).
    #[arg(long, default_value_t = DEFAULT_MIN_SCORE)]
    pub min_score: f32,
    /// Add an "explanation" to every span: the detector and the cues that scored it.
    #[arg(long)]
    pub explain: bool,
    /// With --redact: keep the document contact's own values readable and
    /// redact only other people's (a data subject's copy).
    #[arg(long)]
    pub keep_contact: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Reads every input, scans documents in parallel and writes JSONL to stdout.
pub fn run(args: ScanArgs) -> anyhow::Result<()> {
    let opts = options(&args)?;
    let mut docs: Vec<ScanInput> = Vec::new();
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    for f in &files {
        let (name, text) = read_input(f)?;
        parse_documents(&name, text, args.format, &mut docs)?;
    }
    let detector = Detector::new();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("failed to start worker threads")?;
    let outputs: Vec<wire::ScanOutput> = pool.install(|| {
        docs.par_iter()
            .map(|d| wire::scan(&detector, d, &opts))
            .collect()
    });
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match write_all(&mut w, &outputs) {
        // A closed pipe (`nepenthe scan ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("failed to write output"),
    }
}

fn write_all(w: &mut impl Write, outputs: &[wire::ScanOutput]) -> std::io::Result<()> {
    for o in outputs {
        serde_json::to_writer(&mut *w, o)?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

fn options(args: &ScanArgs) -> anyhow::Result<ScanOptions> {
    if !(0.0..=1.0).contains(&args.min_score) {
        bail!("--min-score must be between 0 and 1");
    }
    let entities = if args.entities.is_empty() {
        EntitySet::all()
    } else {
        EntitySet::parse_list(&args.entities.join(","))
            .map_err(|e| anyhow::anyhow!("--entities: {e}"))?
    };
    let redact = match args.redact {
        None => None,
        Some(mode) => Some(
            wire::parse_operator(
                mode.name(),
                args.mask_keep,
                args.hash_key.as_deref().map(str::as_bytes),
            )
            .map_err(|e| {
                anyhow::anyhow!("--redact: {e} (set --hash-key or NEPENTHE_SCAN_HASH_KEY)")
            })?,
        ),
    };
    Ok(ScanOptions {
        entities,
        min_score: args.min_score,
        explain: args.explain,
        redact,
        keep_contact: args.keep_contact,
    })
}

fn read_input(path: &PathBuf) -> anyhow::Result<(String, String)> {
    let mut buf = Vec::new();
    let name = if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("failed to read standard input")?;
        "-".to_string()
    } else {
        let name = path.display().to_string();
        buf = std::fs::read(path).with_context(|| format!("failed to read {name}"))?;
        name
    };
    let text = String::from_utf8(buf).map_err(|e| {
        anyhow::anyhow!(
            "{name} is not valid UTF-8 (first invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((name, text))
}

fn looks_like_jsonl(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .is_some_and(|v| v.get("text").is_some())
}

fn parse_documents(
    name: &str,
    text: String,
    format: InputFormat,
    docs: &mut Vec<ScanInput>,
) -> anyhow::Result<()> {
    let jsonl = match format {
        InputFormat::Jsonl => true,
        InputFormat::Text => false,
        InputFormat::Auto => looks_like_jsonl(&text),
    };
    if !jsonl {
        docs.push(ScanInput {
            id: serde_json::Value::String(name.to_string()),
            text,
            contact: None,
        });
        return Ok(());
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc: ScanInput = serde_json::from_str(line).map_err(|e| {
            // serde_json's message can quote values from the input; report only
            // the kind of error and its position.
            let kind = match e.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    "malformed JSON"
                }
                serde_json::error::Category::Data => {
                    "not a document {\"id\", \"text\", \"contact\"}"
                }
                serde_json::error::Category::Io => "read error",
            };
            anyhow::anyhow!("{name}:{}: {kind} (column {})", i + 1, e.column())
        })?;
        docs.push(doc);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_jsonl_and_reports_errors_without_values() {
        assert!(looks_like_jsonl("{\"id\":1,\"text\":\"hi\"}\n"));
        assert!(!looks_like_jsonl("Hello Jane\n"));
        let mut docs = Vec::new();
        let err = parse_documents(
            "f.jsonl",
            "{\"id\":1,\"text\":\"ok\"}\n{\"text\": 5, \"id\": \"Jane Doe\"}\n".into(),
            InputFormat::Jsonl,
            &mut docs,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("f.jsonl:2:"), "{err}");
        assert!(!err.contains("Jane"), "{err}");
    }
}
