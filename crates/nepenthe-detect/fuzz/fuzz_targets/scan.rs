//! `cargo fuzz run scan`: arbitrary bytes through the scanner and every
//! redaction operator. Fails on any panic or on an offset that is not a
//! character boundary or disagrees with its code-point twin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nepenthe_detect::{redact, Detector, EntitySet, KnownContact, RedactOperator};
use std::sync::OnceLock;

static DETECTOR: OnceLock<Detector> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let det = DETECTOR.get_or_init(Detector::new);
    // The first line, if it is a JSON object, is the known contact.
    let (ctx, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (serde_json_contact(&data[..i]), &data[i + 1..]),
        None => (None, data),
    };
    let text = String::from_utf8_lossy(body);
    let spans = det.detect_filtered(&text, ctx.as_ref(), EntitySet::all(), 0.0);
    let mut prev = 0;
    for s in &spans {
        assert!(s.bstart >= prev && s.bstart < s.bend && s.bend <= text.len());
        assert!(text.is_char_boundary(s.bstart) && text.is_char_boundary(s.bend));
        assert_eq!(text[..s.bstart].chars().count(), s.start);
        assert_eq!(text[..s.bend].chars().count(), s.end);
        prev = s.bend;
    }
    for op in [
        RedactOperator::Replace,
        RedactOperator::Mask { keep: 4 },
        RedactOperator::Hash { key: b"fuzz".to_vec() },
        RedactOperator::Pseudonym,
    ] {
        let _ = redact(&text, &spans, &op);
    }
});

fn serde_json_contact(line: &[u8]) -> Option<KnownContact> {
    nepenthe_detect::wire::contact_from_json(line)
}
