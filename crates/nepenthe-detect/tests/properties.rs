//! Property tests: offsets always fall on character boundaries and agree with
//! each other, spans never overlap, and redaction never leaves a detected value
//! readable.

use nepenthe_detect::{redact, Detector, KnownContact, RedactOperator, Span};
use proptest::prelude::*;
use std::sync::OnceLock;

fn detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(Detector::new)
}

fn check_offsets(text: &str, spans: &[Span]) -> Result<(), TestCaseError> {
    let mut prev_end = 0;
    for s in spans {
        prop_assert!(s.bstart < s.bend && s.bend <= text.len());
        prop_assert!(text.is_char_boundary(s.bstart) && text.is_char_boundary(s.bend));
        prop_assert_eq!(text[..s.bstart].chars().count(), s.start);
        prop_assert_eq!(text[..s.bend].chars().count(), s.end);
        prop_assert!(s.bstart >= prev_end, "spans overlap or are unsorted");
        prop_assert!((0.0..=1.0).contains(&s.score));
        prev_end = s.bend;
    }
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    "Zoë Kowalski",
    "Bartłomiej Wiśniewski",
    "Mr Ó Súilleabháin",
    "jane doe",
    "Oliver",
    "Dear Ms Nguyen,",
    "07912 345678",
    "+44 20 7946 0018",
    "(212) 456-7890",
    "oh seven nine one two three four five six seven eight",
    "zoe.k@example.com",
    "jane dot doe at gmail dot com",
    "4111 1111 1111 1111",
    "4111 1111 1111 1112",
    "GB29 NWBK 6016 1331 9268 19",
    "AB 12 34 56 C",
    "536-90-4399",
    "192.168.0.12",
    "2001:db8::1",
    "born 12/03/1984",
    "date of birth the third of march nineteen eighty four",
    "12 Mill Lane, Leeds, LS1 4AB",
    "SW1A 1AA",
    "order #12345678",
    "case CAS-1234567",
    "at 10:30",
    "£12.99",
    "🙂",
    "naïve café",
    "日本語",
    "\n",
    ", ",
    ". ",
    "the",
    "my name is",
    "thanks",
    "Agent:",
    "Customer:",
    "and",
    "on",
    "is",
];

fn doc_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..25).prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn offsets_on_char_boundaries_for_any_string(text in any::<String>()) {
        let spans = detector().detect(&text, None);
        check_offsets(&text, &spans)?;
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let spans = detector().detect_filtered(&text, None, nepenthe_detect::EntitySet::all(), 0.0);
        check_offsets(&text, &spans)?;
        let _ = redact(&text, &spans, &RedactOperator::Pseudonym);
    }

    #[test]
    fn offsets_on_char_boundaries_for_pii_text(text in doc_strategy()) {
        let contact: KnownContact = serde_json::from_str(
            r#"{"FirstName":"Zoë","LastName":"Kowalski","PhoneNumber":"07912 345678","Postcode":"LS1 4AB","DateOfBirth":"1984-03-12"}"#,
        ).unwrap();
        let spans = detector().detect(&text, Some(&contact));
        check_offsets(&text, &spans)?;
    }

    #[test]
    fn redaction_never_leaves_a_detected_value(text in doc_strategy(), keep in 0usize..6) {
        let spans = detector().detect(&text, None);
        let ops = [
            RedactOperator::Replace,
            RedactOperator::Pseudonym,
            RedactOperator::Hash { key: b"test key".to_vec() },
        ];
        for op in &ops {
            let out = redact(&text, &spans, op);
            for s in &spans {
                let value = &text[s.bstart..s.bend];
                // Only values that occur nowhere else undetected must be gone.
                let all_covered = text
                    .match_indices(value)
                    .all(|(i, _)| spans.iter().any(|o| o.bstart <= i && i + value.len() <= o.bend));
                if all_covered && value.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
                    prop_assert!(!out.contains(value), "{:?} left {:?} in {:?}", op, value, out);
                }
            }
        }
        // Masking shows the last few characters by design (at most half of
        // them): the value itself must not survive in its own place.
        for s in &spans {
            let value = &text[s.bstart..s.bend];
            let masked = redact(value, &[Span { start: 0, end: s.end - s.start, bstart: 0, bend: value.len(), ..s.clone() }], &RedactOperator::Mask { keep });
            let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
            prop_assert_eq!(masked.chars().filter(|&c| c == '*').count(), alnum - keep.min(alnum / 2));
            if alnum >= 2 {
                prop_assert_ne!(&masked, value);
            }
        }
    }
}

#[test]
fn unicode_offsets_are_code_points() {
    let text = "Hi 🙂 I'm Zoë Kowalski, call 07912 345678.";
    let spans = detector().detect(text, None);
    let person = spans
        .iter()
        .find(|s| s.entity_type == nepenthe_detect::EntityType::Person)
        .unwrap();
    assert_eq!((person.start, person.end), (9, 21));
    assert_eq!((person.bstart, person.bend), (12, 25));
    let chars: String = text
        .chars()
        .skip(person.start)
        .take(person.end - person.start)
        .collect();
    assert_eq!(chars, "Zoë Kowalski");
}

/// Text cut off anywhere (a chat message truncated by a channel, a field limit) must never
/// make a detector read past the end: every prefix of cue-rich texts is scanned.
#[test]
fn every_prefix_of_cue_rich_text_is_safe() {
    let texts = [
        "dob 1.2.3.4.5 of march, born the 3rd of may 1984, d.o.b. 12/03/84 (b. 1941)",
        "caller: my date of birth is the third of the second eighty seven and my postcode is s w one a one a a",
        "it's oh seven seven double oh nine double oh four five six, zip code 94110-1234, ssn 536-90-4399",
        "Name: Zoë Ó Súilleabháin\nDOB: 01/02/1990\nAddress: 12 Bóthar na Trá, Galway H91 T2YR\nTel: +353 20 910 2277",
        "| Ref | DOB |\n|---|---|\n| A-1 | 07/03/1990 |\n[2026-11-20 19:02:14] Agent: hi",
        "IBAN GB29 NWBK 6016 1331 9268 19, NI AB 12 34 56 C, card 4111 1111 1111 1111, ip 192.168.0.1",
    ];
    for text in texts {
        for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let prefix = &text[..i];
            let spans = detector().detect(prefix, None);
            check_offsets(prefix, &spans).unwrap();
        }
    }
}
