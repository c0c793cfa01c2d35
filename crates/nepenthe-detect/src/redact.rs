//! Redaction operators over detected spans.

use crate::{EntityType, Span};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::fmt;

/// How a detected value is replaced.
#[derive(Clone, PartialEq, Eq)]
pub enum RedactOperator {
    /// `<PHONE_NUMBER>`.
    Replace,
    /// Letters and digits become `*` except the last `keep` of them (at most
    /// half of them are ever kept, so a short value is never left readable);
    /// spaces and punctuation stay, so "4111 1111 1111 1111" becomes "**** **** **** 1111".
    Mask { keep: usize },
    /// `<PERSON:3fa2c1d49b0e7f21>`: the first 64 bits of HMAC-SHA256(key, type, value),
    /// so equal values get equal tokens across documents without revealing them.
    Hash { key: Vec<u8> },
    /// `<PERSON_1>`, `<PERSON_2>` ...: the same value (ignoring case and spacing)
    /// gets the same surrogate throughout one document.
    Pseudonym,
}

/// The hash key is a secret: `Debug` never shows it.
impl fmt::Debug for RedactOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedactOperator::Replace => f.write_str("Replace"),
            RedactOperator::Mask { keep } => write!(f, "Mask {{ keep: {keep} }}"),
            RedactOperator::Hash { .. } => f.write_str("Hash { key: <redacted> }"),
            RedactOperator::Pseudonym => f.write_str("Pseudonym"),
        }
    }
}

fn norm_value(v: &str) -> String {
    v.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Returns `text` with every span replaced according to `op`. Spans may come
/// in any order; a span overlapping an earlier one or not on char boundaries
/// is skipped (spans from [`Detector::detect`](crate::Detector::detect) never are).
pub fn redact(text: &str, spans: &[Span], op: &RedactOperator) -> String {
    let mut order: Vec<&Span> = spans.iter().collect();
    order.sort_by_key(|s| (s.bstart, s.bend));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut pseudo: HashMap<(EntityType, String), usize> = HashMap::new();
    let mut counters: HashMap<EntityType, usize> = HashMap::new();
    for s in order {
        if s.bstart < pos
            || s.bend > text.len()
            || s.bstart >= s.bend
            || !text.is_char_boundary(s.bstart)
            || !text.is_char_boundary(s.bend)
        {
            continue;
        }
        out.push_str(&text[pos..s.bstart]);
        let value = &text[s.bstart..s.bend];
        let ty = s.entity_type;
        match op {
            RedactOperator::Replace => {
                out.push('<');
                out.push_str(ty.as_str());
                out.push('>');
            }
            RedactOperator::Mask { keep } => {
                let n = value.chars().filter(|c| c.is_alphanumeric()).count();
                let keep = (*keep).min(n / 2);
                let mut seen = 0;
                for c in value.chars() {
                    if c.is_alphanumeric() {
                        seen += 1;
                        out.push(if seen > n - keep { c } else { '*' });
                    } else {
                        out.push(c);
                    }
                }
            }
            RedactOperator::Hash { key } => {
                // HMAC accepts keys of any length, so this cannot fail.
                let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
                    Ok(m) => m,
                    Err(_) => return String::new(),
                };
                mac.update(ty.as_str().as_bytes());
                mac.update(&[0]);
                mac.update(norm_value(value).as_bytes());
                let tag = mac.finalize().into_bytes();
                out.push('<');
                out.push_str(ty.as_str());
                out.push(':');
                for b in &tag[..8] {
                    out.push_str(&format!("{b:02x}"));
                }
                out.push('>');
            }
            RedactOperator::Pseudonym => {
                let key = (ty, norm_value(value));
                let next = counters.get(&ty).copied().unwrap_or(0) + 1;
                let n = *pseudo.entry(key).or_insert_with(|| {
                    counters.insert(ty, next);
                    next
                });
                out.push('<');
                out.push_str(ty.as_str());
                out.push('_');
                out.push_str(&n.to_string());
                out.push('>');
            }
        }
        pos = s.bend;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Detector;

    #[test]
    fn operators() {
        let text = "Call Jane Doe on 07912 345678, or Jane again: Jane Doe.";
        let d = Detector::new();
        let spans = d.detect(text, None);
        let r = redact(text, &spans, &RedactOperator::Replace);
        assert_eq!(
            r,
            "Call <PERSON> on <PHONE_NUMBER>, or <PERSON> again: <PERSON>."
        );
        let p = redact(text, &spans, &RedactOperator::Pseudonym);
        assert_eq!(
            p,
            "Call <PERSON_1> on <PHONE_NUMBER_1>, or <PERSON_2> again: <PERSON_1>."
        );
        let m = redact(text, &spans, &RedactOperator::Mask { keep: 4 });
        assert!(m.contains("***** **5678"), "{m}");
        let h1 = redact(
            text,
            &spans,
            &RedactOperator::Hash {
                key: b"k1".to_vec(),
            },
        );
        let h2 = redact(
            text,
            &spans,
            &RedactOperator::Hash {
                key: b"k2".to_vec(),
            },
        );
        assert_ne!(h1, h2);
        assert!(!h1.contains("Jane") && !h1.contains("345678"));
        assert!(!format!(
            "{:?}",
            RedactOperator::Hash {
                key: b"secret".to_vec()
            }
        )
        .contains("secret"));
    }
}
